//! Cases in the engine, driven by the recall's definitions (R-REC, WORKFLOWS section 1): the
//! scope block at every till in the commit that records the step, clocks and their rungs
//! through the tick, notices, the refusals of forms, roles and strangers, and replay.

mod support;

use std::collections::BTreeMap;

use support::{START_MS, World, code_of};
use tanba_engine::query::{self, CaseList};
use tanba_engine::records::CaseRecord;
use tanba_store::Store;
use tanba_types::{
    CaseCommand, CaseId, ClockChange, CodeKey, Command, Decimal, Event, FieldValue, Form, Run,
    Rung, Scalar, TaxpayerId,
};

const MS_PER_DAY: u64 = 86_400_000;

fn text(value: &str) -> FieldValue {
    FieldValue::One(Scalar::Text(value.to_owned()))
}

fn form(fields: &[(&str, FieldValue)]) -> Form {
    fields
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}

fn open(kind: &str, transition: &str, authority: TaxpayerId, form: Form) -> Command {
    Command::Case(CaseCommand::Open {
        kind: kind.to_owned(),
        transition: transition.to_owned(),
        authority: Some(authority),
        parent: None,
        named: Vec::new(),
        form,
        attachments: Vec::new(),
        signature: vec![9; 64],
    })
}

fn step(case: CaseId, transition: &str, form: Form) -> Command {
    Command::Case(CaseCommand::Step {
        case,
        transition: transition.to_owned(),
        form,
        attachments: Vec::new(),
        signature: vec![9; 64],
    })
}

trait Cases {
    fn publish_start_calendar(&mut self);
    fn ground_form(&self) -> Form;
    fn establish_ground(&mut self, party: TaxpayerId) -> CaseId;
    fn scope_form(&self, batch: Option<&str>, codes: &[CodeKey]) -> Form;
    fn case(&self, id: CaseId) -> CaseRecord;
    fn history(&self, id: CaseId) -> Vec<Event>;
    fn inbox(&self, who: TaxpayerId) -> Vec<String>;
    fn head(&self) -> u64;
    fn finish_sweeps(&mut self);
}

impl Cases for World {
    fn publish_start_calendar(&mut self) {
        let toml = tanba_cases::calendar::START_CALENDAR_TOML.to_owned();
        self.system(Command::PublishCalendar { toml }).unwrap();
        for toml in tanba_cases::reference::SHIPPED_SETS {
            let toml = (*toml).to_owned();
            self.system(Command::PublishReference { toml }).unwrap();
        }
    }

    fn ground_form(&self) -> Form {
        form(&[
            (
                "ground_arose_at",
                FieldValue::One(Scalar::Moment(self.now_ms - MS_PER_DAY)),
            ),
            (
                "detected_at",
                FieldValue::One(Scalar::Moment(self.now_ms - 2 * MS_PER_DAY)),
            ),
            ("product_name", text("Filter cigarettes 'Dala', 20 sticks")),
            ("non_conformity", text("Tar above the TR CU 035/2014 limit")),
        ])
    }

    fn establish_ground(&mut self, party: TaxpayerId) -> CaseId {
        let authority = self.cast.authority;
        let ground = self.ground_form();
        self.by(party, open("recall", "establish_ground", authority, ground))
            .unwrap()
            .created
            .unwrap()
    }

    fn scope_form(&self, batch: Option<&str>, codes: &[CodeKey]) -> Form {
        let mut fields = vec![
            ("gtin", text(&self.cast.unit.to_string())),
            ("contacts", text("+7 727 000 00 00, recall@dala.kz")),
            (
                "collection_points",
                text("Almaty, Abay 1; every shop of the Corner chain"),
            ),
            ("responsible_persons", text("A. Seitkali, quality director")),
        ];
        if let Some(batch) = batch {
            fields.push(("batch", text(batch)));
        }
        if !codes.is_empty() {
            let codes = codes.iter().map(|code| Scalar::Code(*code)).collect();
            fields.push(("codes", FieldValue::List(codes)));
        }
        form(&fields)
    }

    fn case(&self, id: CaseId) -> CaseRecord {
        query::case(self.store.snapshot().as_ref(), id)
            .unwrap()
            .unwrap()
    }

    fn history(&self, id: CaseId) -> Vec<Event> {
        query::case_history(self.store.snapshot().as_ref(), id, 0, 1_000)
            .unwrap()
            .into_iter()
            .map(|record| record.event)
            .collect()
    }

    fn inbox(&self, who: TaxpayerId) -> Vec<String> {
        query::inbox(self.store.snapshot().as_ref(), &who, 0, 1_000)
            .unwrap()
            .into_iter()
            .map(|(_, record)| record.notice.kind)
            .collect()
    }

    fn head(&self) -> u64 {
        self.core.head().sequence
    }

    /// Ticks until no sweep over a case's goods waits (the writer's ticker does it by itself).
    fn finish_sweeps(&mut self) {
        while tanba_engine::sweep::sweep_waiting(self.store.snapshot().as_ref()).unwrap() {
            self.system(Command::Case(CaseCommand::Tick)).unwrap();
        }
    }
}

/// A world with the calendar published and `count` units of batch B-1 at the retailer.
fn world_with_goods(count: u32) -> (World, Vec<CodeKey>) {
    let mut world = World::new(10);
    world.publish_start_calendar();
    let units = world.at_retailer(count);
    (world, units)
}

