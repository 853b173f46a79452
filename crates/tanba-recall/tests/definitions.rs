//! The recall's definitions as tables: consistent with themselves, every refusal code readable
//! in Kazakh, Russian and English, the text version recorded.

use tanba_cases::definition::check_tables;
use tanba_types::{Language, messages};

#[test]
fn the_recall_and_claim_tables_agree_with_themselves() {
    for definition in tanba_recall::definitions() {
        assert_eq!(
            check_tables(definition.as_ref()),
            Ok(()),
            "{}",
            definition.kind()
        );
        assert!(definition.text_version().starts_with("Order 373-NK"));
        assert!(definition.requires_authority());
    }
}

#[test]
fn r_rec_11_offers_exactly_the_four_conditions_and_a_rec_2_the_five_disposals() {
    assert_eq!(tanba_recall::recall::CONDITIONS.len(), 4);
    assert!(tanba_recall::recall::DISPOSALS.contains(&"already_exported"));
    assert_eq!(tanba_recall::recall::UNITS, ["piece", "kg", "l"]);
}

#[test]
fn recall_refusals_read_in_kazakh_russian_and_english() {
    for code in tanba_recall::CODES {
        for language in [Language::Kk, Language::Ru, Language::En] {
            assert!(
                messages::template(code, language).is_some(),
                "{code} {language:?}"
            );
        }
    }
}
