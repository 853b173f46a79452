//! Legal clocks: a term's budget, what is already consumed, and since when it runs, so that
//! pausing (waiting for a foreign authority, A-PER-2), resuming, extending once with notice
//! (R-CER-10) and "paused with 19 working days left" are exact, and a calendar change recomputes
//! only what is still ahead.
//!
//! Conventions, written once here (the texts count terms "from" a day and say nothing finer):
//! - A clock started on day S runs from the day after S, like every term (S is not counted).
//! - A pause on day P consumes the days of the run up to and including P: the authority had P.
//! - A resume on day R runs again from the day after R, as if the clock started on R.
//! - The due moment of a running clock is the term's end (18:30 of the last working day, or
//!   midnight after the last calendar day) counted from its run's start with what is left.
//! - Warning rungs fire once each, in order: two working days before the due day (at 00:00),
//!   the due day (00:00), and overdue (the due moment). A paused clock fires none; a resume or
//!   an extension gives a new due moment, whose rungs fire afresh.

use std::collections::BTreeSet;

use tanba_types::{Date, DayUnit, Due, LegalClock, Localized, Run, Rung};

use crate::calendar::{Calendar, CalendarError, TERM_DAYS_MAX};

/// Working days before the due day at which the first warning fires.
pub const WARNING_WORKING_DAYS: u32 = 2;

/// Why a clock refuses an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The calendar cannot answer.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// Pausing a paused clock, resuming a running one, or acting on a stopped one.
    #[error("the clock is {0}")]
    State(&'static str),
    /// The term was extended before: the texts allow one extension.
    #[error("the term was extended before")]
    ExtendedBefore,
    /// A day earlier than the clock's last change.
    #[error("{0} is before the clock's last change")]
    BeforeLastChange(Date),
}

impl ClockError {
    /// Every code these errors carry besides the calendar's.
    pub const CODES: &'static [&'static str] = &[
        "TANBA-CLOCK-STATE",
        "TANBA-CLOCK-EXTENDED-BEFORE",
        "TANBA-CLOCK-BEFORE-LAST-CHANGE",
    ];
}

impl Localized for ClockError {
    fn code(&self) -> &'static str {
        match self {
            ClockError::Calendar(error) => error.code(),
            ClockError::State(_) => "TANBA-CLOCK-STATE",
            ClockError::ExtendedBefore => "TANBA-CLOCK-EXTENDED-BEFORE",
            ClockError::BeforeLastChange(_) => "TANBA-CLOCK-BEFORE-LAST-CHANGE",
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            ClockError::Calendar(error) => error.detail(),
            ClockError::State(state) => Some((*state).to_owned()),
            ClockError::ExtendedBefore => None,
            ClockError::BeforeLastChange(day) => Some(day.to_string()),
        }
    }
}

/// The rules of a [`LegalClock`] (its data lives in `tanba-types`, since events carry it).
pub trait ClockRules: Sized {
    /// A clock of `budget_days` started on `start` (not counted).
    fn start(
        calendar: &Calendar,
        unit: DayUnit,
        budget_days: u32,
        start: Date,
    ) -> Result<Self, ClockError>;
    /// Days left on `today`: the budget less what is consumed, and for a running clock less
    /// the days of its run up to and including `today`. Negative once overdue.
    fn days_left(&self, calendar: &Calendar, today: Date) -> Result<i64, ClockError>;
    /// Pauses on `day`, consuming the run's days up to and including it.
    fn pause(&mut self, calendar: &Calendar, day: Date) -> Result<(), ClockError>;
    /// Resumes on `day`, running from the day after with what is left (overdue at once if
    /// nothing is).
    fn resume(&mut self, calendar: &Calendar, day: Date) -> Result<(), ClockError>;
    /// Extends the term once by `days` (1 to [`TERM_DAYS_MAX`]; the notice is the caller's
    /// step). Nothing changes unless the new due moment can be computed.
    fn extend(&mut self, calendar: &Calendar, days: u32) -> Result<(), ClockError>;
    /// Stops on `day`: the step it timed was taken. A stopped clock stays stopped on its day.
    fn stop(&mut self, day: Date);
    /// Recomputes the due moment under a new calendar version. Only what is ahead moves: days
    /// already consumed stay consumed; the run keeps its start.
    fn recompute(&mut self, calendar: &Calendar) -> Result<Option<Due>, ClockError>;
    /// The rungs due at `now_ms` that have not fired, in order; marks them fired.
    fn fire(&mut self, calendar: &Calendar, now_ms: u64) -> Result<Vec<Rung>, ClockError>;
    /// When the next rung fires (what a due-time index keeps), if the clock runs.
    fn next_rung_ms(&self, calendar: &Calendar) -> Result<Option<u64>, ClockError>;
    /// `running`, `paused` or `stopped`.
    fn state_name(&self) -> &'static str;
}

