//! The life of codes through the engine, end to end over the in-memory store: emission to sale
//! and return, a pallet shipped and accepted, blocks by several authorities, owners'
//! statistics, and the log and replay after it all.

mod support;

use support::{World, code_of, sscc};
use tanba_engine::query;
use tanba_engine::records::HISTORY_MARKS_IN_RECORD_MAX;
use tanba_engine::statistics::{self, Flow, STATISTICS_DAYS_MAX};
use tanba_engine::{EngineError, LogRecord, keys};
use tanba_store::{Column, Snapshot, Store};
use tanba_types::{
    Actor, CodeKey, CodeStatus, Command, Date, Gtin, Introduction, IntroductionKind, IssuedCode,
    IssuedTail, PackageLevel, WithdrawalReason,
};

#[test]
fn a_code_from_order_to_sale_and_return() {
    let mut world = World::new(1);
    let (producer, wholesaler, retailer) = (
        world.cast.producer,
        world.cast.wholesaler,
        world.cast.retailer,
    );
    let codes = world.emit(producer, world.cast.unit, 3);
    let card = world.card(&codes[0]);
    assert_eq!(card.status, CodeStatus::Emitted);
    assert_eq!(card.owner, producer);

    world.apply_codes(producer, &codes);
    let card = world.card(&codes[0]);
    assert_eq!(card.status, CodeStatus::Applied);
    assert_eq!(card.production_date, Some(world.today()));
    assert_eq!(
        card.expiry_date,
        Some(world.today().plus_days(365)),
        "from the shelf life"
    );

    world
        .by(
            producer,
            Command::Introduce {
                codes: codes.clone(),
                introduction: Introduction::OwnProduction,
            },
        )
        .unwrap();
    assert_eq!(
        world.card(&codes[0]).introduction,
        Some(IntroductionKind::OwnProduction)
    );

    let document = world.ship(producer, wholesaler, &codes);
    assert_eq!(world.card(&codes[0]).in_transit, Some(document));
    assert_eq!(
        world.card(&codes[0]).owner,
        producer,
        "ownership moves only at acceptance"
    );
    world.accept_all(wholesaler, document);
    assert_eq!(world.card(&codes[0]).owner, wholesaler);

    let document = world.ship(wholesaler, retailer, &codes);
    world.accept_all(retailer, document);
    let sale = world.sell(retailer, codes[0]).unwrap();
    assert_eq!(
        world.card(&codes[0]).status,
        CodeStatus::Withdrawn(WithdrawalReason::RetailSale)
    );
    let sold_again = world.sell(retailer, codes[0]);
    assert_eq!(sold_again.unwrap_err(), "TANBA-CODE-WRONG-STATUS");

    world.take_back(retailer, &sale, &[codes[0]]).unwrap();
    assert_eq!(world.card(&codes[0]).status, CodeStatus::Introduced);
    assert_eq!(world.card(&codes[0]).owner, retailer);

    let snapshot = world.store.snapshot();
    let history = query::history(snapshot.as_ref(), &codes[0], 0, 100).unwrap();
    let names: Vec<&str> = history.iter().map(|record| record.event.name()).collect();
    assert_eq!(
        names,
        [
            "codes_issued",
            "codes_applied",
            "codes_introduced",
            "shipped",
            "accepted",
            "shipped",
            "accepted",
            "sold",
            "returned"
        ]
    );
    // Paged: three at a time, each page after the last sequence of the one before.
    assert_eq!(paged_history(snapshot.as_ref(), &codes[0], 3), history);
    let documents = query::documents(snapshot.as_ref(), &wholesaler, 0, 100).unwrap();
    assert_eq!(
        documents.len(),
        2,
        "the wholesaler bought once and sold once"
    );
    drop(snapshot);
    world.assert_replay_equal();
}

