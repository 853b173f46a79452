//! GS1's EPCIS 2.0 JSON schema (draft 7, one file with every definition inlined), compiled once
//! and checked with its formats on (a `date-time` must be one), but one: `uri`. The draft
//! schema names the fields an event may have by `propertyNames` "a listed name or a URI", and
//! its lists miss fields EPCIS 2.0 has (the XSD gives `persistentDisposition` to aggregation and
//! transaction events too): checked as URIs, those fields would refuse valid documents. So the
//! schema takes any field name, and [`crate::capture`] checks names and values itself (fields
//! by event type, the namespaces of user fields, vocabulary words and URIs).
//!
//! The schema is GS1's file as published in github.com/gs1/EPCIS at commit 2b888bef
//! (`schema/EPCIS-JSON-Schema.json`, GS1's IP policy and disclaimer), copied unchanged; a test
//! holds it to the copy among the project's conformance material.

use std::sync::LazyLock;

use serde_json::Value;

/// GS1's EPCIS 2.0 JSON schema, as published.
pub const EPCIS_JSON_SCHEMA: &str = include_str!("../schema/EPCIS-JSON-Schema.json");

static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(EPCIS_JSON_SCHEMA).expect("GS1's schema is JSON");
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .with_format("uri", |_: &str| true)
        .build(&schema)
        .expect("GS1's schema compiles")
});

/// Where `document` breaks the schema and why, as (JSON pointer, the validator's words), at
/// most `limit` of them; none for a valid document.
pub fn problems(document: &Value, limit: usize) -> Vec<(String, String)> {
    VALIDATOR
        .iter_errors(document)
        .take(limit)
        .map(|error| (error.instance_path().to_string(), error.to_string()))
        .collect()
}

/// Whether `document` passes the schema.
pub fn is_valid(document: &Value) -> bool {
    VALIDATOR.is_valid(document)
}
