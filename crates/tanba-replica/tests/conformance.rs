//! One suite, every command log (issue 15): the local queue of the embedded default and the
//! JetStream stream, on a lone NATS server (R1) and on a cluster of three (R3), real processes
//! on loopback, and behind NATS accounts and TLS. A log that passes gives the engine the same order, positions and
//! de-duplication whichever it is.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use tanba_engine::blobs::{BlobShelf, MemoryShelf};
use tanba_engine::command_log::{
    AppendFinished, BATCH_BYTES_MAX, BatchId, CommandLog, CommandLogError, LocalLog,
    READ_BATCHES_MAX,
};
use tanba_engine::heads::{HeadBoard, NodeName, PublishedHead};
use tanba_engine::snapshot_shelf::{MemorySnapshotShelf, SnapshotShelf};
use tanba_engine::steward::{MemoryLease, STEWARD_LEASE_TTL, StewardLease};
use tanba_engine::trails::{MemoryTrails, TrailRead, TrailStream};
use tanba_replica::cluster::{NatsCluster, Security};
use tanba_replica::{JetStreamLog, NO_BATCH_ID, NatsAccess, StreamSettings};

/// Bytes a test's stream holds at most.
const STREAM_BYTES_MAX_IN_TESTS: i64 = 256 << 20;

/// How long a fresh cluster may take to elect its JetStream leaders.
const CLUSTER_READY_WAIT: Duration = Duration::from_secs(30);

fn id(n: u64) -> BatchId {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&n.to_be_bytes());
    bytes[8] = 0xA5;
    BatchId(bytes)
}

/// Connects once the cluster has elected its leaders (a stream cannot be made before).
fn jetstream_log(cluster: &NatsCluster, replicas: usize) -> JetStreamLog {
    let settings = StreamSettings {
        replicas,
        // Reserved on each server's disk: a test machine's share, not a deployment's.
        bytes_max: STREAM_BYTES_MAX_IN_TESTS,
        ..StreamSettings::default()
    };
    JetStreamLog::connect_waiting(&cluster.urls(), settings, CLUSTER_READY_WAIT)
        .unwrap_or_else(|error| panic!("the cluster never took the stream: {error}"))
}

/// Runs the suite on every log kind.
fn each_log(check: impl Fn(&str, Arc<dyn CommandLog>)) {
    check("local", Arc::new(LocalLog::new()));
    let lone = NatsCluster::start(1).expect("a NATS server starts (scripts/setup.sh)");
    check("jetstream R1", Arc::new(jetstream_log(&lone, 1)));
    let three = NatsCluster::start(3).expect("three NATS servers start");
    check("jetstream R3", Arc::new(jetstream_log(&three, 3)));
}

/// Every property, in one pass over one log (a stream per cluster).
fn suite(kind: &str, log: Arc<dyn CommandLog>) {
    positions_start_at_one_and_have_no_gaps(kind, log.as_ref());
    an_id_appended_again_keeps_its_first_position(kind, log.as_ref());
    reads_page_and_wait(kind, log.clone());
    bounds_and_trimming(kind, log.as_ref());
    appenders_at_once_get_one_order(kind, log.clone());
    started_appends_land_in_the_order_started(kind, log.as_ref());
    an_append_started_twice_at_once_is_a_duplicate(kind, log.as_ref());
}

#[test]
fn r_is_22_every_command_log_orders_deduplicates_pages_and_trims_alike() {
    each_log(suite);
}

fn positions_start_at_one_and_have_no_gaps(kind: &str, log: &dyn CommandLog) {
    assert_eq!(log.last_position().unwrap(), 0, "{kind}: empty at first");
    for n in 1..=5u64 {
        let appended = log
            .append(id(n), format!("batch {n}").into_bytes())
            .unwrap();
        assert_eq!(
            (appended.position, appended.duplicate),
            (n, false),
            "{kind}"
        );
    }
    let batches = log.read(1, 100, Duration::ZERO).unwrap();
    let read: Vec<_> = batches
        .iter()
        .map(|b| (b.position, b.id, b.bytes.clone()))
        .collect();
    let expected: Vec<_> = (1..=5u64)
        .map(|n| (n, id(n), format!("batch {n}").into_bytes()))
        .collect();
    assert_eq!(read, expected, "{kind}: in order, as appended");
    assert_eq!(log.last_position().unwrap(), 5, "{kind}");
}

