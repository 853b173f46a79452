//! The state machine over the store, without threads: a group of stamped commands goes in, each
//! is decided and its events are chained onto the log and applied, and the whole group (state,
//! events, log head, any checkpoint) commits in one synced batch, or nothing does.
//!
//! [`crate::Engine`] runs this on its writer thread; the deterministic simulation drives it
//! directly over a [`tanba_store::MemoryStore`].

use std::collections::VecDeque;
use std::sync::Arc;

use tanba_crypto::{GENESIS, KeyRing, sign_checkpoint};
use tanba_store::{Column, Durability, Store};
use tanba_types::{Actor, Command, Event};

use crate::apply::apply;
use crate::cases::Cases;
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

/// A command with what the writer stamped on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    /// Who submitted it.
    pub actor: Actor,
    /// When the writer took it, unix milliseconds.
    pub time_ms: u64,
    /// What it asks.
    pub command: Command,
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
    /// The writer's time stamp.
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
        Ok(Core {
            store,
            cases,
            ring,
            head,
            checkpointed,
            checkpoint_interval_events,
            last_time_ms,
        })
    }

    /// The log's last entry.
    pub fn head(&self) -> LogHead {
        self.head
    }

    /// The time stamped on the log's last entry (0 for the empty log): the writer never stamps
    /// an earlier one.
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
        let mut head = self.head;
        let mut time_ms = 0;
        let failure = {
            let mut state = State::new(self.store.as_ref(), &mut pending);
            let mut failure = None;
            while taken.len() < GROUP_COMMANDS_MAX
                && state.pending_len() < GROUP_OPERATIONS_SOFT_MAX
            {
                let Some((stamped, tag)) = queue.pop_front() else {
                    break;
                };
                time_ms = time_ms.max(stamped.time_ms);
                let outcome = self.run(&mut state, &mut head, &stamped);
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
        let committed = match failure {
            Some(error) => Err(error),
            None => self.commit(pending, head, time_ms),
        };
        if committed.is_err() {
            // A calendar or reference version parsed from this group was never stored: a later
            // publication may give its number other content.
            self.cases.forget_parsed();
        }
        match committed {
            Ok(()) => {
                self.head = head;
                self.last_time_ms = self.last_time_ms.max(time_ms);
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

    fn commit(&mut self, pending: Pending, head: LogHead, time_ms: u64) -> Result<(), EngineError> {
        if head == self.head {
            return Ok(());
        }
        let mut pending = pending;
        let mut state = State::new(self.store.as_ref(), &mut pending);
        state.put(Column::Meta, keys::META_HEAD.to_vec(), head.to_bytes());
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
