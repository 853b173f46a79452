//! A seeded, deterministic simulation of a cluster (issue 15, R-IS-22).
//!
//! Three nodes, each a [`Core`] over its own memory store, propose batches of commands to a
//! simulated stream, which fixes the log's order only when a publication lands. Before that it
//! drops publications (the publisher sends the same batch again), loses the answer to one that
//! landed (the publisher sends it again, and a retry that comes after the stream's
//! de-duplication window is stored a second time, later in the log), delays them and reorders
//! them; now and then a publisher sends bytes that are no batch at all. Each node reads the log
//! at its own pace through the engine's own reading ([`commands_of`], [`Applied::read_from`]),
//! crashes (its store keeps what was synced), restarts over its store, or restarts from a
//! snapshot (a checkpoint of any node's store, taken earlier). Node clocks disagree and jump.
//!
//! The commands: categories named after a unique tag (an upsert: a command applied twice would
//! show as its tag twice in the log) and participants from a small pool (registered once,
//! refused after: the outcome depends on the order).
//!
//! At the end of each seed, once every node is up and has read the whole log:
//! - every node holds the same state, byte for byte, and the same head; the chain verifies;
//! - every command has the same outcome on every node that applied it, and no node applied
//!   one twice in one life (a restored snapshot begins a new life);
//! - no tag is in the log twice, and every command whose proposing node answered it as
//!   accepted is in the log where its answer said.
//!
//! Reproducing: a failing seed is printed; `TANBA_CLUSTER_SIM_SEED=<n>` runs only seed n,
//! `TANBA_CLUSTER_SIM_SEEDS=<n>` runs seeds 0..n (1,000 by default, as CI runs),
//! `TANBA_CLUSTER_SIM_STEPS=<n>` changes the steps per seed.

mod support;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use support::{names, participant, taxpayer};
use tanba_crypto::KeyRing;
use tanba_engine::command_log::{Batch, BatchId, BatchWriter, CommandId, LoggedCommand};
use tanba_engine::core::{ReadFrom, commands_of};
use tanba_engine::{Core, EngineError, Receipt};
use tanba_store::{MemoryStore, Store};
use tanba_types::{Actor, Category, Command, Event, Role, TailProfile};

const NODES: usize = 3;
const SEEDS_DEFAULT: u64 = 1_000;
const STEPS_DEFAULT: usize = 120;
/// The stream de-duplicates an id within this many positions (JetStream's window, scaled down
/// so that retries past it happen).
const DEDUP_WINDOW_POSITIONS: usize = 6;
/// Batches a node reads at once, at most.
const READ_BATCHES_MAX: usize = 5;
/// Participants in the pool the commands register.
const PARTICIPANT_POOL: u64 = 12;
/// 2026-11-22T10:00:00+05:00.
const START_MS: u64 = 1_795_327_200_000;

#[test]
fn r_is_22_a_simulated_cluster_agrees_whatever_the_stream_and_the_nodes_do() {
    let steps = env_number("TANBA_CLUSTER_SIM_STEPS").unwrap_or(STEPS_DEFAULT as u64) as usize;
    let seeds: Vec<u64> = match env_number("TANBA_CLUSTER_SIM_SEED") {
        Some(seed) => vec![seed],
        None => (0..env_number("TANBA_CLUSTER_SIM_SEEDS").unwrap_or(SEEDS_DEFAULT)).collect(),
    };
    let mut totals = Totals::default();
    for seed in seeds {
        let ran = std::panic::catch_unwind(|| Cluster::new(seed).run(steps));
        match ran {
            Ok(counts) => totals.add(&counts),
            Err(panic) => {
                eprintln!(
                    "cluster simulation seed {seed} failed; rerun it alone with \
                     TANBA_CLUSTER_SIM_SEED={seed} cargo test -p tanba-engine --test \
                     cluster_simulation"
                );
                std::panic::resume_unwind(panic);
            }
        }
    }
    eprintln!("{totals:?}");
    // The faults the simulation exists for did happen, across the seeds.
    if totals.seeds >= 100 {
        assert!(totals.duplicates_stored > 0, "{totals:?}");
        assert!(totals.duplicates_refused > 0, "{totals:?}");
        assert!(totals.restored_from_snapshot > 0, "{totals:?}");
        assert!(totals.crashes > 0 && totals.refused > 0, "{totals:?}");
        assert!(totals.foreign_bytes > 0, "{totals:?}");
    }
}

