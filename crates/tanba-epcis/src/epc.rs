//! GS1 identifiers in any URI form an EPCIS event may carry them, to the one form the CBV 2.0
//! event hash (section 8.9) hashes: the constrained canonical GS1 Digital Link URI
//! (`https://id.gs1.org/01/04012345111118/21/9876`).
//!
//! - EPC URIs (`urn:epc:id:sgtin:...` and the other schemes of the EPC Tag Data Standard), EPC
//!   class URIs (`urn:epc:class:lgtin:...`) and EPC pattern URIs (`urn:epc:idpat:sgtin:...*`,
//!   class level) are converted (module `urn`).
//! - Digital Link URIs on any host, with short key names (`/gtin/`, `/ser/`), an 8-, 12- or
//!   13-digit GTIN, a query string, a CPV, or a lot next to a serial are brought to the
//!   canonical host, AI numbers, GTIN-14 and the finest level of identification only (module
//!   `digital_link`).
//!
//! The conversion is the reference implementation's (GS1 Germany's `epcis-event-hash-generator`,
//! `dl_normaliser.py`), quirks included, because a hash is only worth what partners recompute:
//! escapes already in an EPC URI stay as they are and only `!()*+,:` are escaped on top; a
//! Digital Link URI with a `%` escape in a value has no constrained form (the hash keeps such a
//! URI as it is written); the 12-digit company prefix forms of GRAI and GDTI follow the
//! reference's patterns. To *read* a Digital Link URI (escapes and all), use GS1's own parsing,
//! [`tanba_gs1::digital_link::parse`]; this module only decides what a hash sees.
//!
//! Architecture invariant: pure text in, text out; no JSON, no hashing, no state. No input makes
//! it panic: EPC URIs are checked to be ASCII before they are cut, Digital Link URIs are only cut
//! at ASCII characters found in them.

mod digital_link;
mod urn;

use thiserror::Error;

/// The canonical host every constrained Digital Link URI starts with.
pub const CANONICAL_STEM: &str = tanba_gs1::digital_link::CANONICAL_STEM;

/// Why a text has no constrained canonical Digital Link form.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EpcError {
    /// Neither an EPC URI nor a Digital Link URI with a GS1 key in its path.
    #[error("not a GS1 identifier (neither an EPC URI nor a GS1 Digital Link URI)")]
    NotAnIdentifier,
    /// Starts like an EPC URI (`urn:epc:`) but matches no scheme's syntax.
    #[error("not a valid EPC URI, EPC class URI or EPC pattern URI")]
    MalformedEpcUri,
    /// A Digital Link URI whose key, key length or qualifiers leave no valid constrained form.
    #[error("no constrained canonical GS1 Digital Link form (unknown key, bad length or value)")]
    NoCanonicalForm,
}

impl EpcError {
    /// Every code, for the translations' completeness check.
    pub const ALL_CODES: &'static [&'static str] = &[
        "TANBA-EPCIS-EPC-NOT-AN-IDENTIFIER",
        "TANBA-EPCIS-EPC-MALFORMED-EPC-URI",
        "TANBA-EPCIS-EPC-NO-CANONICAL-FORM",
    ];

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            EpcError::NotAnIdentifier => "TANBA-EPCIS-EPC-NOT-AN-IDENTIFIER",
            EpcError::MalformedEpcUri => "TANBA-EPCIS-EPC-MALFORMED-EPC-URI",
            EpcError::NoCanonicalForm => "TANBA-EPCIS-EPC-NO-CANONICAL-FORM",
        }
    }
}

/// The constrained canonical Digital Link URI of an EPC URI, EPC class URI, EPC pattern URI or
/// GS1 Digital Link URI, as the CBV 2.0 event hash writes it.
///
/// `uri` is taken as it is (the hash trims values before it gets here). Text without a `.`
/// anywhere is no identifier: the reference starts by looking for one and gives up without.
/// A Digital Link URI with a `%` escape in a value (`.../21/A%2F3`) is
/// [`EpcError::NoCanonicalForm`], as in the reference, even when it is canonical already.
pub fn canonical_digital_link(uri: &str) -> Result<String, EpcError> {
    if !uri.contains('.') {
        return Err(EpcError::NotAnIdentifier);
    }
    if uri.starts_with(urn::EPC_URI_START) {
        return urn::to_digital_link(uri).ok_or(EpcError::MalformedEpcUri);
    }
    if !digital_link::has_gs1_key(uri) {
        return Err(EpcError::NotAnIdentifier);
    }
    digital_link::constrain(uri).ok_or(EpcError::NoCanonicalForm)
}

