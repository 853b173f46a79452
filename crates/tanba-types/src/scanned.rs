//! A code as a scanner, a phone or a person hands it over: any form `tanba-gs1` reads (raw with
//! GS, scanner output, bracketed, GS1 Digital Link), reduced to what Tanba looks up (the
//! [`CodeKey`]) and the tail printed with it, if any, to compare with the tail issued.

use tanba_gs1::{MarkingCode, ParseOptions, Tail};

use crate::code_key::{CodeKey, CodeKeyError, Gtin, Serial, Sscc};
use crate::command::IssuedTail;
use crate::messages::Localized;

/// Longest input accepted as one code, in bytes: a Digital Link URL with a full tail is far
/// shorter; anything longer is refused before it is parsed.
pub const CODE_INPUT_BYTES_MAX: usize = 4096;

/// The tail printed with a scanned code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannedTail {
    /// None was scanned (a Digital Link without one, a code typed by hand).
    None,
    /// AI 91 + AI 92.
    Full {
        /// AI 91.
        key_id: String,
        /// AI 92.
        signature: String,
    },
    /// AI 93.
    Short {
        /// The tag.
        tag: String,
    },
}

impl ScannedTail {
    /// Whether this tail is the one issued (`issued`: none for a transport package). A code
    /// scanned without a tail passes: it proves only its identity, and callers say so.
    pub fn matches(&self, issued: Option<&IssuedTail>) -> bool {
        match (self, issued) {
            (ScannedTail::None, _) => true,
            (
                ScannedTail::Full { key_id, signature },
                Some(IssuedTail::Full {
                    key_id: issued_key,
                    signature: issued_signature,
                }),
            ) => key_id == issued_key && signature == issued_signature,
            (
                ScannedTail::Short { tag },
                Some(IssuedTail::Short {
                    tag: issued_tag, ..
                }),
            ) => tag == issued_tag,
            _ => false,
        }
    }
}

/// A code read from input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedCode {
    /// What Tanba knows the code by.
    pub key: CodeKey,
    /// The tail printed with it.
    pub tail: ScannedTail,
}

/// Why input is not a marking code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// Longer than [`CODE_INPUT_BYTES_MAX`].
    #[error("the code is longer than {CODE_INPUT_BYTES_MAX} bytes")]
    TooLong,
    /// Not GS1 syntax.
    #[error(transparent)]
    Gs1(#[from] tanba_gs1::Gs1Error),
    /// GS1 syntax, but not a code Tanba marks with.
    #[error(transparent)]
    Key(#[from] CodeKeyError),
    /// AI 91 without 92 (or the reverse), or both a full and a short tail.
    #[error("the tail is incomplete: AI 91 and 92 go together, AI 93 alone")]
    MalformedTail,
}

impl ScanError {
    /// Every code this type can produce itself (the rest are GS1's and [`CodeKeyError`]'s).
    pub const ALL_CODES: &'static [&'static str] = &["TANBA-SCAN-TOO-LONG", "TANBA-SCAN-TAIL"];
}

impl Localized for ScanError {
    fn code(&self) -> &'static str {
        match self {
            ScanError::TooLong => "TANBA-SCAN-TOO-LONG",
            ScanError::Gs1(error) => error.code(),
            ScanError::Key(error) => error.code(),
            ScanError::MalformedTail => "TANBA-SCAN-TAIL",
        }
    }
    fn ai(&self) -> Option<&str> {
        match self {
            ScanError::Gs1(error) => Localized::ai(error),
            _ => None,
        }
    }
    fn position(&self) -> Option<usize> {
        match self {
            ScanError::Gs1(error) => Localized::position(error),
            _ => None,
        }
    }
    fn detail(&self) -> Option<String> {
        match self {
            ScanError::Gs1(error) => Localized::detail(error),
            ScanError::TooLong => Some(CODE_INPUT_BYTES_MAX.to_string()),
            _ => None,
        }
    }
}

