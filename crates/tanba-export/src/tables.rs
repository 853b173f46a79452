//! The five tables: each kind's Arrow schema (documented in the crate's page) and the builder
//! that turns log entries into its rows. Times are UTC milliseconds (`timestamp[ms, UTC]`),
//! days Kazakhstan's dates (`date32`), participants their 12-digit IIN/BIN, codes their
//! bracketed element strings without tails.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Date32Builder, StringBuilder, TimestampMillisecondBuilder,
    UInt32Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use tanba_engine::query::{self, DocumentState};
use tanba_engine::records::CodeRecord;
use tanba_log::{FeedKind, LogRecord};
use tanba_store::Snapshot;
use tanba_types::{
    Actor, CodeKey, CodeStatus, DataExportKind, Date, Event, PackageLevel, TaxpayerId,
    WithdrawalReason,
};

use crate::ExportError;

/// One log entry as a table reads it: the record and its chain hash.
pub struct Entry<'a> {
    /// The record.
    pub record: &'a LogRecord,
    /// Its chain hash.
    pub hash: &'a [u8; 32],
}

/// Rows of one kind being built.
pub trait Table {
    /// Adds the rows `entry` makes (none for an entry the kind does not cover). Only entries of
    /// [`Table::kind`] are given.
    fn add(&mut self, snapshot: &dyn Snapshot, entry: &Entry) -> Result<(), ExportError>;
    /// The feed kind of every entry that makes rows, if the table takes only some: an entry
    /// stored without it is passed over undecoded (decoding is most of a row's cost, and the
    /// stored kinds are a function of the event: `tanba_log::kinds_of`).
    fn kind(&self) -> Option<FeedKind> {
        None
    }
    /// Rows built and not yet taken.
    fn rows(&self) -> usize;
    /// The rows built so far, as one batch; the builder starts empty again.
    fn finish(&mut self) -> RecordBatch;
}

/// The table builder of a kind; `as_of_ms` is the job's time (a document's outcome after it is
/// not yet known to the job).
pub fn table(kind: DataExportKind, as_of_ms: u64) -> Box<dyn Table> {
    match kind {
        DataExportKind::Events => Box::new(Events::default()),
        DataExportKind::Codes => Box::new(Codes::default()),
        DataExportKind::Documents => Box::new(Documents {
            as_of_ms,
            ..Documents::default()
        }),
        DataExportKind::Sales => Box::new(Sales::default()),
        DataExportKind::Cases => Box::new(Cases::default()),
    }
}

fn time_field(name: &str) -> Field {
    Field::new(
        name,
        DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        false,
    )
}

/// The columns every table starts with: the log entry, its time and its day.
fn entry_fields() -> Vec<Field> {
    vec![
        Field::new("sequence", DataType::UInt64, false),
        time_field("time"),
        Field::new("day", DataType::Date32, false),
    ]
}

/// The builders of [`entry_fields`].
struct EntryColumns {
    sequence: UInt64Builder,
    time: TimestampMillisecondBuilder,
    day: Date32Builder,
}

impl Default for EntryColumns {
    fn default() -> Self {
        EntryColumns {
            sequence: UInt64Builder::new(),
            time: TimestampMillisecondBuilder::new().with_timezone("UTC"),
            day: Date32Builder::new(),
        }
    }
}

impl EntryColumns {
    fn push(&mut self, record: &LogRecord) {
        self.push_at(record.sequence, record.time_ms);
    }

    fn push_at(&mut self, sequence: u64, time_ms: u64) {
        self.sequence.append_value(sequence);
        self.time.append_value(time_ms as i64);
        let day = Date::from_unix_ms_in_kz(time_ms);
        self.day.append_value(day.days_since_epoch());
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        vec![
            Arc::new(self.sequence.finish()),
            Arc::new(self.time.finish()),
            Arc::new(self.day.finish()),
        ]
    }
}

