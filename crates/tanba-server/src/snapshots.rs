//! Snapshots of a node's store (issue 15; ARCHITECTURE.md "Scale-out over NATS JetStream",
//! deploy/RUNBOOK.md): the backup of a lone node and the start of a new or broken node of a
//! cluster, which then reads the rest of the command stream from the snapshot's cursor.
//!
//! A snapshot is a directory named by its log head's sequence:
//! - `engine/`: a RocksDB checkpoint of the store, taken while writes go on;
//! - `keys.json` and `sign-in.secret`: the node's key ring and sign-in secret (without them the
//!   store cannot be verified or served: a snapshot is secret as the data directory is);
//! - `snapshot.json`: the [`SnapshotManifest`], read from the checkpoint itself once written
//!   (so it says what the checkpoint holds, whatever the engine did meanwhile).
//!
//! It is written under a `.partial-` name and renamed when whole; the [`SNAPSHOTS_KEPT`] latest
//! are kept. [`restore`] checks a snapshot whole (the chain verifies up to the head its
//! manifest names) before it becomes a data directory's store, and never replaces a store.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tanba_engine::core::stored_applied;
use tanba_engine::error::EngineError;
use tanba_engine::heads::NodeName;
use tanba_store::{RocksStore, Store, StoreError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The manifest's file in a snapshot.
pub const MANIFEST_FILE: &str = "snapshot.json";
/// The store's checkpoint in a snapshot: named as in a data directory.
pub use crate::ENGINE_DIRECTORY;
/// The files of a data directory a snapshot carries beside the store.
pub const SECRET_FILES: [&str; 2] = [crate::KEY_RING_FILE, crate::SIGN_IN_SECRET_FILE];
/// Snapshots kept in the snapshot directory; older ones are removed once a new one is whole.
pub const SNAPSHOTS_KEPT: usize = 3;
/// The manifest's format.
pub const MANIFEST_FORMAT: u32 = 1;

/// What a snapshot holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotManifest {
    /// [`MANIFEST_FORMAT`].
    pub format: u32,
    /// The store's event log head: its last sequence.
    pub sequence: u64,
    /// That entry's chain hash, hex.
    pub head_hash: String,
    /// The command log's cursor: the last position applied, and the commands taken from it.
    pub position: u64,
    /// See `position`.
    pub commands: u32,
    /// When it was written, unix milliseconds.
    pub written_ms: u64,
    /// The node of a cluster that wrote it (none: a lone node): its store's audit trail is
    /// that node's, and a restore into another node's data directory leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeName>,
}

