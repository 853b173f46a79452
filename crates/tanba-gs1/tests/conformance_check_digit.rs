//! GS1 mod-10 check digits against `shared/conformance/gs1-digital-link-js/check_digit.jsonl`
//! (`key_length_arg` = how many leading digits form the key; -1 = all of them).

use std::path::PathBuf;

use tanba_gs1::check_digit;

#[test]
fn check_digit_vectors() {
    let path = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo test"))
        .join("../../../shared/conformance/gs1-digital-link-js/check_digit.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut ran = 0;
    let mut disagreements = Vec::new();
    for line in text.lines() {
        let vector: serde_json::Value = serde_json::from_str(line).unwrap();
        let input = vector["input"].as_str().unwrap();
        let key_length = vector["key_length_arg"].as_i64().unwrap();
        let key = match usize::try_from(key_length) {
            Ok(length) => &input[..length],
            Err(_) => input,
        };
        let expected = vector["expected"].as_bool().unwrap();
        ran += 1;
        if check_digit::is_valid(key) != expected {
            disagreements.push(format!("{input} ({key_length}): expected {expected}"));
        }
    }
    println!(
        "check_digit: ran {ran} vectors, {} disagreements",
        disagreements.len()
    );
    assert!(ran > 0);
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
