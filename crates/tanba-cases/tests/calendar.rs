//! The working-day calendar against the vacanza library's Kazakhstan data (a test oracle for the
//! years it and the acts agree on) and against hand-written terms across weekends, holidays,
//! government transfers, year ends, after-hours intake and the 2024 time-zone change.

use proptest::prelude::*;
use tanba_cases::calendar::{INTAKE_CUTOFF_MINUTES, TERM_DAYS_MAX, is_weekend};
use tanba_cases::{Calendar, CalendarError, ClockError, DayKind};
use tanba_types::{Date, Localized, messages};

const VACANZA: &str = "../../../shared/conformance/kz-holidays-vacanza";

fn day(text: &str) -> Date {
    text.parse().expect("a date")
}

/// A moment given as local Almaty time with its offset, e.g. `2026-03-20T16:30+05:00`.
fn at(text: &str) -> u64 {
    let (date, rest) = text.split_once('T').expect("T");
    let (hours, rest) = rest.split_once(':').expect(":");
    let (minutes, offset) = rest.split_at(2);
    let offset_hours: i64 = offset[1..3].parse().unwrap();
    let local_ms = i64::from(day(date).days_since_epoch()) * 86_400_000
        + hours.parse::<i64>().unwrap() * 3_600_000
        + minutes.parse::<i64>().unwrap() * 60_000;
    u64::try_from(local_ms - offset_hours * 3_600_000).unwrap()
}

