//! One test per rule of the engine: who may do what (roles, ownership, suspension), what the
//! transition table allows in context, the aggregation invariants, documents, limits, atomicity
//! of refused commands, group commit and the log's integrity. Each asserts the stable error
//! code, so a rule that breaks fails its test by name.

mod support;

use support::{World, code_of, gtin, participant, sscc, taxpayer};
use tanba_engine::{EngineError, query};
use tanba_store::{Column, Durability, Store, WriteBatch};
use tanba_types::limits::{COMMAND_CODES_MAX, ORDER_QUANTITY_MAX, SIGNATURE_BYTES_MAX};
use tanba_types::{
    Actor, CodeKey, CodeStatus, Command, Date, Introduction, IssuedCode, IssuedTail, PackageLevel,
    ParticipantStatus, Product, Role, SaleLine, Serial, WithdrawalReason,
};

/// A sales receipt of one line.
fn sale(receipt_id: &str, code: CodeKey) -> Command {
    Command::RecordSale {
        receipt_id: receipt_id.to_owned(),
        printed_ms: 0,
        lines: vec![SaleLine {
            code: code.to_string(),
            price_tiyn: 100,
        }],
    }
}

fn withdraw(code: CodeKey, reason: WithdrawalReason) -> Command {
    Command::Withdraw {
        codes: vec![code],
        reason,
        document: None,
        export: None,
        eaeu: None,
    }
}

fn ship(buyer: tanba_types::TaxpayerId, items: Vec<CodeKey>) -> Command {
    Command::Ship {
        buyer,
        items,
        signature: vec![9; 64],
    }
}

// ---------------------------------------------------------------------------------------------
// Registry.

#[test]
fn only_the_operator_or_the_system_registers_participants() {
    let mut world = World::new(10);
    let newcomer = participant(taxpayer(9_000), "New LLP", &[Role::Wholesaler]);
    let by_producer = world.by(
        world.cast.producer,
        Command::RegisterParticipant(newcomer.clone()),
    );
    assert_eq!(code_of(by_producer), "TANBA-ENGINE-ROLE-REQUIRED");
    world
        .by(
            world.cast.operator,
            Command::RegisterParticipant(newcomer.clone()),
        )
        .unwrap();
    let again = world.by(world.cast.operator, Command::RegisterParticipant(newcomer));
    assert_eq!(code_of(again), "TANBA-ENGINE-PARTICIPANT-EXISTS");
}

#[test]
fn participant_cards_are_checked() {
    let mut world = World::new(11);
    let mut nameless = participant(taxpayer(9_001), " ", &[Role::Retailer]);
    assert_eq!(
        code_of(world.system(Command::RegisterParticipant(nameless.clone()))),
        "TANBA-ENGINE-INVALID"
    );
    nameless.name = "Shop".into();
    nameless.roles.clear();
    assert_eq!(
        code_of(world.system(Command::RegisterParticipant(nameless.clone()))),
        "TANBA-ENGINE-INVALID"
    );
    nameless.roles.insert(Role::Retailer);
    nameless.keys.push(tanba_types::ParticipantKey {
        algorithm: "ed25519".into(),
        public_key: vec![1; 31],
    });
    assert_eq!(
        code_of(world.system(Command::RegisterParticipant(nameless))),
        "TANBA-ENGINE-INVALID"
    );
}

#[test]
fn a_suspended_participant_is_refused_everything_and_unknown_ones_too() {
    let mut world = World::new(12);
    let units = world.at_retailer(1);
    let retailer = world.cast.retailer;
    let mut card = participant(retailer, "Corner Shop", &[Role::Retailer]);
    card.status = ParticipantStatus::Suspended;
    world
        .by(world.cast.operator, Command::UpdateParticipant(card))
        .unwrap();
    assert_eq!(
        world.sell(retailer, units[0]).unwrap_err(),
        "TANBA-ENGINE-PARTICIPANT-SUSPENDED"
    );
    assert_eq!(
        world.sell(taxpayer(9_002), units[0]).unwrap_err(),
        "TANBA-ENGINE-UNKNOWN-PARTICIPANT"
    );
    let versions = query::participant_versions(world.store.snapshot().as_ref(), &retailer).unwrap();
    assert_eq!(
        versions.len(),
        2,
        "registration and suspension are both kept (R-IS-20)"
    );
}

#[test]
fn products_belong_to_their_producer_or_importer() {
    let mut world = World::new(13);
    let snapshot = world.store.snapshot();
    let mut product = query::product(snapshot.as_ref(), &world.cast.unit)
        .unwrap()
        .unwrap();
    drop(snapshot);
    product.gtin = gtin(50);
    let by_other = world.by(
        world.cast.importer,
        Command::RegisterProduct(product.clone()),
    );
    assert_eq!(code_of(by_other), "TANBA-ENGINE-NOT-YOUR-PRODUCT");
    let mut wrong = product.clone();
    wrong.country = "XX".into();
    assert_eq!(
        code_of(world.by(world.cast.producer, Command::RegisterProduct(wrong))),
        "TANBA-ENGINE-INVALID"
    );
    let mut wrong = product.clone();
    wrong.category = "caviar".into();
    assert_eq!(
        code_of(world.by(world.cast.producer, Command::RegisterProduct(wrong))),
        "TANBA-ENGINE-UNKNOWN-CATEGORY"
    );
    let mut wrong = product.clone();
    wrong.level = PackageLevel::Transport;
    assert_eq!(
        code_of(world.by(world.cast.producer, Command::RegisterProduct(wrong))),
        "TANBA-ENGINE-INVALID"
    );
    world
        .by(
            world.cast.producer,
            Command::RegisterProduct(product.clone()),
        )
        .unwrap();
    let again = world.by(
        world.cast.producer,
        Command::RegisterProduct(product.clone()),
    );
    assert_eq!(code_of(again), "TANBA-ENGINE-PRODUCT-EXISTS");

    let renamed = Product {
        names: support::names("Renamed"),
        ..product.clone()
    };
    world
        .by(world.cast.producer, Command::UpdateProduct(renamed))
        .unwrap();
    let relevelled = Product {
        level: PackageLevel::Group,
        ..product
    };
    assert_eq!(
        code_of(world.by(world.cast.producer, Command::UpdateProduct(relevelled))),
        "TANBA-ENGINE-INVALID"
    );
    let versions = query::product_versions(world.store.snapshot().as_ref(), &gtin(50)).unwrap();
    assert_eq!(
        versions.len(),
        2,
        "every version of the card stays readable"
    );
}

