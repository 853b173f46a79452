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
    tanba_server::shelf::shelve_bytes(app, named.hash, png.clone())
        .await
        .unwrap();
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
    let bytes_max = png.len() as u64;
    assert!(copied == Some(png), "copied as taken");
    assert!(
        tanba_server::shelf::hold_from_task(other, named.hash, bytes_max)
            .await
            .unwrap()
    );
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

/// The operator signed in on `server`.
async fn operator_on(
    server: &tanba_server::RunningServer,
    key: &tanba_client::KeyFile,
) -> Connection {
    let mut connection = Connection::connect(&server.grpc_addr.to_string())
        .await
        .unwrap();
    connection.sign_in(key).await.unwrap();
    connection
}

/// The audit records of `node`'s trail (`None`: the node asked) that named `code`.
async fn audited(connection: &Connection, node: Option<&str>, code: &str) -> Vec<String> {
    let query = tanba_client::AuditQuery {
        code: Some(code.into()),
        node: node.map(str::to_owned),
        ..tanba_client::AuditQuery::default()
    };
    let records = connection.query_audit(&query).await.unwrap();
    records.into_iter().map(|record| record.hash).collect()
}

/// Every node's audit trail reaches every node (R-IS-23 on a cluster): an authority asks any
/// node for the calls another node served; a page not sealed by the cluster is refused; and a
/// node that lost its store takes its own records back, chaining no write's record twice.
#[tokio::test(flavor = "multi_thread")]
async fn r_is_23_every_nodes_audit_trail_is_answered_by_any_node_and_taken_back_after_a_loss() {
    use tanba_engine::trails::{MemoryTrails, TrailStream as _};
    use tanba_server::SharedTrailStream;
    let (log, trails) = (Arc::new(LocalLog::new()), Arc::new(MemoryTrails::default()));
    let (shared_log, shared_trails) = (log.clone(), trails.clone());
    let first = support::start(move |config| {
        config.command_log = Some(SharedCommandLog(shared_log));
        config.audit_trails = Some(SharedTrailStream(shared_trails));
        config.node_name = Some("first".into());
    })
    .await;
    let secret = std::fs::read(first.directory.path().join("data/sign-in.secret")).unwrap();
    let (mut config, _second_directory) = node_config(&secret, log.clone());
    config.audit_trails = Some(SharedTrailStream(trails.clone()));
    config.node_name = Some("second".into());
    let second = tanba_server::RunningServer::start(config).await.unwrap();

    // A read on the first node (an audit query naming a code: its record names the code).
    let code = "(01)04870000000005(21)trail-test";
    let on_first = first.operator().await;
    audited(&on_first, None, code).await;
    let own = audited(&on_first, None, code).await;
    assert!(
        !own.is_empty(),
        "the first node's own trail holds its query"
    );
    let on_second = operator_on(&second, &first.operator).await;
    until(
        "the second node answers for the first node's calls",
        async || audited(&on_second, Some("first"), code).await.len() >= own.len(),
    )
    .await;
    assert_eq!(
        audited(&on_second, Some("first"), code).await[0],
        own[0],
        "the same record"
    );
    // A node's name is letters, digits, '-' and '_': anything else is refused, coded.
    for name in ["../first", "first.b", "first*", &"n".repeat(65)] {
        let query = tanba_client::AuditQuery {
            node: Some(name.to_owned()),
            ..tanba_client::AuditQuery::default()
        };
        let refused = on_second.query_audit(&query).await.unwrap_err();
        assert_eq!(refused.code(), Some("TANBA-SERVER-INVALID"), "{name}");
    }
    // The second's own trail holds its own queries, not the first's.
    let second_own = audited(&on_second, None, code).await;
    assert!(!second_own.contains(&own[0]), "not the second's own call");

    // A page nobody of the cluster sealed: refused, counted, the copy unchanged.
    let name = NodeName::parse("first").unwrap();
    trails.publish_unchecked(&name, 1, b"forged records".to_vec());
    let metrics = format!("http://{}/metrics", second.http_addr);
    until("the second node refuses the forged page", async || {
        let text = reqwest::get(&metrics).await.unwrap().text().await.unwrap();
        text.lines()
            .any(|line| line == "tanba_forged_trail_pages 1")
    })
    .await;
    assert_eq!(audited(&on_second, Some("first"), code).await[0], own[0]);

    // The first node's writes and reads, all published; then its store is lost.
    let producer = tanba_proto::v1::Role::Producer;
    first.member("960440000012", "Producer", producer).await;
    drop(on_first);
    // Every record of those calls is written by now (they are queued before the answer).
    tokio::time::sleep(HEADS_INTERVAL * 2).await;
    let own_head = |app: &tanba_server::App| {
        let snapshot = app.engine.snapshot();
        tanba_server::audit::head(snapshot.as_ref(), &tanba_server::audit::Trail::Own).unwrap()
    };
    let seal = cluster_seal(&first);
    let published = || {
        let read = trails.read_pages(Some(&name), 0, 1_000, Duration::ZERO);
        (read.unwrap().pages.iter())
            .filter_map(|page| seal.open_trail_page(page))
            .map(|bytes| postcard::from_bytes::<Vec<Vec<u8>>>(&bytes).unwrap().len() as u64)
            .sum::<u64>()
    };
    let app = first.server.app.clone();
    until("the first node publishes its whole trail", async || {
        published() == own_head(&app).0
    })
    .await;
    first.server.shutdown().await;
    let (lost_head, lost_hash) = own_head(&app);
    drop(app);
    let (mut config, _restored_directory) = node_config(&secret, log);
    config.audit_trails = Some(SharedTrailStream(trails.clone()));
    config.node_name = Some("first".into());
    let restored = tanba_server::RunningServer::start(config).await.unwrap();
    let (taken_head, _) = own_head(&restored.app);
    assert!(
        taken_head >= lost_head,
        "{taken_head} records of {lost_head}"
    );
    let query = tanba_server::audit::AuditQuery {
        limit: 100_000,
        ..Default::default()
    };
    let taken = tanba_server::audit::query(restored.app.engine.snapshot().as_ref(), &query);
    let taken = taken.unwrap();
    assert_eq!(
        taken[lost_head as usize - 1].hash,
        lost_hash,
        "the same chain"
    );
    // The restored node re-applied every write and noted each again: none chained twice.
    let mut writes: Vec<u64> = (taken.iter())
        .filter_map(|stored| stored.record.log_sequence)
        .collect();
    let count = writes.len();
    writes.sort_unstable();
    writes.dedup();
    assert!(count > 0, "the writes' records are in the trail");
    assert_eq!(writes.len(), count, "no write's record twice");
    let restored_operator = operator_on(&restored, &first.operator).await;
    let again = audited(&restored_operator, None, code).await;
    assert_eq!(again[0], own[0], "its own first query, taken back");
    restored.shutdown().await;
    second.shutdown().await;
}

