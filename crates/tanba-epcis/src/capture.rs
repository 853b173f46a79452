//! EPCIS capture: a partner's EPCIS 2.0 document read, checked and turned into the signed-in
//! participant's commands.
//!
//! [`read`] takes the bytes and checks, in this order, stopping at the first stage that finds
//! anything: the size and the JSON; the GS1 EPCIS 2.0 JSON schema ([`crate::schema`]); then
//! what the schema does not catch: every `bizStep`, `disposition`, business transaction,
//! source and destination type and error reason a CBV word or another organisation's URI
//! ([`crate::vocab`]), every event type one of the five, and every user extension and ILMD
//! field named under a namespace the document declares. A document of events only
//! (`EPCISDocument`) is captured; a query's answer is not.
//!
//! [`plan`] then maps each event to a command ([`Planned`]) or says why it cannot
//! ([`CaptureProblem`]). The mapping, the reverse of [`crate::export`]'s:
//!
//! | EPCIS event | Tanba command |
//! |---|---|
//! | ObjectEvent, ADD or OBSERVE, `commissioning`, instance identifiers | report the codes applied: production date from `tanba:productionDate` or the event's own date, expiry from `cbvmda:itemExpirationDate`, batch from `cbvmda:lotNumber` |
//! | ObjectEvent, `tanba:BizStep-introducing` | introduce (own production, or an import with `tanba:customsDeclaration`) |
//! | AggregationEvent, ADD, `packing` | pack the children into the parent |
//! | AggregationEvent, DELETE, `unpacking` | take the children out of their packages (whichever Tanba knows them in: `parentID` is not checked) |
//! | ObjectEvent, `destroying` / `decommissioning` | withdraw: destruction / write-off (`tanba:document` the act) |
//!
//! Refused with a reason: shipping, receiving and accepting (a shipment is a document the
//! seller and the buyer sign: the documents service), retail selling (a sale is a fiscal
//! receipt), class-level quantities (Tanba follows units), error declarations, and every other
//! step or event type. Whether a command is then allowed (owner, status, package rules) is the
//! engine's to decide, as for any other door.

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use tanba_types::{
    CodeKey, Command, Date, Gtin, Introduction, Localized, Serial, Sscc, WithdrawalReason,
};

use crate::vocab::{TANBA_VOC_BASE, VALUE_CHARS_SHOWN_MAX, Vocabulary, is_absolute_uri};

/// The largest document a capture takes (the `GS1-EPCIS-Capture-File-Size-Limit` header).
pub const CAPTURE_BYTES_MAX: usize = 4 << 20;
/// Most events one capture takes (the `GS1-EPCIS-Capture-Limit` header).
pub const CAPTURE_EVENTS_MAX: usize = 500;
/// Problems one answer lists at most (the first found).
pub const CAPTURE_PROBLEMS_MAX: usize = 50;

/// The prefixes the EPCIS 2.0 context itself declares.
const STANDARD_PREFIXES: &[&str] = &[
    "epcis", "cbv", "cbvmda", "gs1", "rdfs", "owl", "xsd", "dcterms",
];

/// The five event types.
pub(crate) const EVENT_TYPES: &[&str] = &[
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
];

/// Fields every event may have.
const COMMON_FIELDS: &[&str] = &[
    "@context",
    "type",
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "certificationInfo",
    "errorDeclaration",
    "readPoint",
    "bizLocation",
    "bizStep",
    "disposition",
    "bizTransactionList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "action",
];

/// Fields of one event type besides [`COMMON_FIELDS`] (EPCIS 2.0's XSD, which gives
/// `persistentDisposition` to aggregation and transaction events as well).
fn type_fields(event_type: &str) -> &'static [&'static str] {
    match event_type {
        "ObjectEvent" => &["epcList", "quantityList", "persistentDisposition", "ilmd"],
        "AggregationEvent" => &[
            "parentID",
            "childEPCs",
            "childQuantityList",
            "persistentDisposition",
        ],
        "TransactionEvent" => &[
            "parentID",
            "epcList",
            "quantityList",
            "persistentDisposition",
        ],
        "TransformationEvent" => &[
            "inputEPCList",
            "inputQuantityList",
            "outputEPCList",
            "outputQuantityList",
            "transformationID",
            "persistentDisposition",
            "ilmd",
        ],
        "AssociationEvent" => &["parentID", "childEPCs", "childQuantityList"],
        _ => &[],
    }
}