/// Why a snapshot was not written or restored.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The store failed.
    #[error("the store: {0}")]
    Store(#[from] StoreError),
    /// The engine found the store's contents wrong (a broken chain, a malformed cursor).
    #[error("the store's contents: {0}")]
    Engine(#[from] EngineError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// Which.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The snapshot does not hold what it says, or the target is not empty.
    #[error("{0}")]
    Refused(String),
}

impl SnapshotError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            SnapshotError::Store(_) => "TANBA-SNAPSHOT-STORE",
            SnapshotError::Engine(_) => "TANBA-SNAPSHOT-CONTENTS",
            SnapshotError::Io { .. } => "TANBA-SNAPSHOT-IO",
            SnapshotError::Refused(_) => "TANBA-SNAPSHOT-REFUSED",
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The manifest of the store at `engine` (opened to read only).
fn manifest_of(
    engine: &Path,
    written_ms: u64,
    node: Option<&NodeName>,
) -> Result<SnapshotManifest, SnapshotError> {
    let mut manifest = manifest_of_open(&RocksStore::open_read_only(engine)?, written_ms)?;
    manifest.node = node.cloned();
    Ok(manifest)
}

/// What the open `store` holds, as a manifest written at `written_ms` says it.
fn manifest_of_open(
    store: &RocksStore,
    written_ms: u64,
) -> Result<SnapshotManifest, SnapshotError> {
    let snapshot = store.snapshot();
    let head = tanba_engine::log::stored_head(snapshot.as_ref())?;
    let applied = stored_applied(snapshot.as_ref())?;
    Ok(SnapshotManifest {
        format: MANIFEST_FORMAT,
        sequence: head.sequence,
        head_hash: tanba_crypto::encoding::hex(head.hash.as_bytes()),
        position: applied.position,
        commands: applied.commands,
        written_ms,
        node: None,
    })
}

/// Writes a snapshot of `store` (the store of the data directory `data_dir`, of cluster node
/// `node`) into `directory`, keeps the [`SNAPSHOTS_KEPT`] latest, and returns the new one's
/// manifest and path.
pub fn write_snapshot(
    store: &RocksStore,
    data_dir: &Path,
    directory: &Path,
    now_ms: u64,
    node: Option<&NodeName>,
) -> Result<(SnapshotManifest, PathBuf), SnapshotError> {
    // The snapshots hold the signing keys: the directory is the owner's alone.
    crate::create_private_directory(directory)
        .map_err(|error| SnapshotError::Refused(error.to_string()))?;
    remove_partials(directory)?;
    let partial = directory.join(format!(".partial-{now_ms}"));
    std::fs::create_dir(&partial).map_err(io(&partial))?;
    store.checkpoint(&partial.join(ENGINE_DIRECTORY))?;
    for file in SECRET_FILES {
        write_private(&partial.join(file), &read(&data_dir.join(file))?)?;
    }
    let manifest = manifest_of(&partial.join(ENGINE_DIRECTORY), now_ms, node)?;
    let text = serde_json::to_string_pretty(&manifest).expect("a manifest encodes") + "\n";
    write_private(&partial.join(MANIFEST_FILE), text.as_bytes())?;
    sync_directory(&partial)?;
    let whole = directory.join(format!("{:020}", manifest.sequence));
    if whole.exists() {
        // Nothing new since the last one (same head): keep that one, with its own manifest
        // (the one it holds, which its archive's label must name).
        std::fs::remove_dir_all(&partial).map_err(io(&partial))?;
        prune(directory)?;
        return Ok((read_manifest(&whole)?, whole));
    }
    std::fs::rename(&partial, &whole).map_err(io(&whole))?;
    sync_directory(directory)?;
    prune(directory)?;
    Ok((manifest, whole))
}

/// Removes what snapshots cut short (a crash, a full disk) left in `directory`.
fn remove_partials(directory: &Path) -> Result<(), SnapshotError> {
    for partial in entries_named(directory, |name| name.starts_with(".partial-"))? {
        std::fs::remove_dir_all(&partial).map_err(io(&partial))?;
    }
    Ok(())
}

/// The entries of `directory` whose names `wanted` takes, sorted.
fn entries_named(
    directory: &Path,
    wanted: impl Fn(&str) -> bool,
) -> Result<Vec<PathBuf>, SnapshotError> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(directory).map_err(io(directory))? {
        let path = entry.map_err(io(directory))?.path();
        if path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(&wanted)
        {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

fn read(path: &Path) -> Result<Vec<u8>, SnapshotError> {
    std::fs::read(path).map_err(io(path))
}

/// Writes a new file only its owner reads, synced.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SnapshotError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = (std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600))
    .open(path)
    .map_err(io(path))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io(path))
}

/// Makes a directory's entries (a rename, new files) durable.
fn sync_directory(directory: &Path) -> Result<(), SnapshotError> {
    std::fs::File::open(directory)
        .and_then(|directory| directory.sync_all())
        .map_err(io(directory))
}

/// The whole snapshots in `directory`, oldest first (their names are their heads, zero-padded).
pub fn snapshots(directory: &Path) -> Result<Vec<PathBuf>, SnapshotError> {
    entries_named(directory, |name| {
        name.len() == 20 && name.bytes().all(|byte| byte.is_ascii_digit())
    })
}

fn prune(directory: &Path) -> Result<(), SnapshotError> {
    let found = snapshots(directory)?;
    for old in &found[..found.len().saturating_sub(SNAPSHOTS_KEPT)] {
        std::fs::remove_dir_all(old).map_err(io(old))?;
    }
    Ok(())
}

/// Reads a snapshot's manifest.
pub fn read_manifest(snapshot: &Path) -> Result<SnapshotManifest, SnapshotError> {
    let path = snapshot.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    let manifest: SnapshotManifest = serde_json::from_str(&text)
        .map_err(|error| SnapshotError::Refused(format!("{}: {error}", path.display())))?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(SnapshotError::Refused(format!(
            "snapshot format {} is not {MANIFEST_FORMAT}",
            manifest.format
        )));
    }
    Ok(manifest)
}

