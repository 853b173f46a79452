//! What the engine stores, and its one encoding (postcard: compact, and one byte form per value,
//! which byte-identical replay relies on).

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use tanba_crypto::ChainHash;
use tanba_types::{
    CodeKey, CodeStatus, Date, DocumentId, Gtin, IntroductionKind, IssuedTail, OrderId,
    PackageLevel, Serial, TailProfile, TaxpayerId,
};

use crate::error::EngineError;
use crate::statistics::StockTally;

/// Encodes a stored value, into a vector of its exact size: measured first, since growing one
/// from nothing reallocated it four or five times a record.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let size = postcard::experimental::serialized_size(value)
        .expect("postcard measures every engine type");
    let mut bytes = vec![0; size];
    let used = postcard::to_slice(value, &mut bytes)
        .expect("postcard encodes every engine type into its measured size")
        .len();
    debug_assert_eq!(used, size, "a value encodes to its measured size");
    bytes
}

/// Decodes a stored value; a failure is corruption (or a bug), never a caller's error.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, EngineError> {
    postcard::from_bytes(bytes).map_err(|error| {
        EngineError::Corrupt(format!(
            "cannot decode {}: {error}",
            std::any::type_name::<T>()
        ))
    })
}

/// One entry of the event log: its bytes are the log contract's (`tanba_log::encode`), not
/// postcard, so that every decoder outside Tanba reads them.
pub use tanba_log::LogRecord;

/// Where a seller's fiscal receipt was recorded: its log entry and time (a return's period runs
/// from its sale's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptEntry {
    /// The sequence of the `Sold` or `Returned` event.
    pub sequence: u64,
    /// When the writer recorded it, unix milliseconds.
    pub time_ms: u64,
}

/// The log's last entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogHead {
    /// Its sequence (0: the log is empty).
    pub sequence: u64,
    /// Its chain hash (`GENESIS` for the empty log).
    pub hash: ChainHash,
}

impl LogHead {
    /// The value stored under `META_HEAD`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = self.sequence.to_be_bytes().to_vec();
        bytes.extend_from_slice(self.hash.as_bytes());
        bytes
    }

    /// Reads a stored head.
    pub fn from_bytes(bytes: &[u8]) -> Result<LogHead, EngineError> {
        let corrupt = || EngineError::Corrupt("malformed log head".into());
        if bytes.len() != 8 + 32 {
            return Err(corrupt());
        }
        Ok(LogHead {
            sequence: u64::from_be_bytes(bytes[..8].try_into().map_err(|_| corrupt())?),
            hash: ChainHash(bytes[8..].try_into().map_err(|_| corrupt())?),
        })
    }
}

/// A block on a code: which authority, why, since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocker {
    /// The authority.
    pub authority: TaxpayerId,
    /// Why.
    pub reason: String,
    /// Since when, unix milliseconds.
    pub since_ms: u64,
    /// The event that blocked it.
    pub sequence: u64,
}

/// One marked thing: a unit, a group package or a transport package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    /// Unit, group or transport.
    pub level: PackageLevel,
    /// Its status. A transport package follows its content and is never checked against the
    /// transition table itself.
    pub status: CodeStatus,
    /// Who holds it, while it is outside any package. Inside a package the outermost package's
    /// owner holds it (a package and its content have one owner), and this field is the owner
    /// it had when it was packed; it is brought up to date when the code leaves the package.
    pub owner: TaxpayerId,
    /// The emission order and the index in it (units and group packages).
    pub issued: Option<(OrderId, u32)>,
    /// The event that created it.
    pub created_sequence: u64,
    /// Production date, once reported.
    pub production_date: Option<Date>,
    /// Expiry date, if the goods expire.
    pub expiry_date: Option<Date>,
    /// Production batch.
    pub batch: Option<String>,
    /// How it entered circulation.
    pub introduction: Option<IntroductionKind>,
    /// The package it is in.
    pub parent: Option<CodeKey>,
    /// Everything inside it, counted by level (unit, group, transport), at any depth.
    pub contents: [u32; 3],
    /// How many units and group packages inside it, at any depth, are held back: not in
    /// circulation, or blocked. While it is zero, everything inside may be shipped, accepted,
    /// packed or withdrawn, and the engine need not read the content to know it: a 25,000-unit
    /// pallet moves on one record.
    pub held_back: u32,
    /// Everything inside it, at any depth, counted by product and status: what moves with it
    /// between holders' stock ([`crate::statistics`]).
    pub content_stock: StockTally,
    /// The shipment it travels under, until accepted or rejected. Set on the outermost package
    /// only: what is inside travels with it.
    pub in_transit: Option<DocumentId>,
    /// The blocks in force (R-IS-03): several authorities may block at once.
    pub blockers: Vec<Blocker>,
    /// The latest events of its history, oldest first, at most
    /// [`HISTORY_MARKS_IN_RECORD_MAX`]; the earlier ones are in its history chunks
    /// ([`crate::query::history`] reads both).
    pub history: Vec<HistoryMark>,
}

