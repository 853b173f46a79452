//! Data exports for analytical systems (R-IS-15): what the log holds, written as Apache Parquet
//! files that DuckDB, pyarrow, Spark or any other Parquet reader opens as they are.
//!
//! A job ([`tanba_engine::data_export::DataExportJob`]) is an event in the log: its kind, its
//! days, and its sequence, up to which it reads. [`write_job`] writes it under its own directory
//! as one file per day, Hive-style (`day=2026-12-05/part-0.parquet`, so readers that partition
//! by directory name see a `day` column), then `manifest.json` with each file's rows, bytes and
//! BLAKE3 hash. Every file is written beside its place and renamed into it once synced, and
//! listed in `progress.jsonl` after; the renames and the list are made durable together before
//! the manifest (one fsync a day, not three): a job cut short resumes with the days missing. The
//! files of one job are the same whenever they are written (the codes table aside: it shows
//! the codes as they stand when written, and says so).
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
//! group ([`ROW_GROUP_ROWS`]) in memory, and stops with [`ExportError::QuotaExceeded`] when
//! the files of every job together would pass the [`Quota`] (checked as each day's file is
//! finished: one day may pass it by its own size before it is removed). A failed job keeps a
//! marker with its error, a deleted one a marker written before its files go.
//!
//! Architecture invariant: reads a store snapshot through the engine's queries; writes only
//! under the directory it is given. Knows nothing of the network.

pub mod tables;

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use tanba_engine::data_export::DataExportJob;
use tanba_engine::{EngineError, keys};
use tanba_store::{Column, Snapshot};
use tanba_types::{DataExportKind, Date};

use crate::tables::Entry;

