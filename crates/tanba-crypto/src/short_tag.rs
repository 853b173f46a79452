//! The short tail profile: AI 93, a 4 to 8 character keyed BLAKE3 tag for packs too small for
//! 86 signature characters. Only the server, which holds the secret, can check it.
//!
//! ```text
//! digest = BLAKE3-keyed(secret (32 bytes), "tanba.short-tag.v1" 0x00 || code_identity)
//! tag    = first length_chars characters of base64url(digest[0..6])
//! ```
//!
//! where `code_identity` is the canonical identity of [`crate::identity`]. Six digest bytes give
//! exactly 8 base64url characters, each carrying 6 fresh bits, so a tag of `n` characters is
//! uniform over 64^n values and all its characters (`A-Z a-z 0-9 - _`) are in CSET 82.
//!
//! # Forgery odds
//!
//! Without the secret, the best an attacker can do is guess a tag for a (gtin, serial) of their
//! choice; each guess succeeds with probability 64^-n:
//!
//! | n | 64^n                       | odds per guess        |
//! |---|----------------------------|-----------------------|
//! | 4 | 2^24 = 16,777,216          | ≈ 5.96 × 10^-8        |
//! | 5 | 2^30 = 1,073,741,824       | ≈ 9.31 × 10^-10       |
//! | 6 | 2^36 ≈ 6.87 × 10^10        | ≈ 1.46 × 10^-11       |
//! | 7 | 2^42 ≈ 4.40 × 10^12        | ≈ 2.27 × 10^-13       |
//! | 8 | 2^48 ≈ 2.81 × 10^14        | ≈ 3.55 × 10^-15       |
//!
//! Guesses can only be checked against the server, whose rate limits bound the number of tries.
//! The tag length is fixed per product category and the verifier is told it: accepting whatever
//! length a scan presents would let an attacker downgrade an 8-character category to 4 characters.
//! The short-tag key id is not printed on the code; the engine stores it with the code at issue,
//! because trying every key would multiply the forgery odds by the number of keys.
//!
//! Must never know: signing keys, the public key set, or GS1 syntax.

use subtle::ConstantTimeEq;

use crate::{
    errors::CryptoError,
    identity::CodeIdentity,
    key_ring::{KeyStatus, ShortTagKey},
};

/// Shortest AI 93 tag, in characters.
pub const SHORT_TAG_LENGTH_MIN: usize = 4;
/// Longest AI 93 tag, in characters.
pub const SHORT_TAG_LENGTH_MAX: usize = 8;

/// Digest bytes encoded: 6 bytes are exactly 8 base64url characters.
const SHORT_TAG_DIGEST_BYTES: usize = 6;

const _: () = assert!(SHORT_TAG_LENGTH_MIN <= SHORT_TAG_LENGTH_MAX);
const _: () =
    assert!(crate::encoding::base64url_length(SHORT_TAG_DIGEST_BYTES) == SHORT_TAG_LENGTH_MAX);
const _: () = assert!(SHORT_TAG_DIGEST_BYTES * 8 == SHORT_TAG_LENGTH_MAX * 6);

fn check_length(length_chars: usize) -> Result<(), CryptoError> {
    if (SHORT_TAG_LENGTH_MIN..=SHORT_TAG_LENGTH_MAX).contains(&length_chars) {
        Ok(())
    } else {
        Err(CryptoError::ShortTagLength {
            length: length_chars,
        })
    }
}

/// The full 8-character tag; shorter tags are its prefixes.
fn full_tag(key: &ShortTagKey, identity: &CodeIdentity) -> [u8; SHORT_TAG_LENGTH_MAX] {
    let mut hasher = blake3::Hasher::new_keyed(key.secret().as_bytes());
    hasher.update(crate::domain::SHORT_TAG);
    hasher.update(identity.as_bytes());
    let digest = hasher.finalize();
    let mut text = [0u8; SHORT_TAG_LENGTH_MAX];
    let written = base64::Engine::encode_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        &digest.as_bytes()[..SHORT_TAG_DIGEST_BYTES],
        &mut text,
    )
    .expect("6 bytes encode to exactly 8 characters");
    debug_assert_eq!(written, SHORT_TAG_LENGTH_MAX);
    text
}

/// Makes the AI 93 tag of `length_chars` characters for a code, with the given key, which must be
/// active. See the module docs for the odds of forging one.
pub fn short_tag(
    key: &ShortTagKey,
    gtin: &str,
    serial: &str,
    length_chars: usize,
) -> Result<String, CryptoError> {
    check_length(length_chars)?;
    if key.status() != KeyStatus::Active {
        return Err(CryptoError::KeyNotActive {
            key_id: key.key_id().to_string(),
            status: key.status(),
        });
    }
    let identity = CodeIdentity::new(gtin, serial)?;
    let tag = full_tag(key, &identity);
    Ok(tag[..length_chars]
        .iter()
        .map(|&byte| char::from(byte))
        .collect())
}

