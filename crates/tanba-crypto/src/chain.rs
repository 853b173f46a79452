//! The BLAKE3 hash chain over the event log: each entry's hash commits to the previous hash, its
//! sequence number and its bytes, so altering, dropping, inserting or reordering any entry changes
//! every later hash.
//!
//! ```text
//! hash(sequence) = BLAKE3-derive_key(CHAIN_CONTEXT,
//!                      prev_hash (32 bytes)
//!                   || sequence  (u64, big-endian)
//!                   || entry_len (u64, big-endian)
//!                   || entry_bytes)
//! ```
//!
//! with `CHAIN_CONTEXT` = `"tanba 2026 event-log hash chain entry v1"` ([`crate::domain`]) and
//! `prev_hash` = [`GENESIS`] (32 zero bytes) for the first entry. Sequence numbers start at
//! [`FIRST_SEQUENCE`] = 1; the empty log's head is `GENESIS` at sequence 0. The length prefix
//! keeps the encoding injective even though entries are arbitrary bytes, and the derive-key
//! context keeps chain hashes apart from every other BLAKE3 use.
//!
//! A chain alone cannot show that its last entries were dropped (a prefix of a valid chain is
//! valid); a signed [`crate::checkpoint::Checkpoint`] of the head closes that gap.
//!
//! Must never know: what entries mean, storage, or keys.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::errors::CryptoError;

/// Bytes in a chain hash.
pub const CHAIN_HASH_LENGTH: usize = blake3::OUT_LEN;

/// Sequence number of the first log entry; 0 is the empty log.
pub const FIRST_SEQUENCE: u64 = 1;

/// A BLAKE3 chain hash. Displays as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChainHash(pub [u8; CHAIN_HASH_LENGTH]);

/// The head of the empty log: the `prev_hash` of the entry at [`FIRST_SEQUENCE`].
pub const GENESIS: ChainHash = ChainHash([0; CHAIN_HASH_LENGTH]);

impl ChainHash {
    /// The hash's bytes.
    pub fn as_bytes(&self) -> &[u8; CHAIN_HASH_LENGTH] {
        &self.0
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::encoding::write_hex(formatter, &self.0)
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "ChainHash({self})")
    }
}

impl FromStr for ChainHash {
    type Err = CryptoError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        crate::encoding::parse_hex(text)
            .map(Self)
            .ok_or(CryptoError::MalformedChainHash)
    }
}

impl Serialize for ChainHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ChainHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The hash of the entry at `sequence` whose predecessor's hash is `prev`.
pub fn chain_next(prev: &ChainHash, sequence: u64, entry: &[u8]) -> ChainHash {
    let mut hasher = blake3::Hasher::new_derive_key(crate::domain::CHAIN_CONTEXT);
    hasher.update(&prev.0);
    hasher.update(&sequence.to_be_bytes());
    // usize -> u64 is lossless on every platform Rust supports.
    hasher.update(&(entry.len() as u64).to_be_bytes());
    hasher.update(entry);
    ChainHash(*hasher.finalize().as_bytes())
}

/// Where a verified segment ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SegmentEnd {
    /// The hash of the last entry (the start hash for an empty segment).
    pub head: ChainHash,
    /// Entries verified.
    pub entries: u64,
}

pub(crate) fn walk_chain<E, I>(
    start_hash: ChainHash,
    start_sequence: u64,
    entries: I,
) -> Result<SegmentEnd, CryptoError>
where
    E: AsRef<[u8]>,
    I: IntoIterator<Item = (E, ChainHash)>,
{
    // Sequence 0 names the empty log: no entry can have it.
    if start_sequence == 0 {
        return Err(CryptoError::ChainBroken { sequence: 0 });
    }
    let mut head = start_hash;
    let mut count: u64 = 0;
    for (entry, claimed) in entries {
        let sequence = start_sequence
            .checked_add(count)
            .ok_or(CryptoError::SequenceOverflow)?;
        let computed = chain_next(&head, sequence, entry.as_ref());
        if computed != claimed {
            return Err(CryptoError::ChainBroken { sequence });
        }
        head = computed;
        count += 1;
    }
    Ok(SegmentEnd {
        head,
        entries: count,
    })
}

