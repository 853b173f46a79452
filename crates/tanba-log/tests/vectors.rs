//! The log contract's pinned test vectors: one record of every event kind, its bytes, its feed
//! kinds, its leaf and its proto3 JSON form, kept in `tests/vectors/records.jsonl`. A change that
//! alters any of them breaks every decoder outside Tanba, so it fails here; a new event kind adds
//! a line (run with `TANBA_WRITE_VECTORS=1` to write the file, then review the diff: old lines
//! must not change).
//!
//! Also: what "next year's log" may hold decodes today (an unknown field is skipped, an unknown
//! event still gives its sequence, time, actor and name), and a format this reader does not know
//! is refused.

use std::collections::{BTreeMap, BTreeSet};

use prost::Message;
use tanba_log::{FeedKind, FeedKinds, LogError, LogRecord, decode, encode, kinds_of, leaf, pb};
use tanba_types::case::{
    AttachmentRef, CaseOpening, CaseStep, ClockChange, DayUnit, Decimal, DocumentNumber, Due,
    ExportAuthorization, ExportUsed, FieldValue, GoodsScope, Holding, LegalClock, Notice, Run,
    Rung, Scalar, StageReport, SweepJob, SweepPhase, Texts,
};
use tanba_types::{
    Actor, Category, CodeKey, Date, ErrorNote, Event, FiscalAgency, Gtin, HsCode, Introduction,
    IssuedCode, IssuedTail, Names, PackageLevel, Participant, ParticipantKey, ParticipantStatus,
    Product, RefusedLine, Role, SaleLine, Serial, Sscc, TailProfile, TaxpayerId, WithdrawalReason,
};
use tanba_types::{
    FlagReason, Location, PhotoFormat, PhotoRef, SealedContact, ViolationKind, ViolationReport,
};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/records.jsonl");

fn seller() -> TaxpayerId {
    TaxpayerId::parse("940140000385").unwrap()
}

fn buyer() -> TaxpayerId {
    TaxpayerId::parse("830717350867").unwrap()
}

fn gtin() -> Gtin {
    Gtin::parse("46000000000019").unwrap()
}

fn unit(serial: &str) -> CodeKey {
    CodeKey::item(gtin(), Serial::parse(serial).unwrap())
}

fn pallet() -> CodeKey {
    CodeKey::Sscc(sscc())
}

fn sscc() -> Sscc {
    Sscc::parse("460000000000000019").unwrap()
}

fn day(text: &str) -> Date {
    text.parse().unwrap()
}

fn permit() -> DocumentNumber {
    DocumentNumber::parse("EUC-2026-000017").unwrap()
}

fn names() -> Names {
    Names {
        kk: "Су".into(),
        ru: "Вода".into(),
        en: Some("Water".into()),
    }
}

fn texts(text: &str) -> Texts {
    Texts {
        kk: format!("{text} (kk)"),
        ru: format!("{text} (ru)"),
        en: format!("{text} (en)"),
    }
}

fn step() -> CaseStep {
    let mut row = BTreeMap::new();
    row.insert("gtin".to_owned(), Scalar::Text(gtin().to_string()));
    row.insert("units".to_owned(), Scalar::Integer(12));
    let mut form = BTreeMap::new();
    form.insert(
        "ground".to_owned(),
        FieldValue::One(Scalar::Text("лаборатория (\\n)".into())),
    );
    form.insert(
        "dose".to_owned(),
        FieldValue::One(Scalar::Decimal(Decimal {
            mantissa: -1250,
            scale: 3,
        })),
    );
    form.insert(
        "days".to_owned(),
        FieldValue::List(vec![
            Scalar::Date(day("2026-12-01")),
            Scalar::Moment(1_764_547_200_000),
            Scalar::Flag(false),
            Scalar::Taxpayer(buyer()),
            Scalar::Code(unit("a(b")),
        ]),
    );
    form.insert("goods".to_owned(), FieldValue::Rows(vec![row]));
    CaseStep {
        case: 40,
        transition: "open".into(),
        state: "opened".into(),
        closed: false,
        form,
        attachments: vec![AttachmentRef {
            hash: [7; 32],
            name: "finding.pdf".into(),
            media_type: "application/pdf".into(),
            size_bytes: 2048,
            language: Some("ru".into()),
            translation_of: Some([9; 32]),
        }],
        signature: vec![1, 2, 3],
    }
}