fn batch(schema: SchemaRef, columns: Vec<ArrayRef>) -> RecordBatch {
    RecordBatch::try_new(schema, columns).expect("the builders follow their schema")
}

/// Who submitted an entry, as a table writes it.
fn append_actor(column: &mut StringBuilder, actor: &Actor) {
    match actor {
        Actor::System => column.append_value("system"),
        Actor::Public => column.append_value("public"),
        Actor::Participant(id) | Actor::FiscalOperator { operator: id, .. } => {
            append_id(column, id)
        }
    }
}

/// Appends an IIN/BIN (written straight into the column).
fn append_id(column: &mut StringBuilder, id: &TaxpayerId) {
    use std::fmt::Write as _;
    let _ = write!(column, "{id}");
    column.append_value("");
}

/// Appends a code's text as a row's value, written straight into the column (no `String` per
/// row: a row of a sales table is a few hundred nanoseconds in all).
fn append_code(column: &mut StringBuilder, code: &CodeKey) {
    use std::fmt::Write as _;
    let _ = write!(column, "{code}");
    column.append_value("");
}

/// Appends a code's GTIN, null for an SSCC.
fn append_gtin(column: &mut StringBuilder, code: &CodeKey) {
    match code.gtin() {
        Some(gtin) => column.append_value(gtin.as_str()),
        None => column.append_null(),
    }
}

/// A status and its withdrawal reason by their stable (snake_case) names.
fn status_text(status: CodeStatus) -> (&'static str, Option<&'static str>) {
    let reason = |reason| match reason {
        WithdrawalReason::RetailSale => "retail_sale",
        WithdrawalReason::ExportToEaeu => "export_to_eaeu",
        WithdrawalReason::ExportOutsideEaeu => "export_outside_eaeu",
        WithdrawalReason::WriteOff => "write_off",
        WithdrawalReason::Destruction => "destruction",
        WithdrawalReason::RecallDisposal => "recall_disposal",
        WithdrawalReason::Confiscation => "confiscation",
    };
    match status {
        CodeStatus::Emitted => ("emitted", None),
        CodeStatus::Applied => ("applied", None),
        CodeStatus::Introduced => ("introduced", None),
        CodeStatus::Withdrawn(why) => ("withdrawn", Some(reason(why))),
    }
}

fn level_text(level: PackageLevel) -> &'static str {
    match level {
        PackageLevel::Unit => "unit",
        PackageLevel::Group => "group",
        PackageLevel::Transport => "transport",
    }
}

/// How many codes an event names (a package counts once, whatever it holds).
fn codes_named(event: &Event) -> usize {
    match event {
        Event::CodesIssued { codes, .. } => codes.len(),
        Event::CodesApplied { codes, .. }
        | Event::CodesIntroduced { codes, .. }
        | Event::Disaggregated { codes }
        | Event::Withdrawn { codes, .. }
        | Event::Returned { codes, .. }
        | Event::Blocked { codes, .. }
        | Event::Unblocked { codes, .. } => codes.len(),
        Event::TransportPackageCreated { .. } => 1,
        Event::Aggregated { children, .. } => children.len() + 1,
        Event::Shipped { items, .. } => items.len(),
        Event::Accepted {
            accepted, returned, ..
        } => accepted.len() + returned.len(),
        Event::Sold { sold, .. } => sold.len(),
        _ => 0,
    }
}

/// `events`: every log entry.
pub struct Events {
    entry: EntryColumns,
    event: StringBuilder,
    actor: StringBuilder,
    acting_for: StringBuilder,
    codes: UInt32Builder,
    hash: StringBuilder,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            entry: EntryColumns::default(),
            event: StringBuilder::new(),
            actor: StringBuilder::new(),
            acting_for: StringBuilder::new(),
            codes: UInt32Builder::new(),
            hash: StringBuilder::new(),
        }
    }
}

