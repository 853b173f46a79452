//! A valid verification request (the demo seeds one; tests start from it): Norway's customs
//! asks whether a Kazakh wool exporter's REX registration was justified.

use tanba_cases::sandbox::values::{form, moment, taxpayer, text};
use tanba_cases::service::SampleFile;
use tanba_types::{Form, TaxpayerId};

/// The official request, as the foreign authority sent it (it has no key in Tanba).
pub const FILES: &[SampleFile] = &[SampleFile {
    name: "request-no.txt",
    language: "en",
    translation_of: None,
    text: "Norwegian Customs: request for verification of REX registration KZREX990540000309.",
}];

/// The request from Norway about `exporter` (registered as `exporter_name`), which reached the
/// authority at `received_ms`.
pub fn request(exporter: TaxpayerId, exporter_name: &str, received_ms: u64) -> Form {
    form(&[
        ("requesting_state", text("NO")),
        ("request_reference", text("NO-TOLL-2026-118")),
        ("request_received_at", moment(received_ms)),
        ("target_system", text("REX")),
        ("exporter_name", text(exporter_name)),
        ("exporter_taxpayer", taxpayer(&exporter.to_string())),
        (
            "exporter_registration_number",
            text(&format!("KZREX{exporter}")),
        ),
        ("goods", text("Washed sheep wool, HS 5101")),
    ])
}
