//! The real store: RocksDB, one column family per [`Column`], batches written with the WAL
//! synced when asked ([`Durability::Synced`]), reads from RocksDB snapshots.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamily, ColumnFamilyDescriptor, DB, Direction,
    IngestExternalFileOptions, IteratorMode, Options, ReadOptions, SnapshotWithThreadMode,
    SstFileWriter, WriteOptions,
};

use crate::{
    BatchOperation, Change, Column, Durability, Entry, OPEN_FILES_DEFAULT, OPEN_FILES_MIN,
    ScanVisitor, Snapshot, Store, StoreError, Visitor, WriteBatch, check_ascending, check_scan,
};

/// A RocksDB-backed [`Store`].
pub struct RocksStore {
    db: DB,
    /// Names the table files of bulk loads ([`Store::load_sorted`]) apart.
    loads: AtomicU64,
}

/// The directory, inside the store's, where bulk loads write their table files before RocksDB
/// takes them in (and moves them into its own files).
const LOAD_DIRECTORY: &str = "bulk-load";

impl std::fmt::Debug for RocksStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksStore")
            .field("path", &self.db.path())
            .finish()
    }
}

fn engine(error: rocksdb::Error) -> StoreError {
    StoreError::Engine(error.into_string())
}

/// Bytes of the block cache all column families share.
pub const BLOCK_CACHE_BYTES: usize = 512 << 20;
/// Bloom filter bits per key (about 1 % false positives).
const BLOOM_BITS_PER_KEY: f64 = 10.0;
/// Share of a memtable's bytes its bloom filter may take.
const MEMTABLE_BLOOM_RATIO: f64 = 0.05;
/// Bytes of one memtable per column family before it is flushed.
const WRITE_BUFFER_BYTES: usize = 64 << 20;
/// Bytes of a data block of the log: feeds, replay and verification read it in order, so a
/// larger block means fewer reads, decompressions and cache entries per entry (RocksDB's
/// default of 4 KiB suits the point lookups of the other columns).
const LOG_BLOCK_BYTES: usize = 64 << 10;

impl RocksStore {
    /// Opens (creating if needed) the store in directory `path`, with every column family,
    /// keeping at most [`OPEN_FILES_DEFAULT`] table files open.
    pub fn open(path: &Path) -> Result<RocksStore, StoreError> {
        RocksStore::open_with_files(path, OPEN_FILES_DEFAULT)
    }

    /// [`Self::open`], keeping at most `open_files_max` table files open: a server sizes it
    /// inside its open-file budget beside its connections.
    pub fn open_with_files(path: &Path, open_files_max: usize) -> Result<RocksStore, StoreError> {
        assert!(
            open_files_max >= OPEN_FILES_MIN,
            "RocksDB needs a few table files open"
        );
        let (mut options, families) = options(open_files_max);
        options.create_if_missing(true);
        options.create_missing_column_families(true);
        let db = DB::open_cf_descriptors(&options, path, families).map_err(engine)?;
        Ok(RocksStore::over(db))
    }

    /// Opens an existing store to read only, beside a server that may be writing it (RocksDB
    /// allows any number of read-only openers next to the one writer). It sees the store as it
    /// was when opened; every write is refused.
    pub fn open_read_only(path: &Path) -> Result<RocksStore, StoreError> {
        let (options, families) = options(OPEN_FILES_MIN);
        let db =
            DB::open_cf_descriptors_read_only(&options, path, families, false).map_err(engine)?;
        Ok(RocksStore::over(db))
    }

    /// Writes a consistent copy of the store as it is now into `directory` (which must not
    /// exist), a store [`Self::open`] opens: RocksDB's checkpoint, its table files hard-linked
    /// where the file system allows and the write-ahead log copied, taken while writes go on.
    pub fn checkpoint(&self, directory: &Path) -> Result<(), StoreError> {
        let checkpoint = rocksdb::checkpoint::Checkpoint::new(&self.db).map_err(engine)?;
        checkpoint.create_checkpoint(directory).map_err(engine)
    }

    fn over(db: DB) -> RocksStore {
        RocksStore {
            db,
            loads: AtomicU64::new(0),
        }
    }