impl CodeRecord {
    /// A new code, outside any package, with nothing inside, unblocked and undated.
    pub fn new(
        level: PackageLevel,
        status: CodeStatus,
        owner: TaxpayerId,
        created_sequence: u64,
    ) -> CodeRecord {
        CodeRecord {
            level,
            status,
            owner,
            issued: None,
            created_sequence,
            production_date: None,
            expiry_date: None,
            batch: None,
            introduction: None,
            parent: None,
            contents: [0; 3],
            held_back: 0,
            content_stock: StockTally::default(),
            in_transit: None,
            blockers: Vec::new(),
            history: Vec::new(),
        }
    }

    /// The state the transition table works on.
    pub fn state(&self) -> tanba_types::CodeState {
        tanba_types::CodeState {
            status: self.status,
            blocked: !self.blockers.is_empty(),
        }
    }

    /// Whether this code, by itself, holds its package back: a unit or group package that is not
    /// in circulation or is blocked; a transport package (a container, whose own status only
    /// follows its content) that is blocked or withdrawn.
    pub fn is_held_back(&self) -> bool {
        let blocked = !self.blockers.is_empty();
        match self.level {
            PackageLevel::Transport => blocked || matches!(self.status, CodeStatus::Withdrawn(_)),
            _ => blocked || self.status != CodeStatus::Introduced,
        }
    }

    /// Whether `authority` has a block in force on this code.
    pub fn is_blocked_by(&self, authority: &TaxpayerId) -> bool {
        self.blockers
            .iter()
            .any(|blocker| blocker.authority == *authority)
    }

    /// How many codes are inside, at any depth.
    pub fn contents_total(&self) -> u64 {
        self.contents.iter().map(|count| u64::from(*count)).sum()
    }

    /// The entry that created a stored record (its `created_sequence`), read from the record's
    /// bytes without the rest: a bulk reader routes millions of records by it.
    pub fn created_sequence_of(bytes: &[u8]) -> Result<u64, EngineError> {
        /// [`CodeRecord`]'s fields up to `created_sequence`, in its order: postcard writes the
        /// fields one after another, so a leading run of them decodes alone (the test below
        /// holds the two types together). The owner is passed over as the bytes it is stored
        /// as (a [`TaxpayerId`]'s compact form), unchecked: it is not read.
        #[derive(Deserialize)]
        struct Head<'a> {
            _level: PackageLevel,
            _status: CodeStatus,
            #[serde(borrow)]
            _owner: &'a [u8],
            _issued: Option<(OrderId, u32)>,
            created_sequence: u64,
        }
        let (head, _) = postcard::take_from_bytes::<Head>(bytes).map_err(|error| {
            EngineError::Corrupt(format!("cannot decode a code record: {error}"))
        })?;
        Ok(head.created_sequence)
    }
}

/// Index of a level in [`CodeRecord::contents`].
pub fn level_index(level: PackageLevel) -> usize {
    match level {
        PackageLevel::Unit => 0,
        PackageLevel::Group => 1,
        PackageLevel::Transport => 2,
    }
}

/// An emission order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    /// Who ordered.
    pub orderer: TaxpayerId,
    /// The product.
    pub gtin: Gtin,
    /// How many codes were asked for.
    pub quantity: u32,
    /// How many are issued so far.
    pub issued: u32,
    /// The codes' tail.
    pub tail_profile: TailProfile,
    /// When it was placed, unix milliseconds.
    pub placed_ms: u64,
}

impl OrderRecord {
    /// Whether every code is issued.
    pub fn is_complete(&self) -> bool {
        self.issued == self.quantity
    }
}

/// What a participant has ordered and not yet been issued: bounded, so no one can queue the
/// issuer up without end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderBacklog {
    /// Orders not complete.
    pub orders: u32,
    /// Codes ordered and not yet issued.
    pub codes: u64,
}

/// One code of an order, as kept for printing: the serial and its tail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCode {
    /// AI 21.
    pub serial: Serial,
    /// The tail.
    pub tail: IssuedTail,
}

/// Where a shipment stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Sent, awaiting the buyer.
    Pending,
    /// The buyer took `accepted`; `returned` went back to the seller.
    Accepted {
        /// What the buyer took.
        accepted: Vec<CodeKey>,
        /// What went back.
        returned: Vec<CodeKey>,
        /// The buyer's signature.
        signature: Vec<u8>,
        /// When, unix milliseconds.
        time_ms: u64,
    },
    /// The seller called it back before the buyer answered.
    Cancelled {
        /// The seller's signature.
        signature: Vec<u8>,
        /// When, unix milliseconds.
        time_ms: u64,
    },
    /// The buyer refused it.
    Rejected {
        /// The buyer's signature.
        signature: Vec<u8>,
        /// When, unix milliseconds.
        time_ms: u64,
    },
}

/// An accompanying document (R-IS-10): a shipment and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRecord {
    /// The seller.
    pub seller: TaxpayerId,
    /// The buyer.
    pub buyer: TaxpayerId,
    /// Codes and packages shipped.
    pub items: Vec<CodeKey>,
    /// The seller's signature.
    pub seller_signature: Vec<u8>,
    /// When it was sent, unix milliseconds.
    pub created_ms: u64,
    /// Where it stands.
    pub status: DocumentStatus,
}

