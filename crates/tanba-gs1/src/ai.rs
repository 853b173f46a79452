//! The GS1 Application Identifier table and lookups over it.
//!
//! The table itself lives in `ai_table.rs`: one [`AiEntry`] per AI (ranges such as `3100-3105`
//! are expanded), kept in the same order and with the same content as the GS1 Barcode Syntax
//! Dictionary release we pin (`shared/conformance/gs1-syntax-dictionary/
//! gs1-syntax-dictionary.release-2026-01-27.txt`). The test `ai_table_sourcegen` re-derives the
//! table from that file and fails on any difference; run it with `UPDATE_AI_TABLE=1` to rewrite
//! `ai_table.rs` after moving to a new dictionary release.
//!
//! Nothing here knows about marking codes, signatures or Tanba's domain: this is GS1 syntax only.

use crate::lint::Linter;

/// Character set of one component of an AI's data field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cset {
    /// `N`: digits `0-9`.
    Numeric,
    /// `X`: GS1 AI encodable character set 82.
    Cset82,
    /// `Y`: GS1 AI encodable character set 39.
    Cset39,
    /// `Z`: base64url (GS1 character set 64), with optional `=` padding.
    Cset64,
}

impl Cset {
    /// The linter that checks this character set.
    pub const fn linter(self) -> Linter {
        match self {
            Cset::Numeric => Linter::CsetNumeric,
            Cset::Cset82 => Linter::Cset82,
            Cset::Cset39 => Linter::Cset39,
            Cset::Cset64 => Linter::Cset64,
        }
    }

    /// The letter the Syntax Dictionary uses for this set.
    pub const fn letter(self) -> char {
        match self {
            Cset::Numeric => 'N',
            Cset::Cset82 => 'X',
            Cset::Cset39 => 'Y',
            Cset::Cset64 => 'Z',
        }
    }
}

/// One component of an AI's data field, e.g. `N13,csum,gcppos1` or `[X..17]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    /// Character set.
    pub cset: Cset,
    /// Minimum length in characters (equal to `length_max` for fixed-length components).
    pub length_min: u8,
    /// Maximum length in characters.
    pub length_max: u8,
    /// Optional components may be absent once the data is exhausted.
    pub optional: bool,
    /// Content checks beyond the character set, applied in order.
    pub linters: &'static [Linter],
}

impl Component {
    /// Whether the component has a fixed length.
    pub const fn is_fixed_length(&self) -> bool {
        self.length_min == self.length_max
    }
}

/// One Application Identifier as the Syntax Dictionary describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AiEntry {
    /// The AI digits, e.g. `"01"`, `"3103"`.
    pub ai: &'static str,
    /// The element string needs an FNC1/GS separator after this AI's data when another AI follows
    /// (the AI is not one of the GS1 "predefined length" AIs; dictionary flag `*` absent).
    pub fnc1_required: bool,
    /// May appear as a GS1 Digital Link data attribute (query parameter); dictionary flag `?`.
    pub dl_data_attribute: bool,
    /// Components of the data field, in order.
    pub components: &'static [Component],
    /// Each `req=` attribute: a comma-separated list of alternatives, each a `+`-joined group of
    /// AIs or patterns (`31nn`); every instance must be satisfied by one alternative.
    pub requires: &'static [&'static str],
    /// Each `ex=` attribute: AIs or patterns that must not appear together with this AI.
    pub excludes: &'static [&'static str],
    /// `dlpkey` attribute: `None` if the AI is not a Digital Link primary key; otherwise the
    /// alternative qualifier sequences (`""` for a key that takes no qualifiers).
    pub dl_primary_key: Option<&'static [&'static str]>,
    /// Short title, e.g. `"GTIN"`.
    pub title: &'static str,
}

impl AiEntry {
    /// Smallest total data length.
    pub fn length_min(&self) -> usize {
        self.components
            .iter()
            .filter(|component| !component.optional)
            .map(|component| usize::from(component.length_min))
            .sum()
    }

    /// Largest total data length.
    pub fn length_max(&self) -> usize {
        self.components
            .iter()
            .map(|component| usize::from(component.length_max))
            .sum()
    }

    /// Whether the data field has one fixed total length (all components fixed, none optional).
    pub fn is_fixed_length(&self) -> bool {
        self.components
            .iter()
            .all(|component| component.is_fixed_length() && !component.optional)
    }

    /// The qualifier sequences this key allows (empty if it is not a Digital Link primary key).
    pub fn dl_qualifier_sequences(
        &self,
    ) -> impl Iterator<Item = impl Iterator<Item = &'static str>> {
        self.dl_primary_key
            .unwrap_or(&[])
            .iter()
            .map(|sequence| sequence.split(',').filter(|ai| !ai.is_empty()))
    }
}

