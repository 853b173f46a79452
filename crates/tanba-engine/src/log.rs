//! Reading the log back: pages of records, proof that the chain is intact (from genesis or from a
//! signed checkpoint), replay into an empty store, and a comparison of two stores' state.

use tanba_crypto::{ChainHash, Checkpoint, GENESIS, PublicKeySet, chain_next, verify_checkpoint};
use tanba_log::FeedKinds;
use tanba_store::{Column, Durability, Entry, SCAN_ENTRIES_MAX, Snapshot, Store};

use crate::apply::apply;
use crate::error::EngineError;
use crate::keys;
use crate::records::{LogHead, LogRecord, decode};
use crate::state::{Pending, State};

/// Log entries read per page while verifying or replaying.
pub const LOG_PAGE_ENTRIES: usize = 10_000;
/// Changed keys replay holds in memory before it loads them into its target: reads of what the
/// events before wrote are answered from memory, and each load is a few large sorted files.
pub const REPLAY_FLUSH_OPERATIONS: usize = 4_000_000;
/// Bytes of changed keys and values replay holds in memory before it loads them (the entries'
/// own overhead comes on top, about 100 bytes a key).
pub const REPLAY_FLUSH_BYTES: usize = 1 << 30;
/// Pages of checked log entries the reading thread may be ahead of the applying one.
const REPLAY_PAGES_AHEAD: usize = 4;
/// Bytes of log entries in one page of replay (and one entry more): an issue's entry is
/// hundreds of kilobytes, and [`REPLAY_PAGES_AHEAD`] pages and two more are held at once.
const REPLAY_PAGE_BYTES_MAX: usize = 32 << 20;

/// Whether a column is state: everything replay rebuilds. Checkpoints are signatures made at
/// moments of the writer's choosing, not a function of the events, so they are left out, as are
/// the node's own columns (its audit trail, attachments' bytes), which no event writes; every
/// other column, including any added later, is compared.
pub fn is_state_column(column: Column) -> bool {
    !matches!(column, Column::Checkpoints | Column::Audit | Column::Blobs)
}

/// A stored log entry. The value under its sequence is `chain hash (32 bytes) || feed kinds (u32
/// big-endian) || record bytes` (the log contract's, `tanba_log`): the kinds beside the record so
/// that a feed filters entries without decoding them.
#[derive(Debug, Clone, Copy)]
pub struct StoredEntry<'a> {
    /// The entry's chain hash.
    pub hash: ChainHash,
    /// The feeds it belongs to.
    pub kinds: FeedKinds,
    /// The record's bytes, as chained.
    pub record: &'a [u8],
}

impl StoredEntry<'_> {
    /// The record, decoded.
    pub fn decode(&self) -> Result<LogRecord, EngineError> {
        decode_record(self.record)
    }
}

/// Bytes before the record in a stored entry.
const ENTRY_HEADER_LENGTH: usize = 32 + 4;

/// Reads a stored entry's parts.
pub fn stored_entry(value: &[u8]) -> Result<StoredEntry<'_>, EngineError> {
    if value.len() < ENTRY_HEADER_LENGTH {
        return Err(EngineError::Corrupt("log entry too short".into()));
    }
    let (hash, rest) = value.split_at(32);
    let (kinds, record) = rest.split_at(4);
    Ok(StoredEntry {
        hash: ChainHash(hash.try_into().expect("32 bytes")),
        kinds: FeedKinds(u32::from_be_bytes(kinds.try_into().expect("4 bytes"))),
        record,
    })
}

/// The value stored for an entry.
pub(crate) fn entry_value(hash: &ChainHash, kinds: FeedKinds, record: &[u8]) -> Vec<u8> {
    let mut value = Vec::with_capacity(ENTRY_HEADER_LENGTH + record.len());
    value.extend_from_slice(hash.as_bytes());
    value.extend_from_slice(&kinds.0.to_be_bytes());
    value.extend_from_slice(record);
    value
}

/// The chain hash of the entry at `sequence` after `prev`: the chain takes the entry's leaf (its
/// kinds and its record's hash), so a feed that leaves the entry out can send the leaf instead.
pub fn entry_hash(prev: &ChainHash, sequence: u64, kinds: FeedKinds, record: &[u8]) -> ChainHash {
    chain_next(prev, sequence, &tanba_log::leaf(kinds, record))
}

