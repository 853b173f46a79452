//! Attachments: content-addressed (BLAKE3) blobs stored in chunks in their own column, outside
//! the state the log rebuilds. A blob is written chunk by chunk as it streams in (never held
//! whole), then named by its hash once complete. The log records who uploaded what
//! (`Command::RecordAttachment`, submitted by the upload's door once the blob is complete), and
//! a case step may name only its actor's recorded uploads: decided from the log, so every node
//! decides alike, whichever holds the bytes. Reading streams the chunks back in order.
//!
//! An upload writes its chunks under an upload id the caller draws at random; only the final
//! record under the hash makes the blob exist, so a failed or abandoned upload is never seen
//! (its chunks are garbage: nothing removes them yet). A second upload of the same content
//! keeps the first and drops its own chunks.
//!
//! On a cluster the bytes are shared through a [`BlobShelf`]: the node that stores a blob puts
//! its bytes on the shelf before the log names it, and a node asked for a blob it does not hold
//! takes the bytes from the shelf, checks that they hash to the name, and keeps them
//! ([`fetch_from_shelf`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tanba_store::{Column, Durability, Snapshot, Store, WriteBatch};
use tanba_types::limits::ATTACHMENT_BYTES_MAX;

use crate::command_log::CommandLogError;
use crate::error::EngineError;
use crate::records::{decode, encode};

/// Bytes of one stored chunk.
pub const BLOB_CHUNK_BYTES: usize = 256 * 1024;
/// Blobs column prefix: a blob's record, by hash.
const BLOB_META: u8 = b'm';
/// Blobs column prefix: a chunk, by upload id and index.
const BLOB_DATA: u8 = b'd';
/// A stored blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobMeta {
    /// Its size in bytes.
    pub size_bytes: u64,
    /// The upload whose chunks hold it.
    pub upload: u64,
    /// How many chunks.
    pub chunks: u32,
}

fn meta_key(hash: &[u8; 32]) -> Vec<u8> {
    let mut key = vec![BLOB_META];
    key.extend_from_slice(hash);
    key
}

fn chunk_key(upload: u64, index: u32) -> Vec<u8> {
    let mut key = vec![BLOB_DATA];
    key.extend_from_slice(&upload.to_be_bytes());
    key.extend_from_slice(&index.to_be_bytes());
    key
}

/// A blob's record, if it is stored.
pub fn blob(snapshot: &dyn Snapshot, hash: &[u8; 32]) -> Result<Option<BlobMeta>, EngineError> {
    snapshot
        .get(Column::Blobs, &meta_key(hash))?
        .map(|bytes| decode(&bytes))
        .transpose()
}

/// Chunk `index` of a stored blob.
pub fn blob_chunk(
    snapshot: &dyn Snapshot,
    meta: &BlobMeta,
    index: u32,
) -> Result<Vec<u8>, EngineError> {
    snapshot
        .get(Column::Blobs, &chunk_key(meta.upload, index))?
        .ok_or_else(|| EngineError::Corrupt(format!("blob chunk {index} is missing")))
}

/// A blob being written.
pub struct BlobUpload {
    store: Arc<dyn Store>,
    upload: u64,
    hasher: blake3::Hasher,
    size_bytes: u64,
    chunks: u32,
    buffer: Vec<u8>,
}

impl BlobUpload {
    /// Starts an upload under `upload`, an id the caller drew at random. Who uploaded it is
    /// the log's to record (`Command::RecordAttachment`), once the upload is complete.
    pub fn new(store: Arc<dyn Store>, upload: u64) -> BlobUpload {
        BlobUpload {
            store,
            upload,
            hasher: blake3::Hasher::new(),
            size_bytes: 0,
            chunks: 0,
            buffer: Vec::with_capacity(BLOB_CHUNK_BYTES),
        }
    }

    /// Adds bytes; full chunks go to the store as they fill.
    pub fn write(&mut self, mut bytes: &[u8]) -> Result<(), EngineError> {
        let size = self.size_bytes + bytes.len() as u64;
        if size > ATTACHMENT_BYTES_MAX {
            return Err(EngineError::LimitExceeded {
                what: "bytes of one attachment",
                max: ATTACHMENT_BYTES_MAX as usize,
            });
        }
        self.size_bytes = size;
        self.hasher.update(bytes);
        while !bytes.is_empty() {
            let room = BLOB_CHUNK_BYTES - self.buffer.len();
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            self.buffer.extend_from_slice(now);
            bytes = rest;
            if self.buffer.len() == BLOB_CHUNK_BYTES {
                self.flush(Durability::Buffered)?;
            }
        }
        Ok(())
    }

