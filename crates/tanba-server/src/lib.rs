//! Tanba's server: where Tanba meets its users. Producers' line software and ERPs over gRPC,
//! tills over HTTP/JSON or gRPC, phones at the code's GS1 Digital Link, operators through
//! `/metrics`.
//!
//! - [`app`]: the shared state and the one path every call takes: client IP (trusted proxies
//!   only), language, rate limits, sign-in tokens, roles, and the audit record it leaves.
//! - [`service`]: every operation once, for every door: who may, what the audit record names,
//!   the engine's command or read, a plain answer. The doors below convert and finish calls.
//! - [`grpc`]: one module per file of `proto/tanba/v1`, plus health and reflection.
//! - [`http`]: the public check as JSON and as a page, reports, opt-ins, the tills' JSON API,
//!   sign-in, metrics, the OpenAPI document. [`page`] renders the HTML; [`resolver`] answers
//!   GS1 resolver clients at a code's Digital Link (linksets and redirects).
//! - [`public`]: verdicts, violation reports, likely copies. [`opt_ins`]: consumers' contacts.
//!   [`audit`]: the chained audit trail.
//! - [`net`]: the accept loop (backlog, connection cap, TLS, graceful stop).
//! - [`config`]: defaults, file, environment.
//! - [`registers`]: the adapters that refresh the state registers (entrepreneurs, the
//!   certification centre's revocation lists) into the log; [`certificates`]: signing in with an
//!   accredited centre's X.509 certificate.
//! - [`exports`]: the worker that writes the data export jobs' Parquet files (R-IS-15).
//!
//! Architecture invariant: the server never builds an [`Actor::System`](tanba_types::Actor)
//! from a request: every command's actor is the signed-in participant (or, for a fiscal data
//! operator's receipt, the seller it names, with the operator in the audit record). The engine
//! decides every rule about goods; the server decides who is calling, what they may read, and
//! checks document signatures before the engine sees a document.
//!
//! [`RunningServer`] (feature `rocksdb`, on by default) opens a data directory and serves it;
//! without the feature the crate is the in-process [`App`] over any store, which is what the
//! fuzz targets drive.

// Without RocksDB the start-up helpers have no caller.
#![cfg_attr(not(feature = "rocksdb"), allow(dead_code, unused_imports))]

pub mod app;
pub mod audit;
pub mod certificates;
pub mod config;
pub mod console;
pub mod epcis;
pub mod error;
pub mod exports;
pub mod grpc;
pub mod heads;
pub mod http;
pub mod net;
pub mod opt_ins;
pub mod page;
pub mod public;
pub mod registers;
pub mod resolver;
pub mod service;
pub mod session;
pub mod shelf;
#[cfg(feature = "rocksdb")]
pub mod shelved_snapshots;
#[cfg(feature = "rocksdb")]
pub mod snapshots;
pub mod steward;
pub mod test_clock;
pub mod trails;
pub mod webhooks;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rand_core::{OsRng, RngCore};
use tanba_crypto::sign_in::SignInSecret;
use tanba_crypto::{KeyRing, create_key_ring, load_key_ring};
use tanba_engine::command_log::CommandLog;
use tanba_engine::heads::HeadBoard;
use tanba_engine::seal::{ClusterSeal, SealCheck, SealedBoard, SealedLog};
use tanba_engine::{Clock, Engine, EngineConfig, EngineError, SystemClock, query};
#[cfg(feature = "rocksdb")]
use tanba_store::RocksStore;
use tanba_store::{Snapshot, Store};
use tanba_types::{Actor, Command, Participant, ParticipantKey, ParticipantStatus, Role};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use app::App;
pub use config::{
    ServerConfig, SharedBlobShelf, SharedCommandLog, SharedHeadBoard, SharedSnapshotShelf,
    SharedStewardLease, SharedTrailStream,
};
pub use error::ApiError;

/// How often forgotten rate-limit keys, used challenges and closed sighting windows are swept.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A file or directory of the data directory.
    #[error("{path}: {reason}")]
    Data {
        /// Which.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The engine would not start.
    #[error("engine: {0}")]
    Engine(#[from] EngineError),
    /// The audit trail would not open.
    #[error("audit: {0}")]
    Audit(#[from] audit::AuditError),
    /// A port could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// TLS files are unusable.
    #[error("TLS: {0}")]
    Tls(String),
    /// The process may not open as many files as the configuration needs.
    #[error(
        "the process may open {limit} files (hard limit {hard}): {besides} go to the store's table \
         files (store_open_files_max) and {reserved} are reserved, which leaves no room for {wanted} \
         connections (connections_max, at least {min}): lower them, or raise the limit \
         (ulimit -n, LimitNOFILE=)",
        reserved = config::FILES_RESERVED,
        min = config::CONNECTIONS_MIN
    )]
    FileBudget {
        /// Connections wanted (configured, or the default).
        wanted: usize,
        /// Files needed besides connections.
        besides: u64,
        /// The soft limit, raised as far as it goes.
        limit: u64,
        /// The hard limit.
        hard: u64,
    },
}

