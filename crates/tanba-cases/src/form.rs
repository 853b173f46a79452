//! Format-logical control of forms: every field of a step's form checked against the
//! transition's [`FieldSpec`]s (presence, shape, type, format: HS codes, control-list codes,
//! ISO 4217 and 3166 codes, units, positive quantities, texts), codes also against the reference
//! sets in force on the step's day, and the named limits on forms and attachments. Each failure
//! is a [`CaseError`] naming the field, with its own code in kk/ru/en: a malformed code and a
//! well-formed one the set does not list are told apart.

use std::collections::BTreeMap;

use tanba_types::limits::{
    ATTACHMENT_BYTES_MAX, ATTACHMENT_NAME_CHARS_MAX, CASE_NAME_CHARS_MAX, FORM_FIELD_VALUES_MAX,
    FORM_FIELDS_MAX, FORM_ROW_COLUMNS_MAX, FORM_TEXT_CHARS_MAX, FORM_VALUES_MAX,
    STEP_ATTACHMENTS_MAX,
};
use tanba_types::{AttachmentRef, FieldValue, Form, HsCode, Scalar};

use crate::definition::{FieldKind, FieldSpec, Shape, StepContext};
use crate::error::CaseError;
use crate::reference::SetKind;

/// Checks `form` against `fields`: no field the transition does not list, every required one
/// present, each value of its shape, type and format, codes listed in the sets in force.
/// The step's moment bounds past moments.
pub fn check_form(
    form: &Form,
    fields: &[FieldSpec],
    context: &StepContext<'_>,
) -> Result<(), CaseError> {
    check_bounds(form)?;
    if let Some(name) = form
        .keys()
        .find(|name| !fields.iter().any(|field| field.name == name.as_str()))
    {
        return Err(CaseError::field(
            "TANBA-CASE-FIELD-UNKNOWN",
            name.clone(),
            "not a field of this step",
        ));
    }
    for field in fields {
        match form.get(field.name) {
            None if field.required => {
                return Err(CaseError::field(
                    "TANBA-CASE-FIELD-MISSING",
                    field.name,
                    "required",
                ));
            }
            None => {}
            Some(value) => check_value(field, value, context)?,
        }
    }
    Ok(())
}

