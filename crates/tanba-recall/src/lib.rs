//! The recall of products not meeting technical regulations (Order No. 373-NK of 29.05.2021,
//! R-REC; `../shared/WORKFLOWS.md` section 1) as two case definitions the engine executes:
//!
//! - [`Recall`]: the obligated party's recall, T1-T10 of WORKFLOWS 1.3. The party establishes
//!   the ground (both moments, A-REC-6), names the scope (a GTIN with batch, production dates,
//!   or listed codes and packages: R-REC-02), which is refused at every till from that commit;
//!   notifies buyers (R-REC-06, R-REC-07); then corrects a removable non-conformity under one
//!   of the four conditions of R-REC-11, or disposes of the goods within 30 calendar days of
//!   detection (R-REC-03, A-REC-2); reprocessed goods stay blocked until a conformity document
//!   is recorded (R-REC-12); and reports to the technical-regulation authority (R-REC-05).
//! - [`Claim`]: a buyer's written application to one or more obligated parties (R-REC-08),
//!   answered by each within 10 calendar days of its registration (A-REC-4, A-REC-5), shown
//!   overdue to the authority otherwise, and escalated to it by the buyer.
//!
//! The clocks are named as in WORKFLOWS 1.4: D-REC-1 (3 CD from the ground, direct notices),
//! D-REC-2 (30 CD from detection, disposal), D-REC-3 (the term agreed with the buyer), D-REC-4
//! (10 CD, a claim's answer).

pub mod claim;
pub mod recall;
mod texts;

pub use claim::Claim;
pub use recall::Recall;

/// The text version every case of this crate records.
pub const TEXT_VERSION: &str =
    "Order 373-NK of 29.05.2021 (MoJ reg. 22884, in force 01.07.2021), no amendments";

/// Every refusal code of this crate's rules (their kk/ru/en texts are in
/// `tanba_types::messages`).
pub const CODES: &[&str] = &[
    "TANBA-RECALL-EXPORT-DOCUMENT",
    "TANBA-RECALL-CONFORMITY-DOCUMENT",
    "TANBA-RECALL-AGREED-TERM",
    "TANBA-RECALL-NOT-REPROCESSED",
    "TANBA-RECALL-ANSWERED",
    "TANBA-RECALL-DATES",
    "TANBA-RECALL-NO-ADDRESSEE",
];

/// Both definitions, for registering with the engine.
pub fn definitions() -> Vec<std::sync::Arc<dyn tanba_cases::Definition>> {
    vec![std::sync::Arc::new(Recall), std::sync::Arc::new(Claim)]
}
