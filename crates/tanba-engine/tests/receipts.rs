//! Fiscal receipts (R-IS-13), one test per rule: a sale is recorded by its receipt alone, line
//! by line (refused lines set aside with why, the rest sold); the receipt and its answer are one
//! log entry, so a resend is recognised and other content under the same id refused; a return
//! names its sale, and each unit comes back at most once per sale, to its seller, within its
//! category's return period; a fiscal data operator acts only for the sellers it is registered
//! to serve, on those days, and the log names both.

mod support;

use support::{START_MS, World, code_of, names, participant, sscc, taxpayer};
use tanba_engine::{EngineError, query};
use tanba_store::Store;
use tanba_types::{
    Actor, Category, CodeKey, CodeStatus, Command, Date, Event, FiscalAgency, Role, SaleLine,
    TailProfile, TaxpayerId, WithdrawalReason,
};

const DAY_MS: u64 = 86_400_000;

fn lines(codes: &[&str]) -> Vec<SaleLine> {
    codes
        .iter()
        .map(|code| SaleLine {
            code: (*code).to_owned(),
            price_tiyn: 50_000,
        })
        .collect()
}

fn sale(receipt_id: &str, codes: &[CodeKey]) -> Command {
    let texts: Vec<String> = codes.iter().map(ToString::to_string).collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    Command::RecordSale {
        receipt_id: receipt_id.into(),
        printed_ms: START_MS,
        lines: lines(&texts),
    }
}

/// A fiscal data operator, registered (not yet serving anyone).
fn fiscal_operator(world: &mut World) -> TaxpayerId {
    let id = taxpayer(800);
    world
        .system(Command::RegisterParticipant(participant(
            id,
            "Kazakhtelecom OFD",
            &[Role::FiscalDataOperator],
        )))
        .unwrap();
    id
}

fn serving(operator: TaxpayerId, seller: TaxpayerId, from: Date, until: Option<Date>) -> Command {
    Command::AssignFiscalOperator(FiscalAgency {
        operator,
        seller,
        valid_from: from,
        valid_until: until,
    })
}

#[test]
fn r_is_13_a_sale_is_recorded_by_its_receipt_only() {
    let mut world = World::new(1);
    let units = world.at_retailer(1);
    let withdraw = Command::Withdraw {
        codes: units.clone(),
        reason: WithdrawalReason::RetailSale,
        document: Some("R-1".into()),
        export: None,
        eaeu: None,
    };
    assert_eq!(
        code_of(world.by(world.cast.retailer, withdraw)),
        "TANBA-ENGINE-SALE-NEEDS-RECEIPT"
    );
    assert_eq!(world.card(&units[0]).status, CodeStatus::Introduced);
}

#[test]
fn r_is_13_refused_lines_are_set_aside_with_why_and_the_rest_is_sold() {
    let mut world = World::new(2);
    let units = world.at_retailer(4);
    let (retailer, producer) = (world.cast.retailer, world.cast.producer);
    let elsewhere = world.produce(world.cast.unit, 1);
    world.sell(retailer, units[3]).unwrap();
    let forged = format!("{}(91)ZZZZ(92){}", units[1], "A".repeat(86));
    let receipt_lines = [
        units[0].to_string(),
        units[0].to_string(),     // the same code twice
        units[3].to_string(),     // sold already
        elsewhere[0].to_string(), // the producer's
        "(01)1234".to_owned(),    // not a code
        forged,                   // a tail that was never issued
        units[2].to_string(),
    ];
    let texts: Vec<&str> = receipt_lines.iter().map(String::as_str).collect();
    let command = Command::RecordSale {
        receipt_id: "R-7".into(),
        printed_ms: START_MS,
        lines: lines(&texts),
    };
    let receipt = world.by(retailer, command).unwrap();
    let refused = world.refused_lines(receipt.last_sequence, receipt_lines.len());
    assert_eq!(refused[0], None);
    assert_eq!(
        refused[1].as_deref(),
        Some("TANBA-ENGINE-REPEATED-ON-RECEIPT")
    );
    assert_eq!(refused[2].as_deref(), Some("TANBA-CODE-WRONG-STATUS"));
    assert_eq!(refused[3].as_deref(), Some("TANBA-ENGINE-NOT-OWNER"));
    assert!(refused[4].as_deref().unwrap().starts_with("TANBA-"));
    assert_eq!(refused[5].as_deref(), Some("TANBA-ENGINE-FORGED-TAIL"));
    assert_eq!(refused[6], None);
    let sold = CodeStatus::Withdrawn(WithdrawalReason::RetailSale);
    assert_eq!(world.card(&units[0]).status, sold);
    assert_eq!(world.card(&units[1]).status, CodeStatus::Introduced);
    assert_eq!(world.card(&units[2]).status, sold);
    assert_eq!(world.card(&elsewhere[0]).owner, producer);
    world.assert_replay_equal();
}

