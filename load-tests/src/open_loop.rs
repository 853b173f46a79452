//! `tanba-load --open-loop` (issue 15): arrivals from a model of active users, not virtual
//! users waiting for their answers. Each activity of the model (phones checking, tills checking
//! and selling, producers looking up cards and ordering codes, authorities looking up cards)
//! arrives as a Poisson process at its rate for the number of users asked; an arrival is sent
//! whether or not earlier ones were answered, so a server that falls behind is seen falling
//! behind: each latency is counted from the planned arrival, not from when the request left.
//!
//! The run is a ladder of steps, each the arrival rate of a number of users (`--users`), spread
//! over the nodes given (`--node`, round robin per activity). A step is sustained when every
//! operation's p99 is under [`P99_BOUND_MS`] and at most [`ERROR_SHARE_MAX`] of its arrivals
//! failed, were shed or timed out (an operation that arrived fewer than
//! [`JUDGED_ARRIVALS_MIN`] times is reported, not judged); the ladder stops at the first step
//! that is not, in [`STEP_ATTEMPTS`] tries, and says on which try each step passed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use serde_json::{Value, json};
use tanba_client::Connection;

use crate::{
    Recorder, World, check_url, error_code, phone_check, run_number, sell_and_take_back, signed_in,
    sscc, supply, till_check,
};

/// The p99 latency, in milliseconds, every operation of a sustained step stays under.
pub const P99_BOUND_MS: f64 = 100.0;
/// The share of an operation's arrivals that may fail or be shed in a sustained step.
pub const ERROR_SHARE_MAX: f64 = 0.001;
/// Most operations in flight at once; an arrival past it is shed (`SHED`), not queued, so the
/// load stays open whatever the servers do.
pub const IN_FLIGHT_MAX: usize = 20_000;
/// Tries of a step before the ladder stops: one stall of a few hundred milliseconds (a flush, a
/// compaction) puts more than 1 % of a step's answers past the bound, and a second try tells
/// such a stall from a rate the nodes cannot carry. Every try is reported.
pub const STEP_ATTEMPTS: usize = 2;
/// Longest an arrival waits for its answer; past it the arrival is counted as failed
/// (`TIMEOUT`) and dropped, so no request of one step is still out during the next.
pub const ANSWER_WAIT: Duration = Duration::from_secs(30);
/// Longest a step waits, after its last arrival, for the answers still out (each gives up
/// after [`ANSWER_WAIT`], so this is never reached unless a task is stuck).
pub const DRAIN_WAIT: Duration = Duration::from_secs(45);
/// Fewest arrivals of an operation in a step for its p99 and failures to be judged: with
/// fewer, the p99 is its worst answer and one failure is a percent (a thousand producers'
/// orders an hour give a handful a step). Such operations are reported, not judged.
pub const JUDGED_ARRIVALS_MIN: u64 = 100;
/// Rounds of [`supply`] that stock the Astana shop's shelf before the ladder: each sale takes
/// a code off the shelf and its return puts it back, so the shelf bounds the sales in flight.
pub const SHELF_ROUNDS: usize = 10;
/// The users of the model are counted per this many.
const MODEL_USERS: f64 = 1_000_000.0;
const SECONDS_PER_HOUR: f64 = 3_600.0;

/// A kind of user, and how many of every [`MODEL_USERS`] active users are of it.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    pub name: &'static str,
    pub per_million: u64,
}

/// The model's groups: who the million active users at the peak hour are.
pub const GROUPS: [Group; 4] = [
    Group {
        name: "consumers with phones",
        per_million: 950_000,
    },
    Group {
        name: "cashiers at tills",
        per_million: 40_000,
    },
    Group {
        name: "producers, importers and traders",
        per_million: 9_000,
    },
    Group {
        name: "authorities and ministries",
        per_million: 1_000,
    },
];

