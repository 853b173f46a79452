//! The node's watch on its cluster (issue 15): every [`HEADS_INTERVAL`] it publishes its log
//! head on the cluster's board and judges the other nodes' heads against its own log
//! (`tanba_engine::heads::HeadWatch`). Once it has diverged it refuses every call
//! (`TANBA-SERVER-DIVERGED`) and its health check fails, until an operator restores it from a
//! good node's snapshot and starts it again: a node cannot mend a log that others disagree with.

use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;
use std::sync::Arc;

pub use tanba_engine::heads::HEADS_INTERVAL;
use tanba_engine::heads::{HeadBoard, HeadWatch, NodeName, PublishedHead, Verdict};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::App;

/// The file in the data directory that keeps a node's drawn name.
pub const NODE_NAME_FILE: &str = "node-name";

/// This node's name: the configured one, else the one kept in `data_dir`, else one drawn now
/// and kept (a node keeps its name across restarts, so its head replaces its own).
pub fn node_name(configured: Option<&str>, data_dir: &Path) -> std::io::Result<NodeName> {
    let invalid = |error| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{error}"));
    if let Some(name) = configured {
        return NodeName::parse(name).map_err(invalid);
    }
    let path = data_dir.join(NODE_NAME_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => NodeName::parse(text.trim()).map_err(invalid),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let mut drawn = [0u8; 6];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut drawn);
            let name = format!("node-{}", tanba_crypto::encoding::hex(&drawn));
            // Whole or not at all: a start cut short leaves no empty name behind.
            let partial = path.with_extension("partial");
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&partial)?;
            std::io::Write::write_all(&mut file, name.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&partial, &path)?;
            NodeName::parse(&name).map_err(invalid)
        }
        Err(error) => Err(error),
    }
}

/// Starts the watch; it ends when `stopped` turns true.
pub fn spawn(
    app: Arc<App>,
    board: Arc<dyn HeadBoard>,
    node: NodeName,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(HEADS_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut watch = HeadWatch::default();
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = stopped.changed() => return,
            }
            let (app, board, node) = (app.clone(), board.clone(), node.clone());
            // The board's calls block on a runtime of their own.
            let round = tokio::task::spawn_blocking(move || {
                round(&app, board.as_ref(), &node, &mut watch);
                watch
            });
            match round.await {
                Ok(kept) => watch = kept,
                Err(error) => {
                    tracing::error!(%error, "the heads watch failed");
                    return;
                }
            }
        }
    })
}

/// Publishes this node's head, then judges the others'.
fn round(app: &App, board: &dyn HeadBoard, node: &NodeName, watch: &mut HeadWatch) {
    if app.divergence.get().is_some() {
        return;
    }
    let applied = app.engine.read_position().saturating_sub(1);
    let snapshot = app.engine.snapshot();
    let head = match tanba_engine::log::stored_head(snapshot.as_ref()) {
        Ok(head) => head,
        Err(error) => return tracing::error!(%error, "reading this node's log head"),
    };
    let judged = board
        .publish(&PublishedHead::of(node, applied, head))
        .and_then(|()| board.heads())
        .map_err(|error| error.to_string())
        .and_then(|heads| {
            (watch.judge(snapshot.as_ref(), node, &heads)).map_err(|error| error.to_string())
        });
    match judged {
        Ok(Verdict::Agreed {
            compared,
            differing,
        }) => {
            metrics::gauge!("tanba_heads_compared").set(compared as f64);
            metrics::gauge!("tanba_heads_differing").set(differing as f64);
            metrics::gauge!("tanba_node_diverged").set(0.0);
        }
        Ok(Verdict::Diverged {
            differing,
            own_hash,
            differing_count,
            agreeing_count,
        }) => {
            let reason = format!(
                "at log entry {} node {} has {}, this node {} ({differing_count} nodes differ, \
                 {agreeing_count} agree)",
                differing.sequence,
                differing.node,
                tanba_crypto::encoding::hex(&differing.hash),
                tanba_crypto::encoding::hex(&own_hash),
            );
            tracing::error!(%reason, "this node's log differs from its cluster's: it stops serving");
            metrics::gauge!("tanba_node_diverged").set(1.0);
            let _ = app.divergence.set(reason);
        }
        Err(error) => {
            metrics::counter!("tanba_heads_failures_total").increment(1);
            tracing::warn!(%error, "publishing or judging the cluster's heads");
        }
    }
}