#[test]
fn r_is_13_a_unit_beside_its_own_box_on_one_receipt_is_sold_once() {
    let mut world = World::new(3);
    let units = world.produce(world.cast.unit, 2);
    let (producer, retailer) = (world.cast.producer, world.cast.retailer);
    world.pack(producer, sscc(1), units.clone());
    let document = world.ship(producer, retailer, &[sscc(1)]);
    world.accept_all(retailer, document);
    let outcome = world
        .sell_as(Actor::Participant(retailer), "R-1", &[sscc(1), units[0]])
        .unwrap();
    assert_eq!(
        outcome,
        [None, Some("TANBA-ENGINE-REPEATED-ON-RECEIPT".to_owned())]
    );
    let outcome = world
        .sell_as(Actor::Participant(retailer), "R-2", &[sscc(1)])
        .unwrap();
    assert_eq!(outcome[0].as_deref(), Some("TANBA-CODE-WRONG-STATUS"));
    world.assert_replay_equal();
}

#[test]
fn r_is_13_a_resent_receipt_is_recognised_and_other_content_under_its_id_refused() {
    let mut world = World::new(4);
    let units = world.at_retailer(4);
    let retailer = world.cast.retailer;
    let first = world.by(retailer, sale("R-1", &units[..1])).unwrap();
    match world.by(retailer, sale("R-1", &units[..1])) {
        Err(EngineError::ReceiptRecorded { receipt, sequence }) => {
            assert_eq!((receipt.as_str(), sequence), ("R-1", first.last_sequence));
        }
        other => panic!("expected RECEIPT-RECORDED, got {other:?}"),
    }
    assert_eq!(
        code_of(world.by(retailer, sale("R-1", &units[1..2]))),
        "TANBA-ENGINE-RECEIPT-MISMATCH"
    );
    assert_eq!(world.card(&units[1]).status, CodeStatus::Introduced);
    // Two copies in one group: the second sees the first.
    let actor = Actor::Participant(retailer);
    let outcomes = world.run_group(vec![
        (actor, sale("R-2", &units[2..3])),
        (actor, sale("R-2", &units[2..3])),
    ]);
    assert!(outcomes[0].is_ok());
    assert_eq!(
        outcomes[1].as_ref().unwrap_err().code(),
        "TANBA-ENGINE-RECEIPT-RECORDED"
    );
    // Another seller's receipt ids are its own.
    let other_shop = taxpayer(401);
    world
        .system(Command::RegisterParticipant(participant(
            other_shop,
            "Other Shop",
            &[Role::Retailer],
        )))
        .unwrap();
    let outcome = world
        .sell_as(Actor::Participant(other_shop), "R-1", &units[3..4])
        .unwrap();
    assert_eq!(outcome[0].as_deref(), Some("TANBA-ENGINE-NOT-OWNER"));
    world.assert_replay_equal();
}

