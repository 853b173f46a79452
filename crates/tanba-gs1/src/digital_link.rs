//! GS1 Digital Link URIs (GS1 Digital Link standard 1.x, URI syntax):
//! `https://{host}/{stem...}/{key AI}/{key}/{qualifier AI}/{qualifier}...?{AI}={value}&...`.
//!
//! Parsing finds the rightmost primary key in the path (anything before it is the resolver's
//! stem), checks the key-qualifier order against the AI table's `dlpkey` attributes, reads
//! query attributes (ignoring non-numeric parameters), and percent-decodes values (`+` is a space
//! only in the query). Generating picks the first primary key in the data, its qualifiers, and
//! writes the other AIs as query attributes: predefined-length AIs first, each group in data order,
//! so that converting back needs the fewest FNC1 separators.

use std::borrow::Cow;

use crate::{
    INPUT_LENGTH_MAX,
    ai::{self, AiEntry},
    element::{Element, ElementString, ParseOptions, resolve_ai, validate_value},
    error::{Gs1Error, Gs1ErrorKind},
};

/// The canonical GS1 resolver, used when no stem is given.
pub const CANONICAL_STEM: &str = "https://id.gs1.org";

/// Characters a URI may contain (RFC 3986 unreserved and reserved, plus `%`).
fn is_uri_character(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&byte)
}

/// Characters written as they are in path segments and query values.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~".contains(&byte)
}

const SCHEMES: [&str; 4] = ["https://", "http://", "HTTPS://", "HTTP://"];

/// Whether `text` starts like a Digital Link URI (an all-lower or all-upper http(s) scheme).
pub fn looks_like_digital_link(text: &str) -> bool {
    SCHEMES.iter().any(|scheme| text.starts_with(scheme))
}

/// Percent-escapes a value for a path segment.
pub fn escape_path(value: &str) -> String {
    escape(value, false)
}

/// Percent-escapes a value for a query parameter (space becomes `+`).
pub fn escape_query(value: &str) -> String {
    escape(value, true)
}

fn escape(value: &str, query: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if is_unreserved(byte) {
            out.push(char::from(byte));
        } else if query && byte == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Reverses percent-escaping in a path segment. A `%` not followed by two hex digits stays.
pub fn unescape_path(value: &str) -> Vec<u8> {
    unescape(value, false)
}

/// Reverses percent-escaping in a query value; `+` means space.
pub fn unescape_query(value: &str) -> Vec<u8> {
    unescape(value, true)
}

fn unescape(value: &str, query: bool) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let hex = |offset: usize| {
            bytes
                .get(index + offset)
                .and_then(|b| (*b as char).to_digit(16))
        };
        match (byte, hex(1), hex(2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                index += 3;
            }
            (b'+', _, _) if query => {
                out.push(b' ');
                index += 1;
            }
            _ => {
                out.push(byte);
                index += 1;
            }
        }
    }
    out
}

/// The deprecated short names for AIs in Digital Link paths ("convenience alphas").
const CONVENIENCE_ALPHAS: &[(&str, &str)] = &[
    ("cpid", "8010"),
    ("cpsn", "8011"),
    ("cpv", "22"),
    ("gcn", "255"),
    ("gdti", "253"),
    ("giai", "8004"),
    ("ginc", "401"),
    ("gln", "414"),
    ("glnx", "254"),
    ("gmn", "8013"),
    ("grai", "8003"),
    ("gsin", "402"),
    ("gsrn", "8018"),
    ("gsrnp", "8017"),
    ("gtin", "01"),
    ("itip", "8006"),
    ("lot", "10"),
    ("party", "417"),
    ("refno", "8020"),
    ("ser", "21"),
    ("srin", "8019"),
    ("sscc", "00"),
    ("tpx", "235"),
];

fn path_ai(segment: &str, options: &ParseOptions) -> Option<&'static AiEntry> {
    let alpha = CONVENIENCE_ALPHAS
        .iter()
        .find(|(alpha, _)| options.permit_convenience_alphas && *alpha == segment);
    if let Some((_, ai)) = alpha {
        return ai::lookup(ai);
    }
    if segment.bytes().all(|byte| byte.is_ascii_digit()) {
        ai::lookup(segment)
    } else {
        None
    }
}

