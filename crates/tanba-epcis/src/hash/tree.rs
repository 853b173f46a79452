//! An event as the reference sees it before writing its pre-hash string: a tree of elements
//! with a name, a text value and children, shaped like the event's EPCIS XML.
//!
//! Reading (the reference's `json_to_py`): an object's fields become children named by their
//! key (a prefix from the `@context` written `{namespace}`), a list's items become one child
//! each under the list's key; text values go through the bare-word replacement and prefix
//! expansion, numbers lose trailing zeros, `true`/`false` stay as XML writes them, `null` is
//! `None`. `#text`, `comment` and `rdfs:comment` are dropped everywhere, ignored fields at the
//! event's top.
//!
//! Reshaping (the reference's `json_xml_model_mismatch_correction`): the children named
//! `...List` are gathered under one list element whose items are named without `List`
//! (`epcList` of `epc`, and so for user extensions too); `childEPCs` likewise, of `epc`;
//! `inputEPC` and `outputEPC` become `epc`, the quantity list items `quantityElement`. The
//! items of `bizTransactionList`, `sourceList` and `destinationList` become groups of their
//! first two fields, `type` first (the reference takes the JSON's first two fields in the
//! order written, which is `type` first in every document seen; a JSON object has no order
//! here, so `type` is put first).

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};

use super::{
    Context, EVENT_ELEMENTS_MAX, HashError, NESTING_DEPTH_MAX, value, vocabulary::BareWords,
};

/// Keys dropped wherever they are.
const DROPPED_KEYS: [&str; 3] = ["#text", "rdfs:comment", "comment"];
/// Keys that declare a namespace in JSON converted from XML; not fields.
const NAMESPACE_DECLARATION_START: &str = "@xmlns";
/// Lists whose items are a type and a value.
pub(super) const TYPED_LISTS: [&str; 3] = ["bizTransactionList", "sourceList", "destinationList"];
/// The value fields of typed list items (their presence keeps an object's fields in order).
const TYPED_VALUE_KEYS: [&str; 3] = ["bizTransaction", "source", "destination"];
/// The suffix that makes a field a list.
const LIST_SUFFIX: &str = "List";
/// Fields of a typed list item the reference keeps.
const TYPED_ITEM_FIELDS_MAX: usize = 2;

/// A named value with children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Element {
    pub(super) name: String,
    pub(super) value: String,
    pub(super) children: Vec<Item>,
}

/// A child: an element, or the fields of a typed list item kept together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Item {
    Element(Element),
    Group(Vec<Item>),
}

/// Reads events under a context.
pub(super) struct Converter<'a> {
    context: &'a Context,
    words: &'a BareWords<'a>,
    elements: usize,
}

impl<'a> Converter<'a> {
    pub(super) fn new(context: &'a Context, words: &'a BareWords<'a>) -> Converter<'a> {
        Converter {
            context,
            words,
            elements: 0,
        }
    }

    /// The event's type and its reshaped children.
    pub(super) fn event(
        mut self,
        event: &Map<String, Value>,
    ) -> Result<(String, Vec<Item>), HashError> {
        let event_type = match event.get("type") {
            None => String::new(),
            Some(Value::String(text)) => self.word(text).to_owned(),
            Some(_) => return Err(HashError::EventTypeNotText),
        };
        let read = self.object(event, 0, true)?;
        let element = reshape(read)?;
        let event_type = renamed(event_type, !element.children.is_empty());
        Ok((event_type, element.children))
    }

    /// `text`, or the one vocabulary URI it is the end of.
    fn word<'t>(&self, text: &'t str) -> &'t str
    where
        'a: 't,
    {
        self.words.expand(text).unwrap_or(text)
    }

