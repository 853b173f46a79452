//! Signed checkpoints: the operator's signature over (sequence, head hash, time), which lets anyone
//! holding a feed and the public key set prove nothing was altered, dropped or reordered up to
//! that point.
//!
//! Canonical bytes (72 bytes, what the signature covers):
//!
//! ```text
//! "tanba.checkpoint.v1" 0x00   20 bytes  domain label (crate::domain::CHECKPOINT)
//! sequence                      8 bytes  u64 big-endian, the last entry covered (0 = empty log)
//! head_hash                    32 bytes  the chain hash of that entry (GENESIS for the empty log)
//! time_ms                       8 bytes  u64 big-endian, unix milliseconds, as passed in
//! key_id                        4 bytes  ASCII, the signing key's id
//! ```
//!
//! All fields have fixed widths, so the encoding is injective. The key id is signed too so a
//! checkpoint cannot be relabelled to another key.
//!
//! Must never know: clocks (time is passed in), the engine's cadence, or storage.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{
    chain::{ChainHash, walk_chain},
    domain,
    encoding::{base64url, base64url_decode},
    errors::CryptoError,
    key_id::{KEY_ID_LENGTH, KeyId},
    key_ring::RingSigningKey,
    public_keys::PublicKeySet,
};

/// Bytes in a checkpoint's canonical encoding.
pub const CHECKPOINT_CANONICAL_LENGTH: usize =
    domain::CHECKPOINT.len() + 8 + 32 + 8 + KEY_ID_LENGTH;

const _: () = assert!(CHECKPOINT_CANONICAL_LENGTH == 72);

/// A signed statement that the log's entry `sequence` has hash `head_hash`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The last entry covered (0 for the empty log).
    pub sequence: u64,
    /// That entry's chain hash.
    pub head_hash: ChainHash,
    /// When the operator signed it, unix milliseconds.
    pub time_ms: u64,
    /// The signing key's id.
    pub key_id: KeyId,
    /// The signature over [`checkpoint_canonical_bytes`]; base64url text in JSON.
    #[serde(
        serialize_with = "serialize_base64url",
        deserialize_with = "deserialize_base64url"
    )]
    pub signature: Vec<u8>,
}

fn serialize_base64url<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&base64url(bytes))
}

fn deserialize_base64url<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    base64url_decode(&text).ok_or_else(|| serde::de::Error::custom("signature is not base64url"))
}

/// The bytes a checkpoint signature covers (layout in the module docs).
pub fn checkpoint_canonical_bytes(
    sequence: u64,
    head_hash: &ChainHash,
    time_ms: u64,
    key_id: &KeyId,
) -> [u8; CHECKPOINT_CANONICAL_LENGTH] {
    let mut bytes = [0u8; CHECKPOINT_CANONICAL_LENGTH];
    let mut length = 0;
    for part in [
        domain::CHECKPOINT,
        &sequence.to_be_bytes(),
        head_hash.as_bytes(),
        &time_ms.to_be_bytes(),
        key_id.as_bytes(),
    ] {
        bytes[length..length + part.len()].copy_from_slice(part);
        length += part.len();
    }
    assert_eq!(length, CHECKPOINT_CANONICAL_LENGTH);
    bytes
}

/// Signs a checkpoint with the ring's signing key, which must be active.
pub fn sign_checkpoint(
    signing_key: &RingSigningKey,
    sequence: u64,
    head_hash: ChainHash,
    time_ms: u64,
) -> Result<Checkpoint, CryptoError> {
    let key_id = signing_key.key_id();
    let message = checkpoint_canonical_bytes(sequence, &head_hash, time_ms, &key_id);
    let signature = signing_key.sign_if_active(&message)?;
    Ok(Checkpoint {
        sequence,
        head_hash,
        time_ms,
        key_id,
        signature,
    })
}

/// Verifies a checkpoint's signature against the pinned public keys. A revoked key's
/// checkpoints are refused ([`CryptoError::KeyRevoked`]); a retired key's still verify.
pub fn verify_checkpoint(keys: &PublicKeySet, checkpoint: &Checkpoint) -> Result<(), CryptoError> {
    let verifier = keys.usable_verifier(checkpoint.key_id.as_str())?;
    let message = checkpoint_canonical_bytes(
        checkpoint.sequence,
        &checkpoint.head_hash,
        checkpoint.time_ms,
        &checkpoint.key_id,
    );
    verifier.verify(&message, &checkpoint.signature)
}

