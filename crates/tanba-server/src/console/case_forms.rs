//! The forms of a case's steps, drawn from the definition's field tables: each field an input
//! of its kind (text, number, date, a choice, a yes/no box, a list one value a line, a table
//! of rows), read back into the engine's [`TypedForm`] with `tanba_cases::form::read_typed`.
//! Reading only gives values their types; the engine checks them when the step runs, so the
//! console cannot accept what gRPC would refuse.

use tanba_cases::Definition;
use tanba_cases::definition::{FieldKind, FieldSpec, Shape};
use tanba_types::{AttachmentRef, FieldValue, Form as TypedForm, Scalar};

use super::Form;
use super::cases::{choice_id, field_id};
use super::i18n::Words;
use crate::error::ApiError;

/// Blank rows a table field offers at first (`?rows=` asks for more, up to the field's max).
pub const TABLE_ROWS_SHOWN: usize = 5;
/// Most rows a table field's form shows, whatever its definition allows.
pub const TABLE_ROWS_SHOWN_MAX: usize = 200;

/// One input of a step's form.
pub struct FieldInput {
    /// The field's name: the input is `f.<key>` (a table's cells `f.<key>.<row>.<column>`).
    pub key: String,
    /// Its label.
    pub label: String,
    /// `text`, `textarea`, `number`, `decimal`, `date`, `datetime-local`, `checkbox`,
    /// `select`, `list` (a value a line) or `rows` (a table).
    pub control: &'static str,
    /// Whether the form must carry it.
    pub required: bool,
    /// What to type, for fields whose format is not obvious (empty otherwise).
    pub hint: String,
    /// Most characters, for text.
    pub max_chars: usize,
    /// A choice's options: value and words.
    pub choices: Vec<(String, String)>,
    /// A table's columns.
    pub columns: Vec<FieldInput>,
    /// A table's rows shown.
    pub rows: usize,
}

/// The inputs of `fields`, a table showing `rows_asked` rows (bounded).
pub fn inputs(words: Words, fields: &[FieldSpec], rows_asked: usize) -> Vec<FieldInput> {
    fields
        .iter()
        .map(|field| input(words, field, rows_asked))
        .collect()
}

fn input(words: Words, field: &FieldSpec, rows_asked: usize) -> FieldInput {
    let (control, hint) = control_of(field.kind);
    let mut input = FieldInput {
        key: field.name.to_owned(),
        label: words.text(&field_id(field.name)),
        control,
        required: field.required,
        hint: hint.map(|id| words.text(id)).unwrap_or_default(),
        max_chars: match field.kind {
            FieldKind::Text { max_chars } => max_chars,
            _ => tanba_types::limits::FORM_TEXT_CHARS_MAX,
        },
        choices: match field.kind {
            FieldKind::Choice(choices) => (choices.iter())
                .map(|choice| ((*choice).to_owned(), words.text(&choice_id(choice))))
                .collect(),
            _ => Vec::new(),
        },
        columns: Vec::new(),
        rows: 0,
    };
    match field.shape {
        Shape::One => {}
        Shape::List { .. } => input.control = "list",
        Shape::Rows { columns, max } => {
            input.control = "rows";
            input.columns = inputs(words, columns, 0);
            input.rows = rows_asked.clamp(1, max.min(TABLE_ROWS_SHOWN_MAX));
        }
    }
    input
}

/// The control of a value of `kind`, and the message that says what to type, if one is needed.
fn control_of(kind: FieldKind) -> (&'static str, Option<&'static str>) {
    match kind {
        FieldKind::Text { max_chars } if max_chars > 200 => ("textarea", None),
        FieldKind::Text { .. } => ("text", None),
        FieldKind::Integer { .. } => ("number", None),
        FieldKind::PositiveDecimal => ("decimal", Some("field-hint-decimal")),
        FieldKind::Date => ("date", None),
        FieldKind::PastMoment => ("datetime-local", None),
        FieldKind::Flag => ("checkbox", None),
        FieldKind::Choice(_) => ("select", None),
        FieldKind::Taxpayer => ("text", Some("field-hint-taxpayer")),
        FieldKind::Code => ("text", Some("field-hint-code")),
        FieldKind::Gtin => ("text", Some("field-hint-gtin")),
        FieldKind::HsCode => ("text", Some("field-hint-hs-code")),
        FieldKind::Currency => ("text", Some("field-hint-currency")),
        FieldKind::Country => ("text", Some("field-hint-country")),
        FieldKind::ControlListCode => ("text", Some("field-hint-control-code")),
        FieldKind::Unit => ("text", Some("field-hint-unit")),
    }
}