#[test]
fn a_cluster_seed_reproduces_exactly() {
    let steps = STEPS_DEFAULT;
    let first = Cluster::new(7).run(steps);
    let again = Cluster::new(7).run(steps);
    assert_eq!(first, again);
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|value| {
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} is a number"))
    })
}

/// What happened in one seed (or all of them).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Totals {
    seeds: u64,
    positions: u64,
    entries: u64,
    accepted: u64,
    refused: u64,
    duplicates_stored: u64,
    duplicates_refused: u64,
    foreign_bytes: u64,
    crashes: u64,
    restored_from_snapshot: u64,
    head: Option<tanba_engine::LogHead>,
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        self.seeds += other.seeds;
        self.positions += other.positions;
        self.entries += other.entries;
        self.accepted += other.accepted;
        self.refused += other.refused;
        self.duplicates_stored += other.duplicates_stored;
        self.duplicates_refused += other.duplicates_refused;
        self.foreign_bytes += other.foreign_bytes;
        self.crashes += other.crashes;
        self.restored_from_snapshot += other.restored_from_snapshot;
    }
}

/// A command's outcome as a node saw it, comparable across nodes.
type Outcome = Result<(u64, u64, u64), &'static str>;

fn outcome_of(result: &Result<Receipt, EngineError>) -> Outcome {
    match result {
        Ok(receipt) => Ok((
            receipt.first_sequence,
            receipt.last_sequence,
            receipt.time_ms,
        )),
        Err(error) => Err(error.code()),
    }
}

/// A publication on its way to the stream.
struct Publication {
    id: BatchId,
    bytes: Vec<u8>,
    /// The node that published it, and the tags of its commands.
    node: usize,
}

struct Node {
    store: Arc<MemoryStore>,
    core: Option<Core>,
    /// Where this node reads next.
    next: ReadFrom,
    /// Its clock's offset from the simulation's time (nodes disagree).
    clock_offset_ms: i64,
    /// The commands it published in this life and will answer: batch id -> tags.
    waiting: HashMap<BatchId, Vec<Option<String>>>,
    /// Every outcome it computed in this life, by place in the log.
    outcomes: HashMap<(u64, u32), Outcome>,
    /// The commands it applied (accepted) in this life.
    applied: HashSet<CommandId>,
}

struct Cluster {
    seed: u64,
    rng: ChaCha20Rng,
    ring: Arc<KeyRing>,
    cases: Arc<tanba_engine::Cases>,
    now_ms: u64,
    nodes: Vec<Node>,
    in_flight: Vec<Publication>,
    /// The stream: the log's fixed order (position = index + 1).
    log: Vec<(BatchId, Vec<u8>)>,
    snapshots: Vec<MemoryStore>,
    next_tag: u64,
    /// What the proposing nodes answered: tag -> outcome.
    answered: BTreeMap<String, Outcome>,
    /// Outcomes seen by any node, by place, to compare every node against.
    seen: HashMap<(u64, u32), Outcome>,
    totals: Totals,
}

