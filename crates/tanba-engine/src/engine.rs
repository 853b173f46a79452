//! The running engine. Submitted commands go through the command log
//! ([`crate::command_log`]): an appender thread stamps them, packs them into batches and
//! appends each batch; an applier thread reads the log in order, applies its commands many per
//! synced group (group commit), and answers each submitter once its command's group is durable.
//! The log is a [`LocalLog`] in this process (the embedded default), or a replicated one that
//! other nodes apply too (`tanba-replica`). An issuer thread turns emission orders into codes,
//! making serials and signing tails on every core while the applier commits the previous chunk.
//! Readers never wait for any of them: they read store snapshots.
//!
//! Time comes from an injected [`Clock`] and is stamped on each command by the appender (never
//! earlier than its previous stamp; a jump of the wall clock is counted in [`WriterStats`]);
//! randomness for serials and batch ids comes from RNGs seeded at start. One participant's
//! commands take at most [`PARTICIPANT_QUEUE_SHARE_MAX`] places of the queue. A thread of the
//! write path that panics aborts the process rather than leave one that can no longer write.
//!
//! A store that fails a group: with the local log, nobody else holds those commands, so they
//! are answered with the store's error and never applied; with a replicated log they are the
//! log's, so the applier holds them and applies them once the store takes writes again.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::{OsRng, RngCore, SeedableRng};
use tanba_crypto::KeyRing;
use tanba_store::{Column, Snapshot, Store};
use tanba_types::{Actor, Command, OrderId, ScannedCode, TaxpayerId};
use tokio::sync::oneshot;

use crate::command_log::{BatchId, CommandLog, LocalLog, Position};
use crate::core::{Core, Receipt};
use crate::decide::Context as DecideContext;
use crate::error::EngineError;
use crate::issue::prepare_chunk;
use crate::records::{LogHead, OrderRecord, decode};
use crate::state::{Pending, State};

/// Commands waiting for the writer, at most; past it `submit` answers [`EngineError::Busy`].
pub const SUBMIT_QUEUE_MAX: usize = 65_536;
/// Commands of one participant waiting for the writer, at most: its share of the queue, so
/// that one participant cannot fill the queue for everyone. Past it `submit` answers
/// [`EngineError::QueueShareFull`] (retryable).
pub const PARTICIPANT_QUEUE_SHARE_MAX: usize = SUBMIT_QUEUE_MAX / 16;
/// While the store refuses writes (a full disk, an I/O error), how often the writer tries a
/// small synced write to learn whether it takes them again.
pub const STORE_PROBE_INTERVAL: Duration = Duration::from_millis(500);
/// A wall clock that jumps forward by more than this between two commands is reported
/// (`WriterStats::clock_jumps_forward`): the log's time follows it, so an operator should know.
pub const CLOCK_JUMP_FORWARD_REPORTED_MS: u64 = 10 * 60 * 1000;

const _: () =
    assert!(PARTICIPANT_QUEUE_SHARE_MAX >= 1 && PARTICIPANT_QUEUE_SHARE_MAX < SUBMIT_QUEUE_MAX);
/// Chunks of one order the issuer lets the writer hold at once (one committing, one queued,
/// while it signs the next).
pub const ISSUE_CHUNKS_IN_FLIGHT_MAX: usize = 2;
/// Times the issuer redraws a chunk whose serials collided with existing codes before it gives
/// up on the order (with 82.6-bit serials, one redraw already means something is wrong).
pub const ISSUE_REDRAWS_MAX: usize = 3;
/// Times the issuer sends a chunk again after the store failed its group, per order.
pub const ISSUE_RETRIES_MAX: usize = 5;
/// How long the issuer waits before sending a failed chunk again.
pub const ISSUE_RETRY_PAUSE: Duration = Duration::from_millis(200);
/// Chunks one order gets before the issuer turns to the next order waiting: 200,000 codes, two
/// seconds or so of signing, so a small order waits at most that long behind a large one.
pub const ISSUE_CHUNKS_PER_TURN: usize = 20;
/// Codes per issued chunk.
pub const ISSUE_CHUNK_CODES: usize = tanba_types::limits::ISSUE_CHUNK_CODES_MAX;

