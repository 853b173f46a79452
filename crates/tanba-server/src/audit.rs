//! The audit trail (R-IS-23): every call, by a participant or anonymous, leaves a record of when,
//! who, from which IP, which method, the key arguments and the outcome. Records are append-only
//! and chained with BLAKE3 like the event log, so a removed or altered record breaks the chain.
//!
//! A call that writes (a command the engine accepts) hands its record to the engine with the
//! command: the engine commits it as a *note* in the same batch as the command's events, so a
//! write and its record are on disk together or not at all, across any crash. Every other call
//! (reads, refusals, writes that failed) hands its record to one writer thread through a bounded
//! queue (a full queue makes callers wait: records are never dropped).
//!
//! The writer numbers, chains and commits in batches, one synced write per batch: first the
//! notes the engine committed since its last batch (each chained with the log sequence of its
//! write, and deleted in the same batch), then the queued records. It looks for notes whenever
//! it writes, when a call's command is accepted, at least every [`AUDIT_NOTES_SWEEP`], and at
//! start, so notes a crash left unchained are chained before any new record.
//!
//! A queued record is on disk as soon as the batches ahead of it are: at most
//! [`AUDIT_QUEUE_MAX`] records, a few milliseconds on a working disk. The stated bound is
//! [`AUDIT_DURABLE_WITHIN`]: a crash loses only records of calls answered less than that
//! before it (the server-level SIGKILL test counts them), and never a write's record.
//!
//! Layout of the audit column:
//!
//! | key | value |
//! |---|---|
//! | `h` | head: last sequence (u64 BE) + its chain hash |
//! | `a` + sequence (u64 BE) | chain hash + [`AuditRecord`] (postcard) |
//! | `p` + IIN/BIN + sequence | empty: a participant's calls |
//! | `c` + code + sequence | empty: the calls that named a code |
//! | `k` + sequence (u64 BE) | a [`Checkpoint`] (postcard) signed with the operator's key: the chain's hash at that record |
//! | `w` + log sequence (u64 BE) | a write's [`AuditRecord`] (postcard), committed by the engine with the write, not yet chained ([`tanba_engine::keys::audit_note`]) |
//! | `l` | the log sequence (u64 BE) of the last write whose note the trail chained |
//! | `f` + name length (u8) + node name + `h`/`a`/`p`/`c`... | another node's trail, copied from the cluster's stream ([`Trail::Of`], `crate::trails`) |
//! | `g` | the position in the cluster's stream of trails copied through (u64 BE) |
//! | `o` | the position in that stream of this node's last published page (u64 BE) |
//!
//! A checkpoint is signed every [`AUDIT_CHECKPOINT_RECORDS`] records and when the writer stops,
//! so that someone able to write the database cannot rewrite the trail up to it unnoticed:
//! [`verify`] checks every signature and that each names the hash the chain gives.

use std::net::IpAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use serde::{Deserialize, Serialize};
use tanba_crypto::{
    ChainHash, Checkpoint, GENESIS, KeyRing, PublicKeySet, chain_next, sign_checkpoint,
    verify_checkpoint,
};
use tanba_engine::heads::NodeName;
use tanba_store::{Column, Durability, Snapshot, Store, WriteBatch};
use tanba_types::{CodeKey, TaxpayerId};
use tokio::sync::mpsc;

/// Records waiting for the writer; callers wait when it is full.
pub const AUDIT_QUEUE_MAX: usize = 65_536;
/// Records per batch the writer commits.
pub const AUDIT_BATCH_MAX: usize = 4_096;
/// Writes one batch may hold (records and their indexes), well under the store's own limit.
pub const AUDIT_BATCH_WRITES_MAX: usize = 100_000;
/// The pause before retrying a failed audit write (times the attempt, up to 50).
pub const AUDIT_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);
/// Longest reference (document, order or receipt id) a record keeps, in characters.
pub const AUDIT_REFERENCE_CHARS_MAX: usize = 128;
/// Codes one record names and indexes; a call that names more records the count
/// (`codes_total`), and the engine's history names every code it changed.
pub const AUDIT_CODES_MAX: usize = 1_000;
/// Document (or order) ids one record names.
pub const AUDIT_DOCUMENTS_MAX: usize = 16;
/// How often the writer looks for notes even when no call tells it of one (a call whose
/// client left between its write and its answer).
pub const AUDIT_NOTES_SWEEP: std::time::Duration = std::time::Duration::from_secs(1);
/// The documented bound: a queued record is durable this long after its call answered, while
/// the disk takes writes. Writes' records are durable with the write.
pub const AUDIT_DURABLE_WITHIN: std::time::Duration = std::time::Duration::from_secs(1);
/// Most records one query returns.
pub const AUDIT_QUERY_RECORDS_MAX: usize = 100_000;

const HEAD: u8 = b'h';
const RECORD: u8 = b'a';
const BY_PARTICIPANT: u8 = b'p';
const BY_CODE: u8 = b'c';
const CHECKPOINT: u8 = b'k';
/// The log sequence of the last write whose note the trail chained (u64 BE): a note at or
/// before it is already in the trail (taken back from the cluster's copy after a restore, and
/// committed again as the node re-applied the write), and is deleted unchained.
const NOTES_CHAINED: &[u8] = b"l";
/// The position in the cluster's stream of trails through which this node copied the other
/// nodes' pages (u64 BE).
const TRAILS_COPIED_THROUGH: &[u8] = b"g";
/// The position in that stream of the last page of this node's own trail it published.
const OWN_PUBLISHED_AT: &[u8] = b"o";
/// The prefix of another node's trail, copied from the cluster's stream: then the name's
/// length (one byte), the name, and the keys of a trail (`h`, `a`, `p`, `c`) as above.
const COPIED_TRAIL: u8 = b'f';

