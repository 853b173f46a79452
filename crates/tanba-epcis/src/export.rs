//! The log's goods events as EPCIS 2.0 events (JSON-LD), for partners' traceability systems.
//!
//! | Tanba event | EPCIS event | action | bizStep | disposition |
//! |---|---|---|---|---|
//! | codes issued | ObjectEvent (`prodorder`: the order) | ADD | `encoding` | `encoded` |
//! | codes applied | ObjectEvent, ILMD lot, expiry, production date | ADD | `commissioning` | `active` |
//! | transport package made | ObjectEvent | ADD | `commissioning` | `active` |
//! | goods introduced | ObjectEvent (an import's declaration) | OBSERVE | `tanba:BizStep-introducing` | `active` |
//! | packed | AggregationEvent | ADD | `packing` | `container_closed` |
//! | unpacked | AggregationEvent | DELETE | `unpacking` | `container_open` |
//! | shipped | TransactionEvent (`desadv`), owning parties | ADD | `shipping` | `in_transit` |
//! | accepted | TransactionEvent: what was taken | OBSERVE | `accepting` | `in_progress` |
//! | | and what went back | DELETE | `accepting` | `returned` |
//! | refused by the buyer | TransactionEvent | DELETE | `accepting` | `returned` |
//! | called back by the seller | error declaration of the shipment, and a corrective TransactionEvent | DELETE | `void_shipping` | `returned` |
//! | withdrawn | ObjectEvent (reason in `tanba:withdrawalReason`) | OBSERVE or DELETE | by reason | by reason |
//! | sold, returned by a consumer | ObjectEvent (`inv`: the receipt) | OBSERVE | `retail_selling`, `receiving` | `retail_sold`, `returned` |
//! | blocked, unblocked | ObjectEvent with a persistent disposition | OBSERVE | `holding` | `non_sellable_other`, `active` |
//!
//! Every other event (the registry, cases, notices) has no EPCIS form. Identifiers are
//! canonical GS1 Digital Link URIs (the codes' tails, which prove a code genuine, are never
//! exported); participants, documents, orders and receipts are `https://id.tanba.kz/` URIs.
//! Every event carries `tanba:sequence` (its log entry) and its CBV 2.0 event hash as
//! `eventID`. An event names at most [`EPCS_PER_EVENT_MAX`] identifiers; a larger log event
//! becomes several EPCIS events in a row.
//!
//! A shipment called back is the one correction the log knows. EPCIS says it with an error
//! declaration: the shipment's event again, with its own `eventID` (so it points back at the
//! event it corrects), an `errorDeclaration` (`did_not_occur`, when, and the corrective
//! event's id), and `tanba:declaredBy` naming the log entry of the call-back.

use serde_json::{Map, Value, json};
use tanba_log::LogRecord;
use tanba_types::{CodeKey, Date, Event, Introduction, TaxpayerId, WithdrawalReason};

use crate::vocab::{TANBA_PREFIX, TANBA_VOC_BASE, Vocabulary};

/// The EPCIS 2.0 JSON-LD context every document names first.
pub const EPCIS_CONTEXT_URI: &str = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld";
/// Tanba's identifiers: participants, documents, orders, receipts.
pub const TANBA_ID_BASE: &str = "https://id.tanba.kz/";
/// The canonical Digital Link stem of the identifiers in events.
pub const DIGITAL_LINK_STEM: &str = "https://id.gs1.org";
/// Identifiers one EPCIS event names at most.
pub const EPCS_PER_EVENT_MAX: usize = 1_000;
/// Kazakhstan's offset, as events state it.
pub const KZ_TIME_ZONE_OFFSET: &str = "+05:00";
/// Milliseconds in a day.
const DAY_MS: u64 = 86_400_000;

/// Reads the log entries an event refers to (the order of issued codes, the shipment an answer
/// is about).
pub trait LogLookup {
    /// The record at `sequence`, if the log has it.
    fn record(&self, sequence: u64) -> Result<Option<LogRecord>, ExportError>;
}

/// Why an event could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The log does not read back (a lookup failed).
    #[error("the log could not be read: {0}")]
    Log(String),
    /// An entry names another that is not what it should be.
    #[error("log entry {sequence} refers to entry {refers_to}, which is not a {expected}")]
    Dangling {
        /// The entry rendered.
        sequence: u64,
        /// The entry it names.
        refers_to: u64,
        /// What that entry should be.
        expected: &'static str,
    },
    /// A hash could not be made of an event we made (a bug).
    #[error("an exported event has no event hash: {0}")]
    Hash(String),
}

