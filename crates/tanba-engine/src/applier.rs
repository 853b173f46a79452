//! The applier: the thread that reads the command log in order and applies it, group by group
//! ([`Core::execute`]), answering each command this node appended once its group is durable.
//! Commands appended by other nodes are applied alike and answered by their own node.
//!
//! Where it resumes: the core's cursor ([`crate::core::Applied`]), committed with every group.
//! The local log starts empty at each start, after the cursor; a replicated log is read again
//! from the cursor's batch, its applied commands passed over.
//!
//! The applier also keeps the clock rungs going: every [`TICK_CHECK_INTERVAL`] it asks whether
//! a case is due and appends a system tick if so, and while a sweep over a case's goods waits
//! (a recall's census) it appends the next tick as soon as the last one is applied, so a
//! million-unit census takes seconds, not minutes (other commands still interleave).
//!
//! A batch that cannot be decoded is passed over by every node alike (its bytes are the same
//! everywhere) and counted. A store that fails a group: with the local log its commands are
//! answered with the store's error and left; with a replicated log the applier probes the
//! store every [`STORE_PROBE_INTERVAL`] and reads again from its cursor once it takes writes.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use tanba_types::{Actor, CaseCommand, Command, OrderId};

use crate::appender::new_batch_id;
use crate::command_log::{
    Batch, BatchWriter, CommandLog, LoggedCommand, Position, READ_BATCHES_MAX,
};
use crate::core::{Applied, Core, Place, Receipt, Stamped, commands_of};
use crate::engine::{
    APPENDING, CHECKPOINT_AGE_MAX, Clock, Progress, STORE_PROBE_INTERVAL, TICK_CHECK_INTERVAL,
    Waiters,
};
use crate::error::EngineError;

/// How long one read of the log waits for a batch before the applier sees to its other duties
/// (a checkpoint due, a failing store, the engine stopping). A batch that comes is taken at
/// once, whatever this is.
pub const READ_WAIT: Duration = Duration::from_millis(100);
/// How long the applier waits before reading the log again after a read failed.
pub const READ_RETRY_PAUSE: Duration = Duration::from_millis(200);

/// The applier thread's state.
pub(crate) struct Applier {
    pub(crate) core: Core,
    pub(crate) log: Arc<dyn CommandLog>,
    pub(crate) waiters: Arc<Waiters>,
    pub(crate) progress: Arc<Progress>,
    pub(crate) orders: mpsc::Sender<OrderId>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Whether other nodes apply the log too.
    pub(crate) replicated: bool,
    /// Draws the ids of tick batches.
    pub(crate) ids: ChaCha20Rng,
}

/// The applier's timer.
#[derive(Default)]
struct Ticker {
    checked: Option<Instant>,
    /// A sweep over a case's goods waited after the last group.
    sweeping: bool,
    /// The position of the last tick appended, until it is applied.
    in_flight: Option<Position>,
}

/// Where the applier reads next: the batch at `from`, less its first `skip` commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    from: Position,
    skip: u32,
}

/// What the applier keeps with each command of a group.
struct Tag {
    place: Place,
    places_order: bool,
}

