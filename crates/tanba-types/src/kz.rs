//! Kazakhstan identifiers.
//!
//! - **IIN / BIN** (ЖСН / БСН, ИИН / БИН): 12 digits, the last a check digit computed in two
//!   passes (Government Decree No. 406 of 22 May 2007, as amended): weights 1..11, sum mod 11; if
//!   that gives 10, weights 3..11,1,2; if still 10, the number is never assigned. An IIN starts
//!   with a birth date (YYMMDD) and a century/sex digit; a BIN with a registration YYMM, then a type
//!   digit (4 resident legal entity, 5 non-resident, 6 individual entrepreneur (joint)) and an
//!   attribute digit. Since Decree No. 853 (2013) the date part need not match the person, so
//!   we never reject an IIN on its date alone.
//! - **HS code** (ТН ВЭД ЕАЭС): the EAEU's 10-digit commodity nomenclature code.

use std::{fmt, str::FromStr};

/// Digits in an IIN or BIN.
pub const TAXPAYER_ID_LENGTH: usize = 12;
/// Digits in an EAEU HS (TN VED) code.
pub const HS_CODE_LENGTH: usize = 10;

const WEIGHTS_FIRST_PASS: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const WEIGHTS_SECOND_PASS: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/// Why a Kazakhstan identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KzIdError {
    /// Not exactly 12 ASCII digits.
    #[error("an IIN/BIN is exactly 12 digits")]
    TaxpayerIdFormat,
    /// The check digit does not match.
    #[error("IIN/BIN check digit is wrong (expected {expected})")]
    TaxpayerIdCheckDigit {
        /// The check digit the other 11 digits imply.
        expected: u8,
    },
    /// Both passes of the check-digit algorithm give 10: such numbers are never assigned.
    #[error("IIN/BIN cannot be assigned (its check digit is undefined)")]
    TaxpayerIdUnassignable,
    /// Not exactly 10 ASCII digits.
    #[error("an HS code is exactly 10 digits")]
    HsCodeFormat,
    /// The first two digits are not a chapter of the nomenclature (01-97, without 77).
    #[error("HS chapter {chapter:02} does not exist")]
    HsCodeChapter {
        /// The chapter given.
        chapter: u8,
    },
}

impl KzIdError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            KzIdError::TaxpayerIdFormat => "TANBA-KZ-IIN-BIN-FORMAT",
            KzIdError::TaxpayerIdCheckDigit { .. } => "TANBA-KZ-IIN-BIN-CHECK-DIGIT",
            KzIdError::TaxpayerIdUnassignable => "TANBA-KZ-IIN-BIN-UNASSIGNABLE",
            KzIdError::HsCodeFormat => "TANBA-KZ-HS-CODE-FORMAT",
            KzIdError::HsCodeChapter { .. } => "TANBA-KZ-HS-CODE-CHAPTER",
        }
    }

    /// Every code this type can produce.
    pub const ALL_CODES: &'static [&'static str] = &[
        "TANBA-KZ-IIN-BIN-FORMAT",
        "TANBA-KZ-IIN-BIN-CHECK-DIGIT",
        "TANBA-KZ-IIN-BIN-UNASSIGNABLE",
        "TANBA-KZ-HS-CODE-FORMAT",
        "TANBA-KZ-HS-CODE-CHAPTER",
    ];
}

/// Whether an IIN/BIN belongs to a person or an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaxpayerKind {
    /// IIN (individual identification number) of a person.
    Iin,
    /// BIN (business identification number) of a legal entity or joint entrepreneurship.
    Bin,
}

/// A checked 12-digit IIN or BIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaxpayerId([u8; TAXPAYER_ID_LENGTH]);

/// The check digit of the first 11 digits, or `None` if both passes give 10.
pub fn taxpayer_check_digit(digits: &[u8; 11]) -> Option<u8> {
    let pass = |weights: &[u32; 11]| {
        let sum: u32 = digits
            .iter()
            .zip(weights)
            .map(|(d, w)| u32::from(*d) * w)
            .sum();
        (sum % 11) as u8
    };
    match pass(&WEIGHTS_FIRST_PASS) {
        10 => Some(pass(&WEIGHTS_SECOND_PASS)).filter(|check| *check != 10),
        check => Some(check),
    }
}

