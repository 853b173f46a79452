//! GS1 Syntax Engine conformance: every vector in `shared/conformance/gs1-syntax-engine/` that
//! falls within what we parse and generate. Each test prints how many vectors it ran and fails
//! on any disagreement, listing all of them. Vectors out of scope are named below with the reason.

use std::path::PathBuf;

use serde_json::Value;
use tanba_gs1::{
    ElementString, GS, Gs1ErrorKind, ParseOptions, ai, digital_link,
    element::Element,
    scan::{self, ScanData, SymbolContent, Symbology},
};

fn vectors(file: &str) -> Vec<Value> {
    let path = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo test"))
        .join("../../../shared/conformance/gs1-syntax-engine")
        .join(file);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn text<'a>(vector: &'a Value, field: &str) -> &'a str {
    vector[field].as_str().unwrap_or_default()
}

fn flag(vector: &Value, name: &str) -> Option<bool> {
    vector["ctx_state_before_call"][name]
        .as_str()
        .map(|value| value == "true")
}

/// Parse options as the upstream test had set them before the call.
fn options_for(vector: &Value) -> ParseOptions {
    let defaults = ParseOptions::default();
    ParseOptions {
        permit_unknown_ais: flag(vector, "gs1_encoder_setPermitUnknownAIs")
            .unwrap_or(defaults.permit_unknown_ais),
        permit_zero_suppressed_gtin_in_dl: flag(
            vector,
            "gs1_encoder_setPermitZeroSuppressedGTINinDLuris",
        )
        .unwrap_or(defaults.permit_zero_suppressed_gtin_in_dl),
        permit_convenience_alphas: flag(vector, "ctx->permitConvenienceAlphas")
            .unwrap_or(defaults.permit_convenience_alphas),
        unknown_ai_not_dl_attribute: flag(
            vector,
            "gs1_encoder_setValidationEnabled:gs1_encoder_vUNKNOWN_AI_NOT_DL_ATTR",
        )
        .unwrap_or(defaults.unknown_ai_not_dl_attribute),
        validate_associations: defaults.validate_associations,
        permit_spaces_around_ais: defaults.permit_spaces_around_ais,
    }
}

/// Options for the upstream tests of the parsing step alone (association checks run later there).
fn syntax_only(vector: &Value) -> ParseOptions {
    ParseOptions {
        validate_associations: false,
        ..options_for(vector)
    }
}

/// A vector deliberately not run, with the reason.
struct OutOfScope {
    file: &'static str,
    input: &'static str,
    reason: &'static str,
}

const OUT_OF_SCOPE: &[OutOfScope] = &[
    OutOfScope {
        file: "scandata_generate.jsonl",
        input: "^011231231231233310ABC123^99TESTING^",
        reason: "the encoder carries a trailing FNC1 of its input through to the symbol; our \
                 element strings have no empty trailing element, so we never write one",
    },
    OutOfScope {
        file: "scandata_generate.jsonl",
        input: "211234567890",
        reason: "the encoder's add-check-digit option is for printing EAN-13 symbols; Tanba \
                 prints no linear barcodes",
    },
    OutOfScope {
        file: "scandata_generate.jsonl",
        input: "2112345678",
        reason: "the encoder's add-check-digit option (as above)",
    },
    OutOfScope {
        file: "scandata_generate.jsonl",
        input: "2112345678901",
        reason: "the encoder's add-check-digit option (as above)",
    },
];

fn out_of_scope(file: &str, input: &str, vector: &Value) -> bool {
    let add_check_digit = flag(vector, "gs1_encoder_setAddCheckDigit") == Some(true);
    let listed = OUT_OF_SCOPE
        .iter()
        .find(|entry| entry.file == file && entry.input == input);
    match listed {
        Some(entry) if add_check_digit || entry.input.starts_with('^') => {
            println!("out of scope: {file} {input:?}: {}", entry.reason);
            true
        }
        _ => false,
    }
}