fn clock() -> LegalClock {
    LegalClock {
        unit: DayUnit::WorkingDays,
        budget_days: 10,
        consumed_days: 2,
        extended_by_days: Some(5),
        run: Run::Running {
            since: day("2026-12-01"),
            due: Due {
                day: day("2026-12-15"),
                at_ms: 1_765_821_600_000,
                calendar_version: 3,
                listed_days_crossed: vec![day("2026-12-16")],
            },
        },
        fired: BTreeSet::from([Rung::Approaching, Rung::DueToday]),
    }
}

fn participant() -> Participant {
    Participant {
        id: seller(),
        name: "ТОО «Су»".into(),
        roles: BTreeSet::from([Role::Producer, Role::Wholesaler]),
        keys: vec![ParticipantKey {
            algorithm: "ed25519".into(),
            public_key: vec![0xAB; 32],
        }],
        status: ParticipantStatus::Active,
    }
}

fn product() -> Product {
    Product {
        gtin: gtin(),
        names: names(),
        producer_name: "Su LLP".into(),
        producer: Some(seller()),
        importer: None,
        country: "KZ".into(),
        hs_code: HsCode::parse("2201101100").unwrap(),
        category: "water".into(),
        level: PackageLevel::Unit,
        shelf_life_days: Some(365),
    }
}

fn reference_events() -> Vec<Event> {
    vec![
        Event::ParticipantRegistered(participant()),
        Event::ParticipantUpdated(Participant {
            status: ParticipantStatus::Suspended,
            roles: BTreeSet::from([Role::Authority, Role::Ministry, Role::Operator]),
            ..participant()
        }),
        Event::CategoryDefined(Category {
            code: "water".into(),
            names: names(),
            tail_profile: TailProfile::Short { length_chars: 8 },
            return_period_days: 14,
            control_list_code: Some("ML8.a".into()),
        }),
        Event::ProductRegistered(product()),
        Event::ProductUpdated(Product {
            importer: Some(buyer()),
            level: PackageLevel::Group,
            shelf_life_days: None,
            ..product()
        }),
        Event::FiscalOperatorAssigned(FiscalAgency {
            operator: buyer(),
            seller: seller(),
            valid_from: day("2026-01-01"),
            valid_until: Some(day("2026-12-31")),
        }),
        Event::CalendarPublished {
            version: 2,
            toml: "year = 2026\n".into(),
        },
        Event::ReferencePublished {
            set: "hs_codes".into(),
            version: 1,
            toml: "[codes]\n".into(),
        },
    ]
}