/// Rows a table builds before they are written as one batch (and a row group fills).
pub const BATCH_ROWS: usize = 65_536;
/// Rows per row group at most: what the Parquet writer holds before it writes a group out.
pub const ROW_GROUP_ROWS: usize = 4 * BATCH_ROWS;
/// Batches built and not yet encoded at most (each [`BATCH_ROWS`] rows).
const BATCHES_IN_FLIGHT: usize = 2;
/// Log entries read per page.
const LOG_PAGE_ENTRIES: usize = 4_096;
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
    fn take(&self, bytes: u64) -> Result<(), ExportError> {
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
    /// Its files, a day each, in day order.
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

/// Writes a job's files under `root` (or finishes them: days written before are kept), then
/// its manifest, which it returns.
pub fn write_job(
    snapshot: &dyn Snapshot,
    job: &DataExportJob,
    root: &Path,
    quota: &Quota,
) -> Result<Manifest, ExportError> {
    if let Some(manifest) = read_manifest(root, job.id)? {
        return Ok(manifest);
    }
    if is_deleted(root, job.id) {
        return Err(ExportError::Corrupt(format!("job {} was deleted", job.id)));
    }
    let directory = job_directory(root, job.id);
    fs::create_dir_all(&directory)?;
    let mut files = read_progress(&directory)?;
    let mut day = job.from;
    let mut first = first_entry_on(snapshot, job.from, job.id)?;
    while day <= job.to {
        let next_day = Date::from_days_since_epoch(day.days_since_epoch() + 1);
        let end = first_entry_on(snapshot, next_day, job.id)?;
        if !files.iter().any(|file| file.day == day) {
            let file = write_day(snapshot, job, &directory, day, first..end, quota)?;
            append_progress(&directory, &file)?;
            files.push(file);
        }
        (day, first) = (next_day, end);
    }
    // The days' renames and progress lines become durable together, before the manifest says
    // the job is whole (a day lost to a crash before this is written again).
    sync_directories(&directory, &files)?;
    files.sort_by_key(|file| file.day);
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

/// The first log entry recorded on `day` or later, or `through + 1` if none up to `through` is:
/// the log's times never go back, so a binary search over sequences finds it.
fn first_entry_on(snapshot: &dyn Snapshot, day: Date, through: u64) -> Result<u64, ExportError> {
    let (mut low, mut high) = (1, through + 1);
    while low < high {
        let middle = low + (high - low) / 2;
        let record = tanba_engine::query::log_record(snapshot, middle)?
            .ok_or_else(|| ExportError::Corrupt(format!("log entry {middle} is missing")))?;
        if Date::from_unix_ms_in_kz(record.time_ms) >= day {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    Ok(low)
}

/// Writes one day's file from the log entries `range`.
/// Syncs the job's directory, its days' directories and its progress list.
fn sync_directories(directory: &Path, files: &[ManifestFile]) -> Result<(), ExportError> {
    for file in files {
        if let Some(parent) = directory.join(&file.path).parent() {
            File::open(parent)?.sync_all()?;
        }
    }
    if let Ok(progress) = File::open(directory.join(PROGRESS_FILE)) {
        progress.sync_all()?;
    }
    File::open(directory)?.sync_all()?;
    Ok(())
}

fn write_day(
    snapshot: &dyn Snapshot,
    job: &DataExportJob,
    directory: &Path,
    day: Date,
    range: std::ops::Range<u64>,
    quota: &Quota,
) -> Result<ManifestFile, ExportError> {
    let relative = format!("day={day}/part-0.parquet");
    let path = directory.join(&relative);
    fs::create_dir_all(path.parent().expect("a file in a directory"))?;
    let mut rows = 0;
    write_file(&path, false, |file| {
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("tanba {}", env!("CARGO_PKG_VERSION")))
            .build();
        let schema = tables::schema(job.kind);
        let writer = ArrowWriter::try_new(file, schema, Some(properties))?;
        // Two cores, two stages: this thread reads the log and builds the batches while the
        // other encodes and compresses the ones before (a bounded hand-over between them).
        let (batches, received) = std::sync::mpsc::sync_channel(BATCHES_IN_FLIGHT);
        std::thread::scope(|scope| {
            let encoder = scope.spawn(move || encode(writer, received));
            let built = build_batches(snapshot, job, range, &batches);
            drop(batches);
            let encoded = encoder.join().expect("the encoder does not panic");
            // A failed read is the cause; an encoder that stopped first is its own.
            built?;
            rows = encoded?;
            Ok(())
        })
    })?;
    let bytes = fs::metadata(&path)?.len();
    if let Err(error) = quota.take(bytes) {
        fs::remove_file(&path)?;
        return Err(error);
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(File::open(&path)?)?;
    Ok(ManifestFile {
        path: relative,
        day,
        rows,
        bytes,
        blake3: hasher.finalize().to_hex().to_string(),
    })
}

/// Builds the table's batches of the log entries in `range` and hands each over to `batches`;
/// stops when the encoder is gone (its own error says why).
fn build_batches(
    snapshot: &dyn Snapshot,
    job: &DataExportJob,
    range: std::ops::Range<u64>,
    batches: &std::sync::mpsc::SyncSender<RecordBatch>,
) -> Result<(), ExportError> {
    let mut table = tables::table(job.kind, job.requested_ms);
    let mut next = range.start;
    while next < range.end {
        let from = keys::sequence(next);
        let page = (snapshot.scan_from(Column::Log, &[], &from, LOG_PAGE_ENTRIES))
            .map_err(EngineError::from)?;
        let read_before = next;
        for (key, value) in page {
            let sequence = keys::trailing_u64(&key)?;
            if sequence >= range.end {
                break;
            }
            let entry = tanba_engine::stored_entry(&value)?;
            let record = entry.decode()?;
            let hash = entry.hash.0;
            table.add(
                snapshot,
                &Entry {
                    record: &record,
                    hash: &hash,
                },
            )?;
            if table.rows() >= BATCH_ROWS && batches.send(table.finish()).is_err() {
                return Ok(());
            }
            next = sequence + 1;
        }
        if next == read_before {
            return Err(ExportError::Corrupt(format!("log entry {next} is missing")));
        }
    }
    let _ = batches.send(table.finish());
    Ok(())
}

/// Encodes the batches handed over into the file's row groups, then its footer; the rows.
fn encode<W: Write + Send>(
    mut writer: ArrowWriter<W>,
    batches: std::sync::mpsc::Receiver<RecordBatch>,
) -> Result<u64, ExportError> {
    let mut rows = 0;
    for batch in batches {
        rows += batch.num_rows() as u64;
        writer.write(&batch)?;
    }
    writer.close()?;
    Ok(rows)
}

/// Writes `path` through a temporary file beside it, synced, then renamed into place (and the
/// directory synced), so a file under its name is always whole.
fn write_synced(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    write_file(path, true, write)
}

/// [`write_synced`]; without `sync_directory`, the rename is made durable later by the caller
/// (a day's file: its job syncs the directories once, before its manifest).
fn write_file(
    path: &Path,
    sync_directory: bool,
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
    if let Some(parent) = path.parent().filter(|_| sync_directory) {
        File::open(parent)?.sync_all()?;
    }
    Ok(())
}

/// The days a job wrote before it was cut short, whose files are whole.
fn read_progress(directory: &Path) -> Result<Vec<ManifestFile>, ExportError> {
    let file = match File::open(directory.join(PROGRESS_FILE)) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error.into()),
    };
    let mut files = Vec::new();
    for line in BufReader::new(file).lines() {
        // A line cut by a crash is the last: its day is written again.
        let Ok(file) = serde_json::from_str::<ManifestFile>(&line?) else {
            break;
        };
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
