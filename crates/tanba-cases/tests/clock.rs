//! Legal clocks exact to the day and the minute: a 30-working-day term paused with 19 working
//! days left and resumed across Victory Day and Kurban Ait (A-PER-2), one extension of a
//! complaint term (R-CER-10), warning rungs that fire once, and a calendar change that moves only
//! what is ahead.

use tanba_cases::Run;
use tanba_cases::calendar::START_CALENDAR_TOML;
use tanba_cases::{Calendar, ClockError, ClockRules, DayUnit, LegalClock, Rung};
use tanba_types::{Date, Localized};

fn day(text: &str) -> Date {
    text.parse().expect("a date")
}

/// A moment given as local time at UTC+5.
fn at(date: &str, hours: u64, minutes: u64) -> u64 {
    let midnight_utc = u64::try_from(day(date).days_since_epoch()).unwrap() * 86_400_000;
    midnight_utc + (hours * 60 + minutes) * 60_000 - 5 * 3_600_000
}

fn due_day(clock: &LegalClock) -> Date {
    match &clock.run {
        Run::Running { due, .. } => due.day,
        other => panic!("not running: {other:?}"),
    }
}

#[test]
fn a_permit_term_paused_with_19_working_days_left_resumes_exactly() {
    let calendar = Calendar::start();
    // Registered Wednesday 1 April 2026: 30 working days.
    let mut clock =
        LegalClock::start(&calendar, DayUnit::WorkingDays, 30, day("2026-04-01")).unwrap();
    // 21 working days in April after the 1st, then 4, 5, 6, 8 (7th Defender's Day), 12 (11th off
    // for Victory Day on a Saturday), 13, 14, 15, 18 May.
    assert_eq!(due_day(&clock), day("2026-05-18"));
    // Referred to the Ministry of Foreign Affairs on Thursday 16 April: 11 working days had.
    clock.pause(&calendar, day("2026-04-16")).unwrap();
    assert_eq!(clock.consumed_days, 11);
    for today in ["2026-04-16", "2026-04-30", "2026-05-03"] {
        assert_eq!(clock.days_left(&calendar, day(today)), Ok(19));
    }
    assert_eq!(
        clock.next_rung_ms(&calendar),
        Ok(None),
        "a paused clock fires nothing"
    );
    // The answer arrives Monday 4 May: 19 working days from the 5th, past Victory Day (7th),
    // its day off (11th, for the 9th on a Saturday) and Kurban Ait (27th).
    clock.resume(&calendar, day("2026-05-04")).unwrap();
    assert_eq!(due_day(&clock), day("2026-06-03"));
    match &clock.run {
        Run::Running { due, .. } => assert_eq!(due.at_ms, at("2026-06-03", 18, 30)),
        other => panic!("{other:?}"),
    }
    assert_eq!(clock.days_left(&calendar, day("2026-05-08")), Ok(16));
}

#[test]
fn a_complaint_term_is_extended_once_by_at_most_what_was_granted() {
    let calendar = Calendar::start();
    // Registered Monday 2 November 2026: 5 working days, then 10 more.
    let mut clock =
        LegalClock::start(&calendar, DayUnit::WorkingDays, 5, day("2026-11-02")).unwrap();
    assert_eq!(due_day(&clock), day("2026-11-09"));
    clock.extend(&calendar, 10).unwrap();
    assert_eq!(clock.budget_days, 15);
    assert_eq!(due_day(&clock), day("2026-11-23"));
    let again = clock.extend(&calendar, 10).unwrap_err();
    assert_eq!(again, ClockError::ExtendedBefore);
    assert_eq!(again.code(), "TANBA-CLOCK-EXTENDED-BEFORE");
}

#[test]
fn warning_rungs_fire_once_each_and_in_order() {
    let calendar = Calendar::start();
    // Monday 1 June 2026 + 5 working days: Monday 8 June, 18:30.
    let mut clock =
        LegalClock::start(&calendar, DayUnit::WorkingDays, 5, day("2026-06-01")).unwrap();
    assert_eq!(
        clock.next_rung_ms(&calendar),
        Ok(Some(at("2026-06-04", 0, 0)))
    );
    assert_eq!(clock.fire(&calendar, at("2026-06-03", 23, 59)), Ok(vec![]));
    assert_eq!(
        clock.fire(&calendar, at("2026-06-04", 1, 0)),
        Ok(vec![Rung::Approaching])
    );
    assert_eq!(clock.fire(&calendar, at("2026-06-04", 2, 0)), Ok(vec![]));
    assert_eq!(
        clock.fire(&calendar, at("2026-06-08", 0, 30)),
        Ok(vec![Rung::DueToday])
    );
    assert_eq!(
        clock.next_rung_ms(&calendar),
        Ok(Some(at("2026-06-08", 18, 30)))
    );
    assert_eq!(clock.fire(&calendar, at("2026-06-08", 18, 29)), Ok(vec![]));
    assert_eq!(
        clock.fire(&calendar, at("2026-06-08", 18, 30)),
        Ok(vec![Rung::Overdue])
    );
    assert_eq!(clock.fire(&calendar, at("2026-06-20", 0, 0)), Ok(vec![]));
    assert_eq!(clock.next_rung_ms(&calendar), Ok(None));
    assert_eq!(clock.days_left(&calendar, day("2026-06-09")), Ok(-1));

    // A tick that comes late fires every rung it passed, in order, once.
    let mut late =
        LegalClock::start(&calendar, DayUnit::WorkingDays, 5, day("2026-06-01")).unwrap();
    assert_eq!(
        late.fire(&calendar, at("2026-06-10", 9, 0)),
        Ok(vec![Rung::Approaching, Rung::DueToday, Rung::Overdue])
    );
}

