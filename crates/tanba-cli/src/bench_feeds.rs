//! `tanba bench --feeds`: feeds over real sockets (gRPC on loopback), one JSON object per
//! workload, as `tanba bench` prints them:
//! - `feed_store_read`: the store side alone, the whole log read in a feed's runs;
//! - `feed_one_follower`: one follower reads the whole log (`all`) from the start, as fast as
//!   it streams, three rounds (the first cold); operations are entries received;
//! - `feed_verify`: one follower reads the tax feed from the start and proves it
//!   (`FeedVerifier`: every record decoded, every chain hash and checkpoint checked);
//! - `sales_alone`, `sales_with_followers`: the writer's sales alone and with ten ministries
//!   following the tax feed live, alternated twice in one run so the machine's noise falls on
//!   both; `followed` reports what the followers received.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::json;
use tanba_client::feeds::FeedVerifier;
use tanba_client::{Connection, KeyFile};
use tanba_engine::workload::{self, World};
use tanba_engine::{Clock, Engine};
use tanba_proto::v1 as pb;
use tanba_types::{
    Actor, CodeKey, Command, Participant, ParticipantKey, ParticipantStatus, Role, TaxpayerId,
};

use crate::bench_command::{ORDER_TIMEOUT, report, sales};

/// How big the feed workloads are.
struct FeedScale {
    /// Sales in the log before the followers start.
    log_sales: usize,
    /// Sales per timed round of the write comparison.
    round_sales: usize,
}

const FULL: FeedScale = FeedScale {
    log_sales: 700_000,
    round_sales: 75_000,
};
const QUICK: FeedScale = FeedScale {
    log_sales: 200_000,
    round_sales: 30_000,
};

/// Ministries following the tax feed during `sales_with_followers`.
const FOLLOWERS: usize = 10;
/// Rounds of each kind in the write comparison.
const ROUNDS: usize = 2;
/// Times the one follower reads the whole log (this machine's noise is as large as the
/// differences measured: more rounds in one run, and a phase long enough to profile).
const FOLLOWER_ROUNDS: usize = 3;

/// Runs the feed workloads on a server over a fresh data directory in `parent`.
pub fn run(quick: bool, parent: &std::path::Path, tills: usize) -> Result<()> {
    let scale = if quick { &QUICK } else { &FULL };
    let dir = tempfile::Builder::new()
        .prefix("tanba-bench-feeds-")
        .tempdir_in(parent)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let config = tanba_server::ServerConfig {
            data_dir: dir.path().join("data"),
            http_addr: "127.0.0.1:0".parse()?,
            grpc_addr: "127.0.0.1:0".parse()?,
            ..tanba_server::ServerConfig::default()
        };
        let server = tanba_server::RunningServer::start(config)
            .await
            .context("starting the server")?;
        let engine = &server.app.engine;
        // The engine's own calls block on their answer: off the runtime's threads.
        let (world, followers, codes) = tokio::task::block_in_place(|| {
            let world = World::register(engine)?;
            let followers = register_followers(engine)?;
            let total = scale.log_sales + 2 * ROUNDS * scale.round_sales;
            let codes = stock(engine, &world, total)?;
            anyhow::Ok((world, followers, codes))
        })?;
        let (log, rounds) = codes.split_at(scale.log_sales);
        tokio::task::block_in_place(|| sales(engine, world.retailer, log, tills, "sales_log"))?;
        let address = server.grpc_addr.to_string();
        let keys =
            std::fs::read_to_string(dir.path().join("data").join(tanba_server::PUBLIC_KEYS_FILE))?;
        let keys = tanba_crypto::PublicKeySet::from_json(&keys)?;
        tokio::task::block_in_place(|| store_read(engine))?;
        one_follower(&address, &followers[0]).await?;
        verify_follower(&address, &followers[0], keys).await?;
        compare_writes(engine, &world, &address, &followers, rounds, scale, tills).await?;
        server.shutdown().await;
        anyhow::Ok(())
    })
}