/// The named limits, before any field is read: counts, lengths of names and texts.
fn check_bounds(form: &Form) -> Result<(), CaseError> {
    if form.len() > FORM_FIELDS_MAX {
        return Err(CaseError::TooLarge(format!(
            "{} fields (at most {FORM_FIELDS_MAX})",
            form.len()
        )));
    }
    let mut values = 0usize;
    for (name, value) in form {
        check_name(name)?;
        values += match value {
            FieldValue::One(_) => 1,
            FieldValue::List(list) => list.len(),
            FieldValue::Rows(rows) => rows.iter().map(BTreeMap::len).sum(),
        };
        if values > FORM_VALUES_MAX {
            return Err(CaseError::TooLarge(format!(
                "more than {FORM_VALUES_MAX} values"
            )));
        }
        if let FieldValue::Rows(rows) = value {
            for row in rows {
                if row.len() > FORM_ROW_COLUMNS_MAX {
                    return Err(CaseError::TooLarge(format!(
                        "{name}: a row of {} columns (at most {FORM_ROW_COLUMNS_MAX})",
                        row.len()
                    )));
                }
                row.keys().try_for_each(|column| check_name(column))?;
            }
        }
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), CaseError> {
    let well_formed = !name.is_empty()
        && name.len() <= CASE_NAME_CHARS_MAX
        && name
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_');
    if well_formed {
        Ok(())
    } else {
        Err(CaseError::field(
            "TANBA-CASE-FIELD-UNKNOWN",
            name.chars().take(CASE_NAME_CHARS_MAX).collect::<String>(),
            "field names are 1-64 of a-z, 0-9, _",
        ))
    }
}

fn check_value(
    field: &FieldSpec,
    value: &FieldValue,
    context: &StepContext<'_>,
) -> Result<(), CaseError> {
    let shape_error = |expected: &str| {
        CaseError::field(
            "TANBA-CASE-FIELD-SHAPE",
            field.name,
            format!("{expected} expected"),
        )
    };
    match (field.shape, value) {
        (Shape::One, FieldValue::One(scalar)) => {
            check_scalar(field.name, field.kind, scalar, context)
        }
        (Shape::List { max }, FieldValue::List(values)) => {
            count(field.name, values.len(), max)?;
            values.iter().enumerate().try_for_each(|(index, scalar)| {
                check_scalar(
                    &format!("{}[{index}]", field.name),
                    field.kind,
                    scalar,
                    context,
                )
            })
        }
        (Shape::Rows { columns, max }, FieldValue::Rows(rows)) => {
            count(field.name, rows.len(), max)?;
            for (index, row) in rows.iter().enumerate() {
                let row_form: Form = row
                    .iter()
                    .map(|(name, scalar)| (name.clone(), FieldValue::One(scalar.clone())))
                    .collect();
                check_form(&row_form, columns, context).map_err(|error| match error {
                    CaseError::Field {
                        code,
                        field: column,
                        reason,
                    } => CaseError::Field {
                        code,
                        field: format!("{}[{index}].{column}", field.name),
                        reason,
                    },
                    other => other,
                })?;
            }
            Ok(())
        }
        (Shape::One, _) => Err(shape_error("one value")),
        (Shape::List { .. }, _) => Err(shape_error("a list")),
        (Shape::Rows { .. }, _) => Err(shape_error("a table of rows")),
    }
}

fn count(field: &str, count: usize, max: usize) -> Result<(), CaseError> {
    let max = max.min(FORM_FIELD_VALUES_MAX);
    if (1..=max).contains(&count) {
        Ok(())
    } else {
        Err(CaseError::field(
            "TANBA-CASE-FIELD-RANGE",
            field,
            format!("1 to {max} values (got {count})"),
        ))
    }
}

/// Checks one value against its kind.
pub fn check_scalar(
    field: &str,
    kind: FieldKind,
    scalar: &Scalar,
    context: &StepContext<'_>,
) -> Result<(), CaseError> {
    let now_ms = context.now_ms;
    let wrong_type = |expected: &str| {
        CaseError::field(
            "TANBA-CASE-FIELD-TYPE",
            field,
            format!("{expected} expected"),
        )
    };
    match (kind, scalar) {
        (FieldKind::Text { max_chars }, Scalar::Text(text)) => check_text(field, text, max_chars),
        (FieldKind::Integer { min, max }, Scalar::Integer(number)) => {
            if (min..=max).contains(number) {
                Ok(())
            } else {
                Err(CaseError::field(
                    "TANBA-CASE-FIELD-RANGE",
                    field,
                    format!("{min} to {max}"),
                ))
            }
        }
        (FieldKind::PositiveDecimal, Scalar::Decimal(number)) => {
            if number.is_positive() && number.scale <= tanba_types::case::DECIMAL_SCALE_MAX {
                Ok(())
            } else {
                Err(CaseError::field(
                    "TANBA-CASE-FIELD-RANGE",
                    field,
                    "a number above zero",
                ))
            }
        }
        (FieldKind::Date, Scalar::Date(_))
        | (FieldKind::Flag, Scalar::Flag(_))
        | (FieldKind::Taxpayer, Scalar::Taxpayer(_))
        | (FieldKind::Code, Scalar::Code(_)) => Ok(()),
        (FieldKind::PastMoment, Scalar::Moment(ms)) => {
            if *ms <= now_ms {
                Ok(())
            } else {
                Err(CaseError::field(
                    "TANBA-CASE-FIELD-RANGE",
                    field,
                    "a moment not in the future",
                ))
            }
        }
        (FieldKind::Choice(choices), Scalar::Text(text)) => {
            if choices.contains(&text.as_str()) {
                Ok(())
            } else {
                Err(CaseError::field(
                    "TANBA-CASE-FIELD-CHOICE",
                    field,
                    format!("one of {}", choices.join(", ")),
                ))
            }
        }
        (FieldKind::Gtin, Scalar::Text(text)) => text
            .parse::<tanba_types::Gtin>()
            .map(|_| ())
            .map_err(|error| CaseError::field("TANBA-CASE-FIELD-GTIN", field, error.to_string())),
        (FieldKind::HsCode, Scalar::Text(text)) => {
            HsCode::parse(text).map_err(|error| {
                CaseError::field("TANBA-CASE-FIELD-HS-CODE", field, error.to_string())
            })?;
            listed(field, SetKind::HsCodes, text, context)
        }
        (FieldKind::Currency, Scalar::Text(text)) => {
            well_formed(
                field,
                SetKind::Currencies,
                text,
                "TANBA-CASE-FIELD-CURRENCY",
            )?;
            listed(field, SetKind::Currencies, text, context)
        }
        (FieldKind::Country, Scalar::Text(text)) => {
            well_formed(field, SetKind::Countries, text, "TANBA-CASE-FIELD-COUNTRY")?;
            listed(field, SetKind::Countries, text, context)
        }
        (FieldKind::ControlListCode, Scalar::Text(text)) => {
            well_formed(
                field,
                SetKind::ControlList,
                text,
                "TANBA-CASE-FIELD-CONTROL-CODE",
            )?;
            listed(field, SetKind::ControlList, text, context)
        }
        (FieldKind::Unit, Scalar::Text(text)) => {
            well_formed(field, SetKind::Units, text, "TANBA-CASE-FIELD-UNIT")?;
            listed(field, SetKind::Units, text, context)
        }
        (FieldKind::Text { .. }, _)
        | (FieldKind::Choice(_), _)
        | (FieldKind::HsCode, _)
        | (FieldKind::Gtin, _)
        | (FieldKind::Currency, _)
        | (FieldKind::Country, _)
        | (FieldKind::ControlListCode, _)
        | (FieldKind::Unit, _) => Err(wrong_type("text")),
        (FieldKind::Integer { .. }, _) => Err(wrong_type("a whole number")),
        (FieldKind::PositiveDecimal, _) => Err(wrong_type("a decimal number")),
        (FieldKind::Date, _) => Err(wrong_type("a date")),
        (FieldKind::PastMoment, _) => Err(wrong_type("a moment")),
        (FieldKind::Flag, _) => Err(wrong_type("yes or no")),
        (FieldKind::Taxpayer, _) => Err(wrong_type("an IIN or BIN")),
        (FieldKind::Code, _) => Err(wrong_type("a marking code")),
    }
}

/// What a well-formed code of `kind` looks like, for its refusal.
fn format_of(kind: SetKind) -> &'static str {
    match kind {
        SetKind::Currencies => "three capital letters of ISO 4217 (KZT)",
        SetKind::Countries => "two capital letters of ISO 3166-1 (KZ)",
        SetKind::ControlList => "a control-list code (ML1 to ML22, or 1C350 with sub-items .a)",
        SetKind::Units => "a 3-digit EAEU unit of measure (796)",
        SetKind::HsCodes => "a 10-digit EAEU HS code",
        SetKind::Providers => "a provider's code",
    }
}

