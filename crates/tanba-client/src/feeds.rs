//! Feeds: following one (`FeedService/Follow`), and proving a followed or saved feed complete
//! against the operator's public keys ([`FeedVerifier`]).
//!
//! The proof walks the hash chain entry by entry from genesis: an entry of the feed by its record
//! (whose feed kinds it recomputes), an entry outside it by its kinds and record hash, which must
//! not name a kind of the feed. Each signed checkpoint must sign the hash the walk reached. So up
//! to the last checkpoint nothing was altered, dropped, reordered or left out; entries after it
//! are reported as not yet covered. For the own-goods feed the proof covers order and integrity:
//! whether a left-out goods entry was the follower's is the operator's word, as the entry's
//! parties are not in its leaf.

use tanba_crypto::{ChainHash, Checkpoint, GENESIS, KeyId, PublicKeySet, chain_next};
use tanba_log::{FeedKinds, FeedName};
use tanba_proto::v1 as pb;
use tanba_types::Localized;

use crate::{ClientError, Connection};

impl Connection {
    /// Follows a feed: the stream of its batches ([`tonic::Streaming::message`] reads the next).
    pub async fn follow_feed(
        &self,
        request: pb::FollowFeedRequest,
    ) -> Result<tonic::Streaming<pb::FeedBatch>, ClientError> {
        Ok(self.feeds().follow(request).await?.into_inner())
    }
}

/// Why a feed does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedVerifyError {
    /// The name is not a feed's.
    #[error("not a feed: {0}")]
    UnknownFeed(String),
    /// An entry's sequence is not the next one.
    #[error("entry {found} came where entry {expected} was due")]
    OutOfOrder {
        /// The sequence due.
        expected: u64,
        /// The sequence found.
        found: u64,
    },
    /// An entry's hash does not follow from the chain: its bytes, kinds or hash were altered.
    #[error("entry {0} was altered: its hash does not follow from the chain")]
    Altered(u64),
    /// An entry left out names a kind of the feed.
    #[error("entry {0} of this feed was left out")]
    LeftOut(u64),
    /// An entry's record does not read, or its kinds are not its record's.
    #[error("entry {sequence}: {why}")]
    BadRecord {
        /// The entry.
        sequence: u64,
        /// Why.
        why: String,
    },
    /// A checkpoint does not verify, or signs another hash than the chain's.
    #[error("the checkpoint at {sequence} does not verify: {why}")]
    BadCheckpoint {
        /// The entry it names.
        sequence: u64,
        /// Why.
        why: String,
    },
    /// The own-goods feed carries no proof (entries outside it are not sent).
    #[error("the feed {0} carries no proof of completeness")]
    Unprovable(String),
    /// A line is not a feed item.
    #[error("line {line} is not a feed item: {why}")]
    BadLine {
        /// The line, from 1.
        line: u64,
        /// Why.
        why: String,
    },
}

impl FeedVerifyError {
    /// Every code this type produces.
    pub const ALL_CODES: &'static [&'static str] = &[
        "TANBA-FEED-UNKNOWN",
        "TANBA-FEED-ORDER",
        "TANBA-FEED-ALTERED",
        "TANBA-FEED-LEFT-OUT",
        "TANBA-FEED-RECORD",
        "TANBA-FEED-CHECKPOINT",
        "TANBA-FEED-LINE",
        "TANBA-FEED-UNPROVABLE",
    ];

    /// The entry (or line) where verification stopped.
    pub fn at(&self) -> Option<u64> {
        match self {
            FeedVerifyError::UnknownFeed(_) | FeedVerifyError::Unprovable(_) => None,
            FeedVerifyError::OutOfOrder { found, .. } => Some(*found),
            FeedVerifyError::Altered(at) | FeedVerifyError::LeftOut(at) => Some(*at),
            FeedVerifyError::BadRecord { sequence, .. }
            | FeedVerifyError::BadCheckpoint { sequence, .. } => Some(*sequence),
            FeedVerifyError::BadLine { line, .. } => Some(*line),
        }
    }
}

