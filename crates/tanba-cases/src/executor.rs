//! The generic executor: a case, a step and a definition become the facts to record (the state
//! reached, clock values with their next rung, notices to their addressees, goods requests) or a
//! typed refusal. The engine turns these facts into events; it holds no workflow logic, and this
//! module holds none of any one procedure.
//!
//! Order of checks, so the cheapest refusal comes first and a definition only ever sees a step
//! that is possible: transition known, case open and in a state the transition leaves, actor in
//! a role the transition allows, form and attachments well-formed, then the definition's own
//! rules; then the outcome is checked against the tables (a definition that names a state its
//! transition cannot reach is a bug, and the step is refused rather than recorded).

use std::collections::BTreeMap;

use tanba_types::{
    AttachmentRef, CaseOpening, ClockChange, DocumentNumber, Form, GoodsRequest, LegalClock, Run,
    TaxpayerId,
};

use crate::calendar::Calendar;
use crate::clock::{ClockError, ClockRules};
use crate::definition::{
    Addressee, CaseRole, CaseView, ClockOp, Definition, NoticeDraft, Outcome, ParentView,
    StepContext, StepView, TransitionSpec, state_spec, transition_spec,
};
use crate::error::CaseError;
use crate::form::{check_attachments, check_form};

/// A clock's new value, as the case's history records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockUpdate {
    /// The clock's name.
    pub name: String,
    /// Why it changed.
    pub change: ClockChange,
    /// Its value now.
    pub value: LegalClock,
    /// When its next rung fires, if any.
    pub next_rung_ms: Option<u64>,
}

/// What a step (or a tick) does to a case: the facts the engine records, in this order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    /// The state the case is in afterwards.
    pub state: String,
    /// Whether that state closes the case.
    pub closed: bool,
    /// Clock changes, in order.
    pub clocks: Vec<ClockUpdate>,
    /// Notices, each with its addressee resolved.
    pub notices: Vec<(TaxpayerId, NoticeDraft)>,
    /// Goods requests.
    pub goods: Vec<GoodsRequest>,
    /// Document numbers given.
    pub numbers: Vec<DocumentNumber>,
    /// The stage the monitoring body sees, for a monitored procedure.
    pub stage: Option<Stage>,
}

/// A stage of a monitored procedure (the engine adds the case and the state reached).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The procedure's kind.
    pub kind: &'static str,
    /// The transition taken, or `tick`.
    pub name: String,
    /// The term that stood over it: the earliest due of the clocks running before it (or, at
    /// an opening, after it), with its clock's name.
    pub deadline: Option<(String, u64)>,
    /// Whether it came by that deadline.
    pub on_time: bool,
}

/// The stage of `name` taken at `now_ms`, when `definition` is monitored.
fn stage(
    definition: &dyn Definition,
    name: &str,
    before: &BTreeMap<String, LegalClock>,
    after: &[ClockUpdate],
    now_ms: u64,
) -> Option<Stage> {
    if !definition.monitored() {
        return None;
    }
    let earliest = |clocks: &mut dyn Iterator<Item = (&String, &LegalClock)>| {
        clocks
            .filter_map(|(name, clock)| clock.due().map(|due| (name.clone(), due.at_ms)))
            .min_by_key(|(_, at_ms)| *at_ms)
    };
    let deadline = earliest(&mut before.iter())
        .or_else(|| earliest(&mut after.iter().map(|update| (&update.name, &update.value))));
    let on_time = deadline.as_ref().is_none_or(|(_, at_ms)| now_ms <= *at_ms);
    Some(Stage {
        kind: definition.kind(),
        name: name.to_owned(),
        deadline,
        on_time,
    })
}

/// A step as submitted.
#[derive(Debug, Clone, Copy)]
pub struct Submitted<'a> {
    /// The transition's name.
    pub transition: &'a str,
    /// Its form.
    pub form: &'a Form,
    /// Files it names.
    pub attachments: &'a [AttachmentRef],
    /// Who takes it.
    pub actor: TaxpayerId,
}