/// What is wrong with a document or one of its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not JSON.
    Malformed,
    /// Past [`CAPTURE_BYTES_MAX`].
    TooLarge,
    /// Past [`CAPTURE_EVENTS_MAX`].
    TooManyEvents,
    /// The JSON schema refuses it.
    Schema,
    /// A vocabulary value that is no CBV word and no URI.
    Vocabulary,
    /// A user extension or ILMD field outside any declared namespace.
    Namespace,
    /// An event type that is none of the five.
    EventType,
    /// A query's answer, not a document of events.
    NotCaptureDocument,
    /// An event no Tanba operation matches.
    NotMapped,
    /// A shipment or its answer: a signed document, not an event.
    SignedDocument,
    /// A retail sale: a fiscal receipt, not an event.
    FiscalReceipt,
    /// Counts of a class, not units.
    ClassLevel,
    /// An identifier that names no marking code (not a GTIN with a serial, nor an SSCC).
    Identifier,
    /// An error declaration (a correction is made through the operation it corrects).
    ErrorDeclaration,
    /// A field a mapped event needs is missing or malformed.
    Field,
}

impl ProblemKind {
    /// Whether the request itself is wrong (not a JSON object, too large): refused at once,
    /// where a document's own problems are its capture job's.
    pub fn is_request(self) -> bool {
        matches!(self, ProblemKind::Malformed | ProblemKind::TooLarge)
    }

    /// Every code.
    pub const ALL_CODES: &'static [&'static str] = &[
        "TANBA-EPCIS-CAPTURE-MALFORMED",
        "TANBA-EPCIS-CAPTURE-TOO-LARGE",
        "TANBA-EPCIS-CAPTURE-TOO-MANY-EVENTS",
        "TANBA-EPCIS-CAPTURE-SCHEMA",
        "TANBA-EPCIS-CAPTURE-VOCABULARY",
        "TANBA-EPCIS-CAPTURE-NAMESPACE",
        "TANBA-EPCIS-CAPTURE-EVENT-TYPE",
        "TANBA-EPCIS-CAPTURE-NOT-CAPTURE-DOCUMENT",
        "TANBA-EPCIS-CAPTURE-NOT-MAPPED",
        "TANBA-EPCIS-CAPTURE-SIGNED-DOCUMENT",
        "TANBA-EPCIS-CAPTURE-FISCAL-RECEIPT",
        "TANBA-EPCIS-CAPTURE-CLASS-LEVEL",
        "TANBA-EPCIS-CAPTURE-IDENTIFIER",
        "TANBA-EPCIS-CAPTURE-ERROR-DECLARATION",
        "TANBA-EPCIS-CAPTURE-FIELD",
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::Malformed => "TANBA-EPCIS-CAPTURE-MALFORMED",
            ProblemKind::TooLarge => "TANBA-EPCIS-CAPTURE-TOO-LARGE",
            ProblemKind::TooManyEvents => "TANBA-EPCIS-CAPTURE-TOO-MANY-EVENTS",
            ProblemKind::Schema => "TANBA-EPCIS-CAPTURE-SCHEMA",
            ProblemKind::Vocabulary => "TANBA-EPCIS-CAPTURE-VOCABULARY",
            ProblemKind::Namespace => "TANBA-EPCIS-CAPTURE-NAMESPACE",
            ProblemKind::EventType => "TANBA-EPCIS-CAPTURE-EVENT-TYPE",
            ProblemKind::NotCaptureDocument => "TANBA-EPCIS-CAPTURE-NOT-CAPTURE-DOCUMENT",
            ProblemKind::NotMapped => "TANBA-EPCIS-CAPTURE-NOT-MAPPED",
            ProblemKind::SignedDocument => "TANBA-EPCIS-CAPTURE-SIGNED-DOCUMENT",
            ProblemKind::FiscalReceipt => "TANBA-EPCIS-CAPTURE-FISCAL-RECEIPT",
            ProblemKind::ClassLevel => "TANBA-EPCIS-CAPTURE-CLASS-LEVEL",
            ProblemKind::Identifier => "TANBA-EPCIS-CAPTURE-IDENTIFIER",
            ProblemKind::ErrorDeclaration => "TANBA-EPCIS-CAPTURE-ERROR-DECLARATION",
            ProblemKind::Field => "TANBA-EPCIS-CAPTURE-FIELD",
        }
    }
}

