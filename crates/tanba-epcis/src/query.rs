//! The EPCIS 2.0 query language as Tanba answers it: the parameters of a simple event query,
//! from the REST binding's URL (`GET /events?EQ_bizStep=shipping&perPage=50`) or a named
//! query's JSON body, read into one [`EventQuery`] and matched against exported events.
//!
//! Understood: `eventType`, `GE_eventTime`, `LT_eventTime`, `GE_recordTime`, `LT_recordTime`,
//! `EQ_action`, `EQ_bizStep`, `EQ_disposition`, `MATCH_epc`, `MATCH_parentID`, `MATCH_anyEPC`,
//! `orderBy` (`eventTime`), `orderDirection`, `eventCountLimit`, and the REST binding's
//! `perPage` and `nextPageToken`. Standard parameters about what Tanba's events never carry
//! (`EQ_bizLocation`, `EQ_readPoint`, quantities, sensor data and the like) are understood
//! too: they match no event. Anything else is refused, as is a malformed value. Several values
//! of one parameter are given as a JSON array, by repeating it in the URL, or separated by `|`
//! (which no GS1 identifier holds); any of them matches.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::vocab::{VALUE_CHARS_SHOWN_MAX, Vocabulary};

/// Events a page holds by default.
pub const PAGE_EVENTS_DEFAULT: usize = 100;
/// Events a page holds at most.
pub const PAGE_EVENTS_MAX: usize = 1_000;
/// A page token's digits of sequence at most (a u64 of 19 digits always fits).
const TOKEN_SEQUENCE_DIGITS_MAX: usize = 19;
/// A page token's digits of event at most.
const TOKEN_INDEX_DIGITS_MAX: usize = 9;
/// Values one parameter takes at most.
pub const PARAMETER_VALUES_MAX: usize = 100;

/// Standard parameters about data Tanba's events never carry: understood, matching nothing.
const NEVER_MATCHING: &[&str] = &[
    "EQ_bizLocation",
    "EQ_readPoint",
    "WD_bizLocation",
    "WD_readPoint",
    "GE_quantity",
    "GT_quantity",
    "LE_quantity",
    "LT_quantity",
    "EQ_quantity",
    "MATCH_inputEPC",
    "MATCH_outputEPC",
    "MATCH_epcClass",
    "MATCH_inputEPCClass",
    "MATCH_outputEPCClass",
    "MATCH_anyEPCClass",
    "EQ_transformationID",
    "EQ_sensorMetadata_deviceID",
    "EQ_persistentDisposition",
];

/// Why a query cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A parameter the query language does not have.
    #[error("the query has no parameter {0:?}")]
    UnknownParameter(String),
    /// A value the parameter cannot take.
    #[error("{parameter}: {value:?} is not a value it takes")]
    Value {
        /// The parameter.
        parameter: String,
        /// The value (at most [`VALUE_CHARS_SHOWN_MAX`] characters of it).
        value: String,
    },
    /// A paging token this server did not give.
    #[error("the paging token is not one this server gave")]
    PageToken,
}

impl QueryError {
    /// Every code.
    pub const ALL_CODES: &'static [&'static str] = &[
        "TANBA-EPCIS-QUERY-UNKNOWN-PARAMETER",
        "TANBA-EPCIS-QUERY-VALUE",
        "TANBA-EPCIS-QUERY-PAGE-TOKEN",
    ];

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::UnknownParameter(_) => "TANBA-EPCIS-QUERY-UNKNOWN-PARAMETER",
            QueryError::Value { .. } => "TANBA-EPCIS-QUERY-VALUE",
            QueryError::PageToken => "TANBA-EPCIS-QUERY-PAGE-TOKEN",
        }
    }

    /// What the message names.
    pub fn detail(&self) -> String {
        match self {
            QueryError::UnknownParameter(name) => name.clone(),
            QueryError::Value { parameter, value } => format!("{parameter}={value}"),
            QueryError::PageToken => String::new(),
        }
    }

    fn value(parameter: &str, value: &str) -> QueryError {
        QueryError::Value {
            parameter: parameter.chars().take(VALUE_CHARS_SHOWN_MAX).collect(),
            value: value.chars().take(VALUE_CHARS_SHOWN_MAX).collect(),
        }
    }
}

/// Where a page starts: after (or, going back, before) the `index`-th event of log entry
/// `sequence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagePosition {
    /// The log entry.
    pub sequence: u64,
    /// The event of that entry (from 0).
    pub index: u32,
}