impl ExportError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::Log(_) => "TANBA-EPCIS-EXPORT-LOG",
            ExportError::Dangling { .. } => "TANBA-EPCIS-EXPORT-DANGLING",
            ExportError::Hash(_) => "TANBA-EPCIS-EXPORT-HASH",
        }
    }
}

/// The JSON-LD context of Tanba's documents: EPCIS's, and Tanba's prefix for its extensions.
pub fn context() -> Value {
    json!([EPCIS_CONTEXT_URI, { TANBA_PREFIX: TANBA_VOC_BASE }])
}

/// An EPCIS document of `events`, made at `creation_ms`.
pub fn document(events: Vec<Value>, creation_ms: u64) -> Value {
    json!({
        "@context": context(),
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": timestamp(creation_ms),
        "epcisBody": { "eventList": events },
    })
}

/// The answer to a query: an EPCIS query document of `events`.
pub fn query_document(query_name: &str, events: Vec<Value>, creation_ms: u64) -> Value {
    json!({
        "@context": context(),
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": timestamp(creation_ms),
        "epcisBody": {
            "queryResults": {
                "queryName": query_name,
                "resultsBody": { "eventList": events },
            }
        },
    })
}

/// A moment as EPCIS writes it: Kazakhstan's time with its offset, to the millisecond.
pub fn timestamp(time_ms: u64) -> String {
    let offset_ms = u64::try_from(tanba_types::date::KZ_UTC_OFFSET_MS).unwrap_or(0);
    let local_ms = time_ms.saturating_add(offset_ms);
    let of_day = local_ms % DAY_MS;
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}{KZ_TIME_ZONE_OFFSET}",
        Date::from_unix_ms_in_kz(time_ms),
        of_day / 3_600_000,
        of_day / 60_000 % 60,
        of_day / 1_000 % 60,
        of_day % 1_000,
    )
}

/// A code's canonical Digital Link URI.
pub fn code_uri(code: &CodeKey) -> String {
    match code {
        CodeKey::Item { gtin, serial } => format!(
            "{DIGITAL_LINK_STEM}/01/{}/21/{}",
            gtin.as_str(),
            tanba_gs1::digital_link::escape_path(serial.as_str())
        ),
        CodeKey::Sscc(sscc) => format!("{DIGITAL_LINK_STEM}/00/{}", sscc.as_str()),
    }
}

/// A participant's URI.
pub fn party_uri(id: &TaxpayerId) -> String {
    format!("{TANBA_ID_BASE}party/{id}")
}

/// A shipment's URI (its document).
pub fn shipment_uri(document: u64) -> String {
    format!("{TANBA_ID_BASE}documents/{document}")
}

/// The EPCIS events of one log entry, each with its `eventID`, in order; none for an entry
/// that moves no goods.
pub fn events_of(record: &LogRecord, lookup: &dyn LogLookup) -> Result<Vec<Value>, ExportError> {
    let mut events = Vec::new();
    render(record, lookup, &mut events)?;
    events
        .into_iter()
        .map(|event| with_event_id(event, record.sequence))
        .collect()
}

/// Adds `eventID` (the event's hash), unless it has one (an error declaration keeps the id of
/// the event it declares).
fn with_event_id(mut event: Value, sequence: u64) -> Result<Value, ExportError> {
    if event.get("eventID").is_none() {
        let id =
            event_id(&event).map_err(|error| ExportError::Hash(format!("{sequence}: {error}")))?;
        insert(&mut event, "eventID", Value::String(id));
    }
    Ok(event)
}

/// An exported event's hash, under Tanba's context.
pub fn event_id(event: &Value) -> Result<String, crate::hash::HashError> {
    crate::hash::event_hash(
        event,
        &crate::hash::Context::from_document_context(&context()),
    )
}

