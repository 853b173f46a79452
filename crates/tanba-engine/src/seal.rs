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
//! A tag binds the batch id: a batch copied under a new id is forged. It also binds a position
//! the appender had seen the log reach: a batch appended again under its own id lands within
//! [`SEALED_POSITIONS_AHEAD_MAX`] positions of its first, a duplicate that the stream's window
//! and the core's remembered ids drop, or past them, where the seal no longer opens it.
//! Pages of the nodes' audit trails (`crate::trails`) carry a tag too, over the trail's name,
//! the page's first record and its bytes, so nobody outside the cluster's nodes puts records in
//! a node's trail (one key for the cluster: any node could write any trail, as any node can
//! append any command); and so do the snapshots on the cluster's shelf and their labels
//! (`crate::snapshot_shelf`). A tag authenticates; it does not hide: the stream's readers read
//! the pages and archives.
//!
//! NATS accounts limit who may publish at all (deploy/nats); the seal is the line behind them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use tanba_crypto::sign_in::SignInSecret;

use crate::command_log::{
    AppendFinished, Appended, Batch, BatchId, CommandLog, CommandLogError, Position,
};
use crate::heads::{HeadBoard, NodeName, PublishedHead};
use crate::trails::TrailPage;

/// Bytes of a tag.
pub const SEAL_BYTES: usize = 32;

/// The key derivation contexts (BLAKE3 `derive_key`): one key per use of the secret.
const BATCH_KEY_CONTEXT: &str = "tanba 2026-12-06 command log batch seal";
const HEAD_KEY_CONTEXT: &str = "tanba 2026-12-06 published head seal";
const TRAIL_KEY_CONTEXT: &str = "tanba 2026-12-06 audit trail page seal";
const SNAPSHOT_KEY_CONTEXT: &str = "tanba 2026-12-06 shelved snapshot seal";

/// Bytes a sealed batch carries before its commands: the tag and the position its appender
/// had seen.
pub const BATCH_SEAL_BYTES: usize = SEAL_BYTES + 8;

/// Positions a batch may land past the one its appender had seen: as many as the core
/// remembers batch ids for, so that a batch appended again is dropped by one or the other.
pub const SEALED_POSITIONS_AHEAD_MAX: Position = crate::core::BATCH_IDS_KEPT;

/// Batches [`ClusterSeal::check_log`] reads from the front of the log.
pub const SEAL_CHECK_BATCHES: usize = 64;
/// Reads [`ClusterSeal::check_log`] makes of the log's first batches at most: the stream may be
/// trimmed as it is read, and the check then reads again from its new start.
const SEAL_CHECK_READS_MAX: u32 = 4;

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
    trail_pages: AtomicU64,
}

/// The keys one cluster seals with. Clones share their counts of forgeries met.
#[derive(Clone)]
pub struct ClusterSeal {
    batch_key: [u8; 32],
    head_key: [u8; 32],
    trail_key: [u8; 32],
    snapshot_key: [u8; 32],
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
            trail_key: secret.derive_key(TRAIL_KEY_CONTEXT),
            snapshot_key: secret.derive_key(SNAPSHOT_KEY_CONTEXT),
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

    /// Pages of audit trails read whose tag did not verify, since this seal was derived.
    pub fn forged_trail_pages(&self) -> u64 {
        self.forged.trail_pages.load(Ordering::Relaxed)
    }

    fn trail_tag(&self, trail: &NodeName, first: u64, bytes: &[u8]) -> blake3::Hash {
        let mut hasher = blake3::Hasher::new_keyed(&self.trail_key);
        // The name's length first, so no two (name, first) pairs hash alike.
        hasher.update(&[trail.as_str().len() as u8]);
        hasher.update(trail.as_str().as_bytes());
        hasher.update(&first.to_be_bytes());
        hasher.update(bytes);
        hasher.finalize()
    }

    /// A page of `trail`'s records from `first` on, with its tag in front: whoever could write
    /// the stream of trails could otherwise put records in any node's trail.
    pub fn seal_trail_page(&self, trail: &NodeName, first: u64, bytes: &[u8]) -> Vec<u8> {
        let mut sealed = Vec::with_capacity(SEAL_BYTES + bytes.len());
        sealed.extend_from_slice(self.trail_tag(trail, first, bytes).as_bytes());
        sealed.extend_from_slice(bytes);
        sealed
    }

