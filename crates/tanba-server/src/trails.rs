//! The nodes' audit trails on the cluster's stream (issue 15; `tanba_engine::trails`): a node
//! of a cluster publishes its own trail there, page by page, sealed, and copies every other
//! node's, so an authority's audit query about the calls any node served is answered by any
//! node (`crate::audit::Trail`), and a missing or altered record is found: each copied record
//! must continue its trail's chain, each page must start where the copy ends, and a page not
//! sealed by a node of the cluster is passed over and counted.
//!
//! At start, before the trail's writer runs, a node takes back from the stream the records of
//! its own trail past its store's end: a node restored from an older snapshot thus keeps the
//! records of the calls it served since (and chains no write's record twice, see
//! `crate::audit`'s notes). Then one task, every [`TRAIL_ROUND_PAUSE`] on the blocking pool,
//! publishes the records written since its last page and copies the pages published since its
//! last look. The records a node wrote but did not publish yet are at `/metrics`
//! (`tanba_audit_trail_unpublished`).

use std::sync::Arc;
use std::time::Duration;

use tanba_engine::heads::NodeName;
use tanba_engine::seal::ClusterSeal;
use tanba_engine::trails::{TRAIL_PAGE_BYTES_MAX, TrailPage, TrailStream};
use tanba_store::Store;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::audit::{self, AuditError, Trail};

/// Records one page carries at most.
pub const TRAIL_PAGE_RECORDS_MAX: usize = 1_000;
/// Bytes of records one page carries at most, with room left in a page for its seal and
/// encoding.
pub const TRAIL_PAGE_RECORDS_BYTES_MAX: usize = TRAIL_PAGE_BYTES_MAX - 64 * 1_024;
/// The pause between two rounds of publishing and copying while there is nothing to do.
pub const TRAIL_ROUND_PAUSE: Duration = Duration::from_secs(1);
/// Pages of other nodes' trails one round copies at most (the next round comes at once while
/// there are more).
pub const TRAIL_COPY_PAGES_MAX: usize = 64;

/// Why a node's trail and the stream disagree.
#[derive(Debug, thiserror::Error)]
pub enum TrailError {
    /// The stream could not be reached.
    #[error("the stream of audit trails: {0}")]
    Stream(#[from] tanba_engine::command_log::CommandLogError),
    /// The store failed, or a page breaks the trail.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// A page of this node's own trail is not sealed by the cluster, or does not decode.
    #[error("a page of trail {trail} from record {first} is not the cluster's")]
    Forged {
        /// Whose trail.
        trail: NodeName,
        /// Where the page starts.
        first: u64,
    },
}

/// A page's records: each as its node stored it (chain hash, then the record).
type PageRecords = Vec<Vec<u8>>;

/// A page's bytes on the stream, before its seal.
fn encode_page(values: &[Vec<u8>]) -> Vec<u8> {
    postcard::to_stdvec(values).expect("pages serialize")
}

/// A page's records, if it is the cluster's (sealed) and decodes.
fn open_page(seal: &ClusterSeal, page: &TrailPage) -> Result<PageRecords, TrailError> {
    let forged = || TrailError::Forged {
        trail: page.trail.clone(),
        first: page.first,
    };
    let bytes = seal.open_trail_page(page).ok_or_else(forged)?;
    postcard::from_bytes(&bytes).map_err(|_| forged())
}

/// Takes back the records of `node`'s own trail that the stream holds past the store's end (a
/// node restored from an older snapshot); how many. Call before the trail's writer starts.
/// Refused if the stream's copy differs from the trail held (another node runs under this
/// name): the node then serves, and publishes nothing until an operator settles it.
pub fn take_back_own(
    store: &dyn Store,
    stream: &dyn TrailStream,
    seal: &ClusterSeal,
    node: &NodeName,
) -> Result<u64, TrailError> {
    let (held, _) = audit::head(store.snapshot().as_ref(), &Trail::Own)?;
    let Some((last, values)) = last_genuine_page(stream, seal, node)? else {
        return Ok(0);
    };
    if last.first + values.len() as u64 <= held + 1 {
        // The stream's copy ends within the trail held: compare the end the two share.
        audit::copy_records(store, &Trail::Own, last.first, &values, None)?;
        return Ok(0);
    }
    let mut taken = 0;
    for_each_genuine_page(stream, seal, node, |page, values| {
        taken += audit::copy_records(store, &Trail::Own, page.first, &values, None)?.added;
        Ok(())
    })?;
    Ok(taken)
}

/// Calls `each` with every page of `node`'s trail on the stream that the cluster sealed, and
/// its records, oldest first (a forged one is passed over, and counted by the seal).
fn for_each_genuine_page(
    stream: &dyn TrailStream,
    seal: &ClusterSeal,
    node: &NodeName,
    mut each: impl FnMut(TrailPage, PageRecords) -> Result<(), TrailError>,
) -> Result<(), TrailError> {
    let mut after = 0;
    loop {
        let pages = stream.read_pages(Some(node), after, TRAIL_COPY_PAGES_MAX, Duration::ZERO)?;
        let Some(end) = pages.last().map(|page| page.position) else {
            return Ok(());
        };
        for page in pages {
            if let Ok(values) = open_page(seal, &page) {
                each(page, values)?;
            }
        }
        after = end;
    }
}

/// The last page of `node`'s trail on the stream that the cluster sealed, with its records:
/// the last page, or, if that one is forged (whoever else can write the stream put it there),
/// the last genuine one found by reading the whole trail.
fn last_genuine_page(
    stream: &dyn TrailStream,
    seal: &ClusterSeal,
    node: &NodeName,
) -> Result<Option<(TrailPage, PageRecords)>, TrailError> {
    let Some(last) = stream.last_page(node)? else {
        return Ok(None);
    };
    if let Ok(values) = open_page(seal, &last) {
        return Ok(Some((last, values)));
    }
    let mut found = None;
    for_each_genuine_page(stream, seal, node, |page, values| {
        found = Some((page, values));
        Ok(())
    })?;
    Ok(found)
}

/// The publisher's and copier's state between rounds.
struct Relay {
    store: Arc<dyn Store>,
    stream: Arc<dyn TrailStream>,
    seal: ClusterSeal,
    node: NodeName,
    /// The last record of this node's trail on the stream.
    published: u64,
}

impl Relay {
    /// Publishes one page of the records past `published`; whether one was.
    fn publish_page(&mut self) -> Result<bool, TrailError> {
        let snapshot = self.store.snapshot();
        let (held, _) = audit::head(snapshot.as_ref(), &Trail::Own)?;
        metrics::gauge!("tanba_audit_trail_unpublished").set((held - self.published) as f64);
        if held <= self.published {
            return Ok(false);
        }
        let values = audit::own_records_after(
            snapshot.as_ref(),
            self.published,
            TRAIL_PAGE_RECORDS_MAX,
            TRAIL_PAGE_RECORDS_BYTES_MAX,
        )?;
        drop(snapshot);
        let first = self.published + 1;
        let sealed = (self.seal).seal_trail_page(&self.node, first, &encode_page(&values));
        self.stream.publish_page(&self.node, first, sealed)?;
        self.published += values.len() as u64;
        metrics::counter!("tanba_audit_trail_pages_published_total").increment(1);
        Ok(true)
    }