#[test]
fn r_rec_02_r_rec_06_a_recalled_batch_is_refused_at_every_till_from_the_commit_that_records_it() {
    let (mut world, units) = world_with_goods(3);
    let other_batch = world.produce_in_batch(world.cast.unit, 1, "B-2");
    let (producer, retailer) = (world.cast.producer, world.cast.retailer);
    let document = world.ship(producer, retailer, &other_batch);
    world.accept_all(retailer, document);
    let case = world.establish_ground(producer);
    assert_eq!(
        world.sell(retailer, units[0]).map(|_| ()),
        Ok(()),
        "no scope yet"
    );

    let scope = world.scope_form(Some("B-1"), &[]);
    let receipt = world
        .by(producer, step(case, "start_recall", scope))
        .unwrap();
    // The step and the block are one command, so one commit: never one without the other.
    let events: Vec<&'static str> = (receipt.first_sequence..=receipt.last_sequence)
        .map(|sequence| {
            query::log_record(world.store.snapshot().as_ref(), sequence)
                .unwrap()
                .unwrap()
                .event
                .name()
        })
        .collect();
    assert_eq!(
        events,
        [
            "case_stepped",
            "notice_sent",
            "scope_blocked",
            "sweep_moved"
        ]
    );

    assert_eq!(
        world.sell(retailer, units[1]),
        Err("TANBA-ENGINE-RECALLED".into())
    );
    assert_eq!(
        world.sell(retailer, other_batch[0]).map(|_| ()),
        Ok(()),
        "batch B-2 sells"
    );
    let block = query::scope_block_of_code(world.store.snapshot().as_ref(), &units[2])
        .unwrap()
        .expect("the public check finds the recall");
    assert_eq!(block.case, case);
    assert_eq!(world.case(case).state, "recalling");
    assert_eq!(world.inbox(world.cast.authority), ["recall_started"]);
    world.assert_replay_equal();
}

#[test]
fn r_rec_02_a_scope_of_listed_packages_covers_their_units_even_after_repacking() {
    let (mut world, units) = world_with_goods(4);
    let retailer = world.cast.retailer;
    let pallet = support::sscc(77);
    world.pack(retailer, pallet, units[..2].to_vec());
    let case = world.establish_ground(world.cast.producer);
    let scope = world.scope_form(None, &[pallet]);
    world
        .by(world.cast.producer, step(case, "start_recall", scope))
        .unwrap();
    world
        .by(
            retailer,
            Command::Disaggregate {
                codes: vec![units[0]],
            },
        )
        .unwrap();
    assert_eq!(
        world.sell(retailer, units[0]),
        Err("TANBA-ENGINE-RECALLED".into())
    );
    assert_eq!(
        world.sell(retailer, units[3]).map(|_| ()),
        Ok(()),
        "not listed"
    );
    world.assert_replay_equal();
}

#[test]
fn r_rec_09_a_party_recalls_only_goods_it_put_into_circulation() {
    let (mut world, units) = world_with_goods(2);
    let (importer, retailer, wholesaler) = (
        world.cast.importer,
        world.cast.retailer,
        world.cast.wholesaler,
    );
    // The importer does not market the producer's GTIN.
    let case = world.establish_ground(importer);
    let head = world.head();
    let refused = world.by(
        importer,
        step(case, "start_recall", world.scope_form(Some("B-1"), &[])),
    );
    assert_eq!(code_of(refused), "TANBA-ENGINE-SCOPE-NOT-YOURS");
    assert_eq!(world.head(), head, "a refusal writes nothing");
    // A seller may list units it holds; a wholesaler holding none may not.
    let case = world.establish_ground(retailer);
    world
        .by(
            retailer,
            step(case, "start_recall", world.scope_form(None, &units[..1])),
        )
        .unwrap();
    let case = world.establish_ground(wholesaler);
    let refused = world.by(
        wholesaler,
        step(case, "start_recall", world.scope_form(None, &units[1..])),
    );
    assert_eq!(code_of(refused), "TANBA-ENGINE-SCOPE-NOT-YOURS");
    world.assert_replay_equal();
}

#[test]
fn a_stranger_cannot_step_a_case_nor_learn_that_it_exists() {
    let (mut world, _) = world_with_goods(1);
    let case = world.establish_ground(world.cast.producer);
    let refused = world.by(
        world.cast.wholesaler,
        step(case, "start_recall", world.scope_form(Some("B-1"), &[])),
    );
    assert_eq!(code_of(refused), "TANBA-ENGINE-UNKNOWN-CASE");
    // The authority is no party to the recall's steps.
    let refused = world.by(
        world.cast.authority,
        step(case, "start_recall", world.scope_form(Some("B-1"), &[])),
    );
    assert_eq!(code_of(refused), "TANBA-CASE-NOT-YOUR-STEP");
    let unknown = world.by(
        world.cast.producer,
        step(case + 1_000, "refund", Form::new()),
    );
    assert_eq!(code_of(unknown), "TANBA-ENGINE-UNKNOWN-CASE");
}

