//! Owners' statistics (R-IS-14), kept as the engine applies events rather than computed per
//! request, so any owner's figures for any period answer in a few reads however many codes
//! exist.
//!
//! Every change of a code record passes [`crate::state::State::put_code`], which hands the
//! record before and after to [`Statistics::count`]. Two kinds of counters follow from that
//! comparison alone:
//!
//! - **Stock**: holder x product x status (blocked or not). A code is counted by its own product
//!   (a GTIN; every transport package falls under [`TRANSPORT_ITEM`]). Ownership lives on the
//!   outermost package, so the counters count the outermost packages, each with everything
//!   inside it: a package carries its content's tally ([`CodeRecord::content_stock`]), and
//!   accepting a 25,000-unit pallet moves the pallet's tally from seller to buyer on one record.
//! - **Flows**: holder x day (Kazakhstan's date of the event) x product x [`Flow`]. A status
//!   change or a block counts the code itself; a shipment and an acceptance count the
//!   outermost package with its content.
//!
//! The deltas of a group are summed in memory and each counter is read and written once when
//! the group's batch is made ([`Statistics::write`]), so a till's sales do not pay a write per
//! sale. Counters are state like any other: replay rebuilds them byte for byte.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tanba_store::{Column, Snapshot, Store, WriteBatch};
use tanba_types::{CodeKey, CodeStatus, Date, Gtin, TaxpayerId, WithdrawalReason};

use crate::error::EngineError;
use crate::keys;
use crate::records::{CodeRecord, decode, encode};

/// The product under which transport packages (SSCCs) are counted.
pub const TRANSPORT_ITEM: u64 = 0;

/// How many statuses stock is counted by: emitted, applied, introduced, and withdrawn for each
/// reason.
pub const STATUSES: usize = 3 + WithdrawalReason::ALL.len();

/// Stock buckets: each status, unblocked and blocked.
pub const STOCK_BUCKETS: usize = 2 * STATUSES;

/// The longest period one statistics query covers, in days.
pub const STATISTICS_DAYS_MAX: u32 = 400;

/// The most counter entries one statistics query reads (products x days); past it the answer
/// says it is truncated.
pub const STATISTICS_ENTRIES_MAX: usize = 50_000;

/// The product a code is counted under: its GTIN as a number, or [`TRANSPORT_ITEM`].
pub fn item_of(code: &CodeKey) -> u64 {
    code.gtin()
        .map_or(TRANSPORT_ITEM, |gtin| keys::gtin_number(&gtin))
}

/// The GTIN a counted product stands for (`None` for transport packages).
pub fn item_gtin(item: u64) -> Result<Option<Gtin>, EngineError> {
    if item == TRANSPORT_ITEM {
        return Ok(None);
    }
    Gtin::from_gtin14_bytes(format!("{item:014}").as_bytes())
        .map(Some)
        .map_err(|_| EngineError::Corrupt(format!("counted product {item} is no GTIN")))
}

/// The index of a status among [`STATUSES`].
pub fn status_index(status: CodeStatus) -> usize {
    match status {
        CodeStatus::Emitted => 0,
        CodeStatus::Applied => 1,
        CodeStatus::Introduced => 2,
        CodeStatus::Withdrawn(reason) => {
            3 + (WithdrawalReason::ALL.iter())
                .position(|known| *known == reason)
                .expect("ALL lists every reason")
        }
    }
}

/// The status at an index of [`STATUSES`].
pub fn status_at(index: usize) -> CodeStatus {
    match index {
        0 => CodeStatus::Emitted,
        1 => CodeStatus::Applied,
        2 => CodeStatus::Introduced,
        _ => CodeStatus::Withdrawn(WithdrawalReason::ALL[index - 3]),
    }
}

/// A code's own stock bucket: its status, blocked or not.
fn bucket_of(record: &CodeRecord) -> u8 {
    let blocked = usize::from(!record.blockers.is_empty());
    u8::try_from(2 * status_index(record.status) + blocked).expect("fewer than 256 buckets")
}

