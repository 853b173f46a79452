//! Divergence between the nodes of a cluster (issue 15; ARCHITECTURE.md, "Scale-out over NATS
//! JetStream"). Every node applies the same command log, so by determinism every node's event
//! log is the same entry for entry; a node whose log differs (a non-deterministic rule, a
//! corrupted store or stream replica) must stop answering before it misleads a caller.
//!
//! Each node publishes its log head (the sequence and chain hash of its last entry) on a
//! [`HeadBoard`] shared by the cluster, and compares the heads the other nodes published with
//! its own log at the same sequences ([`judge`]): a chain hash commits to every entry before it,
//! so one comparison covers the whole log up to that entry. A node that agrees with fewer of the
//! others than disagree with it stops serving; with two nodes, one disagreement stops both
//! (neither can tell which one is wrong, and a wrong answer is worse than none).

use std::collections::BTreeMap;
use std::sync::Mutex;

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
}

impl PublishedHead {
    /// `node`'s head after applying the command log through `position`.
    pub fn of(node: &NodeName, position: Position, head: LogHead) -> PublishedHead {
        PublishedHead {
            node: node.clone(),
            position,
            sequence: head.sequence,
            hash: head.hash.0,
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

/// What a node concludes from the others' heads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No other node's head at a sequence this node holds differs from this node's log, or
    /// more agree than differ.
    Agreed {
        /// Other nodes whose head this node could compare (the others are ahead of it).
        compared: usize,
        /// Of those, how many differ.
        differing: usize,
    },
    /// As many other nodes differ from this node's log as agree with it, counting this node
    /// itself among those that agree: it stops serving.
    Diverged {
        /// The first differing node's head.
        differing: PublishedHead,
        /// This node's chain hash at that head's sequence.
        own_hash: [u8; 32],
        /// Other nodes that differ, and that agree.
        differing_count: usize,
        /// Other nodes that agree.
        agreeing_count: usize,
    },
}

/// Compares the heads the other nodes published with this node's log in `snapshot`. A head at
/// a sequence this node has not reached yet says nothing (the node compares it later).
pub fn judge(
    snapshot: &dyn Snapshot,
    own: &NodeName,
    heads: &[PublishedHead],
) -> Result<Verdict, EngineError> {
    let own_head = crate::log::stored_head(snapshot)?;
    let (mut agreeing, mut differing) = (0, Vec::new());
    for head in heads {
        if &head.node == own || head.sequence > own_head.sequence {
            continue;
        }
        let own_hash = own_hash_at(snapshot, head.sequence)?;
        match own_hash == head.hash {
            true => agreeing += 1,
            false => differing.push((head.clone(), own_hash)),
        }
    }
    // This node agrees with itself.
    if differing.len() < agreeing + 1 {
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
