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

use tanba_client::{Connection, KeyFile};
use tanba_proto::v1 as pb;
use tanba_replica::cluster::NatsCluster;
use tanba_store::{Column, RocksStore, SCAN_ENTRIES_MAX, Store};
use tanba_types::{Participant, ParticipantKey, ParticipantStatus, Role, TaxpayerId};

const OPERATOR: &str = "990440000395";
const PRODUCER: &str = "960440000012";
/// The command stream's size: what each NATS server reserves for it.
const STREAM_BYTES: &str = "268435456";
/// How long the nodes may take to compare each other's log heads (a few rounds of the watch).
const HEADS_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
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
    let config = root.path().join("tanba.toml");
    std::fs::write(
        &config,
        format!(
            "[bootstrap_operator]\nid = \"{OPERATOR}\"\nname = \"Operator\"\npublic_key_hex = \"{}\"\n",
            tanba_crypto::encoding::hex(&operator.public_key())
        ),
    )
    .unwrap();

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
    // Each node compares the other's head with its own log (over the JetStream board) and
    // goes on serving.
    for node in [&first, &second] {
        let web = reqwest::Client::new();
        let deadline = std::time::Instant::now() + HEADS_WAIT;
        while demo_harness::metric_at(&web, &node.http, "tanba_heads_compared").await < Some(1.0) {
            assert!(std::time::Instant::now() < deadline, "no head compared");
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