/// What an event was to a code, besides its sequence: enough to work out which packages the
/// code was in, and when, without reading the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HistoryEntry {
    /// An event about the code itself.
    Own,
    /// The code went into this package (leaving any it was in).
    Entered(CodeKey),
    /// The code was taken out of its package.
    Left,
    /// Other codes were put into this package: part of the package's own history, not of the
    /// history of what was already inside it.
    ContentAdded,
}

/// One event in a code's history: its sequence, and what it was to the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryMark {
    /// The event.
    pub sequence: u64,
    /// What it was to the code.
    pub entry: HistoryEntry,
}

/// Most marks a code record holds: its latest. Most events that touch a code rewrite the code's
/// record anyway, so their mark costs no key of its own (a sale writes one key fewer);
/// when the record is full, its marks move to one index key (`keys::history_chunk`) and it
/// starts again, so a code touched a million times still has a small record.
pub const HISTORY_MARKS_IN_RECORD_MAX: usize = 8;

/// A case of a legal procedure, as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// What its opening fixed.
    pub opening: tanba_types::CaseOpening,
    /// When it was opened, unix milliseconds.
    pub opened_ms: u64,
    /// Its state.
    pub state: String,
    /// Whether that state closes it.
    pub closed: bool,
    /// Every field submitted so far, the latest value of each.
    pub data: tanba_types::Form,
    /// Its clocks by name, each with its next rung.
    pub clocks: std::collections::BTreeMap<String, ClockEntry>,
    /// The files named so far, in order.
    pub attachments: Vec<tanba_types::AttachmentRef>,
    /// Who took which transition, in order (the tick's state changes included).
    pub taken: Vec<(String, TaxpayerId)>,
    /// When it last changed, unix milliseconds.
    pub updated_ms: u64,
    /// The earliest next rung of its clocks: its key in the due-time index.
    pub next_rung_ms: Option<u64>,
    /// The document numbers it gave, in order.
    pub numbers: Vec<tanba_types::DocumentNumber>,
}

impl CaseRecord {
    /// The clocks' values, by name.
    pub fn clock_values(&self) -> std::collections::BTreeMap<String, tanba_types::LegalClock> {
        self.clocks
            .iter()
            .map(|(name, entry)| (name.clone(), entry.value.clone()))
            .collect()
    }
}

/// A case's clock with when its next warning rung fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockEntry {
    /// The clock.
    pub value: tanba_types::LegalClock,
    /// Its next rung, if any.
    pub next_rung_ms: Option<u64>,
}

/// A notice in its addressee's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRecord {
    /// The notice.
    pub notice: tanba_types::Notice,
    /// When it was made available (legal terms run from here), unix milliseconds.
    pub made_available_ms: u64,
    /// When its addressee read it.
    pub read_ms: Option<u64>,
}

/// A case's block over a goods scope: the till check and receipts consult it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeBlock {
    /// The case.
    pub case: tanba_types::CaseId,
    /// Its party (who recalls).
    pub party: TaxpayerId,
    /// The goods.
    pub scope: tanba_types::GoodsScope,
    /// Since when, unix milliseconds.
    pub since_ms: u64,
}

/// A permit's export authorization as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRecord {
    /// The permit's case.
    pub case: tanba_types::CaseId,
    /// Who may use it: the case's party.
    pub holder: TaxpayerId,
    /// What it authorizes.
    pub authorization: tanba_types::ExportAuthorization,
    /// Units withdrawn under it so far.
    pub used: u64,
    /// Whether it ended (revoked, expired).
    pub ended: bool,
}

#[cfg(test)]
mod tests {
    use tanba_types::{Gtin, Serial, WithdrawalReason};

    use super::*;

    /// Every field set, the variable-length ones long, so that a field moved before
    /// `created_sequence` changes the bytes this reads.
    #[test]
    fn a_records_creating_entry_reads_from_its_bytes_alone() {
        let owner: TaxpayerId = "960440000012".parse().unwrap();
        let gtin: Gtin = "04600000000015".parse().unwrap();
        for (status, sequence) in [
            (CodeStatus::Emitted, 0),
            (
                CodeStatus::Withdrawn(WithdrawalReason::RetailSale),
                u64::MAX,
            ),
            (CodeStatus::Introduced, 1 << 40),
        ] {
            let mut record = CodeRecord::new(PackageLevel::Group, status, owner, sequence);
            record.issued = Some((u64::MAX, u32::MAX));
            record.batch = Some("batch-7".repeat(40));
            record.parent = Some(CodeKey::item(gtin, Serial::parse("abc").unwrap()));
            record.blockers.push(Blocker {
                authority: owner,
                reason: "why".into(),
                since_ms: 1,
                sequence: 2,
            });
            let bytes = encode(&record);
            assert_eq!(CodeRecord::created_sequence_of(&bytes).unwrap(), sequence);
            assert!(
                CodeRecord::created_sequence_of(&bytes[..3]).is_err(),
                "cut short"
            );
        }
    }
}
