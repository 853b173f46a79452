//! What identifies a marked thing (R-IS-01, R-IS-04): a unit or group package by GTIN + serial
//! (AI 01 + AI 21), a transport package by SSCC (AI 00). These are checked values: a [`Gtin`]
//! always has a right check digit, a [`Serial`] is 1-20 characters of GS1 CSET 82, an [`Sscc`]
//! is 18 digits with a right check digit. The crypto tail is not part of the key: a code is the
//! same code whatever tail is printed on it.

use std::fmt;
use std::str::FromStr;

use crate::serde_text::serde_as_text;

/// Digits in a GTIN-14.
pub const GTIN_LENGTH: usize = 14;
/// Most characters in an AI 21 serial.
pub const SERIAL_LENGTH_MAX: usize = 20;
/// Digits in an SSCC.
pub const SSCC_LENGTH: usize = 18;

/// Why a GTIN, serial, SSCC or code key is not well formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeKeyError {
    /// Not 14 digits (or 8, 12, 13 to be padded) with a right check digit.
    #[error("not a GTIN: 14 digits with a valid check digit expected")]
    Gtin,
    /// Empty, longer than 20 or outside GS1 CSET 82.
    #[error("not a serial: 1 to 20 characters of GS1 CSET 82 expected")]
    Serial,
    /// Not 18 digits with a right check digit.
    #[error("not an SSCC: 18 digits with a valid check digit expected")]
    Sscc,
    /// Neither `01{gtin}21{serial}` nor `00{sscc}`.
    #[error("not a code key: (01) GTIN with (21) serial, or (00) SSCC expected")]
    Key,
}

impl CodeKeyError {
    /// Every code this type can produce.
    pub const ALL_CODES: &'static [&'static str] = &[
        "TANBA-KEY-GTIN",
        "TANBA-KEY-SERIAL",
        "TANBA-KEY-SSCC",
        "TANBA-KEY-FORMAT",
    ];

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            CodeKeyError::Gtin => "TANBA-KEY-GTIN",
            CodeKeyError::Serial => "TANBA-KEY-SERIAL",
            CodeKeyError::Sscc => "TANBA-KEY-SSCC",
            CodeKeyError::Key => "TANBA-KEY-FORMAT",
        }
    }
}

/// A GTIN, always held as GTIN-14.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gtin([u8; GTIN_LENGTH]);

impl Gtin {
    /// Parses a GTIN-8/12/13/14 and pads it to 14 digits.
    pub fn parse(text: &str) -> Result<Gtin, CodeKeyError> {
        let padded = tanba_gs1::check_digit::to_gtin14(text).ok_or(CodeKeyError::Gtin)?;
        let bytes: [u8; GTIN_LENGTH] = padded
            .as_bytes()
            .try_into()
            .map_err(|_| CodeKeyError::Gtin)?;
        Ok(Gtin(bytes))
    }

    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII digits")
    }

    /// The 14 digits as bytes.
    pub fn as_bytes(&self) -> &[u8; GTIN_LENGTH] {
        &self.0
    }
}

/// An AI 21 serial: 1 to 20 characters of GS1 CSET 82.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Serial {
    length: u8,
    bytes: [u8; SERIAL_LENGTH_MAX],
}

impl Serial {
    /// Checks a serial.
    pub fn parse(text: &str) -> Result<Serial, CodeKeyError> {
        let input = text.as_bytes();
        if input.is_empty()
            || input.len() > SERIAL_LENGTH_MAX
            || !input.iter().all(|byte| tanba_gs1::lint::is_cset82(*byte))
        {
            return Err(CodeKeyError::Serial);
        }
        let mut bytes = [0; SERIAL_LENGTH_MAX];
        bytes[..input.len()].copy_from_slice(input);
        Ok(Serial {
            length: input.len() as u8,
            bytes,
        })
    }

    /// The serial's characters.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).expect("CSET 82 is ASCII")
    }

    /// The serial's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.length)]
    }
}

/// A serial shipping container code: 18 digits, the last a check digit.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sscc([u8; SSCC_LENGTH]);

