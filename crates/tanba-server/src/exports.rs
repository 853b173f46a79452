//! The data export worker (R-IS-15): the jobs are events in the log
//! (`tanba_engine::data_export`); this task writes their files with `tanba-export`, one job at
//! a time off the async workers, under `<data_dir>/exports/`, within the quota. A job whose
//! files are all there has a manifest; one cut short by a restart is finished from where it
//! stopped; one that failed (the quota) keeps a marker with why, and is not tried again; a
//! deleted one keeps a marker and is never written again. Claiming a job to write it and
//! deleting one take the same lock, so the worker never writes a job being deleted.

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
        code: String,
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
    /// The job being written: claimed, and deleted, under this lock.
    running: Mutex<Option<u64>>,
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
        if tanba_export::is_deleted(&self.root, job) {
            return Ok(JobState::Deleted);
        }
        if let Some(manifest) = tanba_export::read_manifest(&self.root, job)? {
            return Ok(JobState::Done(manifest));
        }
        if let Some((code, message)) = tanba_export::failure(&self.root, job) {
            return Ok(JobState::Failed { code, message });
        }
        if *self.running.lock().expect("not poisoned") == Some(job) {
            return Ok(JobState::Running);
        }
        Ok(JobState::Queued)
    }

    /// Deletes a job that is not being written: its marker, then its files (their bytes go
    /// back to the quota). A queued job is deleted before it is written. False: the job is
    /// being written, and nothing was done.
    pub fn delete(&self, job: u64) -> Result<bool, ExportError> {
        let running = self.running.lock().expect("not poisoned");
        if *running == Some(job) {
            return Ok(false);
        }
        let bytes = tanba_export::delete_job(&self.root, job)?;
        drop(running);
        self.quota.give_back(bytes);
        Ok(true)
    }

    /// Claims the oldest job that needs writing, moving the settled mark past those before it.
    fn claim_next(&self, app: &App) -> Result<Option<DataExportJob>, ExportError> {
        let snapshot = app.engine.snapshot();
        let mut settled = self.settled_through.lock().expect("not poisoned");
        loop {
            let jobs = data_export::jobs(snapshot.as_ref(), *settled, JOBS_PER_LOOK)?;
            if jobs.is_empty() {
                return Ok(None);
            }
            for job in jobs {
                let mut running = self.running.lock().expect("not poisoned");
                if !tanba_export::is_settled(&self.root, job.id) {
                    *running = Some(job.id);
                    return Ok(Some(job));
                }
                *settled = job.id;
            }
        }
    }
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

/// Writes the next job, if there is one; whether one was written or failed.
fn write_next(app: &App) -> bool {
    let exports = &app.exports;
    let job = match exports.claim_next(app) {
        Ok(Some(job)) => job,
        Ok(None) => return false,
        Err(error) => {
            tracing::warn!(code = error.code(), %error, "the data export worker cannot read");
            return false;
        }
    };
    let snapshot = app.engine.snapshot();
    let written = tanba_export::write_job(snapshot.as_ref(), &job, &exports.root, &exports.quota);
    match &written {
        Ok(manifest) => {
            tracing::info!(
                job = job.id,
                rows = manifest.rows(),
                "a data export was written"
            );
        }
        Err(error) => {
            tracing::warn!(job = job.id, code = error.code(), %error, "a data export failed");
            if let Err(marking) = tanba_export::mark_failed(&exports.root, job.id, error) {
                // Not settled: it is tried again on the next look, after a pause.
                tracing::error!(job = job.id, %marking, "a failed data export cannot be marked");
            }
        }
    }
    *exports.running.lock().expect("not poisoned") = None;
    written.is_ok()
}