/// One problem: what, where (the event's place in the document, from 0, and a JSON pointer),
/// and the particular.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureProblem {
    /// What.
    pub kind: ProblemKind,
    /// The event's place, if it is about one.
    pub event: Option<usize>,
    /// Where, as a JSON pointer into the document.
    pub pointer: String,
    /// The particular (a value, a field, the schema's words).
    pub detail: String,
}

impl CaptureProblem {
    fn new(
        kind: ProblemKind,
        event: Option<usize>,
        pointer: String,
        detail: impl Into<String>,
    ) -> CaptureProblem {
        let detail: String = detail.into();
        CaptureProblem {
            kind,
            event,
            pointer,
            detail: detail.chars().take(DETAIL_CHARS_MAX).collect(),
        }
    }
}

/// Characters of a problem's particular kept at most.
const DETAIL_CHARS_MAX: usize = 300;

impl Localized for CaptureProblem {
    fn code(&self) -> &'static str {
        self.kind.code()
    }
    fn detail(&self) -> Option<String> {
        Some(match self.pointer.is_empty() {
            true => self.detail.clone(),
            false => format!("{} ({})", self.detail, self.pointer),
        })
    }
}

/// A document that passed every check: its events, and the prefixes it declares.
#[derive(Debug, Clone)]
pub struct CheckedDocument {
    /// The events, in order.
    pub events: Vec<Value>,
}

/// One event's command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The event's place in the document.
    pub event: usize,
    /// Its command.
    pub command: Command,
}

/// Reads and checks a document (see the module's documentation).
pub fn read(bytes: &[u8]) -> Result<CheckedDocument, Vec<CaptureProblem>> {
    if bytes.len() > CAPTURE_BYTES_MAX {
        let detail = format!("{} bytes, at most {CAPTURE_BYTES_MAX}", bytes.len());
        return Err(vec![CaptureProblem::new(
            ProblemKind::TooLarge,
            None,
            String::new(),
            detail,
        )]);
    }
    let document: Value = serde_json::from_slice(bytes).map_err(|error| {
        vec![CaptureProblem::new(
            ProblemKind::Malformed,
            None,
            String::new(),
            error.to_string(),
        )]
    })?;
    if !document.is_object() {
        let detail = "not a JSON object";
        return Err(vec![CaptureProblem::new(
            ProblemKind::Malformed,
            None,
            String::new(),
            detail,
        )]);
    }
    let problems = crate::schema::problems(&document, CAPTURE_PROBLEMS_MAX);
    if !problems.is_empty() {
        return Err(problems
            .into_iter()
            .map(|(pointer, detail)| {
                CaptureProblem::new(ProblemKind::Schema, event_of(&pointer), pointer, detail)
            })
            .collect());
    }
    let mut problems = check_beyond_schema(&document);
    let (events, list) = event_list(&document);
    if problems.is_empty() && document.get("type").and_then(Value::as_str) != Some("EPCISDocument")
    {
        problems.push(CaptureProblem::new(
            ProblemKind::NotCaptureDocument,
            None,
            "/type".into(),
            "EPCISQueryDocument",
        ));
    }
    if problems.is_empty() && events.len() > CAPTURE_EVENTS_MAX {
        let detail = format!("{} events, at most {CAPTURE_EVENTS_MAX}", events.len());
        problems.push(CaptureProblem::new(
            ProblemKind::TooManyEvents,
            None,
            list.into(),
            detail,
        ));
    }
    problems.truncate(CAPTURE_PROBLEMS_MAX);
    match problems.is_empty() {
        true => Ok(CheckedDocument {
            events: events.to_vec(),
        }),
        false => Err(problems),
    }
}

