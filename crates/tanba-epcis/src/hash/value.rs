//! One value as the pre-hash string writes it: trimmed; a timestamp in UTC with milliseconds;
//! otherwise CBV URNs as web URIs, numbers without trailing zeros and GS1 identifiers as
//! constrained canonical Digital Link URIs, in that order (the reference's `_canonize_value`).

use crate::epc;

/// The CBV 2.0 URN prefixes and the web URI prefixes that replace them, anywhere in a value.
const WEB_VOCABULARY: [(&str, &str); 5] = [
    (
        "urn:epcglobal:cbv:bizstep:",
        "https://ref.gs1.org/cbv/BizStep-",
    ),
    ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
];

/// Longest number written out in full; a longer one (`1e999999`) stays as given.
const NUMBER_TEXT_LENGTH_MAX: usize = 400;
/// Digits of fraction read from a timestamp (microseconds, as the reference's parser reads).
const FRACTION_DIGITS_READ: usize = 6;
/// Microseconds from which a millisecond rounds up.
const HALF_MILLISECOND_MICROSECONDS: i64 = 500;
const MICROSECONDS_PER_MILLISECOND: i64 = 1000;
const MILLISECONDS_PER_SECOND: i64 = 1000;
const SECONDS_PER_DAY: i64 = 86_400;
/// Years a timestamp may have, before and after moving to UTC.
const YEAR_MIN: i64 = 1;
const YEAR_MAX: i64 = 9999;

/// Trims as Python's `str.strip()` does: Unicode white space and the four C0 separators
/// (`\x1c`-`\x1f`, GS1's group separator among them).
pub(super) fn strip(text: &str) -> &str {
    text.trim_matches(|character: char| {
        character.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&character)
    })
}

/// A trimmed value that is no timestamp, as hashed.
pub(super) fn canonical(text: &str) -> String {
    let mut text = text.to_owned();
    for (urn, uri) in WEB_VOCABULARY {
        if text.contains(urn) {
            text = text.replace(urn, uri);
        }
    }
    if let Some(number) = canonical_number(&text) {
        text = number;
    }
    epc::canonical_digital_link(&text).unwrap_or(text)
}

/// Whether a field of the property order holds a timestamp (the reference's test: the name
/// has `time` in it and no `offset`).
pub(super) fn is_timestamp_field(name: &str) -> bool {
    let name = name.to_lowercase();
    name.contains("time") && !name.contains("offset")
}

/// A number (in the syntax Python's `float()` reads: sign, digits with single `_` between them,
/// a fraction, an exponent) written exactly, without exponent, leading or trailing zeros, or a
/// sign on zero; `None` for anything else (infinity and NaN included).
pub(super) fn canonical_number(text: &str) -> Option<String> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], parse_exponent(&unsigned[at + 1..])?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let (whole, fraction) = (digit_group(whole)?, digit_group(fraction)?);
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let scale = exponent.checked_sub(i64::try_from(fraction.len()).ok()?)?;
    write_decimal(negative, &format!("{whole}{fraction}"), scale)
}

/// Digits with single underscores between them (empty is fine), underscores removed.
fn digit_group(text: &str) -> Option<String> {
    if text.starts_with('_') || text.ends_with('_') || text.contains("__") {
        return None;
    }
    let digits: String = text.chars().filter(|&character| character != '_').collect();
    digits
        .bytes()
        .all(|byte| byte.is_ascii_digit())
        .then_some(digits)
}

fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = digit_group(digits).filter(|digits| !digits.is_empty())?;
    let digits = digits.trim_start_matches('0');
    // More digits than any sane exponent: far outside what is written out in full.
    let magnitude: i64 = if digits.len() > 6 {
        1_000_000
    } else {
        digits.parse().unwrap_or(0)
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `digits` × 10^`scale` as plain decimal text.
fn write_decimal(negative: bool, digits: &str, scale: i64) -> Option<String> {
    let digits = digits.trim_start_matches('0');
    let trimmed = digits.trim_end_matches('0');
    if trimmed.is_empty() {
        return Some("0".to_owned());
    }
    let scale = scale.checked_add(i64::try_from(digits.len() - trimmed.len()).ok()?)?;
    let length = i64::try_from(trimmed.len()).ok()?;
    if scale.unsigned_abs() > NUMBER_TEXT_LENGTH_MAX as u64 {
        return None;
    }
    let sign = if negative { "-" } else { "" };
    let text = if scale >= 0 {
        format!(
            "{sign}{trimmed}{}",
            "0".repeat(scale.unsigned_abs() as usize)
        )
    } else if length + scale > 0 {
        let point = (length + scale) as usize;
        format!("{sign}{}.{}", &trimmed[..point], &trimmed[point..])
    } else {
        let zeros = "0".repeat((-(length + scale)).unsigned_abs() as usize);
        format!("{sign}0.{zeros}{trimmed}")
    };
    (text.len() <= NUMBER_TEXT_LENGTH_MAX).then_some(text)
}

/// A timestamp in UTC at millisecond precision (`2020-03-04T10:00:30.000Z`), the fourth
/// decimal rounding half up; `None` if `text` is no ISO 8601 date-time (the reference then
/// hashes it as given). A date alone is its midnight; no offset means UTC.
pub(super) fn utc_timestamp(text: &str) -> Option<String> {
    let moment = Moment::parse(text)?;
    let milliseconds = moment.utc_milliseconds()?;
    let days = milliseconds.div_euclid(SECONDS_PER_DAY * MILLISECONDS_PER_SECOND);
    let of_day = milliseconds.rem_euclid(SECONDS_PER_DAY * MILLISECONDS_PER_SECOND);
    let (year, month, day) = civil_from_days(days);
    if !(YEAR_MIN..=YEAR_MAX).contains(&year) {
        return None;
    }
    let seconds = of_day / MILLISECONDS_PER_SECOND;
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        of_day % MILLISECONDS_PER_SECOND,
    ))
}

/// A date-time as written.
struct Moment {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    microseconds: i64,
    /// East of UTC.
    offset_seconds: i64,
}

impl Moment {
    fn parse(text: &str) -> Option<Moment> {
        let mut reader = Reader(text.as_bytes());
        let year = reader.number(4)?;
        reader.expect(b'-')?;
        let month = reader.number(2)?;
        reader.expect(b'-')?;
        let day = reader.number(2)?;
        let mut moment = Moment {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
            microseconds: 0,
            offset_seconds: 0,
        };
        if reader.take_any(b"Tt ") {
            moment.read_time(&mut reader)?;
            moment.offset_seconds = reader.offset()?;
        }
        (reader.0.is_empty() && moment.is_valid()).then_some(moment)
    }

    fn read_time(&mut self, reader: &mut Reader<'_>) -> Option<()> {
        self.hour = reader.number(2)?;
        reader.expect(b':')?;
        self.minute = reader.number(2)?;
        if reader.take_any(b":") {
            self.second = reader.number(2)?;
            if reader.take_any(b".,") {
                let digits = reader.digits();
                if digits.is_empty() {
                    return None;
                }
                // The reference's parser reads six digits and drops the rest.
                let read = &digits[..digits.len().min(FRACTION_DIGITS_READ)];
                let padding = FRACTION_DIGITS_READ - read.len();
                let value = read
                    .iter()
                    .fold(0i64, |total, digit| total * 10 + i64::from(digit - b'0'));
                self.microseconds = value * 10i64.pow(u32::try_from(padding).ok()?);
            }
        }
        Some(())
    }

    fn is_valid(&self) -> bool {
        (YEAR_MIN..=YEAR_MAX).contains(&self.year)
            && (1..=12).contains(&self.month)
            && (1..=days_in_month(self.year, self.month)).contains(&self.day)
            && (0..24).contains(&self.hour)
            && (0..60).contains(&self.minute)
            && (0..60).contains(&self.second)
    }

    fn utc_milliseconds(&self) -> Option<i64> {
        let days = days_from_civil(self.year, self.month, self.day);
        let seconds = days * SECONDS_PER_DAY + self.hour * 3600 + self.minute * 60 + self.second
            - self.offset_seconds;
        let milliseconds =
            (self.microseconds + HALF_MILLISECOND_MICROSECONDS) / MICROSECONDS_PER_MILLISECOND;
        seconds
            .checked_mul(MILLISECONDS_PER_SECOND)?
            .checked_add(milliseconds)
    }
}