    /// Completes the upload: the blob exists under its hash from here (synced). Returns its
    /// hash and size. An empty upload is refused.
    pub fn finish(mut self) -> Result<([u8; 32], u64), EngineError> {
        if self.size_bytes == 0 {
            return Err(EngineError::Invalid {
                field: "attachment",
                reason: "an attachment has at least one byte",
            });
        }
        if !self.buffer.is_empty() {
            self.flush(Durability::Buffered)?;
        }
        let hash: [u8; 32] = *self.hasher.finalize().as_bytes();
        let mut batch = WriteBatch::new();
        if self.store.get(Column::Blobs, &meta_key(&hash))?.is_some() {
            for index in 0..self.chunks {
                batch.delete(Column::Blobs, chunk_key(self.upload, index))?;
            }
        } else {
            let meta = BlobMeta {
                size_bytes: self.size_bytes,
                upload: self.upload,
                chunks: self.chunks,
            };
            batch.put(Column::Blobs, meta_key(&hash), encode(&meta))?;
        }
        self.store.write(batch, Durability::Synced)?;
        Ok((hash, self.size_bytes))
    }

    fn flush(&mut self, durability: Durability) -> Result<(), EngineError> {
        let mut batch = WriteBatch::new();
        batch.put(
            Column::Blobs,
            chunk_key(self.upload, self.chunks),
            std::mem::take(&mut self.buffer),
        )?;
        self.store.write(batch, durability)?;
        self.chunks += 1;
        self.buffer.reserve(BLOB_CHUNK_BYTES);
        Ok(())
    }
}

/// The cluster's shelf of blobs' bytes, by BLAKE3 hash. `tanba_replica::JetStreamLog` keeps it
/// in a JetStream object store bucket, replicated as the command stream is; [`MemoryShelf`] in
/// memory, for tests. A node alone has none: its blobs are all its own. Calls block: make them
/// from a thread that may (the blocking pool), never from an async task.
pub trait BlobShelf: Send + Sync {
    /// Puts a blob's bytes under its hash (again: written again, replacing whatever was there).
    fn put(&self, hash: &[u8; 32], bytes: &[u8]) -> Result<(), CommandLogError>;

    /// The bytes under `hash`, if the shelf holds them; bytes past `bytes_max` are refused
    /// unread (what the shelf says is not trusted: the caller checks the hash).
    fn take(&self, hash: &[u8; 32], bytes_max: u64) -> Result<Option<Vec<u8>>, CommandLogError>;
}

/// A shelf in this process.
#[derive(Default)]
pub struct MemoryShelf {
    blobs: Mutex<HashMap<[u8; 32], Vec<u8>>>,
}

impl MemoryShelf {
    /// Puts bytes under a name that need not be their hash (a tampered shelf, in tests).
    pub fn put_unchecked(&self, hash: [u8; 32], bytes: Vec<u8>) {
        self.blobs.lock().expect("shelf lock").insert(hash, bytes);
    }
}

impl BlobShelf for MemoryShelf {
    fn put(&self, hash: &[u8; 32], bytes: &[u8]) -> Result<(), CommandLogError> {
        self.put_unchecked(*hash, bytes.to_vec());
        Ok(())
    }

    fn take(&self, hash: &[u8; 32], bytes_max: u64) -> Result<Option<Vec<u8>>, CommandLogError> {
        let blobs = self.blobs.lock().expect("shelf lock");
        match blobs.get(hash) {
            Some(bytes) if bytes.len() as u64 > bytes_max => Err(CommandLogError::Corrupt(
                format!("a shelved blob of {} bytes is past its limit", bytes.len()),
            )),
            found => Ok(found.cloned()),
        }
    }
}

/// A shelf that answered with what cannot be a blob is corrupt; any other failure is the
/// shelf out of reach.
fn unavailable(error: CommandLogError) -> EngineError {
    match error {
        CommandLogError::Corrupt(what) => EngineError::Corrupt(what),
        other => EngineError::ShelfUnavailable(other.to_string()),
    }
}

/// Cases column prefix: the blobs the log names, by the sequence of the entry that named them
/// (an upload recorded, a report with a photo) and hash; empty values. State, so every node
/// knows every blob it should hold ([`named_blobs`]).
const BLOB_NAMED: u8 = b'W';

/// Notes that entry `sequence` names blob `hash` (applied with the entry).
pub(crate) fn note_named(state: &mut crate::state::State, sequence: u64, hash: &[u8; 32]) {
    let mut key = crate::keys::numbered(BLOB_NAMED, sequence);
    key.extend_from_slice(hash);
    state.put(Column::Cases, key, Vec::new());
}

/// The blobs entries after `after` name, in log order, at most `limit`: (sequence, hash).
pub fn named_blobs(
    snapshot: &dyn Snapshot,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, [u8; 32])>, EngineError> {
    let start = crate::keys::numbered(BLOB_NAMED, after.saturating_add(1));
    let found = snapshot.scan_from(Column::Cases, &[BLOB_NAMED], &start, limit)?;
    found
        .iter()
        .map(|(key, _)| {
            let malformed = || EngineError::Corrupt("a named blob's key is malformed".into());
            let sequence = key.get(1..9).ok_or_else(malformed)?;
            let hash = key.get(9..).ok_or_else(malformed)?;
            Ok((
                u64::from_be_bytes(sequence.try_into().map_err(|_| malformed())?),
                hash.try_into().map_err(|_| malformed())?,
            ))
        })
        .collect()
}

