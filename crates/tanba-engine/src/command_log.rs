//! The command log: the one total order of the batches of commands the writer applies (issue 15,
//! ARCHITECTURE.md "Scale-out over NATS JetStream"). The engine's applier reads its commands
//! through this interface only; two implementations pass one conformance suite
//! (`tanba-replica`'s `tests/conformance.rs`):
//! - [`LocalLog`]: a bounded queue in this process, the embedded default;
//! - `tanba_replica::JetStreamLog`: a NATS JetStream stream replicated by Raft, which several
//!   nodes read in the same order.
//!
//! To a log a batch is opaque bytes with an id chosen by whoever appends it: a batch appended
//! again under the same id, within the log's de-duplication window, gets its first position
//! back and is not stored twice. The engine fills the bytes with [`BatchWriter`] and reads them
//! with [`decode_batch`]: [`LoggedCommand`]s, each known by its [`CommandId`] (its batch's id and
//! its place in it), which the core uses to apply a batch met twice only once.

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::Sender;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tanba_types::{Actor, Command};

/// A batch's place in the log: the first batch is at 1, and positions have no gaps.
pub type Position = u64;

/// Bytes of one batch at most: room for the largest single command (a reference publication of
/// `REFERENCE_BYTES_MAX`, 8 MiB, or 100,000 codes named at once) with its encoding, less room
/// for a message's headers. NATS servers carrying the log run with `max_payload` of 16 MiB.
pub const BATCH_BYTES_MAX: usize = (16 << 20) - 4_096;

/// Batches one read returns at most.
pub const READ_BATCHES_MAX: usize = 4_096;

/// Bytes after which a read returns no further batch: an applier holds at most this and one
/// batch more in memory at once.
pub const READ_BYTES_MAX: usize = 64 << 20;

/// Bytes of one batch's commands at most: a replicated log's batch also carries its seal
/// (`crate::seal`).
pub const BATCH_COMMANDS_BYTES_MAX: usize = BATCH_BYTES_MAX - crate::seal::BATCH_SEAL_BYTES;

const _: () =
    assert!(tanba_types::limits::REFERENCE_BYTES_MAX + (1 << 20) < BATCH_COMMANDS_BYTES_MAX);
const _: () = assert!(READ_BYTES_MAX >= BATCH_BYTES_MAX);

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

/// How an append started with [`CommandLog::start_append`] ended.
#[derive(Debug)]
pub struct AppendFinished {
    /// The batch's id.
    pub id: BatchId,
    /// Where it went, or why it did not.
    pub result: Result<Appended, CommandLogError>,
}

impl AppendFinished {
    /// Reports on `finished` how the append of `id` ended; an appender gone has nobody to tell.
    pub fn report(
        finished: &Sender<AppendFinished>,
        id: BatchId,
        result: Result<Appended, CommandLogError>,
    ) {
        let _ = finished.send(AppendFinished { id, result });
    }
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

/// A command's id: its batch's id and its place in the batch. Unique without a hash of the
/// content (two equal sales are two commands), and the unit in which a command met twice is
/// applied once: a batch is appended again only whole, under its first id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandId {
    /// The batch it came in.
    pub batch: BatchId,
    /// Its place in the batch, from 0.
    pub index: u32,
}

/// One command as the log carries it: what the accepting node took from its caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedCommand {
    /// Who submitted it.
    pub actor: Actor,
    /// The accepting node's clock when it took the command, unix milliseconds. The core
    /// applies the later of this and the last logged time, so the log's time never goes back
    /// whatever the nodes' clocks do, and every node computes the same.
    pub time_ms: u64,
    /// What it asks.
    pub command: Command,
    /// The call's audit record, committed with the command's events if it is accepted.
    pub note: Option<Vec<u8>>,
}

/// The first byte of every batch the engine writes: the layout of what follows.
pub const BATCH_FORMAT_VERSION: u8 = 1;
/// A batch's header: the format byte and the count of commands (u32, little-endian).
const BATCH_HEADER_BYTES: usize = 5;

/// Builds one batch's bytes, command by command, within [`BATCH_COMMANDS_BYTES_MAX`].
pub struct BatchWriter {
    bytes: Vec<u8>,
    count: u32,
}

impl Default for BatchWriter {
    fn default() -> Self {
        let mut bytes = vec![0; BATCH_HEADER_BYTES];
        bytes[0] = BATCH_FORMAT_VERSION;
        BatchWriter { bytes, count: 0 }
    }
}

