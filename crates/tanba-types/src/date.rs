//! Calendar dates (production, expiry): a day count since 1970-01-01, written `YYYY-MM-DD`.
//! Dates on goods carry no time zone; comparing with an instant uses the day that instant falls on
//! in Kazakhstan (UTC+5 since 2024-03-01), so an expiry date means the end of that day there.

use std::fmt;
use std::str::FromStr;

use crate::serde_text::serde_as_text;

/// Kazakhstan's offset from UTC, in milliseconds (one time zone, UTC+5, since 2024-03-01).
pub const KZ_UTC_OFFSET_MS: i64 = 5 * 3_600_000;

const MS_PER_DAY: i64 = 86_400_000;

/// Earliest year a date may have: goods older than this are not marked.
pub const YEAR_MIN: i32 = 1970;
/// Latest year a date may have.
pub const YEAR_MAX: i32 = 2199;

/// A calendar day.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    days_since_epoch: i32,
}

/// A date that is not `YYYY-MM-DD` in the years [`YEAR_MIN`]..=[`YEAR_MAX`], or does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a date: YYYY-MM-DD expected, years {YEAR_MIN} to {YEAR_MAX}")]
pub struct DateError;

impl DateError {
    /// The stable error code.
    pub const CODE: &'static str = "TANBA-DATE-FORMAT";
}

impl Date {
    /// The date of a year, month and day, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Date, DateError> {
        if !(YEAR_MIN..=YEAR_MAX).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return Err(DateError);
        }
        if day > days_in_month(year, month) {
            return Err(DateError);
        }
        Ok(Date {
            days_since_epoch: days_from_civil(year, month, day),
        })
    }

    /// The day (in Kazakhstan) that a unix-millisecond instant falls on.
    pub fn from_unix_ms_in_kz(time_ms: u64) -> Date {
        let local_ms = i64::try_from(time_ms).unwrap_or(i64::MAX) + KZ_UTC_OFFSET_MS;
        let days = local_ms.div_euclid(MS_PER_DAY);
        Date {
            days_since_epoch: i32::try_from(days).unwrap_or(i32::MAX),
        }
    }

    /// The instant (unix milliseconds) the day starts in Kazakhstan; 0 for a day starting
    /// before 1970 in UTC. `from_unix_ms_in_kz(t) >= self` exactly when `t >= ` this.
    pub fn start_unix_ms_in_kz(&self) -> u64 {
        let start_ms = i64::from(self.days_since_epoch) * MS_PER_DAY - KZ_UTC_OFFSET_MS;
        u64::try_from(start_ms).unwrap_or(0)
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i32) -> Date {
        Date {
            days_since_epoch: days,
        }
    }

    /// The day of the week, ISO numbering: 1 Monday to 7 Sunday.
    pub fn iso_weekday(&self) -> u32 {
        // 1970-01-01 was a Thursday (4).
        u32::try_from((self.days_since_epoch + 3).rem_euclid(7)).expect("0..7") + 1
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(&self) -> i32 {
        self.days_since_epoch
    }

    /// This date plus `days`, saturating at the last representable day.
    pub fn plus_days(&self, days: u32) -> Date {
        let days = i32::try_from(days).unwrap_or(i32::MAX);
        Date {
            days_since_epoch: self.days_since_epoch.saturating_add(days),
        }
    }

    /// Year, month, day.
    pub fn ymd(&self) -> (i32, u32, u32) {
        civil_from_days(self.days_since_epoch)
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400) as u32;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era as i32 - 719_468
}

fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097) as u32;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era as i32 + era * 400 + i32::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bytes = text.as_bytes();
        let digits_at = |range: std::ops::Range<usize>| {
            bytes[range.clone()]
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| text[range].parse::<u32>().ok())
                .flatten()
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(DateError);
        }
        let (Some(year), Some(month), Some(day)) =
            (digits_at(0..4), digits_at(5..7), digits_at(8..10))
        else {
            return Err(DateError);
        };
        Date::from_ymd(year as i32, month, day)
    }
}

impl crate::serde_text::CompactBytes for Date {
    fn write_compact(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.days_since_epoch.to_be_bytes());
    }
    fn read_compact(bytes: &[u8]) -> Option<Self> {
        let days = i32::from_be_bytes(bytes.try_into().ok()?);
        // Checked against the range's own day numbers: hostile bytes never reach the calendar
        // arithmetic, which would overflow far outside it.
        let first = days_from_civil(YEAR_MIN, 1, 1);
        let last = days_from_civil(YEAR_MAX, 12, 31);
        (first..=last).contains(&days).then_some(Date {
            days_since_epoch: days,
        })
    }
}

serde_as_text!(Date);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_follow_the_calendar() {
        let day = |text: &str| text.parse::<Date>().unwrap().iso_weekday();
        assert_eq!(day("1970-01-01"), 4);
        assert_eq!(day("2024-03-01"), 5);
        assert_eq!(day("2026-03-21"), 6);
        assert_eq!(day("2026-03-22"), 7);
        assert_eq!(day("2026-03-23"), 1);
        assert_eq!(Date::from_days_since_epoch(0), day_of("1970-01-01"));
    }

    fn day_of(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn a_day_starts_at_midnight_in_kazakhstan_and_its_instants_fall_on_it() {
        let day = day_of("2026-12-05");
        let start_ms = day.start_unix_ms_in_kz();
        assert_eq!(start_ms, 1_796_410_800_000, "2026-12-04 19:00 UTC");
        assert_eq!(Date::from_unix_ms_in_kz(start_ms), day);
        assert!(Date::from_unix_ms_in_kz(start_ms - 1) < day);
        assert_eq!(day_of("1970-01-01").start_unix_ms_in_kz(), 0);
        assert_eq!(Date::from_unix_ms_in_kz(0), day_of("1970-01-01"));
    }

    #[test]
    fn every_day_round_trips() {
        let first = Date::from_ymd(YEAR_MIN, 1, 1).unwrap();
        let last = Date::from_ymd(YEAR_MAX, 12, 31).unwrap();
        assert_eq!(first.days_since_epoch(), 0);
        for days in first.days_since_epoch()..=last.days_since_epoch() {
            let date = Date {
                days_since_epoch: days,
            };
            let text = date.to_string();
            assert_eq!(text.parse::<Date>(), Ok(date), "{text}");
        }
    }

    #[test]
    fn compact_bytes_out_of_range_are_refused() {
        use crate::serde_text::CompactBytes;
        for days in [i32::MIN, -1, i32::MAX] {
            assert_eq!(Date::read_compact(&days.to_be_bytes()), None, "{days}");
        }
        let date = Date::from_ymd(2026, 11, 22).unwrap();
        let mut bytes = Vec::new();
        date.write_compact(&mut bytes);
        assert_eq!(Date::read_compact(&bytes), Some(date));
    }

    #[test]
    fn impossible_dates_are_refused() {
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "1969-12-31",
            "2026-1-01",
            "2026/01/01",
            "+026-01-01",
        ] {
            assert_eq!(text.parse::<Date>(), Err(DateError), "{text}");
        }
        assert!("2028-02-29".parse::<Date>().is_ok());
    }

    #[test]
    fn instants_fall_on_kazakhstan_days() {
        // 2026-11-21T19:00:00Z is 2026-11-22T00:00 in Almaty.
        let time_ms = 1_795_287_600_000;
        assert_eq!(Date::from_unix_ms_in_kz(time_ms).to_string(), "2026-11-22");
        assert_eq!(
            Date::from_unix_ms_in_kz(time_ms - 1).to_string(),
            "2026-11-21"
        );
    }
}