/// Raises the process's open-file limit to its hard limit, sizes the connection cap inside it
/// (the configured one must fit; the default takes what is left after the store's files), and
/// returns that cap. A server that runs out of descriptors under load stops accepting, or
/// worse, cannot open a table file: better not to start.
pub fn open_file_budget(config: &ServerConfig) -> Result<usize, StartError> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    if config.store_open_files_max < tanba_store::OPEN_FILES_MIN {
        return Err(data_error(
            Path::new("store_open_files_max"),
            format!("at least {}", tanba_store::OPEN_FILES_MIN),
        ));
    }
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        limit.current = limit.maximum;
        if let Err(error) = setrlimit(Resource::Nofile, limit) {
            tracing::warn!(%error, "cannot raise the open-file limit");
            limit = getrlimit(Resource::Nofile);
        }
    }
    let (current, hard) = (
        limit.current.unwrap_or(u64::MAX),
        limit.maximum.unwrap_or(u64::MAX),
    );
    config
        .connections_within(current)
        .ok_or(StartError::FileBudget {
            wanted: config
                .connections_max
                .unwrap_or(config::CONNECTIONS_DEFAULT_MAX),
            besides: config.files_besides_connections(),
            limit: current,
            hard,
        })
}

/// Creates the data directory readable by its owner only (0700): it holds the signing keys,
/// the sign-in secret and every participant's records.
pub(crate) fn create_private_directory(path: &Path) -> Result<(), StartError> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|error| data_error(path, error))?;
    let mode = std::fs::metadata(path)
        .map_err(|error| data_error(path, error))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .map_err(|error| data_error(path, error))?;
    }
    Ok(())
}

fn data_error(path: &Path, reason: impl ToString) -> StartError {
    StartError::Data {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// The data directory's code-signing key ring: loaded, or created on first start.
pub fn open_key_ring(data_dir: &Path, now_ms: u64) -> Result<KeyRing, StartError> {
    let path = data_dir.join(KEY_RING_FILE);
    if path.exists() {
        return load_key_ring(&path).map_err(|error| data_error(&path, error));
    }
    let ring = KeyRing::generate(now_ms, &mut OsRng);
    create_key_ring(&ring, &path).map_err(|error| data_error(&path, error))?;
    Ok(ring)
}

/// Writes the key ring's public half to `DATA/public-keys.json` (rewritten at every start, so it
/// follows rotations): what the operator hands to whoever verifies codes or feeds offline
/// (`tanba feed verify --keys`).
fn write_public_keys(data_dir: &Path, ring: &KeyRing) -> Result<(), StartError> {
    let path = data_dir.join(PUBLIC_KEYS_FILE);
    let partial = path.with_extension("json.partial");
    std::fs::write(&partial, ring.public_key_set().to_json() + "\n")
        .and_then(|()| std::fs::rename(&partial, &path))
        .map_err(|error| data_error(&path, error))
}

/// The data directory's key ring (the operator's signing keys).
pub const KEY_RING_FILE: &str = "keys.json";
/// The data directory's sign-in secret (every node of a cluster holds the same).
pub const SIGN_IN_SECRET_FILE: &str = "sign-in.secret";
/// The data directory's store.
pub const ENGINE_DIRECTORY: &str = "engine";

/// The file in the data directory holding the operator's public keys.
pub const PUBLIC_KEYS_FILE: &str = "public-keys.json";

/// The roots of accredited certification centres, from a PEM file (none configured: empty).
fn open_trust_roots(path: Option<&Path>) -> Result<tanba_crypto::x509::TrustRoots, StartError> {
    let Some(path) = path else {
        return Ok(Default::default());
    };
    let pem = std::fs::read(path).map_err(|error| data_error(path, error))?;
    let roots =
        tanba_crypto::x509::TrustRoots::from_pem(&pem).map_err(|error| data_error(path, error))?;
    tracing::info!(roots = roots.len(), path = %path.display(), "certificate roots loaded");
    Ok(roots)
}

/// The secret that seals sign-in tokens and keys the cluster's seal: read, or created (0600)
/// on first start (of a node joining a cluster whose log has begun, refused: see
/// [`refuse_own_secret_in_cluster`]).
fn open_sign_in_secret(
    data_dir: &Path,
    log: Option<&SharedCommandLog>,
) -> Result<SignInSecret, StartError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let path = data_dir.join(SIGN_IN_SECRET_FILE);
    if path.exists() {
        let metadata = std::fs::metadata(&path).map_err(|error| data_error(&path, error))?;
        if metadata.permissions().mode() & 0o077 != 0 {
            return Err(data_error(&path, "readable by others: chmod 600 it"));
        }
        let bytes = std::fs::read(&path).map_err(|error| data_error(&path, error))?;
        let secret: [u8; 32] = bytes
            .try_into()
            .map_err(|_| data_error(&path, "not 32 bytes"))?;
        return Ok(SignInSecret::from_bytes(secret));
    }
    if let Some(log) = log {
        refuse_own_secret_in_cluster(&path, log)?;
    }
    let mut secret = [0; 32];
    OsRng.fill_bytes(&mut secret);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(|error| data_error(&path, error))?;
    file.write_all(&secret)
        .and_then(|()| file.sync_all())
        .map_err(|error| data_error(&path, error))?;
    Ok(SignInSecret::from_bytes(secret))
}

/// Runs `call` on a thread of its own and waits for it: a shared log's calls block on a
/// runtime of their own, which cannot run inside the server's.
fn outside_runtime<T: Send>(call: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| scope.spawn(call).join()).expect("a call to the log does not panic")
}