/// What the schema does not check, over every event of `document` (of events, or a query's
/// results): vocabularies, event types, the namespaces of user fields.
pub fn check_beyond_schema(document: &Value) -> Vec<CaptureProblem> {
    let (events, list) = event_list(document);
    let mut problems = Vec::new();
    let document_prefixes = prefixes(document.get("@context"), &BTreeSet::new());
    for (index, event) in events.iter().enumerate() {
        check_event(
            event,
            &format!("{list}/{index}"),
            index,
            &document_prefixes,
            &mut problems,
        );
    }
    problems
}

/// The events of a document (of events, or of a query's results), and where they are.
fn event_list(document: &Value) -> (&[Value], &'static str) {
    let body = document.get("epcisBody");
    if let Some(Value::Array(events)) = body.and_then(|body| body.get("eventList")) {
        return (events, "/epcisBody/eventList");
    }
    if let Some(event) = body.and_then(|body| body.get("event")) {
        return (std::slice::from_ref(event), "/epcisBody/event");
    }
    let results = body
        .and_then(|body| body.get("queryResults"))
        .and_then(|results| results.get("resultsBody"))
        .and_then(|results| results.get("eventList"));
    match results {
        Some(Value::Array(events)) => (events, "/epcisBody/queryResults/resultsBody/eventList"),
        _ => (&[], "/epcisBody"),
    }
}

/// The event a schema error's pointer is inside.
fn event_of(pointer: &str) -> Option<usize> {
    let rest = pointer.strip_prefix("/epcisBody/eventList/")?;
    rest.split('/').next()?.parse().ok()
}

/// The prefixes a `@context` declares, added to `inherited`.
fn prefixes(context: Option<&Value>, inherited: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = inherited.clone();
    found.extend(STANDARD_PREFIXES.iter().map(|prefix| (*prefix).to_owned()));
    let entries: Vec<&Value> = match context {
        Some(Value::Array(entries)) => entries.iter().collect(),
        Some(entry) => vec![entry],
        None => Vec::new(),
    };
    for entry in entries {
        if let Value::Object(terms) = entry {
            found.extend(terms.keys().filter(|key| !key.starts_with('@')).cloned());
        }
    }
    found
}

/// The checks beyond the schema, for one event at `pointer`.
fn check_event(
    event: &Value,
    pointer: &str,
    index: usize,
    inherited: &BTreeSet<String>,
    problems: &mut Vec<CaptureProblem>,
) {
    let Value::Object(fields) = event else { return };
    let event_type = fields
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !EVENT_TYPES.contains(&event_type) {
        problems.push(CaptureProblem::new(
            ProblemKind::EventType,
            Some(index),
            format!("{pointer}/type"),
            event_type,
        ));
        return;
    }
    let declared = prefixes(fields.get("@context"), inherited);
    for (vocabulary, path, value) in vocabulary_values(fields) {
        if let Err(error) = vocabulary.check(value) {
            problems.push(CaptureProblem::new(
                ProblemKind::Vocabulary,
                Some(index),
                format!("{pointer}{path}"),
                error.to_string(),
            ));
        }
    }
    let standard = type_fields(event_type);
    for name in fields.keys() {
        if COMMON_FIELDS.contains(&name.as_str()) || standard.contains(&name.as_str()) {
            continue;
        }
        check_extension(
            name,
            &format!("{pointer}/{name}"),
            index,
            &declared,
            problems,
        );
    }
    if let Some(Value::Object(ilmd)) = fields.get("ilmd") {
        for name in ilmd.keys() {
            check_extension(
                name,
                &format!("{pointer}/ilmd/{name}"),
                index,
                &declared,
                problems,
            );
        }
    }
}