/// A code's whole history read page by page, each page after the last sequence of the one
/// before.
fn paged_history(snapshot: &dyn Snapshot, code: &CodeKey, page_entries: usize) -> Vec<LogRecord> {
    let mut paged = Vec::new();
    let mut after = 0;
    loop {
        let page = query::history(snapshot, code, after, page_entries).unwrap();
        let Some(last) = page.last() else {
            return paged;
        };
        after = last.sequence;
        paged.extend(page);
    }
}

#[test]
fn a_pallet_moves_as_one_and_counts_its_content() {
    let mut world = World::new(2);
    let (producer, wholesaler) = (world.cast.producer, world.cast.wholesaler);
    let units = world.produce(world.cast.unit, 40);
    let pallet = sscc(1);
    let boxes = [sscc(2), sscc(3)];
    for (index, box_code) in boxes.iter().enumerate() {
        world.pack(
            producer,
            *box_code,
            units[index * 20..(index + 1) * 20].to_vec(),
        );
    }
    world.pack(producer, pallet, boxes.to_vec());
    let card = world.card(&pallet);
    assert_eq!(card.contents, [40, 0, 2]);
    assert_eq!(world.card(&units[0]).parents, vec![boxes[0], pallet]);
    let content = query::package_content(world.store.snapshot().as_ref(), &pallet).unwrap();
    assert_eq!(content.len(), 42);

    let unit_alone = world.by(
        producer,
        Command::Ship {
            buyer: wholesaler,
            items: vec![units[0]],
            signature: vec![1],
        },
    );
    assert_eq!(code_of(unit_alone), "TANBA-ENGINE-IN-PACKAGE");

    let document = world.ship(producer, wholesaler, &[pallet]);
    assert_eq!(world.card(&units[39]).in_transit, Some(document));
    world.accept_all(wholesaler, document);
    for code in units.iter().chain(&boxes).chain([&pallet]) {
        let card = world.card(code);
        assert_eq!((card.owner, card.in_transit), (wholesaler, None), "{code}");
    }

    // The wholesaler opens the pallet and takes one box out.
    world
        .by(
            wholesaler,
            Command::Disaggregate {
                codes: vec![boxes[1]],
            },
        )
        .unwrap();
    assert_eq!(world.card(&pallet).contents, [20, 0, 1]);
    assert_eq!(world.card(&units[39]).parents, vec![boxes[1]]);
    // The unit's history holds what happened to the packages while it was in them, and not the
    // other units packed beside it.
    let snapshot = world.store.snapshot();
    let history = query::history(snapshot.as_ref(), &units[39], 0, 100).unwrap();
    let names: Vec<&str> = history.iter().map(|record| record.event.name()).collect();
    assert_eq!(
        names,
        [
            "codes_issued",
            "codes_applied",
            "codes_introduced",
            "aggregated",
            "aggregated",
            "shipped",
            "accepted",
            "disaggregated"
        ]
    );
    let first_box = query::history(snapshot.as_ref(), &units[0], 0, 100).unwrap();
    assert_eq!(
        first_box.len(),
        7,
        "the second box's removal is not the first box's units' history"
    );
    drop(snapshot);
    world.assert_replay_equal();
}