#[test]
fn r_is_13_a_receipt_whose_every_line_is_refused_is_still_recorded_once() {
    let mut world = World::new(5);
    let retailer = world.cast.retailer;
    let command = Command::RecordSale {
        receipt_id: "R-1".into(),
        printed_ms: START_MS,
        lines: lines(&["not a code"]),
    };
    let receipt = world.by(retailer, command.clone()).unwrap();
    let record = query::log_record(world.store.snapshot().as_ref(), receipt.last_sequence)
        .unwrap()
        .unwrap();
    assert!(matches!(record.event, Event::Sold { ref sold, .. } if sold.is_empty()));
    assert_eq!(
        code_of(world.by(retailer, command)),
        "TANBA-ENGINE-RECEIPT-RECORDED"
    );
}

#[test]
fn r_is_13_receipts_are_checked_as_a_whole_first() {
    let mut world = World::new(6);
    let units = world.at_retailer(1);
    let retailer = world.cast.retailer;
    let empty = Command::RecordSale {
        receipt_id: "R-1".into(),
        printed_ms: 0,
        lines: Vec::new(),
    };
    assert_eq!(code_of(world.by(retailer, empty)), "TANBA-ENGINE-INVALID");
    assert_eq!(
        code_of(world.by(retailer, sale(" ", &units))),
        "TANBA-ENGINE-INVALID"
    );
    let too_long = "x".repeat(tanba_types::limits::SCANNED_CODE_CHARS_MAX + 1);
    let long_line = Command::RecordSale {
        receipt_id: "R-1".into(),
        printed_ms: 0,
        lines: lines(&[&too_long]),
    };
    assert_eq!(
        code_of(world.by(retailer, long_line)),
        "TANBA-ENGINE-LIMIT-EXCEEDED"
    );
    assert_eq!(
        code_of(world.by(world.cast.wholesaler, sale("R-1", &units))),
        "TANBA-ENGINE-ROLE-REQUIRED"
    );
}

#[test]
fn r_is_13_a_return_names_its_sale_and_each_unit_comes_back_once() {
    let mut world = World::new(7);
    let units = world.at_retailer(3);
    let retailer = world.cast.retailer;
    let sold = world
        .sell_as(Actor::Participant(retailer), "S-1", &units[..2])
        .unwrap();
    assert_eq!(sold, [None, None]);
    // A line a sale refused was not sold on it (sold on S-1 already).
    let refused = world
        .sell_as(Actor::Participant(retailer), "S-2", &[units[1], units[2]])
        .unwrap();
    assert_eq!(refused[0].as_deref(), Some("TANBA-CODE-WRONG-STATUS"));
    assert_eq!(refused[1], None);
    assert_eq!(
        code_of(world.take_back(retailer, "S-2", &units[1..2])),
        "TANBA-ENGINE-NOT-ON-RECEIPT"
    );
    assert_eq!(
        code_of(world.take_back(retailer, "S-404", &units[..1])),
        "TANBA-ENGINE-UNKNOWN-RECEIPT"
    );
    assert_eq!(
        code_of(world.take_back(retailer, "S-1", &units[2..3])),
        "TANBA-ENGINE-NOT-ON-RECEIPT"
    );
    world.take_back(retailer, "S-1", &units[..1]).unwrap();
    assert_eq!(world.card(&units[0]).status, CodeStatus::Introduced);
    // Sold again on another receipt: the first sale's return is spent.
    let again = world.sell(retailer, units[0]).unwrap();
    assert_eq!(
        code_of(world.take_back(retailer, "S-1", &units[..1])),
        "TANBA-ENGINE-ALREADY-RETURNED"
    );
    world.take_back(retailer, &again, &units[..1]).unwrap();
    // All or nothing.
    assert_eq!(
        code_of(world.take_back(retailer, "S-1", &[units[1], units[0]])),
        "TANBA-ENGINE-ALREADY-RETURNED"
    );
    assert_eq!(
        world.card(&units[1]).status,
        CodeStatus::Withdrawn(WithdrawalReason::RetailSale)
    );
    world.assert_replay_equal();
}

