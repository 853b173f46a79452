//! The appender: the thread that takes submitted commands, stamps each with this node's time,
//! packs them into batches (as many as came, up to a group's worth or [`BATCH_BYTES_MAX`]) and
//! appends each batch to the command log, after putting the batch's waiters where the applier
//! finds them. (System ticks are the applier's: it knows when the last one is applied.)
//!
//! A log that refuses a batch for now (full, out of reach) gets it again after a pause, under
//! the same id: the log keeps one copy. The local log always takes it in the end (the applier
//! empties it). A replicated log is given [`APPEND_PATIENCE`]; past it the batch's callers hear
//! that the outcome is unknown, since an append whose answer was lost may still be applied.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;

use crate::command_log::{
    BATCH_BYTES_MAX, BATCH_COMMANDS_BYTES_MAX, BatchId, BatchWriter, CommandLog, CommandLogError,
    LoggedCommand, NotAdded, Position,
};
use crate::core::GROUP_COMMANDS_MAX;
use crate::engine::{
    CLOCK_JUMP_FORWARD_REPORTED_MS, Clock, Progress, Submission, Waiters, Waiting,
};
use crate::error::EngineError;

/// How long the appender waits before appending a batch again that the log refused for now.
pub const APPEND_RETRY_PAUSE: Duration = Duration::from_millis(20);
/// How long the appender keeps appending one batch to a replicated log that refuses it before
/// it answers the batch's callers: well inside JetStream's de-duplication window (120 s), so a
/// retry of an append that did land is never stored twice.
pub const APPEND_PATIENCE: Duration = Duration::from_secs(60);

/// The appender thread's state.
pub(crate) struct Appender {
    pub(crate) submissions: Receiver<Submission>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) progress: Arc<Progress>,
    pub(crate) log: Arc<dyn CommandLog>,
    pub(crate) waiters: Arc<Waiters>,
    /// Whether other nodes apply the log too.
    pub(crate) replicated: bool,
    /// Draws batch ids.
    pub(crate) ids: ChaCha20Rng,
}

/// A command stamped and ready for a batch, with who waits for it.
struct Taken {
    logged: LoggedCommand,
    waiting: Option<Waiting>,
}

/// A batch being filled.
#[derive(Default)]
struct Filling {
    writer: BatchWriter,
    waiting: Vec<Option<Waiting>>,
}

impl Appender {
    /// Runs until every submitter is gone, then says where it stopped.
    pub(crate) fn run(mut self) {
        let mut stamper = Stamper::default();
        let mut carried: Option<Taken> = None;
        let mut last_appended: Position = 0;
        loop {
            let first = match carried.take() {
                Some(taken) => taken,
                None => match self.submissions.recv() {
                    Ok(submission) => stamper.take(submission, &self),
                    Err(_) => break,
                },
            };
            let mut batch = Filling::default();
            carried = self.add(&mut batch, first);
            while carried.is_none() && batch.waiting.len() < GROUP_COMMANDS_MAX {
                match self.submissions.try_recv() {
                    Ok(next) => carried = self.add(&mut batch, stamper.take(next, &self)),
                    Err(_) => break,
                }
            }
            if let Some(position) = self.append(batch) {
                last_appended = position;
            }
        }
        (self.progress.appended_final).store(last_appended, Ordering::Release);
    }

    /// Adds `taken` to `batch`; gives it back if the batch has no room left. A command too
    /// large for any batch is answered at once.
    fn add(&self, batch: &mut Filling, taken: Taken) -> Option<Taken> {
        match batch.writer.push(&taken.logged) {
            Ok(()) => {
                batch.waiting.push(taken.waiting);
                None
            }
            Err(NotAdded::Full) => Some(taken),
            Err(NotAdded::TooLarge) => {
                if let Some(waiting) = taken.waiting {
                    waiting.answer(Err(EngineError::LimitExceeded {
                        what: "bytes of one command",
                        max: BATCH_COMMANDS_BYTES_MAX,
                    }));
                }
                None
            }
        }
    }

