//! Tanba as a member of the GS1 EPCIS 2.0 ecosystem.
//!
//! - [`export`]: the log's goods events as EPCIS 2.0 events in JSON-LD, identifiers as GS1
//!   Digital Link URIs, each with its event hash as `eventID`; a shipment called back as an
//!   error declaration.
//! - [`hash`]: the CBV 2.0 event hash (`ni:///sha-256;...?ver=CBV2.0`) of any EPCIS 2.0 event
//!   in JSON-LD, so a partner can tell one of our events from another and recompute it.
//! - [`epc`]: EPC URNs (`urn:epc:id:sgtin:...`) to canonical GS1 Digital Link URIs, the one
//!   form the hash and Tanba's own identifiers use.
//! - [`capture`]: a partner's document read, checked (the schema, then the vocabulary and the
//!   namespaces the schema does not check) and mapped to the participant's commands.
//! - [`query`]: the REST query interface's parameters, read and matched against events.
//! - [`schema`]: GS1's EPCIS 2.0 JSON schema, compiled once.
//! - [`vocab`]: the CBV 2.0 vocabularies.
//!
//! Pure: no store, no clock, no network. The server reads the log and runs the commands.

pub mod capture;
pub mod epc;
pub mod export;
pub mod hash;
pub mod query;
pub mod schema;
pub mod vocab;
