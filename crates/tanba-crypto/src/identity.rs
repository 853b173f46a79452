//! The canonical identity of a marking code: the exact bytes that AI 92 signatures and AI 93 short
//! tags cover.
//!
//! ```text
//! code_identity = "tanba.code.v1" 0x00      14 bytes, domain label (crate::domain::CODE_IDENTITY)
//!                 gtin                      14 bytes, ASCII digits '0'..='9'
//!                 0x1D                       1 byte,  ASCII GS
//!                 serial                     1..=20 bytes, GS1 CSET 82 (never contains 0x1D)
//! ```
//!
//! Why this is length-safe: the label and the GTIN have fixed lengths, and the serial alphabet
//! excludes the separator, so the bytes split back into exactly one (gtin, serial) pair. Two
//! different codes can never share an identity, so a signature or tag for one is never valid for
//! another. The serial runs to the end of the message, so no length prefix is needed.
//!
//! Must never know: GS1 parsing, check digits or the AI table (tanba-gs1 owns those; callers
//! validate). The checks here are only the ones the encoding's injectivity depends on.

use crate::errors::CryptoError;

/// Length of a GTIN in the identity: always GTIN-14, shorter GTINs are zero-padded by the caller.
pub const GTIN_LENGTH: usize = 14;

/// Longest serial the identity accepts: the GS1 maximum for AI 21.
pub const SERIAL_LENGTH_MAX: usize = 20;

/// The separator between GTIN and serial: ASCII GS, the GS1 FNC1 stand-in, outside CSET 82.
pub const IDENTITY_SEPARATOR: u8 = 0x1D;

/// Longest identity in bytes, for stack buffers.
pub const CODE_IDENTITY_BYTES_MAX: usize =
    crate::domain::CODE_IDENTITY.len() + GTIN_LENGTH + 1 + SERIAL_LENGTH_MAX;

/// The 82 characters of GS1 AI encodable character set 82, in ASCII order.
pub const CSET_82: &[u8; 82] =
    b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

const fn cset_82_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut index = 0;
    while index < CSET_82.len() {
        table[CSET_82[index] as usize] = true;
        index += 1;
    }
    table
}

/// Membership table for [`CSET_82`], built at compile time.
const CSET_82_MEMBER: [bool; 256] = cset_82_table();

const _: () = assert!(!CSET_82_MEMBER[IDENTITY_SEPARATOR as usize]);

/// Whether `byte` is one of the 82 characters of GS1 CSET 82.
pub fn is_cset_82(byte: u8) -> bool {
    CSET_82_MEMBER[usize::from(byte)]
}

/// The canonical identity bytes of a code, stack-allocated: signing millions of codes should not
/// allocate per code.
#[derive(Clone, Copy)]
pub struct CodeIdentity {
    bytes: [u8; CODE_IDENTITY_BYTES_MAX],
    length: usize,
}

impl CodeIdentity {
    /// Builds the identity of `(gtin, serial)`, refusing inputs that would make it ambiguous.
    pub fn new(gtin: &str, serial: &str) -> Result<Self, CryptoError> {
        let gtin = gtin.as_bytes();
        let serial = serial.as_bytes();
        if gtin.len() != GTIN_LENGTH || !gtin.iter().all(u8::is_ascii_digit) {
            return Err(CryptoError::InvalidGtin);
        }
        if serial.is_empty()
            || serial.len() > SERIAL_LENGTH_MAX
            || !serial.iter().copied().all(is_cset_82)
        {
            return Err(CryptoError::InvalidSerial);
        }
        let label = crate::domain::CODE_IDENTITY;
        let mut bytes = [0u8; CODE_IDENTITY_BYTES_MAX];
        let mut length = 0;
        for part in [label, gtin, &[IDENTITY_SEPARATOR], serial] {
            bytes[length..length + part.len()].copy_from_slice(part);
            length += part.len();
        }
        debug_assert_eq!(length, label.len() + GTIN_LENGTH + 1 + serial.len());
        Ok(Self { bytes, length })
    }

    /// The identity bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.length]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cset_82_has_82_distinct_printable_characters() {
        let mut seen = [false; 256];
        for &byte in CSET_82 {
            assert!(byte.is_ascii_graphic(), "{byte}");
            assert!(!seen[usize::from(byte)], "duplicate {}", byte as char);
            seen[usize::from(byte)] = true;
        }
        assert_eq!((0..=255u8).filter(|&byte| is_cset_82(byte)).count(), 82);
        for excluded in [
            b'#', b'$', b'@', b'[', b'\\', b']', b'^', b'`', b'{', b'|', b'}', b'~',
        ] {
            assert!(!is_cset_82(excluded), "{}", excluded as char);
        }
        assert!(!is_cset_82(b' '));
    }

    #[test]
    fn identity_layout_is_label_gtin_gs_serial() {
        let identity = CodeIdentity::new("04870000000004", "abc!").unwrap();
        assert_eq!(
            identity.as_bytes(),
            b"tanba.code.v1\x0004870000000004\x1dabc!"
        );
    }

    #[test]
    fn rejects_gtins_that_are_not_14_digits() {
        for gtin in [
            "",
            "4870000000004",
            "048700000000040",
            "0487000000000A",
            "04870000000004\u{1d}",
        ] {
            assert!(
                matches!(CodeIdentity::new(gtin, "a"), Err(CryptoError::InvalidGtin)),
                "{gtin:?}"
            );
        }
    }

    #[test]
    fn rejects_serials_outside_cset_82_or_length() {
        let too_long = "a".repeat(SERIAL_LENGTH_MAX + 1);
        for serial in ["", "a\u{1d}b", "a b", "a#b", "é", too_long.as_str()] {
            assert!(
                matches!(
                    CodeIdentity::new("04870000000004", serial),
                    Err(CryptoError::InvalidSerial)
                ),
                "{serial:?}"
            );
        }
        let longest = "a".repeat(SERIAL_LENGTH_MAX);
        assert_eq!(
            CodeIdentity::new("04870000000004", &longest)
                .unwrap()
                .as_bytes()
                .len(),
            CODE_IDENTITY_BYTES_MAX
        );
    }
}
