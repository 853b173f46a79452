//! The CBV 2.0 event hash against the reference implementation's own vectors
//! (`shared/conformance/epcis-event-hash-generator`, read as it is):
//!
//! - `dl_normaliser_vectors.jsonl`: EPC URIs and Digital Link URIs to the constrained canonical
//!   Digital Link URI, or no form at all; one test per group of the reference's tests.
//! - `examples/X.jsonld` with `X.hashes` and `X.prehashes`: every event's hash and pre-hash
//!   string. Examples without a `.jsonld` are listed in [`SKIPPED`] with the reason, and the
//!   few upstream pre-hash lines that are not what the upstream hashes were made from are
//!   listed in [`STALE_PRE_HASHES`]: for those the hash is checked and the line is checked to
//!   still be stale, so a fixed upstream file fails here until the list is updated.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use serde_json::Value;
use tanba_epcis::{epc, hash};

fn conformance_directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/epcis-event-hash-generator")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

// ---- Digital Link normalisation -------------------------------------------------------------

/// Every group of vectors, as the reference's test functions are named.
const VECTOR_GROUPS: &[&str] = &[
    "test_good_epc_conversion",
    "test_epc_uri_patterns",
    "test_uris_with_letters_and_ais",
    "test_gtin_8_12_13",
    "test_http_only",
    "test_key_qualifiers",
    "test_sub_domains",
    "test_qualifier_or_custom_data_attributes_in_query_string",
    "test_other_gs1_keys",
    "test_non_existent_key_ai",
    "test_ordinary_web_uri",
    "test_incorrect_syntax",
    "test_regression_87",
    "test_regression_52",
];

/// Vectors in the file (its README says 71).
const VECTOR_COUNT: usize = 71;

fn vectors() -> Vec<Value> {
    let path = conformance_directory().join("dl_normaliser_vectors.jsonl");
    read(&path)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("a vector is JSON"))
        .collect()
}

