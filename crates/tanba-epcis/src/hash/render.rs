//! The pre-hash string of an event's tree, written as the reference writes it.
//!
//! First the fields of the property order ([`super::order`]), each field's values sorted and
//! concatenated; a field with ordered fields of its own writes those the same way, then its
//! user extensions (sorted), then what it has left stays behind. Written fields that are done
//! are removed; what is left of the event afterwards (typed lists, `ilmd`, user extensions,
//! standard fields with unwritten parts) is written last, each as `name=value` followed by its
//! children, and sorted as whole strings.
//!
//! A field's user extensions are the children whose name has a `{` and a `/}`: a namespace
//! not ending in `/` (`urn:epcglobal:cbv:mda:`) is not seen as one and its field is written
//! again with what is left. Extensions are not gathered where a sibling's name has `eventTime`
//! or `action` in it (that is how the reference keeps the event's own extensions for the end).

use super::{
    order::{self, Field},
    tree::{Element, Item},
    value,
};

/// Names whose presence among siblings keeps their user extensions where they are.
const EVENT_LEVEL_MARKERS: [&str; 2] = ["eventTime", "action"];
/// Names of typed list values; a list of children holding one is written in its own order.
const TYPED_VALUE_NAMES: [&str; 3] = ["bizTransaction", "source", "destination"];

/// `eventType={type}`, the ordered fields, and the rest.
pub(super) fn pre_hash(event_type: &str, mut children: Vec<Item>) -> String {
    let ordered = in_order(&mut children, order::EVENT);
    children.retain(|item| match item {
        Item::Element(element) => !order::NOT_HASHED.contains(&element.name.as_str()),
        Item::Group(_) => true,
    });
    format!("eventType={event_type}{ordered}{}", remaining(&children))
}

/// The fields of `order` found among `children`, written and (when done) removed.
fn in_order(children: &mut Vec<Item>, order: &[Field]) -> String {
    let extensions = take_user_extensions(children);
    let mut pre_hash = String::new();
    for field in order {
        let mut values = Vec::new();
        let mut done = vec![false; children.len()];
        for (item, done) in children.iter_mut().zip(done.iter_mut()) {
            if let Item::Element(element) = item
                && element.name == field.name
            {
                let written = written_in_order(element, field.children);
                if !written.is_empty() {
                    values.push(written);
                }
                *done = element.children.is_empty();
            }
        }
        let mut done = done.into_iter();
        children.retain(|_| !done.next().unwrap_or(false));
        values.sort_unstable();
        pre_hash.extend(values);
    }
    if !extensions.is_empty() {
        pre_hash.push_str(&remaining(&extensions));
    }
    pre_hash
}

/// One field of the property order: `name=value` and its ordered fields, or nothing.
fn written_in_order(element: &mut Element, order: Option<&[Field]>) -> String {
    let children = match order {
        Some(order) => in_order(&mut element.children, order),
        None => String::new(),
    };
    let stripped = value::strip(&element.value);
    let text = if stripped.is_empty() {
        String::new()
    } else if value::is_timestamp_field(&element.name) {
        value::utc_timestamp(stripped).unwrap_or_else(|| stripped.to_owned())
    } else {
        value::canonical(stripped)
    };
    if text.is_empty() && children.is_empty() {
        return String::new();
    }
    let equals = if text.is_empty() { "" } else { "=" };
    format!("{}{equals}{text}{children}", element.name)
}

/// Removes and returns the user extensions among `children` (see the module's text).
fn take_user_extensions(children: &mut Vec<Item>) -> Vec<Item> {
    if children.len() <= 1 || children.iter().any(is_event_level_marker) {
        return Vec::new();
    }
    let (extensions, rest): (Vec<Item>, Vec<Item>) = std::mem::take(children)
        .into_iter()
        .partition(is_user_extension);
    *children = rest;
    extensions
}

fn is_event_level_marker(item: &Item) -> bool {
    EVENT_LEVEL_MARKERS.iter().any(|marker| match item {
        Item::Element(element) => element.name.contains(marker),
        // The reference tests a (type, value) pair's first element by equality of its parts.
        Item::Group(fields) => first_has_part(fields, marker),
    })
}

fn is_user_extension(item: &Item) -> bool {
    match item {
        Item::Element(element) => element.name.contains('{') && element.name.contains("/}"),
        Item::Group(fields) => first_has_part(fields, "{") && first_has_part(fields, "/}"),
    }
}

/// Whether a group's first field's name or value is `part`.
fn first_has_part(fields: &[Item], part: &str) -> bool {
    match fields.first() {
        Some(Item::Element(first)) => first.name == part || first.value == part,
        _ => false,
    }
}

/// What the property order did not write: each child as `name=value` and its children, the
/// whole sorted, unless a typed list value is among them (then as given: type, then value).
fn remaining(children: &[Item]) -> String {
    let mut values: Vec<String> = children.iter().map(remaining_one).collect();
    if children.len() > 1 && !children.iter().any(is_typed_value) {
        values.sort_unstable();
    }
    values.concat()
}

fn remaining_one(item: &Item) -> String {
    match item {
        Item::Group(fields) => remaining(fields),
        Item::Element(element) => {
            let stripped = value::strip(&element.value);
            let text = if stripped.is_empty() {
                String::new()
            } else {
                format!("={}", value::canonical(stripped))
            };
            format!("{}{text}{}", element.name, remaining(&element.children))
        }
    }
}

fn is_typed_value(item: &Item) -> bool {
    matches!(item, Item::Element(element) if TYPED_VALUE_NAMES.contains(&element.name.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(name: &str, value: &str, children: Vec<Item>) -> Item {
        Item::Element(Element {
            name: name.to_owned(),
            value: value.to_owned(),
            children,
        })
    }

    #[test]
    fn field_extensions_follow_the_field_and_event_extensions_come_last() {
        let children = vec![
            element("{https://x/}z", "1", vec![]),
            element(
                "readPoint",
                "",
                vec![
                    element("{https://x/}b", "2", vec![]),
                    element("id", "geo:1,2", vec![]),
                ],
            ),
            element("eventTime", "2020-01-01T00:00:00Z", vec![]),
            element("action", "ADD", vec![]),
            element("recordTime", "2020-01-01T00:00:00Z", vec![]),
        ];
        assert_eq!(
            pre_hash("ObjectEvent", children),
            "eventType=ObjectEventeventTime=2020-01-01T00:00:00.000Zaction=ADD\
             readPointid=geo:1,2{https://x/}b=2{https://x/}z=1"
        );
    }

    #[test]
    fn a_namespace_without_slash_leaves_its_field_to_be_written_again() {
        let read_point = element(
            "readPoint",
            "",
            vec![
                element("{urn:x:}b", "2", vec![]),
                element("id", "geo:1,2", vec![]),
            ],
        );
        let children = vec![element("action", "ADD", vec![]), read_point];
        assert_eq!(
            pre_hash("ObjectEvent", children),
            "eventType=ObjectEventaction=ADDreadPointid=geo:1,2readPoint{urn:x:}b=2"
        );
    }

    #[test]
    fn typed_list_items_keep_type_then_value_and_sort_between_them() {
        let group = |kind: &str, value: &str| {
            Item::Group(vec![
                element("type", kind, vec![]),
                element("source", value, vec![]),
            ])
        };
        let list = element("sourceList", "", vec![group("t2", "a"), group("t1", "b")]);
        assert_eq!(
            pre_hash("ObjectEvent", vec![list]),
            "eventType=ObjectEventsourceListtype=t1source=btype=t2source=a"
        );
    }
}
