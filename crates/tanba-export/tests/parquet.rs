//! Data exports (R-IS-15) written from a real engine over RocksDB and read back by two readers
//! nobody here wrote: pyarrow and DuckDB (`scripts/read_exports.py`, in the virtual environment
//! `scripts/setup.sh` makes). Three days of goods: codes issued and packed, a shipment, sales
//! with prices and a return; every kind is exported and both readers must see Tanba's own
//! figures (rows, and sums of sequences and prices). A job asked again with its key is the same
//! job, and a job cut short finishes with the same bytes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand_core::OsRng;
use serde_json::Value;
use tanba_crypto::KeyRing;
use tanba_engine::data_export::{self, DataExportJob};
use tanba_engine::workload::{self, World};
use tanba_engine::{Clock, Engine, EngineConfig, EngineError};
use tanba_export::{CodesRead, Quota, WriteOptions, write_job, write_job_with};
use tanba_store::{RocksStore, Store};
use tanba_types::{
    Actor, Command, DataExportKind, Date, Participant, ParticipantStatus, Role, SaleLine,
    TaxpayerId,
};

/// 2026-11-30 10:00 in Kazakhstan.
const START_MS: u64 = 1_764_478_800_000;
const DAY_MS: u64 = 86_400_000;

struct TestClock(AtomicU64);

impl Clock for TestClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The Python with pyarrow and DuckDB.
fn python() -> PathBuf {
    let path = std::env::var_os("TANBA_ANALYTICS_PYTHON").map_or_else(
        || PathBuf::from("/var/tmp/tanba-tools/analytics/bin/python"),
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "{} is missing: run scripts/setup.sh (it installs pyarrow and DuckDB)",
        path.display()
    );
    path
}

/// What pyarrow and DuckDB read in a job's directory.
fn read_back(directory: &Path) -> Value {
    read_back_with(directory, &[])
}