/// A node draws its own sign-in secret only as the first of its cluster: the others share the
/// first one's (tokens and the cluster's seal are keyed by it), and a node with a secret of its
/// own would take every other node's batches for forgeries and they its own.
fn refuse_own_secret_in_cluster(path: &Path, log: &SharedCommandLog) -> Result<(), StartError> {
    match outside_runtime(|| log.0.last_position()) {
        Ok(0) => Ok(()),
        Ok(batches) => Err(data_error(
            path,
            format!(
                "missing, and the command log holds {batches} batches: copy the cluster's \
                 sign-in secret and key ring here first (deploy/RUNBOOK.md)"
            ),
        )),
        Err(error) => Err(data_error(
            path,
            format!("missing, and the command log cannot tell whether its cluster began: {error}"),
        )),
    }
}

/// A node of a cluster started with no store begins from the latest snapshot on the cluster's
/// shelf, if there is one, instead of the whole command stream (which may be trimmed).
#[cfg(feature = "rocksdb")]
fn begin_from_shelf(
    data_dir: &Path,
    engine_dir: &Path,
    shelf: &SharedSnapshotShelf,
    seal: &ClusterSeal,
    node: Option<&tanba_engine::heads::NodeName>,
) -> Result<(), StartError> {
    if engine_dir.exists() {
        return Ok(());
    }
    let restored = outside_runtime(|| {
        shelved_snapshots::restore_latest(shelf.0.as_ref(), seal, data_dir, node)
    });
    match restored.map_err(|error| data_error(engine_dir, error))? {
        Some(manifest) => {
            metrics::gauge!("tanba_began_from_snapshot_sequence").set(manifest.sequence as f64);
            tracing::info!(
                sequence = manifest.sequence,
                position = manifest.position,
                "began from the cluster's latest snapshot"
            );
        }
        None => tracing::info!("the cluster's shelf holds no snapshot: beginning from the stream"),
    }
    Ok(())
}

/// Takes back this node's own audit records that the cluster's stream holds past its store's
/// end, before the trail's writer starts (`trails::take_back_own`). A stream out of reach past
/// the patience stops the start; a stream whose copy differs is logged and counted, and the node
/// serves without publishing its trail.
#[cfg(feature = "rocksdb")]
fn take_back_audit_records(
    store: &dyn Store,
    trails: &dyn tanba_engine::trails::TrailStream,
    seal: &ClusterSeal,
    node: &tanba_engine::heads::NodeName,
) -> Result<(), StartError> {
    match outside_runtime(|| trails::take_back_own(store, trails, seal, node)) {
        Ok(0) => Ok(()),
        Ok(taken) => {
            tracing::info!(taken, "took back this node's audit records from the stream");
            Ok(())
        }
        Err(trails::TrailError::Stream(error)) => Err(StartError::Engine(
            EngineError::LogUnavailable(format!("the stream of audit trails: {error}")),
        )),
        // A store that fails now would have the writer chain over records half taken back.
        Err(trails::TrailError::Audit(audit::AuditError::Store(error))) => {
            Err(StartError::Audit(audit::AuditError::Store(error)))
        }
        Err(error) => {
            tracing::error!(%error, "this node's audit trail and the stream's copy differ");
            metrics::counter!("tanba_audit_trail_conflicts_total").increment(1);
            Ok(())
        }
    }
}

