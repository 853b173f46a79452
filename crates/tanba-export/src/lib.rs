//! Data exports for analytical systems (R-IS-15): what the log holds, written as Apache Parquet
//! files that DuckDB, pyarrow, Spark or any other Parquet reader opens as they are.
//!
//! A job ([`tanba_engine::data_export::DataExportJob`]) is an event in the log: its kind, its
//! days, and its sequence, up to which it reads. [`write_job`] writes it under its own directory
//! as a file per day, Hive-style (`day=2026-12-05/part-0.parquet`, so readers that partition
//! by directory name see a `day` column), then `manifest.json` with each file's rows, bytes and
//! BLAKE3 hash. A day of more than [`PART_ENTRIES_MAX`] log entries is split evenly into parts
//! (`part-1.parquet`, ...), and [`EXPORT_THREADS`] threads write the job's files at once, each
//! taking the next: a big day is shared by the cores, while other threads sync the files
//! written (the writers never wait for the disk). Every file is written beside its place,
//! renamed into it once synced, and listed in `progress.jsonl` after; the renames and the list
//! are made durable together before the manifest (one fsync a file, not three): a job cut short
//! resumes with the files missing. The split depends only on the log, so the files of one job
//! are the same whenever and wherever they are written (the codes table aside: it shows the
//! codes as they stand when written, and says so). A codes table covering a large share of
//! the store's codes reads them by one scan of the codes column, not a point read each
//! ([`codes_scan`]): its parts are the same, each part's rows then in key order.
//!
//! The tables (all with `sequence` u64, `time` timestamp\[ms, UTC\], `day` date32 first: the log
//! entry the row comes from, and its Kazakhstan day):
//!
//! | kind | a row per | columns after the first three |
//! |---|---|---|
//! | `events` | log entry | `event`, `actor` (IIN/BIN, `system`, `public`), `acting_for` (a fiscal data operator's seller), `codes` (codes the event names), `hash` (chain hash, hex) |
//! | `codes` | code issued or transport package made in the period | `code`, `gtin`, `level`, `status`, `withdrawal_reason`, `holder`, `package`, `production_date`, `expiry_date`, `batch`, `blocked` |
//! | `documents` | item of a document shipped in the period | `document`, `seller`, `buyer`, `item`, `outcome` (`pending`, `accepted`, `returned`, `rejected`, `cancelled`, as of the job), `outcome_time` |
//! | `sales` | code on a fiscal receipt | `seller`, `receipt_id`, `kind` (`sale`, `return`), `code`, `gtin`, `price_tiyn`, `sale_receipt_id` |
//! | `cases` | entry of the cases feed | `event`, `case`, `kind`, `transition`, `state`, `actor` |
//!
//! Bounded: a job covers at most a year, reads the log a page at a time, holds at most a row
//! group ([`ROW_GROUP_ROWS`]) per thread in memory, and stops with
//! [`ExportError::QuotaExceeded`] when the files of every job together would pass the
//! [`Quota`] (checked as each file is finished: one file may pass it by its own size before it
//! is removed). A failed job keeps a marker with its error, a deleted one a marker written
//! before its files go.
//!
//! Architecture invariant: reads a store snapshot through the engine's queries; writes only
//! under the directory it is given. Knows nothing of the network.

pub mod codes_scan;
pub mod tables;

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use serde::{Deserialize, Serialize};
use tanba_engine::data_export::DataExportJob;
use tanba_engine::{EngineError, keys};
use tanba_log::FeedKind;
use tanba_store::{Column, Snapshot};
use tanba_types::{DataExportKind, Date};

pub use crate::codes_scan::CodesRead;
use crate::codes_scan::Spill;
use crate::tables::Entry;