struct Tally {
    name: &'static str,
    ran: usize,
    skipped: usize,
    disagreements: Vec<String>,
}

impl Tally {
    fn new(name: &'static str) -> Tally {
        Tally {
            name,
            ran: 0,
            skipped: 0,
            disagreements: Vec::new(),
        }
    }

    fn check(&mut self, agrees: bool, describe: impl FnOnce() -> String) {
        self.ran += 1;
        if !agrees {
            self.disagreements.push(describe());
        }
    }

    fn finish(self) {
        println!(
            "{}: ran {} vectors, {} out of scope, {} disagreements",
            self.name,
            self.ran,
            self.skipped,
            self.disagreements.len()
        );
        assert!(self.ran > 0, "{}: no vectors ran", self.name);
        assert!(
            self.disagreements.is_empty(),
            "{}: {} disagreements:\n{}",
            self.name,
            self.disagreements.len(),
            self.disagreements.join("\n")
        );
    }
}

fn caret(elements: &ElementString) -> String {
    elements.to_unbracketed('^', true)
}

#[test]
fn ai_parse_bracketed() {
    let mut tally = Tally::new("ai_parse_bracketed");
    for vector in vectors("ai_parse_bracketed.jsonl") {
        let input = text(&vector, "bracketed_ai_input");
        let result = ElementString::parse_bracketed(input, &syntax_only(&vector));
        let expected = text(&vector, "expected_unbracketed_fnc1_caret");
        let agrees = match (&result, vector["should_succeed"].as_bool().unwrap()) {
            (Ok(elements), true) => caret(elements) == expected,
            (Err(_), false) => true,
            _ => false,
        };
        tally.check(agrees, || {
            format!("{input:?}: expected {expected:?}, got {result:?}")
        });
    }
    tally.finish();
}

#[test]
fn ai_process_unbracketed() {
    let mut tally = Tally::new("ai_process_unbracketed");
    for vector in vectors("ai_process_unbracketed.jsonl") {
        let input = text(&vector, "unbracketed_input_caret_is_fnc1");
        let result = ElementString::parse_unbracketed(input, '^', true, &syntax_only(&vector));
        let expected = vector["should_succeed"].as_bool().unwrap();
        tally.check(result.is_ok() == expected, || {
            format!("{input:?}: expected success {expected}, got {result:?}")
        });
    }
    tally.finish();
}

#[test]
fn ai_validate_associations() {
    let mut tally = Tally::new("ai_validate_associations");
    for vector in vectors("ai_validate_associations.jsonl") {
        let input = text(&vector, "bracketed_ai_input");
        let elements = ElementString::parse_bracketed(input, &syntax_only(&vector))
            .unwrap_or_else(|error| panic!("{input}: {error}"));
        let result = match text(&vector, "validation_function") {
            "validateAIrepeats" => elements.validate_repeats(),
            "validateAImutex" => elements.validate_exclusions(),
            "validateAIrequisites" => elements.validate_requisites(),
            "validateDigSigRequiresSerialisedKey" => elements.validate_digital_signature_key(),
            other => panic!("unknown validation function {other}"),
        };
        let expected = vector["should_succeed"].as_bool().unwrap();
        tally.check(result.is_ok() == expected, || {
            format!("{input:?}: expected success {expected}, got {result:?}")
        });
    }
    tally.finish();
}

#[test]
fn ai_linter_errors() {
    let mut tally = Tally::new("ai_linter_errors");
    for vector in vectors("ai_linter_errors.jsonl") {
        let input = text(&vector, "bracketed_ai_input");
        let expected = text(&vector, "expected_linter_result");
        let result = ElementString::parse_bracketed(input, &syntax_only(&vector));
        let got = match &result {
            Ok(_) => "GS1_LINTER_OK",
            Err(error) => match &error.kind {
                Gs1ErrorKind::Lint(kind) => kind.gs1_name(),
                _ => "not a linter error",
            },
        };
        tally.check(got == expected, || {
            format!("{input:?}: expected {expected}, got {result:?}")
        });
    }
    tally.finish();
}