/// How many times a node that joins its cluster with no store begins from the shelf: the
/// steward may trim the stream behind a newer snapshot between the node's look at the shelf and
/// its first read of the stream, and the node then begins again from the newer snapshot.
#[cfg(feature = "rocksdb")]
const JOIN_ATTEMPTS_MAX: u32 = 3;

/// Opens the node's store, a node of a cluster that has none beginning from the cluster's shelf
/// (`begin_from_shelf`). A store behind the command stream's trimmed start cannot catch up: a
/// store the node has just begun is begun again (up to [`JOIN_ATTEMPTS_MAX`] times); any other
/// does not start, and the refusal says how to restore it.
#[cfg(feature = "rocksdb")]
fn open_engine_store(
    config: &ServerConfig,
    engine_dir: &Path,
    cluster_seal: Option<&ClusterSeal>,
    node: Option<&tanba_engine::heads::NodeName>,
    hold: Option<&TrimHold>,
) -> Result<Arc<RocksStore>, StartError> {
    let joining = !engine_dir.exists() && config.snapshot_shelf.is_some();
    let mut attempt = 1;
    loop {
        if let (true, Some(hold)) = (joining, hold) {
            let empty = tanba_engine::LogHead {
                sequence: 0,
                hash: tanba_crypto::GENESIS,
            };
            hold.publish(0, empty);
        }
        if let Some((shelf, seal)) = config.snapshot_shelf.as_ref().zip(cluster_seal) {
            begin_from_shelf(&config.data_dir, engine_dir, shelf, seal, node)?;
        }
        let rocks = Arc::new(
            RocksStore::open_with_files(engine_dir, config.store_open_files_max)
                .map_err(|error| data_error(engine_dir, error))?,
        );
        let Some(log) = &config.command_log else {
            return Ok(rocks);
        };
        let snapshot = rocks.snapshot();
        let applied = tanba_engine::core::stored_applied(snapshot.as_ref())?;
        let Some(first) = trimmed_past(applied, log) else {
            if let Some(hold) = hold {
                let head = tanba_engine::log::stored_head(snapshot.as_ref())?;
                hold.publish(applied.position, head);
            }
            drop(snapshot);
            return Ok(rocks);
        };
        if !(joining && attempt < JOIN_ATTEMPTS_MAX) {
            return Err(behind_trimmed_stream(engine_dir, applied.position, first));
        }
        drop(snapshot);
        tracing::warn!(
            attempt,
            first,
            "the command stream was trimmed while this node joined: beginning again from the shelf"
        );
        drop(rocks);
        std::fs::remove_dir_all(engine_dir).map_err(|error| data_error(engine_dir, error))?;
        attempt += 1;
    }
}

/// Whether a store that applied the command stream through `applied` is behind the stream's
/// trimmed start: the stream's first position, if so.
#[cfg(feature = "rocksdb")]
fn trimmed_past(applied: tanba_engine::core::Applied, log: &SharedCommandLog) -> Option<u64> {
    let from = applied.read_from().position;
    // Out of reach, it is not known to be trimmed: the applier waits for the log as ever.
    match outside_runtime(|| log.0.first_position()) {
        Ok(first) if from < first => Some(first),
        _ => None,
    }
}

/// The refusal of a store behind the command stream's trimmed start, which cannot catch up.
#[cfg(feature = "rocksdb")]
fn behind_trimmed_stream(engine_dir: &Path, applied: u64, first: u64) -> StartError {
    data_error(
        engine_dir,
        format!(
            "this store has applied the command stream through position {applied}, and the \
             stream now starts at {first}: move engine/ away and start again (the node begins \
             from the cluster's latest snapshot), or restore one (deploy/RUNBOOK.md)"
        ),
    )
}

/// A node of a cluster on its way in holds the stream's trim back: the steward trims only
/// behind the heads on the cluster's board (`shelved_snapshots::trim_position`), and the node's
/// own watch publishes its head only once it serves. So the node puts its head there itself:
/// at 0 before it looks at the shelf (an empty shelf, a stream never trimmed), at its store's
/// position once it has opened it and found the stream not trimmed past it, and every
/// [`CATCH_UP_REPORT_INTERVAL`] while it catches up. A head the stream was trimmed past holds
/// nothing (`trim_position` passes over it), so a node that fails its start and tries again
/// and again does not stop the trims. Restoring a shelved snapshot is not held: the steward
/// trims behind the oldest snapshot the shelf keeps, not the latest, which the node restores.
#[cfg(feature = "rocksdb")]
struct TrimHold {
    board: Arc<SealedBoard>,
    node: tanba_engine::heads::NodeName,
}

