//! The steward of a cluster (issue 15; ARCHITECTURE.md, "Scale-out over NATS JetStream"): the
//! one node that does the background work every node would otherwise repeat. Issuing an
//! order's codes (drawing serials, signing tails), appending the ticks that fire due case
//! clocks, and polling the state registers are acts of the system, not of a caller; every node
//! applies the log and so learns of every order and every due clock, but only the steward
//! acts on them.
//!
//! The steward is whoever holds the cluster's [`StewardLease`]: taken when free, renewed every
//! [`STEWARD_RENEW_INTERVAL`], lapsing after [`STEWARD_LEASE_TTL`] without renewal, when
//! another node takes it. A lease holds by the lease service's clock, not the nodes', so two
//! nodes may both believe they are steward for a moment (one paused past the lapse). That is
//! safe, only wasteful: a tick that finds nothing due is refused, and a chunk past the order's
//! quantity is refused (`OrderExceeded`) by every node alike, so an order never gets more codes
//! than it asked for (its serials may then come from both stewards' draws). A node alone (no
//! lease) is its own steward. A node that becomes steward takes up every order left incomplete,
//! including any a steward gave up on while the log was unreachable.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::command_log::CommandLogError;
use crate::heads::NodeName;

/// How often the steward renews its lease, and a node not holding it tries to take it.
pub const STEWARD_RENEW_INTERVAL: Duration = Duration::from_secs(1);

/// How long a lease holds without renewal.
pub const STEWARD_LEASE_TTL: Duration = Duration::from_secs(5);

const _: () = assert!(STEWARD_LEASE_TTL.as_millis() >= 3 * STEWARD_RENEW_INTERVAL.as_millis());

/// The cluster's lease on the steward's role. `tanba_replica::JetStreamLog` keeps it in a
/// replicated key-value bucket whose entries expire after [`STEWARD_LEASE_TTL`];
/// [`MemoryLease`] in memory, for tests.
pub trait StewardLease: Send + Sync {
    /// Takes the lease for `node` if it is free, or renews it if `node` holds it; whether
    /// `node` holds it now.
    fn hold(&self, node: &NodeName) -> Result<bool, CommandLogError>;

    /// Gives the lease up if `node` holds it (a node stopping, or one that diverged), so
    /// another takes it at once rather than after the lapse.
    fn release(&self, node: &NodeName) -> Result<(), CommandLogError>;
}

/// A lease in this process, lapsing by the monotonic clock.
#[derive(Default)]
pub struct MemoryLease {
    holder: Mutex<Option<(NodeName, Instant)>>,
}

impl MemoryLease {
    /// The node holding the lease now, if any.
    pub fn holder(&self) -> Option<NodeName> {
        let holder = self.holder.lock().expect("lease lock");
        (holder.as_ref())
            .filter(|(_, until)| Instant::now() < *until)
            .map(|(node, _)| node.clone())
    }
}

impl StewardLease for MemoryLease {
    fn hold(&self, node: &NodeName) -> Result<bool, CommandLogError> {
        let mut holder = self.holder.lock().expect("lease lock");
        let now = Instant::now();
        let free = match &*holder {
            Some((held_by, until)) => held_by == node || *until <= now,
            None => true,
        };
        if free {
            *holder = Some((node.clone(), now + STEWARD_LEASE_TTL));
        }
        Ok(free)
    }

    fn release(&self, node: &NodeName) -> Result<(), CommandLogError> {
        let mut holder = self.holder.lock().expect("lease lock");
        if holder.as_ref().is_some_and(|(held_by, _)| held_by == node) {
            *holder = None;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_node_holds_the_lease_until_it_releases_it() {
        let lease = MemoryLease::default();
        let (a, b) = (NodeName::parse("a").unwrap(), NodeName::parse("b").unwrap());
        assert!(lease.hold(&a).unwrap(), "free: taken");
        assert!(!lease.hold(&b).unwrap(), "held by another");
        assert!(lease.hold(&a).unwrap(), "renewed by its holder");
        assert_eq!(lease.holder(), Some(a.clone()));
        lease.release(&b).unwrap();
        assert_eq!(
            lease.holder(),
            Some(a.clone()),
            "only its holder releases it"
        );
        lease.release(&a).unwrap();
        assert!(lease.hold(&b).unwrap(), "released: taken at once");
        assert!(!lease.hold(&a).unwrap());
    }
}