impl Cluster {
    fn new(seed: u64) -> Cluster {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let ring = Arc::new(KeyRing::generate(START_MS, &mut rng));
        let cases = Arc::new(tanba_engine::Cases::default());
        let mut cluster = Cluster {
            seed,
            ring,
            cases,
            now_ms: START_MS,
            nodes: Vec::new(),
            in_flight: Vec::new(),
            log: Vec::new(),
            snapshots: Vec::new(),
            next_tag: 0,
            answered: BTreeMap::new(),
            seen: HashMap::new(),
            totals: Totals {
                seeds: 1,
                ..Totals::default()
            },
            rng,
        };
        for _ in 0..NODES {
            let offset = (cluster.rng.next_u64() % 10_001) as i64 - 5_000;
            let store = Arc::new(MemoryStore::new());
            let core = Some(cluster.open(&store));
            cluster.nodes.push(Node {
                store,
                core,
                next: ReadFrom {
                    position: 1,
                    skip: 0,
                },
                clock_offset_ms: offset,
                waiting: HashMap::new(),
                outcomes: HashMap::new(),
                applied: HashSet::new(),
            });
        }
        cluster
    }

    fn open(&self, store: &Arc<MemoryStore>) -> Core {
        Core::open(
            store.clone() as Arc<dyn Store>,
            self.ring.clone(),
            self.cases.clone(),
            50,
        )
        .expect("a node opens its store")
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.rng.next_u64() % 100 < percent
    }

    fn pick(&mut self, count: usize) -> usize {
        (self.rng.next_u64() % count as u64) as usize
    }

    fn run(mut self, steps: usize) -> Totals {
        for _ in 0..steps {
            self.now_ms += self.rng.next_u64() % 40;
            match self.rng.next_u64() % 100 {
                0..30 => self.propose(),
                30..60 => self.deliver(true),
                60..88 => self.apply_some(),
                88..92 => self.crash(),
                92..97 => self.restart(),
                _ => self.snapshot(),
            }
        }
        self.settle();
        self.check();
        self.totals
    }

    /// An up node takes one to four commands into a batch and publishes it; now and then a
    /// stranger publishes bytes that are no batch.
    fn propose(&mut self) {
        let node = self.pick(NODES);
        if self.nodes[node].core.is_none() {
            return;
        }
        let mut id = [0; 16];
        self.rng.fill_bytes(&mut id);
        let id = BatchId(id);
        if self.chance(3) {
            let mut bytes = vec![0; 1 + self.pick(40)];
            self.rng.fill_bytes(&mut bytes);
            self.totals.foreign_bytes += 1;
            self.in_flight.push(Publication { id, bytes, node });
            return;
        }
        if self.chance(2) {
            // The node's clock jumps, back or forward, by up to an hour.
            self.nodes[node].clock_offset_ms = (self.rng.next_u64() % 7_200_001) as i64 - 3_600_000;
        }
        let clock = self.now_ms as i64 + self.nodes[node].clock_offset_ms;
        let mut writer = BatchWriter::default();
        let mut tags = Vec::new();
        for _ in 0..1 + self.pick(4) {
            let (command, tag) = self.command();
            let logged = LoggedCommand {
                actor: Actor::System,
                time_ms: clock.max(0) as u64,
                command,
                note: None,
            };
            writer.push(&logged).expect("small batches fit");
            tags.push(tag);
        }
        self.nodes[node].waiting.insert(id, tags);
        let bytes = writer.finish();
        self.in_flight.push(Publication { id, bytes, node });
    }

    /// A category under a new tag, or a participant from the pool.
    fn command(&mut self) -> (Command, Option<String>) {
        if self.chance(35) {
            let id = taxpayer(10_000 + self.rng.next_u64() % PARTICIPANT_POOL);
            let card = participant(id, "Shop", &[Role::Retailer]);
            return (Command::RegisterParticipant(card), None);
        }
        let tag = format!("t{}", self.next_tag);
        self.next_tag += 1;
        let category = Category {
            code: tag.clone(),
            names: names(&tag),
            tail_profile: TailProfile::Full,
            return_period_days: 14,
            control_list_code: None,
        };
        (Command::DefineCategory(category), Some(tag))
    }

