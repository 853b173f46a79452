//! The public key set: what phones, tills and feed consumers pin to verify AI 92 signatures and
//! checkpoints offline.
//!
//! JSON form (format version 1), keys in creation order:
//!
//! ```json
//! {
//!   "format_version": 1,
//!   "keys": [
//!     {
//!       "key_id": "EE06",
//!       "algorithm": "ed25519",
//!       "public_key": "<32 bytes, unpadded base64url, 43 characters>",
//!       "created_at_ms": 1767225600000,
//!       "status": "active"
//!     }
//!   ]
//! }
//! ```
//!
//! A parsed set always holds 1..=[`PUBLIC_KEY_SET_KEYS_MAX`] keys with unique ids, exactly one
//! active key, and public keys that decode to valid, non-weak points. Revocation reaches a
//! verifier only through a newer set, so the operator publishes a new set on every revocation.
//!
//! Must never know: secrets of any kind (short-tag secrets live only in the ring), files, or how
//! the set is distributed.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{
    encoding::{base64url, base64url_decode},
    errors::CryptoError,
    key_id::KeyId,
    key_ring::{KEY_RING_KEYS_MAX, KeyStatus},
    scheme::{Algorithm, Verifier},
};

/// The format version this build writes and reads.
pub const PUBLIC_KEY_SET_FORMAT_VERSION: u32 = 1;

/// Most keys in one set: every signing key a ring can hold.
pub const PUBLIC_KEY_SET_KEYS_MAX: usize = KEY_RING_KEYS_MAX;

/// Largest JSON text [`PublicKeySet::from_json`] reads: about 200 bytes per key at the key limit,
/// with room for pretty-printing.
pub const PUBLIC_KEY_SET_JSON_BYTES_MAX: usize = 512 * 1024;

const _: () = assert!(PUBLIC_KEY_SET_KEYS_MAX * 320 <= PUBLIC_KEY_SET_JSON_BYTES_MAX);

/// One public key with its id, algorithm, creation time and status.
#[derive(Clone, Debug)]
pub struct PublicKeyEntry {
    key_id: KeyId,
    created_at_ms: u64,
    status: KeyStatus,
    verifier: Arc<dyn Verifier>,
}

impl PublicKeyEntry {
    /// Builds an entry, refusing malformed or weak public keys.
    pub fn new(
        key_id: KeyId,
        algorithm: Algorithm,
        public_key: &[u8],
        created_at_ms: u64,
        status: KeyStatus,
    ) -> Result<Self, CryptoError> {
        let verifier = Arc::from(algorithm.verifier_from_public(public_key)?);
        Ok(Self {
            key_id,
            created_at_ms,
            status,
            verifier,
        })
    }

    /// The key's id.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.verifier.algorithm()
    }

    /// When the key was made, unix milliseconds.
    pub fn created_at_ms(&self) -> u64 {
        self.created_at_ms
    }

    /// The key's status when the set was exported.
    pub fn status(&self) -> KeyStatus {
        self.status
    }

    /// The key, behind the scheme trait.
    pub fn verifier(&self) -> &dyn Verifier {
        self.verifier.as_ref()
    }
}

