//! Divergence between the nodes of a cluster (issue 15; ARCHITECTURE.md, "Scale-out over NATS
//! JetStream"). Every node applies the same command log, so by determinism every node's event
//! log is the same entry for entry; a node whose log differs (a non-deterministic rule, a
//! corrupted store or stream replica) must stop answering before it misleads a caller.
//!
//! Each node publishes its log head (the sequence and chain hash of its last entry) on a
//! [`HeadBoard`] shared by the cluster, and compares the heads the other nodes published with
//! its own log at the same sequences ([`HeadWatch::judge`]): a chain hash commits to every entry
//! before it, so one comparison covers the whole log up to that entry. A node from whose log at
//! least half the board's nodes differ stops serving; with two nodes, one difference stops both
//! (neither can tell which one is wrong, and a wrong answer is worse than none).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tanba_crypto::chain::ChainHash;
use tanba_store::Snapshot;

use crate::command_log::{CommandLogError, Position};
use crate::error::EngineError;
use crate::query;
use crate::records::LogHead;

/// Bytes of a node's name at most (the refusal's reason says it).
pub const NODE_NAME_BYTES_MAX: usize = 64;
const _: () = assert!(NODE_NAME_BYTES_MAX == 64, "the refusal's reason names it");

/// Nodes' heads one reading of a board takes at most (a cluster has a handful of nodes; a
/// board filled by strangers is not read without end).
pub const BOARD_NODES_MAX: usize = 256;

/// A node's name on the board: 1 to [`NODE_NAME_BYTES_MAX`] ASCII letters, digits, `-` and `_`
/// (a NATS key-value key, a file name and a metric label alike).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeName(String);

impl NodeName {
    /// Checks a name.
    pub fn parse(text: &str) -> Result<NodeName, EngineError> {
        let fits = (1..=NODE_NAME_BYTES_MAX).contains(&text.len())
            && (text.bytes()).all(|byte| byte.is_ascii_alphanumeric() || b"-_".contains(&byte));
        match fits {
            true => Ok(NodeName(text.to_owned())),
            false => Err(EngineError::Invalid {
                field: "node name",
                reason: "1 to 64 ASCII letters, digits, '-' or '_'",
            }),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for NodeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a node publishes: how far it has applied the command log, and its event log's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedHead {
    /// Who.
    pub node: NodeName,
    /// The last command log position it has applied.
    pub position: Position,
    /// Its event log's last sequence (0: empty).
    pub sequence: u64,
    /// The chain hash of that entry.
    pub hash: [u8; 32],
    /// The cluster's tag over the fields above (`crate::seal`; zero until sealed).
    pub seal: [u8; crate::seal::SEAL_BYTES],
}

impl PublishedHead {
    /// `node`'s head after applying the command log through `position`.
    pub fn of(node: &NodeName, position: Position, head: LogHead) -> PublishedHead {
        PublishedHead {
            node: node.clone(),
            position,
            sequence: head.sequence,
            hash: head.hash.0,
            seal: [0; crate::seal::SEAL_BYTES],
        }
    }

    /// Its bytes on a board.
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("a head encodes")
    }

    /// Reads a head from a board's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<PublishedHead, CommandLogError> {
        postcard::from_bytes(bytes)
            .map_err(|error| CommandLogError::Corrupt(format!("a published head: {error}")))
    }
}

/// Where the nodes of a cluster publish their heads and read each other's: the latest head of
/// each node. `tanba_replica::JetStreamLog` keeps it in a replicated key-value bucket;
/// [`MemoryHeadBoard`] in memory, for tests and simulation.
pub trait HeadBoard: Send + Sync {
    /// Replaces `head.node`'s head.
    fn publish(&self, head: &PublishedHead) -> Result<(), CommandLogError>;

    /// Every node's latest head, at most [`BOARD_NODES_MAX`].
    fn heads(&self) -> Result<Vec<PublishedHead>, CommandLogError>;
}

/// A board in this process.
#[derive(Default)]
pub struct MemoryHeadBoard {
    heads: Mutex<BTreeMap<NodeName, PublishedHead>>,
}

impl HeadBoard for MemoryHeadBoard {
    fn publish(&self, head: &PublishedHead) -> Result<(), CommandLogError> {
        let mut heads = self.heads.lock().expect("heads lock");
        heads.insert(head.node.clone(), head.clone());
        Ok(())
    }

    fn heads(&self) -> Result<Vec<PublishedHead>, CommandLogError> {
        let heads = self.heads.lock().expect("heads lock");
        Ok(heads.values().take(BOARD_NODES_MAX).cloned().collect())
    }
}

/// How often a node publishes its head and judges the others'.
pub const HEADS_INTERVAL: Duration = Duration::from_secs(1);

