//! The reads phones, tills and participants make. Each is a bounded number of point reads and
//! prefix scans of the indexes, on one consistent snapshot; none scans the log or all codes.
//! Codes, orders and documents are answered as views ([`CodeCard`], [`OrderView`],
//! [`DocumentView`]) rather than the stored records, so the store's layout can change without
//! changing a door; cases and notices are still answered as their records.

use std::ops::ControlFlow;

use tanba_store::{Column, Snapshot};
use tanba_types::limits::{PACKAGE_CONTENT_MAX, PAGE_ENTRIES_MAX};
use tanba_types::{
    CaseId, Category, CodeKey, CodeStatus, Date, DocumentId, FiscalAgency, Gtin, HolderCounts,
    IntroductionKind, IssuedTail, NoticeId, OrderId, PACKAGE_DEPTH_MAX, PackageLevel, Participant,
    Product, TailProfile, TaxpayerId,
};

use crate::error::EngineError;
use crate::keys;
use crate::records::{
    Blocker, CaseRecord, CodeRecord, DocumentRecord, DocumentStatus, HistoryEntry, HistoryMark,
    LogRecord, NoticeRecord, OrderCode, OrderRecord, ScopeBlock, decode, level_index,
};
pub use crate::sweep::AtRecall;

fn record<T: serde::de::DeserializeOwned>(
    snapshot: &dyn Snapshot,
    column: Column,
    key: &[u8],
) -> Result<Option<T>, EngineError> {
    snapshot
        .get(column, key)?
        .map(|bytes| decode(&bytes))
        .transpose()
}

/// Everything known about one code, as a till or a phone needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeCard {
    /// The code.
    pub code: CodeKey,
    /// Unit, group or transport package.
    pub level: PackageLevel,
    /// Its status.
    pub status: CodeStatus,
    /// The blocks in force: who, why, since when.
    pub blockers: Vec<Blocker>,
    /// Who holds it.
    pub owner: TaxpayerId,
    /// The product card (units and group packages).
    pub product: Option<Product>,
    /// Production date.
    pub production_date: Option<Date>,
    /// Expiry date.
    pub expiry_date: Option<Date>,
    /// Production batch.
    pub batch: Option<String>,
    /// How it entered circulation.
    pub introduction: Option<IntroductionKind>,
    /// The packages it is in, innermost first.
    pub parents: Vec<CodeKey>,
    /// Everything inside it by level (unit, group, transport), at any depth.
    pub contents: [u32; 3],
    /// The shipment it travels under.
    pub in_transit: Option<DocumentId>,
    /// The emission order it came from and its index there.
    pub issued: Option<(OrderId, u32)>,
}

impl CodeCard {
    /// Whether any block is in force.
    pub fn is_blocked(&self) -> bool {
        !self.blockers.is_empty()
    }
}

/// An emission order as its readers see it: what was ordered, by whom, and how far it is
/// issued (the stored record's layout is the engine's own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderView {
    /// The order's id.
    pub id: OrderId,
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

impl OrderView {
    fn of(id: OrderId, stored: OrderRecord) -> OrderView {
        OrderView {
            id,
            orderer: stored.orderer,
            gtin: stored.gtin,
            quantity: stored.quantity,
            issued: stored.issued,
            tail_profile: stored.tail_profile,
            placed_ms: stored.placed_ms,
        }
    }

    /// Whether every code is issued.
    pub fn is_complete(&self) -> bool {
        self.issued == self.quantity
    }
}

/// Where an accompanying document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentState {
    /// Sent, awaiting the buyer.
    Pending,
    /// The buyer took all or part of it.
    Accepted,
    /// The buyer refused it.
    Rejected,
    /// The seller called it back before the buyer answered.
    Cancelled,
}

/// An accompanying document (a shipment) as its readers see it: the parties, what was shipped,
/// and its outcome, without the signatures the log keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentView {
    /// The document's id.
    pub id: DocumentId,
    /// The seller.
    pub seller: TaxpayerId,
    /// The buyer.
    pub buyer: TaxpayerId,
    /// Codes and packages shipped.
    pub items: Vec<CodeKey>,
    /// Where it stands.
    pub state: DocumentState,
    /// What the buyer took (an accepted document).
    pub accepted: Vec<CodeKey>,
    /// What went back to the seller (an accepted document).
    pub returned: Vec<CodeKey>,
    /// When it was sent, unix milliseconds.
    pub created_ms: u64,
    /// When it was accepted, rejected or cancelled, unix milliseconds.
    pub answered_ms: Option<u64>,
}

impl DocumentView {
    fn of(id: DocumentId, stored: DocumentRecord) -> DocumentView {
        let (state, accepted, returned, answered_ms) = match stored.status {
            DocumentStatus::Pending => (DocumentState::Pending, Vec::new(), Vec::new(), None),
            DocumentStatus::Accepted {
                accepted,
                returned,
                time_ms,
                ..
            } => (DocumentState::Accepted, accepted, returned, Some(time_ms)),
            DocumentStatus::Rejected { time_ms, .. } => (
                DocumentState::Rejected,
                Vec::new(),
                Vec::new(),
                Some(time_ms),
            ),
            DocumentStatus::Cancelled { time_ms, .. } => (
                DocumentState::Cancelled,
                Vec::new(),
                Vec::new(),
                Some(time_ms),
            ),
        };
        DocumentView {
            id,
            seller: stored.seller,
            buyer: stored.buyer,
            items: stored.items,
            state,
            accepted,
            returned,
            created_ms: stored.created_ms,
            answered_ms,
        }
    }
}

