//! Our AI table (`src/ai_table.rs`) against GS1's Barcode Syntax Dictionary.
//!
//! The dictionary file in `shared/conformance/` is GS1's; the Rust table is ours. This test parses
//! the dictionary, renders the table it implies, and fails on any difference, naming the AIs that
//! differ. `UPDATE_AI_TABLE=1 cargo test -p tanba-gs1 --test ai_table_sourcegen` rewrites the table
//! (the rust-analyzer "sourcegen" pattern): review the diff like any other change.

use std::{collections::BTreeMap, path::PathBuf};

use tanba_gs1::{
    ai::{self, Cset},
    lint::Linter,
};

/// The dictionary release gs1-syntax-engine 50657dbd is tested against (see SOURCES.md there).
const DICTIONARY: &str = "gs1-syntax-dictionary/gs1-syntax-dictionary.release-2026-01-27.txt";

fn conformance_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo test"))
        .join("../../../shared/conformance")
}

struct ParsedComponent {
    cset: Cset,
    length_min: u8,
    length_max: u8,
    optional: bool,
    linters: Vec<String>,
}

struct ParsedEntry {
    ai: String,
    fnc1_required: bool,
    dl_data_attribute: bool,
    components: Vec<ParsedComponent>,
    requires: Vec<String>,
    excludes: Vec<String>,
    dl_primary_key: Option<Vec<String>>,
    title: String,
}

fn parse_component(text: &str) -> ParsedComponent {
    let mut parts = text.split(',');
    let mut spec = parts.next().unwrap();
    let optional = spec.starts_with('[');
    if optional {
        spec = spec.trim_start_matches('[').trim_end_matches(']');
    }
    let cset = match spec.as_bytes()[0] {
        b'N' => Cset::Numeric,
        b'X' => Cset::Cset82,
        b'Y' => Cset::Cset39,
        b'Z' => Cset::Cset64,
        other => panic!("unknown character set {other} in {text}"),
    };
    let lengths = &spec[1..];
    let (length_min, length_max) = match lengths.strip_prefix("..") {
        Some(max) => (1, max.parse().unwrap()),
        None => {
            let fixed = lengths.parse().unwrap();
            (fixed, fixed)
        }
    };
    ParsedComponent {
        cset,
        length_min,
        length_max,
        optional,
        linters: parts.map(str::to_owned).collect(),
    }
}

fn parse_dictionary(text: &str) -> Vec<ParsedEntry> {
    let mut entries = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (body, title) = match line.split_once('#') {
            Some((body, title)) => (body, title.trim().to_owned()),
            None => (line, String::new()),
        };
        let mut tokens = body.split_whitespace().peekable();
        let range = tokens.next().unwrap();
        let mut flags = "";
        if tokens
            .peek()
            .is_some_and(|token| !token.starts_with(['N', 'X', 'Y', 'Z', '[']))
        {
            flags = tokens.next().unwrap();
        }
        let mut components = Vec::new();
        let mut requires = Vec::new();
        let mut excludes = Vec::new();
        let mut dl_primary_key = None;
        for token in tokens {
            if let Some(value) = token.strip_prefix("req=") {
                requires.push(value.to_owned());
            } else if let Some(value) = token.strip_prefix("ex=") {
                excludes.push(value.to_owned());
            } else if token == "dlpkey" {
                dl_primary_key = Some(vec![String::new()]);
            } else if let Some(value) = token.strip_prefix("dlpkey=") {
                dl_primary_key = Some(value.split('|').map(str::to_owned).collect());
            } else {
                assert!(
                    token.starts_with(['N', 'X', 'Y', 'Z', '[']),
                    "unexpected {token}"
                );
                components.push(parse_component(token));
            }
        }
        let (first, last) = range.split_once('-').unwrap_or((range, range));
        let width = first.len();
        let (first, last): (u32, u32) = (first.parse().unwrap(), last.parse().unwrap());
        for number in first..=last {
            entries.push(ParsedEntry {
                ai: format!("{number:0width$}"),
                fnc1_required: !flags.contains('*'),
                dl_data_attribute: flags.contains('?'),
                components: components
                    .iter()
                    .map(|component| ParsedComponent {
                        linters: component.linters.clone(),
                        ..*component
                    })
                    .collect(),
                requires: requires.clone(),
                excludes: excludes.clone(),
                dl_primary_key: dl_primary_key.clone(),
                title: title.clone(),
            });
        }
    }
    entries
}

impl Clone for ParsedComponent {
    fn clone(&self) -> Self {
        ParsedComponent {
            linters: self.linters.clone(),
            ..*self
        }
    }
}

fn string_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("{item:?}")).collect();
    format!("&[{}]", quoted.join(", "))
}

fn render_component(component: &ParsedComponent) -> String {
    let linters: Vec<String> = component
        .linters
        .iter()
        .filter_map(|name| Linter::from_name(name).map(|linter| format!("Linter::{linter:?}")))
        .collect();
    format!(
        "Component {{ cset: Cset::{:?}, length_min: {}, length_max: {}, optional: {}, linters: &[{}] }}",
        component.cset,
        component.length_min,
        component.length_max,
        component.optional,
        linters.join(", ")
    )
}

