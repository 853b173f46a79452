//! The appender: the thread that takes submitted commands, stamps each with this node's time,
//! packs them into batches (as many as came, up to a group's worth or [`BATCH_BYTES_MAX`]) and
//! appends each batch to the command log, after putting the batch's waiters where the applier
//! finds them. (System ticks are the applier's: it knows when the last one is applied.)
//!
//! Up to [`APPENDS_IN_FLIGHT_MAX`] batches are on their way at once ([`CommandLog::start_append`]):
//! the callers hear from the applier once it has applied their commands, so the appender only
//! keeps count. A log that refuses a batch for now (full, out of reach) gets it again after a
//! pause, under the same id: the log keeps one copy. The local log always takes it in the end
//! (the applier empties it). A replicated log is given [`APPEND_PATIENCE`]; past it the batch's
//! callers hear that the outcome is unknown, since an append whose answer was lost may still be
//! applied. A batch sent again may land after batches started later: the log's order is the
//! one order, and the core never lets time run backwards in it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;

use crate::command_log::{
    AppendFinished, BATCH_BYTES_MAX, BATCH_COMMANDS_BYTES_MAX, BatchId, BatchWriter, CommandLog,
    CommandLogError, LoggedCommand, NotAdded, Position,
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

/// Batches on their way to the log at once, at most. A replicated log acknowledges a batch
/// only once a majority of its servers have synced it to disk: while one batch waits for that,
/// the next ones are already on their way, so a node's writes are bound by the log's throughput,
/// not by one round trip per batch. Each holds a copy of its bytes until it lands (to append it
/// again), so this also bounds the appender's memory: 4 batches of [`BATCH_BYTES_MAX`].
pub const APPENDS_IN_FLIGHT_MAX: usize = 4;

/// How often the appender, waiting for commands while batches are on their way, takes in how
/// they ended: the callers hear from the applier, so only a batch to append again waits for it.
const IN_FLIGHT_POLL: Duration = Duration::from_millis(5);

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

/// The batches on their way to the log, and where the landed ones went.
struct Flights {
    /// Each batch's bytes and when it was first sent (a replicated log is given
    /// [`APPEND_PATIENCE`] from then).
    on_their_way: HashMap<BatchId, (Vec<u8>, Instant)>,
    /// The furthest position a batch landed at.
    last_appended: Position,
    /// How the batches' appends ended. Unbounded, yet it holds at most
    /// [`APPENDS_IN_FLIGHT_MAX`] reports: each batch on its way reports once.
    finished: Receiver<AppendFinished>,
    report_to: Sender<AppendFinished>,
}

impl Appender {
    /// Runs until every submitter is gone and every batch has landed or been refused, then
    /// says where it stopped.
    pub(crate) fn run(mut self) {
        let (report_to, finished) = std::sync::mpsc::channel();
        let mut flights = Flights {
            on_their_way: HashMap::new(),
            last_appended: 0,
            finished,
            report_to,
        };
        let mut stamper = Stamper::default();
        let mut carried: Option<Taken> = None;
        loop {
            let first = match carried.take() {
                Some(taken) => taken,
                None => match self.next_submission(&mut flights) {
                    Some(submission) => stamper.take(submission, &self),
                    None => break,
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
            self.start(&mut flights, batch);
        }
        while !flights.on_their_way.is_empty() {
            self.wait_for_one(&mut flights);
        }
        let last_appended = flights.last_appended;
        (self.progress.appended_final).store(last_appended, Ordering::Release);
    }

    /// The next submission, taking in how batches ended while it waits; `None` once every
    /// submitter is gone.
    fn next_submission(&mut self, flights: &mut Flights) -> Option<Submission> {
        loop {
            while let Ok(finished) = flights.finished.try_recv() {
                self.finish(flights, finished);
            }
            if flights.on_their_way.is_empty() {
                return self.submissions.recv().ok();
            }
            match self.submissions.recv_timeout(IN_FLIGHT_POLL) {
                Ok(submission) => return Some(submission),
                Err(RecvTimeoutError::Disconnected) => return None,
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
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

    /// Sends `batch` on its way under a new id, once fewer than [`APPENDS_IN_FLIGHT_MAX`] are.
    fn start(&mut self, flights: &mut Flights, batch: Filling) {
        if batch.writer.is_empty() {
            return;
        }
        while flights.on_their_way.len() >= APPENDS_IN_FLIGHT_MAX {
            self.wait_for_one(flights);
        }
        let id = new_batch_id(&mut self.ids);
        let bytes = batch.writer.finish();
        if batch.waiting.iter().any(Option::is_some) {
            self.waiters.lock().insert(id, batch.waiting);
        }
        (flights.on_their_way).insert(id, (bytes.clone(), Instant::now()));
        self.log.start_append(id, bytes, &flights.report_to);
    }

    /// Waits until a batch on its way ends, and takes that in.
    fn wait_for_one(&mut self, flights: &mut Flights) {
        let finished = (flights.finished.recv()).expect("the appender holds a sender itself");
        self.finish(flights, finished);
    }

    /// Takes in how a batch's append ended: landed; refused for now, and sent again after a
    /// pause under the same id (the log keeps one copy), the local log until it takes it, a
    /// replicated one for [`APPEND_PATIENCE`]; or refused, and its callers answered.
    fn finish(&mut self, flights: &mut Flights, finished: AppendFinished) {
        let AppendFinished { id, result } = finished;
        let error = match result {
            Ok(appended) => {
                flights.on_their_way.remove(&id);
                flights.last_appended = flights.last_appended.max(appended.position);
                return;
            }
            Err(error) => error,
        };
        self.progress.log_failures.fetch_add(1, Ordering::Relaxed);
        let (bytes, started) = (flights.on_their_way.get(&id)).expect("a batch ends once");
        let patient = !self.replicated || started.elapsed() < APPEND_PATIENCE;
        if error.retryable() && patient {
            std::thread::sleep(APPEND_RETRY_PAUSE);
            self.log.start_append(id, bytes.clone(), &flights.report_to);
            return;
        }
        flights.on_their_way.remove(&id);
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
    }
}

/// A new batch id from `rng`.
pub(crate) fn new_batch_id(rng: &mut ChaCha20Rng) -> BatchId {
    let mut id = [0; 16];
    rng.fill_bytes(&mut id);
    BatchId(id)
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
