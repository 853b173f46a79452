//! Tanba's storage: named column families of ordered byte keys, atomic write batches that are
//! durable (WAL synced) before they are acknowledged, consistent snapshot reads, and bounded
//! prefix scans.
//!
//! - [`Store`]: the interface the engine writes against;
//! - `RocksStore` (feature `rocksdb`, on by default): the real store, RocksDB with one column
//!   family per [`Column`];
//! - [`MemoryStore`]: an in-memory store for deterministic simulation tests, which can also
//!   [`MemoryStore::crash`]: drop every write not yet synced, as a power cut would.
//!
//! Both pass the same conformance suite (`tests/conformance.rs`), TiKV-style.
//!
//! Architecture invariant: this is the only crate that names rocksdb. It knows bytes, not codes:
//! key encodings and records belong to the engine. Every batch and scan is bounded
//! ([`BATCH_OPERATIONS_MAX`], [`SCAN_ENTRIES_MAX`]).

use std::ops::ControlFlow;

mod batch;
mod column;
mod error;
mod memory;
#[cfg(feature = "rocksdb")]
mod rocks;

pub use batch::{BATCH_OPERATIONS_MAX, BatchOperation, WriteBatch};
pub use column::Column;
pub use error::StoreError;
pub use memory::MemoryStore;
#[cfg(feature = "rocksdb")]
pub use rocks::RocksStore;

/// Table files `RocksStore::open` keeps open (a server's open-file budget counts them, with or
/// without the `rocksdb` feature).
pub const OPEN_FILES_DEFAULT: usize = 1_024;
/// Fewest table files a store may be opened with.
pub const OPEN_FILES_MIN: usize = 64;

/// Most entries one scan returns: callers page with [`Snapshot::scan_from`].
pub const SCAN_ENTRIES_MAX: usize = 100_000;

/// One key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// One key's change in a bulk load ([`Store::load_sorted`]): its new value, or `None` if
/// deleted. Borrowed: the loader's changes stay readable while they load.
pub type Change<'a> = (&'a [u8], Option<&'a [u8]>);

/// Whether a write must be on stable storage before it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// The write-ahead log is synced (fsync) before returning: the write survives a crash.
    Synced,
    /// Written to the log but not synced: lost in a crash unless a later synced write follows.
    Buffered,
}

/// What [`Snapshot::multi_get_each`] calls with each key's index and value, borrowed from the
/// store; it breaks to stop the reading.
pub type Visitor<'a> = dyn FnMut(usize, Option<&[u8]>) -> ControlFlow<()> + 'a;

/// What [`Snapshot::scan_each`] calls with each key and value, borrowed from the store; it
/// breaks to stop the scan.
pub type ScanVisitor<'a> = dyn FnMut(&[u8], &[u8]) -> ControlFlow<()> + 'a;

