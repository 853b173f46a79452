//! Date and time linters: `yymmd0`, `yymmdd`, `yyyymmd0`, `yyyymmdd`, `hh`, `mi`, `ss`, `hhmi`.

use super::{LintErrorKind, LintResult, decimal, fail, fail_whole, require_digits};

/// `YYMMDD`.
const SHORT_DATE_LENGTH: usize = 6;
/// `YYYYMMDD`.
const LONG_DATE_LENGTH: usize = 8;
/// Each of `YY`, `MM`, `DD`, `HH`, `MI` and `SS` has two digits.
const FIELD_LENGTH: usize = 2;
/// `HHMI`.
const HOUR_MINUTE_LENGTH: usize = 2 * FIELD_LENGTH;

const MONTH_MIN: u64 = 1;
const MONTH_MAX: u64 = 12;
const HOUR_MAX: u64 = 23;
const MINUTE_MAX: u64 = 59;
const SECOND_MAX: u64 = 59;

/// Days in each month of a common year, January first.
const DAYS_IN_MONTH: [u64; MONTH_MAX as usize] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/// February of a leap year.
const DAYS_IN_FEBRUARY_LEAP: u64 = 29;
const FEBRUARY: u64 = 2;

/// The year against which a two-digit year `YY` is placed in a century (GS1 General
/// Specifications, "Determination of century in dates"): a `YY` 51 or more years ahead of it
/// is in the previous century, one 50 or more years behind it in the next century.
///
/// The reference linters take the current year from the clock; this crate reads no clock, so the
/// year is fixed. It matters only for the day 29 February of `YY` = 00, which is a leap day
/// in 2000 (today's window) but not in 2100 (the window from 2050 on).
const CENTURY_WINDOW_REFERENCE_YEAR: u64 = 2026;
const PREVIOUS_CENTURY_DIFFERENCE_MIN: i64 = 51;
const NEXT_CENTURY_DIFFERENCE_MAX: i64 = -50;
const YEARS_PER_CENTURY: u64 = 100;

const _: () = assert!(CENTURY_WINDOW_REFERENCE_YEAR >= YEARS_PER_CENTURY);

/// Which linter a date check serves: whether the day `00` ("no specific day") is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayZero {
    Allowed,
    Forbidden,
}

/// `yymmd0`: a date `YYMMDD`; the day may be `00`.
pub(super) fn yymmd0(data: &[u8]) -> LintResult {
    short_date(data, DayZero::Allowed)
}

/// `yymmdd`: a date `YYMMDD`.
pub(super) fn yymmdd(data: &[u8]) -> LintResult {
    short_date(data, DayZero::Forbidden)
}

/// `yyyymmd0`: a date `YYYYMMDD`; the day may be `00`.
pub(super) fn yyyymmd0(data: &[u8]) -> LintResult {
    long_date(data, DayZero::Allowed)
}

/// `yyyymmdd`: a date `YYYYMMDD`.
pub(super) fn yyyymmdd(data: &[u8]) -> LintResult {
    long_date(data, DayZero::Forbidden)
}

fn short_date(data: &[u8], day_zero: DayZero) -> LintResult {
    require_date_length(data, SHORT_DATE_LENGTH)?;
    require_digits(data)?;
    let year = full_year(decimal(&data[..FIELD_LENGTH]));
    month_and_day(data, FIELD_LENGTH, year, day_zero)
}

fn long_date(data: &[u8], day_zero: DayZero) -> LintResult {
    require_date_length(data, LONG_DATE_LENGTH)?;
    require_digits(data)?;
    let year = decimal(&data[..2 * FIELD_LENGTH]);
    month_and_day(data, 2 * FIELD_LENGTH, year, day_zero)
}

fn require_date_length(data: &[u8], length: usize) -> LintResult {
    if data.len() < length {
        return fail_whole(LintErrorKind::DateTooShort, data);
    }
    if data.len() > length {
        return fail_whole(LintErrorKind::DateTooLong, data);
    }
    Ok(())
}

