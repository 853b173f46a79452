//! Attachments: content-addressed (BLAKE3) blobs stored in chunks in their own column, outside
//! the state the log rebuilds. A blob is written chunk by chunk as it streams in (never held
//! whole), then named by its hash once complete. The log records who uploaded what
//! (`Command::RecordAttachment`, submitted by the upload's door once the blob is complete), and
//! a case step may name only its actor's recorded uploads: decided from the log, so every node
//! decides alike, whichever holds the bytes. Reading streams the chunks back in order.
//!
//! An upload writes its chunks under an upload id the caller draws at random; only the final
//! record under the hash makes the blob exist, so a failed or abandoned upload is never seen
//! (its chunks are garbage the next upload of the same id overwrites, or a sweep removes). A
//! second upload of the same content keeps the first and drops its own chunks.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tanba_store::{Column, Durability, Snapshot, Store, WriteBatch};
use tanba_types::limits::ATTACHMENT_BYTES_MAX;

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