/// Verifies that a chain segment is intact and ends exactly at a signed checkpoint: the signature
/// is valid, every entry's hash is right, the last entry's sequence is the checkpoint's and its
/// hash is the checkpoint's head. This is what catches entries dropped from the end of a feed.
///
/// `start_hash` and `start_sequence` are as for [`crate::chain::verify_chain`]: the hash before
/// the first entry, and the first entry's sequence.
pub fn verify_segment_to_checkpoint<E, I>(
    keys: &PublicKeySet,
    checkpoint: &Checkpoint,
    start_hash: ChainHash,
    start_sequence: u64,
    entries: I,
) -> Result<(), CryptoError>
where
    E: AsRef<[u8]>,
    I: IntoIterator<Item = (E, ChainHash)>,
{
    verify_checkpoint(keys, checkpoint)?;
    let end = walk_chain(start_hash, start_sequence, entries)?;
    // The segment's last sequence; `None` only for an empty segment starting at 0, which
    // covers no sequence a checkpoint can name. `walk_chain` already proved that
    // `start_sequence + entries - 1` fits in a u64.
    let last_sequence = match end.entries {
        0 => start_sequence.checked_sub(1),
        entries => Some(start_sequence + (entries - 1)),
    };
    if last_sequence != Some(checkpoint.sequence) || end.head != checkpoint.head_hash {
        return Err(CryptoError::CheckpointMismatch {
            checkpoint_sequence: checkpoint.sequence,
            actual_sequence: last_sequence.unwrap_or(0),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

    use super::*;
    use crate::{
        chain::{FIRST_SEQUENCE, GENESIS, chain_next},
        key_ring::KeyRing,
    };

    fn ring() -> KeyRing {
        KeyRing::generate(0, &mut ChaCha20Rng::from_seed([40; 32]))
    }

    fn chain(count: u64) -> Vec<(Vec<u8>, ChainHash)> {
        let mut head = GENESIS;
        (FIRST_SEQUENCE..FIRST_SEQUENCE + count)
            .map(|sequence| {
                let entry = format!("event {sequence}").into_bytes();
                head = chain_next(&head, sequence, &entry);
                (entry, head)
            })
            .collect()
    }

    #[test]
    fn canonical_bytes_layout() {
        let key_id = KeyId::parse("EE06").unwrap();
        let bytes = checkpoint_canonical_bytes(0x0102, &ChainHash([0xAA; 32]), 0x0304, &key_id);
        assert_eq!(&bytes[..20], b"tanba.checkpoint.v1\0");
        assert_eq!(&bytes[20..28], &[0, 0, 0, 0, 0, 0, 1, 2]);
        assert_eq!(&bytes[28..60], &[0xAA; 32]);
        assert_eq!(&bytes[60..68], &[0, 0, 0, 0, 0, 0, 3, 4]);
        assert_eq!(&bytes[68..], b"EE06");
    }

    #[test]
    fn sign_verify_and_tamper() {
        let ring = ring();
        let keys = ring.public_key_set();
        let checkpoint = sign_checkpoint(ring.active_signing_key(), 5, chain(5)[4].1, 99).unwrap();
        verify_checkpoint(&keys, &checkpoint).unwrap();
        for tampered in [
            Checkpoint {
                sequence: 6,
                ..checkpoint.clone()
            },
            Checkpoint {
                time_ms: 100,
                ..checkpoint.clone()
            },
            Checkpoint {
                head_hash: GENESIS,
                ..checkpoint.clone()
            },
        ] {
            assert!(matches!(
                verify_checkpoint(&keys, &tampered),
                Err(CryptoError::BadSignature)
            ));
        }
        let json = serde_json::to_string(&checkpoint).unwrap();
        let back: Checkpoint = serde_json::from_str(&json).unwrap();
        assert_eq!(back, checkpoint);
    }

    #[test]
    fn segment_must_end_at_the_checkpoint() {
        let ring = ring();
        let keys = ring.public_key_set();
        let log = chain(6);
        let checkpoint = sign_checkpoint(ring.active_signing_key(), 6, log[5].1, 1).unwrap();
        verify_segment_to_checkpoint(&keys, &checkpoint, GENESIS, FIRST_SEQUENCE, log.clone())
            .unwrap();
        verify_segment_to_checkpoint(&keys, &checkpoint, log[2].1, 4, log[3..].to_vec()).unwrap();

        let dropped_tail = log[..5].to_vec();
        assert!(matches!(
            verify_segment_to_checkpoint(&keys, &checkpoint, GENESIS, FIRST_SEQUENCE, dropped_tail),
            Err(CryptoError::CheckpointMismatch {
                checkpoint_sequence: 6,
                actual_sequence: 5
            })
        ));
        let empty = Vec::<(Vec<u8>, ChainHash)>::new();
        let genesis_checkpoint = sign_checkpoint(ring.active_signing_key(), 0, GENESIS, 1).unwrap();
        verify_segment_to_checkpoint(
            &keys,
            &genesis_checkpoint,
            GENESIS,
            FIRST_SEQUENCE,
            empty.clone(),
        )
        .unwrap();
        // Sequence 0 is the empty log itself: no segment starts there.
        assert!(matches!(
            verify_segment_to_checkpoint(&keys, &genesis_checkpoint, GENESIS, 0, empty),
            Err(CryptoError::ChainBroken { sequence: 0 })
        ));
    }
}