impl Events {
    /// The schema.
    pub fn schema() -> SchemaRef {
        let mut fields = entry_fields();
        fields.extend([
            Field::new("event", DataType::Utf8, false),
            Field::new("actor", DataType::Utf8, false),
            Field::new("acting_for", DataType::Utf8, true),
            Field::new("codes", DataType::UInt32, false),
            Field::new("hash", DataType::Utf8, false),
        ]);
        Arc::new(Schema::new(fields))
    }
}

impl Table for Events {
    fn add(&mut self, _: &dyn Snapshot, entry: &Entry) -> Result<(), ExportError> {
        let record = entry.record;
        self.entry.push(record);
        self.event.append_value(record.event.name());
        append_actor(&mut self.actor, &record.actor);
        match record.actor {
            Actor::FiscalOperator { seller, .. } => append_id(&mut self.acting_for, &seller),
            _ => self.acting_for.append_null(),
        }
        let codes = u32::try_from(codes_named(&record.event)).unwrap_or(u32::MAX);
        self.codes.append_value(codes);
        self.hash
            .append_value(tanba_crypto::encoding::hex(entry.hash));
        Ok(())
    }

    fn rows(&self) -> usize {
        self.entry.sequence.len()
    }

    fn finish(&mut self) -> RecordBatch {
        let mut columns = self.entry.finish();
        columns.extend([
            Arc::new(self.event.finish()) as ArrayRef,
            Arc::new(self.actor.finish()),
            Arc::new(self.acting_for.finish()),
            Arc::new(self.codes.finish()),
            Arc::new(self.hash.finish()),
        ]);
        batch(Events::schema(), columns)
    }
}

/// `codes`: each code created in the period (issued, or a transport package made), as it
/// stands when the file is written. Its rows come from the log's entries (each code an entry
/// names, read at random) or from a scan of the codes column ([`Codes::add_stored`], rows in
/// key order: `crate::codes_scan`).
pub struct Codes {
    entry: EntryColumns,
    code: StringBuilder,
    gtin: StringBuilder,
    level: StringBuilder,
    status: StringBuilder,
    reason: StringBuilder,
    holder: StringBuilder,
    package: StringBuilder,
    production_date: Date32Builder,
    expiry_date: Date32Builder,
    batch: StringBuilder,
    blocked: BooleanBuilder,
    /// Holders of the packages met so far: a package's content shares its outermost holder.
    holders: HashMap<CodeKey, TaxpayerId>,
}

impl Default for Codes {
    fn default() -> Self {
        Codes {
            entry: EntryColumns::default(),
            code: StringBuilder::new(),
            gtin: StringBuilder::new(),
            level: StringBuilder::new(),
            status: StringBuilder::new(),
            reason: StringBuilder::new(),
            holder: StringBuilder::new(),
            package: StringBuilder::new(),
            production_date: Date32Builder::new(),
            expiry_date: Date32Builder::new(),
            batch: StringBuilder::new(),
            blocked: BooleanBuilder::new(),
            holders: HashMap::new(),
        }
    }
}

/// Packages whose holders a codes table remembers at most.
const HOLDERS_REMEMBERED_MAX: usize = 100_000;

impl Codes {
    /// The schema (`sequence`, `time`, `day`: the entry that created the code).
    pub fn schema() -> SchemaRef {
        let mut fields = entry_fields();
        fields.extend([
            Field::new("code", DataType::Utf8, false),
            Field::new("gtin", DataType::Utf8, true),
            Field::new("level", DataType::Utf8, false),
            Field::new("status", DataType::Utf8, false),
            Field::new("withdrawal_reason", DataType::Utf8, true),
            Field::new("holder", DataType::Utf8, false),
            Field::new("package", DataType::Utf8, true),
            Field::new("production_date", DataType::Date32, true),
            Field::new("expiry_date", DataType::Date32, true),
            Field::new("batch", DataType::Utf8, true),
            Field::new("blocked", DataType::Boolean, false),
        ]);
        Arc::new(Schema::new(fields))
    }

