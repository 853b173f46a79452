//! Errors for everything GS1: what is wrong, at which AI, at which byte of the input.
//!
//! Every kind has a stable code (`TANBA-GS1-...`) that callers, logs and translations key on;
//! the English text here is the fallback. Kazakh and Russian texts live with the other
//! translations in `tanba-types`, keyed by the same code.

use std::fmt;

use crate::lint::LintErrorKind;

/// What went wrong while reading or checking GS1 data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gs1ErrorKind {
    /// Nothing to parse.
    Empty,
    /// The input is longer than [`crate::INPUT_LENGTH_MAX`].
    InputTooLong,
    /// More element strings than [`crate::ELEMENTS_MAX`].
    TooManyElements,
    /// A byte that may not appear here (e.g. a control character, or `^` which is conflated with
    /// FNC1 by some tools).
    IllegalCharacter,
    /// Unbracketed data must start with FNC1.
    MissingLeadingFnc1,
    /// An AI must be 2 to 4 digits.
    MalformedAi,
    /// An AI that GS1 has not defined (or that we do not accept in this position).
    UnknownAi,
    /// A bracketed AI without its closing `)`.
    UnterminatedAi,
    /// The data field of an AI is empty.
    EmptyValue,
    /// The data field is shorter than the AI allows.
    ValueTooShort {
        /// Minimum length.
        length_min: usize,
    },
    /// The data field is longer than the AI allows.
    ValueTooLong {
        /// Maximum length.
        length_max: usize,
    },
    /// A GS1 linter rejected a component of the data field.
    Lint(LintErrorKind),
    /// Another AI is required with this one (GS1 "req" rule).
    RequiredAiMissing {
        /// The alternatives, as in the Syntax Dictionary (`"01,03,8006"`).
        requires: String,
    },
    /// This AI may not appear together with another one (GS1 "ex" rule).
    MutuallyExclusiveAis {
        /// The AI it clashes with.
        other: String,
    },
    /// The same AI appears twice with different values.
    ConflictingRepeat,
    /// A digital signature (8030) needs a serialised key.
    DigitalSignatureNeedsSerialisedKey,
    /// Scan data without a valid `]xy` symbology identifier.
    UnknownSymbology,
    /// A GS1 symbology carried no data.
    EmptySymbolData,
    /// A bad EAN/UPC primary message.
    BadPrimaryMessage,
    /// The URI scheme must be `http://` or `https://`.
    BadUriScheme,
    /// The URI's host is not a valid domain name or IP address.
    BadUriHost,
    /// The URI's path holds no GS1 Digital Link primary key.
    NoPrimaryKey,
    /// The AIs in the URI path are not a valid key and qualifier sequence.
    BadKeyQualifierSequence,
    /// An empty segment (`//`) or a trailing `/` in the URI path.
    EmptyPathSegment,
    /// This AI may not be a Digital Link query attribute.
    NotADataAttribute,
    /// An AI appears twice in a Digital Link URI.
    DuplicateAi,
    /// The element string has no Digital Link primary key to build a URI from.
    NoPrimaryKeyToGenerate,
    /// The data carries no GTIN (AI 01).
    MissingGtin,
    /// The data carries no serial number (AI 21).
    MissingSerial,
}