/// Verifies a run of `(entry_bytes, claimed_hash)` pairs whose first entry has `start_sequence`
/// and whose predecessor's hash is `start_hash` ([`GENESIS`] at [`FIRST_SEQUENCE`]). The start must
/// be trusted: the genesis, or the head of a checkpoint already verified; a segment proves only
/// what follows its start. Returns the
/// hash of the last entry (or `start_hash` if there are none), or
/// [`CryptoError::ChainBroken`] with the first sequence whose claimed hash is wrong.
pub fn verify_chain<E, I>(
    start_hash: ChainHash,
    start_sequence: u64,
    entries: I,
) -> Result<ChainHash, CryptoError>
where
    E: AsRef<[u8]>,
    I: IntoIterator<Item = (E, ChainHash)>,
{
    walk_chain(start_hash, start_sequence, entries).map(|end| end.head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(entries: &[&[u8]]) -> Vec<(Vec<u8>, ChainHash)> {
        let mut head = GENESIS;
        let mut out = Vec::new();
        for (offset, entry) in entries.iter().enumerate() {
            head = chain_next(&head, FIRST_SEQUENCE + offset as u64, entry);
            out.push((entry.to_vec(), head));
        }
        out
    }

    #[test]
    fn hash_covers_prev_sequence_and_length_prefixed_bytes() {
        let mut manual = blake3::Hasher::new_derive_key(crate::domain::CHAIN_CONTEXT);
        manual.update(&[0; 32]);
        manual.update(&[0, 0, 0, 0, 0, 0, 0, 1]);
        manual.update(&[0, 0, 0, 0, 0, 0, 0, 3]);
        manual.update(b"abc");
        assert_eq!(
            chain_next(&GENESIS, 1, b"abc").0,
            *manual.finalize().as_bytes()
        );
        assert_ne!(
            chain_next(&GENESIS, 1, b"abc"),
            chain_next(&GENESIS, 2, b"abc")
        );
        let other = chain_next(&GENESIS, 1, b"x");
        assert_ne!(
            chain_next(&GENESIS, 1, b"abc"),
            chain_next(&other, 1, b"abc")
        );
        // Not a plain hash of the same bytes: the context separates it.
        let mut plain = blake3::Hasher::new();
        plain.update(&[0; 32]);
        plain.update(&[0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3]);
        plain.update(b"abc");
        assert_ne!(
            chain_next(&GENESIS, 1, b"abc").0,
            *plain.finalize().as_bytes()
        );
    }

    #[test]
    fn verifies_a_good_chain_and_names_the_first_bad_sequence() {
        let chain = build(&[b"one", b"two", b"three", b"four"]);
        let head = verify_chain(GENESIS, FIRST_SEQUENCE, chain.clone()).unwrap();
        assert_eq!(head, chain[3].1);
        assert_eq!(
            verify_chain(GENESIS, FIRST_SEQUENCE, Vec::<(Vec<u8>, ChainHash)>::new()).unwrap(),
            GENESIS
        );

        let mut altered = chain.clone();
        altered[2].0 = b"THREE".to_vec();
        assert!(matches!(
            verify_chain(GENESIS, FIRST_SEQUENCE, altered),
            Err(CryptoError::ChainBroken { sequence: 3 })
        ));
        // Starting mid-log from the right predecessor works; from the wrong one fails at once.
        let tail = chain[2..].to_vec();
        assert_eq!(verify_chain(chain[1].1, 3, tail.clone()).unwrap(), head);
        assert!(matches!(
            verify_chain(chain[1].1, 4, tail),
            Err(CryptoError::ChainBroken { sequence: 4 })
        ));
    }

    #[test]
    fn sequence_overflow_is_an_error_not_a_wrap() {
        let last = chain_next(&GENESIS, u64::MAX, b"a");
        let entries = vec![(b"a".to_vec(), last), (b"b".to_vec(), GENESIS)];
        assert!(matches!(
            verify_chain(GENESIS, u64::MAX, entries),
            Err(CryptoError::SequenceOverflow)
        ));
    }

    #[test]
    fn hex_display_parse_and_serde() {
        let hash = chain_next(&GENESIS, 1, b"abc");
        let text = hash.to_string();
        assert_eq!(text.len(), 64);
        assert!(
            text.bytes()
                .all(|byte| byte.is_ascii_hexdigit() && !byte.is_ascii_uppercase())
        );
        assert_eq!(text.parse::<ChainHash>().unwrap(), hash);
        assert_eq!(GENESIS.to_string(), "0".repeat(64));
        assert!(matches!(
            "zz".parse::<ChainHash>(),
            Err(CryptoError::MalformedChainHash)
        ));
        let json = serde_json::to_string(&hash).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<ChainHash>(&json).unwrap(), hash);
    }
}
