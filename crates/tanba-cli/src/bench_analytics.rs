//! `tanba bench --analytics`: owners' statistics (R-IS-14) and data exports (R-IS-15) with
//! many codes in the store. One producer with [`PRODUCTS`] products is issued codes day after
//! day for a year (the system's clock moved a day at a time), 10,000,000 codes in all
//! (`--quick`: 500,000 over 30 days), so its counters span products x days as a busy owner's
//! would. Then:
//! - its statistics are read through the engine's query, as the gRPC and console doors read
//!   them: the last 30 days, the whole year, and the whole year of one product, each many
//!   times, with the latency's percentiles;
//! - a retailer sells 300,000 of them today (`--quick`: 30,000), so the log has entries to
//!   export;
//! - the operator exports the codes, the log's events and the sales of the period and today
//!   as Parquet (`tanba-export`, as the server's worker writes them), timed: rows per second.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use rand_core::{OsRng, RngCore};
use serde_json::json;
use tanba_crypto::KeyRing;
use tanba_engine::workload::World;
use tanba_engine::{Clock, Engine, EngineConfig, SystemClock};
use tanba_engine::{data_export, statistics};
use tanba_store::{RocksStore, Store};
use tanba_types::{
    Actor, Command, DataExportKind, Date, Participant, ParticipantStatus, Role, TaxpayerId,
};

use crate::bench_command::{ORDER_TIMEOUT, histogram, report, sales};

/// The owner's products.
pub const PRODUCTS: u32 = 100;
/// Products issued codes each day (a rotating share of [`PRODUCTS`]).
pub const PRODUCTS_PER_DAY: u32 = 20;
/// Tills selling at once before the exports.
const SALES_TILLS: usize = 256;
/// Times each query is asked.
const QUERIES: usize = 200;
const DAY_MS: u64 = 86_400_000;

/// Codes and days of one run.
struct Scale {
    codes: u32,
    days: u32,
    sales: u32,
}