/// Rows a table builds before they are written as one batch (and a row group fills).
pub const BATCH_ROWS: usize = 65_536;
/// Rows per row group at most: what the Parquet writer holds before it writes a group out.
pub const ROW_GROUP_ROWS: usize = 4 * BATCH_ROWS;
/// Log entries a file holds at most: a bigger day is split into parts (`part-0.parquet`,
/// `part-1.parquet`, ...), so the threads share it.
pub const PART_ENTRIES_MAX: u64 = 100_000;
/// Threads writing a job's files at once, a file each (the machines have two cores).
pub const EXPORT_THREADS: usize = 2;
/// Threads syncing a job's written files at once: waiting for the disk, not computing (several
/// syncs at once share the file system's journal commits).
const SYNC_THREADS: usize = 4;
/// Log entries read per page.
const LOG_PAGE_ENTRIES: usize = 4_096;
/// Bytes of log entries read per page at most (an issue of many codes is a large entry).
const LOG_PAGE_BYTES_MAX: usize = 4 << 20;
/// The manifest of a finished job.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The days written so far, one JSON line each.
const PROGRESS_FILE: &str = "progress.jsonl";

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the store failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Writing a file failed.
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// The Parquet writer refused.
    #[error("cannot write Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// The exports would pass their quota.
    #[error("the exports would pass their quota of {limit_bytes} bytes")]
    QuotaExceeded {
        /// The quota.
        limit_bytes: u64,
    },
    /// The store or a job's files are not what they should be.
    #[error("the export's data is inconsistent: {0}")]
    Corrupt(String),
}

impl ExportError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::Engine(error) => error.code(),
            ExportError::Io(_) => "TANBA-EXPORT-IO",
            ExportError::Parquet(_) => "TANBA-EXPORT-PARQUET",
            ExportError::QuotaExceeded { .. } => "TANBA-EXPORT-QUOTA",
            ExportError::Corrupt(_) => "TANBA-EXPORT-CORRUPT",
        }
    }
}

/// The bytes every job's files may take together, and how many they take now.
#[derive(Debug)]
pub struct Quota {
    limit_bytes: u64,
    used_bytes: AtomicU64,
}

impl Quota {
    /// A quota of `limit_bytes`, with the Parquet files already under `root` counted.
    pub fn new(limit_bytes: u64, root: &Path) -> std::io::Result<Quota> {
        Ok(Quota {
            limit_bytes,
            used_bytes: AtomicU64::new(parquet_bytes(root)?),
        })
    }

    /// Bytes taken now.
    pub fn used_bytes(&self) -> u64 {
        self.used_bytes.load(Ordering::SeqCst)
    }

    /// Counts `bytes` more, or refuses if they would pass the quota.
    pub(crate) fn take(&self, bytes: u64) -> Result<(), ExportError> {
        let limit_bytes = self.limit_bytes;
        self.used_bytes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                used.checked_add(bytes)
                    .filter(|total| *total <= limit_bytes)
            })
            .map(|_| ())
            .map_err(|_| ExportError::QuotaExceeded { limit_bytes })
    }

    /// Counts `bytes` given back (a file removed).
    pub fn give_back(&self, bytes: u64) {
        let _ = self
            .used_bytes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                Some(used.saturating_sub(bytes))
            });
    }
}

/// Bytes of the Parquet files under `path`: what the quota counts (manifests and progress
/// lines are small and not counted; a file cut short is not a `.parquet` one).
pub fn parquet_bytes(path: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    if !path.exists() {
        return Ok(0);
    }
    for entry in fs::read_dir(path)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            total += parquet_bytes(&entry.path())?;
        } else if kind.is_file() && entry.path().extension().is_some_and(|e| e == "parquet") {
            total += entry.metadata()?.len();
        }
    }
    Ok(total)
}

/// The marker of a deleted job: written (synced) before its files are removed, so a job is
/// never half deleted and never written again.
const DELETED_MARKER: &str = "deleted";
/// The marker of a failed job: its error's code and message.
const FAILED_MARKER: &str = "failed.json";

/// Whether a job was deleted.
pub fn is_deleted(root: &Path, job: u64) -> bool {
    job_directory(root, job).join(DELETED_MARKER).exists()
}

/// Whether a job needs nothing more: written, failed or deleted (a test of files, no parse).
pub fn is_settled(root: &Path, job: u64) -> bool {
    let directory = job_directory(root, job);
    [MANIFEST_FILE, FAILED_MARKER, DELETED_MARKER]
        .iter()
        .any(|marker| directory.join(marker).exists())
}