/// Decides an opening of case `case`: `opening` is what it would fix (its party is the actor);
/// `parent` the case it belongs to, if it names one.
pub fn open(
    definition: &dyn Definition,
    case: tanba_types::CaseId,
    opening: &CaseOpening,
    parent: Option<ParentView<'_>>,
    submitted: &Submitted<'_>,
    context: &StepContext<'_>,
) -> Result<Execution, CaseError> {
    let transition = transition_spec(definition, submitted.transition)
        .filter(|transition| transition.from.is_empty())
        .ok_or_else(|| CaseError::UnknownTransition(submitted.transition.to_owned()))?;
    if !transition.by.contains(&CaseRole::Party) {
        return Err(CaseError::NotYourStep(transition.name.to_owned()));
    }
    check_submitted(transition, submitted, &[], context)?;
    let step = StepView {
        case,
        opening,
        transition,
        form: submitted.form,
        attachments: submitted.attachments,
        actor: submitted.actor,
        roles: &[CaseRole::Party],
        parent,
    };
    let outcome = definition.decide(None, &step, context)?;
    let target = reached(definition, transition, None, &outcome)?;
    let mut execution = record(
        definition,
        opening,
        target,
        &BTreeMap::new(),
        outcome,
        context,
    )?;
    execution.stage = stage(
        definition,
        transition.name,
        &BTreeMap::new(),
        &execution.clocks,
        context.now_ms,
    );
    Ok(execution)
}

/// Decides a step of an open case by an actor holding `roles` in it.
pub fn step(
    definition: &dyn Definition,
    case: &CaseView<'_>,
    submitted: &Submitted<'_>,
    roles: &[CaseRole],
    context: &StepContext<'_>,
) -> Result<Execution, CaseError> {
    let transition = transition_spec(definition, submitted.transition)
        .filter(|transition| !transition.from.is_empty())
        .ok_or_else(|| CaseError::UnknownTransition(submitted.transition.to_owned()))?;
    if state_spec(definition, case.state).is_none_or(|state| state.closed) {
        return Err(CaseError::Closed(case.state.to_owned()));
    }
    if !transition.from.contains(&case.state) {
        return Err(CaseError::WrongState {
            state: case.state.to_owned(),
            transition: transition.name.to_owned(),
        });
    }
    if !transition.by.iter().any(|role| roles.contains(role)) {
        return Err(CaseError::NotYourStep(transition.name.to_owned()));
    }
    check_submitted(transition, submitted, case.attachments, context)?;
    let step = StepView {
        case: case.id,
        opening: case.opening,
        transition,
        form: submitted.form,
        attachments: submitted.attachments,
        actor: submitted.actor,
        roles,
        parent: None,
    };
    let outcome = definition.decide(Some(case), &step, context)?;
    let target = reached(definition, transition, Some(case.state), &outcome)?;
    let mut execution = record(
        definition,
        case.opening,
        target,
        case.clocks,
        outcome,
        context,
    )?;
    execution.stage = stage(
        definition,
        transition.name,
        case.clocks,
        &execution.clocks,
        context.now_ms,
    );
    Ok(execution)
}