/// A code touched more often than its record holds marks keeps every event: the earlier marks
/// move to chunks of their own, and a history reads through them, the code's own and those of
/// the package it is in; pages cross from chunk to chunk and into the record.
#[test]
fn a_long_history_reads_through_its_chunks_and_the_record() {
    const ROUNDS: usize = 10;
    let mut world = World::new(3);
    let producer = world.cast.producer;
    let wholesaler = world.cast.wholesaler;
    let units = world.produce(world.cast.unit, 2);
    let pallet = sscc(1);
    world.pack(producer, pallet, units.clone());
    let mut expected_pallet = vec!["transport_package_created", "aggregated"];
    let packed_unit = vec![
        "codes_issued",
        "codes_applied",
        "codes_introduced",
        "aggregated",
    ];
    let mut expected_units = [packed_unit.clone(), packed_unit];
    for round in 0..ROUNDS {
        let document = world.ship(producer, wholesaler, &[pallet]);
        let cancel = Command::CancelShipment {
            document,
            signature: vec![7; 64],
        };
        world.by(producer, cancel).unwrap();
        for history in expected_units.iter_mut().chain([&mut expected_pallet]) {
            history.extend(["shipped", "shipment_cancelled"]);
        }
        if round % 3 == 0 {
            let out = Command::Disaggregate {
                codes: vec![units[1]],
            };
            world.by(producer, out).unwrap();
            world.pack(producer, pallet, vec![units[1]]);
            expected_pallet.push("aggregated");
            expected_units[1].extend(["disaggregated", "aggregated"]);
        }
    }

    let snapshot = world.store.snapshot();
    let names = |code: &CodeKey| -> Vec<&'static str> {
        let history = query::history(snapshot.as_ref(), code, 0, 1_000).unwrap();
        history.iter().map(|record| record.event.name()).collect()
    };
    assert_eq!(names(&pallet), expected_pallet);
    assert_eq!(
        names(&units[0]),
        expected_units[0],
        "inside the pallet all along"
    );
    assert_eq!(
        names(&units[1]),
        expected_units[1],
        "out and back in, now and then"
    );

    let record = query::code_record(snapshot.as_ref(), &pallet)
        .unwrap()
        .unwrap();
    assert!(record.history.len() <= HISTORY_MARKS_IN_RECORD_MAX);
    let chunks = snapshot
        .scan_prefix(Column::Index, &keys::history_prefix(&pallet), 100)
        .unwrap();
    assert!(chunks.len() >= 2, "{} chunks", chunks.len());
    let full = query::history(snapshot.as_ref(), &units[1], 0, 1_000).unwrap();
    assert_eq!(paged_history(snapshot.as_ref(), &units[1], 5), full);
    drop(snapshot);
    world.assert_replay_equal();
}

#[test]
fn several_authorities_block_and_each_lifts_its_own() {
    let mut world = World::new(3);
    let (authority, authority2, producer) = (
        world.cast.authority,
        world.cast.authority2,
        world.cast.producer,
    );
    let units = world.produce(world.cast.unit, 2);
    world
        .by(
            authority,
            Command::Block {
                codes: vec![units[0]],
                reason: "lab test".into(),
            },
        )
        .unwrap();
    world
        .by(
            authority2,
            Command::Block {
                codes: vec![units[0]],
                reason: "tax audit".into(),
            },
        )
        .unwrap();
    let card = world.card(&units[0]);
    assert_eq!(card.blockers.len(), 2);
    assert_eq!(card.blockers[0].reason, "lab test");

    let again = world.by(
        authority,
        Command::Block {
            codes: vec![units[0]],
            reason: "x".into(),
        },
    );
    assert_eq!(code_of(again), "TANBA-ENGINE-ALREADY-BLOCKED");
    let shipped = world.by(
        producer,
        Command::Ship {
            buyer: world.cast.wholesaler,
            items: vec![units[0]],
            signature: vec![1],
        },
    );
    assert_eq!(code_of(shipped), "TANBA-CODE-BLOCKED");

    world
        .by(
            authority,
            Command::Unblock {
                codes: vec![units[0]],
            },
        )
        .unwrap();
    assert!(world.card(&units[0]).is_blocked(), "the second block stays");
    let not_mine = world.by(
        authority,
        Command::Unblock {
            codes: vec![units[0]],
        },
    );
    assert_eq!(code_of(not_mine), "TANBA-ENGINE-NOT-BLOCKED-BY-YOU");
    world
        .by(
            authority2,
            Command::Unblock {
                codes: vec![units[0]],
            },
        )
        .unwrap();
    assert!(!world.card(&units[0]).is_blocked());
    world.ship(producer, world.cast.wholesaler, &[units[0]]);
    world.assert_replay_equal();
}

