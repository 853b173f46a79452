//! The CBV 2.0 event hash (CBV 2.0 section 8.9) of EPCIS 2.0 events in JSON-LD:
//! `ni:///sha-256;{hex}?ver=CBV2.0`, the SHA-256 of the event's canonical pre-hash string.
//!
//! The pre-hash string is computed as the reference implementation computes it (GS1 Germany's
//! `epcis-event-hash-generator`, the implementation the standard points to and partners run),
//! because a hash nobody else can recompute is worth nothing. In order:
//!
//! 1. The event is read into a tree of named values the way the reference reads JSON-LD:
//!    bare CBV words (`shipping`, `po`, `Temperature`) become their full URIs by the reference's
//!    heuristic over the document's JSON-LD expansion ([`Context`] holds what the whole document
//!    expands to); keys and values with a prefix from the document's `@context` become
//!    `{namespace}local` and full URIs; `comment`, `rdfs:comment` and `#text` are dropped; lists
//!    become XML-like list elements (`epcList` of `epc`, `quantityList` of `quantityElement`, a
//!    business transaction, source or destination as its `type` then its value).
//! 2. The fields of the canonical property order (`eventTime`, `eventTimeZoneOffset`,
//!    `certificationInfo`, `epcList`, `parentID`, ..., `sensorElementList`) are written in that
//!    order as `key=value`, lists sorted, timestamps in UTC with milliseconds (`.1415` rounds to
//!    `.142`), numbers without trailing zeros, CBV URNs as web URIs and EPC URNs and Digital Link
//!    URIs as constrained canonical Digital Link URIs ([`crate::epc`]). User extensions inside a
//!    field with an extension point (`readPoint`, `sensorReport`, ...) follow that field's own
//!    values, sorted.
//! 3. Everything else that is left (business transactions, sources, destinations, `ilmd`, user
//!    extensions, and what is left of a standard field) is written after, sorted as whole strings.
//!    `recordTime`, `eventID`, `errorDeclaration` and the event's `type` are not hashed.
//!
//! Where the reference is odd, this does the same and says so where it does it. The notable
//! cases: business transactions, sources, destinations and `ilmd` are ordered among the user
//! extensions rather than at their place in the property order; a user extension inside a
//! standard field is recognised by a namespace ending in `/`; an `ignoreFields` list is only
//! honoured under the namespace `https://repository-x.example.com/`; JSON `null` is hashed as
//! `None`. Where the reference fails (an exception that loses the event or the whole document),
//! this either returns a [`HashError`] or computes what the standard's text asks; see
//! [`HashError`].
//!
//! Out of scope: EPCIS XML documents (the reference reads those too; Tanba speaks JSON-LD only).
//! Timestamps without a UTC offset are taken as UTC (the reference takes its machine's zone).
//!
//! Architecture invariant: pure and total. No IO, no clock, no global state; any JSON value in,
//! a hash or a typed error out, never a panic. Every recursion is bounded by
//! [`NESTING_DEPTH_MAX`], every event by [`EVENT_ELEMENTS_MAX`].

mod order;
mod render;
mod tree;
pub(crate) mod value;
mod vocabulary;

use std::collections::BTreeSet;

use serde_json::Value;
use sha2::{Digest, Sha256};
use thiserror::Error;

/// The algorithm version every hash ends with.
pub const HASH_ALGORITHM_VERSION: &str = "CBV2.0";
/// How every hash starts: RFC 6920's `ni` scheme with SHA-256.
pub const HASH_ID_START: &str = "ni:///sha-256;";
/// Deepest nesting of objects and lists inside an event (EPCIS's own fields nest four deep; the
/// rest is for user extensions).
pub const NESTING_DEPTH_MAX: usize = 32;
/// Levels a document wraps its events in (`epcisBody`, `queryResults`, `resultsBody`,
/// `eventList`, the event).
const ENVELOPE_DEPTH: usize = 5;
/// Deepest nesting in a whole document.
pub const DOCUMENT_NESTING_DEPTH_MAX: usize = NESTING_DEPTH_MAX + ENVELOPE_DEPTH;
/// Most values (objects, lists, scalars) in one event: room for an aggregation of a million
/// items, a bound on the work one event can cost.
pub const EVENT_ELEMENTS_MAX: usize = 1 << 21;

/// The namespace whose `ignoreFields` the reference honours (it is hard-wired there, an example
/// repository's namespace): `{prefix}:ignoreFields` lists event fields left out of the hash.
pub const IGNORE_FIELDS_NAMESPACE: &str = "https://repository-x.example.com/";
/// The local name of the ignore list.
const IGNORE_FIELDS_LOCAL_NAME: &str = "ignoreFields";