/// Where the writer gets the time.
pub trait Clock: Send + Sync {
    /// Now, unix milliseconds.
    fn now_ms(&self) -> u64;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis() as u64)
    }
}

/// How often the applier, between reads of the log, asks whether a case is due (one read of the
/// due-time index) and appends a tick if so.
pub const TICK_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// The longest a committed entry waits for a signed checkpoint, however slowly events come: a
/// feed can prove what it sent up to a checkpoint only, so a quiet log is checkpointed soon
/// after its last write (at most one signed, synced write per this interval).
pub const CHECKPOINT_AGE_MAX: Duration = Duration::from_secs(2);

/// How the engine runs.
pub struct EngineConfig {
    /// The case definitions registered (the legal procedures this engine runs).
    pub cases: Arc<crate::cases::Cases>,
    /// Events between signed checkpoints.
    pub checkpoint_interval_events: u64,
    /// Threads that sign issued codes.
    pub signing_threads: usize,
    /// Seed of the serial generator; `None` draws one from the operating system.
    pub serial_seed: Option<[u8; 32]>,
    /// The command log other nodes apply too; `None` for the embedded default, a
    /// [`LocalLog`] in this process.
    pub log: Option<Arc<dyn CommandLog>>,
    /// Whether the engine starts as its cluster's steward (`crate::steward`): true for a node
    /// alone; a node of a cluster starts as none until it holds the lease
    /// ([`Engine::set_steward`]).
    pub steward: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            cases: Arc::new(crate::cases::Cases::default()),
            checkpoint_interval_events: crate::core::CHECKPOINT_INTERVAL_EVENTS_DEFAULT,
            signing_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            serial_seed: None,
            log: None,
            steward: true,
        }
    }
}

/// The answer to a submitted command, once its group is durable. Wait on it from a thread with
/// [`Ticket::wait`], or `.await` it.
pub struct Ticket {
    receiver: oneshot::Receiver<Result<Receipt, EngineError>>,
}

impl Ticket {
    /// Blocks until the command is durable or refused. Not for async contexts: `.await` there.
    pub fn wait(self) -> Result<Receipt, EngineError> {
        self.receiver
            .blocking_recv()
            .unwrap_or(Err(EngineError::Stopped))
    }
}

impl Future for Ticket {
    type Output = Result<Receipt, EngineError>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.receiver)
            .poll(cx)
            .map(|outcome| outcome.unwrap_or(Err(EngineError::Stopped)))
    }
}

/// A command on its way to the appender.
pub(crate) struct Submission {
    pub(crate) actor: Actor,
    pub(crate) command: Command,
    pub(crate) note: Option<Vec<u8>>,
    pub(crate) reply: oneshot::Sender<Result<Receipt, EngineError>>,
    pub(crate) share: Option<QueueShare>,
}

/// Who waits for a command appended by this node, until the applier answers it.
pub(crate) struct Waiting {
    pub(crate) reply: oneshot::Sender<Result<Receipt, EngineError>>,
    /// Held until the command is answered.
    pub(crate) _share: Option<QueueShare>,
}

impl Waiting {
    /// Answers the submitter (who may have given up waiting: no reason to stop).
    pub(crate) fn answer(self, outcome: Result<Receipt, EngineError>) {
        let _ = self.reply.send(outcome);
    }
}

/// The submitters waiting for the commands this node appended, by batch and index in it: the
/// appender puts a batch's waiters in before it appends the batch, and the applier takes each
/// one out when it answers the command.
#[derive(Default)]
pub(crate) struct Waiters {
    batches: Mutex<HashMap<BatchId, Vec<Option<Waiting>>>>,
}

impl Waiters {
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<BatchId, Vec<Option<Waiting>>>> {
        self.batches
            .lock()
            .expect("no panics while holding the waiters")
    }

