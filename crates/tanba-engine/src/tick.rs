//! The tick: a system command the writer stamps (the engine's ticker submits one when the
//! due-time index holds a case due at or before now, or a calendar publication left clocks to
//! recompute, or a sweep over a case's goods waits). It fires the warning rungs due, with what
//! each definition does on them, recomputes clocks under a newly published calendar, forward
//! only, a bounded number of cases per tick, and takes one page of a sweep ([`crate::sweep`]). Everything it decides is written as events; nothing is worked out again when read.

use std::collections::BTreeSet;

use tanba_cases::definition::StepContext;
use tanba_cases::executor::{self, Execution};
use tanba_store::Column;
use tanba_types::limits::TICK_CASES_MAX;
use tanba_types::{Actor, CaseId, CaseStep, Event};

use crate::cases::{TICK_TRANSITION, clock_event, effects, existing, view};
use crate::decide::Context;
use crate::error::EngineError;
use crate::keys;
use crate::records::CaseRecord;
use crate::state::State;

/// Cases column key: the calendar version whose recomputation is under way, and how far it got.
pub const RECOMPUTE_CURSOR: &[u8] = b"r";

/// Decides a tick.
pub(crate) fn tick(state: &State, context: &Context) -> Result<Vec<Event>, EngineError> {
    if context.actor != Actor::System {
        return Err(EngineError::SystemOnly);
    }
    let mut events = Vec::new();
    let mut handled = BTreeSet::new();
    for (_, case) in due(state, context.time_ms, TICK_CASES_MAX)? {
        handled.insert(case);
        match case_events(state, context, case) {
            Ok(mut more) => events.append(&mut more),
            Err(error @ (EngineError::Store(_) | EngineError::Corrupt(_))) => return Err(error),
            // A definition refusing its own rung (a bug there) must not stop every other
            // case's clock: this one is tried again at the next tick.
            Err(_) => continue,
        }
    }
    if let Some((version, after)) = recompute_cursor(state)? {
        let budget = TICK_CASES_MAX.saturating_sub(handled.len()).max(1);
        events.extend(recompute(state, context, version, after, budget, &handled)?);
    }
    if let Some((case, job)) = crate::sweep::next_job(state)? {
        match crate::sweep::page(state, context, case, &job) {
            Ok(mut more) => events.append(&mut more),
            Err(error @ (EngineError::Store(_) | EngineError::Corrupt(_))) => return Err(error),
            // A definition refusing its own holders' notice (a bug there) ends that sweep, so
            // that it neither stops every other case's clock nor makes the writer spin on it.
            Err(_) => events.push(Event::SweepMoved { case, job: None }),
        }
    }
    if events.is_empty() {
        return Err(EngineError::Invalid {
            field: "tick",
            reason: "nothing is due",
        });
    }
    Ok(events)
}

/// Whether a tick has work at `now_ms`: a case due, clocks to recompute, or a sweep over a
/// case's goods. What the ticker asks before it submits one.
pub fn tick_due(snapshot: &dyn tanba_store::Snapshot, now_ms: u64) -> Result<bool, EngineError> {
    if snapshot.get(Column::Cases, RECOMPUTE_CURSOR)?.is_some()
        || crate::sweep::sweep_waiting(snapshot)?
    {
        return Ok(true);
    }
    let first = snapshot.scan_prefix(Column::Cases, &[keys::CASE_DUE], 1)?;
    Ok(match first.first() {
        Some((key, _)) => due_entry(key)?.0 <= now_ms,
        None => false,
    })
}

/// The due-time index's entries at or before `now_ms`, earliest first, at most `limit`.
fn due(state: &State, now_ms: u64, limit: usize) -> Result<Vec<(u64, CaseId)>, EngineError> {
    let mut out = Vec::new();
    for (key, _) in state.scan_prefix(Column::Cases, &[keys::CASE_DUE], limit)? {
        let entry = due_entry(&key)?;
        if entry.0 > now_ms {
            break;
        }
        out.push(entry);
    }
    Ok(out)
}

fn due_entry(key: &[u8]) -> Result<(u64, CaseId), EngineError> {
    let corrupt = || EngineError::Corrupt("malformed due-time index key".into());
    let body = key
        .get(1..)
        .filter(|body| body.len() == 16)
        .ok_or_else(corrupt)?;
    let moment = u64::from_be_bytes(body[..8].try_into().map_err(|_| corrupt())?);
    let case = u64::from_be_bytes(body[8..].try_into().map_err(|_| corrupt())?);
    Ok((moment, case))
}