/// The step's form as the engine takes it, read from the posted `form` by the field table.
/// Blank inputs are left out (the engine refuses a required one missing); a box not ticked is
/// a no.
pub fn read(fields: &[FieldSpec], form: &Form) -> Result<TypedForm, ApiError> {
    let mut typed = TypedForm::new();
    for field in fields {
        let key = format!("f.{}", field.name);
        let value = match field.shape {
            Shape::One => one(field, form.field(&key))?.map(FieldValue::One),
            Shape::List { .. } => {
                let values = (form.field(&key).lines())
                    .filter(|line| !line.trim().is_empty())
                    .map(|line| scalar(field, line))
                    .collect::<Result<Vec<_>, _>>()?;
                (!values.is_empty()).then_some(FieldValue::List(values))
            }
            Shape::Rows { columns, max } => {
                let rows = read_rows(&key, columns, max.min(TABLE_ROWS_SHOWN_MAX), form)?;
                (!rows.is_empty()).then_some(FieldValue::Rows(rows))
            }
        };
        if let Some(value) = value {
            typed.insert(field.name.to_owned(), value);
        }
    }
    Ok(typed)
}

/// The rows of a table field whose cells are `<key>.<row>.<column>`; a row left blank is none.
fn read_rows(
    key: &str,
    columns: &[FieldSpec],
    rows_max: usize,
    form: &Form,
) -> Result<Vec<std::collections::BTreeMap<String, Scalar>>, ApiError> {
    let mut rows = Vec::new();
    for row in 0..rows_max {
        let mut cells = std::collections::BTreeMap::new();
        for column in columns {
            let typed = form.field(&format!("{key}.{row}.{}", column.name));
            if matches!(column.kind, FieldKind::Flag) {
                continue;
            }
            if let Some(value) = one(column, typed)? {
                cells.insert(column.name.to_owned(), value);
            }
        }
        if cells.is_empty() {
            continue;
        }
        for column in columns
            .iter()
            .filter(|column| matches!(column.kind, FieldKind::Flag))
        {
            let typed = form.field(&format!("{key}.{row}.{}", column.name));
            cells.insert(column.name.to_owned(), scalar(column, typed)?);
        }
        rows.push(cells);
    }
    Ok(rows)
}

/// A one-value input: none when blank, except a yes/no box (absent is no).
fn one(field: &FieldSpec, typed: &str) -> Result<Option<Scalar>, ApiError> {
    if typed.trim().is_empty() && !matches!(field.kind, FieldKind::Flag) {
        return Ok(None);
    }
    scalar(field, typed).map(Some)
}

fn scalar(field: &FieldSpec, typed: &str) -> Result<Scalar, ApiError> {
    tanba_cases::form::read_typed(field.name, field.kind, typed)
        .map_err(|error| ApiError::from(tanba_engine::EngineError::from(error)))
}

/// The files a step names, as its form carries them: each `attachment` field is
/// `<BLAKE3 hex> <size> <media type> <name>` (the page's script writes them after uploading each
/// file; the engine checks that each was uploaded and is what it says).
pub fn attachments(form: &Form) -> Result<Vec<AttachmentRef>, ApiError> {
    form.all("attachment").map(attachment).collect()
}

fn attachment(line: &str) -> Result<AttachmentRef, ApiError> {
    let invalid = || ApiError::invalid("attachment");
    let mut parts = line.splitn(4, ' ');
    let mut next = || parts.next().ok_or_else(invalid);
    let (hash, size, media_type, name) = (next()?, next()?, next()?, next()?);
    let hash: Vec<u8> = (0..hash.len() / 2)
        .map(|index| u8::from_str_radix(hash.get(index * 2..index * 2 + 2)?, 16).ok())
        .collect::<Option<_>>()
        .ok_or_else(invalid)?;
    Ok(AttachmentRef {
        hash: hash.try_into().map_err(|_| invalid())?,
        name: name.to_owned(),
        media_type: media_type.to_owned(),
        size_bytes: size.parse().map_err(|_| invalid())?,
        language: None,
        translation_of: None,
    })
}

/// The field `name` of `definition`'s forms, if one of its steps has it.
pub fn field_spec<'d>(definition: &'d dyn Definition, name: &str) -> Option<&'d FieldSpec> {
    (definition.transitions().iter())
        .flat_map(|transition| transition.fields.iter())
        .find(|field| field.name == name)
}

