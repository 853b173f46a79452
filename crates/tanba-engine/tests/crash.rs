//! Crash test on the real RocksDB store: whatever the engine acknowledged survives a `SIGKILL`.
//!
//! The test (`acknowledged_commands_survive_sigkill`) runs this same test binary again as a child
//! process, filtered to `crash_child`. The child opens a [`RocksStore`] in a shared directory,
//! starts the threaded [`Engine`] (system clock, a signed checkpoint every 250 events), registers
//! the cast on its first start, and then runs a write load from several threads until it is
//! killed: emission orders (the issuer signs codes in the background), applied reports,
//! introductions, aggregation into SSCCs, shipments accepted whole and in part, retail sales and
//! returns, blocks and unblocks, and recalls (a case opened, then a step that blocks the loose
//! units in the same commit; the writer's ticks count their holders). After each acknowledged command it prints one line,
//! `ACK <first> <last> <chain hash at last> <command> <args...>`, read back from the store once
//! the ticket answered.
//!
//! The parent kills the child with `SIGKILL` at a random moment, reopens the store itself and
//! checks: the head never moves back and the old head keeps its hash; every acknowledged command
//! is in the log, at the sequence it was acknowledged at, with the chain hash the child saw and
//! the event the command asked for (a case's opening or step first, a recall's block in the same
//! range); no recall stands without its block nor a block without its recall; its codes' histories name it; sold codes read as sold unless
//! a later event moved them; the chain verifies from genesis and from the last signed
//! checkpoint; replay into an empty store gives the same state byte for byte. The next cycle
//! reuses the directory, so each start also recovers from the previous kill and resumes the
//! orders it left half issued. A last cycle runs without a kill: it waits for every order to be
//! issued, runs one more round of the load and shuts the engine down, which must finish and
//! leave a signed checkpoint at the head.
//!
//! Reproduce a run with `TANBA_CRASH_SEED=<seed>` (printed at the start; it picks the kill
//! moments and each child's serials and load) and change the number of kills with
//! `TANBA_CRASH_CYCLES=<n>` (default 24). Thread scheduling still varies between runs, so a seed
//! narrows a failure down rather than replaying it exactly.
//!
//! ```text
//! TANBA_CRASH_SEED=42 cargo test --workspace --test crash -- --nocapture
//! ```

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use support::{START_MS, gtin, names, participant, sscc, taxpayer};
use tanba_crypto::{ChainHash, KeyRing};
use tanba_engine::query;
use tanba_engine::{Engine, EngineConfig, LogHead, LogRecord, Receipt, SystemClock, keys, log};
use tanba_store::{Column, MemoryStore, RocksStore, Store};
use tanba_types::{
    Actor, CaseCommand, Category, CodeKey, CodeStatus, Command, Date, Event, FieldValue, Gtin,
    HsCode, Introduction, PackageLevel, Product, Role, SaleLine, Scalar, TailProfile, TaxpayerId,
    WithdrawalReason,
};

/// Set in the child: the data directory. Without it `crash_child` does nothing.
const CHILD_DIR: &str = "TANBA_CRASH_CHILD_DIR";
/// Set in the child: the seed of its serials and load.
const CHILD_SEED: &str = "TANBA_CRASH_CHILD_SEED";
/// Set in the child of the last cycle: finish the orders, run one round and shut down cleanly.
const CHILD_FINISH: &str = "TANBA_CRASH_CHILD_FINISH";
/// The seed of a whole run.
const SEED_VAR: &str = "TANBA_CRASH_SEED";
/// How many times the child is killed.
const CYCLES_VAR: &str = "TANBA_CRASH_CYCLES";
const CYCLES_DEFAULT: usize = 24;

/// The kill comes this long after the spawn, drawn uniformly: early kills land in RocksDB
/// recovery and the first registrations, late ones in the middle of the load.
const KILL_AFTER_MS: std::ops::RangeInclusive<u64> = 50..=800;
/// A few signed checkpoints per cycle, so kills land between and right after them and every
/// verification crosses dozens; not fewer events, since checking each signature is most of what
/// verifying the log costs in a debug build.
const CHECKPOINT_INTERVAL_EVENTS: u64 = 250;
/// Threads submitting commands at once, so groups hold commands of several pipelines.
const WORKERS: u64 = 3;
/// Each worker starts a pipeline at most this often. Every cycle verifies and replays the whole
/// log, so the test's time grows with the square of the log: pacing keeps it bounded however
/// fast the engine gets, while still leaving commands in flight at every kill.
const PIPELINE_PERIOD_MIN: Duration = Duration::from_millis(40);
/// A child that was never killed stops by itself after this, so a parent that died early leaves
/// no process behind; the parent then reports that the child exited on its own.
const CHILD_LIFETIME: Duration = Duration::from_secs(30);
/// The signal `Child::kill` sends on Unix.
const SIGKILL: i32 = 9;
/// How long the last, clean child may take to issue every order and shut down.
const CLEAN_RUN_TIMEOUT: Duration = Duration::from_secs(120);
/// Seed of the operator's key ring, shared by parent and child so the parent can verify the
/// checkpoints the child signed.
const RING_SEED: u64 = 0x7a4b_a001;

