//! The log record contract (`proto/tanba/log/v1/record.proto`): the bytes of one entry of the
//! event log, as the engine stores and chains them and as every feed sends them. A ministry's
//! decoder reads them with any protobuf library; this crate is Tanba's own reader and writer.
//!
//! - [`encode`] / [`decode`]: a [`LogRecord`] to its bytes and back (one byte form per value:
//!   prost writes fields in number order and leaves defaults out).
//! - [`kinds`]: which feeds an entry belongs to, and the 36-byte leaf the chain hashes, so a feed
//!   that leaves an entry out can still prove the chain whole.
//! - [`pb`]: the generated messages, with their proto3 JSON mapping (pbjson) for the feeds'
//!   newline-delimited JSON twin.
//!
//! Architecture invariant: uses `tanba-types` only; knows nothing of storage, state or the wire
//! services. Must never know: clocks, keys.

mod from_wire;
pub mod kinds;
mod to_wire;

use prost::Message;
use serde::{Deserialize, Serialize};
use tanba_types::{Actor, Event};

pub use kinds::{FeedKind, FeedKinds, FeedName, LEAF_LENGTH, Leaf, kinds_of, leaf, leaf_of_digest};

/// The generated messages of `tanba.log.v1`, with their proto3 JSON mapping.
#[allow(
    missing_docs,
    unused_qualifications,
    clippy::large_enum_variant,
    clippy::doc_lazy_continuation
)]
pub mod pb {
    include!(concat!(env!("OUT_DIR"), "/tanba.log.v1.rs"));
    include!(concat!(env!("OUT_DIR"), "/tanba.log.v1.serde.rs"));
}

/// The contract's format this crate writes and reads (`Record.format`).
pub const RECORD_FORMAT: u32 = 1;

/// One entry of the event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRecord {
    /// Position in the log, from 1.
    pub sequence: u64,
    /// When the writer accepted the command, unix milliseconds.
    pub time_ms: u64,
    /// Who submitted it.
    pub actor: Actor,
    /// What happened.
    pub event: Event,
}

/// A record that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    /// The bytes are not a protobuf `Record`.
    #[error("the record is not a protobuf tanba.log.v1.Record: {0}")]
    Protobuf(String),
    /// A format this reader does not know.
    #[error("the record's format {0} is not known to this reader (it reads format 1)")]
    Format(u32),
    /// A field is missing or its value is out of its domain.
    #[error("the record's {field} is missing or malformed")]
    Malformed {
        /// The field, as `message.field`.
        field: &'static str,
    },
    /// An event this reader does not know (a newer writer's).
    #[error("the record's event `{0}` is not known to this reader")]
    UnknownEvent(String),
}

impl LogError {
    /// The stable, never-reused code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            LogError::Protobuf(_) => "TANBA-LOG-PROTOBUF",
            LogError::Format(_) => "TANBA-LOG-FORMAT",
            LogError::Malformed { .. } => "TANBA-LOG-MALFORMED",
            LogError::UnknownEvent(_) => "TANBA-LOG-UNKNOWN-EVENT",
        }
    }
}

/// The record's bytes: the protobuf encoding of `tanba.log.v1.Record`.
pub fn encode(record: &LogRecord) -> Vec<u8> {
    to_wire::record(record).encode_to_vec()
}

/// Reads a record's bytes.
pub fn decode(bytes: &[u8]) -> Result<LogRecord, LogError> {
    from_wire::record(decode_message(bytes)?)
}

/// When a record was accepted (`time_ms`), read without decoding its event: a search of the log
/// by time reads many records for this alone. Refuses a format this reader does not know.
pub fn decode_time(bytes: &[u8]) -> Result<u64, LogError> {
    /// The fields of `tanba.log.v1.Record` a search by time needs; a protobuf decoder skips
    /// the others unread (the event is one length-delimited field).
    #[derive(Clone, PartialEq, prost::Message)]
    struct RecordTime {
        #[prost(uint32, tag = "1")]
        format: u32,
        #[prost(uint64, tag = "3")]
        time_ms: u64,
    }
    let head = RecordTime::decode(bytes).map_err(|error| LogError::Protobuf(error.to_string()))?;
    if head.format != RECORD_FORMAT {
        return Err(LogError::Format(head.format));
    }
    Ok(head.time_ms)
}

/// How many codes a record creates (an issue's codes, or the one transport package created),
/// counted without decoding them: a bulk reader choosing how to read the codes of a stretch of
/// the log counts millions. Refuses a format this reader does not know.
pub fn decode_created_codes(bytes: &[u8]) -> Result<u64, LogError> {
    /// A message read for its presence alone: a protobuf decoder skips its fields unread (and
    /// a list of them, having no size, holds no memory).
    #[derive(Clone, Copy, PartialEq, prost::Message)]
    struct Unread {}
    /// `tanba.log.v1.CodesIssued`, its codes unread.
    #[derive(Clone, PartialEq, prost::Message)]
    struct IssuedCount {
        #[prost(message, repeated, tag = "3")]
        codes: Vec<Unread>,
    }
    /// The fields of `tanba.log.v1.Record` that create codes (two members of its `event`).
    #[derive(Clone, PartialEq, prost::Message)]
    struct RecordCreating {
        #[prost(uint32, tag = "1")]
        format: u32,
        #[prost(message, optional, tag = "16")]
        codes_issued: Option<IssuedCount>,
        #[prost(message, optional, tag = "19")]
        transport_package_created: Option<Unread>,
    }
    let record =
        RecordCreating::decode(bytes).map_err(|error| LogError::Protobuf(error.to_string()))?;
    if record.format != RECORD_FORMAT {
        return Err(LogError::Format(record.format));
    }
    let issued = record
        .codes_issued
        .map_or(0, |issued| issued.codes.len() as u64);
    Ok(issued + u64::from(record.transport_package_created.is_some()))
}

/// Reads a record's bytes into the generated message, as any protobuf decoder would (what the
/// JSON twin of a feed shows), refusing a format this reader does not know.
pub fn decode_message(bytes: &[u8]) -> Result<pb::Record, LogError> {
    let message =
        pb::Record::decode(bytes).map_err(|error| LogError::Protobuf(error.to_string()))?;
    if message.format != RECORD_FORMAT {
        return Err(LogError::Format(message.format));
    }
    Ok(message)
}
