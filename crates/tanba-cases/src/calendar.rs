//! The working-day calendar of the legal terms (WORKFLOWS.md, decision "calendar"): dated,
//! versioned data, never rules computed at run time. A working day is Monday to Friday unless the
//! calendar lists it as a holiday or a day off; a Saturday or Sunday it lists as a working day is
//! one. Every listed day names the act it rests on. The provider's clock is Asia/Almaty, whose
//! offset the calendar holds too (UTC+5 since 2024-03-01).
//!
//! The term conventions, written once here:
//! - **Intake**: an application received on a working day before [`INTAKE_CUTOFF_MINUTES`]
//!   (17:00) registers that day (before 09:00 too); later, or on a day off, on the next working day.
//! - **N working days** end at [`WORKING_DAY_END_MINUTES`] (18:30) of the N-th working day after
//!   the start day.
//! - **N calendar days** end at the end (24:00) of the N-th day after the start day, on a day
//!   off too: the texts do not move them.
//!
//! A question the calendar cannot answer (a day outside the years it covers) is refused with a
//! typed error, never answered by guessing that a year has no holidays. A calendar-day term needs
//! no working days, only the provider's offset, which holds until the calendar lists a change:
//! it is answered past the years covered too.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tanba_types::date::{YEAR_MAX, YEAR_MIN};
use tanba_types::{Date, Due, Localized};

/// The calendar a fresh data directory starts with (Kazakhstan, 2024-2026), as data.
pub const START_CALENDAR_TOML: &str = include_str!("../calendar/kz-2024-2026.toml");
/// The second version, adding 2027: published by the operator (the demo does so as it seeds),
/// not compiled into the start, which stays as the first version was.
pub const CALENDAR_2027_TOML: &str = include_str!("../calendar/kz-2024-2027.toml");
/// Every version Tanba ships, in order (version N at index N - 1): what tests, benches and the
/// demo publish.
pub const SHIPPED_VERSIONS: &[&str] = &[START_CALENDAR_TOML, CALENDAR_2027_TOML];

/// Applications received at or after this local time (minutes after midnight) register on the
/// next working day.
pub const INTAKE_CUTOFF_MINUTES: u32 = 17 * 60;
/// A working-day term ends at this local time of its last day (minutes after midnight).
pub const WORKING_DAY_END_MINUTES: u32 = 18 * 60 + 30;
/// The longest term, in days of either kind, a calendar computes: the texts' longest is 30
/// working days, a permit's validity a year.
pub const TERM_DAYS_MAX: u32 = 3 * 366;
/// The most years one calendar version may cover.
pub const YEARS_MAX: i32 = 50;
/// The farthest a time zone is from UTC, in minutes (UTC+14).
pub const OFFSET_MINUTES_MAX: i32 = 14 * 60;
/// The latest moment a calendar reads (2200-01-01T00:00Z, past the last date Tanba knows):
/// later moments are read as this one, so no arithmetic on a moment can overflow.
const MOMENT_MAX_MS: u64 = 7_258_118_400_000;

const MS_PER_MINUTE: i64 = 60_000;
const MS_PER_DAY: i64 = 86_400_000;

/// Why a calendar question has no answer, or a calendar is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The day is outside the years the calendar covers.
    #[error("the calendar covers {first_year}-{last_year}, not {date}")]
    NotCovered {
        /// The day asked about.
        date: Date,
        /// First year covered.
        first_year: i32,
        /// Last year covered.
        last_year: i32,
    },
    /// A term of no days, or longer than [`TERM_DAYS_MAX`].
    #[error("a term of {0} days is outside 1..={TERM_DAYS_MAX}")]
    Term(u32),
    /// The calendar data contradicts itself or the rules of its format.
    #[error("calendar data: {0}")]
    Invalid(String),
}

impl CalendarError {
    /// Every code these errors carry.
    pub const CODES: &'static [&'static str] = &[
        "TANBA-CALENDAR-NOT-COVERED",
        "TANBA-CALENDAR-TERM",
        "TANBA-CALENDAR-INVALID",
    ];
}