    /// Who holds a code: itself outside any package, else its outermost package's owner.
    fn holder(
        &mut self,
        snapshot: &dyn Snapshot,
        record: &CodeRecord,
    ) -> Result<TaxpayerId, ExportError> {
        let Some(parent) = record.parent else {
            return Ok(record.owner);
        };
        if let Some(holder) = self.holders.get(&parent) {
            return Ok(*holder);
        }
        let mut next = Some(parent);
        let mut holder = record.owner;
        while let Some(package) = next {
            let above = query::code_record(snapshot, &package)?
                .ok_or_else(|| ExportError::Corrupt(format!("package {package} is missing")))?;
            holder = above.owner;
            next = above.parent;
        }
        if self.holders.len() >= HOLDERS_REMEMBERED_MAX {
            self.holders.clear();
        }
        self.holders.insert(parent, holder);
        Ok(holder)
    }

    /// Adds the rows of `codes`, read in one batch (in key order).
    fn push_all(
        &mut self,
        snapshot: &dyn Snapshot,
        record: &LogRecord,
        codes: &[CodeKey],
    ) -> Result<(), ExportError> {
        query::each_code_record(snapshot, codes, |code, stored| {
            let stored =
                stored.ok_or_else(|| ExportError::Corrupt(format!("code {code} is missing")))?;
            self.add_stored(snapshot, (record.sequence, record.time_ms), code, &stored)
        })
    }

    /// Adds the row of `code` as `stored`, created by the log entry `created` (its sequence
    /// and time).
    pub fn add_stored(
        &mut self,
        snapshot: &dyn Snapshot,
        (sequence, time_ms): (u64, u64),
        code: &CodeKey,
        stored: &CodeRecord,
    ) -> Result<(), ExportError> {
        let holder = self.holder(snapshot, stored)?;
        self.entry.push_at(sequence, time_ms);
        append_code(&mut self.code, code);
        append_gtin(&mut self.gtin, code);
        self.level.append_value(level_text(stored.level));
        let (status, reason) = status_text(stored.status);
        self.status.append_value(status);
        self.reason.append_option(reason);
        append_id(&mut self.holder, &holder);
        match &stored.parent {
            Some(parent) => append_code(&mut self.package, parent),
            None => self.package.append_null(),
        }
        let days = |date: Option<Date>| date.map(|date| date.days_since_epoch());
        self.production_date
            .append_option(days(stored.production_date));
        self.expiry_date.append_option(days(stored.expiry_date));
        self.batch.append_option(stored.batch.as_deref());
        self.blocked.append_value(!stored.blockers.is_empty());
        Ok(())
    }
}

impl Table for Codes {
    fn kind(&self) -> Option<FeedKind> {
        Some(FeedKind::Goods)
    }

    fn add(&mut self, snapshot: &dyn Snapshot, entry: &Entry) -> Result<(), ExportError> {
        let record = entry.record;
        match &record.event {
            Event::CodesIssued { codes, .. } => {
                let Some(gtin) = issued_gtin(snapshot, &record.event)? else {
                    return Ok(());
                };
                let keys: Vec<CodeKey> = (codes.iter())
                    .map(|issued| CodeKey::item(gtin, issued.serial))
                    .collect();
                self.push_all(snapshot, record, &keys)?;
            }
            Event::TransportPackageCreated { sscc, .. } => {
                self.push_all(snapshot, record, &[CodeKey::Sscc(*sscc)])?;
            }
            _ => {}
        }
        Ok(())
    }

    fn rows(&self) -> usize {
        self.entry.sequence.len()
    }

    fn finish(&mut self) -> RecordBatch {
        let mut columns = self.entry.finish();
        columns.extend([
            Arc::new(self.code.finish()) as ArrayRef,
            Arc::new(self.gtin.finish()),
            Arc::new(self.level.finish()),
            Arc::new(self.status.finish()),
            Arc::new(self.reason.finish()),
            Arc::new(self.holder.finish()),
            Arc::new(self.package.finish()),
            Arc::new(self.production_date.finish()),
            Arc::new(self.expiry_date.finish()),
            Arc::new(self.batch.finish()),
            Arc::new(self.blocked.finish()),
        ]);
        batch(Codes::schema(), columns)
    }
}

