//! The data export worker (R-IS-15): the jobs are events in the log
//! (`tanba_engine::data_export`); this task writes their files with `tanba-export`, one job at
//! a time off the async workers, under `<data_dir>/exports/`, within the quota. A job whose
//! files are all there has a manifest; one cut short by a restart is finished from where it
//! stopped; one that failed (the quota) says why until the server restarts, when it is tried
//! again. A deleted job keeps a marker and is never written again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tanba_engine::data_export::{self, DataExportJob};
use tanba_export::{ExportError, Manifest, Quota};
use tokio::sync::{Notify, watch};

use crate::app::App;

/// How often the worker looks for jobs when nobody wakes it (another node's jobs, a restart).
pub const EXPORT_POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Jobs the worker reads per look.
const JOBS_PER_LOOK: usize = 256;
/// Failures remembered at most (the oldest are forgotten: their jobs are tried again).
pub const FAILURES_REMEMBERED_MAX: usize = 1_024;
/// The file that marks a deleted job.
const DELETED_MARKER: &str = "deleted";

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for the worker.
    Queued,
    /// Being written.
    Running,
    /// Written: its manifest.
    Done(Manifest),
    /// Not written, and why (an error's code and message).
    Failed {
        /// The error's code.
        code: &'static str,
        /// What went wrong.
        message: String,
    },
    /// Deleted by its requester or the operator.
    Deleted,
}

/// The exports' directory, quota and worker.
#[derive(Debug)]
pub struct Exports {
    root: PathBuf,
    quota: Quota,
    wake: Notify,
    running: Mutex<Option<u64>>,
    failures: Mutex<HashMap<u64, (&'static str, String)>>,
    /// Every job up to here is written, failed or deleted.
    settled_through: Mutex<u64>,
}

impl Exports {
    /// The exports under `root`, within `quota_bytes` (the files there already count).
    pub fn open(root: PathBuf, quota_bytes: u64) -> std::io::Result<Exports> {
        std::fs::create_dir_all(&root)?;
        Ok(Exports {
            quota: Quota::new(quota_bytes, &root)?,
            root,
            wake: Notify::new(),
            running: Mutex::new(None),
            failures: Mutex::new(HashMap::new()),
            settled_through: Mutex::new(0),
        })
    }

    /// The directory the job files live under.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Bytes the files take now.
    pub fn used_bytes(&self) -> u64 {
        self.quota.used_bytes()
    }

    /// Tells the worker a job was made.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Where `job` stands.
    pub fn state(&self, job: u64) -> Result<JobState, ExportError> {
        if tanba_export::job_directory(&self.root, job)
            .join(DELETED_MARKER)
            .exists()
        {
            return Ok(JobState::Deleted);
        }
        if let Some(manifest) = tanba_export::read_manifest(&self.root, job)? {
            return Ok(JobState::Done(manifest));
        }
        if *self.running.lock().expect("not poisoned") == Some(job) {
            return Ok(JobState::Running);
        }
        Ok(
            match self.failures.lock().expect("not poisoned").get(&job) {
                Some((code, message)) => JobState::Failed {
                    code,
                    message: message.clone(),
                },
                None => JobState::Queued,
            },
        )
    }

    /// Removes a job's files (giving their bytes back to the quota) and marks it deleted.
    pub fn delete(&self, job: u64) -> Result<(), ExportError> {
        if *self.running.lock().expect("not poisoned") == Some(job) {
            return Err(ExportError::Corrupt(format!("job {job} is being written")));
        }
        let directory = tanba_export::job_directory(&self.root, job);
        let bytes = directory_bytes(&directory);
        if directory.exists() {
            std::fs::remove_dir_all(&directory)?;
        }
        self.quota.give_back(bytes);
        std::fs::create_dir_all(&directory)?;
        std::fs::write(directory.join(DELETED_MARKER), b"")?;
        Ok(())
    }

    /// Whether a job needs the worker.
    fn pending(&self, job: u64) -> Result<bool, ExportError> {
        Ok(matches!(self.state(job)?, JobState::Queued))
    }

    /// The oldest job the worker has to write, moving the settled mark past the jobs before it
    /// that need nothing.
    fn next_job(&self, app: &App) -> Result<Option<DataExportJob>, ExportError> {
        let snapshot = app.engine.snapshot();
        let mut settled = *self.settled_through.lock().expect("not poisoned");
        let mut contiguous = true;
        loop {
            let jobs = data_export::jobs(snapshot.as_ref(), settled, JOBS_PER_LOOK)?;
            let Some(last) = jobs.last().map(|job| job.id) else {
                return Ok(None);
            };
            for job in jobs {
                if self.pending(job.id)? {
                    return Ok(Some(job));
                }
                let failed = self
                    .failures
                    .lock()
                    .expect("not poisoned")
                    .contains_key(&job.id);
                contiguous &= !failed;
                if contiguous {
                    *self.settled_through.lock().expect("not poisoned") = job.id;
                }
            }
            settled = last;
        }
    }

    fn fail(&self, job: u64, error: &ExportError) {
        tracing::warn!(job, code = error.code(), %error, "a data export failed");
        let mut failures = self.failures.lock().expect("not poisoned");
        if failures.len() >= FAILURES_REMEMBERED_MAX
            && let Some(oldest) = failures.keys().min().copied()
        {
            failures.remove(&oldest);
        }
        failures.insert(job, (error.code(), error.to_string()));
    }
}

fn directory_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => directory_bytes(&entry.path()),
            _ => entry.metadata().map_or(0, |metadata| metadata.len()),
        })
        .sum()
}

/// Starts the worker: it writes the jobs one at a time until `stop`.
pub fn spawn(app: Arc<App>, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            loop {
                let worker = app.clone();
                let done = tokio::task::spawn_blocking(move || write_next(&worker)).await;
                if !matches!(done, Ok(true)) {
                    break;
                }
            }
            tokio::select! {
                _ = app.exports.wake.notified() => {}
                _ = tokio::time::sleep(EXPORT_POLL_INTERVAL) => {}
                _ = stop.changed() => return,
            }
        }
    })
}

/// Writes the next job, if there is one; whether one was tried.
fn write_next(app: &App) -> bool {
    let exports = &app.exports;
    let job = match exports.next_job(app) {
        Ok(Some(job)) => job,
        Ok(None) => return false,
        Err(error) => {
            tracing::warn!(code = error.code(), %error, "the data export worker cannot read");
            return false;
        }
    };
    *exports.running.lock().expect("not poisoned") = Some(job.id);
    let snapshot = app.engine.snapshot();
    let written = tanba_export::write_job(snapshot.as_ref(), &job, &exports.root, &exports.quota);
    *exports.running.lock().expect("not poisoned") = None;
    match written {
        Ok(manifest) => tracing::info!(
            job = job.id,
            rows = manifest.rows(),
            "a data export was written"
        ),
        Err(error) => exports.fail(job.id, &error),
    }
    true
}