fn render(
    record: &LogRecord,
    lookup: &dyn LogLookup,
    out: &mut Vec<Value>,
) -> Result<(), ExportError> {
    let base = Base::of(record);
    match &record.event {
        Event::CodesIssued { order, codes, .. } => {
            let gtin = match lookup.record(*order)?.map(|found| found.event) {
                Some(Event::CodesOrdered { gtin, .. }) => gtin,
                _ => return Err(dangling(record, *order, "code order")),
            };
            let keys: Vec<CodeKey> = codes
                .iter()
                .map(|code| CodeKey::item(gtin, code.serial))
                .collect();
            let mut fields = base.object("ADD", "encoding", "encoded");
            fields.insert(
                "bizTransactionList".into(),
                transactions("prodorder", &format!("{TANBA_ID_BASE}orders/{order}")),
            );
            chunked(out, &fields, "epcList", &keys);
        }
        Event::CodesApplied {
            codes,
            production_date,
            expiry_date,
            batch,
        } => {
            let mut fields = base.object("ADD", "commissioning", "active");
            let mut ilmd = Map::new();
            ilmd.insert(
                tanba_term("productionDate"),
                json!(production_date.to_string()),
            );
            if let Some(expiry) = expiry_date {
                ilmd.insert(
                    "cbvmda:itemExpirationDate".into(),
                    json!(expiry.to_string()),
                );
            }
            if let Some(batch) = batch {
                ilmd.insert("cbvmda:lotNumber".into(), json!(batch));
            }
            fields.insert("ilmd".into(), Value::Object(ilmd));
            chunked(out, &fields, "epcList", codes);
        }
        Event::TransportPackageCreated { sscc, .. } => {
            let fields = base.object("ADD", "commissioning", "active");
            chunked(out, &fields, "epcList", &[CodeKey::Sscc(*sscc)]);
        }
        Event::CodesIntroduced {
            codes,
            introduction,
        } => {
            let mut fields = base.object_with_step("OBSERVE", &tanba_step("introducing"), "active");
            fields.insert(
                tanba_term("introduction"),
                json!(introduction_kind(introduction)),
            );
            if let Introduction::Import {
                customs_declaration,
            } = introduction
            {
                fields.insert(tanba_term("customsDeclaration"), json!(customs_declaration));
            }
            chunked(out, &fields, "epcList", codes);
        }
        Event::Aggregated { parent, children } => {
            let mut fields = base.typed("AggregationEvent", "ADD", "packing", "container_closed");
            fields.insert("parentID".into(), json!(code_uri(parent)));
            chunked(out, &fields, "childEPCs", children);
        }
        Event::Disaggregated { codes } => {
            let fields = base.typed("AggregationEvent", "DELETE", "unpacking", "container_open");
            chunked(out, &fields, "childEPCs", codes);
        }
        Event::Shipped {
            seller,
            buyer,
            items,
            ..
        } => {
            let fields = shipment_fields(
                &base,
                record.sequence,
                seller,
                buyer,
                ("ADD", "shipping", "in_transit"),
            );
            chunked(out, &fields, "epcList", items);
        }
        Event::Accepted {
            document,
            accepted,
            returned,
            ..
        } => {
            let (seller, buyer, _) = shipment(record, lookup, *document)?;
            let taken = shipment_fields(
                &base,
                *document,
                &seller,
                &buyer,
                ("OBSERVE", "accepting", "in_progress"),
            );
            chunked(out, &taken, "epcList", accepted);
            let back = shipment_fields(
                &base,
                *document,
                &seller,
                &buyer,
                ("DELETE", "accepting", "returned"),
            );
            chunked(out, &back, "epcList", returned);
        }
        Event::Rejected { document, .. } => {
            let (seller, buyer, items) = shipment(record, lookup, *document)?;
            let fields = shipment_fields(
                &base,
                *document,
                &seller,
                &buyer,
                ("DELETE", "accepting", "returned"),
            );
            chunked(out, &fields, "epcList", &items);
        }
        Event::ShipmentCancelled { document, .. } => cancellation(record, lookup, *document, out)?,
        Event::Withdrawn {
            codes,
            reason,
            document,
            ..
        } => {
            let (action, step, disposition) = withdrawal_terms(*reason);
            let mut fields = base.object(action, step, disposition);
            fields.insert(tanba_term("withdrawalReason"), json!(reason_name(*reason)));
            if let Some(paper) = document {
                fields.insert(tanba_term("document"), json!(paper));
            }
            chunked(out, &fields, "epcList", codes);
        }
        Event::Sold {
            receipt_id, sold, ..
        } => {
            let seller = record.actor.principal();
            let mut fields = base.object("OBSERVE", "retail_selling", "retail_sold");
            fields.insert(
                "bizTransactionList".into(),
                transactions("inv", &receipt_uri(seller, receipt_id)),
            );
            chunked(out, &fields, "epcList", sold);
        }
        Event::Returned {
            codes, receipt_id, ..
        } => {
            let seller = record.actor.principal();
            let mut fields = base.object("OBSERVE", "receiving", "returned");
            fields.insert(
                "bizTransactionList".into(),
                transactions("inv", &receipt_uri(seller, receipt_id)),
            );
            chunked(out, &fields, "epcList", codes);
        }
        Event::Blocked {
            codes,
            authority,
            reason,
        } => {
            let mut fields = base.object("OBSERVE", "holding", "non_sellable_other");
            fields.insert(
                "persistentDisposition".into(),
                json!({ "set": [Vocabulary::Disposition.uri("non_sellable_other")] }),
            );
            fields.insert(tanba_term("authority"), json!(party_uri(authority)));
            fields.insert(tanba_term("reason"), json!(reason));
            chunked(out, &fields, "epcList", codes);
        }
        Event::Unblocked { codes, authority } => {
            let mut fields = base.object("OBSERVE", "holding", "active");
            fields.insert(
                "persistentDisposition".into(),
                json!({ "unset": [Vocabulary::Disposition.uri("non_sellable_other")] }),
            );
            fields.insert(tanba_term("authority"), json!(party_uri(authority)));
            chunked(out, &fields, "epcList", codes);
        }
        _ => {}
    }
    Ok(())
}