/// A node of a cluster puts its snapshots on the cluster's shelf, and the steward trims the
/// command stream behind them (R-IS-22): a new node, given the cluster's keys and no store,
/// begins from the latest snapshot a node of the cluster sealed (passing over a forged one),
/// catches up and holds the same log; a node with no shelf cannot begin on the trimmed stream
/// and says so.
#[tokio::test(flavor = "multi_thread")]
async fn r_is_22_a_new_node_begins_from_the_shelved_snapshot_behind_which_the_stream_is_trimmed() {
    use tanba_engine::command_log::CommandLogError;
    use tanba_engine::snapshot_shelf::{MemorySnapshotShelf, SnapshotShelf};
    use tanba_server::SharedSnapshotShelf;
    let log = Arc::new(LocalLog::new());
    let board = Arc::new(MemoryHeadBoard::default());
    let shelf = Arc::new(MemorySnapshotShelf::default());
    let snapshots = tempfile::tempdir().unwrap();
    let (shared_log, shared_board, shared_shelf) = (log.clone(), board.clone(), shelf.clone());
    let snapshot_dir = snapshots.path().to_owned();
    let first = support::start(move |config| {
        config.command_log = Some(SharedCommandLog(shared_log));
        config.head_board = Some(SharedHeadBoard(shared_board));
        config.snapshot_shelf = Some(SharedSnapshotShelf(shared_shelf));
        config.node_name = Some("first".into());
        config.snapshot_dir = Some(snapshot_dir);
        config.snapshot_interval_seconds = 1;
    })
    .await;
    for id in ["960440000012", "990540000399", "040340004565"] {
        let producer = tanba_proto::v1::Role::Producer;
        first.member(id, "Producer", producer).await;
    }
    until(
        "a snapshot is shelved and the stream trimmed behind it",
        async || {
            let trimmed = matches!(
                log.read(1, 1, Duration::ZERO),
                Err(CommandLogError::Trimmed { .. })
            );
            trimmed && !shelf.archives().unwrap().is_empty()
        },
    )
    .await;

    // An archive under a later sequence that no node of the cluster sealed.
    let junk = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(junk.path(), b"not a snapshot").unwrap();
    let label = serde_json::json!({
        "node": "first",
        "manifest": {"format": 1, "sequence": 1_000_000, "head_hash": "00", "position": 1_000_000,
                     "commands": 0, "written_ms": 0},
        "size_bytes": 14,
        "tag": blake3::hash(b"not a snapshot").to_hex().to_string(),
        "seal": blake3::hash(b"no cluster's key").to_hex().to_string(),
    });
    shelf
        .put_archive("first.forged", &label.to_string(), junk.path())
        .unwrap();

    // A node with no shelf cannot begin on the trimmed stream.
    let data = first.directory.path().join("data");
    let secret = std::fs::read(data.join("sign-in.secret")).unwrap();
    let (mut config, _lost_directory) = node_config(&secret, log.clone());
    config.node_name = Some("lost".into());
    let refused = tanba_server::RunningServer::start(config)
        .await
        .err()
        .unwrap();
    assert!(refused.to_string().contains("now starts at"), "{refused}");

    // A new node with the cluster's keys begins from the shelved snapshot.
    let (mut config, _second_directory) = node_config(&secret, log.clone());
    std::fs::copy(data.join("keys.json"), config.data_dir.join("keys.json")).unwrap();
    config.head_board = Some(SharedHeadBoard(board.clone()));
    config.snapshot_shelf = Some(SharedSnapshotShelf(shelf.clone()));
    config.node_name = Some("second".into());
    let second = tanba_server::RunningServer::start(config).await.unwrap();
    let (ours, theirs) = (&first.server.app.engine, &second.app.engine);
    until("the new node holds the first node's log", async || {
        ours.head() == theirs.head()
    })
    .await;
    let metrics = format!("http://{}/metrics", second.http_addr);
    let text = reqwest::get(&metrics).await.unwrap().text().await.unwrap();
    assert!(
        text.lines()
            .any(|line| line == "tanba_snapshots_forged_total 1"),
        "the forged archive passed over"
    );
    second.shutdown().await;
}