/// Reads ASCII from the front of a byte string.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn number(&mut self, digits: usize) -> Option<i64> {
        let taken = self.0.get(..digits)?;
        if !taken.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = &self.0[digits..];
        taken.iter().try_fold(0i64, |total, digit| {
            Some(total * 10 + i64::from(digit - b'0'))
        })
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.take_any(&[byte]).then_some(())
    }

    fn take_any(&mut self, bytes: &[u8]) -> bool {
        match self.0.first() {
            Some(first) if bytes.contains(first) => {
                self.0 = &self.0[1..];
                true
            }
            _ => false,
        }
    }

    fn digits(&mut self) -> &'a [u8] {
        let count = self
            .0
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        let (digits, rest) = self.0.split_at(count);
        self.0 = rest;
        digits
    }

    /// `Z`, `±hh`, `±hhmm`, `±hh:mm`, or nothing (UTC).
    fn offset(&mut self) -> Option<i64> {
        if self.0.is_empty() || self.take_any(b"Zz") {
            return Some(0);
        }
        let sign = if self.take_any(b"+") {
            1
        } else if self.take_any(b"-") {
            -1
        } else {
            return None;
        };
        let hours = self.number(2)?;
        let minutes = if self.0.is_empty() {
            0
        } else {
            self.take_any(b":");
            self.number(2)?
        };
        ((0..24).contains(&hours) && (0..60).contains(&minutes))
            .then_some(sign * (hours * 3600 + minutes * 60))
    }
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub(crate) fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_move_to_utc_and_round_to_milliseconds() {
        let cases = [
            ("2020-03-04T11:00:30+01:00", "2020-03-04T10:00:30.000Z"),
            ("2023-02-02T11:04:03.1415Z", "2023-02-02T11:04:03.142Z"),
            ("2023-02-02T11:04:03.1414Z", "2023-02-02T11:04:03.141Z"),
            (
                "2022-02-16T20:33:31.116000-06:00",
                "2022-02-17T02:33:31.116Z",
            ),
            ("2019-12-31T23:59:59.9996Z", "2020-01-01T00:00:00.000Z"),
            ("2024-02-29T00:30:00+0100", "2024-02-28T23:30:00.000Z"),
            ("2019-04-02", "2019-04-02T00:00:00.000Z"),
            ("2019-04-02T14:00Z", "2019-04-02T14:00:00.000Z"),
        ];
        for (given, expected) in cases {
            assert_eq!(utc_timestamp(given).as_deref(), Some(expected), "{given}");
        }
        for bad in [
            "2019-02-29T00:00:00Z",
            "yesterday",
            "2019-04-02T25:00:00Z",
            "2019-04-02T10:00:00+01:00x",
        ] {
            assert_eq!(utc_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_lose_trailing_zeros_and_exponents() {
        let cases = [
            ("1.0", "1"),
            ("0.3434000", "0.3434"),
            ("+007", "7"),
            ("1e-05", "0.00001"),
            ("1.5E3", "1500"),
            ("-0.0", "0"),
            (".5", "0.5"),
            ("5.", "5"),
            ("1_000", "1000"),
            ("12345678901234567890", "12345678901234567890"),
        ];
        for (given, expected) in cases {
            assert_eq!(
                canonical_number(given).as_deref(),
                Some(expected),
                "{given}"
            );
        }
        for not_a_number in [
            "",
            "-",
            ".",
            "1e",
            "1__0",
            "_1",
            "inf",
            "nan",
            "0x10",
            "1e999999999",
            "+01:00",
        ] {
            assert_eq!(canonical_number(not_a_number), None, "{not_a_number}");
        }
    }

    #[test]
    fn values_are_canonical() {
        assert_eq!(
            canonical("urn:epcglobal:cbv:bizstep:receiving"),
            "https://ref.gs1.org/cbv/BizStep-receiving"
        );
        assert_eq!(
            canonical("urn:epcglobal:cbv:bt:0614141073467:1152"),
            "urn:epcglobal:cbv:bt:0614141073467:1152"
        );
        assert_eq!(canonical("0012"), "12");
        assert_eq!(
            canonical("urn:epc:id:sgln:4012345.00005.0"),
            "https://id.gs1.org/414/4012345000054"
        );
        assert_eq!(strip("\u{1d} x \n"), "x");
    }

    #[test]
    fn no_text_makes_the_value_rules_panic() {
        let pieces = [
            "2020",
            "-",
            "02",
            "29",
            "T",
            "t",
            " ",
            ":",
            "59",
            "60",
            ".",
            ",",
            "9999",
            "Z",
            "+",
            "14",
            "00",
            "e",
            "E",
            "_",
            "1",
            "é",
            "urn:epcglobal:cbv:bizstep:",
            "inf",
        ];
        for text in epc::tests::spliced_texts(&pieces, 20_000) {
            let _ = utc_timestamp(&text);
            let _ = canonical_number(&text);
            let _ = canonical(&text);
        }
    }

    #[test]
    fn time_fields_are_recognised_by_name() {
        assert!(is_timestamp_field("eventTime") && is_timestamp_field("startTime"));
        assert!(!is_timestamp_field("eventTimeZoneOffset") && !is_timestamp_field("value"));
    }
}