#[cfg(feature = "rocksdb")]
impl TrimHold {
    fn new(
        board: Option<&Arc<SealedBoard>>,
        node: Option<&tanba_engine::heads::NodeName>,
    ) -> Option<TrimHold> {
        Some(TrimHold {
            board: board?.clone(),
            node: node?.clone(),
        })
    }

    /// Publishes this node's head at `position`; a failure is logged, not fatal: the stream's
    /// trimmed start is checked all the same.
    fn publish(&self, position: u64, head: tanba_engine::LogHead) {
        let head = tanba_engine::heads::PublishedHead::of(&self.node, position, head);
        if let Err(error) = outside_runtime(|| self.board.publish(&head)) {
            tracing::warn!(%error, "this node's head not put on the board while it joins");
        }
    }
}

/// A node whose sign-in secret is not its cluster's would apply its own batches alone (the
/// others' fail its seal, and its own theirs) and serve a state of its own: it does not start.
fn refuse_another_clusters_secret(
    path: &Path,
    log: &SharedCommandLog,
    seal: &ClusterSeal,
) -> Result<(), StartError> {
    match outside_runtime(|| seal.check_log(log.0.as_ref())) {
        Ok(SealCheck::Nothing | SealCheck::Ours) => Ok(()),
        Ok(SealCheck::Another { read }) => Err(data_error(
            path,
            format!(
                "not this cluster's: none of the first {read} batches on the command log is \
                 sealed with it; copy the cluster's sign-in secret and key ring here \
                 (deploy/RUNBOOK.md)"
            ),
        )),
        Err(error) => Err(data_error(
            path,
            format!("the command log cannot tell whether it is this cluster's: {error}"),
        )),
    }
}

/// The one Prometheus recorder of the process (a global recorder can be installed once; tests
/// start several servers in one process).
pub fn metrics_handle() -> metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: OnceLock<metrics_exporter_prometheus::PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics stays empty");
            }
            zero_quiet_series();
            handle
        })
        .clone()
}

/// Counters of things that should never or seldom happen, and gauges a lone node never sets,
/// that the alert rules and the dashboard in `deploy/` read: made at zero when the recorder is
/// installed, so that a rule sees 0 on a quiet node rather than no series at all
/// (`tests/deploy.rs` checks every series they name exists at `/metrics`). Labelled series
/// get one without labels.
fn zero_quiet_series() {
    for counter in [
        "tanba_heads_failures_total",
        "tanba_audit_write_failures_total",
        "tanba_audit_records_total",
        "tanba_rate_limited_before_handler_total",
        "tanba_connections_refused_total",
        "tanba_snapshot_failures_total",
        "tanba_snapshot_shelve_failures_total",
        "tanba_snapshots_forged_total",
        "tanba_audit_trail_pages_published_total",
        "tanba_audit_trail_records_copied_total",
        "tanba_audit_trail_pages_refused_total",
        "tanba_audit_trail_conflicts_total",
    ] {
        metrics::counter!(counter).increment(0);
    }
    for gauge in [
        "tanba_node_diverged",
        "tanba_heads_compared",
        "tanba_heads_differing",
        "tanba_connections_open",
        "tanba_feeds_open",
        "tanba_register_failures_in_row",
        "tanba_snapshot_sequence",
        "tanba_steward",
        "tanba_command_log_failures",
        "tanba_forged_batches",
        "tanba_forged_heads",
        "tanba_forged_trail_pages",
        "tanba_audit_trail_unpublished",
    ] {
        metrics::gauge!(gauge).increment(0.0);
    }
}

/// Submits a start-up command as the system unless `done` holds already; whether it was
/// submitted and accepted. Nodes of a cluster starting at once may each submit it: the log
/// orders them, the later is refused on every node once the earlier is applied, and that is
/// success here (`done` holds when read again).
async fn submit_once(
    engine: &Engine,
    command: Command,
    done: impl Fn(&dyn Snapshot) -> Result<bool, EngineError>,
) -> Result<bool, StartError> {
    if done(engine.snapshot().as_ref())? {
        return Ok(false);
    }
    match engine.submit(Actor::System, command)?.await {
        Ok(_) => Ok(true),
        Err(_) if done(engine.snapshot().as_ref())? => Ok(false),
        Err(error) => Err(error.into()),
    }
}

