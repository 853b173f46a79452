//! Conformance of `tanba_gs1::lint` with the GS1 reference linters.
//!
//! Runs every unit-test vector of `gs1/gs1-syntax-dictionary` (`src/lint_*.c`, extracted into
//! `shared/conformance/gs1-syntax-dictionary/linter_unit_tests.jsonl`, read as it is) and checks
//! pass/fail, the error name and the error range (the vectors' `*...*` markup). Vectors that need
//! something Tanba deliberately lacks are listed in [`OUT_OF_SCOPE`], never skipped silently.
//! A second test checks that every linter named in the pinned Syntax Dictionary is implemented.

use std::{collections::BTreeSet, fs, path::PathBuf};

use serde::Deserialize;
use tanba_gs1::lint::{LintError, Linter, lint};

/// The vectors, relative to this crate's manifest directory.
const VECTORS_PATH: &str =
    "../../../shared/conformance/gs1-syntax-dictionary/linter_unit_tests.jsonl";
/// The pinned Syntax Dictionary release, relative to this crate's manifest directory.
const DICTIONARY_PATH: &str = "../../../shared/conformance/gs1-syntax-dictionary/gs1-syntax-dictionary.release-2026-01-27.txt";

/// The reference names its linter functions `gs1_lint_<name>`.
const LINTER_FUNCTION_PREFIX: &str = "gs1_lint_";

/// The upstream file has 5,671 vectors; a much smaller count means a truncated or wrong file.
const VECTOR_COUNT_MIN: usize = 5_000;

/// A vector that is deliberately not run, identified by linter, input and expected error.
struct OutOfScope {
    linter: &'static str,
    input: &'static str,
    expected_error: &'static str,
    reason: &'static str,
}

/// Why the GCP lookup vectors are out of scope.
const NO_GCP_DATA_SOURCE: &str = "needs a GS1 Company Prefix data source (the upstream test \
    installs a lookup that rejects the prefix or reports itself offline); Tanba configures none, \
    so a well-formed prefix passes, as the reference does without a data source";

/// Every vector that is not run, with the reason.
const OUT_OF_SCOPE: &[OutOfScope] = &[
    OutOfScope {
        linter: "gs1_lint_gcppos1",
        input: "1234567",
        expected_error: "GS1_LINTER_INVALID_GCP_PREFIX",
        reason: NO_GCP_DATA_SOURCE,
    },
    OutOfScope {
        linter: "gs1_lint_gcppos1",
        input: "1234567",
        expected_error: "GS1_LINTER_GCP_DATASOURCE_OFFLINE",
        reason: NO_GCP_DATA_SOURCE,
    },
    OutOfScope {
        linter: "gs1_lint_gcppos2",
        input: "I1234567",
        expected_error: "GS1_LINTER_INVALID_GCP_PREFIX",
        reason: NO_GCP_DATA_SOURCE,
    },
    OutOfScope {
        linter: "gs1_lint_gcppos2",
        input: "I1234567",
        expected_error: "GS1_LINTER_GCP_DATASOURCE_OFFLINE",
        reason: NO_GCP_DATA_SOURCE,
    },
    OutOfScope {
        linter: "gs1_lint_couponcode",
        input: "012345612345611110123",
        expected_error: "GS1_LINTER_INVALID_GCP_PREFIX",
        reason: NO_GCP_DATA_SOURCE,
    },
    OutOfScope {
        linter: "gs1_lint_couponcode",
        input: "012345612345611110123",
        expected_error: "GS1_LINTER_GCP_DATASOURCE_OFFLINE",
        reason: NO_GCP_DATA_SOURCE,
    },
    OutOfScope {
        linter: "gs1_lint_couponcode",
        input: "012345612345611110123101101230123456",
        expected_error: "GS1_LINTER_INVALID_GCP_PREFIX",
        reason: NO_GCP_DATA_SOURCE,
    },
    OutOfScope {
        linter: "gs1_lint_couponcode",
        input: "012345612345611110123101101230123456",
        expected_error: "GS1_LINTER_GCP_DATASOURCE_OFFLINE",
        reason: NO_GCP_DATA_SOURCE,
    },
    OutOfScope {
        linter: "gs1_lint_couponcode",
        input: "01234561234561111012321101230123456",
        expected_error: "GS1_LINTER_INVALID_GCP_PREFIX",
        reason: NO_GCP_DATA_SOURCE,
    },
    OutOfScope {
        linter: "gs1_lint_couponcode",
        input: "01234561234561111012321101230123456",
        expected_error: "GS1_LINTER_GCP_DATASOURCE_OFFLINE",
        reason: NO_GCP_DATA_SOURCE,
    },
    OutOfScope {
        linter: "gs1_lint_couponcode",
        input: "012345612345611110123611234567",
        expected_error: "GS1_LINTER_INVALID_GCP_PREFIX",
        reason: NO_GCP_DATA_SOURCE,
    },
    OutOfScope {
        linter: "gs1_lint_couponcode",
        input: "012345612345611110123611234567",
        expected_error: "GS1_LINTER_GCP_DATASOURCE_OFFLINE",
        reason: NO_GCP_DATA_SOURCE,
    },
];