/// Decodes a stored record; a failure is corruption.
pub fn decode_record(bytes: &[u8]) -> Result<LogRecord, EngineError> {
    tanba_log::decode(bytes)
        .map_err(|error| EngineError::Corrupt(format!("a log record does not decode: {error}")))
}

/// Checks a stored entry against the chain: its hash follows from `prev`, its record names
/// `sequence`, and its kinds are the record's. Returns the record.
fn checked_entry(
    prev: &ChainHash,
    sequence: u64,
    entry: &StoredEntry<'_>,
) -> Result<LogRecord, EngineError> {
    let record = entry.decode()?;
    if record.sequence != sequence {
        return Err(broken(sequence, "the record names another sequence"));
    }
    if entry.kinds != tanba_log::kinds_of(&record.event) {
        return Err(broken(
            sequence,
            "the stored feed kinds are not the record's",
        ));
    }
    if entry_hash(prev, sequence, entry.kinds, entry.record) != entry.hash {
        return Err(broken(sequence, "the hash does not follow from the chain"));
    }
    Ok(record)
}

/// Up to `limit` log records from `from` (inclusive), in order.
pub fn read_log(
    snapshot: &dyn Snapshot,
    from: u64,
    limit: usize,
) -> Result<Vec<LogRecord>, EngineError> {
    let limit = limit.min(SCAN_ENTRIES_MAX);
    snapshot
        .scan_from(Column::Log, &[], &keys::sequence(from), limit)?
        .iter()
        .map(|(_, value)| stored_entry(value)?.decode())
        .collect()
}

/// The head as stored.
pub fn stored_head(snapshot: &dyn Snapshot) -> Result<LogHead, EngineError> {
    match snapshot.get(Column::Meta, keys::META_HEAD)? {
        Some(bytes) => LogHead::from_bytes(&bytes),
        None => Ok(LogHead {
            sequence: 0,
            hash: GENESIS,
        }),
    }
}

/// What [`verify_log`] proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogVerification {
    /// The first entry checked.
    pub from_sequence: u64,
    /// The last entry checked (the head).
    pub head: u64,
    /// Its hash.
    pub head_hash: ChainHash,
    /// Signed checkpoints checked on the way (signature and hash).
    pub checkpoints: u64,
}

/// Proves the log intact: every entry's hash follows from its predecessor and its own bytes, the
/// sequences have no gap, the stored head is the last entry, and every signed checkpoint on the
/// way is valid for the operator's `keys` and names the hash the chain gives.
///
/// With `from_checkpoint`, the proof starts from that signed checkpoint instead of genesis:
/// what a holder of an earlier, verified feed needs.
pub fn verify_log(
    store: &dyn Store,
    keys_set: &PublicKeySet,
    from_checkpoint: Option<u64>,
) -> Result<LogVerification, EngineError> {
    let snapshot = store.snapshot();
    let (mut hash, mut sequence) = match from_checkpoint {
        None => (GENESIS, 0),
        Some(at) => {
            let checkpoint = stored_checkpoint(snapshot.as_ref(), at)?
                .ok_or_else(|| broken(at, "no checkpoint at this sequence"))?;
            verify_checkpoint(keys_set, &checkpoint).map_err(|e| broken(at, &e.to_string()))?;
            (checkpoint.head_hash, checkpoint.sequence)
        }
    };
    let from_sequence = sequence + 1;
    let mut checkpoints = 0;
    loop {
        let page = snapshot.scan_from(
            Column::Log,
            &[],
            &keys::sequence(sequence + 1),
            LOG_PAGE_ENTRIES,
        )?;
        if page.is_empty() {
            break;
        }
        for (key, value) in &page {
            let at = keys::trailing_u64(key)?;
            if at != sequence + 1 {
                return Err(broken(sequence + 1, "an entry is missing"));
            }
            let entry = stored_entry(value)?;
            checked_entry(&hash, at, &entry)?;
            hash = entry.hash;
            sequence = at;
            if let Some(checkpoint) = stored_checkpoint(snapshot.as_ref(), at)? {
                verify_checkpoint(keys_set, &checkpoint).map_err(|e| broken(at, &e.to_string()))?;
                if checkpoint.head_hash != hash {
                    return Err(broken(at, "the signed checkpoint names another hash"));
                }
                checkpoints += 1;
            }
        }
    }
    let head = stored_head(snapshot.as_ref())?;
    if head.sequence != sequence || head.hash != hash {
        return Err(broken(sequence, "the stored head is not the last entry"));
    }
    // A signed checkpoint past the end means entries were cut off the end, head and all.
    let past_end =
        snapshot.scan_from(Column::Checkpoints, &[], &keys::sequence(sequence + 1), 1)?;
    if let Some((key, _)) = past_end.first() {
        let at = keys::trailing_u64(key)?;
        return Err(broken(
            at,
            "a signed checkpoint names an entry past the end of the log",
        ));
    }
    Ok(LogVerification {
        from_sequence,
        head: sequence,
        head_hash: hash,
        checkpoints,
    })
}