/// A code's record as stored.
pub fn code_record(
    snapshot: &dyn Snapshot,
    code: &CodeKey,
) -> Result<Option<CodeRecord>, EngineError> {
    record(snapshot, Column::Codes, &keys::code(code))
}

/// Visits the stored records of several codes (`None`: not stored), read in one batch, each
/// decoded where the store holds it (an export reads an issue's codes so, not one seek each). The codes come in ascending key order, the order RocksDB reads fastest, not the order
/// asked. Stops at the first error of `visit`.
pub fn each_code_record<E: From<EngineError>>(
    snapshot: &dyn Snapshot,
    codes: &[CodeKey],
    mut visit: impl FnMut(&CodeKey, Option<CodeRecord>) -> Result<(), E>,
) -> Result<(), E> {
    let mut keyed: Vec<(Vec<u8>, &CodeKey)> =
        codes.iter().map(|code| (keys::code(code), code)).collect();
    keyed.sort_unstable_by(|(left, _), (right, _)| left.cmp(right));
    let keys: Vec<&[u8]> = keyed.iter().map(|(key, _)| key.as_slice()).collect();
    let mut failed = None;
    let read = snapshot.multi_get_each(Column::Codes, &keys, &mut |index, value| {
        let record = value.map(decode).transpose().map_err(E::from);
        match record.and_then(|record| visit(keyed[index].1, record)) {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                failed = Some(error);
                ControlFlow::Break(())
            }
        }
    });
    read.map_err(|error| E::from(error.into()))?;
    failed.map_or(Ok(()), Err)
}

/// A code's card: one read for the code, one for its product, one per enclosing package.
pub fn code_card(snapshot: &dyn Snapshot, code: &CodeKey) -> Result<Option<CodeCard>, EngineError> {
    let Some(code_record) = code_record(snapshot, code)? else {
        return Ok(None);
    };
    let product = match code.gtin() {
        Some(gtin) => product(snapshot, &gtin)?,
        None => None,
    };
    let mut parents = Vec::new();
    let mut next = code_record.parent;
    // Ownership and transit are the outermost package's.
    let (mut owner, mut in_transit) = (code_record.owner, code_record.in_transit);
    while let Some(parent) = next {
        if parents.len() == PACKAGE_DEPTH_MAX {
            return Err(EngineError::Corrupt(format!(
                "packages around {code} nest too deep"
            )));
        }
        parents.push(parent);
        let parent_record = code_record_required(snapshot, &parent)?;
        (owner, in_transit) = (parent_record.owner, parent_record.in_transit);
        next = parent_record.parent;
    }
    Ok(Some(CodeCard {
        code: *code,
        level: code_record.level,
        status: code_record.status,
        blockers: code_record.blockers,
        owner,
        product,
        production_date: code_record.production_date,
        expiry_date: code_record.expiry_date,
        batch: code_record.batch,
        introduction: code_record.introduction,
        parents,
        contents: code_record.contents,
        in_transit,
        issued: code_record.issued,
    }))
}

fn code_record_required(
    snapshot: &dyn Snapshot,
    code: &CodeKey,
) -> Result<CodeRecord, EngineError> {
    code_record(snapshot, code)?
        .ok_or_else(|| EngineError::Corrupt(format!("package {code} is referenced but missing")))
}

/// The tail issued with a code (for the server's short-tag check and for printing). Never part
/// of a public card: a tail shown to anyone would let them copy the code.
pub fn issued_tail(
    snapshot: &dyn Snapshot,
    code: &CodeKey,
) -> Result<Option<IssuedTail>, EngineError> {
    let Some((order, index)) = code_record(snapshot, code)?.and_then(|r| r.issued) else {
        return Ok(None);
    };
    order_code_tail(snapshot, order, index)
}

/// The tail issued as code `index` of `order` (a card's `issued` says which): for a caller
/// that holds the card already and need not read the code's record again.
pub fn order_code_tail(
    snapshot: &dyn Snapshot,
    order: OrderId,
    index: u32,
) -> Result<Option<IssuedTail>, EngineError> {
    let printed: Option<OrderCode> =
        record(snapshot, Column::Index, &keys::order_code(order, index))?;
    Ok(printed.map(|printed| printed.tail))
}

/// Everything inside a package, at any depth, parents before their children, each with its
/// depth below `package` (1 for direct children). At most [`PACKAGE_CONTENT_MAX`] codes.
pub fn package_content(
    snapshot: &dyn Snapshot,
    package: &CodeKey,
) -> Result<Vec<(CodeKey, usize)>, EngineError> {
    let root = code_record(snapshot, package)?.ok_or(EngineError::UnknownCode(*package))?;
    let mut out = Vec::new();
    if root.contents_total() == 0 {
        return Ok(out);
    }
    let mut frontier = vec![*package];
    let mut depth = 0;
    while !frontier.is_empty() {
        depth += 1;
        if depth > PACKAGE_DEPTH_MAX {
            return Err(EngineError::Corrupt(format!(
                "packages in {package} nest too deep"
            )));
        }
        let mut next = Vec::new();
        for parent in frontier {
            let prefix = keys::code(&parent);
            let left = PACKAGE_CONTENT_MAX - out.len();
            let children = snapshot.scan_prefix(Column::Children, &prefix, left.max(1))?;
            for (key, value) in children {
                let (child, _) = keys::read_code(&key[prefix.len()..])?;
                if out.len() == PACKAGE_CONTENT_MAX {
                    return Err(EngineError::LimitExceeded {
                        what: "package content",
                        max: PACKAGE_CONTENT_MAX,
                    });
                }
                out.push((child, depth));
                // The index keeps each child's level: units hold nothing, so need no scan.
                if value.first() != Some(&(level_index(PackageLevel::Unit) as u8)) {
                    next.push(child);
                }
            }
        }
        frontier = next;
    }
    Ok(out)
}