/// Every vocabulary value of an event, with its place.
fn vocabulary_values<'a>(fields: &'a Map<String, Value>) -> Vec<(Vocabulary, String, &'a str)> {
    let mut found = Vec::new();
    let mut single = |vocabulary, path: String, value: Option<&'a Value>| {
        if let Some(Value::String(value)) = value {
            found.push((vocabulary, path, value.as_str()));
        }
    };
    single(
        Vocabulary::BizStep,
        "/bizStep".into(),
        fields.get("bizStep"),
    );
    single(
        Vocabulary::Disposition,
        "/disposition".into(),
        fields.get("disposition"),
    );
    single(
        Vocabulary::ErrorReason,
        "/errorDeclaration/reason".into(),
        fields.get("errorDeclaration").and_then(|d| d.get("reason")),
    );
    let lists = [
        ("bizTransactionList", Vocabulary::BizTransactionType),
        ("sourceList", Vocabulary::SourceDestType),
        ("destinationList", Vocabulary::SourceDestType),
    ];
    for (list, vocabulary) in lists {
        for (index, entry) in fields
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            single(
                vocabulary,
                format!("/{list}/{index}/type"),
                entry.get("type"),
            );
        }
    }
    if let Some(Value::Object(persistent)) = fields.get("persistentDisposition") {
        for (key, values) in persistent {
            for (index, value) in values.as_array().into_iter().flatten().enumerate() {
                single(
                    Vocabulary::Disposition,
                    format!("/persistentDisposition/{key}/{index}"),
                    Some(value),
                );
            }
        }
    }
    found
}

/// A user extension (or ILMD field) `name`: named under a declared prefix or as an absolute URI
/// (JSON-LD keywords aside). What it holds is its owner's: EPCIS gives its inner fields no rule
/// (openepcis' valid documents nest plain names in extensions).
fn check_extension(
    name: &str,
    pointer: &str,
    index: usize,
    declared: &BTreeSet<String>,
    problems: &mut Vec<CaptureProblem>,
) {
    if !name.starts_with('@') && !namespaced(name, declared) {
        problems.push(CaptureProblem::new(
            ProblemKind::Namespace,
            Some(index),
            pointer.to_owned(),
            name,
        ));
    }
}

/// Whether a field's name is under a namespace: `prefix:local` with a declared prefix, or an
/// absolute URI of a hierarchical scheme.
fn namespaced(name: &str, declared: &BTreeSet<String>) -> bool {
    match name.split_once(':') {
        Some((prefix, local)) if declared.contains(prefix) => !local.is_empty(),
        Some((_, rest)) => {
            is_absolute_uri(name) && (rest.starts_with("//") || name.starts_with("urn:"))
        }
        None => false,
    }
}

/// Maps each event of a checked document to a command, or says why not (see the module's
/// documentation). Both lists are in document order.
pub fn plan(document: &CheckedDocument) -> (Vec<Planned>, Vec<CaptureProblem>) {
    let mut planned = Vec::new();
    let mut problems = Vec::new();
    for (index, event) in document.events.iter().enumerate() {
        match command_of(event, index) {
            Ok(command) => planned.push(Planned {
                event: index,
                command,
            }),
            Err(problem) => problems.push(problem),
        }
    }
    (planned, problems)
}