    fn value(&mut self, value: &Value, depth: usize) -> Result<Element, HashError> {
        if depth > NESTING_DEPTH_MAX {
            return Err(HashError::NestingTooDeep {
                depth_max: NESTING_DEPTH_MAX,
            });
        }
        self.elements += 1;
        if self.elements > EVENT_ELEMENTS_MAX {
            return Err(HashError::TooManyElements {
                elements_max: EVENT_ELEMENTS_MAX,
            });
        }
        let text = match value {
            Value::Array(items) => {
                let mut children = Vec::with_capacity(items.len());
                for item in items {
                    children.push(Item::Element(self.value(item, depth + 1)?));
                }
                return Ok(Element {
                    children,
                    ..Element::default()
                });
            }
            Value::Object(map) => return self.object(map, depth, false),
            Value::String(text) => self.context.expand_value(self.word(text)),
            Value::Number(number) => number_text(number),
            Value::Bool(true) => "true".to_owned(),
            Value::Bool(false) => "false".to_owned(),
            Value::Null => "None".to_owned(),
        };
        Ok(Element {
            value: text,
            ..Element::default()
        })
    }

    fn object(
        &mut self,
        map: &Map<String, Value>,
        depth: usize,
        is_event: bool,
    ) -> Result<Element, HashError> {
        let mut element = Element::default();
        if let Some(Value::String(text)) = map.get("#text") {
            element.value = self.word(text).to_owned();
        }
        for (key, value) in fields_in_order(map) {
            let dropped = DROPPED_KEYS.contains(&key.as_str())
                || key.starts_with(NAMESPACE_DECLARATION_START)
                || (is_event && self.context.is_ignored(key));
            if dropped {
                continue;
            }
            let child = self.value(value, depth + 1)?;
            let name = self.context.expand_key(key);
            if value.is_array() {
                for item in child.children {
                    if let Item::Element(item) = item {
                        element.children.push(Item::Element(Element {
                            name: name.clone(),
                            ..item
                        }));
                    }
                }
            } else {
                element
                    .children
                    .push(Item::Element(Element { name, ..child }));
            }
        }
        Ok(element)
    }
}

/// An object's fields; `type` first in typed list items (see the module's text).
fn fields_in_order(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut fields: Vec<(&String, &Value)> = map.iter().collect();
    if TYPED_VALUE_KEYS.iter().any(|key| map.contains_key(*key)) {
        fields.sort_by_key(|(key, _)| key.as_str() != "type");
    }
    fields
}

/// A JSON number as the reference writes it: an integer as it is, a fraction as the shortest
/// text that reads back to the same double, without trailing zeros or exponent.
fn number_text(number: &Number) -> String {
    if let Some(integer) = number.as_i64() {
        return integer.to_string();
    }
    if let Some(integer) = number.as_u64() {
        return integer.to_string();
    }
    match number.as_f64() {
        Some(float) => {
            let text = format!("{float}");
            value::canonical_number(&text).unwrap_or(text)
        }
        None => number.to_string(),
    }
}

/// The reference's reshaping of one element and, below it, of its children.
fn reshape(element: Element) -> Result<Element, HashError> {
    let Element {
        name,
        value,
        children,
    } = element;
    let mut kept = Vec::with_capacity(children.len());
    let mut lists: BTreeMap<String, Vec<Element>> = BTreeMap::new();
    let mut child_epcs = Vec::new();
    for item in children {
        match item {
            Item::Element(mut child) if child.name.ends_with(LIST_SUFFIX) => {
                let list_name = std::mem::take(&mut child.name);
                child.name = list_name[..list_name.len() - LIST_SUFFIX.len()].to_owned();
                lists.entry(list_name).or_default().push(child);
            }
            other => kept.push(other),
        }
    }
    for (list_name, entries) in lists {
        kept.push(Item::Element(list_element(list_name, entries)?));
    }
    kept.retain_mut(|item| match item {
        Item::Element(child) if child.name == "childEPCs" => {
            child_epcs.push(Item::Element(Element {
                name: "epc".to_owned(),
                value: std::mem::take(&mut child.value),
                children: Vec::new(),
            }));
            false
        }
        _ => true,
    });
    if !child_epcs.is_empty() {
        kept.push(Item::Element(Element {
            name: "childEPCs".to_owned(),
            value: String::new(),
            children: child_epcs,
        }));
    }
    let children = kept
        .into_iter()
        .map(|item| match item {
            Item::Element(child) if !TYPED_LISTS.contains(&child.name.as_str()) => {
                reshape(child).map(Item::Element)
            }
            other => Ok(other),
        })
        .collect::<Result<Vec<Item>, HashError>>()?;
    let name = renamed(name, !children.is_empty());
    Ok(Element {
        name,
        value,
        children,
    })
}