/// Checks every vector of `group`: the input's canonical form, or none where the reference has
/// none. A non-text input is what the hash would see: its JSON text.
fn check_group(group: &str) {
    let vectors: Vec<Value> = vectors()
        .into_iter()
        .filter(|vector| vector["test"] == group)
        .collect();
    assert!(!vectors.is_empty(), "no vectors in group {group}");
    let mut failures = Vec::new();
    for vector in &vectors {
        let input = match &vector["input"] {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let expected = vector["expected_canonical_dl"].as_str();
        let got = epc::canonical_digital_link(&input);
        if got.as_deref().ok() != expected {
            failures.push(format!(
                "{input}: expected {expected:?}, got {got:?} ({})",
                vector["source"]
            ));
        }
    }
    assert!(failures.is_empty(), "{group}:\n{}", failures.join("\n"));
}

#[test]
fn good_epc_conversion() {
    check_group("test_good_epc_conversion");
}

#[test]
fn epc_uri_patterns() {
    check_group("test_epc_uri_patterns");
}

#[test]
fn uris_with_letters_and_ais() {
    check_group("test_uris_with_letters_and_ais");
}

#[test]
fn gtin_8_12_13() {
    check_group("test_gtin_8_12_13");
}

#[test]
fn http_only() {
    check_group("test_http_only");
}

#[test]
fn key_qualifiers() {
    check_group("test_key_qualifiers");
}

#[test]
fn sub_domains() {
    check_group("test_sub_domains");
}

#[test]
fn qualifier_or_custom_data_attributes_in_query_string() {
    check_group("test_qualifier_or_custom_data_attributes_in_query_string");
}

#[test]
fn other_gs1_keys() {
    check_group("test_other_gs1_keys");
}

#[test]
fn non_existent_key_ai() {
    check_group("test_non_existent_key_ai");
}

#[test]
fn ordinary_web_uri() {
    check_group("test_ordinary_web_uri");
}

#[test]
fn incorrect_syntax() {
    check_group("test_incorrect_syntax");
}

#[test]
fn regression_87_sscc_extension_digit() {
    check_group("test_regression_87");
}

#[test]
fn regression_52_gsrn_gsrnp_gsin_check_digits() {
    check_group("test_regression_52");
}

#[test]
fn every_vector_is_in_a_checked_group() {
    let vectors = vectors();
    assert_eq!(vectors.len(), VECTOR_COUNT, "the vector file changed");
    for vector in &vectors {
        let group = vector["test"].as_str().unwrap_or_default();
        assert!(
            VECTOR_GROUPS.contains(&group),
            "vector of an unchecked group: {vector}"
        );
    }
}

// ---- Event hashes ---------------------------------------------------------------------------

/// Examples without a JSON-LD document, and why they are not checked.
const SKIPPED: &[(&str, &str)] = &[
    (
        "SensorDataExamples",
        "XML document only; XML input is out of scope",
    ),
    (
        "epcisDocWith2DifferentTransformationEvents",
        "XML document only; XML input is out of scope",
    ),
    (
        "epcisDocWithTransformationEventWithExtension",
        "XML document only; XML input is out of scope",
    ),
    (
        "epcisDocWithTransformationEventWithMultipleExtensions",
        "XML document only; XML input is out of scope",
    ),
    (
        "epcisXmlDocHavingEventWithIgnoreFields",
        "XML document only; XML input is out of scope",
    ),
    (
        "epcisXmlQueryDocHavingEventWithIgnoreFields",
        "XML document only; XML input is out of scope",
    ),
    (
        "epcisDocHavingTooManyUserExtensions",
        "pre-hash strings only: no document, no hashes",
    ),
];

/// Upstream pre-hash lines (example, event) that the upstream hash of that event was not made
/// from (their SHA-256 differs from the `.hashes` line the upstream test checks).
const STALE_PRE_HASHES: &[(&str, usize, &str)] = &[
    (
        "epcisDocWithAllGS1Keys",
        0,
        "the line is garbled (text spliced into itself)",
    ),
    (
        "epcisDocWithCustomSchemaInContext",
        1,
        "the line is a variant of event 0, not event 1 of the document",
    ),
    (
        "epcisDocWithDefaultSchemaInContext",
        1,
        "the line is cut short in the middle of a value",
    ),
];

/// Examples that must be there and checked (so that a moved directory cannot pass).
const JSON_LD_EXAMPLES_MIN: usize = 20;

fn lines(path: &Path) -> Vec<String> {
    read(path)
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every example's stem, from the directory's listing.
fn example_stems(directory: &Path) -> BTreeSet<String> {
    let listing = fs::read_dir(directory).unwrap_or_else(|error| {
        panic!(
            "conformance examples missing at {}: {error}",
            directory.display()
        )
    });
    listing
        .map(|entry| entry.expect("a directory entry").path())
        .filter_map(|path| {
            path.file_stem()
                .and_then(|stem| stem.to_str())
                .map(str::to_owned)
        })
        .collect()
}

/// Checks one example with a document; returns the mismatches.
fn check_example(directory: &Path, stem: &str) -> Vec<String> {
    let document: Value = serde_json::from_str(&read(&directory.join(format!("{stem}.jsonld"))))
        .unwrap_or_else(|error| panic!("{stem}.jsonld: {error}"));
    let pre_hashes = match hash::document_pre_hash_strings(&document) {
        Ok(pre_hashes) => pre_hashes,
        Err(error) => return vec![format!("{stem}: {error} ({})", error.code())],
    };
    let hashes: Vec<String> = pre_hashes
        .iter()
        .map(|pre_hash| hash::hash_id(pre_hash))
        .collect();
    assert_eq!(
        hash::document_event_hashes(&document).ok().as_ref(),
        Some(&hashes)
    );
    let mut failures = Vec::new();
    let hashes_path = directory.join(format!("{stem}.hashes"));
    if hashes_path.exists() {
        let expected = lines(&hashes_path);
        if expected != hashes {
            failures.push(format!(
                "{stem}: hashes\n  expected {expected:?}\n  got      {hashes:?}"
            ));
        }
    }
    let pre_hashes_path = directory.join(format!("{stem}.prehashes"));
    if pre_hashes_path.exists() {
        let expected = lines(&pre_hashes_path);
        if expected.len() != pre_hashes.len() {
            failures.push(format!(
                "{stem}: {} pre-hashes, expected {}",
                pre_hashes.len(),
                expected.len()
            ));
        }
        for (index, (expected, got)) in expected.iter().zip(&pre_hashes).enumerate() {
            let stale = STALE_PRE_HASHES
                .iter()
                .any(|(name, event, _)| *name == stem && *event == index);
            if stale {
                let upstream_hash = lines(&hashes_path).get(index).cloned();
                assert_ne!(
                    Some(hash::hash_id(expected)),
                    upstream_hash,
                    "{stem} event {index}: the stale pre-hash line is fixed upstream; \
                     drop it from STALE_PRE_HASHES"
                );
            } else if expected != got {
                failures.push(format!(
                    "{stem} event {index}: pre-hash\n  expected {expected}\n  got      {got}"
                ));
            }
        }
    }
    failures
}

#[test]
fn every_json_ld_example_hashes_as_the_reference() {
    let directory = conformance_directory().join("examples");
    let stems = example_stems(&directory);
    let mut failures = Vec::new();
    let mut checked = 0;
    for stem in &stems {
        if directory.join(format!("{stem}.jsonld")).exists() {
            failures.extend(check_example(&directory, stem));
            checked += 1;
        } else if !SKIPPED.iter().any(|(name, _)| name == stem) {
            failures.push(format!("{stem}: no .jsonld and not in SKIPPED"));
        }
    }
    for (name, reason) in SKIPPED {
        assert!(
            stems.contains(*name),
            "skipped example {name} is gone ({reason})"
        );
        let document = directory.join(format!("{name}.jsonld"));
        assert!(
            !document.exists(),
            "{name} now has a .jsonld: check it instead of skipping it"
        );
    }
    for (name, _, _) in STALE_PRE_HASHES {
        assert!(stems.contains(*name), "stale example {name} is gone");
    }
    assert!(
        checked >= JSON_LD_EXAMPLES_MIN,
        "only {checked} JSON-LD examples found"
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
