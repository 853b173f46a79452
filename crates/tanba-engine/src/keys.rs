//! Key encodings. Every key is built here and nowhere else, so the byte layout of the store is
//! in one page:
//!
//! | column | key | value |
//! |---|---|---|
//! | meta | `head` | last sequence (u64 BE) + its chain hash |
//! | meta | `checkpoint` | the last signed checkpoint's sequence (u64 BE) |
//! | meta | `layout` | the layout version (u32 BE) |
//! | meta | `probe` | never present: written and deleted in one batch to test a failing store |
//! | meta | `applied` | the command log's cursor: a position (u64 BE) and how many of that batch's commands are applied (u32 BE) |
//! | meta | `batch` + position (u64 BE) | the id of the batch applied at that position, for the last `BATCH_IDS_KEPT` positions |
//! | log | sequence (u64 BE) | chain hash + [`LogRecord`](crate::records::LogRecord) |
//! | checkpoints | sequence (u64 BE) | [`Checkpoint`](tanba_crypto::Checkpoint) |
//! | codes | code | [`CodeRecord`](crate::records::CodeRecord) |
//! | children | parent code + child code | the child's level (one byte) |
//! | documents | document id (u64 BE) | [`DocumentRecord`](crate::records::DocumentRecord) |
//! | participants | IIN/BIN (12 ASCII digits) | [`Participant`](tanba_types::Participant) |
//! | products | `p` + GTIN / `c` + category code | [`Product`](tanba_types::Product) / [`Category`](tanba_types::Category) |
//! | orders | order id (u64 BE) | [`OrderRecord`](crate::records::OrderRecord) |
//! | index | `h` + code + first sequence (u64 BE) | a chunk of the code's history: the [`HistoryMark`](crate::records::HistoryMark)s that no longer fit in its record |
//! | index | `d` + IIN/BIN + document id | empty: a participant's documents |
//! | index | `o` + IIN/BIN + order id | empty: a participant's orders |
//! | index | `c` + order id + index (u32 BE) | serial + tail of the order's code |
//! | index | `r` + column tag + reference key + sequence | empty: a card's versions |
//! | index | `b` + IIN/BIN | [`OrderBacklog`](crate::records::OrderBacklog): what it waits for |
//! | index | `f` + `s`/`r` + IIN/BIN + receipt id | [`ReceiptEntry`](crate::records::ReceiptEntry): the log entry that recorded a seller's sale or return receipt |
//! | index | `f` + `l` + IIN/BIN + id length (u16 BE) + sales receipt id + code | the sequence (u64 BE) of the return that brought the code back (which codes a receipt sold, its log entry says) |
//! | index | `a` + operator's IIN/BIN + seller's IIN/BIN | [`FiscalAgency`](tanba_types::FiscalAgency): a fiscal data operator serving a seller |
//! | index | `x` + IIN/BIN + sequence | empty: a participant's exports (withdrawals to an EAEU state or outside the EAEU) |
//! | index | `S` + IIN/BIN + product (u64 BE: the GTIN's number, 0 for transport packages) | stock counters: (bucket, count) pairs, bucket = status x blocked ([`crate::statistics`]) |
//! | index | `F` + IIN/BIN + day (i32 days since 1970, sign bit flipped, BE) + product (u64 BE) | flow counters: (flow, count) pairs |
//! | index | `J` + job id (u64 BE) | [`DataExportJob`](crate::data_export::DataExportJob): a data export job |
//! | index | `Q` + IIN/BIN + key | the job (u64 BE) a caller made with its key |
//! | index | `D` + IIN/BIN + day (as in `F`) | how many jobs the caller made that day (u32 BE) |
//! | index | `k` + version (u32 BE) / `K` | a calendar version's TOML / the version in force (u32 BE) |
//! | index | `v` + set name + 0 + version (u32 BE) / `V` + set name | a reference set version's TOML / the set's version in force (u32 BE) |
//! | cases | `c` + case id | [`CaseRecord`](crate::records::CaseRecord) |
//! | cases | `h` + case id + sequence | empty: the case's history |
//! | cases | `p` + IIN/BIN + case id | empty: the cases a participant is party to or named in |
//! | cases | `a` + IIN/BIN + case id | empty: the cases of an authority |
//! | cases | `u` + parent case id + case id | empty: the cases that belong to a case |
//! | cases | `t` + next rung (u64 BE ms) + case id | empty: the due-time index the tick reads |
//! | cases | `n` + notice id | [`NoticeRecord`](crate::records::NoticeRecord) |
//! | cases | `i` + IIN/BIN + notice id | empty: a participant's inbox |
//! | cases | `b` + case id | [`ScopeBlock`](crate::records::ScopeBlock): the case's goods scope block |
//! | cases | `s` + GTIN + case id | empty: a product's scope blocks by batch or dates (the till check reads these) |
//! | cases | `x` + code + case id | empty: a unit in a scope block that lists codes |
//! | cases | `y` + case id + code | empty: the same, by case (to lift the block) |
//! | cases | `S` + sequence | empty: a monitored state service's stage event, in log order |
//! | cases | `E` + permit number | [`AuthorizationRecord`](crate::records::AuthorizationRecord): what a permit authorizes, how much is used |
//! | cases | `e` + case id | a case's permit number (UTF-8) |
//! | cases | `U` + case id + sequence | the units (u64 BE) of a withdrawal that used the case's permit |
//! | cases | `O` + IIN/BIN | how many open cases the participant is the party of (u32 BE) |
//! | cases | `N` + series + 0 + year (u32 BE) | the last number given in a yearly document series (u32 BE) |
//! | cases | `M` + document number (`EUC-2026-000001`) | the case that gave it (u64 BE) |
//! | cases | `A` + BLAKE3 hash + IIN/BIN | an upload recorded: its size (u64 BE) |
//! | cases | `W` + sequence (u64 BE) + BLAKE3 hash | empty: a blob the entry names (an upload, a report's photo) |
//! | cases | `r` | the calendar version whose recomputation is under way (u32 BE), then the last (next rung, case id) done |
//! | public | `r` + report id (u64 BE) | [`ReportRecord`](crate::public::ReportRecord): a report from the public, with its time |
//! | public | `i` + code + report id | empty: the reports about a code |
//! | public | `f` + code | [`Flag`](crate::public::Flag): a code flagged as a likely copy |
//! | public | `o` + opt-in (u64 BE) | [`SealedContact`](tanba_types::SealedContact): an opt-in's contact, sealed |
//! | blobs | `m` + BLAKE3 hash | [`BlobMeta`](crate::blobs::BlobMeta): a stored attachment |
//! | blobs | `d` + upload id + chunk index (u32 BE) | a chunk of an attachment's bytes |
//!
//! A code encodes prefix-free (a tag byte, then fixed-width fields or a length byte), so "parent
//! + child" splits unambiguously and a prefix scan over one code never matches another.

