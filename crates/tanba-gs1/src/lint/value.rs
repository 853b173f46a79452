//! Value linters: `nonzero`, `zero`, `nozeroprefix`, `yesno`, `winding`, `iso5218`, `latitude`,
//! `longitude`, `mediatype`, `pieceoftotal` and `posinseqslash`.

use super::{LintErrorKind, LintResult, decimal, fail, fail_whole, require_digits};

/// `nonzero`: a number (digits only) that is not zero.
pub(super) fn non_zero(data: &[u8]) -> LintResult {
    require_digits(data)?;
    if data.iter().all(|&digit| digit == b'0') {
        return fail_whole(LintErrorKind::IllegalZeroValue, data);
    }
    Ok(())
}

/// `zero`: one or more zeros and nothing else.
pub(super) fn zero(data: &[u8]) -> LintResult {
    if data.is_empty() || data.iter().any(|&byte| byte != b'0') {
        return fail_whole(LintErrorKind::NotZero, data);
    }
    Ok(())
}

/// `nozeroprefix`: digits only, not starting with `0` (the empty string passes).
pub(super) fn no_zero_prefix(data: &[u8]) -> LintResult {
    require_digits(data)?;
    if data.first() == Some(&b'0') {
        return fail(LintErrorKind::IllegalZeroPrefix, 0, 1);
    }
    Ok(())
}

/// Fails with `kind` over the whole of `data` unless it is one of `allowed`.
fn one_of(data: &[u8], allowed: &[&[u8]], kind: LintErrorKind) -> LintResult {
    if !allowed.contains(&data) {
        return fail_whole(kind, data);
    }
    Ok(())
}

/// `yesno`: `0` or `1`.
pub(super) fn yes_no(data: &[u8]) -> LintResult {
    one_of(data, &[b"0", b"1"], LintErrorKind::NotZeroOrOne)
}

/// `winding`: `0` (face out), `1` (face in) or `9` (undetermined).
pub(super) fn winding(data: &[u8]) -> LintResult {
    one_of(
        data,
        &[b"0", b"1", b"9"],
        LintErrorKind::InvalidWindingDirection,
    )
}

/// `iso5218`: `0` (not known), `1` (male), `2` (female) or `9` (not applicable).
pub(super) fn biological_sex(data: &[u8]) -> LintResult {
    one_of(
        data,
        &[b"0", b"1", b"2", b"9"],
        LintErrorKind::InvalidBiologicalSexCode,
    )
}

/// Latitude and longitude are 10 digits each.
const COORDINATE_LENGTH: usize = 10;
/// Latitude is encoded as (degrees + 90) x 10^7.
const LATITUDE_MAX: u64 = 1_800_000_000;
/// Longitude is encoded as (degrees + 180) x 10^7 (modulo 360 degrees).
const LONGITUDE_MAX: u64 = 3_600_000_000;

/// The error kinds of one coordinate linter.
struct CoordinateKinds {
    invalid_length: LintErrorKind,
    out_of_range: LintErrorKind,
}

fn coordinate(data: &[u8], max: u64, kinds: CoordinateKinds) -> LintResult {
    if data.len() != COORDINATE_LENGTH {
        return fail_whole(kinds.invalid_length, data);
    }
    require_digits(data)?;
    if decimal(data) > max {
        return fail_whole(kinds.out_of_range, data);
    }
    Ok(())
}

/// `latitude`: 10 digits, `0000000000` to `1800000000`.
pub(super) fn latitude(data: &[u8]) -> LintResult {
    let kinds = CoordinateKinds {
        invalid_length: LintErrorKind::LatitudeInvalidLength,
        out_of_range: LintErrorKind::InvalidLatitude,
    };
    coordinate(data, LATITUDE_MAX, kinds)
}

/// `longitude`: 10 digits, `0000000000` to `3600000000`.
pub(super) fn longitude(data: &[u8]) -> LintResult {
    let kinds = CoordinateKinds {
        invalid_length: LintErrorKind::LongitudeInvalidLength,
        out_of_range: LintErrorKind::InvalidLongitude,
    };
    coordinate(data, LONGITUDE_MAX, kinds)
}

/// An AIDC media type has two digits.
const MEDIA_TYPE_LENGTH: usize = 2;
/// The assigned AIDC media types (GS1 General Specifications, "AIDC media type values"):
/// 01 to 10 are ICCBBA assignments, 80 to 99 ICCBBA local or national use. The rest is reserved.
const MEDIA_TYPES: [std::ops::RangeInclusive<u64>; 2] = [1..=10, 80..=99];

/// `mediatype`: an assigned AIDC media type.
pub(super) fn media_type(data: &[u8]) -> LintResult {
    let assigned = data.len() == MEDIA_TYPE_LENGTH
        && data.iter().all(u8::is_ascii_digit)
        && MEDIA_TYPES
            .iter()
            .any(|range| range.contains(&decimal(data)));
    if !assigned {
        return fail_whole(LintErrorKind::InvalidMediaType, data);
    }
    Ok(())
}

/// `pieceoftotal`: a piece number and a total of equal length, with 1 <= piece <= total.
pub(super) fn piece_of_total(data: &[u8]) -> LintResult {
    if data.is_empty() || !data.len().is_multiple_of(2) {
        return fail_whole(LintErrorKind::InvalidLengthForPieceOfTotal, data);
    }
    require_digits(data)?;
    let half = data.len() / 2;
    let (piece, total) = data.split_at(half);
    if piece.iter().all(|&digit| digit == b'0') {
        return fail(LintErrorKind::ZeroPieceNumber, 0, half);
    }
    if total.iter().all(|&digit| digit == b'0') {
        return fail(LintErrorKind::ZeroTotalPieces, half, half);
    }
    // Equal-length digit strings compare as numbers when compared as bytes.
    if piece > total {
        return fail_whole(LintErrorKind::PieceNumberExceedsTotal, data);
    }
    Ok(())
}

/// `posinseqslash`: `<pos>/<end>`, both numbers without leading zeros, 1 <= pos <= end.
pub(super) fn position_in_sequence(data: &[u8]) -> LintResult {
    let position_length = data.iter().take_while(|byte| byte.is_ascii_digit()).count();
    let well_formed = position_length > 0
        && position_length + 1 < data.len()
        && data[position_length] == b'/'
        && data[position_length + 1..].iter().all(u8::is_ascii_digit);
    if !well_formed {
        return fail_whole(LintErrorKind::PositionInSequenceMalformed, data);
    }
    let (position, end) = (&data[..position_length], &data[position_length + 1..]);
    if position[0] == b'0' {
        return fail(LintErrorKind::IllegalZeroPrefix, 0, position.len());
    }
    if end[0] == b'0' {
        return fail(
            LintErrorKind::IllegalZeroPrefix,
            position_length + 1,
            end.len(),
        );
    }
    // Without leading zeros the longer number is the larger; equal lengths compare as bytes.
    if (position.len(), position) > (end.len(), end) {
        return fail_whole(LintErrorKind::PositionExceedsEnd, data);
    }
    Ok(())
}