/// Whose trail: this node's own (the keys above), or another node's, copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Trail {
    /// The calls this node served.
    #[default]
    Own,
    /// The calls the named node served, as copied from the cluster's stream of trails.
    Of(NodeName),
}

impl Trail {
    /// The key of `kind` (`h`, `a`, `p`, `c`) in this trail.
    fn key(&self, kind: u8) -> Vec<u8> {
        match self {
            Trail::Own => vec![kind],
            Trail::Of(node) => {
                let name = node.as_str().as_bytes();
                let mut key = Vec::with_capacity(name.len() + 3);
                key.push(COPIED_TRAIL);
                key.push(name.len() as u8);
                key.extend_from_slice(name);
                key.push(kind);
                key
            }
        }
    }
}

/// Records between signed audit checkpoints.
pub const AUDIT_CHECKPOINT_RECORDS: u64 = 10_000;

/// One call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When the call arrived, unix milliseconds (never earlier than the record before).
    pub time_ms: u64,
    /// Who, if signed in.
    pub participant: Option<TaxpayerId>,
    /// Whom it acted for, if not itself: the seller a fiscal data operator forwarded a receipt
    /// of. The call is found under both.
    pub acting_for: Option<TaxpayerId>,
    /// The client's IP: the socket's, or the forwarded one from a trusted proxy.
    pub client_ip: IpAddr,
    /// The method: `tanba.v1.RetailService/SubmitReceipt`, `GET /v1/check`.
    pub method: String,
    /// The codes it named (at most [`AUDIT_CODES_MAX`]).
    pub codes: Vec<CodeKey>,
    /// How many codes it named in all.
    pub codes_total: u32,
    /// Document, order and receipt ids it named.
    pub references: Vec<String>,
    /// `None` if it succeeded, else the error code.
    pub error: Option<String>,
    /// For a write the engine accepted, the log sequence of its first event (set when its
    /// note is chained): the call and the log entries it made, linked both ways.
    pub log_sequence: Option<u64>,
}

/// What the writer is handed.
#[derive(Debug)]
pub enum AuditEntry {
    /// A call's record, to chain.
    Record(AuditRecord),
    /// A write was accepted: its note is in the store.
    NoteWritten,
}

/// A stored record with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAuditRecord {
    /// Its sequence, from 1.
    pub sequence: u64,
    /// The chain hash through it.
    pub hash: ChainHash,
    /// The record.
    pub record: AuditRecord,
}

/// Why the audit trail cannot be read or does not verify.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The store failed.
    #[error("audit store: {0}")]
    Store(#[from] tanba_store::StoreError),
    /// A record does not decode, or the chain does not hold.
    #[error("audit trail broken at {sequence}: {reason}")]
    Broken {
        /// Where.
        sequence: u64,
        /// What.
        reason: &'static str,
    },
}

/// The writing side: hand records to [`AuditLog::record`].
pub struct AuditLog {
    sender: mpsc::Sender<AuditEntry>,
    writer: Option<JoinHandle<()>>,
}

