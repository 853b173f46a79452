//! The cluster's seal on what its nodes share through the log service (issue 15;
//! ARCHITECTURE.md, "Scale-out over NATS JetStream"). A batch of commands names its actors: a
//! node applies it as those participants' acts. Whoever could publish on the command stream
//! would otherwise act as anyone (the operator included), and whoever could write the heads
//! board could stop every node by publishing a differing head.
//!
//! So every batch a node appends carries a keyed BLAKE3 tag over its id and bytes, and every
//! published head one over its fields, with keys derived from the sign-in secret that every
//! node of a cluster holds already (tokens signed on one node are checked on another). Reading,
//! [`SealedLog`] hands on a batch whose tag does not verify as an empty one, which the applier
//! counts and passes over; [`SealedBoard`] leaves a head whose tag does not verify off the
//! board. Every node holds the same key, so every node passes over the same batches and the
//! logs stay equal. A node given another key applies its own batches only, which the others
//! pass over, and neither side counts the other's heads: divergence would not see it. So a
//! node refuses to start unless a batch at the front of the log verifies under its key
//! ([`ClusterSeal::check_log`]), and one with no secret at all refuses to join a stream that
//! has begun; the counts of forgeries (`tanba_forged_*`, an alert) show the rest.
//!
//! A tag binds the batch id: a batch copied under a new id is forged, and one appended again
//! under its own id is a duplicate that the stream's window and the core's remembered ids drop.
//! NATS accounts limit who may publish at all (deploy/nats); the seal is the line behind them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tanba_crypto::sign_in::SignInSecret;

use crate::command_log::{Appended, Batch, BatchId, CommandLog, CommandLogError, Position};
use crate::heads::{HeadBoard, PublishedHead};

/// Bytes of a tag.
pub const SEAL_BYTES: usize = 32;

/// The key derivation contexts (BLAKE3 `derive_key`): one key per use of the secret.
const BATCH_KEY_CONTEXT: &str = "tanba 2026-12-06 command log batch seal";
const HEAD_KEY_CONTEXT: &str = "tanba 2026-12-06 published head seal";

/// Batches [`ClusterSeal::check_log`] reads from the front of the log.
pub const SEAL_CHECK_BATCHES: usize = 64;

/// What [`ClusterSeal::check_log`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealCheck {
    /// The log holds no batch yet: this node may be the cluster's first.
    Nothing,
    /// A batch at the front of the log is sealed with this seal.
    Ours,
    /// None of the `read` batches at the front of the log is: another cluster's secret.
    Another {
        /// Batches read.
        read: usize,
    },
}

/// What a node counted as forged since it started.
#[derive(Debug, Default)]
struct Forged {
    batches: AtomicU64,
    heads: AtomicU64,
}

/// The keys one cluster seals with. Clones share their counts of forgeries met.
#[derive(Clone)]
pub struct ClusterSeal {
    batch_key: [u8; 32],
    head_key: [u8; 32],
    forged: Arc<Forged>,
}

impl std::fmt::Debug for ClusterSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The keys are secret: never in a log line.
        f.debug_struct("ClusterSeal").finish_non_exhaustive()
    }
}

impl ClusterSeal {
    /// The seal of the cluster whose nodes share `secret`.
    pub fn derive(secret: &SignInSecret) -> ClusterSeal {
        ClusterSeal {
            batch_key: secret.derive_key(BATCH_KEY_CONTEXT),
            head_key: secret.derive_key(HEAD_KEY_CONTEXT),
            forged: Arc::default(),
        }
    }

    /// Batches read whose tag did not verify, since this seal was derived.
    pub fn forged_batches(&self) -> u64 {
        self.forged.batches.load(Ordering::Relaxed)
    }

    /// Published heads read whose tag did not verify, since this seal was derived.
    pub fn forged_heads(&self) -> u64 {
        self.forged.heads.load(Ordering::Relaxed)
    }

    fn batch_tag(&self, id: BatchId, bytes: &[u8]) -> blake3::Hash {
        let mut hasher = blake3::Hasher::new_keyed(&self.batch_key);
        hasher.update(&id.0);
        hasher.update(bytes);
        hasher.finalize()
    }