fn well_formed(
    field: &str,
    kind: SetKind,
    code: &str,
    error_code: &'static str,
) -> Result<(), CaseError> {
    if kind.well_formed(code) {
        Ok(())
    } else {
        Err(CaseError::field(error_code, field, format_of(kind)))
    }
}

/// A well-formed code the set in force lists on the step's day.
fn listed(
    field: &str,
    kind: SetKind,
    code: &str,
    context: &StepContext<'_>,
) -> Result<(), CaseError> {
    let set = context.references.set(kind)?;
    if context.references.lists(kind, code, context.today())? {
        Ok(())
    } else {
        Err(CaseError::field(
            "TANBA-CASE-FIELD-NOT-LISTED",
            field,
            format!("{code} is not in {} version {}", kind.name(), set.version),
        ))
    }
}

/// Text of 1 to `max_chars` characters (at most [`FORM_TEXT_CHARS_MAX`]), not only spaces, no
/// control characters but line breaks and tabs.
pub fn check_text(field: &str, text: &str, max_chars: usize) -> Result<(), CaseError> {
    let max_chars = max_chars.min(FORM_TEXT_CHARS_MAX);
    let length = text.chars().count();
    let error = |reason: String| CaseError::field("TANBA-CASE-FIELD-TEXT", field, reason);
    if text.trim().is_empty() {
        return Err(error("empty".into()));
    }
    if length > max_chars {
        return Err(error(format!("{length} characters (at most {max_chars})")));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(error("a control character".into()));
    }
    Ok(())
}

/// Checks a step's attachment references: how many, their names, media types and sizes.
/// Whether each names a stored blob, and whether a translation's original is in the case, is
/// checked by the executor and the engine.
pub fn check_attachments(attachments: &[AttachmentRef]) -> Result<(), CaseError> {
    if attachments.len() > STEP_ATTACHMENTS_MAX {
        return Err(CaseError::TooLarge(format!(
            "{} attachments (at most {STEP_ATTACHMENTS_MAX})",
            attachments.len()
        )));
    }
    for attachment in attachments {
        let name_ok = |text: &str| {
            !text.trim().is_empty()
                && text.chars().count() <= ATTACHMENT_NAME_CHARS_MAX
                && !text.chars().any(char::is_control)
        };
        if !name_ok(&attachment.name) {
            return Err(CaseError::Attachment(
                "a file name of 1-255 characters".into(),
            ));
        }
        let media_type_ok = name_ok(&attachment.media_type)
            && attachment
                .media_type
                .split_once('/')
                .is_some_and(|(kind, sub)| !kind.is_empty() && !sub.is_empty());
        if !media_type_ok {
            return Err(CaseError::Attachment(format!(
                "{}: a media type such as application/pdf",
                attachment.name
            )));
        }
        if attachment.size_bytes == 0 || attachment.size_bytes > ATTACHMENT_BYTES_MAX {
            return Err(CaseError::Attachment(format!(
                "{}: 1 byte to {ATTACHMENT_BYTES_MAX} bytes",
                attachment.name
            )));
        }
        let language_ok = attachment.language.as_deref().is_none_or(|language| {
            language.len() == 2 && language.bytes().all(|byte| byte.is_ascii_lowercase())
        });
        if !language_ok {
            return Err(CaseError::Attachment(format!(
                "{}: a language as two small letters of ISO 639-1 (kk)",
                attachment.name
            )));
        }
    }
    Ok(())
}