fn broken(sequence: u64, why: &str) -> EngineError {
    EngineError::Corrupt(format!("the log does not verify at {sequence}: {why}"))
}

/// The signed checkpoint at `sequence`, if one was made there.
pub fn stored_checkpoint(
    snapshot: &dyn Snapshot,
    sequence: u64,
) -> Result<Option<Checkpoint>, EngineError> {
    snapshot
        .get(Column::Checkpoints, &keys::sequence(sequence))?
        .map(|bytes| decode(&bytes))
        .transpose()
}

/// Rebuilds state in the empty store `target` from the log of `source` alone, checking the chain
/// on the way. Returns the number of events replayed.
///
/// The bulk path: one thread reads the log and checks every entry against the chain while
/// another applies the checked records to changes held in memory, which go into `target` as
/// sorted table files ([`Store::load_sorted`]) every [`REPLAY_FLUSH_OPERATIONS`] keys or
/// [`REPLAY_FLUSH_BYTES`], not key by key through its write path. A failure leaves `target`
/// part-filled and without a head: it is scratch, to be thrown away.
pub fn replay(source: &dyn Store, target: &dyn Store) -> Result<u64, EngineError> {
    replay_in_loads(source, target, REPLAY_FLUSH_OPERATIONS)
}

/// [`replay`], loading the changes into `target` every `load_operations` changed keys (or
/// [`REPLAY_FLUSH_BYTES`]): tests make it small, so that events read what earlier loads put
/// into the store.
pub fn replay_in_loads(
    source: &dyn Store,
    target: &dyn Store,
    load_operations: usize,
) -> Result<u64, EngineError> {
    let snapshot = source.snapshot();
    if target.snapshot().scan_prefix(Column::Log, &[], 1)?.len() == 1 {
        return Err(EngineError::Invalid {
            field: "target",
            reason: "replay needs an empty store",
        });
    }
    let (applied, read) = std::thread::scope(|scope| {
        let (pages, checked) = std::sync::mpsc::sync_channel(REPLAY_PAGES_AHEAD);
        let reader = scope.spawn(|| read_checked(snapshot.as_ref(), pages));
        // Applying drops the receiver when it ends, so a reader waiting to send wakes and stops.
        let applied = apply_checked(scope, target, checked, load_operations);
        let read = reader.join().expect("the log reader does not panic");
        (applied, read)
    });
    // A broken chain is the cause; an apply failure after it would only be its consequence.
    let head = read?;
    let (mut pending, replayed) = applied?;
    let mut state = State::new(target, &mut pending);
    if head.sequence > 0 {
        state.put(Column::Meta, keys::META_HEAD.to_vec(), head.to_bytes());
    }
    state.put(
        Column::Meta,
        keys::META_LAYOUT.to_vec(),
        keys::LAYOUT_VERSION.to_be_bytes().to_vec(),
    );
    pending.load_into(target)?;
    // Loads sync themselves; this also syncs the counters' last batch.
    target.write(tanba_store::WriteBatch::new(), Durability::Synced)?;
    if head != stored_head(snapshot.as_ref())? {
        return Err(broken(
            head.sequence,
            "replay ended away from the stored head",
        ));
    }
    Ok(replayed)
}

/// A page of log entries checked against the chain: each key, stored value and record.
type CheckedPage = Vec<(Vec<u8>, Vec<u8>, LogRecord)>;

