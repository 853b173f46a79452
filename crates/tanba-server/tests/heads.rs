//! A node of a cluster watches the other nodes' log heads (R-IS-22, issue 15): it publishes
//! its own on the cluster's board under its name, goes on serving while no more nodes differ
//! from its log than agree with it, and once they do it refuses every call at both doors and
//! fails its health check. Only the node holding the cluster's steward lease issues codes.
//! Heads not sealed with the cluster's secret are not counted. Every blob the log names reaches
//! every node through the cluster's shelf. The board and the shelf here are in memory; the
//! server, its store and its doors are real (the JetStream board and shelf pass
//! `tanba-replica`'s conformance suite).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tanba_client::Connection;
use tanba_crypto::sign_in::SignInSecret;
use tanba_engine::blobs::MemoryShelf;
use tanba_engine::command_log::{BatchId, BatchWriter, CommandLog, LocalLog, LoggedCommand};
use tanba_engine::heads::{HeadBoard, MemoryHeadBoard, NodeName, PublishedHead};
use tanba_engine::seal::ClusterSeal;
use tanba_engine::steward::{MemoryLease, STEWARD_LEASE_TTL, STEWARD_RENEW_INTERVAL, StewardLease};
use tanba_server::heads::HEADS_INTERVAL;
use tanba_server::{SharedBlobShelf, SharedCommandLog, SharedHeadBoard, SharedStewardLease};

/// How long a test waits for the watch to act (a few of its rounds).
const WATCH_WAIT: Duration = Duration::from_secs(10);

/// Waits until `check` holds, for at most [`WATCH_WAIT`].
async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + WATCH_WAIT;
    while !check().await {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(HEADS_INTERVAL / 4).await;
    }
}

/// `head` as `node` published it with `hash`, unsealed.
fn named(head: &PublishedHead, node: &str, hash: [u8; 32]) -> PublishedHead {
    PublishedHead {
        node: NodeName::parse(node).unwrap(),
        hash,
        ..head.clone()
    }
}

/// The seal of the fixture's cluster: keyed by its sign-in secret, as every node's is.
fn cluster_seal(fixture: &support::Fixture) -> ClusterSeal {
    let path = fixture.directory.path().join("data/sign-in.secret");
    let secret: [u8; 32] = std::fs::read(path).unwrap().try_into().unwrap();
    ClusterSeal::derive(&SignInSecret::from_bytes(secret))
}