/// Why a job failed, if it did: its error's code and message.
pub fn failure(root: &Path, job: u64) -> Option<(String, String)> {
    let bytes = fs::read(job_directory(root, job).join(FAILED_MARKER)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Records that a job failed: it is not tried again (asked again under a new key, it is).
pub fn mark_failed(root: &Path, job: u64, error: &ExportError) -> Result<(), ExportError> {
    let directory = job_directory(root, job);
    fs::create_dir_all(&directory)?;
    let text = serde_json::to_vec(&(error.code(), error.to_string())).expect("text serializes");
    write_synced(&directory.join(FAILED_MARKER), |file| {
        Ok(file.write_all(&text)?)
    })
}

/// Deletes a job: the marker first, then its files; the Parquet bytes removed.
pub fn delete_job(root: &Path, job: u64) -> Result<u64, ExportError> {
    let directory = job_directory(root, job);
    fs::create_dir_all(&directory)?;
    write_synced(&directory.join(DELETED_MARKER), |_| Ok(()))?;
    let bytes = parquet_bytes(&directory)?;
    for entry in fs::read_dir(&directory)? {
        let entry = entry?;
        if entry.file_name() == DELETED_MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(bytes)
}

/// One file of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Its path under the job's directory (`day=2026-12-05/part-0.parquet`).
    pub path: String,
    /// The day it holds.
    pub day: Date,
    /// Which of the day's parts it is (a day of more than [`PART_ENTRIES_MAX`] log entries has
    /// several, each a share of its entries in log order).
    #[serde(default)]
    pub part: u32,
    /// The log entries it covers (`start` to `end`, the end not included).
    #[serde(default)]
    pub sequences: std::ops::Range<u64>,
    /// Its rows.
    pub rows: u64,
    /// Its size.
    pub bytes: u64,
    /// Its BLAKE3 hash, hex.
    pub blake3: String,
}

/// What a finished job wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The job.
    pub job: u64,
    /// What it exports.
    pub kind: DataExportKind,
    /// The first day.
    pub from: Date,
    /// The last day.
    pub to: Date,
    /// The log's last entry it read (the job's own).
    pub through_sequence: u64,
    /// Its files, by day and part.
    pub files: Vec<ManifestFile>,
}

impl Manifest {
    /// Rows in all the files.
    pub fn rows(&self) -> u64 {
        self.files.iter().map(|file| file.rows).sum()
    }
}

/// The directory of a job under `root`.
pub fn job_directory(root: &Path, job: u64) -> PathBuf {
    root.join(format!("{job:020}"))
}

/// The manifest of a finished job, if it is finished.
pub fn read_manifest(root: &Path, job: u64) -> Result<Option<Manifest>, ExportError> {
    let path = job_directory(root, job).join(MANIFEST_FILE);
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|error| ExportError::Corrupt(format!("{}: {error}", path.display()))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Writes a job's files under `root` (or finishes them: files written before are kept), then
/// its manifest, which it returns.
pub fn write_job(
    snapshot: &dyn Snapshot,
    job: &DataExportJob,
    root: &Path,
    quota: &Quota,
) -> Result<Manifest, ExportError> {
    write_job_with(snapshot, job, root, quota, WriteOptions::default())
}

/// How [`write_job_with`] writes a job: the choices [`write_job`] makes, which tests and
/// benchmarks fix to see each way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// Days are split into parts of at most this many log entries.
    pub part_entries_max: u64,
    /// How a codes table reads its codes.
    pub codes_read: CodesRead,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            part_entries_max: PART_ENTRIES_MAX,
            codes_read: CodesRead::Chosen,
        }
    }
}

