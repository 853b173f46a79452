//! The verification of exporters' registration in the importing countries' digital systems
//! (REX) for confirming the country of origin (Order No. 358-NK of 25.05.2021 as amended by
//! Order No. 160-NK of 06.04.2026, R-REX; `../shared/WORKFLOWS.md` section 2) as a case
//! definition the engine executes: [`Rex`].
//!
//! An official request from Norway or Switzerland (R-REX-01), registered by the trade authority
//! with the request attached; the ask to the authorized organization within 3 WD (R-REX-03), its
//! documents within 5 (R-REX-04, A-REX-3), the check within 7 (R-REX-05), the conclusion within
//! 7 of the check (R-REX-06, A-REX-1), entered in the target system (R-REX-08, R-REX-10), the
//! revocation application within 3 WD when any one condition holds (R-REX-07, A-REX-2), all
//! within 30 WD of the request's arrival (R-REX-02). The clocks are named as in WORKFLOWS 2.4.

pub mod rex;
pub mod sample;
pub mod wording;

pub use rex::Rex;

/// The text version every case of this crate records.
pub const TEXT_VERSION: &str = "Order 358-NK of 25.05.2021 (MoJ reg. 22851) as amended by Order \
                                160-NK of 06.04.2026";

/// Every refusal code of this crate's rules (their kk/ru/en texts are in
/// `tanba_types::messages`).
pub const CODES: &[&str] = &[
    "TANBA-REX-ORGANIZATION",
    "TANBA-REX-REQUESTING-STATE",
    "TANBA-REX-DOCUMENTS",
    "TANBA-REX-NOT-ENTERED",
    "TANBA-REX-CONDITION",
];

/// The definition, for registering with the engine.
pub fn definitions() -> Vec<std::sync::Arc<dyn tanba_cases::Definition>> {
    vec![std::sync::Arc::new(Rex)]
}