use tanba_types::{CodeKey, Gtin, TaxpayerId};

use crate::error::EngineError;

/// Meta key of the log head.
pub const META_HEAD: &[u8] = b"head";
/// Meta key of the last signed checkpoint's sequence.
pub const META_CHECKPOINT: &[u8] = b"checkpoint";
/// Meta key of the command log's cursor ([`crate::core::Applied`]).
pub const META_APPLIED: &[u8] = b"applied";
/// Meta prefix of the ids of the batches applied lately, each under its position (u64 BE).
pub const META_BATCH: &[u8] = b"batch";

/// Whether a meta key is bookkeeping of one node's work (its last checkpoint, its cursor in the
/// command log and the batches it met), not state a replay of the log makes.
pub fn is_bookkeeping(key: &[u8]) -> bool {
    key == META_CHECKPOINT || key == META_APPLIED || key.starts_with(META_BATCH)
}

/// The meta key of the id of the batch applied at `position`.
pub fn applied_batch(position: u64) -> Vec<u8> {
    let mut key = META_BATCH.to_vec();
    key.extend_from_slice(&position.to_be_bytes());
    key
}

/// Meta key the writer's probe of a failing store writes and deletes in one batch (never there).
pub const META_PROBE: &[u8] = b"probe";
/// Audit column: the prefix of an accepted command's audit note, followed by its first log
/// sequence (u64 BE). The server's audit writer owns the column; the engine only writes notes.
pub const AUDIT_NOTE: u8 = b'w';