/// Why an event or a document could not be hashed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HashError {
    /// The document is not a JSON object.
    #[error("the EPCIS document is not a JSON object")]
    DocumentNotObject,
    /// No `epcisBody` with an `eventList`, `queryResults.resultsBody.eventList` or `event`.
    #[error("the EPCIS document has no events (epcisBody.eventList, queryResults or event)")]
    NoEvents,
    /// The event list is not a JSON list.
    #[error("the event list is not a list")]
    EventListNotList,
    /// An event is not a JSON object.
    #[error("the event is not a JSON object")]
    EventNotObject,
    /// The event's `type` is not text (the reference loses such an event).
    #[error("the event's type is not text")]
    EventTypeNotText,
    /// Objects and lists nest deeper than [`NESTING_DEPTH_MAX`].
    #[error("nested deeper than {depth_max} levels")]
    NestingTooDeep {
        /// The limit.
        depth_max: usize,
    },
    /// More values in one event than [`EVENT_ELEMENTS_MAX`].
    #[error("more than {elements_max} values in one event")]
    TooManyElements {
        /// The limit.
        elements_max: usize,
    },
    /// An entry of `bizTransactionList`, `sourceList` or `destinationList` with no field at all
    /// (the reference fails on the whole document).
    #[error("an entry of {list} has no fields")]
    MalformedListEntry {
        /// The list.
        list: String,
    },
    /// The document's `ignoreFields` is not a list.
    #[error("ignoreFields is not a list")]
    IgnoreFieldsNotList,
    /// What went wrong with one event of a document.
    #[error("event {index}: {error}")]
    InEvent {
        /// The event's position in the document, from 0.
        index: usize,
        /// What went wrong.
        error: Box<HashError>,
    },
}

impl HashError {
    /// Every code, for the translations' completeness check.
    pub const ALL_CODES: &'static [&'static str] = &[
        "TANBA-EPCIS-HASH-DOCUMENT-NOT-OBJECT",
        "TANBA-EPCIS-HASH-NO-EVENTS",
        "TANBA-EPCIS-HASH-EVENT-LIST-NOT-LIST",
        "TANBA-EPCIS-HASH-EVENT-NOT-OBJECT",
        "TANBA-EPCIS-HASH-EVENT-TYPE-NOT-TEXT",
        "TANBA-EPCIS-HASH-NESTING-TOO-DEEP",
        "TANBA-EPCIS-HASH-TOO-MANY-ELEMENTS",
        "TANBA-EPCIS-HASH-MALFORMED-LIST-ENTRY",
        "TANBA-EPCIS-HASH-IGNORE-FIELDS-NOT-LIST",
    ];

    /// The stable error code (an error in one event has that error's code).
    pub fn code(&self) -> &'static str {
        match self {
            HashError::DocumentNotObject => "TANBA-EPCIS-HASH-DOCUMENT-NOT-OBJECT",
            HashError::NoEvents => "TANBA-EPCIS-HASH-NO-EVENTS",
            HashError::EventListNotList => "TANBA-EPCIS-HASH-EVENT-LIST-NOT-LIST",
            HashError::EventNotObject => "TANBA-EPCIS-HASH-EVENT-NOT-OBJECT",
            HashError::EventTypeNotText => "TANBA-EPCIS-HASH-EVENT-TYPE-NOT-TEXT",
            HashError::NestingTooDeep { .. } => "TANBA-EPCIS-HASH-NESTING-TOO-DEEP",
            HashError::TooManyElements { .. } => "TANBA-EPCIS-HASH-TOO-MANY-ELEMENTS",
            HashError::MalformedListEntry { .. } => "TANBA-EPCIS-HASH-MALFORMED-LIST-ENTRY",
            HashError::IgnoreFieldsNotList => "TANBA-EPCIS-HASH-IGNORE-FIELDS-NOT-LIST",
            HashError::InEvent { error, .. } => error.code(),
        }
    }

    fn in_event(self, index: usize) -> HashError {
        HashError::InEvent {
            index,
            error: Box::new(self),
        }
    }
}

/// What an event's hash depends on besides the event: the document's namespaces, the fields it
/// tells to ignore, and what the document's bare CBV words expand to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Prefix and namespace, in the `@context`'s order; a later one wins.
    namespaces: Vec<(String, String)>,
    /// Event fields left out, as written (`repository-x:hash`).
    ignored_fields: Vec<String>,
    /// The CBV and GS1 vocabulary URIs the whole document expands to.
    vocabulary: BTreeSet<String>,
}

