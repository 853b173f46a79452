//! Cross-border trade inside the EAEU (R-IS-12): the other member states, their taxpayer numbers
//! with the format-logical control each state's number allows, and the cross-border document a
//! sale or shipment to a buyer in another member state carries.
//!
//! The checks, per state (what a number's own digits can prove; that the number is registered is
//! for the partner state's register, not for us):
//! - Russia, ИНН: 10 digits for an organization (check digit over the first 9 with weights
//!   2, 4, 10, 3, 5, 9, 4, 6, 8), or 12 for a person or an individual entrepreneur (two check
//!   digits, weights 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 and 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8); each
//!   check digit is the weighted sum mod 11 mod 10.
//! - Belarus, УНП: 9 digits, the last a check digit over the first 8 with weights 29, 23, 19,
//!   17, 13, 7, 5, 3 (sum mod 11; 10 is never issued).
//! - Armenia, ՀՎՀՀ: 8 digits (no check digit is published).
//! - Kyrgyzstan, ИНН: 14 digits; a person's starts with 1 or 2 followed by the date of birth
//!   (DDMMYYYY), an organization's with 0.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// The EAEU member states other than Kazakhstan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EaeuState {
    /// Russia (RU).
    Russia,
    /// Belarus (BY).
    Belarus,
    /// Armenia (AM).
    Armenia,
    /// Kyrgyzstan (KG).
    Kyrgyzstan,
}

impl EaeuState {
    /// Every partner state.
    pub const ALL: [EaeuState; 4] = [
        EaeuState::Russia,
        EaeuState::Belarus,
        EaeuState::Armenia,
        EaeuState::Kyrgyzstan,
    ];

    /// ISO 3166-1 alpha-2.
    pub const fn code(self) -> &'static str {
        match self {
            EaeuState::Russia => "RU",
            EaeuState::Belarus => "BY",
            EaeuState::Armenia => "AM",
            EaeuState::Kyrgyzstan => "KG",
        }
    }

    /// The state of an ISO 3166-1 alpha-2 code, if it is a partner state.
    pub fn parse(code: &str) -> Option<EaeuState> {
        EaeuState::ALL
            .into_iter()
            .find(|state| state.code() == code)
    }

    /// Whether `number` passes the format-logical control of this state's taxpayer numbers.
    pub fn checks_taxpayer(self, number: &str) -> bool {
        // No state's number is longer than 14 digits; none is all zeros.
        if number.len() > 14 {
            return false;
        }
        let Some(digits) = digits_of(number) else {
            return false;
        };
        if digits.iter().all(|digit| *digit == 0) {
            return false;
        }
        match self {
            EaeuState::Russia => russian_inn(&digits),
            EaeuState::Belarus => belarusian_unp(&digits),
            EaeuState::Armenia => digits.len() == 8,
            EaeuState::Kyrgyzstan => kyrgyz_inn(&digits),
        }
    }
}

