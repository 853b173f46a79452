//! A store that stops taking writes (a full disk, a failing device) under the running engine:
//! the command whose group fails is answered with the store's error, every later write at once
//! with the retryable `STORE-UNAVAILABLE` (no call hangs), reads go on, and the engine takes
//! writes again by itself once the store does.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand_core::OsRng;
use support::{category, participant, taxpayer};
use tanba_crypto::KeyRing;
use tanba_engine::workload::World;
use tanba_engine::{Engine, EngineConfig, EngineError, SystemClock, query};
use tanba_store::{Durability, MemoryStore, Snapshot, Store, StoreError, WriteBatch};
use tanba_types::{Actor, Command, Role};

/// The memory store, refusing every write while `full` is set; it sets it itself once it has
/// taken `writes_left` more writes (`u64::MAX`: never).
struct FillingDisk {
    inner: MemoryStore,
    full: AtomicBool,
    writes_left: AtomicU64,
}

impl FillingDisk {
    fn new() -> FillingDisk {
        FillingDisk {
            inner: MemoryStore::new(),
            full: AtomicBool::new(false),
            writes_left: AtomicU64::new(u64::MAX),
        }
    }
}

impl Store for FillingDisk {
    fn write(&self, batch: WriteBatch, durability: Durability) -> Result<(), StoreError> {
        match self.writes_left.load(Ordering::SeqCst) {
            u64::MAX => {}
            0 => self.full.store(true, Ordering::SeqCst),
            left => self.writes_left.store(left - 1, Ordering::SeqCst),
        }
        if self.full.load(Ordering::SeqCst) {
            return Err(StoreError::Engine("No space left on device".into()));
        }
        self.inner.write(batch, durability)
    }

    fn snapshot(&self) -> Box<dyn Snapshot + '_> {
        self.inner.snapshot()
    }
}

/// A running engine over a disk that has room, for now.
fn engine_over_filling_disk() -> (Arc<FillingDisk>, Engine) {
    let disk = Arc::new(FillingDisk::new());
    let ring = Arc::new(KeyRing::generate(1, &mut OsRng));
    let engine = Engine::start(
        disk.clone(),
        ring,
        Arc::new(SystemClock),
        EngineConfig::default(),
    )
    .unwrap();
    (disk, engine)
}

#[test]
fn a_full_disk_refuses_writes_at_once_keeps_reads_and_recovers_by_itself() {
    let (disk, engine) = engine_over_filling_disk();
    let shop = taxpayer(400);
    let register = Command::RegisterParticipant(participant(shop, "Shop", &[Role::Retailer]));
    engine.execute(Actor::System, register).unwrap();

    disk.full.store(true, Ordering::SeqCst);
    assert!(matches!(
        engine.execute(Actor::System, category("water")),
        Err(EngineError::Store(_))
    ));
    assert!(engine.store_failing());
    // Every write now is answered at once, without queueing behind the disk.
    let started = Instant::now();
    for _ in 0..100 {
        assert_eq!(
            engine.submit(Actor::System, category("water")).err(),
            Some(EngineError::StoreUnavailable)
        );
    }
    assert!(started.elapsed() < Duration::from_millis(100));
    assert_eq!(
        EngineError::StoreUnavailable.code(),
        "TANBA-ENGINE-STORE-UNAVAILABLE"
    );
    // Reads go on.
    let card = query::participant(engine.snapshot().as_ref(), &shop).unwrap();
    assert_eq!(card.unwrap().name, "Shop");

    disk.full.store(false, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(5);
    while engine.store_failing() {
        assert!(
            Instant::now() < deadline,
            "the engine did not notice the disk has room"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    engine.execute(Actor::System, category("water")).unwrap();
    let head = engine.head().sequence;
    engine.shutdown();
    assert_eq!(head, 2, "nothing refused left a trace in the log");
}

/// The disk fills after an order is taken, while its codes are issued: the issuer waits for
/// the disk however long, but whoever waits for the order (`tanba bench`, the criterion
/// benches) hears of it at once, not when its wait runs out (CI once waited ten minutes on a
/// full disk for a bare `Busy`).
#[test]
fn an_order_waited_for_ends_at_once_when_the_disk_fills_under_its_issuing() {
    let (disk, engine) = engine_over_filling_disk();
    let world = World::register(&engine).unwrap();
    // The order's own group is written; the issuer's first chunk is not.
    disk.writes_left.store(1, Ordering::SeqCst);
    let started = Instant::now();
    let waited = world.order(&engine, world.short_gtin, 1_000, Duration::from_secs(600));
    assert_eq!(waited, Err(EngineError::StoreUnavailable));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the wait ended on the full disk, not on its timeout: {:?}",
        started.elapsed()
    );
    disk.writes_left.store(u64::MAX, Ordering::SeqCst);
    disk.full.store(false, Ordering::SeqCst);
    engine.shutdown();
}
