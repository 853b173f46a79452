//! What identifies a marked thing (R-IS-01, R-IS-04): a unit or group package by GTIN + serial
//! (AI 01 + AI 21), a transport package by SSCC (AI 00). These are checked values: a [`Gtin`]
//! always has a right check digit, a [`Serial`] is 1-20 characters of GS1 CSET 82, an [`Sscc`]
//! is 18 digits with a right check digit. The crypto tail is not part of the key: a code is the
//! same code whatever tail is printed on it.

use std::fmt;
use std::str::FromStr;

use crate::serde_text::{CompactBytes, serde_as_text};

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
    /// A GTIN-14 from its 14 digits, checked.
    pub fn from_gtin14_bytes(bytes: &[u8]) -> Result<Gtin, CodeKeyError> {
        let digits: [u8; GTIN_LENGTH] = bytes.try_into().map_err(|_| CodeKeyError::Gtin)?;
        let text = std::str::from_utf8(&digits).map_err(|_| CodeKeyError::Gtin)?;
        if !digits.iter().all(u8::is_ascii_digit) || !tanba_gs1::check_digit::is_valid(text) {
            return Err(CodeKeyError::Gtin);
        }
        Ok(Gtin(digits))
    }

    /// Parses a GTIN-8/12/13/14 and pads it to 14 digits.
    pub fn parse(text: &str) -> Result<Gtin, CodeKeyError> {
        tanba_gs1::check_digit::gtin14_digits(text)
            .map(Gtin)
            .ok_or(CodeKeyError::Gtin)
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

const TAG_ITEM: u8 = b'I';
const TAG_SSCC: u8 = b'S';

impl CodeKey {
    /// Appends the key's binary form: prefix-free (a tag byte, then fixed-width fields or a
    /// length byte), so keys built from it sort by GTIN then serial, and one key is never a
    /// prefix of another. The engine's storage keys are built from it.
    pub fn write_bytes(&self, out: &mut Vec<u8>) {
        match self {
            CodeKey::Item { gtin, serial } => {
                out.push(TAG_ITEM);
                out.extend_from_slice(gtin.as_bytes());
                let serial = serial.as_bytes();
                // At most SERIAL_LENGTH_MAX (20) bytes: fits the length byte.
                out.push(serial.len() as u8);
                out.extend_from_slice(serial);
            }
            CodeKey::Sscc(sscc) => {
                out.push(TAG_SSCC);
                out.extend_from_slice(sscc.as_bytes());
            }
        }
    }

    /// The binary form's prefix shared by every unit and group package of `gtin` (and by no
    /// other key): a store scanning it reads one product's codes in serial order.
    pub fn gtin_prefix(gtin: &Gtin) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + GTIN_LENGTH);
        out.push(TAG_ITEM);
        out.extend_from_slice(gtin.as_bytes());
        out
    }

    /// Reads one key's binary form from the front of `bytes`; returns it and the rest.
    pub fn read_bytes(bytes: &[u8]) -> Result<(CodeKey, &[u8]), CodeKeyError> {
        fn text(bytes: &[u8]) -> Result<&str, CodeKeyError> {
            std::str::from_utf8(bytes).map_err(|_| CodeKeyError::Key)
        }
        match bytes.split_first() {
            Some((&TAG_ITEM, rest)) if rest.len() > GTIN_LENGTH => {
                let gtin = Gtin::from_gtin14_bytes(&rest[..GTIN_LENGTH])?;
                let length = usize::from(rest[GTIN_LENGTH]);
                let start = GTIN_LENGTH + 1;
                let serial_bytes = rest.get(start..start + length).ok_or(CodeKeyError::Key)?;
                let serial = Serial::parse(text(serial_bytes)?)?;
                Ok((CodeKey::item(gtin, serial), &rest[start + length..]))
            }
            Some((&TAG_SSCC, rest)) if rest.len() >= SSCC_LENGTH => {
                let sscc = Sscc::parse(text(&rest[..SSCC_LENGTH])?)?;
                Ok((CodeKey::Sscc(sscc), &rest[SSCC_LENGTH..]))
            }
            _ => Err(CodeKeyError::Key),
        }
    }

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
            CodeKey::Item { gtin, serial } => {
                f.write_str("(01)")?;
                f.write_str(gtin.as_str())?;
                f.write_str("(21)")?;
                // GS1's bracketed form escapes an opening bracket inside data, so that what is
                // shown parses back as the same code (written piece by piece: a code is shown
                // millions of times by feeds and exports, and most serials have no bracket).
                let mut pieces = serial.as_str().split('(');
                f.write_str(pieces.next().unwrap_or_default())?;
                pieces.try_for_each(|piece| {
                    f.write_str("\\(")?;
                    f.write_str(piece)
                })
            }
            CodeKey::Sscc(sscc) => {
                f.write_str("(00)")?;
                f.write_str(sscc.as_str())
            }
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
        // The canonical form (every code the log holds) is read without searching or
        // allocating: 14 digits, then `(21)`.
        let (gtin, serial) = match rest.get(GTIN_LENGTH..GTIN_LENGTH + 4) {
            Some("(21)") => (&rest[..GTIN_LENGTH], &rest[GTIN_LENGTH + 4..]),
            _ => rest.split_once("(21)").ok_or(CodeKeyError::Key)?,
        };
        if gtin.len() != GTIN_LENGTH {
            return Err(CodeKeyError::Gtin);
        }
        let serial = match serial.contains('\\') {
            true => Serial::parse(&serial.replace("\\(", "("))?,
            false => Serial::parse(serial)?,
        };
        Ok(CodeKey::item(Gtin::parse(gtin)?, serial))
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