#[test]
fn malformed_forms_get_their_own_codes_and_write_nothing() {
    let (mut world, _) = world_with_goods(1);
    let producer = world.cast.producer;
    let authority = world.cast.authority;
    let head = world.head();
    let mut cases: Vec<(Form, &str)> = Vec::new();
    let mut missing = world.ground_form();
    missing.remove("non_conformity");
    cases.push((missing, "TANBA-CASE-FIELD-MISSING"));
    let mut unknown = world.ground_form();
    unknown.insert("colour".into(), text("red"));
    cases.push((unknown, "TANBA-CASE-FIELD-UNKNOWN"));
    let mut future = world.ground_form();
    future.insert(
        "detected_at".into(),
        FieldValue::One(Scalar::Moment(world.now_ms + MS_PER_DAY)),
    );
    cases.push((future, "TANBA-CASE-FIELD-RANGE"));
    let mut wrong_type = world.ground_form();
    wrong_type.insert("detected_at".into(), text("yesterday"));
    cases.push((wrong_type, "TANBA-CASE-FIELD-TYPE"));
    let mut empty = world.ground_form();
    empty.insert("product_name".into(), text("  "));
    cases.push((empty, "TANBA-CASE-FIELD-TEXT"));
    let mut listed = world.ground_form();
    listed.insert(
        "product_name".into(),
        FieldValue::List(vec![Scalar::Integer(1)]),
    );
    cases.push((listed, "TANBA-CASE-FIELD-SHAPE"));
    for (form, code) in cases {
        let refused = world.by(
            producer,
            open("recall", "establish_ground", authority, form),
        );
        assert_eq!(code_of(refused), code);
    }
    // An unknown procedure, a step that does not open, an authority that is not one.
    let ground = world.ground_form();
    assert_eq!(
        code_of(world.by(
            producer,
            open("licence", "establish_ground", authority, ground.clone())
        )),
        "TANBA-CASE-UNKNOWN-KIND"
    );
    assert_eq!(
        code_of(world.by(
            producer,
            open("recall", "report", authority, ground.clone())
        )),
        "TANBA-CASE-UNKNOWN-TRANSITION"
    );
    assert_eq!(
        code_of(world.by(
            producer,
            open("recall", "establish_ground", world.cast.retailer, ground)
        )),
        "TANBA-CASE-AUTHORITY"
    );
    assert_eq!(world.head(), head, "refusals write nothing");
}

/// A recall brought to `disposing`.
fn disposing(world: &mut World) -> CaseId {
    let producer = world.cast.producer;
    let case = world.establish_ground(producer);
    world
        .by(
            producer,
            step(case, "start_recall", world.scope_form(Some("B-1"), &[])),
        )
        .unwrap();
    world.finish_sweeps();
    world
        .by(
            producer,
            step(
                case,
                "assess_irremovable",
                form(&[("reason", text("tar content"))]),
            ),
        )
        .unwrap();
    case
}

#[test]
fn r_rec_03_a_rec_6_disposal_is_due_30_calendar_days_from_detection_and_exports_name_their_document()
 {
    let (mut world, _) = world_with_goods(1);
    let case = disposing(&mut world);
    let record = world.case(case);
    let clock = &record.clocks["D-REC-2"].value;
    let Run::Running { since, due } = &clock.run else {
        panic!("D-REC-2 runs: {clock:?}");
    };
    // Detected two days before the start (2026-11-20), due at the end of 2026-12-20.
    assert_eq!(since.to_string(), "2026-11-20");
    assert_eq!(due.day.to_string(), "2026-12-20");
    assert_eq!(due.at_ms, 1_797_793_200_000, "2026-12-21T00:00+05:00");
    assert_eq!(due.calendar_version, 1);

    let producer = world.cast.producer;
    let export = form(&[("outcome", text("already_exported"))]);
    assert_eq!(
        code_of(world.by(producer, step(case, "dispose", export))),
        "TANBA-RECALL-EXPORT-DOCUMENT"
    );
    let export = form(&[
        ("outcome", text("already_exported")),
        ("export_document", text("DT 50506010/201126/0012345")),
    ]);
    world.by(producer, step(case, "dispose", export)).unwrap();
    let record = world.case(case);
    assert_eq!(record.state, "disposed");
    assert!(matches!(
        record.clocks["D-REC-2"].value.run,
        Run::Stopped { .. }
    ));
    assert_eq!(
        record.next_rung_ms, record.clocks["D-REC-1"].next_rung_ms,
        "no clock left to watch but D-REC-1"
    );
    world.assert_replay_equal();
}

#[test]
fn r_rec_12_reprocessed_goods_stay_blocked_until_their_conformity_is_confirmed() {
    let (mut world, units) = world_with_goods(2);
    let case = disposing(&mut world);
    let (producer, retailer) = (world.cast.producer, world.cast.retailer);
    world
        .by(
            producer,
            step(case, "dispose", form(&[("outcome", text("reprocessed"))])),
        )
        .unwrap();
    assert_eq!(
        world.sell(retailer, units[0]),
        Err("TANBA-ENGINE-RECALLED".into())
    );
    let confirm = form(&[("conformity_document", text("EAEU KZ D-KZ.AB12.B.00123/26"))]);
    world
        .by(producer, step(case, "confirm_conformity", confirm))
        .unwrap();
    assert_eq!(world.sell(retailer, units[0]).map(|_| ()), Ok(()));
    world.assert_replay_equal();
}

