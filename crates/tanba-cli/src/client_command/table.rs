//! How answers print: JSON as the server's messages serialize, or a table of aligned columns
//! for people (an array of objects as rows, any other object as field and value).

use std::io::Write;

use serde_json::Value;

use super::Format;

/// Prints an answer as JSON or as a table.
pub fn print(format: Format, answer: &Value) -> anyhow::Result<()> {
    let text = match format {
        Format::Json => serde_json::to_string_pretty(answer)?,
        Format::Table => table(answer),
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    Ok(())
}

/// A cell: text as is, anything else as compact JSON; control characters (GS in raw codes)
/// shown as `\u{1d}`-style escapes so columns stay aligned.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    text.chars()
        .map(|c| {
            if c.is_control() {
                format!("\\x{:02x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Renders JSON as a table: an array of objects (or an object holding one) as rows and
/// columns; an object holding several, its other fields as field and value, then each array
/// under its name; any other object as field and value.
fn table(answer: &Value) -> String {
    if let Value::Object(fields) = answer {
        let is_rows = |value: &Value| {
            value
                .as_array()
                .is_some_and(|rows| !rows.is_empty() && rows.iter().all(Value::is_object))
        };
        let (arrays, scalars): (Vec<_>, Vec<_>) =
            fields.iter().partition(|(_, value)| is_rows(value));
        if arrays.len() > 1 {
            let scalars: serde_json::Map<String, Value> = (scalars.into_iter())
                .filter(|(_, value)| !value.is_array())
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            let mut sections = vec![table(&Value::Object(scalars))];
            for (key, rows) in arrays {
                sections.push(format!("{}:\n{}", key.to_uppercase(), table(rows)));
            }
            return sections.join("\n\n");
        }
    }
    let rows: Option<&Vec<Value>> = match answer {
        Value::Array(rows) => Some(rows),
        Value::Object(fields) => {
            let arrays: Vec<&Vec<Value>> = fields
                .values()
                .filter_map(|value| value.as_array())
                .filter(|rows| rows.iter().all(Value::is_object) && !rows.is_empty())
                .collect();
            (fields.len() == 1 && arrays.len() == 1).then(|| arrays[0])
        }
        _ => None,
    };
    let grid: Vec<Vec<String>> = match rows {
        Some(rows) if rows.iter().all(Value::is_object) => {
            let mut columns: Vec<String> = Vec::new();
            for row in rows {
                for key in row.as_object().expect("objects").keys() {
                    if !columns.contains(key) {
                        columns.push(key.clone());
                    }
                }
            }
            let mut grid = vec![columns.iter().map(|c| c.to_uppercase()).collect::<Vec<_>>()];
            for row in rows {
                grid.push(
                    columns
                        .iter()
                        .map(|column| cell(&row[column.as_str()]))
                        .collect(),
                );
            }
            grid
        }
        Some(rows) => rows.iter().map(|value| vec![cell(value)]).collect(),
        None => match answer {
            Value::Object(fields) => fields
                .iter()
                .map(|(key, value)| vec![key.clone(), cell(value)])
                .collect(),
            other => vec![vec![cell(other)]],
        },
    };
    let widths: Vec<usize> = (0..grid.iter().map(Vec::len).max().unwrap_or(0))
        .map(|column| {
            grid.iter()
                .filter_map(|row| row.get(column))
                .map(|text| text.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    grid.iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(column, text)| format!("{text:width$}", width = widths[column]))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tables_align_rows_of_objects_and_show_fields_of_one() {
        let rows = json!({ "checks": [{ "code": "a\u{1d}b", "sellable": true }, { "code": "cc", "sellable": false }] });
        assert_eq!(
            table(&rows),
            "CODE    SELLABLE\na\\x1db  true\ncc      false"
        );
        assert_eq!(
            table(&json!({ "order": 7, "file": "x" })),
            "file   x\norder  7"
        );
        let sections = json!({ "owner": "x", "a": [{ "n": 1 }], "b": [{ "m": 2 }], "c": [] });
        assert_eq!(table(&sections), "owner  x\n\nA:\nN\n1\n\nB:\nM\n2");
    }
}