/// Makes `snapshot` the store of the data directory `data_dir`, which must hold no store yet.
/// The snapshot is copied and checked before anything is put in place: its chain verifies
/// (signed checkpoints included) against the key ring it carries, up to the head and cursor its
/// manifest names. That finds a damaged or mixed-up snapshot; it cannot find one forged by
/// whoever holds the keys, and it reads the log, not the state derived from it. Then the store
/// goes in place with the key ring and sign-in secret (a data directory that holds other ones
/// is refused: another cluster's). A refused restore leaves nothing behind.
pub fn restore(
    snapshot: &Path,
    data_dir: &Path,
    verify_state: bool,
    node: Option<&NodeName>,
) -> Result<SnapshotManifest, SnapshotError> {
    let manifest = read_manifest(snapshot)?;
    let engine = data_dir.join(ENGINE_DIRECTORY);
    if engine.exists() {
        return Err(SnapshotError::Refused(format!(
            "{} holds a store already: a restore never replaces one",
            engine.display()
        )));
    }
    // A snapshot from the cluster's shelf carries no secrets: the data directory holds the
    // cluster's already.
    let carried = SECRET_FILES.iter().all(|file| snapshot.join(file).exists());
    let secrets: Vec<(PathBuf, Vec<u8>)> = match carried {
        true => (SECRET_FILES.iter())
            .map(|file| Ok((data_dir.join(file), read(&snapshot.join(file))?)))
            .collect::<Result<_, SnapshotError>>()?,
        false => Vec::new(),
    };
    let keys_path = match carried {
        true => snapshot.join(SECRET_FILES[0]),
        false => data_dir.join(SECRET_FILES[0]),
    };
    if !keys_path.exists() {
        return Err(SnapshotError::Refused(format!(
            "{} is missing: a snapshot without secrets is restored into a data directory \
             given its cluster's key ring and sign-in secret",
            keys_path.display()
        )));
    }
    for (target, theirs) in &secrets {
        match std::fs::read(target) {
            Ok(ours) if ours != *theirs => {
                return Err(SnapshotError::Refused(format!(
                    "{} differs from the snapshot's: another cluster's data directory",
                    target.display()
                )));
            }
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(io(target)(error)),
        }
    }
    crate::create_private_directory(data_dir)
        .map_err(|error| SnapshotError::Refused(error.to_string()))?;
    let partial = data_dir.join("engine.restoring");
    // What a restore cut short (a crash, a full disk) left.
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(io(&partial))?;
    }
    let checked = copy_directory(&snapshot.join(ENGINE_DIRECTORY), &partial)
        .and_then(|()| check_restored(&partial, &keys_path, &manifest))
        .and_then(|()| match verify_state {
            true => check_state(&partial, &data_dir.join("engine.replayed")),
            false => Ok(()),
        })
        .and_then(|()| keep_own_trail_only(&partial, data_dir, node, &manifest));
    if let Err(error) = checked {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(error);
    }
    for (target, theirs) in &secrets {
        if !target.exists() {
            write_private(target, theirs)?;
        }
    }
    std::fs::rename(&partial, &engine).map_err(io(&engine))?;
    sync_directory(data_dir)?;
    Ok(manifest)
}

/// Leaves the audit trail of the node that wrote the snapshot out of a store restored for
/// another node (`crate::audit::forget_own_trail`): the restored node's name (`node`, as its
/// configuration names it, else its data directory's; none yet: a new node) differs from the
/// snapshot's.
fn keep_own_trail_only(
    engine: &Path,
    data_dir: &Path,
    node: Option<&NodeName>,
    manifest: &SnapshotManifest,
) -> Result<(), SnapshotError> {
    let named = std::fs::read_to_string(data_dir.join(crate::heads::NODE_NAME_FILE)).ok();
    let target =
        (node.cloned()).or_else(|| named.and_then(|name| NodeName::parse(name.trim()).ok()));
    if target == manifest.node {
        return Ok(());
    }
    let store = RocksStore::open(engine)?;
    let removed = crate::audit::forget_own_trail(&store)
        .map_err(|error| SnapshotError::Refused(error.to_string()))?;
    tracing::info!(
        removed,
        "the snapshot's node's own audit trail left out of this node's"
    );
    Ok(())
}

/// Checks the copied store against the manifest: its chain verifies with the key ring at
/// `keys_path`, and its head and cursor are the manifest's.
fn check_restored(
    engine: &Path,
    keys_path: &Path,
    manifest: &SnapshotManifest,
) -> Result<(), SnapshotError> {
    let ring = tanba_crypto::store::load_key_ring(keys_path)
        .map_err(|error| SnapshotError::Refused(format!("{}: {error}", keys_path.display())))?;
    let store = RocksStore::open(engine)?;
    let verified = tanba_engine::log::verify_log(&store, &ring.public_key_set(), None)?;
    let found = SnapshotManifest {
        node: manifest.node.clone(),
        ..manifest_of_open(&store, manifest.written_ms)?
    };
    drop(store);
    if verified.head != manifest.sequence || found != *manifest {
        return Err(SnapshotError::Refused(format!(
            "the snapshot's store holds head {} and cursor {}/{}, its manifest says {} and {}/{}",
            found.sequence,
            found.position,
            found.commands,
            manifest.sequence,
            manifest.position,
            manifest.commands
        )));
    }
    Ok(())
}