#[test]
fn r_rec_04_r_rec_11_a_removable_non_conformity_is_corrected_under_one_of_four_conditions() {
    let (mut world, units) = world_with_goods(1);
    let (producer, retailer) = (world.cast.producer, world.cast.retailer);
    let case = world.establish_ground(producer);
    world
        .by(
            producer,
            step(case, "start_recall", world.scope_form(Some("B-1"), &[])),
        )
        .unwrap();
    let past = world.today();
    let removable = |until: tanba_types::Date| {
        form(&[
            ("agreed_until", FieldValue::One(Scalar::Date(until))),
            ("corrective_actions", text("replace the filters")),
        ])
    };
    assert_eq!(
        code_of(world.by(producer, step(case, "assess_removable", removable(past)))),
        "TANBA-RECALL-AGREED-TERM"
    );
    world
        .by(
            producer,
            step(case, "assess_removable", removable(past.plus_days(14))),
        )
        .unwrap();
    let choice = |condition: &str| form(&[("condition", text(condition))]);
    assert_eq!(
        code_of(world.by(producer, step(case, "correct", choice("prayed")))),
        "TANBA-CASE-FIELD-CHOICE"
    );
    assert_eq!(
        code_of(world.by(
            producer,
            step(case, "correct", choice("corrective_actions_with_testing"))
        )),
        "TANBA-RECALL-CONFORMITY-DOCUMENT"
    );
    world
        .by(producer, step(case, "correct", choice("design_changed")))
        .unwrap();
    assert_eq!(world.case(case).state, "corrected");
    assert_eq!(
        world.sell(retailer, units[0]).map(|_| ()),
        Ok(()),
        "released"
    );
    world.assert_replay_equal();
}

fn report_form() -> Form {
    let quantity = |value: &str, unit: &str| {
        BTreeMap::from([
            (
                "quantity".to_owned(),
                Scalar::Decimal(Decimal::parse(value).unwrap()),
            ),
            ("unit".to_owned(), Scalar::Text(unit.to_owned())),
        ])
    };
    form(&[
        (
            "report_product_name",
            text("Filter cigarettes 'Dala', 20 sticks"),
        ),
        ("hs_code", text("2402209000")),
        (
            "quantities",
            FieldValue::Rows(vec![quantity("1000", "piece"), quantity("18.5", "kg")]),
        ),
        (
            "value",
            FieldValue::One(Scalar::Decimal(Decimal::parse("1250000.00").unwrap())),
        ),
        ("currency", text("KZT")),
        ("report_batch", text("B-1")),
        (
            "production_date",
            FieldValue::One(Scalar::Date("2026-11-01".parse().unwrap())),
        ),
        (
            "conformity_assessment",
            text("EAEU declaration D-KZ.AB12.B.00099/26"),
        ),
        (
            "violated_clauses",
            FieldValue::List(vec![Scalar::Text("TR CU 035/2014 art. 4".into())]),
        ),
    ])
}

#[test]
fn r_rec_05_the_report_is_format_checked_signed_and_reaches_the_authority_and_closes_the_case() {
    let (mut world, _) = world_with_goods(1);
    let case = disposing(&mut world);
    let producer = world.cast.producer;
    world
        .by(
            producer,
            step(case, "dispose", form(&[("outcome", text("destroyed"))])),
        )
        .unwrap();
    let mut bad = report_form();
    bad.insert("hs_code".into(), text("2402"));
    assert_eq!(
        code_of(world.by(producer, step(case, "report", bad))),
        "TANBA-CASE-FIELD-HS-CODE"
    );
    // A malformed currency and a well-formed one the reference set does not list are told
    // apart.
    for (currency, expected) in [
        ("tng", "TANBA-CASE-FIELD-CURRENCY"),
        ("TNG", "TANBA-CASE-FIELD-NOT-LISTED"),
    ] {
        let mut bad = report_form();
        bad.insert("currency".into(), text(currency));
        assert_eq!(
            code_of(world.by(producer, step(case, "report", bad))),
            expected
        );
    }
    let mut bad = report_form();
    let gallons = BTreeMap::from([
        (
            "quantity".to_owned(),
            Scalar::Decimal(Decimal::parse("3").unwrap()),
        ),
        ("unit".to_owned(), Scalar::Text("gallon".into())),
    ]);
    bad.insert("quantities".into(), FieldValue::Rows(vec![gallons]));
    assert_eq!(
        code_of(world.by(producer, step(case, "report", bad))),
        "TANBA-CASE-FIELD-CHOICE"
    );
    world
        .by(producer, step(case, "report", report_form()))
        .unwrap();
    let record = world.case(case);
    assert_eq!((record.state.as_str(), record.closed), ("reported", true));
    assert!(
        record
            .clocks
            .values()
            .all(|entry| matches!(entry.value.run, Run::Stopped { .. })),
        "a closed case stops its clocks"
    );
    assert_eq!(
        world.inbox(world.cast.authority),
        ["recall_started", "recall_report"]
    );
    let Some(Event::CaseStepped(report)) = world
        .history(case)
        .into_iter()
        .find(|event| matches!(event, Event::CaseStepped(step) if step.transition == "report"))
    else {
        panic!("the report is in the case history");
    };
    assert_eq!(
        report.signature,
        vec![9; 64],
        "the signed step is the record"
    );
    assert_eq!(
        code_of(world.by(
            producer,
            step(
                case,
                "refund",
                form(&[("units_refunded", FieldValue::One(Scalar::Integer(1)))])
            )
        )),
        "TANBA-CASE-CLOSED"
    );
    world.assert_replay_equal();
}