/// What a user does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// A public check of a code over HTTP/JSON, anonymous.
    PhoneCheck,
    /// A till's check of ten codes before sale, signed in over HTTP.
    TillCheck,
    /// A till's sale of one code, then its return (two writes through the command log).
    TillSale,
    /// A producer's look at a code's card, signed in over gRPC.
    ProducerCard,
    /// A producer's order of 100 codes (a write; the steward then issues them).
    ProducerOrder,
    /// An authority's look at a code's card, signed in over gRPC.
    AuthorityCard,
}

impl Operation {
    /// The name its latencies are reported under.
    fn name(self) -> &'static str {
        match self {
            Operation::PhoneCheck => "phone_check_http",
            Operation::TillCheck => "till_check_10",
            Operation::TillSale => "till_sale",
            Operation::ProducerCard => "card_producer",
            Operation::ProducerOrder => "producer_order",
            Operation::AuthorityCard => "card_authority",
        }
    }
}

/// One thing a group does, and how often each of its users does it at the peak hour.
#[derive(Debug, Clone, Copy)]
pub struct Activity {
    pub group: &'static str,
    pub operation: Operation,
    pub per_user_per_hour: f64,
}

/// The model: a consumer checks two codes in the peak hour; a cashier rings up a receipt a
/// minute, checking its codes first; a producer's staff look up a card a minute and order codes
/// once an hour; an inspector looks up a card a minute.
pub const ACTIVITIES: [Activity; 6] = [
    Activity {
        group: "consumers with phones",
        operation: Operation::PhoneCheck,
        per_user_per_hour: 2.0,
    },
    Activity {
        group: "cashiers at tills",
        operation: Operation::TillCheck,
        per_user_per_hour: 60.0,
    },
    Activity {
        group: "cashiers at tills",
        operation: Operation::TillSale,
        per_user_per_hour: 60.0,
    },
    Activity {
        group: "producers, importers and traders",
        operation: Operation::ProducerCard,
        per_user_per_hour: 60.0,
    },
    Activity {
        group: "producers, importers and traders",
        operation: Operation::ProducerOrder,
        per_user_per_hour: 1.0,
    },
    Activity {
        group: "authorities and ministries",
        operation: Operation::AuthorityCard,
        per_user_per_hour: 60.0,
    },
];

/// Which of the model's activities run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mix {
    /// Every activity of the model.
    Users,
    /// The phones' checks alone: the read path, at the phones' share of the users.
    Reads,
}

/// The open loop's flags.
#[derive(Debug, Args)]
pub struct OpenLoopArgs {
    /// Run the open-loop ladder instead of the closed-loop virtual users.
    #[arg(long)]
    pub open_loop: bool,
    /// The steps of the ladder: the active users whose arrival rate each step offers.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1000000,2000000,4000000,8000000",
        requires = "open_loop"
    )]
    pub users: Vec<u64>,
    /// How long each step runs, in seconds.
    #[arg(long, default_value_t = 20, requires = "open_loop")]
    pub step_s: u64,
    /// Which activities run.
    #[arg(long, value_enum, default_value = "users", requires = "open_loop")]
    pub mix: Mix,
    /// A node to spread the load over, as `HTTP-BASE-URL,GRPC-ADDRESS` (repeat for each);
    /// default: the demo's own.
    #[arg(long = "node", requires = "open_loop")]
    pub nodes: Vec<String>,
    /// The seed of the arrivals (the same seed plans the same arrivals).
    #[arg(long, default_value_t = 1, requires = "open_loop")]
    pub seed: u64,
}

/// An activity's arrival rate for `users` active users, per second.
pub fn arrivals_per_second(activity: &Activity, users: u64) -> f64 {
    let group = GROUPS
        .iter()
        .find(|group| group.name == activity.group)
        .expect("every activity's group is in GROUPS");
    let members = users as f64 * group.per_million as f64 / MODEL_USERS;
    members * activity.per_user_per_hour / SECONDS_PER_HOUR
}

