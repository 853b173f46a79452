//! Consumers who asked to be told directly when a unit they bought is recalled (R-REC-07).
//!
//! An opt-in is "someone wants notices about this code" (its id is its event's sequence), with
//! the consumer's contact sealed under a secret only the consumer holds
//! (`tanba_crypto::contact`): the log carries it to every node and no one else reads it. An
//! opt-out ends the opt-in here and deletes the sealed contact from the state. When a recall's census finds a sold unit with
//! opt-ins, or a consumer opts in to a unit already recalled, a `ConsumerNotified` event makes
//! the recall's notice available to that consumer: R-REC-07's 3-calendar-day term is measured
//! per buyer against its time.
//!
//! Cases column layout: `o` + code + opt-in: the opt-ins of a code; `O` + opt-in: its code;
//! `m` + case + opt-in: a case's direct notices (value: when, u64 BE); `q` + opt-in + case: a
//! consumer's notices (value: when). Public column: `o` + opt-in: its [`SealedContact`].

use tanba_store::Column;
use tanba_types::limits::{OPT_INS_PER_CODE_MAX, SEALED_CONTACT_BYTES_MAX};
use tanba_types::{Actor, CaseId, CodeKey, Event, PackageLevel, SealedContact};

use crate::decide::Context;
use crate::error::EngineError;
use crate::keys;
use crate::records::{decode, encode};
use crate::state::State;

/// Cases column prefix: the opt-ins of a code.
const OPT_INS_OF_CODE: u8 = b'o';
/// Cases column prefix: an opt-in's code.
const OPT_IN: u8 = b'O';
/// Cases column prefix: a case's direct notices to consumers.
const CASE_CONSUMER_NOTICES: u8 = b'm';
/// Cases column prefix: a consumer's notices.
const OPT_IN_NOTICES: u8 = b'q';
/// Public column prefix: an opt-in's sealed contact.
const SEALED_CONTACT: u8 = b'o';
/// Bytes the seal adds to a contact (`tanba_crypto::contact`'s tag).
const SEAL_TAG_BYTES: usize = 16;

fn of_code_prefix(code: &CodeKey) -> Vec<u8> {
    let mut key = vec![OPT_INS_OF_CODE];
    keys::push_code(&mut key, code);
    key
}

fn of_code(code: &CodeKey, opt_in: u64) -> Vec<u8> {
    let mut key = of_code_prefix(code);
    key.extend_from_slice(&opt_in.to_be_bytes());
    key
}

/// Only the public door opts in or out.
fn public(context: &Context) -> Result<(), EngineError> {
    match context.actor {
        Actor::Public => Ok(()),
        _ => Err(EngineError::Invalid {
            field: "actor",
            reason: "consumers opt in through the public check",
        }),
    }
}

/// Decides an opt-in: a unit, at most [`OPT_INS_PER_CODE_MAX`] opt-ins on it; told at once if
/// the unit is recalled already.
pub(crate) fn opt_in(
    state: &State,
    context: &Context,
    code: &CodeKey,
    contact: &SealedContact,
) -> Result<Vec<Event>, EngineError> {
    public(context)?;
    if !(SEAL_TAG_BYTES < contact.ciphertext.len()
        && contact.ciphertext.len() <= SEALED_CONTACT_BYTES_MAX)
    {
        return Err(EngineError::Invalid {
            field: "contact",
            reason: "a sealed contact is a contact of 1 to 254 characters and its tag",
        });
    }
    let record = state.existing_code(code)?;
    if record.level != PackageLevel::Unit {
        return Err(EngineError::Invalid {
            field: "code",
            reason: "a consumer opts in for a unit, not a package",
        });
    }
    let existing = state.scan_prefix(Column::Cases, &of_code_prefix(code), OPT_INS_PER_CODE_MAX)?;
    if existing.len() >= OPT_INS_PER_CODE_MAX {
        return Err(EngineError::LimitExceeded {
            what: "consumers opted in for one unit",
            max: OPT_INS_PER_CODE_MAX,
        });
    }
    let opt_in = context.next_sequence;
    let mut events = vec![Event::ConsumerOptedIn {
        code: *code,
        contact: Some(contact.clone()),
    }];
    if let Some(case) = crate::scope::blocking_case(state, code, &record)? {
        events.push(Event::ConsumerNotified {
            case,
            opt_in,
            code: *code,
        });
    }
    Ok(events)
}

/// Decides an opt-out of an opt-in in force.
pub(crate) fn opt_out(
    state: &State,
    context: &Context,
    opt_in: u64,
) -> Result<Vec<Event>, EngineError> {
    public(context)?;
    if state
        .get(Column::Cases, &keys::numbered(OPT_IN, opt_in))?
        .is_none()
    {
        return Err(EngineError::Invalid {
            field: "opt_in",
            reason: "no such opt-in in force",
        });
    }
    Ok(vec![Event::ConsumerOptedOut { opt_in }])
}