/// What happened to goods, counted per holder, day and product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// Codes issued for the holder's orders.
    Issued,
    /// Codes reported applied to goods.
    Applied,
    /// Goods introduced into circulation.
    Introduced,
    /// Goods shipped (counted when the shipment leaves).
    Shipped,
    /// Goods accepted from a shipment (counted for the buyer).
    Accepted,
    /// Goods sold at retail.
    Sold,
    /// Goods brought back by a retail return.
    Returned,
    /// Goods exported (to an EAEU state or outside the EAEU).
    Exported,
    /// Goods written off, destroyed or confiscated.
    WrittenOff,
    /// Goods disposed of in a recall.
    Recalled,
    /// Codes blocked (the first block on a code).
    Blocked,
    /// Codes unblocked (the last block lifted).
    Unblocked,
}

impl Flow {
    /// Every flow, in counter order.
    pub const ALL: [Flow; 12] = [
        Flow::Issued,
        Flow::Applied,
        Flow::Introduced,
        Flow::Shipped,
        Flow::Accepted,
        Flow::Sold,
        Flow::Returned,
        Flow::Exported,
        Flow::WrittenOff,
        Flow::Recalled,
        Flow::Blocked,
        Flow::Unblocked,
    ];

    /// The flow's stable name (in JSON, the CLI and message ids).
    pub fn name(&self) -> &'static str {
        match self {
            Flow::Issued => "issued",
            Flow::Applied => "applied",
            Flow::Introduced => "introduced",
            Flow::Shipped => "shipped",
            Flow::Accepted => "accepted",
            Flow::Sold => "sold",
            Flow::Returned => "returned",
            Flow::Exported => "exported",
            Flow::WrittenOff => "written_off",
            Flow::Recalled => "recalled",
            Flow::Blocked => "blocked",
            Flow::Unblocked => "unblocked",
        }
    }

    /// The flow named `name`.
    pub fn from_name(name: &str) -> Option<Flow> {
        Flow::ALL.into_iter().find(|flow| flow.name() == name)
    }

    fn index(self) -> usize {
        Flow::ALL
            .iter()
            .position(|flow| *flow == self)
            .expect("ALL lists every flow")
    }

    /// The flow a code's own status change makes, if any.
    fn of_status_change(before: CodeStatus, after: CodeStatus) -> Option<Flow> {
        if before == after {
            return None;
        }
        Some(match after {
            CodeStatus::Emitted => return None,
            CodeStatus::Applied => Flow::Applied,
            CodeStatus::Introduced
                if before == CodeStatus::Withdrawn(WithdrawalReason::RetailSale) =>
            {
                Flow::Returned
            }
            CodeStatus::Introduced => Flow::Introduced,
            CodeStatus::Withdrawn(reason) => match reason {
                WithdrawalReason::RetailSale => Flow::Sold,
                WithdrawalReason::ExportToEaeu | WithdrawalReason::ExportOutsideEaeu => {
                    Flow::Exported
                }
                WithdrawalReason::RecallDisposal => Flow::Recalled,
                WithdrawalReason::WriteOff
                | WithdrawalReason::Destruction
                | WithdrawalReason::Confiscation => Flow::WrittenOff,
            },
        })
    }
}

/// Codes counted by product and stock bucket: what a package holds at any depth. Sorted by
/// (product, bucket), no zero counts, so one content has one byte form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockTally(Vec<(u64, u8, u32)>);

impl StockTally {
    /// A code itself and everything inside it.
    pub fn of(code: &CodeKey, record: &CodeRecord) -> StockTally {
        let mut tally = record.content_stock.clone();
        tally.change(item_of(code), bucket_of(record), 1);
        tally
    }

    /// Adds `delta` codes (may be negative) to one product and bucket.
    fn change(&mut self, item: u64, bucket: u8, delta: i64) {
        match self
            .0
            .binary_search_by_key(&(item, bucket), |(i, b, _)| (*i, *b))
        {
            Ok(at) => {
                let count = i64::from(self.0[at].2) + delta;
                let count = u32::try_from(count).expect("a package's counts stay in 0..=u32::MAX");
                if count == 0 {
                    self.0.remove(at);
                } else {
                    self.0[at].2 = count;
                }
            }
            Err(at) => {
                let count = u32::try_from(delta).expect("a count never goes below zero");
                if count > 0 {
                    self.0.insert(at, (item, bucket, count));
                }
            }
        }
    }

    /// Adds (`sign` 1) or takes away (`sign` -1) another tally.
    pub fn add(&mut self, other: &StockTally, sign: i64) {
        for (item, bucket, count) in &other.0 {
            self.change(*item, *bucket, sign * i64::from(*count));
        }
    }