/// Why a command did not go into a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAdded {
    /// The batch has no room left for it: start another.
    Full,
    /// It is larger than any batch may be (so much the caller could not have sent it).
    TooLarge,
}

impl BatchWriter {
    /// Adds `command` at the end; on `Err` the batch is as it was.
    pub fn push(&mut self, command: &LoggedCommand) -> Result<(), NotAdded> {
        let before = self.bytes.len();
        let encoded = postcard::to_extend(command, std::mem::take(&mut self.bytes))
            .expect("postcard encodes every command into a Vec");
        self.bytes = encoded;
        if self.bytes.len() <= BATCH_COMMANDS_BYTES_MAX {
            self.count += 1;
            return Ok(());
        }
        let alone = self.bytes.len() - before + BATCH_HEADER_BYTES;
        self.bytes.truncate(before);
        match alone > BATCH_COMMANDS_BYTES_MAX {
            true => Err(NotAdded::TooLarge),
            false => Err(NotAdded::Full),
        }
    }

    /// Commands added so far.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// Whether no command was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The batch's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.bytes[1..BATCH_HEADER_BYTES].copy_from_slice(&self.count.to_le_bytes());
        self.bytes
    }
}

/// The commands of a batch written by [`BatchWriter`].
pub fn decode_batch(bytes: &[u8]) -> Result<Vec<LoggedCommand>, CommandLogError> {
    let corrupt = |what: &str| CommandLogError::Corrupt(format!("a batch {what}"));
    let (header, mut rest) = bytes
        .split_at_checked(BATCH_HEADER_BYTES)
        .ok_or_else(|| corrupt("shorter than its header"))?;
    if header[0] != BATCH_FORMAT_VERSION {
        return Err(corrupt("of an unknown format"));
    }
    let count = u32::from_le_bytes(header[1..].try_into().expect("four bytes"));
    // Every command takes at least one byte: a count past the bytes is a lie, not a reservation.
    if count as usize > rest.len() {
        return Err(corrupt("counting more commands than its bytes hold"));
    }
    let mut commands = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let (command, after) = postcard::take_from_bytes::<LoggedCommand>(rest)
            .map_err(|error| corrupt(&format!("with an unreadable command: {error}")))?;
        commands.push(command);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(corrupt("with bytes after its last command"));
    }
    Ok(commands)
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

    /// Starts appending a batch and reports on `finished` how it ended, as [`CommandLog::append`]
    /// would have answered, once. A log that can have several appends on their way at once
    /// returns when this one is sent, and the batches land in the order they were started
    /// unless one fails (the appender keeps at most `APPENDS_IN_FLIGHT_MAX` on their way); the
    /// default appends, then reports, before it returns.
    fn start_append(&self, id: BatchId, bytes: Vec<u8>, finished: &Sender<AppendFinished>) {
        AppendFinished::report(finished, id, self.append(id, bytes));
    }

    /// The batches from `from` on, in order, at most `batches_max` (itself at most
    /// [`READ_BATCHES_MAX`]), ending with the one that brings them to [`READ_BYTES_MAX`]
    /// bytes if one does: every batch
    /// the log held when the call began, then any already come since. When there is none at
    /// or after `from`, waits up to `wait` for the first, and returns none if none came.
    /// [`CommandLogError::Trimmed`] if `from` was trimmed, or the log is trimmed past the
    /// batch it is reading as it reads.
    fn read(
        &self,
        from: Position,
        batches_max: usize,
        wait: Duration,
    ) -> Result<Vec<Batch>, CommandLogError>;

    /// The position of the last batch (0 for an empty log).
    fn last_position(&self) -> Result<Position, CommandLogError>;

    /// The position of the first batch it still holds: 1 until it is trimmed, and one past
    /// the last if everything was trimmed.
    fn first_position(&self) -> Result<Position, CommandLogError>;

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
/// Bytes of batches a [`LocalLog`] holds at most until they are trimmed (one batch of any size
/// is always taken into an empty log).
pub const LOCAL_BYTES_MAX: usize = 256 << 20;

/// The embedded default's log: this process's queue. Nothing is durable here; a command is
/// durable once the applier has committed what it did. Ids are remembered while their batch is
/// held, so a batch appended again before it is trimmed is not held twice.
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
    bytes: usize,
    positions: HashMap<BatchId, Position>,
}

