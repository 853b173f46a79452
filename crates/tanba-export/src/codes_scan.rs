//! The codes table of a job that covers a large share of the store's codes, read in key order.
//!
//! Read from the log, the table costs a point read per row: an issue's codes lie at random
//! among their product's, so nearly every row reads another block of the codes column (two
//! thirds of a row's cost, measured: BENCHMARKS.md). When a job's codes are at least
//! 1/[`SCAN_SHARE_DIVISOR`] of the column, the table is written in two passes instead:
//!
//! 1. one scan of the codes column, in key order, routes each record to the part of the job
//!    whose log entries created it (the record's `created_sequence`), appended to the part's
//!    spill file under the job's `spill/` directory (held in memory up to
//!    [`SPILL_BUFFER_BYTES`] across the parts, then appended: one open file at a time). The
//!    column is split into key ranges of about as many products each
//!    (`query::code_split_keys`), [`RANGES_PER_THREAD`] per thread, which the threads take in
//!    turn, each range scanned into files of its own;
//! 2. each part's file is then written from its spill files, range after range, as any other
//!    part (the writers share the parts), its rows in key order.
//!
//! The spill files are temporary and count against the quota while they exist; they are
//! removed when the job's files are written or the job fails, and a job cut short by a crash
//! removes what it left and scans again when it resumes.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use parquet::arrow::ArrowWriter;
use tanba_engine::records::{self, CodeRecord};
use tanba_engine::{EngineError, keys, query};
use tanba_log::FeedKind;
use tanba_store::{Column, Snapshot};

use crate::tables::{Codes, Table};
use crate::{BATCH_ROWS, EXPORT_THREADS, ExportError, Part, Quota, each_stored_entry, write_batch};

/// The scan is chosen when the job's codes are at least this fraction (1/n) of the codes column.
/// Measured on the full analytics benchmark: a row read at random costs about 1.5 µs of a
/// core, a record scanned and routed about a tenth of that, and a scanned row is written
/// afterwards as cheaply as any; a quarter leaves room for the estimate's error.
pub const SCAN_SHARE_DIVISOR: u64 = 4;
/// Bytes of records held in memory across the parts before they are appended to their files.
pub const SPILL_BUFFER_BYTES: usize = 64 << 20;
/// Key ranges per scanning thread: a thread whose ranges hold fewer codes takes more of them,
/// so the threads end together though products differ in volume.
const RANGES_PER_THREAD: usize = 4;
/// Records of the codes column visited per page of the scan (one seek a page).
const SCAN_PAGE_ENTRIES: usize = 65_536;
/// The buffer a spill file is read through.
const SPILL_READ_BUFFER_BYTES: usize = 1 << 20;
/// The job's directory of spill files.
const SPILL_DIRECTORY: &str = "spill";
/// A spilled record's length read back is checked against this (a code record is some
/// hundred bytes; a file damaged on disk must not ask for gigabytes).
const SPILLED_RECORD_BYTES_MAX: usize = 16 << 20;

/// How a codes table reads its codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodesRead {
    /// By their share of the codes column ([`SCAN_SHARE_DIVISOR`]).
    #[default]
    Chosen,
    /// Each code the log's entries name, at random.
    EachCode,
    /// The whole codes column, in key order.
    Scan,
}

/// Whether the codes of `parts` are read by a scan: as `read` says, or (when it leaves the
/// choice) when they are at least a [`SCAN_SHARE_DIVISOR`]th of the codes column. They are
/// counted from the parts' entries until there are enough (`tanba_log::decode_created_codes`,
/// which counts an issue's codes without decoding them): a job of few codes reads all its
/// issues' entries once more, one of many reads only enough of them.
pub(crate) fn scan_chosen(
    snapshot: &dyn Snapshot,
    parts: &[Part],
    read: CodesRead,
) -> Result<bool, ExportError> {
    match read {
        CodesRead::EachCode => return Ok(false),
        CodesRead::Scan => return Ok(true),
        CodesRead::Chosen => {}
    }
    let enough =
        (snapshot.estimate_entries(Column::Codes)).map_err(EngineError::from)? / SCAN_SHARE_DIVISOR;
    let mut counted = 0u64;
    for part in parts {
        if counted >= enough {
            break;
        }
        each_stored_entry(
            snapshot,
            part.entries.clone(),
            Some(FeedKind::Goods),
            |entry| {
                counted += tanba_log::decode_created_codes(entry.record)
                    .map_err(|error| ExportError::Corrupt(format!("a log record: {error}")))?;
                Ok(match counted >= enough {
                    true => ControlFlow::Break(()),
                    false => ControlFlow::Continue(()),
                })
            },
        )?;
    }
    Ok(counted >= enough)
}