    /// Whether nothing is counted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// (product, bucket, count), in order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u8, u32)> + '_ {
        self.0.iter().copied()
    }
}

/// Counter deltas of a group, not yet written.
#[derive(Debug, Default, Clone)]
pub struct Statistics {
    stock: Deltas<(TaxpayerId, u64), [i64; STOCK_BUCKETS]>,
    flows: Deltas<(TaxpayerId, i32, u64), [u64; Flow::ALL.len()]>,
}

/// Deltas by counter key. The key used last is answered before the map is hashed: a group's
/// changes come in runs on one counter (an issue's codes, a till's sales of one product), and
/// hashing a key per changed code cost a tenth of issuing's throughput.
#[derive(Debug, Clone)]
struct Deltas<K, V> {
    entries: Vec<(K, V)>,
    index: HashMap<K, usize>,
    last: usize,
}

impl<K, V> Default for Deltas<K, V> {
    fn default() -> Self {
        Deltas {
            entries: Vec::new(),
            index: HashMap::new(),
            last: 0,
        }
    }
}

impl<K: std::hash::Hash + Eq + Copy, V: Default> Deltas<K, V> {
    /// The deltas of `key`, zero at first.
    fn slot(&mut self, key: K) -> &mut V {
        let hit = self
            .entries
            .get(self.last)
            .is_some_and(|(last, _)| *last == key);
        if !hit {
            self.last = *self.index.entry(key).or_insert_with(|| {
                self.entries.push((key, V::default()));
                self.entries.len() - 1
            });
        }
        &mut self.entries[self.last].1
    }

    /// Every key with its deltas, in key order.
    fn into_sorted(self) -> Vec<(K, V)>
    where
        K: Ord,
    {
        let mut entries = self.entries;
        entries.sort_unstable_by_key(|(key, _)| *key);
        entries
    }
}

/// One flow a record change makes: whose it is and what it counts.
enum Counted<'a> {
    /// The code alone.
    Itself,
    /// The code and its content.
    WithContent(&'a CodeRecord),
}

impl Statistics {
    /// Counts the change of `code` from `before` to `after` on `day`. `holder` tells who holds
    /// `after` (for a packed code, the outermost package's owner: a read, so it is asked only
    /// when a flow counts the code itself).
    pub fn count(
        &mut self,
        day: Date,
        code: &CodeKey,
        before: Option<&CodeRecord>,
        after: &CodeRecord,
        holder: impl FnOnce() -> Result<TaxpayerId, EngineError>,
    ) -> Result<(), EngineError> {
        let is_root = |record: &CodeRecord| record.parent.is_none();
        if let Some(before) = before.filter(|record| is_root(record)) {
            self.add_stock(before.owner, code, before, -1);
        }
        if is_root(after) {
            self.add_stock(after.owner, code, after, 1);
        }
        let day = day.days_since_epoch();
        let mut holder = Some(holder);
        let mut held_by = None;
        for (flow, counted) in flows(before, after) {
            match counted {
                Counted::Itself => {
                    let owner = match (held_by, holder.take()) {
                        (Some(owner), _) => owner,
                        (None, Some(ask)) => *held_by.insert(ask()?),
                        (None, None) => unreachable!("the holder is asked once and kept"),
                    };
                    self.add_flow((owner, day, item_of(code)), flow, 1);
                }
                Counted::WithContent(root) => {
                    for (item, _, count) in StockTally::of(code, root).iter() {
                        self.add_flow((root.owner, day, item), flow, count);
                    }
                }
            }
        }
        Ok(())
    }

    fn add_flow(&mut self, key: (TaxpayerId, i32, u64), flow: Flow, count: u32) {
        self.flows.slot(key)[flow.index()] += u64::from(count);
    }

    /// Adds (`sign` 1) or takes away (`sign` -1) an outermost code and its content.
    fn add_stock(&mut self, owner: TaxpayerId, code: &CodeKey, record: &CodeRecord, sign: i64) {
        let own = (item_of(code), bucket_of(record), 1);
        for (item, bucket, count) in std::iter::once(own).chain(record.content_stock.iter()) {
            self.stock.slot((owner, item))[usize::from(bucket)] += sign * i64::from(count);
        }
    }