/// Ten ministries with keys, to follow as ten participants (each may hold only a few feeds);
/// the first is the operator too, to read the whole log.
fn register_followers(engine: &Engine) -> Result<Vec<KeyFile>> {
    (0..FOLLOWERS as u64)
        .map(|n| {
            let id = taxpayer(970_000_000 + n);
            let key = KeyFile::generate(id);
            engine.execute(
                Actor::System,
                Command::RegisterParticipant(Participant {
                    id,
                    name: format!("Ministry {n}"),
                    roles: match n {
                        0 => BTreeSet::from([Role::Ministry, Role::Operator]),
                        _ => BTreeSet::from([Role::Ministry]),
                    },
                    keys: vec![ParticipantKey {
                        algorithm: "ed25519".into(),
                        public_key: key.public_key().to_vec(),
                    }],
                    status: ParticipantStatus::Active,
                }),
            )?;
            Ok(key)
        })
        .collect()
}

/// A valid BIN from an 11-digit payload number (the next payload with a check digit).
fn taxpayer(n: u64) -> TaxpayerId {
    (n..)
        .find_map(|candidate| {
            let payload = format!("{:011}", 40_000_000_000 + candidate % 10_000_000_000);
            let digits: [u8; 11] = payload
                .bytes()
                .map(|byte| byte - b'0')
                .collect::<Vec<_>>()
                .try_into()
                .ok()?;
            let check = tanba_types::kz::taxpayer_check_digit(&digits)?;
            TaxpayerId::parse(&format!("{payload}{check}")).ok()
        })
        .expect("a payload with a check digit")
}

/// `count` codes issued, introduced and on the retailer's shelf.
fn stock(engine: &Engine, world: &World, count: usize) -> Result<Vec<CodeKey>> {
    let mut codes = Vec::with_capacity(count);
    while codes.len() < count {
        // An order holds at most ORDER_QUANTITY_MAX codes.
        let quantity = (count - codes.len()).min(tanba_types::limits::ORDER_QUANTITY_MAX as usize);
        let order = world.order(engine, world.short_gtin, quantity as u32, ORDER_TIMEOUT)?;
        codes.extend(workload::order_codes(engine, order)?);
    }
    let today = tanba_types::Date::from_unix_ms_in_kz(tanba_engine::SystemClock.now_ms());
    world.bring_into_circulation(engine, &codes, today)?;
    world.deliver(engine, world.retailer, &codes)?;
    Ok(codes)
}

async fn signed_in(address: &str, key: &KeyFile) -> Result<Connection> {
    let mut connection = Connection::connect(address).await?;
    connection.sign_in(key).await?;
    Ok(connection)
}

fn request(kind: &str, after: u64, until: u64) -> pb::FollowFeedRequest {
    pb::FollowFeedRequest {
        kind: kind.into(),
        after,
        until,
        without_proof: false,
    }
}

/// The store side of a feed alone: the whole log read in feed-sized runs, no network.
fn store_read(engine: &Engine) -> Result<()> {
    let head = engine.head().sequence;
    let started = Instant::now();
    let (mut position, mut bytes) = (0, 0u64);
    while position < head {
        let snapshot = engine.snapshot();
        let entries = tanba_engine::feed::entries_after(
            snapshot.as_ref(),
            position,
            tanba_server::service::feeds::FEED_BATCH_ENTRIES_MAX,
            tanba_server::service::feeds::FEED_BATCH_BYTES_MAX,
        )?;
        for entry in &entries {
            bytes += entry.record.len() as u64;
            position = entry.sequence;
        }
    }
    report(
        "feed_store_read",
        head,
        started.elapsed(),
        None,
        json!({ "record_bytes": bytes }),
    );
    Ok(())
}