    /// Takes the waiter of command `index` of batch `id`, if this node appended it and it is
    /// not answered yet; the batch's entry goes with its last waiter.
    pub(crate) fn take(
        batches: &mut HashMap<BatchId, Vec<Option<Waiting>>>,
        id: BatchId,
        index: u32,
    ) -> Option<Waiting> {
        let waiting = batches.get_mut(&id)?;
        let taken = waiting.get_mut(index as usize)?.take();
        // Commands are answered in order: the last one's answer is the batch's last.
        if index as usize + 1 >= waiting.len() {
            batches.remove(&id);
        }
        taken
    }
}

/// Commands waiting, per participant.
pub(crate) type Shares = Arc<Mutex<HashMap<TaxpayerId, usize>>>;

/// One command's place in its participant's share of the queue, given back when dropped.
pub(crate) struct QueueShare {
    shares: Shares,
    participant: TaxpayerId,
}

impl QueueShare {
    /// A place for `participant`'s next command, if its share has room.
    fn take(shares: &Shares, participant: TaxpayerId) -> Option<QueueShare> {
        let mut waiting = shares.lock().expect("shares lock");
        let count = waiting.entry(participant).or_insert(0);
        if *count >= PARTICIPANT_QUEUE_SHARE_MAX {
            return None;
        }
        *count += 1;
        Some(QueueShare {
            shares: shares.clone(),
            participant,
        })
    }
}

impl Drop for QueueShare {
    fn drop(&mut self) {
        let mut waiting = self.shares.lock().expect("shares lock");
        if let Some(count) = waiting.get_mut(&self.participant) {
            *count -= 1;
            if *count == 0 {
                waiting.remove(&self.participant);
            }
        }
    }
}

/// The log head after the last commit, for waiters, what the applier has done, for the
/// appender and the metrics, and what the appender has done, for the applier.
pub(crate) struct Progress {
    pub(crate) head: Mutex<LogHead>,
    pub(crate) changed: Condvar,
    pub(crate) groups: AtomicU64,
    pub(crate) commands: AtomicU64,
    pub(crate) clock_jumps_forward: AtomicU64,
    pub(crate) clock_behind: AtomicU64,
    /// Times reading or appending to the command log failed (each retried).
    pub(crate) log_failures: AtomicU64,
    /// The last group's commit failed on the store, and no probe has succeeded since.
    pub(crate) store_failing: AtomicBool,
    /// The time of the log's last entry.
    pub(crate) last_time_ms: AtomicU64,
    /// The positions below this one are applied (or passed over).
    pub(crate) read_position: AtomicU64,
    /// The last position the appender appended before it stopped; [`APPENDING`] until then.
    pub(crate) appended_final: AtomicU64,
    /// This node is its cluster's steward (`crate::steward`): it ticks and issues.
    pub(crate) steward: AtomicBool,
    /// The head's sequence after the last commit, for async waiters ([`Engine::applied`]).
    pub(crate) applied: tokio::sync::watch::Sender<u64>,
}

/// [`Progress::appended_final`] while the appender runs.
pub(crate) const APPENDING: u64 = u64::MAX;

impl Progress {
    fn new(core: &Core) -> Progress {
        Progress {
            head: Mutex::new(core.head()),
            changed: Condvar::new(),
            groups: AtomicU64::new(0),
            commands: AtomicU64::new(0),
            clock_jumps_forward: AtomicU64::new(0),
            clock_behind: AtomicU64::new(0),
            log_failures: AtomicU64::new(0),
            store_failing: AtomicBool::new(false),
            last_time_ms: AtomicU64::new(core.last_time_ms()),
            read_position: AtomicU64::new(0),
            appended_final: AtomicU64::new(APPENDING),
            steward: AtomicBool::new(true),
            applied: tokio::sync::watch::Sender::new(core.head().sequence),
        }
    }
}

