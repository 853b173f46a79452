//! The server under SIGKILL (black box, the real binary): tills record sales and a shop checks
//! codes before sale while the process is killed at a random moment and started again over the
//! same data directory, several times. After every restart:
//! - each sale the server acknowledged is in the log, and sending its receipt again is answered
//!   with the first answer (`duplicate`, the same log entry, the same refused lines);
//! - each acknowledged sale has its audit record, linked to the log entry the sale wrote (a
//!   write's record commits with the write);
//! - every read answered more than [`AUDIT_DURABLE_WITHIN`] before the kill has its audit
//!   record; the test prints how many a kill lost inside that bound.
//!
//! At the end the server stops cleanly, and the event log and the audit trail verify from
//! genesis against the operator's keys, with no write's note left unchained.
//!
//! `TANBA_KILL_CYCLES` sets the number of kills (default 3); `TANBA_KILL_SEED` the kill moments.

mod demo_harness;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use demo_harness::Demo;
use tanba_client::{Connection, ReceiptLine, SalesReceipt};
use tanba_proto::v1 as pb;
use tanba_server::audit::AUDIT_DURABLE_WITHIN;
use tanba_store::{Column, RocksStore, Store};

/// Rates high enough that the load, not the limiter, meets the kill.
const SETTINGS: [(&str, &str); 2] = [
    ("TANBA_PARTICIPANT_PER_SECOND", "100000"),
    ("TANBA_PARTICIPANT_BURST", "100000"),
];
const SHOP: &str = "shop_almaty";
/// Checks codes before sale: its calls are the reads counted.
const READER: &str = "shop_astana";
const CHECK_METHOD: &str = "tanba.v1.RetailService/CheckBeforeSale";
const RECEIPT_METHOD: &str = "tanba.v1.RetailService/SubmitReceipt";
/// Tills selling at once.
const TILLS: usize = 2;
/// Each till starts a sale at most this often, so sales are still under way at every kill.
const SALE_PERIOD: Duration = Duration::from_millis(5);
/// Units on the shop's shelf: more than the tills sell in all cycles at that pace.
const STOCK: u32 = 4_000;