/// Checks `MMDD` at `month_position` of an all-digit date in `year`.
fn month_and_day(data: &[u8], month_position: usize, year: u64, day_zero: DayZero) -> LintResult {
    let day_position = month_position + FIELD_LENGTH;
    let month = decimal(&data[month_position..day_position]);
    let day = decimal(&data[day_position..day_position + FIELD_LENGTH]);
    if !(MONTH_MIN..=MONTH_MAX).contains(&month) {
        return fail(LintErrorKind::IllegalMonth, month_position, FIELD_LENGTH);
    }
    let days = if month == FEBRUARY && is_leap_year(year) {
        DAYS_IN_FEBRUARY_LEAP
    } else {
        DAYS_IN_MONTH[(month - MONTH_MIN) as usize]
    };
    if day > days || (day == 0 && day_zero == DayZero::Forbidden) {
        return fail(LintErrorKind::IllegalDay, day_position, FIELD_LENGTH);
    }
    Ok(())
}

const fn is_leap_year(year: u64) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Places a two-digit year in a century, relative to [`CENTURY_WINDOW_REFERENCE_YEAR`].
fn full_year(two_digit_year: u64) -> u64 {
    let reference_in_century = CENTURY_WINDOW_REFERENCE_YEAR % YEARS_PER_CENTURY;
    let century = CENTURY_WINDOW_REFERENCE_YEAR - reference_in_century;
    // Both values are below 100, so the conversion and the difference are exact.
    let difference = two_digit_year as i64 - reference_in_century as i64;
    if difference >= PREVIOUS_CENTURY_DIFFERENCE_MIN {
        century - YEARS_PER_CENTURY + two_digit_year
    } else if difference <= NEXT_CENTURY_DIFFERENCE_MAX {
        century + YEARS_PER_CENTURY + two_digit_year
    } else {
        century + two_digit_year
    }
}

/// The error kinds for a two-digit field that is too short or too long.
struct FieldLengthKinds {
    too_short: LintErrorKind,
    too_long: LintErrorKind,
}

/// Checks a two-digit field `00` to `max`.
fn two_digit_field(
    data: &[u8],
    lengths: FieldLengthKinds,
    max: u64,
    illegal: LintErrorKind,
) -> LintResult {
    if data.len() < FIELD_LENGTH {
        return fail_whole(lengths.too_short, data);
    }
    if data.len() > FIELD_LENGTH {
        return fail_whole(lengths.too_long, data);
    }
    require_digits(data)?;
    if decimal(data) > max {
        return fail(illegal, 0, FIELD_LENGTH);
    }
    Ok(())
}

/// `hh`: an hour `00` to `23`.
pub(super) fn hour(data: &[u8]) -> LintResult {
    let lengths = FieldLengthKinds {
        too_short: LintErrorKind::HourTooShort,
        too_long: LintErrorKind::HourTooLong,
    };
    two_digit_field(data, lengths, HOUR_MAX, LintErrorKind::IllegalHour)
}

/// `mi`: a minute `00` to `59`.
pub(super) fn minute(data: &[u8]) -> LintResult {
    let lengths = FieldLengthKinds {
        too_short: LintErrorKind::MinuteTooShort,
        too_long: LintErrorKind::MinuteTooLong,
    };
    two_digit_field(data, lengths, MINUTE_MAX, LintErrorKind::IllegalMinute)
}

/// `ss`: a second `00` to `59`.
pub(super) fn second(data: &[u8]) -> LintResult {
    let lengths = FieldLengthKinds {
        too_short: LintErrorKind::SecondTooShort,
        too_long: LintErrorKind::SecondTooLong,
    };
    two_digit_field(data, lengths, SECOND_MAX, LintErrorKind::IllegalSecond)
}

/// `hhmi`: a time `HHMI`, `0000` to `2359`.
pub(super) fn hour_minute(data: &[u8]) -> LintResult {
    if data.len() < HOUR_MINUTE_LENGTH {
        return fail_whole(LintErrorKind::HourWithMinuteTooShort, data);
    }
    if data.len() > HOUR_MINUTE_LENGTH {
        return fail_whole(LintErrorKind::HourWithMinuteTooLong, data);
    }
    require_digits(data)?;
    let (hour, minute) = data.split_at(FIELD_LENGTH);
    if decimal(hour) > HOUR_MAX {
        return fail(LintErrorKind::IllegalHour, 0, FIELD_LENGTH);
    }
    if decimal(minute) > MINUTE_MAX {
        return fail(LintErrorKind::IllegalMinute, FIELD_LENGTH, FIELD_LENGTH);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_digit_years_fall_in_the_window_around_the_reference_year() {
        assert_eq!(full_year(0), 2000);
        assert_eq!(full_year(26), 2026);
        assert_eq!(full_year(76), 2076);
        assert_eq!(full_year(77), 1977);
        assert_eq!(full_year(99), 1999);
    }
}
