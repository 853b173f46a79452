//! Snapshots on the cluster's shelf (issue 15; `tanba_engine::snapshot_shelf`, ARCHITECTURE.md
//! "Snapshots and catch-up"). A node of a cluster that writes a snapshot (`crate::snapshots`)
//! also puts it on the shelf as one archive: its store's checkpoint and manifest, never its key
//! ring or sign-in secret (whoever can read the shelf must not get the cluster's keys: every
//! node is given them when it is set up). The archive's tag is a keyed BLAKE3 hash of its bytes
//! under a key derived from the sign-in secret (`ClusterSeal::snapshot_hasher`), so a node
//! restores only an archive a node of its cluster made.
//!
//! A node started with no store restores the latest such archive before it opens one, and then
//! reads the rest of the command stream from the snapshot's cursor ([`restore_latest`]): a new
//! node, or one whose `engine/` was moved away (lost, diverged, or behind the stream's trimmed
//! start). The steward trims the stream behind
//! its own latest shelved snapshot, and never past a position a live node has not applied
//! ([`trim_position`]): a node that comes back behind the trimmed start restores from the
//! shelf.

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tanba_engine::command_log::CommandLogError;
use tanba_engine::heads::{HeadBoard, NodeName, PublishedHead};
use tanba_engine::seal::ClusterSeal;
use tanba_engine::snapshot_shelf::{SNAPSHOT_LABEL_BYTES_MAX, ShelvedArchive, SnapshotShelf};

use crate::app::App;
use crate::snapshots::{
    ENGINE_DIRECTORY, MANIFEST_FILE, SNAPSHOTS_KEPT, SnapshotError, SnapshotManifest,
};

/// Bytes of an archive a node takes from the shelf at most (a store's checkpoint).
pub const SHELVED_ARCHIVE_BYTES_MAX: u64 = 1 << 40;
/// The prefix of an archive being written or read beside the snapshots.
const ARCHIVE_PREFIX: &str = ".archive-";

/// What an archive is put on the shelf with: read to choose one without taking it. Sealed
/// like the archive, so whoever else writes the shelf cannot pass an old archive off as the
/// newest; the archive's own tag and manifest are checked against it once taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveLabel {
    /// The node that wrote it.
    pub node: NodeName,
    /// What it holds.
    pub manifest: SnapshotManifest,
    /// The archive's size in bytes.
    pub size_bytes: u64,
    /// The keyed BLAKE3 hash of the archive, hex.
    pub tag: String,
    /// The keyed BLAKE3 hash of the fields above, hex ([`label_seal`]).
    pub seal: String,
}

/// The seal of a label: a keyed hash of its other fields, apart from the archives' own by a
/// prefix no archive begins with (an archive begins with its manifest's file name).
fn label_seal(seal: &ClusterSeal, label: &ArchiveLabel) -> String {
    let unsealed = ArchiveLabel {
        seal: String::new(),
        ..label.clone()
    };
    let mut hasher = seal.snapshot_hasher();
    hasher.update(b"label\0");
    hasher.update(&serde_json::to_vec(&unsealed).expect("a label encodes"));
    hasher.finalize().to_hex().to_string()
}

fn refused(what: impl std::fmt::Display) -> SnapshotError {
    SnapshotError::Refused(what.to_string())
}

fn shelf_error(error: CommandLogError) -> SnapshotError {
    refused(format!("the cluster's snapshot shelf: {error}"))
}

fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A writer that hashes what it writes.
struct Tagging<W: Write> {
    inner: W,
    hasher: blake3::Hasher,
}