/// [`write_job`], written as `options` say.
pub fn write_job_with(
    snapshot: &dyn Snapshot,
    job: &DataExportJob,
    root: &Path,
    quota: &Quota,
    options: WriteOptions,
) -> Result<Manifest, ExportError> {
    assert!(options.part_entries_max > 0, "a part holds entries");
    if let Some(manifest) = read_manifest(root, job.id)? {
        return Ok(manifest);
    }
    if is_deleted(root, job.id) {
        return Err(ExportError::Corrupt(format!("job {} was deleted", job.id)));
    }
    let directory = job_directory(root, job.id);
    fs::create_dir_all(&directory)?;
    let planned = plan_parts(snapshot, job, options.part_entries_max)?;
    let written = kept_files(&directory, &planned, quota)?;
    let parts: Vec<Part> = (planned.into_iter())
        .filter(|part| !written.iter().any(|file| file.path == part.path()))
        .collect();
    let spill = match job.kind == DataExportKind::Codes
        && codes_scan::scan_chosen(snapshot, &parts, options.codes_read)?
    {
        true => Some(Spill::write(snapshot, &directory, &parts, quota)?),
        false => None,
    };
    let rows = |index: usize, writer: &mut ArrowWriter<Hashed>| match &spill {
        Some(spill) => spill.write_rows(snapshot, index, writer),
        None => write_rows(snapshot, job, parts[index].entries.clone(), writer),
    };
    let mut files = write_parts(job.kind, &directory, quota, &parts, written, &rows)?;
    drop(spill);
    // The files' renames and progress lines become durable together, before the manifest says
    // the job is whole (a file lost to a crash before this is written again).
    sync_directories(&directory, &files)?;
    files.sort_by_key(|file| (file.day, file.part));
    let manifest = Manifest {
        job: job.id,
        kind: job.kind,
        from: job.from,
        to: job.to,
        through_sequence: job.id,
        files,
    };
    let bytes = serde_json::to_vec_pretty(&manifest).expect("a manifest serializes");
    write_synced(&directory.join(MANIFEST_FILE), |file| {
        Ok(file.write_all(&bytes)?)
    })?;
    Ok(manifest)
}

/// What writes the rows of a job's part (by its index among the parts written) to its file.
type PartRows<'a> = dyn Fn(usize, &mut ArrowWriter<Hashed>) -> Result<u64, ExportError> + Sync + 'a;

/// The files a job wrote before it was cut short that its plan still has (the same path and
/// entries); any other (written under another split, by an older version) is removed, so no
/// entry is exported twice.
fn kept_files(
    directory: &Path,
    planned: &[Part],
    quota: &Quota,
) -> Result<Vec<ManifestFile>, ExportError> {
    let (kept, stale): (Vec<_>, Vec<_>) =
        (read_progress(directory)?.into_iter()).partition(|file| {
            (planned.iter()).any(|part| part.path() == file.path && part.entries == file.sequences)
        });
    for file in stale {
        fs::remove_file(directory.join(&file.path))?;
        quota.give_back(file.bytes);
    }
    Ok(kept)
}

/// One file of a job: a day's log entries, or a share of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    day: Date,
    index: u32,
    pub(crate) entries: std::ops::Range<u64>,
}

impl Part {
    /// Its path under the job's directory.
    fn path(&self) -> String {
        format!("day={}/part-{}.parquet", self.day, self.index)
    }
}

/// The job's files: a part per day, or more for a day of more than `part_entries_max` log
/// entries, split evenly into a multiple of [`EXPORT_THREADS`] parts. The split depends only
/// on the log, so a job's files are the same whenever and on whatever machine they are
/// written; a day with no entries still has its (empty) file.
fn plan_parts(
    snapshot: &dyn Snapshot,
    job: &DataExportJob,
    part_entries_max: u64,
) -> Result<Vec<Part>, ExportError> {
    let mut parts = Vec::new();
    let mut day = job.from;
    let mut first = first_entry_on(snapshot, job.from, job.id)?;
    while day <= job.to {
        let next_day = Date::from_days_since_epoch(day.days_since_epoch() + 1);
        let end = first_entry_on(snapshot, next_day, job.id)?;
        let count = match (end - first).div_ceil(part_entries_max) {
            0 | 1 => 1,
            // A whole round of parts per thread: none waits while another writes the last.
            count => count.next_multiple_of(EXPORT_THREADS as u64),
        };
        for index in 0..count {
            let share = |index: u64| first + (end - first) * index / count;
            parts.push(Part {
                day,
                index: u32::try_from(index).expect("a day's parts fit a u32"),
                entries: share(index)..share(index + 1),
            });
        }
        (day, first) = (next_day, end);
    }
    Ok(parts)
}