/// Every AI we support, sorted by AI.
pub fn table() -> &'static [AiEntry] {
    crate::ai_table::AI_TABLE
}

/// Looks up an AI by its exact digits.
pub fn lookup(ai: &str) -> Option<&'static AiEntry> {
    let slot = index_slot(ai)?;
    let position = AI_INDEX[slot];
    (position != AI_INDEX_EMPTY).then(|| &table()[usize::from(position)])
}

/// Slots in [`AI_INDEX`]: one per possible AI of 2, 3 or 4 digits (100 + 1,000 + 10,000).
const AI_INDEX_SLOTS: usize = 11_100;
const AI_INDEX_EMPTY: u16 = u16::MAX;
const _: () = assert!(AI_INDEX_SLOTS < AI_INDEX_EMPTY as usize);

/// A direct index from AI digits to table position: the parser looks AIs up several times per
/// element, and a binary search with string compares was most of its time (measured: 83%).
static AI_INDEX: std::sync::LazyLock<Box<[u16; AI_INDEX_SLOTS]>> = std::sync::LazyLock::new(|| {
    let mut index = Box::new([AI_INDEX_EMPTY; AI_INDEX_SLOTS]);
    for (position, entry) in table().iter().enumerate() {
        let slot = index_slot(entry.ai).expect("table AIs are 2-4 digits");
        assert_eq!(
            index[slot], AI_INDEX_EMPTY,
            "AI ({}) twice in the table",
            entry.ai
        );
        index[slot] = u16::try_from(position).expect("fewer AIs than u16::MAX");
    }
    index
});

/// The slot of a 2-4 digit AI: 2-digit AIs in 0..100, 3-digit in 100..1,100, 4-digit after.
fn index_slot(ai: &str) -> Option<usize> {
    let bytes = ai.as_bytes();
    if !(AI_LENGTH_MIN..=AI_LENGTH_MAX).contains(&bytes.len()) {
        return None;
    }
    let mut number = 0usize;
    for byte in bytes {
        if !byte.is_ascii_digit() {
            return None;
        }
        number = number * 10 + usize::from(byte - b'0');
    }
    Some(match bytes.len() {
        2 => number,
        3 => 100 + number,
        _ => 1_100 + number,
    })
}

/// Finds the AI that starts `data` (AIs are prefix-free, so at most one matches).
pub fn lookup_prefix(data: &str) -> Option<&'static AiEntry> {
    (AI_LENGTH_MIN..=AI_LENGTH_MAX)
        .filter(|length| *length <= data.len() && data.is_char_boundary(*length))
        .find_map(|length| lookup(&data[..length]))
}

/// Shortest AI, in digits.
pub const AI_LENGTH_MIN: usize = 2;
/// Longest AI, in digits.
pub const AI_LENGTH_MAX: usize = 4;

/// The length of an AI implied by its first two digits (GS1 General Specifications, table of
/// AI prefixes), or `None` if `prefix` is not two digits. Used for AIs missing from the table.
pub fn ai_length_by_prefix(prefix: &str) -> Option<usize> {
    let bytes = prefix.as_bytes();
    if bytes.len() < 2 || !bytes[..2].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
    Some(match two {
        23..=25 | 40..=42 | 71 => 3,
        31..=36 | 39 | 43 | 70 | 72 | 80..=82 => 4,
        _ => 2,
    })
}

/// Whether `ai` matches an attribute pattern such as `"31nn"` (`n` = any digit) or `"01"`.
pub fn matches_pattern(ai: &str, pattern: &str) -> bool {
    ai.len() == pattern.len()
        && ai
            .bytes()
            .zip(pattern.bytes())
            .all(|(a, p)| p == a || (p == b'n' && a.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(table().windows(2).all(|pair| pair[0].ai < pair[1].ai));
    }

    #[test]
    fn lookup_finds_gtin_and_serial() {
        let gtin = lookup("01").unwrap();
        assert!(!gtin.fnc1_required);
        assert!(gtin.is_fixed_length());
        assert_eq!(gtin.length_max(), 14);
        let serial = lookup("21").unwrap();
        assert!(serial.fnc1_required);
        assert_eq!(serial.length_max(), 20);
        assert!(lookup("89").is_none());
    }

    #[test]
    fn prefix_lookup_reads_the_right_length() {
        assert_eq!(lookup_prefix("3103000195").unwrap().ai, "3103");
        assert_eq!(lookup_prefix("235XYZ").unwrap().ai, "235");
        assert_eq!(lookup_prefix("0112345678901231").unwrap().ai, "01");
        assert!(lookup_prefix("8").is_none());
    }

    #[test]
    fn patterns_match_digits_only() {
        assert!(matches_pattern("3103", "31nn"));
        assert!(!matches_pattern("310", "31nn"));
        assert!(!matches_pattern("3203", "31nn"));
        assert!(matches_pattern("01", "01"));
    }
}