fn an_id_appended_again_keeps_its_first_position(kind: &str, log: &dyn CommandLog) {
    let again = log.append(id(3), b"another body".to_vec()).unwrap();
    assert_eq!((again.position, again.duplicate), (3, true), "{kind}");
    assert_eq!(
        log.last_position().unwrap(),
        5,
        "{kind}: nothing stored twice"
    );
    // Equal bytes under a new id are a new batch: ids, not contents, say what is a duplicate.
    let equal = log.append(id(6), b"batch 1".to_vec()).unwrap();
    assert_eq!((equal.position, equal.duplicate), (6, false), "{kind}");
}

fn reads_page_and_wait(kind: &str, log: Arc<dyn CommandLog>) {
    let page = log.read(2, 2, Duration::ZERO).unwrap();
    let positions: Vec<_> = page.iter().map(|batch| batch.position).collect();
    assert_eq!(positions, [2, 3], "{kind}: a page from the middle");
    // Past the end: nothing, after waiting about as long as asked.
    let started = Instant::now();
    assert!(
        log.read(7, 10, Duration::from_millis(300))
            .unwrap()
            .is_empty()
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(250),
        "{kind}: waited {waited:?}"
    );
    // A batch appended while a reader waits wakes it.
    let appender = {
        let log = log.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            log.append(id(7), b"late".to_vec()).unwrap()
        })
    };
    let started = Instant::now();
    let woken = log.read(7, 10, Duration::from_secs(10)).unwrap();
    assert_eq!(woken.len(), 1, "{kind}");
    assert_eq!(
        (woken[0].position, woken[0].bytes.as_slice()),
        (7, &b"late"[..])
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{kind}: woken, not timed out"
    );
    appender.join().unwrap();
}

fn bounds_and_trimming(kind: &str, log: &dyn CommandLog) {
    // Nothing lies before the first position: trimming before it keeps every batch (NATS reads
    // a purge up to sequence 0 as a purge of the whole stream).
    for nothing_before in [0, 1] {
        log.trim_before(nothing_before).unwrap();
        let from_first = log.read(1, READ_BATCHES_MAX, Duration::ZERO).unwrap();
        assert_eq!(
            from_first.first().map(|batch| batch.position),
            Some(1),
            "{kind}: trimming before {nothing_before} keeps the log whole"
        );
    }
    let too_large = log
        .append(id(100), vec![0; BATCH_BYTES_MAX + 1])
        .unwrap_err();
    assert_eq!(too_large.code(), "TANBA-COMMAND-LOG-TOO-LARGE", "{kind}");
    assert!(!too_large.retryable());
    assert!(
        log.append(id(101), vec![7; BATCH_BYTES_MAX]).is_ok(),
        "{kind}: the bound fits"
    );
    let last = log.last_position().unwrap();
    assert_eq!(log.first_position().unwrap(), 1, "{kind}: untrimmed");
    log.trim_before(4).unwrap();
    assert_eq!(log.first_position().unwrap(), 4, "{kind}: trimmed");
    match log.read(2, 10, Duration::ZERO) {
        Err(CommandLogError::Trimmed { asked: 2, first: 4 }) => {}
        other => panic!("{kind}: a trimmed position is refused, got {other:?}"),
    }
    let rest = log.read(4, 100, Duration::ZERO).unwrap();
    assert_eq!(rest.first().map(|batch| batch.position), Some(4), "{kind}");
    assert_eq!(
        rest.last().map(|batch| batch.position),
        Some(last),
        "{kind}"
    );
    assert_eq!(
        log.last_position().unwrap(),
        last,
        "{kind}: trimming keeps the count"
    );
}

