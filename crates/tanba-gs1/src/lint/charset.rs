//! Character-set linters: `csetnumeric`, `cset82`, `cset39`, `cset64`, `importeridx`,
//! `hasnondigit`, `hyphen` and `pcenc`.

use super::{LintErrorKind, LintResult, fail, fail_whole, require_digits};

/// A set of ASCII characters as a 128-bit membership map (bit `n` set: character `n` is in).
type AsciiSet = u128;

/// Builds an [`AsciiSet`] from its members.
const fn ascii_set(members: &[u8]) -> AsciiSet {
    let mut set: AsciiSet = 0;
    let mut index = 0;
    while index < members.len() {
        assert!(members[index].is_ascii());
        set |= 1 << members[index];
        index += 1;
    }
    set
}

const fn contains(set: AsciiSet, byte: u8) -> bool {
    byte.is_ascii() && (set >> byte) & 1 == 1
}

/// GS1 AI encodable character set 82.
const CSET82: AsciiSet = ascii_set(
    b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
);
/// GS1 AI encodable character set 39.
const CSET39: AsciiSet = ascii_set(b"#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
/// GS1 character set 64: the base64url alphabet (RFC 4648), padding excluded.
const CSET64: AsciiSet =
    ascii_set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
/// The characters permitted as an importer index (AI 7040, fourth character).
const IMPORTER_INDEX: AsciiSet =
    ascii_set(b"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");

const _: () = assert!(CSET82.count_ones() == 82);
const _: () = assert!(CSET39.count_ones() == 39);
const _: () = assert!(CSET64.count_ones() == 64);
const _: () = assert!(IMPORTER_INDEX.count_ones() == 64);

/// The base64 padding character.
const CSET64_PAD: u8 = b'=';
/// At most two padding characters end a base64 string.
const CSET64_PADS_MAX: usize = 2;
/// Padded base64 comes in groups of this many characters.
const CSET64_PADDED_GROUP_LENGTH: usize = 3;

/// The importer index is exactly one character.
const IMPORTER_INDEX_LENGTH: usize = 1;

/// A percent-encoded byte: `%` and two hex digits.
const PERCENT_SEQUENCE_LENGTH: usize = 3;

/// Fails with `kind` at the first byte of `data` outside `set`.
fn require_set(data: &[u8], set: AsciiSet, kind: LintErrorKind) -> LintResult {
    match data.iter().position(|&byte| !contains(set, byte)) {
        Some(position) => fail(kind, position, 1),
        None => Ok(()),
    }
}

/// `csetnumeric`: digits only.
pub(super) fn numeric(data: &[u8]) -> LintResult {
    require_digits(data)
}

/// `cset82`: GS1 character set 82 only.
/// Whether `byte` is in GS1 AI encodable character set 82 (the set of serials, AI 21).
pub fn is_cset82(byte: u8) -> bool {
    contains(CSET82, byte)
}

pub(super) fn cset82(data: &[u8]) -> LintResult {
    require_set(data, CSET82, LintErrorKind::InvalidCset82Character)
}

/// `cset39`: GS1 character set 39 only.
pub(super) fn cset39(data: &[u8]) -> LintResult {
    require_set(data, CSET39, LintErrorKind::InvalidCset39Character)
}

/// `cset64`: base64url, with optional `=` padding to a multiple of three characters.
pub(super) fn cset64(data: &[u8]) -> LintResult {
    let pads = data
        .iter()
        .rev()
        .take_while(|&&byte| byte == CSET64_PAD)
        .count();
    let unpadded_length = data.len() - pads;
    if pads > CSET64_PADS_MAX
        || (pads > 0 && !data.len().is_multiple_of(CSET64_PADDED_GROUP_LENGTH))
    {
        return fail(LintErrorKind::InvalidCset64Padding, unpadded_length, pads);
    }
    require_set(
        &data[..unpadded_length],
        CSET64,
        LintErrorKind::InvalidCset64Character,
    )
}

/// `importeridx`: exactly one character from `-`, `0-9`, `A-Z`, `_`, `a-z`.
pub(super) fn importer_index(data: &[u8]) -> LintResult {
    match data {
        [byte] if contains(IMPORTER_INDEX, *byte) => Ok(()),
        [_] => fail(
            LintErrorKind::InvalidImportIdxCharacter,
            0,
            IMPORTER_INDEX_LENGTH,
        ),
        _ => fail_whole(LintErrorKind::ImporterIdxMustBeOneCharacter, data),
    }
}

/// `hasnondigit`: at least one character that is not a digit.
pub(super) fn has_non_digit(data: &[u8]) -> LintResult {
    if data.iter().all(u8::is_ascii_digit) {
        return fail_whole(LintErrorKind::RequiresNonDigitCharacter, data);
    }
    Ok(())
}

/// `hyphen`: one or more hyphens and nothing else.
pub(super) fn hyphens(data: &[u8]) -> LintResult {
    if data.is_empty() || data.iter().any(|&byte| byte != b'-') {
        return fail_whole(LintErrorKind::NotHyphen, data);
    }
    Ok(())
}

/// `pcenc`: every `%` starts a `%hh` sequence of two hex digits.
pub(super) fn percent_encoding(data: &[u8]) -> LintResult {
    let mut position = 0;
    while let Some(offset) = data[position..].iter().position(|&byte| byte == b'%') {
        let start = position + offset;
        let sequence = &data[start..];
        if sequence.len() < PERCENT_SEQUENCE_LENGTH {
            return fail(LintErrorKind::InvalidPercentSequence, start, sequence.len());
        }
        if !(sequence[1].is_ascii_hexdigit() && sequence[2].is_ascii_hexdigit()) {
            return fail(
                LintErrorKind::InvalidPercentSequence,
                start,
                PERCENT_SEQUENCE_LENGTH,
            );
        }
        position = start + PERCENT_SEQUENCE_LENGTH;
    }
    Ok(())
}