/// What the writer has done since the engine started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterStats {
    /// Groups committed (one synced write each).
    pub groups: u64,
    /// Commands answered (accepted or refused).
    pub commands: u64,
    /// Times the wall clock jumped forward past [`CLOCK_JUMP_FORWARD_REPORTED_MS`].
    pub clock_jumps_forward: u64,
    /// Commands stamped while the wall clock was behind the log's last time (they are
    /// applied at the log's time).
    pub clock_behind: u64,
    /// Times reading or appending to the command log failed (each retried).
    pub log_failures: u64,
}

/// A running engine.
pub struct Engine {
    store: Arc<dyn Store>,
    cases: Arc<crate::cases::Cases>,
    submit: Mutex<Option<SyncSender<Submission>>>,
    shares: Shares,
    progress: Arc<Progress>,
    /// The command log the engine reads (its own local one, or a shared one).
    log: Arc<dyn CommandLog>,
    stop_issuer: Arc<AtomicBool>,
    appender: Option<JoinHandle<()>>,
    applier: Option<JoinHandle<()>>,
    issuer: Option<JoinHandle<()>>,
}

/// What [`Engine::catch_up`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatchUp {
    /// Whether the node applied the log through `log_position` in time.
    pub caught_up: bool,
    /// The log's last position when asked.
    pub log_position: Position,
    /// The last position applied here when the wait ended.
    pub applied_through: Position,
}

/// 32 bytes from the operating system, to seed an RNG.
fn seed_from_os() -> [u8; 32] {
    let mut seed = [0; 32];
    OsRng.fill_bytes(&mut seed);
    seed
}

/// Starts a thread of the write path. One that panics leaves a process that answers reads and
/// can never write again: it ends the process instead, so a supervisor starts a whole one.
/// Nothing acknowledged is lost: every answered group was synced.
fn spawn_write_path(
    name: &'static str,
    run: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle<()>, EngineError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).is_err() {
                eprintln!("tanba: the engine's {name} panicked; ending the process");
                std::process::abort();
            }
        })
        .map_err(|e| EngineError::Store(format!("cannot start the {name}: {e}")))
}

impl Engine {
    /// Starts the engine over `store`: opens the log, starts the writer and the issuer, and
    /// resumes issuing any order left incomplete by a stop or a crash.
    pub fn start(
        store: Arc<dyn Store>,
        ring: Arc<KeyRing>,
        clock: Arc<dyn Clock>,
        config: EngineConfig,
    ) -> Result<Engine, EngineError> {
        let core = Core::open(
            store.clone(),
            ring.clone(),
            config.cases.clone(),
            config.checkpoint_interval_events,
        )?;
        let progress = Arc::new(Progress::new(&core));
        progress.steward.store(config.steward, Ordering::Relaxed);
        let (submit, submissions) = mpsc::sync_channel(SUBMIT_QUEUE_MAX);
        let (orders_sender, orders) = mpsc::channel();
        let replicated = config.log.is_some();
        let log = (config.log.clone())
            .unwrap_or_else(|| Arc::new(LocalLog::after(core.applied().position)));
        let waiters = Arc::new(Waiters::default());
        let appender = crate::appender::Appender {
            submissions,
            clock: clock.clone(),
            progress: progress.clone(),
            log: log.clone(),
            waiters: waiters.clone(),
            replicated,
            ids: ChaCha20Rng::from_seed(seed_from_os()),
        };
        let appender = spawn_write_path("tanba-appender", move || appender.run())?;
        let applier = crate::applier::Applier {
            core,
            log: log.clone(),
            waiters,
            progress: progress.clone(),
            orders: orders_sender,
            clock,
            replicated,
            ids: ChaCha20Rng::from_seed(seed_from_os()),
        };
        let applier = spawn_write_path("tanba-applier", move || applier.run())?;
        let stop_issuer = Arc::new(AtomicBool::new(false));
        let incomplete = incomplete_orders(store.as_ref())?;
        let issuer = {
            let issuer = Issuer {
                progress: progress.clone(),
                store: store.clone(),
                ring,
                submit: submit.clone(),
                stop: stop_issuer.clone(),
                rng: ChaCha20Rng::from_seed(config.serial_seed.unwrap_or_else(seed_from_os)),
                signing_threads: config.signing_threads.max(1),
            };
            std::thread::Builder::new()
                .name("tanba-issuer".into())
                .spawn(move || issuer.run(incomplete, orders))
                .map_err(|e| EngineError::Store(format!("cannot start the issuer: {e}")))?
        };
        Ok(Engine {
            store,
            cases: config.cases,
            submit: Mutex::new(Some(submit)),
            shares: Shares::default(),
            progress,
            log,
            stop_issuer,
            appender: Some(appender),
            applier: Some(applier),
            issuer: Some(issuer),
        })
    }