impl Context {
    /// No namespaces, nothing ignored: only the event's own words expand.
    pub fn new() -> Context {
        Context::default()
    }

    /// The namespaces of a document's `@context` (a list of context URLs and objects mapping
    /// prefixes to namespaces; like the reference, a `@context` that is not a list gives none).
    pub fn from_document_context(context: &Value) -> Context {
        Context {
            namespaces: vocabulary::namespaces_of(context, None),
            ..Context::default()
        }
    }

    /// Everything an event of `document` needs: the namespaces, the ignore list and the
    /// expansion of the whole document's bare words.
    pub fn from_document(document: &Value) -> Result<Context, HashError> {
        if !document.is_object() {
            return Err(HashError::DocumentNotObject);
        }
        let context = document.get("@context").unwrap_or(&Value::Null);
        let raw = vocabulary::namespaces_of(context, None);
        let mut vocabulary = BTreeSet::new();
        vocabulary::expanded_iris(document, &raw, &mut vocabulary)?;
        let words = vocabulary::BareWords::new(&vocabulary);
        let namespaces = Context {
            namespaces: vocabulary::namespaces_of(context, Some(&words)),
            ..Context::default()
        };
        let ignored_fields = ignored_fields(document, &namespaces, &words)?;
        Ok(Context {
            ignored_fields,
            vocabulary,
            ..namespaces
        })
    }

    /// Adds (or overrides) a prefix.
    pub fn with_namespace(mut self, prefix: &str, namespace: &str) -> Context {
        self.namespaces
            .push((prefix.to_owned(), namespace.to_owned()));
        self
    }

    /// Leaves an event field out of the hash, as an `ignoreFields` entry would.
    pub fn with_ignored_field(mut self, field: &str) -> Context {
        self.ignored_fields.push(field.to_owned());
        self
    }

    /// The namespace of `prefix`, if the context has it.
    pub fn namespace(&self, prefix: &str) -> Option<&str> {
        let found = self
            .namespaces
            .iter()
            .rev()
            .find(|(name, _)| name == prefix);
        found.map(|(_, namespace)| namespace.as_str())
    }

    /// A key with its prefix replaced by `{namespace}` (`example:f` to `{https://x/}f`).
    fn expand_key(&self, key: &str) -> String {
        match key.split_once(':') {
            Some((prefix, local)) => match self.namespace(prefix) {
                Some(namespace) => format!("{{{namespace}}}{local}"),
                None => key.to_owned(),
            },
            None => key.to_owned(),
        }
    }

    /// A value with its prefix replaced by the namespace (`cbv:Comp-x` to a full URI).
    fn expand_value(&self, text: &str) -> String {
        match text.split_once(':') {
            Some((prefix, local)) => match self.namespace(prefix) {
                Some(namespace) => format!("{namespace}{local}"),
                None => text.to_owned(),
            },
            None => text.to_owned(),
        }
    }

    fn is_ignored(&self, field: &str) -> bool {
        self.ignored_fields.iter().any(|ignored| ignored == field)
    }
}

/// The `ignoreFields` of a document: under the first prefix bound to
/// [`IGNORE_FIELDS_NAMESPACE`], at the top of the document (or of its `queryResults`).
fn ignored_fields(
    document: &Value,
    context: &Context,
    words: &vocabulary::BareWords<'_>,
) -> Result<Vec<String>, HashError> {
    let prefix = context
        .namespaces
        .iter()
        .map(|(prefix, _)| prefix)
        .find(|prefix| context.namespace(prefix) == Some(IGNORE_FIELDS_NAMESPACE));
    let Some(prefix) = prefix else {
        return Ok(Vec::new());
    };
    let key = format!("{prefix}:{IGNORE_FIELDS_LOCAL_NAME}");
    let body = document.get("epcisBody");
    let holder = match body.and_then(|body| body.get("queryResults")) {
        Some(results) if body.and_then(|body| body.get("eventList")).is_none() => results,
        _ => document,
    };
    match holder.get(&key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(fields)) => Ok(fields
            .iter()
            .filter_map(Value::as_str)
            .map(|field| words.expand(field).unwrap_or(field).to_owned())
            .collect()),
        Some(_) => Err(HashError::IgnoreFieldsNotList),
    }
}