/// Writes `parts` on [`EXPORT_THREADS`] threads, each taking the next part not yet taken, while
/// [`SYNC_THREADS`] more sync each finished file, rename it into place and list it in the
/// progress list (so the writers never wait for the disk, and the disk sees several syncs at
/// once); the files written, `written` first. The first error stops every writer after its
/// current part and is returned.
fn write_parts(
    kind: DataExportKind,
    directory: &Path,
    quota: &Quota,
    parts: &[Part],
    written: Vec<ManifestFile>,
    rows: &PartRows<'_>,
) -> Result<Vec<ManifestFile>, ExportError> {
    let next = AtomicUsize::new(0);
    let failure = Mutex::new(None::<ExportError>);
    let fail = |error: ExportError| {
        failure
            .lock()
            .expect("no thread panics holding it")
            .get_or_insert(error);
        next.store(parts.len(), Ordering::SeqCst);
    };
    let (finished, to_settle) = std::sync::mpsc::sync_channel(EXPORT_THREADS + SYNC_THREADS);
    let settling = Settling {
        directory,
        quota,
        finished: Mutex::new(to_settle),
        listed: Mutex::new(written),
        failure: &failure,
        fail: &fail,
    };
    std::thread::scope(|scope| {
        for _ in 0..SYNC_THREADS {
            scope.spawn(|| settling.settle());
        }
        for _ in 0..EXPORT_THREADS.min(parts.len()) {
            let (finished, next, fail) = (finished.clone(), &next, &fail);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(part) = parts.get(index) else {
                        break;
                    };
                    match write_part(kind, directory, part, quota, &|writer| rows(index, writer)) {
                        Ok(unsynced) => {
                            // The settlers stop only when every writer has.
                            let _ = finished.send(unsynced);
                        }
                        Err(error) => fail(error),
                    }
                }
            });
        }
        drop(finished);
    });
    let listed = settling.listed.into_inner();
    match failure.into_inner().expect("no thread panicked holding it") {
        Some(error) => Err(error),
        None => Ok(listed.expect("no thread panicked holding it")),
    }
}

/// A part's file, whole but not yet synced, beside its place.
struct Unsynced {
    file: File,
    temporary: PathBuf,
    listed: ManifestFile,
}

/// What the threads that settle a job's files share.
struct Settling<'a> {
    directory: &'a Path,
    quota: &'a Quota,
    finished: Mutex<std::sync::mpsc::Receiver<Unsynced>>,
    /// The files listed in the progress list, in the order listed.
    listed: Mutex<Vec<ManifestFile>>,
    failure: &'a Mutex<Option<ExportError>>,
    fail: &'a (dyn Fn(ExportError) + Sync),
}

impl Settling<'_> {
    /// Syncs each file handed over, renames it into place and lists it, until the writers are
    /// done. After a failure (anyone's), the files still handed over are removed instead.
    fn settle(&self) {
        loop {
            let next = self
                .finished
                .lock()
                .expect("no thread panics holding it")
                .recv();
            let Ok(unsynced) = next else {
                return;
            };
            let failed = self.failure.lock().expect("no panic holding it").is_some();
            let path = self.directory.join(&unsynced.listed.path);
            let settled = match failed {
                true => Err(None),
                false => (unsynced.file.sync_all())
                    .and_then(|()| fs::rename(&unsynced.temporary, &path))
                    .map_err(|error| Some(error.into())),
            };
            let settled = settled.and_then(|()| {
                // Listed under the lock: the progress list's lines are never interleaved.
                let mut listed = self.listed.lock().expect("no thread panics holding it");
                append_progress(self.directory, &unsynced.listed).map_err(Some)?;
                listed.push(unsynced.listed.clone());
                Ok(())
            });
            if let Err(error) = settled {
                let _ = fs::remove_file(&unsynced.temporary);
                let _ = fs::remove_file(&path);
                self.quota.give_back(unsynced.listed.bytes);
                if let Some(error) = error {
                    (self.fail)(error);
                }
            }
        }
    }
}

