//! The state as the writer sees it while it applies a group of commands: the committed store with
//! the group's not-yet-written changes on top. Commands later in a group see the effects of earlier
//! ones; nothing reaches the store until the whole group commits in one batch.
//!
//! Typed reads and writes of records live here too, so `decide` and `apply` never touch bytes.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use tanba_store::{Change, Column, Durability, Entry, Store, WriteBatch};
use tanba_types::{
    Category, CodeKey, Date, FiscalAgency, Gtin, PackageLevel, Participant, Product, TaxpayerId,
    limits,
};

use crate::error::EngineError;
use crate::keys;
use crate::records::{
    CodeRecord, DocumentRecord, LogRecord, OrderBacklog, OrderCode, OrderRecord, ReceiptEntry,
    decode, encode, level_index,
};
use crate::statistics::Statistics;

/// Most store reads a group remembers; past it the memory is cleared and reads go to the store.
pub const READ_CACHE_ENTRIES_MAX: usize = 200_000;

/// The hash maps of pending changes and reads: keyed by aHash, seeded at random per map. Not
/// SipHash, the standard library's, which was a tenth of replay's time; nor an unseeded hash,
/// since keys carry what callers chose (receipt ids, document numbers), and a log whose keys
/// collide on purpose would make every lookup a walk. No map's order is ever read unsorted.
type HashMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;

/// Each column's pending changes.
type Columns = HashMap<Column, Changes>;

/// A key and its new value (`None`: deleted), owned.
type OwnedChange = (Vec<u8>, Option<Vec<u8>>);

/// A key and its new value, as held in the pending changes.
type HeldChange<'a> = (&'a Vec<u8>, &'a Option<Vec<u8>>);

/// Changes not yet written: per column, key to new value (`None`: deleted). Also what the group
/// has read from the store: only the writer writes, so a value read stays true for the whole
/// group unless the group changes it (and then `columns` answers first). `decide` and then
/// `apply` read the same records, and every command of a group reads its actor's card: the
/// memtable lookups this saves were a quarter of the writer's time.
#[derive(Default)]
pub struct Pending {
    columns: Columns,
    /// Changes handed over to be loaded into the store ([`Pending::hand_over`]), perhaps not
    /// all in yet: read between these changes and the store.
    loading: Option<Arc<Columns>>,
    /// Replay's: room each hashed column's map is made with, the keys it held before the last
    /// hand-over ([`Pending::hand_over`]).
    hashed_column_room: HashMap<Column, usize>,
    operations: usize,
    bytes_set: usize,
    read: RefCell<ReadCache>,
    /// Replay's: remember only code records (replay reads most records about once, but a
    /// code record twice: by the change, then by `put_code` comparing before and after); and
    /// scan no hashed column (it holds millions of changes there).
    replay: bool,
    /// The owners' counters the group's code changes move, written once each at the end.
    statistics: Statistics,
    /// The day of the event being applied (Kazakhstan's date): the day its flows count on.
    event_day: Option<Date>,
}

/// A group's pending changes at one moment ([`State::savepoint`]).
pub struct Savepoint {
    columns: Columns,
    operations: usize,
    statistics: Statistics,
    event_day: Option<Date>,
}

/// Columns that applying an event reads only by key, never by a scan, and that deciding
/// scans only for a recall's sweep (the codes of one product): their changes are held in hash
/// maps, whose lookups cost a fraction of an ordered map's (each of whose comparisons chases a
/// key on the heap), and sorted once, when written or loaded. A group's ordered maps of
/// changes were a sixth of a catching-up node's applying; replay holds millions.
pub const POINT_COLUMNS: [Column; 8] = [
    Column::Meta,
    Column::Log,
    Column::Codes,
    Column::Documents,
    Column::Participants,
    Column::Products,
    Column::Orders,
    Column::Index,
];

/// One column's pending changes, key to new value (`None`: deleted).
#[derive(Clone)]
enum Changes {
    /// In key order: the columns a scan reads.
    Ordered(BTreeMap<Vec<u8>, Option<Vec<u8>>>),
    /// Hashed: [`POINT_COLUMNS`].
    Hashed(HashMap<Vec<u8>, Option<Vec<u8>>>),
}