/// Counts a package's content by reading it: what the record's `contents` and `held_back` must
/// say. The engine keeps those counts up to date on every event so that it need not do this;
/// tests and `tanba` audits call it to prove it.
pub fn recount(snapshot: &dyn Snapshot, package: &CodeKey) -> Result<([u32; 3], u32), EngineError> {
    let mut contents = [0u32; 3];
    let mut held_back = 0;
    for (code, _) in package_content(snapshot, package)? {
        let record = code_record_required(snapshot, &code)?;
        contents[level_index(record.level)] += 1;
        held_back += u32::from(record.is_held_back());
    }
    Ok((contents, held_back))
}

/// Most history marks one history query reads (its own and its packages'), before it answers
/// [`EngineError::LimitExceeded`].
pub const HISTORY_MARKS_READ_MAX: usize = 1_000_000;

/// A code's history: the events that touched it, oldest first, at most `limit`, after sequence
/// `after` (0 for the beginning; page with the last sequence returned). The events on the
/// packages it was in, while it was in them (shipped, accepted, introduced, blocked as part of a
/// pallet), are part of its history: they are marked on the package only, and found here from
/// the marks alone ([`HistoryMark`]: in the record, then in chunks), which say when the code
/// entered and left each package; only the events returned are read from the log.
pub fn history(
    snapshot: &dyn Snapshot,
    code: &CodeKey,
    after: u64,
    limit: usize,
) -> Result<Vec<LogRecord>, EngineError> {
    let mut found = std::collections::BTreeSet::new();
    let mut budget = HISTORY_MARKS_READ_MAX;
    collect_history(
        snapshot,
        code,
        (after, u64::MAX),
        0,
        &mut budget,
        &mut found,
    )?;
    found
        .into_iter()
        .take(limit.min(PAGE_ENTRIES_MAX))
        .map(|sequence| {
            log_record(snapshot, sequence)?.ok_or_else(|| {
                EngineError::Corrupt(format!("history of {code} names missing event {sequence}"))
            })
        })
        .collect()
}

/// Adds to `found` the sequences of the events of `code` within the open `window`, and those of
/// the packages it was in while it was in them. At `depth` > 0, `code` is such a package, and
/// putting other codes into it is not part of the history asked for.
fn collect_history(
    snapshot: &dyn Snapshot,
    code: &CodeKey,
    window: (u64, u64),
    depth: usize,
    budget: &mut usize,
    found: &mut std::collections::BTreeSet<u64>,
) -> Result<(), EngineError> {
    if depth > PACKAGE_DEPTH_MAX {
        return Err(EngineError::Corrupt(format!(
            "packages around {code} nest too deep"
        )));
    }
    let code_record = code_record(snapshot, code)?.ok_or(EngineError::UnknownCode(*code))?;
    let in_window = |sequence: u64| window.0 < sequence && sequence < window.1;
    if depth == 0 && in_window(code_record.created_sequence) {
        found.insert(code_record.created_sequence);
    }
    // Every mark is read, from the first: where the code was when the window opens depends on
    // what came before it. Marks are a few bytes each; the log is not touched.
    let mut inside: Option<(CodeKey, u64)> = None;
    let mut stays = Vec::new();
    let mut visit = |marks: &[HistoryMark]| -> Result<(), EngineError> {
        for &HistoryMark { sequence, entry } in marks {
            *budget = budget.checked_sub(1).ok_or(EngineError::LimitExceeded {
                what: "history marks read for one code",
                max: HISTORY_MARKS_READ_MAX,
            })?;
            if let HistoryEntry::Entered(_) | HistoryEntry::Left = entry
                && let Some((package, since)) = inside.take()
            {
                stays.push((package, since, sequence));
            }
            if let HistoryEntry::Entered(package) = entry {
                inside = Some((package, sequence));
            }
            let about_others = depth > 0 && entry == HistoryEntry::ContentAdded;
            if in_window(sequence) && !about_others {
                found.insert(sequence);
            }
        }
        Ok(())
    };
    visit_history_chunks(snapshot, code, &mut visit)?;
    visit(&code_record.history)?;
    if let Some((package, since)) = inside {
        stays.push((package, since, u64::MAX));
    }
    for (package, since, until) in stays {
        let overlap = (window.0.max(since), window.1.min(until));
        if overlap.0 < overlap.1 {
            collect_history(snapshot, &package, overlap, depth + 1, budget, found)?;
        }
    }
    Ok(())
}

/// Visits the chunks of a code's history that no longer fit in its record, oldest first.
fn visit_history_chunks(
    snapshot: &dyn Snapshot,
    code: &CodeKey,
    visit: &mut impl FnMut(&[HistoryMark]) -> Result<(), EngineError>,
) -> Result<(), EngineError> {
    let prefix = keys::history_prefix(code);
    let mut start = prefix.clone();
    loop {
        let page = snapshot.scan_from(Column::Index, &prefix, &start, PAGE_ENTRIES_MAX)?;
        for (_, value) in &page {
            visit(&decode::<Vec<HistoryMark>>(value)?)?;
        }
        match page.last() {
            Some((last, _)) if page.len() == PAGE_ENTRIES_MAX => {
                start = last.clone();
                start.push(0);
            }
            _ => return Ok(()),
        }
    }
}

