//! The state machine over the store, without threads: a group of stamped commands goes in, each
//! is decided and its events are chained onto the log and applied, and the whole group (state,
//! events, log head, any checkpoint) commits in one synced batch, or nothing does.
//!
//! [`crate::Engine`] runs this on its applier thread, over the commands it reads from the
//! command log; the deterministic simulation drives it directly over a
//! [`tanba_store::MemoryStore`].
//!
//! Everything a group does is a function of the log alone, so every node applying one log
//! holds the same state: a command's time is the later of its stamp and the last logged time;
//! the log's cursor ([`Applied`]) is committed with the group; and a batch met again at a later
//! position (a publisher's retry the log did not catch) is refused there, by the ids of the
//! batches applied at the last [`BATCH_IDS_KEPT`] positions, kept in the store.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use tanba_crypto::{GENESIS, KeyRing, sign_checkpoint};
use tanba_store::{Column, Durability, Snapshot, Store};
use tanba_types::{Actor, Command, Event};

use crate::apply::apply;
use crate::cases::Cases;
use crate::command_log::{Batch, BatchId, CommandLogError, Position, decode_batch};
use crate::decide::{Context, decide};
use crate::error::EngineError;
use crate::keys;
use crate::records::{LogHead, LogRecord, decode, encode};
use crate::state::{Pending, State};

/// Most changed keys one group may reach before the writer commits it, well under the store's
/// batch limit: the command that crosses it still joins the group. Should a group still grow
/// past the limit, its commands run again one by one, and only a command too large alone is
/// refused.
pub const GROUP_OPERATIONS_SOFT_MAX: usize = 200_000;
/// Most keys one capture (`Command::Capture`) may change together: half a group, so a capture
/// never makes its group pass the store's batch alone.
pub const CAPTURE_CHANGES_MAX: usize = GROUP_OPERATIONS_SOFT_MAX / 2;
/// Most commands in one group.
pub const GROUP_COMMANDS_MAX: usize = 8192;
/// Events between signed checkpoints, unless configured otherwise.
pub const CHECKPOINT_INTERVAL_EVENTS_DEFAULT: u64 = 100_000;
/// Positions of the command log whose batch ids the core keeps: a batch met again within this
/// many positions of its first is applied once. (JetStream de-duplicates within its own window
/// already; this guard is the engine's, and depends on the log alone.)
pub const BATCH_IDS_KEPT: u64 = 65_536;

const _: () = assert!(BATCH_IDS_KEPT > GROUP_COMMANDS_MAX as u64);

/// Where a command sits in the command log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Its batch's position.
    pub position: Position,
    /// Its index in the batch.
    pub index: u32,
    /// Its batch's id.
    pub batch: BatchId,
}

/// How far the command log is applied: the first `commands` commands of the batch at
/// `position` (and every batch before it). Position 0: nothing yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    /// The last batch the core took a command from.
    pub position: Position,
    /// How many of its commands are taken.
    pub commands: u32,
}

/// How far the store's command log cursor says the log is applied.
pub fn stored_applied(snapshot: &dyn Snapshot) -> Result<Applied, EngineError> {
    match snapshot.get(Column::Meta, keys::META_APPLIED)? {
        Some(bytes) => Applied::from_bytes(&bytes),
        None => Ok(Applied::default()),
    }
}

impl Applied {
    const BYTES: usize = 12;

    fn to_bytes(self) -> Vec<u8> {
        let mut bytes = self.position.to_be_bytes().to_vec();
        bytes.extend_from_slice(&self.commands.to_be_bytes());
        bytes
    }

    fn from_bytes(bytes: &[u8]) -> Result<Applied, EngineError> {
        let bytes: &[u8; Applied::BYTES] = bytes
            .try_into()
            .map_err(|_| EngineError::Corrupt("the command log's cursor is malformed".into()))?;
        Ok(Applied {
            position: u64::from_be_bytes(bytes[..8].try_into().expect("eight bytes")),
            commands: u32::from_be_bytes(bytes[8..].try_into().expect("four bytes")),
        })
    }

