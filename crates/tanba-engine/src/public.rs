//! What the public tells Tanba, the engine's side: violation reports and likely-copy flags
//! are facts of the log, so any node answers the authorities' lists and every phone's check
//! alike, and a crash loses none of them. A report comes from the public door and is a claim:
//! it never flags a code. A flag is the system's conclusion from evidence the server saw (a
//! genuine tail checked from many networks at once, a till selling a sold code): it counts each
//! piece of evidence, and only an authority clears it, with a reason the log keeps.
//!
//! Public column layout: `r` + report id (u64 BE): [`ReportRecord`]; `i` + code + report
//! id: empty, the reports about a code; `f` + code: [`Flag`]. A report's id is its entry's
//! sequence. (The consumers' sealed contacts are [`crate::consumers`]'.)

use serde::{Deserialize, Serialize};
use tanba_store::{Column, Snapshot};
use tanba_types::limits::{REASON_CHARS_MAX, REPORT_COMMENT_CHARS_MAX};
use tanba_types::{Actor, CodeKey, Event, FlagReason, ReportFault, Role, ViolationReport};

use crate::decide::{Context, check_text, with_role};
use crate::error::EngineError;
use crate::keys;
use crate::records::{decode, encode};
use crate::state::State;

/// Public column prefix: a report, by id.
const REPORT: u8 = b'r';
/// Public column prefix: the reports about a code.
const REPORTS_OF_CODE: u8 = b'i';
/// Public column prefix: a code's flag.
const FLAG: u8 = b'f';

/// A report as the state keeps it: with its entry's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRecord {
    /// When it was made, unix milliseconds (its entry's time).
    pub time_ms: u64,
    /// The report.
    pub report: ViolationReport,
}

/// A code flagged as a likely copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// Since when, unix milliseconds (the first evidence's entry).
    pub since_ms: u64,
    /// Why, each reason once, in the order first seen.
    pub reasons: Vec<FlagReason>,
    /// Pieces of evidence: each window of sightings that flagged it, each second sale.
    pub evidence: u32,
}

fn code_key(tag: u8, code: &CodeKey) -> Vec<u8> {
    let mut key = vec![tag];
    keys::push_code(&mut key, code);
    key
}

fn of_code(code: &CodeKey, report: u64) -> Vec<u8> {
    let mut key = code_key(REPORTS_OF_CODE, code);
    key.extend_from_slice(&report.to_be_bytes());
    key
}

fn fault(fault: ReportFault) -> EngineError {
    match fault {
        ReportFault::CommentTooLong => EngineError::LimitExceeded {
            what: "comment characters",
            max: REPORT_COMMENT_CHARS_MAX,
        },
        other => EngineError::Invalid {
            field: other.field(),
            reason: other.reason(),
        },
    }
}

/// Decides a violation report: from the public door, within the rules on its fields. The code
/// need not be known: a forged code is what many reports are about.
pub(crate) fn report(
    context: &Context,
    report: &ViolationReport,
) -> Result<Vec<Event>, EngineError> {
    if context.actor != Actor::Public {
        return Err(EngineError::Invalid {
            field: "actor",
            reason: "violation reports come through the public door",
        });
    }
    if let Some(found) = report.fault() {
        return Err(fault(found));
    }
    Ok(vec![Event::ViolationReported(report.clone())])
}

/// Decides a flag: the system's conclusion, on a code it knows.
pub(crate) fn flag(
    state: &State,
    context: &Context,
    code: &CodeKey,
    reason: FlagReason,
) -> Result<Vec<Event>, EngineError> {
    if context.actor != Actor::System {
        return Err(EngineError::SystemOnly);
    }
    state.existing_code(code)?;
    Ok(vec![Event::LikelyCopyFlagged {
        code: *code,
        reason,
    }])
}

/// Decides the clearing of a flag: an authority's, with its reason, on a flagged code.
pub(crate) fn clear_flag(
    state: &State,
    context: &Context,
    code: &CodeKey,
    reason: &str,
) -> Result<Vec<Event>, EngineError> {
    with_role(state, context.actor, Role::Authority)?;
    check_text("reason", reason, REASON_CHARS_MAX)?;
    if state.get(Column::Public, &code_key(FLAG, code))?.is_none() {
        return Err(EngineError::Invalid {
            field: "code",
            reason: "the code is not flagged as a likely copy",
        });
    }
    Ok(vec![Event::LikelyCopyCleared {
        code: *code,
        reason: reason.to_owned(),
    }])
}

/// Applies a report, a flag or its clearing.
pub(crate) fn apply(
    state: &mut State,
    sequence: u64,
    time_ms: u64,
    event: &Event,
) -> Result<(), EngineError> {
    match event {
        Event::ViolationReported(report) => {
            let record = ReportRecord {
                time_ms,
                report: report.clone(),
            };
            state.put(
                Column::Public,
                keys::numbered(REPORT, sequence),
                encode(&record),
            );
            if let Some(code) = &report.code {
                state.put(Column::Public, of_code(code, sequence), Vec::new());
            }
            if let Some(photo) = &report.photo {
                crate::blobs::note_named(state, sequence, &photo.hash);
            }
        }
        Event::LikelyCopyFlagged { code, reason } => {
            let key = code_key(FLAG, code);
            let mut flag = match state.get(Column::Public, &key)? {
                Some(bytes) => decode::<Flag>(&bytes)?,
                None => Flag {
                    since_ms: time_ms,
                    reasons: Vec::new(),
                    evidence: 0,
                },
            };
            if !flag.reasons.contains(reason) {
                flag.reasons.push(*reason);
            }
            flag.evidence = flag.evidence.saturating_add(1);
            state.put(Column::Public, key, encode(&flag));
        }
        Event::LikelyCopyCleared { code, .. } => {
            state.delete(Column::Public, code_key(FLAG, code));
        }
        other => unreachable!("not a public event: {}", other.name()),
    }
    Ok(())
}

/// The flag on a code, if any.
pub fn flag_of(snapshot: &dyn Snapshot, code: &CodeKey) -> Result<Option<Flag>, EngineError> {
    snapshot
        .get(Column::Public, &code_key(FLAG, code))?
        .map(|bytes| decode(&bytes))
        .transpose()
}

/// Report `id`, if there is one.
pub fn report_of(snapshot: &dyn Snapshot, id: u64) -> Result<Option<ReportRecord>, EngineError> {
    snapshot
        .get(Column::Public, &keys::numbered(REPORT, id))?
        .map(|bytes| decode(&bytes))
        .transpose()
}

/// Reports after `after`, oldest first, at most `limit`; only those about `code` if given.
pub fn reports(
    snapshot: &dyn Snapshot,
    code: Option<&CodeKey>,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, ReportRecord)>, EngineError> {
    let prefix = match code {
        Some(code) => code_key(REPORTS_OF_CODE, code),
        None => vec![REPORT],
    };
    let mut start = prefix.clone();
    start.extend_from_slice(&after.saturating_add(1).to_be_bytes());
    let entries = snapshot.scan_from(Column::Public, &prefix, &start, limit)?;
    entries
        .iter()
        .map(|(key, value)| {
            let id = keys::trailing_u64(key)?;
            let report = match code {
                None => decode(value)?,
                Some(_) => report_of(snapshot, id)?.ok_or_else(|| {
                    EngineError::Corrupt(format!("report {id} is indexed but missing"))
                })?,
            };
            Ok((id, report))
        })
        .collect()
}