    fn head_tag(&self, head: &PublishedHead) -> blake3::Hash {
        let unsealed = PublishedHead {
            seal: [0; SEAL_BYTES],
            ..head.clone()
        };
        blake3::keyed_hash(&self.head_key, &unsealed.to_bytes())
    }

    /// Whether a sealed batch's tag verifies (not counted).
    fn batch_verifies(&self, id: BatchId, sealed: &[u8]) -> bool {
        sealed
            .split_at_checked(SEAL_BYTES)
            .is_some_and(|(tag, bytes)| {
                let tag: [u8; SEAL_BYTES] = tag.try_into().expect("split at SEAL_BYTES");
                // `blake3::Hash`'s equality takes constant time.
                self.batch_tag(id, bytes) == blake3::Hash::from(tag)
            })
    }

    /// Whether this is the seal of the cluster that wrote `log` (not sealed: the log as the
    /// log service holds it), told by the first [`SEAL_CHECK_BATCHES`] batches it holds: a
    /// node given another cluster's secret would apply only its own batches, and no head
    /// comparison would see it. [`SealCheck::Nothing`] if the log holds no batch yet.
    pub fn check_log(&self, log: &dyn CommandLog) -> Result<SealCheck, CommandLogError> {
        let batches = match log.read(1, SEAL_CHECK_BATCHES, Duration::ZERO) {
            Err(CommandLogError::Trimmed { first, .. }) => {
                log.read(first, SEAL_CHECK_BATCHES, Duration::ZERO)?
            }
            read => read?,
        };
        if batches.is_empty() {
            return Ok(SealCheck::Nothing);
        }
        // One is enough: whoever could append junk could not seal it, and junk before the
        // cluster's first batch is not likely to fill the whole window.
        match (batches.iter()).any(|batch| self.batch_verifies(batch.id, &batch.bytes)) {
            true => Ok(SealCheck::Ours),
            false => Ok(SealCheck::Another {
                read: batches.len(),
            }),
        }
    }

    /// `bytes` with their tag in front.
    pub fn seal_batch(&self, id: BatchId, bytes: &[u8]) -> Vec<u8> {
        let mut sealed = Vec::with_capacity(SEAL_BYTES + bytes.len());
        sealed.extend_from_slice(self.batch_tag(id, bytes).as_bytes());
        sealed.extend_from_slice(bytes);
        sealed
    }

    /// The batch's bytes without their tag (taken off in place), if the tag verifies; none
    /// (and counted) if not.
    pub fn open_batch(&self, id: BatchId, mut sealed: Vec<u8>) -> Option<Vec<u8>> {
        if !self.batch_verifies(id, &sealed) {
            self.forged.batches.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        sealed.drain(..SEAL_BYTES);
        Some(sealed)
    }

    /// `head` with its tag.
    pub fn seal_head(&self, head: &PublishedHead) -> PublishedHead {
        PublishedHead {
            seal: *self.head_tag(head).as_bytes(),
            ..head.clone()
        }
    }

    /// Whether `head`'s tag verifies (counted if not).
    pub fn head_verifies(&self, head: &PublishedHead) -> bool {
        let verifies = self.head_tag(head) == blake3::Hash::from(head.seal);
        if !verifies {
            self.forged.heads.fetch_add(1, Ordering::Relaxed);
        }
        verifies
    }
}

/// A command log whose batches are sealed on the way in and checked on the way out.
pub struct SealedLog {
    inner: Arc<dyn CommandLog>,
    seal: ClusterSeal,
}

impl SealedLog {
    /// `inner`, sealed with `seal`.
    pub fn new(inner: Arc<dyn CommandLog>, seal: ClusterSeal) -> SealedLog {
        SealedLog { inner, seal }
    }
}

impl CommandLog for SealedLog {
    fn append(&self, id: BatchId, bytes: Vec<u8>) -> Result<Appended, CommandLogError> {
        self.inner.append(id, self.seal.seal_batch(id, &bytes))
    }