    /// Where a reader of a shared log goes on after this: the cursor's batch again, less the
    /// commands taken (the whole batch may be taken: a batch's length is in its bytes only).
    pub fn read_from(self) -> ReadFrom {
        match self.position {
            0 => ReadFrom {
                position: 1,
                skip: 0,
            },
            position => ReadFrom {
                position,
                skip: self.commands,
            },
        }
    }

    /// Past `place`: the cursor once the command there is taken.
    fn after(place: Place) -> Applied {
        Applied {
            position: place.position,
            commands: place.index + 1,
        }
    }
}

/// Where to read a command log next: the batch at `position`, less its first `skip` commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadFrom {
    /// The batch.
    pub position: Position,
    /// Its commands already taken.
    pub skip: u32,
}

/// The commands of a batch read from the log, each with its place, less the first `skip`.
pub fn commands_of(batch: &Batch, skip: u32) -> Result<Vec<Stamped>, CommandLogError> {
    let commands = decode_batch(&batch.bytes)?;
    let stamped = commands.into_iter().enumerate().skip(skip as usize);
    let stamped = stamped.map(|(index, logged)| Stamped {
        actor: logged.actor,
        time_ms: logged.time_ms,
        command: logged.command,
        place: Some(Place {
            position: batch.position,
            index: index as u32,
            batch: batch.id,
        }),
        note: logged.note,
    });
    Ok(stamped.collect())
}

/// A command with what the writer stamped on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    /// Who submitted it.
    pub actor: Actor,
    /// When the accepting node took it, unix milliseconds; the core applies the later of this
    /// and the last logged time.
    pub time_ms: u64,
    /// What it asks.
    pub command: Command,
    /// Where it came from in the command log; `None` for a command given to the core directly
    /// (the simulation), which moves no cursor.
    pub place: Option<Place>,
    /// Bytes the submitter wants committed with the command's events if it is accepted, and
    /// never otherwise: the call's audit record, written in the audit column under
    /// [`keys::audit_note`] of the first event's sequence. The engine neither reads nor logs it.
    pub note: Option<Vec<u8>>,
}

/// What an accepted command became.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// The sequence of its first event.
    pub first_sequence: u64,
    /// The sequence of its last event.
    pub last_sequence: u64,
    /// The id it created: an order's, a shipment's or a case's (the sequence of the creating
    /// event).
    pub created: Option<u64>,
    /// The time it was applied at (the later of its stamp and the last logged time).
    pub time_ms: u64,
}

/// The state machine with its log head.
pub struct Core {
    store: Arc<dyn Store>,
    cases: Arc<Cases>,
    ring: Arc<KeyRing>,
    head: LogHead,
    checkpointed: u64,
    checkpoint_interval_events: u64,
    last_time_ms: u64,
    applied: Applied,
    /// The ids of the batches applied at the last [`BATCH_IDS_KEPT`] positions, and the same
    /// in position order (to forget the oldest).
    batches: HashMap<BatchId, Position>,
    batch_order: VecDeque<(Position, BatchId)>,
}

/// What one group changes besides the state: the log head, the time of its last logged entry,
/// the command log's cursor, and the batches it met first.
struct GroupEnd {
    head: LogHead,
    logged_time_ms: u64,
    applied: Applied,
    batches: Vec<(Position, BatchId)>,
    batch_positions: HashMap<BatchId, Position>,
}