/// Registers the bootstrap operator on an empty store, so that someone can sign in at all.
async fn bootstrap(engine: &Engine, config: &ServerConfig) -> Result<(), StartError> {
    let Some(operator) = &config.bootstrap_operator else {
        return Ok(());
    };
    let public_key = tanba_crypto::encoding::parse_hex::<32>(&operator.public_key_hex)
        .map(|key| key.to_vec())
        .ok_or_else(|| {
            data_error(
                Path::new("bootstrap_operator.public_key_hex"),
                "not 64 hex digits",
            )
        })?;
    let participant = Participant {
        id: operator.id,
        name: operator.name.clone(),
        roles: [Role::Operator].into_iter().collect(),
        keys: vec![ParticipantKey {
            algorithm: "ed25519".into(),
            public_key,
        }],
        status: ParticipantStatus::Active,
    };
    let registered =
        |snapshot: &dyn Snapshot| Ok(query::participant(snapshot, &operator.id)?.is_some());
    let command = Command::RegisterParticipant(participant);
    if submit_once(engine, command, registered).await? {
        tracing::info!(operator = %operator.id, "bootstrap operator registered");
    }
    Ok(())
}

/// Publishes the working-day calendar a fresh store starts with (`tanba-cases`, Kazakhstan
/// 2024-2026), so that every legal term has a calendar from the first case on. The operator
/// publishes later versions.
async fn bootstrap_calendar(engine: &Engine) -> Result<(), StartError> {
    let toml = tanba_cases::calendar::START_CALENDAR_TOML.to_owned();
    let published =
        |snapshot: &dyn Snapshot| Ok(tanba_engine::calendar::in_force(snapshot)?.is_some());
    if submit_once(engine, Command::PublishCalendar { toml }, published).await? {
        tracing::info!("start calendar published (version 1)");
    }
    Ok(())
}

/// Publishes each shipped reference set (providers, HS codes, control lists, currencies,
/// countries, units) that has no version in force yet, so the state services' forms are checked
/// from the first case on. The operator publishes later versions.
async fn bootstrap_references(engine: &Engine) -> Result<(), StartError> {
    for toml in tanba_cases::reference::SHIPPED_SETS {
        let set = tanba_cases::ReferenceSet::from_toml(toml).expect("the shipped sets are valid");
        let published = |snapshot: &dyn Snapshot| {
            Ok(tanba_engine::reference::in_force(snapshot)?
                .set(set.kind)
                .is_ok())
        };
        let command = Command::PublishReference {
            toml: (*toml).to_owned(),
        };
        if submit_once(engine, command, published).await? {
            tracing::info!(
                set = set.kind.name(),
                "start reference set published (version 1)"
            );
        }
    }
    Ok(())
}

/// How often a node catching up with its cluster's log says how far it is (and puts its head
/// on the board, `TrimHold`).
#[cfg(feature = "rocksdb")]
const CATCH_UP_REPORT_INTERVAL: Duration = Duration::from_secs(10);
#[cfg(feature = "rocksdb")]
const _: () = assert!(
    2 * CATCH_UP_REPORT_INTERVAL.as_secs() < tanba_engine::heads::HEAD_STALE_AFTER.as_secs(),
    "a catching-up node's head stays on the board between two reports"
);

/// Waits until the engine has applied everything its shared log held at start (a node of a
/// cluster answers no one from a state behind the others' when it starts), however long that
/// takes, saying how far it is. Nothing to wait for on the embedded default.
///
/// Meanwhile the node's head holds the stream's trim back (`TrimHold`); a node the stream was
/// trimmed past all the same does not wait for ever: its start fails, saying how to restore it.
#[cfg(feature = "rocksdb")]
fn catch_up(
    engine: &Engine,
    config: &ServerConfig,
    hold: Option<&TrimHold>,
) -> Result<(), StartError> {
    let Some(log) = &config.command_log else {
        return Ok(());
    };
    loop {
        let caught = outside_runtime(|| engine.catch_up(CATCH_UP_REPORT_INTERVAL))?;
        if caught.caught_up {
            tracing::info!(
                position = caught.log_position,
                "caught up with the command log"
            );
            return Ok(());
        }
        tracing::info!(
            log = caught.log_position,
            applied = caught.applied_through,
            "catching up with the command log"
        );
        if let Some(hold) = hold {
            hold.publish(caught.applied_through, engine.head());
        }
        let applied = tanba_engine::core::stored_applied(engine.snapshot().as_ref())?;
        if let Some(first) = trimmed_past(applied, log) {
            let engine_dir = config.data_dir.join(ENGINE_DIRECTORY);
            return Err(behind_trimmed_stream(&engine_dir, applied.position, first));
        }
    }
}