fn claim(
    world: &mut World,
    parent: CaseId,
    named: Vec<TaxpayerId>,
) -> Result<CaseId, &'static str> {
    let command = Command::Case(CaseCommand::Open {
        kind: "recall_claim".into(),
        transition: "claim".into(),
        authority: Some(world.cast.authority),
        parent: Some(parent),
        named,
        form: form(&[("claim", text("The cigarettes I bought smell of tar"))]),
        attachments: Vec::new(),
        signature: vec![9; 64],
    });
    world
        .by(world.cast.retailer, command)
        .map(|receipt| receipt.created.unwrap())
        .map_err(|error| error.code())
}

fn answer() -> Form {
    form(&[
        ("answer", text("We take the pack back")),
        ("measures", text("refund")),
    ])
}

#[test]
fn r_rec_08_a_rec_5_a_claim_is_answered_when_every_named_party_has_answered() {
    let (mut world, _) = world_with_goods(1);
    let (producer, wholesaler) = (world.cast.producer, world.cast.wholesaler);
    let recall = world.establish_ground(producer);
    assert_eq!(
        claim(&mut world, recall, Vec::new()),
        Err("TANBA-RECALL-NO-ADDRESSEE")
    );
    assert_eq!(
        claim(&mut world, recall + 1_000, vec![producer]),
        Err("TANBA-CASE-PARENT")
    );
    let case = claim(&mut world, recall, vec![producer, wholesaler]).unwrap();
    assert_eq!(world.inbox(producer), ["claim_received"]);
    assert_eq!(world.inbox(wholesaler), ["claim_received"]);
    world.by(producer, step(case, "answer", answer())).unwrap();
    assert_eq!(
        world.case(case).state,
        "claim_received",
        "one of two answered"
    );
    assert_eq!(
        code_of(world.by(producer, step(case, "answer", answer()))),
        "TANBA-RECALL-ANSWERED"
    );
    assert_eq!(
        code_of(world.by(world.cast.retailer, step(case, "answer", answer()))),
        "TANBA-CASE-NOT-YOUR-STEP"
    );
    world
        .by(wholesaler, step(case, "answer", answer()))
        .unwrap();
    let record = world.case(case);
    assert_eq!(record.state, "claim_answered");
    assert!(matches!(
        record.clocks["D-REC-4"].value.run,
        Run::Stopped { .. }
    ));
    assert_eq!(
        world.inbox(world.cast.retailer),
        ["claim_answered", "claim_answered"]
    );
    let children = query::child_cases(world.store.snapshot().as_ref(), recall, 0, 10).unwrap();
    assert_eq!(
        children.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [case]
    );
    world.assert_replay_equal();
}

#[test]
fn r_rec_08_a_claim_answered_late_shows_overdue_to_the_authority_once() {
    let (mut world, _) = world_with_goods(1);
    let producer = world.cast.producer;
    let recall = world.establish_ground(producer);
    let case = claim(&mut world, recall, vec![producer]).unwrap();
    let registered = world.case(case).clocks["D-REC-4"].value.clone();
    let due = registered.due().unwrap().clone();
    assert_eq!(
        due.day,
        world.today().plus_days(10),
        "A-REC-4: 10 CD from registration"
    );

    // The recall's own D-REC-1 warning is due already (its ground arose yesterday); once
    // fired, nothing is due: the tick is refused and writes nothing.
    world.system(Command::Case(CaseCommand::Tick)).unwrap();
    let head = world.head();
    assert_eq!(
        code_of(world.system(Command::Case(CaseCommand::Tick))),
        "TANBA-ENGINE-INVALID"
    );
    assert_eq!(world.head(), head);

    // Past the due moment, one tick fires every rung passed, in order, once.
    world.now_ms = due.at_ms + 1;
    world.system(Command::Case(CaseCommand::Tick)).unwrap();
    let fired: Vec<Rung> = world
        .history(case)
        .into_iter()
        .filter_map(|event| match event {
            Event::CaseClockSet {
                change: ClockChange::Fired(rung),
                ..
            } => Some(rung),
            _ => None,
        })
        .collect();
    assert_eq!(fired, [Rung::Approaching, Rung::DueToday, Rung::Overdue]);
    assert_eq!(world.inbox(world.cast.authority), ["claim_overdue"]);
    assert_eq!(
        code_of(world.system(Command::Case(CaseCommand::Tick))),
        "TANBA-ENGINE-INVALID"
    );
    // The overdue answer still counts; the buyer may escalate.
    world.by(producer, step(case, "answer", answer())).unwrap();
    world
        .by(
            world.cast.retailer,
            step(case, "escalate", form(&[("reason", text("no refund"))])),
        )
        .unwrap();
    assert_eq!(world.case(case).state, "escalated");
    // Only the system ticks.
    assert_eq!(
        code_of(world.by(producer, Command::Case(CaseCommand::Tick))),
        "TANBA-ENGINE-SYSTEM-ONLY"
    );
    world.assert_replay_equal();
}

