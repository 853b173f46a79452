//! The only code that changes state: one event at a time, from the event and the state alone.
//! The writer runs it right after [`crate::decide`]; replay runs it over the log. Its inputs are
//! the same on both paths, so they give the same bytes. It trusts that `decide` validated the
//! event, and asserts the invariants it relies on (a broken one is a bug; the group is not
//! committed).

use std::collections::HashMap;

use tanba_store::Column;
use tanba_types::{CodeKey, CodeStatus, Event, Gtin, PackageLevel, TaxpayerId, WithdrawalReason};

use crate::error::EngineError;
use crate::keys;
use crate::records::{
    Blocker, CodeRecord, DocumentRecord, DocumentStatus, HISTORY_MARKS_IN_RECORD_MAX, HistoryEntry,
    HistoryMark, LogRecord, OrderCode, OrderRecord, ReceiptEntry, encode, level_index,
};
use crate::state::State;
use crate::statistics::StockTally;

/// Applies one logged event.
pub fn apply(state: &mut State, record: &LogRecord) -> Result<(), EngineError> {
    let sequence = record.sequence;
    state.begin_event(record.time_ms);
    match &record.event {
        Event::ParticipantRegistered(participant) | Event::ParticipantUpdated(participant) => {
            let key = keys::participant(&participant.id).to_vec();
            add_reference_history(state, Column::Participants, &key, sequence);
            state.put(Column::Participants, key, encode(participant));
        }
        Event::CategoryDefined(category) => {
            let key = keys::category(&category.code);
            add_reference_history(state, Column::Products, &key, sequence);
            state.put(Column::Products, key, encode(category));
        }
        Event::ProductRegistered(product) | Event::ProductUpdated(product) => {
            index_product(state, product)?;
            let key = keys::product(&product.gtin);
            add_reference_history(state, Column::Products, &key, sequence);
            state.put(Column::Products, key, encode(product));
        }
        Event::CodesOrdered {
            orderer,
            gtin,
            quantity,
            tail_profile,
        } => {
            let order = OrderRecord {
                orderer: *orderer,
                gtin: *gtin,
                quantity: *quantity,
                issued: 0,
                tail_profile: *tail_profile,
                placed_ms: record.time_ms,
            };
            state.put(
                Column::Orders,
                keys::sequence(sequence).to_vec(),
                encode(&order),
            );
            state.put(
                Column::Index,
                keys::participant_index(keys::INDEX_ORDERS, orderer, sequence),
                Vec::new(),
            );
            let mut backlog = state.backlog(orderer)?;
            backlog.orders += 1;
            backlog.codes += u64::from(*quantity);
            state.put_backlog(orderer, &backlog);
        }
        Event::CodesIssued {
            order: order_id,
            first_index,
            codes,
        } => {
            let mut order = state.order(*order_id)?.expect("decide checked the order");
            assert_eq!(order.issued, *first_index, "chunks are issued in order");
            let product = state
                .product(&order.gtin)?
                .expect("an order's product exists");
            for (offset, issued) in codes.iter().enumerate() {
                let index = first_index + offset as u32;
                let code = CodeKey::item(order.gtin, issued.serial);
                let mut code_record =
                    CodeRecord::new(product.level, CodeStatus::Emitted, order.orderer, sequence);
                code_record.issued = Some((*order_id, index));
                state.create_code(&code, &code_record)?;
                let printed = OrderCode {
                    serial: issued.serial,
                    tail: issued.tail.clone(),
                };
                state.put(
                    Column::Index,
                    keys::order_code(*order_id, index),
                    encode(&printed),
                );
            }
            order.issued += codes.len() as u32;
            let mut backlog = state.backlog(&order.orderer)?;
            backlog.codes = backlog
                .codes
                .checked_sub(codes.len() as u64)
                .expect("a backlog holds every code not yet issued");
            if order.is_complete() {
                backlog.orders = backlog
                    .orders
                    .checked_sub(1)
                    .expect("the order was waiting");
            }
            state.put_backlog(&order.orderer, &backlog);
            assert!(order.issued <= order.quantity, "an order never overflows");
            state.put(
                Column::Orders,
                keys::sequence(*order_id).to_vec(),
                encode(&order),
            );
        }
        Event::CodesApplied {
            codes,
            production_date,
            expiry_date,
            batch,
        } => {
            // Read once per product, not per code: an event applies thousands of one product.
            let mut shelf_lives: HashMap<Gtin, Option<u32>> = HashMap::new();
            for code in codes {
                let mut code_record = state.existing_code(code)?;
                let shelf_life = match code.gtin() {
                    Some(gtin) => match shelf_lives.get(&gtin) {
                        Some(days) => *days,
                        None => {
                            let days = state.product(&gtin)?.and_then(|p| p.shelf_life_days);
                            shelf_lives.insert(gtin, days);
                            days
                        }
                    },
                    None => None,
                };
                // Only applied or circulating codes are packed: nothing around this one to count.
                assert!(
                    code_record.parent.is_none() && code_record.contents_total() == 0,
                    "emitted codes are never packed"
                );
                let before = code_record.clone();
                code_record.status = CodeStatus::Applied;
                code_record.production_date = Some(*production_date);
                code_record.expiry_date =
                    expiry_date.or_else(|| shelf_life.map(|days| production_date.plus_days(days)));
                code_record.batch = batch.clone();
                mark(state, code, &mut code_record, sequence, HistoryEntry::Own);
                state.put_read_code(code, before, &code_record)?;
            }
        }
        Event::CodesIntroduced {
            codes,
            introduction,
        } => {
            let kind = introduction.kind();
            update_subtrees(state, codes, sequence, |code_record| {
                code_record.status = CodeStatus::Introduced;
                code_record.introduction = Some(kind);
            })?;
        }
        Event::TransportPackageCreated { sscc, owner } => {
            let code_record = CodeRecord::new(
                PackageLevel::Transport,
                CodeStatus::Applied,
                *owner,
                sequence,
            );
            state.create_code(&CodeKey::Sscc(*sscc), &code_record)?;
        }
        Event::Aggregated { parent, children } => {
            for child in children {
                detach(state, child)?;
            }
            let mut added = Tally::default();
            for child in children {
                let mut child_record = state.existing_code(child)?;
                child_record.parent = Some(*parent);
                added.add(&Tally::of(child, &child_record));
                let entered = HistoryEntry::Entered(*parent);
                mark(state, child, &mut child_record, sequence, entered);
                state.put_code(child, &child_record)?;
                // The child's level rides in the index, so content walks skip units unread.
                let level = vec![level_index(child_record.level) as u8];
                state.put(Column::Children, keys::child(parent, child), level);
            }
            add_to_packages(state, Some(*parent), &added, Sign::Add)?;
            mark_stored(state, parent, sequence, HistoryEntry::ContentAdded)?;
        }
        Event::Disaggregated { codes } => {
            for code in codes {
                detach(state, code)?;
                mark_stored(state, code, sequence, HistoryEntry::Left)?;
            }
        }
        Event::Shipped {
            seller,
            buyer,
            items,
            signature,
        } => {
            update_roots(state, items, sequence, |code_record| {
                code_record.in_transit = Some(sequence);
            })?;
            let document = DocumentRecord {
                seller: *seller,
                buyer: *buyer,
                items: items.clone(),
                seller_signature: signature.clone(),
                created_ms: record.time_ms,
                status: DocumentStatus::Pending,
            };
            state.put_document(sequence, &document);
            for party in [seller, buyer] {
                state.put(
                    Column::Index,
                    keys::participant_index(keys::INDEX_DOCUMENTS, party, sequence),
                    Vec::new(),
                );
            }
        }
        Event::Accepted {
            document,
            accepted,
            returned,
            signature,
        } => {
            let mut document_record = state.document(*document)?.expect("decide checked it");
            let buyer = document_record.buyer;
            update_roots(state, accepted, sequence, |code_record| {
                code_record.in_transit = None;
                code_record.owner = buyer;
            })?;
            update_roots(state, returned, sequence, |code_record| {
                code_record.in_transit = None;
            })?;
            document_record.status = DocumentStatus::Accepted {
                accepted: accepted.clone(),
                returned: returned.clone(),
                signature: signature.clone(),
                time_ms: record.time_ms,
            };
            state.put_document(*document, &document_record);
        }
        // Refused by the buyer or called back by the seller: everything stays with the seller.
        Event::Rejected {
            document,
            signature,
        }
        | Event::ShipmentCancelled {
            document,
            signature,
        } => {
            let mut document_record = state.document(*document)?.expect("decide checked it");
            update_roots(state, &document_record.items, sequence, |code_record| {
                code_record.in_transit = None;
            })?;
            let (signature, time_ms) = (signature.clone(), record.time_ms);
            document_record.status = match record.event {
                Event::Rejected { .. } => DocumentStatus::Rejected { signature, time_ms },
                _ => DocumentStatus::Cancelled { signature, time_ms },
            };
            state.put_document(*document, &document_record);
        }
        Event::Withdrawn { codes, reason, .. } => {
            let status = CodeStatus::Withdrawn(*reason);
            assert_ne!(
                *reason,
                WithdrawalReason::RetailSale,
                "a sale is logged as `Sold`"
            );
            update_subtrees(state, codes, sequence, |code_record| {
                code_record.status = status;
            })?;
            let exported = matches!(
                reason,
                WithdrawalReason::ExportOutsideEaeu | WithdrawalReason::ExportToEaeu
            );
            if let (true, Some(exporter)) = (exported, record.actor.caller()) {
                let key = keys::participant_index(keys::INDEX_EXPORTS, &exporter, sequence);
                state.put(Column::Index, key, Vec::new());
            }
            crate::export::apply(state, sequence, &record.event)?;
        }
        Event::ExportAuthorized { .. } | Event::ExportAuthorizationEnded { .. } => {
            crate::export::apply(state, sequence, &record.event)?;
        }
        Event::Sold {
            receipt_id, sold, ..
        } => {
            let seller = receipt_seller(record);
            update_subtrees(state, sold, sequence, |code_record| {
                code_record.status = CodeStatus::Withdrawn(WithdrawalReason::RetailSale);
            })?;
            // No key per code sold: a return reads the codes from this entry.
            record_receipt(state, keys::RECEIPT_SALE, record, &seller, receipt_id);
        }
        Event::Returned {
            codes,
            receipt_id,
            sale_receipt_id,
        } => {
            let seller = receipt_seller(record);
            update_subtrees(state, codes, sequence, |code_record| {
                code_record.status = CodeStatus::Introduced;
            })?;
            for code in codes {
                let line = keys::returned_line(&seller, sale_receipt_id, code);
                state.put(Column::Index, line, keys::sequence(sequence).to_vec());
            }
            record_receipt(state, keys::RECEIPT_RETURN, record, &seller, receipt_id);
        }
        Event::CalendarPublished { version, toml } => {
            crate::calendar::apply_published(state, *version, toml);
            if *version > 1 {
                crate::tick::start_recompute(state, *version);
            }
        }
        Event::ReferencePublished { set, version, toml } => {
            crate::reference::apply_published(state, set, *version, toml);
        }
        Event::RegisterRefreshed(refresh) => {
            crate::registers::apply(state, sequence, record.time_ms, refresh)?
        }
        Event::CaseOpened { .. }
        | Event::CaseStepped(_)
        | Event::CaseClockSet { .. }
        | Event::NoticeSent(_)
        | Event::NoticeRead { .. }
        | Event::ScopeBlocked { .. }
        | Event::ScopeReleased { .. }
        | Event::HoldersCounted { .. }
        | Event::SweepMoved { .. }
        | Event::DocumentNumbered { .. }
        | Event::StageReported(_)
        | Event::CasesRecomputed { .. } => crate::cases::apply(state, record)?,
        Event::ConsumerOptedIn { .. }
        | Event::ConsumerOptedOut { .. }
        | Event::ConsumerNotified { .. } => {
            crate::consumers::apply(state, sequence, record.time_ms, &record.event)?
        }
        Event::AttachmentRecorded { hash, size_bytes } => {
            crate::cases::apply_attachment(state, sequence, record.actor, hash, *size_bytes)?
        }
        Event::ViolationReported(_)
        | Event::LikelyCopyFlagged { .. }
        | Event::LikelyCopyCleared { .. } => {
            crate::public::apply(state, sequence, record.time_ms, &record.event)?
        }
        Event::DataExportRequested { .. } => {
            crate::data_export::apply(state, sequence, record.time_ms, record.actor, &record.event)?
        }
        Event::FiscalOperatorAssigned(agency) => {
            let key = keys::fiscal_agency(&agency.operator, &agency.seller);
            state.put(Column::Index, key, encode(agency));
        }
        Event::Blocked {
            codes,
            authority,
            reason,
        } => {
            let blocker = Blocker {
                authority: *authority,
                reason: reason.clone(),
                since_ms: record.time_ms,
                sequence,
            };
            update_subtrees(state, codes, sequence, |code_record| {
                // A code inside a package this authority blocked before keeps the earlier block.
                if !code_record.is_blocked_by(authority) {
                    code_record.blockers.push(blocker.clone());
                }
            })?;
        }
        Event::Unblocked { codes, authority } => {
            // One authority, one decision: lifting its block on a package lifts its blocks on
            // everything inside, also those it placed on single codes before (a block keeps the
            // earlier reason and time; a release needs none).
            update_subtrees(state, codes, sequence, |code_record| {
                code_record.blockers.retain(|b| b.authority != *authority);
            })?;
        }
    }
    Ok(())
}

