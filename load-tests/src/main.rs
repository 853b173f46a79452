//! `tanba-load`: a mixed-scenario load generator for a running Tanba server seeded by
//! `tanba demo` (it reads `DIR/demo-codes.json`: addresses, codes of every verdict, key files).
//!
//! Virtual users, each a task with its own think time:
//! - phones check codes over HTTP/JSON and gRPC (most of the traffic);
//! - tills sign in, check ten codes before sale, and now and then sell a code and take it back
//!   (so the codes stay sellable however long the run);
//! - producers order codes, download them, report them applied, introduce them, pack them into a
//!   box and ship the box to the wholesaler, who accepts it;
//! - idle connections are opened and held, each sending a request now and then, as phones on a
//!   slow network do.
//!
//! With `--open-loop`, arrivals instead: a ladder of steps, each the arrival rate of a number of
//! active users from a model of who they are and what they do, spread over one or more nodes
//! ([`open_loop`]).
//!
//! Every operation's latency goes into an HDR histogram; the report gives throughput, errors by
//! code, and p50, p99, p99.9 per operation, as JSON (stdout or `--out`) and as a table (stderr).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use tanba_client::{Applied, ClientError, Connection, KeyFile};
use tanba_types::{Date, Gtin, Introduction, Language, ScannedCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod open_loop;

/// Longest latency recorded, in microseconds (a minute): slower is recorded as this.
const LATENCY_US_MAX: u64 = 60_000_000;
/// How often an idle connection sends a request to stay open.
const IDLE_PING_INTERVAL: Duration = Duration::from_secs(10);
/// Codes per till check.
const TILL_CHECK_CODES: usize = 10;
/// Till checks between a till's sale-and-return cycles.
const TILL_CHECKS_PER_SALE: u64 = 20;
/// Codes per producer order.
const PRODUCER_ORDER_CODES: u32 = 100;
/// Longest the idle connections may take to open before the mix starts anyway.
const IDLE_BUILD_TIMEOUT: Duration = Duration::from_secs(60);
/// Connections opened at once while building up the idle ones.
const IDLE_OPEN_CONCURRENCY: usize = 256;
/// Longest a producer waits for its order to be issued.
const ORDER_ISSUED_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Parser)]
#[command(
    name = "tanba-load",
    about = "Mixed load against a running Tanba demo server"
)]
struct Args {
    /// The demo's `demo-codes.json`.
    #[arg(long)]
    demo: PathBuf,
    /// How long to run, in seconds.
    #[arg(long, default_value_t = 30)]
    duration_s: u64,
    /// Phones checking over HTTP/JSON.
    #[arg(long, default_value_t = 64)]
    http_phones: usize,
    /// Phones checking over gRPC.
    #[arg(long, default_value_t = 16)]
    grpc_phones: usize,
    /// gRPC connections the gRPC phones share (HTTP/2 multiplexes the rest).
    #[arg(long, default_value_t = 4)]
    grpc_connections: usize,
    /// A phone's pause between checks, in milliseconds.
    #[arg(long, default_value_t = 0)]
    phone_think_ms: u64,
    /// Tills.
    #[arg(long, default_value_t = 8)]
    tills: usize,
    /// A till's pause between calls, in milliseconds.
    #[arg(long, default_value_t = 0)]
    till_think_ms: u64,
    /// Producers.
    #[arg(long, default_value_t = 1)]
    producers: usize,
    /// A producer's pause between rounds, in milliseconds.
    #[arg(long, default_value_t = 500)]
    producer_think_ms: u64,
    /// Idle connections to open and hold on the HTTP port.
    #[arg(long, default_value_t = 0)]
    idle_connections: usize,
    /// Where to write the JSON report (stdout when not given).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    open_loop: open_loop::OpenLoopArgs,
}

/// Latencies and errors of one operation.
struct Operation {
    latencies_us: Histogram<u64>,
    errors: BTreeMap<String, u64>,
}

/// Every operation's record, shared by the virtual users.
#[derive(Clone, Default)]
struct Recorder {
    operations: Arc<Mutex<BTreeMap<&'static str, Operation>>>,
}