    /// Writes `changes` into a new table file at `path` with `column`'s table format; whether
    /// there were any (RocksDB makes no empty table file).
    fn write_table(
        &self,
        column: Column,
        changes: &mut dyn Iterator<Item = Change<'_>>,
        path: &Path,
    ) -> Result<bool, StoreError> {
        let mut changes = changes.peekable();
        if changes.peek().is_none() {
            return Ok(false);
        }
        let directory = path.parent().expect("a file in the load directory");
        std::fs::create_dir_all(directory)
            .map_err(|error| StoreError::Engine(format!("{}: {error}", directory.display())))?;
        let options = family_options(column, &Cache::new_lru_cache(0));
        let mut writer = SstFileWriter::create(&options);
        writer.open(path).map_err(engine)?;
        let mut last = None;
        for (key, value) in changes {
            check_ascending(&mut last, key)?;
            match value {
                Some(value) => writer.put(key, value),
                None => writer.delete(key),
            }
            .map_err(engine)?;
        }
        writer.finish().map_err(engine)?;
        Ok(true)
    }

    fn family(&self, column: Column) -> &ColumnFamily {
        self.db
            .cf_handle(column.name())
            .expect("every column family is created at open")
    }
}

/// The database's options and its column families' (shared by every way of opening it).
fn options(open_files_max: usize) -> (Options, [ColumnFamilyDescriptor; Column::ALL.len()]) {
    let mut options = Options::default();
    options.set_max_open_files(i32::try_from(open_files_max).unwrap_or(i32::MAX));
    // Checksums on every read of a block: corruption is found, not served.
    options.set_paranoid_checks(true);
    // Background flushes and compactions on every core, so the writer rarely stalls.
    options.increase_parallelism(
        std::thread::available_parallelism().map_or(2, |cores| cores.get() as i32),
    );
    let cache = Cache::new_lru_cache(BLOCK_CACHE_BYTES);
    let families = Column::ALL
        .map(|column| ColumnFamilyDescriptor::new(column.name(), family_options(column, &cache)));
    (options, families)
}

/// A column family's options: its table format (which a bulk load's table files share) and
/// its memory tables.
fn family_options(column: Column, cache: &Cache) -> Options {
    let mut table = BlockBasedOptions::default();
    table.set_block_cache(cache);
    // Point lookups dominate (code cards, and the writer's check that a new serial was never
    // issued, which mostly misses): a bloom filter answers a miss without reading a data block.
    table.set_bloom_filter(BLOOM_BITS_PER_KEY, false);
    table.set_cache_index_and_filter_blocks(true);
    table.set_pin_l0_filter_and_index_blocks_in_cache(true);
    if column == Column::Log {
        table.set_block_size(LOG_BLOCK_BYTES);
    }
    let mut family = Options::default();
    family.set_compression_type(rocksdb::DBCompressionType::Lz4);
    family.set_block_based_table_factory(&table);
    family.set_write_buffer_size(WRITE_BUFFER_BYTES);
    // The memtable gets a bloom filter too: a read of a key written long ago (flushed to a
    // table file) then skips the memtable's skip-list search.
    family.set_memtable_whole_key_filtering(true);
    family.set_memtable_prefix_bloom_ratio(MEMTABLE_BLOOM_RATIO);
    family
}

impl Store for RocksStore {
    fn write(&self, batch: WriteBatch, durability: Durability) -> Result<(), StoreError> {
        let mut rocks_batch = rocksdb::WriteBatch::default();
        for operation in batch.operations() {
            match operation {
                BatchOperation::Put { column, key, value } => {
                    rocks_batch.put_cf(self.family(*column), key, value);
                }
                BatchOperation::Delete { column, key } => {
                    rocks_batch.delete_cf(self.family(*column), key);
                }
            }
        }
        let mut options = WriteOptions::default();
        options.set_sync(durability == Durability::Synced);
        self.db.write_opt(rocks_batch, &options).map_err(engine)
    }