#[test]
fn ai_error_markup() {
    let mut tally = Tally::new("ai_error_markup");
    for vector in vectors("ai_error_markup.jsonl") {
        let input = text(&vector, "bracketed_ai_input");
        let expected = text(&vector, "expected_error_markup");
        let error = ElementString::parse_bracketed(input, &syntax_only(&vector)).unwrap_err();
        // GS1 marks the offending bytes and shows the value up to the end of the component
        // that failed.
        let ai_digits = error.ai.clone().unwrap();
        let value_start = input.find(')').unwrap() + 1;
        let value = &input[value_start..];
        let position = error.position.unwrap() - value_start;
        let bad_end = position + error.length.unwrap();
        let entry = ai::lookup(&ai_digits).unwrap();
        let component_end = entry
            .components
            .iter()
            .scan(0, |end, component| {
                *end += usize::from(component.length_max);
                Some(*end)
            })
            .find(|end| *end > position)
            .unwrap()
            .min(value.len());
        let markup = format!(
            "({ai_digits}){}|{}|{}",
            &value[..position],
            &value[position..bad_end],
            &value[bad_end..component_end]
        );
        tally.check(markup == expected, || {
            format!("{input:?}: expected {expected}, got {markup}")
        });
    }
    tally.finish();
}

#[test]
fn ai_length_by_prefix() {
    let mut tally = Tally::new("ai_length_by_prefix");
    for vector in vectors("ai_length_by_prefix.jsonl") {
        let prefix = text(&vector, "ai_prefix");
        let expected = vector["expected_ai_length"].as_u64().map(|n| n as usize);
        let got = ai::ai_length_by_prefix(prefix).filter(|_| expected != Some(0));
        let agrees = match expected {
            Some(0) => {
                ai::ai_length_by_prefix(prefix).is_none()
                    || ai::table()
                        .iter()
                        .all(|entry| !entry.ai.starts_with(prefix))
            }
            other => got == other,
        };
        tally.check(agrees, || {
            format!("{prefix:?}: expected {expected:?}, got {got:?}")
        });
    }
    tally.finish();
}

#[test]
fn dl_parse_uri() {
    let mut tally = Tally::new("dl_parse_uri");
    for vector in vectors("dl_parse_uri.jsonl") {
        let uri = text(&vector, "dl_uri");
        let expected = text(&vector, "expected_unbracketed_fnc1_caret");
        let result = digital_link::parse(uri, &options_for(&vector));
        let agrees = match (&result, vector["should_succeed"].as_bool().unwrap()) {
            (Ok(elements), true) => caret(elements) == expected,
            (Err(_), false) => true,
            _ => false,
        };
        tally.check(agrees, || {
            format!("{uri:?}: expected {expected:?}, got {result:?}")
        });
    }
    tally.finish();
}

#[test]
fn dl_generate_uri() {
    let mut tally = Tally::new("dl_generate_uri");
    for vector in vectors("dl_generate_uri.jsonl") {
        let input = text(&vector, "bracketed_ai_input");
        let expected = text(&vector, "expected_dl_uri");
        let options = options_for(&vector);
        let result =
            ElementString::parse_bracketed(input, &syntax_only(&vector)).and_then(|elements| {
                digital_link::generate(&elements, vector["stem"].as_str(), &options)
            });
        let agrees = match (&result, vector["should_succeed"].as_bool().unwrap()) {
            (Ok(uri), true) => uri == expected,
            (Err(_), false) => true,
            _ => false,
        };
        tally.check(agrees, || {
            format!("{input:?}: expected {expected:?}, got {result:?}")
        });
    }
    tally.finish();
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|character| character as u32 as u8)
        .collect()
}