/// The audit column key of the note of the command whose first event is `sequence`.
pub fn audit_note(sequence: u64) -> Vec<u8> {
    let mut key = vec![AUDIT_NOTE];
    key.extend_from_slice(&sequence.to_be_bytes());
    key
}

/// Meta key of the store's layout version.
pub const META_LAYOUT: &[u8] = b"layout";
/// The layout version this code writes and reads (3: cases, with the per-product count of
/// scope blocks the till check reads first; 4: reference sets, and the versions a case opened
/// under; 5: log entries are the log contract's records with their feed kinds, chained by
/// leaf; 6: owners' stock and flow counters, and each package's content counted by product and
/// status; 7: the public column is state, the log's reports, flags and sealed contacts; 8: a
/// code's latest history marks in its record, the earlier in chunks, not one key per event; 9: a
/// sale keeps no key per code, only a return does).
pub const LAYOUT_VERSION: u32 = 9;

/// Index prefix: a code's history.
pub const INDEX_HISTORY: u8 = b'h';
/// Index prefix: a participant's documents.
pub const INDEX_DOCUMENTS: u8 = b'd';
/// Index prefix: a participant's orders.
pub const INDEX_ORDERS: u8 = b'o';
/// Index prefix: an order's codes.
pub const INDEX_ORDER_CODES: u8 = b'c';
/// Index prefix: a participant's order backlog.
pub const INDEX_BACKLOG: u8 = b'b';
/// Index prefix: a seller's fiscal receipts (sales and returns), for idempotent resubmission.
pub const INDEX_RECEIPTS: u8 = b'f';
/// Receipt kind: a sale.
pub const RECEIPT_SALE: u8 = b's';
/// Receipt kind: a return.
pub const RECEIPT_RETURN: u8 = b'r';
/// Receipt index kind: a code returned from a sales receipt. A sale keeps no key per code
/// (the codes it sold are in its log entry): a sale writes a key fewer per line.
pub const RECEIPT_RETURNED_LINE: u8 = b'l';
/// Index prefix: the fiscal data operators serving sellers.
pub const INDEX_FISCAL_AGENCIES: u8 = b'a';
/// Index prefix: the versions of a reference card (participant, category, product).
pub const INDEX_REFERENCE: u8 = b'r';
/// Index prefix: the products a participant markets (as producer or importer), by GTIN as a
/// number.
pub const INDEX_PRODUCTS: u8 = b'm';
/// Index prefix: a seller's fiscal receipts (sales and returns), by log sequence.
pub const INDEX_SELLER_RECEIPTS: u8 = b'y';
/// Index prefix: a participant's exports, by log sequence.
pub const INDEX_EXPORTS: u8 = b'x';
/// Index tag of an owner's stock counters, by product.
pub const INDEX_STOCK: u8 = b'S';
/// Index tag of an owner's flow counters, by day and product.
pub const INDEX_FLOWS: u8 = b'F';
/// Index tag of data export jobs, by id.
pub const INDEX_DATA_EXPORT: u8 = b'J';
/// Index tag of data export jobs by their caller's key.
pub const INDEX_DATA_EXPORT_KEY: u8 = b'Q';
/// Index tag of a caller's count of data export jobs per day.
pub const INDEX_DATA_EXPORT_DAY: u8 = b'D';
/// Index prefix: the published versions of the working-day calendar, by version.
pub const INDEX_CALENDAR: u8 = b'k';
/// Index key: the version of the working-day calendar in force.
pub const INDEX_CALENDAR_IN_FORCE: u8 = b'K';
/// Index prefix: the published versions of each reference set, by set and version.
pub const INDEX_REFERENCE_SET: u8 = b'v';
/// Index prefix: the version of each reference set in force, by set.
pub const INDEX_REFERENCE_SET_IN_FORCE: u8 = b'V';