/// A consistent view of the store at one moment: reads never see writes made after it. Shared
/// by threads (an export's writers read one snapshot at once; RocksDB's snapshots and reads
/// are thread-safe).
pub trait Snapshot: Send + Sync {
    /// The value under `key`.
    fn get(&self, column: Column, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// Entries whose keys start with `prefix`, from `start` (inclusive; `start` must itself
    /// start with `prefix`, or be empty to begin at the prefix), in key order, at most `limit`
    /// (itself at most [`SCAN_ENTRIES_MAX`]).
    fn scan_from(
        &self,
        column: Column,
        prefix: &[u8],
        start: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        self.scan_from_bytes(column, prefix, start, limit, usize::MAX)
    }

    /// [`Snapshot::scan_from`], stopping also after the entry that brings the bytes read (keys
    /// and values) to `bytes_max`: at least one entry, however large, when there is one. What a
    /// reader of large values (a feed over the log) holds in memory at once.
    fn scan_from_bytes(
        &self,
        column: Column,
        prefix: &[u8],
        start: &[u8],
        limit: usize,
        bytes_max: usize,
    ) -> Result<Vec<Entry>, StoreError>;

    /// The values under several keys of one column, in the order asked (RocksDB batches these;
    /// keys in ascending order are read faster).
    fn multi_get(
        &self,
        column: Column,
        keys: &[&[u8]],
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let mut values = Vec::with_capacity(keys.len());
        self.multi_get_each(column, keys, &mut |_, value| {
            values.push(value.map(<[u8]>::to_vec));
            ControlFlow::Continue(())
        })?;
        Ok(values)
    }

    /// The values under several keys of one column, each handed to `visit` with its index in
    /// `keys`, in that order, borrowed from the store rather than copied out. Keys in ascending
    /// order are read faster (RocksDB then skips sorting them). Stops early when `visit`
    /// breaks.
    fn multi_get_each(
        &self,
        column: Column,
        keys: &[&[u8]],
        visit: &mut Visitor<'_>,
    ) -> Result<(), StoreError> {
        for (index, key) in keys.iter().enumerate() {
            if visit(index, self.get(column, key)?.as_deref()).is_break() {
                break;
            }
        }
        Ok(())
    }

    /// [`Snapshot::scan_from`] for a bulk reader (an export reading a whole column): each entry
    /// is handed to `visit` where the store holds it, not copied out, and RocksDB does not keep
    /// the blocks it reads in its cache (a scan of millions of entries would push out what
    /// the online reads need). Stops early when `visit` breaks.
    fn scan_each(
        &self,
        column: Column,
        prefix: &[u8],
        start: &[u8],
        limit: usize,
        visit: &mut ScanVisitor<'_>,
    ) -> Result<(), StoreError> {
        for (key, value) in self.scan_from(column, prefix, start, limit)? {
            if visit(&key, &value).is_break() {
                break;
            }
        }
        Ok(())
    }

    /// About how many entries `column` holds now, whatever the snapshot (RocksDB's estimate,
    /// from its files' and memory tables' counts: cheap, off by the deletions and overwrites
    /// not yet compacted). For a choice between reading a column's entries at random or all in
    /// order, not for a count shown to anyone.
    fn estimate_entries(&self, column: Column) -> Result<u64, StoreError>;

    /// Entries whose keys start with `prefix`, in key order, at most `limit`.
    fn scan_prefix(
        &self,
        column: Column,
        prefix: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        self.scan_from(column, prefix, prefix, limit)
    }
}

/// A store: atomic batches in, snapshots out.
pub trait Store: Send + Sync {
    /// Applies every operation of `batch`, or none of them.
    fn write(&self, batch: WriteBatch, durability: Durability) -> Result<(), StoreError>;

    /// A consistent view of the store as it is now.
    fn snapshot(&self) -> Box<dyn Snapshot + '_>;

    /// Bulk load, for a store being rebuilt that serves no one meanwhile (replay): applies
    /// `changes` of `column`, whose keys must come in strictly ascending order, after every
    /// write before it, synced when it returns. Not atomic: a failure may leave some of the
    /// changes applied. RocksDB writes them as a sorted table file and ingests it, past its
    /// write-ahead log and memory tables; by default (the memory store) they are written in
    /// batches.
    fn load_sorted(
        &self,
        column: Column,
        changes: &mut dyn Iterator<Item = Change<'_>>,
    ) -> Result<(), StoreError> {
        let mut batch = WriteBatch::new();
        let mut last: Option<Vec<u8>> = None;
        for (key, value) in changes {
            check_ascending(&mut last, key)?;
            if batch.len() == BATCH_OPERATIONS_MAX {
                self.write(std::mem::take(&mut batch), Durability::Buffered)?;
            }
            match value {
                Some(value) => batch.put(column, key.to_vec(), value.to_vec())?,
                None => batch.delete(column, key.to_vec())?,
            }
        }
        self.write(batch, Durability::Synced)
    }

    /// The value under `key`, as of now.
    fn get(&self, column: Column, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.snapshot().get(column, key)
    }

    /// The values under several keys of one column, as of now, in the order asked.
    fn multi_get(
        &self,
        column: Column,
        keys: &[&[u8]],
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        self.snapshot().multi_get(column, keys)
    }
}

/// Checks that `key` comes after `last` (a bulk load's previous key) and remembers it.
pub(crate) fn check_ascending(last: &mut Option<Vec<u8>>, key: &[u8]) -> Result<(), StoreError> {
    if last.as_deref().is_some_and(|last| last >= key) {
        return Err(StoreError::LoadOutOfOrder);
    }
    match last {
        Some(last) => {
            last.clear();
            last.extend_from_slice(key);
        }
        None => *last = Some(key.to_vec()),
    }
    Ok(())
}

/// Checks a scan's arguments; shared by both stores so they refuse alike.
pub(crate) fn check_scan(prefix: &[u8], start: &[u8], limit: usize) -> Result<(), StoreError> {
    if limit > SCAN_ENTRIES_MAX {
        return Err(StoreError::ScanTooLarge { limit });
    }
    if !start.starts_with(prefix) {
        return Err(StoreError::ScanStartOutsidePrefix);
    }
    Ok(())
}