fn render_entry(entry: &ParsedEntry) -> String {
    let components: Vec<String> = entry.components.iter().map(render_component).collect();
    let dl_primary_key = match &entry.dl_primary_key {
        None => "None".to_owned(),
        Some(sequences) => format!("Some({})", string_list(sequences)),
    };
    format!(
        "    AiEntry {{ ai: {:?}, fnc1_required: {}, dl_data_attribute: {}, title: {:?},\n        \
         components: &[{}],\n        \
         requires: {}, excludes: {}, dl_primary_key: {} }},\n",
        entry.ai,
        entry.fnc1_required,
        entry.dl_data_attribute,
        entry.title,
        components.join(", "),
        string_list(&entry.requires),
        string_list(&entry.excludes),
        dl_primary_key,
    )
}

fn render_table(entries: &[ParsedEntry]) -> String {
    let mut out = String::new();
    out.push_str(
        "//! The GS1 Application Identifier table: one entry per AI, from the GS1 Barcode Syntax\n\
         //! Dictionary release 2026-01-27. Checked (and rewritten on request) by the test\n\
         //! `ai_table_sourcegen`; see `ai.rs` for what the fields mean.\n\n\
         use crate::{\n    ai::{AiEntry, Component, Cset},\n    lint::Linter,\n};\n\n\
         /// Every AI we support, sorted by AI.\n\
         #[rustfmt::skip]\n\
         pub(crate) static AI_TABLE: &[AiEntry] = &[\n",
    );
    for entry in entries {
        out.push_str(&render_entry(entry));
    }
    out.push_str("];\n");
    out
}

/// Semantic comparison, so a failure names the AIs that differ rather than a text diff.
fn differences(entries: &[ParsedEntry]) -> Vec<String> {
    let ours: BTreeMap<&str, &ai::AiEntry> = ai::table().iter().map(|e| (e.ai, e)).collect();
    let theirs: BTreeMap<&str, &ParsedEntry> = entries.iter().map(|e| (e.ai.as_str(), e)).collect();
    let mut found = Vec::new();
    for (ai_digits, their) in &theirs {
        let Some(our) = ours.get(ai_digits) else {
            found.push(format!(
                "({ai_digits}) is in GS1's dictionary but not in our table"
            ));
            continue;
        };
        let rendered_ours = format!("{our:?}");
        let expected_components: Vec<String> =
            their.components.iter().map(render_component).collect();
        let same = our.fnc1_required == their.fnc1_required
            && our.dl_data_attribute == their.dl_data_attribute
            && our.components.len() == their.components.len()
            && our
                .requires
                .iter()
                .map(|s| s.to_string())
                .eq(their.requires.iter().cloned())
            && our
                .excludes
                .iter()
                .map(|s| s.to_string())
                .eq(their.excludes.iter().cloned())
            && our
                .dl_primary_key
                .map(|k| k.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                == their.dl_primary_key
            && our.title == their.title
            && our.components.iter().zip(&their.components).all(|(o, t)| {
                o.cset == t.cset
                    && o.length_min == t.length_min
                    && o.length_max == t.length_max
                    && o.optional == t.optional
                    && o.linters
                        .iter()
                        .map(|linter| Some(*linter))
                        .eq(t.linters.iter().map(|name| Linter::from_name(name)))
            });
        if !same {
            found.push(format!(
                "({ai_digits}) differs:\n  ours:   {rendered_ours}\n  GS1's:  {expected_components:?} req={:?} ex={:?} dlpkey={:?}",
                their.requires, their.excludes, their.dl_primary_key
            ));
        }
    }
    for ai_digits in ours.keys() {
        if !theirs.contains_key(ai_digits) {
            found.push(format!(
                "({ai_digits}) is in our table but not in GS1's dictionary"
            ));
        }
    }
    found
}

#[test]
fn ai_table_matches_gs1_syntax_dictionary() {
    let text = std::fs::read_to_string(conformance_dir().join(DICTIONARY))
        .expect("the GS1 Syntax Dictionary under shared/conformance");
    let entries = parse_dictionary(&text);
    let table_path =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo test"))
            .join("src/ai_table.rs");
    let rendered = render_table(&entries);
    if std::env::var_os("UPDATE_AI_TABLE").is_some() {
        std::fs::write(&table_path, &rendered).unwrap();
        eprintln!("rewrote {}", table_path.display());
        return;
    }
    let found = differences(&entries);
    println!(
        "AI table: {} AIs in GS1's dictionary, {} in ours, {} differences",
        entries.len(),
        ai::table().len(),
        found.len()
    );
    assert!(
        found.is_empty(),
        "our AI table disagrees with GS1's:\n{}",
        found.join("\n")
    );
    let on_disk = std::fs::read_to_string(&table_path).unwrap();
    assert!(
        on_disk == rendered,
        "src/ai_table.rs is not in the generated form; run with UPDATE_AI_TABLE=1"
    );
}