/// Cases column prefix: a case's record.
pub const CASE: u8 = b'c';
/// Cases column prefix: a case's history.
pub const CASE_HISTORY: u8 = b'h';
/// Cases column prefix: the cases a participant is party to or named in.
pub const CASE_PARTY: u8 = b'p';
/// Cases column prefix: the cases of an authority.
pub const CASE_AUTHORITY: u8 = b'a';
/// Cases column prefix: the cases that belong to a case.
pub const CASE_CHILDREN: u8 = b'u';
/// Cases column prefix: the due-time index.
pub const CASE_DUE: u8 = b't';
/// Cases column prefix: a notice.
pub const NOTICE: u8 = b'n';
/// Cases column prefix: a participant's inbox.
pub const INBOX: u8 = b'i';
/// Cases column prefix: a case's scope block.
pub const SCOPE_BLOCK: u8 = b'b';
/// Cases column prefix: a product's scope blocks by batch or dates.
pub const SCOPE_BY_PRODUCT: u8 = b's';
/// Cases column prefix: how many scope blocks in force name a product (u32 BE), by GTIN: the
/// till check's one point read when there are none.
pub const SCOPE_COUNT: u8 = b'B';
/// Cases column prefix: a unit in a scope block that lists codes.
pub const SCOPE_BY_CODE: u8 = b'x';
/// Cases column prefix: the units of a case's listed scope, by case.
pub const SCOPE_UNITS: u8 = b'y';

/// Cases column prefix: the stage events of monitored state services, by sequence.
pub const STAGE: u8 = b'S';
/// Cases column prefix: a permit's export authorization, by number.
pub const AUTHORIZATION: u8 = b'E';
/// Cases column prefix: a case's permit number.
pub const CASE_AUTHORIZATION: u8 = b'e';
/// Cases column prefix: the withdrawals that used a case's permit.
pub const AUTHORIZATION_USE: u8 = b'U';
/// Cases column prefix: a participant's count of open cases as party.
pub const OPEN_CASES: u8 = b'O';
/// Cases column prefix: the last number of a yearly document series.
pub const DOCUMENT_SERIES: u8 = b'N';
/// Cases column prefix: the case that gave a document number.
pub const DOCUMENT_NUMBER: u8 = b'M';

/// Cases column prefix: a sweep under way over a case's goods ([`tanba_types::SweepJob`]).
pub const SWEEP_JOB: u8 = b'w';
/// Cases column prefix: a unit of a case's census, by case, holder and code.
pub const HOLDING: u8 = b'g';
/// Cases column prefix: a holder's counts in a case's census, by case and holder.
pub const HOLDER_COUNTS: u8 = b'k';

/// The prefix of a case's census entries of one holder (or, without `holder`, of all).
pub fn holdings_prefix(case: u64, holder: Option<&TaxpayerId>) -> Vec<u8> {
    let mut out = numbered(HOLDING, case);
    if let Some(holder) = holder {
        out.extend_from_slice(&participant(holder));
    }
    out
}

/// A unit's census entry.
pub fn holding(case: u64, holder: &TaxpayerId, code: &CodeKey) -> Vec<u8> {
    let mut out = holdings_prefix(case, Some(holder));
    push_code(&mut out, code);
    out
}

/// A holder's census counts (`holder` `None`: the prefix of the case's).
pub fn holder_counts(case: u64, holder: Option<&TaxpayerId>) -> Vec<u8> {
    let mut out = numbered(HOLDER_COUNTS, case);
    if let Some(holder) = holder {
        out.extend_from_slice(&participant(holder));
    }
    out
}

/// Reads the participant a key names at `start` (12 ASCII bytes).
pub fn read_participant(key: &[u8], start: usize) -> Result<TaxpayerId, EngineError> {
    let corrupt = || EngineError::Corrupt("malformed participant in a key".into());
    let bytes = key.get(start..start + 12).ok_or_else(corrupt)?;
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(corrupt)
}

/// The smallest key after `key`: a scan from it resumes just past `key`.
pub fn successor(key: &[u8]) -> Vec<u8> {
    let mut out = key.to_vec();
    out.push(0);
    out
}

/// A key of one of the cases column's tables keyed by one number (`CASE`, `NOTICE`,
/// `SCOPE_BLOCK`), or the prefix of the entries under it (`CASE_HISTORY`, `CASE_CHILDREN`).
pub fn numbered(tag: u8, number: u64) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend_from_slice(&number.to_be_bytes());
    out
}

/// A key under a numbered prefix: `tag` + `first` + `second`.
pub fn numbered_pair(tag: u8, first: u64, second: u64) -> Vec<u8> {
    let mut out = numbered(tag, first);
    out.extend_from_slice(&second.to_be_bytes());
    out
}