#[test]
fn rungs_fire_in_their_own_ticks_and_the_due_index_moves_to_the_next_one() {
    let (mut world, _) = world_with_goods(1);
    let producer = world.cast.producer;
    let recall = world.establish_ground(producer);
    let case = claim(&mut world, recall, vec![producer]).unwrap();
    let clock = world.case(case).clocks["D-REC-4"].clone();
    let approaching = clock.next_rung_ms.unwrap();
    assert!(approaching < clock.value.due().unwrap().at_ms);
    world.now_ms = approaching;
    world.system(Command::Case(CaseCommand::Tick)).unwrap();
    let after = world.case(case);
    assert_eq!(after.clocks["D-REC-4"].value.fired.len(), 1);
    assert!(
        after.next_rung_ms.unwrap() > approaching,
        "the index entry moved on"
    );
    assert_eq!(
        code_of(world.system(Command::Case(CaseCommand::Tick))),
        "TANBA-ENGINE-INVALID"
    );
    world.assert_replay_equal();
}

#[test]
fn a_new_calendar_recomputes_open_clocks_forward_only_and_says_so_in_their_history() {
    let (mut world, _) = world_with_goods(1);
    let case = disposing(&mut world);
    let before = world.case(case).clocks["D-REC-2"].value.clone();
    let next = tanba_cases::calendar::START_CALENDAR_TOML.replacen("version = 1", "version = 2", 1);
    world
        .system(Command::PublishCalendar { toml: next })
        .unwrap();
    world.system(Command::Case(CaseCommand::Tick)).unwrap();
    let after = world.case(case).clocks["D-REC-2"].value.clone();
    assert_eq!(after.due().unwrap().calendar_version, 2);
    assert_eq!(
        after.due().unwrap().at_ms,
        before.due().unwrap().at_ms,
        "calendar days move not"
    );
    let recomputed = world.history(case).into_iter().any(|event| {
        matches!(
            event,
            Event::CaseClockSet {
                change: ClockChange::Recomputed { from_version: 1 },
                ..
            }
        )
    });
    assert!(recomputed, "the history says the clock was recomputed");
    assert_eq!(
        code_of(world.system(Command::Case(CaseCommand::Tick))),
        "TANBA-ENGINE-INVALID"
    );
    world.assert_replay_equal();
}

#[test]
fn notices_are_read_once_by_their_addressee_only() {
    let (mut world, _) = world_with_goods(1);
    let producer = world.cast.producer;
    let recall = world.establish_ground(producer);
    claim(&mut world, recall, vec![producer]).unwrap();
    let (notice, record) = query::inbox(world.store.snapshot().as_ref(), &producer, 0, 10)
        .unwrap()
        .remove(0);
    assert!(record.made_available_ms > START_MS && record.read_ms.is_none());
    let read = Command::Case(CaseCommand::ReadNotice { notice });
    assert_eq!(
        code_of(world.by(world.cast.wholesaler, read.clone())),
        "TANBA-ENGINE-UNKNOWN-NOTICE"
    );
    world.by(producer, read.clone()).unwrap();
    assert_eq!(code_of(world.by(producer, read)), "TANBA-ENGINE-INVALID");
    let read_ms = query::notice(world.store.snapshot().as_ref(), notice)
        .unwrap()
        .unwrap()
        .read_ms;
    assert!(read_ms.is_some());
    world.assert_replay_equal();
}

#[test]
fn parties_and_authorities_list_their_own_cases() {
    let (mut world, _) = world_with_goods(1);
    let (producer, authority) = (world.cast.producer, world.cast.authority);
    let recall = world.establish_ground(producer);
    let case = claim(&mut world, recall, vec![producer]).unwrap();
    let snapshot = world.store.snapshot();
    let ids = |who: &TaxpayerId, list| {
        query::cases(snapshot.as_ref(), who, list, 0, 10)
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&producer, CaseList::AsParty),
        [recall, case],
        "party and named"
    );
    assert_eq!(ids(&world.cast.retailer, CaseList::AsParty), [case]);
    assert_eq!(ids(&authority, CaseList::AsAuthority), [recall, case]);
    assert!(ids(&world.cast.authority2, CaseList::AsAuthority).is_empty());
}