    /// Appends `batch` under a new id; its position, or `None` if it is empty or the log did
    /// not take it (its callers are answered then).
    fn append(&mut self, batch: Filling) -> Option<Position> {
        if batch.writer.is_empty() {
            return None;
        }
        let id = new_batch_id(&mut self.ids);
        let bytes = batch.writer.finish();
        if batch.waiting.iter().any(Option::is_some) {
            self.waiters.lock().insert(id, batch.waiting);
        }
        let log = self.log.as_ref();
        let error = match append_patiently(log, id, bytes, &self.progress, self.replicated) {
            Ok(position) => return Some(position),
            Err(error) => error,
        };
        {
            let refusal = match error {
                CommandLogError::Full => EngineError::Busy,
                CommandLogError::TooLarge { .. } => EngineError::LimitExceeded {
                    what: "bytes of one batch",
                    max: BATCH_BYTES_MAX,
                },
                other => EngineError::LogUnavailable(other.to_string()),
            };
            // The applier may have answered some already, had an unanswered append landed.
            let waiting = self.waiters.lock().remove(&id);
            for waiting in waiting.into_iter().flatten().flatten() {
                waiting.answer(Err(refusal.clone()));
            }
            None
        }
    }
}

/// A new batch id from `rng`.
pub(crate) fn new_batch_id(rng: &mut ChaCha20Rng) -> BatchId {
    let mut id = [0; 16];
    rng.fill_bytes(&mut id);
    BatchId(id)
}

/// Appends a batch, again under its id after a pause while the log refuses it for now: the
/// local log until it takes it, a replicated one for [`APPEND_PATIENCE`].
pub(crate) fn append_patiently(
    log: &dyn CommandLog,
    id: BatchId,
    bytes: Vec<u8>,
    progress: &Progress,
    replicated: bool,
) -> Result<Position, CommandLogError> {
    let started = Instant::now();
    loop {
        let error = match log.append(id, bytes.clone()) {
            Ok(appended) => return Ok(appended.position),
            Err(error) => error,
        };
        progress.log_failures.fetch_add(1, Ordering::Relaxed);
        let patient = !replicated || started.elapsed() < APPEND_PATIENCE;
        if !(error.retryable() && patient) {
            return Err(error);
        }
        std::thread::sleep(APPEND_RETRY_PAUSE);
    }
}

/// This node's clock, as stamped on commands: never earlier than its last stamp or the log's
/// last time; a jump forward is followed, and reported.
#[derive(Default)]
struct Stamper {
    last_time_ms: u64,
    /// The last reading, with the monotonic clock's instant of it.
    last_seen: Option<(u64, Instant)>,
}

impl Stamper {
    fn now_ms(&mut self, appender: &Appender) -> u64 {
        let progress = &appender.progress;
        let now_ms = appender.clock.now_ms();
        let floor_ms = (self.last_time_ms).max(progress.last_time_ms.load(Ordering::Relaxed));
        if now_ms < floor_ms {
            progress.clock_behind.fetch_add(1, Ordering::Relaxed);
        }
        // Against the monotonic clock: a quiet night between two commands is no jump.
        if let Some((seen_ms, seen_at)) = self.last_seen {
            let expected_ms = seen_ms + seen_at.elapsed().as_millis() as u64;
            if now_ms > expected_ms + CLOCK_JUMP_FORWARD_REPORTED_MS {
                progress.clock_jumps_forward.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.last_seen = Some((now_ms, Instant::now()));
        self.last_time_ms = now_ms.max(floor_ms);
        self.last_time_ms
    }

    fn take(&mut self, submission: Submission, appender: &Appender) -> Taken {
        Taken {
            logged: LoggedCommand {
                actor: submission.actor,
                time_ms: self.now_ms(appender),
                command: submission.command,
                note: submission.note,
            },
            waiting: Some(Waiting {
                reply: submission.reply,
                _share: submission.share,
            }),
        }
    }
}
