//! The working-day calendar in the log (issue 10): the operator publishes versions, each checked
//! when decided and numbered one more than the one in force; every version stays readable and
//! replay reads the same documents.

mod support;

use support::{World, code_of};
use tanba_cases::calendar::START_CALENDAR_TOML;
use tanba_engine::calendar;
use tanba_store::Store;
use tanba_types::Command;

fn publish(toml: &str) -> Command {
    Command::PublishCalendar {
        toml: toml.to_owned(),
    }
}

fn version_2() -> String {
    START_CALENDAR_TOML.replacen("version = 1", "version = 2", 1)
        + "\n[[day]]\ndate = \"2026-12-17\"\nkind = \"day_off\"\nnames = { kk = \"Демалыс\", ru = \"Выходной\", en = \"Day off\" }\nsource = \"holidays-law\"\n"
}

fn version_in_force(world: &World) -> Option<u32> {
    let snapshot = world.store.snapshot();
    calendar::in_force(snapshot.as_ref())
        .unwrap()
        .map(|calendar| calendar.version)
}

#[test]
fn the_operator_publishes_calendar_versions_in_order_and_every_version_stays_readable() {
    let mut world = World::new(31);
    let operator = world.cast.operator;
    assert_eq!(version_in_force(&world), None);
    world.by(operator, publish(START_CALENDAR_TOML)).unwrap();
    world.by(operator, publish(&version_2())).unwrap();
    let snapshot = world.store.snapshot();
    let in_force = calendar::in_force(snapshot.as_ref()).unwrap().unwrap();
    assert_eq!(in_force.version, 2);
    assert_eq!(
        in_force.is_working_day("2026-12-17".parse().unwrap()),
        Ok(false)
    );
    let first = calendar::version(snapshot.as_ref(), 1).unwrap().unwrap();
    assert_eq!(
        first.is_working_day("2026-12-17".parse().unwrap()),
        Ok(true)
    );
    world.assert_replay_equal();
}

#[test]
fn a_calendar_version_out_of_order_or_inconsistent_is_refused_and_writes_nothing() {
    let mut world = World::new(32);
    let operator = world.cast.operator;
    // Version 2 before version 1.
    assert_eq!(
        code_of(world.by(operator, publish(&version_2()))),
        "TANBA-ENGINE-INVALID"
    );
    world.by(operator, publish(START_CALENDAR_TOML)).unwrap();
    // Version 1 again.
    assert_eq!(
        code_of(world.by(operator, publish(START_CALENDAR_TOML))),
        "TANBA-ENGINE-INVALID"
    );
    // A working day on a Monday.
    let broken = version_2().replacen(
        "date = \"2024-05-04\"\nkind = \"working_day\"",
        "date = \"2024-05-06\"\nkind = \"working_day\"",
        1,
    );
    assert_eq!(
        code_of(world.by(operator, publish(&broken))),
        "TANBA-CALENDAR-INVALID"
    );
    assert_eq!(
        code_of(world.by(operator, publish("version = 2"))),
        "TANBA-CALENDAR-INVALID"
    );
    assert_eq!(version_in_force(&world), Some(1));
}

#[test]
fn only_the_operator_publishes_a_calendar() {
    let mut world = World::new(33);
    let (producer, authority) = (world.cast.producer, world.cast.authority);
    for who in [producer, authority] {
        assert_eq!(
            code_of(world.by(who, publish(START_CALENDAR_TOML))),
            "TANBA-ENGINE-ROLE-REQUIRED"
        );
    }
    // The system publishes the calendar a fresh store starts with.
    world.system(publish(START_CALENDAR_TOML)).unwrap();
    assert_eq!(version_in_force(&world), Some(1));
}