fn goods_events() -> Vec<Event> {
    vec![
        Event::CodesOrdered {
            orderer: seller(),
            gtin: gtin(),
            quantity: 2,
            tail_profile: TailProfile::Full,
        },
        Event::CodesIssued {
            order: 9,
            first_index: 0,
            codes: vec![
                IssuedCode {
                    serial: Serial::parse("a(b").unwrap(),
                    tail: IssuedTail::Full {
                        key_id: "K001".into(),
                        signature: "c2lnbmF0dXJl".into(),
                    },
                },
                IssuedCode {
                    serial: Serial::parse("2").unwrap(),
                    tail: IssuedTail::Short {
                        key_id: "S001".into(),
                        tag: "AbCd".into(),
                    },
                },
            ],
        },
        Event::CodesApplied {
            codes: vec![unit("a(b"), unit("2")],
            production_date: day("2026-11-30"),
            expiry_date: Some(day("2027-11-30")),
            batch: Some("B-7".into()),
        },
        Event::CodesIntroduced {
            codes: vec![unit("2")],
            introduction: Introduction::OwnProduction,
        },
        Event::CodesIntroduced {
            codes: vec![unit("2")],
            introduction: Introduction::Import {
                customs_declaration: "50401/011226/0012345".into(),
            },
        },
        Event::CodesIntroduced {
            codes: vec![unit("2")],
            introduction: Introduction::EaeuReceipt {
                from_country: "RU".into(),
                document_number: "UPD-17".into(),
                seller_taxpayer: None,
                document_date: None,
            },
        },
        Event::TransportPackageCreated {
            sscc: sscc(),
            owner: seller(),
        },
        Event::Aggregated {
            parent: pallet(),
            children: vec![unit("a(b"), unit("2")],
        },
        Event::Disaggregated {
            codes: vec![unit("2")],
        },
        Event::Blocked {
            codes: vec![pallet()],
            authority: buyer(),
            reason: "проверка".into(),
        },
        Event::Unblocked {
            codes: vec![pallet()],
            authority: buyer(),
        },
    ]
}

fn trade_events() -> Vec<Event> {
    vec![
        Event::Shipped {
            seller: seller(),
            buyer: buyer(),
            items: vec![pallet()],
            signature: vec![0x5A; 64],
        },
        Event::Accepted {
            document: 21,
            accepted: vec![unit("a(b")],
            returned: vec![unit("2")],
            signature: vec![0x5B; 64],
        },
        Event::Rejected {
            document: 21,
            signature: vec![0x5C; 64],
        },
        Event::ShipmentCancelled {
            document: 21,
            signature: vec![0x5D; 64],
        },
        Event::Withdrawn {
            codes: vec![unit("2")],
            reason: WithdrawalReason::WriteOff,
            document: Some("act 5".into()),
            export: None,
            eaeu: None,
        },
        Event::Withdrawn {
            codes: vec![unit("2")],
            reason: WithdrawalReason::ExportToEaeu,
            document: Some("UPD-9".into()),
            export: None,
            eaeu: None,
        },
        Event::Withdrawn {
            codes: vec![unit("2")],
            reason: WithdrawalReason::ExportOutsideEaeu,
            document: None,
            export: Some(ExportUsed {
                permit: permit(),
                case: 40,
                units: 1,
            }),
            eaeu: None,
        },
        Event::Sold {
            receipt_id: "R-1".into(),
            printed_ms: 1_764_820_000_000,
            lines: vec![
                SaleLine {
                    code: "010460000000001921a(b".into(),
                    price_tiyn: 45_000,
                },
                SaleLine {
                    code: "garbage".into(),
                    price_tiyn: 100,
                },
            ],
            sold: vec![unit("a(b")],
            refused: vec![RefusedLine {
                line: 1,
                error: ErrorNote {
                    code: "TANBA-GS1-SYNTAX".into(),
                    ai: Some("01".into()),
                    position: Some(0),
                    detail: None,
                },
            }],
        },
        Event::Returned {
            codes: vec![unit("a(b")],
            receipt_id: "R-2".into(),
            sale_receipt_id: "R-1".into(),
        },
    ]
}