    /// Every batch at its position; a forged one with no bytes, which no reader takes for
    /// commands (the applier counts it and goes on).
    fn read(
        &self,
        from: Position,
        batches_max: usize,
        wait: Duration,
    ) -> Result<Vec<Batch>, CommandLogError> {
        let mut batches = self.inner.read(from, batches_max, wait)?;
        for batch in &mut batches {
            let sealed = std::mem::take(&mut batch.bytes);
            batch.bytes = (self.seal.open_batch(batch.id, sealed)).unwrap_or_default();
        }
        Ok(batches)
    }

    fn last_position(&self) -> Result<Position, CommandLogError> {
        self.inner.last_position()
    }

    fn trim_before(&self, position: Position) -> Result<(), CommandLogError> {
        self.inner.trim_before(position)
    }
}

/// A head board whose heads are sealed when published and left off when their seal fails.
pub struct SealedBoard {
    inner: Arc<dyn HeadBoard>,
    seal: ClusterSeal,
}

impl SealedBoard {
    /// `inner`, sealed with `seal`.
    pub fn new(inner: Arc<dyn HeadBoard>, seal: ClusterSeal) -> SealedBoard {
        SealedBoard { inner, seal }
    }
}

impl HeadBoard for SealedBoard {
    fn publish(&self, head: &PublishedHead) -> Result<(), CommandLogError> {
        self.inner.publish(&self.seal.seal_head(head))
    }

    fn heads(&self) -> Result<Vec<PublishedHead>, CommandLogError> {
        let mut heads = self.inner.heads()?;
        heads.retain(|head| self.seal.head_verifies(head));
        Ok(heads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command_log::LocalLog;
    use crate::heads::{MemoryHeadBoard, NodeName};

    fn id(byte: u8) -> BatchId {
        BatchId([byte; 16])
    }

    fn seal_of(byte: u8) -> ClusterSeal {
        ClusterSeal::derive(&SignInSecret::from_bytes([byte; 32]))
    }

    #[test]
    fn a_sealed_batch_reads_back_as_appended_and_a_forged_one_reads_empty() {
        let inner: Arc<dyn CommandLog> = Arc::new(LocalLog::new());
        let seal = seal_of(1);
        let log = SealedLog::new(inner.clone(), seal.clone());
        log.append(id(1), b"first".to_vec()).unwrap();
        // A stranger on the stream: unsealed, sealed with another key, a sealed batch moved
        // to another id, and one cut short.
        inner.append(id(2), b"no seal at all".to_vec()).unwrap();
        let other = seal_of(2);
        inner.append(id(3), other.seal_batch(id(3), b"x")).unwrap();
        inner
            .append(id(4), seal.seal_batch(id(1), b"first"))
            .unwrap();
        inner.append(id(5), vec![1; SEAL_BYTES - 1]).unwrap();
        log.append(id(6), b"last".to_vec()).unwrap();
        let read = log.read(1, 16, Duration::ZERO).unwrap();
        let bytes: Vec<&[u8]> = read.iter().map(|batch| batch.bytes.as_slice()).collect();
        let expected: [&[u8]; 6] = [b"first", b"", b"", b"", b"", b"last"];
        assert_eq!(bytes, expected);
        assert_eq!(seal.forged_batches(), 4);
        assert_eq!(log.last_position().unwrap(), 6);
    }

    #[test]
    fn a_head_with_a_forged_or_altered_seal_is_left_off_the_board() {
        let inner: Arc<dyn HeadBoard> = Arc::new(MemoryHeadBoard::default());
        let seal = seal_of(1);
        let board = SealedBoard::new(inner.clone(), seal.clone());
        let head = |name: &str, sequence| PublishedHead {
            node: NodeName::parse(name).unwrap(),
            position: sequence,
            sequence,
            hash: [sequence as u8; 32],
            seal: [0; SEAL_BYTES],
        };
        board.publish(&head("honest", 7)).unwrap();
        inner.publish(&head("unsealed", 7)).unwrap();
        let mut altered = seal.seal_head(&head("altered", 7));
        altered.hash = [9; 32];
        inner.publish(&altered).unwrap();
        let heads = board.heads().unwrap();
        assert_eq!(heads.len(), 1);
        assert_eq!(heads[0].node.as_str(), "honest");
        assert_eq!(heads[0].hash, [7; 32]);
        assert_eq!(seal.forged_heads(), 2);
    }
}