/// The first log entry recorded on `day` or later, or `through + 1` if none up to `through` is.
fn first_entry_on(snapshot: &dyn Snapshot, day: Date, through: u64) -> Result<u64, ExportError> {
    let start_ms = day.start_unix_ms_in_kz();
    Ok(tanba_engine::query::first_entry_at_or_after(
        snapshot, through, start_ms,
    )?)
}

/// Syncs the job's directory, its days' directories and its progress list.
fn sync_directories(directory: &Path, files: &[ManifestFile]) -> Result<(), ExportError> {
    let parents: std::collections::BTreeSet<PathBuf> = (files.iter())
        .filter_map(|file| Path::new(&file.path).parent().map(Path::to_path_buf))
        .collect();
    for parent in parents {
        File::open(directory.join(parent))?.sync_all()?;
    }
    if let Ok(progress) = File::open(directory.join(PROGRESS_FILE)) {
        progress.sync_all()?;
    }
    File::open(directory)?.sync_all()?;
    Ok(())
}

/// Writes one part's file beside its place, counted against the quota, and returns it not
/// yet synced: its entries' rows, a row group at most in memory, hashed as they are written.
fn write_part(
    kind: DataExportKind,
    directory: &Path,
    part: &Part,
    quota: &Quota,
    rows: &dyn Fn(&mut ArrowWriter<Hashed>) -> Result<u64, ExportError>,
) -> Result<Unsynced, ExportError> {
    let relative = part.path();
    let temporary = directory.join(&relative).with_extension("partial");
    fs::create_dir_all(temporary.parent().expect("a file in a directory"))?;
    let written = (|| {
        let hashed = Hashed {
            file: File::create(&temporary)?,
            hasher: blake3::Hasher::new(),
            bytes: 0,
        };
        let mut properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("tanba {}", env!("CARGO_PKG_VERSION")));
        for column in tables::distinct_columns(kind) {
            properties = properties.set_column_dictionary_enabled(ColumnPath::from(*column), false);
        }
        let schema = tables::schema(kind);
        let mut writer = ArrowWriter::try_new(hashed, schema, Some(properties.build()))?;
        let rows = rows(&mut writer)?;
        let hashed = writer.into_inner()?;
        quota.take(hashed.bytes)?;
        Ok::<_, ExportError>((rows, hashed))
    })();
    let (rows, hashed) = written.inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })?;
    Ok(Unsynced {
        file: hashed.file,
        temporary,
        listed: ManifestFile {
            path: relative,
            day: part.day,
            part: part.index,
            sequences: part.entries.clone(),
            rows,
            bytes: hashed.bytes,
            blake3: hashed.hasher.finalize().to_hex().to_string(),
        },
    })
}

/// A file being written, its bytes counted and hashed on the way (no second read of it).
pub(crate) struct Hashed {
    file: File,
    hasher: blake3::Hasher,
    bytes: u64,
}