/// The product of an issue: its order's.
fn issued_gtin(
    snapshot: &dyn Snapshot,
    event: &Event,
) -> Result<Option<tanba_types::Gtin>, ExportError> {
    let Event::CodesIssued { order, .. } = event else {
        return Ok(None);
    };
    let order = query::order(snapshot, *order)?
        .ok_or_else(|| ExportError::Corrupt(format!("order {order} is missing")))?;
    Ok(Some(order.gtin))
}

/// `documents`: each item of each accompanying document shipped in the period, with the
/// document's outcome as the job knew it.
#[derive(Default)]
pub struct Documents {
    entry: EntryColumns,
    document: UInt64Builder,
    seller: StringBuilder,
    buyer: StringBuilder,
    item: StringBuilder,
    outcome: StringBuilder,
    outcome_time: TimestampMillisecondBuilder,
    as_of_ms: u64,
}

impl Documents {
    /// The schema (`sequence`, `time`, `day`: the shipment's entry; `document` is its id).
    pub fn schema() -> SchemaRef {
        let mut fields = entry_fields();
        fields.extend([
            Field::new("document", DataType::UInt64, false),
            Field::new("seller", DataType::Utf8, false),
            Field::new("buyer", DataType::Utf8, false),
            Field::new("item", DataType::Utf8, false),
            Field::new("outcome", DataType::Utf8, false),
            Field::new(
                "outcome_time",
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                true,
            ),
        ]);
        Arc::new(Schema::new(fields))
    }
}

impl Table for Documents {
    fn kind(&self) -> Option<FeedKind> {
        Some(FeedKind::Tax)
    }

    fn add(&mut self, snapshot: &dyn Snapshot, entry: &Entry) -> Result<(), ExportError> {
        let record = entry.record;
        let Event::Shipped {
            seller,
            buyer,
            items,
            ..
        } = &record.event
        else {
            return Ok(());
        };
        let document = query::document(snapshot, record.sequence)?;
        // An answer after the job was asked is not the job's to know: the file stays the same
        // whenever it is written.
        let answered = document
            .as_ref()
            .filter(|document| document.answered_ms.is_some_and(|ms| ms <= self.as_of_ms));
        for item in items {
            self.entry.push(record);
            self.document.append_value(record.sequence);
            append_id(&mut self.seller, seller);
            append_id(&mut self.buyer, buyer);
            append_code(&mut self.item, item);
            let outcome = match answered.map(|document| (document.state, document)) {
                None | Some((DocumentState::Pending, _)) => "pending",
                Some((DocumentState::Accepted, document)) if document.returned.contains(item) => {
                    "returned"
                }
                Some((DocumentState::Accepted, _)) => "accepted",
                Some((DocumentState::Rejected, _)) => "rejected",
                Some((DocumentState::Cancelled, _)) => "cancelled",
            };
            self.outcome.append_value(outcome);
            let time = answered.and_then(|document| document.answered_ms);
            self.outcome_time.append_option(time.map(|ms| ms as i64));
        }
        Ok(())
    }

    fn rows(&self) -> usize {
        self.entry.sequence.len()
    }

    fn finish(&mut self) -> RecordBatch {
        let mut columns = self.entry.finish();
        columns.extend([
            Arc::new(self.document.finish()) as ArrayRef,
            Arc::new(self.seller.finish()),
            Arc::new(self.buyer.finish()),
            Arc::new(self.item.finish()),
            Arc::new(self.outcome.finish()),
            Arc::new(self.outcome_time.finish().with_timezone("UTC")),
        ]);
        batch(Documents::schema(), columns)
    }
}

