//! The CBV 2.0 vocabularies Tanba speaks and checks: business steps, dispositions, business
//! transaction types, source and destination types and error reasons. A value is written in a
//! document either as its bare CBV word (`shipping`, what the JSON-LD context expands) or as a
//! full URI (`https://ref.gs1.org/cbv/BizStep-shipping`, or any other organisation's URI for a
//! step of its own). The JSON schema takes any string that looks like a URI, so a bare word that
//! is no CBV word (`transforming`) passes it: [`Vocabulary::check`] is the check that catches it.

/// The base of every CBV 2.0 vocabulary URI.
pub const CBV_BASE: &str = "https://ref.gs1.org/cbv/";
/// The base of the GS1 Web vocabulary (link types, `gs1:` terms).
pub const GS1_VOC_BASE: &str = "https://gs1.org/voc/";
/// Tanba's own terms (user extensions and steps no CBV word names), as the documents' `tanba:`
/// prefix.
pub const TANBA_VOC_BASE: &str = "https://id.tanba.kz/voc/";
/// The prefix Tanba's terms take in its documents.
pub const TANBA_PREFIX: &str = "tanba";

/// One CBV vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    /// `bizStep`.
    BizStep,
    /// `disposition`, and `persistentDisposition`'s `set` and `unset`.
    Disposition,
    /// A business transaction's `type`.
    BizTransactionType,
    /// A source's or destination's `type`.
    SourceDestType,
    /// An error declaration's `reason`.
    ErrorReason,
}

/// CBV 2.0 business steps (section 7.1).
const BIZ_STEPS: &[&str] = &[
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
    "sensor_reporting",
    "sampling",
];

/// CBV 2.0 dispositions (section 7.2).
const DISPOSITIONS: &[&str] = &[
    "active",
    "container_closed",
    "damaged",
    "destroyed",
    "dispensed",
    "disposed",
    "encoded",
    "expired",
    "in_progress",
    "in_transit",
    "inactive",
    "no_pedigree_match",
    "non_sellable_other",
    "partially_dispensed",
    "recalled",
    "reserved",
    "retail_sold",
    "returned",
    "sellable_accessible",
    "sellable_not_accessible",
    "stolen",
    "unknown",
    "available",
    "completeness_verified",
    "completeness_inferred",
    "conformant",
    "container_open",
    "mismatch_instance",
    "mismatch_class",
    "mismatch_quantity",
    "needs_replacement",
    "non_conformant",
    "unavailable",
];

/// CBV 2.0 business transaction types (section 7.3).
const BIZ_TRANSACTION_TYPES: &[&str] = &[
    "bol",
    "cert",
    "desadv",
    "inv",
    "pedigree",
    "po",
    "poc",
    "prodorder",
    "recadv",
    "rma",
    "testprd",
    "testres",
    "upevt",
];

/// CBV 2.0 source and destination types (section 7.4).
const SOURCE_DEST_TYPES: &[&str] = &["owning_party", "possessing_party", "location"];

/// CBV 2.0 error reasons (section 7.5).
const ERROR_REASONS: &[&str] = &["did_not_occur", "incorrect_data"];

/// Old CBV URI stems a 2.0 document may not use (the JSON schema refuses them as "other" URIs:
/// a CBV term is written as its word or under [`CBV_BASE`]).
const RETIRED_CBV_STEMS: &[&str] = &[
    "urn:epcglobal:cbv:",
    "http://ns.gs1.org/cbv/",
    "https://ns.gs1.org/cbv/",
];