/// Parses a Digital Link URI into element strings.
pub fn parse(uri: &str, options: &ParseOptions) -> Result<ElementString, Gs1Error> {
    if uri.is_empty() {
        return Err(Gs1Error::new(Gs1ErrorKind::Empty));
    }
    if uri.len() > INPUT_LENGTH_MAX {
        return Err(Gs1Error::new(Gs1ErrorKind::InputTooLong).at(INPUT_LENGTH_MAX, 0));
    }
    if let Some(position) = uri.bytes().position(|byte| !is_uri_character(byte)) {
        return Err(Gs1Error::new(Gs1ErrorKind::IllegalCharacter).at(position, 1));
    }
    let scheme = SCHEMES
        .iter()
        .find(|scheme| uri.starts_with(**scheme))
        .ok_or_else(|| Gs1Error::new(Gs1ErrorKind::BadUriScheme).at(0, 0))?;
    let after_scheme = &uri[scheme.len()..];
    let host_end = after_scheme
        .find('/')
        .ok_or_else(|| Gs1Error::new(Gs1ErrorKind::NoPrimaryKey))?;
    check_host(&after_scheme[..host_end]).map_err(|error| error.at(scheme.len(), host_end))?;
    let rest = &after_scheme[host_end..];
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));

    let mut elements = parse_path(uri, path, options)?;
    parse_query(uri, query, &mut elements, options)?;

    for (element, span) in &elements {
        validate_value(element).map_err(|error| span.locate(error))?;
    }
    let element_string = ElementString {
        elements: elements.into_iter().map(|(element, _)| element).collect(),
    };
    if options.validate_associations {
        element_string.validate_associations()?;
    }
    Ok(element_string)
}

/// Where an element's value was written in the URI, to report errors at the right place.
#[derive(Debug, Clone, Copy)]
struct Span {
    /// Byte offset of the raw (escaped) value in the URI.
    start: usize,
    /// Length of the raw value.
    length: usize,
    /// The raw value is the value itself (no escapes): positions inside it map one to one.
    verbatim: bool,
}

impl Span {
    fn of(uri: &str, raw: &str, value: &str) -> Span {
        Span {
            start: offset_in(uri, raw),
            length: raw.len(),
            verbatim: raw == value,
        }
    }

    /// Moves an error found in the decoded value to the URI: exactly where the value was written
    /// verbatim, else at the whole raw value.
    fn locate(self, mut error: Gs1Error) -> Gs1Error {
        match (self.verbatim, error.position) {
            (true, Some(position)) => error.position = Some(self.start + position),
            _ => {
                error.position = Some(self.start);
                error.length = Some(self.length);
            }
        }
        error
    }
}

/// The byte offset of `part` within `whole`; `part` must be a subslice of `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    let offset = part.as_ptr().addr() - whole.as_ptr().addr();
    assert!(offset + part.len() <= whole.len(), "not a subslice");
    offset
}

/// A host: a DNS name (labels of letters, digits and `-`, optional trailing dot), an IPv4 address
/// in any of its textual forms, or a bracketed IPv6 address without a zone; then an optional port.
fn check_host(host: &str) -> Result<(), Gs1Error> {
    let bad = || Gs1Error::new(Gs1ErrorKind::BadUriHost);
    let (name, port) = if let Some(inner) = host.strip_prefix('[') {
        let (address, after) = inner.split_once(']').ok_or_else(bad)?;
        let valid = !address.is_empty()
            && address
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
        if !valid {
            return Err(bad());
        }
        match after {
            "" => ("", None),
            _ => ("", Some(after.strip_prefix(':').ok_or_else(bad)?)),
        }
    } else {
        match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    if !host.starts_with('[') {
        let labels = name.strip_suffix('.').unwrap_or(name);
        let valid = !labels.is_empty()
            && labels.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !valid {
            return Err(bad());
        }
    }
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port
                .parse::<u32>()
                .is_ok_and(|number| number <= u32::from(u16::MAX));
        if !valid {
            return Err(bad());
        }
    }
    Ok(())
}