impl Localized for CalendarError {
    fn code(&self) -> &'static str {
        match self {
            CalendarError::NotCovered { .. } => "TANBA-CALENDAR-NOT-COVERED",
            CalendarError::Term(_) => "TANBA-CALENDAR-TERM",
            CalendarError::Invalid(_) => "TANBA-CALENDAR-INVALID",
        }
    }

    fn detail(&self) -> Option<String> {
        Some(match self {
            CalendarError::NotCovered {
                date,
                first_year,
                last_year,
            } => format!("{date}; {first_year}-{last_year}"),
            CalendarError::Term(days) => days.to_string(),
            CalendarError::Invalid(reason) => reason.clone(),
        })
    }
}

/// What a listed day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A public holiday (any weekday; on a Saturday or Sunday it changes nothing by itself).
    Holiday,
    /// A Monday-Friday made a day off: a holiday moved off a weekend, or a government transfer.
    DayOff,
    /// A Saturday or Sunday made a working day by a government transfer.
    WorkingDay,
}

/// A text in Kazakh, Russian and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    /// Kazakh.
    pub kk: String,
    /// Russian.
    pub ru: String,
    /// English.
    pub en: String,
}

/// A day that differs from Monday-Friday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListedDay {
    /// The day.
    pub date: Date,
    /// What it is.
    pub kind: DayKind,
    /// Its name.
    pub names: Names,
    /// The key of the act it rests on, in [`Calendar::sources`].
    pub source: String,
}

/// The provider's offset from UTC from a moment on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UtcOffset {
    /// From this moment (unix milliseconds) on.
    pub since_ms: u64,
    /// Minutes east of UTC.
    pub minutes: i32,
    /// The key of the act it rests on.
    pub source: String,
}

/// One version of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// Which version: deadlines name the one they were computed with.
    pub version: u32,
    /// First year covered.
    pub first_year: i32,
    /// Last year covered.
    pub last_year: i32,
    /// The acts days and offsets rest on, by key.
    pub sources: BTreeMap<String, String>,
    /// The provider's offsets, oldest first, the first from the epoch.
    #[serde(rename = "offset")]
    pub offsets: Vec<UtcOffset>,
    /// The days that differ from Monday-Friday, by date.
    #[serde(rename = "day")]
    pub days: Vec<ListedDay>,
}

impl Calendar {
    /// The calendar a fresh data directory starts with.
    pub fn start() -> Calendar {
        Calendar::from_toml(START_CALENDAR_TOML).expect("the start calendar is valid (tested)")
    }

    /// Reads and checks a calendar written as TOML (the format of `calendar/*.toml`).
    pub fn from_toml(text: &str) -> Result<Calendar, CalendarError> {
        let calendar = Calendar::parse(text)?;
        calendar.check()?;
        Ok(calendar)
    }

    /// Reads a version published before: it was checked when it was published, and is read as
    /// it was then even if the checks have grown stricter since (it governed deadlines).
    pub fn from_published_toml(text: &str) -> Result<Calendar, CalendarError> {
        let calendar = Calendar::parse(text)?;
        // What reading a moment relies on, whatever else the checks of the day say.
        if calendar
            .offsets
            .first()
            .is_none_or(|first| first.since_ms != 0)
        {
            return Err(CalendarError::Invalid(
                "the first offset must run from the epoch".into(),
            ));
        }
        Ok(calendar)
    }

    /// The document read, its days in date order.
    fn parse(text: &str) -> Result<Calendar, CalendarError> {
        let mut calendar: Calendar =
            toml::from_str(text).map_err(|error| CalendarError::Invalid(error.to_string()))?;
        calendar.days.sort_by_key(|day| day.date);
        Ok(calendar)
    }

