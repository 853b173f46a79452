//! A complete, valid permit application (the demo seeds one; tests start from it): a branch of a
//! German trader re-exporting sporting cartridges made in Kazakhstan from Germany to Norway,
//! with its guarantee obligation, contract (in English, with its Russian translation) and
//! registration certificate.

use tanba_cases::sandbox::values::{day, decimal, flag, form, rows, taxpayer, text};
use tanba_cases::service::SampleFile;
use tanba_types::{Date, FieldValue, Form, TaxpayerId};

/// The files the application lists, and the translation of the English contract.
pub const FILES: &[SampleFile] = &[
    SampleFile {
        name: "guarantee.txt",
        language: "ru",
        translation_of: None,
        text: "Гарантийное обязательство Королевства Норвегия: товар используется в заявленных \
               целях и не реэкспортируется без согласия Республики Казахстан.",
    },
    SampleFile {
        name: "contract.txt",
        language: "en",
        translation_of: None,
        text: "Contract C-2026/17: 1000 sporting cartridges, Steppe Trading GmbH to Nordic \
               Instruments AS.",
    },
    SampleFile {
        name: "contract-ru.txt",
        language: "ru",
        translation_of: Some("contract.txt"),
        text: "Контракт C-2026/17: 1000 спортивных патронов, Steppe Trading GmbH — Nordic \
               Instruments AS.",
    },
    SampleFile {
        name: "registration.txt",
        language: "ru",
        translation_of: None,
        text: "Справка о государственной регистрации филиала.",
    },
];

fn before(today: Date, days: i32) -> FieldValue {
    let day_value = Date::from_days_since_epoch(today.days_since_epoch() - days);
    day(&day_value.to_string())
}

fn after(today: Date, days: u32) -> FieldValue {
    day(&today.plus_days(days).to_string())
}

/// The application by `applicant` (the branch's BIN) on `today`: its dates before today, the
/// guarantee obligation valid 300 days more.
pub fn application(applicant: TaxpayerId, today: Date) -> Form {
    let document = |kind: &str, file: &str| vec![("kind", text(kind)), ("file", text(file))];
    let mut guarantee = document("guarantee_obligation", "guarantee.txt");
    guarantee.push(("valid_until", after(today, 300)));
    form(&[
        ("channel", text("portal")),
        ("applicant_type", text("legal_entity")),
        ("applicant_name", text("Steppe Trading GmbH, Astana branch")),
        ("branch_taxpayer", taxpayer(&applicant.to_string())),
        ("applicant_address", text("Astana, Mangilik El 55")),
        ("applicant_phone", text("+7 7172 000000")),
        ("consignor_country", text("DE")),
        ("recipient_country", text("NO")),
        ("end_user_name", text("Nordic Instruments AS")),
        ("end_user_address", text("Oslo")),
        ("end_user_phone", text("+47 000 00 000")),
        ("basis_kind", text("contract")),
        ("basis_number", text("C-2026/17")),
        ("basis_signed_on", before(today, 30)),
        ("goods_name", text("Cartridges for sporting rifles")),
        ("hs_code", text("9306210000")),
        ("control_code", text("ML3")),
        ("unit", text("796")),
        ("quantity", decimal("1000")),
        ("currency", text("EUR")),
        ("value", decimal("25000.50")),
        ("completed_on", before(today, 1)),
        ("state_registration_number", text("12345-1901-ТОО")),
        ("state_registration_date", day("2015-03-02")),
        ("previous_licence", text("given")),
        ("previous_licence_number", text("KZ-EXP-2025-77")),
        ("previous_licence_date", day("2025-06-10")),
        ("consents_to_personal_data", flag(true)),
        (
            "documents",
            rows(&[
                guarantee,
                document("contract", "contract.txt"),
                document("registration_certificate", "registration.txt"),
            ]),
        ),
    ])
}
