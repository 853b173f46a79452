//! EPCIS 2.0: what a query page and a capture cost per event. Rendering a log entry (a 1,000-code
//! commissioning) as EPCIS JSON-LD with its CBV event hash, hashing one small event, and reading
//! a capture document (JSON, GS1's schema, the vocabulary checks) and mapping it, each against
//! the bare serde_json work on the same bytes, measured in the same run.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};
use tanba_epcis::export::{self, ExportError, LogLookup};
use tanba_log::LogRecord;
use tanba_types::{Actor, CodeKey, Date, Event, Gtin, Serial, TaxpayerId};

const CODES_PER_EVENT: usize = 1_000;
const CAPTURE_EVENTS: usize = 100;

struct NoLog;

impl LogLookup for NoLog {
    fn record(&self, _: u64) -> Result<Option<LogRecord>, ExportError> {
        Ok(None)
    }
}

fn codes(count: usize) -> Vec<CodeKey> {
    let gtin = Gtin::parse("04870000000005").unwrap();
    (0..count)
        .map(|index| CodeKey::item(gtin, Serial::parse(&format!("sN{index:08}x+Q")).unwrap()))
        .collect()
}

fn commissioning() -> LogRecord {
    LogRecord {
        sequence: 7,
        time_ms: 1_796_464_800_000,
        actor: Actor::Participant(TaxpayerId::parse("960440000012").unwrap()),
        event: Event::CodesApplied {
            codes: codes(CODES_PER_EVENT),
            production_date: Date::from_ymd(2026, 12, 1).unwrap(),
            expiry_date: Some(Date::from_ymd(2027, 12, 1).unwrap()),
            batch: Some("L-1".into()),
        },
    }
}

fn render(c: &mut Criterion) {
    let record = commissioning();
    let mut group = c.benchmark_group("epcis_render");
    group.throughput(Throughput::Elements(CODES_PER_EVENT as u64));
    group.bench_function("events_of_1000_codes", |b| {
        b.iter(|| export::events_of(black_box(&record), &NoLog).unwrap())
    });
    let rendered = export::events_of(&record, &NoLog).unwrap();
    group.bench_function("baseline_serialize_the_same_event", |b| {
        b.iter(|| serde_json::to_vec(black_box(&rendered[0])).unwrap())
    });
    group.finish();

    let small = json!({
        "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
        "eventTime": "2026-12-05T10:00:00.000+05:00", "eventTimeZoneOffset": "+05:00",
        "epcList": ["https://id.gs1.org/01/04870000000005/21/A1", "https://id.gs1.org/01/04870000000005/21/A2"],
    });
    let mut group = c.benchmark_group("epcis_hash");
    group.throughput(Throughput::Elements(1));
    group.bench_function("event_hash_two_codes", |b| {
        b.iter(|| export::event_id(black_box(&small)).unwrap())
    });
    group.finish();
}

fn capture(c: &mut Criterion) {
    let uris: Vec<Value> = codes(CAPTURE_EVENTS * 10)
        .iter()
        .map(|code| Value::String(export::code_uri(code)))
        .collect();
    let events: Vec<Value> = uris
        .chunks(10)
        .map(|chunk| {
            json!({
                "type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning",
                "eventTime": "2026-12-05T10:00:00.000+05:00", "eventTimeZoneOffset": "+05:00",
                "epcList": chunk, "ilmd": { "cbvmda:lotNumber": "L-1" },
            })
        })
        .collect();
    let bytes = serde_json::to_vec(&export::document(events, 1_796_464_800_000)).unwrap();
    let mut group = c.benchmark_group("epcis_capture");
    group.throughput(Throughput::Elements(CAPTURE_EVENTS as u64));
    group.bench_function("read_and_plan_100_events", |b| {
        b.iter(|| {
            let document = tanba_epcis::capture::read(black_box(&bytes)).unwrap();
            tanba_epcis::capture::plan(&document)
        })
    });
    group.bench_function("baseline_parse_the_same_json", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&bytes)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, render, capture);
criterion_main!(benches);