/// A sale the server acknowledged, with its answer.
struct Acknowledged {
    request: SalesReceipt,
    answer: pb::SubmitReceiptResponse,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_sales_and_their_audit_records_survive_sigkill() {
    let cycles: usize = std::env::var("TANBA_KILL_CYCLES").map_or(3, |v| v.parse().unwrap());
    let seed: u64 =
        std::env::var("TANBA_KILL_SEED").map_or_else(|_| now_ms(), |v| v.parse().unwrap());
    eprintln!("TANBA_KILL_SEED={seed}");
    let mut demo = Demo::start_with(&SETTINGS);
    let shelf = Arc::new(Mutex::new(demo_harness::on_shelf(&demo, SHOP, STOCK).await));
    let mut acknowledged: Vec<Acknowledged> = Vec::new();
    for cycle in 0..cycles {
        let cycle_start_ms = now_ms();
        let (sales, reads) = (
            Arc::new(Mutex::new(Vec::new())),
            Arc::new(Mutex::new(Vec::new())),
        );
        let mut load = Vec::new();
        for till in 0..TILLS {
            let (shop, shelf, sales) = (
                demo.as_participant(SHOP).await,
                shelf.clone(),
                sales.clone(),
            );
            load.push(tokio::spawn(sell(
                shop,
                shelf,
                sales,
                format!("K{cycle}-{till}"),
            )));
        }
        let reader = demo.as_participant(READER).await;
        let code = demo.code("genuine", 0);
        load.push(tokio::spawn(check(reader, code, reads.clone())));
        // Kill between 0.3 and 1.3 s into the load, drawn from the seed.
        let draw = seed
            .wrapping_add(cycle as u64)
            .wrapping_mul(6_364_136_223_846_793_005);
        let delay_ms = 300 + (draw >> 33) % 1_000;
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        let killed_at = Instant::now();
        let killed_ms = now_ms();
        tokio::task::block_in_place(|| demo.kill_and_restart(&SETTINGS));
        for task in load {
            task.await.unwrap();
        }
        let sales = std::mem::take(&mut *sales.lock().unwrap());
        let reads = std::mem::take(&mut *reads.lock().unwrap());
        assert!(
            !sales.is_empty(),
            "cycle {cycle}: no sale was acknowledged before the kill"
        );
        let reader = demo.as_participant("sanitary").await;
        check_sales_answered_again(&demo, &sales).await;
        check_sales_audited(&demo, &reader, &sales).await;
        let (answered, found) =
            count_reads(&demo, &reader, &reads, cycle_start_ms, killed_ms, killed_at).await;
        eprintln!(
            "cycle {cycle}: killed after {delay_ms} ms; {} sales acknowledged, all there; \
             {answered} reads answered, {found} audited, {} lost inside the bound",
            sales.len(),
            answered.saturating_sub(found),
        );
        acknowledged.extend(sales);
    }
    eprintln!(
        "{} sales acknowledged across {cycles} kills",
        acknowledged.len()
    );
    assert!(demo.terminate().success(), "a clean stop after the kills");
    verify_store(&demo.data());
}

/// A till: sells one unit per receipt until the server goes away.
async fn sell(
    shop: Connection,
    shelf: Arc<Mutex<Vec<String>>>,
    sales: Arc<Mutex<Vec<Acknowledged>>>,
    prefix: String,
) {
    let mut pace = tokio::time::interval(SALE_PERIOD);
    for number in 0.. {
        pace.tick().await;
        let Some(code) = shelf.lock().unwrap().pop() else {
            return;
        };
        let request = SalesReceipt {
            receipt_id: format!("{prefix}-{number}"),
            seller: None,
            time_ms: now_ms(),
            lines: vec![ReceiptLine {
                code,
                price_tiyn: 25_000,
            }],
        };
        match shop.submit_receipt(&request).await {
            Ok(answer) => sales.lock().unwrap().push(Acknowledged { request, answer }),
            Err(_) => return,
        }
    }
}

/// A shop checking a code before sale, again and again, until the server goes away; notes
/// when each answer came.
async fn check(reader: Connection, code: String, reads: Arc<Mutex<Vec<Instant>>>) {
    loop {
        match reader.check_before_sale(None, vec![code.clone()]).await {
            Ok(_) => reads.lock().unwrap().push(Instant::now()),
            Err(_) => return,
        }
    }
}

/// Each acknowledged receipt, sent again, gets its first answer.
async fn check_sales_answered_again(demo: &Demo, sales: &[Acknowledged]) {
    let shop = demo.as_participant(SHOP).await;
    for sale in sales {
        let again = shop.submit_receipt(&sale.request).await.unwrap();
        let id = &sale.request.receipt_id;
        assert!(!sale.answer.duplicate, "{id}: first sent once");
        assert!(again.duplicate, "{id}: a resend is a duplicate");
        assert_eq!(
            again.receipt, sale.answer.receipt,
            "{id}: the same log entry"
        );
        assert_eq!(again.refused_lines, sale.answer.refused_lines, "{id}");
        assert!(
            sale.answer.refused_lines.is_empty(),
            "{id}: a unit on the shelf sells"
        );
    }
}

/// Each acknowledged sale has its audit record, linked to the log entry it wrote.
async fn check_sales_audited(demo: &Demo, reader: &Connection, sales: &[Acknowledged]) {
    let query = tanba_client::AuditQuery {
        participant: Some(demo.id(SHOP)),
        ..Default::default()
    };
    let records = demo_harness::audit_records(reader, query).await;
    for sale in sales {
        let id = &sale.request.receipt_id;
        let logged = sale.answer.receipt.as_ref().unwrap().first_sequence;
        let record = records
            .iter()
            .find(|record| record.method == RECEIPT_METHOD && record.arguments.contains(id))
            .unwrap_or_else(|| panic!("{id}: the acknowledged sale has no audit record"));
        assert_eq!(record.outcome, "OK", "{id}");
        assert_eq!(record.log_sequence, logged, "{id}: linked to its log entry");
    }
}

/// Reads answered before the kill, and their audit records found after it. Every read answered
/// more than [`AUDIT_DURABLE_WITHIN`] before the kill must be there.
async fn count_reads(
    demo: &Demo,
    reader: &Connection,
    reads: &[Instant],
    from_ms: u64,
    killed_ms: u64,
    killed_at: Instant,
) -> (usize, usize) {
    let query = tanba_client::AuditQuery {
        participant: Some(demo.id(READER)),
        from_ms,
        until_ms: Some(killed_ms + 1),
        ..Default::default()
    };
    let found = demo_harness::audit_records(reader, query)
        .await
        .iter()
        .filter(|record| record.method == CHECK_METHOD)
        .count();
    let durable = reads
        .iter()
        .filter(|answered| killed_at.duration_since(**answered) > AUDIT_DURABLE_WITHIN)
        .count();
    assert!(
        found >= durable,
        "{found} reads audited, but {durable} were answered more than {AUDIT_DURABLE_WITHIN:?} \
         before the kill"
    );
    (reads.len(), found)
}

/// The log and the audit trail verify from genesis, and every write's note is chained.
fn verify_store(data: &std::path::Path) {
    let keys = tanba_server::open_key_ring(data, 0)
        .unwrap()
        .public_key_set();
    let store: Arc<dyn Store> = Arc::new(RocksStore::open(&data.join("engine")).unwrap());
    tanba_engine::verify_log(store.as_ref(), &keys, None).unwrap();
    let audit = tanba_server::audit::verify(store.as_ref(), &keys).unwrap();
    assert_eq!(audit.signed_through, audit.records, "signed at the stop");
    let notes = store
        .snapshot()
        .scan_prefix(Column::Audit, &[tanba_engine::keys::AUDIT_NOTE], 10)
        .unwrap();
    assert!(notes.is_empty(), "a write's note left unchained");
}