/// The reference's `webURIPercentEncoder`: escapes the seven characters GS1 Digital Link wants
/// escaped that an EPC URI may carry bare (`!()*+,:`). Escapes already present stay as they are
/// (unlike [`tanba_gs1::digital_link::escape_path`], which escapes everything not unreserved).
fn escape_for_digital_link(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for character in value.chars() {
        match character {
            '!' => escaped.push_str("%21"),
            '(' => escaped.push_str("%28"),
            ')' => escaped.push_str("%29"),
            '*' => escaped.push_str("%2A"),
            '+' => escaped.push_str("%2B"),
            ',' => escaped.push_str("%2C"),
            ':' => escaped.push_str("%3A"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Number of leading ASCII digits of `text`.
fn digit_run(text: &str) -> usize {
    text.bytes().take_while(u8::is_ascii_digit).count()
}

/// Whether `text` is `length` ASCII digits.
fn is_digits(text: &str, length: usize) -> bool {
    text.len() == length && digit_run(text) == length
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn converts_an_sgtin_and_normalises_a_digital_link() {
        assert_eq!(
            canonical_digital_link("urn:epc:id:sgtin:4012345.011111.9876").unwrap(),
            "https://id.gs1.org/01/04012345111118/21/9876"
        );
        assert_eq!(
            canonical_digital_link("https://example.com/gtin/9780345418913/ser/1?x=1").unwrap(),
            "https://id.gs1.org/01/09780345418913/21/1"
        );
    }

    #[test]
    fn tells_what_is_wrong() {
        assert_eq!(canonical_digital_link("42"), Err(EpcError::NotAnIdentifier));
        assert_eq!(
            canonical_digital_link("geo:47.5,11.1"),
            Err(EpcError::NotAnIdentifier)
        );
        assert_eq!(
            canonical_digital_link("urn:epc:id:sgtin:4012345.01111.9876"),
            Err(EpcError::MalformedEpcUri)
        );
        assert_eq!(
            canonical_digital_link("http://example.de/01/97803"),
            Err(EpcError::NoCanonicalForm)
        );
    }

    #[test]
    fn codes_are_unique_and_complete() {
        let errors = [
            EpcError::NotAnIdentifier,
            EpcError::MalformedEpcUri,
            EpcError::NoCanonicalForm,
        ];
        let mut codes: Vec<_> = errors.iter().map(EpcError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), EpcError::ALL_CODES.len());
        assert!(codes.iter().all(|code| EpcError::ALL_CODES.contains(code)));
    }

    /// Texts spliced from the pieces the parsers look for, by a fixed linear congruential
    /// sequence: none may make them panic.
    pub(crate) fn spliced_texts(pieces: &[&str], count: usize) -> Vec<String> {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |bound: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) as usize % bound
        };
        (0..count)
            .map(|_| {
                (0..1 + next(8))
                    .map(|_| pieces[next(pieces.len())])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn no_text_makes_it_panic() {
        let pieces = [
            "urn:epc:id:sgtin:",
            "urn:epc:id:grai:",
            "urn:epc:idpat:cpi:",
            "urn:epc:id:cpi:",
            "urn:epc:class:lgtin:",
            "https://",
            "http://",
            "id.gs1.org",
            "/01/",
            "/8006/",
            "/21/",
            "/22/",
            "/10/",
            "/8010/",
            "/8011/",
            "/gtin/",
            "4012345",
            "012345678901",
            ".",
            "..",
            ".*",
            "%",
            "%2F",
            "é",
            "?",
            "#",
            "/",
            "0",
            "9",
            "A",
        ];
        for text in spliced_texts(&pieces, 20_000) {
            let _ = canonical_digital_link(&text);
        }
    }

    #[test]
    fn escapes_only_what_the_reference_escapes() {
        assert_eq!(
            escape_for_digital_link("a!b(c)*+,:%22'"),
            "a%21b%28c%29%2A%2B%2C%3A%22'"
        );
    }
}
