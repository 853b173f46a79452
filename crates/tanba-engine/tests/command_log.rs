//! The engine over its command log (issue 15): the core applies a log by its places (a batch met
//! again later is applied once, across restarts too; the log's time never goes back), and
//! engines that apply one shared log hold the same state, whichever node took each command,
//! and an engine restarted over its store goes on from its cursor.

mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand_core::OsRng;
use support::{World, category, code_of, participant, taxpayer};
use tanba_crypto::KeyRing;
use tanba_engine::command_log::{
    AppendFinished, Appended, Batch, BatchId, CommandLog, CommandLogError, LocalLog, Position,
};
use tanba_engine::core::{Applied, Place};
use tanba_engine::{APPENDS_IN_FLIGHT_MAX, Core, Engine, EngineConfig, Stamped, SystemClock};
use tanba_store::{MemoryStore, Store};
use tanba_types::{Actor, Command, Role};

fn logged(command: Command, time_ms: u64, position: Position, index: u32, batch: u8) -> Stamped {
    Stamped {
        actor: Actor::System,
        time_ms,
        command,
        place: Some(Place {
            position,
            index,
            batch: BatchId([batch; 16]),
        }),
        note: None,
    }
}

fn reopen(world: &World) -> Core {
    Core::open(
        world.store.clone() as Arc<dyn Store>,
        world.ring.clone(),
        support::cases(),
        1_000,
    )
    .unwrap()
}

#[test]
fn a_batch_met_again_later_in_the_log_is_applied_once_also_after_a_restart() {
    let mut world = World::new(1);
    let now = world.now_ms;
    let first = world
        .core
        .execute_one(logged(category("beer"), now, 1, 0, 7));
    assert!(first.is_ok(), "{first:?}");
    world
        .core
        .execute_one(logged(category("wine"), now, 1, 1, 7))
        .unwrap();
    assert_eq!(
        world.core.applied(),
        Applied {
            position: 1,
            commands: 2
        }
    );
    // A publisher's retry that the log did not catch: the same batch at position 3.
    let again = world
        .core
        .execute_one(logged(category("cider"), now, 3, 0, 7));
    assert_eq!(code_of(again), "TANBA-ENGINE-INVALID");
    let head = world.core.head();
    let mut core = reopen(&world);
    assert_eq!(
        core.applied(),
        Applied {
            position: 3,
            commands: 1
        }
    );
    let later = core.execute_one(logged(category("cider"), now, 5, 0, 7));
    assert_eq!(code_of(later), "TANBA-ENGINE-INVALID");
    assert_eq!(core.head(), head, "nothing of the batch was applied twice");
    // Another batch is applied.
    core.execute_one(logged(category("cider"), now, 6, 0, 8))
        .unwrap();
    assert_eq!(core.head().sequence, head.sequence + 1);
}

#[test]
#[should_panic(expected = "the command log is applied in order")]
fn a_place_before_the_cursor_is_a_bug_not_a_command() {
    let mut world = World::new(2);
    let now = world.now_ms;
    world
        .core
        .execute_one(logged(category("beer"), now, 4, 0, 1))
        .unwrap();
    let _ = world
        .core
        .execute_one(logged(category("wine"), now, 3, 0, 2));
}

#[test]
fn the_logs_time_never_goes_back_and_only_a_logged_entry_moves_it() {
    let mut world = World::new(3);
    let t = world.now_ms + 60_000;
    let a = world
        .core
        .execute_one(logged(category("a"), t, 1, 0, 1))
        .unwrap();
    assert_eq!(a.time_ms, t);
    // A node whose clock is behind: applied at the log's time.
    let b = (world.core)
        .execute_one(logged(category("b"), t - 5_000, 2, 0, 2))
        .unwrap();
    assert_eq!(b.time_ms, t);
    // A refused command far ahead (the operator registered again) moves nothing.
    let operator = participant(world.cast.operator, "Again", &[Role::Operator]);
    let again = Command::RegisterParticipant(operator);
    let refused = (world.core).execute_one(logged(again, t + 3_600_000, 3, 0, 3));
    assert_eq!(code_of(refused), "TANBA-ENGINE-PARTICIPANT-EXISTS");
    let c = world
        .core
        .execute_one(logged(category("c"), t + 1, 4, 0, 4))
        .unwrap();
    assert_eq!(c.time_ms, t + 1);
    assert_eq!(
        reopen(&world).last_time_ms(),
        t + 1,
        "the same after a restart"
    );
}