/// A validated set of public keys. Cheap to clone (keys are shared).
#[derive(Clone, Debug)]
pub struct PublicKeySet {
    keys: Vec<PublicKeyEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicKeySetDocument {
    format_version: u32,
    keys: Vec<PublicKeyDocument>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicKeyDocument {
    key_id: KeyId,
    algorithm: Algorithm,
    public_key: String,
    created_at_ms: u64,
    status: KeyStatus,
}

impl PublicKeySet {
    /// Builds a set, refusing one that breaks the set's invariants (see module docs).
    pub fn from_entries(keys: Vec<PublicKeyEntry>) -> Result<Self, CryptoError> {
        let invalid = |reason| Err(CryptoError::InvalidPublicKeySet { reason });
        if keys.is_empty() || keys.len() > PUBLIC_KEY_SET_KEYS_MAX {
            return invalid("a set holds 1 to PUBLIC_KEY_SET_KEYS_MAX keys");
        }
        if keys
            .iter()
            .filter(|key| key.status == KeyStatus::Active)
            .count()
            != 1
        {
            return invalid("there must be exactly one active key");
        }
        let mut ids: Vec<KeyId> = keys.iter().map(PublicKeyEntry::key_id).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|pair| pair[0] == pair[1]) {
            return invalid("key ids must be unique");
        }
        // One key under two ids would let a code signed by a revoked id verify under the other.
        let mut public_keys: Vec<Vec<u8>> = keys
            .iter()
            .map(|key| key.verifier().public_key_bytes())
            .collect();
        public_keys.sort_unstable();
        if public_keys.windows(2).any(|pair| pair[0] == pair[1]) {
            return invalid("a public key appears under two ids");
        }
        Ok(Self { keys })
    }

    /// All keys, in creation order.
    pub fn keys(&self) -> &[PublicKeyEntry] {
        &self.keys
    }

    /// The key with this id, whatever its status.
    pub fn key(&self, key_id: &KeyId) -> Option<&PublicKeyEntry> {
        self.keys.iter().find(|key| key.key_id == *key_id)
    }

    /// The verifier for a key id as read from a code or checkpoint: refuses malformed ids,
    /// unknown ids and revoked keys, each with its own error.
    pub fn usable_verifier(&self, key_id: &str) -> Result<&dyn Verifier, CryptoError> {
        let parsed = KeyId::parse(key_id)?;
        let entry = self.key(&parsed).ok_or_else(|| CryptoError::UnknownKeyId {
            key_id: key_id.to_owned(),
        })?;
        if entry.status == KeyStatus::Revoked {
            return Err(CryptoError::KeyRevoked {
                key_id: key_id.to_owned(),
            });
        }
        Ok(entry.verifier())
    }

    /// The set as pretty-printed JSON (see module docs for the shape).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_document()).expect("plain data serializes")
    }

    /// Parses and validates a set from JSON of at most [`PUBLIC_KEY_SET_JSON_BYTES_MAX`] bytes.
    pub fn from_json(text: &str) -> Result<Self, CryptoError> {
        if text.len() > PUBLIC_KEY_SET_JSON_BYTES_MAX {
            return Err(CryptoError::InvalidPublicKeySet {
                reason: "document larger than PUBLIC_KEY_SET_JSON_BYTES_MAX",
            });
        }
        let document: PublicKeySetDocument = serde_json::from_str(text)
            .map_err(|error| CryptoError::document_format("public key set", &error))?;
        Self::from_document(document)
    }

    fn to_document(&self) -> PublicKeySetDocument {
        let keys = self
            .keys
            .iter()
            .map(|key| PublicKeyDocument {
                key_id: key.key_id,
                algorithm: key.algorithm(),
                public_key: base64url(&key.verifier.public_key_bytes()),
                created_at_ms: key.created_at_ms,
                status: key.status,
            })
            .collect();
        PublicKeySetDocument {
            format_version: PUBLIC_KEY_SET_FORMAT_VERSION,
            keys,
        }
    }