impl AuditLog {
    /// Starts the writer over `store`, continuing the chain already there and chaining first
    /// the notes a crash left; checkpoints are signed with `ring`'s active signing key.
    /// `log_head` is the engine's head now: no note is past it.
    pub fn start(
        store: Arc<dyn Store>,
        ring: Arc<KeyRing>,
        log_head: u64,
    ) -> Result<AuditLog, AuditError> {
        let snapshot = store.snapshot();
        let (sequence, hash) = head(snapshot.as_ref(), &Trail::Own)?;
        // Time order must hold across restarts too, whatever the clock did meanwhile.
        let last_time_ms = match sequence {
            0 => 0,
            _ => (read(snapshot.as_ref(), &Trail::Own, sequence)?)
                .map_or(0, |stored| stored.record.time_ms),
        };
        let notes_chained = notes_chained(snapshot.as_ref())?;
        drop(snapshot);
        let (sender, receiver) = mpsc::channel::<AuditEntry>(AUDIT_QUEUE_MAX);
        let writer = Writer {
            store,
            ring,
            sequence,
            hash,
            last_time_ms,
            checkpointed: sequence,
            next_note: 0,
            notes_floor: log_head + 1,
            notes_chained,
        };
        // The sweep holds a weak sender, so it never keeps the writer from stopping.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let weak = sender.downgrade();
            runtime.spawn(async move {
                let mut sweep = tokio::time::interval(AUDIT_NOTES_SWEEP);
                loop {
                    sweep.tick().await;
                    let Some(sender) = weak.upgrade() else { return };
                    let _ = sender.try_send(AuditEntry::NoteWritten);
                }
            });
        }
        let writer = std::thread::Builder::new()
            .name("tanba-audit".into())
            .spawn(move || writer.run(receiver))
            .map_err(|_| AuditError::Broken {
                sequence: 0,
                reason: "cannot start the audit writer",
            })?;
        Ok(AuditLog {
            sender,
            writer: Some(writer),
        })
    }

    /// A sender for records written where no `.await` is possible (a call dropped midway).
    pub fn sender(&self) -> mpsc::Sender<AuditEntry> {
        self.sender.clone()
    }

    /// Queues a record; waits while the queue is full.
    pub async fn record(&self, record: AuditRecord) {
        if self.sender.send(AuditEntry::Record(record)).await.is_err() {
            tracing::error!("the audit writer has stopped");
        }
    }

    /// Tells the writer a write's note is committed, so it is chained now rather than at the
    /// next sweep (a full queue means the writer is busy and will find it anyway).
    pub fn note_written(&self) {
        let _ = self.sender.try_send(AuditEntry::NoteWritten);
    }

    /// The note a call that writes hands to the engine: its record, encoded.
    pub fn note(record: &AuditRecord) -> Vec<u8> {
        postcard::to_stdvec(record).expect("records serialize")
    }

    /// Stops taking records, writes what is queued and waits for the writer.
    pub fn close(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        let (closed, _) = mpsc::channel(1);
        drop(std::mem::replace(&mut self.sender, closed));
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The writer thread's state: the chain's end.
struct Writer {
    store: Arc<dyn Store>,
    ring: Arc<KeyRing>,
    sequence: u64,
    hash: ChainHash,
    last_time_ms: u64,
    /// The last sequence a checkpoint covers (or the head at start).
    checkpointed: u64,
    /// The log sequence from which notes are looked for: every note before it is chained
    /// (their deleted keys are never walked again).
    next_note: u64,
    /// The engine's head at start, plus one: once no note is left below it, looking starts
    /// there.
    notes_floor: u64,
    /// The log sequence of the last write whose note is in the trail ([`NOTES_CHAINED`]).
    notes_chained: u64,
}

/// How many writes a record makes: itself, its participants' index entries, one per code.
fn writes_of(record: &AuditRecord) -> usize {
    1 + usize::from(record.participant.is_some())
        + usize::from(record.acting_for.is_some())
        + record.codes.len()
}

impl Writer {
    /// Takes records until every sender is gone, in batches bounded by records and by writes;
    /// first the notes a crash left.
    fn run(mut self, mut receiver: mpsc::Receiver<AuditEntry>) {
        while self.commit(Vec::new()) {}
        let mut pending: Option<AuditEntry> = None;
        loop {
            let Some(first) = pending.take().or_else(|| receiver.blocking_recv()) else {
                // Every sender is gone: the server is stopping. The trail so far is signed.
                while self.commit(Vec::new()) {}
                self.checkpoint();
                return;
            };
            let mut writes = 0;
            let mut records = Vec::new();
            let mut next = Some(first);
            while let Some(entry) = next.take() {
                if let AuditEntry::Record(record) = entry {
                    if writes + writes_of(&record) > AUDIT_BATCH_WRITES_MAX {
                        pending = Some(AuditEntry::Record(record));
                        break;
                    }
                    writes += writes_of(&record);
                    records.push(record);
                }
                if records.len() < AUDIT_BATCH_MAX {
                    next = receiver.try_recv().ok();
                }
            }
            let mut more_notes = self.commit(records);
            while more_notes {
                more_notes = self.commit(Vec::new());
            }
        }
    }

    /// The notes the engine committed that are not chained yet, oldest first, as many as one
    /// batch holds beside its records, with whether more may wait.
    fn notes(&self) -> (Vec<(u64, AuditRecord)>, bool) {
        let start = tanba_engine::keys::audit_note(self.next_note);
        let page = match self.store.snapshot().scan_from(
            Column::Audit,
            &[tanba_engine::keys::AUDIT_NOTE],
            &start,
            AUDIT_BATCH_MAX,
        ) {
            Ok(page) => page,
            Err(error) => {
                tracing::error!(%error, "audit notes cannot be read; retried at the next batch");
                return (Vec::new(), false);
            }
        };
        let full = page.len() == AUDIT_BATCH_MAX;
        let mut writes = 0;
        let mut notes = Vec::with_capacity(page.len());
        for (key, bytes) in page {
            let sequence = u64::from_be_bytes(key[1..].try_into().unwrap_or_default());
            let record = postcard::from_bytes(&bytes).unwrap_or_else(|_| {
                tracing::error!(sequence, "an audit note does not decode; chained as such");
                unreadable_note()
            });
            writes += writes_of(&record) + 1;
            if writes > AUDIT_BATCH_WRITES_MAX && !notes.is_empty() {
                return (notes, true);
            }
            notes.push((sequence, record));
        }
        (notes, full)
    }

    /// Chains and writes one batch (the waiting notes, then `records`), retrying until the
    /// disk takes it: a record is never dropped; while the disk refuses, the queue fills and
    /// callers wait. Returns whether more notes may wait.
    fn commit(&mut self, records: Vec<AuditRecord>) -> bool {
        let (notes, more_notes) = self.notes();
        if notes.is_empty() && records.is_empty() {
            if !more_notes {
                self.next_note = self.next_note.max(self.notes_floor);
            }
            return false;
        }
        let noted: Vec<u64> = notes.iter().map(|(sequence, _)| *sequence).collect();
        let notes_chained = noted
            .iter()
            .fold(self.notes_chained, |last, &s| last.max(s));
        let mut records: Vec<AuditRecord> = (notes.into_iter())
            // Already in the trail: taken back from the cluster's copy, and noted again.
            .filter(|(log_sequence, _)| *log_sequence > self.notes_chained)
            .map(|(log_sequence, mut record)| {
                record.log_sequence = Some(log_sequence);
                record
            })
            .chain(records)
            .collect();
        let count = records.len() as u64;
        // Stamped, encoded and chained once; only the write is retried.
        let (mut sequence, mut hash, mut last_time_ms) =
            (self.sequence, self.hash, self.last_time_ms);
        let mut chained = Vec::with_capacity(records.len());
        for record in &mut records {
            // Time order is sequence order, which the time-range query relies on.
            record.time_ms = record.time_ms.max(last_time_ms);
            last_time_ms = record.time_ms;
            sequence += 1;
            let bytes = postcard::to_stdvec(&*record).expect("records serialize");
            hash = chain_next(&hash, sequence, &bytes);
            chained.push((sequence, hash, bytes));
        }
        let mut head_value = sequence.to_be_bytes().to_vec();
        head_value.extend_from_slice(&hash.0);
        let mut attempt: u32 = 0;
        loop {
            let mut batch = WriteBatch::new();
            let written = records
                .iter()
                .zip(&chained)
                .try_for_each(|(record, (sequence, hash, bytes))| {
                    add(&mut batch, &Trail::Own, *sequence, hash, record, bytes)
                })
                .and_then(|()| {
                    noted.iter().try_for_each(|log_sequence| {
                        let key = tanba_engine::keys::audit_note(*log_sequence);
                        batch.delete(Column::Audit, key)
                    })
                })
                .and_then(|()| batch.put(Column::Audit, vec![HEAD], head_value.clone()))
                .and_then(|()| match notes_chained > self.notes_chained {
                    true => batch.put(
                        Column::Audit,
                        NOTES_CHAINED.to_vec(),
                        notes_chained.to_be_bytes().to_vec(),
                    ),
                    false => Ok(()),
                })
                .and_then(|()| self.store.write(batch, Durability::Synced));
            match written {
                Ok(()) => {
                    (self.sequence, self.hash, self.last_time_ms) = (sequence, hash, last_time_ms);
                    self.notes_chained = notes_chained;
                    if let Some(last) = noted.last() {
                        self.next_note = last + 1;
                    }
                    metrics::counter!("tanba_audit_records_total").increment(count);
                    if self.sequence - self.checkpointed >= AUDIT_CHECKPOINT_RECORDS {
                        self.checkpoint();
                    }
                    return more_notes;
                }
                Err(error) => {
                    attempt += 1;
                    tracing::error!(%error, records = count, attempt, "audit write failed; retrying");
                    metrics::counter!("tanba_audit_write_failures_total").increment(1);
                    std::thread::sleep(AUDIT_RETRY_PAUSE * attempt.min(50));
                }
            }
        }
    }
}

impl Writer {
    /// Signs and stores a checkpoint of the chain's end, if anything came since the last one.
    /// A failure is logged and retried at the next occasion: the records are already safe.
    fn checkpoint(&mut self) {
        if self.sequence == self.checkpointed {
            return;
        }
        let signed = sign_checkpoint(
            self.ring.active_signing_key(),
            self.sequence,
            self.hash,
            self.last_time_ms,
        );
        let written = match signed {
            Ok(checkpoint) => {
                let mut batch = WriteBatch::new();
                batch
                    .put(
                        Column::Audit,
                        checkpoint_key(self.sequence),
                        postcard::to_stdvec(&checkpoint).expect("checkpoints serialize"),
                    )
                    .and_then(|()| self.store.write(batch, Durability::Synced))
                    .map_err(|error| error.to_string())
            }
            Err(error) => Err(error.to_string()),
        };
        match written {
            Ok(()) => self.checkpointed = self.sequence,
            Err(error) => tracing::error!(%error, "audit checkpoint not signed"),
        }
    }
}

/// The record chained in place of a note that does not decode: the write happened (the log has
/// it), so its place in the trail is kept and shows the damage.
fn unreadable_note() -> AuditRecord {
    AuditRecord {
        time_ms: 0,
        participant: None,
        acting_for: None,
        client_ip: IpAddr::from([0, 0, 0, 0]),
        method: "(an audit note that does not decode)".into(),
        codes: Vec::new(),
        codes_total: 0,
        references: Vec::new(),
        error: Some("TANBA-AUDIT-NOTE-UNREADABLE".into()),
        log_sequence: None,
    }
}

fn checkpoint_key(sequence: u64) -> Vec<u8> {
    let mut key = vec![CHECKPOINT];
    key.extend_from_slice(&sequence.to_be_bytes());
    key
}

fn add(
    batch: &mut WriteBatch,
    trail: &Trail,
    sequence: u64,
    hash: &ChainHash,
    record: &AuditRecord,
    bytes: &[u8],
) -> Result<(), tanba_store::StoreError> {
    let mut value = Vec::with_capacity(32 + bytes.len());
    value.extend_from_slice(&hash.0);
    value.extend_from_slice(bytes);
    batch.put(Column::Audit, record_key(trail, sequence), value)?;
    for participant in record.participant.iter().chain(&record.acting_for) {
        let mut key = participant_prefix(trail, participant);
        key.extend_from_slice(&sequence.to_be_bytes());
        batch.put(Column::Audit, key, Vec::new())?;
    }
    for code in &record.codes {
        let mut key = code_prefix(trail, code);
        key.extend_from_slice(&sequence.to_be_bytes());
        batch.put(Column::Audit, key, Vec::new())?;
    }
    Ok(())
}

fn record_key(trail: &Trail, sequence: u64) -> Vec<u8> {
    let mut key = trail.key(RECORD);
    key.extend_from_slice(&sequence.to_be_bytes());
    key
}

fn participant_prefix(trail: &Trail, participant: &TaxpayerId) -> Vec<u8> {
    let mut key = trail.key(BY_PARTICIPANT);
    key.extend_from_slice(&participant.to_ascii());
    key
}

fn code_prefix(trail: &Trail, code: &CodeKey) -> Vec<u8> {
    let mut key = trail.key(BY_CODE);
    code.write_bytes(&mut key);
    key
}

fn read(
    snapshot: &dyn Snapshot,
    trail: &Trail,
    sequence: u64,
) -> Result<Option<StoredAuditRecord>, AuditError> {
    let Some(value) = snapshot.get(Column::Audit, &record_key(trail, sequence))? else {
        return Ok(None);
    };
    decode(sequence, &value).map(Some)
}

fn decode(sequence: u64, value: &[u8]) -> Result<StoredAuditRecord, AuditError> {
    let broken = |reason| AuditError::Broken { sequence, reason };
    if value.len() < 32 {
        return Err(broken("record too short"));
    }
    let (hash, bytes) = value.split_at(32);
    Ok(StoredAuditRecord {
        sequence,
        hash: ChainHash(hash.try_into().expect("32 bytes")),
        record: postcard::from_bytes(bytes).map_err(|_| broken("record does not decode"))?,
    })
}

/// This node's records after `after`, as stored (chain hash, then the record), at most
/// `records_max` and about `bytes_max` bytes (at least one record): a page for the cluster's
/// stream of trails.
pub fn own_records_after(
    snapshot: &dyn Snapshot,
    after: u64,
    records_max: usize,
    bytes_max: usize,
) -> Result<Vec<Vec<u8>>, AuditError> {
    let mut from = record_key(&Trail::Own, after + 1);
    let (mut values, mut bytes) = (Vec::new(), 0);
    while values.len() < records_max {
        let wanted = (records_max - values.len()).min(1_000);
        let page = snapshot.scan_from(Column::Audit, &[RECORD], &from, wanted)?;
        for (_, value) in &page {
            if !values.is_empty() && bytes + value.len() > bytes_max {
                return Ok(values);
            }
            bytes += value.len();
            values.push(value.clone());
        }
        match page.last() {
            Some((key, _)) if page.len() == wanted => {
                from = key.clone();
                from.push(0);
            }
            _ => break,
        }
    }
    Ok(values)
}

/// Removes this node's own trail (its records, indexes, checkpoints and head) and the position
/// its copies of the others' trails were read through, keeping those copies and the writes'
/// notes: what a store restored from another node's snapshot must not keep, or it would take
/// that node's calls for its own. The records are not lost: they are that node's, on the
/// cluster's stream of trails, copied again from its start. How many keys went.
pub fn forget_own_trail(store: &dyn Store) -> Result<u64, AuditError> {
    let mut removed = 0;
    for prefix in [HEAD, RECORD, BY_PARTICIPANT, BY_CODE, CHECKPOINT] {
        loop {
            let page = store
                .snapshot()
                .scan_from(Column::Audit, &[prefix], &[prefix], 10_000)?;
            if page.is_empty() {
                break;
            }
            let mut batch = WriteBatch::new();
            for (key, _) in &page {
                batch.delete(Column::Audit, key.clone())?;
            }
            removed += page.len() as u64;
            store.write(batch, Durability::Buffered)?;
        }
    }
    let mut batch = WriteBatch::new();
    for key in [NOTES_CHAINED, TRAILS_COPIED_THROUGH, OWN_PUBLISHED_AT] {
        batch.delete(Column::Audit, key.to_vec())?;
    }
    store.write(batch, Durability::Synced)?;
    Ok(removed)
}

/// What [`copy_records`] did with a page of a trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    /// Records added to the trail.
    pub added: u64,
    /// Records the trail held already (the same ones: a page published again).
    pub held: u64,
}