#[test]
fn r_rec_04_r_rec_10_every_holder_learns_its_exact_count_and_the_case_counts_what_became_of_each_unit()
 {
    let mut world = World::new(11);
    world.publish_start_calendar();
    let (producer, wholesaler, retailer) = (
        world.cast.producer,
        world.cast.wholesaler,
        world.cast.retailer,
    );
    let units = world.produce_in_batch(world.cast.unit, 11, "B-1");
    let document = world.ship(producer, wholesaler, &units[..7]);
    world.accept_all(wholesaler, document);
    let document = world.ship(wholesaler, retailer, &units[5..7]);
    world.accept_all(retailer, document);
    world.sell(retailer, units[6]).unwrap();
    // Under way as the recall starts: the buyer may not take recalled goods.
    let in_transit = world.ship(producer, retailer, &units[10..]);

    let case = world.establish_ground(producer);
    let scope = world.scope_form(Some("B-1"), &[]);
    world
        .by(producer, step(case, "start_recall", scope))
        .unwrap();
    world.finish_sweeps();

    let snapshot = world.store.snapshot();
    let counts: BTreeMap<TaxpayerId, (u64, u64)> =
        query::holders(snapshot.as_ref(), case, None, 100)
            .unwrap()
            .into_iter()
            .map(|(holder, counts)| (holder, (counts.held, counts.sold)))
            .collect();
    let expected = BTreeMap::from([(producer, (4, 0)), (wholesaler, (5, 0)), (retailer, (1, 1))]);
    assert_eq!(counts, expected, "held and sold per holder, exactly");
    let listed: BTreeMap<CodeKey, query::AtRecall> =
        query::holder_units(snapshot.as_ref(), case, &retailer, None, 100)
            .unwrap()
            .into_iter()
            .collect();
    let expected = BTreeMap::from([
        (units[5], query::AtRecall::Held),
        (units[6], query::AtRecall::Sold),
    ]);
    assert_eq!(listed, expected);
    drop(snapshot);
    assert_eq!(world.inbox(wholesaler), ["recall_holder"]);
    assert_eq!(world.inbox(retailer), ["recall_holder"]);
    assert!(world.inbox(producer).is_empty(), "the party knows its own");
    let notice = query::inbox(world.store.snapshot().as_ref(), &wholesaler, 0, 10).unwrap();
    assert!(
        notice[0]
            .1
            .notice
            .subject
            .en
            .contains("You hold 5 recalled units"),
        "{:?}",
        notice[0].1.notice.subject
    );

    // Recalled goods go back to the party, and nowhere else.
    let accept = Command::Accept {
        document: in_transit,
        items: None,
        signature: vec![1; 64],
    };
    assert_eq!(
        code_of(world.by(retailer, accept)),
        "TANBA-ENGINE-RECALL-RETURN-ONLY"
    );
    let reject = Command::Reject {
        document: in_transit,
        signature: vec![1; 64],
    };
    world.by(retailer, reject).unwrap();
    let onward = Command::Ship {
        buyer: retailer,
        items: vec![units[0]],
        signature: vec![7; 64],
    };
    assert_eq!(
        code_of(world.by(wholesaler, onward)),
        "TANBA-ENGINE-RECALL-RETURN-ONLY"
    );
    let back = world.ship(wholesaler, producer, &units[..2]);
    world.accept_all(producer, back);

    let effect = |world: &World, holder| {
        query::holder_effect(world.store.snapshot().as_ref(), case, &producer, &holder).unwrap()
    };
    let wholesaler_effect = effect(&world, wholesaler);
    assert_eq!(
        (
            wholesaler_effect.recalled,
            wholesaler_effect.returned,
            wholesaler_effect.still_held
        ),
        (5, 2, 3)
    );
    let retailer_effect = effect(&world, retailer);
    assert_eq!(
        (retailer_effect.still_held, retailer_effect.sold_before),
        (1, 1)
    );

    // Disposal withdraws what the party holds (its own and the returned), nothing else.
    world
        .by(
            producer,
            step(case, "assess_irremovable", form(&[("reason", text("tar"))])),
        )
        .unwrap();
    let destroyed = form(&[("outcome", text("destroyed"))]);
    world
        .by(producer, step(case, "dispose", destroyed))
        .unwrap();
    world.finish_sweeps();
    let disposed =
        tanba_types::CodeStatus::Withdrawn(tanba_types::WithdrawalReason::RecallDisposal);
    for unit in [units[0], units[1], units[7], units[10]] {
        assert_eq!(world.card(&unit).status, disposed, "{unit}");
    }
    assert_ne!(
        world.card(&units[2]).status,
        disposed,
        "still at the wholesaler"
    );
    let wholesaler_effect = effect(&world, wholesaler);
    assert_eq!(
        (wholesaler_effect.disposed, wholesaler_effect.still_held),
        (2, 3)
    );
    assert_eq!(effect(&world, producer).disposed, 4);
    world.assert_replay_equal();
}

