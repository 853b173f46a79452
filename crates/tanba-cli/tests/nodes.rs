//! Tanba nodes as servers over one command log (issue 15, R-IS-22): the real `tanba serve
//! --nats` binary, two nodes over three NATS servers (the command stream on all three). The
//! nodes share the key ring and the sign-in secret, as every node of a cluster must.
//! - A node started later catches up with the log before it serves, and does not register the
//!   bootstrap operator a second time.
//! - A write through either node is read through the other at once, the write's log entry
//!   passed as a consistency token (`x-tanba-after`); an entry no node has is refused after
//!   a bounded wait.
//! - One node is killed with SIGKILL while the other takes writes; it starts again over its
//!   own store, catches up, and takes writes too.
//! - At the end both nodes stop cleanly; their logs are the same entry for entry, each chain
//!   verifies, and every write either node acknowledged is in them where its receipt said.

mod demo_harness;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tanba_client::{Connection, KeyFile};
use tanba_proto::v1 as pb;
use tanba_replica::cluster::{NatsCluster, Security};
use tanba_replica::{JetStreamLog, NatsAccess, StreamSettings};
use tanba_store::{Column, RocksStore, SCAN_ENTRIES_MAX, Store};
use tanba_types::{Participant, ParticipantKey, ParticipantStatus, Role, TaxpayerId};

const OPERATOR: &str = "990440000395";
const PRODUCER: &str = "960440000012";
/// The command stream's size: what each NATS server reserves for it.
const STREAM_BYTES: &str = "268435456";
/// How long the nodes may take to compare each other's log heads (a few rounds of the watch).
const HEADS_WAIT: Duration = Duration::from_secs(10);
/// Writes through each node in each phase of the test.
const WRITES_PER_PHASE: usize = 30;

/// A `tanba serve --nats` process.
/// A node: `tanba serve` over its data directory, as the harness starts any server.
type Node = demo_harness::Served;

/// Starts a node of the cluster over `data`.
fn start_node(data: &Path, config: &Path, nats: &str) -> Node {
    let args = ["--nats", nats, "--nats-stream-bytes", STREAM_BYTES].map(OsStr::new);
    let config = [OsStr::new("--config"), config.as_os_str()];
    Node::start(data, &[&config[..], &args[..]].concat())
}

/// A configuration file under `root` that registers `operator` at the first start.
fn operator_config(root: &Path, operator: &KeyFile) -> PathBuf {
    let config = root.join("tanba.toml");
    std::fs::write(
        &config,
        format!(
            "[bootstrap_operator]\nid = \"{OPERATOR}\"\nname = \"Operator\"\npublic_key_hex = \"{}\"\n",
            tanba_crypto::encoding::hex(&operator.public_key())
        ),
    )
    .unwrap();
    config
}

/// A data directory holding `from`'s key ring and sign-in secret.
fn node_directory(root: &Path, name: &str, from: &Path) -> PathBuf {
    use std::os::unix::fs::DirBuilderExt;
    let data = root.join(name);
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&data)
        .unwrap();
    for file in ["keys.json", "sign-in.secret"] {
        std::fs::copy(from.join(file), data.join(file)).unwrap();
    }
    data
}

fn participant(key: &KeyFile, role: Role) -> Participant {
    Participant {
        id: key.participant,
        name: format!("participant {}", key.participant),
        roles: [role].into_iter().collect(),
        keys: vec![ParticipantKey {
            algorithm: "ed25519".into(),
            public_key: key.public_key(),
        }],
        status: ParticipantStatus::Active,
    }
}

/// Suspends and reinstates the producer in turn through `operator`, `count` times; the
/// receipts.
async fn writes(operator: &Connection, producer: TaxpayerId, count: usize) -> Vec<pb::Receipt> {
    let mut receipts = Vec::new();
    for n in 0..count {
        receipts.push(operator.set_suspended(producer, n % 2 == 0).await.unwrap());
    }
    receipts
}