/// An engine over its own memory store that applies `log` with others.
fn node(store: Arc<MemoryStore>, log: Arc<LocalLog>) -> Engine {
    let config = EngineConfig {
        cases: support::cases(),
        log: Some(log as Arc<dyn CommandLog>),
        ..EngineConfig::default()
    };
    let ring = Arc::new(KeyRing::generate(1, &mut OsRng));
    Engine::start(store, ring, Arc::new(SystemClock), config).unwrap()
}

/// Waits until every engine has applied the whole log.
fn settle(engines: &[&Engine]) {
    for engine in engines {
        let caught = engine.catch_up(Duration::from_secs(20)).unwrap();
        assert!(
            caught.caught_up,
            "the engine did not apply the log: {caught:?}"
        );
        assert!(caught.applied_through >= caught.log_position);
    }
}

#[test]
fn engines_applying_one_log_hold_the_same_state_whichever_took_each_command() {
    let log = Arc::new(LocalLog::new());
    let stores = [Arc::new(MemoryStore::new()), Arc::new(MemoryStore::new())];
    let nodes = [
        node(stores[0].clone(), log.clone()),
        node(stores[1].clone(), log.clone()),
    ];
    let mut tickets = Vec::new();
    for n in 0..200u64 {
        let command = match n % 3 {
            0 => category(&format!("c{}", n % 40)),
            _ => Command::RegisterParticipant(participant(
                taxpayer(1_000 + n % 150),
                "Shop",
                &[Role::Retailer],
            )),
        };
        // Some commands are refused (a category or participant twice): alike on both nodes.
        tickets.push(
            nodes[n as usize % 2]
                .submit(Actor::System, command)
                .unwrap(),
        );
    }
    let outcomes: Vec<_> = tickets.into_iter().map(|ticket| ticket.wait()).collect();
    assert!(outcomes.iter().any(Result::is_ok) && outcomes.iter().any(Result::is_err));
    settle(&[&nodes[0], &nodes[1]]);
    assert_eq!(nodes[0].head(), nodes[1].head());
    let accepted = outcomes.iter().filter(|outcome| outcome.is_ok()).count() as u64;
    assert_eq!(
        nodes[0].head().sequence,
        accepted,
        "every accepted command once"
    );
    let mut sequences: Vec<u64> = (outcomes.iter().filter_map(|o| o.as_ref().ok()))
        .map(|receipt| receipt.first_sequence)
        .collect();
    sequences.sort_unstable();
    assert!(sequences.into_iter().eq(1..=accepted), "each its own entry");
}

#[test]
fn an_engine_restarted_over_its_store_goes_on_from_its_cursor() {
    let log = Arc::new(LocalLog::new());
    let (store_a, store_b) = (Arc::new(MemoryStore::new()), Arc::new(MemoryStore::new()));
    let b = node(store_b, log.clone());
    let a = node(store_a.clone(), log.clone());
    for n in 0..20 {
        a.execute(Actor::System, category(&format!("a{n}")))
            .unwrap();
    }
    settle(&[&a, &b]);
    a.shutdown();
    // While a is down, b takes commands; then a starts again over its store.
    for n in 0..20 {
        b.execute(Actor::System, category(&format!("b{n}")))
            .unwrap();
    }
    let a = node(store_a, log.clone());
    // Caught up before it takes anything: it knows what b took while it was down.
    settle(&[&a]);
    let b_last = tanba_engine::query::category(a.snapshot().as_ref(), "b19").unwrap();
    assert!(b_last.is_some(), "b's last command applied on a");
    for n in 0..5 {
        a.execute(Actor::System, category(&format!("c{n}")))
            .unwrap();
    }
    settle(&[&a, &b]);
    let last = log.last_position().unwrap();
    assert!(
        a.wait_for_position(last, Duration::ZERO),
        "applied through the end"
    );
    assert!(
        !a.wait_for_position(last + 1, Duration::from_millis(50)),
        "a position not yet in the log is waited for, then not reached"
    );
    assert_eq!(a.head(), b.head());
    assert_eq!(
        a.head().sequence,
        45,
        "nothing applied twice, nothing missed"
    );
}

