//! The log's goods events as EPCIS: a log of every goods event Tanba has, rendered, checked
//! against GS1's schema and our own capture checks, hashed, and read back by capture.

use std::collections::HashMap;

use serde_json::Value;
use tanba_epcis::capture::{self, ProblemKind};
use tanba_epcis::export::{self, ExportError, LogLookup};
use tanba_log::LogRecord;
use tanba_types::{
    Actor, CodeKey, Command, Date, Event, Gtin, Introduction, IssuedCode, IssuedTail, Serial, Sscc,
    TaxpayerId, WithdrawalReason,
};

const PRODUCER: &str = "960440000012";
const BUYER: &str = "040340004565";
const RETAILER: &str = "870412300416";
const AUTHORITY: &str = "990540000399";
/// 2026-12-05T10:00:00Z.
const START_MS: u64 = 1_796_464_800_000;

struct Log(HashMap<u64, LogRecord>);

impl LogLookup for Log {
    fn record(&self, sequence: u64) -> Result<Option<LogRecord>, ExportError> {
        Ok(self.0.get(&sequence).cloned())
    }
}

fn with_check_digit(digits: &str) -> String {
    format!(
        "{digits}{}",
        tanba_gs1::check_digit::compute(digits).unwrap()
    )
}

fn id(text: &str) -> TaxpayerId {
    TaxpayerId::parse(text).unwrap()
}

fn gtin() -> Gtin {
    Gtin::parse(&with_check_digit("0460000000001")).unwrap()
}

fn unit(serial: &str) -> CodeKey {
    CodeKey::item(gtin(), Serial::parse(serial).unwrap())
}

fn pallet() -> CodeKey {
    CodeKey::Sscc(Sscc::parse(&with_check_digit("04600000000000001")).unwrap())
}

fn issued(serial: &str) -> IssuedCode {
    IssuedCode {
        serial: Serial::parse(serial).unwrap(),
        tail: IssuedTail::Full {
            key_id: "k1".into(),
            signature: "c2ln".into(),
        },
    }
}

/// Every goods event, in a plausible order (sequence = place + 1).
fn events() -> Vec<(Actor, Event)> {
    let producer = Actor::Participant(id(PRODUCER));
    let buyer = Actor::Participant(id(BUYER));
    let Some(CodeKey::Sscc(sscc)) = Some(pallet()) else {
        unreachable!()
    };
    let many: Vec<IssuedCode> = (0..2_500)
        .map(|index| issued(&format!("M{index}")))
        .collect();
    vec![
        (
            producer,
            Event::CodesOrdered {
                orderer: id(PRODUCER),
                gtin: gtin(),
                quantity: 2_503,
                tail_profile: tanba_types::reference::TailProfile::Full,
            },
        ),
        (
            Actor::System,
            Event::CodesIssued {
                order: 1,
                first_index: 0,
                codes: vec![issued("A1"), issued("A2"), issued("A/3")],
            },
        ),
        (
            producer,
            Event::CodesApplied {
                codes: vec![unit("A1"), unit("A2"), unit("A/3")],
                production_date: Date::from_ymd(2026, 12, 1).unwrap(),
                expiry_date: Some(Date::from_ymd(2027, 12, 1).unwrap()),
                batch: Some("L-7".into()),
            },
        ),
        (
            producer,
            Event::TransportPackageCreated {
                sscc,
                owner: id(PRODUCER),
            },
        ),
        (
            producer,
            Event::Aggregated {
                parent: pallet(),
                children: vec![unit("A1"), unit("A2")],
            },
        ),
        (
            producer,
            Event::CodesIntroduced {
                codes: vec![pallet(), unit("A/3")],
                introduction: Introduction::Import {
                    customs_declaration: "50101/051226/0012345".into(),
                },
            },
        ),
        (
            producer,
            Event::Shipped {
                seller: id(PRODUCER),
                buyer: id(BUYER),
                items: vec![pallet()],
                signature: vec![1],
            },
        ),
        (
            buyer,
            Event::Accepted {
                document: 7,
                accepted: vec![pallet()],
                returned: vec![],
                signature: vec![2],
            },
        ),
        (
            buyer,
            Event::Shipped {
                seller: id(BUYER),
                buyer: id(RETAILER),
                items: vec![pallet()],
                signature: vec![3],
            },
        ),
        (
            buyer,
            Event::ShipmentCancelled {
                document: 9,
                signature: vec![4],
            },
        ),
        (
            buyer,
            Event::Disaggregated {
                codes: vec![unit("A1")],
            },
        ),
        (
            buyer,
            Event::Sold {
                receipt_id: "R 1".into(),
                printed_ms: START_MS,
                lines: vec![],
                sold: vec![unit("A1")],
                refused: vec![],
            },
        ),
        (
            buyer,
            Event::Returned {
                codes: vec![unit("A1")],
                receipt_id: "R 2".into(),
                sale_receipt_id: "R 1".into(),
            },
        ),
        (
            Actor::Participant(id(AUTHORITY)),
            Event::Blocked {
                codes: vec![unit("A2")],
                authority: id(AUTHORITY),
                reason: "a test".into(),
            },
        ),
        (
            Actor::Participant(id(AUTHORITY)),
            Event::Unblocked {
                codes: vec![unit("A2")],
                authority: id(AUTHORITY),
            },
        ),
        (
            buyer,
            Event::Withdrawn {
                codes: vec![unit("A2")],
                reason: WithdrawalReason::Destruction,
                document: Some("act 5".into()),
                export: None,
                eaeu: None,
            },
        ),
        (
            buyer,
            Event::Shipped {
                seller: id(BUYER),
                buyer: id(RETAILER),
                items: vec![unit("A/3")],
                signature: vec![5],
            },
        ),
        (
            Actor::Participant(id(RETAILER)),
            Event::Rejected {
                document: 17,
                signature: vec![6],
            },
        ),
        (
            Actor::System,
            Event::CodesIssued {
                order: 1,
                first_index: 3,
                codes: many,
            },
        ),
    ]
}

