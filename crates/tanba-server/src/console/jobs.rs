//! The console's background jobs: work a page starts that takes longer than a request should
//! (a file of thousands of packages to aggregate), done as one call per step, each rate-limited,
//! authorized and audited like any other, while the page that started it shows its progress.
//!
//! Jobs live in the server's memory, bounded: one running per participant, the last
//! [`JOBS_KEPT_MAX`] kept to be looked at. What a job did is in the log step by step; a job
//! cut short by a restart is seen there, and its file can be sent again (a package already
//! made is refused as such, nothing is made twice).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tanba_types::TaxpayerId;

use crate::error::ApiError;

/// Jobs kept in memory (running and finished); past it the oldest finished is forgotten.
pub const JOBS_KEPT_MAX: usize = 1_000;
/// Jobs running at once, over every participant.
pub const JOBS_RUNNING_MAX: usize = 64;
/// Refusals a job's page lists (past it, only counted).
pub const JOB_FAILURES_SHOWN_MAX: usize = 100;
/// Characters of a refused step's subject and of its refusal a job keeps (a file's line can be
/// long; what is kept of it stays small).
pub const JOB_REFUSAL_CHARS_MAX: usize = 300;

/// A job's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Whose it is.
    pub owner: Option<TaxpayerId>,
    /// Steps in all.
    pub total: usize,
    /// Steps done (succeeded or refused).
    pub done: usize,
    /// Steps refused.
    pub refused: usize,
    /// The first refusals: the step's subject and the refusal's message code and text.
    pub refusals: Vec<(String, String)>,
    /// Whether it ended.
    pub finished: bool,
}

/// The console's jobs.
#[derive(Debug, Default)]
pub struct Jobs {
    next: AtomicU64,
    jobs: Mutex<BTreeMap<u64, Progress>>,
}

impl Jobs {
    /// Starts a job of `total` steps for `owner`, unless it has one running.
    pub fn start(&self, owner: TaxpayerId, total: usize) -> Result<u64, ApiError> {
        let mut jobs = self.jobs.lock().expect("the jobs lock is never poisoned");
        let running = (jobs.values()).any(|job| job.owner == Some(owner) && !job.finished);
        if running {
            return Err(ApiError::too_many("running jobs", 1));
        }
        if (jobs.values()).filter(|job| !job.finished).count() >= JOBS_RUNNING_MAX {
            return Err(ApiError::too_many("running jobs", JOBS_RUNNING_MAX));
        }
        while jobs.len() >= JOBS_KEPT_MAX {
            let Some(oldest) = (jobs.iter())
                .find(|(_, job)| job.finished)
                .map(|(id, _)| *id)
            else {
                return Err(ApiError::too_many("running jobs", JOBS_KEPT_MAX));
            };
            jobs.remove(&oldest);
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let progress = Progress {
            owner: Some(owner),
            total,
            ..Progress::default()
        };
        jobs.insert(id, progress);
        Ok(id)
    }

    /// Counts one step of job `id` done, refused with `refusal` if it was.
    pub fn step(&self, id: u64, refusal: Option<(String, String)>) {
        let mut jobs = self.jobs.lock().expect("the jobs lock is never poisoned");
        if let Some(job) = jobs.get_mut(&id) {
            job.done += 1;
            if let Some(refusal) = refusal {
                job.refused += 1;
                if job.refusals.len() < JOB_FAILURES_SHOWN_MAX {
                    let cut = |text: String| text.chars().take(JOB_REFUSAL_CHARS_MAX).collect();
                    job.refusals.push((cut(refusal.0), cut(refusal.1)));
                }
            }
        }
    }

    /// Ends job `id`.
    pub fn finish(&self, id: u64) {
        let mut jobs = self.jobs.lock().expect("the jobs lock is never poisoned");
        if let Some(job) = jobs.get_mut(&id) {
            job.finished = true;
        }
    }

    /// Job `id`'s progress, for its owner only (anyone else learns nothing of it).
    pub fn progress(&self, id: u64, owner: &TaxpayerId) -> Option<Progress> {
        let jobs = self.jobs.lock().expect("the jobs lock is never poisoned");
        jobs.get(&id)
            .filter(|job| job.owner == Some(*owner))
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_running_job_per_participant_and_only_its_owner_sees_it() {
        let jobs = Jobs::default();
        let owner: TaxpayerId = "871008401427".parse().unwrap();
        let stranger: TaxpayerId = "940140000385".parse().unwrap();
        let id = jobs.start(owner, 2).unwrap();
        assert!(jobs.start(owner, 1).is_err(), "one at a time");
        assert!(jobs.start(stranger, 1).is_ok(), "others are not held up");
        jobs.step(id, None);
        jobs.step(id, Some(("parent".into(), "refused".into())));
        assert!(jobs.progress(id, &stranger).is_none());
        let progress = jobs.progress(id, &owner).unwrap();
        assert_eq!(
            (progress.done, progress.refused, progress.finished),
            (2, 1, false)
        );
        jobs.finish(id);
        assert!(jobs.progress(id, &owner).unwrap().finished);
        assert!(jobs.start(owner, 1).is_ok(), "the next may start");
    }

    #[test]
    fn what_a_job_keeps_is_bounded() {
        let jobs = Jobs::default();
        let owner: TaxpayerId = "871008401427".parse().unwrap();
        let id = jobs.start(owner, 1).unwrap();
        jobs.step(id, Some(("P".repeat(1_000_000), "refused".into())));
        let kept = &jobs.progress(id, &owner).unwrap().refusals[0].0;
        assert_eq!(kept.chars().count(), JOB_REFUSAL_CHARS_MAX);
    }
}
