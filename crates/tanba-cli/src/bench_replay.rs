//! `tanba bench --replay` (issue 15): how fast a node rebuilds its state from a log, the bulk
//! path against the ordinary write path, in one run over one log.
//!
//! The log: one order of 1,000,000 short-tail codes (`--quick`: 100,000), brought into
//! circulation, shipped to a retailer and sold one sale per command from many tills, so that
//! nearly every entry is a sale, as in a national log. Then, with the engine stopped, its log
//! is replayed into an empty RocksDB store three times:
//! - `replay_bulk`: [`tanba_engine::replay`] as a node runs it (the chain checked on one thread,
//!   the events applied in memory on another, loaded as sorted table files);
//! - `replay_write_path`: the same, but every change written through RocksDB's write path
//!   (write-ahead log and memory tables) in batches, as replay did before the bulk path: the
//!   baseline, in the same run;
//! - `replay_bulk` again, so that a drift of the machine shows.
//!
//! Each replayed store must hold exactly the state of the source, or the run fails.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use rand_core::{OsRng, RngCore};
use serde_json::json;
use tanba_crypto::KeyRing;
use tanba_engine::workload::World;
use tanba_engine::{Clock, Engine, EngineConfig, SystemClock};
use tanba_store::{Column, Durability, RocksStore, Snapshot, Store, StoreError, WriteBatch};
use tanba_types::Date;

use crate::bench_command::{ORDER_TIMEOUT, report, sales};

/// Codes issued and sold, one log entry per sale.
const CODES_FULL: u32 = 1_000_000;
const CODES_QUICK: u32 = 100_000;
/// Tills selling at once while the log is made.
const TILLS: usize = 256;

/// Makes the log in a fresh data directory under `parent` (or in `kept_log`, unless a store
/// is there already), then replays it into stores under `parent`.
pub fn run(quick: bool, parent: &Path, kept_log: Option<&Path>) -> Result<()> {
    let codes = if quick { CODES_QUICK } else { CODES_FULL };
    let dir = tempfile::Builder::new()
        .prefix("tanba-bench-replay-")
        .tempdir_in(parent)
        .with_context(|| format!("cannot make a data directory in {}", parent.display()))?;
    let source_path = kept_log.map_or_else(|| dir.path().join("data"), Path::to_path_buf);
    let made_before = source_path.exists();
    let source: Arc<dyn Store> = Arc::new(RocksStore::open(&source_path)?);
    if !made_before {
        make_log(&source, codes)?;
    }
    let events = tanba_engine::log::stored_head(source.snapshot().as_ref())?.sequence;
    let runs = [
        ("replay_bulk", false),
        ("replay_write_path", true),
        ("replay_bulk", false),
    ];
    for (number, (name, write_path)) in runs.into_iter().enumerate() {
        let path = dir.path().join(format!("replayed-{number}"));
        let target = RocksStore::open(&path)?;
        let target: &dyn Store = match write_path {
            true => &WritePath(&target),
            false => &target,
        };
        let started = Instant::now();
        let replayed = tanba_engine::replay(source.as_ref(), target)?;
        let elapsed = started.elapsed();
        ensure!(
            replayed == events,
            "{name}: replayed {replayed} of {events} events"
        );
        let difference = tanba_engine::first_state_difference(source.as_ref(), target)?;
        ensure!(
            difference.is_none(),
            "{name}: the state differs at {difference:?}"
        );
        // A log made before may hold anything: its sales are not known here.
        let sales = (!made_before).then_some(codes);
        report(name, events, elapsed, None, json!({ "sales": sales }));
    }
    Ok(())
}

/// Issues `codes` codes, brings them to a retailer and sells them one by one.
fn make_log(store: &Arc<dyn Store>, codes: u32) -> Result<()> {
    let mut seed = [0; 32];
    OsRng.fill_bytes(&mut seed);
    let ring = Arc::new(KeyRing::generate(SystemClock.now_ms(), &mut OsRng));
    let engine = Engine::start(
        store.clone(),
        ring,
        Arc::new(SystemClock),
        EngineConfig {
            serial_seed: Some(seed),
            ..EngineConfig::default()
        },
    )?;
    let world = World::register(&engine)?;
    let order = world.order(&engine, world.short_gtin, codes, ORDER_TIMEOUT)?;
    let sold = tanba_engine::workload::order_codes(&engine, order)?;
    let today = Date::from_unix_ms_in_kz(SystemClock.now_ms());
    world.bring_into_circulation(&engine, &sold, today)?;
    world.deliver(&engine, world.retailer, &sold)?;
    sales(&engine, world.retailer, &sold, TILLS, "replay_log_sales")?;
    engine.shutdown();
    Ok(())
}

/// A store whose bulk loads go through its ordinary write path (the trait's default): the
/// baseline the bulk path is measured against.
struct WritePath<'a>(&'a RocksStore);

impl Store for WritePath<'_> {
    fn write(&self, batch: WriteBatch, durability: Durability) -> Result<(), StoreError> {
        self.0.write(batch, durability)
    }

    fn snapshot(&self) -> Box<dyn Snapshot + '_> {
        self.0.snapshot()
    }

    fn get(&self, column: Column, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get(column, key)
    }
}