impl Gs1ErrorKind {
    /// Every code of the non-linter kinds (linter codes are in [`LintErrorKind::ALL`]).
    pub const ALL_CODES: &'static [&'static str] = &[
        "TANBA-GS1-EMPTY",
        "TANBA-GS1-INPUT-TOO-LONG",
        "TANBA-GS1-TOO-MANY-ELEMENTS",
        "TANBA-GS1-ILLEGAL-CHARACTER",
        "TANBA-GS1-MISSING-LEADING-FNC1",
        "TANBA-GS1-MALFORMED-AI",
        "TANBA-GS1-UNKNOWN-AI",
        "TANBA-GS1-UNTERMINATED-AI",
        "TANBA-GS1-EMPTY-VALUE",
        "TANBA-GS1-VALUE-TOO-SHORT",
        "TANBA-GS1-VALUE-TOO-LONG",
        "TANBA-GS1-REQUIRED-AI-MISSING",
        "TANBA-GS1-MUTUALLY-EXCLUSIVE-AIS",
        "TANBA-GS1-CONFLICTING-REPEAT",
        "TANBA-GS1-DIGITAL-SIGNATURE-NEEDS-SERIALISED-KEY",
        "TANBA-GS1-UNKNOWN-SYMBOLOGY",
        "TANBA-GS1-EMPTY-SYMBOL-DATA",
        "TANBA-GS1-BAD-PRIMARY-MESSAGE",
        "TANBA-GS1-DL-BAD-SCHEME",
        "TANBA-GS1-DL-BAD-HOST",
        "TANBA-GS1-DL-NO-PRIMARY-KEY",
        "TANBA-GS1-DL-BAD-KEY-QUALIFIERS",
        "TANBA-GS1-DL-EMPTY-PATH-SEGMENT",
        "TANBA-GS1-DL-NOT-A-DATA-ATTRIBUTE",
        "TANBA-GS1-DL-DUPLICATE-AI",
        "TANBA-GS1-DL-NOTHING-TO-LINK",
        "TANBA-GS1-MISSING-GTIN",
        "TANBA-GS1-MISSING-SERIAL",
    ];

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            Gs1ErrorKind::Empty => "TANBA-GS1-EMPTY",
            Gs1ErrorKind::InputTooLong => "TANBA-GS1-INPUT-TOO-LONG",
            Gs1ErrorKind::TooManyElements => "TANBA-GS1-TOO-MANY-ELEMENTS",
            Gs1ErrorKind::IllegalCharacter => "TANBA-GS1-ILLEGAL-CHARACTER",
            Gs1ErrorKind::MissingLeadingFnc1 => "TANBA-GS1-MISSING-LEADING-FNC1",
            Gs1ErrorKind::MalformedAi => "TANBA-GS1-MALFORMED-AI",
            Gs1ErrorKind::UnknownAi => "TANBA-GS1-UNKNOWN-AI",
            Gs1ErrorKind::UnterminatedAi => "TANBA-GS1-UNTERMINATED-AI",
            Gs1ErrorKind::EmptyValue => "TANBA-GS1-EMPTY-VALUE",
            Gs1ErrorKind::ValueTooShort { .. } => "TANBA-GS1-VALUE-TOO-SHORT",
            Gs1ErrorKind::ValueTooLong { .. } => "TANBA-GS1-VALUE-TOO-LONG",
            Gs1ErrorKind::Lint(kind) => kind.code(),
            Gs1ErrorKind::RequiredAiMissing { .. } => "TANBA-GS1-REQUIRED-AI-MISSING",
            Gs1ErrorKind::MutuallyExclusiveAis { .. } => "TANBA-GS1-MUTUALLY-EXCLUSIVE-AIS",
            Gs1ErrorKind::ConflictingRepeat => "TANBA-GS1-CONFLICTING-REPEAT",
            Gs1ErrorKind::DigitalSignatureNeedsSerialisedKey => {
                "TANBA-GS1-DIGITAL-SIGNATURE-NEEDS-SERIALISED-KEY"
            }
            Gs1ErrorKind::UnknownSymbology => "TANBA-GS1-UNKNOWN-SYMBOLOGY",
            Gs1ErrorKind::EmptySymbolData => "TANBA-GS1-EMPTY-SYMBOL-DATA",
            Gs1ErrorKind::BadPrimaryMessage => "TANBA-GS1-BAD-PRIMARY-MESSAGE",
            Gs1ErrorKind::BadUriScheme => "TANBA-GS1-DL-BAD-SCHEME",
            Gs1ErrorKind::BadUriHost => "TANBA-GS1-DL-BAD-HOST",
            Gs1ErrorKind::NoPrimaryKey => "TANBA-GS1-DL-NO-PRIMARY-KEY",
            Gs1ErrorKind::BadKeyQualifierSequence => "TANBA-GS1-DL-BAD-KEY-QUALIFIERS",
            Gs1ErrorKind::EmptyPathSegment => "TANBA-GS1-DL-EMPTY-PATH-SEGMENT",
            Gs1ErrorKind::NotADataAttribute => "TANBA-GS1-DL-NOT-A-DATA-ATTRIBUTE",
            Gs1ErrorKind::DuplicateAi => "TANBA-GS1-DL-DUPLICATE-AI",
            Gs1ErrorKind::NoPrimaryKeyToGenerate => "TANBA-GS1-DL-NOTHING-TO-LINK",
            Gs1ErrorKind::MissingGtin => "TANBA-GS1-MISSING-GTIN",
            Gs1ErrorKind::MissingSerial => "TANBA-GS1-MISSING-SERIAL",
        }
    }
}

