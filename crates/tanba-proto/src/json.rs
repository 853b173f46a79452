//! How the wire messages read as JSON: enum fields by their proto names (`CODE_STATUS_INTRODUCED`),
//! bytes as hex. prost keeps enums as `i32`; these functions are named in `build.rs` for each
//! enum field, so a value the contract does not know shows as its number.

use serde::Serializer;

use crate::v1;

macro_rules! enum_names {
    ($($function:ident: $enum:ident),* $(,)?) => {$(
        /// The field by its proto name.
        pub fn $function<S: Serializer>(value: &i32, serializer: S) -> Result<S::Ok, S::Error> {
            match v1::$enum::try_from(*value) {
                Ok(known) => serializer.serialize_str(known.as_str_name()),
                Err(_) => serializer.serialize_i32(*value),
            }
        }
    )*};
}

enum_names! {
    violation_kind: ViolationKind,
    package_level: PackageLevel,
    code_status: CodeStatus,
    withdrawal_reason: WithdrawalReason,
    document_state: DocumentState,
    verdict: Verdict,
}

/// Roles by their proto names.
pub fn roles<S: Serializer>(values: &[i32], serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut sequence = serializer.serialize_seq(Some(values.len()))?;
    for value in values {
        match v1::Role::try_from(*value) {
            Ok(role) => sequence.serialize_element(role.as_str_name())?,
            Err(_) => sequence.serialize_element(value)?,
        }
    }
    sequence.end()
}

/// Bytes as lowercase hex.
pub fn hex<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    let text: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    serializer.serialize_str(&text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn enums_read_by_name_and_bytes_as_hex() {
        let card = crate::v1::CodeCard {
            status: crate::v1::CodeStatus::Introduced as i32,
            level: 99,
            ..Default::default()
        };
        let json = serde_json::to_value(&card).unwrap();
        assert_eq!(json["status"], "CODE_STATUS_INTRODUCED");
        assert_eq!(json["level"], 99, "an unknown value shows as its number");
        let key = crate::v1::ParticipantKey {
            algorithm: "ed25519".into(),
            public_key: vec![0xab, 0x01],
        };
        assert_eq!(serde_json::to_value(&key).unwrap()["public_key"], "ab01");
    }
}
