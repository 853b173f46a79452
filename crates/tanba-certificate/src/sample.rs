//! A complete, valid certificate application (the demo seeds one; tests start from it): an
//! importer of thermal cameras from France for an airport's perimeter security, asking for an
//! end-user certificate and/or an import certificate, with the contract in French and its
//! Russian translation.

use tanba_cases::sandbox::values::{
    day, decimal, flag, form, integer, rows, taxpayer, text, texts,
};
use tanba_cases::service::SampleFile;
use tanba_types::{Date, FieldValue, Form, TaxpayerId};

/// The files the application lists, and the translation of the French contract.
pub const FILES: &[SampleFile] = &[
    SampleFile {
        name: "contract.txt",
        language: "fr",
        translation_of: None,
        text: "Contrat OPT-2026-5: 24 caméras thermiques, Optronics SA à Dala Security LLP.",
    },
    SampleFile {
        name: "contract-ru.txt",
        language: "ru",
        translation_of: Some("contract.txt"),
        text: "Контракт OPT-2026-5: 24 тепловизионные камеры, Optronics SA — Dala Security LLP.",
    },
];

fn before(today: Date, days: i32) -> FieldValue {
    day(&Date::from_days_since_epoch(today.days_since_epoch() - days).to_string())
}

/// The goods lines: `lines` identical lines of 12 cameras each.
pub fn goods(lines: usize) -> FieldValue {
    let line = vec![
        ("description", text("Thermal imaging camera, uncooled")),
        ("hs_code", text("9306210000")),
        ("control_code", text("6A003.b")),
        ("unit", text("796")),
        ("quantity", decimal("12")),
    ];
    rows(&vec![line; lines])
}

/// The application by `applicant` (the importer) on `today` for `certificates` (`euc`, `iic`);
/// an end-user certificate names `end_user`, who co-signs the guarantee obligation.
pub fn application(
    applicant: TaxpayerId,
    end_user: TaxpayerId,
    certificates: &[&str],
    today: Date,
) -> Form {
    let mut fields = vec![
        ("certificates", texts(certificates)),
        ("applicant_type", text("legal_entity")),
        ("applicant_name", text("Dala Security LLP")),
        ("applicant_bin", taxpayer(&applicant.to_string())),
        ("registration_reference", text("10100-1910-ТОО")),
        ("postal_code", text("010000")),
        ("region", text("Astana")),
        ("street", text("Kabanbay batyr")),
        ("building", text("11")),
        ("phone", text("+7 7172 111111")),
        ("attached_sheets", integer(14)),
        ("consents_to_secrets", flag(true)),
        ("no_court_ban", flag(true)),
        ("documents_true", flag(true)),
        ("confirms_accuracy", flag(true)),
        ("completed_on", before(today, 1)),
        ("intermediary", flag(false)),
        ("importer_name", text("Dala Security LLP")),
        ("importer_country", text("KZ")),
        ("importer_address", text("Astana")),
        ("importer_phone", text("+7 7172 111111")),
        ("importer_taxpayer", taxpayer(&applicant.to_string())),
        ("exporter_name", text("Optronics SA")),
        ("exporter_country", text("FR")),
        ("exporter_address", text("Paris")),
        ("goods", goods(2)),
        ("contract_number", text("OPT-2026-5")),
        ("contract_date", before(today, 45)),
        ("importer_signer_position", text("Director")),
        ("importer_signed_on", before(today, 1)),
        (
            "documents",
            rows(&[vec![
                ("kind", text("contract")),
                ("file", text("contract.txt")),
            ]]),
        ),
    ];
    if certificates.contains(&"euc") {
        fields.extend([
            ("end_user_name", text("KazAirNav JSC")),
            ("end_user_country", text("KZ")),
            ("end_user_address", text("Astana")),
            ("end_user_phone", text("+7 7172 222222")),
            ("end_user_taxpayer", taxpayer(&end_user.to_string())),
            ("installation_place", text("Astana airport")),
            ("purpose", text("perimeter security")),
            ("end_user_signer_position", text("CEO")),
            ("end_user_signed_on", before(today, 1)),
        ]);
    }
    form(&fields)
}
