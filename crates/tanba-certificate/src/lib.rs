//! The end-user certificate and the international import certificate (Order No. 309 of
//! 28.04.2023 as amended by Order No. 4 of 09.01.2026, R-CER; `../shared/WORKFLOWS.md` section
//! 4) as two case definitions the engine executes:
//!
//! - [`Certificate`]: the application through the portal for an end-user certificate and/or an
//!   import certificate (R-CER-04, R-CER-18), the guarantee obligation signed by the importer
//!   and the end user (A-CER-3, A-CER-4), foreign-language documents with their translation,
//!   registration by the intake rule, the completeness check in 3 WD (R-CER-06), the
//!   qualification check and the certificates in 7 WD (R-CER-07, A-CER-6), numbered
//!   `EUC-YYYY-NNNNNN` / `IIC-YYYY-NNNNNN` (A-CER-10), the preliminary decision and hearing
//!   before a refusal on one of the 9 grounds (R-CER-08, R-CER-11), immutable once issued
//!   (R-CER-03) and tracked for presentation within 6 months (R-CER-09).
//! - [`complaint`](COMPLAINT): the pre-trial complaint (R-CER-10, R-CER-20, A-CER-11): 5 WD at
//!   the provider, 15 WD at the quality-control authority, forwarded within 3 WD, extended once
//!   by at most 10 WD with notice and reasons.

pub mod certificate;
pub mod sample;
mod texts;
pub mod wording;

pub use certificate::Certificate;
use tanba_cases::amendment::{Amendment, AmendmentRules};
use tanba_cases::complaint::{Complaint, ComplaintRules};

/// The text version every case of this crate records.
pub const TEXT_VERSION: &str = "Order 309 of 28.04.2023 (MoJ reg. 32404, in force 01.10.2023) as \
                                amended by Order 4 of 09.01.2026";

/// The certificates' complaint terms (R-CER-10, R-CER-20): forwarded within 3 WD, extended once
/// by at most 10 WD for one of the two reasons, with notice.
pub const COMPLAINT: ComplaintRules = ComplaintRules {
    kind: "certificate_complaint",
    parent_kind: certificate::KIND,
    text_version: TEXT_VERSION,
    favourable_days: None,
    forward_days: Some(3),
    extension_reasons: &wording::EXTENSION_REASONS,
    extension_notice: Some(&wording::EXTENSION_NOTICE),
};

/// The provider's duty to inform of amendments to Order 309 (R-CER-23, D-CER-12): the Unified
/// Contact Centre and the e-government infrastructure's operator, within 3 WD.
pub const AMENDMENT: AmendmentRules = AmendmentRules {
    kind: "certificate_amendment",
    service: "certificate",
    text_version: TEXT_VERSION,
    recipients: &["unified_contact_centre", "egov_operator"],
};

/// Every refusal code of this crate's rules (their kk/ru/en texts are in
/// `tanba_types::messages`).
pub const CODES: &[&str] = &[
    "TANBA-CERT-APPLICATION",
    "TANBA-CERT-REPLACES",
    "TANBA-CERT-COSIGNERS",
    "TANBA-CERT-SIGNED",
    "TANBA-CERT-INCOMPLETE",
    "TANBA-CERT-NOT-READY",
    "TANBA-CERT-PAPER-SIGNATURE",
    "TANBA-CERT-NOTICE-TOO-LATE",
    "TANBA-CERT-HEARING-DAY",
    "TANBA-CERT-GROUND-NOT-HEARD",
    "TANBA-CERT-IMMUTABLE",
];

/// The definitions (the certificate, its complaint, its amendment duty), for registering with
/// the engine.
pub fn definitions() -> Vec<std::sync::Arc<dyn tanba_cases::Definition>> {
    vec![
        std::sync::Arc::new(Certificate),
        std::sync::Arc::new(Complaint(COMPLAINT)),
        std::sync::Arc::new(Amendment(AMENDMENT)),
    ]
}
