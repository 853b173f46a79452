//! The engine's per-operation costs, each beside its baseline in the same run: a code card
//! (what a phone or till asks) against a bare store read of the same record, and one sale
//! committed alone (submit, decide, apply, synced WAL) and a pallet of 25,000 units shipped or
//! accepted alone, each against a bare synced one-key write. `tanba bench` runs too few pallet
//! round trips for a 5 % comparison; these run hundreds. The workloads at scale (a million codes,
//! concurrent tills, replay) are `tanba bench`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use tanba_crypto::KeyRing;
use tanba_engine::workload::{self, World};
use tanba_engine::{Clock, Engine, EngineConfig, SystemClock, keys, query};
use tanba_store::{Column, Durability, RocksStore, Store, WriteBatch};
use tanba_types::{Actor, CodeKey, Command, Date, SaleLine, TaxpayerId};

/// Codes in the standing world: enough that reads miss the CPU caches.
const CODES: u32 = 100_000;
/// The pallet `tanba bench` ships: 50 boxes of 500 units.
const PALLET_BOXES: u64 = 50;
const PALLET_UNITS: u32 = 25_000;

fn engine_costs(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(RocksStore::open(dir.path()).unwrap());
    let ring = Arc::new(KeyRing::generate(0, &mut rand_core::OsRng));
    let engine = Engine::start(
        store.clone(),
        ring,
        Arc::new(SystemClock),
        EngineConfig::default(),
    )
    .unwrap();
    let world = World::register(&engine).unwrap();
    let order = world
        .order(&engine, world.short_gtin, CODES, Duration::from_secs(600))
        .unwrap();
    let codes = workload::order_codes(&engine, order).unwrap();
    let today = Date::from_unix_ms_in_kz(SystemClock.now_ms());
    world
        .bring_into_circulation(&engine, &codes, today)
        .unwrap();
    world.deliver(&engine, world.retailer, &codes).unwrap();

    let mut group = c.benchmark_group("engine");
    let mut next = 0;
    group.bench_function("code_card", |b| {
        b.iter(|| {
            next = (next + 7919) % codes.len();
            black_box(query::code_card(engine.snapshot().as_ref(), &codes[next]).unwrap())
        })
    });
    group.bench_function("baseline_store_get", |b| {
        b.iter(|| {
            next = (next + 7919) % codes.len();
            black_box(store.get(Column::Codes, &keys::code(&codes[next])).unwrap())
        })
    });
    group.measurement_time(Duration::from_secs(5));
    let mut sold = codes.iter();
    group.bench_function("sale_alone", |b| {
        b.iter(|| {
            let code = *sold.next().expect("enough codes for the measurement");
            let sale = Command::RecordSale {
                receipt_id: format!("bench-{code}"),
                printed_ms: 0,
                lines: vec![SaleLine {
                    code: code.to_string(),
                    price_tiyn: 10_000,
                }],
            };
            black_box(
                engine
                    .execute(Actor::Participant(world.retailer), sale)
                    .unwrap(),
            )
        })
    });
    let mut counter = 0u64;
    group.bench_function("baseline_synced_put", |b| {
        b.iter(|| {
            counter += 1;
            let mut batch = WriteBatch::new();
            batch
                .put(
                    Column::Meta,
                    b"bench".to_vec(),
                    counter.to_be_bytes().to_vec(),
                )
                .unwrap();
            store.write(batch, Durability::Synced).unwrap()
        })
    });
    pallet_costs(&mut group, &engine, &world, today);
    group.finish();
    engine.shutdown();
}

/// Ships and accepts one pallet back and forth between the producer and the wholesaler, timing
/// either the shipment or the acceptance of each round (the other step runs untimed).
fn pallet_costs(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    engine: &Engine,
    world: &World,
    today: Date,
) {
    let order = world
        .order(
            engine,
            world.short_gtin,
            PALLET_UNITS,
            Duration::from_secs(600),
        )
        .unwrap();
    let units = workload::order_codes(engine, order).unwrap();
    world.bring_into_circulation(engine, &units, today).unwrap();
    let boxes: Vec<CodeKey> = (1..=PALLET_BOXES).map(workload::sscc).collect();
    let pallet = workload::sscc(0);
    world.palletize(engine, pallet, &boxes, &units).unwrap();
    let mut holders = (world.producer, world.wholesaler);
    let ship = |(seller, buyer): &(TaxpayerId, TaxpayerId)| {
        workload::ship(engine, *seller, *buyer, vec![pallet]).unwrap()
    };
    let accept = |holders: &mut (TaxpayerId, TaxpayerId), document| {
        workload::accept(engine, holders.1, document).unwrap();
        std::mem::swap(&mut holders.0, &mut holders.1);
    };
    group.bench_function("pallet_ship", |b| {
        b.iter_custom(|rounds| {
            let mut shipping = Duration::ZERO;
            for _ in 0..rounds {
                let started = Instant::now();
                let document = ship(&holders);
                shipping += started.elapsed();
                accept(&mut holders, document);
            }
            shipping
        })
    });
    group.bench_function("pallet_accept", |b| {
        b.iter_custom(|rounds| {
            let mut accepting = Duration::ZERO;
            for _ in 0..rounds {
                let document = ship(&holders);
                let started = Instant::now();
                accept(&mut holders, document);
                accepting += started.elapsed();
            }
            accepting
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = engine_costs
}
criterion_main!(benches);
