//! IIN/BIN check digits against `shared/conformance/kz-iin-bin/iin_bin_vectors.jsonl`.

use std::path::PathBuf;

use tanba_types::TaxpayerId;

#[test]
fn iin_bin_vectors() {
    let path = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo test"))
        .join("../../../shared/conformance/kz-iin-bin/iin_bin_vectors.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut ran = 0;
    let mut disagreements = Vec::new();
    for line in text.lines() {
        let vector: serde_json::Value = serde_json::from_str(line).unwrap();
        let input = vector["input"].as_str().unwrap();
        let expected = vector["expected_valid"].as_bool().unwrap();
        let got = TaxpayerId::parse(input);
        ran += 1;
        if got.is_ok() != expected {
            disagreements.push(format!("{input}: expected valid={expected}, got {got:?}"));
        }
        if let Ok(id) = got {
            assert_eq!(id.to_string(), input, "round trip");
        }
    }
    println!(
        "kz-iin-bin: ran {ran} vectors, {} disagreements",
        disagreements.len()
    );
    assert!(ran > 0);
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