/// A product's scope blocks prefix.
pub fn scope_by_product_prefix(gtin: &Gtin) -> Vec<u8> {
    let mut out = vec![SCOPE_BY_PRODUCT];
    out.extend_from_slice(gtin.as_bytes());
    out
}

/// A product's count of scope blocks in force.
pub fn scope_count(gtin: &Gtin) -> Vec<u8> {
    let mut out = vec![SCOPE_COUNT];
    out.extend_from_slice(gtin.as_bytes());
    out
}

/// A unit's scope blocks prefix.
pub fn scope_by_code_prefix(code: &CodeKey) -> Vec<u8> {
    let mut out = vec![SCOPE_BY_CODE];
    push_code(&mut out, code);
    out
}

/// A calendar version's key.
pub fn calendar_version(version: u32) -> Vec<u8> {
    let mut out = vec![INDEX_CALENDAR];
    out.extend_from_slice(&version.to_be_bytes());
    out
}

/// The key naming the calendar version in force.
pub fn calendar_in_force() -> Vec<u8> {
    vec![INDEX_CALENDAR_IN_FORCE]
}

/// A document series' counter key for a year (series are capital letters, so the 0 ends it;
/// years before 1 do not occur).
pub fn document_series(series: &str, year: i32) -> Vec<u8> {
    let mut out = vec![DOCUMENT_SERIES];
    out.extend_from_slice(series.as_bytes());
    out.push(0);
    out.extend_from_slice(&u32::try_from(year).unwrap_or(0).to_be_bytes());
    out
}

/// A permit's authorization key.
pub fn authorization(number: &tanba_types::DocumentNumber) -> Vec<u8> {
    let mut out = vec![AUTHORIZATION];
    out.extend_from_slice(number.to_string().as_bytes());
    out
}

/// A document number's key.
pub fn document_number(number: &tanba_types::DocumentNumber) -> Vec<u8> {
    let mut out = vec![DOCUMENT_NUMBER];
    out.extend_from_slice(number.to_string().as_bytes());
    out
}

/// A reference set version's key (set names are a-z and `_`, so the 0 ends the name).
pub fn reference_set_version(set: &str, version: u32) -> Vec<u8> {
    let mut out = vec![INDEX_REFERENCE_SET];
    out.extend_from_slice(set.as_bytes());
    out.push(0);
    out.extend_from_slice(&version.to_be_bytes());
    out
}

/// The key naming a reference set's version in force.
pub fn reference_set_in_force(set: &str) -> Vec<u8> {
    let mut out = vec![INDEX_REFERENCE_SET_IN_FORCE];
    out.extend_from_slice(set.as_bytes());
    out
}

/// Reads a big-endian u32 value.
pub fn read_u32(bytes: &[u8]) -> Result<u32, EngineError> {
    let bytes: [u8; 4] = bytes
        .try_into()
        .map_err(|_| EngineError::Corrupt("a u32 value is not 4 bytes".into()))?;
    Ok(u32::from_be_bytes(bytes))
}

/// Reads a big-endian u64 value.
pub fn read_u64(bytes: &[u8]) -> Result<u64, EngineError> {
    let bytes: [u8; 8] = bytes
        .try_into()
        .map_err(|_| EngineError::Corrupt("a u64 value is not 8 bytes".into()))?;
    Ok(u64::from_be_bytes(bytes))
}

/// Appends a code's prefix-free encoding ([`CodeKey::write_bytes`]).
pub fn push_code(out: &mut Vec<u8>, code: &CodeKey) {
    code.write_bytes(out);
}

/// A code's key in the codes column.
pub fn code(code: &CodeKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(36);
    push_code(&mut out, code);
    out
}

/// Reads one code from the front of `bytes`; returns it and the rest.
pub fn read_code(bytes: &[u8]) -> Result<(CodeKey, &[u8]), EngineError> {
    CodeKey::read_bytes(bytes).map_err(|_| EngineError::Corrupt("malformed code key".into()))
}

/// The children column's key: parent then child.
pub fn child(parent: &CodeKey, child: &CodeKey) -> Vec<u8> {
    let mut out = code(parent);
    push_code(&mut out, child);
    out
}