impl ScannedCode {
    /// Reads one code in any form. An item needs (01) and (21); a transport package (00).
    pub fn read(input: &str) -> Result<ScannedCode, ScanError> {
        if input.len() > CODE_INPUT_BYTES_MAX {
            return Err(ScanError::TooLong);
        }
        let code = MarkingCode::parse(input.trim(), &ParseOptions::default())?;
        let key = match (code.gtin(), code.serial(), code.sscc()) {
            (Some(gtin), Some(serial), None) => {
                CodeKey::item(Gtin::parse(gtin)?, Serial::parse(serial)?)
            }
            (None, None, Some(sscc)) => CodeKey::Sscc(Sscc::parse(sscc)?),
            _ => return Err(ScanError::Key(CodeKeyError::Key)),
        };
        let tail = match code.tail() {
            Tail::None => ScannedTail::None,
            Tail::Full { key_id, signature } => ScannedTail::Full {
                key_id: key_id.to_owned(),
                signature: signature.to_owned(),
            },
            Tail::Short { tag } => ScannedTail::Short {
                tag: tag.to_owned(),
            },
            Tail::Malformed => return Err(ScanError::MalformedTail),
        };
        Ok(ScannedCode { key, tail })
    }
}

/// The raw element string printed on goods for an issued code: (01) GTIN and (21) serial, then
/// (91) and (92), or (93), each variable-length field ended by GS. What a producer's printer gets.
pub fn printable(key: &CodeKey, tail: &IssuedTail) -> String {
    const GS: char = '\u{1d}';
    let mut out = match key {
        CodeKey::Item { gtin, serial } => format!("01{gtin}21{serial}"),
        CodeKey::Sscc(sscc) => return format!("00{sscc}"),
    };
    match tail {
        IssuedTail::Full { key_id, signature } => {
            out.push(GS);
            out.push_str(&format!("91{key_id}{GS}92{signature}"));
        }
        IssuedTail::Short { tag, .. } => {
            out.push(GS);
            out.push_str(&format!("93{tag}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_gives_the_key_and_the_tail() {
        let key: CodeKey = "(01)04600000000015(21)abcDEF".parse().unwrap();
        for input in [
            "010460000000001521abcDEF\u{1d}93Zx1_",
            "]d2010460000000001521abcDEF\u{1d}93Zx1_",
            "(01)04600000000015(21)abcDEF(93)Zx1_",
            "https://id.example.kz/01/04600000000015/21/abcDEF?93=Zx1_",
        ] {
            let scanned = ScannedCode::read(input).unwrap();
            assert_eq!(scanned.key, key, "{input}");
            assert_eq!(
                scanned.tail,
                ScannedTail::Short { tag: "Zx1_".into() },
                "{input}"
            );
        }
        let plain = ScannedCode::read("https://id.example.kz/01/04600000000015/21/abcDEF").unwrap();
        assert_eq!((plain.key, plain.tail), (key, ScannedTail::None));
        // A serial with brackets is shown escaped, and what is shown reads back.
        let bracketed: CodeKey = "(01)04600000000015(21)a(1)b)".parse::<CodeKey>().unwrap();
        assert_eq!(bracketed.to_string(), "(01)04600000000015(21)a\\(1)b)");
        assert_eq!(
            ScannedCode::read(&bracketed.to_string()).unwrap().key,
            bracketed
        );
        assert_eq!(bracketed.to_string().parse::<CodeKey>().unwrap(), bracketed);
        let pallet = ScannedCode::read("(00)106141411234567897").unwrap();
        assert!(matches!(pallet.key, CodeKey::Sscc(_)));
    }

    #[test]
    fn a_printed_code_reads_back_with_its_tail() {
        use crate::command::IssuedTail;
        let key: CodeKey = "(01)04600000000015(21)abcDEF".parse().unwrap();
        let short = IssuedTail::Short {
            key_id: "k1".into(),
            tag: "Zx1_".into(),
        };
        let read = ScannedCode::read(&printable(&key, &short)).unwrap();
        assert_eq!(
            (read.key, read.tail),
            (key, ScannedTail::Short { tag: "Zx1_".into() })
        );
    }

    #[test]
    fn what_is_not_a_marking_code_is_refused_with_a_code() {
        let code = |input: &str| ScannedCode::read(input).unwrap_err().code();
        assert_eq!(
            code(&"1".repeat(CODE_INPUT_BYTES_MAX + 1)),
            "TANBA-SCAN-TOO-LONG"
        );
        assert_eq!(code("(01)04600000000015"), "TANBA-KEY-FORMAT");
        assert_eq!(code("(01)04600000000015(21)x(91)ab12"), "TANBA-SCAN-TAIL");
        assert!(code("garbage").starts_with("TANBA-GS1-"));
    }
}