impl Core {
    /// Opens the state machine over `store`, reading the log head. `ring` signs checkpoints.
    pub fn open(
        store: Arc<dyn Store>,
        ring: Arc<KeyRing>,
        cases: Arc<Cases>,
        checkpoint_interval_events: u64,
    ) -> Result<Core, EngineError> {
        assert!(
            checkpoint_interval_events > 0,
            "a checkpoint interval of at least one event"
        );
        match store.get(Column::Meta, keys::META_LAYOUT)? {
            Some(version) if version == keys::LAYOUT_VERSION.to_be_bytes() => {}
            Some(_) => {
                return Err(EngineError::Corrupt(
                    "the data directory was written by another layout version".into(),
                ));
            }
            None => {
                let mut batch = tanba_store::WriteBatch::new();
                batch.put(
                    Column::Meta,
                    keys::META_LAYOUT,
                    keys::LAYOUT_VERSION.to_be_bytes(),
                )?;
                store.write(batch, Durability::Synced)?;
            }
        }
        let head = match store.get(Column::Meta, keys::META_HEAD)? {
            Some(bytes) => LogHead::from_bytes(&bytes)?,
            None => LogHead {
                sequence: 0,
                hash: GENESIS,
            },
        };
        let checkpointed = match store.get(Column::Meta, keys::META_CHECKPOINT)? {
            Some(bytes) => keys::trailing_u64(&bytes)?,
            None => 0,
        };
        if checkpointed > head.sequence {
            return Err(EngineError::Corrupt(format!(
                "a checkpoint at {checkpointed} is past the log head {}: the log lost its end",
                head.sequence
            )));
        }
        // The writer never stamps a time earlier than the last logged one, across restarts too.
        let last_time_ms = match head.sequence {
            0 => 0,
            sequence => {
                crate::query::log_record(store.snapshot().as_ref(), sequence)?
                    .ok_or_else(|| EngineError::Corrupt("the log head's entry is missing".into()))?
                    .time_ms
            }
        };
        let applied = stored_applied(store.snapshot().as_ref())?;
        let batch_order = applied_batches(store.as_ref())?;
        Ok(Core {
            store,
            cases,
            ring,
            head,
            checkpointed,
            checkpoint_interval_events,
            last_time_ms,
            applied,
            batches: batch_order.iter().map(|&(at, id)| (id, at)).collect(),
            batch_order,
        })
    }

    /// How far the command log is applied (committed).
    pub fn applied(&self) -> Applied {
        self.applied
    }

    /// The log's last entry.
    pub fn head(&self) -> LogHead {
        self.head
    }