    /// A page's bytes without their tag, if the tag verifies for this trail and first record;
    /// none (and counted) if not.
    pub fn open_trail_page(&self, page: &TrailPage) -> Option<Vec<u8>> {
        let verified = (page.bytes.split_at_checked(SEAL_BYTES)).filter(|(tag, bytes)| {
            let tag: [u8; SEAL_BYTES] = (*tag).try_into().expect("split at SEAL_BYTES");
            self.trail_tag(&page.trail, page.first, bytes) == blake3::Hash::from(tag)
        });
        match verified {
            Some((_, bytes)) => Some(bytes.to_vec()),
            None => {
                self.forged.trail_pages.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// The keyed hasher of a shelved snapshot's archive: its output is the archive's tag, so a
    /// node restores only an archive a node of its cluster made (the shelf's other writers
    /// cannot make one).
    pub fn snapshot_hasher(&self) -> blake3::Hasher {
        blake3::Hasher::new_keyed(&self.snapshot_key)
    }

    fn batch_tag(&self, id: BatchId, seen: Position, bytes: &[u8]) -> blake3::Hash {
        let mut hasher = blake3::Hasher::new_keyed(&self.batch_key);
        hasher.update(&id.0);
        hasher.update(&seen.to_be_bytes());
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

    /// The position its appender had seen, if a sealed batch's tag verifies (not counted).
    fn batch_verifies(&self, id: BatchId, sealed: &[u8]) -> Option<Position> {
        let (tag, rest) = sealed.split_at_checked(SEAL_BYTES)?;
        let (seen, bytes) = rest.split_at_checked(8)?;
        let tag: [u8; SEAL_BYTES] = tag.try_into().expect("split at SEAL_BYTES");
        let seen = Position::from_be_bytes(seen.try_into().expect("split at 8"));
        // `blake3::Hash`'s equality takes constant time.
        (self.batch_tag(id, seen, bytes) == blake3::Hash::from(tag)).then_some(seen)
    }

    /// Whether this is the seal of the cluster that wrote `log` (not sealed: the log as the
    /// log service holds it), told by the first [`SEAL_CHECK_BATCHES`] batches it holds: a
    /// node given another cluster's secret would apply only its own batches, and no head
    /// comparison would see it. [`SealCheck::Nothing`] if the log holds no batch yet.
    pub fn check_log(&self, log: &dyn CommandLog) -> Result<SealCheck, CommandLogError> {
        // From the log's first batch, wherever a trim meanwhile moved it.
        let mut from = 1;
        let mut reads = 1;
        let batches = loop {
            match log.read(from, SEAL_CHECK_BATCHES, Duration::ZERO) {
                Err(CommandLogError::Trimmed { first, .. })
                    if first > from && reads < SEAL_CHECK_READS_MAX =>
                {
                    from = first;
                    reads += 1;
                }
                read => break read?,
            }
        };
        if batches.is_empty() {
            return Ok(SealCheck::Nothing);
        }
        // One is enough: whoever could append junk could not seal it, and junk before the
        // cluster's first batch is not likely to fill the whole window.
        match (batches.iter()).any(|batch| self.batch_verifies(batch.id, &batch.bytes).is_some()) {
            true => Ok(SealCheck::Ours),
            false => Ok(SealCheck::Another {
                read: batches.len(),
            }),
        }
    }

    /// `bytes` with their envelope in front: the tag, and `seen`, a position the appender
    /// knew the log had reached (sealed with the bytes).
    pub fn seal_batch(&self, id: BatchId, seen: Position, bytes: &[u8]) -> Vec<u8> {
        let mut sealed = Vec::with_capacity(BATCH_SEAL_BYTES + bytes.len());
        sealed.extend_from_slice(self.batch_tag(id, seen, bytes).as_bytes());
        sealed.extend_from_slice(&seen.to_be_bytes());
        sealed.extend_from_slice(bytes);
        sealed
    }

    /// The bytes of the batch read at `position`, without their envelope (taken off in place),
    /// if the tag verifies and the batch landed after the position its appender had seen, by
    /// at most [`SEALED_POSITIONS_AHEAD_MAX`]; none (and counted) if not. A batch of the
    /// cluster's appended again under its own id lands either within that many positions of
    /// its first, where the core's remembered ids drop it, or past them, where this does.
    pub fn open_batch(
        &self,
        id: BatchId,
        position: Position,
        mut sealed: Vec<u8>,
    ) -> Option<Vec<u8>> {
        let in_time =
            |seen: Position| seen < position && position - seen <= SEALED_POSITIONS_AHEAD_MAX;
        if !self.batch_verifies(id, &sealed).is_some_and(in_time) {
            self.forged.batches.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        sealed.drain(..BATCH_SEAL_BYTES);
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
    /// The furthest position this node has seen the log reach (read or appended at); 0 until
    /// it has seen one.
    seen: AtomicU64,
}

impl SealedLog {
    /// `inner`, sealed with `seal`.
    pub fn new(inner: Arc<dyn CommandLog>, seal: ClusterSeal) -> SealedLog {
        SealedLog {
            inner,
            seal,
            seen: AtomicU64::new(0),
        }
    }

    /// What a new batch's envelope says was seen: the log's last position, asked once before
    /// this node's first append (a node still catching up would otherwise name a position
    /// far behind), then the furthest read or appended at. A node that has not appended for
    /// long and reads more than [`SEALED_POSITIONS_AHEAD_MAX`] batches behind the log has its
    /// batch passed over as too late; its callers' commands time out, unapplied.
    fn seen_for_append(&self) -> Result<Position, CommandLogError> {
        if self.seen.load(Ordering::Acquire) == 0 {
            let last = self.inner.last_position()?;
            self.seen.fetch_max(last, Ordering::AcqRel);
        }
        Ok(self.seen.load(Ordering::Acquire))
    }
}

impl CommandLog for SealedLog {
    fn append(&self, id: BatchId, bytes: Vec<u8>) -> Result<Appended, CommandLogError> {
        let seen = self.seen_for_append()?;
        let appended = self
            .inner
            .append(id, self.seal.seal_batch(id, seen, &bytes))?;
        self.seen.fetch_max(appended.position, Ordering::AcqRel);
        Ok(appended)
    }

    /// Sealed as [`SealedLog::append`] seals, and sent on by the inner log's own
    /// `start_append` (so a log that keeps several appends on their way still does). Where
    /// the batch lands is not seen here: the applier's reads move what was seen past it.
    fn start_append(&self, id: BatchId, bytes: Vec<u8>, finished: &Sender<AppendFinished>) {
        match self.seen_for_append() {
            Ok(seen) => {
                let sealed = self.seal.seal_batch(id, seen, &bytes);
                self.inner.start_append(id, sealed, finished);
            }
            Err(error) => AppendFinished::report(finished, id, Err(error)),
        }
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
            batch.bytes =
                (self.seal.open_batch(batch.id, batch.position, sealed)).unwrap_or_default();
        }
        if let Some(last) = batches.last() {
            self.seen.fetch_max(last.position, Ordering::AcqRel);
        }
        Ok(batches)
    }

    fn last_position(&self) -> Result<Position, CommandLogError> {
        self.inner.last_position()
    }

    fn first_position(&self) -> Result<Position, CommandLogError> {
        self.inner.first_position()
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
        inner
            .append(id(3), other.seal_batch(id(3), 2, b"x"))
            .unwrap();
        inner
            .append(id(4), seal.seal_batch(id(1), 0, b"first"))
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
    fn a_batch_opens_only_after_the_position_its_appender_had_seen_and_not_too_long_after() {
        let seal = seal_of(1);
        let sealed = seal.seal_batch(id(1), 10, b"sale");
        let opens = |position| seal.open_batch(id(1), position, sealed.clone()).is_some();
        assert!(opens(11), "just after");
        assert!(
            opens(10 + SEALED_POSITIONS_AHEAD_MAX),
            "the last position in time"
        );
        assert!(!opens(10), "not at the position seen: it was there already");
        assert!(!opens(3), "nor before it");
        assert!(
            !opens(11 + SEALED_POSITIONS_AHEAD_MAX),
            "appended again past the core's remembered ids"
        );
        // The position seen is sealed: moved forward to bring an old batch back in time, the
        // tag fails.
        let mut moved = sealed.clone();
        moved[SEAL_BYTES..BATCH_SEAL_BYTES].copy_from_slice(&1_000_000u64.to_be_bytes());
        assert!(seal.open_batch(id(1), 1_000_001, moved).is_none());
        assert_eq!(seal.forged_batches(), 4);
        assert_eq!(seal.open_batch(id(1), 11, sealed).unwrap(), b"sale");
    }

    #[test]
    fn a_node_seals_the_logs_last_position_before_its_first_append_then_what_it_saw() {
        let inner: Arc<dyn CommandLog> = Arc::new(LocalLog::new());
        for n in 1..=3 {
            inner.append(id(n), Vec::new()).unwrap();
        }
        let seal = seal_of(1);
        let log = SealedLog::new(inner.clone(), seal.clone());
        let seen_in = |position| {
            let batch = &inner.read(position, 1, Duration::ZERO).unwrap()[0];
            let seen = &batch.bytes[SEAL_BYTES..BATCH_SEAL_BYTES];
            u64::from_be_bytes(seen.try_into().unwrap())
        };
        assert_eq!(log.append(id(7), b"a".to_vec()).unwrap().position, 4);
        assert_eq!(
            seen_in(4),
            3,
            "the log's last position, asked before the first append"
        );
        inner.append(id(8), Vec::new()).unwrap();
        log.append(id(9), b"b".to_vec()).unwrap();
        assert_eq!(
            seen_in(6),
            4,
            "its own last append: position 5 not read yet"
        );
        log.read(1, 16, Duration::ZERO).unwrap();
        log.append(id(10), b"c".to_vec()).unwrap();
        assert_eq!(seen_in(7), 6, "the furthest read");
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