impl Applier {
    /// Runs until the appender has stopped and everything it appended is applied; then signs
    /// a final checkpoint.
    pub(crate) fn run(mut self) {
        let mut cursor = self.resume_at(self.core.applied());
        let mut checkpointed_at = Instant::now();
        let mut ticker = Ticker::default();
        loop {
            let before = (self.progress.read_position).fetch_max(cursor.from, Ordering::AcqRel);
            if before < cursor.from {
                // Under the lock a waiter checks the position under (`Engine::wait_for_position`).
                let _head = self.progress.head.lock().expect("progress lock");
                self.progress.changed.notify_all();
            }
            let appended_final = self.progress.appended_final.load(Ordering::Acquire);
            let stopping = appended_final != APPENDING;
            if stopping && cursor.from > appended_final {
                break;
            }
            if self.progress.store_failing.load(Ordering::Relaxed) && !self.store_recovered() {
                // A replicated log's commands wait in the log for the next start.
                if stopping && self.replicated {
                    break;
                }
                continue;
            }
            match self.log.read(cursor.from, READ_BATCHES_MAX, READ_WAIT) {
                Ok(batches) if batches.is_empty() => {}
                Ok(batches) => cursor = self.apply(cursor, batches, &mut ticker),
                Err(_) => {
                    self.progress.log_failures.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(READ_RETRY_PAUSE);
                }
            }
            self.checkpoint_if_old(&mut checkpointed_at);
            if !stopping {
                self.tick_if_due(&mut ticker, cursor.from);
            }
        }
        // A failed final checkpoint loses nothing: the log is durable and the next start
        // checkpoints it.
        let now_ms = self.clock.now_ms().max(self.core.last_time_ms());
        let _ = self.core.checkpoint(now_ms);
    }

    /// Where to read after `applied`: the local log starts empty after it.
    fn resume_at(&self, applied: Applied) -> Cursor {
        match self.replicated {
            true => {
                let from = applied.read_from();
                Cursor {
                    from: from.position,
                    skip: from.skip,
                }
            }
            false => Cursor {
                from: applied.position + 1,
                skip: 0,
            },
        }
    }

    /// Whether the failing store takes a write again, after a pause.
    fn store_recovered(&mut self) -> bool {
        std::thread::sleep(STORE_PROBE_INTERVAL);
        let recovered = self.core.probe().is_ok();
        if recovered {
            self.progress.store_failing.store(false, Ordering::Relaxed);
        }
        recovered
    }

    /// Applies `batches` (read from `cursor`) group by group; where to read next.
    fn apply(&mut self, cursor: Cursor, batches: Vec<Batch>, ticker: &mut Ticker) -> Cursor {
        let next = Cursor {
            from: batches.last().expect("batches were read").position + 1,
            skip: 0,
        };
        if !self.replicated {
            // Nobody else reads the local log: what this read holds needs no second copy.
            let _ = self.log.trim_before(next.from);
        }
        let mut queue = self.queue(cursor, batches);
        while !queue.is_empty() {
            let outcomes = self.core.execute(&mut queue);
            let failed_on_store =
                (outcomes.iter()).any(|(_, outcome)| matches!(outcome, Err(EngineError::Store(_))));
            self.progress
                .store_failing
                .store(failed_on_store, Ordering::Relaxed);
            if failed_on_store {
                // A waiter for an order checks the store under this lock: no wake-up is lost.
                let _head = self.progress.head.lock().expect("progress lock");
                self.progress.changed.notify_all();
            }
            if failed_on_store && self.replicated {
                // The log's commands are not ours to drop: read them again once the store
                // takes writes.
                return self.resume_at(self.core.applied());
            }
            ticker.sweeping = self.answer(outcomes);
        }
        next
    }

    /// The commands of `batches`, each with its place, less what `cursor` skips.
    fn queue(&self, cursor: Cursor, batches: Vec<Batch>) -> VecDeque<(Stamped, Tag)> {
        let mut queue = VecDeque::new();
        for batch in batches {
            let skip = match batch.position == cursor.from {
                true => cursor.skip,
                false => 0,
            };
            let commands = match commands_of(&batch, skip) {
                Ok(commands) => commands,
                Err(error) => {
                    self.progress.log_failures.fetch_add(1, Ordering::Relaxed);
                    let waiting = self.waiters.lock().remove(&batch.id);
                    for waiting in waiting.into_iter().flatten().flatten() {
                        waiting.answer(Err(EngineError::Corrupt(error.to_string())));
                    }
                    continue;
                }
            };
            for stamped in commands {
                let tag = Tag {
                    place: stamped
                        .place
                        .expect("a command read from the log has its place"),
                    places_order: matches!(stamped.command, Command::OrderCodes { .. }),
                };
                queue.push_back((stamped, tag));
            }
        }
        queue
    }

