//! `tanba bench`: the engine's workloads against a fresh temporary data directory (real RocksDB,
//! WAL synced per group), one JSON object per workload on stdout, as databases ship `pgbench`.
//! An operator uses it to size a machine; we use it to see regressions. The field names are
//! documented in BENCHMARKS.md.
//!
//! Workloads, in order (each builds on the data of the ones before):
//! - `issue_full`, `issue_short`: one emission order each, timed from the order to the last
//!   code durable (serials drawn and tails signed on every core while the writer commits);
//! - `sales`: one retail sale per command, as tills send them, from many concurrent tills;
//!   latency is from submit to durable acknowledgement;
//! - `card_lookup`: code cards read on every core, at random over the sold codes;
//! - `pallet_ship`, `pallet_accept`: a pallet of 50 boxes of 500 units shipped and accepted,
//!   back and forth, each command timed;
//! - `recall`, `tick`: a whole product recalled across its holders, and ticks among many open
//!   cases ([`crate::bench_cases`]);
//! - `replay`: the whole log replayed into a second, empty store.
//!
//! `--feeds`, `--analytics` and `--cluster` run other sets instead (`bench_feeds`,
//! `bench_analytics`, `bench_cluster`).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use hdrhistogram::Histogram;
use rand_core::{OsRng, RngCore};
use serde_json::json;
use tanba_crypto::KeyRing;
use tanba_engine::workload::{self, World};
use tanba_engine::{Clock, Engine, EngineConfig, SystemClock, Ticket, query};

use crate::bench_cases;
use tanba_store::{RocksStore, Store};
use tanba_types::{Actor, CodeKey, Command, Date, Gtin, SaleLine, TaxpayerId};

/// Arguments of `tanba bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// A scaled-down run of every workload, in well under a minute.
    #[arg(long)]
    quick: bool,
    /// Where to put the temporary data directories (default: the system's temp dir). Put it on
    /// the disk you want to measure.
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
    /// Concurrent tills in the `sales` workload (each keeps one sale in flight); more tills fill
    /// each group commit more and wait longer in the queue.
    #[arg(long, default_value_t = TILLS_DEFAULT, value_parser = clap::value_parser!(u32).range(1..=TILLS_MAX))]
    tills: u32,
    /// Run the feed workloads instead ([`crate::bench_feeds`]): a server on loopback, one
    /// follower reading the log, and the writer's sales alone and with ten followers.
    #[arg(long)]
    feeds: bool,
    /// Run the analytics workloads instead ([`crate::bench_analytics`]): an owner issued
    /// 10,000,000 codes of 100 products over a year, its statistics read, its codes exported
    /// as Parquet.
    #[arg(long, conflicts_with = "feeds")]
    analytics: bool,
    /// Run the scale-out workloads instead ([`crate::bench_cluster`]): issuing and sales on
    /// the embedded engine and through a command stream on three NATS servers, in one run,
    /// and a second engine catching up with the stream.
    #[arg(long, conflicts_with_all = ["feeds", "analytics"])]
    cluster: bool,
    /// Run the replay workloads instead ([`crate::bench_replay`]): a log of 1,000,000 sales
    /// replayed into an empty store by the bulk path and by the ordinary write path.
    #[arg(long, conflicts_with_all = ["feeds", "analytics", "cluster"])]
    replay: bool,
    /// With `--replay`: the store whose log is replayed, kept after the run. Made there first
    /// (as `--replay` makes it) if the directory does not exist; else an existing data
    /// directory, of a stopped node or an earlier run, replayed as it is: to profile replay,
    /// or to measure it on a real log.
    #[arg(long, requires = "replay", value_name = "DIR")]
    replay_log: Option<std::path::PathBuf>,
}

/// How big each workload is.
struct Scale {
    full_codes: u32,
    short_codes: u32,
    sales: usize,
    lookups: usize,
    boxes: usize,
    units_per_box: usize,
    pallet_round_trips: usize,
    open_cases: usize,
}

const FULL_SCALE: Scale = Scale {
    full_codes: 1_000_000,
    short_codes: 1_000_000,
    sales: 600_000,
    lookups: 2_000_000,
    boxes: 50,
    units_per_box: 500,
    pallet_round_trips: 5,
    open_cases: 100_000,
};

const QUICK_SCALE: Scale = Scale {
    full_codes: 50_000,
    short_codes: 100_000,
    sales: 60_000,
    lookups: 200_000,
    boxes: 50,
    units_per_box: 500,
    pallet_round_trips: 2,
    open_cases: 10_000,
};

/// How long an emission order may take before the run is called failed.
pub(crate) const ORDER_TIMEOUT: Duration = Duration::from_secs(600);

/// Concurrent tills in `sales` unless told otherwise.
const TILLS_DEFAULT: u32 = 256;
/// Most concurrent tills `tanba bench` simulates.
const TILLS_MAX: i64 = 65_536;