/// Every version of a participant's card, oldest first: the events that registered and changed
/// it (R-IS-20).
pub fn participant_versions(
    snapshot: &dyn Snapshot,
    id: &TaxpayerId,
) -> Result<Vec<LogRecord>, EngineError> {
    reference_versions(snapshot, Column::Participants, &keys::participant(id))
}

/// Every version of a product card, oldest first.
pub fn product_versions(
    snapshot: &dyn Snapshot,
    gtin: &Gtin,
) -> Result<Vec<LogRecord>, EngineError> {
    reference_versions(snapshot, Column::Products, &keys::product(gtin))
}

fn reference_versions(
    snapshot: &dyn Snapshot,
    column: Column,
    key: &[u8],
) -> Result<Vec<LogRecord>, EngineError> {
    let prefix = keys::reference_history_prefix(column, key);
    snapshot
        .scan_prefix(Column::Index, &prefix, PAGE_ENTRIES_MAX)?
        .iter()
        .map(|(key, _)| {
            let sequence = keys::trailing_u64(key)?;
            log_record(snapshot, sequence)?.ok_or_else(|| {
                EngineError::Corrupt(format!("a card names missing event {sequence}"))
            })
        })
        .collect()
}

/// One log record.
pub fn log_record(
    snapshot: &dyn Snapshot,
    sequence: u64,
) -> Result<Option<LogRecord>, EngineError> {
    let Some(value) = snapshot.get(Column::Log, &keys::sequence(sequence))? else {
        return Ok(None);
    };
    crate::log::stored_entry(&value)?.decode().map(Some)
}

/// Log entry `sequence`'s chain hash, read without decoding its event.
pub fn log_hash(
    snapshot: &dyn Snapshot,
    sequence: u64,
) -> Result<Option<tanba_crypto::chain::ChainHash>, EngineError> {
    let Some(value) = snapshot.get(Column::Log, &keys::sequence(sequence))? else {
        return Ok(None);
    };
    Ok(Some(crate::log::stored_entry(&value)?.hash))
}

/// When log entry `sequence` was accepted, read without decoding its event.
pub fn log_time(snapshot: &dyn Snapshot, sequence: u64) -> Result<Option<u64>, EngineError> {
    let Some(value) = snapshot.get(Column::Log, &keys::sequence(sequence))? else {
        return Ok(None);
    };
    let entry = crate::log::stored_entry(&value)?;
    tanba_log::decode_time(entry.record)
        .map(Some)
        .map_err(|error| EngineError::Corrupt(format!("a log record does not decode: {error}")))
}