impl Recorder {
    fn record(&self, name: &'static str, started: Instant, outcome: Result<(), String>) {
        let elapsed_us = (started.elapsed().as_micros() as u64).clamp(1, LATENCY_US_MAX);
        let mut operations = self.operations.lock().expect("recorder");
        let operation = operations.entry(name).or_insert_with(|| Operation {
            latencies_us: Histogram::new_with_max(LATENCY_US_MAX, 3).expect("valid bounds"),
            errors: BTreeMap::new(),
        });
        match outcome {
            Ok(()) => operation.latencies_us.saturating_record(elapsed_us),
            Err(code) => *operation.errors.entry(code).or_default() += 1,
        }
    }

    fn report(&self, elapsed: Duration) -> Value {
        let operations = self.operations.lock().expect("recorder");
        let seconds = elapsed.as_secs_f64();
        let mut out = serde_json::Map::new();
        for (name, operation) in operations.iter() {
            let h = &operation.latencies_us;
            let ms = |quantile: f64| h.value_at_quantile(quantile) as f64 / 1000.0;
            out.insert(
                (*name).to_owned(),
                json!({
                    "ok": h.len(),
                    "per_second": (h.len() as f64 / seconds).round(),
                    "errors": operation.errors,
                    "latency_ms_p50": ms(0.50),
                    "latency_ms_p99": ms(0.99),
                    "latency_ms_p999": ms(0.999),
                    "latency_ms_max": h.max() as f64 / 1000.0,
                }),
            );
        }
        Value::Object(out)
    }
}

fn error_code(error: &ClientError) -> String {
    error.code().unwrap_or("CONNECT").to_owned()
}

/// The demo as the load sees it.
struct World {
    http: String,
    grpc: String,
    /// Every code of every verdict (raw).
    codes: Vec<String>,
    /// Codes on the Astana shop's shelf (genuine), for the sale-and-return cycles.
    shelf: Vec<String>,
    keys: BTreeMap<String, KeyFile>,
    gtin: Gtin,
}