/// Checks a scanned AI 93 tag in constant time (in the tag's content; its length is public).
///
/// `expected_length_chars` is the product category's configured tag length; a tag of any other
/// length is refused, so a scan cannot choose a weaker length. A retired key still verifies, a
/// revoked one does not.
pub fn verify_short_tag(
    key: &ShortTagKey,
    gtin: &str,
    serial: &str,
    tag: &str,
    expected_length_chars: usize,
) -> Result<(), CryptoError> {
    check_length(expected_length_chars)?;
    if tag.len() != expected_length_chars {
        return Err(CryptoError::ShortTagLength { length: tag.len() });
    }
    if !tag.bytes().all(crate::encoding::is_base64url) {
        return Err(CryptoError::MalformedShortTag);
    }
    if key.status() == KeyStatus::Revoked {
        return Err(CryptoError::KeyRevoked {
            key_id: key.key_id().to_string(),
        });
    }
    let identity = CodeIdentity::new(gtin, serial)?;
    let expected = full_tag(key, &identity);
    if bool::from(expected[..expected_length_chars].ct_eq(tag.as_bytes())) {
        Ok(())
    } else {
        Err(CryptoError::BadShortTag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        key_id::KeyId,
        key_ring::{ShortTagKey, ShortTagSecret},
    };

    const GTIN: &str = "04870000000004";
    const SERIAL: &str = "5Kz!q9_x(P-3a";

    fn key_with(byte: u8) -> ShortTagKey {
        ShortTagKey::new(
            KeyId::parse("TAG1").unwrap(),
            0,
            ShortTagSecret::from_bytes([byte; 32]),
        )
    }

    #[test]
    fn forgery_odds_in_the_docs_hold() {
        assert_eq!(64u64.pow(4), 1 << 24);
        assert_eq!(64u64.pow(8), 1 << 48);
        assert!((64f64.powi(-4) / 5.96e-8 - 1.0).abs() < 0.001);
        assert!((64f64.powi(-8) / 3.55e-15 - 1.0).abs() < 0.001);
    }

    #[test]
    fn shorter_tags_are_prefixes_and_all_verify() {
        let key = key_with(1);
        let longest = short_tag(&key, GTIN, SERIAL, SHORT_TAG_LENGTH_MAX).unwrap();
        for length in SHORT_TAG_LENGTH_MIN..=SHORT_TAG_LENGTH_MAX {
            let tag = short_tag(&key, GTIN, SERIAL, length).unwrap();
            assert_eq!(tag.len(), length);
            assert!(longest.starts_with(&tag));
            assert!(tag.bytes().all(crate::identity::is_cset_82));
            verify_short_tag(&key, GTIN, SERIAL, &tag, length).unwrap();
        }
    }

    #[test]
    fn lengths_outside_the_range_are_refused() {
        let key = key_with(1);
        for length in [0, 3, 9, 86] {
            assert!(matches!(
                short_tag(&key, GTIN, SERIAL, length),
                Err(CryptoError::ShortTagLength { .. })
            ));
        }
    }

    #[test]
    fn downgrade_wrong_key_and_bad_characters_fail() {
        let key = key_with(1);
        let tag = short_tag(&key, GTIN, SERIAL, 8).unwrap();
        assert!(matches!(
            verify_short_tag(&key, GTIN, SERIAL, &tag[..4], 8),
            Err(CryptoError::ShortTagLength { length: 4 })
        ));
        assert!(matches!(
            verify_short_tag(&key_with(2), GTIN, SERIAL, &tag, 8),
            Err(CryptoError::BadShortTag)
        ));
        let bad = format!("{}+", &tag[..7]);
        assert!(matches!(
            verify_short_tag(&key, GTIN, SERIAL, &bad, 8),
            Err(CryptoError::MalformedShortTag)
        ));
    }

    #[test]
    fn retired_key_verifies_revoked_does_not_and_neither_issues() {
        let tag = short_tag(&key_with(1), GTIN, SERIAL, 6).unwrap();
        let retired = key_with(1).with_status(KeyStatus::Retired);
        verify_short_tag(&retired, GTIN, SERIAL, &tag, 6).unwrap();
        assert!(matches!(
            short_tag(&retired, GTIN, SERIAL, 6),
            Err(CryptoError::KeyNotActive { .. })
        ));
        let revoked = key_with(1).with_status(KeyStatus::Revoked);
        assert!(matches!(
            verify_short_tag(&revoked, GTIN, SERIAL, &tag, 6),
            Err(CryptoError::KeyRevoked { .. })
        ));
    }

    #[test]
    fn tag_is_domain_separated_from_a_plain_keyed_hash_of_the_identity() {
        let key = key_with(1);
        let identity = CodeIdentity::new(GTIN, SERIAL).unwrap();
        let plain = blake3::keyed_hash(&[1; 32], identity.as_bytes());
        let plain_tag = crate::encoding::base64url(&plain.as_bytes()[..6]);
        assert_ne!(short_tag(&key, GTIN, SERIAL, 8).unwrap(), plain_tag);
    }
}