    /// One publication (any: the stream reorders) meets the stream: lost before it (sent
    /// again later), stored with its answer lost (sent again later), or stored. An id stored
    /// within the window is not stored again.
    fn deliver(&mut self, faults: bool) {
        if self.in_flight.is_empty() {
            return;
        }
        let index = self.pick(self.in_flight.len());
        let publication = self.in_flight.swap_remove(index);
        if faults && self.chance(15) {
            self.in_flight.push(publication);
            return;
        }
        let window = self.log.len().saturating_sub(DEDUP_WINDOW_POSITIONS);
        let known = self.log[window..]
            .iter()
            .any(|(id, _)| *id == publication.id);
        if !known {
            if self.log.iter().any(|(id, _)| *id == publication.id) {
                self.totals.duplicates_stored += 1;
            }
            self.log.push((publication.id, publication.bytes.clone()));
        }
        let publisher_up = self.nodes[publication.node].core.is_some();
        if faults && publisher_up && self.chance(12) {
            self.in_flight.push(publication);
        }
    }

    /// An up node reads up to a few batches from where it is and applies them.
    fn apply_some(&mut self) {
        let node = self.pick(NODES);
        let batches = 1 + self.pick(READ_BATCHES_MAX);
        self.read(node, batches);
    }

    fn read(&mut self, node: usize, batches_max: usize) {
        if self.nodes[node].core.is_none() {
            return;
        }
        let next = self.nodes[node].next;
        let from = next.position as usize;
        let batches: Vec<Batch> = (self.log.iter().enumerate())
            .skip(from - 1)
            .take(batches_max)
            .map(|(index, (id, bytes))| Batch {
                position: index as u64 + 1,
                id: *id,
                bytes: bytes.clone(),
            })
            .collect();
        let Some(last) = batches.last().map(|batch| batch.position) else {
            return;
        };
        let mut queue = VecDeque::new();
        for batch in &batches {
            let skip = if batch.position == next.position {
                next.skip
            } else {
                0
            };
            // Bytes that are no batch are passed over by every node alike.
            for stamped in commands_of(batch, skip).unwrap_or_default() {
                let place = stamped.place.expect("read from the log");
                queue.push_back((stamped, place));
            }
        }
        let core = self.nodes[node].core.as_mut().expect("up");
        let mut results = Vec::new();
        while !queue.is_empty() {
            results.extend(core.execute(&mut queue));
        }
        for (place, result) in results {
            self.record(node, place, &result);
        }
        self.nodes[node].next = ReadFrom {
            position: last + 1,
            skip: 0,
        };
    }

    /// Keeps what `node` computed for the command at `place`, and answers it if the node
    /// published it in this life.
    fn record(
        &mut self,
        node: usize,
        place: tanba_engine::core::Place,
        result: &Result<Receipt, EngineError>,
    ) {
        let id = CommandId {
            batch: place.batch,
            index: place.index,
        };
        let outcome = outcome_of(result);
        assert!(
            !matches!(result, Err(EngineError::Store(_) | EngineError::Corrupt(_))),
            "seed {}: the memory store failed: {result:?}",
            self.seed
        );
        let at = (place.position, place.index);
        let previous = self.nodes[node].outcomes.insert(at, outcome);
        assert_eq!(
            previous, None,
            "seed {}: node {node} took the command at {at:?} twice",
            self.seed
        );
        assert!(
            outcome.is_err() || self.nodes[node].applied.insert(id),
            "seed {}: node {node} applied {id:?} twice",
            self.seed
        );
        let agreed = *self.seen.entry(at).or_insert(outcome);
        assert_eq!(
            agreed, outcome,
            "seed {}: node {node} disagrees on the command at {at:?}",
            self.seed
        );
        if let Err(code) = outcome {
            match code {
                "TANBA-ENGINE-INVALID" => self.totals.duplicates_refused += 1,
                _ => self.totals.refused += 1,
            }
        }
        let tags = self.nodes[node].waiting.get_mut(&place.batch);
        if let Some(tag) = tags.and_then(|tags| tags.get_mut(place.index as usize)?.take()) {
            self.answered.insert(tag, outcome);
        }
    }