fn appenders_at_once_get_one_order(kind: &str, log: Arc<dyn CommandLog>) {
    const THREADS: u64 = 4;
    const EACH: u64 = 25;
    let before = log.last_position().unwrap();
    let threads: Vec<_> = (0..THREADS)
        .map(|thread| {
            let log = log.clone();
            std::thread::spawn(move || {
                (0..EACH)
                    .map(|n| {
                        let number = 1_000 + thread * EACH + n;
                        log.append(id(number), number.to_be_bytes().to_vec())
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut positions: Vec<u64> = threads
        .into_iter()
        .flat_map(|thread| thread.join().unwrap())
        .map(|appended| appended.position)
        .collect();
    positions.sort_unstable();
    let expected: Vec<u64> = (before + 1..=before + THREADS * EACH).collect();
    assert_eq!(positions, expected, "{kind}: every batch a place, no gaps");
    let read = log.read(before + 1, 1_000, Duration::ZERO).unwrap();
    assert_eq!(read.len() as u64, THREADS * EACH, "{kind}: read back whole");
}

/// Each finished append reported: its id, position and whether it was a duplicate.
fn reported(kind: &str, finished: Receiver<AppendFinished>) -> Vec<(BatchId, u64, bool)> {
    (finished.iter())
        .map(|finished| {
            let appended = (finished.result).unwrap_or_else(|e| panic!("{kind}: {e}"));
            (finished.id, appended.position, appended.duplicate)
        })
        .collect()
}

/// Appends started one after another, none waited for (the appender keeps several on their
/// way): each is reported once, as `append` would answer it, and they land in the order
/// started; one started again under its id is a duplicate.
fn started_appends_land_in_the_order_started(kind: &str, log: &dyn CommandLog) {
    const STARTED: u64 = 50;
    let before = log.last_position().unwrap();
    let (report_to, finished) = std::sync::mpsc::channel();
    for n in 0..STARTED {
        log.start_append(id(2_000 + n), n.to_be_bytes().to_vec(), &report_to);
    }
    log.start_append(id(2_000), b"again".to_vec(), &report_to);
    drop(report_to);
    let mut landed = reported(kind, finished);
    landed.sort_unstable_by_key(|(id, _, duplicate)| (*duplicate, id.0));
    let mut expected: Vec<(BatchId, u64, bool)> = (0..STARTED)
        .map(|n| (id(2_000 + n), before + 1 + n, false))
        .collect();
    expected.push((id(2_000), before + 1, true));
    assert_eq!(landed, expected, "{kind}: each reported once, in order");
    let read = log.read(before + 1, 1_000, Duration::ZERO).unwrap();
    let bodies: Vec<Vec<u8>> = read.into_iter().map(|batch| batch.bytes).collect();
    let started: Vec<Vec<u8>> = (0..STARTED).map(|n| n.to_be_bytes().to_vec()).collect();
    assert_eq!(bodies, started, "{kind}: nothing stored twice");
}

/// A batch started again under its id before the first is stored (a stream answers that
/// one "in process") is still answered as a duplicate of the first's position, every time.
fn an_append_started_twice_at_once_is_a_duplicate(kind: &str, log: &dyn CommandLog) {
    const TWICE: u64 = 100;
    let before = log.last_position().unwrap();
    let (report_to, finished) = std::sync::mpsc::channel();
    for n in 0..TWICE {
        log.start_append(id(3_000 + n), n.to_be_bytes().to_vec(), &report_to);
        log.start_append(id(3_000 + n), n.to_be_bytes().to_vec(), &report_to);
    }
    drop(report_to);
    let mut landed = reported(kind, finished);
    landed.sort_unstable_by_key(|(id, _, duplicate)| (id.0, *duplicate));
    let expected: Vec<(BatchId, u64, bool)> = (0..TWICE)
        .flat_map(|n| [false, true].map(|duplicate| (id(3_000 + n), before + 1 + n, duplicate)))
        .collect();
    assert_eq!(landed, expected, "{kind}: each stored once, both answered");
}

/// A server of the three killed (SIGKILL) under appends: appends go on once the stream has a
/// leader, and after it restarts every acknowledged batch is there, once, in one order.
#[test]
fn r_is_22_a_killed_nats_server_loses_no_acknowledged_batch() {
    let mut cluster = NatsCluster::start(3).expect("three NATS servers start");
    let log = jetstream_log(&cluster, 3);
    let mut acknowledged = Vec::new();
    for n in 1..=20u64 {
        acknowledged.push(
            log.append(id(n), n.to_be_bytes().to_vec())
                .unwrap()
                .position,
        );
    }
    cluster.kill(0).unwrap();
    let deadline = Instant::now() + CLUSTER_READY_WAIT;
    let mut n = 21u64;
    while n <= 40 {
        match log.append(id(n), n.to_be_bytes().to_vec()) {
            Ok(appended) => {
                acknowledged.push(appended.position);
                n += 1;
            }
            // While the stream elects a new leader: the same id again is safe.
            Err(error) if error.retryable() && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(error) => panic!("appends never resumed: {error}"),
        }
    }
    cluster.restart(0).unwrap();
    // A read while the restarted server rejoins may time out: the applier reads again, so does
    // this test.
    let deadline = Instant::now() + CLUSTER_READY_WAIT;
    let read = loop {
        match log.read(1, 1_000, Duration::from_secs(5)) {
            Ok(read) => break read,
            Err(error) if error.retryable() && Instant::now() < deadline => {
                eprintln!("reading again: {error}");
            }
            Err(error) => panic!("the log could not be read again: {error}"),
        }
    };
    let positions: Vec<u64> = read.iter().map(|batch| batch.position).collect();
    assert_eq!(
        positions,
        (1..=40).collect::<Vec<_>>(),
        "once each, in order"
    );
    assert_eq!(
        acknowledged, positions,
        "every acknowledged batch where it was told"
    );
    for batch in &read {
        assert_eq!(batch.bytes, batch.position.to_be_bytes(), "its own bytes");
    }
}

/// A full stream refuses new batches (retryable) and keeps every old one: a command not yet
/// applied is never dropped to make room.
#[test]
fn r_is_22_a_full_stream_refuses_and_drops_nothing() {
    let lone = NatsCluster::start(1).expect("a NATS server starts");
    let settings = StreamSettings {
        replicas: 1,
        bytes_max: 64 << 10,
        ..StreamSettings::default()
    };
    let log = JetStreamLog::connect(&lone.urls(), settings).unwrap();
    let mut appended = 0u64;
    let refusal = loop {
        match log.append(id(appended + 1), vec![1; 4_096]) {
            Ok(_) => appended += 1,
            Err(error) => break error,
        }
        assert!(appended < 100, "a 64 KiB stream fills");
    };
    assert!(
        refusal.retryable(),
        "a full stream is a wait, not a refusal: {refusal}"
    );
    let kept = log.read(1, 1_000, Duration::ZERO).unwrap();
    assert_eq!(kept.len() as u64, appended, "nothing dropped");
    assert_eq!(
        kept.first().map(|batch| batch.id),
        Some(id(1)),
        "the oldest is kept"
    );
}

/// A head of `node` at `sequence` (its hash made from the sequence).
fn head(node: &str, sequence: u64) -> PublishedHead {
    PublishedHead {
        node: NodeName::parse(node).unwrap(),
        position: sequence * 2,
        sequence,
        hash: [sequence as u8; 32],
        seal: [0; tanba_engine::seal::SEAL_BYTES],
    }
}

/// A board keeps each node's latest head, read by any node; `reader` is the same board as
/// `writer` seen through another connection where there is one.
fn board_suite(kind: &str, writer: &dyn HeadBoard, reader: &dyn HeadBoard) {
    assert!(reader.heads().unwrap().is_empty(), "{kind}: empty at first");
    writer.publish(&head("a", 1)).unwrap();
    writer.publish(&head("b", 1)).unwrap();
    writer.publish(&head("a", 5)).unwrap();
    let mut heads = reader.heads().unwrap();
    heads.sort_by(|x, y| x.node.cmp(&y.node));
    assert_eq!(
        heads,
        [head("a", 5), head("b", 1)],
        "{kind}: the latest of each"
    );
}

#[test]
fn r_is_22_every_head_board_keeps_each_nodes_latest_head_for_every_node() {
    let memory = tanba_engine::heads::MemoryHeadBoard::default();
    board_suite("memory", &memory, &memory);
    let lone = NatsCluster::start(1).expect("a NATS server starts (scripts/setup.sh)");
    let (first, second) = (jetstream_log(&lone, 1), jetstream_log(&lone, 1));
    board_suite("jetstream R1", &first, &second);
}

/// Runs `act` with a JetStream client of its own on `server`'s first server, writing what no
/// node wrote.
fn as_stranger<F: Future<Output = ()>>(
    server: &NatsCluster,
    act: impl FnOnce(async_nats::jetstream::Context) -> F,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = async_nats::connect(server.url(0)).await.unwrap();
        act(async_nats::jetstream::new(client)).await;
    });
}

/// A head put under another node's key (a copy made to be counted as a second node), or bytes
/// that are no head, are no one's: the board gives neither.
#[test]
fn r_is_22_a_head_under_another_nodes_key_is_no_ones() {
    let lone = NatsCluster::start(1).expect("a NATS server starts (scripts/setup.sh)");
    let board = jetstream_log(&lone, 1);
    board.publish(&head("a", 3)).unwrap();
    as_stranger(&lone, |stream| async move {
        let bucket = StreamSettings::default().heads_bucket;
        let heads = stream.get_key_value(bucket).await.unwrap();
        heads
            .put("b", head("a", 3).to_bytes().into())
            .await
            .unwrap();
        heads.put("c", "no head".into()).await.unwrap();
    });
    assert_eq!(board.heads().unwrap(), [head("a", 3)]);
}

#[test]
fn r_is_22_a_secured_stream_takes_only_its_accounts_user_over_tls() {
    let directory = tempfile::tempdir().unwrap();
    let (security, authority) =
        Security::with_test_tls(directory.path(), "nodes7secret", "tenant7secret").unwrap();
    let servers = NatsCluster::start_secured(1, Some(&security)).expect("a NATS server starts");
    let connect = |user: Option<(&str, &str)>, authority: Option<&Path>| {
        let access = NatsAccess {
            user: user.map(|(user, password)| (user.to_owned(), password.to_owned())),
            ca_certificate: authority.map(Path::to_path_buf),
        };
        let settings = StreamSettings {
            replicas: 1,
            bytes_max: STREAM_BYTES_MAX_IN_TESTS,
            access,
            ..StreamSettings::default()
        };
        JetStreamLog::connect(&servers.urls(), settings)
    };

    // The nodes' user, over TLS to a server its authority signed: a log like any other.
    let nodes = Some(("tanba", "nodes7secret"));
    let log = Arc::new(connect(nodes, Some(&authority)).expect("the nodes' user connects"));
    suite("jetstream R1 behind accounts and TLS", log.clone());
    let second = connect(nodes, Some(&authority)).unwrap();
    board_suite(
        "jetstream R1 behind accounts and TLS",
        log.as_ref(),
        &second,
    );

    // Without the user, with a wrong password, or without the authority: refused.
    let refused = [
        ("no user", connect(None, Some(&authority))),
        (
            "a wrong password",
            connect(Some(("tanba", "guess")), Some(&authority)),
        ),
        ("no trusted authority", connect(nodes, None)),
    ];
    for (what, connected) in refused {
        assert!(connected.is_err(), "{what}: connected");
    }

    // A tenant of another account on the same servers appends on the same subject into a
    // stream of its own: Tanba's stream never sees it.
    let before = log.last_position().unwrap();
    let tenant = connect(Some(("stranger", "tenant7secret")), Some(&authority)).unwrap();
    tenant.append(id(9_999), b"forged".to_vec()).unwrap();
    assert_eq!(
        tenant.last_position().unwrap(),
        1,
        "its own account's stream"
    );
    assert_eq!(log.last_position().unwrap(), before);
    let read = log.read(before, READ_BATCHES_MAX, Duration::ZERO).unwrap();
    assert!(read.iter().all(|batch| batch.id != id(9_999)));
}

/// A lease is held by one node at a time: taken when free, renewed by its holder, given up,
/// and lapsing after `STEWARD_LEASE_TTL` without renewal.
fn lease_suite(kind: &str, first: &dyn StewardLease, second: &dyn StewardLease) {
    let (a, b) = (NodeName::parse("a").unwrap(), NodeName::parse("b").unwrap());
    assert!(first.hold(&a).unwrap(), "{kind}: free, taken");
    assert!(!second.hold(&b).unwrap(), "{kind}: held by another");
    assert!(first.hold(&a).unwrap(), "{kind}: renewed");
    second.release(&b).unwrap();
    assert!(
        !second.hold(&b).unwrap(),
        "{kind}: only its holder gives it up"
    );
    first.release(&a).unwrap();
    assert!(second.hold(&b).unwrap(), "{kind}: given up, taken at once");
    // B stops renewing: A takes it once it lapses, and not before.
    let lapsed_at = Instant::now() + STEWARD_LEASE_TTL;
    while Instant::now() < lapsed_at - Duration::from_secs(1) {
        assert!(!first.hold(&a).unwrap(), "{kind}: taken before it lapsed");
        std::thread::sleep(Duration::from_millis(500));
    }
    let deadline = lapsed_at + STEWARD_LEASE_TTL;
    while !first.hold(&a).unwrap() {
        assert!(
            Instant::now() < deadline,
            "{kind}: a lapsed lease is never taken"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!second.hold(&b).unwrap(), "{kind}: its old holder lost it");
}

#[test]
fn r_is_22_every_steward_lease_is_held_by_one_node_at_a_time() {
    let memory = MemoryLease::default();
    lease_suite("memory", &memory, &memory);
    let lone = NatsCluster::start(1).expect("a NATS server starts (scripts/setup.sh)");
    let (first, second) = (jetstream_log(&lone, 1), jetstream_log(&lone, 1));
    lease_suite("jetstream R1", &first, &second);
}

/// A shelf gives back, to any node, the bytes put under a hash; nothing for a hash never put;
/// and refuses bytes past the taker's limit unread.
fn shelf_suite(kind: &str, putter: &dyn BlobShelf, taker: &dyn BlobShelf) {
    let bytes: Vec<u8> = (0..300_000u32).map(|n| (n % 241) as u8).collect();
    let hash = *blake3::hash(&bytes).as_bytes();
    putter.put(&hash, &bytes).unwrap();
    putter.put(&hash, &bytes).unwrap();
    let taken = taker.take(&hash, bytes.len() as u64).unwrap();
    assert!(taken == Some(bytes.clone()), "{kind}: taken as put");
    assert_eq!(taker.take(&[0x5A; 32], 1 << 20).unwrap(), None, "{kind}");
    let limited = taker.take(&hash, bytes.len() as u64 - 1);
    assert!(
        matches!(limited, Err(CommandLogError::Corrupt(_))),
        "{kind}: past the limit: {limited:?}"
    );
}

#[test]
fn r_is_22_every_blob_shelf_gives_any_node_the_bytes_put_under_a_hash() {
    let memory = MemoryShelf::default();
    shelf_suite("memory", &memory, &memory);
    let three = NatsCluster::start(3).expect("three NATS servers start");
    let (first, second) = (jetstream_log(&three, 3), jetstream_log(&three, 3));
    shelf_suite("jetstream R3", &first, &second);
}

/// A stream of trails hands every node's pages to any node in one order, each with its trail
/// and first record; filters by trail; stores a page published again once; finds a trail's last
/// page; and waits for a page within the bound asked.
fn trails_suite(kind: &str, writer: &dyn TrailStream, reader: &dyn TrailStream) {
    let (a, b) = (NodeName::parse("a").unwrap(), NodeName::parse("b").unwrap());
    let nothing = reader.read_pages(None, 0, 10, Duration::ZERO).unwrap();
    assert_eq!(nothing, TrailRead::default(), "{kind}: nothing yet");
    let first = writer.publish_page(&a, 1, vec![1; 10]).unwrap();
    writer.publish_page(&b, 1, vec![2; 20]).unwrap();
    let again = writer.publish_page(&a, 1, vec![1; 10]).unwrap();
    assert_eq!(
        first, again,
        "{kind}: a page published again keeps its place"
    );
    let third = writer.publish_page(&a, 2, vec![3; 1 << 19]).unwrap();
    let all = reader.read_pages(None, 0, 100, Duration::ZERO).unwrap();
    let seen: Vec<(&str, u64, usize)> = (all.pages.iter())
        .map(|page| (page.trail.as_str(), page.first, page.bytes.len()))
        .collect();
    assert_eq!(
        seen,
        [("a", 1, 10), ("b", 1, 20), ("a", 2, 1 << 19)],
        "{kind}"
    );
    assert_eq!(all.through, third, "{kind}");
    let of_a = reader.read_pages(Some(&a), 0, 100, Duration::ZERO).unwrap();
    let firsts: Vec<u64> = of_a.pages.iter().map(|page| page.first).collect();
    assert_eq!(firsts, [1, 2], "{kind}");
    let of_b = reader.read_pages(Some(&b), all.pages[1].position, 100, Duration::ZERO);
    assert!(
        of_b.unwrap().pages.is_empty(),
        "{kind}: read after a position"
    );
    let two = reader.read_pages(None, 0, 2, Duration::ZERO).unwrap();
    assert_eq!(
        (two.pages.len(), two.through),
        (2, all.pages[1].position),
        "{kind}"
    );
    let started = Instant::now();
    let none = reader.read_pages(None, third, 10, Duration::from_millis(300));
    assert!(none.unwrap().pages.is_empty(), "{kind}");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{kind}: waited"
    );
}

#[test]
fn r_is_22_every_trail_stream_carries_each_nodes_pages_to_every_node() {
    let memory = MemoryTrails::default();
    trails_suite("memory", &memory, &memory);
    let three = NatsCluster::start(3).expect("three NATS servers start");
    let (first, second) = (jetstream_log(&three, 3), jetstream_log(&three, 3));
    trails_suite("jetstream R3", &first, &second);
}

/// A snapshot shelf gives back, to any node, the archive put under a name with its label;
/// lists what it holds; refuses an archive past the taker's limit; and forgets a removed one.
fn snapshot_shelf_suite(kind: &str, putter: &dyn SnapshotShelf, taker: &dyn SnapshotShelf) {
    let directory = tempfile::tempdir().unwrap();
    let (put, taken) = (directory.path().join("put"), directory.path().join("taken"));
    let bytes: Vec<u8> = (0..700_000u32).map(|n| (n % 251) as u8).collect();
    std::fs::write(&put, &bytes).unwrap();
    assert!(
        !taker.take_archive("a.1", &taken, 1 << 30).unwrap(),
        "{kind}: none yet"
    );
    putter.put_archive("a.1", "label one", &put).unwrap();
    putter.put_archive("a.2", "label two", &put).unwrap();
    let mut listed = taker.archives().unwrap();
    listed.sort_by(|a, b| a.name.cmp(&b.name));
    let seen: Vec<(&str, u64, &str)> = (listed.iter())
        .map(|archive| {
            (
                archive.name.as_str(),
                archive.size_bytes,
                archive.label.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [("a.1", 700_000, "label one"), ("a.2", 700_000, "label two")],
        "{kind}"
    );
    assert!(
        taker.take_archive("a.1", &taken, 1 << 30).unwrap(),
        "{kind}"
    );
    assert!(
        std::fs::read(&taken).unwrap() == bytes,
        "{kind}: taken as put"
    );
    let limited = taker.take_archive("a.1", &taken, 699_999);
    assert!(
        matches!(limited, Err(CommandLogError::Corrupt(_))),
        "{kind}: {limited:?}"
    );
    putter.remove_archive("a.1").unwrap();
    putter.remove_archive("a.1").unwrap();
    assert_eq!(taker.archives().unwrap().len(), 1, "{kind}: removed");
    assert!(
        !taker.take_archive("a.1", &taken, 1 << 30).unwrap(),
        "{kind}"
    );
}

#[test]
fn r_is_22_every_snapshot_shelf_gives_any_node_the_archive_put_under_a_name() {
    let memory = MemorySnapshotShelf::default();
    snapshot_shelf_suite("memory", &memory, &memory);
    let three = NatsCluster::start(3).expect("three NATS servers start");
    let (first, second) = (jetstream_log(&three, 3), jetstream_log(&three, 3));
    snapshot_shelf_suite("jetstream R3", &first, &second);
}

/// A message on the stream that no node wrote (no batch id, or one that is not an id) keeps
/// its place and holds no commands: every reader passes over it alike, and reads on past it.
#[test]
fn r_is_22_a_message_without_a_batch_id_keeps_its_place_and_holds_nothing() {
    let lone = NatsCluster::start(1).expect("a NATS server starts (scripts/setup.sh)");
    let log = jetstream_log(&lone, 1);
    log.append(id(1), b"first".to_vec()).unwrap();
    as_stranger(&lone, |stream| async move {
        let subject = StreamSettings::default().subject;
        let plain = stream.publish(subject.clone(), "no id".into()).await;
        plain.unwrap().await.unwrap();
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", "not-an-id");
        let named = (stream.publish_with_headers(subject, headers, "bad id".into())).await;
        named.unwrap().await.unwrap();
    });
    log.append(id(4), b"last".to_vec()).unwrap();
    let read = log.read(1, 16, Duration::ZERO).unwrap();
    let seen: Vec<(u64, BatchId, &[u8])> = (read.iter())
        .map(|batch| (batch.position, batch.id, batch.bytes.as_slice()))
        .collect();
    let expected: Vec<(u64, BatchId, &[u8])> = vec![
        (1, id(1), b"first"),
        (2, NO_BATCH_ID, b""),
        (3, NO_BATCH_ID, b""),
        (4, id(4), b"last"),
    ];
    assert_eq!(seen, expected);
}

/// Publishes a message with `headers` as given, byte for byte, over the NATS protocol itself.
fn publish_raw(server: &NatsCluster, subject: &str, headers: &str, payload: &str) {
    use std::io::{BufRead, BufReader, Write};
    let address = server.url(0).trim_start_matches("nats://").to_owned();
    let stream = std::net::TcpStream::connect(address).unwrap();
    let mut lines = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    lines.read_line(&mut line).unwrap();
    assert!(line.starts_with("INFO"), "{line}");
    let total = headers.len() + payload.len();
    let mut writer = stream;
    write!(
        writer,
        "CONNECT {{\"headers\":true,\"verbose\":false}}\r\nHPUB {subject} {} {total}\r\n\
         {headers}{payload}\r\nPING\r\n",
        headers.len()
    )
    .unwrap();
    loop {
        line.clear();
        lines.read_line(&mut line).unwrap();
        assert!(!line.starts_with("-ERR"), "{line}");
        if line.starts_with("PONG") {
            return;
        }
    }
}

/// Messages on the stream of trails that are no node's pages (no first record, a name that is
/// no node's, headers the client library cannot read) are passed over, and a read moves past
/// them: junk never holds the readers back.
#[test]
fn r_is_22_junk_on_the_stream_of_trails_is_passed_over_and_read_past() {
    let lone = NatsCluster::start(1).expect("a NATS server starts (scripts/setup.sh)");
    let log = jetstream_log(&lone, 1);
    let a = NodeName::parse("a").unwrap();
    log.publish_page(&a, 1, b"first".to_vec()).unwrap();
    as_stranger(&lone, |stream| async move {
        let plain = stream
            .publish("tanba.audit.a", "no first record".into())
            .await;
        plain.unwrap().await.unwrap();
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Tanba-Trail-First", "1");
        let named = stream.publish_with_headers("tanba.audit.no!name", headers, "x".into());
        named.await.unwrap().await.unwrap();
    });
    // Headers the client library cannot read (a line without a colon), sent as raw protocol.
    publish_raw(
        &lone,
        "tanba.audit.a",
        "NATS/1.0\r\nno colon here\r\n\r\n",
        "x",
    );
    // A plain publication is not acknowledged: the stream stores it a moment later.
    std::thread::sleep(Duration::from_millis(300));
    let read = log.read_pages(None, 1, 16, Duration::ZERO).unwrap();
    assert_eq!(
        (read.pages.len(), read.through),
        (0, 4),
        "read past the junk"
    );
    let last = log.publish_page(&a, 2, b"last".to_vec()).unwrap();
    let read = log.read_pages(Some(&a), 0, 16, Duration::ZERO).unwrap();
    let firsts: Vec<u64> = read.pages.iter().map(|page| page.first).collect();
    assert_eq!((firsts, read.through), (vec![1, 2], last));
}

/// A stream found under the command stream's name but made otherwise (here: dropping old
/// messages when full, which could drop batches not yet applied) is refused, not used.
#[test]
fn r_is_22_a_stream_made_otherwise_under_its_name_is_refused() {
    let lone = NatsCluster::start(1).expect("a NATS server starts (scripts/setup.sh)");
    let settings = StreamSettings {
        replicas: 1,
        bytes_max: STREAM_BYTES_MAX_IN_TESTS,
        ..StreamSettings::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = async_nats::connect(lone.url(0)).await.unwrap();
        let config = async_nats::jetstream::stream::Config {
            name: settings.name.clone(),
            subjects: vec![settings.subject.clone()],
            discard: async_nats::jetstream::stream::DiscardPolicy::Old,
            ..Default::default()
        };
        let made = async_nats::jetstream::new(client)
            .create_stream(config)
            .await;
        made.unwrap();
    });
    let refused = JetStreamLog::connect(&lone.urls(), settings).err();
    let refused = refused.expect("a stream that drops old batches is refused");
    assert!(refused.to_string().contains("discard policy"), "{refused}");
}