    /// Answers a committed group's commands appended here, hands new orders to the issuer,
    /// and tells waiters and the appender what changed; whether a sweep waits.
    fn answer(&mut self, outcomes: Vec<(Tag, Result<Receipt, EngineError>)>) -> bool {
        let progress = &self.progress;
        progress.groups.fetch_add(1, Ordering::Relaxed);
        (progress.commands).fetch_add(outcomes.len() as u64, Ordering::Relaxed);
        (progress.last_time_ms).store(self.core.last_time_ms(), Ordering::Relaxed);
        let head = self.core.head();
        *progress.head.lock().expect("progress lock") = head;
        progress.changed.notify_all();
        progress.applied.send_replace(head.sequence);
        let snapshot = self.core.store().snapshot();
        // One prefix seek per group: a sweep started by this group has its next page go soon.
        let sweeping = crate::sweep::sweep_waiting(snapshot.as_ref()).unwrap_or(false);
        let mut waiters = self.waiters.lock();
        for (tag, outcome) in outcomes {
            if let (
                true,
                Ok(Receipt {
                    created: Some(order),
                    ..
                }),
            ) = (tag.places_order, &outcome)
            {
                // The issuer may have stopped; the order then resumes at the next start.
                let _ = self.orders.send(*order);
            }
            if let Some(waiting) = Waiters::take(&mut waiters, tag.place.batch, tag.place.index) {
                waiting.answer(outcome);
            }
        }
        sweeping
    }

    /// Appends a system tick if a case is due: asked at most every [`TICK_CHECK_INTERVAL`], or
    /// at once while a sweep waits, once the last tick is applied (`read_from` is past it). A
    /// tick the log does not take now waits for the next check; nobody waits for its answer
    /// (one that finds nothing after all is refused quietly).
    fn tick_if_due(&mut self, ticker: &mut Ticker, read_from: Position) {
        if !self.progress.steward.load(Ordering::Relaxed) {
            // The steward ticks for the cluster.
            return;
        }
        if let Some(position) = ticker.in_flight {
            if read_from <= position {
                return;
            }
            ticker.in_flight = None;
        }
        if !ticker.sweeping
            && (ticker.checked).is_some_and(|checked| checked.elapsed() < TICK_CHECK_INTERVAL)
        {
            return;
        }
        ticker.checked = Some(Instant::now());
        let now_ms = self.clock.now_ms().max(self.core.last_time_ms());
        let snapshot = self.core.store().snapshot();
        // A store that cannot be read now is the write path's usual failure; the tick waits.
        ticker.sweeping = crate::sweep::sweep_waiting(snapshot.as_ref()).unwrap_or(false);
        if !crate::tick::tick_due(snapshot.as_ref(), now_ms).unwrap_or(false) {
            return;
        }
        let tick = LoggedCommand {
            actor: Actor::System,
            time_ms: now_ms,
            command: Command::Case(CaseCommand::Tick),
            note: None,
        };
        let mut batch = BatchWriter::default();
        batch.push(&tick).expect("a tick fits any batch");
        let id = new_batch_id(&mut self.ids);
        if let Ok(appended) = self.log.append(id, batch.finish()) {
            ticker.in_flight = Some(appended.position);
        }
    }

    /// Signs a checkpoint of the head if the last one is [`CHECKPOINT_AGE_MAX`] old and the
    /// head moved since. A failure loses nothing (the log is durable); the next attempt comes
    /// after the next read.
    fn checkpoint_if_old(&mut self, checkpointed_at: &mut Instant) {
        if checkpointed_at.elapsed() >= CHECKPOINT_AGE_MAX {
            *checkpointed_at = Instant::now();
            let now_ms = self.clock.now_ms().max(self.core.last_time_ms());
            let _ = self.core.checkpoint(now_ms);
        }
    }
}