impl Sscc {
    /// Checks an SSCC.
    pub fn parse(text: &str) -> Result<Sscc, CodeKeyError> {
        let bytes: [u8; SSCC_LENGTH] =
            text.as_bytes().try_into().map_err(|_| CodeKeyError::Sscc)?;
        if !bytes.iter().all(u8::is_ascii_digit) || !tanba_gs1::check_digit::is_valid(text) {
            return Err(CodeKeyError::Sscc);
        }
        Ok(Sscc(bytes))
    }

    /// The 18 digits.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII digits")
    }

    /// The 18 digits as bytes.
    pub fn as_bytes(&self) -> &[u8; SSCC_LENGTH] {
        &self.0
    }
}

/// One marked thing: a unit or group package (GTIN + serial) or a transport package (SSCC).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodeKey {
    /// A unit or group package.
    Item {
        /// AI 01.
        gtin: Gtin,
        /// AI 21.
        serial: Serial,
    },
    /// A transport package (AI 00).
    Sscc(Sscc),
}

impl CodeKey {
    /// A unit or group package key.
    pub fn item(gtin: Gtin, serial: Serial) -> CodeKey {
        CodeKey::Item { gtin, serial }
    }

    /// The GTIN, for a unit or group package.
    pub fn gtin(&self) -> Option<Gtin> {
        match self {
            CodeKey::Item { gtin, .. } => Some(*gtin),
            CodeKey::Sscc(_) => None,
        }
    }
}

/// The text form is the bracketed element string without a tail: `(01)…(21)…` or `(00)…`. It is
/// what logs, messages and JSON show, and what [`CodeKey::from_str`] reads back.
impl fmt::Display for CodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeKey::Item { gtin, serial } => write!(f, "(01){gtin}(21){serial}"),
            CodeKey::Sscc(sscc) => write!(f, "(00){sscc}"),
        }
    }
}

impl FromStr for CodeKey {
    type Err = CodeKeyError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some(sscc) = text.strip_prefix("(00)") {
            return Ok(CodeKey::Sscc(Sscc::parse(sscc)?));
        }
        let rest = text.strip_prefix("(01)").ok_or(CodeKeyError::Key)?;
        let (gtin, serial) = rest.split_once("(21)").ok_or(CodeKeyError::Key)?;
        if gtin.len() != GTIN_LENGTH {
            return Err(CodeKeyError::Gtin);
        }
        Ok(CodeKey::item(Gtin::parse(gtin)?, Serial::parse(serial)?))
    }
}

macro_rules! text_impls {
    ($($type:ident),*) => {$(
        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl fmt::Debug for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($type), self.as_str())
            }
        }
        impl FromStr for $type {
            type Err = CodeKeyError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                $type::parse(text)
            }
        }
        serde_as_text!($type);
    )*};
}

text_impls!(Gtin, Serial, Sscc);
serde_as_text!(CodeKey);

impl fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CodeKey({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_text() {
        for text in ["(01)04607112710016(21)sN7&x'Q2", "(00)046071120000000018"] {
            let key: CodeKey = text.parse().unwrap();
            assert_eq!(key.to_string(), text);
        }
    }

    #[test]
    fn malformed_parts_are_refused() {
        assert_eq!(Gtin::parse("04607112710017"), Err(CodeKeyError::Gtin));
        assert_eq!(Serial::parse(""), Err(CodeKeyError::Serial));
        assert_eq!(Serial::parse("a b"), Err(CodeKeyError::Serial));
        assert_eq!(Serial::parse(&"A".repeat(21)), Err(CodeKeyError::Serial));
        assert_eq!(Sscc::parse("046071120000000012"), Err(CodeKeyError::Sscc));
        assert_eq!("(01)1234".parse::<CodeKey>(), Err(CodeKeyError::Key));
        assert_eq!(
            "(01)4607112710016(21)A".parse::<CodeKey>(),
            Err(CodeKeyError::Gtin)
        );
    }

    #[test]
    fn short_gtins_are_padded() {
        assert_eq!(
            Gtin::parse("4607112710016").unwrap().as_str(),
            "04607112710016"
        );
    }
}
