//! Key ids: the 4-character names (`A-Z0-9`, like "EE06" on today's national codes) printed in AI 91
//! so a verifier knows which public key to use.
//!
//! There are 36^4 = 1,679,616 ids. An id is not a secret and carries no meaning; it is drawn at
//! random so that ids do not reveal how many keys exist or when they were made. Uniqueness within
//! one ring is enforced by the ring (it redraws), not assumed.
//!
//! Must never know: the key it names.

use std::{fmt, str::FromStr};

use rand_core::CryptoRngCore;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::errors::CryptoError;

/// Characters in a key id.
pub const KEY_ID_LENGTH: usize = 4;

/// The key-id alphabet: uppercase letters then digits.
pub const KEY_ID_ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Random bytes at or above this are rejected so that `byte % 36` is uniform (256 = 7·36 + 4).
const KEY_ID_BYTE_ACCEPT_BELOW: u8 = 252;
const _: () = assert!((KEY_ID_BYTE_ACCEPT_BELOW as usize).is_multiple_of(KEY_ID_ALPHABET.len()));
const _: () = assert!(256 - (KEY_ID_BYTE_ACCEPT_BELOW as usize) < KEY_ID_ALPHABET.len());

/// A key id: 4 characters from [`KEY_ID_ALPHABET`]. Always valid once constructed.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId([u8; KEY_ID_LENGTH]);

impl KeyId {
    /// Parses a key id, refusing anything but 4 characters from `A-Z0-9`.
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let bytes: [u8; KEY_ID_LENGTH] = text
            .as_bytes()
            .try_into()
            .map_err(|_| CryptoError::MalformedKeyId)?;
        if !bytes
            .iter()
            .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
        {
            return Err(CryptoError::MalformedKeyId);
        }
        Ok(Self(bytes))
    }

    /// Draws a uniformly random key id from `rng`.
    pub fn generate(rng: &mut (impl CryptoRngCore + ?Sized)) -> Self {
        let mut id = [0u8; KEY_ID_LENGTH];
        let mut filled = 0;
        // Each draw is accepted with probability 252/256, so this ends after a few bytes; the
        // buffer size only saves calls into the RNG.
        let mut buffer = [0u8; 16];
        while filled < KEY_ID_LENGTH {
            rng.fill_bytes(&mut buffer);
            for &byte in &buffer {
                if byte < KEY_ID_BYTE_ACCEPT_BELOW && filled < KEY_ID_LENGTH {
                    id[filled] = KEY_ID_ALPHABET[usize::from(byte) % KEY_ID_ALPHABET.len()];
                    filled += 1;
                }
            }
        }
        Self(id)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Construction admits only ASCII, so this cannot fail.
        std::str::from_utf8(&self.0).expect("key id is ASCII by construction")
    }

    /// The id as its 4 ASCII bytes.
    pub fn as_bytes(&self) -> &[u8; KEY_ID_LENGTH] {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "KeyId({})", self.as_str())
    }
}

impl FromStr for KeyId {
    type Err = CryptoError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for KeyId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

    use super::*;

    #[test]
    fn parse_accepts_only_four_uppercase_alphanumerics() {
        assert_eq!(KeyId::parse("EE06").unwrap().as_str(), "EE06");
        for bad in ["", "EE0", "EE066", "ee06", "EE-6", "EE 6", "ЕЕ06"] {
            assert!(
                matches!(KeyId::parse(bad), Err(CryptoError::MalformedKeyId)),
                "{bad}"
            );
        }
    }

    #[test]
    fn generated_ids_parse_and_cover_the_whole_alphabet() {
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let mut seen = [0usize; 256];
        for _ in 0..2_000 {
            let id = KeyId::generate(&mut rng);
            assert_eq!(KeyId::parse(id.as_str()).unwrap(), id);
            for &byte in id.as_bytes() {
                seen[usize::from(byte)] += 1;
            }
        }
        // 8,000 characters over 36 symbols: about 222 each; a missing or tiny count means the
        // alphabet mapping is wrong.
        for &symbol in KEY_ID_ALPHABET {
            assert!(seen[usize::from(symbol)] > 120, "{}", symbol as char);
        }
    }

    #[test]
    fn serde_round_trip_and_refusal() {
        let id = KeyId::parse("A1B2").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"A1B2\"");
        assert_eq!(serde_json::from_str::<KeyId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<KeyId>("\"a1b2\"").is_err());
    }
}