/// The activities of `mix`.
fn activities(mix: Mix) -> Vec<Activity> {
    (ACTIVITIES.iter())
        .filter(|activity| mix == Mix::Users || activity.operation == Operation::PhoneCheck)
        .copied()
        .collect()
}

/// The gaps between the arrivals of a Poisson process: exponential, from a seeded generator.
pub struct Arrivals {
    rng: ChaCha8Rng,
    per_second: f64,
}

impl Arrivals {
    pub fn new(seed: u64, per_second: f64) -> Arrivals {
        assert!(per_second > 0.0, "a process arrives at some rate");
        Arrivals {
            rng: ChaCha8Rng::seed_from_u64(seed),
            per_second,
        }
    }

    /// The time to the next arrival.
    pub fn gap(&mut self) -> Duration {
        // Uniform in (0, 1]: 53 random bits, never zero, so the logarithm is finite.
        let uniform = ((self.rng.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64;
        Duration::from_secs_f64(-uniform.ln() / self.per_second)
    }
}

/// What one node is reached through, signed in once before the ladder.
struct NodeClients {
    http: String,
    /// The public check of each of the world's codes at this node.
    check_urls: Vec<String>,
    till_token: String,
    producer: Connection,
    authority: Connection,
}

impl NodeClients {
    async fn sign_in(world: &World, web: &reqwest::Client, node: &str) -> anyhow::Result<Self> {
        let (http, grpc) = node
            .split_once(',')
            .context("a node is HTTP-BASE-URL,GRPC-ADDRESS")?;
        Ok(NodeClients {
            http: http.to_owned(),
            check_urls: (world.codes.iter())
                .map(|code| check_url(http, code))
                .collect(),
            till_token: crate::http_token(world, web, http, "shop_astana").await?,
            producer: signed_in(world, grpc, "water").await?,
            authority: signed_in(world, grpc, "sanitary").await?,
        })
    }
}

/// Codes on the shop's shelf, each sold and taken back by one arrival at a time.
#[derive(Default)]
struct Shelf {
    codes: Mutex<Vec<String>>,
}

impl Shelf {
    fn take(&self) -> Option<String> {
        self.codes.lock().expect("shelf").pop()
    }

    fn put_back(&self, code: String) {
        self.codes.lock().expect("shelf").push(code);
    }
}

/// Everything an arrival needs.
struct Load {
    world: Arc<World>,
    web: reqwest::Client,
    nodes: Vec<NodeClients>,
    shelf: Shelf,
    /// Distinguishes this run's receipt ids from every earlier run's.
    run: u64,
    receipts: AtomicU64,
}

/// Runs the ladder; the report.
pub async fn run(args: &OpenLoopArgs, world: Arc<World>) -> anyhow::Result<Value> {
    if args.users.is_empty() || args.users.contains(&0) {
        bail!("--users: give one or more numbers of users, none zero");
    }
    let web = crate::web_client()?;
    let own = format!("{},{}", world.http, world.grpc);
    let addresses = if args.nodes.is_empty() {
        vec![own]
    } else {
        args.nodes.clone()
    };
    let mut nodes = Vec::new();
    for address in &addresses {
        let clients = NodeClients::sign_in(&world, &web, address).await;
        nodes.push(clients.with_context(|| format!("signing in at {address}"))?);
    }
    let activities = activities(args.mix);
    let load = Arc::new(Load {
        world: world.clone(),
        web,
        nodes,
        shelf: Shelf::default(),
        run: run_number(),
        receipts: AtomicU64::new(0),
    });
    if activities
        .iter()
        .any(|a| a.operation == Operation::TillSale)
    {
        stock_shelf(&load).await?;
    }
    let mut steps = Vec::new();
    let mut sustained = None;
    'ladder: for (index, users) in args.users.iter().enumerate() {
        for attempt in 1..=STEP_ATTEMPTS {
            // A step's arrivals depend on its users and try, not on its place in the ladder.
            let seed = (args.seed.wrapping_mul(1_000_003))
                .wrapping_add(users.wrapping_mul(10))
                .wrapping_add(attempt as u64);
            let duration = Duration::from_secs(args.step_s);
            eprintln!(
                "step {} (attempt {attempt}): the arrivals of {users} users for {duration:?}",
                index + 1
            );
            let mut step = run_step(&load, &activities, *users, duration, seed).await;
            step["attempt"] = attempt.into();
            eprintln!("{}", crate::table(&step));
            let passed = step["sustained"].as_bool() == Some(true);
            steps.push(step);
            if passed {
                sustained = Some((*users, attempt));
                continue 'ladder;
            }
        }
        break;
    }
    Ok(json!({
        "mode": "open_loop",
        "mix": format!("{:?}", args.mix).to_lowercase(),
        "nodes": addresses,
        "step_s": args.step_s,
        "p99_bound_ms": P99_BOUND_MS,
        "error_share_max": ERROR_SHARE_MAX,
        "model": model(&activities),
        "steps": steps,
        "sustained_users": sustained.map(|(users, _)| users),
        "sustained_on_attempt": sustained.map(|(_, attempt)| attempt),
        "sustained_arrivals_per_second": sustained.map(|(users, _)| total_per_second(&activities, users)),
    }))
}

/// The model as the report gives it: each activity's rate for one million users.
fn model(activities: &[Activity]) -> Value {
    let rows: Vec<Value> = (activities.iter())
        .map(|activity| {
            json!({
                "group": activity.group,
                "operation": activity.operation.name(),
                "per_user_per_hour": activity.per_user_per_hour,
                "per_second_for_a_million": arrivals_per_second(activity, MODEL_USERS as u64),
            })
        })
        .collect();
    json!({ "groups": GROUPS.iter().map(|g| json!({ "name": g.name, "per_million": g.per_million })).collect::<Vec<_>>(), "activities": rows })
}

fn total_per_second(activities: &[Activity], users: u64) -> f64 {
    (activities.iter())
        .map(|activity| arrivals_per_second(activity, users))
        .sum()
}

/// Puts [`SHELF_ROUNDS`] boxes of new codes on the Astana shop's shelf, beside the demo's.
async fn stock_shelf(load: &Load) -> anyhow::Result<()> {
    let world = &load.world;
    let water = signed_in(world, &world.grpc, "water").await?;
    let shop = signed_in(world, &world.grpc, "shop_astana").await?;
    let recorder = Recorder::default();
    let mut codes = world.shelf.clone();
    for round in 0..SHELF_ROUNDS {
        let package = sscc(load.run * 100_000 + 90_000 + round as u64);
        codes.extend(supply(world, &recorder, &water, &shop, &package).await?);
    }
    eprintln!("{} codes on the shelf", codes.len());
    *load.shelf.codes.lock().expect("shelf") = codes;
    Ok(())
}

/// One step: every activity arrives at its rate for `users` users for `duration`; then the
/// answers still out are waited for. The step's report.
async fn run_step(
    load: &Arc<Load>,
    activities: &[Activity],
    users: u64,
    duration: Duration,
    seed: u64,
) -> Value {
    let recorder = Recorder::default();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let until = started + duration;
    let mut generators = Vec::new();
    for (index, activity) in activities.iter().enumerate() {
        let per_second = arrivals_per_second(activity, users);
        let arrivals = Arrivals::new(seed.wrapping_mul(64).wrapping_add(index as u64), per_second);
        generators.push(tokio::spawn(arrive(
            load.clone(),
            *activity,
            arrivals,
            (started, until),
            recorder.clone(),
            in_flight.clone(),
        )));
    }
    let mut offered = BTreeMap::new();
    for (activity, generator) in activities.iter().zip(generators) {
        let count = generator
            .await
            .expect("an arrival generator does not panic");
        *offered.entry(activity.operation.name()).or_insert(0) += count;
    }
    let draining = Instant::now();
    while in_flight.load(Ordering::SeqCst) > 0 && draining.elapsed() < DRAIN_WAIT {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let unanswered = in_flight.load(Ordering::SeqCst);
    let operations = recorder.report(duration);
    let sustained = unanswered == 0 && is_sustained(&operations, &offered);
    json!({
        "users": users,
        "arrivals_per_second": total_per_second(activities, users),
        "offered": offered,
        "unanswered_after_drain": unanswered,
        "operations": operations,
        "sustained": sustained,
    })
}

/// Whether every operation kept its p99 under the bound and its failures under their share
/// of what was offered.
fn is_sustained(operations: &Value, offered: &BTreeMap<&'static str, u64>) -> bool {
    let Some(operations) = operations.as_object() else {
        return false;
    };
    operations.iter().all(|(name, operation)| {
        if offered
            .get(name.as_str())
            .is_some_and(|count| *count < JUDGED_ARRIVALS_MIN)
        {
            return true;
        }
        let failed: u64 = (operation["errors"].as_object().into_iter().flatten())
            .filter_map(|(_, count)| count.as_u64())
            .sum();
        let done = operation["ok"].as_u64().unwrap_or(0) + failed;
        let p99 = operation["latency_ms_p99"].as_f64().unwrap_or(f64::MAX);
        done > 0 && p99 < P99_BOUND_MS && (failed as f64) <= ERROR_SHARE_MAX * done as f64
    }) && offered.values().sum::<u64>() > 0
}

/// One activity's arrivals from `start` until `until`, each sent at its planned time to the
/// next node in turn; how many arrived.
async fn arrive(
    load: Arc<Load>,
    activity: Activity,
    mut arrivals: Arrivals,
    (start, until): (Instant, Instant),
    recorder: Recorder,
    in_flight: Arc<AtomicUsize>,
) -> u64 {
    let mut planned = start;
    let mut count: u64 = 0;
    loop {
        planned += arrivals.gap();
        if planned >= until {
            return count;
        }
        tokio::time::sleep_until(planned.into()).await;
        let node = count as usize % load.nodes.len();
        count += 1;
        if in_flight.load(Ordering::SeqCst) >= IN_FLIGHT_MAX {
            recorder.record(activity.operation.name(), planned, Err("SHED".into()));
            continue;
        }
        in_flight.fetch_add(1, Ordering::SeqCst);
        let (load, recorder, in_flight) = (load.clone(), recorder.clone(), in_flight.clone());
        tokio::spawn(async move {
            let name = activity.operation.name();
            let answer = serve_arrival(&load, activity.operation, node, count, planned, &recorder);
            if tokio::time::timeout(ANSWER_WAIT, answer).await.is_err() {
                recorder.record(name, planned, Err("TIMEOUT".into()));
            }
            in_flight.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Sends the `number`th arrival of `operation`, planned at `planned`, to node `node`.
async fn serve_arrival(
    load: &Load,
    operation: Operation,
    node: usize,
    number: u64,
    planned: Instant,
    recorder: &Recorder,
) {
    let clients = &load.nodes[node];
    let world = &load.world;
    let code = &world.codes[number as usize % world.codes.len()];
    let name = operation.name();
    match operation {
        Operation::PhoneCheck => {
            let url = &clients.check_urls[number as usize % clients.check_urls.len()];
            phone_check(&load.web, url, recorder, planned).await;
        }
        Operation::TillCheck => {
            let codes: Vec<&String> = (0..crate::TILL_CHECK_CODES)
                .map(|i| &world.codes[(number as usize + i) % world.codes.len()])
                .collect();
            let token = &clients.till_token;
            till_check(&load.web, &clients.http, token, &codes, recorder, planned).await;
        }
        Operation::TillSale => {
            let Some(shelf_code) = load.shelf.take() else {
                recorder.record(name, planned, Err("SHELF-EMPTY".into()));
                return;
            };
            let receipt = load.receipts.fetch_add(1, Ordering::SeqCst);
            let id = format!("OPEN-{}-{receipt}", load.run);
            let (web, http, token) = (&load.web, &clients.http, &clients.till_token);
            if sell_and_take_back(web, http, token, &id, &shelf_code, recorder, planned).await {
                load.shelf.put_back(shelf_code);
            }
        }
        Operation::ProducerCard | Operation::AuthorityCard => {
            let connection = match operation {
                Operation::ProducerCard => &clients.producer,
                _ => &clients.authority,
            };
            // The producer reads its own codes' cards: those on the shelf.
            let code = match operation {
                Operation::ProducerCard => &world.shelf[number as usize % world.shelf.len()],
                _ => code,
            };
            let outcome = connection.code_card(code).await;
            recorder.record(name, planned, outcome.map(drop).map_err(|e| error_code(&e)));
        }
        Operation::ProducerOrder => {
            let ordered = clients
                .producer
                .order_codes(world.gtin, crate::PRODUCER_ORDER_CODES)
                .await;
            recorder.record(name, planned, ordered.map(drop).map_err(|e| error_code(&e)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model's million users are its groups' sum, and every activity belongs to a group.
    #[test]
    fn the_model_counts_a_million_users() {
        let users: u64 = GROUPS.iter().map(|group| group.per_million).sum();
        assert_eq!(users, MODEL_USERS as u64);
        for activity in ACTIVITIES {
            assert!(arrivals_per_second(&activity, 1_000_000) > 0.0);
        }
        // 950,000 phones checking twice an hour: 527.8 checks a second.
        let phones = arrivals_per_second(&ACTIVITIES[0], 1_000_000);
        assert!((phones - 527.777).abs() < 0.01, "{phones}");
        // Rates scale with the users.
        let double = arrivals_per_second(&ACTIVITIES[0], 2_000_000);
        assert!((double - 2.0 * phones).abs() < 1e-9);
    }

    /// The arrivals of a seed are the same every time, and their mean gap is the rate's
    /// inverse (a Poisson process).
    #[test]
    fn arrivals_are_seeded_and_arrive_at_their_rate() {
        let gaps = |seed| {
            let mut arrivals = Arrivals::new(seed, 500.0);
            (0..100_000).map(|_| arrivals.gap()).collect::<Vec<_>>()
        };
        assert_eq!(gaps(7), gaps(7));
        assert_ne!(gaps(7), gaps(8));
        let mean_s = gaps(7).iter().map(Duration::as_secs_f64).sum::<f64>() / 100_000.0;
        assert!((mean_s - 0.002).abs() < 0.00005, "{mean_s}");
    }

    /// A step is sustained only if every operation kept its p99 under the bound and its
    /// failures under their share.
    #[test]
    fn a_step_is_sustained_only_within_its_bounds() {
        let offered = BTreeMap::from([("phone_check_http", 10_000)]);
        let operation = |p99: f64, errors: u64| json!({ "phone_check_http": { "ok": 10_000, "errors": { "SHED": errors }, "latency_ms_p99": p99 } });
        assert!(is_sustained(&operation(20.0, 0), &offered));
        assert!(is_sustained(&operation(99.9, 10), &offered));
        assert!(!is_sustained(&operation(100.0, 0), &offered));
        assert!(!is_sustained(&operation(20.0, 11), &offered));
        assert!(!is_sustained(&json!({}), &BTreeMap::new()));
        // An operation that arrived too seldom to judge is reported, not judged.
        let rare = BTreeMap::from([("phone_check_http", 10_000), ("producer_order", 12)]);
        let mut operations = operation(20.0, 0);
        operations["producer_order"] =
            json!({ "ok": 11, "errors": { "TIMEOUT": 1 }, "latency_ms_p99": 900.0 });
        assert!(is_sustained(&operations, &rare));
    }
}