#[test]
fn short_profile_codes_keep_their_key_id_for_the_server() {
    let mut world = World::new(4);
    let importer = world.cast.importer;
    let codes = world.emit(importer, world.cast.imported, 5);
    let snapshot = world.store.snapshot();
    let tail = query::issued_tail(snapshot.as_ref(), &codes[0])
        .unwrap()
        .unwrap();
    let IssuedTail::Short { key_id, tag } = tail else {
        panic!("a short profile gives short tails");
    };
    assert_eq!(tag.len(), 6);
    let key = world
        .ring
        .short_tag_key(&tanba_crypto::KeyId::parse(&key_id).unwrap())
        .unwrap();
    let gtin = codes[0].gtin().unwrap();
    let serial = match codes[0] {
        CodeKey::Item { serial, .. } => serial,
        CodeKey::Sscc(_) => unreachable!(),
    };
    tanba_crypto::verify_short_tag(key, gtin.as_str(), serial.as_str(), &tag, 6).unwrap();
    let page = query::order_codes(
        snapshot.as_ref(),
        world.card(&codes[0]).issued.unwrap().0,
        0,
        100,
    )
    .unwrap();
    assert_eq!(page.len(), 5);
    assert_eq!(
        page.iter().map(|(code, _)| *code).collect::<Vec<_>>(),
        codes
    );
}

#[test]
fn r_is_14_stock_moves_with_a_pallet_and_flows_count_by_day() {
    let mut world = World::new(3);
    let (producer, wholesaler, authority) = (
        world.cast.producer,
        world.cast.wholesaler,
        world.cast.authority,
    );
    let unit = world.cast.unit;
    let units = world.produce(unit, 40);
    let (pallet, boxes) = (sscc(1), [sscc(2), sscc(3)]);
    for (index, box_code) in boxes.iter().enumerate() {
        let inside = units[index * 20..(index + 1) * 20].to_vec();
        world.pack(producer, *box_code, inside);
    }
    world.pack(producer, pallet, boxes.to_vec());
    let today = world.today();
    let stats = |world: &World, owner| {
        let snapshot = world.store.snapshot();
        statistics::owner_statistics(snapshot.as_ref(), &owner, today, today, None).unwrap()
    };
    let stock = |world: &World, owner| -> Vec<(Option<Gtin>, CodeStatus, u64, u64)> {
        let rows = stats(world, owner).stock.into_iter();
        rows.map(|row| (row.gtin, row.status, row.codes, row.blocked))
            .collect()
    };
    let flows = |world: &World, owner| -> Vec<(Option<Gtin>, Flow, u64)> {
        let rows = stats(world, owner).flows.into_iter();
        rows.map(|row| (row.gtin, row.flow, row.codes)).collect()
    };
    let packed = (None, CodeStatus::Applied, 3, 0);
    let circulating = (Some(unit), CodeStatus::Introduced, 40, 0);
    assert_eq!(stock(&world, producer), [packed, circulating]);

    let document = world.ship(producer, wholesaler, &[pallet]);
    world.accept_all(wholesaler, document);
    assert_eq!(
        stock(&world, producer),
        [],
        "the pallet left with everything in it"
    );
    assert_eq!(stock(&world, wholesaler), [packed, circulating]);
    let made = [Flow::Issued, Flow::Applied, Flow::Introduced].map(|flow| (Some(unit), flow, 40));
    let shipped = [(None, Flow::Shipped, 3), (Some(unit), Flow::Shipped, 40)];
    assert_eq!(
        flows(&world, producer),
        [&shipped[..1], &made, &shipped[1..]].concat()
    );
    let accepted = [(None, Flow::Accepted, 3), (Some(unit), Flow::Accepted, 40)];
    assert_eq!(flows(&world, wholesaler), accepted);

    // A block inside the pallet counts for the holder, not for the packer.
    world
        .by(
            authority,
            Command::Block {
                codes: vec![boxes[0]],
                reason: "inspection".into(),
            },
        )
        .unwrap();
    let stock_now = stock(&world, wholesaler);
    assert_eq!(stock_now[0], (None, CodeStatus::Applied, 3, 1));
    assert_eq!(stock_now[1], (Some(unit), CodeStatus::Introduced, 40, 20));
    assert!(flows(&world, wholesaler).contains(&(Some(unit), Flow::Blocked, 20)));

    let snapshot = world.store.snapshot();
    let yesterday = Date::from_days_since_epoch(today.days_since_epoch() - 1);
    let before =
        statistics::owner_statistics(snapshot.as_ref(), &producer, yesterday, yesterday, None)
            .unwrap();
    assert!(before.flows.is_empty(), "nothing happened the day before");
    let one_product =
        statistics::owner_statistics(snapshot.as_ref(), &producer, today, today, Some(&unit))
            .unwrap();
    assert!(one_product.flows.iter().all(|row| row.gtin == Some(unit)));
    let backwards =
        statistics::owner_statistics(snapshot.as_ref(), &producer, today, yesterday, None);
    assert_eq!(backwards.unwrap_err().code(), "TANBA-ENGINE-INVALID");
    let far = Date::from_days_since_epoch(today.days_since_epoch() + STATISTICS_DAYS_MAX as i32);
    let too_long = statistics::owner_statistics(snapshot.as_ref(), &producer, today, far, None);
    assert_eq!(too_long.unwrap_err().code(), "TANBA-ENGINE-LIMIT-EXCEEDED");
    drop(snapshot);
    world.assert_replay_equal();
}