impl Changes {
    fn get(&self, key: &[u8]) -> Option<&Option<Vec<u8>>> {
        match self {
            Changes::Ordered(entries) => entries.get(key),
            Changes::Hashed(entries) => entries.get(key),
        }
    }

    fn insert(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) -> Option<Option<Vec<u8>>> {
        match self {
            Changes::Ordered(entries) => entries.insert(key, value),
            Changes::Hashed(entries) => entries.insert(key, value),
        }
    }

    /// The changes under `prefix` from `start`, in key order. A hashed column has no order:
    /// its changes are filtered and sorted, a walk over all of them. Only a recall's sweep
    /// scans one (a product's codes), in a group, whose changes are bounded
    /// ([`crate::core::GROUP_OPERATIONS_SOFT_MAX`]); replay, which holds millions, applies
    /// events, which read by key only (asserted in tests).
    fn range_under<'a>(&'a self, prefix: &[u8], start: &[u8]) -> Vec<HeldChange<'a>> {
        match self {
            Changes::Ordered(entries) => entries
                .range(start.to_vec()..)
                .take_while(|(key, _)| key.starts_with(prefix))
                .collect(),
            Changes::Hashed(entries) => {
                let mut found: Vec<_> = entries
                    .iter()
                    .filter(|(key, _)| key.starts_with(prefix) && key.as_slice() >= start)
                    .collect();
                found.sort_unstable_by(|a, b| a.0.cmp(b.0));
                found
            }
        }
    }

    /// Every change, in key order, owned (the writer's, ordered already, without a copy).
    fn into_sorted(self) -> Box<dyn Iterator<Item = OwnedChange>> {
        match self {
            Changes::Ordered(entries) => Box::new(entries.into_iter()),
            Changes::Hashed(entries) => {
                let mut entries: Vec<_> = entries.into_iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                Box::new(entries.into_iter())
            }
        }
    }

    /// Every change, in key order, borrowed: to load while they are still read.
    fn sorted(&self) -> Vec<Change<'_>> {
        fn borrowed<'a>((key, value): HeldChange<'a>) -> Change<'a> {
            (key.as_slice(), value.as_deref())
        }
        match self {
            Changes::Ordered(entries) => entries.iter().map(borrowed).collect(),
            Changes::Hashed(entries) => {
                let mut entries: Vec<_> = entries.iter().map(borrowed).collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                entries
            }
        }
    }
}

/// Changes handed over to be loaded into the store ([`Pending::hand_over`]) while the
/// [`Pending`] they came from goes on reading them.
pub struct LoadingChanges {
    columns: Arc<Columns>,
    statistics: Statistics,
}

impl LoadingChanges {
    /// Bulk load ([`Store::load_sorted`]): each column's changes in key order, then the owners'
    /// counters as in [`Pending::into_batch`]. Not atomic (see the store's). Changes handed
    /// over before these must be in already: the counters are read from the store.
    pub fn load_into(self, store: &dyn Store) -> Result<(), EngineError> {
        let mut columns: Vec<_> = self.columns.iter().collect();
        columns.sort_by_key(|(column, _)| **column);
        for (column, changes) in columns {
            store.load_sorted(*column, &mut changes.sorted().into_iter())?;
        }
        let mut batch = WriteBatch::new();
        self.statistics.write(store, &mut batch)?;
        store.write(batch, Durability::Buffered)?;
        Ok(())
    }
}

/// What a group has read from the store, per column.
#[derive(Default)]
struct ReadCache {
    columns: HashMap<Column, HashMap<Vec<u8>, Option<Vec<u8>>>>,
    entries: usize,
}

impl ReadCache {
    fn get(&self, column: Column, key: &[u8]) -> Option<&Option<Vec<u8>>> {
        self.columns.get(&column)?.get(key)
    }

    fn remember(&mut self, column: Column, key: &[u8], value: &Option<Vec<u8>>) {
        if self.entries >= READ_CACHE_ENTRIES_MAX {
            self.columns.clear();
            self.entries = 0;
        }
        self.entries += 1;
        self.columns
            .entry(column)
            .or_default()
            .insert(key.to_vec(), value.clone());
    }
}

