//! Backup and restore, as `deploy/RUNBOOK.md` tells an operator (issue 15), step by step with
//! the real binary:
//! 1. a node started with `TANBA_SNAPSHOT_DIR` writes snapshots while it serves;
//! 2. `tanba snapshot list` shows them, with the log head each holds;
//! 3. the node is stopped; `tanba snapshot restore` makes the latest the store of a new data
//!    directory, after verifying its chain;
//! 4. `tanba serve` over it answers from the restored log: its head, its participants;
//! 5. a restore never replaces a store, a snapshot whose state its log does not make is refused
//!    when the state is checked (`--verify-state`), and a snapshot whose manifest does not match its store is
//!    refused.

mod demo_harness;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use demo_harness::{Demo, Served};
use tanba_store::{Column, RocksStore, Store};

/// How long the node may take to write a snapshot holding the seeded log.
const SNAPSHOT_WAIT: Duration = Duration::from_secs(60);

fn tanba(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tanba"))
        .args(args)
        .output()
        .unwrap()
}

/// `tanba snapshot list DIRECTORY`: each snapshot's path and log head.
fn list(directory: &Path) -> Vec<(PathBuf, u64)> {
    let output = tanba(&["snapshot".as_ref(), "list".as_ref(), directory.as_os_str()]);
    assert!(output.status.success(), "{output:?}");
    (String::from_utf8(output.stdout).unwrap().lines())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let head = fields[1].strip_prefix("head ").unwrap().parse().unwrap();
            (PathBuf::from(fields[0]), head)
        })
        .collect()
}

fn restore(snapshot: &Path, data: &Path) -> Output {
    restore_with(snapshot, data, &[])
}

/// `tanba snapshot restore SNAPSHOT --data DATA`, with `flags` besides.
fn restore_with(snapshot: &Path, data: &Path, flags: &[&str]) -> Output {
    let args = [
        "snapshot".as_ref(),
        "restore".as_ref(),
        snapshot.as_os_str(),
    ];
    let flags: Vec<&std::ffi::OsStr> = flags.iter().map(|flag| flag.as_ref()).collect();
    tanba(
        &[
            &args[..],
            &["--data".as_ref(), data.as_os_str()],
            &flags[..],
        ]
        .concat(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn r_is_22_a_node_restored_from_its_snapshot_serves_the_log_it_held() {
    let root = tempfile::tempdir().unwrap();
    let snapshots = root.path().join("snapshots");
    let settings = [
        ("TANBA_SNAPSHOT_DIR", snapshots.to_str().unwrap()),
        ("TANBA_SNAPSHOT_INTERVAL_SECONDS", "1"),
    ];
    let mut demo = Demo::start_with(&settings);
    let head = demo.log_head().await;
    let water = demo.key("water");

    // Snapshots come while the node serves; wait for one holding the seeded log.
    let deadline = Instant::now() + SNAPSHOT_WAIT;
    let (latest, latest_head) = loop {
        let found = if snapshots.exists() {
            list(&snapshots)
        } else {
            Vec::new()
        };
        if let Some((path, at)) = found.last().filter(|(_, at)| *at >= head) {
            break (path.clone(), *at);
        }
        assert!(
            Instant::now() < deadline,
            "no snapshot holds head {head}: {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(demo.terminate().success());
    assert!(list(&snapshots).len() <= tanba_server::snapshots::SNAPSHOTS_KEPT);

    // A tampered manifest is refused, and leaves no store behind.
    let tampered = root.path().join("tampered");
    copy_tree(&latest, &tampered);
    let manifest = tampered.join(tanba_server::snapshots::MANIFEST_FILE);
    let text = std::fs::read_to_string(&manifest).unwrap();
    let lie = text.replace(&format!("\"sequence\": {latest_head}"), "\"sequence\": 1");
    assert_ne!(lie, text);
    std::fs::write(&manifest, lie).unwrap();
    let refused_data = root.path().join("refused");
    let refused = restore(&tampered, &refused_data);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("manifest says 1"),
        "{refused:?}"
    );
    assert!(!refused_data.join("engine").exists());

    // A state its log never made (a product card slipped into the store, the log untouched):
    // the chain verifies, so a plain restore takes it; checking the state refuses it.
    let altered = root.path().join("altered");
    copy_tree(&latest, &altered);
    let store = RocksStore::open(&altered.join("engine")).unwrap();
    let mut slipped = tanba_store::WriteBatch::new();
    (slipped.put(Column::Products, b"p-slipped-in".to_vec(), b"x".to_vec())).unwrap();
    store
        .write(slipped, tanba_store::Durability::Synced)
        .unwrap();
    drop(store);
    let taken = restore(&altered, &root.path().join("taken"));
    assert!(taken.status.success(), "{taken:?}");
    let checked_data = root.path().join("checked");
    let checked = restore_with(&altered, &checked_data, &["--verify-state"]);
    assert!(!checked.status.success());
    assert!(
        String::from_utf8_lossy(&checked.stderr).contains("not what its log makes"),
        "{checked:?}"
    );
    assert!(!checked_data.join("engine").exists());
    assert!(!checked_data.join("engine.replayed").exists());

    // Restored into a new data directory (its state checked against its log), it serves the
    // log it held.
    let restored = root.path().join("restored");
    let output = restore_with(&latest, &restored, &["--verify-state"]);
    assert!(output.status.success(), "{output:?}");
    let said = String::from_utf8(output.stdout).unwrap();
    assert!(
        said.contains(&format!("restored log head {latest_head}")),
        "{said}"
    );
    let mut node = tokio::task::block_in_place(|| Served::start(&restored, &[]));
    let web = reqwest::Client::new();
    // It may append at once (a tick, a sweep): its log starts with the snapshot's.
    let head = demo_harness::log_head_at(&web, &node.http).await;
    assert!(head >= latest_head, "{head} < {latest_head}");
    let participant = node.signed_in(&water).await;
    let card = participant
        .get_participant(water.participant)
        .await
        .unwrap();
    assert_eq!(card.id, water.participant.to_string());
    assert!(tokio::task::block_in_place(|| node.terminate()).success());
    let store = RocksStore::open(&restored.join("engine")).unwrap();
    let hash = tanba_engine::query::log_hash(store.snapshot().as_ref(), latest_head).unwrap();
    let manifest = tanba_server::snapshots::read_manifest(&latest).unwrap();
    assert_eq!(
        tanba_crypto::encoding::hex(hash.unwrap().as_bytes()),
        manifest.head_hash
    );
    drop(store);

    // A restore never replaces a store.
    let again = restore(&latest, &restored);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("holds a store already"));
}

/// Copies a snapshot (a directory of files and one directory of files).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}