fn case_events() -> Vec<Event> {
    let opening = CaseOpening {
        kind: "recall".into(),
        text_version: "2025-01".into(),
        party: seller(),
        authority: Some(buyer()),
        parent: Some(3),
        named: vec![buyer()],
        references: vec![("hs_codes".into(), 1)],
    };
    vec![
        Event::StageReported(StageReport {
            case: 40,
            kind: "permit".into(),
            stage: "decide".into(),
            state: "granted".into(),
            deadline: Some(("D-PER-1".into(), 1_765_821_600_000)),
            on_time: true,
        }),
        Event::ExportAuthorized {
            case: 40,
            authorization: ExportAuthorization {
                number: permit(),
                hs_code: "9306901000".into(),
                control_code: "ML3.a".into(),
                end_user: "Armed forces of X".into(),
                units: 100,
                valid_until: day("2027-06-30"),
            },
        },
        Event::ExportAuthorizationEnded {
            case: 40,
            number: permit(),
        },
        Event::DocumentNumbered {
            case: 40,
            number: permit(),
        },
        Event::CaseOpened {
            opening,
            step: step(),
        },
        Event::CaseStepped(CaseStep {
            closed: true,
            form: BTreeMap::new(),
            attachments: Vec::new(),
            ..step()
        }),
        Event::CaseClockSet {
            case: 40,
            clock: "D-REC-2".into(),
            change: ClockChange::Fired(Rung::DueToday),
            value: clock(),
            next_rung_ms: Some(1_765_821_600_000),
        },
        Event::CaseClockSet {
            case: 40,
            clock: "D-REC-2".into(),
            change: ClockChange::Recomputed { from_version: 2 },
            value: LegalClock {
                run: Run::Paused {
                    since: day("2026-12-02"),
                },
                fired: BTreeSet::new(),
                extended_by_days: None,
                ..clock()
            },
            next_rung_ms: None,
        },
        Event::CaseClockSet {
            case: 40,
            clock: "D-REC-3".into(),
            change: ClockChange::Stopped,
            value: LegalClock {
                unit: DayUnit::CalendarDays,
                run: Run::Stopped {
                    at: day("2026-12-03"),
                },
                ..clock()
            },
            next_rung_ms: None,
        },
        Event::NoticeSent(Notice {
            to: buyer(),
            case: 40,
            kind: "recall_opened".into(),
            subject: texts("subject"),
            body: texts("body"),
        }),
        Event::NoticeRead { notice: 44 },
        Event::ScopeBlocked {
            case: 40,
            scope: GoodsScope {
                gtin: gtin(),
                batch: Some("B-7".into()),
                produced_from: Some(day("2026-11-01")),
                produced_through: None,
                codes: vec![unit("2")],
            },
        },
        Event::ScopeReleased { case: 40 },
        Event::HoldersCounted {
            case: 40,
            holdings: vec![Holding {
                holder: buyer(),
                held: vec![unit("2")],
                sold: vec![unit("a(b")],
                gone: Vec::new(),
            }],
        },
        Event::SweepMoved {
            case: 40,
            job: Some(SweepJob {
                phase: SweepPhase::Notify,
                after: Some(vec![0, 1, 2]),
            }),
        },
        Event::SweepMoved {
            case: 40,
            job: None,
        },
        Event::ConsumerOptedIn {
            code: unit("2"),
            contact: None,
        },
        Event::ConsumerOptedOut { opt_in: 50 },
        Event::ConsumerNotified {
            case: 40,
            opt_in: 50,
            code: unit("2"),
        },
        Event::CasesRecomputed {
            version: 3,
            through: Some((1_765_821_600_000, 40)),
        },
        Event::CasesRecomputed {
            version: 3,
            through: None,
        },
    ]
}