impl Pending {
    /// Pending changes that remember only code records: for replay, which reads other records
    /// about once, so remembering them costs more than it saves.
    pub fn for_replay() -> Pending {
        Pending {
            replay: true,
            ..Pending::default()
        }
    }

    /// How many keys are changed.
    pub fn len(&self) -> usize {
        self.operations
    }

    /// Whether nothing is changed.
    pub fn is_empty(&self) -> bool {
        self.operations == 0
    }

    /// Bytes of the keys and values set so far (a key set twice counted twice): what replay
    /// holds in memory before it loads the changes into its target.
    pub fn bytes_set(&self) -> usize {
        self.bytes_set
    }

    /// Bulk load for replay: [`LoadingChanges::load_into`], here and now.
    pub fn load_into(mut self, store: &dyn Store) -> Result<(), EngineError> {
        self.hand_over().load_into(store)
    }

    /// Takes every change out, to be loaded into the store ([`LoadingChanges::load_into`]),
    /// perhaps on another thread, and starts afresh: nothing changed, nothing remembered, and
    /// the changes handed over read (until the next hand-over) between new changes and the
    /// store. So the changes handed over before must be in the store by now: they are no
    /// longer read. Nothing remembered, since a remembered read may be older than a change
    /// handed over; a read remembered later is of a key none of them changes.
    ///
    /// Each hashed column starts again with room for the keys it held: a map that grows to
    /// millions rehashes every key on the way (7 % of replay's applying). Not room guessed
    /// up front: a replay too short to hand over would pay a page fault on most inserts.
    pub fn hand_over(&mut self) -> LoadingChanges {
        let hashed_column_room = (self.columns.iter())
            .filter_map(|(column, changes)| match changes {
                Changes::Hashed(entries) => Some((*column, entries.len())),
                Changes::Ordered(_) => None,
            })
            .collect();
        let fresh = Pending {
            hashed_column_room,
            replay: self.replay,
            ..Pending::default()
        };
        let taken = std::mem::replace(self, fresh);
        let columns = Arc::new(taken.columns);
        self.loading = Some(Arc::clone(&columns));
        LoadingChanges {
            columns,
            statistics: taken.statistics,
        }
    }

    /// The changes as one write batch, in a fixed order (column, then key), then the owners'
    /// counters: read from `store` (the store these changes go on top of), moved by the group's
    /// deltas.
    pub fn into_batch(self, store: &dyn Store) -> Result<WriteBatch, EngineError> {
        let mut batch = WriteBatch::new();
        let mut columns: Vec<_> = self.columns.into_iter().collect();
        columns.sort_by_key(|(column, _)| *column);
        for (column, changes) in columns {
            for (key, value) in changes.into_sorted() {
                match value {
                    Some(value) => batch.put(column, key, value)?,
                    None => batch.delete(column, key)?,
                }
            }
        }
        self.statistics.write(store, &mut batch)?;
        Ok(batch)
    }
}

/// Adds `added` codes to those one command affects, refusing past
/// [`limits::COMMAND_AFFECTED_CODES_MAX`].
pub fn count_affected(counted: &mut usize, added: usize) -> Result<(), EngineError> {
    *counted += added;
    if *counted > limits::COMMAND_AFFECTED_CODES_MAX {
        return Err(EngineError::LimitExceeded {
            what: "codes affected by one command",
            max: limits::COMMAND_AFFECTED_CODES_MAX,
        });
    }
    Ok(())
}

/// The store with pending changes on top.
pub struct State<'a> {
    store: &'a dyn Store,
    pending: &'a mut Pending,
}