// ---------------------------------------------------------------------------------------------
// Emission (R-IS-01).

#[test]
fn only_the_products_marketer_orders_its_codes() {
    let mut world = World::new(20);
    let order = |gtin, quantity| Command::OrderCodes { gtin, quantity };
    let unit = world.cast.unit;
    assert_eq!(
        code_of(world.by(world.cast.wholesaler, order(unit, 1))),
        "TANBA-ENGINE-ROLE-REQUIRED"
    );
    assert_eq!(
        code_of(world.by(world.cast.importer, order(unit, 1))),
        "TANBA-ENGINE-NOT-YOUR-PRODUCT"
    );
    assert_eq!(
        code_of(world.by(world.cast.producer, order(gtin(77), 1))),
        "TANBA-ENGINE-UNKNOWN-PRODUCT"
    );
    assert_eq!(
        code_of(world.by(world.cast.producer, order(unit, 0))),
        "TANBA-ENGINE-INVALID"
    );
    assert_eq!(
        code_of(world.by(world.cast.producer, order(unit, ORDER_QUANTITY_MAX + 1))),
        "TANBA-ENGINE-LIMIT-EXCEEDED"
    );
}

#[test]
fn issuing_is_the_systems_and_never_repeats_a_code() {
    let mut world = World::new(21);
    let producer = world.cast.producer;
    let first = world.emit(producer, world.cast.unit, 2);
    let order = world
        .by(
            producer,
            Command::OrderCodes {
                gtin: world.cast.unit,
                quantity: 3,
            },
        )
        .unwrap()
        .created
        .unwrap();
    let full_tail = || IssuedTail::Full {
        key_id: "AAAA".into(),
        signature: "A".repeat(86),
    };
    let serial_of = |code: &CodeKey| match code {
        CodeKey::Item { serial, .. } => *serial,
        CodeKey::Sscc(_) => unreachable!(),
    };
    let issue = |serials: Vec<Serial>, tail: IssuedTail| Command::IssueCodes {
        order,
        codes: serials
            .into_iter()
            .map(|serial| IssuedCode {
                serial,
                tail: tail.clone(),
            })
            .collect(),
    };
    let fresh = Serial::parse("FRESH1").unwrap();
    assert_eq!(
        code_of(world.by(producer, issue(vec![fresh], full_tail()))),
        "TANBA-ENGINE-SYSTEM-ONLY"
    );
    let reissued = world.system(issue(vec![serial_of(&first[0])], full_tail()));
    assert_eq!(
        code_of(reissued),
        "TANBA-ENGINE-DUPLICATE-CODE",
        "R-IS-01: never issued twice"
    );
    assert_eq!(
        code_of(world.system(issue(vec![fresh, fresh], full_tail()))),
        "TANBA-ENGINE-DUPLICATE-CODE"
    );
    let short = IssuedTail::Short {
        key_id: "AAAA".into(),
        tag: "abcdef".into(),
    };
    assert_eq!(
        code_of(world.system(issue(vec![fresh], short))),
        "TANBA-ENGINE-TAIL-MISMATCH"
    );
    let four: Vec<Serial> = ["S1", "S2", "S3", "S4"]
        .map(|s| Serial::parse(s).unwrap())
        .to_vec();
    assert_eq!(
        code_of(world.system(issue(four, full_tail()))),
        "TANBA-ENGINE-ORDER-EXCEEDED"
    );
    let unknown = Command::IssueCodes {
        order: 999_999,
        codes: vec![],
    };
    assert_eq!(code_of(world.system(unknown)), "TANBA-ENGINE-UNKNOWN-ORDER");
    world.system(issue(vec![fresh], full_tail())).unwrap();
}