/// Adds to `trail` the records of a page whose first is `first`, as stored by the node whose
/// trail it is (chain hash, then the record), checking that each continues the chain, in one
/// synced write with `copied_through` (the page's position in the stream, for another node's
/// trail). Refused, with nothing written, if the page starts past the trail's end (a page is
/// missing), differs from a record held, or breaks the chain. Taking back this node's own
/// records (after a restore) also marks their writes' notes as chained.
pub fn copy_records(
    store: &dyn Store,
    trail: &Trail,
    first: u64,
    values: &[Vec<u8>],
    copied_through: Option<u64>,
) -> Result<Copied, AuditError> {
    let snapshot = store.snapshot();
    let (last, mut hash) = head(snapshot.as_ref(), trail)?;
    if first == 0 || first > last + 1 {
        return Err(AuditError::Broken {
            sequence: last + 1,
            reason: "a page of the trail is missing",
        });
    }
    let mut batch = WriteBatch::new();
    let (mut added, mut held, mut notes) = (0, 0, notes_chained(snapshot.as_ref())?);
    for (sequence, value) in (first..).zip(values) {
        let stored = decode(sequence, value)?;
        if sequence <= last {
            let ours = snapshot.get(Column::Audit, &record_key(trail, sequence))?;
            if ours.as_deref() != Some(value.as_slice()) {
                return Err(AuditError::Broken {
                    sequence,
                    reason: "a copied record differs from the one held",
                });
            }
            held += 1;
            continue;
        }
        hash = chain_next(&hash, sequence, &value[32..]);
        if hash != stored.hash {
            return Err(AuditError::Broken {
                sequence,
                reason: "a copied record does not continue the chain",
            });
        }
        add(
            &mut batch,
            trail,
            sequence,
            &hash,
            &stored.record,
            &value[32..],
        )?;
        notes = notes.max(stored.record.log_sequence.unwrap_or(0));
        added += 1;
    }
    if added > 0 {
        let mut head_value = (last + added).to_be_bytes().to_vec();
        head_value.extend_from_slice(&hash.0);
        batch.put(Column::Audit, trail.key(HEAD), head_value)?;
    }
    if *trail == Trail::Own && added > 0 {
        batch.put(
            Column::Audit,
            NOTES_CHAINED.to_vec(),
            notes.to_be_bytes().to_vec(),
        )?;
    }
    if let Some(position) = copied_through {
        batch.put(
            Column::Audit,
            TRAILS_COPIED_THROUGH.to_vec(),
            position.to_be_bytes().to_vec(),
        )?;
    }
    if added > 0 || copied_through.is_some() {
        store.write(batch, Durability::Synced)?;
    }
    Ok(Copied { added, held })
}