fn log() -> Log {
    Log(events()
        .into_iter()
        .enumerate()
        .map(|(place, (actor, event))| {
            let sequence = place as u64 + 1;
            (
                sequence,
                LogRecord {
                    sequence,
                    time_ms: START_MS + sequence * 1_000,
                    actor,
                    event,
                },
            )
        })
        .collect())
}

/// Every entry's EPCIS events, by sequence.
fn rendered(log: &Log) -> Vec<(u64, Vec<Value>)> {
    let mut sequences: Vec<u64> = log.0.keys().copied().collect();
    sequences.sort();
    sequences
        .into_iter()
        .map(|sequence| (sequence, export::events_of(&log.0[&sequence], log).unwrap()))
        .collect()
}

fn step(event: &Value) -> &str {
    event["bizStep"]
        .as_str()
        .unwrap()
        .rsplit(['-', '/'])
        .next()
        .unwrap()
}

#[test]
fn every_goods_event_becomes_the_epcis_event_the_table_says() {
    let log = log();
    // Each entry's events, as "type action step".
    let described: Vec<Vec<String>> = rendered(&log)
        .into_iter()
        .map(|(_, events)| {
            let describe = |event: &Value| {
                let (kind, action) = (
                    event["type"].as_str().unwrap(),
                    event["action"].as_str().unwrap(),
                );
                format!("{kind} {action} {}", step(event))
            };
            events.iter().map(describe).collect()
        })
        .collect();
    let expect = |sequence: u64, wanted: &[(&str, &str, &str)]| {
        let wanted: Vec<String> = wanted
            .iter()
            .map(|(kind, action, step)| format!("{kind} {action} {step}"))
            .collect();
        assert_eq!(described[sequence as usize - 1], wanted, "entry {sequence}");
    };
    expect(1, &[]);
    expect(2, &[("ObjectEvent", "ADD", "encoding")]);
    expect(3, &[("ObjectEvent", "ADD", "commissioning")]);
    expect(4, &[("ObjectEvent", "ADD", "commissioning")]);
    expect(5, &[("AggregationEvent", "ADD", "packing")]);
    expect(6, &[("ObjectEvent", "OBSERVE", "introducing")]);
    expect(7, &[("TransactionEvent", "ADD", "shipping")]);
    expect(8, &[("TransactionEvent", "OBSERVE", "accepting")]);
    expect(
        10,
        &[
            ("TransactionEvent", "ADD", "shipping"),
            ("TransactionEvent", "DELETE", "void_shipping"),
        ],
    );
    expect(11, &[("AggregationEvent", "DELETE", "unpacking")]);
    expect(12, &[("ObjectEvent", "OBSERVE", "retail_selling")]);
    expect(13, &[("ObjectEvent", "OBSERVE", "receiving")]);
    expect(14, &[("ObjectEvent", "OBSERVE", "holding")]);
    expect(16, &[("ObjectEvent", "DELETE", "destroying")]);
    expect(18, &[("TransactionEvent", "DELETE", "accepting")]);
    // 2,500 codes: three events of at most 1,000.
    let chunks: Vec<usize> = rendered(&log)[18]
        .1
        .iter()
        .map(|event| event["epcList"].as_array().unwrap().len())
        .collect();
    assert_eq!(chunks, [1_000, 1_000, 500]);
}

