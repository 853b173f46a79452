//! The node's bid for its cluster's steward role (issue 15; `tanba_engine::steward`): every
//! [`STEWARD_RENEW_INTERVAL`] it takes the lease if it is free or renews it if it holds it,
//! and tells the engine (which ticks and issues only as steward) and the register adapters
//! (which poll only as steward). A node that cannot reach the lease, or that diverged, is not
//! steward; a stopping or diverged node gives the lease up, so another takes it at once.

use std::sync::Arc;

use tanba_engine::heads::NodeName;
use tanba_engine::steward::{STEWARD_RENEW_INTERVAL, StewardLease};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::App;

/// Starts the bid; it ends, giving the lease up, when `stopped` turns true.
pub fn spawn(
    app: Arc<App>,
    lease: Arc<dyn StewardLease>,
    node: NodeName,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(STEWARD_RENEW_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = stopped.changed() => break,
            }
            let (app, lease, node) = (app.clone(), lease.clone(), node.clone());
            // The lease's calls block on a runtime of their own.
            let bid = tokio::task::spawn_blocking(move || bid(&app, lease.as_ref(), &node));
            if let Err(error) = bid.await {
                tracing::error!(%error, "the steward's bid failed");
            }
        }
        app.engine.set_steward(false);
        let released = tokio::task::spawn_blocking(move || lease.release(&node)).await;
        if let Ok(Err(error)) = released {
            tracing::warn!(%error, "giving up the steward's lease");
        }
    })
}

/// Takes or renews the lease (a diverged node gives it up), and says what came of it.
fn bid(app: &App, lease: &dyn StewardLease, node: &NodeName) {
    let held = match app.divergence.get() {
        Some(_) => lease.release(node).map(|()| false),
        None => lease.hold(node),
    };
    let steward = held.unwrap_or_else(|error| {
        tracing::warn!(%error, "the steward's lease cannot be reached");
        false
    });
    if steward != app.engine.is_steward() {
        tracing::info!(steward, node = %node, "steward role changed");
    }
    app.engine.set_steward(steward);
    metrics::gauge!("tanba_steward").set(if steward { 1.0 } else { 0.0 });
}