/// An EPCIS capture (issue 14) is all or nothing: a refused command takes back the ones before
/// it, in the same group as other commands that stand.
#[test]
fn a_capture_refused_part_way_leaves_nothing_and_the_group_around_it_stands() {
    let mut world = World::new(4);
    let producer = world.cast.producer;
    let unit = world.cast.unit;
    let codes = world.emit(producer, unit, 4);
    let applied = Command::ReportApplied {
        codes: codes.clone(),
        production_date: world.today(),
        expiry_date: None,
        batch: Some("E-1".into()),
    };
    let packed = Command::Aggregate {
        parent: sscc(1),
        children: codes[..2].to_vec(),
    };
    let not_packed = Command::Disaggregate {
        codes: vec![codes[3]],
    };
    let today = world.today();
    let stock = |world: &World| {
        let snapshot = world.store.snapshot();
        statistics::owner_statistics(snapshot.as_ref(), &producer, today, today, None).unwrap()
    };
    let (head, stock_before) = (world.core.head(), stock(&world));
    let capture = Command::Capture(vec![applied.clone(), packed.clone(), not_packed]);
    let outcomes = world.run_group(vec![
        (
            Actor::Participant(producer),
            Command::OrderCodes {
                gtin: unit,
                quantity: 1,
            },
        ),
        (Actor::Participant(producer), capture),
        (
            Actor::Participant(producer),
            Command::OrderCodes {
                gtin: unit,
                quantity: 2,
            },
        ),
    ]);
    match &outcomes[1] {
        Err(EngineError::InCapture { index: 2, error }) => {
            assert_eq!(error.code(), "TANBA-ENGINE-NOT-IN-PACKAGE");
        }
        other => panic!("{other:?}"),
    }
    assert!(outcomes[0].is_ok() && outcomes[2].is_ok(), "{outcomes:?}");
    assert_eq!(
        world.core.head().sequence,
        head.sequence + 2,
        "the two orders, nothing of the capture"
    );
    assert_eq!(world.card(&codes[0]).status, CodeStatus::Emitted);
    assert!(
        query::code_card(world.store.snapshot().as_ref(), &sscc(1))
            .unwrap()
            .is_none()
    );
    assert_eq!(stock(&world).stock, stock_before.stock);

    let receipt = world
        .by(producer, Command::Capture(vec![applied, packed]))
        .unwrap();
    assert_eq!(
        receipt.last_sequence - receipt.first_sequence + 1,
        3,
        "applied, pallet made, packed"
    );
    assert_eq!(world.card(&codes[1]).status, CodeStatus::Applied);
    assert_eq!(world.card(&codes[1]).parents, vec![sscc(1)]);
    let nested = world.by(producer, Command::Capture(vec![Command::Capture(vec![])]));
    assert_eq!(code_of(nested), "TANBA-ENGINE-INVALID");
    let shipment = world.by(
        producer,
        Command::Capture(vec![Command::Ship {
            buyer: world.cast.wholesaler,
            items: vec![sscc(1)],
            signature: vec![1],
        }]),
    );
    assert_eq!(
        code_of(shipment),
        "TANBA-ENGINE-INVALID",
        "a signed document is never captured"
    );
    world.assert_replay_equal();
}