/// One follower (with the operator's role) reads the whole log, every entry with its record,
/// [`FOLLOWER_ROUNDS`] times (the first from a cold store, the rest warm), each reported.
async fn one_follower(address: &str, key: &KeyFile) -> Result<()> {
    let connection = signed_in(address, key).await?;
    let until = log_head(&connection).await?;
    for round in 1..=FOLLOWER_ROUNDS {
        let started = Instant::now();
        let mut stream = connection.follow_feed(request("all", 0, until)).await?;
        let (mut entries, mut bytes) = (0u64, 0u64);
        while let Some(batch) = stream.message().await? {
            for item in &batch.items {
                if let Some(pb::feed_item::Item::Entry(entry)) = &item.item {
                    entries += 1;
                    bytes += entry.record.len() as u64;
                }
            }
        }
        report(
            "feed_one_follower",
            entries,
            started.elapsed(),
            None,
            json!({ "record_bytes": bytes, "feed": "all", "round": round }),
        );
    }
    Ok(())
}

/// The head, as a follower learns it: the first heartbeat of a feed that starts there.
async fn log_head(connection: &Connection) -> Result<u64> {
    let mut stream = connection
        .follow_feed(pb::FollowFeedRequest {
            kind: "tax".into(),
            after: 0,
            until: 0,
            without_proof: true,
        })
        .await?;
    loop {
        let batch = stream.message().await?.context("the feed ended")?;
        for item in batch.items {
            if let Some(pb::feed_item::Item::Heartbeat(beat)) = item.item {
                return Ok(beat.head);
            }
        }
    }
}

async fn verify_follower(
    address: &str,
    key: &KeyFile,
    keys: tanba_crypto::PublicKeySet,
) -> Result<()> {
    let connection = signed_in(address, key).await?;
    let until = log_head(&connection).await?;
    let mut verifier = FeedVerifier::new(keys, "tax")?;
    let started = Instant::now();
    let mut stream = connection.follow_feed(request("tax", 0, until)).await?;
    while let Some(batch) = stream.message().await? {
        for item in &batch.items {
            verifier.push(item)?;
        }
    }
    let proof = verifier.proof();
    report(
        "feed_verify",
        proof.entries,
        started.elapsed(),
        None,
        json!({ "included": proof.included, "checkpoint": proof.checkpoint.as_ref().map(|c| c.sequence) }),
    );
    Ok(())
}

/// Sales alone and with ten live followers, alternated.
async fn compare_writes(
    engine: &Engine,
    world: &World,
    address: &str,
    followers: &[KeyFile],
    codes: &[CodeKey],
    scale: &FeedScale,
    tills: usize,
) -> Result<()> {
    let mut rounds = codes.chunks(scale.round_sales);
    for _ in 0..ROUNDS {
        let alone = rounds.next().context("codes for a round")?;
        tokio::task::block_in_place(|| sales(engine, world.retailer, alone, tills, "sales_alone"))?;
        let followed = rounds.next().context("codes for a round")?;
        let stop = Arc::new(AtomicBool::new(false));
        let received = Arc::new(AtomicU64::new(0));
        let head = engine.head().sequence;
        let mut tasks = Vec::new();
        for key in followers {
            let connection = signed_in(address, key).await?;
            let mut stream = connection.follow_feed(request("tax", head, 0)).await?;
            let (stop, received) = (stop.clone(), received.clone());
            tasks.push(tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let Ok(Ok(Some(batch))) =
                        tokio::time::timeout(Duration::from_millis(200), stream.message()).await
                    else {
                        continue;
                    };
                    let entries = batch
                        .items
                        .iter()
                        .filter(|item| matches!(item.item, Some(pb::feed_item::Item::Entry(_))))
                        .count();
                    received.fetch_add(entries as u64, Ordering::Relaxed);
                }
            }));
        }
        tokio::task::block_in_place(|| {
            sales(
                engine,
                world.retailer,
                followed,
                tills,
                "sales_with_followers",
            )
        })?;
        // Let the followers drain what is written, then stop them.
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop.store(true, Ordering::Relaxed);
        for task in tasks {
            task.await?;
        }
        println!(
            "{}",
            json!({
                "workload": "followed",
                "followers": followers.len(),
                "sales": followed.len(),
                "entries_received": received.load(Ordering::Relaxed),
            })
        );
    }
    Ok(())
}