impl PagePosition {
    /// The token a client passes back (opaque to it): `S` after the whole of entry `S`, else
    /// `S.I`.
    pub fn token(&self) -> String {
        match self.index {
            u32::MAX => self.sequence.to_string(),
            index => format!("{}.{index}", self.sequence),
        }
    }

    /// Reads a token: at most 19 digits of sequence and 9 of event.
    pub fn parse(token: &str) -> Result<PagePosition, QueryError> {
        let (sequence, index) = match token.split_once('.') {
            Some((sequence, index)) => (sequence, Some(index)),
            None => (token, None),
        };
        let digits = |text: &str, max: usize| {
            !text.is_empty() && text.len() <= max && text.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(sequence, TOKEN_SEQUENCE_DIGITS_MAX)
            || index.is_some_and(|index| !digits(index, TOKEN_INDEX_DIGITS_MAX))
        {
            return Err(QueryError::PageToken);
        }
        Ok(PagePosition {
            sequence: sequence.parse().map_err(|_| QueryError::PageToken)?,
            index: match index {
                Some(index) => index.parse().map_err(|_| QueryError::PageToken)?,
                None => u32::MAX,
            },
        })
    }
}

/// A simple event query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// `eventType`.
    pub event_types: Option<BTreeSet<String>>,
    /// `GE_eventTime` (and `GE_recordTime`: they are one moment in Tanba), unix ms.
    pub from_ms: Option<u64>,
    /// `LT_eventTime` (and `LT_recordTime`), unix ms.
    pub before_ms: Option<u64>,
    /// `EQ_action`.
    pub actions: Option<BTreeSet<String>>,
    /// `EQ_bizStep`, as full URIs.
    pub biz_steps: Option<BTreeSet<String>>,
    /// `EQ_disposition`, as full URIs.
    pub dispositions: Option<BTreeSet<String>>,
    /// `MATCH_epc`, as canonical Digital Link URIs.
    pub epcs: Option<BTreeSet<String>>,
    /// `MATCH_parentID`.
    pub parents: Option<BTreeSet<String>>,
    /// `MATCH_anyEPC`.
    pub any_epcs: Option<BTreeSet<String>>,
    /// A parameter no Tanba event satisfies was given.
    pub matches_nothing: bool,
    /// `orderDirection=DESC`.
    pub descending: bool,
    /// `eventCountLimit`.
    pub event_count_limit: Option<usize>,
    /// `perPage`.
    pub per_page: usize,
    /// `nextPageToken`.
    pub page: Option<PagePosition>,
}

impl EventQuery {
    /// A query from URL parameters, in order (a parameter may repeat).
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<EventQuery, QueryError> {
        let mut query = EventQuery {
            per_page: PAGE_EVENTS_DEFAULT,
            ..EventQuery::default()
        };
        for (name, value) in params {
            let values: Vec<&str> = value.split('|').collect();
            if values.iter().any(|part| part.is_empty()) {
                return Err(QueryError::value(name, value));
            }
            query.set(name, &values, value)?;
        }
        Ok(query)
    }

    /// A query from a named query's JSON body (`@context` aside).
    pub fn from_json(body: &Value) -> Result<EventQuery, QueryError> {
        let params = params_from_json(body)?;
        EventQuery::from_params(
            params
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
        )
    }