/// A sequence number, order id or document id as a key: big-endian, so key order is number order.
pub fn sequence(sequence: u64) -> [u8; 8] {
    sequence.to_be_bytes()
}

/// Reads a big-endian u64 from the end of a key.
pub fn trailing_u64(key: &[u8]) -> Result<u64, EngineError> {
    let start = key
        .len()
        .checked_sub(8)
        .ok_or_else(|| EngineError::Corrupt("key too short".into()))?;
    Ok(u64::from_be_bytes(
        key[start..].try_into().expect("8 bytes"),
    ))
}

/// A participant's key.
pub fn participant(id: &TaxpayerId) -> [u8; 12] {
    id.to_ascii()
}

/// A GTIN as the number its 14 digits are (an index's order is the GTINs' order).
pub fn gtin_number(gtin: &Gtin) -> u64 {
    gtin.as_str()
        .parse()
        .expect("a GTIN is 14 digits, well within a u64")
}

/// A product card's key.
pub fn product(gtin: &Gtin) -> Vec<u8> {
    let mut out = product_prefix();
    out.extend_from_slice(gtin.as_bytes());
    out
}

/// The prefix every product card's key starts with (and no other key of the column).
pub fn product_prefix() -> Vec<u8> {
    vec![b'p']
}

/// A category's key.
pub fn category(code: &str) -> Vec<u8> {
    let mut out = vec![b'c'];
    out.extend_from_slice(code.as_bytes());
    out
}

/// The prefix of a code's history chunks.
pub fn history_prefix(code: &CodeKey) -> Vec<u8> {
    let mut out = vec![INDEX_HISTORY];
    push_code(&mut out, code);
    out
}

/// A chunk of a code's history, by the sequence of its first mark: chunks sort in log order.
pub fn history_chunk(code: &CodeKey, first_sequence: u64) -> Vec<u8> {
    let mut out = history_prefix(code);
    out.extend_from_slice(&first_sequence.to_be_bytes());
    out
}

/// The prefix of a participant's entries in an index (`INDEX_DOCUMENTS`, `INDEX_ORDERS`).
pub fn participant_index_prefix(tag: u8, id: &TaxpayerId) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend_from_slice(&id.to_ascii());
    out
}

/// One entry of a participant's index.
pub fn participant_index(tag: u8, id: &TaxpayerId, number: u64) -> Vec<u8> {
    let mut out = participant_index_prefix(tag, id);
    out.extend_from_slice(&number.to_be_bytes());
    out
}

/// A seller's receipt of one kind ([`RECEIPT_SALE`], [`RECEIPT_RETURN`]). The id is the key's
/// tail, so no prefix-freedom is needed: nothing scans these.
pub fn receipt(kind: u8, seller: &TaxpayerId, receipt_id: &str) -> Vec<u8> {
    let mut out = vec![INDEX_RECEIPTS, kind];
    out.extend_from_slice(&seller.to_ascii());
    out.extend_from_slice(receipt_id.as_bytes());
    out
}

/// A code returned from a seller's sales receipt. The receipt id is length-prefixed, since the
/// code follows it.
pub fn returned_line(seller: &TaxpayerId, receipt_id: &str, code: &CodeKey) -> Vec<u8> {
    let id = receipt_id.as_bytes();
    let id_length = u16::try_from(id.len()).expect("receipt ids are bounded well below 64 KiB");
    let mut out = vec![INDEX_RECEIPTS, RECEIPT_RETURNED_LINE];
    out.extend_from_slice(&seller.to_ascii());
    out.extend_from_slice(&id_length.to_be_bytes());
    out.extend_from_slice(id);
    push_code(&mut out, code);
    out
}

/// The prefix of the sellers a fiscal data operator serves.
pub fn fiscal_agencies_prefix(operator: &TaxpayerId) -> Vec<u8> {
    participant_index_prefix(INDEX_FISCAL_AGENCIES, operator)
}

/// A fiscal data operator serving a seller.
pub fn fiscal_agency(operator: &TaxpayerId, seller: &TaxpayerId) -> Vec<u8> {
    let mut out = fiscal_agencies_prefix(operator);
    out.extend_from_slice(&seller.to_ascii());
    out
}

