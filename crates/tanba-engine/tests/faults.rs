//! A store that stops taking writes (a full disk, a failing device) under the running engine:
//! the command whose group fails is answered with the store's error, every later write at once
//! with the retryable `STORE-UNAVAILABLE` (no call hangs), reads go on, and the engine takes
//! writes again by itself once the store does.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand_core::OsRng;
use support::{category, participant, taxpayer};
use tanba_crypto::KeyRing;
use tanba_engine::{Engine, EngineConfig, EngineError, SystemClock, query};
use tanba_store::{Durability, MemoryStore, Snapshot, Store, StoreError, WriteBatch};
use tanba_types::{Actor, Command, Role};

/// The memory store, refusing every write while `full` is set.
struct FillingDisk {
    inner: MemoryStore,
    full: AtomicBool,
}

impl Store for FillingDisk {
    fn write(&self, batch: WriteBatch, durability: Durability) -> Result<(), StoreError> {
        if self.full.load(Ordering::SeqCst) {
            return Err(StoreError::Engine("No space left on device".into()));
        }
        self.inner.write(batch, durability)
    }

    fn snapshot(&self) -> Box<dyn Snapshot + '_> {
        self.inner.snapshot()
    }
}

#[test]
fn a_full_disk_refuses_writes_at_once_keeps_reads_and_recovers_by_itself() {
    let disk = Arc::new(FillingDisk {
        inner: MemoryStore::new(),
        full: AtomicBool::new(false),
    });
    let ring = Arc::new(KeyRing::generate(1, &mut OsRng));
    let engine = Engine::start(
        disk.clone(),
        ring,
        Arc::new(SystemClock),
        EngineConfig::default(),
    )
    .unwrap();
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