impl ClockRules for LegalClock {
    fn start(
        calendar: &Calendar,
        unit: DayUnit,
        budget_days: u32,
        start: Date,
    ) -> Result<LegalClock, ClockError> {
        let due = due_after(calendar, unit, start, budget_days)?;
        Ok(LegalClock {
            unit,
            budget_days,
            consumed_days: 0,
            extended_by_days: None,
            run: Run::Running { since: start, due },
            fired: BTreeSet::new(),
        })
    }

    fn days_left(&self, calendar: &Calendar, today: Date) -> Result<i64, ClockError> {
        let run_days = match &self.run {
            Run::Running { since, .. } => count(calendar, self.unit, *since, today)?,
            Run::Paused { .. } | Run::Stopped { .. } => 0,
        };
        Ok(i64::from(self.budget_days) - i64::from(self.consumed_days) - i64::from(run_days))
    }

    fn pause(&mut self, calendar: &Calendar, day: Date) -> Result<(), ClockError> {
        let Run::Running { since, .. } = self.run else {
            return Err(ClockError::State(self.state_name()));
        };
        if day < since {
            return Err(ClockError::BeforeLastChange(day));
        }
        self.consumed_days += count(calendar, self.unit, since, day)?;
        self.run = Run::Paused { since: day };
        Ok(())
    }

    fn resume(&mut self, calendar: &Calendar, day: Date) -> Result<(), ClockError> {
        let Run::Paused { since } = self.run else {
            return Err(ClockError::State(self.state_name()));
        };
        if day < since {
            return Err(ClockError::BeforeLastChange(day));
        }
        restart(self, calendar, day)
    }

    fn extend(&mut self, calendar: &Calendar, days: u32) -> Result<(), ClockError> {
        if self.extended_by_days.is_some() {
            return Err(ClockError::ExtendedBefore);
        }
        if matches!(self.run, Run::Stopped { .. }) {
            return Err(ClockError::State(self.state_name()));
        }
        let budget_days = self
            .budget_days
            .checked_add(days)
            .filter(|_| (1..=TERM_DAYS_MAX).contains(&days))
            .ok_or(CalendarError::Term(days))?;
        let run = match self.run {
            Run::Running { since, .. } => {
                let left = budget_days.saturating_sub(self.consumed_days);
                Some(Run::Running {
                    since,
                    due: due_with_left(calendar, self.unit, since, left)?,
                })
            }
            _ => None,
        };
        self.budget_days = budget_days;
        self.extended_by_days = Some(days);
        if let Some(run) = run {
            self.fired.clear();
            self.run = run;
        }
        Ok(())
    }

    fn stop(&mut self, day: Date) {
        if !matches!(self.run, Run::Stopped { .. }) {
            self.run = Run::Stopped { at: day };
        }
    }

    fn recompute(&mut self, calendar: &Calendar) -> Result<Option<Due>, ClockError> {
        let Run::Running { since, .. } = self.run else {
            return Ok(None);
        };
        let left = self.budget_days.saturating_sub(self.consumed_days);
        let due = due_with_left(calendar, self.unit, since, left)?;
        self.run = Run::Running {
            since,
            due: due.clone(),
        };
        Ok(Some(due))
    }