/// How long a published head stays on a board unless published again: a node that stopped
/// (or diverged, and so stopped publishing) drops out of the others' count.
pub const HEAD_STALE_AFTER: Duration = Duration::from_secs(30);

const _: () = assert!(HEAD_STALE_AFTER.as_secs() >= 10 * HEADS_INTERVAL.as_secs());

/// What a node concludes from the others' heads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Fewer nodes differ from this node's log than half the nodes on the board.
    Agreed {
        /// Other nodes whose head this node could compare (the others are ahead of it).
        compared: usize,
        /// Of those, how many differ.
        differing: usize,
    },
    /// At least half the nodes on the board (this one counted) differ from this node's log
    /// at entries it holds: it stops serving.
    Diverged {
        /// The first differing node's head.
        differing: PublishedHead,
        /// This node's chain hash at that head's sequence.
        own_hash: [u8; 32],
        /// Other nodes that differ.
        differing_count: usize,
        /// Other nodes that agree.
        agreeing_count: usize,
    },
}

/// A node's judgement of the board over time. A head published beyond this node's log cannot
/// be compared yet: the watch keeps the first such head of each node and compares it once the
/// log reaches it, so a node that lags behind the others (the one most likely wrong) still
/// meets their heads.
#[derive(Debug, Default)]
pub struct HeadWatch {
    /// Per other node, a head of it this node has not reached yet.
    waiting: BTreeMap<NodeName, PublishedHead>,
}

impl HeadWatch {
    /// Judges `board` (every node's latest head, this node's own among them) against this
    /// node's log in `snapshot`. Per other node it compares the latest head when this node has
    /// reached it, else the head it kept waiting once reached. The node has diverged when
    /// those that differ are at least half the nodes on the board, itself counted: with two
    /// nodes one difference stops both (neither can tell which is wrong); with three, the one
    /// that differs from the other two stops, and a node that sees one other differ while the
    /// third is still ahead goes on.
    pub fn judge(
        &mut self,
        snapshot: &dyn Snapshot,
        own: &NodeName,
        board: &[PublishedHead],
    ) -> Result<Verdict, EngineError> {
        let own_sequence = crate::log::stored_head(snapshot)?.sequence;
        // One head per node: a board that gives a node twice does not count it twice.
        let mut named = std::collections::BTreeSet::new();
        let others: Vec<&PublishedHead> = (board.iter())
            .filter(|head| &head.node != own && named.insert(&head.node))
            .collect();
        self.waiting
            .retain(|node, _| others.iter().any(|head| &head.node == node));
        let mut comparable = Vec::new();
        for head in &others {
            if head.sequence <= own_sequence {
                self.waiting.remove(&head.node);
                comparable.push((*head).clone());
                continue;
            }
            match self.waiting.get(&head.node) {
                Some(waiting) if waiting.sequence <= own_sequence => {
                    comparable.push(waiting.clone());
                    self.waiting.insert(head.node.clone(), (*head).clone());
                }
                Some(_) => {}
                None => {
                    self.waiting.insert(head.node.clone(), (*head).clone());
                }
            }
        }
        judge(snapshot, &comparable, others.len() + 1)
    }
}

/// Compares `heads` (other nodes' heads at entries this node holds) with this node's log in
/// `snapshot`, `nodes` being every node on the board (this one counted).
fn judge(
    snapshot: &dyn Snapshot,
    heads: &[PublishedHead],
    nodes: usize,
) -> Result<Verdict, EngineError> {
    let (mut agreeing, mut differing) = (0, Vec::new());
    for head in heads {
        let own_hash = own_hash_at(snapshot, head.sequence)?;
        match own_hash == head.hash {
            true => agreeing += 1,
            false => differing.push((head.clone(), own_hash)),
        }
    }
    if differing.is_empty() || differing.len() * 2 < nodes {
        return Ok(Verdict::Agreed {
            compared: agreeing + differing.len(),
            differing: differing.len(),
        });
    }
    let differing_count = differing.len();
    let (head, own_hash) = differing.swap_remove(0);
    Ok(Verdict::Diverged {
        differing: head,
        own_hash,
        differing_count,
        agreeing_count: agreeing,
    })
}

/// This node's chain hash at `sequence` (the genesis hash at 0).
fn own_hash_at(snapshot: &dyn Snapshot, sequence: u64) -> Result<[u8; 32], EngineError> {
    if sequence == 0 {
        return Ok(tanba_crypto::chain::GENESIS.0);
    }
    let hash: Option<ChainHash> = query::log_hash(snapshot, sequence)?;
    let hash = hash.ok_or_else(|| {
        EngineError::Corrupt(format!("log entry {sequence} is missing below the head"))
    })?;
    Ok(hash.0)
}