fn parse_path(
    uri: &str,
    path: &str,
    options: &ParseOptions,
) -> Result<Vec<(Element, Span)>, Gs1Error> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    if let Some(empty) = segments.iter().find(|segment| segment.is_empty()) {
        return Err(Gs1Error::new(Gs1ErrorKind::EmptyPathSegment).at(offset_in(uri, empty), 0));
    }
    // Walk back from the end over "/AI/value" pairs while they are AIs, until a primary key.
    let mut root = None;
    let mut index = segments.len();
    while index >= 2 {
        index -= 2;
        let Some(entry) = path_ai(segments[index], options) else {
            break;
        };
        if entry.dl_primary_key.is_some() {
            root = Some(index);
            break;
        }
    }
    let root = root.ok_or_else(|| Gs1Error::new(Gs1ErrorKind::NoPrimaryKey))?;
    let mut elements = Vec::new();
    for pair in segments[root..].chunks(2) {
        let entry = path_ai(pair[0], options).expect("checked while finding the root");
        let at_value = |error: Gs1Error| error.at(offset_in(uri, pair[1]), pair[1].len());
        let value = decode_value(entry.ai, pair[1], false, options).map_err(at_value)?;
        let span = Span::of(uri, pair[1], &value);
        elements.push((
            Element {
                ai: Cow::Borrowed(entry.ai),
                value,
            },
            span,
        ));
    }
    let key = elements[0].0.entry().expect("from the table");
    let qualifiers: Vec<&str> = elements[1..]
        .iter()
        .map(|(element, _)| &*element.ai)
        .collect();
    if !is_valid_qualifier_sequence(key, &qualifiers) {
        return Err(Gs1Error::at_ai(
            Gs1ErrorKind::BadKeyQualifierSequence,
            key.ai,
        ));
    }
    Ok(elements)
}

/// Whether `qualifiers` are, in order, a subsequence of one of the key's qualifier sequences.
fn is_valid_qualifier_sequence(key: &AiEntry, qualifiers: &[&str]) -> bool {
    key.dl_qualifier_sequences().any(|mut sequence| {
        qualifiers
            .iter()
            .all(|qualifier| sequence.any(|allowed| allowed == *qualifier))
    })
}

/// Whether `ai` could join the path qualifiers `chosen` in one of the key's sequences: such an
/// AI belongs in the path, so it may not be a query attribute.
fn belongs_in_path(key: &AiEntry, chosen: &[&str], ai: &str) -> bool {
    key.dl_qualifier_sequences().any(|sequence| {
        let sequence: Vec<&str> = sequence.collect();
        sequence.contains(&ai) && chosen.iter().all(|qualifier| sequence.contains(qualifier))
    })
}

fn parse_query(
    uri: &str,
    query: &str,
    elements: &mut Vec<(Element, Span)>,
    options: &ParseOptions,
) -> Result<(), Gs1Error> {
    let key = elements[0]
        .0
        .entry()
        .expect("path keys come from the table");
    let path_qualifiers: Vec<&'static str> = elements[1..]
        .iter()
        .filter_map(|(element, _)| element.entry())
        .map(|entry| entry.ai)
        .collect();
    for parameter in query.split('&').filter(|parameter| !parameter.is_empty()) {
        // Parameters without a value, and non-numeric names, are for other applications.
        let Some((name, raw_value)) = parameter.split_once('=') else {
            continue;
        };
        if name.is_empty() || !name.bytes().all(|byte| byte.is_ascii_digit()) {
            continue;
        }
        let at_name = |error: Gs1Error| error.at(offset_in(uri, name), name.len());
        let ai = resolve_ai(name, options).map_err(at_name)?;
        let allowed = match ai::lookup(&ai) {
            Some(entry) => {
                entry.dl_data_attribute && !belongs_in_path(key, &path_qualifiers, entry.ai)
            }
            None => !options.unknown_ai_not_dl_attribute,
        };
        if !allowed {
            return Err(at_name(Gs1Error::at_ai(
                Gs1ErrorKind::NotADataAttribute,
                &ai,
            )));
        }
        if elements.iter().any(|(element, _)| element.ai == ai) {
            return Err(at_name(Gs1Error::at_ai(Gs1ErrorKind::DuplicateAi, &ai)));
        }
        let at_value = |error: Gs1Error| error.at(offset_in(uri, raw_value), raw_value.len());
        let value = decode_value(&ai, raw_value, true, options).map_err(at_value)?;
        if elements.len() >= crate::ELEMENTS_MAX {
            return Err(Gs1Error::new(Gs1ErrorKind::TooManyElements));
        }
        let span = Span::of(uri, raw_value, &value);
        elements.push((Element { ai, value }, span));
    }
    Ok(())
}