/// A shipment called back: a corrective event that voids it, then the shipment's own events
/// again as error declarations naming it.
fn cancellation(
    record: &LogRecord,
    lookup: &dyn LogLookup,
    document: u64,
    out: &mut Vec<Value>,
) -> Result<(), ExportError> {
    let shipped = lookup
        .record(document)?
        .filter(|found| matches!(found.event, Event::Shipped { .. }))
        .ok_or_else(|| dangling(record, document, "shipment"))?;
    let Event::Shipped {
        seller,
        buyer,
        items,
        ..
    } = &shipped.event
    else {
        unreachable!("filtered to a shipment above");
    };
    let base = Base::of(record);
    let fields = shipment_fields(
        &base,
        document,
        seller,
        buyer,
        ("DELETE", "void_shipping", "returned"),
    );
    let mut corrective = Vec::new();
    chunked(&mut corrective, &fields, "epcList", items);
    let corrective: Vec<Value> = corrective
        .into_iter()
        .map(|event| with_event_id(event, record.sequence))
        .collect::<Result<_, _>>()?;
    let corrective_ids: Vec<Value> = corrective
        .iter()
        .filter_map(|event| event.get("eventID").cloned())
        .collect();
    let mut originals = Vec::new();
    render(&shipped, lookup, &mut originals)?;
    for original in originals {
        let mut declared = with_event_id(original, shipped.sequence)?;
        insert(
            &mut declared,
            "errorDeclaration",
            json!({
                "declarationTime": timestamp(record.time_ms),
                "reason": Vocabulary::ErrorReason.uri("did_not_occur"),
                "correctiveEventIDs": corrective_ids,
            }),
        );
        insert(
            &mut declared,
            &tanba_term("declaredBy"),
            json!(record.sequence),
        );
        out.push(declared);
    }
    out.extend(corrective);
    Ok(())
}

/// The seller, buyer and items of the shipment `document` an answer of `record` is about.
fn shipment(
    record: &LogRecord,
    lookup: &dyn LogLookup,
    document: u64,
) -> Result<(TaxpayerId, TaxpayerId, Vec<CodeKey>), ExportError> {
    match lookup.record(document)?.map(|found| found.event) {
        Some(Event::Shipped {
            seller,
            buyer,
            items,
            ..
        }) => Ok((seller, buyer, items)),
        _ => Err(dangling(record, document, "shipment")),
    }
}

fn dangling(record: &LogRecord, refers_to: u64, expected: &'static str) -> ExportError {
    ExportError::Dangling {
        sequence: record.sequence,
        refers_to,
        expected,
    }
}

/// The fields every event of one log entry shares.
struct Base {
    sequence: u64,
    time: String,
}

impl Base {
    fn of(record: &LogRecord) -> Base {
        Base {
            sequence: record.sequence,
            time: timestamp(record.time_ms),
        }
    }

    fn object(&self, action: &str, step: &str, disposition: &str) -> Map<String, Value> {
        self.typed("ObjectEvent", action, step, disposition)
    }

    fn object_with_step(
        &self,
        action: &str,
        step_uri: &str,
        disposition: &str,
    ) -> Map<String, Value> {
        let mut fields = self.typed("ObjectEvent", action, "other", disposition);
        fields.insert("bizStep".into(), json!(step_uri));
        fields
    }

    /// An event of `kind`: time, offset, action, the step and disposition as CBV URIs, and the
    /// log entry it comes from.
    fn typed(&self, kind: &str, action: &str, step: &str, disposition: &str) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert("type".into(), json!(kind));
        fields.insert("eventTime".into(), json!(self.time));
        fields.insert("recordTime".into(), json!(self.time));
        fields.insert("eventTimeZoneOffset".into(), json!(KZ_TIME_ZONE_OFFSET));
        fields.insert("action".into(), json!(action));
        fields.insert("bizStep".into(), json!(Vocabulary::BizStep.uri(step)));
        fields.insert(
            "disposition".into(),
            json!(Vocabulary::Disposition.uri(disposition)),
        );
        fields.insert(tanba_term("sequence"), json!(self.sequence));
        fields
    }
}

