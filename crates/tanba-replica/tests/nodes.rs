//! Engines as nodes of one JetStream command log (issue 15, R-IS-22): two engines, each on its
//! own RocksDB and its own connection to three NATS servers, take commands at once; the
//! stream's leader is killed (SIGKILL) and started again under the load, and one engine is
//! stopped and started again over its store. At the end both hold the same state, byte for
//! byte, every acknowledged command is in it once, and nothing else is.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use rand_core::OsRng;
use tanba_crypto::KeyRing;
use tanba_engine::command_log::CommandLog;
use tanba_engine::{Engine, EngineConfig, Receipt, SystemClock};
use tanba_replica::cluster::NatsCluster;
use tanba_replica::{JetStreamLog, StreamSettings};
use tanba_store::RocksStore;
use tanba_types::{Actor, Category, Command, Names, TailProfile};

/// How long a fresh cluster may take to elect its JetStream leaders, or a new one.
const CLUSTER_READY_WAIT: Duration = Duration::from_secs(30);
/// Commands a client keeps waiting at once.
const IN_FLIGHT_MAX: usize = 32;

fn category(code: String) -> Command {
    Command::DefineCategory(Category {
        names: Names {
            kk: code.clone(),
            ru: code.clone(),
            en: None,
        },
        code,
        tail_profile: TailProfile::Full,
        return_period_days: 14,
        control_list_code: None,
    })
}

fn connect(cluster: &NatsCluster) -> JetStreamLog {
    let settings = StreamSettings {
        bytes_max: 256 << 20,
        ..StreamSettings::default()
    };
    JetStreamLog::connect_waiting(&cluster.urls(), settings, CLUSTER_READY_WAIT)
        .unwrap_or_else(|error| panic!("the cluster never took the stream: {error}"))
}

fn node(store: Arc<RocksStore>, cluster: &NatsCluster) -> Engine {
    let config = EngineConfig {
        log: Some(Arc::new(connect(cluster)) as Arc<dyn CommandLog>),
        ..EngineConfig::default()
    };
    let ring = Arc::new(KeyRing::generate(1, &mut OsRng));
    Engine::start(store, ring, Arc::new(SystemClock), config).expect("a node starts")
}

/// What one client did.
struct Sent {
    commands: u64,
    acknowledged: Vec<Receipt>,
}

/// Sends commands named after `name`, until `stop`, through whichever engine `engine` holds
/// now (it is swapped while the client runs), keeping [`IN_FLIGHT_MAX`] waiting.
fn client(name: &str, engine: &RwLock<Option<Engine>>, stop: &AtomicBool) -> Sent {
    let mut sent = Sent {
        commands: 0,
        acknowledged: Vec::new(),
    };
    let mut waiting = VecDeque::new();
    while !stop.load(Ordering::SeqCst) || !waiting.is_empty() {
        if !stop.load(Ordering::SeqCst) && waiting.len() < IN_FLIGHT_MAX {
            let guard = engine.read().unwrap();
            let command = category(format!("{name}{}", sent.commands));
            if let Some(engine) = guard.as_ref()
                && let Ok(ticket) = engine.submit(Actor::System, command)
            {
                waiting.push_back(ticket);
                sent.commands += 1;
                continue;
            }
            drop(guard);
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        match waiting.pop_front().expect("a ticket").wait() {
            Ok(receipt) => sent.acknowledged.push(receipt),
            // A node stopped under its callers: their commands' outcome is theirs to check.
            Err(error) => eprintln!("{name}: {error}"),
        }
    }
    sent
}

#[test]
fn r_is_22_nodes_over_jetstream_agree_through_a_killed_stream_leader_and_a_restarted_node() {
    let mut cluster = NatsCluster::start(3).expect("three NATS servers start (scripts/setup.sh)");
    let directories = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let stores = directories
        .each_ref()
        .map(|directory| Arc::new(RocksStore::open(directory.path()).unwrap()));
    let engines = stores
        .each_ref()
        .map(|store| RwLock::new(Some(node(store.clone(), &cluster))));
    let observer = connect(&cluster);
    let stop = AtomicBool::new(false);
    let (sent_a, sent_b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| client("a", &engines[0], &stop));
        let b = scope.spawn(|| client("b", &engines[1], &stop));
        std::thread::sleep(Duration::from_millis(300));
        // The stream's leader dies under the load and comes back.
        let leader = observer.leader().unwrap().expect("the stream has a leader");
        let index = cluster.index_of(&leader).expect("a server of ours");
        cluster.kill(index).unwrap();
        std::thread::sleep(Duration::from_millis(1_500));
        cluster.restart(index).unwrap();
        // Node b stops and starts again over its store.
        let stopped = engines[1].write().unwrap().take().expect("node b runs");
        stopped.shutdown();
        std::thread::sleep(Duration::from_millis(200));
        *engines[1].write().unwrap() = Some(node(stores[1].clone(), &cluster));
        std::thread::sleep(Duration::from_millis(500));
        stop.store(true, Ordering::SeqCst);
        (a.join().unwrap(), b.join().unwrap())
    });
    let engines = engines.map(|engine| engine.into_inner().unwrap().expect("running"));
    let last = observer.last_position().unwrap();
    let deadline = Instant::now() + CLUSTER_READY_WAIT;
    while engines.iter().any(|engine| engine.read_position() <= last) {
        assert!(
            Instant::now() < deadline,
            "the nodes did not apply the stream"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(engines[0].head(), engines[1].head(), "one head");
    let commands = sent_a.commands + sent_b.commands;
    let acknowledged: Vec<Receipt> = (sent_a.acknowledged.into_iter())
        .chain(sent_b.acknowledged)
        .collect();
    assert!(acknowledged.len() > 100, "the load went through");
    // Each command is one entry: the log holds every acknowledged one, and nothing twice.
    let mut sequences: Vec<u64> = acknowledged.iter().map(|r| r.first_sequence).collect();
    sequences.sort_unstable();
    sequences.dedup();
    assert_eq!(sequences.len(), acknowledged.len(), "each its own entry");
    let head = engines[0].head().sequence;
    eprintln!(
        "{commands} sent, {} acknowledged, {head} entries",
        acknowledged.len()
    );
    assert!(sequences.last().is_some_and(|&last| last <= head));
    assert!(
        head >= acknowledged.len() as u64 && head <= commands,
        "no more entries than commands sent: {head}"
    );
    for engine in engines {
        engine.shutdown();
    }
    assert_eq!(
        tanba_engine::first_state_difference(stores[0].as_ref(), stores[1].as_ref()).unwrap(),
        None,
        "the same state, byte for byte"
    );
}