fn decode_value(
    ai: &str,
    raw: &str,
    query: bool,
    options: &ParseOptions,
) -> Result<String, Gs1Error> {
    let bytes = if query {
        unescape_query(raw)
    } else {
        unescape_path(raw)
    };
    if bytes.is_empty() {
        return Err(Gs1Error::at_ai(Gs1ErrorKind::EmptyValue, ai));
    }
    if bytes.iter().any(|byte| *byte == 0 || !byte.is_ascii()) {
        return Err(Gs1Error::at_ai(Gs1ErrorKind::IllegalCharacter, ai));
    }
    let value = String::from_utf8(bytes).expect("ASCII checked above");
    let zero_suppressed = matches!(value.len(), 8 | 12 | 13);
    if ai == "01" && zero_suppressed && options.permit_zero_suppressed_gtin_in_dl {
        return Ok(format!("{value:0>14}"));
    }
    Ok(value)
}

/// Checks a resolver stem for [`generate`]: `http(s)://host[:port][/path]`, a valid host, no
/// query or fragment, no empty path segment (a trailing `/` is allowed and dropped).
pub fn check_stem(stem: &str) -> Result<(), Gs1Error> {
    if let Some(position) = stem
        .bytes()
        .position(|byte| !is_uri_character(byte) || byte == b'?' || byte == b'#')
    {
        return Err(Gs1Error::new(Gs1ErrorKind::IllegalCharacter).at(position, 1));
    }
    let scheme = SCHEMES
        .iter()
        .find(|scheme| stem.starts_with(**scheme))
        .ok_or_else(|| Gs1Error::new(Gs1ErrorKind::BadUriScheme).at(0, 0))?;
    let after_scheme = &stem[scheme.len()..];
    let after_scheme = after_scheme.strip_suffix('/').unwrap_or(after_scheme);
    let (host, path) = after_scheme.split_at(after_scheme.find('/').unwrap_or(after_scheme.len()));
    check_host(host).map_err(|error| error.at(scheme.len(), host.len()))?;
    if path.split('/').skip(1).any(str::is_empty) {
        return Err(Gs1Error::new(Gs1ErrorKind::EmptyPathSegment));
    }
    Ok(())
}