impl Localized for FeedVerifyError {
    fn code(&self) -> &'static str {
        match self {
            FeedVerifyError::UnknownFeed(_) => "TANBA-FEED-UNKNOWN",
            FeedVerifyError::OutOfOrder { .. } => "TANBA-FEED-ORDER",
            FeedVerifyError::Altered(_) => "TANBA-FEED-ALTERED",
            FeedVerifyError::LeftOut(_) => "TANBA-FEED-LEFT-OUT",
            FeedVerifyError::BadRecord { .. } => "TANBA-FEED-RECORD",
            FeedVerifyError::BadCheckpoint { .. } => "TANBA-FEED-CHECKPOINT",
            FeedVerifyError::BadLine { .. } => "TANBA-FEED-LINE",
            FeedVerifyError::Unprovable(_) => "TANBA-FEED-UNPROVABLE",
        }
    }

    fn detail(&self) -> Option<String> {
        Some(match self {
            FeedVerifyError::UnknownFeed(name) | FeedVerifyError::Unprovable(name) => name.clone(),
            FeedVerifyError::OutOfOrder { expected, found } => format!("{found} ≠ {expected}"),
            FeedVerifyError::Altered(at) | FeedVerifyError::LeftOut(at) => at.to_string(),
            FeedVerifyError::BadRecord { sequence, why }
            | FeedVerifyError::BadCheckpoint { sequence, why } => format!("{sequence}: {why}"),
            FeedVerifyError::BadLine { line, why } => format!("{line}: {why}"),
        })
    }
}

/// The feed named `name`.
pub fn feed_name(name: &str) -> Result<FeedName, FeedVerifyError> {
    FeedName::parse(name).ok_or_else(|| FeedVerifyError::UnknownFeed(name.to_owned()))
}

/// What a verified feed proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedProof {
    /// Entries walked (every entry of the log up to `position`).
    pub entries: u64,
    /// Of which in the feed (with their records).
    pub included: u64,
    /// The last entry walked.
    pub position: u64,
    /// The last signed checkpoint verified: everything up to it is proven.
    pub checkpoint: Option<Checkpoint>,
}

impl FeedProof {
    /// Entries walked after the last checkpoint: intact as far as the chain shows, but not yet
    /// signed for.
    pub fn uncovered(&self) -> u64 {
        self.position
            - self
                .checkpoint
                .as_ref()
                .map_or(0, |checkpoint| checkpoint.sequence)
    }
}

/// Walks a feed item by item from the log's start.
pub struct FeedVerifier {
    keys: PublicKeySet,
    name: FeedName,
    hash: ChainHash,
    proof: FeedProof,
}

impl FeedVerifier {
    /// A verifier of the feed `name` against the operator's `keys`.
    pub fn new(keys: PublicKeySet, name: &str) -> Result<FeedVerifier, FeedVerifyError> {
        let feed = feed_name(name)?;
        if feed.is_own_goods() {
            return Err(FeedVerifyError::Unprovable(name.to_owned()));
        }
        Ok(FeedVerifier {
            keys,
            name: feed,
            hash: GENESIS,
            proof: FeedProof {
                entries: 0,
                included: 0,
                position: 0,
                checkpoint: None,
            },
        })
    }

    /// Takes the next item.
    pub fn push(&mut self, item: &pb::FeedItem) -> Result<(), FeedVerifyError> {
        match &item.item {
            Some(pb::feed_item::Item::Entry(entry)) => self.entry(entry),
            Some(pb::feed_item::Item::Checkpoint(checkpoint)) => self.checkpoint(checkpoint),
            // A heartbeat says where the server stands; it proves nothing and skips nothing.
            Some(pb::feed_item::Item::Heartbeat(_)) | None => Ok(()),
        }
    }

    fn entry(&mut self, entry: &pb::FeedEntry) -> Result<(), FeedVerifyError> {
        let sequence = entry.sequence;
        let expected = self.proof.position + 1;
        if sequence != expected {
            return Err(FeedVerifyError::OutOfOrder {
                expected,
                found: sequence,
            });
        }
        let kinds = FeedKinds(entry.kinds);
        let leaf = if entry.record.is_empty() {
            let digest: [u8; 32] = entry
                .record_digest
                .as_ref()
                .try_into()
                .map_err(|_| FeedVerifyError::Altered(sequence))?;
            if self.name.includes(kinds) {
                return Err(FeedVerifyError::LeftOut(sequence));
            }
            tanba_log::leaf_of_digest(kinds, &digest)
        } else {
            let record =
                tanba_log::decode(&entry.record).map_err(|error| FeedVerifyError::BadRecord {
                    sequence,
                    why: error.to_string(),
                })?;
            if record.sequence != sequence || tanba_log::kinds_of(&record.event) != kinds {
                return Err(FeedVerifyError::Altered(sequence));
            }
            self.proof.included += 1;
            tanba_log::leaf(kinds, &entry.record)
        };
        let hash = chain_next(&self.hash, sequence, &leaf);
        if hash.as_bytes().as_slice() != entry.chain_hash.as_ref() {
            return Err(FeedVerifyError::Altered(sequence));
        }
        self.hash = hash;
        self.proof.position = sequence;
        self.proof.entries += 1;
        Ok(())
    }