#[test]
fn an_exported_document_passes_gs1s_schema_and_our_own_capture_checks() {
    let log = log();
    let events: Vec<Value> = rendered(&log)
        .into_iter()
        .flat_map(|(_, events)| events)
        .collect();
    let document = export::document(events, START_MS);
    assert_eq!(
        tanba_epcis::schema::problems(&document, 10),
        Vec::<(String, String)>::new()
    );
    assert!(capture::check_beyond_schema(&document).is_empty());
    let query = export::query_document("SimpleEventQuery", vec![], START_MS);
    assert!(tanba_epcis::schema::is_valid(&query));
}

#[test]
fn every_event_id_is_the_events_own_cbv_hash_and_identifiers_are_digital_links() {
    let log = log();
    for (sequence, events) in rendered(&log) {
        for event in events
            .iter()
            .filter(|event| event.get("errorDeclaration").is_none())
        {
            let mut bare = event.clone();
            let id = bare.as_object_mut().unwrap().remove("eventID").unwrap();
            assert_eq!(
                export::event_id(&bare).unwrap(),
                id.as_str().unwrap(),
                "entry {sequence}"
            );
            assert!(id.as_str().unwrap().starts_with("ni:///sha-256;"));
            for uri in event
                .get("epcList")
                .or(event.get("childEPCs"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                assert!(
                    uri.as_str().unwrap().starts_with("https://id.gs1.org/0"),
                    "{uri}"
                );
            }
        }
    }
    let third = &rendered(&log)[2].1[0];
    assert_eq!(
        third["epcList"][2],
        format!("https://id.gs1.org/01/{}/21/A%2F3", gtin().as_str())
    );
}

#[test]
fn a_shipment_called_back_is_an_error_declaration_pointing_at_the_shipment_and_its_correction() {
    let log = log();
    let all = rendered(&log);
    let shipment = &all[8].1[0];
    let cancellation = &all[9].1;
    let (declaration, corrective) = (&cancellation[0], &cancellation[1]);
    assert_eq!(
        declaration["eventID"], shipment["eventID"],
        "the declaration names the event it corrects"
    );
    assert_eq!(
        declaration["errorDeclaration"]["reason"],
        "https://ref.gs1.org/cbv/ER-did_not_occur"
    );
    assert_eq!(
        declaration["errorDeclaration"]["correctiveEventIDs"][0],
        corrective["eventID"]
    );
    assert_eq!(declaration["tanba:declaredBy"], 10);
    assert_eq!(declaration["epcList"], shipment["epcList"]);
}

#[test]
fn our_own_events_captured_again_become_the_commands_that_made_them() {
    let log = log();
    let own: Vec<Value> = rendered(&log)
        .into_iter()
        .filter(|(sequence, _)| [3, 5, 6, 11, 16].contains(sequence))
        .flat_map(|(_, events)| events)
        .collect();
    let bytes = serde_json::to_vec(&export::document(own, START_MS)).unwrap();
    let document = capture::read(&bytes).unwrap();
    let (planned, problems) = capture::plan(&document);
    assert!(problems.is_empty(), "{problems:?}");
    let commands: Vec<Command> = planned.into_iter().map(|one| one.command).collect();
    assert_eq!(
        commands[0],
        Command::ReportApplied {
            codes: vec![unit("A1"), unit("A2"), unit("A/3")],
            production_date: Date::from_ymd(2026, 12, 1).unwrap(),
            expiry_date: Some(Date::from_ymd(2027, 12, 1).unwrap()),
            batch: Some("L-7".into()),
        }
    );
    assert_eq!(
        commands[1],
        Command::Aggregate {
            parent: pallet(),
            children: vec![unit("A1"), unit("A2")]
        }
    );
    assert_eq!(
        commands[2],
        Command::Introduce {
            codes: vec![pallet(), unit("A/3")],
            introduction: Introduction::Import {
                customs_declaration: "50101/051226/0012345".into()
            }
        }
    );
    assert_eq!(
        commands[3],
        Command::Disaggregate {
            codes: vec![unit("A1")]
        }
    );
    assert_eq!(
        commands[4],
        Command::Withdraw {
            codes: vec![unit("A2")],
            reason: WithdrawalReason::Destruction,
            document: Some("act 5".into()),
            export: None,
            eaeu: None
        }
    );
}

#[test]
fn a_shipment_sale_or_class_count_captured_is_refused_with_its_reason() {
    let log = log();
    let refused: Vec<Value> = rendered(&log)
        .into_iter()
        .filter(|(sequence, _)| [7, 12].contains(sequence))
        .flat_map(|(_, events)| events)
        .collect();
    let bytes = serde_json::to_vec(&export::document(refused, START_MS)).unwrap();
    let (planned, problems) = capture::plan(&capture::read(&bytes).unwrap());
    assert!(planned.is_empty());
    let kinds: Vec<ProblemKind> = problems.iter().map(|problem| problem.kind).collect();
    assert_eq!(
        kinds,
        [ProblemKind::SignedDocument, ProblemKind::FiscalReceipt]
    );
}