    /// The time of the log's last entry (0 for the empty log): no later entry has an earlier one.
    pub fn last_time_ms(&self) -> u64 {
        self.last_time_ms
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Takes commands from the front of `queue` and commits them as one group: until the queue
    /// is empty, [`GROUP_COMMANDS_MAX`] commands are taken, or the group's changes pass
    /// [`GROUP_OPERATIONS_SOFT_MAX`]. Returns each taken command's tag with its outcome. If the
    /// group cannot be committed, every command in it gets that error and nothing changes.
    pub fn execute<T>(
        &mut self,
        queue: &mut VecDeque<(Stamped, T)>,
    ) -> Vec<(T, Result<Receipt, EngineError>)> {
        let mut pending = Pending::default();
        let mut taken: Vec<(Stamped, T)> = Vec::new();
        let mut outcomes = Vec::new();
        let mut end = GroupEnd {
            head: self.head,
            logged_time_ms: self.last_time_ms,
            applied: self.applied,
            batches: Vec::new(),
            batch_positions: HashMap::new(),
        };
        let failure = {
            let mut state = State::new(self.store.as_ref(), &mut pending);
            let mut failure = None;
            while taken.len() < GROUP_COMMANDS_MAX
                && state.pending_len() < GROUP_OPERATIONS_SOFT_MAX
            {
                let Some((mut stamped, tag)) = queue.pop_front() else {
                    break;
                };
                // The log's time never goes back, and only a logged entry moves it.
                stamped.time_ms = stamped.time_ms.max(end.logged_time_ms);
                let outcome = match self.take_place(stamped.place, &mut end) {
                    Some(refusal) => Ok(Err(refusal)),
                    None => self.run(&mut state, &mut end.head, &stamped),
                };
                if let Ok(Ok(_)) = &outcome {
                    end.logged_time_ms = stamped.time_ms;
                }
                taken.push((stamped, tag));
                match outcome {
                    Ok(outcome) => outcomes.push(outcome),
                    Err(error) => {
                        failure = Some(error);
                        break;
                    }
                }
            }
            failure
        };
        let (head, logged_time_ms) = (end.head, end.logged_time_ms);
        let committed = match failure {
            Some(error) => Err(error),
            None => self.commit(pending, &end),
        };
        if committed.is_err() {
            // A calendar or reference version parsed from this group was never stored: a later
            // publication may give its number other content.
            self.cases.forget_parsed();
        }
        match committed {
            Ok(()) => {
                self.head = head;
                self.last_time_ms = logged_time_ms;
                self.remember(end);
                taken
                    .into_iter()
                    .map(|(_, tag)| tag)
                    .zip(outcomes)
                    .collect()
            }
            // Not the disk: one command broke the group (a batch grown past its limit, a record
            // that does not read back). Nothing was written; run each command alone, so the
            // failure stays with the command that caused it.
            Err(error) if taken.len() > 1 && !matches!(error, EngineError::Store(_)) => taken
                .into_iter()
                .flat_map(|command| self.execute(&mut VecDeque::from([command])))
                .collect(),
            Err(error) => taken
                .into_iter()
                .map(|(_, tag)| (tag, Err(error.clone())))
                .collect(),
        }
    }

    /// Executes one command as a group of its own.
    pub fn execute_one(&mut self, stamped: Stamped) -> Result<Receipt, EngineError> {
        let mut queue = VecDeque::from([(stamped, ())]);
        let (_, outcome) = self
            .execute(&mut queue)
            .pop()
            .expect("one command in, one outcome out");
        outcome
    }

    /// Moves the group's cursor past `place`; a refusal if the batch there was applied before,
    /// at an earlier position.
    fn take_place(&self, place: Option<Place>, end: &mut GroupEnd) -> Option<EngineError> {
        let place = place?;
        let applied = end.applied;
        assert!(
            (place.position, place.index) >= (applied.position, applied.commands),
            "the command log is applied in order: {place:?} after {applied:?}"
        );
        end.applied = Applied::after(place);
        let first = (self.batches.get(&place.batch))
            .or_else(|| end.batch_positions.get(&place.batch))
            .copied();
        match first {
            Some(position) if position != place.position => Some(EngineError::Invalid {
                field: "command",
                reason: "applied before: its batch came earlier in the command log",
            }),
            Some(_) => None,
            None => {
                end.batch_positions.insert(place.batch, place.position);
                end.batches.push((place.position, place.batch));
                None
            }
        }
    }

    /// After a group is committed: its batches join the ids kept, and the oldest go.
    fn remember(&mut self, end: GroupEnd) {
        self.applied = end.applied;
        for (position, id) in end.batches {
            self.batches.insert(id, position);
            self.batch_order.push_back((position, id));
        }
        while let Some(&(position, id)) = self.batch_order.front()
            && position + BATCH_IDS_KEPT <= self.applied.position
        {
            self.batches.remove(&id);
            self.batch_order.pop_front();
        }
    }

    /// Decides one command and, if accepted, logs and applies its events. The outer `Err` is a
    /// failure of the group (store or invariant); the inner one is the command's refusal.
    fn run(
        &self,
        state: &mut State,
        head: &mut LogHead,
        stamped: &Stamped,
    ) -> Result<Result<Receipt, EngineError>, EngineError> {
        if let Command::Capture(commands) = &stamped.command {
            return self.run_capture(state, head, stamped, commands);
        }
        let context = Context {
            actor: stamped.actor,
            time_ms: stamped.time_ms,
            next_sequence: head.sequence + 1,
            cases: &self.cases,
        };
        let events = match decide(state, &context, &stamped.command) {
            Ok(events) => events,
            Err(EngineError::Store(error)) => return Err(EngineError::Store(error)),
            Err(EngineError::Corrupt(error)) => return Err(EngineError::Corrupt(error)),
            Err(refusal) => return Ok(Err(refusal)),
        };
        assert!(
            !events.is_empty(),
            "an accepted command records at least one event"
        );
        let first_sequence = head.sequence + 1;
        let mut created = None;
        for event in events {
            let record = LogRecord {
                sequence: head.sequence + 1,
                time_ms: stamped.time_ms,
                actor: stamped.actor,
                event,
            };
            if matches!(
                record.event,
                Event::CodesOrdered { .. } | Event::Shipped { .. } | Event::CaseOpened { .. }
            ) {
                created = Some(record.sequence);
            }
            *head = append(state, *head, &record);
            apply(state, &record)?;
        }
        Ok(Ok(accepted(state, stamped, first_sequence, *head, created)))
    }

    /// Runs a capture's commands in order, each as if alone; if one is refused, the state and
    /// the head go back to where they were before the first, and the refusal names it.
    fn run_capture(
        &self,
        state: &mut State,
        head: &mut LogHead,
        stamped: &Stamped,
        commands: &[Command],
    ) -> Result<Result<Receipt, EngineError>, EngineError> {
        if let Err(refusal) = check_capture(stamped.actor, commands) {
            return Ok(Err(refusal));
        }
        let savepoint = state.savepoint();
        let before = *head;
        let changes_before = state.pending_len();
        for (index, command) in commands.iter().enumerate() {
            let one = Stamped {
                actor: stamped.actor,
                time_ms: stamped.time_ms,
                command: command.clone(),
                place: None,
                note: None,
            };
            // A capture whose changes pass its bound is refused as it goes, before it can
            // crowd its group past the store's batch.
            let outcome = self.run(state, head, &one)?.and_then(|receipt| {
                match state.pending_len().saturating_sub(changes_before) > CAPTURE_CHANGES_MAX {
                    true => Err(EngineError::LimitExceeded {
                        what: "changes of one capture",
                        max: CAPTURE_CHANGES_MAX,
                    }),
                    false => Ok(receipt),
                }
            });
            if let Err(refusal) = outcome {
                state.restore(savepoint);
                *head = before;
                let error = Box::new(refusal);
                return Ok(Err(EngineError::InCapture { index, error }));
            }
        }
        let first_sequence = before.sequence + 1;
        Ok(Ok(accepted(state, stamped, first_sequence, *head, None)))
    }

    fn commit(&mut self, pending: Pending, end: &GroupEnd) -> Result<(), EngineError> {
        let (head, time_ms) = (end.head, end.logged_time_ms);
        if head == self.head && end.applied == self.applied {
            return Ok(());
        }
        let mut pending = pending;
        let mut state = State::new(self.store.as_ref(), &mut pending);
        state.put(Column::Meta, keys::META_HEAD.to_vec(), head.to_bytes());
        if end.applied != self.applied {
            state.put(
                Column::Meta,
                keys::META_APPLIED.to_vec(),
                end.applied.to_bytes(),
            );
            for &(position, id) in &end.batches {
                state.put(Column::Meta, keys::applied_batch(position), id.0.to_vec());
            }
            let forgotten = (self.batch_order.iter())
                .take_while(|(position, _)| position + BATCH_IDS_KEPT <= end.applied.position);
            for &(position, _) in forgotten {
                state.delete(Column::Meta, keys::applied_batch(position));
            }
        }
        let checkpoint_due = head.sequence - self.checkpointed >= self.checkpoint_interval_events;
        if checkpoint_due {
            self.put_checkpoint(&mut state, head, time_ms)?;
        }
        self.store
            .write(pending.into_batch(self.store.as_ref())?, Durability::Synced)?;
        if checkpoint_due {
            self.checkpointed = head.sequence;
        }
        Ok(())
    }

    fn put_checkpoint(
        &self,
        state: &mut State,
        head: LogHead,
        time_ms: u64,
    ) -> Result<(), EngineError> {
        let checkpoint = sign_checkpoint(
            self.ring.active_signing_key(),
            head.sequence,
            head.hash,
            time_ms,
        )
        .map_err(|error| EngineError::Corrupt(format!("cannot sign a checkpoint: {error}")))?;
        state.put(
            Column::Checkpoints,
            keys::sequence(head.sequence).to_vec(),
            encode(&checkpoint),
        );
        state.put(
            Column::Meta,
            keys::META_CHECKPOINT.to_vec(),
            keys::sequence(head.sequence).to_vec(),
        );
        Ok(())
    }

    /// Whether the store takes a synced write now: one that changes nothing (a key written and
    /// deleted in one batch), so a full disk or a failing device shows without touching state.
    pub fn probe(&self) -> Result<(), EngineError> {
        let mut batch = tanba_store::WriteBatch::new();
        batch.put(Column::Meta, keys::META_PROBE, [0u8])?;
        batch.delete(Column::Meta, keys::META_PROBE)?;
        self.store.write(batch, Durability::Synced)?;
        Ok(())
    }

    /// Signs a checkpoint of the current head now (as on shutdown), unless one covers it already.
    pub fn checkpoint(
        &mut self,
        time_ms: u64,
    ) -> Result<Option<tanba_crypto::Checkpoint>, EngineError> {
        if self.head.sequence == self.checkpointed {
            return Ok(None);
        }
        let mut pending = Pending::default();
        let mut state = State::new(self.store.as_ref(), &mut pending);
        self.put_checkpoint(&mut state, self.head, time_ms)?;
        self.store
            .write(pending.into_batch(self.store.as_ref())?, Durability::Synced)?;
        self.checkpointed = self.head.sequence;
        let stored = self
            .store
            .get(Column::Checkpoints, &keys::sequence(self.head.sequence))?
            .expect("just written");
        Ok(Some(decode(&stored)?))
    }
}

/// Chains `record` onto the log after `head` and stores it; returns the new head.
pub(crate) fn append(state: &mut State, head: LogHead, record: &LogRecord) -> LogHead {
    assert_eq!(record.sequence, head.sequence + 1, "the log has no gaps");
    let bytes = tanba_log::encode(record);
    let kinds = tanba_log::kinds_of(&record.event);
    let hash = crate::log::entry_hash(&head.hash, record.sequence, kinds, &bytes);
    let value = crate::log::entry_value(&hash, kinds, &bytes);
    state.put(Column::Log, keys::sequence(record.sequence).to_vec(), value);
    LogHead {
        sequence: record.sequence,
        hash,
    }
}

/// The receipt of an accepted command whose events are `first_sequence` to `head`, its note (the
/// call's audit record) put under its first event.
fn accepted(
    state: &mut State,
    stamped: &Stamped,
    first_sequence: u64,
    head: LogHead,
    created: Option<u64>,
) -> Receipt {
    if let Some(note) = &stamped.note {
        state.put(
            Column::Audit,
            keys::audit_note(first_sequence),
            note.clone(),
        );
    }
    Receipt {
        first_sequence,
        last_sequence: head.sequence,
        created,
        time_ms: stamped.time_ms,
    }
}

/// What a capture may hold: a participant's commands, at least one and at most
/// [`CAPTURE_COMMANDS_MAX`](tanba_types::limits::CAPTURE_COMMANDS_MAX), each
/// [`Command::capturable`], naming at most
/// [`CAPTURE_CODES_MAX`](tanba_types::limits::CAPTURE_CODES_MAX) codes together.
fn check_capture(actor: Actor, commands: &[Command]) -> Result<(), EngineError> {
    use tanba_types::limits::{CAPTURE_CODES_MAX, CAPTURE_COMMANDS_MAX};
    if !matches!(actor, Actor::Participant(_)) {
        return Err(EngineError::Invalid {
            field: "capture",
            reason: "made by a participant, for its own goods",
        });
    }
    if commands.is_empty() || !commands.iter().all(Command::capturable) {
        return Err(EngineError::Invalid {
            field: "capture",
            reason: "one or more of a participant's own goods commands",
        });
    }
    if commands.len() > CAPTURE_COMMANDS_MAX {
        return Err(EngineError::LimitExceeded {
            what: "commands in one capture",
            max: CAPTURE_COMMANDS_MAX,
        });
    }
    if commands.iter().map(Command::named_codes).sum::<usize>() > CAPTURE_CODES_MAX {
        return Err(EngineError::LimitExceeded {
            what: "codes in one capture",
            max: CAPTURE_CODES_MAX,
        });
    }
    Ok(())
}

/// The ids of the batches applied lately, in position order, as the store keeps them.
fn applied_batches(store: &dyn Store) -> Result<VecDeque<(Position, BatchId)>, EngineError> {
    let snapshot = store.snapshot();
    let mut batches = VecDeque::new();
    let mut start = keys::META_BATCH.to_vec();
    loop {
        let page = snapshot.scan_from(
            Column::Meta,
            keys::META_BATCH,
            &start,
            crate::log::LOG_PAGE_ENTRIES,
        )?;
        for (key, value) in &page {
            let id: [u8; 16] = value
                .as_slice()
                .try_into()
                .map_err(|_| EngineError::Corrupt("an applied batch's id is malformed".into()))?;
            batches.push_back((keys::trailing_u64(key)?, BatchId(id)));
        }
        match page.last() {
            Some((last, _)) if page.len() == crate::log::LOG_PAGE_ENTRIES => {
                start = last.clone();
                start.push(0);
            }
            _ => return Ok(batches),
        }
    }
}