/// The prefix of a reference card's versions: the column's name stands for it (participants and
/// products never share a key otherwise).
pub fn reference_history_prefix(column: tanba_store::Column, key: &[u8]) -> Vec<u8> {
    let name = column.name().as_bytes();
    let mut out = vec![INDEX_REFERENCE, name.len() as u8];
    out.extend_from_slice(name);
    out.push(key.len() as u8);
    out.extend_from_slice(key);
    out
}

/// One version of a reference card.
pub fn reference_history(column: tanba_store::Column, key: &[u8], sequence: u64) -> Vec<u8> {
    let mut out = reference_history_prefix(column, key);
    out.extend_from_slice(&sequence.to_be_bytes());
    out
}

/// A participant's order backlog.
pub fn backlog(id: &TaxpayerId) -> Vec<u8> {
    participant_index_prefix(INDEX_BACKLOG, id)
}

/// The prefix of an owner's stock counters.
pub fn stock_prefix(owner: &TaxpayerId) -> Vec<u8> {
    participant_index_prefix(INDEX_STOCK, owner)
}

/// An owner's stock counters of one product.
pub fn stock(owner: &TaxpayerId, item: u64) -> Vec<u8> {
    participant_index(INDEX_STOCK, owner, item)
}

/// The prefix of an owner's flow counters.
pub fn flows_prefix(owner: &TaxpayerId) -> Vec<u8> {
    participant_index_prefix(INDEX_FLOWS, owner)
}

/// An owner's flow counters of one day and product. The day's sign bit is flipped so that
/// byte order is day order.
pub fn flow(owner: &TaxpayerId, day: i32, item: u64) -> Vec<u8> {
    let mut out = flows_prefix(owner);
    out.extend_from_slice(&((day as u32) ^ (1 << 31)).to_be_bytes());
    out.extend_from_slice(&item.to_be_bytes());
    out
}

/// The day and product of a flow counter's key.
pub fn read_flow(key: &[u8]) -> Result<(i32, u64), EngineError> {
    let corrupt = || EngineError::Corrupt("malformed flow counter key".into());
    let tail = key.len().checked_sub(12).ok_or_else(corrupt)?;
    let day = u32::from_be_bytes(key[tail..tail + 4].try_into().map_err(|_| corrupt())?);
    Ok(((day ^ (1 << 31)) as i32, trailing_u64(key)?))
}

/// A data export job.
pub fn data_export(id: u64) -> Vec<u8> {
    numbered(INDEX_DATA_EXPORT, id)
}

/// The job a caller made with a key (the key is the key's tail: nothing scans these).
pub fn data_export_key(requester: &TaxpayerId, key: &str) -> Vec<u8> {
    let mut out = participant_index_prefix(INDEX_DATA_EXPORT_KEY, requester);
    out.extend_from_slice(key.as_bytes());
    out
}

/// A caller's count of data export jobs on a day.
pub fn data_exports_on(requester: &TaxpayerId, day: i32) -> Vec<u8> {
    let mut out = participant_index_prefix(INDEX_DATA_EXPORT_DAY, requester);
    out.extend_from_slice(&((day as u32) ^ (1 << 31)).to_be_bytes());
    out
}

/// The prefix of an order's codes.
pub fn order_codes_prefix(order: u64) -> Vec<u8> {
    let mut out = vec![INDEX_ORDER_CODES];
    out.extend_from_slice(&order.to_be_bytes());
    out
}

/// One code of an order.
pub fn order_code(order: u64, index: u32) -> Vec<u8> {
    let mut out = order_codes_prefix(order);
    out.extend_from_slice(&index.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_decode_and_stay_prefix_free() {
        let short: CodeKey = "(01)04607112710016(21)AB".parse().unwrap();
        let long: CodeKey = "(01)04607112710016(21)ABC".parse().unwrap();
        let sscc: CodeKey = "(00)046071120000000018".parse().unwrap();
        for key in [short, long, sscc] {
            let bytes = child(&key, &sscc);
            let (parent, rest) = read_code(&bytes).unwrap();
            let (child, rest) = read_code(rest).unwrap();
            assert_eq!((parent, child), (key, sscc));
            assert!(rest.is_empty());
        }
        assert!(!code(&long).starts_with(&code(&short)));
    }
}