/// A running server.
#[cfg(feature = "rocksdb")]
pub struct RunningServer {
    /// The HTTP address it listens on.
    pub http_addr: SocketAddr,
    /// The gRPC address it listens on.
    pub grpc_addr: SocketAddr,
    /// The shared state (the engine, for seeding and inspection).
    pub app: Arc<App>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

#[cfg(feature = "rocksdb")]
impl RunningServer {
    /// Starts everything in `config`, on the engine's default clock.
    pub async fn start(config: ServerConfig) -> Result<RunningServer, StartError> {
        if config.test_clock {
            tracing::warn!("started for tests: loopback callers may move this server's clock");
            let clock = Arc::new(test_clock::TestClock::default());
            let server = RunningServer::start_with_clock(config, clock.clone()).await?;
            server.app.set_test_clock(clock);
            return Ok(server);
        }
        RunningServer::start_with_clock(config, Arc::new(SystemClock)).await
    }

    /// Starts with an injected clock (tests move time).
    pub async fn start_with_clock(
        mut config: ServerConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<RunningServer, StartError> {
        let data_dir = config.data_dir.clone();
        // Installed first: what the start counts (a forged snapshot passed over) is exported.
        let metrics = metrics_handle();
        let connections_max = open_file_budget(&config)?;
        config.connections_max = Some(connections_max);
        tracing::info!(connections_max, "connection cap inside the open-file limit");
        create_private_directory(&data_dir)?;
        let ring = Arc::new(open_key_ring(&data_dir, clock.now_ms())?);
        write_public_keys(&data_dir, &ring)?;
        let secret = open_sign_in_secret(&data_dir, config.command_log.as_ref())?;
        let cluster_seal = (config.command_log.is_some() || config.head_board.is_some())
            .then(|| ClusterSeal::derive(&secret));
        if let Some((log, seal)) = config.command_log.as_ref().zip(cluster_seal.as_ref()) {
            refuse_another_clusters_secret(&data_dir.join(SIGN_IN_SECRET_FILE), log, seal)?;
        }
        let node = match config.head_board.is_some()
            || config.steward_lease.is_some()
            || config.audit_trails.is_some()
        {
            true => Some(
                heads::node_name(config.node_name.as_deref(), &data_dir)
                    .map_err(|error| data_error(&data_dir.join(heads::NODE_NAME_FILE), error))?,
            ),
            false => None,
        };
        // The heads board sealed once, here: every part of the node is given this one.
        let head_board = (config.head_board.as_ref())
            .zip(cluster_seal.as_ref())
            .map(|(board, seal)| Arc::new(SealedBoard::new(board.0.clone(), seal.clone())));
        let hold = TrimHold::new(head_board.as_ref(), node.as_ref());
        let engine_dir = data_dir.join(ENGINE_DIRECTORY);
        let rocks = open_engine_store(
            &config,
            &engine_dir,
            cluster_seal.as_ref(),
            node.as_ref(),
            hold.as_ref(),
        )?;
        let store: Arc<dyn Store> = rocks.clone();
        let engine = Engine::start(
            store.clone(),
            ring.clone(),
            clock.clone(),
            EngineConfig {
                cases: procedures(),
                log: (config.command_log.as_ref())
                    .zip(cluster_seal.as_ref())
                    .map(|(log, seal)| -> Arc<dyn CommandLog> {
                        Arc::new(SealedLog::new(log.0.clone(), seal.clone()))
                    }),
                // A node of a cluster is not steward until the lease says so (`steward`).
                steward: config.steward_lease.is_none(),
                ..EngineConfig::default()
            },
        )?;
        catch_up(&engine, &config, hold.as_ref())?;
        bootstrap(&engine, &config).await?;
        bootstrap_calendar(&engine).await?;
        bootstrap_references(&engine).await?;
        let public_keys = ring.public_key_set();
        let relay = (config.audit_trails.as_ref().zip(cluster_seal.clone()))
            .zip(node.clone())
            .map(|((trails, seal), node)| (trails.0.clone(), seal, node));
        if let Some((trails, seal, node)) = &relay {
            take_back_audit_records(store.as_ref(), trails.as_ref(), seal, node)?;
        }
        let audit = audit::AuditLog::start(store.clone(), ring, engine.head().sequence)?;
        let tls = match &config.tls {
            Some(tls) => {
                Some(net::tls_acceptor(&tls.certificate, &tls.key).map_err(StartError::Tls)?)
            }
            None => None,
        };
        let http_listener =
            net::bind(config.http_addr, config.listen_backlog).map_err(|source| {
                StartError::Bind {
                    address: config.http_addr,
                    source,
                }
            })?;
        let grpc_listener =
            net::bind(config.grpc_addr, config.listen_backlog).map_err(|source| {
                StartError::Bind {
                    address: config.grpc_addr,
                    source,
                }
            })?;
        let local = |listener: &tokio::net::TcpListener, address| {
            listener
                .local_addr()
                .map_err(|source| StartError::Bind { address, source })
        };
        let http_addr = local(&http_listener, config.http_addr)?;
        let grpc_addr = local(&grpc_listener, config.grpc_addr)?;
        let admission = net::Admission::new(config.connection_limits());
        let trust_roots = open_trust_roots(config.certificate_roots.as_deref())?;
        let adapters = config.registers.clone();
        let exports_dir = data_dir.join("exports");
        let exports = exports::Exports::open(exports_dir.clone(), config.exports_quota_bytes)
            .map_err(|error| data_error(&exports_dir, error))?;
        let webhooks = webhooks::Webhooks::open(&data_dir, config.webhooks.clone())
            .map_err(|error| data_error(&data_dir, error))?;
        let watch = (head_board.clone())
            .zip(node.clone())
            .map(|(board, node)| (board as Arc<dyn HeadBoard>, node));
        let node_of_app = node.clone();
        let bid = (config.steward_lease.clone()).zip(node);
        let mut app = App::new(engine, clock, audit, config, secret, exports, webhooks);
        app.cluster_seal = cluster_seal;
        app.head_board = head_board;
        app.node = node_of_app;
        app.trust_roots = trust_roots;
        app.public_keys = Some(public_keys);
        let app = Arc::new(app);
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        if let Some(adapters) = adapters {
            let client = registers::client(&adapters).map_err(StartError::Tls)?;
            tasks.extend(registers::spawn(
                app.clone(),
                adapters,
                client,
                stopped.clone(),
            ));
        }
        tasks.push(exports::spawn(app.clone(), stopped.clone()));
        if let Some(directory) = app.config.snapshot_dir.clone() {
            let interval = Duration::from_secs(app.config.snapshot_interval_seconds.max(1));
            tasks.push(snapshots::spawn(
                app.clone(),
                rocks,
                directory,
                interval,
                stopped.clone(),
            ));
        }
        if let Some((board, node)) = watch {
            tracing::info!(%node, "publishing and comparing log heads as this node");
            tasks.push(heads::spawn(app.clone(), board, node, stopped.clone()));
        }
        if let Some((lease, node)) = bid {
            tasks.push(steward::spawn(app.clone(), lease.0, node, stopped.clone()));
        }
        tasks.push(webhooks::spawn(app.clone(), stopped.clone()).map_err(StartError::Tls)?);
        tasks.extend(shelf::spawn(app.clone(), stopped.clone()));
        if let Some((trails, seal, node)) = relay {
            tasks.push(trails::spawn(store, trails, seal, node, stopped.clone()));
        }
        tasks.push(tokio::spawn(net::serve(
            http_listener,
            http::router(app.clone(), metrics),
            tls.clone(),
            admission.clone(),
            stopped.clone(),
        )));
        tasks.push(tokio::spawn(net::serve(
            grpc_listener,
            grpc::router(app.clone()),
            tls,
            admission,
            stopped.clone(),
        )));
        let sweeper = app.clone();
        let mut sweep_stop = stopped;
        tasks.push(tokio::spawn(async move {
            let mut interval = tokio::time::interval(SWEEP_INTERVAL);
            loop {
                tokio::select! {
                    _ = interval.tick() => sweeper.sweep(),
                    _ = sweep_stop.changed() => return,
                }
            }
        }));
        let addresses = serde_json::json!({
            "http": http_addr.to_string(),
            "grpc": grpc_addr.to_string(),
        });
        let path = data_dir.join("addresses.json");
        std::fs::write(&path, format!("{addresses:#}\n"))
            .map_err(|error| data_error(&path, error))?;
        Ok(RunningServer {
            http_addr,
            grpc_addr,
            app,
            stop,
            tasks,
        })
    }

    /// Stops accepting, lets open calls finish, then stops the engine (which signs a final
    /// checkpoint) and writes the last audit records.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        let mut app = self.app;
        // Streams still held by clients keep a reference for a moment after their connection
        // closes.
        for _ in 0..100 {
            match Arc::try_unwrap(app) {
                Ok(app) => {
                    tokio::task::spawn_blocking(move || {
                        let App { engine, audit, .. } = app;
                        engine.shutdown();
                        audit.close();
                    })
                    .await
                    .ok();
                    return;
                }
                Err(shared) => {
                    app = shared;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        tracing::warn!(
            "state still shared at shutdown; the engine stops when the last holder drops"
        );
    }
}

/// The legal procedures a Tanba server runs: every workflow crate's case definitions, registered
/// with the engine (which knows none of them by name).
pub fn procedures() -> Arc<tanba_engine::Cases> {
    let definitions = [
        tanba_recall::definitions(),
        tanba_rex::definitions(),
        tanba_permit::definitions(),
        tanba_certificate::definitions(),
    ];
    Arc::new(tanba_engine::Cases::new(definitions.concat()))
}
