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

/// What to do with the pages of this node's own trail read back from the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OwnPages {
    /// Take back the records past the store's end (before the trail's writer starts).
    TakeBack,
    /// Compare only (the writer is running).
    Compare,
}

/// Reads back the pages of `node`'s own trail on the stream, from the last one this node knows
/// it published (all of them, for a store that knows none), and takes back or compares their
/// records; the last record of the trail the stream holds, and how many were taken back. A
/// page not sealed by the cluster is passed over (and counted by the seal), and so is whatever
/// on the stream is no node's page. Refused if a page differs from the trail held, or, when
/// comparing, goes past it: another node runs under this name.
fn read_back_own(
    store: &dyn Store,
    stream: &dyn TrailStream,
    seal: &ClusterSeal,
    node: &NodeName,
    what: OwnPages,
) -> Result<(u64, u64), TrailError> {
    let mut after = audit::own_published_at(store.snapshot().as_ref())?.saturating_sub(1);
    let (mut end, mut taken) = (0, 0);
    loop {
        let read = stream.read_pages(Some(node), after, TRAIL_COPY_PAGES_MAX, Duration::ZERO)?;
        for page in &read.pages {
            let Ok(values) = open_page(seal, page) else {
                continue;
            };
            end = end.max(match what {
                OwnPages::TakeBack => {
                    let copied =
                        audit::copy_records(store, &Trail::Own, page.first, &values, None)?;
                    taken += copied.added;
                    page.first + values.len() as u64 - 1
                }
                OwnPages::Compare => {
                    let snapshot = store.snapshot();
                    audit::compare_own_records(snapshot.as_ref(), page.first, &values)?
                }
            });
        }
        if read.through == after {
            return Ok((end, taken));
        }
        after = read.through;
    }
}

/// How long a node starting waits for the stream of trails to take its own trail back from it.
pub const TAKE_BACK_PATIENCE: Duration = Duration::from_secs(60);

/// Takes back the records of `node`'s own trail that the stream holds past the store's end (a
/// node restored from an older snapshot, or from nothing); how many. Call before the trail's
/// writer starts. A stream out of reach is asked again for [`TAKE_BACK_PATIENCE`], and then the
/// node does not start (it would chain records the stream holds differently). A stream whose
/// copy differs from the trail held (another node runs under this name) is refused: the node
/// then serves, and publishes nothing until an operator settles it.
pub fn take_back_own(
    store: &dyn Store,
    stream: &dyn TrailStream,
    seal: &ClusterSeal,
    node: &NodeName,
) -> Result<u64, TrailError> {
    let deadline = std::time::Instant::now() + TAKE_BACK_PATIENCE;
    loop {
        match read_back_own(store, stream, seal, node, OwnPages::TakeBack) {
            Err(TrailError::Stream(error)) if std::time::Instant::now() < deadline => {
                tracing::warn!(%error, "the stream of trails, asked again");
                std::thread::sleep(TRAIL_ROUND_PAUSE);
            }
            outcome => return outcome.map(|(_, taken)| taken),
        }
    }
}

/// The publisher's and copier's state between rounds.
struct Relay {
    store: Arc<dyn Store>,
    stream: Arc<dyn TrailStream>,
    seal: ClusterSeal,
    node: NodeName,
    /// The last record of this node's trail on the stream, once read back; none while it is
    /// not known, and for good if the stream's copy differs (nothing more is published).
    published: Option<u64>,
    /// Whether the stream's copy of this node's trail differs from it.
    conflicted: bool,
}

impl Relay {
    /// Learns how far this node's trail is on the stream, if it does not know yet.
    fn read_back(&mut self) {
        if self.published.is_some() || self.conflicted {
            return;
        }
        let (store, stream) = (self.store.as_ref(), self.stream.as_ref());
        match read_back_own(store, stream, &self.seal, &self.node, OwnPages::Compare) {
            Ok((end, _)) => self.published = Some(end),
            Err(TrailError::Stream(error)) => {
                tracing::warn!(%error, "this node's trail on the stream; asked again");
            }
            Err(TrailError::Audit(AuditError::Store(error))) => {
                tracing::warn!(%error, "this node's trail in its store; read again");
            }
            Err(error) => {
                tracing::error!(%error, "this node's trail differs from the stream's copy");
                metrics::counter!("tanba_audit_trail_conflicts_total").increment(1);
                self.conflicted = true;
            }
        }
    }

    /// Publishes one page of the records past those published; whether one was.
    fn publish_page(&mut self) -> Result<bool, TrailError> {
        let Some(published) = self.published else {
            return Ok(false);
        };
        let snapshot = self.store.snapshot();
        let (held, _) = audit::head(snapshot.as_ref(), &Trail::Own)?;
        let unpublished = held.saturating_sub(published);
        metrics::gauge!("tanba_audit_trail_unpublished").set(unpublished as f64);
        if unpublished == 0 {
            return Ok(false);
        }
        let values = audit::own_records_after(
            snapshot.as_ref(),
            published,
            TRAIL_PAGE_RECORDS_MAX,
            TRAIL_PAGE_RECORDS_BYTES_MAX,
        )?;
        drop(snapshot);
        let first = published + 1;
        let sealed = (self.seal).seal_trail_page(&self.node, first, &encode_page(&values));
        let position = self.stream.publish_page(&self.node, first, sealed)?;
        self.published = Some(published + values.len() as u64);
        audit::set_own_published_at(self.store.as_ref(), position)?;
        metrics::counter!("tanba_audit_trail_pages_published_total").increment(1);
        Ok(true)
    }

    /// Copies the other nodes' pages published since the last look; whether more may wait.
    fn copy_pages(&self) -> Result<bool, TrailError> {
        let through = audit::trails_copied_through(self.store.snapshot().as_ref())?;
        let read = (self.stream).read_pages(None, through, TRAIL_COPY_PAGES_MAX, Duration::ZERO)?;
        for page in read.pages.iter().filter(|page| page.trail != self.node) {
            let copied = open_page(&self.seal, page).and_then(|values| {
                let trail = Trail::Of(page.trail.clone());
                let store = self.store.as_ref();
                Ok(audit::copy_records(
                    store,
                    &trail,
                    page.first,
                    &values,
                    Some(page.position),
                )?)
            });
            match copied {
                Ok(copied) => {
                    let added = metrics::counter!("tanba_audit_trail_records_copied_total");
                    added.increment(copied.added);
                }
                Err(TrailError::Audit(AuditError::Store(error))) => return Err(error.into()),
                Err(error) => {
                    // A broken copy stays broken (every later page of the trail is past a gap):
                    // it is loud at every page, and the rest of the stream is still copied.
                    tracing::error!(%error, node = %page.trail, "a page of a trail refused");
                    metrics::counter!("tanba_audit_trail_pages_refused_total").increment(1);
                }
            }
        }
        // Past this node's own pages, refused ones and whatever is no node's page.
        if read.through > through {
            audit::set_trails_copied_through(self.store.as_ref(), read.through)?;
        }
        Ok(read.through > through && read.pages.len() == TRAIL_COPY_PAGES_MAX)
    }

    /// One round: learns or publishes, and copies; whether more work waits.
    fn round(&mut self) -> bool {
        self.read_back();
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
            published: None,
            conflicted: false,
        };
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