impl LocalLog {
    /// An empty log.
    pub fn new() -> LocalLog {
        LocalLog::default()
    }

    /// An empty log whose first batch goes to `position + 1`: the engine's applied positions
    /// go on across restarts, though the queue itself starts empty.
    pub fn after(position: Position) -> LocalLog {
        let log = LocalLog::default();
        log.lock().trimmed = position;
        log
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
        let bytes_full = state.bytes + bytes.len() > LOCAL_BYTES_MAX && !state.batches.is_empty();
        if state.batches.len() >= LOCAL_BATCHES_MAX || bytes_full {
            return Err(CommandLogError::Full);
        }
        state.bytes += bytes.len();
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
                let mut batches = Vec::new();
                let mut bytes_read = 0;
                for ((id, bytes), position) in
                    (state.batches.iter().skip(start).take(batches_max)).zip(from..)
                {
                    if bytes_read >= READ_BYTES_MAX {
                        break;
                    }
                    bytes_read += bytes.len();
                    batches.push(Batch {
                        position,
                        id: *id,
                        bytes: bytes.clone(),
                    });
                }
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

    fn first_position(&self) -> Result<Position, CommandLogError> {
        Ok(self.lock().trimmed + 1)
    }

    fn trim_before(&self, position: Position) -> Result<(), CommandLogError> {
        let mut state = self.lock();
        while state.trimmed + 1 < position {
            let Some((id, bytes)) = state.batches.pop_front() else {
                break;
            };
            state.bytes -= bytes.len();
            state.positions.remove(&id);
            state.trimmed += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tanba_types::{CaseCommand, TaxpayerId};

    fn sale(time_ms: u64) -> LoggedCommand {
        LoggedCommand {
            actor: Actor::Participant(TaxpayerId::parse("870412300416").expect("an IIN")),
            time_ms,
            command: Command::Case(CaseCommand::Tick),
            note: Some(vec![1, 2, 3]),
        }
    }

    #[test]
    fn a_batch_reads_back_its_commands_in_order() {
        let mut writer = BatchWriter::default();
        let commands: Vec<LoggedCommand> = (0..100).map(sale).collect();
        for command in &commands {
            writer.push(command).expect("room");
        }
        assert_eq!(writer.len(), 100);
        let bytes = writer.finish();
        assert_eq!(bytes[0], BATCH_FORMAT_VERSION);
        assert_eq!(decode_batch(&bytes).expect("decodes"), commands);
        assert_eq!(
            decode_batch(&BatchWriter::default().finish()).expect("an empty batch"),
            Vec::new()
        );
    }

    #[test]
    fn a_full_batch_refuses_the_next_command_and_stays_as_it_was() {
        let large = |fill: u8, bytes: usize| LoggedCommand {
            note: Some(vec![fill; bytes]),
            ..sale(1)
        };
        let mut writer = BatchWriter::default();
        writer
            .push(&large(1, BATCH_BYTES_MAX / 2))
            .expect("half fits");
        assert_eq!(
            writer.push(&large(2, BATCH_BYTES_MAX / 2)),
            Err(NotAdded::Full)
        );
        assert_eq!(
            writer.push(&large(3, BATCH_BYTES_MAX)),
            Err(NotAdded::TooLarge)
        );
        writer.push(&sale(2)).expect("a small one still fits");
        let bytes = writer.finish();
        assert!(bytes.len() <= BATCH_COMMANDS_BYTES_MAX);
        assert_eq!(
            decode_batch(&bytes).expect("decodes"),
            vec![large(1, BATCH_BYTES_MAX / 2), sale(2)]
        );
    }

    #[test]
    fn malformed_batches_are_corrupt_not_panics() {
        let mut writer = BatchWriter::default();
        writer.push(&sale(7)).expect("room");
        let good = writer.finish();
        let mut unknown_format = good.clone();
        unknown_format[0] = BATCH_FORMAT_VERSION + 1;
        let mut counting_more = good.clone();
        counting_more[1] = 2;
        let mut counting_past_bytes = good.clone();
        counting_past_bytes[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut trailing = good.clone();
        trailing.push(0);
        for bad in [
            &[][..],
            &good[..3],
            &unknown_format,
            &counting_more,
            &counting_past_bytes,
            &trailing,
            &good[..good.len() - 1],
        ] {
            assert!(
                matches!(decode_batch(bad), Err(CommandLogError::Corrupt(_))),
                "{bad:?}"
            );
        }
    }
}