fn load_world(path: &PathBuf) -> anyhow::Result<World> {
    let demo: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let raws = |verdict: &str| -> Vec<String> {
        demo[verdict]
            .as_array()
            .map(|codes| {
                codes
                    .iter()
                    .filter_map(|code| code["raw"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut codes = Vec::new();
    for verdict in [
        "genuine",
        "sold",
        "blocked",
        "expired",
        "not_in_circulation",
    ] {
        codes.extend(raws(verdict));
    }
    // Older demos list no shelf: their genuine codes are on it.
    let mut shelf = raws("shelf");
    if shelf.is_empty() {
        shelf = raws("genuine");
    }
    let gtin = ScannedCode::read(raws("genuine").first().context("no genuine codes")?)?
        .key
        .gtin()
        .context("a unit")?;
    let mut keys = BTreeMap::new();
    for participant in demo["participants"].as_array().context("participants")? {
        let handle = participant["handle"].as_str().context("handle")?;
        let file = participant["key_file"].as_str().context("key_file")?;
        keys.insert(
            handle.to_owned(),
            KeyFile::read(std::path::Path::new(file))?,
        );
    }
    Ok(World {
        http: demo["http"].as_str().context("http")?.to_owned(),
        grpc: demo["grpc"].as_str().context("grpc")?.to_owned(),
        codes,
        shelf,
        keys,
        gtin,
    })
}

async fn pause(think_ms: u64) {
    if think_ms > 0 {
        tokio::time::sleep(Duration::from_millis(think_ms)).await;
    }
}

/// The HTTP client every load task shares: idle connections kept without a cap (each request in
/// flight holds one), and no Nagle delay on small requests.
fn web_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .tcp_nodelay(true)
        .build()?)
}

/// The public check of `code` (percent-encoded) at the node whose base URL is `http`.
fn check_url(http: &str, code: &str) -> String {
    let encoded: String = code
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("{http}/v1/check?code={encoded}")
}

/// A phone's check over HTTP: `url` from [`check_url`]; latency counted from `arrived`.
async fn phone_check(web: &reqwest::Client, url: &str, recorder: &Recorder, arrived: Instant) {
    let outcome = match web.get(url).send().await {
        Ok(response) if response.status().is_success() => response
            .bytes()
            .await
            .map(drop)
            .map_err(|_| "BODY".to_owned()),
        Ok(response) => Err(format!("HTTP-{}", response.status().as_u16())),
        Err(_) => Err("CONNECT".to_owned()),
    };
    recorder.record("phone_check_http", arrived, outcome);
}

async fn http_phone(
    world: Arc<World>,
    web: reqwest::Client,
    recorder: Recorder,
    until: Instant,
    think_ms: u64,
    offset: usize,
) {
    let urls: Vec<String> = (world.codes.iter())
        .map(|code| check_url(&world.http, code))
        .collect();
    let mut n = offset;
    while Instant::now() < until {
        phone_check(&web, &urls[n % urls.len()], &recorder, Instant::now()).await;
        n += 1;
        pause(think_ms).await;
    }
}

async fn grpc_phone(
    world: Arc<World>,
    connection: Connection,
    recorder: Recorder,
    until: Instant,
    think_ms: u64,
    offset: usize,
) {
    let mut n = offset;
    while Instant::now() < until {
        let started = Instant::now();
        // The answer is in the connection's language (Kazakh).
        let outcome = connection
            .check(&world.codes[n % world.codes.len()])
            .await
            .map(drop)
            .map_err(|error| error_code(&error));
        recorder.record("phone_check_grpc", started, outcome);
        n += 1;
        pause(think_ms).await;
    }
}

/// A bearer token for `handle`, signed in over HTTP at `http` (a node's base URL).
async fn http_token(
    world: &World,
    web: &reqwest::Client,
    http: &str,
    handle: &str,
) -> anyhow::Result<String> {
    use base64::Engine;
    use tanba_crypto::Signer;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let key = world.keys.get(handle).context("no such participant")?;
    let challenge: Value = web
        .post(format!("{http}/v1/auth/challenge"))
        .json(&json!({ "participant": key.participant.to_string() }))
        .send()
        .await?
        .json()
        .await?;
    let text = challenge["challenge"].as_str().context("a challenge")?;
    let signature = key.signer().sign(&tanba_crypto::sign_in::sign_in_message(
        &engine.decode(text)?,
    ));
    let token: Value = web
        .post(format!("{http}/v1/auth/sign-in"))
        .json(&json!({
            "participant": key.participant.to_string(),
            "challenge": text,
            "signature": engine.encode(signature),
        }))
        .send()
        .await?
        .json()
        .await?;
    Ok(token["token"].as_str().context("a token")?.to_owned())
}

async fn post_json(
    web: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<Value, String> {
    let response = web
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(|_| "CONNECT".to_owned())?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|_| "BODY".to_owned())?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(body["error"]["code"].as_str().unwrap_or("HTTP").to_owned())
    }
}

async fn till(
    world: Arc<World>,
    web: reqwest::Client,
    recorder: Recorder,
    until: Instant,
    think_ms: u64,
    number: usize,
) -> anyhow::Result<()> {
    let token = http_token(&world, &web, &world.http, "shop_astana").await?;
    // Receipt ids are unique across runs: a reused one would be answered as a duplicate.
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    // Each of the first tills owns one shelf code for its sale-and-return cycles.
    let own_code = world.shelf.get(number).cloned();
    let mut round: u64 = 0;
    while Instant::now() < until {
        let codes: Vec<&String> = (0..TILL_CHECK_CODES)
            .map(|i| &world.codes[(number + round as usize + i) % world.codes.len()])
            .collect();
        till_check(&web, &world.http, &token, &codes, &recorder, Instant::now()).await;
        round += 1;
        if let Some(code) = own_code
            .as_ref()
            .filter(|_| round.is_multiple_of(TILL_CHECKS_PER_SALE))
        {
            let id = format!("LOAD-{run}-{number}-{round}");
            sell_and_take_back(
                &web,
                &world.http,
                &token,
                &id,
                code,
                &recorder,
                Instant::now(),
            )
            .await;
        }
        pause(think_ms).await;
    }
    Ok(())
}

/// A till's check of `codes` before sale at the node whose base URL is `http`; latency counted
/// from `arrived`.
async fn till_check(
    web: &reqwest::Client,
    http: &str,
    token: &str,
    codes: &[&String],
    recorder: &Recorder,
    arrived: Instant,
) {
    let body = json!({ "codes": codes });
    let outcome = post_json(web, &format!("{http}/v1/till/check"), token, &body).await;
    recorder.record("till_check_10", arrived, outcome.map(drop));
}

/// Sells `code` at the Astana shop's till under receipt `id`, then takes it back, at the node
/// whose base URL is `http`; the sale's latency is counted from `arrived` (an open loop's
/// planned arrival), the return's from its own start. Whether both were taken: otherwise the
/// code's state is not known, and it is not sold again.
async fn sell_and_take_back(
    web: &reqwest::Client,
    http: &str,
    token: &str,
    id: &str,
    code: &str,
    recorder: &Recorder,
    arrived: Instant,
) -> bool {
    let sale =
        json!({ "receipt_id": id, "time_ms": 0, "lines": [{ "code": code, "price_tiyn": 100 }] });
    let outcome = post_json(web, &format!("{http}/v1/till/receipts"), token, &sale).await;
    let outcome =
        outcome.and_then(
            |answer| match answer["refused_lines"].as_array().map(Vec::len) {
                Some(0) => Ok(()),
                _ => Err(answer["refused_lines"][0]["refusal_code"]
                    .as_str()
                    .unwrap_or("REFUSED")
                    .to_owned()),
            },
        );
    let sold = outcome.is_ok();
    recorder.record("till_sale", arrived, outcome);
    let started = Instant::now();
    let back = json!({ "receipt_id": format!("R{id}"), "sale_receipt_id": id, "codes": [code] });
    let outcome = post_json(web, &format!("{http}/v1/till/returns"), token, &back).await;
    let returned = outcome.is_ok();
    recorder.record("till_return", started, outcome.map(drop));
    sold && returned
}

async fn timed<T>(
    recorder: &Recorder,
    name: &'static str,
    call: impl Future<Output = Result<T, ClientError>>,
) -> anyhow::Result<T> {
    let started = Instant::now();
    match call.await {
        Ok(value) => {
            recorder.record(name, started, Ok(()));
            Ok(value)
        }
        Err(error) => {
            recorder.record(name, started, Err(error_code(&error)));
            Err(error.into())
        }
    }
}

fn sscc(n: u64) -> String {
    let payload = format!("{:017}", 24_879_000_000_000_000 + n);
    let check = tanba_gs1::check_digit::compute(&payload).expect("17 digits");
    format!("(00){payload}{check}")
}

/// A participant signed in over gRPC at `grpc`, answered in English.
async fn signed_in(world: &World, grpc: &str, handle: &str) -> anyhow::Result<Connection> {
    let mut connection = Connection::connect(grpc).await?.with_language(Language::En);
    let key = world.keys.get(handle).context("no such participant")?;
    connection.sign_in(key).await?;
    Ok(connection)
}

/// A number that differs from run to run, for the packages' serial numbers (a package code
/// is used once).
fn run_number() -> u64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |since| since.as_millis() as u64) % 1_000_000
}