    fn set(&mut self, name: &str, values: &[&str], raw: &str) -> Result<(), QueryError> {
        if values.len() > PARAMETER_VALUES_MAX {
            return Err(QueryError::value(name, "too many values"));
        }
        let single = || match values {
            [one] => Ok(*one),
            _ => Err(QueryError::value(name, raw)),
        };
        match name {
            "eventType" => extend(&mut self.event_types, values, name, |value| {
                crate::capture::EVENT_TYPES
                    .contains(&value)
                    .then(|| value.to_owned())
            })?,
            "GE_eventTime" | "GE_recordTime" => {
                let ms = parse_time(single()?).ok_or_else(|| QueryError::value(name, raw))?;
                self.from_ms = Some(self.from_ms.map_or(ms, |known| known.max(ms)));
            }
            "LT_eventTime" | "LT_recordTime" => {
                let ms = parse_time(single()?).ok_or_else(|| QueryError::value(name, raw))?;
                self.before_ms = Some(self.before_ms.map_or(ms, |known| known.min(ms)));
            }
            "EQ_action" => extend(&mut self.actions, values, name, |value| {
                ["ADD", "OBSERVE", "DELETE"]
                    .contains(&value)
                    .then(|| value.to_owned())
            })?,
            "EQ_bizStep" => extend(&mut self.biz_steps, values, name, |value| {
                vocabulary_uri(Vocabulary::BizStep, value)
            })?,
            "EQ_disposition" => extend(&mut self.dispositions, values, name, |value| {
                vocabulary_uri(Vocabulary::Disposition, value)
            })?,
            "MATCH_epc" => extend(&mut self.epcs, values, name, canonical)?,
            "MATCH_parentID" => extend(&mut self.parents, values, name, canonical)?,
            "MATCH_anyEPC" => extend(&mut self.any_epcs, values, name, canonical)?,
            "orderBy" => match single()? {
                "eventTime" | "recordTime" => {}
                _ => return Err(QueryError::value(name, raw)),
            },
            "orderDirection" => match single()? {
                "ASC" => self.descending = false,
                "DESC" => self.descending = true,
                _ => return Err(QueryError::value(name, raw)),
            },
            "eventCountLimit" => self.event_count_limit = Some(count(name, single()?, usize::MAX)?),
            "perPage" => self.per_page = count(name, single()?, PAGE_EVENTS_MAX)?,
            "nextPageToken" => self.page = Some(PagePosition::parse(single()?)?),
            _ if NEVER_MATCHING.contains(&name) => self.matches_nothing = true,
            _ => {
                return Err(QueryError::UnknownParameter(
                    name.chars().take(VALUE_CHARS_SHOWN_MAX).collect(),
                ));
            }
        }
        Ok(())
    }

    /// Whether an exported event made at `time_ms` answers the query.
    pub fn matches(&self, event: &Value, time_ms: u64) -> bool {
        let field = |name: &str| event.get(name).and_then(Value::as_str).unwrap_or_default();
        let list = |name: &str| -> Vec<&str> {
            event
                .get(name)
                .and_then(Value::as_array)
                .map(|values| values.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default()
        };
        let one_of = |wanted: &Option<BTreeSet<String>>, value: &str| {
            wanted.as_ref().is_none_or(|set| set.contains(value))
        };
        let any_of = |wanted: &Option<BTreeSet<String>>, values: &[&str]| {
            wanted
                .as_ref()
                .is_none_or(|set| values.iter().any(|value| set.contains(*value)))
        };
        let mut everything = list("epcList");
        everything.extend(list("childEPCs"));
        everything.push(field("parentID"));
        !self.matches_nothing
            && self.from_ms.is_none_or(|from| time_ms >= from)
            && self.before_ms.is_none_or(|before| time_ms < before)
            && one_of(&self.event_types, field("type"))
            && one_of(&self.actions, field("action"))
            && one_of(&self.biz_steps, field("bizStep"))
            && one_of(&self.dispositions, field("disposition"))
            && any_of(&self.epcs, &list("epcList"))
            && any_of(&self.parents, &[field("parentID")])
            && any_of(&self.any_epcs, &everything)
    }

    /// The codes the query is about, if it names any: where an answer may start looking
    /// (their histories) instead of the whole log.
    pub fn named_codes(&self) -> Option<BTreeSet<String>> {
        let mut named: Option<BTreeSet<String>> = None;
        for set in [&self.epcs, &self.parents, &self.any_epcs]
            .into_iter()
            .flatten()
        {
            named
                .get_or_insert_with(BTreeSet::new)
                .extend(set.iter().cloned());
        }
        named
    }
}

/// A named query's JSON body (`@context` aside) as the URL's parameters: several values of a
/// parameter joined by `|`.
pub fn params_from_json(body: &Value) -> Result<Vec<(String, String)>, QueryError> {
    let Value::Object(fields) = body else {
        return Err(QueryError::value("query", "not a JSON object"));
    };
    let mut params = Vec::with_capacity(fields.len());
    for (name, value) in fields.iter().filter(|(name, _)| !name.starts_with('@')) {
        // Counts may be numbers; every other value is text (a number is no event type).
        let numbers =
            COUNT_PARAMETERS.contains(&name.as_str()) || NEVER_MATCHING.contains(&name.as_str());
        let texts: Vec<String> = match value {
            Value::Array(values) if !values.is_empty() => values
                .iter()
                .map(|one| scalar_text(one, numbers))
                .collect::<Option<_>>(),
            Value::Array(_) => None,
            other => scalar_text(other, numbers).map(|text| vec![text]),
        }
        .ok_or_else(|| QueryError::value(name, &value.to_string()))?;
        params.push((name.clone(), texts.join("|")));
    }
    Ok(params)
}

/// The parameters that count (a JSON query may give them as numbers).
const COUNT_PARAMETERS: &[&str] = &["perPage", "eventCountLimit"];

fn scalar_text(value: &Value, numbers: bool) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        // JSON's integers include `12974.0`: a whole number counts as its digits.
        Value::Number(number) if numbers => Some(match number.as_f64() {
            Some(value)
                if number.as_u64().is_none() && value.fract() == 0.0 && value.abs() < 1e15 =>
            {
                format!("{value:.0}")
            }
            _ => number.to_string(),
        }),
        _ => None,
    }
}