#[tokio::test(flavor = "multi_thread")]
async fn r_is_22_a_node_that_differs_from_its_cluster_stops_serving_at_both_doors() {
    let board = Arc::new(MemoryHeadBoard::default());
    let shared = board.clone();
    let fixture = support::start(move |config| {
        config.head_board = Some(SharedHeadBoard(shared));
        config.node_name = Some("this".into());
    })
    .await;
    let web = reqwest::Client::new();
    let health = async || {
        let answer = web.get(format!("{}/healthz", fixture.http())).send().await;
        answer.unwrap().status()
    };

    // Its head is published under its name, and a twin that agrees keeps it serving.
    let mut own = None;
    until("the node publishes its head", async || {
        own = (board.heads().unwrap().into_iter()).find(|head| head.node.as_str() == "this");
        own.is_some()
    })
    .await;
    let own = own.unwrap();
    assert!(own.sequence > 0, "the bootstrap operator is in its log");
    let seal = cluster_seal(&fixture);
    board
        .publish(&seal.seal_head(&named(&own, "twin", own.hash)))
        .unwrap();
    // One that differs at the same entry is outvoted (the node and its twin agree).
    board
        .publish(&seal.seal_head(&named(&own, "odd-1", [0xEE; 32])))
        .unwrap();
    // Strangers on the board who do not hold the cluster's secret are not counted at all:
    // unsealed, sealed by another cluster, or a node's sealed head altered.
    let stranger = ClusterSeal::derive(&SignInSecret::from_bytes([7; 32]));
    board.publish(&named(&own, "forger-1", [0xEE; 32])).unwrap();
    board
        .publish(&stranger.seal_head(&named(&own, "forger-2", [0xEE; 32])))
        .unwrap();
    let mut altered = seal.seal_head(&named(&own, "forger-3", own.hash));
    altered.hash = [0xEE; 32];
    board.publish(&altered).unwrap();
    tokio::time::sleep(HEADS_INTERVAL * 3).await;
    assert!(health().await.is_success());
    fixture.operator().await;
    let metrics = web.get(format!("{}/metrics", fixture.http())).send().await;
    let metrics = metrics.unwrap().text().await.unwrap();
    let forged = (metrics.lines()).find_map(|line| line.strip_prefix("tanba_forged_heads "));
    let forged: f64 = forged.expect("the count of forged heads").parse().unwrap();
    assert!(
        forged >= 3.0,
        "every round leaves the three forged heads out: {forged}"
    );

    // A second node that differs: as many differ as agree, and the node stops.
    board
        .publish(&seal.seal_head(&named(&own, "odd-2", [0xEE; 32])))
        .unwrap();
    until("the node stops", async || !health().await.is_success()).await;
    let mut connection = Connection::connect(&fixture.grpc()).await.unwrap();
    let refused = connection.sign_in(&fixture.operator).await.unwrap_err();
    assert_eq!(refused.code(), Some("TANBA-SERVER-DIVERGED"));
    let page = web
        .get(format!("{}/", fixture.http()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().await.unwrap().contains("TANBA-SERVER-DIVERGED"));
    let reason = web.get(format!("{}/healthz", fixture.http())).send().await;
    let reason = reason.unwrap().text().await.unwrap();
    assert!(
        reason.contains(&format!("at log entry {}", own.sequence)),
        "{reason}"
    );
    // It stays stopped however the others' heads change: an operator restores it.
    board
        .publish(&seal.seal_head(&named(&own, "odd-2", own.hash)))
        .unwrap();
    tokio::time::sleep(HEADS_INTERVAL * 2).await;
    assert!(!health().await.is_success());
}

/// A participant with the operator's role, as a forger would register one.
fn operator_named(id: &str) -> tanba_types::Participant {
    tanba_types::Participant {
        id: id.parse().unwrap(),
        name: "Forged operator".into(),
        roles: [tanba_types::Role::Operator].into_iter().collect(),
        keys: vec![tanba_types::ParticipantKey {
            algorithm: "ed25519".into(),
            public_key: vec![9; 32],
        }],
        status: tanba_types::ParticipantStatus::Active,
    }
}

/// One command as the system, in a batch's bytes.
fn batch_registering(id: &str) -> Vec<u8> {
    let mut writer = BatchWriter::default();
    let logged = LoggedCommand {
        actor: tanba_types::Actor::System,
        time_ms: 1,
        command: tanba_types::Command::RegisterParticipant(operator_named(id)),
        note: None,
    };
    writer.push(&logged).unwrap();
    writer.finish()
}

#[tokio::test(flavor = "multi_thread")]
async fn r_is_22_a_batch_on_the_command_log_not_sealed_by_the_cluster_is_not_applied() {
    let log = Arc::new(LocalLog::new());
    let shared = log.clone();
    let fixture = support::start(move |config| {
        config.command_log = Some(SharedCommandLog(shared));
    })
    .await;
    let seal = cluster_seal(&fixture);
    let stranger = ClusterSeal::derive(&SignInSecret::from_bytes([7; 32]));
    // Whoever can append to the stream, without the cluster's secret: a batch unsealed, one
    // sealed by another cluster, and one copied from a sealed batch under a new id.
    let seen = log.last_position().unwrap();
    let genuine = seal.seal_batch(BatchId([3; 16]), seen, &batch_registering("870412300416"));
    let forged = [
        batch_registering("040340004565"),
        stranger.seal_batch(BatchId([2; 16]), seen, &batch_registering("900101300126")),
        genuine.clone(),
    ];
    for (index, bytes) in forged.into_iter().enumerate() {
        log.append(BatchId([10 + index as u8; 16]), bytes).unwrap();
    }
    // The cluster's own batch after them, which is applied: the forged ones were read first.
    log.append(BatchId([3; 16]), genuine).unwrap();
    let registered = |id: &str| {
        let snapshot = fixture.server.app.engine.snapshot();
        (tanba_engine::query::participant(snapshot.as_ref(), &id.parse().unwrap()).unwrap())
            .is_some()
    };
    until("the sealed batch is applied", async || {
        registered("870412300416")
    })
    .await;
    for forger in ["040340004565", "900101300126"] {
        assert!(
            !registered(forger),
            "{forger} was registered by a forged batch"
        );
    }
    assert_eq!(
        fixture
            .server
            .app
            .cluster_seal
            .as_ref()
            .unwrap()
            .forged_batches(),
        3
    );
}

/// A node given another cluster's sign-in secret would apply only its own batches (the
/// cluster's fail its seal) and serve a state of its own, unseen by the head comparison: it
/// does not start. The cluster's own secret starts.
#[tokio::test(flavor = "multi_thread")]
async fn r_is_22_a_node_with_another_clusters_secret_does_not_start() {
    let log = Arc::new(LocalLog::new());
    let shared = log.clone();
    let cluster = support::start(move |config| {
        config.command_log = Some(SharedCommandLog(shared));
    })
    .await;
    assert!(
        log.last_position().unwrap() > 0,
        "the first node wrote batches"
    );
    let cluster_secret = std::fs::read(cluster.directory.path().join("data/sign-in.secret"));
    for (secret, starts) in [(vec![7; 32], false), (cluster_secret.unwrap(), true)] {
        let (config, _directory) = node_config(&secret, log.clone());
        match tanba_server::RunningServer::start(config).await {
            Ok(server) => {
                assert!(starts, "a node with another cluster's secret started");
                server.shutdown().await;
            }
            Err(error) => {
                assert!(!starts, "the cluster's own secret was refused: {error}");
                assert!(error.to_string().contains("not this cluster's"), "{error}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn r_is_22_only_the_steward_issues_and_another_node_takes_over_when_it_lets_go() {
    let lease = Arc::new(MemoryLease::default());
    let other = NodeName::parse("other").unwrap();
    assert!(lease.hold(&other).unwrap());
    // The other node renews its lease every second until told to stop.
    let renewing = Arc::new(AtomicBool::new(true));
    let renewer = {
        let (lease, other, renewing) = (lease.clone(), other.clone(), renewing.clone());
        std::thread::spawn(move || {
            while renewing.load(Ordering::SeqCst) {
                assert!(lease.hold(&other).unwrap());
                std::thread::sleep(STEWARD_RENEW_INTERVAL);
            }
        })
    };
    let shared = lease.clone();
    let fixture = support::start(move |config| {
        config.command_log = Some(SharedCommandLog(Arc::new(LocalLog::new())));
        config.steward_lease = Some(SharedStewardLease(shared));
        config.node_name = Some("this".into());
    })
    .await;
    let producer = fixture
        .member("960440000012", "Producer", tanba_proto::v1::Role::Producer)
        .await;

    // An order placed on this node: nothing is issued while the other node is steward.
    let issuing = fixture.issued_codes(&producer, 10);
    tokio::pin!(issuing);
    let early = tokio::time::timeout(STEWARD_LEASE_TTL, &mut issuing).await;
    assert!(early.is_err(), "a node that is not steward issued codes");
    assert!(!fixture.server.app.engine.is_steward());

    // The other node stops and gives its lease up: this one takes it and issues the order.
    renewing.store(false, Ordering::SeqCst);
    renewer.join().unwrap();
    lease.release(&other).unwrap();
    let issued = tokio::time::timeout(WATCH_WAIT, issuing).await;
    let (_, codes) = issued.expect("the new steward issued the order");
    assert_eq!(codes.len(), 10);
    assert_eq!(
        lease.holder().map(|node| node.to_string()),
        Some("this".into())
    );
    assert!(fixture.server.app.engine.is_steward());
}

/// A node's configuration over `log`, in a fresh data directory holding sign-in `secret`.
fn node_config(
    secret: &[u8],
    log: Arc<LocalLog>,
) -> (tanba_server::ServerConfig, tempfile::TempDir) {
    use std::os::unix::fs::PermissionsExt;
    let directory = tempfile::tempdir().unwrap();
    let data_dir = directory.path().join("data");
    std::fs::create_dir(&data_dir).unwrap();
    let secret_path = data_dir.join(tanba_server::SIGN_IN_SECRET_FILE);
    std::fs::write(&secret_path, secret).unwrap();
    std::fs::set_permissions(&secret_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let config = tanba_server::ServerConfig {
        data_dir,
        http_addr: "127.0.0.1:0".parse().unwrap(),
        grpc_addr: "127.0.0.1:0".parse().unwrap(),
        command_log: Some(SharedCommandLog(log)),
        ..tanba_server::ServerConfig::default()
    };
    (config, directory)
}

/// A second node over the same command log and shelf as `first`, with its cluster's secret.
async fn second_node(
    first: &support::Fixture,
    log: Arc<LocalLog>,
    shelf: Arc<MemoryShelf>,
) -> (tanba_server::RunningServer, tempfile::TempDir) {
    let secret = std::fs::read(first.directory.path().join("data/sign-in.secret")).unwrap();
    let (mut config, directory) = node_config(&secret, log);
    config.blob_shelf = Some(SharedBlobShelf(shelf));
    let server = tanba_server::RunningServer::start(config).await.unwrap();
    (server, directory)
}

/// Every blob the log names (a report's photo, an attachment) reaches every node of the
/// cluster through its shelf: the node that took it puts it there, the others copy it, each
/// checking the bytes against the name; bytes that are not the blob named are kept nowhere.
#[tokio::test(flavor = "multi_thread")]
async fn r_is_22_every_node_holds_every_blob_the_log_names_and_only_the_genuine_bytes() {
    use tanba_engine::blobs::{BlobShelf, blob, blob_bytes};
    use tanba_types::{Actor, Command};
    let (log, shelf) = (Arc::new(LocalLog::new()), Arc::new(MemoryShelf::default()));
    let (shared_log, shared_shelf) = (log.clone(), shelf.clone());
    let first = support::start(move |config| {
        config.command_log = Some(SharedCommandLog(shared_log));
        config.blob_shelf = Some(SharedBlobShelf(shared_shelf));
    })
    .await;
    let (second, _second_directory) = second_node(&first, log, shelf.clone()).await;

    // A report's photo, taken by the first node: on the shelf before the log names it.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(70_000, 7);
    let photo = tanba_server::public::Photo::read(png.clone()).unwrap();
    let app = &first.server.app;
    let named = app.public.store_photo(photo.clone(), 1, 1).await.unwrap();
    let report = tanba_types::ViolationReport {
        code: None,
        kind: tanba_types::ViolationKind::NoCode,
        comment: String::new(),
        location: None,
        reporter: "192.0.2.0".parse().unwrap(),
        photo: Some(named),
    };
    let command = Command::ReportViolation(report);
    let ticket = app
        .engine
        .submit_noted(Actor::Public, command, None)
        .unwrap();
    ticket.await.unwrap();
    // An attachment's bytes on the shelf that are not the blob their name says.
    let forged = [0x42; 32];
    shelf.put_unchecked(forged, b"not the attachment".to_vec());
    let operator = Actor::Participant(first.operator.participant);
    let record = Command::RecordAttachment {
        hash: forged,
        size_bytes: 18,
    };
    let ticket = app.engine.submit_noted(operator, record, None).unwrap();
    ticket.await.unwrap();

    let other = &second.app;
    until("the second node copies the photo", async || {
        blob(other.engine.snapshot().as_ref(), &named.hash)
            .unwrap()
            .is_some()
    })
    .await;
    let copied = blob_bytes(other.engine.snapshot().as_ref(), &named.hash).unwrap();
    assert!(copied == Some(png), "copied as taken");
    assert_eq!(other.public.photo(&named).await.unwrap(), Some(photo));
    // The forged bytes: passed over, kept nowhere, asked again in vain.
    let metrics = format!("http://{}/metrics", second.http_addr);
    until("the second node passes the forged blob", async || {
        let text = reqwest::get(&metrics).await.unwrap().text().await.unwrap();
        text.lines()
            .any(|line| line.starts_with("tanba_blobs_missing_total"))
    })
    .await;
    assert_eq!(
        blob(other.engine.snapshot().as_ref(), &forged).unwrap(),
        None
    );
    assert!(
        shelf.take(&forged, 100).unwrap().is_some(),
        "still on the shelf"
    );
    second.shutdown().await;
}