/// The first log entry accepted at `time_ms` or later, or `through + 1` if none up to `through`
/// was: the log's times never go back, so a binary search over sequences finds it.
pub fn first_entry_at_or_after(
    snapshot: &dyn Snapshot,
    through: u64,
    time_ms: u64,
) -> Result<u64, EngineError> {
    let (mut low, mut high) = (1, through + 1);
    while low < high {
        let middle = low + (high - low) / 2;
        let time = log_time(snapshot, middle)?
            .ok_or_else(|| EngineError::Corrupt(format!("the log has no entry {middle}")))?;
        if time < time_ms {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    Ok(low)
}

/// A participant's documents (as seller or buyer), oldest first, after id `after`.
pub fn documents(
    snapshot: &dyn Snapshot,
    participant: &TaxpayerId,
    after: DocumentId,
    limit: usize,
) -> Result<Vec<DocumentView>, EngineError> {
    participant_index(snapshot, keys::INDEX_DOCUMENTS, participant, after, limit)?
        .into_iter()
        .map(|id| {
            document(snapshot, id)?.ok_or_else(|| {
                EngineError::Corrupt(format!("document {id} is indexed but missing"))
            })
        })
        .collect()
}

/// A participant's emission orders, oldest first, after id `after`.
pub fn orders(
    snapshot: &dyn Snapshot,
    participant: &TaxpayerId,
    after: OrderId,
    limit: usize,
) -> Result<Vec<OrderView>, EngineError> {
    participant_index(snapshot, keys::INDEX_ORDERS, participant, after, limit)?
        .into_iter()
        .map(|id| {
            order(snapshot, id)?
                .ok_or_else(|| EngineError::Corrupt(format!("order {id} is indexed but missing")))
        })
        .collect()
}

/// A fiscal receipt as a seller's list shows it: a sale or a return, from its log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptView {
    /// The log sequence that recorded it.
    pub sequence: u64,
    /// When it was recorded, unix milliseconds.
    pub recorded_ms: u64,
    /// The receipt's id.
    pub receipt_id: String,
    /// For a return, the sales receipt it returns goods of.
    pub sale_receipt_id: Option<String>,
    /// Codes sold or returned.
    pub codes: usize,
    /// Lines refused (a sale's).
    pub refused: usize,
    /// The sum of the lines sold, in tiyn (a sale's).
    pub total_tiyn: u64,
}

/// A seller's fiscal receipts, sales and returns, oldest first, after the log sequence `after`.
pub fn seller_receipts(
    snapshot: &dyn Snapshot,
    seller: &TaxpayerId,
    after: u64,
    limit: usize,
) -> Result<Vec<ReceiptView>, EngineError> {
    participant_index(snapshot, keys::INDEX_SELLER_RECEIPTS, seller, after, limit)?
        .into_iter()
        .map(|sequence| {
            let record = log_record(snapshot, sequence)?
                .ok_or_else(|| EngineError::Corrupt(format!("receipt {sequence} is not logged")))?;
            receipt_view(&record)
                .ok_or_else(|| EngineError::Corrupt(format!("entry {sequence} is no receipt")))
        })
        .collect()
}

fn receipt_view(record: &LogRecord) -> Option<ReceiptView> {
    let view = |receipt_id: &String, sale_receipt_id: Option<&String>| ReceiptView {
        sequence: record.sequence,
        recorded_ms: record.time_ms,
        receipt_id: receipt_id.clone(),
        sale_receipt_id: sale_receipt_id.cloned(),
        codes: 0,
        refused: 0,
        total_tiyn: 0,
    };
    match &record.event {
        tanba_types::Event::Sold {
            receipt_id,
            lines,
            sold,
            refused,
            ..
        } => {
            let refused_lines: Vec<usize> =
                (refused.iter()).map(|line| line.line as usize).collect();
            let total_tiyn = (lines.iter().enumerate())
                .filter(|(index, _)| !refused_lines.contains(index))
                .map(|(_, line)| line.price_tiyn)
                .sum();
            Some(ReceiptView {
                codes: sold.len(),
                refused: refused.len(),
                total_tiyn,
                ..view(receipt_id, None)
            })
        }
        tanba_types::Event::Returned {
            codes,
            receipt_id,
            sale_receipt_id,
        } => Some(ReceiptView {
            codes: codes.len(),
            ..view(receipt_id, Some(sale_receipt_id))
        }),
        _ => None,
    }
}

/// A participant's exports (withdrawals to an EAEU state or outside the EAEU): their log
/// sequences, oldest first, after `after`.
pub fn exports(
    snapshot: &dyn Snapshot,
    participant: &TaxpayerId,
    after: u64,
    limit: usize,
) -> Result<Vec<u64>, EngineError> {
    participant_index(snapshot, keys::INDEX_EXPORTS, participant, after, limit)
}

fn participant_index(
    snapshot: &dyn Snapshot,
    tag: u8,
    participant: &TaxpayerId,
    after: u64,
    limit: usize,
) -> Result<Vec<u64>, EngineError> {
    let prefix = keys::participant_index_prefix(tag, participant);
    let start = keys::participant_index(tag, participant, after.saturating_add(1));
    snapshot
        .scan_from(Column::Index, &prefix, &start, limit.min(PAGE_ENTRIES_MAX))?
        .iter()
        .map(|(key, _)| keys::trailing_u64(key))
        .collect()
}

/// The sellers a fiscal data operator is registered as serving, with their dates, at most
/// `limit` (in IIN/BIN order).
pub fn fiscal_agencies(
    snapshot: &dyn Snapshot,
    operator: &TaxpayerId,
    limit: usize,
) -> Result<Vec<FiscalAgency>, EngineError> {
    let prefix = keys::fiscal_agencies_prefix(operator);
    snapshot
        .scan_prefix(Column::Index, &prefix, limit.min(PAGE_ENTRIES_MAX))?
        .iter()
        .map(|(_, value)| decode(value))
        .collect()
}

/// A document.
pub fn document(
    snapshot: &dyn Snapshot,
    id: DocumentId,
) -> Result<Option<DocumentView>, EngineError> {
    let stored: Option<DocumentRecord> = record(snapshot, Column::Documents, &keys::sequence(id))?;
    Ok(stored.map(|stored| DocumentView::of(id, stored)))
}

/// An emission order.
pub fn order(snapshot: &dyn Snapshot, id: OrderId) -> Result<Option<OrderView>, EngineError> {
    Ok(order_record(snapshot, id)?.map(|stored| OrderView::of(id, stored)))
}

/// An emission order as stored (the engine's own reads).
pub(crate) fn order_record(
    snapshot: &dyn Snapshot,
    id: OrderId,
) -> Result<Option<OrderRecord>, EngineError> {
    record(snapshot, Column::Orders, &keys::sequence(id))
}

/// A page of an order's issued codes with their tails, for printing: from index `from`, at most
/// `limit`.
pub fn order_codes(
    snapshot: &dyn Snapshot,
    id: OrderId,
    from: u32,
    limit: usize,
) -> Result<Vec<(CodeKey, IssuedTail)>, EngineError> {
    let order = order_record(snapshot, id)?.ok_or(EngineError::UnknownOrder(id))?;
    let prefix = keys::order_codes_prefix(id);
    snapshot
        .scan_from(
            Column::Index,
            &prefix,
            &keys::order_code(id, from),
            limit.min(PAGE_ENTRIES_MAX),
        )?
        .iter()
        .map(|(_, value)| {
            let printed: OrderCode = decode(value)?;
            Ok((CodeKey::item(order.gtin, printed.serial), printed.tail))
        })
        .collect()
}

/// A participant.
pub fn participant(
    snapshot: &dyn Snapshot,
    id: &TaxpayerId,
) -> Result<Option<Participant>, EngineError> {
    record(snapshot, Column::Participants, &keys::participant(id))
}

/// A page of the register of participants, in IIN/BIN order, after `after`.
pub fn participants(
    snapshot: &dyn Snapshot,
    after: Option<&TaxpayerId>,
    limit: usize,
) -> Result<Vec<Participant>, EngineError> {
    // Keys are the 12 digits: the key right after `after` is `after` with a zero byte added.
    let start = after.map_or_else(Vec::new, |id| {
        let mut start = keys::participant(id).to_vec();
        start.push(0);
        start
    });
    snapshot
        .scan_from(
            Column::Participants,
            &[],
            &start,
            limit.min(PAGE_ENTRIES_MAX),
        )?
        .iter()
        .map(|(_, value)| decode(value))
        .collect()
}

/// A product card.
pub fn product(snapshot: &dyn Snapshot, gtin: &Gtin) -> Result<Option<Product>, EngineError> {
    record(snapshot, Column::Products, &keys::product(gtin))
}

/// The product cards a participant markets (as producer or importer), in GTIN order, after the
/// GTIN `after` (a number; 0 from the first).
pub fn products_of(
    snapshot: &dyn Snapshot,
    participant: &TaxpayerId,
    after: u64,
    limit: usize,
) -> Result<Vec<Product>, EngineError> {
    participant_index(snapshot, keys::INDEX_PRODUCTS, participant, after, limit)?
        .into_iter()
        .map(|number| {
            let gtin = Gtin::parse(&format!("{number:014}"))
                .map_err(|_| EngineError::Corrupt(format!("product index entry {number}")))?;
            product(snapshot, &gtin)?.ok_or_else(|| {
                EngineError::Corrupt(format!("product {gtin} is indexed but missing"))
            })
        })
        .collect()
}

/// Keys of the codes column that split it into `shares` ranges of about as many registered
/// products each (the first range starts at the column's start; a bulk reader gives each range
/// to a core). Fewer when there are fewer products. Products of very unequal volumes make
/// unequal ranges: a split by count is what the registry tells without reading the codes.
pub fn code_split_keys(
    snapshot: &dyn Snapshot,
    shares: usize,
) -> Result<Vec<Vec<u8>>, EngineError> {
    let prefix = keys::product_prefix();
    let mut gtins: Vec<Gtin> = Vec::new();
    let mut start = prefix.clone();
    loop {
        let page = snapshot.scan_from(
            Column::Products,
            &prefix,
            &start,
            crate::log::LOG_PAGE_ENTRIES,
        )?;
        for (key, _) in &page {
            let gtin = Gtin::from_gtin14_bytes(&key[prefix.len()..])
                .map_err(|_| EngineError::Corrupt("malformed product key".into()))?;
            gtins.push(gtin);
        }
        match page.last() {
            Some((last, _)) if page.len() == crate::log::LOG_PAGE_ENTRIES => {
                start = last.clone();
                start.push(0);
            }
            _ => break,
        }
    }
    let mut splits = vec![Vec::new()];
    for share in 1..shares.max(1) {
        if let Some(gtin) = gtins.get(gtins.len() * share / shares) {
            let key = CodeKey::gtin_prefix(gtin);
            if splits.last() != Some(&key) {
                splits.push(key);
            }
        }
    }
    Ok(splits)
}

/// A product category.
pub fn category(snapshot: &dyn Snapshot, code: &str) -> Result<Option<Category>, EngineError> {
    record(snapshot, Column::Products, &keys::category(code))
}

// ---------------------------------------------------------------------------------------------
// Cases.

/// Which cases of a participant a listing asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseList {
    /// Those it is party to or named in.
    AsParty,
    /// Those of its authority.
    AsAuthority,
}