/// A number kept under `key` in the audit column (u64 BE; 0 if none).
fn kept_number(snapshot: &dyn Snapshot, key: &[u8]) -> Result<u64, AuditError> {
    let value = snapshot.get(Column::Audit, key)?;
    Ok(value.map_or(0, |bytes| {
        u64::from_be_bytes(bytes.as_slice().try_into().unwrap_or_default())
    }))
}

/// Keeps `value` under `key` in the audit column (a cursor: lost in a crash, it is only read
/// again from further back).
fn keep_number(store: &dyn Store, key: &[u8], value: u64) -> Result<(), AuditError> {
    let mut batch = WriteBatch::new();
    batch.put(Column::Audit, key.to_vec(), value.to_be_bytes().to_vec())?;
    Ok(store.write(batch, Durability::Buffered)?)
}

/// The position in the stream of trails through which this node copied other nodes' pages.
pub fn trails_copied_through(snapshot: &dyn Snapshot) -> Result<u64, AuditError> {
    kept_number(snapshot, TRAILS_COPIED_THROUGH)
}

/// Notes that the stream of trails was read through `position` (pages passed over: this
/// node's own, refused, or no node's).
pub fn set_trails_copied_through(store: &dyn Store, position: u64) -> Result<(), AuditError> {
    keep_number(store, TRAILS_COPIED_THROUGH, position)
}