/// One line of the vectors file.
#[derive(Debug, Deserialize)]
struct Vector {
    linter: String,
    input: String,
    expected: Expected,
    expected_error: Option<String>,
    expected_error_markup: Option<String>,
    source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Expected {
    Pass,
    Fail,
}

fn shared_file(relative: &str) -> String {
    let path = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo test"))
        .join(relative);
    fs::read_to_string(&path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

/// The input with the error range wrapped in `*`, as the vectors mark it; `None` if the range
/// does not lie within the input on character boundaries.
fn markup(input: &str, error: &LintError) -> Option<String> {
    let end = error.position.checked_add(error.length)?;
    let (before, at, after) = (
        input.get(..error.position)?,
        input.get(error.position..end)?,
        input.get(end..)?,
    );
    Some(format!("{before}*{at}*{after}"))
}

/// Checks one vector; returns a description of the disagreement, if any.
fn check(vector: &Vector) -> Option<String> {
    let name = vector
        .linter
        .strip_prefix(LINTER_FUNCTION_PREFIX)
        .unwrap_or(&vector.linter);
    let Some(linter) = Linter::from_name(name) else {
        return Some(format!("unknown linter {:?}", vector.linter));
    };
    match (vector.expected, lint(linter, &vector.input)) {
        (Expected::Pass, Ok(())) => None,
        (Expected::Pass, Err(error)) => Some(format!(
            "expected pass, got {} at {:?}",
            error.kind.gs1_name(),
            markup(&vector.input, &error),
        )),
        (Expected::Fail, Ok(())) => Some(format!("expected {:?}, got pass", vector.expected_error)),
        (Expected::Fail, Err(error)) => {
            let got = (Some(error.kind.gs1_name()), markup(&vector.input, &error));
            let expected = (
                vector.expected_error.as_deref(),
                vector.expected_error_markup.clone(),
            );
            (got != expected).then(|| format!("expected {expected:?}, got {got:?}"))
        }
    }
}

fn out_of_scope_index(vector: &Vector) -> Option<usize> {
    OUT_OF_SCOPE.iter().position(|entry| {
        entry.linter == vector.linter
            && entry.input == vector.input
            && Some(entry.expected_error) == vector.expected_error.as_deref()
    })
}

#[test]
fn reference_linter_vectors() {
    let text = shared_file(VECTORS_PATH);
    let mut ran = 0;
    let mut out_of_scope_seen = vec![0; OUT_OF_SCOPE.len()];
    let mut linters_seen = BTreeSet::new();
    let mut disagreements = Vec::new();

    for (line_index, line) in text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
    {
        let vector: Vector = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("line {}: {error}", line_index + 1));
        linters_seen.insert(vector.linter.clone());
        if let Some(index) = out_of_scope_index(&vector) {
            out_of_scope_seen[index] += 1;
            continue;
        }
        ran += 1;
        if let Some(problem) = check(&vector) {
            disagreements.push(format!(
                "line {} ({}): {} {:?}: {problem}",
                line_index + 1,
                vector.source,
                vector.linter,
                vector.input,
            ));
        }
    }

    let out_of_scope: usize = out_of_scope_seen.iter().sum();
    println!("linter vectors: {ran} ran, {out_of_scope} out of scope");
    let reasons: BTreeSet<&str> = OUT_OF_SCOPE.iter().map(|entry| entry.reason).collect();
    for reason in reasons {
        println!("  out of scope because it {reason}:");
        for entry in OUT_OF_SCOPE.iter().filter(|entry| entry.reason == reason) {
            println!(
                "    {} {:?} {}",
                entry.linter, entry.input, entry.expected_error
            );
        }
    }

    assert!(
        ran + out_of_scope >= VECTOR_COUNT_MIN,
        "only {} vectors read",
        ran + out_of_scope
    );
    for (entry, seen) in OUT_OF_SCOPE.iter().zip(&out_of_scope_seen) {
        assert_eq!(
            *seen, 1,
            "out-of-scope entry {} {:?} matched {seen} vectors",
            entry.linter, entry.input
        );
    }
    for &linter in Linter::ALL {
        let function = format!("{LINTER_FUNCTION_PREFIX}{}", linter.name());
        assert!(
            linters_seen.contains(&function),
            "no vectors for {function}"
        );
    }
    assert!(
        disagreements.is_empty(),
        "{} of {ran} vectors disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n"),
    );
}

/// Whether a Syntax Dictionary specification token is a component (`N18,csum`, `[X..17]`, ...).
fn is_component(token: &str) -> bool {
    token
        .trim_start_matches('[')
        .starts_with(['N', 'X', 'Y', 'Z'])
}

#[test]
fn every_dictionary_linter_is_implemented() {
    let text = shared_file(DICTIONARY_PATH);
    let mut named = BTreeSet::new();
    for line in text.lines() {
        let specification = line.split('#').next().unwrap_or_default();
        for token in specification
            .split_whitespace()
            .filter(|token| is_component(token))
        {
            named.extend(token.split(',').skip(1).map(str::to_owned));
        }
    }
    assert!(
        named.contains("csum") && named.contains("couponcode"),
        "dictionary not parsed: {named:?}"
    );
    let unknown: Vec<_> = named
        .iter()
        .filter(|name| Linter::from_name(name).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "linters named in the dictionary but not implemented: {unknown:?}"
    );
    println!("dictionary names {} linters, all implemented", named.len());
}