impl fmt::Display for Gs1ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gs1ErrorKind::Empty => f.write_str("no data"),
            Gs1ErrorKind::InputTooLong => {
                write!(f, "input longer than {} bytes", crate::INPUT_LENGTH_MAX)
            }
            Gs1ErrorKind::TooManyElements => {
                write!(f, "more than {} element strings", crate::ELEMENTS_MAX)
            }
            Gs1ErrorKind::IllegalCharacter => f.write_str("illegal character"),
            Gs1ErrorKind::MissingLeadingFnc1 => f.write_str("data must start with FNC1"),
            Gs1ErrorKind::MalformedAi => f.write_str("an AI must be 2 to 4 digits"),
            Gs1ErrorKind::UnknownAi => f.write_str("unknown AI"),
            Gs1ErrorKind::UnterminatedAi => f.write_str("AI not closed by ')'"),
            Gs1ErrorKind::EmptyValue => f.write_str("empty data field"),
            Gs1ErrorKind::ValueTooShort { length_min } => {
                write!(f, "data field too short (at least {length_min} characters)")
            }
            Gs1ErrorKind::ValueTooLong { length_max } => {
                write!(f, "data field too long (at most {length_max} characters)")
            }
            Gs1ErrorKind::Lint(kind) => f.write_str(kind.description()),
            Gs1ErrorKind::RequiredAiMissing { requires } => {
                write!(f, "requires one of these AIs too: {requires}")
            }
            Gs1ErrorKind::MutuallyExclusiveAis { other } => {
                write!(f, "may not appear together with AI ({other})")
            }
            Gs1ErrorKind::ConflictingRepeat => f.write_str("repeated with a different value"),
            Gs1ErrorKind::DigitalSignatureNeedsSerialisedKey => {
                f.write_str("a digital signature (8030) needs a serialised key")
            }
            Gs1ErrorKind::UnknownSymbology => f.write_str("unknown symbology identifier"),
            Gs1ErrorKind::EmptySymbolData => f.write_str("the symbol carries no data"),
            Gs1ErrorKind::BadPrimaryMessage => f.write_str("bad EAN/UPC primary message"),
            Gs1ErrorKind::BadUriScheme => f.write_str("the URI must start http:// or https://"),
            Gs1ErrorKind::BadUriHost => f.write_str("the URI's host is not valid"),
            Gs1ErrorKind::NoPrimaryKey => f.write_str("no GS1 Digital Link key in the URI path"),
            Gs1ErrorKind::BadKeyQualifierSequence => {
                f.write_str("the AIs in the URI path are not a valid key and qualifier sequence")
            }
            Gs1ErrorKind::EmptyPathSegment => f.write_str("empty segment in the URI path"),
            Gs1ErrorKind::NotADataAttribute => {
                f.write_str("this AI may not be a Digital Link query attribute")
            }
            Gs1ErrorKind::DuplicateAi => f.write_str("AI given twice in the URI"),
            Gs1ErrorKind::NoPrimaryKeyToGenerate => {
                f.write_str("no Digital Link primary key to build a URI from")
            }
            Gs1ErrorKind::MissingGtin => f.write_str("no GTIN (AI 01)"),
            Gs1ErrorKind::MissingSerial => f.write_str("no serial number (AI 21)"),
        }
    }
}

/// An error with where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gs1Error {
    /// What is wrong.
    pub kind: Gs1ErrorKind,
    /// The AI concerned, if any.
    pub ai: Option<String>,
    /// Byte offset into the input as given (where known).
    pub position: Option<usize>,
    /// Length in bytes of the offending part (where known).
    pub length: Option<usize>,
}

impl Gs1Error {
    /// An error of `kind` at no particular AI or position.
    pub fn new(kind: Gs1ErrorKind) -> Gs1Error {
        Gs1Error {
            kind,
            ai: None,
            position: None,
            length: None,
        }
    }

    /// An error concerning `ai`.
    pub fn at_ai(kind: Gs1ErrorKind, ai: &str) -> Gs1Error {
        Gs1Error {
            ai: Some(ai.to_owned()),
            ..Gs1Error::new(kind)
        }
    }

    /// Sets the byte position (and length) of the offending part.
    pub fn at(mut self, position: usize, length: usize) -> Gs1Error {
        self.position = Some(position);
        self.length = Some(length);
        self
    }

    /// Shifts the position by `offset` bytes (for errors found in a part of a larger input).
    pub fn offset_by(mut self, offset: usize) -> Gs1Error {
        self.position = self.position.map(|position| position + offset);
        self
    }

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for Gs1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ai) = &self.ai {
            write!(f, "AI ({ai}): ")?;
        }
        write!(f, "{}", self.kind)?;
        if let Some(position) = self.position {
            write!(f, " at byte {position}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Gs1Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_codes_are_unique_and_cover_samples() {
        let mut codes = Gs1ErrorKind::ALL_CODES.to_vec();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Gs1ErrorKind::ALL_CODES.len());
        for kind in [
            Gs1ErrorKind::Empty,
            Gs1ErrorKind::ValueTooLong { length_max: 1 },
            Gs1ErrorKind::RequiredAiMissing {
                requires: String::new(),
            },
            Gs1ErrorKind::MissingSerial,
            Gs1ErrorKind::NoPrimaryKeyToGenerate,
        ] {
            assert!(Gs1ErrorKind::ALL_CODES.contains(&kind.code()));
        }
    }
}