impl CompactBytes for Gtin {
    fn write_compact(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }
    fn read_compact(bytes: &[u8]) -> Option<Self> {
        Gtin::from_gtin14_bytes(bytes).ok()
    }
}

impl CompactBytes for Serial {
    fn write_compact(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
    fn read_compact(bytes: &[u8]) -> Option<Self> {
        Serial::parse(std::str::from_utf8(bytes).ok()?).ok()
    }
}

impl CompactBytes for Sscc {
    fn write_compact(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }
    fn read_compact(bytes: &[u8]) -> Option<Self> {
        Sscc::parse(std::str::from_utf8(bytes).ok()?).ok()
    }
}

impl CompactBytes for CodeKey {
    fn write_compact(&self, out: &mut Vec<u8>) {
        self.write_bytes(out);
    }
    fn read_compact(bytes: &[u8]) -> Option<Self> {
        match CodeKey::read_bytes(bytes) {
            Ok((key, [])) => Some(key),
            _ => None,
        }
    }
}

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
        let texts = [
            "(01)04607112710016(21)sN7&x'Q2",
            "(00)046071120000000018",
            // Brackets inside a serial are escaped, wherever they stand.
            "(01)04607112710016(21)\\(a\\(\\(b\\(",
        ];
        for text in texts {
            let key: CodeKey = text.parse().unwrap();
            assert_eq!(key.to_string(), text);
        }
        let serial = Serial::parse("(a((b(").unwrap();
        let key = CodeKey::item(Gtin::parse("04607112710016").unwrap(), serial);
        assert_eq!(key.to_string(), "(01)04607112710016(21)\\(a\\(\\(b\\(");
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
    fn binary_forms_round_trip_and_stay_prefix_free() {
        let short: CodeKey = "(01)04607112710016(21)AB".parse().unwrap();
        let long: CodeKey = "(01)04607112710016(21)ABC".parse().unwrap();
        let sscc: CodeKey = "(00)046071120000000018".parse().unwrap();
        for key in [short, long, sscc] {
            let mut bytes = Vec::new();
            key.write_bytes(&mut bytes);
            sscc.write_bytes(&mut bytes);
            let (first, rest) = CodeKey::read_bytes(&bytes).unwrap();
            let (second, rest) = CodeKey::read_bytes(rest).unwrap();
            assert_eq!((first, second, rest.len()), (key, sscc, 0));
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        short.write_bytes(&mut a);
        long.write_bytes(&mut b);
        assert!(!b.starts_with(&a));
        assert_eq!(
            CodeKey::read_bytes(b"I0460711271001"),
            Err(CodeKeyError::Key)
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