/// Reads the log page by page, checks every entry against the chain and sends the page on;
/// the head it reached. Stops early, with the head so far, if the receiver is gone.
fn read_checked(
    snapshot: &dyn Snapshot,
    pages: std::sync::mpsc::SyncSender<CheckedPage>,
) -> Result<LogHead, EngineError> {
    let mut head = LogHead {
        sequence: 0,
        hash: GENESIS,
    };
    loop {
        let from = keys::sequence(head.sequence + 1);
        let entries = snapshot.scan_from_bytes(
            Column::Log,
            &[],
            &from,
            LOG_PAGE_ENTRIES,
            REPLAY_PAGE_BYTES_MAX,
        )?;
        if entries.is_empty() {
            return Ok(head);
        }
        let mut page = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let sequence = keys::trailing_u64(&key)?;
            if sequence != head.sequence + 1 {
                return Err(broken(sequence, "an entry is missing"));
            }
            let entry = stored_entry(&value)?;
            let record = checked_entry(&head.hash, sequence, &entry)?;
            head = LogHead {
                sequence,
                hash: entry.hash,
            };
            page.push((key, value, record));
        }
        if pages.send(page).is_err() {
            return Ok(head);
        }
    }
}

/// Applies checked pages as they come into changes held in memory, handing them over to be
/// loaded into `target` on a thread of their own whenever they grow past the flush bounds,
/// while applying goes on (reading them until the next hand-over, by when they are in); the
/// changes not yet handed over, once every load has ended, and the number of events applied.
fn apply_checked<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    target: &'scope dyn Store,
    pages: std::sync::mpsc::Receiver<CheckedPage>,
    load_operations: usize,
) -> Result<(Pending, u64), EngineError> {
    let mut pending = Pending::for_replay();
    let mut replayed = 0;
    let mut loading: Option<std::thread::ScopedJoinHandle<'scope, _>> = None;
    let loaded = |loading: Option<std::thread::ScopedJoinHandle<'scope, _>>| {
        loading.map_or(Ok(()), |load| load.join().expect("a load does not panic"))
    };
    for page in pages {
        for (key, value, record) in page {
            // The stored bytes are the chain's input: copied as they are.
            let mut state = State::new(target, &mut pending);
            state.put(Column::Log, key, value);
            if let Err(error) = apply(&mut state, &record) {
                // Every load ends before the store is given back.
                let _ = loaded(loading);
                return Err(error);
            }
            replayed += 1;
            if pending.len() >= load_operations || pending.bytes_set() >= REPLAY_FLUSH_BYTES {
                // One load at a time, in order: a later one must land over an earlier one.
                loaded(loading.take())?;
                let changes = pending.hand_over();
                loading = Some(scope.spawn(move || changes.load_into(target)));
            }
        }
    }
    loaded(loading)?;
    Ok((pending, replayed))
}

/// The first difference between the state of two stores (the bookkeeping of checkpoints and of
/// the command log aside, which replay does not make), or `None` if they hold the same bytes.
pub fn first_state_difference(
    left: &dyn Store,
    right: &dyn Store,
) -> Result<Option<String>, EngineError> {
    let (left, right) = (left.snapshot(), right.snapshot());
    for column in Column::ALL
        .into_iter()
        .filter(|column| is_state_column(*column))
    {
        let mut a = StateEntries::new(left.as_ref(), column);
        let mut b = StateEntries::new(right.as_ref(), column);
        loop {
            let (x, y) = (a.next()?, b.next()?);
            if x != y {
                let key = x.or(y).map(|(key, _)| key);
                return Ok(Some(format!("column {column}, key {key:?}")));
            }
            if x.is_none() {
                break;
            }
        }
    }
    Ok(None)
}

/// A state column's entries in key order, page by page, the bookkeeping aside.
struct StateEntries<'a> {
    snapshot: &'a dyn Snapshot,
    column: Column,
    page: std::vec::IntoIter<Entry>,
    /// Where the next page starts; `None` once the last page is read.
    next_start: Option<Vec<u8>>,
}

impl<'a> StateEntries<'a> {
    fn new(snapshot: &'a dyn Snapshot, column: Column) -> StateEntries<'a> {
        StateEntries {
            snapshot,
            column,
            page: Vec::new().into_iter(),
            next_start: Some(Vec::new()),
        }
    }

    fn next(&mut self) -> Result<Option<Entry>, EngineError> {
        loop {
            if let Some((key, value)) = self.page.next() {
                if self.column == Column::Meta && keys::is_bookkeeping(&key) {
                    continue;
                }
                return Ok(Some((key, value)));
            }
            let Some(start) = self.next_start.take() else {
                return Ok(None);
            };
            let page = (self.snapshot).scan_from(self.column, &[], &start, LOG_PAGE_ENTRIES)?;
            if let Some((last, _)) = page.last()
                && page.len() == LOG_PAGE_ENTRIES
            {
                let mut after = last.clone();
                after.push(0);
                self.next_start = Some(after);
            }
            self.page = page.into_iter();
        }
    }
}
