//! The command log: the one total order of the batches of commands the writer applies (issue 15,
//! ARCHITECTURE.md "Scale-out over NATS JetStream"). The writer is to know this interface only
//! (today it still takes its commands from a channel); two implementations pass one
//! conformance suite (`tanba-replica`'s `tests/conformance.rs`):
//! - [`LocalLog`]: a bounded queue in this process, the embedded default;
//! - `tanba_replica::JetStreamLog`: a NATS JetStream stream replicated by Raft, which several
//!   nodes read in the same order.
//!
//! A batch is opaque bytes here (the engine encodes its commands into it) with an id chosen by
//! whoever appends it: a batch appended again under the same id, within the log's
//! de-duplication window, gets its first position back and is not stored twice.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// A batch's place in the log: the first batch is at 1, and positions have no gaps.
pub type Position = u64;

/// Bytes of one batch at most (NATS's default `max_payload`, 1 MiB, less room for headers).
pub const BATCH_BYTES_MAX: usize = (1 << 20) - 4_096;

/// Batches one read returns at most.
pub const READ_BATCHES_MAX: usize = 4_096;

/// A batch's id: random, drawn by the node that appends it (never a hash of its content: two
/// equal batches are two batches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BatchId(pub [u8; 16]);

impl std::fmt::Display for BatchId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&tanba_crypto::encoding::hex(&self.0))
    }
}

/// Where an appended batch went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Its position.
    pub position: Position,
    /// It was appended before under the same id: this is the first position, and nothing new
    /// was stored.
    pub duplicate: bool,
}

/// One batch as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Its position.
    pub position: Position,
    /// The id it was appended under.
    pub id: BatchId,
    /// Its bytes, as appended.
    pub bytes: Vec<u8>,
}

/// Why the log did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandLogError {
    /// The batch is larger than [`BATCH_BYTES_MAX`].
    #[error("a batch of {bytes} bytes is larger than {BATCH_BYTES_MAX}")]
    TooLarge {
        /// Its size.
        bytes: usize,
    },
    /// The log holds as many batches as it may until older ones are trimmed: try again.
    #[error("the command log is full")]
    Full,
    /// The log cannot be reached or did not answer in time: try again.
    #[error("the command log is unavailable: {0}")]
    Unavailable(String),
    /// The position asked was trimmed away: read from a snapshot at or after it instead.
    #[error("position {asked} was trimmed (the log starts at {first})")]
    Trimmed {
        /// The position asked.
        asked: Position,
        /// The first position the log still holds.
        first: Position,
    },
    /// The log returned something that is not a batch it could have stored.
    #[error("the command log is corrupt: {0}")]
    Corrupt(String),
}

impl CommandLogError {
    /// Every code this type can produce.
    pub const ALL_CODES: &'static [&'static str] = &[
        "TANBA-COMMAND-LOG-TOO-LARGE",
        "TANBA-COMMAND-LOG-FULL",
        "TANBA-COMMAND-LOG-UNAVAILABLE",
        "TANBA-COMMAND-LOG-TRIMMED",
        "TANBA-COMMAND-LOG-CORRUPT",
    ];

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            CommandLogError::TooLarge { .. } => "TANBA-COMMAND-LOG-TOO-LARGE",
            CommandLogError::Full => "TANBA-COMMAND-LOG-FULL",
            CommandLogError::Unavailable(_) => "TANBA-COMMAND-LOG-UNAVAILABLE",
            CommandLogError::Trimmed { .. } => "TANBA-COMMAND-LOG-TRIMMED",
            CommandLogError::Corrupt(_) => "TANBA-COMMAND-LOG-CORRUPT",
        }
    }

    /// Whether the same call may succeed later.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            CommandLogError::Full | CommandLogError::Unavailable(_)
        )
    }
}

/// The total order of batches of commands.
pub trait CommandLog: Send + Sync {
    /// Appends a batch; returns once it is ordered (and, for a replicated log, stored by a
    /// majority of its replicas).
    fn append(&self, id: BatchId, bytes: Vec<u8>) -> Result<Appended, CommandLogError>;