/// The valid openepcis documents that map to Tanba operations import (issue 14): the unpacking
/// in `AggregationEvent_with_persistentDisposition.json`, in a world where its case and units
/// exist (issued with the document's own serials) and are packed. Its first event, goods
/// received, is a signed document's business and is refused; with `proceed` the unpacking is
/// done, all or nothing within itself.
#[test]
fn an_openepcis_documents_unpacking_imports_where_its_units_exist() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/conformance/openepcis-test-resources/2.0/EPCIS/JSON/Capture/Documents/AggregationEvent_with_persistentDisposition.json",
    );
    let document = tanba_epcis::capture::read(&std::fs::read(&path).unwrap()).unwrap();
    let (planned, refused) = tanba_epcis::capture::plan(&document);
    assert_eq!(refused.len(), 1, "the goods received: {refused:?}");
    let Command::Disaggregate { codes } = planned[0].command.clone() else {
        panic!("{planned:?}");
    };
    let case =
        tanba_epcis::capture::code_key(document.events[1]["parentID"].as_str().unwrap()).unwrap();

    let mut world = World::new(5);
    let producer = world.cast.producer;
    for (code, level) in [(codes[0], PackageLevel::Unit), (case, PackageLevel::Group)] {
        let product = tanba_types::Product {
            gtin: code.gtin().unwrap(),
            names: support::names("Product"),
            producer_name: "Maker".into(),
            producer: Some(producer),
            importer: None,
            country: "KZ".into(),
            hs_code: tanba_types::HsCode::parse("2402209000").unwrap(),
            category: "tobacco".into(),
            level,
            shelf_life_days: Some(365),
        };
        world.system(Command::RegisterProduct(product)).unwrap();
    }
    let issue = |world: &mut World, keys: &[CodeKey]| {
        let gtin = keys[0].gtin().unwrap();
        let quantity = keys.len() as u32;
        let order = (world
            .by(producer, Command::OrderCodes { gtin, quantity })
            .unwrap()
            .created)
            .unwrap();
        let issued = keys
            .iter()
            .map(|key| {
                let CodeKey::Item { serial, .. } = key else {
                    unreachable!()
                };
                let signed = tanba_crypto::sign_code(
                    world.ring.active_signing_key(),
                    gtin.as_str(),
                    serial.as_str(),
                )
                .unwrap();
                IssuedCode {
                    serial: *serial,
                    tail: IssuedTail::Full {
                        key_id: signed.key_id.as_str().to_owned(),
                        signature: signed.signature_b64,
                    },
                }
            })
            .collect();
        world
            .system(Command::IssueCodes {
                order,
                codes: issued,
            })
            .unwrap();
    };
    issue(&mut world, &codes);
    issue(&mut world, &[case]);
    let everything: Vec<CodeKey> = codes.iter().copied().chain([case]).collect();
    world.apply_codes(producer, &everything);
    world.pack(producer, case, codes.clone());
    assert_eq!(world.card(&codes[9]).parents, vec![case]);

    let commands = planned.into_iter().map(|one| one.command).collect();
    world.by(producer, Command::Capture(commands)).unwrap();
    assert!(world.card(&codes[9]).parents.is_empty(), "unpacked");
    assert_eq!(world.card(&case).contents, [0, 0, 0]);
    world.assert_replay_equal();
}