#[test]
fn a_stopped_clock_fires_nothing_and_refuses_to_change() {
    let calendar = Calendar::start();
    let mut clock =
        LegalClock::start(&calendar, DayUnit::CalendarDays, 10, day("2026-06-01")).unwrap();
    clock.stop(day("2026-06-03"));
    assert_eq!(clock.fire(&calendar, at("2026-07-01", 0, 0)), Ok(vec![]));
    assert_eq!(
        clock.pause(&calendar, day("2026-06-04")),
        Err(ClockError::State("stopped"))
    );
    assert_eq!(
        clock.extend(&calendar, 3),
        Err(ClockError::State("stopped"))
    );
}

#[test]
fn a_clock_refuses_days_before_its_last_change_and_steps_out_of_order() {
    let calendar = Calendar::start();
    let mut clock =
        LegalClock::start(&calendar, DayUnit::WorkingDays, 7, day("2026-06-10")).unwrap();
    assert_eq!(
        clock.pause(&calendar, day("2026-06-09")),
        Err(ClockError::BeforeLastChange(day("2026-06-09")))
    );
    let running = clock.resume(&calendar, day("2026-06-11")).unwrap_err();
    assert_eq!(running.code(), "TANBA-CLOCK-STATE");
    clock.pause(&calendar, day("2026-06-12")).unwrap();
    assert_eq!(
        clock.resume(&calendar, day("2026-06-11")),
        Err(ClockError::BeforeLastChange(day("2026-06-11")))
    );
}

#[test]
fn a_calendar_change_moves_only_what_is_ahead() {
    let calendar = Calendar::start();
    let mut clock =
        LegalClock::start(&calendar, DayUnit::WorkingDays, 10, day("2026-12-01")).unwrap();
    clock.pause(&calendar, day("2026-12-04")).unwrap();
    clock.resume(&calendar, day("2026-12-07")).unwrap();
    assert_eq!(clock.consumed_days, 3);
    // 7 left from Monday 7 December: 8, 9, 10, 11, 14, 15, (16 Independence Day), 17.
    assert_eq!(due_day(&clock), day("2026-12-17"));
    // Version 2 makes Thursday 17 December a day off.
    let amended = START_CALENDAR_TOML.replacen("version = 1", "version = 2", 1)
        + "\n[[day]]\ndate = \"2026-12-17\"\nkind = \"day_off\"\nnames = { kk = \"Демалыс\", ru = \"Выходной\", en = \"Day off\" }\nsource = \"holidays-law\"\n";
    let amended = Calendar::from_toml(&amended).unwrap();
    let due = clock.recompute(&amended).unwrap().unwrap();
    assert_eq!(
        due.day,
        day("2026-12-18"),
        "the 16th a holiday already, the 17th now too"
    );
    assert_eq!(due.calendar_version, 2);
    assert_eq!(clock.consumed_days, 3, "days had stay had");
}

#[test]
fn an_extension_that_cannot_be_computed_changes_nothing() {
    let calendar = Calendar::start();
    let mut clock =
        LegalClock::start(&calendar, DayUnit::WorkingDays, 5, day("2026-12-01")).unwrap();
    let before = clock.clone();
    // Thirty more working days run past the years the calendar covers.
    let refused = clock.extend(&calendar, 30).unwrap_err();
    assert_eq!(refused.code(), "TANBA-CALENDAR-NOT-COVERED");
    assert_eq!(clock, before, "the one extension is not used up");
    for days in [0, u32::MAX] {
        assert_eq!(
            clock.extend(&calendar, days).unwrap_err().code(),
            "TANBA-CALENDAR-TERM"
        );
    }
    assert_eq!(clock, before);
    clock.extend(&calendar, 10).unwrap();
    assert_eq!(clock.extended_by_days, Some(10));
}

#[test]
fn a_clock_with_nothing_left_stays_overdue_through_a_recomputation() {
    let calendar = Calendar::start();
    let mut clock =
        LegalClock::start(&calendar, DayUnit::WorkingDays, 2, day("2026-06-01")).unwrap();
    clock.pause(&calendar, day("2026-06-05")).unwrap();
    assert_eq!(clock.days_left(&calendar, day("2026-06-05")), Ok(-2));
    clock.resume(&calendar, day("2026-06-10")).unwrap();
    assert_eq!(due_day(&clock), day("2026-06-10"));
    let due = clock.recompute(&calendar).unwrap().unwrap();
    assert_eq!(due.day, day("2026-06-10"));
    assert_eq!(due.at_ms, at("2026-06-10", 0, 0));
    assert_eq!(
        clock.fire(&calendar, at("2026-06-10", 0, 1)),
        Ok(vec![Rung::Approaching, Rung::DueToday, Rung::Overdue])
    );
}