/// The HTTP door honours the token as the gRPC door does: an answer after entry `last` to a
/// signed-in caller says how far the node had applied, and a token that is not a number is
/// refused.
async fn http_door_reads_after(node: &Node, operator: &KeyFile, last: u64) {
    let web = reqwest::Client::new();
    let token = demo_harness::http_token_at(&web, &node.http, operator).await;
    // The home page: a call (health and metrics are not).
    let home = format!("{}/", node.http);
    let answer = (web.get(&home).bearer_auth(&token))
        .header("x-tanba-after", last.to_string())
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{answer:?}");
    let applied: u64 = answer.headers()["x-tanba-sequence"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(applied >= last, "{applied} < {last}");
    // A stranger is not told how far the log is.
    let anonymous = web.get(&home).send().await.unwrap();
    assert!(anonymous.headers().get("x-tanba-sequence").is_none());
    let malformed = (web.get(&home).bearer_auth(&token))
        .header("x-tanba-after", "soon")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), reqwest::StatusCode::BAD_REQUEST);
    assert!(
        malformed
            .text()
            .await
            .unwrap()
            .contains("TANBA-SERVER-INVALID")
    );
}

/// A violation report taken by one node is a fact of the log: the authorities' list on the
/// other node holds it, under the same id, as soon as that node has applied its entry.
async fn public_reports_reach_every_node(taker: &Node, other: &Node, operator: &KeyFile) {
    let web = reqwest::Client::new();
    let comment = "sold from a van without codes";
    let body = serde_json::json!({ "kind": "no_code", "comment": comment });
    let answer = web
        .post(format!("{}/v1/reports", taker.http))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{answer:?}");
    let id = answer.json::<serde_json::Value>().await.unwrap()["report"]
        .as_u64()
        .unwrap();
    let reader = other.signed_in(operator).await.reading_after(id);
    let listed = reader.violation_reports(None).await.unwrap();
    let report = listed.iter().find(|report| report.id == id);
    assert_eq!(report.map(|report| report.comment.as_str()), Some(comment));
}