/// The list element gathering `entries`; a typed list's entries as groups of their first
/// fields.
fn list_element(name: String, entries: Vec<Element>) -> Result<Element, HashError> {
    let children = if TYPED_LISTS.contains(&name.as_str()) {
        let mut groups = Vec::with_capacity(entries.len());
        for entry in entries {
            if entry.children.is_empty() {
                return Err(HashError::MalformedListEntry { list: name });
            }
            let fields = entry
                .children
                .into_iter()
                .take(TYPED_ITEM_FIELDS_MAX)
                .collect();
            groups.push(Item::Group(fields));
        }
        groups
    } else {
        entries.into_iter().map(Item::Element).collect()
    };
    Ok(Element {
        name,
        value: String::new(),
        children,
    })
}

/// The XML names of JSON's list items.
fn renamed(name: String, has_children: bool) -> String {
    match name.as_str() {
        "inputEPC" | "outputEPC" => "epc".to_owned(),
        "inputQuantity" | "outputQuantity" | "childQuantity" => "quantityElement".to_owned(),
        "quantity" if has_children => "quantityElement".to_owned(),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::json;

    use super::*;

    fn read(event: Value) -> (String, Vec<Item>) {
        let context = Context::new().with_namespace("ex", "https://ns.example.com/");
        let iris = BTreeSet::new();
        let words = BareWords::new(&iris);
        Converter::new(&context, &words)
            .event(event.as_object().unwrap())
            .unwrap()
    }

    fn element(name: &str, value: &str, children: Vec<Item>) -> Item {
        Item::Element(Element {
            name: name.to_owned(),
            value: value.to_owned(),
            children,
        })
    }

    #[test]
    fn lists_become_list_elements_of_xml_names() {
        let (event_type, children) = read(json!({
            "type": "TransformationEvent",
            "inputQuantityList": [{"epcClass": "c", "quantity": 2.50}],
            "childEPCs": ["a"],
        }));
        assert_eq!(event_type, "TransformationEvent");
        let quantity = element(
            "quantityElement",
            "",
            vec![
                element("epcClass", "c", vec![]),
                element("quantity", "2.5", vec![]),
            ],
        );
        assert!(children.contains(&element("inputQuantityList", "", vec![quantity])));
        assert!(children.contains(&element("childEPCs", "", vec![element("epc", "a", vec![])])));
    }

    #[test]
    fn typed_list_items_are_groups_type_first() {
        let (_, children) = read(json!({
            "bizTransactionList": [{"bizTransaction": "b", "type": "po", "ex:extra": 1}],
        }));
        let group = Item::Group(vec![
            element("type", "po", vec![]),
            element("bizTransaction", "b", vec![]),
        ]);
        assert_eq!(
            children,
            vec![element("bizTransactionList", "", vec![group])]
        );
    }

    #[test]
    fn scalars_read_as_the_reference_writes_them() {
        let (_, children) = read(json!({"ex:a": true, "ex:b": null, "ex:c": 1e-5, "comment": "x"}));
        let names: Vec<_> = children
            .iter()
            .map(|item| match item {
                Item::Element(element) => format!("{}={}", element.name, element.value),
                Item::Group(_) => String::new(),
            })
            .collect();
        assert_eq!(
            names,
            [
                "{https://ns.example.com/}a=true",
                "{https://ns.example.com/}b=None",
                "{https://ns.example.com/}c=0.00001",
            ]
        );
    }
}