/// The spill files of a job's remaining parts (indexed as the parts are; one file per part
/// and key range), removed and given back to the quota when dropped.
pub(crate) struct Spill<'a> {
    directory: PathBuf,
    quota: &'a Quota,
    /// Bytes taken from the quota (by every range's thread).
    bytes: AtomicU64,
    /// The key ranges scanned, taken in turn by [`EXPORT_THREADS`] threads.
    ranges: usize,
}

impl Drop for Spill<'_> {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.directory);
        self.quota.give_back(self.bytes.load(Ordering::SeqCst));
    }
}

impl<'a> Spill<'a> {
    /// Scans the codes column once, split into key ranges that [`EXPORT_THREADS`] threads take
    /// in turn,
    /// and spills each record created by one of `parts`' entries to that part's file of its
    /// range (a record created elsewhere is passed over).
    pub(crate) fn write(
        snapshot: &dyn Snapshot,
        job_directory: &Path,
        parts: &[Part],
        quota: &'a Quota,
    ) -> Result<Spill<'a>, ExportError> {
        let directory = job_directory.join(SPILL_DIRECTORY);
        if directory.exists() {
            fs::remove_dir_all(&directory)?;
        }
        fs::create_dir_all(&directory)?;
        let starts = query::code_split_keys(snapshot, EXPORT_THREADS * RANGES_PER_THREAD)?;
        let spill = Spill {
            directory,
            quota,
            bytes: AtomicU64::new(0),
            ranges: starts.len(),
        };
        let next_range = AtomicUsize::new(0);
        let scanned: Vec<Result<(), ExportError>> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..EXPORT_THREADS.min(starts.len()))
                .map(|_| {
                    let (spill, starts, next_range) = (&spill, &starts, &next_range);
                    scope.spawn(move || {
                        // Each thread takes the next range left until none is.
                        loop {
                            let range = next_range.fetch_add(1, Ordering::SeqCst);
                            let Some(start) = starts.get(range) else {
                                return Ok(());
                            };
                            let end = starts.get(range + 1).map(Vec::as_slice);
                            spill.write_range(snapshot, parts, range, start, end)?;
                        }
                    })
                })
                .collect();
            (threads.into_iter())
                .map(|thread| thread.join().expect("a spilling thread does not panic"))
                .collect()
        });
        scanned.into_iter().collect::<Result<(), _>>()?;
        Ok(spill)
    }

    /// Scans the keys from `start` up to `end` (not included; the column's end if none) and
    /// spills their records as [`Spill::write`] says, a page at a time, holding at most a
    /// thread's share of [`SPILL_BUFFER_BYTES`].
    fn write_range(
        &self,
        snapshot: &dyn Snapshot,
        parts: &[Part],
        range: usize,
        start: &[u8],
        end: Option<&[u8]>,
    ) -> Result<(), ExportError> {
        let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); parts.len()];
        let (mut buffered, mut start, mut ended) = (0, start.to_vec(), false);
        while !ended {
            let (mut visited, mut last, mut failed) = (0, Vec::new(), None);
            let scanned = snapshot.scan_each(
                Column::Codes,
                &[],
                &start,
                SCAN_PAGE_ENTRIES,
                &mut |key, value| {
                    if end.is_some_and(|end| key >= end) {
                        ended = true;
                        return ControlFlow::Break(());
                    }
                    visited += 1;
                    last.clear();
                    last.extend_from_slice(key);
                    match route(parts, key, value, &mut buffers) {
                        Ok(added) => {
                            buffered += added;
                            ControlFlow::Continue(())
                        }
                        Err(error) => {
                            failed = Some(error);
                            ControlFlow::Break(())
                        }
                    }
                },
            );
            scanned.map_err(EngineError::from)?;
            if let Some(error) = failed {
                return Err(error);
            }
            if buffered >= SPILL_BUFFER_BYTES / EXPORT_THREADS {
                self.append(range, &mut buffers)?;
                buffered = 0;
            }
            ended |= visited < SCAN_PAGE_ENTRIES;
            // The next key after the last one visited.
            last.push(0);
            start = last;
        }
        self.append(range, &mut buffers)
    }

    fn path(&self, index: usize, range: usize) -> PathBuf {
        self.directory.join(format!("{index}-{range}.spill"))
    }

    /// Appends each part's buffered records to its file of `range`, counted against the quota.
    fn append(&self, range: usize, buffers: &mut [Vec<u8>]) -> Result<(), ExportError> {
        for (index, buffer) in buffers.iter_mut().enumerate() {
            if buffer.is_empty() {
                continue;
            }
            self.quota.take(buffer.len() as u64)?;
            self.bytes.fetch_add(buffer.len() as u64, Ordering::SeqCst);
            (OpenOptions::new().create(true).append(true))
                .open(self.path(index, range))?
                .write_all(buffer)?;
            buffer.clear();
        }
        Ok(())
    }

    /// Writes the rows of part `index` (as `parts[index]` was when spilled) from its spill
    /// file, a batch at a time; the rows written.
    pub(crate) fn write_rows<W: Write + Send>(
        &self,
        snapshot: &dyn Snapshot,
        index: usize,
        writer: &mut ArrowWriter<W>,
    ) -> Result<u64, ExportError> {
        let mut table = Codes::default();
        // Entries' times, read once each (an issue creates thousands of codes).
        let mut times: HashMap<u64, u64> = HashMap::new();
        let (mut key, mut value, mut rows) = (Vec::new(), Vec::new(), 0);
        // The ranges in key order: the part's rows are in key order.
        for range in 0..self.ranges {
            let file = match File::open(self.path(index, range)) {
                Ok(file) => file,
                // Nothing in this range was created by the part's entries.
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                Err(error) => return Err(error.into()),
            };
            let mut reader = BufReader::with_capacity(SPILL_READ_BUFFER_BYTES, file);
            while read_record(&mut reader, &mut key, &mut value)? {
                let (code, _) = keys::read_code(&key)?;
                let stored: CodeRecord = records::decode(&value)?;
                let sequence = stored.created_sequence;
                let time_ms = match times.get(&sequence) {
                    Some(time_ms) => *time_ms,
                    None => {
                        let time_ms = query::log_time(snapshot, sequence)?.ok_or_else(|| {
                            ExportError::Corrupt(format!("log entry {sequence} is missing"))
                        })?;
                        *times.entry(sequence).or_insert(time_ms)
                    }
                };
                table.add_stored(snapshot, (sequence, time_ms), &code, &stored)?;
                if table.rows() >= BATCH_ROWS {
                    rows += write_batch(writer, table.finish())?;
                }
            }
        }
        Ok(rows + write_batch(writer, table.finish())?)
    }
}