/// A due case's events: its clocks brought under the calendar in force, then the rungs due.
fn case_events(state: &State, context: &Context, case: CaseId) -> Result<Vec<Event>, EngineError> {
    let mut record = existing(state, case)?;
    let definition = context.cases.definition(&record.opening.kind)?;
    let calendar = context.cases.calendar(state)?;
    let references = context.cases.references(state)?;
    let last = crate::cases::last_numbers(state, definition, &calendar, context.time_ms)?;
    let step_context = StepContext {
        now_ms: context.time_ms,
        calendar: &calendar,
        references: &references,
        last_numbers: &last,
    };
    let mut events = Vec::new();
    for update in executor::recompute(&record.clock_values(), &calendar)? {
        if let Some(entry) = record.clocks.get_mut(&update.name) {
            entry.value = update.value.clone();
            entry.next_rung_ms = update.next_rung_ms;
        }
        events.push(clock_event(case, update));
    }
    let clocks = record.clock_values();
    let Some(execution) = executor::fire(definition, &view(case, &record, &clocks), &step_context)?
    else {
        return Ok(events);
    };
    events.extend(fired(state, context, case, &record, execution)?);
    Ok(events)
}

/// The events of fired rungs: a state change (as a step named [`TICK_TRANSITION`]) if the
/// definition made one, then clocks, notices and goods.
fn fired(
    state: &State,
    context: &Context,
    case: CaseId,
    record: &CaseRecord,
    execution: Execution,
) -> Result<Vec<Event>, EngineError> {
    let mut events = Vec::new();
    if execution.state != record.state {
        events.push(Event::CaseStepped(CaseStep {
            case,
            transition: TICK_TRANSITION.to_owned(),
            state: execution.state.clone(),
            closed: execution.closed,
            form: Default::default(),
            attachments: Vec::new(),
            signature: Vec::new(),
        }));
    }
    events.extend(effects(
        state,
        context,
        case,
        record.opening.party,
        execution,
    )?);
    Ok(events)
}

/// Recomputes the clocks of the next `budget` cases of the due-time index after `after` (the
/// cases this tick already handled are current), and records how far it got.
fn recompute(
    state: &State,
    context: &Context,
    version: u32,
    after: Option<(u64, CaseId)>,
    budget: usize,
    handled: &BTreeSet<CaseId>,
) -> Result<Vec<Event>, EngineError> {
    let calendar = context.cases.calendar(state)?;
    let start = match after {
        Some((moment, case)) => keys::numbered_pair(keys::CASE_DUE, moment, case + 1),
        None => vec![keys::CASE_DUE],
    };
    let entries = state.scan_from(Column::Cases, &[keys::CASE_DUE], &start, budget)?;
    let mut events = Vec::new();
    let mut through = None;
    for (key, _) in &entries {
        let (moment, case) = due_entry(key)?;
        through = Some((moment, case));
        if handled.contains(&case) {
            continue;
        }
        let record = existing(state, case)?;
        for update in executor::recompute(&record.clock_values(), &calendar)? {
            events.push(clock_event(case, update));
        }
    }
    let done = entries.len() < budget || calendar.version != version;
    events.push(Event::CasesRecomputed {
        version: calendar.version,
        through: if done { None } else { through },
    });
    Ok(events)
}

/// A point of the due-time index: a next rung's moment and its case.
type DuePoint = (u64, CaseId);

/// The recomputation under way: the calendar version and the last case done.
fn recompute_cursor(state: &State) -> Result<Option<(u32, Option<DuePoint>)>, EngineError> {
    let Some(bytes) = state.get(Column::Cases, RECOMPUTE_CURSOR)? else {
        return Ok(None);
    };
    let corrupt = || EngineError::Corrupt("malformed recomputation cursor".into());
    let version = keys::read_u32(bytes.get(..4).ok_or_else(corrupt)?)?;
    let after = match bytes.len() {
        4 => None,
        20 => Some(due_entry(&[&[keys::CASE_DUE][..], &bytes[4..]].concat())?),
        _ => return Err(corrupt()),
    };
    Ok(Some((version, after)))
}

/// Starts recomputing every case's clocks under a newly published version.
pub(crate) fn start_recompute(state: &mut State, version: u32) {
    state.put(
        Column::Cases,
        RECOMPUTE_CURSOR.to_vec(),
        version.to_be_bytes().to_vec(),
    );
}

/// Applies a recomputation's progress.
pub(crate) fn apply_recomputed(state: &mut State, version: u32, through: Option<(u64, CaseId)>) {
    match through {
        None => state.delete(Column::Cases, RECOMPUTE_CURSOR.to_vec()),
        Some((moment, case)) => {
            let mut value = version.to_be_bytes().to_vec();
            value.extend_from_slice(&moment.to_be_bytes());
            value.extend_from_slice(&case.to_be_bytes());
            state.put(Column::Cases, RECOMPUTE_CURSOR.to_vec(), value);
        }
    }
}