/// The operator's key ring, the same in every process.
fn ring() -> KeyRing {
    KeyRing::generate(START_MS, &mut ChaCha20Rng::seed_from_u64(RING_SEED))
}

/// Who acts in the load.
#[derive(Clone, Copy)]
struct Cast {
    producer: TaxpayerId,
    importer: TaxpayerId,
    wholesaler: TaxpayerId,
    retailer: TaxpayerId,
    authority: TaxpayerId,
    /// The producer's unit (full tails: Ed25519 signatures).
    unit: Gtin,
    /// The importer's unit (short tails: keyed BLAKE3 tags).
    imported: Gtin,
}

fn cast() -> Cast {
    Cast {
        producer: taxpayer(100),
        importer: taxpayer(200),
        wholesaler: taxpayer(300),
        retailer: taxpayer(400),
        authority: taxpayer(500),
        unit: gtin(1),
        imported: gtin(3),
    }
}

fn database(dir: &Path) -> PathBuf {
    dir.join("db")
}

// ---------------------------------------------------------------------------------------------
// The child.

/// The child process. In a normal test run the variable is absent and this passes at once.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let seed: u64 = std::env::var(CHILD_SEED)
        .expect("the parent passes a seed")
        .parse()
        .expect("a numeric seed");
    let finish = std::env::var_os(CHILD_FINISH).is_some();
    // The parent reads only stdout; a panic on any thread must reach it even if the kill comes
    // before the test harness would report the failure.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.to_string().replace('\n', " ");
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "FAIL {message}");
        let _ = out.flush();
        previous_hook(info);
    }));
    run_child(Path::new(&dir), seed, finish);
}