/// Records of fields added after the first vectors were pinned: appended, so that no earlier
/// line changes.
fn later_events() -> Vec<Event> {
    vec![
        Event::Withdrawn {
            codes: vec![pallet()],
            reason: WithdrawalReason::ExportToEaeu,
            document: None,
            export: None,
            eaeu: Some(tanba_types::EaeuDocument {
                buyer_state: tanba_types::EaeuState::Russia,
                buyer_taxpayer: "7707083893".into(),
                buyer_name: "ООО «Покупатель»".into(),
                number: "UPD-2026-17".into(),
                date: day("2026-12-04"),
                value_tiyn: 1_250_000,
            }),
        },
        Event::CodesIntroduced {
            codes: vec![unit("2")],
            introduction: Introduction::EaeuReceipt {
                from_country: "BY".into(),
                document_number: "TTN-2026-5".into(),
                seller_taxpayer: Some("100582333".into()),
                document_date: Some(day("2026-12-02")),
            },
        },
        Event::RegisterRefreshed(tanba_types::RegisterRefresh::Entrepreneurs {
            answer_digest: [0x5A; 32],
            entries_total: 2_000_117,
            changes: vec![tanba_types::RegisterEntry {
                id: seller(),
                name: "ИП «Су»".into(),
                status: tanba_types::RegistrationStatus::Ceased,
            }],
            last_part: true,
        }),
        Event::ParticipantUpdated(Participant {
            status: ParticipantStatus::RegistrationCeased,
            ..participant()
        }),
        Event::RegisterRefreshed(tanba_types::RegisterRefresh::Revocations(
            tanba_types::RevocationUpdate {
                issuer: [0x1C; 32],
                issuer_name: "CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA),C=KZ".into(),
                this_update_ms: 1_796_000_000_000,
                next_update_ms: Some(1_796_086_400_000),
                list_digest: [0x2D; 32],
                added: vec![vec![0x01, 0x7F], vec![0x00, 0x80, 0x01]],
                removed: vec![vec![0x09]],
                last_part: true,
            },
        )),
        // Issue 15: the public's facts moved into the log.
        Event::ConsumerOptedIn {
            code: unit("2"),
            contact: Some(SealedContact {
                verifier: [9; 32],
                ciphertext: vec![1, 2, 3, 4],
            }),
        },
        Event::ViolationReported(ViolationReport {
            code: Some(unit("2")),
            kind: ViolationKind::Counterfeit,
            comment: "жалған".into(),
            location: Some(Location {
                latitude_microdegrees: 43_240_000,
                longitude_microdegrees: -76_950_000,
            }),
            reporter: std::net::IpAddr::from([192, 0, 2, 1]),
            photo: Some(PhotoRef {
                hash: [5; 32],
                size_bytes: 1_024,
                format: PhotoFormat::Jpeg,
            }),
        }),
        Event::ViolationReported(ViolationReport {
            code: None,
            kind: ViolationKind::NoCode,
            comment: String::new(),
            location: None,
            reporter: "2001:db8::1".parse().unwrap(),
            photo: None,
        }),
        Event::LikelyCopyFlagged {
            code: unit("2"),
            reason: FlagReason::SoldTwice,
        },
        Event::LikelyCopyCleared {
            code: unit("2"),
            reason: "the shop scanned one bottle twice".into(),
        },
        Event::AttachmentRecorded {
            hash: [0x3B; 32],
            size_bytes: 600_000,
        },
    ]
}