/// `sales`: each code sold or brought back on a fiscal receipt of the period.
pub struct Sales {
    entry: EntryColumns,
    seller: StringBuilder,
    receipt_id: StringBuilder,
    kind: StringBuilder,
    code: StringBuilder,
    gtin: StringBuilder,
    price_tiyn: UInt64Builder,
    sale_receipt_id: StringBuilder,
}

impl Default for Sales {
    fn default() -> Self {
        Sales {
            entry: EntryColumns::default(),
            seller: StringBuilder::new(),
            receipt_id: StringBuilder::new(),
            kind: StringBuilder::new(),
            code: StringBuilder::new(),
            gtin: StringBuilder::new(),
            price_tiyn: UInt64Builder::new(),
            sale_receipt_id: StringBuilder::new(),
        }
    }
}

impl Sales {
    /// The schema (`kind`: `sale` or `return`; a return's `price_tiyn` is empty and its
    /// `sale_receipt_id` names the sale).
    pub fn schema() -> SchemaRef {
        let mut fields = entry_fields();
        fields.extend([
            Field::new("seller", DataType::Utf8, false),
            Field::new("receipt_id", DataType::Utf8, false),
            Field::new("kind", DataType::Utf8, false),
            Field::new("code", DataType::Utf8, false),
            Field::new("gtin", DataType::Utf8, true),
            Field::new("price_tiyn", DataType::UInt64, true),
            Field::new("sale_receipt_id", DataType::Utf8, true),
        ]);
        Arc::new(Schema::new(fields))
    }

    fn push(
        &mut self,
        record: &LogRecord,
        receipt_id: &str,
        code: &CodeKey,
        price: Option<u64>,
        sale: Option<&str>,
    ) {
        let seller = record.actor.principal().expect("receipts are a seller's");
        self.entry.push(record);
        append_id(&mut self.seller, &seller);
        self.receipt_id.append_value(receipt_id);
        self.kind
            .append_value(if sale.is_some() { "return" } else { "sale" });
        append_code(&mut self.code, code);
        append_gtin(&mut self.gtin, code);
        self.price_tiyn.append_option(price);
        self.sale_receipt_id.append_option(sale);
    }
}

impl Table for Sales {
    fn kind(&self) -> Option<FeedKind> {
        Some(FeedKind::Tax)
    }