    /// How far the command log is applied here: a caller that wrote at a position may read
    /// its write once this passes it.
    pub fn read_position(&self) -> Position {
        self.progress.read_position.load(Ordering::Acquire)
    }

    /// Waits until the command log is applied here through `position` (a caller's own last
    /// write, read on another node: a consistency token), for at most `timeout`; whether it is.
    pub fn wait_for_position(&self, position: Position, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        // Checked under the lock the applier takes to announce a new position: no wake-up is
        // missed between the check and the wait.
        let mut head = self.progress.head.lock().expect("progress lock");
        loop {
            if self.read_position() > position {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            head = (self.progress.changed)
                .wait_timeout(head, deadline - now)
                .expect("progress lock")
                .0;
        }
    }

    /// Waits, for at most `timeout`, until everything the command log held when called is
    /// applied here: a node starting over a shared log catches up before it answers anyone.
    /// Whether it did; the log's position then, and how far this node had applied.
    pub fn catch_up(&self, timeout: Duration) -> Result<CatchUp, EngineError> {
        let last = (self.log.last_position())
            .map_err(|error| EngineError::LogUnavailable(error.to_string()))?;
        let caught_up = self.wait_for_position(last, timeout);
        Ok(CatchUp {
            caught_up,
            log_position: last,
            applied_through: self.read_position().saturating_sub(1),
        })
    }

    /// Queues a command; answers [`EngineError::Busy`] at once if the queue is full.
    pub fn submit(&self, actor: Actor, command: Command) -> Result<Ticket, EngineError> {
        self.submit_noted(actor, command, None)
    }

    /// [`Engine::submit`], with a note committed in the same batch as the command's events if
    /// it is accepted (see [`crate::core::Stamped::note`]): a write and its audit record, never one alone.
    pub fn submit_noted(
        &self,
        actor: Actor,
        command: Command,
        note: Option<Vec<u8>>,
    ) -> Result<Ticket, EngineError> {
        // A store that refuses writes fails every command: answer at once, not after a wait.
        if self.store_failing() {
            return Err(EngineError::StoreUnavailable);
        }
        // The share is the principal's, whose goods the command moves: a fiscal data operator
        // has one per seller it serves, and one seller cannot take every seller's room.
        let share = match actor.principal() {
            Some(participant) => Some(
                QueueShare::take(&self.shares, participant).ok_or(EngineError::QueueShareFull)?,
            ),
            None => None,
        };
        let (reply, receiver) = oneshot::channel();
        let submission = Submission {
            actor,
            command,
            note,
            reply,
            share,
        };
        let guard = self.submit.lock().expect("submit lock");
        let sender = guard.as_ref().ok_or(EngineError::Stopped)?;
        match sender.try_send(submission) {
            Ok(()) => Ok(Ticket { receiver }),
            Err(TrySendError::Full(_)) => Err(EngineError::Busy),
            Err(TrySendError::Disconnected(_)) => Err(EngineError::Stopped),
        }
    }

    /// Submits a command and waits until it is durable or refused.
    pub fn execute(&self, actor: Actor, command: Command) -> Result<Receipt, EngineError> {
        self.submit(actor, command)?.wait()
    }

    /// A till's check before sale (R-IS-13): whether `actor` (a retailer, or a fiscal data
    /// operator for a seller it serves) could sell each scanned code now, by the rules a receipt
    /// line is decided by. Nothing is written. Read against the last commit, so a command
    /// queued meanwhile may still change the answer; the receipt is decided again.
    pub fn check_sale(
        &self,
        actor: Actor,
        scanned: &[ScannedCode],
        time_ms: u64,
    ) -> Result<Vec<Result<(), EngineError>>, EngineError> {
        let mut pending = Pending::default();
        let state = State::new(self.store.as_ref(), &mut pending);
        let context = DecideContext {
            actor,
            time_ms,
            next_sequence: self.head().sequence + 1,
            cases: &self.cases,
        };
        let seller = crate::retail::seller(&state, &context)?;
        let today = tanba_types::Date::from_unix_ms_in_kz(time_ms);
        scanned
            .iter()
            .map(
                |code| match crate::retail::check_sale_line(&state, seller, code, today) {
                    Ok(_) => Ok(Ok(())),
                    Err(error @ (EngineError::Store(_) | EngineError::Corrupt(_))) => Err(error),
                    Err(refusal) => Ok(Err(refusal)),
                },
            )
            .collect()
    }

    /// Fires the clock rungs due now and any pending recomputation at once (the writer does so
    /// by itself every [`TICK_CHECK_INTERVAL`]); refused with `TANBA-ENGINE-INVALID` when
    /// nothing is due.
    pub fn tick(&self) -> Result<Receipt, EngineError> {
        self.execute(Actor::System, Command::Case(tanba_types::CaseCommand::Tick))
    }

    /// The registered case definitions.
    pub fn cases(&self) -> &Arc<crate::cases::Cases> {
        &self.cases
    }

    /// The store, for reads.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// A consistent view for queries ([`crate::query`]).
    pub fn snapshot(&self) -> Box<dyn Snapshot + '_> {
        self.store.snapshot()
    }