/// Fires the warning rungs due at `context.now_ms` on every clock of the case, and what the
/// definition does on each. `None` when nothing was due (a stale index entry).
pub fn fire(
    definition: &dyn Definition,
    case: &CaseView<'_>,
    context: &StepContext<'_>,
) -> Result<Option<Execution>, CaseError> {
    let mut updates = Vec::new();
    let mut outcome = Outcome::default();
    for (name, clock) in case.clocks {
        let mut value = clock.clone();
        for rung in value.fire(context.calendar, context.now_ms)? {
            let reaction = definition.on_rung(case, name, rung, context)?;
            outcome.to = reaction.to.or(outcome.to);
            outcome.clocks.extend(reaction.clocks);
            outcome.notices.extend(reaction.notices);
            outcome.goods.extend(reaction.goods);
            outcome.numbers.extend(reaction.numbers);
            updates.push(ClockUpdate {
                name: name.clone(),
                change: ClockChange::Fired(rung),
                value: value.clone(),
                next_rung_ms: value.next_rung_ms(context.calendar)?,
            });
        }
    }
    if updates.is_empty() {
        return Ok(None);
    }
    if let Some(to) = outcome.to
        && state_spec(definition, to).is_none()
    {
        return Err(CaseError::rule(
            "TANBA-CASE-WRONG-STATE",
            format!("a rung leads to an unknown state {to}"),
        ));
    }
    let target = outcome.to.unwrap_or(case.state);
    let mut clocks = case.clocks.clone();
    for update in &updates {
        clocks.insert(update.name.clone(), update.value.clone());
    }
    let mut execution = record(definition, case.opening, target, &clocks, outcome, context)?;
    updates.append(&mut execution.clocks);
    execution.clocks = updates;
    if execution.state != case.state {
        // A state the timer reaches (a permit expired) is a stage with no deadline over it.
        execution.stage = stage(definition, "tick", &BTreeMap::new(), &[], context.now_ms);
    }
    Ok(Some(execution))
}

/// Recomputes the running clocks of a case computed under an older calendar version: forward
/// only (consumed days stay), each change named in the case's history.
pub fn recompute(
    clocks: &BTreeMap<String, LegalClock>,
    calendar: &Calendar,
) -> Result<Vec<ClockUpdate>, CaseError> {
    let mut updates = Vec::new();
    for (name, clock) in clocks {
        let Some(due) = clock.due() else { continue };
        if due.calendar_version >= calendar.version {
            continue;
        }
        let from_version = due.calendar_version;
        let mut value = clock.clone();
        value.recompute(calendar)?;
        let next_rung_ms = value.next_rung_ms(calendar)?;
        updates.push(ClockUpdate {
            name: name.clone(),
            change: ClockChange::Recomputed { from_version },
            value,
            next_rung_ms,
        });
    }
    Ok(updates)
}

/// The form and attachments of a step, against its transition and the case's files.
fn check_submitted(
    transition: &TransitionSpec,
    submitted: &Submitted<'_>,
    case_attachments: &[AttachmentRef],
    context: &StepContext<'_>,
) -> Result<(), CaseError> {
    check_form(submitted.form, transition.fields, context)?;
    check_attachments(submitted.attachments)?;
    for attachment in submitted.attachments {
        if let Some(original) = attachment.translation_of {
            let known = submitted
                .attachments
                .iter()
                .chain(case_attachments)
                .any(|other| other.hash == original && other.translation_of.is_none());
            if !known {
                return Err(CaseError::Attachment(format!(
                    "{}: the document it translates is not in the case",
                    attachment.name
                )));
            }
        }
    }
    Ok(())
}

/// The state a step reaches: the outcome's, which must be one the transition may lead to; or,
/// when the outcome names none, the transition's only target, else the state it is in.
fn reached<'d>(
    definition: &'d dyn Definition,
    transition: &'d TransitionSpec,
    current: Option<&'d str>,
    outcome: &Outcome,
) -> Result<&'d str, CaseError> {
    let target = match (outcome.to, transition.to) {
        (Some(to), _) => to,
        (None, [only]) => only,
        (None, _) => current.unwrap_or_default(),
    };
    let allowed = transition
        .to
        .iter()
        .find(|state| **state == target)
        .copied()
        .filter(|state| state_spec(definition, state).is_some());
    allowed.ok_or_else(|| {
        CaseError::rule(
            "TANBA-CASE-WRONG-STATE",
            format!("{} cannot lead to {target}", transition.name),
        )
    })
}