/// A replicated log whose appends are slow and land out of the order started: each started
/// append lands on a thread of its own after a pause drawn from its id, and every third
/// batch is refused for now the first time it comes.
struct SlowFlakyLog {
    inner: Arc<LocalLog>,
    refused_once: Mutex<HashSet<BatchId>>,
    on_their_way: Arc<AtomicUsize>,
    most_on_their_way: Arc<AtomicUsize>,
}

impl CommandLog for SlowFlakyLog {
    fn append(&self, id: BatchId, bytes: Vec<u8>) -> Result<Appended, CommandLogError> {
        self.inner.append(id, bytes)
    }

    fn start_append(&self, id: BatchId, bytes: Vec<u8>, finished: &Sender<AppendFinished>) {
        let now = self.on_their_way.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_on_their_way.fetch_max(now, Ordering::SeqCst);
        let refuse = id.0[0].is_multiple_of(3) && self.refused_once.lock().unwrap().insert(id);
        let result = match refuse {
            true => Err(CommandLogError::Unavailable("not now".into())),
            false => Ok(()),
        };
        let (inner, finished) = (self.inner.clone(), finished.clone());
        let on_their_way = self.on_their_way.clone();
        let pause = Duration::from_millis(u64::from(id.0[1] % 8));
        std::thread::spawn(move || {
            std::thread::sleep(pause);
            let result = result.and_then(|()| inner.append(id, bytes));
            on_their_way.fetch_sub(1, Ordering::SeqCst);
            AppendFinished::report(&finished, id, result);
        });
    }

    fn read(
        &self,
        from: Position,
        batches_max: usize,
        wait: Duration,
    ) -> Result<Vec<Batch>, CommandLogError> {
        self.inner.read(from, batches_max, wait)
    }

    fn last_position(&self) -> Result<Position, CommandLogError> {
        self.inner.last_position()
    }

    fn first_position(&self) -> Result<Position, CommandLogError> {
        self.inner.first_position()
    }

    fn trim_before(&self, position: Position) -> Result<(), CommandLogError> {
        self.inner.trim_before(position)
    }
}

#[test]
fn r_is_22_appends_on_their_way_at_once_land_each_command_once_though_out_of_order_and_retried() {
    let log = Arc::new(SlowFlakyLog {
        inner: Arc::new(LocalLog::new()),
        refused_once: Mutex::default(),
        on_their_way: Arc::default(),
        most_on_their_way: Arc::default(),
    });
    let config = EngineConfig {
        cases: support::cases(),
        log: Some(log.clone() as Arc<dyn CommandLog>),
        ..EngineConfig::default()
    };
    let ring = Arc::new(KeyRing::generate(1, &mut OsRng));
    let store = Arc::new(MemoryStore::new());
    let engine = Engine::start(store, ring, Arc::new(SystemClock), config).unwrap();
    const COMMANDS: usize = 300;
    // Submitted from several threads at once, so that batches form while others are on their way.
    let outcomes: Vec<_> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..6)
            .map(|thread| {
                let engine = &engine;
                scope.spawn(move || {
                    (0..COMMANDS / 6)
                        .map(|n| engine.execute(Actor::System, category(&format!("t{thread}_{n}"))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect()
    });
    for outcome in &outcomes {
        assert!(
            outcome.is_ok(),
            "every command lands, though some batches came twice: {outcome:?}"
        );
    }
    assert_eq!(engine.head().sequence, COMMANDS as u64, "each command once");
    assert!(
        !log.refused_once.lock().unwrap().is_empty(),
        "some batch was sent again"
    );
    let most = log.most_on_their_way.load(Ordering::SeqCst);
    assert!(
        (2..=APPENDS_IN_FLIGHT_MAX).contains(&most),
        "{most} batches on their way at most"
    );
    engine.shutdown();
    assert_eq!(
        log.on_their_way.load(Ordering::SeqCst),
        0,
        "the appender waited for each"
    );
}