/// Runs the statistics workload in a fresh data directory under `parent`.
pub fn run(quick: bool, parent: &std::path::Path) -> Result<()> {
    let scale = match quick {
        true => Scale {
            codes: 500_000,
            days: 30,
            sales: 30_000,
        },
        false => Scale {
            codes: 10_000_000,
            days: 365,
            sales: 300_000,
        },
    };
    let dir = tempfile::Builder::new()
        .prefix("tanba-bench-statistics-")
        .tempdir_in(parent)
        .with_context(|| format!("cannot make a data directory in {}", parent.display()))?;
    let store: Arc<dyn Store> = Arc::new(RocksStore::open(&dir.path().join("data"))?);
    let mut seed = [0; 32];
    OsRng.fill_bytes(&mut seed);
    let ring = Arc::new(KeyRing::generate(SystemClock.now_ms(), &mut OsRng));
    // The clock starts `days` back and moves a day at a time, so the codes are issued over the
    // period the queries read.
    let lag_ms = u64::from(scale.days) * DAY_MS;
    let clock = Arc::new(tanba_server::test_clock::TestClock::lagging(lag_ms));
    let engine = Engine::start(
        store.clone(),
        ring,
        clock.clone(),
        EngineConfig {
            serial_seed: Some(seed),
            ..EngineConfig::default()
        },
    )?;
    let world = World::register(&engine)?;
    let products = world.register_products(&engine, PRODUCTS)?;
    let first_day = Date::from_unix_ms_in_kz(clock.now_ms());
    let per_order = scale.codes / (scale.days * PRODUCTS_PER_DAY);
    let started = Instant::now();
    let mut issued = 0u64;
    for day in 0..scale.days {
        for slot in 0..PRODUCTS_PER_DAY {
            let product = products[((day * 7 + slot) % PRODUCTS) as usize];
            world.order(&engine, product, per_order, ORDER_TIMEOUT)?;
            issued += u64::from(per_order);
        }
        clock.advance(DAY_MS);
    }
    report(
        "statistics_issue",
        issued,
        started.elapsed(),
        None,
        json!({ "days": scale.days, "products": PRODUCTS }),
    );
    let last_day =
        Date::from_days_since_epoch(first_day.days_since_epoch() + scale.days as i32 - 1);
    let month_start = Date::from_days_since_epoch(last_day.days_since_epoch() - 29);
    let asks = [
        ("statistics_30_days", month_start, None),
        ("statistics_whole_period", first_day, None),
        ("statistics_one_product", first_day, Some(products[0])),
    ];
    for (name, from, gtin) in asks {
        let mut latency = histogram();
        let started = Instant::now();
        let mut rows = 0;
        for _ in 0..QUERIES {
            let asked = Instant::now();
            let snapshot = engine.snapshot();
            let answer = statistics::owner_statistics(
                snapshot.as_ref(),
                &world.producer,
                from,
                last_day,
                gtin.as_ref(),
            )?;
            latency.record(micros(asked.elapsed()))?;
            ensure!(!answer.truncated, "{name}: the answer is whole");
            rows = answer.stock.len() + answer.flows.len();
        }
        report(
            name,
            QUERIES as u64,
            started.elapsed(),
            Some(&latency),
            json!({ "codes_in_store": issued, "rows": rows }),
        );
    }
    // Today, after the period: sales, so that the log has many entries to export.
    let today = Date::from_unix_ms_in_kz(clock.now_ms());
    let order = world.order(&engine, world.short_gtin, scale.sales, ORDER_TIMEOUT)?;
    let sold = tanba_engine::workload::order_codes(&engine, order)?;
    world.bring_into_circulation(&engine, &sold, today)?;
    world.deliver(&engine, world.retailer, &sold)?;
    sales(
        &engine,
        world.retailer,
        &sold,
        SALES_TILLS,
        "analytics_sales",
    )?;
    export(&engine, first_day, today, dir.path())?;
    engine.shutdown();
    Ok(())
}

/// Exports the period's codes and events as the operator, each timed.
fn export(engine: &Engine, from: Date, to: Date, dir: &std::path::Path) -> Result<()> {
    let analyst = Participant {
        id: TaxpayerId::parse("990540000399")?,
        name: "Analysts".into(),
        roles: [Role::Operator].into(),
        keys: Vec::new(),
        status: ParticipantStatus::Active,
    };
    engine.execute(Actor::System, Command::RegisterParticipant(analyst.clone()))?;
    let root = dir.join("exports");
    let quota = tanba_export::Quota::new(u64::MAX, &root)?;
    // The whole period (a file a day, each synced), then today alone: the day of the sales,
    // one file, what a row costs.
    let asks = [
        ("export_codes", DataExportKind::Codes, from),
        ("export_events", DataExportKind::Events, from),
        ("export_sales", DataExportKind::Sales, from),
        ("export_events_one_day", DataExportKind::Events, to),
        ("export_sales_one_day", DataExportKind::Sales, to),
    ];
    for (name, kind, from) in asks {
        let command = Command::RequestDataExport {
            key: name.replace('_', "-"),
            kind,
            from,
            to,
        };
        let id = engine
            .execute(Actor::Participant(analyst.id), command)?
            .first_sequence;
        let snapshot = engine.snapshot();
        let job = data_export::job(snapshot.as_ref(), id)?.context("the job was made")?;
        let started = Instant::now();
        let manifest = tanba_export::write_job(snapshot.as_ref(), &job, &root, &quota)?;
        let bytes: u64 = manifest.files.iter().map(|file| file.bytes).sum();
        report(
            name,
            manifest.rows(),
            started.elapsed(),
            None,
            json!({ "files": manifest.files.len(), "bytes": bytes }),
        );
    }
    Ok(())
}

fn micros(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_micros())
        .unwrap_or(u64::MAX)
        .max(1)
}