/// Adds the values, each read by `read`, to `set`.
fn extend(
    set: &mut Option<BTreeSet<String>>,
    values: &[&str],
    name: &str,
    read: impl Fn(&str) -> Option<String>,
) -> Result<(), QueryError> {
    if values.is_empty() {
        return Err(QueryError::value(name, ""));
    }
    let target = set.get_or_insert_with(BTreeSet::new);
    for value in values {
        target.insert(read(value).ok_or_else(|| QueryError::value(name, value))?);
    }
    Ok(())
}

/// A vocabulary value as events carry it: a CBV word's full URI, or any other URI as given (one
/// no event carries matches nothing); a bare word that is no CBV word is refused.
fn vocabulary_uri(vocabulary: Vocabulary, value: &str) -> Option<String> {
    match vocabulary.word(value) {
        Some(word) => Some(vocabulary.uri(word)),
        None => is_query_uri(value).then(|| value.to_owned()),
    }
}

/// A URI as a query names it: a scheme, a colon, then printable ASCII (no space, no `|`).
fn is_query_uri(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let mut scheme_chars = scheme.bytes();
    scheme_chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && scheme_chars
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.'))
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|byte| byte.is_ascii_graphic() && byte != b'|')
}

/// An identifier as events carry it: a marking code's canonical Digital Link URI, another
/// identifier's canonical form, or the text as given (which no event names).
fn canonical(value: &str) -> Option<String> {
    let canonical = match crate::capture::code_key(value) {
        Ok(code) => crate::export::code_uri(&code),
        Err(_) => crate::epc::canonical_digital_link(value).unwrap_or_else(|_| value.to_owned()),
    };
    Some(canonical)
}

/// A count from 1 to `max` (decimal digits only, leading zeros allowed).
fn count(name: &str, value: &str, max: usize) -> Result<usize, QueryError> {
    let digits = value.trim_start_matches('0');
    let well_formed = !value.is_empty()
        && value.bytes().all(|byte| byte.is_ascii_digit())
        && digits.len() <= COUNT_DIGITS_MAX;
    well_formed
        .then(|| digits.parse::<usize>().ok())
        .flatten()
        .filter(|count| (1..=max).contains(count))
        .ok_or_else(|| QueryError::value(name, value))
}

/// Significant digits a count may have (`eventCountLimit` below a billion).
const COUNT_DIGITS_MAX: usize = 9;

/// An RFC 3339 moment (`2026-12-05T10:00:00.5+05:00`, `...Z`, any year from 0000 to 9999) as
/// unix milliseconds, 0 for a moment before 1970 (no event is older); `None` if malformed.
pub fn parse_time(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() >= 20
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && matches!(bytes[10], b'T' | b't')
        && bytes[13] == b':'
        && bytes[16] == b':';
    if !shaped {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes().all(|b| b.is_ascii_digit()).then_some(())?;
        part.parse::<i64>().ok()
    };
    let days = days_from_civil(number(0..4)?, number(5..7)?, number(8..10)?)?;
    let (hours, minutes, seconds) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if hours > 23 || minutes > 59 || seconds > 60 {
        return None;
    }
    let (millis, offset_minutes) = fraction_and_offset(&text[19..])?;
    let ms =
        ((days * 24 + hours) * 60 + minutes - offset_minutes) * 60_000 + seconds * 1_000 + millis;
    Some(u64::try_from(ms).unwrap_or(0))
}

/// A moment's fraction of a second (to the millisecond) and its offset in minutes.
fn fraction_and_offset(rest: &str) -> Option<(i64, i64)> {
    let mut rest = rest;
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        millis = format!("{:0<3}", &fraction[..digits.min(3)])
            .parse::<i64>()
            .ok()?;
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            (rest.len() == 6 && rest.as_bytes()[3] == b':').then_some(())?;
            let digits = |part: &str| {
                part.bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| part.parse::<i64>().ok())
                    .flatten()
            };
            let (hours, minutes) = (digits(&rest[1..3])?, digits(&rest[4..6])?);
            (hours <= 23 && minutes <= 59).then_some(())?;
            sign * (hours * 60 + minutes)
        }
    };
    Some((millis, offset))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (a negative count before it); `None` for