/// [`read_back`], with the script's `flags` (`--rows`: every row, sorted).
fn read_back_with(directory: &Path, flags: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/read_exports.py");
    let output = std::process::Command::new(python())
        .arg(script)
        .arg(directory)
        .args(flags)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

struct Market {
    engine: Engine,
    store: Arc<dyn Store>,
    clock: Arc<TestClock>,
    ministry: TaxpayerId,
    /// Codes issued, transport packages made, items shipped.
    codes: u64,
    transport: u64,
    shipped: u64,
    /// Codes sold and their prices, codes returned.
    prices: Vec<u64>,
    returned: u64,
}

/// Codes issued for the market's second product (never shipped).
const OTHER_PRODUCT_CODES: u64 = 20;

/// Three days: issued and packed; shipped and sold; one return.
fn market(directory: &Path) -> Market {
    let store: Arc<dyn Store> = Arc::new(RocksStore::open(&directory.join("engine")).unwrap());
    let clock = Arc::new(TestClock(AtomicU64::new(START_MS)));
    let ring = Arc::new(KeyRing::generate(START_MS, &mut OsRng));
    let config = EngineConfig {
        serial_seed: Some([5; 32]),
        ..EngineConfig::default()
    };
    let engine = Engine::start(store.clone(), ring, clock.clone(), config).unwrap();
    let world = World::register(&engine).unwrap();
    let ministry: TaxpayerId = "990540000399".parse().unwrap();
    let ministry_card = Participant {
        id: ministry,
        name: "Analysts".into(),
        // A ministry exports documents, sales and codes; the whole log and the cases are the
        // operator's.
        roles: [Role::Ministry, Role::Operator].into(),
        keys: Vec::new(),
        status: ParticipantStatus::Active,
    };
    engine
        .execute(Actor::System, Command::RegisterParticipant(ministry_card))
        .unwrap();
    let today = Date::from_unix_ms_in_kz(START_MS);
    let order = world
        .order(&engine, world.short_gtin, 100, Duration::from_secs(60))
        .unwrap();
    let codes = workload::order_codes(&engine, order).unwrap();
    // A second product's codes: with two registered products the codes column's scan splits
    // between them (`query::code_split_keys`), and both ranges hold rows.
    world
        .order(
            &engine,
            world.full_gtin,
            OTHER_PRODUCT_CODES as u32,
            Duration::from_secs(60),
        )
        .unwrap();
    world
        .bring_into_circulation(&engine, &codes, today)
        .unwrap();
    let (pallet, boxes) = (workload::sscc(1), [workload::sscc(2), workload::sscc(3)]);
    world
        .palletize(&engine, pallet, &boxes, &codes[60..70])
        .unwrap();

    clock.0.fetch_add(DAY_MS, Ordering::SeqCst);
    world
        .deliver(&engine, world.retailer, &codes[..50])
        .unwrap();
    let retailer = Actor::Participant(world.retailer);
    let mut prices = Vec::new();
    for (index, code) in codes[..40].iter().enumerate() {
        let price = 10_000 + 100 * index as u64;
        let sale = Command::RecordSale {
            receipt_id: format!("R-{index}"),
            printed_ms: clock.now_ms(),
            lines: vec![SaleLine {
                code: code.to_string(),
                price_tiyn: price,
            }],
        };
        engine.execute(retailer, sale).unwrap();
        prices.push(price);
    }

    clock.0.fetch_add(DAY_MS, Ordering::SeqCst);
    let returned = Command::RecordReturn {
        receipt_id: "B-1".into(),
        sale_receipt_id: "R-3".into(),
        codes: vec![codes[3]],
    };
    engine.execute(retailer, returned).unwrap();
    Market {
        engine,
        store,
        clock,
        ministry,
        codes: 100 + OTHER_PRODUCT_CODES,
        transport: 3,
        shipped: 50,
        prices,
        returned: 1,
    }
}

fn ask(market: &Market, key: &str, kind: DataExportKind) -> Result<DataExportJob, EngineError> {
    let from = Date::from_unix_ms_in_kz(START_MS);
    let to = Date::from_unix_ms_in_kz(market.clock.now_ms());
    let command = Command::RequestDataExport {
        key: key.into(),
        kind,
        from,
        to,
    };
    let id = market
        .engine
        .execute(Actor::Participant(market.ministry), command)?
        .first_sequence;
    Ok(data_export::job(market.engine.snapshot().as_ref(), id)?.unwrap())
}

#[test]
fn r_is_15_every_export_reads_in_pyarrow_and_duckdb_with_tanbas_figures() {
    let directory = tempfile::tempdir().unwrap();
    let market = market(directory.path());
    let root = directory.path().join("exports");
    let quota = Quota::new(1 << 30, &root).unwrap();
    for kind in DataExportKind::ALL {
        let job = ask(&market, kind.name(), kind).unwrap();
        let snapshot = market.store.snapshot();
        let manifest = write_job(snapshot.as_ref(), &job, &root, &quota).unwrap();
        assert_eq!(manifest.files.len(), 3, "{kind:?}: a file per day");
        let read = read_back(&tanba_export::job_directory(&root, job.id));
        let rows = |reader: &str| read[reader]["rows"].as_u64().unwrap();
        let sum = |reader: &str, column: &str| read[reader]["sums"][column].as_u64().unwrap();
        assert_eq!(rows("pyarrow"), manifest.rows(), "{kind:?}: {read}");
        assert_eq!(rows("duckdb"), manifest.rows(), "{kind:?}: {read}");
        for column in read["pyarrow"]["sums"].as_object().unwrap().keys() {
            assert_eq!(
                sum("pyarrow", column),
                sum("duckdb", column),
                "{kind:?} {column}"
            );
        }
        let expected_rows = match kind {
            // Every entry up to the job's own.
            DataExportKind::Events => job.id,
            DataExportKind::Codes => market.codes + market.transport,
            DataExportKind::Documents => market.shipped,
            DataExportKind::Sales => market.prices.len() as u64 + market.returned,
            DataExportKind::Cases => 0,
        };
        assert_eq!(manifest.rows(), expected_rows, "{kind:?}");
        match kind {
            DataExportKind::Events => {
                assert_eq!(sum("duckdb", "sequence"), job.id * (job.id + 1) / 2);
                assert_eq!(
                    read["duckdb"]["days"], 3,
                    "the Hive-style days read as a column"
                );
            }
            DataExportKind::Sales => {
                let total: u64 = market.prices.iter().sum();
                assert_eq!(sum("duckdb", "price_tiyn"), total);
                assert_eq!(sum("pyarrow", "price_tiyn"), total);
            }
            _ => {}
        }
        let columns = read["pyarrow"]["columns"].as_object().unwrap();
        assert_eq!(columns["time"], "timestamp[ms, tz=UTC]", "{kind:?}");
        assert_eq!(columns["day"], "date32[day]", "{kind:?}");
    }
}

#[test]
fn r_is_15_a_key_makes_one_job_and_a_job_cut_short_finishes_the_same() {
    let directory = tempfile::tempdir().unwrap();
    let market = market(directory.path());
    let job = ask(&market, "nightly-2026-12-02", DataExportKind::Sales).unwrap();
    let again = ask(&market, "nightly-2026-12-02", DataExportKind::Events);
    assert_eq!(again.unwrap_err(), EngineError::DataExportKeyUsed(job.id));
    let root = directory.path().join("exports");
    let quota = Quota::new(1 << 30, &root).unwrap();
    let snapshot = market.store.snapshot();
    let whole = write_job(snapshot.as_ref(), &job, &root, &quota).unwrap();

    // Cut short: no manifest, and the second day's file never made it.
    let job_directory = tanba_export::job_directory(&root, job.id);
    std::fs::remove_file(job_directory.join(tanba_export::MANIFEST_FILE)).unwrap();
    std::fs::remove_file(job_directory.join(&whole.files[1].path)).unwrap();
    let finished = write_job(snapshot.as_ref(), &job, &root, &quota).unwrap();
    assert_eq!(finished, whole, "the same files, byte for byte");

    // Bad asks are refused with their codes.
    let refused = |key: &str, from: i32, to: i32| {
        let command = Command::RequestDataExport {
            key: key.into(),
            kind: DataExportKind::Events,
            from: Date::from_days_since_epoch(from),
            to: Date::from_days_since_epoch(to),
        };
        let outcome = market
            .engine
            .execute(Actor::Participant(market.ministry), command);
        outcome.unwrap_err().code()
    };
    let today = Date::from_unix_ms_in_kz(market.clock.now_ms()).days_since_epoch();
    assert_eq!(refused("bad key!", today, today), "TANBA-ENGINE-INVALID");
    assert_eq!(refused("", today, today), "TANBA-ENGINE-INVALID");
    assert_eq!(
        refused("backwards", today, today - 1),
        "TANBA-ENGINE-INVALID"
    );
    assert_eq!(
        refused("future", today + 1, today + 1),
        "TANBA-ENGINE-INVALID"
    );
    assert_eq!(
        refused("too-long", today - 400, today),
        "TANBA-ENGINE-LIMIT-EXCEEDED"
    );
    let retailer = World::open_or_register(&market.engine).unwrap().retailer;
    let by_retailer = Command::RequestDataExport {
        key: "mine".into(),
        kind: DataExportKind::Sales,
        from: Date::from_days_since_epoch(today),
        to: Date::from_days_since_epoch(today),
    };
    let outcome = market
        .engine
        .execute(Actor::Participant(retailer), by_retailer);
    assert_eq!(outcome.unwrap_err().code(), "TANBA-ENGINE-ROLE-REQUIRED");
}

#[test]
fn r_is_15_the_quota_bounds_every_job_together() {
    let directory = tempfile::tempdir().unwrap();
    let market = market(directory.path());
    let root = directory.path().join("exports");
    let quota = Quota::new(2_000, &root).unwrap();
    let job = ask(&market, "big", DataExportKind::Events).unwrap();
    let snapshot = market.store.snapshot();
    let refused = write_job(snapshot.as_ref(), &job, &root, &quota).unwrap_err();
    assert_eq!(refused.code(), "TANBA-EXPORT-QUOTA");
    assert!(quota.used_bytes() <= 2_000);
}

/// Days split into parts of at most `part_entries_max` log entries.
fn split(part_entries_max: u64) -> WriteOptions {
    WriteOptions {
        part_entries_max,
        ..WriteOptions::default()
    }
}

/// The codes table read by a scan of the codes column has the rows read code by code, file
/// for file (each code in the part of the entry that created it), also when a job cut short
/// scans again for its missing part; the spill files go, and the quota counts the Parquet
/// files alone after.
#[test]
fn r_is_15_a_codes_table_read_by_a_scan_has_the_rows_read_code_by_code() {
    let directory = tempfile::tempdir().unwrap();
    let market = market(directory.path());
    let quota = Quota::new(1 << 30, directory.path()).unwrap();
    let job = ask(&market, "codes", DataExportKind::Codes).unwrap();
    let snapshot = market.store.snapshot();
    let ranges = tanba_engine::query::code_split_keys(snapshot.as_ref(), 2).unwrap();
    assert_eq!(ranges.len(), 2, "two products: the scan is split in two");
    let write = |name: &str, codes_read| {
        let root = directory.path().join(name);
        let options = WriteOptions {
            codes_read,
            ..split(7)
        };
        let manifest = write_job_with(snapshot.as_ref(), &job, &root, &quota, options).unwrap();
        (root, manifest)
    };
    let (each_root, each_code) = write("each", CodesRead::EachCode);
    let (scan_root, scanned) = write("scan", CodesRead::Scan);
    let (_, chosen) = write("chosen", CodesRead::Chosen);
    assert_eq!(each_code.rows(), market.codes + market.transport);
    let layout = |manifest: &tanba_export::Manifest| -> Vec<_> {
        (manifest.files.iter())
            .map(|file| (file.path.clone(), file.sequences.clone(), file.rows))
            .collect()
    };
    assert!(each_code.files.len() > 3, "the days are split into parts");
    assert_eq!(
        layout(&scanned),
        layout(&each_code),
        "the same rows per file"
    );
    // Which way was chosen depends on RocksDB's estimate of the column (counting overwrites
    // not yet compacted); either way, the same rows per file.
    assert_eq!(layout(&chosen), layout(&each_code));
    let rows = |root: &Path| {
        read_back_with(&tanba_export::job_directory(root, job.id), &["--rows"])["rows"].clone()
    };
    let each_rows = rows(&each_root);
    assert_eq!(each_rows.as_array().unwrap().len() as u64, each_code.rows());
    assert_eq!(rows(&scan_root), each_rows, "the same rows");

    // Cut short: a part with rows is missing, and the scan routes only to it.
    let job_directory = tanba_export::job_directory(&scan_root, job.id);
    let missing = (scanned.files.iter()).find(|file| file.rows > 0).unwrap();
    std::fs::remove_file(job_directory.join(tanba_export::MANIFEST_FILE)).unwrap();
    std::fs::remove_file(job_directory.join(&missing.path)).unwrap();
    quota.give_back(missing.bytes);
    let options = WriteOptions {
        codes_read: CodesRead::Scan,
        ..split(7)
    };
    let finished = write_job_with(snapshot.as_ref(), &job, &scan_root, &quota, options).unwrap();
    assert_eq!(finished, scanned, "the same files, byte for byte");
    assert!(
        !job_directory.join("spill").exists(),
        "the spill files are gone"
    );
    assert_eq!(
        quota.used_bytes(),
        tanba_export::parquet_bytes(directory.path()).unwrap(),
        "the quota counts the Parquet files alone"
    );
}

#[test]
fn r_is_15_a_day_split_into_parts_reads_the_same_and_a_part_cut_short_is_written_again() {
    let directory = tempfile::tempdir().unwrap();
    let market = market(directory.path());
    let whole_root = directory.path().join("whole");
    let parts_root = directory.path().join("parts");
    let quota = Quota::new(1 << 30, directory.path()).unwrap();
    for kind in [DataExportKind::Events, DataExportKind::Sales] {
        let job = ask(&market, kind.name(), kind).unwrap();
        let snapshot = market.store.snapshot();
        let whole = write_job(snapshot.as_ref(), &job, &whole_root, &quota).unwrap();
        // At most 7 entries a file: the first day (the world registered, codes issued and
        // packed) is tens of entries.
        let parts = write_job_with(snapshot.as_ref(), &job, &parts_root, &quota, split(7)).unwrap();
        assert_eq!(whole.files.len(), 3, "{kind:?}: a file per day");
        let first_day: Vec<_> = (parts.files.iter())
            .filter(|file| file.day == parts.files[0].day)
            .collect();
        assert!(first_day.len() > 2, "{kind:?}: the first day is split");
        assert_eq!(first_day.len() % tanba_export::EXPORT_THREADS, 0);
        for (index, file) in first_day.iter().enumerate() {
            assert_eq!(file.part as usize, index, "listed by day and part");
            assert_eq!(file.path, format!("day={}/part-{index}.parquet", file.day));
        }
        assert_eq!(parts.rows(), whole.rows(), "{kind:?}");
        let read_whole = read_back(&tanba_export::job_directory(&whole_root, job.id));
        let read_parts = read_back(&tanba_export::job_directory(&parts_root, job.id));
        for reader in ["pyarrow", "duckdb"] {
            assert_eq!(read_parts[reader], read_whole[reader], "{kind:?} {reader}");
        }

        // Cut short: no manifest, and a part in the middle of the first day never made it.
        let job_directory = tanba_export::job_directory(&parts_root, job.id);
        std::fs::remove_file(job_directory.join(tanba_export::MANIFEST_FILE)).unwrap();
        std::fs::remove_file(job_directory.join(&first_day[1].path)).unwrap();
        let finished =
            write_job_with(snapshot.as_ref(), &job, &parts_root, &quota, split(7)).unwrap();
        assert_eq!(finished, parts, "{kind:?}: the same files, byte for byte");

        // Finished under another split (a version that splits otherwise): the old split's files
        // go, and the job is the whole one, no entry exported twice.
        std::fs::remove_file(job_directory.join(tanba_export::MANIFEST_FILE)).unwrap();
        let resplit = write_job_with(
            snapshot.as_ref(),
            &job,
            &parts_root,
            &quota,
            split(u64::MAX),
        )
        .unwrap();
        assert_eq!(resplit.files, whole.files, "{kind:?}");
        assert_eq!(read_back(&job_directory)["duckdb"], read_whole["duckdb"]);
    }
}