impl<'a> State<'a> {
    /// A view of `store` through `pending`.
    pub fn new(store: &'a dyn Store, pending: &'a mut Pending) -> State<'a> {
        State { store, pending }
    }

    /// How many keys the pending changes touch.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// What the group has pending now, to go back to with [`State::restore`]: a capture
    /// refused part-way leaves nothing of itself. A copy of the group's changes so far
    /// (bounded by the group's size); what was read from the store stays cached, since the
    /// store did not change.
    pub fn savepoint(&self) -> Savepoint {
        Savepoint {
            columns: self.pending.columns.clone(),
            operations: self.pending.operations,
            statistics: self.pending.statistics.clone(),
            event_day: self.pending.event_day,
        }
    }

    /// Goes back to `savepoint`: every change since is forgotten.
    pub fn restore(&mut self, savepoint: Savepoint) {
        self.pending.columns = savepoint.columns;
        self.pending.operations = savepoint.operations;
        self.pending.statistics = savepoint.statistics;
        self.pending.event_day = savepoint.event_day;
    }

    /// The value under `key`.
    pub fn get(&self, column: Column, key: &[u8]) -> Result<Option<Vec<u8>>, EngineError> {
        if let Some(value) = self.changed(column, key) {
            return Ok(value.clone());
        }
        if self.pending.replay && column != Column::Codes {
            return Ok(self.store.get(column, key)?);
        }
        let mut read = self.pending.read.borrow_mut();
        if let Some(value) = read.get(column, key) {
            return Ok(value.clone());
        }
        let value = self.store.get(column, key)?;
        read.remember(column, key, &value);
        Ok(value)
    }

    /// The pending change of `key`, or else the one on its way into the store.
    fn changed(&self, column: Column, key: &[u8]) -> Option<&Option<Vec<u8>>> {
        let pending = self.pending.columns.get(&column).and_then(|c| c.get(key));
        pending.or_else(|| {
            let loading = self.pending.loading.as_ref()?;
            loading.get(&column).and_then(|c| c.get(key))
        })
    }

    /// Sets `key`.
    pub fn put(&mut self, column: Column, key: Vec<u8>, value: Vec<u8>) {
        self.set(column, key, Some(value));
    }

    /// Deletes `key`.
    pub fn delete(&mut self, column: Column, key: Vec<u8>) {
        self.set(column, key, None);
    }

    fn set(&mut self, column: Column, key: Vec<u8>, value: Option<Vec<u8>>) {
        self.pending.bytes_set += key.len() + value.as_ref().map_or(0, Vec::len);
        let hashed = POINT_COLUMNS.contains(&column);
        let room = self.pending.hashed_column_room.get(&column).copied();
        let previous = (self.pending.columns.entry(column))
            .or_insert_with(|| match hashed {
                true => Changes::Hashed(HashMap::with_capacity_and_hasher(
                    room.unwrap_or(0),
                    Default::default(),
                )),
                false => Changes::Ordered(BTreeMap::new()),
            })
            .insert(key, value);
        if previous.is_none() {
            self.pending.operations += 1;
        }
    }

    /// Entries under `prefix`, in key order, at most `limit`, pending changes included.
    pub fn scan_prefix(
        &self,
        column: Column,
        prefix: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, EngineError> {
        self.scan_from(column, prefix, prefix, limit)
    }

    /// Entries under `prefix` from `start` (inclusive; it starts with `prefix`), in key order,
    /// at most `limit`, pending changes included.
    pub fn scan_from(
        &self,
        column: Column,
        prefix: &[u8],
        start: &[u8],
        limit: usize,
    ) -> Result<Vec<Entry>, EngineError> {
        debug_assert!(
            !(self.pending.replay && POINT_COLUMNS.contains(&column)),
            "replay scans {column:?}, whose millions of changes are hashed"
        );
        // Oldest first: the changes on their way into the store, then the pending ones.
        let layers: Vec<Vec<HeldChange>> =
            [self.pending.loading.as_deref(), Some(&self.pending.columns)]
                .into_iter()
                .flatten()
                .filter_map(|columns| columns.get(&column))
                .map(|changes| changes.range_under(prefix, start))
                .collect();
        // Deletions may hide stored entries: read enough to still fill `limit`.
        let deleted = (layers.iter().flatten())
            .filter(|(_, value)| value.is_none())
            .count();
        let stored_limit = (limit + deleted).min(tanba_store::SCAN_ENTRIES_MAX);
        let mut merged: BTreeMap<Vec<u8>, Vec<u8>> = self
            .store
            .snapshot()
            .scan_from(column, prefix, start, stored_limit)?
            .into_iter()
            .collect();
        for (key, value) in layers.into_iter().flatten() {
            match value {
                Some(value) => merged.insert(key.clone(), value.clone()),
                None => merged.remove(key),
            };
        }
        Ok(merged.into_iter().take(limit).collect())
    }

    fn record<T: serde::de::DeserializeOwned>(
        &self,
        column: Column,
        key: &[u8],
    ) -> Result<Option<T>, EngineError> {
        self.get(column, key)?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    /// A code's record.
    pub fn code(&self, code: &CodeKey) -> Result<Option<CodeRecord>, EngineError> {
        self.record(Column::Codes, &keys::code(code))
    }

    /// A code's record, which must exist.
    pub fn existing_code(&self, code: &CodeKey) -> Result<CodeRecord, EngineError> {
        self.code(code)?.ok_or(EngineError::UnknownCode(*code))
    }

    /// Sets the time of the event about to be applied: the day its flows count on.
    pub fn begin_event(&mut self, time_ms: u64) {
        self.pending.event_day = Some(Date::from_unix_ms_in_kz(time_ms));
    }

    /// Writes a code's record, and counts the change in its holders' statistics: the one place
    /// a code record changes, so the counters see every change.
    pub fn put_code(&mut self, code: &CodeKey, record: &CodeRecord) -> Result<(), EngineError> {
        let before = self.code(code)?;
        self.count_and_put_code(code, before, record)
    }

    /// [`State::put_code`] for a record read earlier in this event and changed since: `before`
    /// is the record as read, so it is not read and decoded again (a tenth of replay's
    /// applying went to that). That `before` is what is stored now is asserted in debug builds,
    /// where every test runs.
    pub fn put_read_code(
        &mut self,
        code: &CodeKey,
        before: CodeRecord,
        record: &CodeRecord,
    ) -> Result<(), EngineError> {
        debug_assert_eq!(
            self.code(code)?.as_ref(),
            Some(&before),
            "the record read before is the stored one"
        );
        self.count_and_put_code(code, Some(before), record)
    }

    /// Writes the record of a code that does not exist yet (`decide` checked it), and counts it
    /// as [`State::put_code`] does, without reading for a record that is not there: issuing
    /// writes millions, and replay reads nothing twice.
    pub fn create_code(&mut self, code: &CodeKey, record: &CodeRecord) -> Result<(), EngineError> {
        self.count_and_put_code(code, None, record)
    }

    fn count_and_put_code(
        &mut self,
        code: &CodeKey,
        before: Option<CodeRecord>,
        record: &CodeRecord,
    ) -> Result<(), EngineError> {
        let day = (self.pending.event_day).expect("codes change only while an event is applied");
        // Taken out for the count, so that the holder can be read meanwhile.
        let mut statistics = std::mem::take(&mut self.pending.statistics);
        let counted = statistics.count(day, code, before.as_ref(), record, || {
            Ok(self.holder(record)?.0)
        });
        self.pending.statistics = statistics;
        counted?;
        self.put(Column::Codes, keys::code(code), encode(record));
        Ok(())
    }

    /// The stored values of `codes`: pending first, then one batched read of the store.
    fn raw_codes(&self, codes: &[CodeKey]) -> Result<Vec<Option<Vec<u8>>>, EngineError> {
        let encoded: Vec<Vec<u8>> = codes.iter().map(keys::code).collect();
        let mut values = vec![None; codes.len()];
        let mut unresolved = Vec::new();
        for (index, key) in encoded.iter().enumerate() {
            match self.changed(Column::Codes, key) {
                Some(value) => values[index] = value.clone(),
                None => unresolved.push(index),
            }
        }
        let mut read = self.pending.read.borrow_mut();
        unresolved.retain(|&index| match read.get(Column::Codes, &encoded[index]) {
            Some(value) => {
                values[index] = value.clone();
                false
            }
            None => true,
        });
        let keys: Vec<&[u8]> = unresolved.iter().map(|&i| encoded[i].as_slice()).collect();
        let stored = self.store.multi_get(Column::Codes, &keys)?;
        for (index, value) in unresolved.iter().zip(stored) {
            read.remember(Column::Codes, &encoded[*index], &value);
            values[*index] = value;
        }
        Ok(values)
    }

    /// Which of `codes` exist already.
    pub fn codes_exist(&self, codes: &[CodeKey]) -> Result<Vec<bool>, EngineError> {
        Ok(self.raw_codes(codes)?.iter().map(Option::is_some).collect())
    }

    /// The records of `codes`, which must all exist, in one batched read.
    pub fn existing_codes(&self, codes: &[CodeKey]) -> Result<Vec<CodeRecord>, EngineError> {
        codes
            .iter()
            .zip(self.raw_codes(codes)?)
            .map(|(code, value)| match value {
                Some(bytes) => decode(&bytes),
                None => Err(EngineError::UnknownCode(*code)),
            })
            .collect()
    }

    /// Who holds a code and the shipment it travels under: its own, or, inside a package, those
    /// of the outermost package (ownership and transit live on the root, so moving a pallet
    /// changes one record, not 25,000).
    pub fn holder(&self, record: &CodeRecord) -> Result<(TaxpayerId, Option<u64>), EngineError> {
        match self.ancestors_above(record.parent)?.pop() {
            Some((_, root)) => Ok((root.owner, root.in_transit)),
            None => Ok((record.owner, record.in_transit)),
        }
    }

    /// A participant.
    pub fn participant(&self, id: &TaxpayerId) -> Result<Option<Participant>, EngineError> {
        self.record(Column::Participants, &keys::participant(id))
    }

    /// A product card.
    pub fn product(&self, gtin: &Gtin) -> Result<Option<Product>, EngineError> {
        self.record(Column::Products, &keys::product(gtin))
    }

    /// A product category.
    pub fn category(&self, code: &str) -> Result<Option<Category>, EngineError> {
        self.record(Column::Products, &keys::category(code))
    }

    /// The tail issued with an order's code.
    pub fn order_code(&self, order: u64, index: u32) -> Result<Option<OrderCode>, EngineError> {
        self.record(Column::Index, &keys::order_code(order, index))
    }

    /// A log entry (the group's own included).
    pub fn log_record(&self, sequence: u64) -> Result<LogRecord, EngineError> {
        let value = self
            .get(Column::Log, &keys::sequence(sequence))?
            .ok_or_else(|| EngineError::Corrupt(format!("log entry {sequence} is missing")))?;
        crate::log::stored_entry(&value)?.decode()
    }

    /// A seller's receipt of one kind (`keys::RECEIPT_SALE`, `keys::RECEIPT_RETURN`).
    pub fn receipt(
        &self,
        kind: u8,
        seller: &TaxpayerId,
        receipt_id: &str,
    ) -> Result<Option<ReceiptEntry>, EngineError> {
        self.record(Column::Index, &keys::receipt(kind, seller, receipt_id))
    }

    /// The sequence of the return that brought `code` back from a seller's sales receipt, if
    /// one has. (Whether the receipt sold it, its log entry says.)
    pub fn returned_line(
        &self,
        seller: &TaxpayerId,
        receipt_id: &str,
        code: &CodeKey,
    ) -> Result<Option<u64>, EngineError> {
        self.get(
            Column::Index,
            &keys::returned_line(seller, receipt_id, code),
        )?
        .map(|value| keys::trailing_u64(&value))
        .transpose()
    }

    /// The dates a fiscal data operator serves a seller, if it was ever registered to.
    pub fn fiscal_agency(
        &self,
        operator: &TaxpayerId,
        seller: &TaxpayerId,
    ) -> Result<Option<FiscalAgency>, EngineError> {
        self.record(Column::Index, &keys::fiscal_agency(operator, seller))
    }

    /// An emission order.
    pub fn order(&self, order: u64) -> Result<Option<OrderRecord>, EngineError> {
        self.record(Column::Orders, &keys::sequence(order))
    }

    /// Writes a document.
    pub fn put_document(&mut self, document: u64, record: &DocumentRecord) {
        self.put(
            Column::Documents,
            keys::sequence(document).to_vec(),
            encode(record),
        );
    }

    /// What a participant has ordered and not yet been issued.
    pub fn backlog(&self, id: &TaxpayerId) -> Result<OrderBacklog, EngineError> {
        Ok(self
            .record(Column::Index, &keys::backlog(id))?
            .unwrap_or_default())
    }

    /// Writes a participant's backlog (deleting it when empty).
    pub fn put_backlog(&mut self, id: &TaxpayerId, backlog: &OrderBacklog) {
        if *backlog == OrderBacklog::default() {
            self.delete(Column::Index, keys::backlog(id));
        } else {
            self.put(Column::Index, keys::backlog(id), encode(backlog));
        }
    }

    /// A document.
    pub fn document(&self, document: u64) -> Result<Option<DocumentRecord>, EngineError> {
        self.record(Column::Documents, &keys::sequence(document))
    }

    /// A package's direct children, at most `limit`.
    pub fn children(&self, parent: &CodeKey, limit: usize) -> Result<Vec<CodeKey>, EngineError> {
        let prefix = keys::code(parent);
        self.scan_prefix(Column::Children, &prefix, limit)?
            .iter()
            .map(|(key, _)| keys::read_code(&key[prefix.len()..]).map(|(child, _)| child))
            .collect()
    }

    /// A code and everything inside it, parents before children, at most
    /// [`limits::COMMAND_AFFECTED_CODES_MAX`] codes in all (`counted` carries the count across
    /// several roots of one command). Each package's content is read in one batch.
    pub fn subtree(
        &self,
        root: &CodeKey,
        counted: &mut usize,
    ) -> Result<Vec<(CodeKey, CodeRecord)>, EngineError> {
        let mut count = |added: usize| count_affected(counted, added);
        count(1)?;
        let mut out = vec![(*root, self.existing_code(root)?)];
        let mut next = 0;
        while next < out.len() {
            let (code, record) = &out[next];
            next += 1;
            if record.contents_total() == 0 {
                continue;
            }
            let code = *code;
            let children = self.children(&code, limits::PACKAGE_CHILDREN_MAX)?;
            count(children.len())?;
            let records = self.existing_codes(&children)?;
            for (child, child_record) in children.into_iter().zip(records) {
                assert_eq!(
                    child_record.parent,
                    Some(code),
                    "children index and parent agree"
                );
                out.push((child, child_record));
            }
        }
        Ok(out)
    }

    /// The packages a code is in, innermost first.
    pub fn ancestors(&self, code: &CodeKey) -> Result<Vec<(CodeKey, CodeRecord)>, EngineError> {
        self.ancestors_above(self.existing_code(code)?.parent)
    }

    /// `parent` and the packages it is in, innermost first (none for `None`).
    fn ancestors_above(
        &self,
        parent: Option<CodeKey>,
    ) -> Result<Vec<(CodeKey, CodeRecord)>, EngineError> {
        let mut out = Vec::new();
        let mut next = parent;
        while let Some(parent) = next {
            assert!(
                out.len() < tanba_types::PACKAGE_DEPTH_MAX,
                "package depth is bounded by PACKAGE_DEPTH_MAX"
            );
            let record = self.existing_code(&parent)?;
            next = record.parent;
            out.push((parent, record));
        }
        Ok(out)
    }

    /// How many package levels sit below `code` (0 for a code with nothing inside).
    /// Codes in `leaving` are about to be taken out, and do not count.
    pub fn height(
        &self,
        code: &CodeKey,
        record: &CodeRecord,
        leaving: &HashSet<CodeKey>,
    ) -> Result<usize, EngineError> {
        if record.contents_total() == 0 {
            return Ok(0);
        }
        let prefix = keys::code(code);
        let unit = [level_index(PackageLevel::Unit) as u8];
        let mut height = None;
        for (key, level) in
            self.scan_prefix(Column::Children, &prefix, limits::PACKAGE_CHILDREN_MAX)?
        {
            let (child, _) = keys::read_code(&key[prefix.len()..])?;
            if leaving.contains(&child) {
                continue;
            }
            // The index holds each child's level: a unit holds nothing and needs no read.
            let below = if level == unit {
                0
            } else {
                self.height(&child, &self.existing_code(&child)?, leaving)?
            };
            height = Some(height.unwrap_or(0).max(below));
        }
        // A package whose whole content leaves is empty: height 0.
        Ok(height.map_or(0, |below| below + 1))
    }
}

#[cfg(test)]
mod tests {
    //! The layers a read goes through: pending changes, changes handed over, the store.

    use tanba_store::MemoryStore;

    use super::*;

    fn value(store: &dyn Store, pending: &mut Pending, key: &[u8]) -> Option<Vec<u8>> {
        State::new(store, pending)
            .get(Column::Children, key)
            .unwrap()
    }

    fn scanned(store: &dyn Store, pending: &mut Pending) -> Vec<Entry> {
        State::new(store, pending)
            .scan_prefix(Column::Children, b"", 100)
            .unwrap()
    }

    /// A store holding `keys` in `column`, each with the value `stored`.
    fn store_holding(column: Column, keys: &[&[u8]]) -> MemoryStore {
        let store = MemoryStore::new();
        let mut batch = WriteBatch::new();
        for key in keys {
            batch.put(column, key.to_vec(), b"stored".to_vec()).unwrap();
        }
        store.write(batch, Durability::Buffered).unwrap();
        store
    }

    #[test]
    fn changes_handed_over_are_read_until_the_next_hand_over_and_newer_changes_win() {
        let store = store_holding(Column::Children, &[b"a", b"b", b"c"]);
        let mut pending = Pending::for_replay();
        let mut state = State::new(&store, &mut pending);
        state.put(Column::Children, b"b".to_vec(), b"handed over".to_vec());
        state.delete(Column::Children, b"c".to_vec());
        state.put(Column::Children, b"d".to_vec(), b"handed over".to_vec());
        let handed_over = pending.hand_over();
        assert!(pending.is_empty(), "a hand-over starts afresh");
        // Not loaded yet: read through.
        assert_eq!(
            value(&store, &mut pending, b"b"),
            Some(b"handed over".to_vec())
        );
        assert_eq!(value(&store, &mut pending, b"c"), None, "deleted");
        let mut state = State::new(&store, &mut pending);
        state.put(Column::Children, b"d".to_vec(), b"pending".to_vec());
        state.delete(Column::Children, b"a".to_vec());
        let keys_and_values = |entries: Vec<Entry>| -> Vec<(String, String)> {
            (entries.into_iter())
                .map(|(k, v)| (String::from_utf8(k).unwrap(), String::from_utf8(v).unwrap()))
                .collect()
        };
        let expected = vec![
            ("b".to_owned(), "handed over".to_owned()),
            ("d".to_owned(), "pending".to_owned()),
        ];
        assert_eq!(keys_and_values(scanned(&store, &mut pending)), expected);
        // Loaded: the same answers, now from the store under the newer changes.
        handed_over.load_into(&store).unwrap();
        assert_eq!(keys_and_values(scanned(&store, &mut pending)), expected);
        pending.load_into(&store).unwrap();
        let mut fresh = Pending::for_replay();
        assert_eq!(keys_and_values(scanned(&store, &mut fresh)), expected);
    }

    #[test]
    fn a_group_scans_a_hashed_column_in_key_order_with_its_changes_over_the_store() {
        let store = store_holding(Column::Codes, &[b"pa", b"pc", b"pe", b"q"]);
        let mut pending = Pending::default();
        let mut state = State::new(&store, &mut pending);
        for key in [&b"pf"[..], b"pb", b"o", b"pd", b"r"] {
            state.put(Column::Codes, key.to_vec(), b"pending".to_vec());
        }
        state.delete(Column::Codes, b"pe".to_vec());
        state.put(Column::Codes, b"pc".to_vec(), b"changed".to_vec());
        let found = state.scan_from(Column::Codes, b"p", b"pb", 4).unwrap();
        let found: Vec<(&[u8], &[u8])> = (found.iter())
            .map(|(key, value)| (key.as_slice(), value.as_slice()))
            .collect();
        assert_eq!(
            found,
            [
                (&b"pb"[..], &b"pending"[..]),
                (b"pc", b"changed"),
                (b"pd", b"pending"),
                (b"pf", b"pending"),
            ]
        );
    }
}