/// Reference data keeps its past (R-IS-20): each change of a card is indexed by the event, so
/// every earlier version can be read back from the log.
fn add_reference_history(state: &mut State, column: Column, key: &[u8], sequence: u64) {
    state.put(
        Column::Index,
        keys::reference_history(column, key, sequence),
        Vec::new(),
    );
}

/// Notes an event in a code's history: in the code's record, which the caller writes next (the
/// events that touch most codes, from application to sale, rewrite the record anyway, so their
/// mark costs no key of its own). A full record's marks first move to a chunk of their own. One
/// mark per event and code: a second one at the same sequence replaces the first, as a key of
/// its own would have.
fn mark(
    state: &mut State,
    code: &CodeKey,
    record: &mut CodeRecord,
    sequence: u64,
    entry: HistoryEntry,
) {
    let marked = HistoryMark { sequence, entry };
    if let Some(last) = record.history.last_mut() {
        assert!(last.sequence <= sequence, "history marks come in log order");
        if last.sequence == sequence {
            *last = marked;
            return;
        }
    }
    if record.history.len() >= HISTORY_MARKS_IN_RECORD_MAX {
        let chunk = std::mem::take(&mut record.history);
        let key = keys::history_chunk(code, chunk[0].sequence);
        state.put(Column::Index, key, encode(&chunk));
    }
    record.history.push(marked);
}