/// The value of a one-value field.
pub fn one<'f>(form: &'f Form, name: &str) -> Option<&'f Scalar> {
    match form.get(name)? {
        FieldValue::One(scalar) => Some(scalar),
        FieldValue::List(_) | FieldValue::Rows(_) => None,
    }
}

/// The text of a one-value text field.
pub fn text<'f>(form: &'f Form, name: &str) -> Option<&'f str> {
    match one(form, name)? {
        Scalar::Text(text) => Some(text),
        _ => None,
    }
}

/// The moment of a one-value moment field.
pub fn moment(form: &Form, name: &str) -> Option<u64> {
    match one(form, name)? {
        Scalar::Moment(ms) => Some(*ms),
        _ => None,
    }
}

/// The day of a one-value date field.
pub fn date(form: &Form, name: &str) -> Option<tanba_types::Date> {
    match one(form, name)? {
        Scalar::Date(day) => Some(*day),
        _ => None,
    }
}

/// The number of a one-value whole-number field.
pub fn integer(form: &Form, name: &str) -> Option<i64> {
    match one(form, name)? {
        Scalar::Integer(number) => Some(*number),
        _ => None,
    }
}

/// The codes of a list-of-codes field (none if absent).
pub fn codes(form: &Form, name: &str) -> Vec<tanba_types::CodeKey> {
    match form.get(name) {
        Some(FieldValue::List(values)) => values
            .iter()
            .filter_map(|scalar| match scalar {
                Scalar::Code(code) => Some(*code),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A value as a person types it into a field of `kind` (a page's input box), or why it is not
/// one. This reads the value's type only; [`check_scalar`] still checks it when the step runs.
/// Decimals take a comma or a point; dates are `YYYY-MM-DD`; moments `YYYY-MM-DDTHH:MM` in
/// Kazakhstan time (what a browser's date-and-time box sends); flags `on`, `true` or `yes`.
pub fn read_typed(field: &str, kind: FieldKind, typed: &str) -> Result<Scalar, CaseError> {
    let text = typed.trim();
    let wrong = |expected: &str| {
        CaseError::field(
            "TANBA-CASE-FIELD-TYPE",
            field,
            format!("{expected} expected"),
        )
    };
    Ok(match kind {
        FieldKind::Text { .. } => Scalar::Text(text.replace("\r\n", "\n")),
        FieldKind::Choice(_)
        | FieldKind::HsCode
        | FieldKind::Gtin
        | FieldKind::Currency
        | FieldKind::Country
        | FieldKind::ControlListCode
        | FieldKind::Unit => Scalar::Text(text.to_owned()),
        FieldKind::Integer { .. } => {
            Scalar::Integer(text.parse().map_err(|_| wrong("a whole number"))?)
        }
        FieldKind::PositiveDecimal => Scalar::Decimal(
            tanba_types::Decimal::parse(&text.replace(',', "."))
                .ok_or_else(|| wrong("a decimal number"))?,
        ),
        FieldKind::Date => Scalar::Date(text.parse().map_err(|_| wrong("a date"))?),
        FieldKind::PastMoment => {
            Scalar::Moment(kz_moment_ms(text).ok_or_else(|| wrong("a moment"))?)
        }
        FieldKind::Flag => Scalar::Flag(matches!(text, "on" | "true" | "yes")),
        FieldKind::Taxpayer => Scalar::Taxpayer(text.parse().map_err(|_| wrong("an IIN or BIN"))?),
        FieldKind::Code => Scalar::Code(
            tanba_types::ScannedCode::read(text)
                .map_err(|_| wrong("a marking code"))?
                .key,
        ),
    })
}

/// `YYYY-MM-DDTHH:MM` in Kazakhstan time as unix milliseconds.
fn kz_moment_ms(text: &str) -> Option<u64> {
    let (day, time) = text.split_once('T')?;
    let day: tanba_types::Date = day.parse().ok()?;
    let (hours, minutes) = time.get(..5)?.split_once(':')?;
    let (hours, minutes): (i64, i64) = (hours.parse().ok()?, minutes.parse().ok()?);
    if !(0..24).contains(&hours) || !(0..60).contains(&minutes) {
        return None;
    }
    let local_ms = i64::from(day.days_since_epoch()) * 86_400_000 + (hours * 60 + minutes) * 60_000;
    u64::try_from(local_ms - tanba_types::date::KZ_UTC_OFFSET_MS).ok()
}