    fn from_document(document: PublicKeySetDocument) -> Result<Self, CryptoError> {
        if document.format_version != PUBLIC_KEY_SET_FORMAT_VERSION {
            return Err(CryptoError::UnsupportedFormatVersion {
                found: document.format_version,
                supported: PUBLIC_KEY_SET_FORMAT_VERSION,
            });
        }
        if document.keys.len() > PUBLIC_KEY_SET_KEYS_MAX {
            return Err(CryptoError::InvalidPublicKeySet {
                reason: "a set holds 1 to PUBLIC_KEY_SET_KEYS_MAX keys",
            });
        }
        let entries = document
            .keys
            .iter()
            .map(|key| {
                let public_key =
                    base64url_decode(&key.public_key).ok_or(CryptoError::MalformedPublicKey)?;
                PublicKeyEntry::new(
                    key.key_id,
                    key.algorithm,
                    &public_key,
                    key.created_at_ms,
                    key.status,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_entries(entries)
    }
}

impl Serialize for PublicKeySet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_document().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PublicKeySet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let document = PublicKeySetDocument::deserialize(deserializer)?;
        Self::from_document(document).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

    use super::*;
    use crate::key_ring::KeyRing;

    fn two_key_set() -> PublicKeySet {
        let mut rng = ChaCha20Rng::from_seed([20; 32]);
        let mut ring = KeyRing::generate(1_700_000_000_000, &mut rng);
        ring.rotate(1_700_000_000_001, &mut rng).unwrap();
        ring.public_key_set()
    }

    #[test]
    fn json_round_trip_keeps_every_field() {
        let set = two_key_set();
        let json = set.to_json();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["format_version"], 1);
        let first = &value["keys"][0];
        assert_eq!(first["algorithm"], "ed25519");
        assert_eq!(first["status"], "retired");
        assert_eq!(first["created_at_ms"], 1_700_000_000_000u64);
        assert_eq!(first["public_key"].as_str().unwrap().len(), 43);
        assert_eq!(value["keys"][1]["status"], "active");

        let again = PublicKeySet::from_json(&json).unwrap();
        assert_eq!(again.to_json(), json);
        let via_serde: PublicKeySet = serde_json::from_str(&json).unwrap();
        assert_eq!(via_serde.keys().len(), 2);
    }

    fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> Result<PublicKeySet, CryptoError> {
        let mut value: serde_json::Value = serde_json::from_str(&two_key_set().to_json()).unwrap();
        edit(&mut value);
        PublicKeySet::from_json(&value.to_string())
    }

    #[test]
    fn refuses_sets_that_break_invariants() {
        assert!(matches!(
            edited(|value| value["format_version"] = 2.into()),
            Err(CryptoError::UnsupportedFormatVersion { found: 2, .. })
        ));
        assert!(matches!(
            edited(|value| value["keys"][0]["status"] = "active".into()),
            Err(CryptoError::InvalidPublicKeySet { .. })
        ));
        assert!(matches!(
            edited(|value| {
                let id = value["keys"][1]["key_id"].clone();
                value["keys"][0]["key_id"] = id;
            }),
            Err(CryptoError::InvalidPublicKeySet { .. })
        ));
        assert!(matches!(
            edited(|value| value["keys"] = serde_json::json!([])),
            Err(CryptoError::InvalidPublicKeySet { .. })
        ));
        assert!(matches!(
            edited(|value| value["keys"][0]["public_key"] = "AAAA".into()),
            Err(CryptoError::MalformedPublicKey)
        ));
        assert!(matches!(
            edited(|value| value["keys"][0]["algorithm"] = "rsa".into()),
            Err(CryptoError::DocumentFormat { .. })
        ));
        assert!(matches!(
            edited(|value| value["keys"][0]["secret_key"] = "x".into()),
            Err(CryptoError::DocumentFormat { .. })
        ));
        let huge = " ".repeat(PUBLIC_KEY_SET_JSON_BYTES_MAX + 1);
        assert!(matches!(
            PublicKeySet::from_json(&huge),
            Err(CryptoError::InvalidPublicKeySet { .. })
        ));
    }

    #[test]
    fn usable_verifier_distinguishes_malformed_unknown_and_revoked() {
        let set = two_key_set();
        let retired = set.keys()[0].key_id();
        assert!(set.usable_verifier(retired.as_str()).is_ok());
        assert!(matches!(
            set.usable_verifier("ee06"),
            Err(CryptoError::MalformedKeyId)
        ));
        let unknown = if retired.as_str() == "ZZZZ" {
            "YYYY"
        } else {
            "ZZZZ"
        };
        assert!(matches!(
            set.usable_verifier(unknown),
            Err(CryptoError::UnknownKeyId { .. })
        ));
        let revoked = edited(|value| value["keys"][0]["status"] = "revoked".into()).unwrap();
        assert!(matches!(
            revoked.usable_verifier(retired.as_str()),
            Err(CryptoError::KeyRevoked { .. })
        ));
    }
}