/// a date that does not exist. The event hash's own calendar arithmetic.
fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    use crate::hash::value;
    let exists =
        (1..=12).contains(&month) && (1..=value::days_in_month(year, month)).contains(&day);
    exists.then(|| value::days_from_civil(year, month, day))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_moment_is_read_with_its_offset_and_fraction() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("1970-01-01T05:00:00.5+05:00"), Some(500));
        assert_eq!(
            parse_time("2026-12-05T15:20:30.045+05:00"),
            Some(1_796_466_030_045)
        );
        assert_eq!(
            parse_time("0000-01-01T00:00:00Z"),
            Some(0),
            "before 1970: the start"
        );
        assert_eq!(parse_time("2024-02-29T00:00:00Z"), Some(1_709_164_800_000));
        assert_eq!(parse_time("2023-02-29T00:00:00Z"), None);
        for bad in [
            "not-a-date",
            "2026-12-05",
            "2026-12-05T25:00:00Z",
            "2026-12-05T10:00:00",
            "2026-12-05T10:00:00+5:00",
            "2026-12-05T10:00:00.Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_unknown_parameter_and_a_malformed_value_are_refused() {
        let unknown = EventQuery::from_params([("GE_eventDate", "2026-01-01T00:00:00+01:00")]);
        assert_eq!(
            unknown.unwrap_err().code(),
            "TANBA-EPCIS-QUERY-UNKNOWN-PARAMETER"
        );
        for (name, value) in [
            ("GE_eventTime", "not-a-date"),
            ("EQ_action", "SHIPPED"),
            ("orderDirection", "SIDEWAYS"),
            ("perPage", "0"),
            ("perPage", "1001"),
            ("eventType", "ObjectEventInvalid"),
            ("EQ_bizStep", "transforming"),
        ] {
            let refused = EventQuery::from_params([(name, value)]).unwrap_err();
            assert_eq!(refused.code(), "TANBA-EPCIS-QUERY-VALUE", "{name}={value}");
        }
        assert_eq!(
            EventQuery::from_params([("nextPageToken", "x")])
                .unwrap_err()
                .code(),
            "TANBA-EPCIS-QUERY-PAGE-TOKEN"
        );
    }

    #[test]
    fn a_query_matches_on_every_parameter_given() {
        let query = EventQuery::from_params([
            ("EQ_bizStep", "shipping"),
            ("eventType", "TransactionEvent"),
            ("GE_eventTime", "1970-01-01T00:00:01Z"),
        ])
        .unwrap();
        let event = json!({
            "type": "TransactionEvent",
            "bizStep": "https://ref.gs1.org/cbv/BizStep-shipping",
            "epcList": ["https://id.gs1.org/00/046000000000000018"],
        });
        assert!(query.matches(&event, 1_000));
        assert!(!query.matches(&event, 999));
        let other_step = json!({ "type": "TransactionEvent", "bizStep": "https://ref.gs1.org/cbv/BizStep-receiving" });
        assert!(!query.matches(&other_step, 1_000));
        let never =
            EventQuery::from_params([("EQ_bizLocation", "https://id.gs1.org/414/9521141123452")])
                .unwrap();
        assert!(!never.matches(&event, 1_000));
    }

    #[test]
    fn a_json_querys_whole_numbers_count_as_integers() {
        let query =
            EventQuery::from_json(&json!({ "eventCountLimit": 12974.0, "perPage": 169 })).unwrap();
        assert_eq!(
            (query.event_count_limit, query.per_page),
            (Some(12974), 169)
        );
        assert!(EventQuery::from_json(&json!({ "perPage": 1.5 })).is_err());
        assert!(EventQuery::from_json(&json!({ "eventType": 5 })).is_err());
    }

    #[test]
    fn a_page_token_reads_back() {
        let position = PagePosition {
            sequence: 42,
            index: 3,
        };
        assert_eq!(PagePosition::parse(&position.token()), Ok(position));
        let whole = PagePosition {
            sequence: 42,
            index: u32::MAX,
        };
        assert_eq!(whole.token(), "42");
        assert_eq!(PagePosition::parse("42"), Ok(whole));
        assert!(PagePosition::parse("42.1234567890").is_err());
        assert!(PagePosition::parse("-1.0").is_err());
    }
}
