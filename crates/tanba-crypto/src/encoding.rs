//! Text encodings: unpadded base64url and lowercase hex (public keys, tokens and challenges are
//! written with these wherever Tanba shows them).
//!
//! Base64url (RFC 4648 §5) is used because its 64 characters (`A-Z a-z 0-9 - _`) are all in
//! GS1 CSET 82, so signatures and tags fit in AI 92/93 as they are. Decoding is strict: no padding,
//! no whitespace, and non-zero trailing bits are refused, so each byte string has exactly one
//! accepted text form (a changed character can never decode to the same bytes).
//!
//! Must never know: what the bytes are.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

/// Characters of unpadded base64url for `bytes` bytes: ceil(8·bytes / 6).
pub const fn base64url_length(bytes: usize) -> usize {
    (bytes * 8).div_ceil(6)
}

/// Encodes as unpadded base64url.
pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes strict unpadded base64url; `None` on any deviation.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// Whether `byte` is one of the 64 base64url characters.
pub fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// The lowercase hex digits.
const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// A byte's two lowercase hex digits.
fn hex_pair(byte: u8) -> [u8; 2] {
    [
        HEX_DIGITS[usize::from(byte >> 4)],
        HEX_DIGITS[usize::from(byte & 0x0f)],
    ]
}

/// Writes `bytes` as lowercase hex into `formatter`, without allocating.
pub fn write_hex(formatter: &mut std::fmt::Formatter<'_>, bytes: &[u8]) -> std::fmt::Result {
    for byte in bytes {
        let pair = hex_pair(*byte);
        formatter.write_str(std::str::from_utf8(&pair).expect("hex digits are ASCII"))?;
    }
    Ok(())
}

/// `bytes` as lowercase hex (a chain hash a row of an export: one allocation, no formatting).
pub fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.extend(hex_pair(*byte).map(char::from));
    }
    text
}

/// Parses exactly `N` bytes of hex (either case).
pub fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != N * 2 {
        return None;
    }
    let mut bytes = [0u8; N];
    for (byte, pair) in bytes.iter_mut().zip(text.chunks_exact(2)) {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        *byte = u8::try_from(high * 16 + low).ok()?;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_is_strict_and_cset_82_safe() {
        assert_eq!(base64url_length(64), 86);
        assert_eq!(base64url_length(6), 8);
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url_decode("-_8").unwrap(), vec![0xfb, 0xff]);
        // "-_9" has non-zero trailing bits: another text for the same bytes, refused.
        assert!(base64url_decode("-_9").is_none());
        assert!(base64url_decode("-_8=").is_none());
        assert!(base64url_decode("+/8").is_none());
        for byte in 0..=255u8 {
            if is_base64url(byte) {
                assert!(crate::identity::is_cset_82(byte), "{}", byte as char);
            }
        }
        assert_eq!((0..=255u8).filter(|&byte| is_base64url(byte)).count(), 64);
    }

    #[test]
    fn hex_round_trip() {
        struct Hex([u8; 3]);
        impl std::fmt::Display for Hex {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write_hex(formatter, &self.0)
            }
        }
        assert_eq!(Hex([0, 0xab, 0x10]).to_string(), "00ab10");
        let every_byte: Vec<u8> = (0..=255).collect();
        let expected: String = every_byte.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(&every_byte), expected);
        assert_eq!(parse_hex::<256>(&expected).map(Vec::from), Some(every_byte));
        assert_eq!(parse_hex::<3>("00AB10"), Some([0, 0xab, 0x10]));
        assert_eq!(parse_hex::<3>("00ab1"), None);
        assert_eq!(parse_hex::<3>("00ab1g"), None);
        assert_eq!(parse_hex::<3>("+0ab10"), None);
    }
}