    fn fire(&mut self, calendar: &Calendar, now_ms: u64) -> Result<Vec<Rung>, ClockError> {
        let mut fired = Vec::new();
        for (rung, at_ms) in rungs(self, calendar)? {
            if at_ms <= now_ms && self.fired.insert(rung) {
                fired.push(rung);
            }
        }
        Ok(fired)
    }

    fn next_rung_ms(&self, calendar: &Calendar) -> Result<Option<u64>, ClockError> {
        Ok(rungs(self, calendar)?
            .into_iter()
            .filter(|(rung, _)| !self.fired.contains(rung))
            .map(|(_, at_ms)| at_ms)
            .min())
    }

    fn state_name(&self) -> &'static str {
        match self.run {
            Run::Running { .. } => "running",
            Run::Paused { .. } => "paused",
            Run::Stopped { .. } => "stopped",
        }
    }
}

/// The moment of each rung of the clock's current run.
fn rungs(clock: &LegalClock, calendar: &Calendar) -> Result<Vec<(Rung, u64)>, ClockError> {
    let Run::Running { due, .. } = &clock.run else {
        return Ok(Vec::new());
    };
    let approaching = working_days_before(calendar, due.day, WARNING_WORKING_DAYS)?;
    Ok(vec![
        (Rung::Approaching, calendar.moment_ms(approaching, 0)),
        (Rung::DueToday, calendar.moment_ms(due.day, 0)),
        (Rung::Overdue, due.at_ms),
    ])
}

/// Runs the clock again from `day` with what is left.
fn restart(clock: &mut LegalClock, calendar: &Calendar, day: Date) -> Result<(), ClockError> {
    let left = clock.budget_days.saturating_sub(clock.consumed_days);
    let due = due_with_left(calendar, clock.unit, day, left)?;
    clock.fired.clear();
    clock.run = Run::Running { since: day, due };
    Ok(())
}

/// The due moment of a run from `since` with `left` days: the term's end counted from `since`,
/// or, with nothing left, the start of `since` itself (overdue as soon as it runs).
fn due_with_left(
    calendar: &Calendar,
    unit: DayUnit,
    since: Date,
    left: u32,
) -> Result<Due, CalendarError> {
    match left {
        0 => Ok(Due {
            day: since,
            at_ms: calendar.moment_ms(since, 0),
            calendar_version: calendar.version,
            listed_days_crossed: Vec::new(),
        }),
        left => due_after(calendar, unit, since, left),
    }
}

fn due_after(
    calendar: &Calendar,
    unit: DayUnit,
    start: Date,
    days: u32,
) -> Result<Due, CalendarError> {
    match unit {
        DayUnit::WorkingDays => calendar.due_after_working_days(start, days),
        DayUnit::CalendarDays => calendar.due_after_calendar_days(start, days),
    }
}

/// Days of `unit` in (`after`, `through`].
fn count(
    calendar: &Calendar,
    unit: DayUnit,
    after: Date,
    through: Date,
) -> Result<u32, CalendarError> {
    let span = u32::try_from(through.days_since_epoch() - after.days_since_epoch()).unwrap_or(0);
    match unit {
        DayUnit::CalendarDays => Ok(span),
        DayUnit::WorkingDays => (1..=span).try_fold(0, |working, n| {
            Ok(working + u32::from(calendar.is_working_day(after.plus_days(n))?))
        }),
    }
}

/// The working day `count` working days before `day` (or the earliest day the calendar knows).
fn working_days_before(calendar: &Calendar, day: Date, count: u32) -> Result<Date, CalendarError> {
    let (mut current, mut left) = (day, count);
    while left > 0 {
        let previous = Date::from_days_since_epoch(current.days_since_epoch() - 1);
        match calendar.is_working_day(previous) {
            Ok(true) => left -= 1,
            Ok(false) => {}
            Err(CalendarError::NotCovered { .. }) => return Ok(current),
            Err(error) => return Err(error),
        }
        current = previous;
    }
    Ok(current)
}