/// A TransactionEvent about the shipment `document`, from `seller` to `buyer`.
fn shipment_fields(
    base: &Base,
    document: u64,
    seller: &TaxpayerId,
    buyer: &TaxpayerId,
    (action, step, disposition): (&str, &str, &str),
) -> Map<String, Value> {
    let mut fields = base.typed("TransactionEvent", action, step, disposition);
    fields.insert(
        "bizTransactionList".into(),
        transactions("desadv", &shipment_uri(document)),
    );
    let owning = Vocabulary::SourceDestType.uri("owning_party");
    fields.insert(
        "sourceList".into(),
        json!([{ "type": owning, "source": party_uri(seller) }]),
    );
    fields.insert(
        "destinationList".into(),
        json!([{ "type": owning, "destination": party_uri(buyer) }]),
    );
    fields
}

fn transactions(kind: &str, uri: &str) -> Value {
    json!([{ "type": Vocabulary::BizTransactionType.uri(kind), "bizTransaction": uri }])
}

/// Events of `fields` naming `codes` under `list`, at most [`EPCS_PER_EVENT_MAX`] each; none
/// for no codes.
fn chunked(out: &mut Vec<Value>, fields: &Map<String, Value>, list: &str, codes: &[CodeKey]) {
    for chunk in codes.chunks(EPCS_PER_EVENT_MAX) {
        let mut event = fields.clone();
        let uris: Vec<Value> = chunk
            .iter()
            .map(|code| Value::String(code_uri(code)))
            .collect();
        event.insert(list.into(), Value::Array(uris));
        out.push(Value::Object(event));
    }
}

fn insert(event: &mut Value, key: &str, value: Value) {
    if let Value::Object(fields) = event {
        fields.insert(key.into(), value);
    }
}

fn tanba_term(name: &str) -> String {
    format!("{TANBA_PREFIX}:{name}")
}

fn tanba_step(name: &str) -> String {
    format!("{TANBA_VOC_BASE}BizStep-{name}")
}

fn receipt_uri(seller: Option<TaxpayerId>, receipt_id: &str) -> String {
    let seller = seller.map(|id| id.to_string()).unwrap_or_default();
    format!(
        "{TANBA_ID_BASE}receipts/{seller}/{}",
        tanba_gs1::digital_link::escape_path(receipt_id)
    )
}

fn introduction_kind(introduction: &Introduction) -> &'static str {
    match introduction {
        Introduction::OwnProduction => "own_production",
        Introduction::Import { .. } => "import",
        Introduction::EaeuReceipt { .. } => "eaeu_receipt",
    }
}

/// A withdrawal's action, step and disposition: the goods' end is a DELETE, a sale or an
/// export an observation of goods leaving.
fn withdrawal_terms(reason: WithdrawalReason) -> (&'static str, &'static str, &'static str) {
    match reason {
        WithdrawalReason::RetailSale => ("OBSERVE", "retail_selling", "retail_sold"),
        WithdrawalReason::ExportToEaeu | WithdrawalReason::ExportOutsideEaeu => {
            ("OBSERVE", "departing", "in_transit")
        }
        WithdrawalReason::WriteOff => ("DELETE", "decommissioning", "inactive"),
        WithdrawalReason::Destruction => ("DELETE", "destroying", "destroyed"),
        WithdrawalReason::RecallDisposal => ("DELETE", "destroying", "recalled"),
        WithdrawalReason::Confiscation => ("OBSERVE", "holding", "non_sellable_other"),
    }
}

fn reason_name(reason: WithdrawalReason) -> &'static str {
    match reason {
        WithdrawalReason::RetailSale => "retail_sale",
        WithdrawalReason::ExportToEaeu => "export_to_eaeu",
        WithdrawalReason::ExportOutsideEaeu => "export_outside_eaeu",
        WithdrawalReason::WriteOff => "write_off",
        WithdrawalReason::Destruction => "destruction",
        WithdrawalReason::RecallDisposal => "recall_disposal",
        WithdrawalReason::Confiscation => "confiscation",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_is_written_in_kazakhstan_time_with_its_offset() {
        // 2026-12-05T10:20:30.045Z
        let time_ms = 1_796_466_030_045;
        assert_eq!(timestamp(time_ms), "2026-12-05T15:20:30.045+05:00");
        assert_eq!(timestamp(0), "1970-01-01T05:00:00.000+05:00");
    }
}