/// A stored value as a page shows it; `spec`, its field (if known), words its choices.
pub fn shown(words: Words, value: &FieldValue, spec: Option<&FieldSpec>) -> String {
    let kind = spec.map(|spec| spec.kind);
    match value {
        FieldValue::One(scalar) => scalar_shown(words, scalar, kind),
        FieldValue::List(values) => (values.iter())
            .map(|scalar| scalar_shown(words, scalar, kind))
            .collect::<Vec<_>>()
            .join("; "),
        FieldValue::Rows(rows) => {
            let columns = match spec.map(|spec| spec.shape) {
                Some(Shape::Rows { columns, .. }) => columns,
                _ => &[],
            };
            (rows.iter())
                .map(|row| {
                    (row.iter())
                        .map(|(column, scalar)| {
                            let kind = (columns.iter())
                                .find(|each| each.name == column)
                                .map(|each| each.kind);
                            let label = words.text(&field_id(column));
                            format!("{label}: {}", scalar_shown(words, scalar, kind))
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect::<Vec<_>>()
                .join(" | ")
        }
    }
}

fn scalar_shown(words: Words, scalar: &Scalar, kind: Option<FieldKind>) -> String {
    match scalar {
        Scalar::Text(text) => match kind {
            Some(FieldKind::Choice(choices)) if choices.contains(&text.as_str()) => {
                words.text(&choice_id(text))
            }
            _ => text.clone(),
        },
        Scalar::Integer(number) => number.to_string(),
        Scalar::Decimal(number) => number.to_string(),
        Scalar::Date(day) => words.date(*day),
        Scalar::Moment(ms) => words.moment(*ms),
        Scalar::Flag(true) => words.text("answer-yes"),
        Scalar::Flag(false) => words.text("answer-no"),
        Scalar::Taxpayer(id) => id.to_string(),
        Scalar::Code(code) => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[FieldSpec] = &[
        FieldSpec::one("gtin", FieldKind::Gtin, true),
        FieldSpec::one("quantity", FieldKind::PositiveDecimal, true),
    ];
    const FIELDS: &[FieldSpec] = &[
        FieldSpec::one("reason", FieldKind::Text { max_chars: 100 }, true),
        FieldSpec::one("removable", FieldKind::Flag, false),
        FieldSpec::one("on", FieldKind::Date, false),
        FieldSpec {
            name: "buyers",
            kind: FieldKind::Taxpayer,
            shape: Shape::List { max: 10 },
            required: false,
        },
        FieldSpec {
            name: "goods",
            kind: FieldKind::Text { max_chars: 10 },
            shape: Shape::Rows {
                columns: COLUMNS,
                max: 3,
            },
            required: false,
        },
    ];

    fn posted(pairs: &[(&str, &str)]) -> Form {
        Form::from_pairs(
            pairs
                .iter()
                .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_posted_form_reads_by_the_field_table() {
        let form = posted(&[
            ("f.reason", " Labels wrong "),
            ("f.on", ""),
            ("f.buyers", "871008401427\r\n\r\n"),
            ("f.goods.0.gtin", "04600000000008"),
            ("f.goods.0.quantity", "1,5"),
            ("f.goods.2.gtin", ""),
        ]);
        let typed = read(FIELDS, &form).expect("reads");
        assert_eq!(
            typed.get("reason"),
            Some(&FieldValue::One(Scalar::Text("Labels wrong".into())))
        );
        // A box not ticked is a no; a blank date is left out.
        assert_eq!(
            typed.get("removable"),
            Some(&FieldValue::One(Scalar::Flag(false)))
        );
        assert!(!typed.contains_key("on"));
        let Some(FieldValue::List(buyers)) = typed.get("buyers") else {
            panic!("a list")
        };
        assert_eq!(buyers.len(), 1);
        let Some(FieldValue::Rows(rows)) = typed.get("goods") else {
            panic!("rows")
        };
        assert_eq!(rows.len(), 1, "blank rows are none");
        assert_eq!(
            rows[0].get("quantity"),
            Some(&Scalar::Decimal(
                tanba_types::Decimal::parse("1.5").unwrap()
            ))
        );
    }

    #[test]
    fn a_file_named_by_a_step_reads_from_its_line() {
        let hash = "ab".repeat(32);
        let line = format!("{hash} 1234 application/pdf Contract no. 5.pdf");
        let named = attachments(&posted(&[("attachment", &line)])).unwrap();
        assert_eq!(named[0].hash, [0xab; 32]);
        assert_eq!(named[0].size_bytes, 1234);
        assert_eq!(named[0].name, "Contract no. 5.pdf");
        for bad in [
            "",
            "ab 1 a/b x",
            &format!("{hash} x a/b name"),
            &format!("{hash} 1 a/b"),
        ] {
            assert!(
                attachments(&posted(&[("attachment", bad)])).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused_with_the_field_named() {
        let form = posted(&[("f.reason", "x"), ("f.buyers", "not a number")]);
        let error = read(FIELDS, &form).expect_err("refused");
        assert_eq!(error.code, "TANBA-CASE-FIELD-TYPE");
    }
}