/// [`mark`] on a record this event already wrote (a package filled) or does not write otherwise
/// (a code out of no package): read, marked, written again. Only packing and unpacking come here.
fn mark_stored(
    state: &mut State,
    code: &CodeKey,
    sequence: u64,
    entry: HistoryEntry,
) -> Result<(), EngineError> {
    let mut record = state.existing_code(code)?;
    let before = record.clone();
    mark(state, code, &mut record, sequence, entry);
    state.put_read_code(code, before, &record)
}

/// Changes every code in the subtrees of `roots` (a status or a block belongs to each code, and
/// stays with it when it leaves the package), then brings the packages' held-back counts up to
/// date, inside the subtree and above it. The event enters the roots' history; the codes inside
/// find it through their packages' history ([`crate::query::history`]).
fn update_subtrees(
    state: &mut State,
    roots: &[CodeKey],
    sequence: u64,
    mut change: impl FnMut(&mut CodeRecord),
) -> Result<(), EngineError> {
    let mut counted = 0;
    for root in roots {
        let mut nodes = state.subtree(root, &mut counted)?;
        let records_before: Vec<CodeRecord> = nodes.iter().map(|(_, r)| r.clone()).collect();
        let before = Tally::of(root, &nodes[0].1);
        for (_, code_record) in &mut nodes {
            change(code_record);
        }
        // Children come after their parents in the walk: go backwards to count upwards.
        let mut below: HashMap<CodeKey, Tally> = HashMap::new();
        for (index, (code, code_record)) in nodes.iter_mut().enumerate().rev() {
            if code_record.contents_total() > 0 {
                let content = below.remove(code).unwrap_or_default();
                assert_eq!(
                    content.contents, code_record.contents,
                    "the walk saw all content"
                );
                code_record.held_back = content.held_back;
                code_record.content_stock = content.stock;
            }
            if index > 0 {
                let parent = code_record
                    .parent
                    .expect("inside the subtree, every code has a parent");
                below
                    .entry(parent)
                    .or_default()
                    .add(&Tally::of(code, code_record));
            }
        }
        let after = Tally::of(root, &nodes[0].1);
        let parent = nodes[0].1.parent;
        mark(state, root, &mut nodes[0].1, sequence, HistoryEntry::Own);
        for ((code, code_record), before) in nodes.iter().zip(records_before) {
            state.put_read_code(code, before, code_record)?;
        }
        if before != after {
            add_to_packages(state, parent, &before, Sign::Remove)?;
            add_to_packages(state, parent, &after, Sign::Add)?;
        }
    }
    Ok(())
}