#[test]
fn issued_full_tails_verify_offline() {
    let mut world = World::new(22);
    let codes = world.emit(world.cast.producer, world.cast.unit, 4);
    let keys = world.ring.public_key_set();
    let snapshot = world.store.snapshot();
    for code in &codes {
        let Some(IssuedTail::Full { key_id, signature }) =
            query::issued_tail(snapshot.as_ref(), code).unwrap()
        else {
            panic!("tobacco carries full tails");
        };
        let CodeKey::Item { gtin, serial } = code else {
            unreachable!()
        };
        tanba_crypto::verify_code(&keys, gtin.as_str(), serial.as_str(), &key_id, &signature)
            .unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// The transition table in context (R-IS-03).

#[test]
fn codes_follow_the_status_order() {
    let mut world = World::new(30);
    let producer = world.cast.producer;
    let codes = world.emit(producer, world.cast.unit, 2);
    let introduce = |codes: Vec<CodeKey>| Command::Introduce {
        codes,
        introduction: Introduction::OwnProduction,
    };
    assert_eq!(
        code_of(world.by(producer, introduce(vec![codes[0]]))),
        "TANBA-CODE-WRONG-STATUS"
    );
    assert_eq!(
        code_of(world.by(producer, ship(world.cast.wholesaler, vec![codes[0]]))),
        "TANBA-CODE-WRONG-STATUS"
    );
    world.apply_codes(producer, &codes);
    let twice = Command::ReportApplied {
        codes: vec![codes[0]],
        production_date: world.today(),
        expiry_date: None,
        batch: None,
    };
    assert_eq!(
        code_of(world.by(producer, twice)),
        "TANBA-CODE-WRONG-STATUS"
    );
    // Spoiled before circulation: written off.
    world
        .by(producer, withdraw(codes[1], WithdrawalReason::WriteOff))
        .unwrap();
    world.by(producer, introduce(vec![codes[0]])).unwrap();
    world
        .by(
            producer,
            withdraw(codes[0], WithdrawalReason::ExportOutsideEaeu),
        )
        .unwrap();
    let back = world.by(producer, introduce(vec![codes[0]]));
    assert_eq!(code_of(back), "TANBA-CODE-WITHDRAWAL-FINAL");
}

#[test]
fn applied_reports_are_checked() {
    let mut world = World::new(31);
    let producer = world.cast.producer;
    let codes = world.emit(producer, world.cast.unit, 1);
    let today = world.today();
    let report = |production_date: Date, expiry_date: Option<Date>| Command::ReportApplied {
        codes: codes.clone(),
        production_date,
        expiry_date,
        batch: None,
    };
    assert_eq!(
        code_of(world.by(producer, report(today.plus_days(2), None))),
        "TANBA-ENGINE-INVALID"
    );
    let before = Date::from_ymd(2020, 1, 1).unwrap();
    assert_eq!(
        code_of(world.by(producer, report(today, Some(before)))),
        "TANBA-ENGINE-INVALID"
    );
    assert_eq!(
        code_of(world.by(world.cast.importer, report(today, None))),
        "TANBA-ENGINE-NOT-OWNER"
    );
    world
        .by(producer, report(today, Some(today.plus_days(30))))
        .unwrap();
    assert_eq!(
        world.card(&codes[0]).expiry_date,
        Some(today.plus_days(30)),
        "a given expiry wins"
    );
}

#[test]
fn introduction_needs_the_right_role_and_papers() {
    let mut world = World::new(32);
    let importer = world.cast.importer;
    let codes = world.emit(importer, world.cast.imported, 2);
    world.apply_codes(importer, &codes);
    let introduce = |introduction| Command::Introduce {
        codes: vec![codes[0]],
        introduction,
    };
    assert_eq!(
        code_of(world.by(importer, introduce(Introduction::OwnProduction))),
        "TANBA-ENGINE-ROLE-REQUIRED"
    );
    let no_paper = Introduction::Import {
        customs_declaration: " ".into(),
    };
    assert_eq!(
        code_of(world.by(importer, introduce(no_paper))),
        "TANBA-ENGINE-INVALID"
    );
    let from_home = Introduction::EaeuReceipt {
        from_country: "KZ".into(),
        document_number: "1".into(),
        seller_taxpayer: Some("7707083893".into()),
        document_date: Some(Date::from_days_since_epoch(20_000)),
    };
    assert_eq!(
        code_of(world.by(importer, introduce(from_home))),
        "TANBA-ENGINE-INVALID"
    );
    let declared = Introduction::Import {
        customs_declaration: "50508/221126/0012345".into(),
    };
    world.by(importer, introduce(declared)).unwrap();
    // R-IS-12: the seller's number passes its state's control, and the document has a date.
    let receipt = |seller: Option<&str>, date: Option<Date>| Introduction::EaeuReceipt {
        from_country: "RU".into(),
        document_number: "UPD-7".into(),
        seller_taxpayer: seller.map(str::to_owned),
        document_date: date,
    };
    let dated = Some(Date::from_days_since_epoch(20_000));
    for (introduction, code) in [
        (
            receipt(Some("7707083894"), dated),
            "TANBA-ENGINE-FOREIGN-TAXPAYER",
        ),
        (receipt(None, dated), "TANBA-ENGINE-INVALID"),
        (receipt(Some("7707083893"), None), "TANBA-ENGINE-INVALID"),
    ] {
        let refused = world.by(
            importer,
            Command::Introduce {
                codes: vec![codes[1]],
                introduction,
            },
        );
        assert_eq!(code_of(refused), code);
    }
    let from_russia = receipt(Some("7707083893"), dated);
    world
        .by(
            importer,
            Command::Introduce {
                codes: vec![codes[1]],
                introduction: from_russia,
            },
        )
        .unwrap();
    assert_eq!(world.card(&codes[1]).status, CodeStatus::Introduced);
}

#[test]
fn blocked_codes_are_neither_sold_nor_moved_but_may_be_destroyed_or_confiscated() {
    let mut world = World::new(33);
    let units = world.at_retailer(3);
    let (retailer, authority) = (world.cast.retailer, world.cast.authority);
    world
        .by(
            authority,
            Command::Block {
                codes: units.clone(),
                reason: "recall".into(),
            },
        )
        .unwrap();
    assert_eq!(
        world.sell(retailer, units[0]).unwrap_err(),
        "TANBA-CODE-BLOCKED"
    );
    assert_eq!(
        code_of(world.by(retailer, ship(world.cast.wholesaler, vec![units[0]]))),
        "TANBA-CODE-BLOCKED"
    );
    world
        .by(retailer, withdraw(units[0], WithdrawalReason::Destruction))
        .unwrap();
    // Confiscation is the authority's, on goods it does not own; the owner cannot confiscate.
    assert_eq!(
        code_of(world.by(retailer, withdraw(units[1], WithdrawalReason::Confiscation))),
        "TANBA-ENGINE-ROLE-REQUIRED"
    );
    world
        .by(
            authority,
            withdraw(units[1], WithdrawalReason::Confiscation),
        )
        .unwrap();
    assert_eq!(
        world.card(&units[1]).status,
        CodeStatus::Withdrawn(WithdrawalReason::Confiscation)
    );
    assert_eq!(
        code_of(world.by(
            world.cast.producer,
            Command::Block {
                codes: vec![units[2]],
                reason: "x".into()
            }
        )),
        "TANBA-ENGINE-ROLE-REQUIRED"
    );
}

#[test]
fn only_retailers_sell_and_only_their_own_goods() {
    let mut world = World::new(34);
    let units = world.produce(world.cast.unit, 1);
    assert_eq!(
        world.sell(world.cast.producer, units[0]).unwrap_err(),
        "TANBA-ENGINE-ROLE-REQUIRED"
    );
    assert_eq!(
        world.sell(world.cast.retailer, units[0]).unwrap_err(),
        "TANBA-ENGINE-NOT-OWNER"
    );
}

#[test]
fn a_unit_sold_out_of_an_opened_box_leaves_the_box() {
    let mut world = World::new(35);
    let units = world.produce(world.cast.unit, 4);
    let (producer, retailer) = (world.cast.producer, world.cast.retailer);
    let case = sscc(10);
    world.pack(producer, case, units.clone());
    let document = world.ship(producer, retailer, &[case]);
    world.accept_all(retailer, document);
    let sale = world.sell(retailer, units[0]).unwrap();
    assert_eq!(world.card(&units[0]).parents, Vec::<CodeKey>::new());
    assert_eq!(world.card(&case).contents, [3, 0, 0]);
    world.take_back(retailer, &sale, &[units[0]]).unwrap();
    assert_eq!(world.card(&units[0]).status, CodeStatus::Introduced);
    world.assert_replay_equal();
}

// ---------------------------------------------------------------------------------------------
// Aggregation (R-IS-04).

#[test]
fn levels_nest_in_order() {
    let mut world = World::new(40);
    let producer = world.cast.producer;
    let units = world.produce(world.cast.unit, 2);
    let groups = world.produce(world.cast.group, 2);
    let aggregate = |parent, children: Vec<CodeKey>| Command::Aggregate { parent, children };
    assert_eq!(
        code_of(world.by(producer, aggregate(units[0], vec![units[1]]))),
        "TANBA-ENGINE-NOT-A-PACKAGE"
    );
    assert_eq!(
        code_of(world.by(producer, aggregate(groups[0], vec![groups[1]]))),
        "TANBA-ENGINE-LEVEL-MISMATCH"
    );
    world
        .by(producer, aggregate(groups[0], vec![units[0]]))
        .unwrap();
    world
        .by(producer, aggregate(sscc(1), vec![groups[0]]))
        .unwrap();
    assert_eq!(
        code_of(world.by(producer, aggregate(groups[1], vec![sscc(1)]))),
        "TANBA-ENGINE-LEVEL-MISMATCH"
    );
    assert_eq!(world.card(&sscc(1)).contents, [1, 1, 0]);
    let again = world.by(producer, aggregate(groups[0], vec![units[0]]));
    assert_eq!(
        code_of(again),
        "TANBA-ENGINE-DUPLICATE-CODE",
        "already in that package"
    );
}

#[test]
fn a_package_never_contains_itself() {
    let mut world = World::new(41);
    let producer = world.cast.producer;
    let units = world.produce(world.cast.unit, 1);
    world.pack(producer, sscc(2), units.clone());
    world.pack(producer, sscc(1), vec![sscc(2)]);
    let loop_back = world.by(
        producer,
        Command::Aggregate {
            parent: sscc(2),
            children: vec![sscc(1)],
        },
    );
    assert_eq!(code_of(loop_back), "TANBA-ENGINE-CYCLE");
    let into_itself = world.by(
        producer,
        Command::Aggregate {
            parent: sscc(1),
            children: vec![sscc(1)],
        },
    );
    assert_eq!(code_of(into_itself), "TANBA-ENGINE-CYCLE");
}

#[test]
fn nesting_stops_at_the_depth_limit() {
    let mut world = World::new(42);
    let producer = world.cast.producer;
    let units = world.produce(world.cast.unit, 1);
    let mut inner = units[0];
    // `depth` counts the levels of the tree so far: the unit alone is 1.
    for depth in 1.. {
        let outer = sscc(100 + depth as u64);
        let result = world.by(
            producer,
            Command::Aggregate {
                parent: outer,
                children: vec![inner],
            },
        );
        if depth == tanba_types::PACKAGE_DEPTH_MAX {
            assert_eq!(code_of(result), "TANBA-ENGINE-TOO-DEEP");
            break;
        }
        result.unwrap();
        inner = outer;
    }
    assert_eq!(
        world.card(&units[0]).parents.len(),
        tanba_types::PACKAGE_DEPTH_MAX - 1
    );
}

#[test]
fn only_own_free_unblocked_codes_are_packed() {
    let mut world = World::new(43);
    let producer = world.cast.producer;
    let units = world.produce(world.cast.unit, 3);
    let theirs = world.emit(world.cast.importer, world.cast.imported, 1);
    let pack = |children: Vec<CodeKey>| Command::Aggregate {
        parent: sscc(5),
        children,
    };
    assert_eq!(
        code_of(world.by(producer, pack(theirs))),
        "TANBA-ENGINE-NOT-OWNER"
    );
    world
        .by(
            world.cast.authority,
            Command::Block {
                codes: vec![units[0]],
                reason: "test".into(),
            },
        )
        .unwrap();
    assert_eq!(
        code_of(world.by(producer, pack(vec![units[0]]))),
        "TANBA-CODE-BLOCKED"
    );
    // A blocked unit inside a box blocks packing the box.
    world.pack(producer, sscc(6), vec![units[1]]);
    world
        .by(
            world.cast.authority,
            Command::Block {
                codes: vec![units[1]],
                reason: "test".into(),
            },
        )
        .unwrap();
    assert_eq!(
        code_of(world.by(producer, pack(vec![sscc(6)]))),
        "TANBA-CODE-BLOCKED"
    );
    world.ship(producer, world.cast.wholesaler, &[units[2]]);
    let travelling = world.by(producer, pack(vec![units[2]]));
    assert!(matches!(code_of(travelling), "TANBA-ENGINE-IN-TRANSIT"));
}

#[test]
fn moving_between_packages_keeps_counts_right() {
    let mut world = World::new(44);
    let producer = world.cast.producer;
    let units = world.produce(world.cast.unit, 6);
    world.pack(producer, sscc(1), units[..3].to_vec());
    world.pack(producer, sscc(2), units[3..].to_vec());
    world.pack(producer, sscc(3), vec![sscc(1)]);
    world.pack(producer, sscc(2), vec![units[0]]);
    assert_eq!(world.card(&sscc(1)).contents, [2, 0, 0]);
    assert_eq!(world.card(&sscc(3)).contents, [2, 0, 1]);
    assert_eq!(world.card(&sscc(2)).contents, [4, 0, 0]);
    assert_eq!(world.card(&units[0]).parents, vec![sscc(2)]);
    assert_eq!(
        code_of(world.by(
            producer,
            Command::Disaggregate {
                codes: vec![sscc(3)]
            }
        )),
        "TANBA-ENGINE-NOT-IN-PACKAGE"
    );
    world
        .by(
            producer,
            Command::Disaggregate {
                codes: vec![sscc(1)],
            },
        )
        .unwrap();
    assert_eq!(world.card(&sscc(3)).contents, [0, 0, 0]);
    world.assert_replay_equal();
}

// ---------------------------------------------------------------------------------------------
// Documents (R-IS-10).

#[test]
fn shipments_go_to_eligible_buyers_only() {
    let mut world = World::new(50);
    let units = world.produce(world.cast.unit, 1);
    let producer = world.cast.producer;
    assert_eq!(
        code_of(world.by(producer, ship(producer, units.clone()))),
        "TANBA-ENGINE-INVALID"
    );
    assert_eq!(
        code_of(world.by(producer, ship(taxpayer(9_100), units.clone()))),
        "TANBA-ENGINE-UNKNOWN-PARTICIPANT"
    );
    assert_eq!(
        code_of(world.by(producer, ship(world.cast.ministry, units.clone()))),
        "TANBA-ENGINE-COUNTERPARTY-NOT-ELIGIBLE"
    );
    let unsigned = Command::Ship {
        buyer: world.cast.wholesaler,
        items: units.clone(),
        signature: vec![],
    };
    assert_eq!(
        code_of(world.by(producer, unsigned)),
        "TANBA-ENGINE-INVALID"
    );
    let oversigned = Command::Ship {
        buyer: world.cast.wholesaler,
        items: units,
        signature: vec![0; SIGNATURE_BYTES_MAX + 1],
    };
    assert_eq!(
        code_of(world.by(producer, oversigned)),
        "TANBA-ENGINE-LIMIT-EXCEEDED"
    );
}

#[test]
fn goods_in_transit_stay_put_until_the_buyer_answers() {
    let mut world = World::new(51);
    let units = world.produce(world.cast.unit, 3);
    let (producer, wholesaler, retailer) = (
        world.cast.producer,
        world.cast.wholesaler,
        world.cast.retailer,
    );
    let document = world.ship(producer, wholesaler, &units);
    assert_eq!(
        code_of(world.by(producer, ship(retailer, vec![units[0]]))),
        "TANBA-ENGINE-IN-TRANSIT"
    );
    let accept = |items: Option<Vec<CodeKey>>| Command::Accept {
        document,
        items,
        signature: vec![1],
    };
    assert_eq!(
        code_of(world.by(retailer, accept(None))),
        "TANBA-ENGINE-UNKNOWN-DOCUMENT",
        "not the buyer"
    );
    let stranger = world.produce(world.cast.unit, 1);
    assert_eq!(
        code_of(world.by(wholesaler, accept(Some(stranger)))),
        "TANBA-ENGINE-NOT-IN-DOCUMENT"
    );
    world
        .by(wholesaler, accept(Some(vec![units[0], units[1]])))
        .unwrap();
    assert_eq!(world.card(&units[0]).owner, wholesaler);
    assert_eq!(
        (
            world.card(&units[2]).owner,
            world.card(&units[2]).in_transit
        ),
        (producer, None),
        "returned"
    );
    assert_eq!(
        code_of(world.by(wholesaler, accept(None))),
        "TANBA-ENGINE-DOCUMENT-CLOSED"
    );

    let second = world.ship(producer, wholesaler, &[units[2]]);
    world
        .by(
            wholesaler,
            Command::Reject {
                document: second,
                signature: vec![1],
            },
        )
        .unwrap();
    assert_eq!(
        (
            world.card(&units[2]).owner,
            world.card(&units[2]).in_transit
        ),
        (producer, None)
    );
    let record = query::document(world.store.snapshot().as_ref(), second)
        .unwrap()
        .unwrap();
    assert_eq!(record.state, query::DocumentState::Rejected);
    world.assert_replay_equal();
}

// ---------------------------------------------------------------------------------------------
// Limits, atomicity, group commit.

#[test]
fn commands_past_their_limits_are_refused() {
    let mut world = World::new(60);
    let many = vec![sscc(1); COMMAND_CODES_MAX + 1];
    let block = Command::Block {
        codes: many,
        reason: "x".into(),
    };
    assert_eq!(
        code_of(world.by(world.cast.authority, block)),
        "TANBA-ENGINE-LIMIT-EXCEEDED"
    );
    let long = Command::Block {
        codes: vec![sscc(1)],
        reason: "x".repeat(1001),
    };
    assert_eq!(
        code_of(world.by(world.cast.authority, long)),
        "TANBA-ENGINE-LIMIT-EXCEEDED"
    );
    assert_eq!(
        code_of(world.by(
            world.cast.authority,
            Command::Block {
                codes: vec![],
                reason: "x".into()
            }
        )),
        "TANBA-ENGINE-INVALID"
    );
}

#[test]
fn one_bad_code_refuses_the_whole_command_and_changes_nothing() {
    let mut world = World::new(61);
    let units = world.at_retailer(3);
    let (retailer, authority) = (world.cast.retailer, world.cast.authority);
    world
        .by(
            authority,
            Command::Block {
                codes: vec![units[2]],
                reason: "x".into(),
            },
        )
        .unwrap();
    let head = world.core.head();
    let export = Command::Withdraw {
        codes: units.clone(),
        reason: WithdrawalReason::ExportOutsideEaeu,
        document: None,
        export: None,
        eaeu: None,
    };
    assert_eq!(code_of(world.by(retailer, export)), "TANBA-CODE-BLOCKED");
    assert_eq!(world.core.head(), head, "nothing logged");
    for unit in &units[..2] {
        assert_eq!(
            world.card(unit).status,
            CodeStatus::Introduced,
            "nothing half-written"
        );
    }
}

#[test]
fn a_group_commits_accepted_commands_and_answers_each() {
    let mut world = World::new(62);
    let units = world.at_retailer(2);
    let retailer = Actor::Participant(world.cast.retailer);
    let outcomes = world.run_group(vec![
        (retailer, sale("R-1", units[0])),
        (retailer, sale("R-1", units[0])),
        (retailer, sale("R-2", units[1])),
    ]);
    assert!(outcomes[0].is_ok());
    assert_eq!(
        outcomes[1].as_ref().unwrap_err().code(),
        "TANBA-ENGINE-RECEIPT-RECORDED",
        "sees the first sale"
    );
    assert!(outcomes[2].is_ok());
    let (first, last) = (outcomes[0].as_ref().unwrap(), outcomes[2].as_ref().unwrap());
    assert_eq!(
        last.first_sequence,
        first.last_sequence + 1,
        "refusals take no sequence"
    );
    world.assert_replay_equal();
}

// ---------------------------------------------------------------------------------------------
// The log.

#[test]
fn checkpoints_are_signed_and_the_log_verifies_from_one() {
    let mut world = World::new(70);
    let units = world.at_retailer(1);
    for _ in 0..600 {
        let sale = world.sell(world.cast.retailer, units[0]).unwrap();
        world
            .take_back(world.cast.retailer, &sale, &[units[0]])
            .unwrap();
    }
    let keys = world.ring.public_key_set();
    let proof = tanba_engine::verify_log(world.store.as_ref(), &keys, None).unwrap();
    assert!(
        proof.checkpoints >= 1,
        "the fixture checkpoints every 1,000 events"
    );
    let snapshot = world.store.snapshot();
    let (key, _) = snapshot
        .scan_prefix(Column::Checkpoints, &[], 1)
        .unwrap()
        .remove(0);
    drop(snapshot);
    let at = u64::from_be_bytes(key.try_into().unwrap());
    assert!(
        at >= 1_000,
        "the first checkpoint comes once 1,000 events are logged"
    );
    let from = tanba_engine::verify_log(world.store.as_ref(), &keys, Some(at)).unwrap();
    assert_eq!((from.from_sequence, from.head), (at + 1, proof.head));
    let final_checkpoint = world.core.checkpoint(world.now_ms).unwrap().unwrap();
    assert_eq!(final_checkpoint.sequence, proof.head);
    tanba_crypto::verify_checkpoint(&keys, &final_checkpoint).unwrap();
}

#[test]
fn an_altered_or_dropped_log_entry_is_caught() {
    let world = World::new(71);
    let keys = world.ring.public_key_set();
    let snapshot = world.store.snapshot();
    let (key, mut value) = snapshot.scan_prefix(Column::Log, &[], 3).unwrap().remove(2);
    drop(snapshot);
    let last = value.len() - 1;
    value[last] ^= 1;
    let mut batch = WriteBatch::new();
    batch.put(Column::Log, key.clone(), value).unwrap();
    world.store.write(batch, Durability::Synced).unwrap();
    let error = tanba_engine::verify_log(world.store.as_ref(), &keys, None).unwrap_err();
    assert_eq!(error.code(), "TANBA-ENGINE-CORRUPT");

    let mut batch = WriteBatch::new();
    batch.delete(Column::Log, key).unwrap();
    world.store.write(batch, Durability::Synced).unwrap();
    let error = tanba_engine::verify_log(world.store.as_ref(), &keys, None).unwrap_err();
    assert!(error.to_string().contains("missing"), "{error}");
}

#[test]
fn every_engine_error_speaks_three_languages() {
    for code in EngineError::ALL_CODES {
        for language in tanba_types::Language::ALL {
            assert!(
                tanba_types::messages::template(code, language).is_some(),
                "{code} in {language}"
            );
        }
    }
    let error = EngineError::RoleRequired(Role::Retailer);
    let text = tanba_types::localize(&error, tanba_types::Language::Kk);
    assert!(text.contains("retailer"), "{text}");
}

/// The counts each package keeps of its content (by level, and how much is held back) always
/// equal what reading the content gives: the engine decides pallet moves on them.
fn assert_counts(world: &World, packages: &[CodeKey]) {
    let snapshot = world.store.snapshot();
    for package in packages {
        let record = query::code_record(snapshot.as_ref(), package)
            .unwrap()
            .unwrap();
        let (contents, held_back) = query::recount(snapshot.as_ref(), package).unwrap();
        assert_eq!(
            (record.contents, record.held_back),
            (contents, held_back),
            "{package}"
        );
    }
}

#[test]
fn a_pallet_with_anything_held_back_inside_does_not_move() {
    let mut world = World::new(45);
    let (producer, wholesaler, authority) = (
        world.cast.producer,
        world.cast.wholesaler,
        world.cast.authority,
    );
    let units = world.produce(world.cast.unit, 6);
    let fresh = world.emit(producer, world.cast.unit, 1);
    world.apply_codes(producer, &fresh);
    let (pallet, boxes) = (sscc(20), [sscc(21), sscc(22)]);
    world.pack(producer, boxes[0], units[..3].to_vec());
    world.pack(producer, boxes[1], units[3..].to_vec());
    world.pack(producer, pallet, boxes.to_vec());
    let all = [pallet, boxes[0], boxes[1]];
    assert_counts(&world, &all);
    assert_eq!(world.card(&pallet).contents, [6, 0, 2]);

    // One unit deep inside is blocked: the whole pallet stays.
    world
        .by(
            authority,
            Command::Block {
                codes: vec![units[4]],
                reason: "sample".into(),
            },
        )
        .unwrap();
    assert_counts(&world, &all);
    assert_eq!(
        code_of(world.by(producer, ship(wholesaler, vec![pallet]))),
        "TANBA-CODE-BLOCKED"
    );
    world
        .by(
            authority,
            Command::Unblock {
                codes: vec![units[4]],
            },
        )
        .unwrap();
    assert_counts(&world, &all);

    // An applied (not yet introduced) unit packed in: the pallet stays until it is introduced.
    world.pack(producer, boxes[0], fresh.clone());
    assert_counts(&world, &all);
    assert_eq!(
        code_of(world.by(producer, ship(wholesaler, vec![pallet]))),
        "TANBA-CODE-WRONG-STATUS"
    );
    world
        .by(
            producer,
            Command::Introduce {
                codes: vec![pallet],
                introduction: Introduction::OwnProduction,
            },
        )
        .unwrap_err();
    world
        .by(
            producer,
            Command::Disaggregate {
                codes: fresh.clone(),
            },
        )
        .unwrap();
    assert_counts(&world, &all);

    // A blocked empty box inside holds the pallet back too.
    world.pack(producer, sscc(23), vec![units[0]]);
    world
        .by(
            producer,
            Command::Disaggregate {
                codes: vec![units[0]],
            },
        )
        .unwrap();
    world.pack(producer, pallet, vec![sscc(23), units[0]]);
    world
        .by(
            authority,
            Command::Block {
                codes: vec![sscc(23)],
                reason: "empty".into(),
            },
        )
        .unwrap();
    assert_counts(&world, &all);
    assert_eq!(
        code_of(world.by(producer, ship(wholesaler, vec![pallet]))),
        "TANBA-CODE-BLOCKED"
    );
    world
        .by(
            authority,
            Command::Unblock {
                codes: vec![sscc(23)],
            },
        )
        .unwrap();

    let document = world.ship(producer, wholesaler, &[pallet]);
    world.accept_all(wholesaler, document);
    world
        .by(
            wholesaler,
            withdraw(pallet, WithdrawalReason::ExportOutsideEaeu),
        )
        .unwrap();
    assert_counts(&world, &all);
    assert_eq!(
        world.card(&units[5]).status,
        CodeStatus::Withdrawn(WithdrawalReason::ExportOutsideEaeu)
    );
    world.assert_replay_equal();
}

// ---------------------------------------------------------------------------------------------
// Found by the simulation; each once broke.

#[test]
fn an_authority_cannot_seize_goods_out_of_a_shipment_under_way() {
    let mut world = World::new(80);
    let (producer, wholesaler, authority) = (
        world.cast.producer,
        world.cast.wholesaler,
        world.cast.authority,
    );
    let units = world.produce(world.cast.unit, 1);
    world.pack(producer, sscc(1), units.clone());
    let document = world.ship(producer, wholesaler, &[sscc(1)]);
    let seized = world.by(
        authority,
        withdraw(units[0], WithdrawalReason::Confiscation),
    );
    assert_eq!(code_of(seized), "TANBA-ENGINE-IN-TRANSIT");
    world.accept_all(wholesaler, document);
    world
        .by(
            authority,
            withdraw(units[0], WithdrawalReason::Confiscation),
        )
        .unwrap();
    assert_eq!(
        world.card(&sscc(1)).contents,
        [0, 0, 0],
        "seized out of its box"
    );
    world.assert_replay_equal();
}

#[test]
fn a_box_sold_whole_at_the_till_comes_back_whole() {
    let mut world = World::new(81);
    let (producer, retailer) = (world.cast.producer, world.cast.retailer);
    let units = world.produce(world.cast.unit, 2);
    world.pack(producer, sscc(1), units.clone());
    let document = world.ship(producer, retailer, &[sscc(1)]);
    world.accept_all(retailer, document);
    let never_sold = world.take_back(retailer, "no such sale", &[sscc(1)]);
    assert_eq!(code_of(never_sold), "TANBA-ENGINE-UNKNOWN-RECEIPT");
    let sale = world.sell(retailer, sscc(1)).unwrap();
    assert_eq!(
        world.card(&units[1]).status,
        CodeStatus::Withdrawn(WithdrawalReason::RetailSale)
    );
    assert_eq!(
        code_of(world.by(retailer, ship(producer, vec![sscc(1)]))),
        "TANBA-CODE-WRONG-STATUS"
    );
    world.take_back(retailer, &sale, &[sscc(1)]).unwrap();
    assert_eq!(world.card(&units[1]).status, CodeStatus::Introduced);
    world.assert_replay_equal();
}

#[test]
fn regrouping_counts_the_tree_as_it_will_be() {
    let mut world = World::new(82);
    let producer = world.cast.producer;
    let units = world.produce(world.cast.unit, 1);
    // sscc(1) ⊃ sscc(2) ⊃ ... ⊃ sscc(7) ⊃ unit: eight levels, the most allowed.
    let mut inner = units[0];
    for n in (1..=7).rev() {
        world.pack(producer, sscc(n), vec![inner]);
        inner = sscc(n);
    }
    // Taking sscc(2) out of sscc(1) while packing both into sscc(9) leaves eight levels.
    world.pack(producer, sscc(9), vec![sscc(1), sscc(2)]);
    assert_eq!(world.card(&units[0]).parents.len(), 7);
    assert_eq!(world.card(&sscc(1)).contents, [0, 0, 0]);
}

// ---------------------------------------------------------------------------------------------
// Found in review.

#[test]
fn a_blocked_container_is_not_sold_or_exported() {
    let mut world = World::new(90);
    let (producer, retailer, authority) = (
        world.cast.producer,
        world.cast.retailer,
        world.cast.authority,
    );
    let units = world.produce(world.cast.unit, 2);
    world.pack(producer, sscc(1), units.clone());
    let document = world.ship(producer, retailer, &[sscc(1)]);
    world.accept_all(retailer, document);
    // Blocked whole, then the content released: the box itself stays blocked.
    world
        .by(
            authority,
            Command::Block {
                codes: vec![sscc(1)],
                reason: "seal".into(),
            },
        )
        .unwrap();
    assert_eq!(
        world.sell(retailer, sscc(1)).unwrap_err(),
        "TANBA-CODE-BLOCKED"
    );
    let export = withdraw(sscc(1), WithdrawalReason::ExportOutsideEaeu);
    assert_eq!(code_of(world.by(retailer, export)), "TANBA-CODE-BLOCKED");
    world
        .by(retailer, withdraw(sscc(1), WithdrawalReason::Destruction))
        .unwrap();
}

#[test]
fn who_markets_a_product_is_the_registrys_to_change() {
    let mut world = World::new(91);
    let snapshot = world.store.snapshot();
    let mut product = query::product(snapshot.as_ref(), &world.cast.imported)
        .unwrap()
        .unwrap();
    drop(snapshot);
    // The importer tries to put itself down as the maker, too.
    product.producer = Some(world.cast.importer);
    let taken = world.by(world.cast.importer, Command::UpdateProduct(product.clone()));
    assert_eq!(code_of(taken), "TANBA-ENGINE-ROLE-REQUIRED");
    // An operator orders no codes for others' products.
    let operator_card = participant(
        world.cast.operator,
        "Tanba operator",
        &[Role::Operator, Role::Producer],
    );
    world
        .system(Command::UpdateParticipant(operator_card))
        .unwrap();
    let order = Command::OrderCodes {
        gtin: world.cast.unit,
        quantity: 1,
    };
    assert_eq!(
        code_of(world.by(world.cast.operator, order)),
        "TANBA-ENGINE-NOT-YOUR-PRODUCT"
    );
}

#[test]
fn only_the_importer_named_on_the_card_imports() {
    let mut world = World::new(92);
    let second_importer = taxpayer(9_300);
    world
        .system(Command::RegisterParticipant(participant(
            second_importer,
            "Other Import",
            &[Role::Importer],
        )))
        .unwrap();
    // A second importer with codes of a product whose card names the first: it may order none
    // and import none.
    let order = Command::OrderCodes {
        gtin: world.cast.imported,
        quantity: 1,
    };
    assert_eq!(
        code_of(world.by(second_importer, order)),
        "TANBA-ENGINE-NOT-YOUR-PRODUCT"
    );
    let codes = world.emit(world.cast.importer, world.cast.imported, 1);
    world.apply_codes(world.cast.importer, &codes);
    let import = |codes: Vec<CodeKey>| Command::Introduce {
        codes,
        introduction: Introduction::Import {
            customs_declaration: "50508/221126/0000001".into(),
        },
    };
    world
        .by(world.cast.importer, import(codes.clone()))
        .unwrap();
    // The producer's own goods are not the importer's to import.
    let made_here = world.emit(world.cast.producer, world.cast.unit, 1);
    world.apply_codes(world.cast.producer, &made_here);
    let producer_as_importer = participant(
        world.cast.producer,
        "Almaty Tobacco",
        &[Role::Producer, Role::Importer],
    );
    world
        .system(Command::UpdateParticipant(producer_as_importer))
        .unwrap();
    assert_eq!(
        code_of(world.by(world.cast.producer, import(made_here))),
        "TANBA-ENGINE-NOT-YOUR-PRODUCT"
    );
}

#[test]
fn a_checkpoint_past_the_head_shows_a_cut_log() {
    let world = World::new(93);
    let keys = world.ring.public_key_set();
    let head = world.core.head().sequence;
    let mut batch = WriteBatch::new();
    batch
        .put(
            Column::Checkpoints,
            (head + 5).to_be_bytes().to_vec(),
            b"x".to_vec(),
        )
        .unwrap();
    world.store.write(batch, Durability::Synced).unwrap();
    let error = tanba_engine::verify_log(world.store.as_ref(), &keys, None).unwrap_err();
    assert!(error.to_string().contains("past the end"), "{error}");
}

#[test]
fn time_never_runs_backwards_across_a_restart() {
    struct Fixed(u64);
    impl tanba_engine::Clock for Fixed {
        fn now_ms(&self) -> u64 {
            self.0
        }
    }
    let store: std::sync::Arc<dyn Store> = std::sync::Arc::new(tanba_store::MemoryStore::new());
    let ring = std::sync::Arc::new(tanba_crypto::KeyRing::generate(0, &mut rand_core::OsRng));
    let register =
        |n: u64| Command::RegisterParticipant(participant(taxpayer(n), "P", &[Role::Retailer]));
    for (clock_ms, n) in [(support::START_MS, 1), (support::START_MS - 60_000, 2)] {
        let engine = tanba_engine::Engine::start(
            store.clone(),
            ring.clone(),
            std::sync::Arc::new(Fixed(clock_ms)),
            tanba_engine::EngineConfig::default(),
        )
        .unwrap();
        engine.execute(Actor::System, register(n)).unwrap();
        engine.shutdown();
    }
    let log = tanba_engine::log::read_log(store.snapshot().as_ref(), 1, 10).unwrap();
    assert_eq!(log.len(), 2);
    assert!(
        log[1].time_ms >= log[0].time_ms,
        "the clock went back, the log did not"
    );
}

#[test]
fn a_seller_calls_back_a_shipment_a_suspended_buyer_cannot_answer() {
    let mut world = World::new(94);
    let (producer, wholesaler, retailer) = (
        world.cast.producer,
        world.cast.wholesaler,
        world.cast.retailer,
    );
    let units = world.produce(world.cast.unit, 1);
    let document = world.ship(producer, wholesaler, &units);
    let mut suspended = participant(wholesaler, "Qazaq Wholesale", &[Role::Wholesaler]);
    suspended.status = ParticipantStatus::Suspended;
    world
        .by(world.cast.operator, Command::UpdateParticipant(suspended))
        .unwrap();
    let accept = Command::Accept {
        document,
        items: None,
        signature: vec![1],
    };
    assert_eq!(
        code_of(world.by(wholesaler, accept)),
        "TANBA-ENGINE-PARTICIPANT-SUSPENDED"
    );
    let cancel = |signature: Vec<u8>| Command::CancelShipment {
        document,
        signature,
    };
    assert_eq!(
        code_of(world.by(retailer, cancel(vec![1]))),
        "TANBA-ENGINE-UNKNOWN-DOCUMENT",
        "not the seller"
    );
    world.by(producer, cancel(vec![2])).unwrap();
    assert_eq!(
        (
            world.card(&units[0]).owner,
            world.card(&units[0]).in_transit
        ),
        (producer, None)
    );
    assert_eq!(
        code_of(world.by(producer, cancel(vec![3]))),
        "TANBA-ENGINE-DOCUMENT-CLOSED"
    );
    world.ship(producer, retailer, &units);
    world.assert_replay_equal();
}

#[test]
fn no_one_queues_the_issuer_up_without_end() {
    let mut world = World::new(95);
    let (producer, unit) = (world.cast.producer, world.cast.unit);
    let order = |quantity| Command::OrderCodes {
        gtin: unit,
        quantity,
    };
    let mut first = None;
    for _ in 0..tanba_types::limits::ORDERS_WAITING_MAX {
        let id = world.by(producer, order(1)).unwrap().created;
        first = first.or(id);
    }
    assert_eq!(
        code_of(world.by(producer, order(1))),
        "TANBA-ENGINE-LIMIT-EXCEEDED"
    );
    // Once one order is issued, there is room again.
    let first = first.unwrap();
    let codes = tanba_engine::issue::prepare_chunk(
        &world.ring,
        unit,
        tanba_types::TailProfile::Full,
        1,
        &mut world.rng,
        1,
    )
    .unwrap();
    world
        .system(Command::IssueCodes {
            order: first,
            codes,
        })
        .unwrap();
    world.by(producer, order(1)).unwrap();
}

#[test]
fn only_those_who_hold_goods_pack_and_ship() {
    let mut world = World::new(96);
    let units = world.produce(world.cast.unit, 1);
    let pack = Command::Aggregate {
        parent: sscc(1),
        children: units,
    };
    assert_eq!(
        code_of(world.by(world.cast.ministry, pack)),
        "TANBA-ENGINE-HOLDS-NO-GOODS"
    );
}

#[test]
fn r_is_05_a_participants_own_goods_feed_holds_its_orders_the_codes_issued_and_its_shipments() {
    let mut world = World::new(62);
    let units = world.produce(world.cast.unit, 2);
    let (producer, wholesaler, retailer) = (
        world.cast.producer,
        world.cast.wholesaler,
        world.cast.retailer,
    );
    let document = world.ship(producer, wholesaler, &units);
    world.accept_all(wholesaler, document);
    let snapshot = world.store.snapshot();
    let entries =
        tanba_engine::feed::entries_after(snapshot.as_ref(), 0, 10_000, usize::MAX).unwrap();
    let mut seen = std::collections::BTreeMap::<&str, (bool, bool, bool)>::new();
    for entry in &entries {
        let record = tanba_engine::log::decode_record(&entry.record).unwrap();
        let part = |who| tanba_engine::feed::takes_part(snapshot.as_ref(), &record, &who).unwrap();
        let parties = (part(producer), part(wholesaler), part(retailer));
        let kind = record.event.name();
        if ["codes_ordered", "codes_issued", "shipped", "accepted"].contains(&kind) {
            seen.insert(kind, parties);
        }
    }
    // The order and the codes the system issued for it are the producer's alone; the shipment
    // and its acceptance are both sides'; nothing of it is the retailer's.
    assert_eq!(seen["codes_ordered"], (true, false, false));
    assert_eq!(seen["codes_issued"], (true, false, false));
    assert_eq!(seen["shipped"], (true, true, false));
    assert_eq!(seen["accepted"], (true, true, false));
}
