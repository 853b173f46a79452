//! The GS1 mod-10 check digit shared by GTIN-8/12/13/14, GLN, SSCC-18, GSIN and the rest:
//! weights 3 and 1 alternate from the right, the check digit brings the sum to a multiple of 10.

/// The check digit for `digits` (the payload without its check digit), or `None` if any byte is
/// not an ASCII digit or `digits` is empty.
pub fn compute(digits: &str) -> Option<u8> {
    if digits.is_empty() {
        return None;
    }
    let mut sum = 0u32;
    for (index_from_right, byte) in digits.bytes().rev().enumerate() {
        if !byte.is_ascii_digit() {
            return None;
        }
        let weight = if index_from_right % 2 == 0 { 3 } else { 1 };
        sum += u32::from(byte - b'0') * weight;
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// Whether the last digit of `digits` is the correct check digit for the rest. Any text may come
/// here: the split is made only after the last byte is known to be an ASCII digit, so it never
/// falls inside a character.
pub fn is_valid(digits: &str) -> bool {
    let Some(&check) = digits.as_bytes().last() else {
        return false;
    };
    check.is_ascii_digit() && compute(&digits[..digits.len() - 1]) == Some(check - b'0')
}

/// Pads a GTIN-8/12/13 to GTIN-14 with leading zeros; `None` if not a valid GTIN.
pub fn to_gtin14(gtin: &str) -> Option<String> {
    gtin14_digits(gtin).map(|digits| digits.iter().map(|digit| char::from(*digit)).collect())
}

/// [`to_gtin14`] as the 14 ASCII digits, made without allocating (every code read from the log
/// passes here).
pub fn gtin14_digits(gtin: &str) -> Option<[u8; 14]> {
    if !matches!(gtin.len(), 8 | 12 | 13 | 14) || !is_valid(gtin) {
        return None;
    }
    let mut digits = [b'0'; 14];
    digits[14 - gtin.len()..].copy_from_slice(gtin.as_bytes());
    Some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys_verify() {
        assert!(is_valid("09501101530003")); // GTIN-14
        assert!(is_valid("4006381333931")); // GTIN-13
        assert!(is_valid("036000291452")); // GTIN-12
        assert!(is_valid("96385074")); // GTIN-8
        assert!(is_valid("106141411234567897")); // SSCC
        assert!(!is_valid("09501101530004"));
        assert!(!is_valid(""));
        assert!(!is_valid("0950110153000X"));
    }

    #[test]
    fn text_ending_in_a_character_of_several_bytes_is_not_valid_and_does_not_panic() {
        // Found by the `log_record` fuzz target through a consumer opt-in's code.
        assert!(!is_valid("460000000000\u{3fe}"));
        assert!(!is_valid("\u{3fe}"));
        assert!(!is_valid("\u{3fe}7"));
        assert!(to_gtin14("4600000000\u{3fe}").is_none());
    }

    #[test]
    fn padding_to_gtin14() {
        assert_eq!(to_gtin14("96385074").unwrap(), "00000096385074");
        assert!(to_gtin14("96385075").is_none());
    }
}