impl Write for Hashed {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        let written = self.file.write(buffer)?;
        self.hasher.update(&buffer[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Writes the table's rows of the log entries in `range` to `writer`, a batch at a time; the
/// rows written.
fn write_rows<W: Write + Send>(
    snapshot: &dyn Snapshot,
    job: &DataExportJob,
    range: std::ops::Range<u64>,
    writer: &mut ArrowWriter<W>,
) -> Result<u64, ExportError> {
    let mut table = tables::table(job.kind, job.requested_ms);
    let mut rows = 0;
    each_entry(snapshot, range, table.kind(), |entry| {
        table.add(snapshot, entry)?;
        if table.rows() >= BATCH_ROWS {
            rows += write_batch(writer, table.finish())?;
        }
        Ok(ControlFlow::Continue(()))
    })?;
    Ok(rows + write_batch(writer, table.finish())?)
}

/// Visits the log entries in `range`, decoded, a page at a time (those of `kind` only when
/// given: the others are passed over undecoded); stops when `visit` breaks.
pub(crate) fn each_entry(
    snapshot: &dyn Snapshot,
    range: std::ops::Range<u64>,
    kind: Option<FeedKind>,
    mut visit: impl FnMut(&Entry) -> Result<ControlFlow<()>, ExportError>,
) -> Result<(), ExportError> {
    each_stored_entry(snapshot, range, kind, |stored| {
        let record = stored.decode()?;
        visit(&Entry {
            record: &record,
            hash: &stored.hash.0,
        })
    })
}

/// Visits the log entries in `range` as stored, their records undecoded, a page at a time
/// (those of `kind` only when given); stops when `visit` breaks.
pub(crate) fn each_stored_entry(
    snapshot: &dyn Snapshot,
    range: std::ops::Range<u64>,
    kind: Option<FeedKind>,
    mut visit: impl FnMut(&tanba_engine::log::StoredEntry) -> Result<ControlFlow<()>, ExportError>,
) -> Result<(), ExportError> {
    let mut next = range.start;
    while next < range.end {
        let from = keys::sequence(next);
        // No entry past the range's is read: a small day's part is a few entries of a large log.
        let entries = usize::try_from(range.end - next)
            .map_or(LOG_PAGE_ENTRIES, |left| left.min(LOG_PAGE_ENTRIES));
        let page = (snapshot.scan_from_bytes(Column::Log, &[], &from, entries, LOG_PAGE_BYTES_MAX))
            .map_err(EngineError::from)?;
        let read_before = next;
        for (key, value) in page {
            let sequence = keys::trailing_u64(&key)?;
            if sequence >= range.end {
                break;
            }
            next = sequence + 1;
            let entry = tanba_engine::stored_entry(&value)?;
            if kind.is_some_and(|kind| !entry.kinds.contains(kind)) {
                continue;
            }
            if visit(&entry)?.is_break() {
                return Ok(());
            }
        }
        if next == read_before {
            return Err(ExportError::Corrupt(format!("log entry {next} is missing")));
        }
    }
    Ok(())
}

pub(crate) fn write_batch<W: Write + Send>(
    writer: &mut ArrowWriter<W>,
    batch: RecordBatch,
) -> Result<u64, ExportError> {
    writer.write(&batch)?;
    Ok(batch.num_rows() as u64)
}

/// Writes `path` through a temporary file beside it, synced, then renamed into place (and the
/// directory synced), so a file under its name is always whole.
fn write_synced(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let temporary = path.with_extension("partial");
    let mut file = File::create(&temporary)?;
    let written = write(&mut file).and_then(|()| Ok(file.sync_all()?));
    if let Err(error) = written {
        drop(file);
        let _ = fs::remove_file(&temporary);
        return Err(error);
    }
    fs::rename(&temporary, path)?;
    if let Some(parent) = path.parent() {
        File::open(parent)?.sync_all()?;
    }
    Ok(())
}

/// The files a job listed before it was cut short that are there (each whole: synced before it
/// was renamed into place and listed).
fn read_progress(directory: &Path) -> Result<Vec<ManifestFile>, ExportError> {
    let file = match File::open(directory.join(PROGRESS_FILE)) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error.into()),
    };
    let mut files: Vec<ManifestFile> = Vec::new();
    for line in BufReader::new(file).lines() {
        // A line cut by a crash is the last: its file is written again.
        let Ok(file) = serde_json::from_str::<ManifestFile>(&line?) else {
            break;
        };
        // A path listed again was written again: the later line is the file there now.
        files.retain(|listed| listed.path != file.path);
        if directory.join(&file.path).is_file() {
            files.push(file);
        }
    }
    Ok(files)
}

fn append_progress(directory: &Path, file: &ManifestFile) -> Result<(), ExportError> {
    let mut progress = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(directory.join(PROGRESS_FILE))?;
    let mut line = serde_json::to_vec(file).expect("a file entry serializes");
    line.push(b'\n');
    // Synced with the directories before the manifest: a line lost to a crash is a day written
    // again, and a line kept whose file was lost is found missing (`read_progress`).
    progress.write_all(&line)?;
    Ok(())
}