    /// Copies the other nodes' pages published since the last look; whether more may wait.
    fn copy_pages(&self) -> Result<bool, TrailError> {
        let through = audit::trails_copied_through(self.store.snapshot().as_ref())?;
        let pages =
            (self.stream).read_pages(None, through, TRAIL_COPY_PAGES_MAX, Duration::ZERO)?;
        for page in &pages {
            if page.trail == self.node {
                audit::set_trails_copied_through(self.store.as_ref(), page.position)?;
                continue;
            }
            let copied = open_page(&self.seal, page).and_then(|values| {
                let trail = Trail::Of(page.trail.clone());
                let copied = audit::copy_records(
                    self.store.as_ref(),
                    &trail,
                    page.first,
                    &values,
                    Some(page.position),
                );
                Ok(copied?)
            });
            match copied {
                Ok(copied) => {
                    let added = metrics::counter!("tanba_audit_trail_records_copied_total");
                    added.increment(copied.added);
                }
                Err(TrailError::Stream(error)) => return Err(TrailError::Stream(error)),
                Err(TrailError::Audit(AuditError::Store(error))) => return Err(error.into()),
                Err(error) => {
                    // A broken copy stays broken (every later page of the trail is past a gap):
                    // it is loud at every page, and the rest of the stream is still copied.
                    tracing::error!(%error, node = %page.trail, "a page of a trail refused");
                    metrics::counter!("tanba_audit_trail_pages_refused_total").increment(1);
                    audit::set_trails_copied_through(self.store.as_ref(), page.position)?;
                }
            }
        }
        Ok(pages.len() == TRAIL_COPY_PAGES_MAX)
    }

    /// One round: publishes what is new, copies what came; whether more work waits.
    fn round(&mut self) -> bool {
        let published = self.publish_page().unwrap_or_else(|error| {
            tracing::warn!(%error, "this node's audit trail not published; retried");
            false
        });
        let copied = self.copy_pages().unwrap_or_else(|error| {
            tracing::warn!(%error, "the other nodes' audit trails not copied; retried");
            false
        });
        published || copied
    }
}

impl From<tanba_store::StoreError> for TrailError {
    fn from(error: tanba_store::StoreError) -> Self {
        TrailError::Audit(AuditError::Store(error))
    }
}

/// The record of this node's trail the stream holds last, checked against the trail held.
fn published_through(relay: &Relay) -> Result<u64, TrailError> {
    let last = last_genuine_page(relay.stream.as_ref(), &relay.seal, &relay.node)?;
    let Some((last, values)) = last else {
        return Ok(0);
    };
    let store = relay.store.as_ref();
    let copied = audit::copy_records(store, &Trail::Own, last.first, &values, None)?;
    Ok(last.first + copied.held + copied.added - 1)
}

/// Starts publishing this node's trail and copying the others'.
pub fn spawn(
    store: Arc<dyn Store>,
    stream: Arc<dyn TrailStream>,
    seal: ClusterSeal,
    node: NodeName,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut relay = Relay {
            store,
            stream,
            seal,
            node,
            published: 0,
        };
        loop {
            let start = tokio::task::spawn_blocking(move || {
                let through = published_through(&relay);
                (relay, through)
            });
            let Ok((returned, through)) = start.await else {
                return;
            };
            relay = returned;
            match through {
                Ok(through) => {
                    relay.published = through;
                    break;
                }
                Err(error) => tracing::error!(%error, "this node's trail on the stream; retried"),
            }
            tokio::select! {
                _ = tokio::time::sleep(TRAIL_ROUND_PAUSE) => {}
                _ = stopped.changed() => return,
            }
        }
        loop {
            let round = tokio::task::spawn_blocking(move || {
                let more = relay.round();
                (relay, more)
            });
            let Ok((returned, more)) = round.await else {
                return;
            };
            relay = returned;
            if more {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(TRAIL_ROUND_PAUSE) => {}
                _ = stopped.changed() => return,
            }
        }
    })
}
