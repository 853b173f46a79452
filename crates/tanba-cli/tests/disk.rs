//! A full disk under the real binary (black box): the demo's data directory lives on a small
//! tmpfs, which the test fills with a ballast file while a till sells. The server must:
//! - answer writes with a coded, retryable error (gRPC `UNAVAILABLE`) and never hang a call;
//! - say so on `/healthz` (503) and on gRPC health (`NOT_SERVING`);
//! - keep answering reads (the public check, the till's check before sale);
//! - recover by itself once the ballast is gone: healthy again, the refused receipt recorded
//!   when sent again, and the log and the audit trail verifying at the stop. (RocksDB resumes
//!   by itself, checking every 5 s, once the free space exceeds a memtable: 64 MiB.)
//!
//! Mounting needs root (or `CAP_SYS_ADMIN`); the test says so and fails without it, since a
//! skipped fault test would look like a passing one.

mod demo_harness;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use demo_harness::Demo;
use tanba_client::{ClientError, Connection, ReceiptLine, SalesReceipt};
use tanba_proto::v1 as pb;
use tanba_store::{RocksStore, Store};
use tonic_health::pb::health_check_response::ServingStatus;

/// The file system's size. RocksDB resumes writing after a full disk only once a memtable's
/// worth (64 MiB) is free again, so the room the ballast gives back must be more than that.
const DISK_BYTES: u64 = 160 << 20;
/// The longest a write may take to be answered while the disk is full.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);
/// How long the server may take to notice the room made, and to say it is unhealthy.
const NOTICE_WITHIN: Duration = Duration::from_secs(20);
/// Sales tried before the disk must have refused one.
const SALES_UNTIL_FULL_MAX: usize = 2_000;

/// A tmpfs mounted for the test's life.
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    fn mount(path: PathBuf, bytes: u64) -> Tmpfs {
        std::fs::create_dir_all(&path).unwrap();
        let status = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={bytes},mode=0700"),
                "tmpfs",
            ])
            .arg(&path)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "mounting a small tmpfs for the full-disk test needs root or CAP_SYS_ADMIN"
        );
        Tmpfs { path }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.path)
            .status();
    }
}

/// Fills the file system holding `path` with one file; returns it.
fn fill(path: &Path) -> PathBuf {
    let ballast = path.join("ballast");
    let mut file = std::fs::File::create(&ballast).unwrap();
    let chunk = vec![0x5a_u8; 64 << 10];
    while file.write_all(&chunk).is_ok() {}
    // The last partial chunk, byte by byte is too slow: smaller pieces until nothing fits.
    for size in [4096, 512, 1] {
        while file.write_all(&chunk[..size]).is_ok() {}
    }
    let _ = file.sync_all();
    ballast
}

fn receipt(id: &str, code: &str) -> SalesReceipt {
    SalesReceipt {
        receipt_id: id.into(),
        seller: None,
        time_ms: 1,
        lines: vec![ReceiptLine {
            code: code.into(),
            price_tiyn: 10_000,
        }],
    }
}

/// The gRPC status of a refusal.
fn status(error: &ClientError) -> Option<tonic::Code> {
    match error {
        ClientError::Refused { status, .. } => Some(*status),
        ClientError::Connect { .. } | ClientError::Failed(_) => None,
    }
}

/// Submits a receipt, timing the answer.
async fn sell(
    shop: &Connection,
    id: &str,
    code: &str,
) -> Result<pb::SubmitReceiptResponse, ClientError> {
    let started = Instant::now();
    let answer = shop.submit_receipt(&receipt(id, code)).await;
    assert!(
        started.elapsed() < ANSWER_WITHIN,
        "{id}: a write hung while the disk was full"
    );
    answer
}

async fn health(demo: &Demo) -> (u16, i32) {
    let http = demo
        .web
        .get(format!("{}/healthz", demo.http))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", demo.grpc))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let grpc = tonic_health::pb::health_client::HealthClient::new(channel)
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .status;
    (http, grpc)
}

/// Waits until the server reports `wanted` health on both doors.
async fn until_health(demo: &Demo, wanted: (u16, ServingStatus), what: &str) {
    let started = Instant::now();
    loop {
        let (http, grpc) = health(demo).await;
        if (http, grpc) == (wanted.0, wanted.1 as i32) {
            return;
        }
        assert!(
            started.elapsed() < NOTICE_WITHIN,
            "{what}: /healthz {http}, gRPC {grpc}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_answered_at_once_and_recovered_from_by_itself() {
    let directory = tempfile::tempdir().unwrap();
    let disk = Tmpfs::mount(directory.path().join("disk"), DISK_BYTES);
    let demo = Demo::start_at(
        directory,
        disk.path.join("data"),
        &[
            ("TANBA_PARTICIPANT_PER_SECOND", "100000"),
            ("TANBA_PARTICIPANT_BURST", "100000"),
        ],
    );
    let mut shelf = demo_harness::on_shelf(&demo, "shop_almaty", 200).await;
    let shop = demo.as_participant("shop_almaty").await;
    let ballast = fill(&disk.path);

    // Sales go on while RocksDB's preallocated log has room; then the disk refuses one.
    let mut refused = None;
    for number in 0..SALES_UNTIL_FULL_MAX {
        let code = shelf.pop().expect("the shelf outlasts the disk");
        let id = format!("FULL-{number}");
        if let Err(error) = sell(&shop, &id, &code).await {
            assert_eq!(
                status(&error),
                Some(tonic::Code::Unavailable),
                "{id}: {error:?}"
            );
            refused = Some((id, code));
            break;
        }
    }
    let (refused_id, refused_code) = refused.expect("the full disk refused a sale");
    until_health(&demo, (503, ServingStatus::NotServing), "a full disk").await;

    // Writes are refused at once, with the coded, retryable error.
    let error = sell(&shop, &refused_id, &refused_code).await.unwrap_err();
    assert_eq!(status(&error), Some(tonic::Code::Unavailable));
    let code = error.code().map(str::to_owned);
    assert_eq!(code.as_deref(), Some("TANBA-ENGINE-STORE-UNAVAILABLE"));
    // Reads go on: a phone's check, and the till's check before sale.
    let checked = demo.check(&demo.code("genuine", 0), "en").await;
    assert_eq!(checked["verdict"], "genuine", "{checked}");
    let till = shop
        .check_before_sale(None, vec![refused_code.clone()])
        .await
        .unwrap();
    assert!(till[0].sellable, "{till:?}");

    // Room again: the server notices by itself, and the refused receipt now records.
    std::fs::remove_file(&ballast).unwrap();
    until_health(&demo, (200, ServingStatus::Serving), "room made").await;
    let recorded = sell(&shop, &refused_id, &refused_code).await.unwrap();
    assert!(
        !recorded.duplicate && recorded.refused_lines.is_empty(),
        "{recorded:?}"
    );
    let data = demo.data();
    let mut demo = demo;
    assert!(
        demo.terminate().success(),
        "a clean stop after the full disk"
    );
    let keys = tanba_server::open_key_ring(&data, 0)
        .unwrap()
        .public_key_set();
    let store: Arc<dyn Store> = Arc::new(RocksStore::open(&data.join("engine")).unwrap());
    tanba_engine::verify_log(store.as_ref(), &keys, None).unwrap();
    tanba_server::audit::verify(store.as_ref(), &keys).unwrap();
}