/// A case's record.
pub fn case(snapshot: &dyn Snapshot, id: CaseId) -> Result<Option<CaseRecord>, EngineError> {
    record(snapshot, Column::Cases, &keys::numbered(keys::CASE, id))
}

/// A case as the doors show it: what its record says, without the engine's bookkeeping (the
/// due-time index key, each clock's next rung), so the stored layout can change without
/// changing any door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCard {
    /// Its id.
    pub id: CaseId,
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
    /// Its clocks by name.
    pub clocks: std::collections::BTreeMap<String, tanba_types::LegalClock>,
    /// The files named so far, in order.
    pub attachments: Vec<tanba_types::AttachmentRef>,
    /// Who took which transition, in order.
    pub taken: Vec<(String, TaxpayerId)>,
    /// When it last changed, unix milliseconds.
    pub updated_ms: u64,
    /// The document numbers it gave, in order.
    pub numbers: Vec<tanba_types::DocumentNumber>,
}

impl CaseCard {
    /// The card of case `id` as `record` stands.
    pub fn of(id: CaseId, record: CaseRecord) -> CaseCard {
        let clocks = record.clock_values();
        CaseCard {
            id,
            opening: record.opening,
            opened_ms: record.opened_ms,
            state: record.state,
            closed: record.closed,
            data: record.data,
            clocks,
            attachments: record.attachments,
            taken: record.taken,
            updated_ms: record.updated_ms,
            numbers: record.numbers,
        }
    }
}

/// A case's card.
pub fn case_card(snapshot: &dyn Snapshot, id: CaseId) -> Result<Option<CaseCard>, EngineError> {
    Ok(case(snapshot, id)?.map(|record| CaseCard::of(id, record)))
}

/// A participant's cases as cards, oldest first, after id `after`, at most `limit`.
pub fn case_cards(
    snapshot: &dyn Snapshot,
    participant: &TaxpayerId,
    list: CaseList,
    after: CaseId,
    limit: usize,
) -> Result<Vec<CaseCard>, EngineError> {
    Ok(cases(snapshot, participant, list, after, limit)?
        .into_iter()
        .map(|(id, record)| CaseCard::of(id, record))
        .collect())
}