/// Applies an outcome's clocks and resolves its notices, for a case reaching `target`. A
/// closing state stops every clock still running or paused.
fn record(
    definition: &dyn Definition,
    opening: &CaseOpening,
    target: &str,
    clocks: &BTreeMap<String, LegalClock>,
    outcome: Outcome,
    context: &StepContext<'_>,
) -> Result<Execution, CaseError> {
    let closed = state_spec(definition, target).is_some_and(|state| state.closed);
    let mut clocks = clocks.clone();
    let mut updates = Vec::new();
    for operation in &outcome.clocks {
        let (name, change, value) = apply_clock(&clocks, operation, context)?;
        assert!(
            definition.clocks().contains(&name),
            "the {} definition names clock {name}, missing from its clocks()",
            definition.kind()
        );
        clocks.insert(name.to_owned(), value.clone());
        updates.push((name.to_owned(), change, value));
    }
    if closed {
        for (name, clock) in &clocks {
            if !matches!(clock.run, Run::Stopped { .. }) {
                let mut value = clock.clone();
                value.stop(context.today());
                updates.push((name.clone(), ClockChange::Stopped, value));
            }
        }
    }
    let clocks = updates
        .into_iter()
        .map(|(name, change, value)| {
            let next_rung_ms = value.next_rung_ms(context.calendar)?;
            Ok(ClockUpdate {
                name,
                change,
                value,
                next_rung_ms,
            })
        })
        .collect::<Result<Vec<_>, ClockError>>()?;
    for (index, number) in outcome.numbers.iter().enumerate() {
        let series: &str = &number.series;
        let declared = definition
            .number_series()
            .iter()
            .find(|declared| **declared == series);
        let next = declared.map(|series| context.next_number(series));
        let repeated = outcome.numbers[..index]
            .iter()
            .any(|earlier| earlier.series == number.series);
        if next.as_ref() != Some(number) || repeated {
            return Err(CaseError::rule(
                "TANBA-CASE-WRONG-STATE",
                format!("{number} is not the next number of its series"),
            ));
        }
    }
    let notices = outcome
        .notices
        .into_iter()
        .map(|notice| Ok((addressee(opening, &notice.to)?, notice)))
        .collect::<Result<Vec<_>, CaseError>>()?;
    Ok(Execution {
        state: target.to_owned(),
        closed,
        clocks,
        notices,
        goods: outcome.goods,
        numbers: outcome.numbers,
        stage: None,
    })
}

/// One clock operation on the case's clocks: the clock's name, why, and its new value.
fn apply_clock<'o>(
    clocks: &BTreeMap<String, LegalClock>,
    operation: &'o ClockOp,
    context: &StepContext<'_>,
) -> Result<(&'o str, ClockChange, LegalClock), CaseError> {
    let calendar = context.calendar;
    let today = context.today();
    let existing = |name: &str| {
        clocks.get(name).cloned().ok_or_else(|| {
            CaseError::rule(
                "TANBA-CASE-WRONG-STATE",
                format!("no clock {name} is running"),
            )
        })
    };
    Ok(match operation {
        ClockOp::Start {
            name,
            unit,
            days,
            on,
        } => {
            if clocks.contains_key(*name) {
                return Err(CaseError::rule(
                    "TANBA-CASE-WRONG-STATE",
                    format!("the clock {name} was started before"),
                ));
            }
            let value = LegalClock::start(calendar, *unit, *days, *on)?;
            (name, ClockChange::Started, value)
        }
        ClockOp::Pause(name) => {
            let mut value = existing(name)?;
            value.pause(calendar, today)?;
            (name, ClockChange::Paused, value)
        }
        ClockOp::Resume(name) => {
            let mut value = existing(name)?;
            value.resume(calendar, today)?;
            (name, ClockChange::Resumed, value)
        }
        ClockOp::Extend { name, days } => {
            let mut value = existing(name)?;
            value.extend(calendar, *days)?;
            (name, ClockChange::Extended, value)
        }
        ClockOp::Stop(name) => {
            let mut value = existing(name)?;
            value.stop(today);
            (name, ClockChange::Stopped, value)
        }
    })
}

fn addressee(opening: &CaseOpening, to: &Addressee) -> Result<TaxpayerId, CaseError> {
    match to {
        Addressee::Party => Ok(opening.party),
        Addressee::Authority => opening.authority.ok_or_else(|| {
            CaseError::Authority("a notice to the authority of a case with none".into())
        }),
        Addressee::Participant(id) => Ok(*id),
    }
}