    fn load_sorted(
        &self,
        column: Column,
        changes: &mut dyn Iterator<Item = Change<'_>>,
    ) -> Result<(), StoreError> {
        let number = self.loads.fetch_add(1, Ordering::Relaxed);
        let path = (self.db.path())
            .join(LOAD_DIRECTORY)
            .join(format!("{}-{number}.sst", column.name()));
        match self.write_table(column, changes, &path) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(error) => {
                // Half written: the file is nobody's.
                let _ = std::fs::remove_file(&path);
                return Err(error);
            }
        }
        // Moved, not copied: the file becomes one of the store's own. RocksDB syncs it and
        // records it in the manifest before the call returns; it lands above every key it
        // overlaps, so it is newer than every write before it.
        let mut options = IngestExternalFileOptions::default();
        options.set_move_files(true);
        let ingested =
            (self.db).ingest_external_file_cf_opts(self.family(column), &options, vec![&path]);
        if ingested.is_err() {
            // Not taken in: the file is nobody's.
            let _ = std::fs::remove_file(&path);
        }
        ingested.map_err(engine)
    }

    // Straight from the database: a point read needs no snapshot of its own.
    fn get(&self, column: Column, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.db.get_cf(self.family(column), key).map_err(engine)
    }

    fn snapshot(&self) -> Box<dyn Snapshot + '_> {
        Box::new(RocksSnapshot {
            store: self,
            snapshot: self.db.snapshot(),
        })
    }
}

struct RocksSnapshot<'a> {
    store: &'a RocksStore,
    snapshot: SnapshotWithThreadMode<'a, DB>,
}

impl Snapshot for RocksSnapshot<'_> {
    fn get(&self, column: Column, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.snapshot
            .get_cf(self.store.family(column), key)
            .map_err(engine)
    }

    fn multi_get_each(
        &self,
        column: Column,
        keys: &[&[u8]],
        visit: &mut Visitor<'_>,
    ) -> Result<(), StoreError> {
        let mut read_options = ReadOptions::default();
        read_options.set_snapshot(&self.snapshot);
        let family = self.store.family(column);
        // RocksDB trusts `sorted_input`: a false claim would lose keys, so it is checked here
        // (one pass, cheaper than RocksDB's own sort).
        let sorted = keys.is_sorted();
        let values = (self.store.db).batched_multi_get_cf_opt(family, keys, sorted, &read_options);
        for (index, value) in values.into_iter().enumerate() {
            if visit(index, value.map_err(engine)?.as_deref()).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn scan_each(
        &self,
        column: Column,
        prefix: &[u8],
        start: &[u8],
        limit: usize,
        visit: &mut ScanVisitor<'_>,
    ) -> Result<(), StoreError> {
        check_scan(prefix, start, limit)?;
        let mut read_options = ReadOptions::default();
        read_options.set_snapshot(&self.snapshot);
        read_options.fill_cache(false);
        let mut iterator =
            (self.store.db).raw_iterator_cf_opt(self.store.family(column), read_options);
        iterator.seek(start);
        let mut visited = 0;
        while visited < limit && iterator.valid() {
            let (Some(key), Some(value)) = (iterator.key(), iterator.value()) else {
                break;
            };
            if !key.starts_with(prefix) || visit(key, value).is_break() {
                break;
            }
            visited += 1;
            iterator.next();
        }
        iterator.status().map_err(engine)
    }

    fn estimate_entries(&self, column: Column) -> Result<u64, StoreError> {
        let estimate = (self.store.db)
            .property_int_value_cf(self.store.family(column), "rocksdb.estimate-num-keys")
            .map_err(engine)?;
        Ok(estimate.unwrap_or(0))
    }

    fn scan_from_bytes(
        &self,
        column: Column,
        prefix: &[u8],
        start: &[u8],
        limit: usize,
        bytes_max: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        check_scan(prefix, start, limit)?;
        let mut read_options = ReadOptions::default();
        read_options.set_snapshot(&self.snapshot);
        let iterator = self.store.db.iterator_cf_opt(
            self.store.family(column),
            read_options,
            IteratorMode::From(start, Direction::Forward),
        );
        let mut entries = Vec::new();
        let mut bytes = 0usize;
        for item in iterator {
            let (key, value) = item.map_err(engine)?;
            if !key.starts_with(prefix) || entries.len() == limit || bytes >= bytes_max {
                break;
            }
            bytes = bytes.saturating_add(key.len() + value.len());
            entries.push((key.into_vec(), value.into_vec()));
        }
        Ok(entries)
    }
}