fn command_of(event: &Value, index: usize) -> Result<Command, CaptureProblem> {
    let pointer = |field: &str| format!("/epcisBody/eventList/{index}{field}");
    let refuse = |kind, field: &str, detail: &str| {
        CaptureProblem::new(kind, Some(index), pointer(field), detail)
    };
    if event.get("errorDeclaration").is_some() {
        return Err(refuse(
            ProblemKind::ErrorDeclaration,
            "/errorDeclaration",
            "errorDeclaration",
        ));
    }
    let event_type = text(event, "type").unwrap_or_default();
    let action = text(event, "action").unwrap_or_default();
    let step_value = text(event, "bizStep").unwrap_or_default();
    let step = Vocabulary::BizStep.word(step_value).unwrap_or(step_value);
    let shown: String = format!("{event_type} {action} {step}")
        .chars()
        .take(VALUE_CHARS_SHOWN_MAX)
        .collect();
    let quantities = ["quantityList", "childQuantityList"].iter().any(|list| {
        event
            .get(*list)
            .and_then(Value::as_array)
            .is_some_and(|entries| !entries.is_empty())
    });
    if quantities {
        return Err(refuse(ProblemKind::ClassLevel, "", &shown));
    }
    match (event_type, action, step) {
        ("ObjectEvent", "ADD" | "OBSERVE", "commissioning") => applied(event, index),
        ("ObjectEvent", _, _) if step_value == introducing_step() => introduced(event, index),
        ("AggregationEvent", "ADD", "packing") => {
            let parent = text(event, "parentID")
                .ok_or_else(|| refuse(ProblemKind::Field, "/parentID", "parentID"))?;
            Ok(Command::Aggregate {
                parent: code_key(parent)
                    .map_err(|detail| refuse(ProblemKind::Identifier, "/parentID", &detail))?,
                children: codes(event, "childEPCs", index)?,
            })
        }
        ("AggregationEvent", "DELETE", "unpacking") => Ok(Command::Disaggregate {
            codes: codes(event, "childEPCs", index)?,
        }),
        ("ObjectEvent", _, "destroying" | "decommissioning") => {
            let reason = match step {
                "destroying" => WithdrawalReason::Destruction,
                _ => WithdrawalReason::WriteOff,
            };
            Ok(Command::Withdraw {
                codes: codes(event, "epcList", index)?,
                reason,
                document: extension_text(event, "document"),
                export: None,
                eaeu: None,
            })
        }
        (_, _, "shipping" | "receiving" | "accepting" | "void_shipping") => {
            Err(refuse(ProblemKind::SignedDocument, "/bizStep", &shown))
        }
        (_, _, "retail_selling") => Err(refuse(ProblemKind::FiscalReceipt, "/bizStep", &shown)),
        _ => Err(refuse(ProblemKind::NotMapped, "/bizStep", &shown)),
    }
}

fn introducing_step() -> String {
    format!("{TANBA_VOC_BASE}BizStep-introducing")
}

