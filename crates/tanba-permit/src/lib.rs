//! The permit for extraterritorial re-export of controlled goods (Order No. 355 of 16.05.2023,
//! R-PER; `../shared/WORKFLOWS.md` section 3) as two case definitions the engine executes:
//!
//! - [`Permit`]: the application with its information form and documents, checked at intake
//!   (R-PER-03, A-PER-10) and registered by the intake rule (R-PER-14); the completeness check
//!   in 2 WD (R-PER-04, A-PER-1); the requests to the export-control bodies and the MFA at once
//!   (A-PER-4); the risk assessment in 5 WD of the answers (R-PER-05); the 30-WD term paused
//!   while the MFA or a foreign body is awaited (R-PER-06, A-PER-2); the permit for at most a
//!   year, bounded by its documents (R-PER-07), or the reasoned refusal on numbered grounds
//!   (R-PER-08); its expiry.
//! - [`complaint`]: the pre-trial complaint (R-PER-09, R-PER-21): 5 WD at the provider, 15 WD
//!   at the quality-control authority, satisfied within 3 WD without forwarding.
//!
//! The clocks are named as in WORKFLOWS 3.4: D-PER-2 (2 WD, completeness), D-PER-3 (5 WD, risk
//! assessment), D-PER-4 (30 WD, the service), D-PER-5 (validity).

pub mod permit;
pub mod sample;
mod texts;
pub mod wording;

pub use permit::Permit;
use tanba_cases::amendment::{Amendment, AmendmentRules};
use tanba_cases::complaint::{Complaint, ComplaintRules};

/// The text version every case of this crate records.
pub const TEXT_VERSION: &str = "Order 355 of 16.05.2023 (MoJ reg. 32496, in force 60 CD after \
                                first official publication), no amendments";

/// The permit's complaint terms (R-PER-09): 3 WD to satisfy it without forwarding, no
/// extension.
pub const COMPLAINT: ComplaintRules = ComplaintRules {
    kind: "permit_complaint",
    parent_kind: permit::KIND,
    text_version: TEXT_VERSION,
    favourable_days: Some(3),
    forward_days: None,
    extension_reasons: &[],
    extension_notice: None,
};

/// The provider's duty to inform of amendments to Order 355 (R-PER-22, D-PER-9): the Unified
/// Contact Centre, the State Corporation and the e-government infrastructure's operator, within
/// 3 WD.
pub const AMENDMENT: AmendmentRules = AmendmentRules {
    kind: "permit_amendment",
    service: "permit",
    text_version: TEXT_VERSION,
    recipients: &[
        "unified_contact_centre",
        "state_corporation",
        "egov_operator",
    ],
};

/// Every refusal code of this crate's rules (their kk/ru/en texts are in
/// `tanba_types::messages`).
pub const CODES: &[&str] = &[
    "TANBA-PERMIT-APPLICANT-ID",
    "TANBA-PERMIT-INFORMATION-FORM",
    "TANBA-PERMIT-COPIES-NOT-CERTIFIED",
    "TANBA-PERMIT-SEAL-PORTAL",
    "TANBA-PERMIT-NOT-EXTRATERRITORIAL",
    "TANBA-PERMIT-ALREADY-RECORDED",
    "TANBA-PERMIT-ORDER",
    "TANBA-PERMIT-NOT-READY",
    "TANBA-PERMIT-VALIDITY",
    "TANBA-PERMIT-GROUND-UNSUPPORTED",
    "TANBA-PERMIT-DELIVERY",
    "TANBA-PERMIT-NAMES-NOBODY",
];

/// The definitions (the permit, its complaint, its amendment duty), for registering with the
/// engine.
pub fn definitions() -> Vec<std::sync::Arc<dyn tanba_cases::Definition>> {
    vec![
        std::sync::Arc::new(Permit),
        std::sync::Arc::new(Complaint(COMPLAINT)),
        std::sync::Arc::new(Amendment(AMENDMENT)),
    ]
}
