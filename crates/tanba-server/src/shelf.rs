//! The cluster's shelf of blobs' bytes, the server's side (issue 15; `tanba_engine::blobs`):
//! a node puts on the shelf every blob it takes (an attachment, a report's photo) before the
//! log names it, and copies onto itself every blob the log names, so that each node holds every
//! attachment and photo (the shelf is not their only copy beyond the node that took them) and
//! answers for them without a trip to the shelf. A node alone has no shelf and none of this.
//!
//! The copier follows [`tanba_engine::blobs::named_blobs`] from its cursor, a page every
//! [`BLOB_COPY_INTERVAL`] while there is work, on the blocking pool. A blob the shelf does not
//! hold (yet: a node that stopped between its upload and the shelf) is passed over and counted
//! (`tanba_blobs_missing_total`); a read asks the shelf again.

use std::sync::Arc;
use std::time::Duration;

use tanba_engine::blobs::{self, BlobShelf};
use tanba_store::Store;
use tanba_types::limits::ATTACHMENT_BYTES_MAX;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::App;
use crate::error::ApiError;

/// How often the copier looks for blobs the log named since its last look.
pub const BLOB_COPY_INTERVAL: Duration = Duration::from_secs(2);
/// Named blobs one look copies at most (the next look goes on at once while there are more).
pub const BLOB_COPY_PAGE: usize = 64;

/// The cluster's shelf, if this node is one of a cluster's.
fn shelf_of(app: &App) -> Option<Arc<dyn BlobShelf>> {
    app.config.blob_shelf.as_ref().map(|shelf| shelf.0.clone())
}

/// Puts a blob this node stored on the cluster's shelf, if it has one (before the log names
/// it), reading its bytes back from the store (an upload that streamed in chunks).
pub async fn shelve(app: &App, hash: [u8; 32]) -> Result<(), ApiError> {
    let Some(shelf) = shelf_of(app) else {
        return Ok(());
    };
    let store = app.engine.store().clone();
    let put = tokio::task::spawn_blocking(move || {
        blobs::put_on_shelf(store.as_ref(), shelf.as_ref(), &hash)
    });
    Ok(put.await.map_err(|_| ApiError::internal())??)
}

/// [`shelve`] of a blob whose bytes are in hand: not read back.
pub async fn shelve_bytes(app: &App, hash: [u8; 32], bytes: Vec<u8>) -> Result<(), ApiError> {
    let Some(shelf) = shelf_of(app) else {
        return Ok(());
    };
    let put =
        tokio::task::spawn_blocking(move || blobs::shelve_bytes(shelf.as_ref(), &hash, &bytes));
    Ok(put.await.map_err(|_| ApiError::internal())??)
}

/// Whether this node holds blob `hash` (at most `bytes_max` bytes), taken from `shelf` if it
/// must.
fn hold_in(
    store: &Arc<dyn Store>,
    shelf: Option<&dyn BlobShelf>,
    hash: &[u8; 32],
    bytes_max: u64,
) -> Result<bool, tanba_engine::EngineError> {
    let Some(shelf) = shelf else {
        return Ok(blobs::blob(store.snapshot().as_ref(), hash)?.is_some());
    };
    let upload = rand_core::RngCore::next_u64(&mut rand_core::OsRng);
    blobs::fetch_from_shelf(store, shelf, hash, bytes_max, upload)
}

/// Makes sure this node holds blob `hash` (of at most `bytes_max` bytes), taking it from the
/// shelf if it must; whether it does. Blocks: call it on the blocking pool.
pub fn hold(app: &App, hash: &[u8; 32], bytes_max: u64) -> Result<bool, tanba_engine::EngineError> {
    hold_in(
        app.engine.store(),
        shelf_of(app).as_deref(),
        hash,
        bytes_max,
    )
}

/// [`hold`] from an async task (on the blocking pool).
pub async fn hold_from_task(app: &App, hash: [u8; 32], bytes_max: u64) -> Result<bool, ApiError> {
    let (store, shelf) = (app.engine.store().clone(), shelf_of(app));
    let held =
        tokio::task::spawn_blocking(move || hold_in(&store, shelf.as_deref(), &hash, bytes_max));
    Ok(held.await.map_err(|_| ApiError::internal())??)
}

/// Copies one page of the blobs named after `cursor`; the new cursor and whether a page was
/// full (more may wait).
fn copy_page(app: &App, cursor: u64) -> (u64, bool) {
    let snapshot = app.engine.snapshot();
    let named = match blobs::named_blobs(snapshot.as_ref(), cursor, BLOB_COPY_PAGE) {
        Ok(named) => named,
        Err(error) => {
            tracing::error!(%error, "the blobs the log names could not be read");
            return (cursor, false);
        }
    };
    drop(snapshot);
    let mut moved = cursor;
    for (sequence, hash) in &named {
        match hold(app, hash, ATTACHMENT_BYTES_MAX) {
            Ok(true) => {}
            Ok(false) => {
                metrics::counter!("tanba_blobs_missing_total").increment(1);
                tracing::warn!(sequence, "a blob the log names is not on the shelf");
            }
            // Bytes that are not the blob named: passed over (a read asks the shelf again).
            Err(tanba_engine::EngineError::Corrupt(error)) => {
                metrics::counter!("tanba_blobs_missing_total").increment(1);
                tracing::error!(sequence, %error, "a blob the log names could not be copied");
            }
            // The shelf out of reach, or this node's store: this blob and the rest wait for
            // the next look.
            Err(error) => {
                tracing::warn!(sequence, %error, "a blob the log names waits to be copied");
                return (moved, false);
            }
        }
        moved = *sequence;
    }
    (moved, named.len() == BLOB_COPY_PAGE)
}

/// Starts the copier, on a node with a shelf.
pub fn spawn(app: Arc<App>, mut stopped: watch::Receiver<bool>) -> Option<JoinHandle<()>> {
    shelf_of(&app)?;
    Some(tokio::spawn(async move {
        let mut cursor = 0;
        loop {
            let worker = app.clone();
            let copied = tokio::task::spawn_blocking(move || copy_page(&worker, cursor)).await;
            let Ok((moved, more)) = copied else { return };
            cursor = moved;
            if more {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(BLOB_COPY_INTERVAL) => {}
                _ = stopped.changed() => return,
            }
        }
    }))
}
