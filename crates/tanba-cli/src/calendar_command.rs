//! `tanba calendar`: the legal terms' working-day calendar from the command line, for operators
//! and officials checking a deadline. With `--data` it answers under the version in force in that
//! data directory (read-only, beside a running server); without, under the calendar a fresh data
//! directory starts with (Kazakhstan 2024-2026, `tanba-cases/calendar/`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use tanba_cases::calendar::ListedDay;
use tanba_cases::{Calendar, CalendarError};
use tanba_store::{RocksStore, Store};
use tanba_types::Language;

use crate::output::error_json;

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// When a term ends: prints the due moment as JSON (exit 2 if the calendar cannot tell).
    Due(DueArgs),
}

#[derive(Debug, Args)]
pub struct DueArgs {
    /// When the term starts: an ISO 8601 moment with its offset, e.g. 2026-03-20T16:30+05:00.
    #[arg(long)]
    from: String,
    /// A term of this many working days (ends 18:30 provider time on the last one).
    #[arg(
        long,
        conflicts_with = "calendar_days",
        required_unless_present = "calendar_days"
    )]
    working_days: Option<u32>,
    /// A term of this many calendar days (ends at midnight after the last one).
    #[arg(long)]
    calendar_days: Option<u32>,
    /// `--from` is when an application arrived: the term starts on the day it registers
    /// (before 17:00 on a working day: that day; otherwise the next working day).
    #[arg(long)]
    intake: bool,
    /// A data directory: use the calendar version in force there.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
}

pub fn run(command: CalendarCommand, language: Language) -> anyhow::Result<ExitCode> {
    match command {
        CalendarCommand::Due(args) => due(args, language),
    }
}

fn due(args: DueArgs, language: Language) -> anyhow::Result<ExitCode> {
    let from_ms = parse_moment(&args.from)?;
    let calendar = match &args.data {
        Some(data) => in_force(data)?,
        None => Calendar::start(),
    };
    match due_json(&calendar, &args, from_ms, language) {
        Ok(answer) => {
            println!("{answer:#}");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            println!("{:#}", json!({ "error": error_json(&error, language) }));
            // The calendar cannot tell: the command could not do its work.
            Ok(ExitCode::from(crate::EXIT_USAGE_OR_IO))
        }
    }
}

/// The answer of `calendar due`: where the term starts, when it ends, and the listed days it
/// ran over, names in `language`.
fn due_json(
    calendar: &Calendar,
    args: &DueArgs,
    from_ms: u64,
    language: Language,
) -> Result<Value, CalendarError> {
    let registered = match args.intake {
        true => Some(calendar.registered_on(from_ms)?),
        false => None,
    };
    let start = registered.unwrap_or_else(|| calendar.local(from_ms).0);
    let due = match (args.working_days, args.calendar_days) {
        (Some(days), _) => calendar.due_after_working_days(start, days)?,
        (None, Some(days)) => calendar.due_after_calendar_days(start, days)?,
        (None, None) => unreachable!("clap requires one of the two"),
    };
    let crossed: Vec<Value> = due
        .listed_days_crossed
        .iter()
        .filter_map(|date| calendar.listed(*date))
        .map(|day| listed_json(calendar, day, language))
        .collect();
    Ok(json!({
        "from": local_text(calendar, from_ms),
        "registered_on": registered.map(|date| date.to_string()),
        "start_day": start.to_string(),
        "working_days": args.working_days,
        "calendar_days": args.calendar_days,
        "due_day": due.day.to_string(),
        "due": local_text(calendar, due.at_ms),
        "due_ms": due.at_ms,
        "calendar_version": due.calendar_version,
        "listed_days_crossed": crossed,
    }))
}

/// The calendar version in force in a data directory.
fn in_force(data: &Path) -> anyhow::Result<Calendar> {
    let engine = data.join("engine");
    let store = RocksStore::open_read_only(&engine)
        .with_context(|| format!("opening {} to read", engine.display()))?;
    tanba_engine::calendar::in_force(store.snapshot().as_ref())?
        .with_context(|| format!("{} holds no calendar yet", data.display()))
}

/// An ISO 8601 moment with its offset (seconds optional), as unix milliseconds.
pub fn parse_moment(text: &str) -> anyhow::Result<u64> {
    let moment: jiff::Timestamp = text
        .parse()
        .with_context(|| format!("--from {text:?}: an ISO 8601 moment with its offset expected"))?;
    u64::try_from(moment.as_millisecond()).context("--from is before 1970")
}

/// A moment in the provider's local time, with the offset in force then.
fn local_text(calendar: &Calendar, at_ms: u64) -> String {
    let (date, minutes) = calendar.local(at_ms);
    let offset_minutes = calendar.offset_ms(at_ms) / 60_000;
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let offset = offset_minutes.abs();
    format!(
        "{date}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        minutes / 60,
        minutes % 60,
        (at_ms / 1000) % 60,
        offset / 60,
        offset % 60
    )
}

fn listed_json(calendar: &Calendar, day: &ListedDay, language: Language) -> Value {
    let name = match language {
        Language::Kk => &day.names.kk,
        Language::Ru => &day.names.ru,
        Language::En => &day.names.en,
    };
    json!({
        "date": day.date.to_string(),
        "kind": day.kind,
        "name": name,
        "source": calendar.sources.get(&day.source),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tanba_types::Date;

    fn day(text: &str) -> Date {
        text.parse().expect("a date")
    }

    #[test]
    fn moments_read_with_or_without_seconds_and_print_in_provider_time() {
        let calendar = Calendar::start();
        let at = parse_moment("2026-03-20T16:30+05:00").unwrap();
        assert_eq!(at, parse_moment("2026-03-20T11:30:00Z").unwrap());
        assert_eq!(local_text(&calendar, at), "2026-03-20T16:30:00+05:00");
        // Before the single time zone, Almaty was UTC+6.
        let winter = parse_moment("2024-02-28T17:30Z").unwrap();
        assert_eq!(local_text(&calendar, winter), "2024-02-28T23:30:00+06:00");
        assert_eq!(calendar.local(winter).0, day("2024-02-28"));
        assert!(parse_moment("2026-03-20T16:30").is_err(), "no offset");
    }
}
