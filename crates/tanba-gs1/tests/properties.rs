//! Property tests: every output form parses back to the same code, and no input panics.

use proptest::prelude::*;
use tanba_gs1::{GS, MarkingCode, OutputForm, ParseOptions, check_digit};

/// The GS1 AI encodable character set 82.
const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

fn gtin14() -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, 13).prop_map(|digits| {
        let payload: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        let check = check_digit::compute(&payload).unwrap();
        format!("{payload}{check}")
    })
}

fn cset82(length: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    let characters: Vec<char> = CSET82.chars().collect();
    proptest::collection::vec(proptest::sample::select(characters), length)
        .prop_map(|chars| chars.into_iter().collect())
}

fn base64url(length: usize) -> impl Strategy<Value = String> {
    let characters: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        .chars()
        .collect();
    proptest::collection::vec(proptest::sample::select(characters), length)
        .prop_map(|chars| chars.into_iter().collect())
}

/// Raw element strings of marking codes in canonical order: 01, 21, then the tail.
fn marking_code() -> impl Strategy<Value = String> {
    (
        gtin14(),
        cset82(1..=20),
        prop::bool::ANY,
        base64url(4),
        base64url(86),
        base64url(4),
    )
        .prop_map(|(gtin, serial, full, key_id, signature, tag)| {
            if full {
                format!("01{gtin}21{serial}{GS}91{key_id}{GS}92{signature}")
            } else {
                format!("01{gtin}21{serial}{GS}93{tag}")
            }
        })
}

/// The (AI, value) pairs of a code with optional extra AIs (batch, expiry, price per unit), in
/// any order.
fn shuffled_code_elements() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let parts = (
        gtin14(),
        cset82(1..=20),
        prop::option::of(cset82(1..=20)),
        prop::option::of((0u8..100, 1u8..13, 1u8..29)),
        prop::option::of(proptest::collection::vec(0u8..10, 6)),
        base64url(4),
    );
    parts
        .prop_map(|(gtin, serial, batch, expiry, price, tag)| {
            let mut elements = vec![("01", gtin), ("21", serial), ("93", tag)];
            if let Some(batch) = batch {
                elements.push(("10", batch));
            }
            if let Some((year, month, day)) = expiry {
                elements.push(("17", format!("{year:02}{month:02}{day:02}")));
            }
            if let Some(price) = price {
                elements.push(("8005", price.iter().map(|d| char::from(b'0' + d)).collect()));
            }
            elements
        })
        .prop_shuffle()
}

proptest! {
    #[test]
    fn every_form_gives_the_same_code_in_any_order(elements in shuffled_code_elements()) {
        let options = ParseOptions::default();
        let bracketed: String = elements.iter().map(|(ai, value)| {
            format!("({ai}){}", value.replace('(', "\\("))
        }).collect();
        let code = MarkingCode::parse(&bracketed, &options).unwrap();
        for form in [
            OutputForm::Raw,
            OutputForm::Bracketed,
            OutputForm::ScanData,
            OutputForm::DigitalLink(Some("https://tanba.example.kz".into())),
        ] {
            let text = code.format(&form).unwrap();
            let again = MarkingCode::parse(&text, &options).unwrap();
            prop_assert_eq!(again.elements.canonical(), code.elements.canonical(), "{:?}: {}", form, text);
        }
    }

    #[test]
    fn every_form_round_trips(raw in marking_code()) {
        let options = ParseOptions::default();
        let code = MarkingCode::parse(&raw, &options).unwrap();
        for form in [
            OutputForm::Raw,
            OutputForm::Bracketed,
            OutputForm::ScanData,
            OutputForm::DigitalLink(None),
            OutputForm::DigitalLink(Some("https://tanba.example.kz".into())),
        ] {
            let text = code.format(&form).unwrap();
            let again = MarkingCode::parse(&text, &options).unwrap();
            prop_assert_eq!(&again.elements, &code.elements, "{:?}: {}", form, text);
        }
        prop_assert_eq!(code.format(&OutputForm::Raw).unwrap(), raw);
    }

    #[test]
    fn arbitrary_input_never_panics(input in ".{0,200}") {
        let _ = MarkingCode::parse(&input, &ParseOptions::default());
    }

    #[test]
    fn arbitrary_bytes_after_prefixes_never_panic(
        prefix in prop::sample::select(vec!["]d2", "]Q1", "]E0", "(01)", "https://a/01/", "01", "\u{1d}"]),
        rest in proptest::collection::vec(any::<u8>(), 0..120),
    ) {
        let input = format!("{prefix}{}", String::from_utf8_lossy(&rest));
        let _ = MarkingCode::parse(&input, &ParseOptions::default());
    }
}

/// Inputs the fuzzer once found failing (`tests/fuzz-regressions/`): each must now parse or fail
/// cleanly under both strict and lenient options, and round-trip if it parses.
#[test]
fn fuzz_regressions_stay_fixed() {
    let directory = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo test"),
    )
    .join("tests/fuzz-regressions");
    let lenient = ParseOptions {
        permit_unknown_ais: true,
        permit_zero_suppressed_gtin_in_dl: true,
        permit_convenience_alphas: true,
        unknown_ai_not_dl_attribute: false,
        permit_spaces_around_ais: true,
        validate_associations: false,
    };
    let mut ran = 0;
    for entry in std::fs::read_dir(&directory).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for options in [ParseOptions::default(), lenient] {
            let Ok(code) = MarkingCode::parse(&text, &options) else {
                continue;
            };
            let raw = code.format(&OutputForm::Raw).unwrap();
            let again = MarkingCode::parse(&raw, &options).unwrap();
            assert_eq!(again.elements, code.elements);
        }
        ran += 1;
    }
    println!("fuzz regressions: ran {ran} inputs");
    assert!(ran > 0);
}
