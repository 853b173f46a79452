//! `tanba bench --cluster` (issue 15): the engine's writes through a replicated command log
//! against the embedded default, in one run, and a second node catching up with the stream.
//!
//! - `cluster_issue_*`, `cluster_sales_*`: the same workloads as `tanba bench`'s `issue_short`
//!   and `sales` (one order, then one sale per command from many tills), first on the
//!   embedded engine (its own in-process log), then on an engine whose log is a stream on three
//!   NATS servers on this machine (R3, `sync_interval: always`, the batches sealed as a node
//!   seals them). Each engine has its own store.
//! - `cluster_catch_up`: a second engine over an empty store, started against the whole stream
//!   (as a node joins, or one restored from nothing), timed until it has applied every batch;
//!   its operations are the events it applied.
//!
//! The NATS servers share the machine's cores with the engine, so the replicated figures are
//! what one machine carries, not what a cluster of machines does.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand_core::{OsRng, RngCore};
use serde_json::json;
use tanba_crypto::KeyRing;
use tanba_crypto::sign_in::SignInSecret;
use tanba_engine::command_log::CommandLog;
use tanba_engine::seal::{ClusterSeal, SealedLog};
use tanba_engine::workload::World;
use tanba_engine::{Clock, Engine, EngineConfig, SystemClock};
use tanba_replica::cluster::NatsCluster;
use tanba_replica::{JetStreamLog, StreamSettings};
use tanba_store::{RocksStore, Store};
use tanba_types::Date;

use crate::bench_command::{issue, report, sales};

/// Codes issued and sold per engine.
const CODES_FULL: u32 = 200_000;
const CODES_QUICK: u32 = 20_000;
/// Bytes the benchmark's stream may hold, and each of the other three stores: each server
/// reserves all four on its disk (a full run writes a few hundred megabytes).
const STREAM_BYTES: i64 = 1 << 30;
/// How long the NATS servers may take to elect the stream's leader.
const STREAM_READY_WAIT: Duration = Duration::from_secs(60);
/// How long the catching-up engine may take.
const CATCH_UP_WAIT: Duration = Duration::from_secs(3_600);

/// An engine over a store of its own in a temporary directory.
struct Node {
    engine: Engine,
    _directory: tempfile::TempDir,
}

impl Node {
    /// Starts an engine over a fresh store; `log` as [`EngineConfig::log`], and steward
    /// (issuing what it applies orders for) unless it joins a log written already.
    fn start(
        parent: &Path,
        ring: &Arc<KeyRing>,
        log: Option<Arc<dyn CommandLog>>,
        steward: bool,
    ) -> Result<Node> {
        let directory = tempfile::Builder::new()
            .prefix("tanba-bench-cluster-")
            .tempdir_in(parent)
            .with_context(|| format!("cannot make a data directory in {}", parent.display()))?;
        let store: Arc<dyn Store> = Arc::new(RocksStore::open(&directory.path().join("data"))?);
        let mut seed = [0; 32];
        OsRng.fill_bytes(&mut seed);
        let engine = Engine::start(
            store,
            ring.clone(),
            Arc::new(SystemClock),
            EngineConfig {
                serial_seed: Some(seed),
                log,
                steward,
                ..EngineConfig::default()
            },
        )?;
        Ok(Node {
            engine,
            _directory: directory,
        })
    }

    /// Issues `codes`, brings them to a retailer, and sells them one per command.
    fn issue_and_sell(&self, codes: u32, tills: usize, name: &str) -> Result<()> {
        let world = World::register(&self.engine)?;
        let today = Date::from_unix_ms_in_kz(SystemClock.now_ms());
        let issued = issue(
            &self.engine,
            &world,
            world.short_gtin,
            codes,
            &format!("cluster_issue_{name}"),
        )?;
        world.bring_into_circulation(&self.engine, &issued, today)?;
        world.deliver(&self.engine, world.retailer, &issued)?;
        sales(
            &self.engine,
            world.retailer,
            &issued,
            tills,
            &format!("cluster_sales_{name}"),
        )
    }
}

/// The command stream on `servers`, sealed with `seal`, through a connection of its own.
fn sealed_stream(servers: &NatsCluster, seal: &ClusterSeal) -> Result<Arc<dyn CommandLog>> {
    let settings = StreamSettings {
        bytes_max: STREAM_BYTES,
        ..StreamSettings::default()
    };
    let log = JetStreamLog::connect_waiting(&servers.urls(), settings, STREAM_READY_WAIT)
        .context("connecting to the benchmark's NATS servers")?;
    Ok(Arc::new(SealedLog::new(Arc::new(log), seal.clone())))
}

pub fn run(quick: bool, parent: &Path, tills: usize) -> Result<()> {
    let codes = if quick { CODES_QUICK } else { CODES_FULL };
    let ring = Arc::new(KeyRing::generate(SystemClock.now_ms(), &mut OsRng));
    let embedded = Node::start(parent, &ring, None, true)?;
    embedded.issue_and_sell(codes, tills, "embedded")?;
    embedded.engine.shutdown();

    let servers =
        NatsCluster::start(3).context("starting three NATS servers (scripts/setup.sh)")?;
    let seal = ClusterSeal::derive(&SignInSecret::generate(&mut OsRng));
    let replicated = Node::start(parent, &ring, Some(sealed_stream(&servers, &seal)?), true)?;
    replicated.issue_and_sell(codes, tills, "jetstream")?;
    let events = replicated.engine.head().sequence;
    replicated.engine.shutdown();

    let started = Instant::now();
    let joining = Node::start(parent, &ring, Some(sealed_stream(&servers, &seal)?), false)?;
    let caught = joining.engine.catch_up(CATCH_UP_WAIT)?;
    if !caught.caught_up || joining.engine.head().sequence != events {
        bail!(
            "the joining engine reached entry {} of {events}",
            joining.engine.head().sequence
        );
    }
    report(
        "cluster_catch_up",
        events,
        started.elapsed(),
        None,
        json!({"batches": caught.log_position}),
    );
    joining.engine.shutdown();
    Ok(())
}