fn vacanza_json(file: &str) -> serde_json::Value {
    // Read when run, not baked in when built: a build shared between two checkouts must read
    // the conformance files beside the checkout under test.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets it");
    let path = format!("{manifest}/{VACANZA}/{file}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    serde_json::from_str(&text).unwrap()
}

fn years(first: i32, last: i32) -> impl Iterator<Item = Date> {
    let start = day(&format!("{first}-01-01"));
    let end = day(&format!("{last}-12-31"));
    (0..=(end.days_since_epoch() - start.days_since_epoch()) as u32)
        .map(move |n| start.plus_days(n))
}

#[test]
fn the_start_calendar_is_valid_cites_its_acts_and_covers_2024_to_2026() {
    let calendar = Calendar::start();
    assert_eq!((calendar.first_year, calendar.last_year), (2024, 2026));
    assert_eq!(calendar.version, 1);
    assert!(
        calendar
            .days
            .iter()
            .all(|listed| calendar.sources.contains_key(&listed.source))
    );
    assert!(calendar.check().is_ok());
}

/// Whether vacanza's data says `date` is a working day in Kazakhstan, and what it names it.
fn vacanza_working_day(date: Date) -> (bool, Option<String>) {
    // The library lists holidays, observed days and substituted days off; its tests list the
    // Saturdays and Sundays made working days.
    let snapshot = vacanza_json("KZ_COMMON.snapshot.json");
    let expectations = vacanza_json("kz_holiday_test_expectations.json");
    let worked = expectations["transferred_working_days"]
        .as_array()
        .unwrap()
        .iter()
        .any(|worked| worked.as_str() == Some(&date.to_string()));
    let name = snapshot
        .get(date.to_string())
        .and_then(|name| name.as_str())
        .map(str::to_owned);
    (worked || (!is_weekend(date) && name.is_none()), name)
}

#[test]
fn calendar_agrees_with_vacanza_on_every_day_of_2024_to_2026() {
    let calendar = Calendar::start();
    for date in years(2024, 2026) {
        let (theirs, name) = vacanza_working_day(date);
        assert_eq!(
            calendar.is_working_day(date),
            Ok(theirs),
            "{date}: {name:?}"
        );
    }
}

#[test]
fn the_2027_version_keeps_2024_to_2026_and_agrees_with_vacanza_on_2027() {
    let next = Calendar::from_toml(tanba_cases::calendar::CALENDAR_2027_TOML).unwrap();
    let start = Calendar::start();
    assert_eq!(
        (next.version, next.first_year, next.last_year),
        (2, 2024, 2027)
    );
    assert!(next.check().is_ok());
    for date in years(2024, 2026) {
        assert_eq!(
            next.is_working_day(date),
            start.is_working_day(date),
            "{date}"
        );
    }
    for date in years(2027, 2027) {
        let (theirs, name) = vacanza_working_day(date);
        assert_eq!(next.is_working_day(date), Ok(theirs), "{date}: {name:?}");
    }
    // A term across the year end is computed now.
    let due = next.due_after_working_days(day("2026-12-30"), 3).unwrap();
    assert_eq!(
        due.day,
        day("2027-01-06"),
        "31 Dec, then 5 and 6 Jan (1, 2, 4 off)"
    );
}

#[test]
fn three_working_days_from_a_friday_before_nauryz_end_the_monday_after() {
    // Friday 20 March 2026; 21-23 Nauryz (Sat-Mon), 24-25 days off for the weekend's holidays.
    let calendar = Calendar::start();
    let due = calendar
        .due_after_working_days(day("2026-03-20"), 3)
        .unwrap();
    assert_eq!(due.day, day("2026-03-30"));
    assert_eq!(due.at_ms, at("2026-03-30T18:30+05:00"));
    assert_eq!(due.calendar_version, 1);
    assert_eq!(
        due.listed_days_crossed,
        vec![day("2026-03-23"), day("2026-03-24"), day("2026-03-25")]
    );
}

#[test]
fn an_application_before_17_00_on_a_working_day_registers_that_day_and_after_it_the_next() {
    let calendar = Calendar::start();
    assert_eq!(
        calendar.registered_on(at("2026-03-20T16:59+05:00")),
        Ok(day("2026-03-20"))
    );
    // Before 09:00 on a working day: that day too (decision "calendar").
    assert_eq!(
        calendar.registered_on(at("2026-03-20T07:10+05:00")),
        Ok(day("2026-03-20"))
    );
    // At 17:00 or later: the next working day, past the holidays.
    assert_eq!(
        calendar.registered_on(at("2026-03-20T17:00+05:00")),
        Ok(day("2026-03-26"))
    );
    // On a Saturday or a holiday: the next working day.
    assert_eq!(
        calendar.registered_on(at("2026-05-09T10:00+05:00")),
        Ok(day("2026-05-12"))
    );
    assert_eq!(INTAKE_CUTOFF_MINUTES, 17 * 60);
}

#[test]
fn a_government_transfer_makes_a_sunday_a_working_day_and_a_friday_a_day_off() {
    // 2025: Friday 3 January off, Sunday 5 January worked.
    let calendar = Calendar::start();
    assert_eq!(calendar.is_working_day(day("2025-01-03")), Ok(false));
    assert_eq!(calendar.is_working_day(day("2025-01-05")), Ok(true));
    let due = calendar
        .due_after_working_days(day("2024-12-31"), 2)
        .unwrap();
    assert_eq!(due.day, day("2025-01-06"));
    assert_eq!(
        due.listed_days_crossed,
        vec![
            day("2025-01-01"),
            day("2025-01-02"),
            day("2025-01-03"),
            day("2025-01-05")
        ]
    );
}

#[test]
fn a_term_across_the_year_end_counts_the_new_year_holidays() {
    let calendar = Calendar::start();
    // From Friday 27 December 2024: Mon 30 and Tue 31 count; 1-2 January are holidays and
    // Friday 3 a transferred day off; Sunday 5 is worked, then Monday 6; Tuesday 7 (Orthodox
    // Christmas) is off; Wednesday 8.
    let due = |working_days| {
        calendar
            .due_after_working_days(day("2024-12-27"), working_days)
            .unwrap()
            .day
    };
    assert_eq!(due(2), day("2024-12-31"));
    assert_eq!(due(3), day("2025-01-05"));
    assert_eq!(due(4), day("2025-01-06"));
    assert_eq!(due(5), day("2025-01-08"));
}

#[test]
fn a_term_that_runs_past_the_years_covered_is_refused_not_guessed() {
    let calendar = Calendar::start();
    let refused = calendar.due_after_working_days(day("2026-12-29"), 3);
    assert_eq!(
        refused,
        Err(CalendarError::NotCovered {
            date: day("2027-01-01"),
            first_year: 2024,
            last_year: 2026
        })
    );
    let error = refused.unwrap_err();
    assert_eq!(error.code(), "TANBA-CALENDAR-NOT-COVERED");
    assert_eq!(
        calendar.due_after_working_days(day("2026-03-20"), 0),
        Err(CalendarError::Term(0))
    );
    assert_eq!(
        calendar.due_after_working_days(day("2024-01-01"), TERM_DAYS_MAX + 1),
        Err(CalendarError::Term(TERM_DAYS_MAX + 1))
    );
}

#[test]
fn a_calendar_day_term_ends_at_midnight_after_its_last_day_even_on_a_holiday() {
    let calendar = Calendar::start();
    let due = calendar
        .due_after_calendar_days(day("2026-03-20"), 3)
        .unwrap();
    assert_eq!(due.day, day("2026-03-23"));
    assert_eq!(due.at_ms, at("2026-03-24T00:00+05:00"));
    // Calendar days run past the years covered: no working day is asked.
    let due = calendar
        .due_after_calendar_days(day("2026-12-20"), 30)
        .unwrap();
    assert_eq!(due.day, day("2027-01-19"));
}

#[test]
fn terms_before_the_single_time_zone_end_at_18_30_utc_plus_6() {
    let calendar = Calendar::start();
    let due = calendar
        .due_after_working_days(day("2024-02-26"), 2)
        .unwrap();
    assert_eq!(due.day, day("2024-02-28"));
    assert_eq!(due.at_ms, at("2024-02-28T18:30+06:00"));
    // 23:30 at UTC+6 on 28 February: after hours, registers on the 29th.
    assert_eq!(
        calendar.registered_on(at("2024-02-28T23:30+06:00")),
        Ok(day("2024-02-29"))
    );
    let due = calendar
        .due_after_working_days(day("2024-02-29"), 1)
        .unwrap();
    assert_eq!(due.at_ms, at("2024-03-01T18:30+05:00"));
}

#[test]
fn calendar_data_that_contradicts_itself_is_refused() {
    let good = tanba_cases::calendar::START_CALENDAR_TOML;
    let broken = [
        // A working day on a Monday.
        good.replacen(
            "date = \"2024-05-04\"\nkind = \"working_day\"",
            "date = \"2024-05-06\"\nkind = \"working_day\"",
            1,
        ),
        // A day off on a Saturday.
        good.replacen(
            "date = \"2024-03-25\"\nkind = \"day_off\"",
            "date = \"2024-03-30\"\nkind = \"day_off\"",
            1,
        ),
        // Listed twice.
        good.replacen("date = \"2024-01-02\"", "date = \"2024-01-01\"", 1),
        // Outside the years covered.
        good.replacen("date = \"2024-01-02\"", "date = \"2023-01-02\"", 1),
        // Citing no known act.
        good.replacen("source = \"kurban-2025\"", "source = \"kurban-2099\"", 1),
        // An unknown field.
        good.replacen("version = 1", "version = 1\nweekends = \"fri-sat\"", 1),
        // Years no date reaches, or so far apart that their difference overflows.
        good.replacen("first_year = 2024", "first_year = -2147483648", 1),
        good.replacen("last_year = 2026", "last_year = 2147483647", 1),
        // An offset no time zone has, or one whose magnitude overflows.
        good.replacen("minutes = 300", "minutes = -2147483648", 1),
        good.replacen("minutes = 300", "minutes = 900", 1),
    ];
    for text in &broken {
        assert_ne!(text, good, "the test's edit applies");
        let refused = Calendar::from_toml(text).unwrap_err();
        assert_eq!(refused.code(), "TANBA-CALENDAR-INVALID", "{refused}");
    }
}

#[test]
fn calendar_clock_and_case_errors_read_in_kazakh_russian_and_english() {
    let codes = CalendarError::CODES
        .iter()
        .chain(ClockError::CODES)
        .chain(tanba_cases::CaseError::CODES);
    for code in codes {
        for language in [
            tanba_types::Language::Kk,
            tanba_types::Language::Ru,
            tanba_types::Language::En,
        ] {
            assert!(
                messages::template(code, language).is_some(),
                "{code} {language:?}"
            );
        }
    }
}

proptest! {
    #[test]
    fn a_due_day_is_a_working_day_with_exactly_n_working_days_after_the_start(
        offset in 0u32..1000,
        working_days in 1u32..=30,
    ) {
        let calendar = Calendar::start();
        let start = day("2024-01-01").plus_days(offset);
        if let Ok(due) = calendar.due_after_working_days(start, working_days) {
            prop_assert_eq!(calendar.is_working_day(due.day), Ok(true));
            let counted = (1..=(due.day.days_since_epoch() - start.days_since_epoch()) as u32)
                .filter(|n| calendar.is_working_day(start.plus_days(*n)) == Ok(true))
                .count();
            prop_assert_eq!(counted, working_days as usize);
            // Every day crossed that changed the count is listed: a day off on Monday-Friday
            // (a holiday or a transferred day) or a Saturday or Sunday worked.
            for date in &due.listed_days_crossed {
                let kind = calendar.listed(*date).map(|listed| listed.kind);
                match is_weekend(*date) {
                    true => prop_assert_eq!(kind, Some(DayKind::WorkingDay)),
                    false => prop_assert!(matches!(kind, Some(DayKind::Holiday | DayKind::DayOff))),
                }
            }
        }
    }
}