/// The position of the last page of this node's own trail it published (0: none known): where
/// reading its own pages back begins.
pub fn own_published_at(snapshot: &dyn Snapshot) -> Result<u64, AuditError> {
    kept_number(snapshot, OWN_PUBLISHED_AT)
}

/// Notes that a page of this node's own trail went to `position`.
pub fn set_own_published_at(store: &dyn Store, position: u64) -> Result<(), AuditError> {
    keep_number(store, OWN_PUBLISHED_AT, position)
}

/// Checks a page of this node's own trail read from the stream against the records held,
/// writing nothing (the trail's writer may be running): the last record it holds. Refused if
/// a record differs, or if the page goes past the trail's end.
pub fn compare_own_records(
    snapshot: &dyn Snapshot,
    first: u64,
    values: &[Vec<u8>],
) -> Result<u64, AuditError> {
    let (last, _) = head(snapshot, &Trail::Own)?;
    if values.is_empty() || first == 0 || first > last {
        return Err(AuditError::Broken {
            sequence: first,
            reason: "the stream holds a page of this node's trail it does not hold",
        });
    }
    for (sequence, value) in (first..).zip(values) {
        let held = match sequence <= last {
            true => snapshot.get(Column::Audit, &record_key(&Trail::Own, sequence))?,
            false => None,
        };
        if held.as_deref() != Some(value.as_slice()) {
            return Err(AuditError::Broken {
                sequence,
                reason: "the stream's copy of this node's trail differs from the trail held",
            });
        }
    }
    Ok(first + values.len() as u64 - 1)
}

/// Which records a query wants.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only this participant's calls.
    pub participant: Option<TaxpayerId>,
    /// Only calls that named this code.
    pub code: Option<CodeKey>,
    /// From this time on, unix milliseconds.
    pub from_ms: u64,
    /// Before this time (0: no end).
    pub until_ms: u64,
    /// Only records after this sequence (paging).
    pub after: u64,
    /// At most this many (capped at [`AUDIT_QUERY_RECORDS_MAX`]).
    pub limit: usize,
    /// Whose trail: this node's, or another's copied here.
    pub trail: Trail,
}

/// Records matching `query`, oldest first.
pub fn query(
    snapshot: &dyn Snapshot,
    query: &AuditQuery,
) -> Result<Vec<StoredAuditRecord>, AuditError> {
    let limit = query.limit.clamp(1, AUDIT_QUERY_RECORDS_MAX);
    let trail = &query.trail;
    let (last, _) = head(snapshot, trail)?;
    let start = query
        .after
        .max(first_at_or_after(snapshot, trail, query.from_ms, last)? - 1)
        + 1;
    let in_range =
        |record: &StoredAuditRecord| query.until_ms == 0 || record.record.time_ms < query.until_ms;
    let prefix = match (&query.participant, &query.code) {
        (Some(participant), _) => Some(participant_prefix(trail, participant)),
        (None, Some(code)) => Some(code_prefix(trail, code)),
        (None, None) => None,
    };
    let mut found = Vec::new();
    let Some(prefix) = prefix else {
        for sequence in start..=last {
            let Some(record) = read(snapshot, trail, sequence)? else {
                break;
            };
            if !in_range(&record) || found.len() == limit {
                break;
            }
            found.push(record);
        }
        return Ok(found);
    };
    let mut from = prefix.clone();
    from.extend_from_slice(&start.to_be_bytes());
    loop {
        let page = snapshot.scan_from(Column::Audit, &prefix, &from, 1_000)?;
        let exhausted = page.len() < 1_000;
        for (key, _) in &page {
            let sequence = u64::from_be_bytes(key[key.len() - 8..].try_into().expect("8 bytes"));
            let record = read(snapshot, trail, sequence)?.ok_or(AuditError::Broken {
                sequence,
                reason: "index names a missing record",
            })?;
            if !in_range(&record) {
                return Ok(found);
            }
            // Filtering by both participant and code: the participant's index, checked here.
            if query
                .code
                .is_none_or(|code| record.record.codes.contains(&code))
            {
                found.push(record);
                if found.len() == limit {
                    return Ok(found);
                }
            }
        }
        match page.last() {
            Some((key, _)) if !exhausted => {
                from = key.clone();
                from.push(0);
            }
            _ => return Ok(found),
        }
    }
}

/// The last sequence of `trail` and its hash (0 and genesis for an empty trail).
pub fn head(snapshot: &dyn Snapshot, trail: &Trail) -> Result<(u64, ChainHash), AuditError> {
    match snapshot.get(Column::Audit, &trail.key(HEAD))? {
        None => Ok((0, GENESIS)),
        Some(value) if value.len() == 40 => Ok((
            u64::from_be_bytes(value[..8].try_into().expect("8 bytes")),
            ChainHash(value[8..].try_into().expect("32 bytes")),
        )),
        Some(_) => Err(AuditError::Broken {
            sequence: 0,
            reason: "malformed head",
        }),
    }
}

