//! The cluster's shelf of snapshots (issue 15; ARCHITECTURE.md, "Snapshots and catch-up"): a
//! node of a cluster puts each snapshot it writes there, as one archive, so that a new node,
//! or one whose store is lost or behind the stream's trimmed start, begins from the latest
//! instead of the whole stream, and so that the stream may be trimmed behind it.
//!
//! The engine knows archives of bytes and their labels only: what an archive holds, how it is
//! sealed and chosen, is the server's. Archives are large (a store's checkpoint), so they go
//! between the shelf and files, never whole through memory.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use crate::command_log::CommandLogError;

/// Bytes of a label at most (a manifest and a tag).
pub const SNAPSHOT_LABEL_BYTES_MAX: usize = 4_096;

/// An archive on the shelf, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShelvedArchive {
    /// Its name.
    pub name: String,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// The label it was put with (what the lister reads without the archive; not trusted).
    pub label: String,
}

/// The shelf. `tanba_replica::JetStreamLog` keeps it in a JetStream object store bucket
/// replicated as the command stream is; [`MemorySnapshotShelf`] in memory, for tests. Calls
/// block: make them from a thread that may (the blocking pool), never from an async task.
pub trait SnapshotShelf: Send + Sync {
    /// Puts the archive at `path` under `name` with `label` (at most
    /// [`SNAPSHOT_LABEL_BYTES_MAX`] bytes), replacing whatever was under the name.
    fn put_archive(&self, name: &str, label: &str, path: &Path) -> Result<(), CommandLogError>;

    /// Every archive on the shelf.
    fn archives(&self) -> Result<Vec<ShelvedArchive>, CommandLogError>;

    /// Writes archive `name` to the file `path`, refusing one past `bytes_max` unread; whether
    /// the shelf holds one under that name.
    fn take_archive(
        &self,
        name: &str,
        path: &Path,
        bytes_max: u64,
    ) -> Result<bool, CommandLogError>;

    /// Removes archive `name` (nothing if there is none).
    fn remove_archive(&self, name: &str) -> Result<(), CommandLogError>;
}

fn file_error(path: &Path, error: std::io::Error) -> CommandLogError {
    CommandLogError::Unavailable(format!("{}: {error}", path.display()))
}

/// A shelf in this process.
#[derive(Default)]
pub struct MemorySnapshotShelf {
    archives: Mutex<BTreeMap<String, (String, Vec<u8>)>>,
}

impl SnapshotShelf for MemorySnapshotShelf {
    fn put_archive(&self, name: &str, label: &str, path: &Path) -> Result<(), CommandLogError> {
        assert!(label.len() <= SNAPSHOT_LABEL_BYTES_MAX, "a label is short");
        let bytes = std::fs::read(path).map_err(|error| file_error(path, error))?;
        let mut archives = self.archives.lock().expect("shelf lock");
        archives.insert(name.to_owned(), (label.to_owned(), bytes));
        Ok(())
    }

    fn archives(&self) -> Result<Vec<ShelvedArchive>, CommandLogError> {
        let archives = self.archives.lock().expect("shelf lock");
        Ok((archives.iter())
            .map(|(name, (label, bytes))| ShelvedArchive {
                name: name.clone(),
                size_bytes: bytes.len() as u64,
                label: label.clone(),
            })
            .collect())
    }

    fn take_archive(
        &self,
        name: &str,
        path: &Path,
        bytes_max: u64,
    ) -> Result<bool, CommandLogError> {
        let archives = self.archives.lock().expect("shelf lock");
        let Some((_, bytes)) = archives.get(name) else {
            return Ok(false);
        };
        if bytes.len() as u64 > bytes_max {
            return Err(CommandLogError::Corrupt(format!(
                "a shelved archive of {} bytes is past its limit",
                bytes.len()
            )));
        }
        std::fs::write(path, bytes).map_err(|error| file_error(path, error))?;
        Ok(true)
    }

    fn remove_archive(&self, name: &str) -> Result<(), CommandLogError> {
        self.archives.lock().expect("shelf lock").remove(name);
        Ok(())
    }
}