    /// Adds the deltas to the counters in `store` and puts the new values into `batch`, in key
    /// order (a counter back at zero is deleted).
    pub fn write(self, store: &dyn Store, batch: &mut WriteBatch) -> Result<(), EngineError> {
        for ((owner, item), deltas) in self.stock.into_sorted() {
            let key = keys::stock(&owner, item);
            let mut counts = read_counts::<STOCK_BUCKETS>(store.get(Column::Index, &key)?)?;
            // Derived figures never refuse the sale or the acceptance that moves them: a count
            // that would go below zero (a bug the simulation's recount is there to catch) stops
            // at zero.
            for (count, delta) in counts.iter_mut().zip(deltas) {
                *count = count.saturating_add_signed(delta);
            }
            put_counts(batch, key, &counts)?;
        }
        for ((owner, day, item), deltas) in self.flows.into_sorted() {
            let key = keys::flow(&owner, day, item);
            let mut counts = read_counts::<{ Flow::ALL.len() }>(store.get(Column::Index, &key)?)?;
            for (count, delta) in counts.iter_mut().zip(deltas) {
                *count = count.checked_add(delta).expect("flows fit u64");
            }
            put_counts(batch, key, &counts)?;
        }
        Ok(())
    }
}

/// The flows a record change makes, and what each counts.
fn flows<'a>(before: Option<&CodeRecord>, after: &'a CodeRecord) -> Vec<(Flow, Counted<'a>)> {
    let mut out = Vec::new();
    let Some(before) = before else {
        if after.status == CodeStatus::Emitted {
            out.push((Flow::Issued, Counted::Itself));
        }
        return out;
    };
    if let Some(flow) = Flow::of_status_change(before.status, after.status) {
        out.push((flow, Counted::Itself));
    }
    match (before.blockers.is_empty(), after.blockers.is_empty()) {
        (true, false) => out.push((Flow::Blocked, Counted::Itself)),
        (false, true) => out.push((Flow::Unblocked, Counted::Itself)),
        _ => {}
    }
    // Outermost before and after: a shipment leaving, or the buyer taking the goods.
    if before.parent.is_none() && after.parent.is_none() {
        if before.in_transit.is_none() && after.in_transit.is_some() {
            out.push((Flow::Shipped, Counted::WithContent(after)));
        }
        if before.owner != after.owner {
            out.push((Flow::Accepted, Counted::WithContent(after)));
        }
    }
    out
}

/// Counters as stored: (index, count) pairs for the counts that are not zero.
fn read_counts<const N: usize>(stored: Option<Vec<u8>>) -> Result<[u64; N], EngineError> {
    let mut counts = [0; N];
    if let Some(bytes) = stored {
        let pairs: Vec<(u8, u64)> = decode(&bytes)?;
        for (index, count) in pairs {
            let slot = counts.get_mut(usize::from(index)).ok_or_else(|| {
                EngineError::Corrupt(format!("counter index {index} is out of range"))
            })?;
            *slot = count;
        }
    }
    Ok(counts)
}

fn put_counts(batch: &mut WriteBatch, key: Vec<u8>, counts: &[u64]) -> Result<(), EngineError> {
    let pairs: Vec<(u8, u64)> = (counts.iter().enumerate())
        .filter(|(_, count)| **count > 0)
        .map(|(index, count)| (u8::try_from(index).expect("few counters"), *count))
        .collect();
    if pairs.is_empty() {
        batch.delete(Column::Index, key)?;
    } else {
        batch.put(Column::Index, key, encode(&pairs))?;
    }
    Ok(())
}

/// Codes an owner holds of one product in one status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockRow {
    /// The product (`None`: transport packages).
    pub gtin: Option<Gtin>,
    /// The status.
    pub status: CodeStatus,
    /// How many codes, blocked ones included.
    pub codes: u64,
    /// How many of them are blocked.
    pub blocked: u64,
}

/// How many codes of one product took one flow on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowRow {
    /// The day (Kazakhstan's date).
    pub day: Date,
    /// The product (`None`: transport packages).
    pub gtin: Option<Gtin>,
    /// The flow.
    pub flow: Flow,
    /// How many codes.
    pub codes: u64,
}

/// An owner's statistics: its stock now and its flows over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OwnerStatistics {
    /// Stock by product and status, products in GTIN order (transport packages first).
    pub stock: Vec<StockRow>,
    /// Flows by day, product and flow, in that order.
    pub flows: Vec<FlowRow>,
    /// Whether more counters lay in the period than [`STATISTICS_ENTRIES_MAX`].
    pub truncated: bool,
}