#[test]
fn dl_uri_escape_and_unescape() {
    let mut tally = Tally::new("dl_uri_escape/unescape");
    for vector in vectors("dl_uri_escape.jsonl") {
        let input = text(&vector, "input");
        let (path, query) = (
            digital_link::escape_path(input),
            digital_link::escape_query(input),
        );
        tally.check(
            path == text(&vector, "expected_path_escape")
                && query == text(&vector, "expected_query_escape"),
            || format!("escape {input:?}: got {path:?} / {query:?}"),
        );
    }
    for vector in vectors("dl_uri_unescape.jsonl") {
        let input = text(&vector, "input");
        let (path, query) = (
            digital_link::unescape_path(input),
            digital_link::unescape_query(input),
        );
        tally.check(
            path == latin1(text(&vector, "expected_path_unescape"))
                && query == latin1(text(&vector, "expected_query_unescape")),
            || format!("unescape {input:?}: got {path:?} / {query:?}"),
        );
    }
    tally.finish();
}

fn symbology_name(symbology: Symbology) -> &'static str {
    match symbology {
        Symbology::DataMatrix => "DM",
        Symbology::Qr => "QR",
        Symbology::DotCode => "DotCode",
        Symbology::Gs1_128 => "GS1_128_CCA",
        Symbology::DataBar => "DataBarExpanded",
        Symbology::Ean13 => "EAN13",
        Symbology::Ean8 => "EAN8",
    }
}

/// GS1's data-string notation: `^` = FNC1 (GS1 data), a leading `\^` escapes a literal caret in
/// plain data, `|` separates a linear primary from its composite component.
fn data_string(scan: &ScanData) -> String {
    let escape_plain = |text: &str| {
        let backslashes = text.bytes().take_while(|byte| *byte == b'\\').count();
        if text[backslashes..].starts_with('^') {
            format!("\\{text}")
        } else {
            text.to_owned()
        }
    };
    match &scan.content {
        SymbolContent::Gs1(elements) => caret(elements),
        SymbolContent::DigitalLink { uri, .. } => uri.clone(),
        SymbolContent::Plain(text) => escape_plain(text),
        SymbolContent::Primary { digits, composite } => match composite {
            Some(composite) => format!("{digits}|{}", caret(composite)),
            None => digits.clone(),
        },
    }
}

#[test]
fn scandata_process() {
    let mut tally = Tally::new("scandata_process");
    for vector in vectors("scandata_process.jsonl") {
        let input = text(&vector, "scan_data");
        let result = scan::parse_scan_data(input, &ParseOptions::default());
        let agrees = match (&result, vector["should_succeed"].as_bool().unwrap()) {
            (Ok(scan), true) => {
                symbology_name(scan.symbology) == text(&vector, "expected_symbology")
                    && data_string(scan) == text(&vector, "expected_data_str")
            }
            (Err(_), false) => true,
            _ => false,
        };
        tally.check(agrees, || format!("{input:?}: got {result:?}"));
    }
    tally.finish();
}

