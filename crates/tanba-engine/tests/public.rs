//! What the public tells Tanba, as facts of the log: violation reports (R-IS-07) and the
//! likely-copy flags the server raises on evidence (R-IS-02, R-IS-08). Each is decided by the
//! engine, kept in the state the log rebuilds, and read back by any node.

mod support;

use std::net::IpAddr;

use support::{World, code_of};
use tanba_engine::public::{flag_of, report_of, reports};
use tanba_store::Store;
use tanba_types::limits::{REASON_CHARS_MAX, REPORT_COMMENT_CHARS_MAX, REPORT_PHOTO_BYTES_MAX};
use tanba_types::{
    Actor, CodeKey, Command, FlagReason, Location, PhotoFormat, PhotoRef, ViolationKind,
    ViolationReport,
};

fn report(code: Option<CodeKey>, kind: ViolationKind) -> ViolationReport {
    ViolationReport {
        code,
        kind,
        comment: "бөтелкенің қақпағы басқа".into(),
        location: Location::from_degrees(43.2389, 76.8897),
        reporter: IpAddr::from([192, 0, 2, 0]),
        photo: Some(PhotoRef {
            hash: [4; 32],
            size_bytes: 70_000,
            format: PhotoFormat::Jpeg,
        }),
    }
}

fn sent(world: &mut World, report: ViolationReport) -> Result<u64, &'static str> {
    let receipt = world.run(Actor::Public, Command::ReportViolation(report));
    receipt
        .map(|receipt| receipt.first_sequence)
        .map_err(|error| error.code())
}

#[test]
fn r_is_07_a_report_is_a_fact_of_the_log_numbered_by_its_entry_and_listed_per_code() {
    let mut world = World::new(71);
    let units = world.at_retailer(2);
    let forged: CodeKey = "(01)04600000000015(21)FORGED".parse().unwrap();
    let about_unit = sent(&mut world, report(Some(units[0]), ViolationKind::Price)).unwrap();
    let reported_ms = world.now_ms;
    // A forged code is what many reports are about: it need not be known.
    let about_forged = sent(&mut world, report(Some(forged), ViolationKind::Counterfeit)).unwrap();
    let codeless = sent(&mut world, report(None, ViolationKind::NoCode)).unwrap();
    let again = sent(&mut world, report(Some(units[0]), ViolationKind::Other)).unwrap();
    assert!(about_unit < about_forged && about_forged < codeless && codeless < again);

    let snapshot = world.store.snapshot();
    let all = reports(snapshot.as_ref(), None, 0, 100).unwrap();
    let ids: Vec<u64> = all.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [about_unit, about_forged, codeless, again]);
    assert_eq!(
        all[0].1.report,
        report(Some(units[0]), ViolationKind::Price)
    );
    assert_eq!(all[0].1.time_ms, reported_ms, "the entry's time");
    let of_unit = reports(snapshot.as_ref(), Some(&units[0]), 0, 100).unwrap();
    assert_eq!(
        of_unit.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [about_unit, again]
    );
    let after = reports(snapshot.as_ref(), Some(&units[0]), about_unit, 100).unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(reports(snapshot.as_ref(), None, 0, 2).unwrap().len(), 2);
    assert_eq!(
        report_of(snapshot.as_ref(), about_unit + 10_000).unwrap(),
        None
    );
    // A report is a claim: no number of them flags a code.
    assert_eq!(flag_of(snapshot.as_ref(), &units[0]).unwrap(), None);
    drop(snapshot);
    world.assert_replay_equal();
}