/// An owner's stock now and its flows from `from` to `to` (inclusive), of one product or all.
pub fn owner_statistics(
    snapshot: &dyn Snapshot,
    owner: &TaxpayerId,
    from: Date,
    to: Date,
    gtin: Option<&Gtin>,
) -> Result<OwnerStatistics, EngineError> {
    check_period(
        from,
        to,
        STATISTICS_DAYS_MAX,
        "days in one statistics query",
    )?;
    let mut out = OwnerStatistics::default();
    let wanted = gtin.map(keys::gtin_number);
    let prefix = match wanted {
        Some(item) => keys::stock(owner, item),
        None => keys::stock_prefix(owner),
    };
    let stock = snapshot.scan_prefix(Column::Index, &prefix, STATISTICS_ENTRIES_MAX + 1)?;
    out.truncated |= stock.len() > STATISTICS_ENTRIES_MAX;
    for (key, value) in stock.into_iter().take(STATISTICS_ENTRIES_MAX) {
        let item = keys::trailing_u64(&key)?;
        let counts = read_counts::<STOCK_BUCKETS>(Some(value))?;
        for (status, pair) in counts.chunks_exact(2).enumerate() {
            if pair[0] + pair[1] > 0 {
                out.stock.push(StockRow {
                    gtin: item_gtin(item)?,
                    status: status_at(status),
                    codes: pair[0] + pair[1],
                    blocked: pair[1],
                });
            }
        }
    }
    match wanted {
        // One product: a read per day, never a walk over the owner's other products.
        Some(item) => {
            for day in from.days_since_epoch()..=to.days_since_epoch() {
                if let Some(value) = snapshot.get(Column::Index, &keys::flow(owner, day, item))? {
                    push_flows(&mut out, day, item, value)?;
                }
            }
        }
        None => all_flows(snapshot, owner, from, to, &mut out)?,
    }
    Ok(out)
}

/// Refuses a period that ends before it starts, or spans `days_max` days or more (`what` names
/// the limit).
pub(crate) fn check_period(
    from: Date,
    to: Date,
    days_max: u32,
    what: &'static str,
) -> Result<(), EngineError> {
    let days = to.days_since_epoch() - from.days_since_epoch();
    if days < 0 {
        return Err(EngineError::Invalid {
            field: "to",
            reason: "the period ends before it starts",
        });
    }
    if days.unsigned_abs() >= days_max {
        return Err(EngineError::LimitExceeded {
            what,
            max: days_max as usize,
        });
    }
    Ok(())
}

/// Every product's flows of an owner over the days, at most [`STATISTICS_ENTRIES_MAX`]
/// counters (past it the answer says it is truncated).
fn all_flows(
    snapshot: &dyn Snapshot,
    owner: &TaxpayerId,
    from: Date,
    to: Date,
    out: &mut OwnerStatistics,
) -> Result<(), EngineError> {
    let prefix = keys::flows_prefix(owner);
    let end = keys::flow(owner, to.days_since_epoch() + 1, 0);
    let mut cursor = keys::flow(owner, from.days_since_epoch(), 0);
    let mut read = 0;
    loop {
        let page = snapshot.scan_from(Column::Index, &prefix, &cursor, PAGE)?;
        let full = page.len() == PAGE;
        for (key, value) in page {
            if key >= end {
                return Ok(());
            }
            read += 1;
            if read > STATISTICS_ENTRIES_MAX {
                out.truncated = true;
                return Ok(());
            }
            let (day, item) = keys::read_flow(&key)?;
            push_flows(out, day, item, value)?;
            cursor = keys::successor(&key);
        }
        if !full {
            return Ok(());
        }
    }
}

/// The rows of one flow counter.
fn push_flows(
    out: &mut OwnerStatistics,
    day: i32,
    item: u64,
    value: Vec<u8>,
) -> Result<(), EngineError> {
    let counts = read_counts::<{ Flow::ALL.len() }>(Some(value))?;
    for (flow, codes) in Flow::ALL.into_iter().zip(counts) {
        if codes > 0 {
            out.flows.push(FlowRow {
                day: Date::from_days_since_epoch(day),
                gtin: item_gtin(item)?,
                flow,
                codes,
            });
        }
    }
    Ok(())
}

/// Counter entries read per scan.
const PAGE: usize = 4_096;
