//! Case forms between the wire and [`tanba_types::Form`]: one conversion for the server (reading
//! requests, writing answers) and the client (writing requests, reading answers).

use std::collections::HashMap;

use tanba_types::{AttachmentRef, Decimal, FieldValue, Form, Scalar, ScannedCode};

use crate::v1 as pb;

/// A form field whose value is missing or not of its kind on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("form field {field}: missing or malformed value")]
pub struct FormWireError {
    /// The field.
    pub field: String,
}

impl FormWireError {
    fn of(field: &str) -> FormWireError {
        FormWireError {
            field: field.to_owned(),
        }
    }
}

/// A form from its message: every value read as its kind says (codes in any scanner form).
pub fn form_from_wire(fields: HashMap<String, pb::FieldValue>) -> Result<Form, FormWireError> {
    fields
        .into_iter()
        .map(|(name, value)| {
            let value = match value.value {
                Some(pb::field_value::Value::One(one)) => FieldValue::One(scalar_from(&name, one)?),
                Some(pb::field_value::Value::List(list)) => FieldValue::List(
                    list.values
                        .into_iter()
                        .map(|one| scalar_from(&name, one))
                        .collect::<Result<_, _>>()?,
                ),
                Some(pb::field_value::Value::Rows(rows)) => FieldValue::Rows(
                    rows.rows
                        .into_iter()
                        .map(|row| {
                            row.cells
                                .into_iter()
                                .map(|(column, cell)| Ok((column, scalar_from(&name, cell)?)))
                                .collect::<Result<_, FormWireError>>()
                        })
                        .collect::<Result<_, _>>()?,
                ),
                None => return Err(FormWireError::of(&name)),
            };
            Ok((name, value))
        })
        .collect()
}

fn scalar_from(field: &str, scalar: pb::Scalar) -> Result<Scalar, FormWireError> {
    use pb::scalar::Value;
    let invalid = || FormWireError::of(field);
    Ok(match scalar.value.ok_or_else(invalid)? {
        Value::Text(text) => Scalar::Text(text),
        Value::Integer(number) => Scalar::Integer(number),
        Value::Decimal(text) => Scalar::Decimal(Decimal::parse(&text).ok_or_else(invalid)?),
        Value::Date(text) => Scalar::Date(text.parse().map_err(|_| invalid())?),
        Value::MomentMs(moment) => Scalar::Moment(moment),
        Value::Flag(flag) => Scalar::Flag(flag),
        Value::Taxpayer(text) => Scalar::Taxpayer(text.parse().map_err(|_| invalid())?),
        Value::Code(text) => Scalar::Code(ScannedCode::read(&text).map_err(|_| invalid())?.key),
    })
}

/// A form as a message.
pub fn form_to_wire(form: &Form) -> HashMap<String, pb::FieldValue> {
    form.iter()
        .map(|(name, value)| {
            let value = match value {
                FieldValue::One(one) => pb::field_value::Value::One(scalar_to(one)),
                FieldValue::List(list) => pb::field_value::Value::List(pb::ScalarList {
                    values: list.iter().map(scalar_to).collect(),
                }),
                FieldValue::Rows(rows) => pb::field_value::Value::Rows(pb::FormRows {
                    rows: rows
                        .iter()
                        .map(|row| pb::FormRow {
                            cells: row
                                .iter()
                                .map(|(column, cell)| (column.clone(), scalar_to(cell)))
                                .collect(),
                        })
                        .collect(),
                }),
            };
            (name.clone(), pb::FieldValue { value: Some(value) })
        })
        .collect()
}

fn scalar_to(scalar: &Scalar) -> pb::Scalar {
    use pb::scalar::Value;
    let value = match scalar {
        Scalar::Text(text) => Value::Text(text.clone()),
        Scalar::Integer(number) => Value::Integer(*number),
        Scalar::Decimal(decimal) => Value::Decimal(decimal.to_string()),
        Scalar::Date(date) => Value::Date(date.to_string()),
        Scalar::Moment(moment) => Value::MomentMs(*moment),
        Scalar::Flag(flag) => Value::Flag(*flag),
        Scalar::Taxpayer(id) => Value::Taxpayer(id.to_string()),
        Scalar::Code(code) => Value::Code(code.to_string()),
    };
    pb::Scalar { value: Some(value) }
}

fn hash_from(field: &str, bytes: &[u8]) -> Result<[u8; 32], FormWireError> {
    bytes.try_into().map_err(|_| FormWireError::of(field))
}

/// An attachment from the wire (hashes of 32 bytes; empty texts are absent).
pub fn attachment_from_wire(attachment: pb::Attachment) -> Result<AttachmentRef, FormWireError> {
    Ok(AttachmentRef {
        hash: hash_from("hash", &attachment.hash)?,
        name: attachment.name,
        media_type: attachment.media_type,
        size_bytes: attachment.size_bytes,
        language: (!attachment.language.is_empty()).then_some(attachment.language),
        translation_of: match attachment.translation_of.as_slice() {
            [] => None,
            bytes => Some(hash_from("translation_of", bytes)?),
        },
    })
}

/// An attachment on the wire.
pub fn attachment_to_wire(attachment: &AttachmentRef) -> pb::Attachment {
    pb::Attachment {
        hash: attachment.hash.to_vec(),
        name: attachment.name.clone(),
        media_type: attachment.media_type.clone(),
        size_bytes: attachment.size_bytes,
        language: attachment.language.clone().unwrap_or_default(),
        translation_of: attachment
            .translation_of
            .map(|hash| hash.to_vec())
            .unwrap_or_default(),
    }
}