#[test]
fn r_is_13_a_resent_return_is_recognised() {
    let mut world = World::new(8);
    let units = world.at_retailer(2);
    let retailer = world.cast.retailer;
    world
        .sell_as(Actor::Participant(retailer), "S-1", &units)
        .unwrap();
    let back = |codes: &[CodeKey]| Command::RecordReturn {
        receipt_id: "B-1".into(),
        sale_receipt_id: "S-1".into(),
        codes: codes.to_vec(),
    };
    world.by(retailer, back(&units[..1])).unwrap();
    assert_eq!(
        code_of(world.by(retailer, back(&units[..1]))),
        "TANBA-ENGINE-RECEIPT-RECORDED"
    );
    assert_eq!(
        code_of(world.by(retailer, back(&units[1..]))),
        "TANBA-ENGINE-RECEIPT-MISMATCH"
    );
}

#[test]
fn r_is_13_only_the_seller_takes_its_sales_back() {
    let mut world = World::new(9);
    let units = world.at_retailer(1);
    let retailer = world.cast.retailer;
    let sale_id = world.sell(retailer, units[0]).unwrap();
    let other_shop = taxpayer(401);
    world
        .system(Command::RegisterParticipant(participant(
            other_shop,
            "Other Shop",
            &[Role::Retailer],
        )))
        .unwrap();
    assert_eq!(
        code_of(world.take_back(other_shop, &sale_id, &units)),
        "TANBA-ENGINE-UNKNOWN-RECEIPT"
    );
}

#[test]
fn r_is_13_returns_are_taken_within_the_categorys_period() {
    let mut world = World::new(10);
    let units = world.at_retailer(2);
    let retailer = world.cast.retailer;
    world
        .system(Command::DefineCategory(Category {
            code: "tobacco".into(),
            names: names("tobacco"),
            tail_profile: TailProfile::Full,
            return_period_days: 3,
            control_list_code: None,
        }))
        .unwrap();
    world
        .sell_as(Actor::Participant(retailer), "S-1", &units)
        .unwrap();
    world.now_ms += 3 * DAY_MS;
    world.take_back(retailer, "S-1", &units[..1]).unwrap();
    world.now_ms += DAY_MS;
    assert_eq!(
        code_of(world.take_back(retailer, "S-1", &units[1..])),
        "TANBA-ENGINE-RETURN-PERIOD-OVER"
    );
    // A category that takes nothing back.
    world
        .system(Command::DefineCategory(Category {
            code: "tobacco".into(),
            names: names("tobacco"),
            tail_profile: TailProfile::Full,
            return_period_days: 0,
            control_list_code: None,
        }))
        .unwrap();
    let again = world.sell(retailer, units[0]).unwrap();
    assert_eq!(
        code_of(world.take_back(retailer, &again, &units[..1])),
        "TANBA-ENGINE-RETURN-PERIOD-OVER"
    );
}