    /// Checks that the data is consistent: the years inside the dates Tanba knows and at most
    /// [`YEARS_MAX`] of them; every listed day inside the years, listed once and in date order
    /// (lookups rely on it; [`Calendar::from_toml`] sorts), of a kind its weekday allows, named
    /// in three languages, citing a known act; the offsets ordered from the epoch, within
    /// [`OFFSET_MINUTES_MAX`] of UTC.
    pub fn check(&self) -> Result<(), CalendarError> {
        let invalid = |reason: String| Err(CalendarError::Invalid(reason));
        let years = YEAR_MIN..=YEAR_MAX;
        if !years.contains(&self.first_year)
            || !years.contains(&self.last_year)
            || self.first_year > self.last_year
            || self.last_year - self.first_year >= YEARS_MAX
        {
            return invalid(format!("years {}-{}", self.first_year, self.last_year));
        }
        let known = |source: &str| self.sources.get(source).is_some_and(|act| !act.is_empty());
        match self.offsets.first() {
            Some(first) if first.since_ms == 0 => {}
            _ => return invalid("the first offset must run from the epoch".into()),
        }
        for pair in self.offsets.windows(2) {
            if pair[0].since_ms >= pair[1].since_ms {
                return invalid(format!("offsets out of order at {}", pair[1].since_ms));
            }
        }
        if let Some(offset) = self.offsets.iter().find(|offset| {
            !known(&offset.source)
                || !(-OFFSET_MINUTES_MAX..=OFFSET_MINUTES_MAX).contains(&offset.minutes)
        }) {
            return invalid(format!("offset since {}", offset.since_ms));
        }
        let mut previous: Option<Date> = None;
        for day in &self.days {
            let (year, _, _) = day.date.ymd();
            let weekend = is_weekend(day.date);
            let wrong = if previous.is_some_and(|previous| previous >= day.date) {
                Some("listed twice or out of date order")
            } else if !(self.first_year..=self.last_year).contains(&year) {
                Some("outside the years covered")
            } else if day.kind == DayKind::WorkingDay && !weekend {
                Some("a working day listed on Monday-Friday")
            } else if day.kind == DayKind::DayOff && weekend {
                Some("a day off listed on a Saturday or Sunday")
            } else if !known(&day.source) {
                Some("cites no known act")
            } else if [&day.names.kk, &day.names.ru, &day.names.en]
                .iter()
                .any(|name| name.trim().is_empty())
            {
                Some("a name is missing")
            } else {
                None
            };
            if let Some(wrong) = wrong {
                return invalid(format!("{}: {wrong}", day.date));
            }
            previous = Some(day.date);
        }
        Ok(())
    }

    /// The listed day on `date`, if any.
    pub fn listed(&self, date: Date) -> Option<&ListedDay> {
        self.days
            .binary_search_by_key(&date, |day| day.date)
            .ok()
            .map(|index| &self.days[index])
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        let (year, _, _) = date.ymd();
        if !(self.first_year..=self.last_year).contains(&year) {
            return Err(CalendarError::NotCovered {
                date,
                first_year: self.first_year,
                last_year: self.last_year,
            });
        }
        Ok(match self.listed(date).map(|day| day.kind) {
            Some(DayKind::WorkingDay) => true,
            Some(DayKind::DayOff | DayKind::Holiday) => false,
            None => !is_weekend(date),
        })
    }

    /// The provider's offset from UTC at `at_ms`, in milliseconds.
    pub fn offset_ms(&self, at_ms: u64) -> i64 {
        let offset = self
            .offsets
            .iter()
            .rev()
            .find(|offset| offset.since_ms <= at_ms)
            .expect("the first offset runs from the epoch (checked)");
        i64::from(offset.minutes) * MS_PER_MINUTE
    }

    /// The provider's local day and minutes after midnight at `at_ms`.
    pub fn local(&self, at_ms: u64) -> (Date, u32) {
        let at_ms = at_ms.min(MOMENT_MAX_MS);
        let local_ms = i64::try_from(at_ms).expect("under MOMENT_MAX_MS") + self.offset_ms(at_ms);
        let days =
            i32::try_from(local_ms.div_euclid(MS_PER_DAY)).expect("a day of the years known");
        let minutes = local_ms.rem_euclid(MS_PER_DAY) / MS_PER_MINUTE;
        (
            Date::from_days_since_epoch(days),
            u32::try_from(minutes).expect("under a day"),
        )
    }