/// One record of every event kind (some kinds more than once, to cover their variants), under
/// every kind of actor.
fn samples() -> Vec<LogRecord> {
    let actors = [
        Actor::Participant(seller()),
        Actor::System,
        Actor::Public,
        Actor::FiscalOperator {
            operator: buyer(),
            seller: seller(),
        },
    ];
    [
        reference_events(),
        goods_events(),
        trade_events(),
        case_events(),
        later_events(),
    ]
    .into_iter()
    .flatten()
    .enumerate()
    .map(|(index, event)| LogRecord {
        sequence: index as u64 + 1,
        time_ms: 1_764_800_000_000 + index as u64 * 1_000,
        actor: actors[index % actors.len()],
        event,
    })
    .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The vector lines of the samples, as one log from sequence 1: each record's bytes, kinds, leaf,
/// chain hash (as `record.proto` defines it) and JSON form.
fn vectors() -> Vec<String> {
    let mut chain = tanba_crypto::GENESIS;
    samples()
        .iter()
        .map(|record| {
            let bytes = encode(record);
            let kinds = kinds_of(&record.event);
            let leaf = leaf(kinds, &bytes);
            chain = tanba_crypto::chain_next(&chain, record.sequence, &leaf);
            let message = pb::Record::decode(bytes.as_slice()).unwrap();
            serde_json::json!({
                "kind": record.event.name(),
                "record_hex": hex(&bytes),
                "feed_kinds": kinds.0,
                "leaf_hex": hex(&leaf),
                "chain_hex": chain.to_string(),
                "json": serde_json::to_value(&message).unwrap(),
            })
            .to_string()
        })
        .collect()
}

#[test]
fn every_event_kind_is_in_the_vectors() {
    let names: BTreeSet<&str> = samples().iter().map(|record| record.event.name()).collect();
    // Event::name is exhaustive over the enum: 46 kinds today.
    assert_eq!(names.len(), 46, "a sample of every event kind");
}

#[test]
fn records_encode_to_the_pinned_bytes_and_decode_back() {
    let lines = vectors();
    if std::env::var_os("TANBA_WRITE_VECTORS").is_some() {
        std::fs::write(VECTORS, lines.join("\n") + "\n").unwrap();
    }
    let pinned = std::fs::read_to_string(VECTORS).expect("the pinned vectors");
    let pinned: Vec<&str> = pinned.lines().collect();
    assert_eq!(pinned.len(), lines.len(), "one vector per sample");
    for ((record, line), pinned_line) in samples().iter().zip(&lines).zip(&pinned) {
        assert_eq!(
            line,
            pinned_line,
            "the vector of {} changed",
            record.event.name()
        );
        let pinned: serde_json::Value = serde_json::from_str(pinned_line).unwrap();
        let bytes = parse_hex(pinned["record_hex"].as_str().unwrap());
        assert_eq!(&decode(&bytes).unwrap(), record, "the pinned bytes decode");
        // The JSON form reads back into the same message, and so into the same bytes.
        let message: pb::Record = serde_json::from_value(pinned["json"].clone()).unwrap();
        assert_eq!(
            message.encode_to_vec(),
            bytes,
            "the JSON form is the same record"
        );
    }
}

fn parse_hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
        .collect()
}

#[test]
fn feed_kinds_of_the_ministries_events() {
    let kinds = |event: &Event| kinds_of(event);
    for record in samples() {
        let of = kinds(&record.event);
        match &record.event {
            Event::Sold { .. } | Event::Returned { .. } | Event::Shipped { .. } => {
                assert!(of.contains(FeedKind::Tax) && of.contains(FeedKind::Goods));
            }
            Event::Withdrawn { reason, .. } => {
                assert!(of.contains(FeedKind::Tax));
                assert_eq!(
                    of.contains(FeedKind::Eaeu),
                    *reason == WithdrawalReason::ExportToEaeu
                );
                assert_eq!(
                    of.contains(FeedKind::Customs),
                    *reason == WithdrawalReason::ExportOutsideEaeu
                );
            }
            Event::CodesIntroduced { introduction, .. } => {
                assert_eq!(
                    of.contains(FeedKind::Customs),
                    matches!(introduction, Introduction::Import { .. })
                );
                assert_eq!(
                    of.contains(FeedKind::Eaeu),
                    matches!(introduction, Introduction::EaeuReceipt { .. })
                );
            }
            Event::StageReported(_) => assert!(of.contains(FeedKind::Stages)),
            Event::ConsumerOptedIn { .. } | Event::ConsumerOptedOut { .. } => {
                assert_eq!(of, FeedKinds::NONE, "a consumer's opt-in goes to no feed");
            }
            Event::ViolationReported(_)
            | Event::LikelyCopyFlagged { .. }
            | Event::LikelyCopyCleared { .. } => {
                assert_eq!(of, FeedKinds::NONE, "the public's reports go to no feed");
            }
            _ => {}
        }
    }
}