impl Vocabulary {
    /// The vocabulary's words.
    pub const fn words(self) -> &'static [&'static str] {
        match self {
            Vocabulary::BizStep => BIZ_STEPS,
            Vocabulary::Disposition => DISPOSITIONS,
            Vocabulary::BizTransactionType => BIZ_TRANSACTION_TYPES,
            Vocabulary::SourceDestType => SOURCE_DEST_TYPES,
            Vocabulary::ErrorReason => ERROR_REASONS,
        }
    }

    /// The stem of the vocabulary's full URIs (`BizStep-`).
    pub fn uri_stem(self) -> &'static str {
        match self {
            Vocabulary::BizStep => "BizStep-",
            Vocabulary::Disposition => "Disp-",
            Vocabulary::BizTransactionType => "BTT-",
            Vocabulary::SourceDestType => "SDT-",
            Vocabulary::ErrorReason => "ER-",
        }
    }

    /// Where the vocabulary's full URIs start (`https://ref.gs1.org/cbv/BizStep-`).
    pub const fn uri_base(self) -> &'static str {
        match self {
            Vocabulary::BizStep => "https://ref.gs1.org/cbv/BizStep-",
            Vocabulary::Disposition => "https://ref.gs1.org/cbv/Disp-",
            Vocabulary::BizTransactionType => "https://ref.gs1.org/cbv/BTT-",
            Vocabulary::SourceDestType => "https://ref.gs1.org/cbv/SDT-",
            Vocabulary::ErrorReason => "https://ref.gs1.org/cbv/ER-",
        }
    }

    /// The field's name, for errors.
    pub fn field(self) -> &'static str {
        match self {
            Vocabulary::BizStep => "bizStep",
            Vocabulary::Disposition => "disposition",
            Vocabulary::BizTransactionType => "bizTransactionList.type",
            Vocabulary::SourceDestType => "sourceList/destinationList.type",
            Vocabulary::ErrorReason => "errorDeclaration.reason",
        }
    }

    /// A CBV word's full URI.
    pub fn uri(self, word: &str) -> String {
        debug_assert!(self.words().contains(&word), "{word} is a CBV word");
        format!("{}{word}", self.uri_base())
    }

    /// The CBV word a value names, bare or as its full URI; `None` for anything else (another
    /// organisation's URI, or no CBV word at all).
    pub fn word(self, value: &str) -> Option<&str> {
        let word = value
            .strip_prefix(self.uri_base())
            .or_else(|| {
                value
                    .strip_prefix("cbv:")
                    .and_then(|rest| rest.strip_prefix(self.uri_stem()))
            })
            .unwrap_or(value);
        self.words().contains(&word).then_some(word)
    }

    /// Whether `value` may stand in this field: a CBV word, bare or as its URI, or another
    /// organisation's absolute URI (not a CBV stem of old, not a CBV URI naming no CBV word).
    pub fn check(self, value: &str) -> Result<(), VocabularyError> {
        if self.word(value).is_some() {
            return Ok(());
        }
        let refused = !is_absolute_uri(value)
            || value.starts_with(CBV_BASE)
            || RETIRED_CBV_STEMS.iter().any(|stem| value.starts_with(stem));
        match refused {
            true => Err(VocabularyError {
                field: self.field(),
                value: value.chars().take(VALUE_CHARS_SHOWN_MAX).collect(),
            }),
            false => Ok(()),
        }
    }
}

/// Characters of a refused value an error repeats at most.
pub const VALUE_CHARS_SHOWN_MAX: usize = 80;

/// A value that is no word of its vocabulary and no other organisation's URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {value:?} is neither a CBV 2.0 word nor an absolute URI of another vocabulary")]
pub struct VocabularyError {
    /// The field.
    pub field: &'static str,
    /// The value (at most [`VALUE_CHARS_SHOWN_MAX`] characters of it).
    pub value: String,
}

/// Whether `value` is an absolute URI (RFC 3986: a scheme, a colon, something after it, no
/// spaces or control characters). A compact IRI (`ext1:step`) passes this and is expanded or
/// refused by whoever knows the document's prefixes.
pub fn is_absolute_uri(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let mut scheme_chars = scheme.chars();
    scheme_chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cbv_word_is_taken_bare_as_its_uri_and_as_a_compact_uri() {
        assert_eq!(Vocabulary::BizStep.word("shipping"), Some("shipping"));
        assert_eq!(
            Vocabulary::BizStep.word("https://ref.gs1.org/cbv/BizStep-shipping"),
            Some("shipping")
        );
        assert_eq!(
            Vocabulary::BizStep.word("cbv:BizStep-shipping"),
            Some("shipping")
        );
        assert_eq!(
            Vocabulary::Disposition.uri("in_transit"),
            "https://ref.gs1.org/cbv/Disp-in_transit"
        );
    }

    #[test]
    fn a_word_no_cbv_vocabulary_has_is_refused_and_another_organisations_uri_is_taken() {
        assert!(Vocabulary::BizStep.check("transforming").is_err());
        assert!(Vocabulary::Disposition.check("in_transport").is_err());
        assert!(
            Vocabulary::BizStep
                .check("https://ref.gs1.org/cbv/BizStep-flying")
                .is_err()
        );
        assert!(
            Vocabulary::BizStep
                .check("urn:epcglobal:cbv:bizstep:shipping")
                .is_err()
        );
        assert!(
            Vocabulary::BizStep
                .check("https://example.com/bizStep/inspecting")
                .is_ok()
        );
        assert!(
            Vocabulary::BizStep
                .check("https://ref.gs1.org/cbv/BizStep-shipping")
                .is_ok()
        );
    }

    #[test]
    fn a_vocabularys_base_is_the_cbv_base_and_its_stem() {
        for vocabulary in [
            Vocabulary::BizStep,
            Vocabulary::Disposition,
            Vocabulary::BizTransactionType,
            Vocabulary::SourceDestType,
            Vocabulary::ErrorReason,
        ] {
            assert_eq!(
                vocabulary.uri_base(),
                format!("{CBV_BASE}{}", vocabulary.uri_stem())
            );
        }
    }

    #[test]
    fn an_absolute_uri_has_a_scheme_and_no_spaces() {
        assert!(is_absolute_uri("urn:epc:id:sgtin:1.2.3"));
        assert!(is_absolute_uri("https://id.gs1.org/01/1"));
        assert!(!is_absolute_uri("shipping"));
        assert!(!is_absolute_uri("1http://x"));
        assert!(!is_absolute_uri("https://a b"));
        assert!(!is_absolute_uri("https:"));
    }
}