fn run_child(dir: &Path, seed: u64, finish: bool) {
    let store: Arc<dyn Store> =
        Arc::new(RocksStore::open(&database(dir)).expect("the store opens after a kill"));
    let mut serial_seed = [0; 32];
    serial_seed[..8].copy_from_slice(&seed.to_le_bytes());
    let engine = Engine::start(
        store,
        Arc::new(ring()),
        Arc::new(SystemClock),
        EngineConfig {
            checkpoint_interval_events: CHECKPOINT_INTERVAL_EVENTS,
            signing_threads: 2,
            serial_seed: Some(serial_seed),
            cases: support::cases(),
            log: None,
            steward: true,
        },
    )
    .expect("the engine starts after a kill");
    let load = Arc::new(Load {
        engine,
        cast: cast(),
    });
    load.register_cast();
    print_line("READY");

    if finish {
        load.wait_for_every_order();
        // One more round on each maker, to show the store still takes the whole life of a code.
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        load.pipeline(0, &mut rng);
        load.pipeline(1, &mut rng);
        let load = Arc::into_inner(load).expect("no worker holds the engine");
        // Read after shutdown: the writer's ticks (a recall's census, a clock's rung) may write
        // until it stops.
        let store = load.engine.store().clone();
        load.engine.shutdown();
        let head = log::stored_head(store.snapshot().as_ref())
            .expect("the store reads")
            .sequence;
        print_line(&format!("CLEAN {head}"));
        return;
    }

    let deadline = Instant::now() + CHILD_LIFETIME;
    let workers: Vec<JoinHandle<()>> = (0..WORKERS)
        .map(|worker| {
            let load = load.clone();
            std::thread::spawn(move || {
                let mut rng = ChaCha20Rng::seed_from_u64(seed ^ ((worker + 1) << 32));
                while Instant::now() < deadline {
                    let next = Instant::now() + PIPELINE_PERIOD_MIN;
                    load.pipeline(worker, &mut rng);
                    std::thread::sleep(next.saturating_duration_since(Instant::now()));
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a worker does not panic");
    }
}

/// Writes one whole line to stdout at once, so lines of different threads never interleave and
/// a kill leaves at most the last line cut short.
fn print_line(line: &str) {
    let mut out = std::io::stdout().lock();
    out.write_all(format!("{line}\n").as_bytes())
        .expect("stdout is open");
    out.flush().expect("stdout is open");
}

struct Load {
    engine: Engine,
    cast: Cast,
}

impl Load {
    /// Submits a command, waits until it is durable and reports it as acknowledged.
    fn run(&self, actor: Actor, command: Command) -> Receipt {
        let name = command.name();
        let args = describe(&command);
        let receipt = match self.engine.execute(actor, command) {
            Ok(receipt) => receipt,
            Err(error) => panic!("{name} {args:?} was refused: {error:?}"),
        };
        // The hash is read back after the ticket answered: it names the whole log up to this
        // command as the engine committed it, which the parent compares after the kill.
        let value = self
            .engine
            .store()
            .get(Column::Log, &keys::sequence(receipt.last_sequence))
            .expect("the store reads")
            .expect("an acknowledged entry is stored");
        let hash = ChainHash(value[..32].try_into().expect("a chain hash"));
        print_line(&format!(
            "ACK {} {} {hash} {name} {}",
            receipt.first_sequence,
            receipt.last_sequence,
            args.join(" ")
        ));
        receipt
    }

    fn by(&self, who: TaxpayerId, command: Command) -> Receipt {
        self.run(Actor::Participant(who), command)
    }

    /// Registers whatever an earlier child did not get to: a kill may land between any two
    /// registrations.
    fn register_cast(&self) {
        let c = self.cast;
        let people = [
            (c.producer, "Almaty Tobacco", Role::Producer),
            (c.importer, "Steppe Import", Role::Importer),
            (c.wholesaler, "Qazaq Wholesale", Role::Wholesaler),
            (c.retailer, "Corner Shop", Role::Retailer),
            (c.authority, "Sanitary Control", Role::Authority),
        ];
        for (id, name, role) in people {
            let known = query::participant(self.engine.snapshot().as_ref(), &id)
                .expect("the store reads")
                .is_some();
            if !known {
                self.run(
                    Actor::System,
                    Command::RegisterParticipant(participant(id, name, &[role])),
                );
            }
        }
        for (code, tail_profile) in [
            ("tobacco", TailProfile::Full),
            ("water", TailProfile::Short { length_chars: 6 }),
        ] {
            let known = query::category(self.engine.snapshot().as_ref(), code)
                .expect("the store reads")
                .is_some();
            if !known {
                self.run(
                    Actor::System,
                    Command::DefineCategory(Category {
                        code: code.into(),
                        names: names(code),
                        tail_profile,
                        return_period_days: 14,
                        control_list_code: None,
                    }),
                );
            }
        }
        // The calendar the recalls' clocks run on, each version once.
        let in_force = tanba_engine::calendar::in_force(self.engine.snapshot().as_ref())
            .expect("the store reads")
            .map_or(0, |calendar| calendar.version);
        let versions = tanba_cases::calendar::SHIPPED_VERSIONS;
        for toml in versions.iter().skip(in_force as usize) {
            let toml = (*toml).to_owned();
            self.run(Actor::System, Command::PublishCalendar { toml });
        }
        let published = tanba_engine::reference::in_force(self.engine.snapshot().as_ref())
            .expect("the store reads");
        for toml in tanba_cases::reference::SHIPPED_SETS {
            let set = tanba_cases::ReferenceSet::from_toml(toml).expect("a shipped set");
            if published.set(set.kind).is_err() {
                let toml = (*toml).to_owned();
                self.run(Actor::System, Command::PublishReference { toml });
            }
        }
        for (gtin, category, producer, importer, country) in [
            (c.unit, "tobacco", Some(c.producer), None, "KZ"),
            (c.imported, "water", None, Some(c.importer), "TR"),
        ] {
            let known = query::product(self.engine.snapshot().as_ref(), &gtin)
                .expect("the store reads")
                .is_some();
            if !known {
                self.run(
                    Actor::System,
                    Command::RegisterProduct(Product {
                        gtin,
                        names: names("Product"),
                        producer_name: "Maker".into(),
                        producer,
                        importer,
                        country: country.into(),
                        hs_code: HsCode::parse("2402209000").unwrap(),
                        category: category.into(),
                        level: PackageLevel::Unit,
                        shelf_life_days: producer.map(|_| 365),
                    }),
                );
            }
        }
    }

    /// One batch of goods through its whole life, on fresh codes, so pipelines of several
    /// threads and of earlier children never touch each other's codes.
    fn pipeline(&self, worker: u64, rng: &mut ChaCha20Rng) {
        let c = self.cast;
        let (maker, gtin, introduction) = if worker.is_multiple_of(2) {
            (c.producer, c.unit, Introduction::OwnProduction)
        } else {
            (
                c.importer,
                c.imported,
                Introduction::Import {
                    customs_declaration: format!("DT-{}", rng.next_u32()),
                },
            )
        };
        let quantity = 4 + rng.next_u32() % 13;
        let order = self
            .by(maker, Command::OrderCodes { gtin, quantity })
            .created
            .expect("an order has an id");
        let issued = self
            .engine
            .wait_for_order(order, Duration::from_secs(30))
            .expect("the order is known");
        assert!(issued.is_complete(), "order {order} was not issued in time");
        let codes: Vec<CodeKey> =
            query::order_codes(self.engine.snapshot().as_ref(), order, 0, quantity as usize)
                .expect("the store reads")
                .into_iter()
                .map(|(code, _)| code)
                .collect();
        assert_eq!(codes.len(), quantity as usize);

        self.by(
            maker,
            Command::ReportApplied {
                codes: codes.clone(),
                production_date: Date::from_unix_ms_in_kz(now_ms()),
                expiry_date: None,
                batch: Some(format!("B-{order}")),
            },
        );
        self.by(
            maker,
            Command::Introduce {
                codes: codes.clone(),
                introduction,
            },
        );
        // Order ids are log sequences, so each order owns a distinct run of SSCCs.
        let (boxed, loose) = codes.split_at(codes.len() / 2);
        let box_code = sscc(order);
        self.by(
            maker,
            Command::Aggregate {
                parent: box_code,
                children: boxed.to_vec(),
            },
        );
        let mut items = vec![box_code];
        items.extend_from_slice(loose);
        let to_wholesaler = self
            .by(
                maker,
                Command::Ship {
                    buyer: c.wholesaler,
                    items: items.clone(),
                    signature: vec![7; 64],
                },
            )
            .created
            .expect("a shipment has an id");
        self.by(
            c.wholesaler,
            Command::Accept {
                document: to_wholesaler,
                items: None,
                signature: vec![8; 64],
            },
        );
        let to_retailer = self
            .by(
                c.wholesaler,
                Command::Ship {
                    buyer: c.retailer,
                    items,
                    signature: vec![9; 64],
                },
            )
            .created
            .expect("a shipment has an id");
        // The retailer takes the box only; the loose units go back to the wholesaler.
        self.by(
            c.retailer,
            Command::Accept {
                document: to_retailer,
                items: Some(vec![box_code]),
                signature: vec![10; 64],
            },
        );
        let sold = &boxed[..boxed.len().div_ceil(2)];
        let receipt_id = format!("receipt-{order}");
        self.by(
            c.retailer,
            Command::RecordSale {
                receipt_id: receipt_id.clone(),
                printed_ms: now_ms(),
                lines: sold
                    .iter()
                    .map(|code| SaleLine {
                        code: code.to_string(),
                        price_tiyn: 1_000,
                    })
                    .collect(),
            },
        );
        self.by(
            c.retailer,
            Command::RecordReturn {
                receipt_id: format!("return-{order}"),
                sale_receipt_id: receipt_id,
                codes: vec![sold[0]],
            },
        );
        self.by(
            c.authority,
            Command::Block {
                codes: vec![loose[0]],
                reason: "lab test".into(),
            },
        );
        self.by(
            c.authority,
            Command::Unblock {
                codes: vec![loose[0]],
            },
        );
        if maker == c.producer {
            self.recall(loose);
        }
    }

    /// The producer recalls the loose units, now back at the wholesaler: the case's opening,
    /// then the step that blocks them (the writer's ticks count their holders meanwhile).
    fn recall(&self, units: &[CodeKey]) {
        let c = self.cast;
        let text = |value: &str| FieldValue::One(Scalar::Text(value.to_owned()));
        let moment = FieldValue::One(Scalar::Moment(now_ms() - 60_000));
        let ground = [
            ("ground_arose_at", moment.clone()),
            ("detected_at", moment),
            ("product_name", text("Cigarettes")),
            ("non_conformity", text("tar over the limit")),
        ];
        let open = CaseCommand::Open {
            kind: "recall".into(),
            transition: "establish_ground".into(),
            authority: Some(c.authority),
            parent: None,
            named: Vec::new(),
            form: ground.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            attachments: Vec::new(),
            signature: vec![9; 64],
        };
        let case = self
            .by(c.producer, Command::Case(open))
            .created
            .expect("a case has an id");
        let listed = units.iter().map(|unit| Scalar::Code(*unit)).collect();
        let scope = [
            ("gtin", text(&c.unit.to_string())),
            ("codes", FieldValue::List(listed)),
            ("contacts", text("+7 727 000 00 00")),
            ("collection_points", text("Almaty")),
            ("responsible_persons", text("A. Seitkali")),
        ];
        let step = CaseCommand::Step {
            case,
            transition: "start_recall".into(),
            form: scope.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            attachments: Vec::new(),
            signature: vec![9; 64],
        };
        self.by(c.producer, Command::Case(step));
    }

    /// Waits until the issuer has finished every order, including those a kill left half
    /// issued (the engine resumes them at start).
    fn wait_for_every_order(&self) {
        for orderer in [self.cast.producer, self.cast.importer] {
            for order in every_order(self.engine.snapshot().as_ref(), &orderer) {
                let order = order.id;
                let record = self
                    .engine
                    .wait_for_order(order, Duration::from_secs(60))
                    .expect("the order is known");
                assert!(
                    record.is_complete(),
                    "order {order} was not resumed: {record:?}"
                );
            }
        }
    }
}

fn now_ms() -> u64 {
    use tanba_engine::Clock;
    SystemClock.now_ms()
}

/// Every order of `orderer`, oldest first.
fn every_order(
    snapshot: &dyn tanba_store::Snapshot,
    orderer: &TaxpayerId,
) -> Vec<query::OrderView> {
    let mut all: Vec<query::OrderView> = Vec::new();
    loop {
        let after = all.last().map_or(0, |order| order.id);
        let page = query::orders(
            snapshot,
            orderer,
            after,
            tanba_types::limits::PAGE_ENTRIES_MAX,
        )
        .expect("the store reads");
        if page.is_empty() {
            return all;
        }
        all.extend(page);
    }
}

fn texts<T: ToString>(values: &[T]) -> Vec<String> {
    values.iter().map(ToString::to_string).collect()
}

fn with_first<T: ToString>(first: String, values: &[T]) -> Vec<String> {
    let mut out = vec![first];
    out.extend(texts(values));
    out
}

/// What an acknowledgement names: the same words [`event_words`] reads from the logged event.
fn describe(command: &Command) -> Vec<String> {
    match command {
        Command::RegisterParticipant(participant) => vec![participant.id.to_string()],
        Command::DefineCategory(category) => vec![category.code.clone()],
        Command::RegisterProduct(product) => vec![product.gtin.to_string()],
        Command::OrderCodes { gtin, quantity } => vec![gtin.to_string(), quantity.to_string()],
        Command::ReportApplied { codes, .. }
        | Command::Introduce { codes, .. }
        | Command::Block { codes, .. }
        | Command::Unblock { codes } => texts(codes),
        Command::RecordSale {
            receipt_id, lines, ..
        } => {
            let codes: Vec<CodeKey> = lines
                .iter()
                .map(|line| line.code.parse().expect("the load's lines are codes"))
                .collect();
            with_first(receipt_id.clone(), &codes)
        }
        Command::RecordReturn {
            sale_receipt_id,
            codes,
            ..
        } => with_first(sale_receipt_id.clone(), codes),
        Command::Aggregate { parent, children } => with_first(parent.to_string(), children),
        Command::Ship { buyer, items, .. } => with_first(buyer.to_string(), items),
        Command::Accept { document, .. } => vec![document.to_string()],
        Command::Withdraw { codes, reason, .. } => with_first(format!("{reason:?}"), codes),
        Command::Case(CaseCommand::Open { kind, .. }) => vec![kind.clone()],
        Command::Case(CaseCommand::Step {
            case, transition, ..
        }) => vec![case.to_string(), transition.clone()],
        Command::PublishCalendar { .. } | Command::PublishReference { .. } => Vec::new(),
        other => panic!("the load does not use {}", other.name()),
    }
}

// ---------------------------------------------------------------------------------------------
// The parent.

/// One acknowledged command, as the child reported it.
#[derive(Debug)]
struct Ack {
    first: u64,
    last: u64,
    hash: String,
    command: String,
    words: Vec<String>,
    /// The cycle that acknowledged it, for messages.
    cycle: usize,
}

impl Ack {
    /// Reads an acknowledgement from a line of the child's stdout, if it is one.
    fn parse(line: &str, cycle: usize) -> Option<Ack> {
        let line = marked(line, "ACK ")?;
        let mut parts = line.split_whitespace().skip(1);
        let mut next = || {
            parts
                .next()
                .unwrap_or_else(|| panic!("malformed ack: {line}"))
                .to_owned()
        };
        let first = next().parse().expect("a sequence");
        let last = next().parse().expect("a sequence");
        let hash = next();
        let command = next();
        Some(Ack {
            first,
            last,
            hash,
            command,
            words: parts.map(str::to_owned).collect(),
            cycle,
        })
    }

    /// The codes the command named, whose histories must name its last event.
    fn codes(&self) -> Vec<CodeKey> {
        let named = match self.command.as_str() {
            "report_applied" | "introduce" | "block" | "unblock" | "aggregate" => &self.words[..],
            "ship" | "withdraw" | "record_sale" | "record_return" => &self.words[1..],
            _ => &[],
        };
        named
            .iter()
            .map(|code| code.parse().expect("a code the child printed"))
            .collect()
    }
}

/// The command an event records and the words an acknowledgement of it names.
fn event_words(event: &Event) -> (&'static str, Vec<String>) {
    match event {
        Event::ParticipantRegistered(participant) => {
            ("register_participant", vec![participant.id.to_string()])
        }
        Event::CategoryDefined(category) => ("define_category", vec![category.code.clone()]),
        Event::ProductRegistered(product) => ("register_product", vec![product.gtin.to_string()]),
        Event::CodesOrdered { gtin, quantity, .. } => {
            ("order_codes", vec![gtin.to_string(), quantity.to_string()])
        }
        Event::CodesApplied { codes, .. } => ("report_applied", texts(codes)),
        Event::CodesIntroduced { codes, .. } => ("introduce", texts(codes)),
        Event::Aggregated { parent, children } => {
            ("aggregate", with_first(parent.to_string(), children))
        }
        Event::Shipped { buyer, items, .. } => ("ship", with_first(buyer.to_string(), items)),
        Event::Accepted { document, .. } => ("accept", vec![document.to_string()]),
        Event::Withdrawn { codes, reason, .. } => {
            ("withdraw", with_first(format!("{reason:?}"), codes))
        }
        Event::Sold {
            receipt_id, sold, ..
        } => ("record_sale", with_first(receipt_id.clone(), sold)),
        Event::Returned {
            codes,
            sale_receipt_id,
            ..
        } => ("record_return", with_first(sale_receipt_id.clone(), codes)),
        Event::Blocked { codes, .. } => ("block", texts(codes)),
        Event::Unblocked { codes, .. } => ("unblock", texts(codes)),
        other => (other.name(), Vec::new()),
    }
}

/// A running child, killed and reaped if the parent panics first.
struct Running {
    child: Child,
    stdout: Option<JoinHandle<Vec<String>>>,
    stderr: Option<JoinHandle<String>>,
}

impl Running {
    fn spawn(dir: &Path, seed: u64, finish: bool) -> Running {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command
            .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, dir)
            .env(CHILD_SEED, seed.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if finish {
            command.env(CHILD_FINISH, "1");
        }
        let mut child = command.spawn().expect("the test binary runs again");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        Running {
            child,
            // Read as it comes, so the pipe never fills and blocks the child.
            stdout: Some(std::thread::spawn(move || {
                let mut reader = BufReader::new(stdout);
                let mut lines = Vec::new();
                let mut line = String::new();
                // A line the kill cut short has no newline: it was never fully reported.
                while reader.read_line(&mut line).unwrap_or(0) > 0 && line.ends_with('\n') {
                    lines.push(line.trim_end().to_owned());
                    line.clear();
                }
                lines
            })),
            stderr: Some(std::thread::spawn(move || {
                let mut text = String::new();
                let _ = BufReader::new(stderr).read_to_string(&mut text);
                text
            })),
        }
    }

    /// Reaps the child and collects its stdout lines and stderr.
    fn finish(mut self, status: ExitStatus) -> (ExitStatus, Vec<String>, String) {
        let lines = self.stdout.take().unwrap().join().unwrap();
        let stderr = self.stderr.take().unwrap().join().unwrap();
        (status, lines, stderr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The last lines of a child's stderr, for failure messages.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// What one cycle's verification found.
struct Verified {
    head: LogHead,
    checkpoints: u64,
    /// Orders the kill left with codes still to issue, for the next start to resume.
    unissued_orders: usize,
}

/// The line if it starts with `marker`. Lines are written whole, but the test harness of the
/// child writes `test crash_child ... ` without a newline before the test runs, so the first
/// line the child prints carries it in front.
fn marked<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let line = line.strip_prefix("test crash_child ... ").unwrap_or(line);
    line.starts_with(marker).then_some(line)
}

/// What a child printed, read.
struct Report {
    acks: Vec<Ack>,
    /// Whether it got past its registrations.
    ready: bool,
    /// The head a clean run shut down at.
    clean_head: Option<u64>,
}

impl Report {
    /// Reads a child's stdout; fails on a child that reported a panic.
    fn read(lines: &[String], stderr: &str, cycle: usize) -> Report {
        if let Some(failure) = lines.iter().find_map(|line| marked(line, "FAIL ")) {
            panic!(
                "cycle {cycle}: the child failed: {failure}\n{}",
                tail(stderr)
            );
        }
        Report {
            acks: lines
                .iter()
                .filter_map(|line| Ack::parse(line, cycle))
                .collect(),
            ready: lines.iter().any(|line| marked(line, "READY").is_some()),
            clean_head: lines.iter().find_map(|line| {
                marked(line, "CLEAN ").map(|text| text[6..].parse().expect("a sequence"))
            }),
        }
    }
}

#[test]
fn acknowledged_commands_survive_sigkill() {
    let seed = std::env::var(SEED_VAR).map_or_else(
        |_| now_ms() ^ u64::from(std::process::id()),
        |text| text.parse().expect("a numeric seed"),
    );
    let cycles = std::env::var(CYCLES_VAR).map_or(CYCLES_DEFAULT, |text| {
        text.parse().expect("a number of cycles")
    });
    println!("crash test: {cycles} kills, seed {seed} (rerun with {SEED_VAR}={seed})");
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let ring = ring();
    let started = Instant::now();
    let mut acks: Vec<Ack> = Vec::new();
    let mut previous = LogHead {
        sequence: 0,
        hash: tanba_crypto::GENESIS,
    };
    let mut killed_ready = 0;
    let mut left_unissued = 0;

    for cycle in 0..cycles {
        let mut running = Running::spawn(dir.path(), rng.next_u64(), false);
        let kill_after = KILL_AFTER_MS.start()
            + rng.next_u64() % (KILL_AFTER_MS.end() - KILL_AFTER_MS.start() + 1);
        std::thread::sleep(Duration::from_millis(kill_after));
        // SIGKILL: no destructor, no flush, no final checkpoint.
        running.child.kill().unwrap();
        let status = running.child.wait().unwrap();
        let (status, lines, stderr) = running.finish(status);
        let report = Report::read(&lines, &stderr, cycle);
        assert_eq!(
            status.signal(),
            Some(SIGKILL),
            "cycle {cycle}: the child exited by itself ({status}) instead of being killed\n{}",
            tail(&stderr)
        );
        killed_ready += usize::from(report.ready);
        let checking = Instant::now();
        // The earlier acknowledgements need no second look: the entry at the previous head
        // keeps its hash and the chain verifies, so every entry before it is unchanged.
        let verified = verify(dir.path(), &ring, &report.acks, previous);
        // Events durable past the last acknowledgement show the kill landed mid-flight.
        let last_ack = report.acks.iter().map(|ack| ack.last).max().unwrap_or(0);
        println!(
            "cycle {cycle:2}: killed after {kill_after:3} ms, {:4} acks (last {last_ack:5}), \
             head {:5}, {:3} checkpoints, {} orders to resume, checked in {} ms",
            report.acks.len(),
            verified.head.sequence,
            verified.checkpoints,
            verified.unissued_orders,
            checking.elapsed().as_millis()
        );
        acks.extend(report.acks);
        previous = verified.head;
        left_unissued += usize::from(verified.unissued_orders > 0);
    }

    // A last start without a kill: the engine resumes what the kills left, still works, and
    // shuts down in time.
    let mut running = Running::spawn(dir.path(), rng.next_u64(), true);
    let deadline = Instant::now() + CLEAN_RUN_TIMEOUT;
    let status = loop {
        if let Some(status) = running.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the clean run did not finish in {CLEAN_RUN_TIMEOUT:?}: is shutdown stuck?"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let (status, lines, stderr) = running.finish(status);
    let report = Report::read(&lines, &stderr, cycles);
    assert!(
        status.success(),
        "the clean run failed ({status})\n{}",
        tail(&stderr)
    );
    let clean_head = report.clean_head.expect("the clean run reports its head");
    acks.extend(report.acks);
    // Everything once more, against the final store.
    let verified = verify(dir.path(), &ring, &acks, previous);
    assert_eq!(verified.head.sequence, clean_head);
    assert_eq!(
        verified.unissued_orders, 0,
        "every order is resumed and issued"
    );
    let store = RocksStore::open(&database(dir.path())).unwrap();
    let snapshot = store.snapshot();
    assert!(
        log::stored_checkpoint(snapshot.as_ref(), clean_head)
            .unwrap()
            .is_some(),
        "a clean shutdown leaves a signed checkpoint at the head"
    );
    let cast = cast();
    let orders: usize = [cast.producer, cast.importer]
        .iter()
        .map(|orderer| every_order(snapshot.as_ref(), orderer).len())
        .sum();
    drop(snapshot);
    drop(store);

    let count = |command: &str| acks.iter().filter(|ack| ack.command == command).count();
    println!(
        "crash test: {cycles} kills ({killed_ready} after setup, {left_unissued} leaving orders to \
         resume), {} acks checked ({} orders, {} sales, {} returns), {orders} orders all issued, \
         head {clean_head}, {} checkpoints, {:.1} s",
        acks.len(),
        count("order_codes"),
        count("record_sale"),
        count("record_return"),
        verified.checkpoints,
        started.elapsed().as_secs_f64()
    );
    // A load that never got past its first commands would make the checks above vacuous.
    assert!(
        count("record_sale") >= cycles / 2,
        "too little of the load was acknowledged to test anything"
    );
}

/// An acknowledged receipt is in the index under its id, naming the entry acknowledged: a
/// resend after the crash gets the first answer (`RECEIPT-RECORDED` with that entry).
fn assert_receipt_answers(snapshot: &dyn tanba_store::Snapshot, ack: &Ack, kind: u8) {
    let key = keys::receipt(kind, &cast().retailer, &ack.words[0]);
    let entry: tanba_engine::records::ReceiptEntry = tanba_engine::records::decode(
        &snapshot
            .get(Column::Index, &key)
            .unwrap()
            .unwrap_or_else(|| panic!("receipt {} is not recorded", ack.words[0])),
    )
    .unwrap();
    assert_eq!(entry.sequence, ack.last, "receipt {}", ack.words[0]);
}

/// Opens the store the child left and checks it, and the commands in `acks`.
fn verify(dir: &Path, ring: &KeyRing, acks: &[Ack], previous: LogHead) -> Verified {
    let store = RocksStore::open(&database(dir)).expect("the store opens after a kill");
    let snapshot = store.snapshot();
    let head = log::stored_head(snapshot.as_ref()).unwrap();
    assert!(
        head.sequence >= previous.sequence,
        "the head moved back from {} to {}",
        previous.sequence,
        head.sequence
    );
    if previous.sequence > 0 {
        assert_eq!(
            stored_hash(snapshot.as_ref(), previous.sequence),
            Some(previous.hash),
            "the entry at the previous head {} changed",
            previous.sequence
        );
    }

    // The latest sale or return acknowledged for each code, to check its status below.
    let mut retail: BTreeMap<CodeKey, (u64, CodeStatus)> = BTreeMap::new();
    for ack in acks {
        let context = || format!("{ack:?}");
        assert!(
            ack.last <= head.sequence,
            "acknowledged {} is past the head {}: {}",
            ack.last,
            head.sequence,
            context()
        );
        assert_eq!(
            stored_hash(snapshot.as_ref(), ack.last).map(|hash| hash.to_string()),
            Some(ack.hash.clone()),
            "the chain at {} is not the one acknowledged: {}",
            ack.last,
            context()
        );
        let records: Vec<LogRecord> = (ack.first..=ack.last)
            .map(|sequence| {
                query::log_record(snapshot.as_ref(), sequence)
                    .unwrap()
                    .unwrap_or_else(|| panic!("entry {sequence} is missing: {}", context()))
            })
            .collect();
        if check_case_ack(ack, &records) {
            continue;
        }
        let last = records.last().unwrap();
        let (command, words) = event_words(&last.event);
        assert_eq!(
            (command, &words),
            (ack.command.as_str(), &ack.words),
            "entry {} is not the acknowledged command (cycle {})",
            ack.last,
            ack.cycle
        );
        for code in ack.codes() {
            let next = query::history(snapshot.as_ref(), &code, ack.last - 1, 1).unwrap();
            assert!(
                next.first().map(|record| record.sequence) == Some(ack.last),
                "the history of {code} lacks {}: {}",
                ack.last,
                context()
            );
        }
        let status = match ack.command.as_str() {
            "record_sale" => {
                assert_receipt_answers(snapshot.as_ref(), ack, keys::RECEIPT_SALE);
                CodeStatus::Withdrawn(WithdrawalReason::RetailSale)
            }
            "record_return" => CodeStatus::Introduced,
            _ => continue,
        };
        for code in ack.codes() {
            let entry = retail.entry(code).or_insert((ack.last, status));
            if entry.0 <= ack.last {
                *entry = (ack.last, status);
            }
        }
    }
    for (code, (sequence, status)) in &retail {
        // A sale or return committed after the last acknowledged one (the kill came before its
        // line was printed) may have moved the code since.
        let later = query::history(
            snapshot.as_ref(),
            code,
            *sequence,
            tanba_types::limits::PAGE_ENTRIES_MAX,
        )
        .unwrap()
        .iter()
        .any(|record| {
            matches!(
                record.event,
                Event::Withdrawn { .. } | Event::Sold { .. } | Event::Returned { .. }
            )
        });
        if !later {
            let card = query::code_card(snapshot.as_ref(), code).unwrap().unwrap();
            assert_eq!(card.status, *status, "{code} after event {sequence}");
        }
    }

    // Never a case's step without its block, nor a block without its step.
    let cases = query::cases(
        snapshot.as_ref(),
        &cast().producer,
        query::CaseList::AsParty,
        0,
        tanba_types::limits::PAGE_ENTRIES_MAX,
    )
    .unwrap();
    for (case, record) in &cases {
        let block = query::scope_block(snapshot.as_ref(), *case).unwrap();
        assert_eq!(
            block.is_some(),
            record.state == "recalling",
            "case {case} in {} and its scope block",
            record.state
        );
    }

    let keys_set = ring.public_key_set();
    let verification = tanba_engine::verify_log(&store, &keys_set, None)
        .unwrap_or_else(|error| panic!("the log does not verify: {error}"));
    assert_eq!(verification.head, head.sequence);
    // A feed holder starts from the last signed checkpoint instead of genesis.
    let last_checkpoint = snapshot
        .scan_prefix(Column::Checkpoints, &[], tanba_store::SCAN_ENTRIES_MAX)
        .unwrap()
        .last()
        .map(|(key, _)| keys::trailing_u64(key).unwrap());
    if let Some(at) = last_checkpoint {
        tanba_engine::verify_log(&store, &keys_set, Some(at))
            .unwrap_or_else(|error| panic!("the log does not verify from {at}: {error}"));
    }

    let fresh = MemoryStore::new();
    let replayed = tanba_engine::replay(&store, &fresh).expect("the log replays");
    assert_eq!(replayed, head.sequence);
    // A child killed before the engine first opened the store leaves no layout mark, which a
    // replay (of nothing) writes: nothing was logged, so there is no state to compare.
    let opened = store
        .get(Column::Meta, keys::META_LAYOUT)
        .unwrap()
        .is_some();
    if opened {
        assert_eq!(
            tanba_engine::first_state_difference(&store, &fresh).unwrap(),
            None,
            "replayed state differs from the stored state"
        );
    } else {
        assert_eq!(head.sequence, 0, "a store with a log has its layout mark");
    }
    let cast = cast();
    let unissued_orders = [cast.producer, cast.importer]
        .iter()
        .flat_map(|orderer| every_order(snapshot.as_ref(), orderer))
        .filter(|order| !order.is_complete())
        .count();
    Verified {
        head,
        checkpoints: verification.checkpoints,
        unissued_orders,
    }
}

/// An acknowledged case command is its events in one range: the opening or the step first, and
/// a recall's start blocks its goods in the same range. Returns whether `ack` was one.
fn check_case_ack(ack: &Ack, records: &[LogRecord]) -> bool {
    let first = &records[0].event;
    match ack.command.as_str() {
        "case_open" => assert!(
            matches!(first, Event::CaseOpened { opening, .. } if opening.kind == ack.words[0]),
            "entry {} is not the acknowledged opening: {first:?}",
            ack.first
        ),
        "case_step" => {
            let case: u64 = ack.words[0].parse().expect("a case id");
            assert!(
                matches!(first, Event::CaseStepped(step) if step.case == case
                    && step.transition == ack.words[1]),
                "entry {} is not the acknowledged step: {first:?}",
                ack.first
            );
            if ack.words[1] == "start_recall" {
                let blocked = records.iter().any(
                    |record| matches!(record.event, Event::ScopeBlocked { case: c, .. } if c == case),
                );
                assert!(blocked, "the start of recall {case} without its block");
            }
        }
        "publish_calendar" => assert!(matches!(first, Event::CalendarPublished { .. })),
        "publish_reference" => assert!(matches!(first, Event::ReferencePublished { .. })),
        _ => return false,
    }
    true
}

/// The chain hash stored with the entry at `sequence`.
fn stored_hash(snapshot: &dyn tanba_store::Snapshot, sequence: u64) -> Option<ChainHash> {
    snapshot
        .get(Column::Log, &keys::sequence(sequence))
        .unwrap()
        .map(|value| ChainHash(value[..32].try_into().expect("a chain hash")))
}