    /// What the writer has done since the start (for metrics).
    pub fn writer_stats(&self) -> WriterStats {
        WriterStats {
            groups: self.progress.groups.load(Ordering::Relaxed),
            commands: self.progress.commands.load(Ordering::Relaxed),
            clock_jumps_forward: self.progress.clock_jumps_forward.load(Ordering::Relaxed),
            clock_behind: self.progress.clock_behind.load(Ordering::Relaxed),
            log_failures: self.progress.log_failures.load(Ordering::Relaxed),
        }
    }

    /// Whether the store refuses writes now (a full disk, an I/O error): writes are answered
    /// [`EngineError::StoreUnavailable`] at once while reads go on; the writer probes the
    /// store every [`STORE_PROBE_INTERVAL`] and clears this once it takes a write again.
    pub fn store_failing(&self) -> bool {
        self.progress.store_failing.load(Ordering::Relaxed)
    }

    /// Makes this node its cluster's steward or not (`crate::steward`): only the steward
    /// appends ticks and issues codes for the orders it applies; a node that becomes steward
    /// reads every incomplete order from its store and issues what is left.
    pub fn set_steward(&self, steward: bool) {
        self.progress.steward.store(steward, Ordering::Relaxed);
    }

    /// Whether this node is its cluster's steward.
    pub fn is_steward(&self) -> bool {
        self.progress.steward.load(Ordering::Relaxed)
    }

    /// The log head's sequence after each commit, as it moves: an async caller waits on it
    /// for an entry without polling.
    pub fn applied(&self) -> tokio::sync::watch::Receiver<u64> {
        self.progress.applied.subscribe()
    }

    /// The log head after the last commit.
    pub fn head(&self) -> LogHead {
        *self.progress.head.lock().expect("progress lock")
    }

    /// Waits until every code of `order` is issued (or `timeout` passes, or the order is
    /// unknown). A store that refuses writes (a full disk) ends the wait at once with
    /// [`EngineError::StoreUnavailable`]: the issuer waits for the store however long.
    pub fn wait_for_order(
        &self,
        order: OrderId,
        timeout: Duration,
    ) -> Result<OrderRecord, EngineError> {
        let deadline = Instant::now() + timeout;
        loop {
            // Read without holding the lock the writer takes after every group; a commit in
            // between shows as a moved head, and the order is read again at once.
            let seen = self.head().sequence;
            let record = crate::query::order_record(self.store.snapshot().as_ref(), order)?
                .ok_or(EngineError::UnknownOrder(order))?;
            let now = Instant::now();
            if record.is_complete() || now >= deadline {
                return Ok(record);
            }
            let head = self.progress.head.lock().expect("progress lock");
            // Checked under the lock the applier takes to say the store failed.
            if self.store_failing() {
                return Err(EngineError::StoreUnavailable);
            }
            if head.sequence == seen {
                let _ = self
                    .progress
                    .changed
                    .wait_timeout(head, deadline - now)
                    .expect("progress lock");
            }
        }
    }

