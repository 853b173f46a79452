//! What a data export (R-IS-15) costs per row, over a real RocksDB store: a day of single-line
//! sales (the busiest kind of day a till network makes) written as the `events` and `sales`
//! tables, against the bare read of the same log entries (scan, decode) in the same run. Each
//! iteration writes a fresh job directory, files synced as the server's worker writes them.

use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rand_core::OsRng;
use tanba_crypto::KeyRing;
use tanba_engine::data_export::{self, DataExportJob};
use tanba_engine::workload::{self, World};
use tanba_engine::{Clock, Engine, EngineConfig, EngineError, SystemClock};
use tanba_store::{Column, RocksStore, Store};
use tanba_types::{
    Actor, Command, DataExportKind, Date, Participant, ParticipantStatus, Role, SaleLine,
    TaxpayerId,
};

/// Sales on the day exported: one log entry and one `sales` row each.
const SALES: u32 = 200_000;
/// Sales submitted and not yet acknowledged at most.
const SALES_IN_FLIGHT: usize = 1_024;

struct Day {
    _directory: tempfile::TempDir,
    engine: Engine,
    store: Arc<dyn Store>,
    jobs: Vec<(DataExportKind, DataExportJob)>,
}

/// A store with `SALES` sales made today, and an events and a sales job of today.
fn day() -> Result<Day, EngineError> {
    let directory = tempfile::tempdir_in("/var/tmp").expect("a temporary directory");
    let store: Arc<dyn Store> = Arc::new(RocksStore::open(&directory.path().join("data"))?);
    let ring = Arc::new(KeyRing::generate(SystemClock.now_ms(), &mut OsRng));
    let config = EngineConfig {
        serial_seed: Some([9; 32]),
        ..EngineConfig::default()
    };
    let engine = Engine::start(store.clone(), ring, Arc::new(SystemClock), config)?;
    let world = World::register(&engine)?;
    let order = world.order(&engine, world.short_gtin, SALES, Duration::from_secs(600))?;
    let codes = workload::order_codes(&engine, order)?;
    let today = Date::from_unix_ms_in_kz(SystemClock.now_ms());
    world.bring_into_circulation(&engine, &codes, today)?;
    world.deliver(&engine, world.retailer, &codes)?;
    let mut in_flight = std::collections::VecDeque::new();
    for code in &codes {
        if in_flight.len() == SALES_IN_FLIGHT {
            in_flight
                .pop_front()
                .map(tanba_engine::Ticket::wait)
                .transpose()?;
        }
        let sale = Command::RecordSale {
            receipt_id: format!("bench-{code}"),
            printed_ms: 0,
            lines: vec![SaleLine {
                code: code.to_string(),
                price_tiyn: 10_000,
            }],
        };
        in_flight.push_back(engine.submit(Actor::Participant(world.retailer), sale)?);
    }
    for ticket in in_flight {
        ticket.wait()?;
    }
    let analyst = TaxpayerId::parse("990540000399").expect("a valid BIN");
    let card = Participant {
        id: analyst,
        name: "Analysts".into(),
        roles: [Role::Operator].into(),
        keys: Vec::new(),
        status: ParticipantStatus::Active,
    };
    engine.execute(Actor::System, Command::RegisterParticipant(card))?;
    let mut jobs = Vec::new();
    for kind in [DataExportKind::Events, DataExportKind::Sales] {
        let ask = Command::RequestDataExport {
            key: format!("bench-{}", kind.name()),
            kind,
            from: today,
            to: today,
        };
        let id = engine
            .execute(Actor::Participant(analyst), ask)?
            .first_sequence;
        let job = data_export::job(engine.snapshot().as_ref(), id)?.expect("the job was made");
        jobs.push((kind, job));
    }
    Ok(Day {
        _directory: directory,
        engine,
        store,
        jobs,
    })
}

fn exports(c: &mut Criterion) {
    let day = day().expect("the day is made");
    let snapshot = day.store.snapshot();
    let mut group = c.benchmark_group("export_one_day");
    group.sample_size(10);
    group.throughput(Throughput::Elements(u64::from(SALES)));
    let read_log = |decode: bool| {
        let mut read = 0u64;
        let mut next = tanba_engine::keys::sequence(1);
        loop {
            let page = snapshot.scan_from(Column::Log, &[], &next, 4_096).unwrap();
            let Some((last, _)) = page.last() else {
                break read;
            };
            next =
                tanba_engine::keys::sequence(tanba_engine::keys::trailing_u64(last).unwrap() + 1);
            for (_, value) in &page {
                let entry = tanba_engine::stored_entry(value).unwrap();
                read += match decode {
                    true => entry.decode().unwrap().sequence,
                    false => u64::from(entry.kinds.0),
                };
            }
        }
    };
    // The whole log, the day's sales and the few hundred entries that made their goods.
    group.bench_function("baseline_read_the_log", |b| b.iter(|| read_log(false)));
    group.bench_function("baseline_read_and_decode_the_log", |b| {
        b.iter(|| read_log(true))
    });
    for (kind, job) in &day.jobs {
        group.bench_function(kind.name(), |b| {
            b.iter_batched(
                || tempfile::tempdir_in("/var/tmp").expect("a temporary directory"),
                |root| {
                    let quota = tanba_export::Quota::new(u64::MAX, root.path()).unwrap();
                    tanba_export::write_job(snapshot.as_ref(), job, root.path(), &quota).unwrap();
                    root
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
    drop(snapshot);
    day.engine.shutdown();
}

criterion_group!(benches, exports);
criterion_main!(benches);