/// A notice in its addressee's inbox, as the doors show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxNotice {
    /// Its id.
    pub id: NoticeId,
    /// The notice.
    pub notice: tanba_types::Notice,
    /// When it was made available (legal terms run from here), unix milliseconds.
    pub made_available_ms: u64,
    /// When its addressee read it.
    pub read_ms: Option<u64>,
}

impl InboxNotice {
    /// Notice `id` as `record` stands.
    pub fn of(id: NoticeId, record: NoticeRecord) -> InboxNotice {
        InboxNotice {
            id,
            notice: record.notice,
            made_available_ms: record.made_available_ms,
            read_ms: record.read_ms,
        }
    }
}

/// A page of a participant's inbox, oldest first, after `after`.
pub fn inbox_notices(
    snapshot: &dyn Snapshot,
    participant: &TaxpayerId,
    after: NoticeId,
    limit: usize,
) -> Result<Vec<InboxNotice>, EngineError> {
    Ok(inbox(snapshot, participant, after, limit)?
        .into_iter()
        .map(|(id, record)| InboxNotice::of(id, record))
        .collect())
}

/// A participant's cases, oldest first, after id `after`, at most `limit`.
pub fn cases(
    snapshot: &dyn Snapshot,
    participant: &TaxpayerId,
    list: CaseList,
    after: CaseId,
    limit: usize,
) -> Result<Vec<(CaseId, CaseRecord)>, EngineError> {
    let tag = match list {
        CaseList::AsParty => keys::CASE_PARTY,
        CaseList::AsAuthority => keys::CASE_AUTHORITY,
    };
    let prefix = keys::participant_index_prefix(tag, participant);
    let start = keys::participant_index(tag, participant, after.saturating_add(1));
    numbered_page(snapshot, &prefix, &start, limit)?
        .into_iter()
        .map(|id| Ok((id, existing_case(snapshot, id)?)))
        .collect()
}

/// The cases that belong to `parent` (a recall's claims), oldest first, after `after`.
pub fn child_cases(
    snapshot: &dyn Snapshot,
    parent: CaseId,
    after: CaseId,
    limit: usize,
) -> Result<Vec<(CaseId, CaseRecord)>, EngineError> {
    let prefix = keys::numbered(keys::CASE_CHILDREN, parent);
    let start = keys::numbered_pair(keys::CASE_CHILDREN, parent, after.saturating_add(1));
    numbered_page(snapshot, &prefix, &start, limit)?
        .into_iter()
        .map(|id| Ok((id, existing_case(snapshot, id)?)))
        .collect()
}

/// A case's history: its log records, oldest first, after sequence `after`.
pub fn case_history(
    snapshot: &dyn Snapshot,
    case: CaseId,
    after: u64,
    limit: usize,
) -> Result<Vec<LogRecord>, EngineError> {
    let prefix = keys::numbered(keys::CASE_HISTORY, case);
    let start = keys::numbered_pair(keys::CASE_HISTORY, case, after.saturating_add(1));
    numbered_page(snapshot, &prefix, &start, limit)?
        .into_iter()
        .map(|sequence| {
            log_record(snapshot, sequence)?.ok_or_else(|| {
                EngineError::Corrupt(format!("case history names a missing log entry {sequence}"))
            })
        })
        .collect()
}

/// The stage events of the monitored state services (R-PER-10, R-CER-19), in log order after
/// sequence `after`, each with its moment: what the monitoring body reads and the feeds ship.
pub fn stages(
    snapshot: &dyn Snapshot,
    after: u64,
    limit: usize,
) -> Result<Vec<(u64, u64, tanba_types::StageReport)>, EngineError> {
    let prefix = [keys::STAGE];
    let start = keys::numbered(keys::STAGE, after.saturating_add(1));
    numbered_page(snapshot, &prefix, &start, limit)?
        .into_iter()
        .map(|sequence| {
            let record = log_record(snapshot, sequence)?.ok_or_else(|| {
                EngineError::Corrupt(format!("a stage names a missing log entry {sequence}"))
            })?;
            match record.event {
                tanba_types::Event::StageReported(report) => Ok((sequence, record.time_ms, report)),
                other => Err(EngineError::Corrupt(format!(
                    "stage {sequence} is a {} event",
                    other.name()
                ))),
            }
        })
        .collect()
}

/// A participant's inbox, oldest first, after notice `after`.
pub fn inbox(
    snapshot: &dyn Snapshot,
    participant: &TaxpayerId,
    after: NoticeId,
    limit: usize,
) -> Result<Vec<(NoticeId, NoticeRecord)>, EngineError> {
    let prefix = keys::participant_index_prefix(keys::INBOX, participant);
    let start = keys::participant_index(keys::INBOX, participant, after.saturating_add(1));
    numbered_page(snapshot, &prefix, &start, limit)?
        .into_iter()
        .map(|id| {
            let notice = notice(snapshot, id)?.ok_or_else(|| {
                EngineError::Corrupt(format!("notice {id} is in an inbox but missing"))
            })?;
            Ok((id, notice))
        })
        .collect()
}

/// A notice.
pub fn notice(snapshot: &dyn Snapshot, id: NoticeId) -> Result<Option<NoticeRecord>, EngineError> {
    record(snapshot, Column::Cases, &keys::numbered(keys::NOTICE, id))
}