/// Builds what the upstream encoder would hold for `symbology` and `data` (GS1 notation).
fn scan_from_data_string(symbology_name: &str, data: &str) -> Option<ScanData> {
    let options = ParseOptions {
        validate_associations: false,
        ..ParseOptions::default()
    };
    let gs1 = |text: &str| ElementString::parse_unbracketed(text, '^', true, &options).ok();
    let (primary, composite) = match data.split_once('|') {
        Some((primary, composite)) => (primary, Some(gs1(composite)?)),
        None => (data, None),
    };
    let linear = |symbology: Symbology, length: usize| {
        let digits = match gs1(primary) {
            Some(elements) if primary.starts_with('^') => {
                let gtin = elements.get("01")?.to_owned();
                gtin[14 - length..].to_owned()
            }
            _ if symbology == Symbology::Ean13 && primary.len() == 12 => format!("0{primary}"),
            _ => primary.to_owned(),
        };
        let valid = digits.len() == length
            && digits.bytes().all(|b| b.is_ascii_digit())
            && tanba_gs1::check_digit::is_valid(&digits);
        valid.then(|| ScanData {
            symbology,
            content: SymbolContent::Primary {
                digits,
                composite: composite.clone(),
            },
        })
    };
    let two_dimensional = |symbology: Symbology| {
        let content = if data.starts_with('^') {
            SymbolContent::Gs1(gs1(data)?)
        } else {
            let backslashes = data.bytes().take_while(|byte| *byte == b'\\').count();
            let plain = if data[backslashes..].starts_with('^') {
                &data[1..]
            } else {
                data
            };
            SymbolContent::Plain(plain.to_owned())
        };
        Some(ScanData { symbology, content })
    };
    // A GS1 composite symbol (linear part + 2D component) is transmitted as one ]e0 message.
    let composite_message = |primary_elements: ElementString| {
        let mut elements = primary_elements.elements;
        elements.extend(composite.clone()?.elements);
        Some(ScanData {
            symbology: Symbology::DataBar,
            content: SymbolContent::Gs1(ElementString { elements }),
        })
    };
    let gtin_element = |digits: &str| {
        let gtin = if primary.starts_with('^') {
            gs1(primary)?.get("01")?.to_owned()
        } else {
            digits.to_owned()
        };
        (gtin.len() == 14 && tanba_gs1::check_digit::is_valid(&gtin)).then(|| ElementString {
            elements: vec![Element {
                ai: "01".into(),
                value: gtin,
            }],
        })
    };
    match symbology_name {
        "QR" => two_dimensional(Symbology::Qr),
        "DM" => two_dimensional(Symbology::DataMatrix),
        "DotCode" => two_dimensional(Symbology::DotCode),
        "DataBarExpanded" | "GS1_128_CCA" | "GS1_128_CCC" => {
            let elements = gs1(primary)?;
            match &composite {
                Some(_) => composite_message(elements),
                None => Some(ScanData {
                    symbology: if symbology_name == "DataBarExpanded" {
                        Symbology::DataBar
                    } else {
                        Symbology::Gs1_128
                    },
                    content: SymbolContent::Gs1(elements),
                }),
            }
        }
        "DataBarOmni" => composite_message(gtin_element(primary)?),
        "DataBarLimited" => {
            // DataBar Limited carries only GTINs with indicator digit 0 or 1.
            let gtin = gtin_element(primary)?;
            let indicator = gtin.get("01")?.as_bytes()[0];
            if indicator > b'1' {
                return None;
            }
            composite_message(gtin)
        }
        "EAN13" | "UPCA" | "UPCE" => linear(Symbology::Ean13, 13),
        "EAN8" => linear(Symbology::Ean8, 8),
        _ => None,
    }
}

#[test]
fn scandata_generate() {
    let mut tally = Tally::new("scandata_generate");
    for vector in vectors("scandata_generate.jsonl") {
        let data = text(&vector, "data_str");
        if out_of_scope("scandata_generate.jsonl", data, &vector) {
            tally.skipped += 1;
            continue;
        }
        let symbology = text(&vector, "symbology");
        let got = scan_from_data_string(symbology, data).and_then(|scan| scan.to_scan_string());
        let expected = vector["expected_scan_data"].as_str();
        tally.check(got.as_deref() == expected, || {
            format!("{symbology} {data:?}: expected {expected:?}, got {got:?}")
        });
        // What we generate, we read back to the same content.
        if let Some(scan_text) = &got {
            let read_back = scan::parse_scan_data(
                scan_text,
                &ParseOptions {
                    validate_associations: false,
                    ..ParseOptions::default()
                },
            );
            if read_back.is_err() {
                // Not a vector of its own: a failure counts against the vector just run.
                tally
                    .disagreements
                    .push(format!("{scan_text:?} does not read back"));
            }
        }
    }
    tally.finish();
    let _ = GS;
}