/// Checks the copied store's state against its log: the log is replayed into a scratch store
/// at `scratch` (removed afterwards, whatever came of it), whose state must equal the copy's
/// byte for byte. A snapshot whose log verifies can still carry a state its log never made (a
/// store altered on disk, or by whoever held the keys); this finds it, at the cost of a replay.
fn check_state(engine: &Path, scratch: &Path) -> Result<(), SnapshotError> {
    if scratch.exists() {
        std::fs::remove_dir_all(scratch).map_err(io(scratch))?;
    }
    let compared = (|| {
        let restored = RocksStore::open(engine)?;
        let replayed = RocksStore::open(scratch)?;
        tanba_engine::log::replay(&restored, &replayed)?;
        Ok::<_, SnapshotError>(tanba_engine::log::first_state_difference(
            &restored, &replayed,
        )?)
    })();
    let _ = std::fs::remove_dir_all(scratch);
    match compared? {
        None => Ok(()),
        Some(difference) => Err(SnapshotError::Refused(format!(
            "the snapshot's state is not what its log makes: first difference at {difference}"
        ))),
    }
}

/// Copies a directory of plain files (a checkpoint has no subdirectories).
fn copy_directory(from: &Path, to: &Path) -> Result<(), SnapshotError> {
    std::fs::create_dir(to).map_err(io(to))?;
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let path = entry.map_err(io(from))?.path();
        let target = to.join(path.file_name().expect("a directory entry has a name"));
        std::fs::copy(&path, &target)
            .and_then(|_| std::fs::File::open(&target)?.sync_all())
            .map_err(io(&target))?;
    }
    sync_directory(to)
}

/// Writes a snapshot every `interval` into `directory` while the server runs.
pub fn spawn(
    app: Arc<crate::app::App>,
    store: Arc<RocksStore>,
    directory: PathBuf,
    interval: Duration,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = stopped.changed() => return,
            }
            // A diverged node's state is not one to keep (and pruning would drop the good ones).
            if app.divergence.get().is_some() {
                continue;
            }
            let (store, directory) = (store.clone(), directory.clone());
            let (data_dir, now_ms) = (app.config.data_dir.clone(), app.clock.now_ms());
            let shelving = app.clone();
            let written = tokio::task::spawn_blocking(move || {
                let node = shelving.node.as_ref();
                let written = write_snapshot(&store, &data_dir, &directory, now_ms, node)?;
                let (manifest, path) = &written;
                if let Err(error) =
                    crate::shelved_snapshots::after_snapshot(&shelving, path, manifest)
                {
                    metrics::counter!("tanba_snapshot_shelve_failures_total").increment(1);
                    tracing::error!(%error, "a snapshot not shelved, or the stream not trimmed");
                }
                Ok::<_, SnapshotError>(written)
            });
            match written.await.expect("a snapshot does not panic") {
                Ok((manifest, path)) => {
                    metrics::gauge!("tanba_snapshot_sequence").set(manifest.sequence as f64);
                    metrics::gauge!("tanba_snapshot_written_seconds").set(now_ms as f64 / 1e3);
                    tracing::info!(path = %path.display(), sequence = manifest.sequence, "snapshot written");
                }
                Err(error) => {
                    metrics::counter!("tanba_snapshot_failures_total").increment(1);
                    tracing::error!(code = error.code(), %error, "a snapshot failed");
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot at the head of the one before is that one, with the manifest it holds: the
    /// label of its archive on the cluster's shelf names that manifest, or every node restoring
    /// from the shelf would pass the archive over.
    #[test]
    fn r_is_22_a_snapshot_at_the_same_head_keeps_its_own_manifest() {
        let directory = tempfile::tempdir().unwrap();
        let data_dir = directory.path().join("data");
        std::fs::create_dir_all(&data_dir).unwrap();
        for file in SECRET_FILES {
            std::fs::write(data_dir.join(file), b"secret").unwrap();
        }
        let store = RocksStore::open(&data_dir.join(ENGINE_DIRECTORY)).unwrap();
        let snapshots = directory.path().join("snapshots");
        let (first, first_path) =
            write_snapshot(&store, &data_dir, &snapshots, 1_000, None).unwrap();
        let (again, again_path) =
            write_snapshot(&store, &data_dir, &snapshots, 2_000, None).unwrap();
        assert_eq!(again_path, first_path, "one snapshot per head");
        assert_eq!(again, first, "the kept snapshot's own manifest");
        assert_eq!(read_manifest(&again_path).unwrap(), again);
    }
}