#[test]
fn r_rec_07_an_opted_in_buyer_is_told_directly_and_each_buyers_notice_is_timed() {
    let (mut world, units) = world_with_goods(3);
    let (producer, retailer) = (world.cast.producer, world.cast.retailer);
    world.sell(retailer, units[0]).unwrap();
    let sealed = |bytes: usize| tanba_types::SealedContact {
        verifier: [3; 32],
        ciphertext: vec![0xA5; bytes],
    };
    let opt_in = |world: &mut World, code: CodeKey| {
        let contact = sealed(12 + 16);
        world.run(
            tanba_types::Actor::Public,
            Command::ConsumerOptIn { code, contact },
        )
    };
    let bought = opt_in(&mut world, units[0]).unwrap().first_sequence;
    // Only the public door opts in, for units, a few per unit, with a sealed contact of a
    // contact's size.
    let by_retailer = Command::ConsumerOptIn {
        code: units[0],
        contact: sealed(28),
    };
    assert_eq!(
        code_of(world.by(retailer, by_retailer)),
        "TANBA-ENGINE-INVALID"
    );
    let sizes = [16, tanba_types::limits::SEALED_CONTACT_BYTES_MAX + 1];
    for bytes in sizes {
        let command = Command::ConsumerOptIn {
            code: units[0],
            contact: sealed(bytes),
        };
        let refused = world.run(tanba_types::Actor::Public, command);
        assert_eq!(code_of(refused), "TANBA-ENGINE-INVALID", "{bytes} bytes");
    }
    let read_sealed = |world: &World, opt_in| {
        let snapshot = world.store.snapshot();
        tanba_engine::consumers::sealed_contact(snapshot.as_ref(), opt_in).unwrap()
    };
    assert_eq!(read_sealed(&world, bought), Some(sealed(28)));
    let withdrawn = opt_in(&mut world, units[1]).unwrap().first_sequence;
    world
        .run(
            tanba_types::Actor::Public,
            Command::ConsumerOptOut { opt_in: withdrawn },
        )
        .unwrap();
    // The opt-out takes the sealed contact out of the state with it.
    assert_eq!(read_sealed(&world, withdrawn), None);
    for _ in 0..3 {
        opt_in(&mut world, units[2]).unwrap();
    }
    assert_eq!(
        code_of(opt_in(&mut world, units[2])),
        "TANBA-ENGINE-LIMIT-EXCEEDED"
    );

    let case = world.establish_ground(producer);
    let scope = world.scope_form(Some("B-1"), &[]);
    world
        .by(producer, step(case, "start_recall", scope))
        .unwrap();
    world.finish_sweeps();
    let snapshot = world.store.snapshot();
    let notified = tanba_engine::consumers::case_notices(snapshot.as_ref(), case, 0, 100).unwrap();
    // The buyer of the sold unit; not the withdrawn opt-in; the unsold unit's opt-ins are the
    // retailer's to handle (it is notified as a holder).
    assert_eq!(
        notified.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [bought]
    );
    assert_eq!(
        tanba_engine::consumers::opt_in_notices(snapshot.as_ref(), bought, 10).unwrap(),
        [(case, notified[0].1)]
    );
    drop(snapshot);

    // Opting in for a unit recalled already: told in the same commit.
    let late = world.sell(retailer, units[1]);
    assert_eq!(late, Err("TANBA-ENGINE-RECALLED".into()));
    let receipt = opt_in(&mut world, units[1]).unwrap();
    assert_eq!(receipt.last_sequence, receipt.first_sequence + 1);
    let snapshot = world.store.snapshot();
    let notified = tanba_engine::consumers::case_notices(snapshot.as_ref(), case, 0, 100).unwrap();
    assert_eq!(notified.len(), 2);
    drop(snapshot);
    world.assert_replay_equal();
}

#[test]
fn attachments_stream_in_chunks_and_a_step_names_only_its_actors_uploads() {
    let (mut world, _) = world_with_goods(1);
    let (producer, retailer) = (world.cast.producer, world.cast.retailer);
    let store: std::sync::Arc<dyn Store> = world.store.clone();
    let bytes: Vec<u8> = (0..600_000u32).map(|n| (n % 251) as u8).collect();
    let (hash, size_bytes) = world.upload(producer, 7, &bytes);
    assert_eq!(size_bytes, 600_000);
    let snapshot = store.snapshot();
    let meta = tanba_engine::blobs::blob(snapshot.as_ref(), &hash)
        .unwrap()
        .unwrap();
    assert_eq!(meta.chunks, 3, "256 KiB chunks");
    let read: Vec<u8> = (0..meta.chunks)
        .flat_map(|index| tanba_engine::blobs::blob_chunk(snapshot.as_ref(), &meta, index).unwrap())
        .collect();
    assert!(read == bytes, "read back as written");
    drop(snapshot);

    let attachment = tanba_types::AttachmentRef {
        hash,
        name: "lab-report.pdf".into(),
        media_type: "application/pdf".into(),
        size_bytes,
        language: Some("ru".into()),
        translation_of: None,
    };
    let authority = world.cast.authority;
    let opening = |attachments: Vec<tanba_types::AttachmentRef>, form: Form| {
        Command::Case(CaseCommand::Open {
            kind: "recall".into(),
            transition: "establish_ground".into(),
            authority: Some(authority),
            parent: None,
            named: Vec::new(),
            form,
            attachments,
            signature: vec![9; 64],
        })
    };
    let ground = world.ground_form();
    let command = opening(vec![attachment.clone()], ground.clone());
    let case = world.by(producer, command).unwrap().created.unwrap();
    assert_eq!(
        world.case(case).attachments,
        std::slice::from_ref(&attachment)
    );
    // Knowing a file's hash and size is no licence to name someone else's upload; nor is a
    // size that is not the stored one.
    let claim = Command::Case(CaseCommand::Open {
        kind: "recall_claim".into(),
        transition: "claim".into(),
        authority: Some(authority),
        parent: Some(case),
        named: vec![producer],
        form: form(&[("claim", text("see the report"))]),
        attachments: vec![attachment.clone()],
        signature: vec![9; 64],
    });
    assert_eq!(
        code_of(world.by(retailer, claim)),
        "TANBA-ENGINE-UNKNOWN-ATTACHMENT"
    );
    let wrong_size = tanba_types::AttachmentRef {
        size_bytes: size_bytes + 1,
        ..attachment
    };
    assert_eq!(
        code_of(world.by(producer, opening(vec![wrong_size], ground))),
        "TANBA-ENGINE-UNKNOWN-ATTACHMENT"
    );
    world.assert_replay_equal();
}
