//! A feed's JSON form: one [`FeedLine`] per line, what the HTTP twin of `FeedService/Follow`
//! sends and what a saved feed holds (`tanba feed tail` writes it from gRPC alike). Bytes as
//! lowercase hex (hashes, 32 bytes) or standard base64 (records, signatures); an entry of the feed
//! also carries its record decoded (`event`: the proto3 JSON form of `tanba.log.v1.Record`), for
//! readers without a protobuf decoder. The bytes, not `event`, are what the chain proves.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::v1 as pb;

/// One line of a feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FeedLine {
    /// A log entry.
    Entry(EntryLine),
    /// A signed checkpoint of the entry before it.
    Checkpoint(CheckpointLine),
    /// Where the feed stands.
    Heartbeat(HeartbeatLine),
}

/// A log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryLine {
    /// Its sequence.
    pub sequence: u64,
    /// Its chain hash, hex.
    pub chain_hash: String,
    /// Its feed kinds.
    pub kinds: u32,
    /// The record's bytes, base64, when the entry is in the feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// BLAKE3 of the record, hex, when it is outside the feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_digest: Option<String>,
    /// The record decoded (proto3 JSON of `tanba.log.v1.Record`), when it is in the feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<serde_json::Value>,
}

/// A signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointLine {
    /// The entry it signs.
    pub sequence: u64,
    /// That entry's chain hash, hex.
    pub head_hash: String,
    /// When it was signed, unix milliseconds.
    pub time_ms: u64,
    /// The signing key's id.
    pub key_id: String,
    /// The signature, base64.
    pub signature: String,
}

/// Where a feed stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatLine {
    /// Every entry up to here has been sent or is outside the feed.
    pub position: u64,
    /// The log's head.
    pub head: u64,
}

/// A line that does not make a feed item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a feed line's {field} is malformed")]
pub struct FeedLineError {
    /// The field.
    pub field: &'static str,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(field: &'static str, text: &str) -> Result<Vec<u8>, FeedLineError> {
    let malformed = FeedLineError { field };
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return Err(malformed);
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).map_err(|_| malformed.clone()))
        .collect()
}

fn unbase64(field: &'static str, text: &str) -> Result<Vec<u8>, FeedLineError> {
    STANDARD.decode(text).map_err(|_| FeedLineError { field })
}

/// The line of an item; an entry's record is decoded into `event` as well (left out if the
/// record does not decode: the bytes are still there for the verifier to refuse).
pub fn line_of(item: &pb::FeedItem) -> Option<FeedLine> {
    Some(match item.item.as_ref()? {
        pb::feed_item::Item::Entry(entry) => {
            let included = !entry.record.is_empty();
            FeedLine::Entry(EntryLine {
                sequence: entry.sequence,
                chain_hash: hex(&entry.chain_hash),
                kinds: entry.kinds,
                record: included.then(|| STANDARD.encode(&entry.record)),
                record_digest: (!entry.record_digest.is_empty()).then(|| hex(&entry.record_digest)),
                event: included
                    .then(|| tanba_log::decode_message(&entry.record).ok())
                    .flatten()
                    .and_then(|message| serde_json::to_value(message).ok()),
            })
        }
        pb::feed_item::Item::Checkpoint(checkpoint) => FeedLine::Checkpoint(CheckpointLine {
            sequence: checkpoint.sequence,
            head_hash: hex(&checkpoint.head_hash),
            time_ms: checkpoint.time_ms,
            key_id: checkpoint.key_id.clone(),
            signature: STANDARD.encode(&checkpoint.signature),
        }),
        pb::feed_item::Item::Heartbeat(heartbeat) => FeedLine::Heartbeat(HeartbeatLine {
            position: heartbeat.position,
            head: heartbeat.head,
        }),
    })
}

/// Appends the items as JSON lines, one per item (the HTTP twin's body, a saved feed).
pub fn write_lines(items: &[pb::FeedItem], out: &mut Vec<u8>) {
    for line in items.iter().filter_map(line_of) {
        serde_json::to_writer(&mut *out, &line).expect("a feed line serializes");
        out.push(b'\n');
    }
}

/// The item a line stands for (its `event`, a reading aid, is not part of it).
pub fn item_of(line: &FeedLine) -> Result<pb::FeedItem, FeedLineError> {
    let item = match line {
        FeedLine::Entry(entry) => pb::feed_item::Item::Entry(pb::FeedEntry {
            sequence: entry.sequence,
            chain_hash: unhex("entry.chain_hash", &entry.chain_hash)?.into(),
            kinds: entry.kinds,
            record: match &entry.record {
                Some(text) => unbase64("entry.record", text)?.into(),
                None => Default::default(),
            },
            record_digest: match &entry.record_digest {
                Some(text) => unhex("entry.record_digest", text)?.into(),
                None => Default::default(),
            },
        }),
        FeedLine::Checkpoint(checkpoint) => pb::feed_item::Item::Checkpoint(pb::FeedCheckpoint {
            sequence: checkpoint.sequence,
            head_hash: unhex("checkpoint.head_hash", &checkpoint.head_hash)?,
            time_ms: checkpoint.time_ms,
            key_id: checkpoint.key_id.clone(),
            signature: unbase64("checkpoint.signature", &checkpoint.signature)?,
        }),
        FeedLine::Heartbeat(heartbeat) => pb::feed_item::Item::Heartbeat(pb::FeedHeartbeat {
            position: heartbeat.position,
            head: heartbeat.head,
        }),
    };
    Ok(pb::FeedItem { item: Some(item) })
}