/// Most concurrent tills one submitting thread drives (it keeps one sale in flight for each).
const TILLS_PER_THREAD: usize = 64;

/// Runs every workload and prints one JSON line each.
pub fn run(args: BenchArgs) -> Result<std::process::ExitCode> {
    let scale = if args.quick {
        &QUICK_SCALE
    } else {
        &FULL_SCALE
    };
    let parent = args.dir.unwrap_or_else(std::env::temp_dir);
    if args.feeds {
        crate::bench_feeds::run(args.quick, &parent, args.tills as usize)?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    if args.analytics {
        crate::bench_analytics::run(args.quick, &parent)?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    if args.replay {
        crate::bench_replay::run(args.quick, &parent, args.replay_log.as_deref())?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    if args.cluster {
        crate::bench_cluster::run(args.quick, &parent, args.tills as usize)?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let dir = tempfile::Builder::new()
        .prefix("tanba-bench-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot make a data directory in {}", parent.display()))?;
    let store: Arc<dyn Store> = Arc::new(RocksStore::open(&dir.path().join("data"))?);
    let mut seed = [0; 32];
    OsRng.fill_bytes(&mut seed);
    let ring = Arc::new(KeyRing::generate(SystemClock.now_ms(), &mut OsRng));
    // The system's time until the `tick` workload moves it on days (its clocks run in days).
    let clock = Arc::new(tanba_server::test_clock::TestClock::default());
    let engine = Engine::start(
        store.clone(),
        ring,
        clock.clone(),
        EngineConfig {
            serial_seed: Some(seed),
            cases: tanba_server::procedures(),
            ..EngineConfig::default()
        },
    )?;
    let world = World::register(&engine)?;
    bench_cases::publish_calendars_and_references(&engine)?;
    let today = Date::from_unix_ms_in_kz(SystemClock.now_ms());

    let recalled = issue(
        &engine,
        &world,
        world.full_gtin,
        scale.full_codes,
        "issue_full",
    )?;
    let sold = issue(
        &engine,
        &world,
        world.short_gtin,
        scale.short_codes,
        "issue_short",
    )?;
    let sold = &sold[..scale.sales.min(sold.len())];
    world.bring_into_circulation(&engine, sold, today)?;
    world.deliver(&engine, world.retailer, sold)?;
    sales(&engine, world.retailer, sold, args.tills as usize, "sales")?;
    card_lookups(&engine, sold, scale.lookups)?;
    pallet(&engine, &world, scale, today)?;
    world.bring_into_circulation(&engine, &recalled, today)?;
    let case = bench_cases::recall(&engine, &world, &recalled, clock.now_ms())?;
    bench_cases::tick(&engine, &world, &clock, case, scale.open_cases)?;
    engine.shutdown();
    replay(store.as_ref(), dir.path())?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// Prints one workload's result.
pub(crate) fn report(
    name: &str,
    operations: u64,
    elapsed: Duration,
    latency: Option<&Histogram<u64>>,
    extra: serde_json::Value,
) {
    let seconds = elapsed.as_secs_f64();
    let mut line = json!({
        "workload": name,
        "operations": operations,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "operations_per_second": (operations as f64 / seconds).round(),
    });
    if let Some(histogram) = latency {
        let ms = |micros: u64| micros as f64 / 1000.0;
        line["latency_ms_p50"] = json!(ms(histogram.value_at_quantile(0.50)));
        line["latency_ms_p99"] = json!(ms(histogram.value_at_quantile(0.99)));
        line["latency_ms_max"] = json!(ms(histogram.max()));
    }
    if let serde_json::Value::Object(fields) = extra {
        for (key, value) in fields {
            line[key] = value;
        }
    }
    println!("{line}");
}

pub(crate) fn histogram() -> Histogram<u64> {
    // Microseconds, up to an hour, three significant figures.
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds")
}

/// Orders `quantity` codes and times it until all are durable; returns them.
pub(crate) fn issue(
    engine: &Engine,
    world: &World,
    gtin: Gtin,
    quantity: u32,
    name: &str,
) -> Result<Vec<CodeKey>> {
    let started = Instant::now();
    let order = world.order(engine, gtin, quantity, ORDER_TIMEOUT)?;
    report(
        name,
        u64::from(quantity),
        started.elapsed(),
        None,
        json!({}),
    );
    Ok(workload::order_codes(engine, order)?)
}

/// One sale per command from `tills` concurrent tills.
pub(crate) fn sales(
    engine: &Engine,
    retailer: TaxpayerId,
    codes: &[CodeKey],
    tills: usize,
    name: &str,
) -> Result<()> {
    let threads = tills.div_ceil(TILLS_PER_THREAD).max(1);
    let window = tills.div_ceil(threads);
    let per_thread = codes.len().div_ceil(threads);
    let started = Instant::now();
    let histograms: Vec<Result<Histogram<u64>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = codes
            .chunks(per_thread)
            .map(|part| {
                scope.spawn(move || {
                    let mut latency = histogram();
                    let mut in_flight: std::collections::VecDeque<(Instant, Ticket)> =
                        Default::default();
                    let wait = |(submitted, ticket): (Instant, Ticket),
                                latency: &mut Histogram<u64>|
                     -> Result<()> {
                        ticket.wait()?;
                        latency.record(submitted.elapsed().as_micros() as u64)?;
                        Ok(())
                    };
                    for code in part {
                        if in_flight.len() == window {
                            wait(in_flight.pop_front().expect("full"), &mut latency)?;
                        }
                        // One receipt of one line per sale, as a till sends it.
                        let command = Command::RecordSale {
                            receipt_id: format!("bench-{code}"),
                            printed_ms: 0,
                            lines: vec![SaleLine {
                                code: code.to_string(),
                                price_tiyn: 10_000,
                            }],
                        };
                        let ticket = loop {
                            match engine.submit(Actor::Participant(retailer), command.clone()) {
                                Err(
                                    tanba_engine::EngineError::Busy
                                    | tanba_engine::EngineError::QueueShareFull,
                                ) => std::thread::yield_now(),
                                other => break other?,
                            }
                        };
                        in_flight.push_back((Instant::now(), ticket));
                    }
                    while let Some(next) = in_flight.pop_front() {
                        wait(next, &mut latency)?;
                    }
                    Ok(latency)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("no panic"))
            .collect()
    });
    let elapsed = started.elapsed();
    let mut latency = histogram();
    for part in histograms {
        latency.add(part?)?;
    }
    report(
        name,
        codes.len() as u64,
        elapsed,
        Some(&latency),
        json!({ "tills": threads * window }),
    );
    Ok(())
}

/// Code cards read on every core.
fn card_lookups(engine: &Engine, codes: &[CodeKey], lookups: usize) -> Result<()> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per_thread = lookups / threads;
    let started = Instant::now();
    let results: Vec<Result<()>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|thread| {
                scope.spawn(move || {
                    // A cheap generator is enough to spread reads; no security here.
                    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ thread as u64;
                    for _ in 0..per_thread {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        let code = &codes[(state % codes.len() as u64) as usize];
                        let card = query::code_card(engine.snapshot().as_ref(), code)?;
                        if card.is_none() {
                            bail!("code {code} vanished");
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("no panic"))
            .collect()
    });
    let elapsed = started.elapsed();
    for result in results {
        result?;
    }
    report(
        "card_lookup",
        (per_thread * threads) as u64,
        elapsed,
        None,
        json!({ "threads": threads }),
    );
    Ok(())
}

/// A pallet of boxes of units, shipped and accepted back and forth.
fn pallet(engine: &Engine, world: &World, scale: &Scale, today: Date) -> Result<()> {
    let units_count = (scale.boxes * scale.units_per_box) as u32;
    let order = world.order(engine, world.short_gtin, units_count, ORDER_TIMEOUT)?;
    let units = workload::order_codes(engine, order)?;
    world.bring_into_circulation(engine, &units, today)?;
    let boxes: Vec<CodeKey> = (1..=scale.boxes as u64).map(workload::sscc).collect();
    let pallet = workload::sscc(0);
    world.palletize(engine, pallet, &boxes, &units)?;

    let (mut ship_latency, mut accept_latency) = (histogram(), histogram());
    let (mut ship_total, mut accept_total) = (Duration::ZERO, Duration::ZERO);
    let mut holder = world.producer;
    let mut other = world.wholesaler;
    for _ in 0..scale.pallet_round_trips * 2 {
        let started = Instant::now();
        let document = workload::ship(engine, holder, other, vec![pallet])?;
        let shipped = started.elapsed();
        let started = Instant::now();
        workload::accept(engine, other, document)?;
        let accepted = started.elapsed();
        ship_latency.record(shipped.as_micros() as u64)?;
        accept_latency.record(accepted.as_micros() as u64)?;
        ship_total += shipped;
        accept_total += accepted;
        std::mem::swap(&mut holder, &mut other);
    }
    let trips = (scale.pallet_round_trips * 2) as u64;
    let units_per_pallet = json!({ "units_per_pallet": units_count, "boxes": scale.boxes });
    report(
        "pallet_ship",
        trips,
        ship_total,
        Some(&ship_latency),
        units_per_pallet.clone(),
    );
    report(
        "pallet_accept",
        trips,
        accept_total,
        Some(&accept_latency),
        units_per_pallet,
    );
    Ok(())
}

/// Replays the log into an empty store.
fn replay(store: &dyn Store, dir: &Path) -> Result<()> {
    let target = RocksStore::open(&dir.join("replayed"))?;
    let started = Instant::now();
    let events = tanba_engine::replay(store, &target)?;
    let elapsed = started.elapsed();
    report("replay", events, elapsed, None, json!({}));
    Ok(())
}