/// The log sequence of the last write whose note the trail chained (0 if none, or if the trail
/// is older than the key).
fn notes_chained(snapshot: &dyn Snapshot) -> Result<u64, AuditError> {
    kept_number(snapshot, NOTES_CHAINED)
}

/// The first sequence whose time is at least `time_ms` (or `last + 1`): records are in time
/// order, so a binary search over sequences finds it in about 30 reads.
fn first_at_or_after(
    snapshot: &dyn Snapshot,
    trail: &Trail,
    time_ms: u64,
    last: u64,
) -> Result<u64, AuditError> {
    let (mut low, mut high) = (1, last + 1);
    while low < high {
        let middle = low + (high - low) / 2;
        let record = read(snapshot, trail, middle)?.ok_or(AuditError::Broken {
            sequence: middle,
            reason: "missing record",
        })?;
        if record.record.time_ms < time_ms {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    Ok(low)
}

/// What [`verify`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditVerification {
    /// Records in the chain.
    pub records: u64,
    /// Signed checkpoints checked.
    pub checkpoints: u64,
    /// The last sequence a valid checkpoint covers.
    pub signed_through: u64,
}

/// Walks the whole chain from genesis and checks every link, every signed checkpoint (against
/// `keys`) and the head.
pub fn verify(store: &dyn Store, keys: &PublicKeySet) -> Result<AuditVerification, AuditError> {
    let snapshot = store.snapshot();
    let (last, head_hash) = head(snapshot.as_ref(), &Trail::Own)?;
    let mut checkpoints: Vec<Checkpoint> = Vec::new();
    let mut from = vec![CHECKPOINT];
    loop {
        let page = snapshot.scan_from(Column::Audit, &[CHECKPOINT], &from, 1_000)?;
        for (key, value) in &page {
            let checkpoint: Checkpoint =
                postcard::from_bytes(value).map_err(|_| AuditError::Broken {
                    sequence: u64::from_be_bytes(key[1..].try_into().unwrap_or_default()),
                    reason: "a checkpoint does not decode",
                })?;
            verify_checkpoint(keys, &checkpoint).map_err(|_| AuditError::Broken {
                sequence: checkpoint.sequence,
                reason: "a checkpoint's signature does not verify",
            })?;
            checkpoints.push(checkpoint);
        }
        match page.last() {
            Some((key, _)) if page.len() == 1_000 => {
                from = key.clone();
                from.push(0);
            }
            _ => break,
        }
    }
    let mut hash = GENESIS;
    let prefix = [RECORD];
    let mut from = prefix.to_vec();
    let mut expected = 1;
    loop {
        let page = snapshot.scan_from(Column::Audit, &prefix, &from, 10_000)?;
        for (key, value) in &page {
            let sequence =
                u64::from_be_bytes(key[1..].try_into().map_err(|_| AuditError::Broken {
                    sequence: expected,
                    reason: "malformed key",
                })?);
            if sequence != expected {
                return Err(AuditError::Broken {
                    sequence: expected,
                    reason: "a record is missing",
                });
            }
            let stored = decode(sequence, value)?;
            hash = chain_next(&hash, sequence, &value[32..]);
            if hash != stored.hash {
                return Err(AuditError::Broken {
                    sequence,
                    reason: "the chain does not hold",
                });
            }
            if checkpoints
                .iter()
                .any(|checkpoint| checkpoint.sequence == sequence && checkpoint.head_hash != hash)
            {
                return Err(AuditError::Broken {
                    sequence,
                    reason: "the chain differs from what a signed checkpoint says",
                });
            }
            expected += 1;
        }
        match page.last() {
            Some((key, _)) if page.len() == 10_000 => {
                from = key.clone();
                from.push(0);
            }
            _ => break,
        }
    }
    if expected - 1 != last || hash != head_hash {
        return Err(AuditError::Broken {
            sequence: expected,
            reason: "the head does not match the last record",
        });
    }
    let signed_through = checkpoints.iter().map(|c| c.sequence).max().unwrap_or(0);
    if signed_through > last {
        return Err(AuditError::Broken {
            sequence: last,
            reason: "a signed checkpoint names records that are gone",
        });
    }
    Ok(AuditVerification {
        records: last,
        checkpoints: checkpoints.len() as u64,
        signed_through,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tanba_store::MemoryStore;

    fn ring() -> Arc<KeyRing> {
        use rand_core::SeedableRng;
        static RING: std::sync::OnceLock<Arc<KeyRing>> = std::sync::OnceLock::new();
        RING.get_or_init(|| {
            Arc::new(KeyRing::generate(
                0,
                &mut rand_chacha::ChaCha20Rng::seed_from_u64(7),
            ))
        })
        .clone()
    }

    fn keys() -> PublicKeySet {
        ring().public_key_set()
    }

    fn record(time_ms: u64, participant: Option<TaxpayerId>, codes: Vec<CodeKey>) -> AuditRecord {
        AuditRecord {
            time_ms,
            participant,
            acting_for: None,
            client_ip: "192.0.2.7".parse().unwrap(),
            method: "test".into(),
            codes_total: codes.len() as u32,
            codes,
            references: Vec::new(),
            error: None,
            log_sequence: None,
        }
    }

    /// Notes committed with writes before a crash are chained at the next start, before any
    /// new record, each linked to its write's log sequence, and gone from the notes after.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn notes_a_crash_left_are_chained_first_at_start() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let who: TaxpayerId = "990140000384".parse().unwrap();
        let mut batch = WriteBatch::new();
        for log_sequence in [7, 9] {
            let note = AuditLog::note(&record(log_sequence * 10, Some(who), vec![]));
            let key = tanba_engine::keys::audit_note(log_sequence);
            batch.put(Column::Audit, key, note).unwrap();
        }
        store.write(batch, Durability::Synced).unwrap();
        let log = AuditLog::start(store.clone(), ring(), 9).unwrap();
        log.record(record(1_000, None, vec![])).await;
        log.close();
        assert_eq!(verify(store.as_ref(), &keys()).unwrap().records, 3);
        let snapshot = store.snapshot();
        let chained = query(
            snapshot.as_ref(),
            &AuditQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
        let links: Vec<Option<u64>> = chained.iter().map(|r| r.record.log_sequence).collect();
        assert_eq!(links, [Some(7), Some(9), None]);
        assert_eq!(chained[0].record.participant, Some(who));
        let left = snapshot.scan_prefix(Column::Audit, &[tanba_engine::keys::AUDIT_NOTE], 10);
        assert!(
            left.unwrap().is_empty(),
            "chained notes are deleted with the chaining"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn records_chain_and_are_found_by_participant_code_and_time() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let who: TaxpayerId = "990140000384".parse().unwrap();
        let code: CodeKey = "(01)04600000000015(21)abc".parse().unwrap();
        let log = AuditLog::start(store.clone(), ring(), 0).unwrap();
        for time_ms in 1..=10 {
            let participant = (time_ms % 2 == 0).then_some(who);
            let codes = if time_ms % 3 == 0 { vec![code] } else { vec![] };
            log.record(record(time_ms * 100, participant, codes)).await;
        }
        // Time never goes back, even if a call's clock did.
        log.record(record(50, None, vec![])).await;
        log.close();
        let verified = verify(store.as_ref(), &keys()).unwrap();
        assert_eq!(
            (verified.records, verified.signed_through),
            (11, 11),
            "signed at the stop"
        );
        let snapshot = store.snapshot();
        let find = |query: AuditQuery| -> Vec<u64> {
            super::query(
                snapshot.as_ref(),
                &AuditQuery {
                    limit: 100,
                    ..query
                },
            )
            .unwrap()
            .iter()
            .map(|stored| stored.sequence)
            .collect()
        };
        assert_eq!(
            find(AuditQuery {
                participant: Some(who),
                ..Default::default()
            }),
            [2, 4, 6, 8, 10]
        );
        assert_eq!(
            find(AuditQuery {
                code: Some(code),
                ..Default::default()
            }),
            [3, 6, 9]
        );
        assert_eq!(
            find(AuditQuery {
                participant: Some(who),
                code: Some(code),
                ..Default::default()
            }),
            [6]
        );
        assert_eq!(
            find(AuditQuery {
                from_ms: 400,
                until_ms: 700,
                ..Default::default()
            }),
            [4, 5, 6]
        );
        assert_eq!(
            find(AuditQuery {
                after: 9,
                ..Default::default()
            }),
            [10, 11]
        );
        assert_eq!(
            read(snapshot.as_ref(), &Trail::Own, 11)
                .unwrap()
                .unwrap()
                .record
                .time_ms,
            1000
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_altered_or_removed_record_breaks_the_chain() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let log = AuditLog::start(store.clone(), ring(), 0).unwrap();
        for time_ms in 1..=3 {
            log.record(record(time_ms, None, vec![])).await;
        }
        log.close();
        let mut value = store
            .get(Column::Audit, &record_key(&Trail::Own, 2))
            .unwrap()
            .unwrap();
        let last = value.len() - 1;
        value[last] ^= 1;
        let mut batch = WriteBatch::new();
        batch
            .put(Column::Audit, record_key(&Trail::Own, 2), value)
            .unwrap();
        store.write(batch, Durability::Synced).unwrap();
        assert!(matches!(
            verify(store.as_ref(), &keys()),
            Err(AuditError::Broken { sequence: 2, .. })
        ));
        let mut batch = WriteBatch::new();
        batch
            .delete(Column::Audit, record_key(&Trail::Own, 2))
            .unwrap();
        store.write(batch, Durability::Synced).unwrap();
        assert!(matches!(
            verify(store.as_ref(), &keys()),
            Err(AuditError::Broken { sequence: 2, .. })
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tail_rewritten_with_its_hashes_is_caught_by_the_signed_checkpoint() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let log = AuditLog::start(store.clone(), ring(), 0).unwrap();
        for time_ms in 1..=3 {
            log.record(record(time_ms, None, vec![])).await;
        }
        log.close();
        // Someone with the database rewrites record 3 and recomputes its hash and the head.
        let (_, hash_2) = {
            let stored = read(store.snapshot().as_ref(), &Trail::Own, 2)
                .unwrap()
                .unwrap();
            (2, stored.hash)
        };
        let mut forged = record(3, None, vec![]);
        forged.method = "nothing to see".into();
        let bytes = postcard::to_stdvec(&forged).unwrap();
        let hash_3 = chain_next(&hash_2, 3, &bytes);
        let mut batch = WriteBatch::new();
        add(&mut batch, &Trail::Own, 3, &hash_3, &forged, &bytes).unwrap();
        let mut head_value = 3u64.to_be_bytes().to_vec();
        head_value.extend_from_slice(&hash_3.0);
        batch.put(Column::Audit, vec![HEAD], head_value).unwrap();
        store.write(batch, Durability::Synced).unwrap();
        assert!(matches!(
            verify(store.as_ref(), &keys()),
            Err(AuditError::Broken { sequence: 3, .. })
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_restarted_log_continues_the_chain() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        for round in 0..2 {
            let log = AuditLog::start(store.clone(), ring(), 0).unwrap();
            log.record(record(round, None, vec![])).await;
            log.close();
        }
        assert_eq!(verify(store.as_ref(), &keys()).unwrap().checkpoints, 2);
    }
}