impl TaxpayerId {
    /// Parses and checks an IIN or BIN.
    pub fn parse(text: &str) -> Result<TaxpayerId, KzIdError> {
        let bytes = text.as_bytes();
        if bytes.len() != TAXPAYER_ID_LENGTH || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(KzIdError::TaxpayerIdFormat);
        }
        let mut digits = [0u8; TAXPAYER_ID_LENGTH];
        for (digit, byte) in digits.iter_mut().zip(bytes) {
            *digit = byte - b'0';
        }
        let payload: &[u8; 11] = digits[..11].try_into().expect("12 digits");
        let expected = taxpayer_check_digit(payload).ok_or(KzIdError::TaxpayerIdUnassignable)?;
        if expected != digits[11] {
            return Err(KzIdError::TaxpayerIdCheckDigit { expected });
        }
        Ok(TaxpayerId(digits))
    }

    /// IIN or BIN, from the fifth digit: a BIN's type digit is 4, 5 or 6; an IIN's fifth digit is
    /// the tens of a day of the month (0-3).
    pub fn kind(&self) -> TaxpayerKind {
        match self.0[4] {
            4..=6 => TaxpayerKind::Bin,
            _ => TaxpayerKind::Iin,
        }
    }
}

impl fmt::Display for TaxpayerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ascii = self.to_ascii();
        f.write_str(std::str::from_utf8(&ascii).expect("ASCII digits"))
    }
}

impl FromStr for TaxpayerId {
    type Err = KzIdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TaxpayerId::parse(text)
    }
}

impl TaxpayerId {
    /// The 12 digits as ASCII: the fixed-width form keys are built from.
    pub fn to_ascii(&self) -> [u8; TAXPAYER_ID_LENGTH] {
        self.0.map(|digit| digit + b'0')
    }
}

impl crate::serde_text::CompactBytes for TaxpayerId {
    fn write_compact(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_ascii());
    }
    fn read_compact(bytes: &[u8]) -> Option<Self> {
        TaxpayerId::parse(std::str::from_utf8(bytes).ok()?).ok()
    }
}

crate::serde_text::serde_as_text!(TaxpayerId);

/// A 10-digit EAEU HS (TN VED) code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HsCode([u8; HS_CODE_LENGTH]);

/// The chapter the nomenclature reserves for future use and never assigns.
const HS_CHAPTER_RESERVED: u8 = 77;
/// The last chapter of the nomenclature.
const HS_CHAPTER_MAX: u8 = 97;

impl HsCode {
    /// Parses and checks an HS code.
    pub fn parse(text: &str) -> Result<HsCode, KzIdError> {
        let bytes = text.as_bytes();
        if bytes.len() != HS_CODE_LENGTH || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(KzIdError::HsCodeFormat);
        }
        let mut digits = [0u8; HS_CODE_LENGTH];
        digits.copy_from_slice(bytes);
        let code = HsCode(digits);
        let chapter = code.chapter();
        if chapter == 0 || chapter > HS_CHAPTER_MAX || chapter == HS_CHAPTER_RESERVED {
            return Err(KzIdError::HsCodeChapter { chapter });
        }
        Ok(code)
    }

    /// The chapter (first two digits).
    pub fn chapter(&self) -> u8 {
        (self.0[0] - b'0') * 10 + (self.0[1] - b'0')
    }

    /// The heading (first four digits).
    pub fn heading(&self) -> &str {
        &self.as_str()[..4]
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII digits")
    }
}

impl fmt::Display for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HsCode {
    type Err = KzIdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        HsCode::parse(text)
    }
}

impl crate::serde_text::CompactBytes for HsCode {
    fn write_compact(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }
    fn read_compact(bytes: &[u8]) -> Option<Self> {
        HsCode::parse(std::str::from_utf8(bytes).ok()?).ok()
    }
}

crate::serde_text::serde_as_text!(HsCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iin_and_bin_kinds() {
        assert_eq!(
            TaxpayerId::parse("871008401427").unwrap().kind(),
            TaxpayerKind::Iin
        );
        assert_eq!(
            TaxpayerId::parse("940140000385").unwrap().kind(),
            TaxpayerKind::Bin
        );
    }

    #[test]
    fn second_pass_is_used() {
        assert!(TaxpayerId::parse("830717350867").is_ok());
        assert_eq!(
            TaxpayerId::parse("000813159890"),
            Err(KzIdError::TaxpayerIdUnassignable)
        );
        assert_eq!(
            TaxpayerId::parse("940140000380"),
            Err(KzIdError::TaxpayerIdCheckDigit { expected: 5 })
        );
    }

    #[test]
    fn hs_codes() {
        let code = HsCode::parse("2202100000").unwrap();
        assert_eq!(code.chapter(), 22);
        assert_eq!(code.heading(), "2202");
        assert_eq!(
            HsCode::parse("7700000000"),
            Err(KzIdError::HsCodeChapter { chapter: 77 })
        );
        assert_eq!(
            HsCode::parse("0000000000"),
            Err(KzIdError::HsCodeChapter { chapter: 0 })
        );
        assert_eq!(HsCode::parse("22021000"), Err(KzIdError::HsCodeFormat));
    }
}