/// Changes the records of `roots` only: ownership and transit live on the outermost package, so
/// shipping or accepting a pallet writes one record however much it holds.
fn update_roots(
    state: &mut State,
    roots: &[CodeKey],
    sequence: u64,
    mut change: impl FnMut(&mut CodeRecord),
) -> Result<(), EngineError> {
    for root in roots {
        let mut code_record = state.existing_code(root)?;
        assert!(
            code_record.parent.is_none(),
            "documents list outermost packages only"
        );
        let before = code_record.clone();
        change(&mut code_record);
        mark(state, root, &mut code_record, sequence, HistoryEntry::Own);
        state.put_read_code(root, before, &code_record)?;
    }
    Ok(())
}

/// What a code brings into the packages around it: itself and its content by level, how many
/// of those are held back (not in circulation, or blocked), and all of them by product and
/// status.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Tally {
    contents: [u32; 3],
    held_back: u32,
    stock: StockTally,
}

impl Tally {
    fn of(code: &CodeKey, record: &CodeRecord) -> Tally {
        let mut contents = record.contents;
        contents[level_index(record.level)] += 1;
        Tally {
            contents,
            held_back: record.held_back + u32::from(record.is_held_back()),
            stock: StockTally::of(code, record),
        }
    }

    fn add(&mut self, other: &Tally) {
        for (slot, amount) in self.contents.iter_mut().zip(other.contents) {
            *slot = slot.checked_add(amount).expect("contents fit u32");
        }
        self.held_back = self
            .held_back
            .checked_add(other.held_back)
            .expect("fits u32");
        self.stock.add(&other.stock, 1);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sign {
    Add,
    Remove,
}

/// Adds or removes a tally in `package` and every package around it.
fn add_to_packages(
    state: &mut State,
    package: Option<CodeKey>,
    tally: &Tally,
    sign: Sign,
) -> Result<(), EngineError> {
    let step = |slot: &mut u32, amount: u32| {
        *slot = match sign {
            Sign::Add => slot.checked_add(amount).expect("counts fit u32"),
            Sign::Remove => slot.checked_sub(amount).expect("counts never go negative"),
        };
    };
    let mut next = package;
    let mut depth = 0;
    while let Some(code) = next {
        depth += 1;
        assert!(
            depth <= tanba_types::PACKAGE_DEPTH_MAX,
            "package depth is bounded"
        );
        let mut code_record = state.existing_code(&code)?;
        assert!(
            code_record.level != PackageLevel::Unit,
            "only packages hold codes"
        );
        for (slot, amount) in code_record.contents.iter_mut().zip(tally.contents) {
            step(slot, amount);
        }
        step(&mut code_record.held_back, tally.held_back);
        let stock_sign = match sign {
            Sign::Add => 1,
            Sign::Remove => -1,
        };
        code_record.content_stock.add(&tally.stock, stock_sign);
        next = code_record.parent;
        state.put_code(&code, &code_record)?;
    }
    Ok(())
}

/// Takes a code out of its package, if it is in one.
fn detach(state: &mut State, code: &CodeKey) -> Result<(), EngineError> {
    let mut code_record = state.existing_code(code)?;
    // Out of the package, the code holds its ownership itself again: the package's.
    let (owner, in_transit) = state.holder(&code_record)?;
    assert!(in_transit.is_none(), "nothing leaves a package in transit");
    let Some(parent) = code_record.parent.take() else {
        return Ok(());
    };
    code_record.owner = owner;
    state.put_code(code, &code_record)?;
    state.delete(Column::Children, keys::child(&parent, code));
    add_to_packages(
        state,
        Some(parent),
        &Tally::of(code, &code_record),
        Sign::Remove,
    )
}

/// The seller a receipt event was recorded for (decide let no other actor through).
fn receipt_seller(record: &LogRecord) -> TaxpayerId {
    record
        .actor
        .principal()
        .expect("the system records no receipts")
}

/// Remembers a seller's fiscal receipt, so the same receipt sent again is answered from the log.
fn record_receipt(
    state: &mut State,
    kind: u8,
    record: &LogRecord,
    seller: &TaxpayerId,
    receipt_id: &str,
) {
    let entry = ReceiptEntry {
        sequence: record.sequence,
        time_ms: record.time_ms,
    };
    state.put(
        Column::Index,
        keys::receipt(kind, seller, receipt_id),
        encode(&entry),
    );
    let listed = keys::participant_index(keys::INDEX_SELLER_RECEIPTS, seller, record.sequence);
    state.put(Column::Index, listed, Vec::new());
}

/// Keeps the index of the products each participant markets: a card's producer and importer
/// as it now stands, those it named before removed.
fn index_product(state: &mut State, product: &tanba_types::Product) -> Result<(), EngineError> {
    let number = keys::gtin_number(&product.gtin);
    if let Some(before) = state.product(&product.gtin)? {
        for marketer in [before.producer, before.importer].into_iter().flatten() {
            let key = keys::participant_index(keys::INDEX_PRODUCTS, &marketer, number);
            state.delete(Column::Index, key);
        }
    }
    for marketer in [product.producer, product.importer].into_iter().flatten() {
        let key = keys::participant_index(keys::INDEX_PRODUCTS, &marketer, number);
        state.put(Column::Index, key, Vec::new());
    }
    Ok(())
}