    /// The batches from `from` on, in order, at most `batches_max` (itself at most
    /// [`READ_BATCHES_MAX`]): every batch the log held when the call began, then any already
    /// come since. When there is none at or after `from`, waits up to `wait` for the first,
    /// and returns none if none came.
    fn read(
        &self,
        from: Position,
        batches_max: usize,
        wait: Duration,
    ) -> Result<Vec<Batch>, CommandLogError>;

    /// The position of the last batch (0 for an empty log).
    fn last_position(&self) -> Result<Position, CommandLogError>;

    /// Drops the batches before `position`: every reader has them in a snapshot. A later read
    /// before it answers [`CommandLogError::Trimmed`].
    fn trim_before(&self, position: Position) -> Result<(), CommandLogError>;
}

/// Checks a batch against the bounds every log shares.
pub fn check_batch(bytes: &[u8]) -> Result<(), CommandLogError> {
    if bytes.len() > BATCH_BYTES_MAX {
        return Err(CommandLogError::TooLarge { bytes: bytes.len() });
    }
    Ok(())
}

/// Batches a [`LocalLog`] holds at most until they are trimmed.
pub const LOCAL_BATCHES_MAX: usize = 65_536;

/// The embedded default's log (once the writer reads through the seam): this process's queue. Nothing is durable here; a command
/// is durable once the writer has committed what it did (as before the seam existed). Ids are
/// remembered while their batch is held, so a batch appended again before it is trimmed is
/// not held twice.
#[derive(Default)]
pub struct LocalLog {
    state: Mutex<LocalState>,
    appended: Condvar,
}

#[derive(Default)]
struct LocalState {
    /// The position of `batches[0]`, less one.
    trimmed: Position,
    batches: VecDeque<(BatchId, Vec<u8>)>,
    positions: HashMap<BatchId, Position>,
}

impl LocalLog {
    /// An empty log.
    pub fn new() -> LocalLog {
        LocalLog::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LocalState> {
        self.state
            .lock()
            .expect("no panics while holding the local log")
    }
}

impl CommandLog for LocalLog {
    fn append(&self, id: BatchId, bytes: Vec<u8>) -> Result<Appended, CommandLogError> {
        check_batch(&bytes)?;
        let mut state = self.lock();
        if let Some(&position) = state.positions.get(&id) {
            return Ok(Appended {
                position,
                duplicate: true,
            });
        }
        if state.batches.len() >= LOCAL_BATCHES_MAX {
            return Err(CommandLogError::Full);
        }
        state.batches.push_back((id, bytes));
        let position = state.trimmed + state.batches.len() as Position;
        state.positions.insert(id, position);
        drop(state);
        self.appended.notify_all();
        Ok(Appended {
            position,
            duplicate: false,
        })
    }

    fn read(
        &self,
        from: Position,
        batches_max: usize,
        wait: Duration,
    ) -> Result<Vec<Batch>, CommandLogError> {
        let from = from.max(1);
        let batches_max = batches_max.min(READ_BATCHES_MAX);
        let deadline = Instant::now() + wait;
        let mut state = self.lock();
        if from <= state.trimmed {
            return Err(CommandLogError::Trimmed {
                asked: from,
                first: state.trimmed + 1,
            });
        }
        loop {
            let last = state.trimmed + state.batches.len() as Position;
            if from <= last {
                let start = (from - state.trimmed - 1) as usize;
                let batches = (state.batches.iter().skip(start).take(batches_max))
                    .zip(from..)
                    .map(|((id, bytes), position)| Batch {
                        position,
                        id: *id,
                        bytes: bytes.clone(),
                    })
                    .collect();
                return Ok(batches);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Vec::new());
            }
            state = (self.appended.wait_timeout(state, deadline - now))
                .expect("no panics while holding the local log")
                .0;
        }
    }

    fn last_position(&self) -> Result<Position, CommandLogError> {
        let state = self.lock();
        Ok(state.trimmed + state.batches.len() as Position)
    }

    fn trim_before(&self, position: Position) -> Result<(), CommandLogError> {
        let mut state = self.lock();
        while state.trimmed + 1 < position {
            let Some((id, _)) = state.batches.pop_front() else {
                break;
            };
            state.positions.remove(&id);
            state.trimmed += 1;
        }
        Ok(())
    }
}