    /// The moment (unix milliseconds) of `minutes` after local midnight on `date`. A local time
    /// that happened twice (clocks set back) is the later; one that never happened (clocks set
    /// forward) is read with the earlier offset.
    pub fn moment_ms(&self, date: Date, minutes: u32) -> u64 {
        let local_ms =
            i64::from(date.days_since_epoch()) * MS_PER_DAY + i64::from(minutes) * MS_PER_MINUTE;
        let under = |offset: &UtcOffset| local_ms - i64::from(offset.minutes) * MS_PER_MINUTE;
        let in_force = self
            .offsets
            .iter()
            .enumerate()
            .rev()
            .find(|(index, offset)| {
                let until = self.offsets.get(index + 1).map(|next| next.since_ms);
                u64::try_from(under(offset)).is_ok_and(|utc_ms| {
                    utc_ms >= offset.since_ms && until.is_none_or(|until| utc_ms < until)
                })
            });
        let offset = match in_force {
            Some((_, offset)) => offset,
            None => self
                .offsets
                .iter()
                .rev()
                .find(|offset| u64::try_from(under(offset)).is_ok_and(|utc| utc >= offset.since_ms))
                .unwrap_or(&self.offsets[0]),
        };
        u64::try_from(under(offset)).unwrap_or(0)
    }

    /// The day an application received at `received_ms` registers on (the intake rule).
    pub fn registered_on(&self, received_ms: u64) -> Result<Date, CalendarError> {
        let (day, minutes) = self.local(received_ms);
        if self.is_working_day(day)? && minutes < INTAKE_CUTOFF_MINUTES {
            return Ok(day);
        }
        self.next_working_day(day)
    }

    /// The first working day after `date`.
    pub fn next_working_day(&self, date: Date) -> Result<Date, CalendarError> {
        Ok(self.working_days_after(date, 1)?.0)
    }

    /// A term of `working_days` working days from `start` (the start day not counted).
    pub fn due_after_working_days(
        &self,
        start: Date,
        working_days: u32,
    ) -> Result<Due, CalendarError> {
        let (day, listed_days_crossed) = self.working_days_after(start, working_days)?;
        Ok(Due {
            day,
            at_ms: self.moment_ms(day, WORKING_DAY_END_MINUTES),
            calendar_version: self.version,
            listed_days_crossed,
        })
    }

    /// A term of `calendar_days` calendar days from `start` (the start day not counted), ending
    /// at the end of its last day whatever that day is.
    pub fn due_after_calendar_days(
        &self,
        start: Date,
        calendar_days: u32,
    ) -> Result<Due, CalendarError> {
        check_term(calendar_days)?;
        let day = start.plus_days(calendar_days);
        Ok(Due {
            day,
            at_ms: self.moment_ms(day.plus_days(1), 0),
            calendar_version: self.version,
            listed_days_crossed: Vec::new(),
        })
    }

    /// The `count`-th working day after `start`, with the listed days crossed that changed the
    /// count.
    fn working_days_after(
        &self,
        start: Date,
        count: u32,
    ) -> Result<(Date, Vec<Date>), CalendarError> {
        check_term(count)?;
        let (mut day, mut left, mut crossed) = (start, count, Vec::new());
        while left > 0 {
            day = day.plus_days(1);
            let working = self.is_working_day(day)?;
            if working == is_weekend(day) {
                crossed.push(day);
            }
            if working {
                left -= 1;
            }
        }
        Ok((day, crossed))
    }
}

fn check_term(days: u32) -> Result<(), CalendarError> {
    match days {
        1..=TERM_DAYS_MAX => Ok(()),
        _ => Err(CalendarError::Term(days)),
    }
}

/// Saturday or Sunday.
pub fn is_weekend(date: Date) -> bool {
    date.iso_weekday() >= 6
}