/// A stored blob's bytes, whole (at most [`ATTACHMENT_BYTES_MAX`]: for the shelf).
pub fn blob_bytes(
    snapshot: &dyn Snapshot,
    hash: &[u8; 32],
) -> Result<Option<Vec<u8>>, EngineError> {
    let Some(meta) = blob(snapshot, hash)? else {
        return Ok(None);
    };
    let mut bytes = Vec::with_capacity(usize::try_from(meta.size_bytes).unwrap_or(0));
    for index in 0..meta.chunks {
        bytes.extend(blob_chunk(snapshot, &meta, index)?);
    }
    Ok(Some(bytes))
}

/// Puts the stored blob `hash` on `shelf`, if this node holds it.
pub fn put_on_shelf(
    store: &dyn Store,
    shelf: &dyn BlobShelf,
    hash: &[u8; 32],
) -> Result<(), EngineError> {
    let Some(bytes) = blob_bytes(store.snapshot().as_ref(), hash)? else {
        return Err(EngineError::Corrupt(
            "a blob to shelve is not stored".into(),
        ));
    };
    shelve_bytes(shelf, hash, &bytes)
}

/// Puts a blob's bytes, in hand, on `shelf` under `hash` (the caller hashed them).
pub fn shelve_bytes(
    shelf: &dyn BlobShelf,
    hash: &[u8; 32],
    bytes: &[u8],
) -> Result<(), EngineError> {
    debug_assert_eq!(
        blake3::hash(bytes).as_bytes(),
        hash,
        "a blob is shelved under its hash"
    );
    shelf.put(hash, bytes).map_err(unavailable)
}

/// Makes sure this node holds blob `hash`: if it does not, takes it from `shelf` (at most
/// `bytes_max` bytes), keeps it under upload id `upload` (drawn at random) if the bytes hash to
/// the name, and says whether it holds it now. Bytes that are not the blob are refused, counted
/// as corruption: the shelf's writers are Tanba's nodes only.
pub fn fetch_from_shelf(
    store: &Arc<dyn Store>,
    shelf: &dyn BlobShelf,
    hash: &[u8; 32],
    bytes_max: u64,
    upload: u64,
) -> Result<bool, EngineError> {
    // One fetch at a time in this process: two readers of one missing blob would both write it,
    // and the second's chunks would be left behind.
    static FETCHING: Mutex<()> = Mutex::new(());
    let _fetching = FETCHING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if blob(store.snapshot().as_ref(), hash)?.is_some() {
        return Ok(true);
    }
    let Some(bytes) = shelf.take(hash, bytes_max).map_err(unavailable)? else {
        return Ok(false);
    };
    if blake3::hash(&bytes).as_bytes() != hash {
        return Err(EngineError::Corrupt(
            "a shelved blob's bytes are not the blob its name says".into(),
        ));
    }
    let mut kept = BlobUpload::new(store.clone(), upload);
    kept.write(&bytes)?;
    let (stored, _) = kept.finish()?;
    debug_assert_eq!(&stored, hash);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use tanba_store::MemoryStore;

    use super::*;

    #[test]
    fn a_blob_shelved_by_one_node_is_fetched_checked_and_kept_by_another() {
        let shelf = MemoryShelf::default();
        let taker: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let bytes: Vec<u8> = (0..600_000u32).map(|n| (n % 253) as u8).collect();
        let mut upload = BlobUpload::new(taker.clone(), 1);
        upload.write(&bytes).unwrap();
        let (hash, _) = upload.finish().unwrap();
        put_on_shelf(taker.as_ref(), &shelf, &hash).unwrap();

        let other: Arc<dyn Store> = Arc::new(MemoryStore::new());
        assert!(fetch_from_shelf(&other, &shelf, &hash, 1 << 20, 2).unwrap());
        let kept = blob_bytes(other.snapshot().as_ref(), &hash).unwrap();
        assert!(kept == Some(bytes), "kept as shelved");
        // Held now: the shelf is not asked again.
        assert!(fetch_from_shelf(&other, &MemoryShelf::default(), &hash, 1, 3).unwrap());

        // Not shelved: not held. Past the limit, or not the named blob: refused, nothing kept.
        let fresh: Arc<dyn Store> = Arc::new(MemoryStore::new());
        assert!(!fetch_from_shelf(&fresh, &shelf, &[9; 32], 1 << 20, 4).unwrap());
        assert!(fetch_from_shelf(&fresh, &shelf, &hash, 1_000, 5).is_err());
        shelf.put_unchecked([7; 32], b"not the blob named seven".to_vec());
        assert!(fetch_from_shelf(&fresh, &shelf, &[7; 32], 1 << 20, 6).is_err());
        assert_eq!(blob(fresh.snapshot().as_ref(), &[7; 32]).unwrap(), None);
    }
}