impl fmt::Display for EaeuState {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

fn digits_of(number: &str) -> Option<Vec<u32>> {
    number.chars().map(|char| char.to_digit(10)).collect()
}

/// The weighted sum of `digits` mod 11 mod 10.
fn check_digit(digits: &[u32], weights: &[u32]) -> u32 {
    let sum: u32 = digits
        .iter()
        .zip(weights)
        .map(|(digit, weight)| digit * weight)
        .sum();
    sum % 11 % 10
}

fn russian_inn(digits: &[u32]) -> bool {
    const TEN: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    const ELEVEN: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    const TWELVE: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    match digits.len() {
        10 => check_digit(&digits[..9], &TEN) == digits[9],
        12 => {
            check_digit(&digits[..10], &ELEVEN) == digits[10]
                && check_digit(&digits[..11], &TWELVE) == digits[11]
        }
        _ => false,
    }
}

fn belarusian_unp(digits: &[u32]) -> bool {
    const WEIGHTS: [u32; 8] = [29, 23, 19, 17, 13, 7, 5, 3];
    if digits.len() != 9 {
        return false;
    }
    let sum: u32 = digits[..8].iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    let check = sum % 11;
    check != 10 && check == digits[8]
}

fn kyrgyz_inn(digits: &[u32]) -> bool {
    if digits.len() != 14 {
        return false;
    }
    match digits[0] {
        0 => true,
        1 | 2 => {
            let number = |range: std::ops::Range<usize>| {
                digits[range]
                    .iter()
                    .fold(0, |value, digit| value * 10 + digit)
            };
            let (day, month, year) = (number(1..3), number(3..5), number(5..9));
            Date::from_ymd(year as i32, month, day).is_ok()
        }
        _ => false,
    }
}

/// The cross-border document of goods leaving Kazakhstan for a buyer in another EAEU state: what
/// the EAEU feed carries to the partner state (R-IS-12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EaeuDocument {
    /// The buyer's state.
    pub buyer_state: EaeuState,
    /// The buyer's taxpayer number in its state (checked by [`EaeuState::checks_taxpayer`]).
    pub buyer_taxpayer: String,
    /// The buyer's name.
    pub buyer_name: String,
    /// The document's number (an invoice, a transfer document).
    pub number: String,
    /// The document's date.
    pub date: Date,
    /// The goods' value, in tiyn.
    pub value_tiyn: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_states_numbers_pass_or_fail_their_control() {
        // Russian INNs: an organization's (10) and a person's (12), and each broken by a digit.
        assert!(EaeuState::Russia.checks_taxpayer("7707083893"));
        assert!(!EaeuState::Russia.checks_taxpayer("7707083894"));
        assert!(EaeuState::Russia.checks_taxpayer("500100732259"));
        assert!(!EaeuState::Russia.checks_taxpayer("500100732258"));
        assert!(!EaeuState::Russia.checks_taxpayer("77070838"));
        assert!(!EaeuState::Russia.checks_taxpayer("77070838 3"));
        // Belarusian UNP.
        assert!(EaeuState::Belarus.checks_taxpayer("100582333"));
        assert!(!EaeuState::Belarus.checks_taxpayer("100582334"));
        assert!(!EaeuState::Belarus.checks_taxpayer("10058233"));
        // Armenian TIN: eight digits.
        assert!(EaeuState::Armenia.checks_taxpayer("02500027"));
        assert!(!EaeuState::Armenia.checks_taxpayer("0250002"));
        assert!(!EaeuState::Armenia.checks_taxpayer("0250002A"));
        // Kyrgyz INN: an organization's, a person's with a real birth date, one with none.
        assert!(EaeuState::Kyrgyzstan.checks_taxpayer("01234567891234"));
        assert!(EaeuState::Kyrgyzstan.checks_taxpayer("21503199012345"));
        assert!(!EaeuState::Kyrgyzstan.checks_taxpayer("23113199012345"));
        assert!(!EaeuState::Kyrgyzstan.checks_taxpayer("31503199012345"));
        // Zeros pass no state's control, however their check digits come out.
        assert!(!EaeuState::Russia.checks_taxpayer("0000000000"));
        assert!(!EaeuState::Belarus.checks_taxpayer("000000000"));
        assert!(!EaeuState::Armenia.checks_taxpayer("00000000"));
        assert!(!EaeuState::Kyrgyzstan.checks_taxpayer("00000000000000"));
        assert!(!EaeuState::Russia.checks_taxpayer(&"7".repeat(1_000_000)));
        // A number of one state is not taken for another's.
        assert!(!EaeuState::Belarus.checks_taxpayer("7707083893"));
    }

    #[test]
    fn partner_states_by_code() {
        for state in EaeuState::ALL {
            assert_eq!(EaeuState::parse(state.code()), Some(state));
        }
        assert_eq!(EaeuState::parse("KZ"), None);
        assert_eq!(EaeuState::parse("CN"), None);
    }
}