    /// Stops: the issuer stops between chunks (an incomplete order resumes at the next start),
    /// the appender appends what is queued, the applier applies it, and a final checkpoint is
    /// signed.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.stop_issuer.store(true, Ordering::SeqCst);
        // A thread that panicked has already failed its callers (their tickets answer
        // `Stopped`); joining it must not panic again, least of all inside `drop`.
        if let Some(issuer) = self.issuer.take() {
            let _ = issuer.join();
        }
        if let Ok(mut submit) = self.submit.lock() {
            submit.take();
        }
        // The appender appends what was submitted, then the applier applies up to there.
        for thread in [self.appender.take(), self.applier.take()]
            .into_iter()
            .flatten()
        {
            let _ = thread.join();
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Orders with codes still to issue.
fn incomplete_orders(store: &dyn Store) -> Result<Vec<OrderId>, EngineError> {
    let snapshot = store.snapshot();
    let mut incomplete = Vec::new();
    let mut start = Vec::new();
    loop {
        let page = snapshot.scan_from(Column::Orders, &[], &start, crate::log::LOG_PAGE_ENTRIES)?;
        for (key, value) in &page {
            let order: OrderRecord = decode(value)?;
            if !order.is_complete() {
                incomplete.push(crate::keys::trailing_u64(key)?);
            }
        }
        match page.last() {
            Some((last, _)) if page.len() == crate::log::LOG_PAGE_ENTRIES => {
                start = last.clone();
                start.push(0);
            }
            _ => return Ok(incomplete),
        }
    }
}

/// How an order's turn with the issuer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    /// Everything issued, or given up until the next start.
    Done,
    /// More to issue at its next turn.
    Unfinished,
}

struct Issuer {
    progress: Arc<Progress>,
    store: Arc<dyn Store>,
    ring: Arc<KeyRing>,
    submit: SyncSender<Submission>,
    stop: Arc<AtomicBool>,
    rng: ChaCha20Rng,
    signing_threads: usize,
}

impl Issuer {
    /// Waits while the writer finds the store refusing writes (or until the engine stops);
    /// whether it was.
    fn store_refuses_writes(&self) -> bool {
        let mut refused = false;
        while self.progress.store_failing.load(Ordering::Relaxed)
            && !self.stop.load(Ordering::SeqCst)
        {
            refused = true;
            std::thread::sleep(STORE_PROBE_INTERVAL);
        }
        refused
    }