/// Every entry of a node's log, read from its store once it has stopped.
fn log_entries(data: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let store = RocksStore::open(&data.join("engine")).unwrap();
    let keys = tanba_server::open_key_ring(data, 0)
        .unwrap()
        .public_key_set();
    tanba_engine::verify_log(&store, &keys, None).unwrap();
    let snapshot = store.snapshot();
    let mut entries: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    loop {
        let start = entries.last().map_or_else(Vec::new, |(key, _)| {
            let mut next = key.clone();
            next.push(0);
            next
        });
        let page = (snapshot.scan_from(Column::Log, &[], &start, SCAN_ENTRIES_MAX)).unwrap();
        let full = page.len() == SCAN_ENTRIES_MAX;
        entries.extend(page);
        if !full {
            return entries;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_is_22_two_nodes_serve_one_log_through_a_kill() {
    let cluster = tokio::task::block_in_place(|| NatsCluster::start(3)).unwrap();
    let nats = cluster.urls();
    let root = tempfile::tempdir().unwrap();
    let operator = KeyFile::generate(OPERATOR.parse().unwrap());
    let config = operator_config(root.path(), &operator);

    let first_data = root.path().join("first");
    let mut first = tokio::task::block_in_place(|| start_node(&first_data, &config, &nats));
    let second_data = node_directory(root.path(), "second", &first_data);
    let mut second = tokio::task::block_in_place(|| start_node(&second_data, &config, &nats));

    // Registered through the first, read through the second at once: the write's log entry is
    // the consistency token.
    let producer = KeyFile::generate(PRODUCER.parse().unwrap());
    let through_first = first.signed_in(&operator).await;
    let registered = (through_first.register_participant(&participant(&producer, Role::Producer)))
        .await
        .unwrap();
    let reader = second.signed_in(&operator).await;
    let on_second = reader.clone().reading_after(registered.last_sequence);
    on_second
        .get_participant(producer.participant)
        .await
        .unwrap();
    // An entry no node has yet: refused once the bounded wait is over, and said so.
    let ahead = reader.reading_after(registered.last_sequence + 1_000_000);
    let refused = demo_harness::refusal(ahead.get_participant(producer.participant).await);
    assert_eq!(refused, "TANBA-SERVER-BEHIND");

    // Writes through both, then through the second while the first is killed and restarted.
    let through_second = second.signed_in(&operator).await;
    let mut acknowledged = writes(&through_first, producer.participant, WRITES_PER_PHASE).await;
    acknowledged.extend(writes(&through_second, producer.participant, WRITES_PER_PHASE).await);
    let load = {
        let through_second = through_second.clone();
        let producer = producer.participant;
        tokio::spawn(async move { writes(&through_second, producer, WRITES_PER_PHASE).await })
    };
    tokio::task::block_in_place(|| first.kill());
    let first_restarted = tokio::task::block_in_place(|| start_node(&first_data, &config, &nats));
    acknowledged.extend(load.await.unwrap());
    let through_first = first_restarted.signed_in(&operator).await;
    acknowledged.extend(writes(&through_first, producer.participant, WRITES_PER_PHASE).await);
    let mut first = first_restarted;

    // Both answer after the last write, asked with its entry: the producer reinstated (each
    // phase ends so).
    let last = acknowledged
        .iter()
        .map(|receipt| receipt.last_sequence)
        .max()
        .unwrap();
    for node in [&first, &second] {
        let reader = node.signed_in(&operator).await.reading_after(last);
        let card = reader.get_participant(producer.participant).await.unwrap();
        assert!(!card.suspended, "reinstated by the last write: {card:?}");
        http_door_reads_after(node, &operator, last).await;
    }
    public_reports_reach_every_node(&first, &second, &operator).await;
    // Each node compares the other's head with its own log (over the JetStream board) and
    // goes on serving.
    for node in [&first, &second] {
        let web = reqwest::Client::new();
        let deadline = Instant::now() + HEADS_WAIT;
        while demo_harness::metric_at(&web, &node.http, "tanba_heads_compared").await < Some(1.0) {
            assert!(Instant::now() < deadline, "no head compared");
            tokio::time::sleep(HEADS_WAIT / 40).await;
        }
        assert_eq!(
            demo_harness::metric_at(&web, &node.http, "tanba_node_diverged").await,
            Some(0.0)
        );
    }
    assert!(tokio::task::block_in_place(|| first.terminate()).success());
    assert!(tokio::task::block_in_place(|| second.terminate()).success());

    let logs = [log_entries(&first.data), log_entries(&second.data)];
    assert_eq!(logs[0].len(), logs[1].len(), "as many entries on each node");
    assert!(
        logs[0] == logs[1],
        "the same log on both nodes, entry for entry"
    );
    let sequences: std::collections::BTreeSet<u64> = (logs[0].iter())
        .map(|(key, _)| tanba_engine::keys::trailing_u64(key).unwrap())
        .collect();
    for receipt in &acknowledged {
        assert!(sequences.contains(&receipt.last_sequence), "{receipt:?}");
    }
    let mut seen = std::collections::BTreeSet::new();
    for receipt in &acknowledged {
        assert!(
            seen.insert(receipt.first_sequence),
            "one entry per write: {receipt:?}"
        );
    }
    drop(cluster);
}

// ---------------------------------------------------------------------------------------------
// Three nodes over three NATS servers behind accounts and TLS, through faults.

/// The password of the NATS account's user (the nodes').
const NATS_PASSWORD: &str = "nodes7secret";
/// How long the cluster may take to come back from a fault: a stream leader elected again, a
/// node reconnected, caught up, or restored.
const RECOVERY_WAIT: Duration = Duration::from_secs(90);
/// The pause after a write refused while a fault is under way.
const FAULT_RETRY_PAUSE: Duration = Duration::from_millis(200);

/// TCP proxies on loopback, one before each NATS server: a node given their addresses reaches
/// NATS only through them, and is cut off the network (every connection dropped, new ones
/// refused) until healed. The servers do not advertise each other, so the node cannot go round.
struct Cable {
    /// The proxies' URLs, in the servers' order.
    urls: String,
    cut: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Cable {
    async fn lay(urls: &str) -> Cable {
        let cut = Arc::new(AtomicBool::new(false));
        let links = Arc::new(Mutex::new(Vec::new()));
        let mut ends = Vec::new();
        for url in urls.split(',') {
            let upstream = url.trim_start_matches("nats://").to_owned();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            ends.push(format!("nats://{}", listener.local_addr().unwrap()));
            let (cut, links) = (cut.clone(), links.clone());
            tokio::spawn(async move {
                while let Ok((mut near, _)) = listener.accept().await {
                    if cut.load(Ordering::SeqCst) {
                        continue;
                    }
                    let upstream = upstream.clone();
                    let link = tokio::spawn(async move {
                        if let Ok(mut far) = tokio::net::TcpStream::connect(&upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut near, &mut far).await;
                        }
                    });
                    links.lock().unwrap().push(link.abort_handle());
                    // Cut between the accept and the push: this link goes too.
                    if cut.load(Ordering::SeqCst) {
                        link.abort();
                    }
                }
            });
        }
        Cable {
            urls: ends.join(","),
            cut,
            links,
        }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn heal(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

/// Starts a node over `data` that reaches the NATS servers at `nats` as the `TANBA` account's
/// user, over TLS to servers `authority` signed, with `environment` besides.
fn start_secured_node(
    data: &Path,
    config: &Path,
    nats: &str,
    authority: &Path,
    environment: &[(&str, &str)],
) -> Node {
    let args = [
        "--nats",
        nats,
        "--nats-stream-bytes",
        STREAM_BYTES,
        "--nats-user",
        "tanba",
    ]
    .map(OsStr::new);
    let files = [
        OsStr::new("--nats-ca"),
        authority.as_os_str(),
        OsStr::new("--config"),
        config.as_os_str(),
    ];
    let mut environment = environment.to_vec();
    environment.push(("TANBA_NATS_PASSWORD", NATS_PASSWORD));
    Node::start_with_env(data, &[&args[..], &files[..]].concat(), &environment)
}

/// [`writes`], going on past refusals while a fault is under way: the receipts of the writes
/// acknowledged.
async fn writes_through_faults(
    operator: Connection,
    producer: TaxpayerId,
    count: usize,
) -> Vec<pb::Receipt> {
    let mut receipts = Vec::new();
    for n in 0..count {
        match operator.set_suspended(producer, n % 2 == 0).await {
            Ok(receipt) => receipts.push(receipt),
            Err(_) => tokio::time::sleep(FAULT_RETRY_PAUSE).await,
        }
    }
    receipts
}

/// Waits until `node` answers a read after entry `last` (it has applied it).
async fn caught_up(node: &Node, operator: &KeyFile, producer: TaxpayerId, last: u64) {
    let deadline = Instant::now() + RECOVERY_WAIT;
    let reader = node.signed_in(operator).await.reading_after(last);
    while reader.get_participant(producer).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "{} never applied {last}",
            node.http
        );
        tokio::time::sleep(FAULT_RETRY_PAUSE).await;
    }
}

/// Defines a category (as the operator, through `operator`), registers a product of
/// `producer` and orders codes of it through `node`; the product's registration receipt, once
/// the order's codes are all issued.
async fn order_issued_through(
    node: &Node,
    operator: &Connection,
    producer: &KeyFile,
) -> pb::Receipt {
    const ORDERED: u32 = 100;
    let names = |text: &str| tanba_types::Names {
        kk: text.into(),
        ru: text.into(),
        en: Some(text.into()),
    };
    let category = tanba_types::Category {
        code: "water".into(),
        names: names("Water"),
        tail_profile: tanba_types::TailProfile::Full,
        return_period_days: 14,
        control_list_code: None,
    };
    operator.define_category(&category).await.unwrap();
    let through = node.signed_in(producer).await;
    let gtin = tanba_types::Gtin::parse("04870000000005").unwrap();
    let product = tanba_types::Product {
        gtin,
        names: names("Drinking water, 1 l"),
        producer_name: "Water works".into(),
        producer: Some(producer.participant),
        importer: None,
        country: "KZ".into(),
        hs_code: "2201101100".parse().unwrap(),
        category: "water".into(),
        level: tanba_types::PackageLevel::Unit,
        shelf_life_days: Some(365),
    };
    let registered = through.register_product(&product).await.unwrap();
    let order = (through.order_and_wait(gtin, ORDERED, RECOVERY_WAIT, |_| {}))
        .await
        .unwrap();
    assert_eq!(
        through.download_all(order).await.unwrap().len(),
        ORDERED as usize
    );
    registered
}

/// The last log entry of the receipts.
fn last_entry(receipts: &[pb::Receipt]) -> u64 {
    (receipts.iter())
        .map(|receipt| receipt.last_sequence)
        .max()
        .unwrap_or(0)
}

/// The snapshot under `directory` holding the furthest log head (`tanba snapshot list`).
fn latest_snapshot(directory: &Path) -> PathBuf {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tanba"))
        .args(["snapshot".as_ref(), "list".as_ref(), directory.as_os_str()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let listed = String::from_utf8(output.stdout).unwrap();
    let latest = (listed.lines()).max_by_key(|line| {
        let head = line
            .split('\t')
            .nth(1)
            .unwrap()
            .strip_prefix("head ")
            .unwrap();
        head.parse::<u64>().unwrap()
    });
    PathBuf::from(
        latest
            .expect("a snapshot was written")
            .split('\t')
            .next()
            .unwrap(),
    )
}

/// Waits until `node` has compared another node's head, and checks it has not diverged.
async fn compares_heads_agreeing(node: &Node) {
    let web = reqwest::Client::new();
    let deadline = Instant::now() + HEADS_WAIT;
    while demo_harness::metric_at(&web, &node.http, "tanba_heads_compared").await < Some(2.0) {
        assert!(
            Instant::now() < deadline,
            "{}: no heads compared",
            node.http
        );
        tokio::time::sleep(HEADS_WAIT / 40).await;
    }
    let diverged = demo_harness::metric_at(&web, &node.http, "tanba_node_diverged").await;
    assert_eq!(diverged, Some(0.0), "{}", node.http);
    let forged = demo_harness::metric_at(&web, &node.http, "tanba_forged_batches").await;
    assert_eq!(forged, Some(0.0), "{}", node.http);
}

/// How long the three nodes' test may take in all: past it, it fails where it is instead of
/// holding up the run (it takes about 40 s on 2 cores).
const THREE_NODES_BOUND: Duration = Duration::from_secs(480);

/// Says when each phase of a long test begins, in seconds from its start: a failure's output
/// shows how far the test came and how long each phase took.
struct Phases(Instant);

impl Phases {
    fn begin(&self, what: &str) {
        eprintln!("[{:6.1} s] {what}", self.0.elapsed().as_secs_f64());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_is_22_three_nodes_keep_every_acknowledged_write_through_kills_a_cut_and_a_restore() {
    let bounded = tokio::time::timeout(THREE_NODES_BOUND, three_nodes_through_faults()).await;
    assert!(
        bounded.is_ok(),
        "the three nodes' test did not end in {THREE_NODES_BOUND:?}; its last phase is above"
    );
}

async fn three_nodes_through_faults() {
    let phases = Phases(Instant::now());
    phases.begin("three NATS servers");
    let root = tempfile::tempdir().unwrap();
    let (security, authority) =
        Security::with_test_tls(root.path(), NATS_PASSWORD, "tenant7secret").unwrap();
    let mut servers =
        tokio::task::block_in_place(|| NatsCluster::start_secured(3, Some(&security))).unwrap();
    let nats = servers.urls();
    let cable = Cable::lay(&nats).await;
    let operator = KeyFile::generate(OPERATOR.parse().unwrap());
    let config = operator_config(root.path(), &operator);
    let snapshots = root.path().join("snapshots");
    let start = |data: &Path, nats: &str, environment: &[(&str, &str)]| {
        tokio::task::block_in_place(|| {
            start_secured_node(data, &config, nats, &authority, environment)
        })
    };
    phases.begin("nodes A, B and C");
    let a_data = root.path().join("a");
    let snapshot_settings = [
        ("TANBA_SNAPSHOT_DIR", snapshots.to_str().unwrap()),
        ("TANBA_SNAPSHOT_INTERVAL_SECONDS", "1"),
    ];
    let mut a = start(&a_data, &nats, &snapshot_settings);
    let b_data = node_directory(root.path(), "b", &a_data);
    let mut b = start(&b_data, &nats, &[]);
    // C reaches NATS through the cable only.
    let c_data = node_directory(root.path(), "c", &a_data);
    let mut c = start(&c_data, &cable.urls, &[]);

    // A producer per node, each toggled through its node alone (no two writers race for a card).
    let producers: Vec<TaxpayerId> = (["960440000012", "990540000399", "040340004565"].iter())
        .map(|id| id.parse().unwrap())
        .collect();
    let (to_a, to_b, to_c) = (
        a.signed_in(&operator).await,
        b.signed_in(&operator).await,
        c.signed_in(&operator).await,
    );
    let producer_keys: Vec<KeyFile> = producers.iter().map(|id| KeyFile::generate(*id)).collect();
    let mut registered = Vec::new();
    for key in &producer_keys {
        let card = participant(key, Role::Producer);
        registered.push(to_a.register_participant(&card).await.unwrap());
    }
    caught_up(&c, &operator, producers[2], last_entry(&registered)).await;

    // Writes through the three at once.
    phases.begin("writes through the three");
    let (through_a, through_b, through_c) = tokio::join!(
        writes(&to_a, producers[0], WRITES_PER_PHASE),
        writes(&to_b, producers[1], WRITES_PER_PHASE),
        writes(&to_c, producers[2], WRITES_PER_PHASE),
    );
    let mut acknowledged = [through_a, through_b, through_c].concat();

    // The stream's leader killed (SIGKILL) under writes through A and B, and started again.
    phases.begin("the stream's leader killed");
    let settings = StreamSettings {
        bytes_max: STREAM_BYTES.parse().unwrap(),
        access: NatsAccess {
            user: Some(("tanba".into(), NATS_PASSWORD.into())),
            ca_certificate: Some(authority.clone()),
        },
        ..StreamSettings::default()
    };
    let leader = tokio::task::block_in_place(|| {
        let watcher = JetStreamLog::connect(&nats, settings).unwrap();
        watcher
            .leader()
            .unwrap()
            .expect("a stream of three has a leader")
    });
    let loads = [(&to_a, producers[0]), (&to_b, producers[1])].map(|(to, producer)| {
        tokio::spawn(writes_through_faults(
            to.clone(),
            producer,
            WRITES_PER_PHASE,
        ))
    });
    let leader_index = servers.index_of(&leader).unwrap();
    tokio::task::block_in_place(|| servers.kill(leader_index)).unwrap();
    for load in loads {
        let receipts = load.await.unwrap();
        assert!(
            !receipts.is_empty(),
            "no write went through past the leader's death"
        );
        acknowledged.extend(receipts);
    }
    tokio::task::block_in_place(|| servers.restart(leader_index)).unwrap();

    // Node B killed (SIGKILL) under writes through A; started again over its own store, it
    // catches up and takes writes.
    phases.begin("node B killed");
    let load = tokio::spawn(writes_through_faults(
        to_a.clone(),
        producers[0],
        WRITES_PER_PHASE,
    ));
    tokio::task::block_in_place(|| b.kill());
    b = start(&b_data, &nats, &[]);
    acknowledged.extend(load.await.unwrap());
    let to_b = b.signed_in(&operator).await;
    acknowledged.extend(writes(&to_b, producers[1], WRITES_PER_PHASE).await);

    // C cut off the network: A and B go on; C still answers reads, at its own position, and
    // cannot have applied what came since. Healed, it catches up.
    phases.begin("node C cut off");
    caught_up(&c, &operator, producers[2], last_entry(&acknowledged)).await;
    cable.cut();
    let during_cut = writes(&to_a, producers[0], WRITES_PER_PHASE).await;
    let stale = to_c.get_participant(producers[0]).await;
    assert!(stale.is_ok(), "a cut node still answers reads: {stale:?}");
    let ahead = to_c.clone().reading_after(last_entry(&during_cut));
    let refused = demo_harness::refusal(ahead.get_participant(producers[0]).await);
    assert_eq!(
        refused, "TANBA-SERVER-BEHIND",
        "the cut node applied writes it cannot see"
    );
    acknowledged.extend(during_cut);
    cable.heal();
    caught_up(&c, &operator, producers[2], last_entry(&acknowledged)).await;
    acknowledged.extend(writes(&to_c, producers[2], WRITES_PER_PHASE).await);

    // C started again from A's latest snapshot, into a data directory of its own: it replays
    // the stream from the snapshot's position and takes writes.
    phases.begin("node C restored from a snapshot");
    tokio::task::block_in_place(|| c.kill());
    let restored_data = root.path().join("c-restored");
    let restored = std::process::Command::new(env!("CARGO_BIN_EXE_tanba"))
        .args(["snapshot", "restore"])
        .arg(latest_snapshot(&snapshots))
        .arg("--data")
        .arg(&restored_data)
        .output()
        .unwrap();
    assert!(restored.status.success(), "{restored:?}");
    c = start(&restored_data, &cable.urls, &[]);
    caught_up(&c, &operator, producers[2], last_entry(&acknowledged)).await;
    let to_c = c.signed_in(&operator).await;
    acknowledged.extend(writes(&to_c, producers[2], WRITES_PER_PHASE).await);

    // An order placed through B is issued by the one node that holds the steward's lease,
    // over the real stream: exactly as many codes as ordered.
    phases.begin("an order through B");
    let to_b = b.signed_in(&operator).await;
    acknowledged.push(to_b.set_suspended(producers[1], false).await.unwrap());
    acknowledged.push(order_issued_through(&b, &to_b, &producer_keys[1]).await);
    let web = reqwest::Client::new();
    let mut stewards = 0.0;
    for node in [&a, &b, &c] {
        stewards += (demo_harness::metric_at(&web, &node.http, "tanba_steward").await).unwrap();
    }
    assert_eq!(stewards, 1.0, "one steward among the three");

    // D, new, given the cluster's keys and no store, begins from the latest snapshot A put on
    // the cluster's shelf, and reads the stream from there.
    phases.begin("node D from the shelf");
    let d_data = node_directory(root.path(), "d", &a_data);
    let mut d = start(&d_data, &nats, &[]);
    let began = demo_harness::metric_at(&web, &d.http, "tanba_began_from_snapshot_sequence");
    assert!(
        began.await.unwrap() > 0.0,
        "D began from a shelved snapshot"
    );

    // Any node answers for the calls another node served: A's audit trail, read on B.
    phases.begin("A's audit trail on B");
    let a_name = std::fs::read_to_string(a_data.join("node-name")).unwrap();
    let query = |node: Option<&str>| tanba_client::AuditQuery {
        participant: Some(OPERATOR.parse().unwrap()),
        node: node.map(str::to_owned),
        limit: 20,
        ..tanba_client::AuditQuery::default()
    };
    let on_a = to_a.query_audit(&query(None)).await.unwrap();
    let copied = to_b.query_audit(&query(Some(a_name.trim()))).await.unwrap();
    assert!(!copied.is_empty(), "B holds A's trail");
    assert_eq!(
        copied[0].hash, on_a[0].hash,
        "the same records, the same chain"
    );

    // The end: every node at the last write, comparing heads, none diverged or forged.
    phases.begin("every node at the last write");
    let last = last_entry(&acknowledged);
    for node in [&a, &b, &c, &d] {
        caught_up(node, &operator, producers[0], last).await;
        compares_heads_agreeing(node).await;
    }
    for node in [&mut a, &mut b, &mut c, &mut d] {
        assert!(tokio::task::block_in_place(|| node.terminate()).success());
    }
    let logs = [&a, &b, &c, &d].map(|node| log_entries(&node.data));
    assert!(
        logs[0] == logs[1] && logs[1] == logs[2] && logs[2] == logs[3],
        "one log, entry for entry"
    );
    let sequences: std::collections::BTreeSet<u64> = (logs[0].iter())
        .map(|(key, _)| tanba_engine::keys::trailing_u64(key).unwrap())
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for receipt in &acknowledged {
        assert!(sequences.contains(&receipt.last_sequence), "{receipt:?}");
        assert!(
            seen.insert(receipt.first_sequence),
            "one entry per write: {receipt:?}"
        );
    }
    drop(servers);
}