/// One producer's round: orders [`PRODUCER_ORDER_CODES`] codes, waits for them, reports them
/// applied, introduces them, packs them into the box `package` and ships it to `receiver`, who
/// accepts. The codes, now in the receiver's hands.
async fn supply(
    world: &World,
    recorder: &Recorder,
    water: &Connection,
    receiver: &Connection,
    package: &str,
) -> anyhow::Result<Vec<String>> {
    let applied = Applied {
        production_date: Date::from_ymd(2026, 11, 1)?,
        expiry_date: None,
        batch: None,
    };
    let ordering = water.order_codes(world.gtin, PRODUCER_ORDER_CODES);
    let order = timed(recorder, "producer_order", ordering).await?;
    let started = Instant::now();
    water
        .wait_issued(order, ORDER_ISSUED_TIMEOUT, |_| {})
        .await?;
    recorder.record("producer_order_issued", started, Ok(()));
    let started = Instant::now();
    let codes = water.download_all(order).await?;
    recorder.record("producer_download_100", started, Ok(()));
    let applying = water.report_applied(codes.clone(), &applied);
    timed(recorder, "producer_applied_100", applying).await?;
    let introducing = water.introduce(codes.clone(), &Introduction::OwnProduction);
    timed(recorder, "producer_introduce_100", introducing).await?;
    let packing = water.aggregate(package, codes.clone());
    timed(recorder, "producer_aggregate_100", packing).await?;
    let buyer = receiver.participant().context("signed in")?;
    let shipping = water.ship(buyer, vec![package.to_owned()]);
    let document = timed(recorder, "producer_ship", shipping).await?;
    timed(recorder, "receiver_accept", receiver.accept_all(document)).await?;
    Ok(codes)
}