/// The events of an EPCIS document or query document, in order.
pub fn document_events(document: &Value) -> Result<Vec<&Value>, HashError> {
    let body = document.as_object().ok_or(HashError::DocumentNotObject)?;
    let body = body.get("epcisBody").ok_or(HashError::NoEvents)?;
    let list = match (body.get("eventList"), body.get("queryResults")) {
        (Some(list), _) => list,
        (None, Some(results)) => results
            .get("resultsBody")
            .and_then(|results| results.get("eventList"))
            .ok_or(HashError::NoEvents)?,
        (None, None) => {
            return body
                .get("event")
                .map(|event| vec![event])
                .ok_or(HashError::NoEvents);
        }
    };
    let list = list.as_array().ok_or(HashError::EventListNotList)?;
    Ok(list.iter().collect())
}

/// The canonical pre-hash string of one event.
pub fn pre_hash_string(event: &Value, context: &Context) -> Result<String, HashError> {
    let mut vocabulary = context.vocabulary.clone();
    vocabulary::expanded_iris(event, &context.namespaces, &mut vocabulary)?;
    let words = vocabulary::BareWords::new(&vocabulary);
    pre_hash_with(event, context, &words)
}

fn pre_hash_with(
    event: &Value,
    context: &Context,
    words: &vocabulary::BareWords<'_>,
) -> Result<String, HashError> {
    let object = event.as_object().ok_or(HashError::EventNotObject)?;
    let (event_type, children) = tree::Converter::new(context, words).event(object)?;
    Ok(render::pre_hash(&event_type, children))
}

/// The event hash ID of one event: `ni:///sha-256;{hex}?ver=CBV2.0`.
pub fn event_hash(event: &Value, context: &Context) -> Result<String, HashError> {
    pre_hash_string(event, context).map(|pre_hash| hash_id(&pre_hash))
}