    fn add(&mut self, _: &dyn Snapshot, entry: &Entry) -> Result<(), ExportError> {
        let record = entry.record;
        match &record.event {
            Event::Sold {
                receipt_id,
                lines,
                sold,
                refused,
                ..
            } => {
                // The codes sold are the lines not set aside, in line order.
                let set_aside: std::collections::HashSet<u32> =
                    refused.iter().map(|line| line.line).collect();
                let prices = (lines.iter().enumerate())
                    .filter(|(index, _)| !set_aside.contains(&(*index as u32)))
                    .map(|(_, line)| line.price_tiyn);
                for (code, price) in sold.iter().zip(prices) {
                    self.push(record, receipt_id, code, Some(price), None);
                }
            }
            Event::Returned {
                codes,
                receipt_id,
                sale_receipt_id,
            } => {
                for code in codes {
                    self.push(record, receipt_id, code, None, Some(sale_receipt_id));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn rows(&self) -> usize {
        self.entry.sequence.len()
    }

    fn finish(&mut self) -> RecordBatch {
        let mut columns = self.entry.finish();
        columns.extend([
            Arc::new(self.seller.finish()) as ArrayRef,
            Arc::new(self.receipt_id.finish()),
            Arc::new(self.kind.finish()),
            Arc::new(self.code.finish()),
            Arc::new(self.gtin.finish()),
            Arc::new(self.price_tiyn.finish()),
            Arc::new(self.sale_receipt_id.finish()),
        ]);
        batch(Sales::schema(), columns)
    }
}

/// `cases`: each entry of the cases feed in the period (the legal procedures' events).
pub struct Cases {
    entry: EntryColumns,
    event: StringBuilder,
    case: UInt64Builder,
    kind: StringBuilder,
    transition: StringBuilder,
    state: StringBuilder,
    actor: StringBuilder,
}

impl Default for Cases {
    fn default() -> Self {
        Cases {
            entry: EntryColumns::default(),
            event: StringBuilder::new(),
            case: UInt64Builder::new(),
            kind: StringBuilder::new(),
            transition: StringBuilder::new(),
            state: StringBuilder::new(),
            actor: StringBuilder::new(),
        }
    }
}

impl Cases {
    /// The schema (`kind` on openings only; `transition` and `state` on steps).
    pub fn schema() -> SchemaRef {
        let mut fields = entry_fields();
        fields.extend([
            Field::new("event", DataType::Utf8, false),
            Field::new("case", DataType::UInt64, true),
            Field::new("kind", DataType::Utf8, true),
            Field::new("transition", DataType::Utf8, true),
            Field::new("state", DataType::Utf8, true),
            Field::new("actor", DataType::Utf8, false),
        ]);
        Arc::new(Schema::new(fields))
    }
}

impl Table for Cases {
    fn kind(&self) -> Option<FeedKind> {
        Some(FeedKind::Cases)
    }

    fn add(&mut self, _: &dyn Snapshot, entry: &Entry) -> Result<(), ExportError> {
        let record = entry.record;
        let (case, kind, step) = match &record.event {
            Event::CaseOpened { opening, step } => (
                Some(record.sequence),
                Some(opening.kind.as_str()),
                Some(step),
            ),
            Event::CaseStepped(step) => (Some(step.case), None, Some(step)),
            Event::CaseClockSet { case, .. }
            | Event::ScopeBlocked { case, .. }
            | Event::ScopeReleased { case }
            | Event::HoldersCounted { case, .. }
            | Event::SweepMoved { case, .. }
            | Event::ConsumerNotified { case, .. }
            | Event::ExportAuthorized { case, .. }
            | Event::ExportAuthorizationEnded { case, .. } => (Some(*case), None, None),
            _ => (None, None, None),
        };
        self.entry.push(record);
        self.event.append_value(record.event.name());
        self.case.append_option(case);
        self.kind.append_option(kind);
        self.transition
            .append_option(step.map(|step| step.transition.as_str()));
        self.state
            .append_option(step.map(|step| step.state.as_str()));
        append_actor(&mut self.actor, &record.actor);
        Ok(())
    }

    fn rows(&self) -> usize {
        self.entry.sequence.len()
    }

    fn finish(&mut self) -> RecordBatch {
        let mut columns = self.entry.finish();
        columns.extend([
            Arc::new(self.event.finish()) as ArrayRef,
            Arc::new(self.case.finish()),
            Arc::new(self.kind.finish()),
            Arc::new(self.transition.finish()),
            Arc::new(self.state.finish()),
            Arc::new(self.actor.finish()),
        ]);
        batch(Cases::schema(), columns)
    }
}

/// The columns of a kind whose values are (nearly) all different: written plain, as a
/// dictionary of them would only be built to be thrown away.
pub fn distinct_columns(kind: DataExportKind) -> &'static [&'static str] {
    match kind {
        DataExportKind::Events => &["sequence", "hash"],
        DataExportKind::Codes => &["code"],
        DataExportKind::Documents => &["item"],
        DataExportKind::Sales => &["receipt_id", "code"],
        DataExportKind::Cases => &["sequence"],
    }
}

/// The schema of a kind.
pub fn schema(kind: DataExportKind) -> SchemaRef {
    match kind {
        DataExportKind::Events => Events::schema(),
        DataExportKind::Codes => Codes::schema(),
        DataExportKind::Documents => Documents::schema(),
        DataExportKind::Sales => Sales::schema(),
        DataExportKind::Cases => Cases::schema(),
    }
}