/// Commissioning: the codes are applied.
fn applied(event: &Value, index: usize) -> Result<Command, CaptureProblem> {
    let ilmd = event.get("ilmd");
    let date_field = |names: &[&str]| -> Result<Option<Date>, CaptureProblem> {
        let Some((name, value)) = names.iter().find_map(|name| {
            ilmd.and_then(|ilmd| ilmd.get(*name))
                .map(|value| (*name, value))
        }) else {
            return Ok(None);
        };
        value
            .as_str()
            .and_then(parse_date)
            .map(Some)
            .ok_or_else(|| {
                CaptureProblem::new(
                    ProblemKind::Field,
                    Some(index),
                    format!("/epcisBody/eventList/{index}/ilmd/{name}"),
                    name,
                )
            })
    };
    let event_date = text(event, "eventTime").and_then(|time| parse_date(time.get(..10)?));
    let production_date = date_field(&[
        "tanba:productionDate",
        "https://id.tanba.kz/voc/productionDate",
    ])?
    .or(event_date)
    .ok_or_else(|| {
        CaptureProblem::new(
            ProblemKind::Field,
            Some(index),
            format!("/epcisBody/eventList/{index}/eventTime"),
            "eventTime",
        )
    })?;
    Ok(Command::ReportApplied {
        codes: codes(event, "epcList", index)?,
        production_date,
        expiry_date: date_field(&[
            "cbvmda:itemExpirationDate",
            "urn:epcglobal:cbv:mda:itemExpirationDate",
        ])?,
        batch: ilmd
            .and_then(|ilmd| {
                ilmd.get("cbvmda:lotNumber")
                    .or_else(|| ilmd.get("urn:epcglobal:cbv:mda:lotNumber"))
            })
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// Introduction into circulation: own production, or an import under a declaration.
fn introduced(event: &Value, index: usize) -> Result<Command, CaptureProblem> {
    let introduction = match extension_text(event, "customsDeclaration") {
        Some(customs_declaration) => Introduction::Import {
            customs_declaration,
        },
        None => Introduction::OwnProduction,
    };
    Ok(Command::Introduce {
        codes: codes(event, "epcList", index)?,
        introduction,
    })
}

/// The codes an event lists under `list` (at least one).
fn codes(event: &Value, list: &str, index: usize) -> Result<Vec<CodeKey>, CaptureProblem> {
    let entries = event
        .get(list)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if entries.is_empty() {
        return Err(CaptureProblem::new(
            ProblemKind::Field,
            Some(index),
            format!("/epcisBody/eventList/{index}/{list}"),
            list,
        ));
    }
    entries
        .iter()
        .enumerate()
        .map(|(position, entry)| {
            entry
                .as_str()
                .ok_or_else(|| "not a string".to_owned())
                .and_then(code_key)
                .map_err(|detail| {
                    CaptureProblem::new(
                        ProblemKind::Identifier,
                        Some(index),
                        format!("/epcisBody/eventList/{index}/{list}/{position}"),
                        detail,
                    )
                })
        })
        .collect()
}

/// A marking code from an EPC URN or a Digital Link URI.
pub fn code_key(identifier: &str) -> Result<CodeKey, String> {
    let shown = || {
        identifier
            .chars()
            .take(VALUE_CHARS_SHOWN_MAX)
            .collect::<String>()
    };
    // A URN is made a Digital Link first; a Digital Link (any host, escapes and all) is read as
    // it is, by the one parser every door uses.
    let link = match identifier.starts_with("urn:") {
        true => crate::epc::canonical_digital_link(identifier)
            .map_err(|error| format!("{}: {error}", shown()))?,
        false => identifier.to_owned(),
    };
    let elements = tanba_gs1::digital_link::parse(&link, &tanba_gs1::ParseOptions::default())
        .map_err(|error| format!("{}: {error}", shown()))?;
    let key = match (elements.get("01"), elements.get("21"), elements.get("00")) {
        (Some(gtin), Some(serial), None) => {
            Gtin::parse(gtin).and_then(|gtin| Ok(CodeKey::item(gtin, Serial::parse(serial)?)))
        }
        (None, None, Some(sscc)) => Sscc::parse(sscc).map(CodeKey::Sscc),
        _ => return Err(format!("{}: a GTIN with a serial, or an SSCC", shown())),
    };
    key.map_err(|error| format!("{}: {error}", shown()))
}

fn text<'a>(event: &'a Value, field: &str) -> Option<&'a str> {
    event.get(field).and_then(Value::as_str)
}

/// A Tanba extension's text, under its prefix or its full URI.
fn extension_text(event: &Value, name: &str) -> Option<String> {
    text(event, &format!("tanba:{name}"))
        .or_else(|| text(event, &format!("{TANBA_VOC_BASE}{name}")))
        .map(str::to_owned)
}

/// `YYYY-MM-DD`.
fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    (text.len() == 10).then_some(())?;
    Date::from_ymd(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_is_namespaced_by_a_declared_prefix_or_a_full_uri() {
        let declared: BTreeSet<String> = ["ext1".to_owned()].into();
        assert!(namespaced("ext1:name", &declared));
        assert!(namespaced("https://ns.example.com/epcis/field", &declared));
        assert!(!namespaced("materialType", &declared));
        assert!(!namespaced("ext9:name", &declared));
        assert!(!namespaced("ext1:", &declared));
    }

    #[test]
    fn a_date_is_read_strictly() {
        assert_eq!(parse_date("2026-12-05"), Date::from_ymd(2026, 12, 5).ok());
        assert_eq!(parse_date("2026-13-05"), None);
        assert_eq!(parse_date("2026-1-5"), None);
        assert_eq!(parse_date("20261205"), None);
    }
}