/// The event hash ID of a pre-hash string.
pub fn hash_id(pre_hash: &str) -> String {
    let digest = Sha256::digest(pre_hash.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{HASH_ID_START}{hex}?ver={HASH_ALGORITHM_VERSION}")
}

/// The pre-hash strings of a document's events, in order.
pub fn document_pre_hash_strings(document: &Value) -> Result<Vec<String>, HashError> {
    let context = Context::from_document(document)?;
    let words = vocabulary::BareWords::new(&context.vocabulary);
    document_events(document)?
        .into_iter()
        .enumerate()
        .map(|(index, event)| {
            pre_hash_with(event, &context, &words).map_err(|error| error.in_event(index))
        })
        .collect()
}

/// The event hash IDs of a document's events, in order.
pub fn document_event_hashes(document: &Value) -> Result<Vec<String>, HashError> {
    let pre_hashes = document_pre_hash_strings(document)?;
    Ok(pre_hashes
        .iter()
        .map(|pre_hash| hash_id(pre_hash))
        .collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn hashes_a_small_event() {
        let event = json!({
            "type": "ObjectEvent",
            "eventTime": "2020-03-04T11:00:30+01:00",
            "eventTimeZoneOffset": "+01:00",
            "epcList": ["urn:epc:id:sscc:4012345.0000000111"],
            "action": "OBSERVE",
            "bizStep": "departing",
            "recordTime": "2020-03-04T11:00:31Z",
        });
        let pre_hash = pre_hash_string(&event, &Context::new()).unwrap();
        assert_eq!(
            pre_hash,
            "eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00\
             epcListepc=https://id.gs1.org/00/040123450000001112action=OBSERVE\
             bizStep=https://ref.gs1.org/cbv/BizStep-departing"
        );
        let hash = event_hash(&event, &Context::new()).unwrap();
        assert!(hash.starts_with(HASH_ID_START) && hash.ends_with("?ver=CBV2.0"));
        assert_eq!(hash.len(), HASH_ID_START.len() + 64 + "?ver=CBV2.0".len());
    }

    #[test]
    fn namespaces_and_ignored_fields_come_from_the_document() {
        let document = json!({
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                         {"ex": "https://ns.example.com/", "repo": IGNORE_FIELDS_NAMESPACE}],
            "repo:ignoreFields": ["ex:skip"],
            "epcisBody": {"eventList": [
                {"type": "ObjectEvent", "ex:keep": "k", "ex:skip": "s", "action": "ADD"}
            ]}
        });
        let pre_hashes = document_pre_hash_strings(&document).unwrap();
        assert_eq!(
            pre_hashes,
            ["eventType=ObjectEventaction=ADD{https://ns.example.com/}keep=k"]
        );
    }

    #[test]
    fn a_bare_word_anywhere_expands_when_the_document_uses_it_as_a_cbv_word() {
        let note = json!({"type": "ObjectEvent", "ex:note": "shipping"});
        let document = json!({
            "@context": [{"ex": "https://ns.example.com/"}],
            "epcisBody": {"eventList": [{"type": "ObjectEvent", "bizStep": "shipping"}, note]}
        });
        let pre_hashes = document_pre_hash_strings(&document).unwrap();
        assert_eq!(
            pre_hashes[1],
            "eventType=ObjectEvent\
             {https://ns.example.com/}note=https://ref.gs1.org/cbv/BizStep-shipping"
        );
        let alone = Context::from_document_context(&document["@context"]);
        assert_eq!(
            pre_hash_string(&note, &alone).unwrap(),
            "eventType=ObjectEvent{https://ns.example.com/}note=shipping"
        );
    }

    #[test]
    fn typed_lists_and_ilmd_are_sorted_with_the_user_extensions() {
        let event = json!({
            "type": "ObjectEvent",
            "action": "ADD",
            "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:4012345.00000"}],
            "destinationList": [{"type": "location", "destination": "geo:1,2"}],
            "ilmd": {"ex:lot": "L1"},
            "ex:z": "last",
        });
        let context = Context::new().with_namespace("ex", "https://ns.example.com/");
        assert_eq!(
            pre_hash_string(&event, &context).unwrap(),
            "eventType=ObjectEventaction=ADD\
             destinationListtype=https://ref.gs1.org/cbv/SDT-locationdestination=geo:1,2\
             ilmd{https://ns.example.com/}lot=L1\
             sourceListtype=https://ref.gs1.org/cbv/SDT-owning_party\
             source=https://id.gs1.org/417/4012345000009\
             {https://ns.example.com/}z=last"
        );
    }

    #[test]
    fn odd_shapes_hash_or_fail_cleanly() {
        let context = Context::new().with_namespace("ex", "https://ns.example.com/");
        let hashed = [
            json!({}),
            json!({"type": "ObjectEvent", "ex:m": [[1, [2]], [], {}], "readPoint": "urn:x"}),
            json!({"type": "X", "epcList": [{"a": 1}, null, true], "quantityList": "q"}),
            json!({"type": "X", "bizTransactionList": [{"bizTransaction": "b"}]}),
            json!({"type": "X", "eventTime": "bad", "sensorElementList": [{"sensorReport": 5}]}),
        ];
        for event in hashed {
            assert!(event_hash(&event, &context).is_ok(), "{event}");
        }
        let refused = [
            (json!({"type": 5}), "TANBA-EPCIS-HASH-EVENT-TYPE-NOT-TEXT"),
            (
                json!({"type": "X", "sourceList": ["s"]}),
                "TANBA-EPCIS-HASH-MALFORMED-LIST-ENTRY",
            ),
            (json!("event"), "TANBA-EPCIS-HASH-EVENT-NOT-OBJECT"),
        ];
        for (event, code) in refused {
            assert_eq!(
                event_hash(&event, &context).unwrap_err().code(),
                code,
                "{event}"
            );
        }
    }

    #[test]
    fn errors_say_which_event() {
        let document = json!({"epcisBody": {"eventList": [{"type": "ObjectEvent"}, 7]}});
        let error = document_event_hashes(&document).unwrap_err();
        assert_eq!(error, HashError::EventNotObject.in_event(1));
        assert_eq!(error.code(), "TANBA-EPCIS-HASH-EVENT-NOT-OBJECT");
        assert_eq!(
            document_event_hashes(&json!([])),
            Err(HashError::DocumentNotObject)
        );
        assert_eq!(
            document_event_hashes(&json!({"epcisBody": {}})),
            Err(HashError::NoEvents)
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let mut deep = json!("x");
        for _ in 0..(NESTING_DEPTH_MAX * 2) {
            deep = json!({ "ex:n": deep });
        }
        let event = json!({"type": "ObjectEvent", "ex:deep": deep});
        let error = pre_hash_string(&event, &Context::new()).unwrap_err();
        assert_eq!(error.code(), "TANBA-EPCIS-HASH-NESTING-TOO-DEEP");
    }

    #[test]
    fn codes_are_unique_and_complete() {
        let errors = [
            HashError::DocumentNotObject,
            HashError::NoEvents,
            HashError::EventListNotList,
            HashError::EventNotObject,
            HashError::EventTypeNotText,
            HashError::NestingTooDeep { depth_max: 1 },
            HashError::TooManyElements { elements_max: 1 },
            HashError::MalformedListEntry {
                list: String::new(),
            },
            HashError::IgnoreFieldsNotList,
        ];
        let mut codes: Vec<_> = errors.iter().map(HashError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), HashError::ALL_CODES.len());
        assert!(codes.iter().all(|code| HashError::ALL_CODES.contains(code)));
    }
}