impl<W: Write> Write for Tagging<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the archive of the snapshot directory `snapshot` (its manifest and store, not its
/// secrets) to `path`; its tag.
fn write_archive(
    snapshot: &Path,
    path: &Path,
    seal: &ClusterSeal,
) -> Result<blake3::Hash, SnapshotError> {
    let file = std::fs::File::create(path).map_err(file_error(path))?;
    let tagging = Tagging {
        inner: BufWriter::new(file),
        hasher: seal.snapshot_hasher(),
    };
    let mut builder = tar::Builder::new(tagging);
    builder.follow_symlinks(false);
    builder
        .append_path_with_name(snapshot.join(MANIFEST_FILE), MANIFEST_FILE)
        .and_then(|()| builder.append_dir_all(ENGINE_DIRECTORY, snapshot.join(ENGINE_DIRECTORY)))
        .map_err(file_error(path))?;
    let mut tagging = builder.into_inner().map_err(file_error(path))?;
    tagging.inner.flush().map_err(file_error(path))?;
    let file = tagging
        .inner
        .into_inner()
        .map_err(|error| file_error(path)(error.into_error()))?;
    file.sync_all().map_err(file_error(path))?;
    Ok(tagging.hasher.finalize())
}

/// The name of `node`'s archive of the snapshot at `sequence` on the shelf.
fn archive_name(node: &NodeName, sequence: u64) -> String {
    format!("{node}.{sequence:020}")
}

/// The label of a listed archive, if it is one a node of this cluster sealed, for an archive
/// of the size the shelf says (whatever else is in the bucket is passed over, and a forgery
/// counted).
fn label_of(archive: &ShelvedArchive, seal: &ClusterSeal) -> Option<ArchiveLabel> {
    let label: ArchiveLabel = serde_json::from_str(&archive.label).ok()?;
    if label_seal(seal, &label) != label.seal || label.size_bytes != archive.size_bytes {
        tracing::error!(
            name = archive.name,
            "a shelved snapshot's label not sealed by this cluster"
        );
        metrics::counter!("tanba_snapshots_forged_total").increment(1);
        return None;
    }
    Some(label)
}

/// Removes what archives cut short (a crash) left beside the snapshots in `directory`.
fn remove_archives_left(directory: &Path) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(ARCHIVE_PREFIX)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Puts the snapshot at `snapshot` (whose manifest is `manifest`) on the shelf as `node`'s,
/// unless it is there already, then removes `node`'s older archives past [`SNAPSHOTS_KEPT`];
/// the cursor of the oldest one kept. The archive is written beside the snapshot, and removed
/// once shelved.
pub fn shelve(
    shelf: &dyn SnapshotShelf,
    seal: &ClusterSeal,
    node: &NodeName,
    snapshot: &Path,
    manifest: &SnapshotManifest,
) -> Result<u64, SnapshotError> {
    let directory = snapshot
        .parent()
        .ok_or_else(|| refused("a snapshot has a directory"))?;
    remove_archives_left(directory);
    let name = archive_name(node, manifest.sequence);
    // A snapshot kept at the same head is on the shelf already: putting it again would only
    // replace the archive under a node reading it.
    let listed = shelf.archives().map_err(shelf_error)?;
    let on_shelf = (listed.iter()).any(|archive| {
        archive.name == name
            && label_of(archive, seal).is_some_and(|label| label.manifest == *manifest)
    });
    let listed = if on_shelf {
        listed
    } else {
        put_archive(shelf, seal, (node, &name), snapshot, manifest, directory)?;
        shelf.archives().map_err(shelf_error)?
    };
    let mut own: Vec<(u64, u64, String)> = (listed.into_iter())
        .filter_map(|archive| {
            let label = label_of(&archive, seal).filter(|label| label.node == *node)?;
            let manifest = label.manifest;
            Some((manifest.sequence, manifest.position, archive.name))
        })
        .collect();
    own.sort_unstable();
    let kept_from = own.len().saturating_sub(SNAPSHOTS_KEPT);
    for (_, _, name) in &own[..kept_from] {
        shelf.remove_archive(name).map_err(shelf_error)?;
    }
    Ok(own
        .get(kept_from)
        .map_or(manifest.position, |(_, position, _)| *position))
}

/// Packs `snapshot` into an archive beside it, puts it on the shelf as `node`'s under `name`
/// and its label, and removes the local archive.
fn put_archive(
    shelf: &dyn SnapshotShelf,
    seal: &ClusterSeal,
    (node, name): (&NodeName, &str),
    snapshot: &Path,
    manifest: &SnapshotManifest,
    directory: &Path,
) -> Result<(), SnapshotError> {
    let path = directory.join(format!("{ARCHIVE_PREFIX}{:020}", manifest.sequence));
    let shelved = write_archive(snapshot, &path, seal).and_then(|tag| {
        let size_bytes = std::fs::metadata(&path).map_err(file_error(&path))?.len();
        let mut label = ArchiveLabel {
            node: node.clone(),
            manifest: manifest.clone(),
            size_bytes,
            tag: tag.to_hex().to_string(),
            seal: String::new(),
        };
        label.seal = label_seal(seal, &label);
        let label = serde_json::to_string(&label).expect("a label encodes");
        assert!(label.len() <= SNAPSHOT_LABEL_BYTES_MAX, "a label is short");
        shelf.put_archive(name, &label, &path).map_err(shelf_error)
    });
    let _ = std::fs::remove_file(&path);
    shelved
}

/// The keyed hash of the file at `path`.
fn tag_of_file(path: &Path, seal: &ClusterSeal) -> Result<blake3::Hash, SnapshotError> {
    let mut file = std::fs::File::open(path).map_err(file_error(path))?;
    let mut hasher = seal.snapshot_hasher();
    let mut buffer = vec![0; 1 << 20];
    loop {
        match file.read(&mut buffer).map_err(file_error(path))? {
            0 => return Ok(hasher.finalize()),
            read => hasher.update(&buffer[..read]),
        };
    }
}

/// Unpacks the archive at `path` into the new directory `into`: only the manifest and the
/// store's plain files, each where it belongs (an archive made by a node holds nothing else).
fn unpack(path: &Path, into: &Path) -> Result<(), SnapshotError> {
    std::fs::create_dir(into).map_err(file_error(into))?;
    let file = std::fs::File::open(path).map_err(file_error(path))?;
    let mut archive = tar::Archive::new(file);
    for entry in archive.entries().map_err(file_error(path))? {
        let mut entry = entry.map_err(file_error(path))?;
        let name = entry.path().map_err(file_error(path))?.into_owned();
        let parts: Vec<_> = name.components().collect();
        let kind = entry.header().entry_type();
        let fits = match parts.as_slice() {
            [only] => {
                (only.as_os_str() == MANIFEST_FILE && kind.is_file())
                    || (only.as_os_str() == ENGINE_DIRECTORY && kind.is_dir())
            }
            [directory, file] => {
                directory.as_os_str() == ENGINE_DIRECTORY
                    && matches!(file, std::path::Component::Normal(_))
                    && kind.is_file()
            }
            _ => false,
        };
        if !fits {
            return Err(refused(format!(
                "a shelved archive holds {} (not a snapshot's)",
                name.display()
            )));
        }
        entry.unpack_in(into).map_err(file_error(into))?;
    }
    Ok(())
}

/// What became of an archive taken from the shelf.
enum Taken {
    /// It is unpacked, whole and genuine.
    Whole,
    /// It is not what its label says (or left the shelf): the next latest is tried.
    PassedOver(String),
}

/// Takes archive `name`, labelled `label`, to `path` and unpacks it into `into` (a new
/// directory), checking its size, its tag and that its manifest is its label's. A shelf out of
/// reach or a local disk that fails is an error: the start stops rather than begin from an
/// older snapshot, or from nothing.
fn take_one(
    shelf: &dyn SnapshotShelf,
    seal: &ClusterSeal,
    (name, label): (&str, &ArchiveLabel),
    path: &Path,
    into: &Path,
) -> Result<Taken, SnapshotError> {
    let bytes_max = label.size_bytes.min(SHELVED_ARCHIVE_BYTES_MAX);
    match shelf.take_archive(name, path, bytes_max) {
        Ok(true) => {}
        Ok(false) => return Ok(Taken::PassedOver("it left the shelf".into())),
        Err(CommandLogError::Corrupt(what)) => return Ok(Taken::PassedOver(what)),
        Err(error) => return Err(shelf_error(error)),
    }
    if tag_of_file(path, seal)?.to_hex().as_str() != label.tag {
        metrics::counter!("tanba_snapshots_forged_total").increment(1);
        return Ok(Taken::PassedOver("not the archive its label names".into()));
    }
    let manifest = unpack(path, into).and_then(|()| crate::snapshots::read_manifest(into));
    match manifest {
        Ok(manifest) if manifest == label.manifest => Ok(Taken::Whole),
        Ok(_) => Ok(Taken::PassedOver(
            "another manifest than its label's".into(),
        )),
        Err(SnapshotError::Refused(what)) => Ok(Taken::PassedOver(what)),
        Err(error) => Err(error),
    }
}

/// Takes the latest archive on the shelf that a node of this cluster made (its label and tag
/// verify) and unpacks it into `into` (a new directory), as a snapshot directory without
/// secrets; its manifest, or none if the shelf holds no such archive. An archive that is not
/// what its label says is logged and passed over for the next latest.
pub fn fetch_latest(
    shelf: &dyn SnapshotShelf,
    seal: &ClusterSeal,
    into: &Path,
) -> Result<Option<SnapshotManifest>, SnapshotError> {
    let mut labelled: Vec<(ArchiveLabel, String)> = (shelf.archives().map_err(shelf_error)?)
        .into_iter()
        .filter_map(|archive| Some((label_of(&archive, seal)?, archive.name)))
        .collect();
    labelled.sort_by_key(|(label, _)| std::cmp::Reverse(label.manifest.sequence));
    let parent = into
        .parent()
        .ok_or_else(|| refused("a directory to unpack into"))?;
    let path = parent.join(format!("{ARCHIVE_PREFIX}taken"));
    for (label, name) in &labelled {
        let taken = take_one(shelf, seal, (name, label), &path, into);
        let _ = std::fs::remove_file(&path);
        match taken {
            Ok(Taken::Whole) => return Ok(Some(label.manifest.clone())),
            Ok(Taken::PassedOver(why)) => {
                tracing::error!(name, why, "a shelved snapshot passed over");
                let _ = std::fs::remove_dir_all(into);
            }
            Err(error) => {
                let _ = std::fs::remove_dir_all(into);
                return Err(error);
            }
        }
    }
    Ok(None)
}

/// Restores the latest snapshot on the shelf into `data_dir` (which holds the cluster's key
/// ring and sign-in secret, and no store) for node `node` (if named by its configuration):
/// its manifest, or none if the shelf holds none. The snapshot is checked as any restore
/// checks one (`crate::snapshots::restore`).
pub fn restore_latest(
    shelf: &dyn SnapshotShelf,
    seal: &ClusterSeal,
    data_dir: &Path,
    node: Option<&NodeName>,
) -> Result<Option<SnapshotManifest>, SnapshotError> {
    let into: PathBuf = data_dir.join("snapshot.taken");
    if into.exists() {
        std::fs::remove_dir_all(&into).map_err(file_error(&into))?;
    }
    let restored = fetch_latest(shelf, seal, &into).and_then(|fetched| match fetched {
        Some(_) => crate::snapshots::restore(&into, data_dir, false, node).map(Some),
        None => Ok(None),
    });
    let _ = std::fs::remove_dir_all(&into);
    restored
}

/// What a node of a cluster does with a snapshot it wrote: puts it on the cluster's shelf, and
/// then, if it is the steward, trims the command stream behind the oldest of its snapshots the
/// shelf keeps ([`trim_position`]): a node restoring one meanwhile, or back from a restart,
/// still finds the stream from there. A lone
/// node, or one without a shelf, does nothing. Blocks: call it on the blocking pool.
pub fn after_snapshot(
    app: &App,
    snapshot: &Path,
    manifest: &SnapshotManifest,
) -> Result<(), SnapshotError> {
    let config = &app.config;
    let (Some(shelf), Some(seal), Some(node)) = (
        config.snapshot_shelf.as_ref(),
        app.cluster_seal.as_ref(),
        app.node.as_ref(),
    ) else {
        return Ok(());
    };
    let oldest_kept = shelve(shelf.0.as_ref(), seal, node, snapshot, manifest)?;
    metrics::gauge!("tanba_snapshot_shelved_sequence").set(manifest.sequence as f64);
    let (Some(log), Some(board)) = (config.command_log.as_ref(), app.head_board.as_ref()) else {
        return Ok(());
    };
    if !app.engine.is_steward() {
        return Ok(());
    }
    let heads = board.heads().map_err(shelf_error)?;
    let first = log.0.first_position().map_err(shelf_error)?;
    let position = trim_position(oldest_kept, first, &heads);
    log.0.trim_before(position).map_err(shelf_error)?;
    metrics::gauge!("tanba_command_stream_trimmed_before").set(position as f64);
    tracing::info!(
        position,
        "the command stream trimmed behind the shelved snapshot"
    );
    Ok(())
}

/// Where the steward may trim the command stream before, the oldest snapshot it keeps on the
/// shelf having its cursor at `shelved_position` and the stream starting at `first`: there,
/// unless a node on the board has not applied that far (it goes on reading where it is). A
/// node whose next batch was trimmed already cannot read on whatever is kept, and holds
/// nothing back.
pub fn trim_position(shelved_position: u64, first: u64, heads: &[PublishedHead]) -> u64 {
    (heads.iter().map(|head| head.position))
        .filter(|&position| position + 1 >= first)
        .fold(shelved_position, u64::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tanba_crypto::sign_in::SignInSecret;

    fn seal(byte: u8) -> ClusterSeal {
        ClusterSeal::derive(&SignInSecret::from_bytes([byte; 32]))
    }

    fn head(position: u64) -> PublishedHead {
        PublishedHead {
            node: NodeName::parse("n").unwrap(),
            position,
            sequence: 0,
            hash: [0; 32],
            seal: [0; 32],
        }
    }

    #[test]
    fn the_stream_is_trimmed_behind_the_snapshot_and_no_live_node() {
        assert_eq!(trim_position(100, 1, &[]), 100);
        assert_eq!(trim_position(100, 1, &[head(150), head(80)]), 80);
        assert_eq!(trim_position(100, 1, &[head(150)]), 100);
        // A node on its way in, at 0 (`TrimHold`), holds a stream never trimmed whole.
        assert_eq!(trim_position(100, 1, &[head(150), head(0)]), 0);
        // A node the stream was trimmed past (it failed its start, and tries again) holds
        // nothing back; one at the stream's first batch holds it.
        assert_eq!(trim_position(100, 50, &[head(150), head(0), head(30)]), 100);
        assert_eq!(trim_position(100, 50, &[head(49)]), 49);
    }

    /// An archive holds the manifest and the store's files, never the secrets; unpacked, it is
    /// the snapshot again; its tag is keyed by the cluster's secret.
    #[test]
    fn an_archive_carries_the_store_and_manifest_only_under_the_clusters_tag() {
        let directory = tempfile::tempdir().unwrap();
        let snapshot = directory.path().join("00000000000000000007");
        std::fs::create_dir_all(snapshot.join(ENGINE_DIRECTORY)).unwrap();
        std::fs::write(snapshot.join(ENGINE_DIRECTORY).join("000001.sst"), b"table").unwrap();
        std::fs::write(snapshot.join(MANIFEST_FILE), b"{}").unwrap();
        std::fs::write(snapshot.join(crate::SIGN_IN_SECRET_FILE), b"secret").unwrap();
        let path = directory.path().join("archive");
        let tag = write_archive(&snapshot, &path, &seal(1)).unwrap();
        assert_eq!(tag_of_file(&path, &seal(1)).unwrap(), tag);
        assert_ne!(
            tag_of_file(&path, &seal(2)).unwrap(),
            tag,
            "another cluster's key"
        );
        let into = directory.path().join("unpacked");
        unpack(&path, &into).unwrap();
        let table = into.join(ENGINE_DIRECTORY).join("000001.sst");
        assert_eq!(std::fs::read(table).unwrap(), b"table");
        assert_eq!(std::fs::read(into.join(MANIFEST_FILE)).unwrap(), b"{}");
        assert!(
            !into.join(crate::SIGN_IN_SECRET_FILE).exists(),
            "no secret travels"
        );
    }

    /// An archive holding anything but a snapshot's files (a secret's name, a path out of the
    /// directory, a link) is refused.
    #[test]
    fn an_archive_with_other_entries_is_refused() {
        let directory = tempfile::tempdir().unwrap();
        for (name, kind) in [
            ("keys.json", tar::EntryType::Regular),
            ("engine/../../escape", tar::EntryType::Regular),
            ("engine/link", tar::EntryType::Symlink),
            ("engine/deeper/file", tar::EntryType::Regular),
        ] {
            let path = directory.path().join("archive");
            let mut builder = tar::Builder::new(std::fs::File::create(&path).unwrap());
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(kind);
            header.set_size(1);
            header.set_mode(0o600);
            // Set by bytes: the checked setter refuses `..` itself.
            header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            header.set_cksum();
            builder.append(&header, &b"x"[..]).unwrap();
            builder.finish().unwrap();
            drop(builder);
            let into = directory.path().join(format!("into-{}", name.len()));
            let unpacked = unpack(&path, &into);
            assert!(
                matches!(unpacked, Err(SnapshotError::Refused(_))),
                "{name}: {unpacked:?}"
            );
            assert!(!directory.path().join("escape").exists());
        }
    }
}