#[test]
fn a_later_writers_fields_and_events_are_read_as_far_as_known() {
    let record = &samples()[0];
    let mut bytes = encode(record);
    // Field 900, varint 7: a field added next year.
    bytes.extend_from_slice(&[0xA0, 0x38, 7]);
    assert_eq!(
        &decode(&bytes).unwrap(),
        record,
        "an unknown field is skipped"
    );

    // An event added next year (field 300 of Record): its name and envelope still read.
    let mut message = pb::Record::decode(encode(record).as_slice()).unwrap();
    message.event = None;
    message.kind = "declared_abroad".into();
    let mut bytes = message.encode_to_vec();
    bytes.extend_from_slice(&[0xE2, 0x12, 0x00]);
    let read = tanba_log::decode_message(&bytes).unwrap();
    assert_eq!(read.kind, "declared_abroad");
    assert_eq!(read.sequence, record.sequence);
    assert_eq!(
        decode(&bytes).unwrap_err(),
        LogError::UnknownEvent("declared_abroad".into())
    );
    assert_eq!(tanba_log::decode_time(&bytes), Ok(record.time_ms));
}

#[test]
fn a_records_time_reads_without_its_event_as_the_whole_record_gives_it() {
    for record in samples() {
        let bytes = encode(&record);
        assert_eq!(
            tanba_log::decode_time(&bytes),
            Ok(record.time_ms),
            "{record:?}"
        );
    }
    let mut message = pb::Record::decode(encode(&samples()[0]).as_slice()).unwrap();
    message.format = 2;
    let error = tanba_log::decode_time(&message.encode_to_vec()).unwrap_err();
    assert_eq!(error, LogError::Format(2));
    let error = tanba_log::decode_time(&[0xFF, 0xFF]).unwrap_err();
    assert_eq!(error.code(), "TANBA-LOG-PROTOBUF");
}

#[test]
fn the_codes_a_record_creates_count_without_decoding_as_the_whole_record_gives_them() {
    let mut creating = 0;
    for record in samples() {
        let expected = match &record.event {
            Event::CodesIssued { codes, .. } => codes.len() as u64,
            Event::TransportPackageCreated { .. } => 1,
            _ => 0,
        };
        creating += u64::from(expected > 0);
        let counted = tanba_log::decode_created_codes(&encode(&record));
        assert_eq!(counted, Ok(expected), "{record:?}");
    }
    assert!(
        creating >= 2,
        "the samples issue codes and create a package"
    );
    let mut message = pb::Record::decode(encode(&samples()[0]).as_slice()).unwrap();
    message.format = 2;
    let error = tanba_log::decode_created_codes(&message.encode_to_vec()).unwrap_err();
    assert_eq!(error, LogError::Format(2));
    let error = tanba_log::decode_created_codes(&[0xFF, 0xFF]).unwrap_err();
    assert_eq!(error.code(), "TANBA-LOG-PROTOBUF");
}

#[test]
fn an_unknown_format_or_malformed_field_is_refused_with_its_code() {
    let mut message = pb::Record::decode(encode(&samples()[0]).as_slice()).unwrap();
    message.format = 2;
    let error = decode(&message.encode_to_vec()).unwrap_err();
    assert_eq!(error, LogError::Format(2));
    assert_eq!(error.code(), "TANBA-LOG-FORMAT");

    let mut message = pb::Record::decode(encode(&samples()[0]).as_slice()).unwrap();
    if let Some(pb::record::Event::ParticipantRegistered(card)) = &mut message.event {
        card.id = "940140000386".into();
    }
    let error = decode(&message.encode_to_vec()).unwrap_err();
    assert_eq!(
        error,
        LogError::Malformed {
            field: "Participant.id"
        }
    );
    assert_eq!(error.code(), "TANBA-LOG-MALFORMED");

    let error = decode(&[0xFF, 0xFF]).unwrap_err();
    assert_eq!(error.code(), "TANBA-LOG-PROTOBUF");
}