async fn producer(
    world: Arc<World>,
    recorder: Recorder,
    until: Instant,
    think_ms: u64,
    number: usize,
) -> anyhow::Result<()> {
    let water = signed_in(&world, &world.grpc, "water").await?;
    let wholesaler = signed_in(&world, &world.grpc, "wholesaler").await?;
    let run = run_number();
    let mut round = 0;
    while Instant::now() < until {
        round += 1;
        let package = sscc(run * 100_000 + number as u64 * 10_000 + round);
        supply(&world, &recorder, &water, &wholesaler, &package).await?;
        pause(think_ms).await;
    }
    Ok(())
}

/// Opens `count` connections to the HTTP port and holds them until `until`, each asking for
/// `/healthz` every [`IDLE_PING_INTERVAL`]; `open` counts those open now.
fn idle_connections(
    world: &World,
    recorder: &Recorder,
    count: usize,
    until: Instant,
    open: Arc<AtomicUsize>,
) {
    let address = world.http.trim_start_matches("http://").to_owned();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(IDLE_OPEN_CONCURRENCY));
    for _ in 0..count {
        let (address, recorder, semaphore, open) = (
            address.clone(),
            recorder.clone(),
            semaphore.clone(),
            open.clone(),
        );
        tokio::spawn(async move {
            let permit = semaphore.acquire_owned().await.expect("never closed");
            let started = Instant::now();
            let Ok(mut stream) = tokio::net::TcpStream::connect(&address).await else {
                recorder.record("idle_connect", started, Err("CONNECT".into()));
                return;
            };
            recorder.record("idle_connect", started, Ok(()));
            open.fetch_add(1, Ordering::SeqCst);
            drop(permit);
            let mut buffer = vec![0u8; 1024];
            while Instant::now() < until {
                let started = Instant::now();
                let request = b"GET /healthz HTTP/1.1\r\nHost: tanba\r\n\r\n";
                let answered = match stream.write_all(request).await {
                    Ok(()) => matches!(stream.read(&mut buffer).await, Ok(n) if n > 0),
                    Err(_) => false,
                };
                recorder.record(
                    "idle_ping",
                    started,
                    if answered {
                        Ok(())
                    } else {
                        Err("CLOSED".into())
                    },
                );
                if !answered {
                    break;
                }
                let left = until.saturating_duration_since(Instant::now());
                tokio::time::sleep(left.min(IDLE_PING_INTERVAL)).await;
            }
            open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

fn table(report: &Value) -> String {
    let mut lines = vec![format!(
        "{:24} {:>9} {:>9} {:>8} {:>9} {:>9} {:>9}  errors",
        "operation", "ok", "per_s", "p50_ms", "p99_ms", "p99.9_ms", "max_ms"
    )];
    for (name, op) in report["operations"].as_object().into_iter().flatten() {
        lines.push(format!(
            "{:24} {:>9} {:>9} {:>8.2} {:>9.2} {:>9.2} {:>9.2}  {}",
            name,
            op["ok"],
            op["per_second"],
            op["latency_ms_p50"].as_f64().unwrap_or(0.0),
            op["latency_ms_p99"].as_f64().unwrap_or(0.0),
            op["latency_ms_p999"].as_f64().unwrap_or(0.0),
            op["latency_ms_max"].as_f64().unwrap_or(0.0),
            op["errors"],
        ));
    }
    lines.join("\n")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let world = Arc::new(load_world(&args.demo)?);
    if args.open_loop.open_loop {
        let report = open_loop::run(&args.open_loop, world).await?;
        eprintln!(
            "sustained: the arrivals of {} users ({} a second)",
            report["sustained_users"], report["sustained_arrivals_per_second"]
        );
        return write_report(&args.out, &report);
    }
    let recorder = Recorder::default();
    // Idle connections first: the mix runs while they are held.
    let open = Arc::new(AtomicUsize::new(0));
    if args.idle_connections > 0 {
        eprintln!("opening {} idle connections ...", args.idle_connections);
        let hold_until =
            Instant::now() + Duration::from_secs(args.duration_s + IDLE_BUILD_TIMEOUT.as_secs());
        idle_connections(
            &world,
            &recorder,
            args.idle_connections,
            hold_until,
            open.clone(),
        );
        let building = Instant::now();
        while open.load(Ordering::SeqCst) < args.idle_connections
            && building.elapsed() < IDLE_BUILD_TIMEOUT
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        eprintln!("{} idle connections open", open.load(Ordering::SeqCst));
    }
    let started = Instant::now();
    let until = started + Duration::from_secs(args.duration_s);
    let web = web_client()?;
    let mut tasks = Vec::new();
    for n in 0..args.http_phones {
        tasks.push(tokio::spawn(http_phone(
            world.clone(),
            web.clone(),
            recorder.clone(),
            until,
            args.phone_think_ms,
            n,
        )));
    }
    let mut connections = Vec::new();
    for _ in 0..args.grpc_connections.max(1) {
        connections.push(
            Connection::connect(&world.grpc)
                .await?
                .with_language(Language::Kk),
        );
    }
    for n in 0..args.grpc_phones {
        let connection = connections[n % connections.len()].clone();
        tasks.push(tokio::spawn(grpc_phone(
            world.clone(),
            connection,
            recorder.clone(),
            until,
            args.phone_think_ms,
            n,
        )));
    }
    let mut fallible = Vec::new();
    for n in 0..args.tills {
        fallible.push(tokio::spawn(till(
            world.clone(),
            web.clone(),
            recorder.clone(),
            until,
            args.till_think_ms,
            n,
        )));
    }
    for n in 0..args.producers {
        fallible.push(tokio::spawn(producer(
            world.clone(),
            recorder.clone(),
            until,
            args.producer_think_ms,
            n,
        )));
    }
    for task in tasks {
        task.await?;
    }
    for task in fallible {
        if let Err(error) = task.await? {
            eprintln!("a virtual user stopped: {error:#}");
        }
    }
    let elapsed = started.elapsed();
    let open_at_end = open.load(Ordering::SeqCst);
    let report = json!({
        "duration_s": elapsed.as_secs_f64(),
        "virtual_users": {
            "http_phones": args.http_phones,
            "grpc_phones": args.grpc_phones,
            "tills": args.tills,
            "producers": args.producers,
        },
        "idle_connections": { "asked": args.idle_connections, "open_at_end_of_mix": open_at_end },
        "operations": recorder.report(elapsed),
    });
    eprintln!("{}", table(&report));
    write_report(&args.out, &report)?;
    if report["operations"]
        .as_object()
        .is_none_or(|operations| operations.is_empty())
    {
        bail!("nothing was measured");
    }
    Ok(())
}

/// Writes `report` as JSON to `out`, or to stdout.
fn write_report(out: &Option<PathBuf>, report: &Value) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(report)?;
    match out {
        Some(path) => std::fs::write(path, text + "\n")?,
        None => println!("{text}"),
    }
    Ok(())
}