    fn checkpoint(&mut self, signed: &pb::FeedCheckpoint) -> Result<(), FeedVerifyError> {
        let bad = |why: &str| FeedVerifyError::BadCheckpoint {
            sequence: signed.sequence,
            why: why.to_owned(),
        };
        if signed.sequence != self.proof.position {
            return Err(bad("it does not follow the entry it signs"));
        }
        let head_hash: [u8; 32] = signed
            .head_hash
            .as_slice()
            .try_into()
            .map_err(|_| bad("its hash is not 32 bytes"))?;
        if ChainHash(head_hash) != self.hash {
            return Err(bad("it signs another hash than the chain's"));
        }
        let key_id: KeyId = signed
            .key_id
            .parse()
            .map_err(|_| bad("its key id is malformed"))?;
        let checkpoint = Checkpoint {
            sequence: signed.sequence,
            head_hash: ChainHash(head_hash),
            time_ms: signed.time_ms,
            key_id,
            signature: signed.signature.clone(),
        };
        tanba_crypto::verify_checkpoint(&self.keys, &checkpoint)
            .map_err(|error| bad(&error.to_string()))?;
        self.proof.checkpoint = Some(checkpoint);
        Ok(())
    }

    /// The position reached: the cursor to resume after.
    pub fn position(&self) -> u64 {
        self.proof.position
    }

    /// What the items so far prove.
    pub fn proof(&self) -> &FeedProof {
        &self.proof
    }
}

/// Verifies a saved feed (one JSON item per line, as `tanba feed tail` and the HTTP twin write
/// it) of the feed `name`.
pub fn verify_saved(
    keys: PublicKeySet,
    name: &str,
    text: &str,
) -> Result<FeedProof, FeedVerifyError> {
    let mut verifier = FeedVerifier::new(keys, name)?;
    for (index, line) in text.lines().enumerate() {
        let bad_line = |why: String| FeedVerifyError::BadLine {
            line: index as u64 + 1,
            why,
        };
        if line.trim().is_empty() {
            continue;
        }
        let parsed: tanba_proto::feed::FeedLine =
            serde_json::from_str(line).map_err(|error| bad_line(error.to_string()))?;
        let item =
            tanba_proto::feed::item_of(&parsed).map_err(|error| bad_line(error.to_string()))?;
        verifier.push(&item)?;
        // A reader without a protobuf decoder trusts `event`: it must be the record's own.
        if let tanba_proto::feed::FeedLine::Entry(entry) = &parsed
            && entry.event.is_some()
        {
            let derived = match tanba_proto::feed::line_of(&item) {
                Some(tanba_proto::feed::FeedLine::Entry(derived)) => derived.event,
                _ => None,
            };
            if derived != entry.event {
                return Err(FeedVerifyError::Altered(entry.sequence));
            }
        }
    }
    Ok(verifier.proof)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tanba_types::Language;

    #[test]
    fn every_feed_verification_code_speaks_three_languages() {
        for code in FeedVerifyError::ALL_CODES {
            for language in Language::ALL {
                assert!(
                    tanba_types::messages::template(code, language).is_some(),
                    "{code} in {language}"
                );
            }
        }
        let error = FeedVerifyError::Altered(17);
        assert!(FeedVerifyError::ALL_CODES.contains(&error.code()));
        let text = tanba_types::localize(&error, Language::Kk);
        assert!(
            text.starts_with("TANBA-FEED-ALTERED: ") && text.contains("17"),
            "{text}"
        );
    }

    #[test]
    fn feed_names_are_the_servers() {
        for name in [
            "tax", "customs", "eaeu", "stages", "goods", "registry", "cases", "all",
        ] {
            assert!(feed_name(name).is_ok(), "{name}");
        }
        assert_eq!(feed_name("vat").unwrap_err().code(), "TANBA-FEED-UNKNOWN");
        let keys = tanba_crypto::KeyRing::generate(0, &mut rand_core::OsRng).public_key_set();
        assert!(matches!(
            FeedVerifier::new(keys, "goods"),
            Err(FeedVerifyError::Unprovable(_))
        ));
    }
}