#[test]
fn r_is_13_a_fiscal_data_operator_acts_only_for_sellers_it_serves_on_those_days() {
    let mut world = World::new(11);
    let units = world.at_retailer(3);
    let retailer = world.cast.retailer;
    let operator = fiscal_operator(&mut world);
    let acting = Actor::FiscalOperator {
        operator,
        seller: retailer,
    };
    assert_eq!(
        code_of(world.run(acting, sale("F-1", &units[..1]))),
        "TANBA-ENGINE-NOT-SERVED"
    );
    let today = world.today();
    world
        .by(
            world.cast.operator,
            serving(operator, retailer, today, Some(today.plus_days(1))),
        )
        .unwrap();
    let receipt = world.run(acting, sale("F-1", &units[..1])).unwrap();
    let record = query::log_record(world.store.snapshot().as_ref(), receipt.last_sequence)
        .unwrap()
        .unwrap();
    assert_eq!(
        record.actor, acting,
        "the log names the operator and the seller"
    );
    // The seller's receipt ids are one space, whoever sends them.
    assert_eq!(
        code_of(world.by(retailer, sale("F-1", &units[..1]))),
        "TANBA-ENGINE-RECEIPT-RECORDED"
    );
    world
        .run(
            acting,
            Command::RecordReturn {
                receipt_id: "F-B-1".into(),
                sale_receipt_id: "F-1".into(),
                codes: units[..1].to_vec(),
            },
        )
        .unwrap();
    // Past the contract's last day, nothing more.
    world.now_ms += 2 * DAY_MS;
    assert_eq!(
        code_of(world.run(acting, sale("F-2", &units[1..2]))),
        "TANBA-ENGINE-NOT-SERVED"
    );
    // Only for receipts: an operator moves no goods, even for a seller it serves.
    let ship = Command::Withdraw {
        codes: units[2..].to_vec(),
        reason: WithdrawalReason::WriteOff,
        document: None,
        export: None,
        eaeu: None,
    };
    assert_eq!(code_of(world.run(acting, ship)), "TANBA-ENGINE-INVALID");
    world.assert_replay_equal();
}

#[test]
fn r_is_13_only_the_operator_registers_fiscal_data_operators_for_retailers() {
    let mut world = World::new(12);
    let operator = fiscal_operator(&mut world);
    let (retailer, producer) = (world.cast.retailer, world.cast.producer);
    let today = world.today();
    assert_eq!(
        code_of(world.by(retailer, serving(operator, retailer, today, None))),
        "TANBA-ENGINE-ROLE-REQUIRED"
    );
    let registrar = world.cast.operator;
    assert_eq!(
        code_of(world.by(registrar, serving(producer, retailer, today, None))),
        "TANBA-ENGINE-ROLE-REQUIRED"
    );
    assert_eq!(
        code_of(world.by(registrar, serving(operator, producer, today, None))),
        "TANBA-ENGINE-ROLE-REQUIRED"
    );
    assert_eq!(
        code_of(world.by(
            registrar,
            serving(
                operator,
                retailer,
                today,
                Some(Date::from_unix_ms_in_kz(world.now_ms - DAY_MS))
            )
        )),
        "TANBA-ENGINE-INVALID"
    );
    world
        .by(registrar, serving(operator, retailer, today, None))
        .unwrap();
    let agencies = query::fiscal_agencies(world.store.snapshot().as_ref(), &operator, 10).unwrap();
    assert_eq!(agencies.len(), 1);
    assert_eq!(agencies[0].seller, retailer);
    world.assert_replay_equal();
}

#[test]
fn r_is_13_goods_past_their_expiry_date_are_not_sold() {
    let mut world = World::new(12);
    let (producer, retailer) = (world.cast.producer, world.cast.retailer);
    let units = world.emit(producer, world.cast.unit, 2);
    let today = world.today();
    world
        .by(
            producer,
            Command::ReportApplied {
                codes: units.clone(),
                production_date: today,
                expiry_date: Some(today.plus_days(1)),
                batch: None,
            },
        )
        .unwrap();
    world
        .by(
            producer,
            Command::Introduce {
                codes: units.clone(),
                introduction: tanba_types::Introduction::OwnProduction,
            },
        )
        .unwrap();
    let document = world.ship(producer, retailer, &units);
    world.accept_all(retailer, document);
    // On its last day it sells; the day after, it does not.
    world.now_ms += DAY_MS;
    assert!(world.sell(retailer, units[0]).is_ok());
    world.now_ms += DAY_MS;
    assert_eq!(
        world.sell(retailer, units[1]),
        Err("TANBA-ENGINE-EXPIRED".to_owned())
    );
    assert_eq!(world.card(&units[1]).status, CodeStatus::Introduced);
}