/// The direct notices a recall owes the opt-ins of a unit sold before it (its census calls).
pub(crate) fn notices_for(
    state: &State,
    case: CaseId,
    code: &CodeKey,
) -> Result<Vec<Event>, EngineError> {
    let prefix = of_code_prefix(code);
    state
        .scan_prefix(Column::Cases, &prefix, OPT_INS_PER_CODE_MAX)?
        .iter()
        .map(|(key, _)| {
            Ok(Event::ConsumerNotified {
                case,
                opt_in: keys::trailing_u64(key)?,
                code: *code,
            })
        })
        .collect()
}

/// Applies an opt-in, an opt-out or a direct notice.
pub(crate) fn apply(
    state: &mut State,
    sequence: u64,
    time_ms: u64,
    event: &Event,
) -> Result<(), EngineError> {
    match event {
        Event::ConsumerOptedIn { code, contact } => {
            state.put(Column::Cases, of_code(code, sequence), Vec::new());
            state.put(
                Column::Cases,
                keys::numbered(OPT_IN, sequence),
                keys::code(code),
            );
            if let Some(contact) = contact {
                let key = keys::numbered(SEALED_CONTACT, sequence);
                state.put(Column::Public, key, encode(contact));
            }
        }
        Event::ConsumerOptedOut { opt_in } => {
            let key = keys::numbered(OPT_IN, *opt_in);
            let code = state
                .get(Column::Cases, &key)?
                .ok_or_else(|| EngineError::Corrupt(format!("opt-in {opt_in} is missing")))?;
            let (code, _) = keys::read_code(&code)?;
            state.delete(Column::Cases, of_code(&code, *opt_in));
            state.delete(Column::Cases, key);
            state.delete(Column::Public, keys::numbered(SEALED_CONTACT, *opt_in));
        }
        Event::ConsumerNotified { case, opt_in, .. } => {
            let when = time_ms.to_be_bytes().to_vec();
            let by_case = keys::numbered_pair(CASE_CONSUMER_NOTICES, *case, *opt_in);
            state.put(Column::Cases, by_case, when.clone());
            let by_opt_in = keys::numbered_pair(OPT_IN_NOTICES, *opt_in, *case);
            state.put(Column::Cases, by_opt_in, when);
            crate::cases::add_case_history(state, *case, sequence);
        }
        other => unreachable!("not a consumer event: {}", other.name()),
    }
    Ok(())
}

/// A case's direct notices to consumers: (opt-in, when made available), in opt-in order after
/// `after`.
pub fn case_notices(
    snapshot: &dyn tanba_store::Snapshot,
    case: CaseId,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, u64)>, EngineError> {
    let prefix = keys::numbered(CASE_CONSUMER_NOTICES, case);
    let start = keys::numbered_pair(CASE_CONSUMER_NOTICES, case, after.saturating_add(1));
    numbered_times(snapshot, &prefix, &start, limit)
}

/// A consumer's notices: (case, when made available), in case order.
pub fn opt_in_notices(
    snapshot: &dyn tanba_store::Snapshot,
    opt_in: u64,
    limit: usize,
) -> Result<Vec<(CaseId, u64)>, EngineError> {
    let prefix = keys::numbered(OPT_IN_NOTICES, opt_in);
    numbered_times(snapshot, &prefix, &prefix, limit)
}

/// The sealed contact of an opt-in in force.
pub fn sealed_contact(
    snapshot: &dyn tanba_store::Snapshot,
    opt_in: u64,
) -> Result<Option<SealedContact>, EngineError> {
    snapshot
        .get(Column::Public, &keys::numbered(SEALED_CONTACT, opt_in))?
        .map(|bytes| decode(&bytes))
        .transpose()
}

/// The code of an opt-in in force.
pub fn opt_in_code(
    snapshot: &dyn tanba_store::Snapshot,
    opt_in: u64,
) -> Result<Option<CodeKey>, EngineError> {
    snapshot
        .get(Column::Cases, &keys::numbered(OPT_IN, opt_in))?
        .map(|bytes| keys::read_code(&bytes).map(|(code, _)| code))
        .transpose()
}

fn numbered_times(
    snapshot: &dyn tanba_store::Snapshot,
    prefix: &[u8],
    start: &[u8],
    limit: usize,
) -> Result<Vec<(u64, u64)>, EngineError> {
    let limit = limit.min(tanba_types::limits::PAGE_ENTRIES_MAX);
    snapshot
        .scan_from(Column::Cases, prefix, start, limit)?
        .iter()
        .map(|(key, value)| {
            let when: [u8; 8] = value
                .as_slice()
                .try_into()
                .map_err(|_| EngineError::Corrupt("a notice time is not 8 bytes".into()))?;
            Ok((keys::trailing_u64(key)?, u64::from_be_bytes(when)))
        })
        .collect()
}