/// The case whose scope block covers a unit (a recall), with the block, if any: what the
/// public check shows besides the code's own status.
pub fn scope_block_of_code(
    snapshot: &dyn Snapshot,
    code: &CodeKey,
) -> Result<Option<ScopeBlock>, EngineError> {
    let Some(record) = code_record(snapshot, code)? else {
        return Ok(None);
    };
    match crate::scope::blocking_case(snapshot, code, &record)? {
        Some(case) => crate::scope::block_of(snapshot, case),
        None => Ok(None),
    }
}

/// A case's scope block, if it blocks one.
pub fn scope_block(
    snapshot: &dyn Snapshot,
    case: CaseId,
) -> Result<Option<ScopeBlock>, EngineError> {
    crate::scope::block_of(snapshot, case)
}

fn existing_case(snapshot: &dyn Snapshot, id: CaseId) -> Result<CaseRecord, EngineError> {
    case(snapshot, id)?
        .ok_or_else(|| EngineError::Corrupt(format!("case {id} is indexed but missing")))
}

/// The trailing numbers of the cases column's keys under `prefix` from `start`.
fn numbered_page(
    snapshot: &dyn Snapshot,
    prefix: &[u8],
    start: &[u8],
    limit: usize,
) -> Result<Vec<u64>, EngineError> {
    snapshot
        .scan_from(Column::Cases, prefix, start, limit.min(PAGE_ENTRIES_MAX))?
        .iter()
        .map(|(key, _)| keys::trailing_u64(key))
        .collect()
}

/// A case's holders as its census counted them (the census runs on the ticks after the
/// block), in taxpayer-id order after `after`, at most `limit`.
pub fn holders(
    snapshot: &dyn Snapshot,
    case: CaseId,
    after: Option<&TaxpayerId>,
    limit: usize,
) -> Result<Vec<(TaxpayerId, HolderCounts)>, EngineError> {
    let prefix = keys::holder_counts(case, None);
    let start = after.map_or_else(
        || prefix.clone(),
        |holder| keys::successor(&keys::holder_counts(case, Some(holder))),
    );
    snapshot
        .scan_from(Column::Cases, &prefix, &start, limit.min(PAGE_ENTRIES_MAX))?
        .iter()
        .map(|(key, value)| Ok((keys::read_participant(key, prefix.len())?, decode(value)?)))
        .collect()
}

/// Whether a case's census of holders is over (false while it runs: counts are partial).
pub fn census_complete(snapshot: &dyn Snapshot, case: CaseId) -> Result<bool, EngineError> {
    let job: Option<tanba_types::SweepJob> = record(
        snapshot,
        Column::Cases,
        &keys::numbered(keys::SWEEP_JOB, case),
    )?;
    Ok(!job.is_some_and(|job| job.phase == tanba_types::SweepPhase::Census))
}

/// One holder's units of a case's census, in code order after `after`, at most `limit`.
pub fn holder_units(
    snapshot: &dyn Snapshot,
    case: CaseId,
    holder: &TaxpayerId,
    after: Option<&CodeKey>,
    limit: usize,
) -> Result<Vec<(CodeKey, AtRecall)>, EngineError> {
    let prefix = keys::holdings_prefix(case, Some(holder));
    let start = after.map_or_else(
        || prefix.clone(),
        |code| keys::successor(&keys::holding(case, holder, code)),
    );
    snapshot
        .scan_from(Column::Cases, &prefix, &start, limit.min(PAGE_ENTRIES_MAX))?
        .iter()
        .map(|(key, value)| {
            Ok((
                keys::read_code(&key[prefix.len()..])?.0,
                AtRecall::read(value)?,
            ))
        })
        .collect()
}

/// What became of one holder's recalled units: exact counts from each unit's record now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct HolderEffect {
    /// Units in its hands as the block took effect.
    pub recalled: u64,
    /// Of those, now back with the recalling party (the party's own: none).
    pub returned: u64,
    /// Of those, out of circulation since (disposed of).
    pub disposed: u64,
    /// Of those, still in its hands.
    pub still_held: u64,
    /// Of those, with someone else (neither it nor the party).
    pub elsewhere: u64,
    /// Units it had sold to consumers before the recall.
    pub sold_before: u64,
}

/// Units an effectiveness count reads per page of the census.
const EFFECT_PAGE: usize = 10_000;

/// What became of one holder's recalled units, counted unit by unit (a holder of a million
/// units costs a million reads: a report, not a till's question).
pub fn holder_effect(
    snapshot: &dyn Snapshot,
    case: CaseId,
    party: &TaxpayerId,
    holder: &TaxpayerId,
) -> Result<HolderEffect, EngineError> {
    let mut effect = HolderEffect::default();
    let mut after = None;
    loop {
        let page = holder_units(snapshot, case, holder, after.as_ref(), EFFECT_PAGE)?;
        for (code, at_recall) in &page {
            match at_recall {
                AtRecall::Sold => effect.sold_before += 1,
                AtRecall::Gone => {}
                AtRecall::Held => {
                    effect.recalled += 1;
                    let card = code_card(snapshot, code)?.ok_or_else(|| {
                        EngineError::Corrupt(format!("census names a missing code {code}"))
                    })?;
                    match card.status {
                        CodeStatus::Withdrawn(_) => effect.disposed += 1,
                        _ if card.owner == *holder => effect.still_held += 1,
                        _ if card.owner == *party => effect.returned += 1,
                        _ => effect.elsewhere += 1,
                    }
                }
            }
        }
        match page.last() {
            Some((last, _)) if page.len() == EFFECT_PAGE => after = Some(*last),
            _ => return Ok(effect),
        }
    }
}