    /// A node dies: what it published may still land; whom it owed answers hear nothing.
    fn crash(&mut self) {
        let node = self.pick(NODES);
        if self.nodes[node].core.take().is_none() {
            return;
        }
        self.totals.crashes += 1;
        self.nodes[node].store.crash();
        self.nodes[node].waiting.clear();
        if self.chance(50) {
            self.in_flight
                .retain(|publication| publication.node != node);
        }
    }

    /// A down node starts again: over its store, or from a snapshot taken earlier.
    fn restart(&mut self) {
        let node = self.pick(NODES);
        if self.nodes[node].core.is_some() {
            return;
        }
        if !self.snapshots.is_empty() && self.chance(40) {
            let snapshot = self.pick(self.snapshots.len());
            self.nodes[node].store = Arc::new(self.snapshots[snapshot].checkpoint());
            // A new replica: what the old one computed is no longer its history.
            self.nodes[node].outcomes.clear();
            self.nodes[node].applied.clear();
            self.totals.restored_from_snapshot += 1;
        }
        let core = self.open(&self.nodes[node].store);
        self.nodes[node].next = core.applied().read_from();
        self.nodes[node].core = Some(core);
    }

    /// A checkpoint of an up node's store, kept for restores.
    fn snapshot(&mut self) {
        let node = self.pick(NODES);
        if self.nodes[node].core.is_some() {
            self.snapshots.push(self.nodes[node].store.checkpoint());
        }
    }

    /// Every node up, every publication landed, every node at the end of the log.
    fn settle(&mut self) {
        for node in 0..NODES {
            if self.nodes[node].core.is_none() {
                let core = self.open(&self.nodes[node].store);
                self.nodes[node].next = core.applied().read_from();
                self.nodes[node].core = Some(core);
            }
        }
        while !self.in_flight.is_empty() {
            self.deliver(false);
        }
        for node in 0..NODES {
            self.read(node, usize::MAX);
        }
    }

    fn check(&mut self) {
        let seed = self.seed;
        let heads: Vec<_> = (self.nodes.iter())
            .map(|node| node.core.as_ref().expect("up").head())
            .collect();
        assert!(
            heads.windows(2).all(|pair| pair[0] == pair[1]),
            "seed {seed}: heads differ: {heads:?}"
        );
        for node in &self.nodes[1..] {
            let difference =
                tanba_engine::first_state_difference(self.nodes[0].store.as_ref(), &*node.store);
            assert_eq!(difference.unwrap(), None, "seed {seed}: states differ");
        }
        let store = self.nodes[0].store.clone();
        tanba_engine::verify_log(store.as_ref(), &self.ring.public_key_set(), None)
            .unwrap_or_else(|error| panic!("seed {seed}: the chain does not verify: {error}"));
        // Every tag at most once in the log, and each answer where it said.
        let snapshot = store.snapshot();
        let mut tags = HashSet::new();
        for sequence in 1..=heads[0].sequence {
            let record = tanba_engine::query::log_record(snapshot.as_ref(), sequence)
                .unwrap()
                .expect("every entry up to the head");
            if let Event::CategoryDefined(category) = &record.event {
                assert!(
                    tags.insert(category.code.clone()),
                    "seed {seed}: {} applied twice",
                    category.code
                );
            }
        }
        for (tag, outcome) in &self.answered {
            let Ok((first_sequence, _, _)) = outcome else {
                continue;
            };
            let record = tanba_engine::query::log_record(snapshot.as_ref(), *first_sequence)
                .unwrap()
                .expect("an acknowledged entry is in the log");
            assert!(
                matches!(&record.event, Event::CategoryDefined(c) if &c.code == tag),
                "seed {seed}: {tag} acknowledged at {first_sequence}, which holds another"
            );
            self.totals.accepted += 1;
        }
        self.totals.positions = self.log.len() as u64;
        self.totals.entries = heads[0].sequence;
        self.totals.head = Some(heads[0]);
    }
}