#[test]
fn r_is_07_a_report_comes_only_through_the_public_door_within_its_rules() {
    let mut world = World::new(72);
    let units = world.at_retailer(1);
    let retailer = world.cast.retailer;
    let by_retailer = world.by(
        retailer,
        Command::ReportViolation(report(Some(units[0]), ViolationKind::Price)),
    );
    assert_eq!(code_of(by_retailer), "TANBA-ENGINE-INVALID");
    let by_system = world.system(Command::ReportViolation(report(
        None,
        ViolationKind::NoCode,
    )));
    assert_eq!(code_of(by_system), "TANBA-ENGINE-INVALID");

    let mut long = report(Some(units[0]), ViolationKind::Price);
    long.comment = "a".repeat(REPORT_COMMENT_CHARS_MAX + 1);
    assert_eq!(sent(&mut world, long), Err("TANBA-ENGINE-LIMIT-EXCEEDED"));
    let codeless = report(None, ViolationKind::Counterfeit);
    assert_eq!(sent(&mut world, codeless), Err("TANBA-ENGINE-INVALID"));
    let mut off_earth = report(Some(units[0]), ViolationKind::Price);
    off_earth.location = Some(Location {
        latitude_microdegrees: 0,
        longitude_microdegrees: 180_000_001,
    });
    assert_eq!(sent(&mut world, off_earth), Err("TANBA-ENGINE-INVALID"));
    let mut address = report(Some(units[0]), ViolationKind::Price);
    address.reporter = IpAddr::from([192, 0, 2, 7]);
    assert_eq!(sent(&mut world, address), Err("TANBA-ENGINE-INVALID"));
    for size_bytes in [0, REPORT_PHOTO_BYTES_MAX as u32 + 1] {
        let mut photo = report(Some(units[0]), ViolationKind::Price);
        photo.photo.as_mut().unwrap().size_bytes = size_bytes;
        assert_eq!(sent(&mut world, photo), Err("TANBA-ENGINE-INVALID"));
    }
    let snapshot = world.store.snapshot();
    assert!(reports(snapshot.as_ref(), None, 0, 10).unwrap().is_empty());
}

#[test]
fn r_is_02_r_is_08_a_flag_is_the_systems_conclusion_counts_its_evidence_and_an_authority_clears_it()
{
    let mut world = World::new(73);
    let units = world.at_retailer(1);
    let code = units[0];
    let flag = |reason| Command::FlagLikelyCopy { code, reason };
    // Only the system flags, and only codes it knows.
    let retailer = world.cast.retailer;
    let by_retailer = world.by(retailer, flag(FlagReason::SoldTwice));
    assert_eq!(code_of(by_retailer), "TANBA-ENGINE-SYSTEM-ONLY");
    let by_public = world.run(Actor::Public, flag(FlagReason::SoldTwice));
    assert_eq!(code_of(by_public), "TANBA-ENGINE-SYSTEM-ONLY");
    let unknown: CodeKey = "(01)04600000000015(21)NOSUCH".parse().unwrap();
    let on_unknown = world.system(Command::FlagLikelyCopy {
        code: unknown,
        reason: FlagReason::SoldTwice,
    });
    assert_eq!(code_of(on_unknown), "TANBA-ENGINE-UNKNOWN-CODE");

    world.system(flag(FlagReason::SoldTwice)).unwrap();
    let first_ms = world.now_ms;
    world.now_ms += 60_000;
    world.system(flag(FlagReason::SoldTwice)).unwrap();
    world.system(flag(FlagReason::SeenInManyPlaces)).unwrap();
    let flagged = flag_of(world.store.snapshot().as_ref(), &code)
        .unwrap()
        .unwrap();
    assert_eq!(flagged.evidence, 3);
    assert_eq!(flagged.since_ms, first_ms);
    assert_eq!(
        flagged.reasons,
        [FlagReason::SoldTwice, FlagReason::SeenInManyPlaces]
    );

    // Only an authority clears, with a reason the log keeps.
    let clear = |reason: &str| Command::ClearLikelyCopyFlag {
        code,
        reason: reason.into(),
    };
    let authority = world.cast.authority;
    assert_eq!(
        code_of(world.by(retailer, clear("mine"))),
        "TANBA-ENGINE-ROLE-REQUIRED"
    );
    assert_eq!(
        code_of(world.system(clear("the system"))),
        "TANBA-ENGINE-INVALID"
    );
    assert_eq!(
        code_of(world.by(authority, clear("  "))),
        "TANBA-ENGINE-INVALID"
    );
    let long = "a".repeat(REASON_CHARS_MAX + 1);
    assert_eq!(
        code_of(world.by(authority, clear(&long))),
        "TANBA-ENGINE-LIMIT-EXCEEDED"
    );
    world
        .by(authority, clear("one shop scanned one bottle twice"))
        .unwrap();
    assert_eq!(
        flag_of(world.store.snapshot().as_ref(), &code).unwrap(),
        None
    );
    // Cleared once; a second clearing has no flag to clear.
    assert_eq!(
        code_of(world.by(authority, clear("again"))),
        "TANBA-ENGINE-INVALID"
    );
    // New evidence flags it afresh.
    world.system(flag(FlagReason::SoldTwice)).unwrap();
    let again = flag_of(world.store.snapshot().as_ref(), &code)
        .unwrap()
        .unwrap();
    assert_eq!((again.evidence, again.since_ms), (1, world.now_ms));
    world.assert_replay_equal();
}