    /// Takes turns among the orders waiting, [`ISSUE_CHUNKS_PER_TURN`] chunks each, so one
    /// producer's million codes do not hold up everyone else's hundred.
    fn run(mut self, incomplete: Vec<OrderId>, orders: Receiver<OrderId>) {
        let mut waiting: VecDeque<OrderId> = incomplete.into();
        let mut was_steward = self.progress.steward.load(Ordering::Relaxed);
        while !self.stop.load(Ordering::SeqCst) {
            let steward = self.progress.steward.load(Ordering::Relaxed);
            if steward && !was_steward {
                // Becoming steward: every order left incomplete, those a steward gave up on
                // (the log unreachable past its patience) included.
                self.take_up_incomplete(&mut waiting);
            }
            was_steward = steward;
            // Wait for work only when there is none; otherwise just collect what came.
            if waiting.is_empty() {
                match orders.recv_timeout(Duration::from_millis(50)) {
                    Ok(order) => waiting.push_back(order),
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
            waiting.extend(orders.try_iter());
            if !steward {
                // The steward issues. What is left incomplete is read from the store again if
                // this node becomes steward, so nothing is kept meanwhile.
                waiting.clear();
                std::thread::sleep(crate::steward::STEWARD_RENEW_INTERVAL);
                continue;
            }
            let Some(order) = waiting.pop_front() else {
                continue;
            };
            if self.issue(order, ISSUE_CHUNKS_PER_TURN) == Turn::Unfinished {
                waiting.push_back(order);
            }
        }
    }

    /// Adds to `waiting` every incomplete order of the store not in it already.
    fn take_up_incomplete(&self, waiting: &mut VecDeque<OrderId>) {
        // A store that cannot be read now leaves the orders to the next change of steward or
        // start.
        for order in incomplete_orders(self.store.as_ref()).unwrap_or_default() {
            if !waiting.contains(&order) {
                waiting.push_back(order);
            }
        }
    }

    /// Issues what is left of an order, chunk by chunk, signing the next chunk while the writer
    /// commits the last. Stops early on shutdown or on a refusal (the order stays incomplete and
    /// resumes at the next start).
    fn issue(&mut self, order_id: OrderId, chunks_max: usize) -> Turn {
        let Ok(Some(order)) = crate::query::order_record(self.store.snapshot().as_ref(), order_id)
        else {
            return Turn::Done;
        };
        let left = (order.quantity - order.issued) as usize;
        // This turn's share; what is beyond it waits for the next turn.
        let mut remaining = left.min(chunks_max * ISSUE_CHUNK_CODES);
        let mut given_up = false;
        let mut in_flight: VecDeque<(oneshot::Receiver<Result<Receipt, EngineError>>, usize)> =
            VecDeque::new();
        let (mut redraws, mut retries) = (0, 0);
        while remaining > 0 || !in_flight.is_empty() {
            if remaining > 0
                && in_flight.len() < ISSUE_CHUNKS_IN_FLIGHT_MAX
                && !self.stop.load(Ordering::SeqCst)
            {
                let count = remaining.min(ISSUE_CHUNK_CODES);
                let Ok(codes) = prepare_chunk(
                    &self.ring,
                    order.gtin,
                    order.tail_profile,
                    count,
                    &mut self.rng,
                    self.signing_threads,
                ) else {
                    return Turn::Done;
                };
                let (reply, receiver) = oneshot::channel();
                let submission = Submission {
                    actor: Actor::System,
                    command: Command::IssueCodes {
                        order: order_id,
                        codes,
                    },
                    note: None,
                    reply,
                    share: None,
                };
                if self.submit.send(submission).is_err() {
                    return Turn::Done;
                }
                in_flight.push_back((receiver, count));
                remaining -= count;
                continue;
            }
            let Some((receiver, count)) = in_flight.pop_front() else {
                break;
            };
            match receiver.blocking_recv() {
                Ok(Ok(_)) => {}
                // A collision with an existing code: draw the chunk again.
                Ok(Err(EngineError::DuplicateCode(_))) if redraws < ISSUE_REDRAWS_MAX => {
                    redraws += 1;
                    remaining += count;
                }
                // The store refuses writes for now (a full disk): the chunk waits for it, however
                // long, without spending a retry; the order is not given up.
                Ok(Err(EngineError::Store(_))) if self.store_refuses_writes() => {
                    remaining += count;
                }
                // The store failed this group (or the queue was full): try the chunk again
                // after a pause, a few times.
                Ok(Err(EngineError::Store(_) | EngineError::Busy))
                    if retries < ISSUE_RETRIES_MAX =>
                {
                    retries += 1;
                    std::thread::sleep(ISSUE_RETRY_PAUSE);
                    remaining += count;
                }
                _ => {
                    // Let what is in flight land, then leave the order for the next start.
                    remaining = 0;
                    given_up = true;
                }
            }
        }
        if given_up || left <= chunks_max * ISSUE_CHUNK_CODES {
            Turn::Done
        } else {
            Turn::Unfinished
        }
    }
}