/// Buffers a record for the part whose entries created it, if one of `parts` did (they are
/// in log order); the bytes buffered.
fn route(
    parts: &[Part],
    key: &[u8],
    value: &[u8],
    buffers: &mut [Vec<u8>],
) -> Result<usize, ExportError> {
    let sequence = CodeRecord::created_sequence_of(value)?;
    let index = parts.partition_point(|part| part.entries.end <= sequence);
    if !parts
        .get(index)
        .is_some_and(|part| part.entries.contains(&sequence))
    {
        return Ok(0);
    }
    let key_length = u16::try_from(key.len())
        .map_err(|_| ExportError::Corrupt(format!("a code key of {} bytes", key.len())))?;
    let value_length = u32::try_from(value.len())
        .map_err(|_| ExportError::Corrupt(format!("a code record of {} bytes", value.len())))?;
    let buffer = &mut buffers[index];
    buffer.extend_from_slice(&key_length.to_le_bytes());
    buffer.extend_from_slice(key);
    buffer.extend_from_slice(&value_length.to_le_bytes());
    buffer.extend_from_slice(value);
    Ok(2 + key.len() + 4 + value.len())
}

/// Reads the next spilled record into `key` and `value`; false at the end of the file.
fn read_record(
    reader: &mut impl BufRead,
    key: &mut Vec<u8>,
    value: &mut Vec<u8>,
) -> Result<bool, ExportError> {
    if reader.fill_buf()?.is_empty() {
        return Ok(false);
    }
    let mut length = [0u8; 2];
    reader.read_exact(&mut length)?;
    key.resize(usize::from(u16::from_le_bytes(length)), 0);
    reader.read_exact(key)?;
    let mut length = [0u8; 4];
    reader.read_exact(&mut length)?;
    let value_length = u32::from_le_bytes(length) as usize;
    if value_length > SPILLED_RECORD_BYTES_MAX {
        return Err(ExportError::Corrupt(format!(
            "a spilled record of {value_length} bytes"
        )));
    }
    value.resize(value_length, 0);
    reader.read_exact(value)?;
    Ok(true)
}
