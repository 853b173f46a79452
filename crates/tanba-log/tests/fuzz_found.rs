//! Inputs the `log_record` fuzz target found, kept as tests so they never come back: each must
//! decode or be refused, and a record that decodes must encode back to the bytes of the same record.

use tanba_log::{decode, encode};

/// Decodes `bytes` and, if they are a record, holds it to one byte form per record.
fn round_trips(bytes: &[u8]) {
    if let Ok(record) = decode(bytes) {
        let again = decode(&encode(&record)).expect("an encoded record decodes");
        assert_eq!(again, record);
        assert_eq!(encode(&again), encode(&record), "one byte form per record");
    }
}

#[test]
fn a_consumer_opt_in_whose_code_holds_a_two_byte_character_round_trips() {
    // CI, 2026-12-05: `(01)460000000000` + U+03FE + `(21)2` as a consumer opt-in's code.
    let mut bytes =
        b"\x08\x01\x10\x2d\x18\xe0\xb7\x9e\xb2\xae\x33\x22\x0e\x12\x0c940140000385".to_vec();
    bytes.extend_from_slice(b"\x2a\x11consumer_opted_in\xfa\x02\x19\x0a\x17(01)460000000000");
    bytes.extend_from_slice("\u{3fe}(21)2".as_bytes());
    round_trips(&bytes);
}