/// Builds the Digital Link URI for `elements` under `stem` (default [`CANONICAL_STEM`]).
pub fn generate(
    elements: &ElementString,
    stem: Option<&str>,
    options: &ParseOptions,
) -> Result<String, Gs1Error> {
    // Identical repeats say nothing new; conflicting ones are refused.
    elements.validate_repeats()?;
    let mut unique: Vec<&Element> = Vec::new();
    for element in &elements.elements {
        if !unique.iter().any(|seen| seen.ai == element.ai) {
            unique.push(element);
        }
    }
    let (key_index, key) = unique
        .iter()
        .enumerate()
        .find_map(|(index, element)| {
            element
                .entry()
                .filter(|entry| entry.dl_primary_key.is_some())
                .map(|entry| (index, entry))
        })
        .ok_or_else(|| Gs1Error::new(Gs1ErrorKind::NoPrimaryKeyToGenerate))?;

    // Of the key's qualifier sequences, use the one that the data fills best.
    let qualifiers: Vec<&str> = key
        .dl_qualifier_sequences()
        .map(|sequence| {
            sequence
                .filter(|qualifier| unique.iter().any(|element| element.ai == *qualifier))
                .collect::<Vec<_>>()
        })
        .fold(Vec::new(), |best, candidate| {
            if candidate.len() > best.len() {
                candidate
            } else {
                best
            }
        });

    let stem = stem.unwrap_or(CANONICAL_STEM);
    check_stem(stem)?;
    let mut uri = stem.strip_suffix('/').unwrap_or(stem).to_owned();
    let path_value = |ai: &str| {
        unique
            .iter()
            .find(|element| element.ai == ai)
            .map(|e| &e.value)
    };
    for ai in std::iter::once(key.ai).chain(qualifiers.iter().copied()) {
        let value = path_value(ai).expect("chosen from the data");
        uri.push('/');
        uri.push_str(ai);
        uri.push('/');
        uri.push_str(&escape_path(value));
    }

    let mut fixed_length = Vec::new();
    let mut variable_length = Vec::new();
    for (index, element) in unique.iter().enumerate() {
        if index == key_index || qualifiers.contains(&&*element.ai) {
            continue;
        }
        let allowed = match element.entry() {
            Some(entry) => entry.dl_data_attribute && !belongs_in_path(key, &qualifiers, entry.ai),
            None => options.permit_unknown_ais && !options.unknown_ai_not_dl_attribute,
        };
        if !allowed {
            return Err(Gs1Error::at_ai(
                Gs1ErrorKind::NotADataAttribute,
                &element.ai,
            ));
        }
        if element.needs_fnc1_after() {
            variable_length.push(*element);
        } else {
            fixed_length.push(*element);
        }
    }
    let attributes: Vec<String> = fixed_length
        .iter()
        .chain(&variable_length)
        .map(|element| format!("{}={}", element.ai, escape_query(&element.value)))
        .collect();
    if !attributes.is_empty() {
        uri.push('?');
        uri.push_str(&attributes.join("&"));
    }
    Ok(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(uri: &str) -> Gs1Error {
        parse(uri, &ParseOptions::default()).unwrap_err()
    }

    #[test]
    fn errors_point_into_the_uri() {
        let uri = "https://a.kz/01/04600439931257";
        let found = error(uri);
        assert_eq!(found.code(), "TANBA-GS1-LINT-INCORRECT-CHECK-DIGIT");
        assert_eq!(found.position, Some(uri.len() - 1));

        let uri = "https://a.kz/01/04600439931256/21/A%C3%28";
        let found = error(uri);
        assert_eq!(found.code(), "TANBA-GS1-ILLEGAL-CHARACTER");
        assert_eq!(found.position, Some(uri.find("A%C3").unwrap()));

        let uri = "https://a.kz/01/04600439931256?17=991399";
        let found = error(uri);
        assert_eq!(found.code(), "TANBA-GS1-LINT-ILLEGAL-MONTH");
        assert_eq!(found.position, Some(uri.find("1399").unwrap()));
    }

    #[test]
    fn stems_are_checked() {
        for good in [
            "https://id.gs1.org",
            "https://tanba.kz/",
            "http://10.0.0.1:8080/dl",
        ] {
            assert!(check_stem(good).is_ok(), "{good}");
        }
        for bad in [
            "ftp://x",
            "https://x.kz/a?b=c",
            "https://x.kz/#f",
            "https://$x",
            "https://x//y",
        ] {
            assert!(check_stem(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn empty_path_segments_are_named() {
        for uri in [
            "https://a.kz//01/04600439931256",
            "https://a.kz/01/04600439931256/",
        ] {
            assert_eq!(
                error(uri).code(),
                "TANBA-GS1-DL-EMPTY-PATH-SEGMENT",
                "{uri}"
            );
        }
    }
}
