//! EPC URIs, EPC class URIs and EPC pattern URIs (EPC Tag Data Standard) to canonical Digital
//! Link URIs, one function per scheme, each accepting exactly what the reference's pattern for
//! that scheme accepts and cutting the parts where the reference cuts them.
//!
//! A company prefix is 6 to 12 digits; with its reference it makes a fixed number of digits
//! (13 for a GTIN, 12 for a GLN, 17 for an SSCC, ...). Serials and other free parts are GS1's
//! character set 82 with `%` escapes, counted in characters (an escape is one), up to the AI's
//! length; CPI references use GS1's character set 39. Where the prefix is 12 digits and the
//! reference empty, GRAI and GDTI (and the GRAI, GDTI and SGCN patterns) want one dot more than
//! the Tag Data Standard writes: the reference's patterns do, so this does too.

use super::{CANONICAL_STEM, digit_run, escape_for_digital_link, is_digits};

/// How every URI this module reads starts.
pub(super) const EPC_URI_START: &str = "urn:epc:";

/// Shortest GS1 company prefix in an EPC URI.
const COMPANY_PREFIX_DIGITS_MIN: usize = 6;
/// Longest GS1 company prefix in an EPC URI.
const COMPANY_PREFIX_DIGITS_MAX: usize = 12;
/// Digits of a GTIN without its check digit (indicator, company prefix and item reference).
const GTIN_PAYLOAD_DIGITS: usize = 13;
/// Digits of a GLN, GRAI, GDTI or SGCN key without its check digit (no indicator).
const GLN_PAYLOAD_DIGITS: usize = 12;
/// Digits of an SSCC, GSRN or GSRN-P without its check digit.
const SSCC_PAYLOAD_DIGITS: usize = 17;
/// Digits of a GSIN without its check digit.
const GSIN_PAYLOAD_DIGITS: usize = 16;
/// Most characters of a serial (AI 21), a lot (AI 10), a GLN extension (AI 254) or a GDTI
/// serial as the reference counts it.
const SERIAL_CHARACTERS_MAX: usize = 20;
/// Most characters of a GRAI serial.
const GRAI_SERIAL_CHARACTERS_MAX: usize = 16;
/// Most characters of a UPUI's third-party controlled serial (AI 235).
const UPUI_SERIAL_CHARACTERS_MAX: usize = 28;
/// Most characters of a GIAI, GINC or CPI, company prefix included.
const KEY_CHARACTERS_MAX: usize = 30;
/// Most digits of a CPI or SGCN serial.
const NUMERIC_SERIAL_DIGITS_MAX: usize = 12;
/// Digits of an ITIP's piece number, and of its total.
const ITIP_PIECE_DIGITS: usize = 2;

type Converter = fn(&str) -> Option<String>;

/// Every scheme, by how its URI starts.
const SCHEMES: &[(&str, Converter)] = &[
    ("urn:epc:id:sgtin:", sgtin),
    ("urn:epc:id:sscc:", sscc),
    ("urn:epc:id:sgln:", sgln),
    ("urn:epc:id:grai:", grai),
    ("urn:epc:id:giai:", giai),
    ("urn:epc:id:gsrn:", gsrn),
    ("urn:epc:id:gsrnp:", gsrnp),
    ("urn:epc:id:gdti:", gdti),
    ("urn:epc:id:cpi:", cpi),
    ("urn:epc:id:sgcn:", sgcn),
    ("urn:epc:id:ginc:", ginc),
    ("urn:epc:id:gsin:", gsin),
    ("urn:epc:id:itip:", itip),
    ("urn:epc:id:upui:", upui),
    ("urn:epc:id:pgln:", pgln),
    ("urn:epc:class:lgtin:", lgtin),
    ("urn:epc:idpat:sgtin:", sgtin_pattern),
    ("urn:epc:idpat:grai:", grai_pattern),
    ("urn:epc:idpat:gdti:", gdti_pattern),
    ("urn:epc:idpat:sgcn:", sgcn_pattern),
    ("urn:epc:idpat:cpi:", cpi_pattern),
    ("urn:epc:idpat:itip:", itip_pattern),
    ("urn:epc:idpat:upui:", upui_pattern),
];

/// The canonical Digital Link URI of an EPC URI, class URI or pattern URI; `None` if `uri`
/// matches no scheme's syntax.
pub(super) fn to_digital_link(uri: &str) -> Option<String> {
    if !uri.is_ascii() {
        return None;
    }
    SCHEMES
        .iter()
        .find_map(|(start, convert)| uri.strip_prefix(start).and_then(convert))
}

/// How a scheme writes a 12-digit company prefix with an empty reference.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EmptyReference {
    /// Never empty (the scheme's keys are longer than any prefix).
    Impossible,
    /// `123456789012.` (the Tag Data Standard's form).
    OneDot,
    /// `123456789012..` (the reference's GRAI, GDTI and SGCN-pattern form).
    TwoDots,
}

/// The `prefix.reference` part at the start of a scheme's URI.
struct CompanyPart<'a> {
    prefix: &'a str,
    reference: &'a str,
    /// Bytes the part takes, dots included.
    length: usize,
}

/// Reads `prefix.reference` (digits making `digits_total`) at the start of `text`.
fn company_part(
    text: &str,
    digits_total: usize,
    empty_reference: EmptyReference,
) -> Option<CompanyPart<'_>> {
    let prefix_digits = digit_run(text);
    if !(COMPANY_PREFIX_DIGITS_MIN..=COMPANY_PREFIX_DIGITS_MAX).contains(&prefix_digits)
        || text.as_bytes().get(prefix_digits) != Some(&b'.')
    {
        return None;
    }
    let prefix = &text[..prefix_digits];
    let reference_digits = digits_total.checked_sub(prefix_digits)?;
    if reference_digits == 0 {
        let length = match empty_reference {
            EmptyReference::Impossible => return None,
            EmptyReference::OneDot => prefix_digits + 1,
            EmptyReference::TwoDots => prefix_digits + 2,
        };
        let dots_present = text
            .get(prefix_digits..length)?
            .bytes()
            .all(|byte| byte == b'.');
        return dots_present.then_some(CompanyPart {
            prefix,
            reference: "",
            length,
        });
    }
    let start = prefix_digits + 1;
    let reference = text.get(start..start + reference_digits)?;
    is_digits(reference, reference_digits).then_some(CompanyPart {
        prefix,
        reference,
        length: start + reference_digits,
    })
}

/// `digits` with their GS1 check digit appended.
fn with_check_digit(digits: &str) -> Option<String> {
    let check = tanba_gs1::check_digit::compute(digits)?;
    Some(format!("{digits}{check}"))
}

/// The GTIN-14 of an SGTIN-style company part: the reference's first digit is the indicator.
fn gtin(part: &CompanyPart<'_>) -> Option<String> {
    let (indicator, item) = part.reference.split_at_checked(1)?;
    with_check_digit(&format!("{indicator}{}{item}", part.prefix))
}

/// A key without indicator: company prefix, reference, check digit.
fn key(part: &CompanyPart<'_>) -> Option<String> {
    with_check_digit(&format!("{}{}", part.prefix, part.reference))
}

/// Characters of `text` in GS1's character set 82 (an allowed `%` escape counts as one), or
/// `None` if any is outside it.
fn cset82_characters(text: &str) -> Option<usize> {
    escaped_characters(text, is_cset82_plain, is_cset82_escape)
}

/// Characters of `text` in the CPI character set (GS1's set 39 with escapes).
fn cpi_characters(text: &str) -> Option<usize> {
    escaped_characters(text, is_cpi_plain, is_cpi_escape)
}

fn escaped_characters(
    text: &str,
    is_plain: fn(u8) -> bool,
    is_escape: fn(u8, u8) -> bool,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut index, mut characters) = (0, 0);
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let (high, low) = (*bytes.get(index + 1)?, *bytes.get(index + 2)?);
            if !is_escape(high, low) {
                return None;
            }
            index += 3;
        } else if is_plain(bytes[index]) {
            index += 1;
        } else {
            return None;
        }
        characters += 1;
    }
    Some(characters)
}

fn is_cset82_plain(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!')(*+,.:;=_-".contains(&byte)
}

/// The escapes the reference's patterns allow: `%21`, `%22`, `%25`-`%2F`, `%30`-`%3F`,
/// `%41`-`%4F`, `%50`-`%59`, `%5A`, `%5F`, `%61`-`%6F` and `%70`-`%7A` (some of which need no
/// escape at all).
fn is_cset82_escape(high: u8, low: u8) -> bool {
    let hex = low.is_ascii_hexdigit();
    match high {
        b'2' => hex && !b"034".contains(&low),
        b'3' => hex,
        b'4' | b'6' => hex && low != b'0',
        b'5' => low.is_ascii_digit() || b"AaFf".contains(&low),
        b'7' => low.is_ascii_digit() || b"Aa".contains(&low),
        _ => false,
    }
}

fn is_cpi_plain(byte: u8) -> bool {
    byte.is_ascii_digit() || byte.is_ascii_uppercase() || byte == b'-'
}

fn is_cpi_escape(high: u8, low: u8) -> bool {
    match high {
        b'2' => b"3dfDF".contains(&low),
        b'3' => low.is_ascii_digit(),
        b'4' => low != b'0' && (low.is_ascii_digit() || b"ABCDEFabcdef".contains(&low)),
        b'5' => low.is_ascii_digit() || b"Aa".contains(&low),
        _ => false,
    }
}

/// Whether `text` has between one and `maximum` characters of set 82.
fn is_cset82_text(text: &str, maximum: usize) -> bool {
    cset82_characters(text).is_some_and(|characters| (1..=maximum).contains(&characters))
}

fn link(path: &str) -> String {
    format!("{CANONICAL_STEM}/{path}")
}

fn sgtin(rest: &str) -> Option<String> {
    let part = company_part(rest, GTIN_PAYLOAD_DIGITS, EmptyReference::Impossible)?;
    let serial = rest[part.length..].strip_prefix('.')?;
    is_cset82_text(serial, SERIAL_CHARACTERS_MAX).then_some(())?;
    let serial = escape_for_digital_link(serial);
    Some(link(&format!("01/{}/21/{serial}", gtin(&part)?)))
}

fn sscc(rest: &str) -> Option<String> {
    let part = company_part(rest, SSCC_PAYLOAD_DIGITS, EmptyReference::Impossible)?;
    (part.length == rest.len()).then_some(())?;
    let (extension, serial) = part.reference.split_at_checked(1)?;
    let sscc = with_check_digit(&format!("{extension}{}{serial}", part.prefix))?;
    Some(link(&format!("00/{sscc}")))
}

fn sgln(rest: &str) -> Option<String> {
    let part = company_part(rest, GLN_PAYLOAD_DIGITS, EmptyReference::OneDot)?;
    let extension = rest[part.length..].strip_prefix('.')?;
    is_cset82_text(extension, SERIAL_CHARACTERS_MAX).then_some(())?;
    let gln = key(&part)?;
    if extension == "0" {
        return Some(link(&format!("414/{gln}")));
    }
    Some(link(&format!(
        "414/{gln}/254/{}",
        escape_for_digital_link(extension)
    )))
}

/// Where the reference cuts a GRAI's, GDTI's and SGCN's serial: 14 bytes after the scheme
/// (13 digits and a dot, in the usual form).
const SERIAL_OFFSET: usize = GLN_PAYLOAD_DIGITS + 2;

fn grai(rest: &str) -> Option<String> {
    let part = company_part(rest, GLN_PAYLOAD_DIGITS, EmptyReference::TwoDots)?;
    let serial = rest[part.length..].strip_prefix('.')?;
    is_cset82_text(serial, GRAI_SERIAL_CHARACTERS_MAX).then_some(())?;
    let grai = with_check_digit(&format!("0{}{}", part.prefix, part.reference))?;
    let serial = escape_for_digital_link(rest.get(SERIAL_OFFSET..)?);
    Some(link(&format!("8003/{grai}{serial}")))
}

fn giai(rest: &str) -> Option<String> {
    free_key(rest).map(|(prefix, reference)| link(&format!("8004/{prefix}{reference}")))
}

fn ginc(rest: &str) -> Option<String> {
    free_key(rest).map(|(prefix, reference)| link(&format!("401/{prefix}{reference}")))
}

/// A GIAI's or GINC's company prefix and its escaped reference (set 82, the whole key at most
/// [`KEY_CHARACTERS_MAX`] characters).
fn free_key(rest: &str) -> Option<(&str, String)> {
    let prefix_digits = digit_run(rest);
    if !(COMPANY_PREFIX_DIGITS_MIN..=COMPANY_PREFIX_DIGITS_MAX).contains(&prefix_digits) {
        return None;
    }
    let reference = rest[prefix_digits..].strip_prefix('.')?;
    is_cset82_text(reference, KEY_CHARACTERS_MAX - prefix_digits).then_some(())?;
    Some((&rest[..prefix_digits], escape_for_digital_link(reference)))
}

fn gsrn(rest: &str) -> Option<String> {
    whole_key(rest, SSCC_PAYLOAD_DIGITS, "8018")
}

fn gsrnp(rest: &str) -> Option<String> {
    whole_key(rest, SSCC_PAYLOAD_DIGITS, "8017")
}

fn gsin(rest: &str) -> Option<String> {
    whole_key(rest, GSIN_PAYLOAD_DIGITS, "402")
}

fn pgln(rest: &str) -> Option<String> {
    whole_key(rest, GLN_PAYLOAD_DIGITS, "417")
}

/// A key that is the whole URI: company prefix, reference, check digit.
fn whole_key(rest: &str, digits: usize, ai: &str) -> Option<String> {
    let part = company_part(rest, digits, EmptyReference::OneDot)?;
    (part.length == rest.len()).then_some(())?;
    Some(link(&format!("{ai}/{}", key(&part)?)))
}

fn gdti(rest: &str) -> Option<String> {
    let part = company_part(rest, GLN_PAYLOAD_DIGITS, EmptyReference::TwoDots)?;
    // The reference's pattern has no dot between document type and serial: the dot is taken
    // as the serial's first character, and the serial cut at a fixed place.
    is_cset82_text(&rest[part.length..], SERIAL_CHARACTERS_MAX).then_some(())?;
    let serial = escape_for_digital_link(rest.get(SERIAL_OFFSET..)?);
    Some(link(&format!("253/{}{serial}", key(&part)?)))
}

fn cpi(rest: &str) -> Option<String> {
    let (prefix, after) = cpi_prefix(rest)?;
    let (reference, serial) = after.split_once('.')?;
    let serial_digits = digit_run(serial);
    if serial_digits != serial.len() || !(1..=NUMERIC_SERIAL_DIGITS_MAX).contains(&serial_digits) {
        return None;
    }
    cpi_reference(prefix, reference).map(|cpi| link(&format!("8010/{cpi}/8011/{serial}")))
}

/// A CPI's company prefix and what follows its dot.
fn cpi_prefix(rest: &str) -> Option<(&str, &str)> {
    let prefix_digits = digit_run(rest);
    if !(COMPANY_PREFIX_DIGITS_MIN..=COMPANY_PREFIX_DIGITS_MAX).contains(&prefix_digits) {
        return None;
    }
    Some((
        &rest[..prefix_digits],
        rest[prefix_digits..].strip_prefix('.')?,
    ))
}

/// The escaped CPI (prefix and component/part reference) if the reference is valid.
fn cpi_reference(prefix: &str, reference: &str) -> Option<String> {
    let characters = cpi_characters(reference)?;
    (1..=KEY_CHARACTERS_MAX - prefix.len())
        .contains(&characters)
        .then(|| escape_for_digital_link(&format!("{prefix}{reference}")))
}

fn sgcn(rest: &str) -> Option<String> {
    let part = company_part(rest, GLN_PAYLOAD_DIGITS, EmptyReference::OneDot)?;
    let serial = rest[part.length..].strip_prefix('.')?;
    let serial_digits = digit_run(serial);
    if serial_digits != serial.len() || !(1..=NUMERIC_SERIAL_DIGITS_MAX).contains(&serial_digits) {
        return None;
    }
    Some(link(&format!(
        "255/{}{}",
        key(&part)?,
        rest.get(SERIAL_OFFSET..)?
    )))
}

/// An ITIP's company part, piece and total (`.01.02`), and the rest after them.
fn itip_parts(rest: &str) -> Option<(CompanyPart<'_>, &str, &str, &str)> {
    let part = company_part(rest, GTIN_PAYLOAD_DIGITS, EmptyReference::Impossible)?;
    let after = rest[part.length..].strip_prefix('.')?;
    let piece = after.get(..ITIP_PIECE_DIGITS)?;
    let after = after[ITIP_PIECE_DIGITS..].strip_prefix('.')?;
    let total = after.get(..ITIP_PIECE_DIGITS)?;
    let after = &after[ITIP_PIECE_DIGITS..];
    let digits = is_digits(piece, ITIP_PIECE_DIGITS) && is_digits(total, ITIP_PIECE_DIGITS);
    digits.then_some((part, piece, total, after))
}

fn itip(rest: &str) -> Option<String> {
    let (part, piece, total, after) = itip_parts(rest)?;
    let serial = after.strip_prefix('.')?;
    is_cset82_text(serial, SERIAL_CHARACTERS_MAX).then_some(())?;
    let serial = escape_for_digital_link(serial);
    Some(link(&format!(
        "8006/{}{piece}{total}/21/{serial}",
        gtin(&part)?
    )))
}

fn upui(rest: &str) -> Option<String> {
    let part = company_part(rest, GTIN_PAYLOAD_DIGITS, EmptyReference::Impossible)?;
    let serial = rest[part.length..].strip_prefix('.')?;
    is_cset82_text(serial, UPUI_SERIAL_CHARACTERS_MAX).then_some(())?;
    let serial = escape_for_digital_link(serial);
    Some(link(&format!("01/{}/235/{serial}", gtin(&part)?)))
}

fn lgtin(rest: &str) -> Option<String> {
    let part = company_part(rest, GTIN_PAYLOAD_DIGITS, EmptyReference::Impossible)?;
    let lot = rest[part.length..].strip_prefix('.')?;
    is_cset82_text(lot, SERIAL_CHARACTERS_MAX).then_some(())?;
    Some(link(&format!(
        "01/{}/10/{}",
        gtin(&part)?,
        escape_for_digital_link(lot)
    )))
}

/// What ends every pattern URI: any serial.
const ANY_SERIAL: &str = ".*";

/// A pattern's company part, if the URI ends right after it with `.*`.
fn pattern_part(
    rest: &str,
    digits: usize,
    empty_reference: EmptyReference,
) -> Option<CompanyPart<'_>> {
    let part = company_part(rest, digits, empty_reference)?;
    (&rest[part.length..] == ANY_SERIAL).then_some(part)
}

fn sgtin_pattern(rest: &str) -> Option<String> {
    let part = pattern_part(rest, GTIN_PAYLOAD_DIGITS, EmptyReference::Impossible)?;
    Some(link(&format!("01/{}", gtin(&part)?)))
}

fn upui_pattern(rest: &str) -> Option<String> {
    sgtin_pattern(rest)
}

fn grai_pattern(rest: &str) -> Option<String> {
    let part = pattern_part(rest, GLN_PAYLOAD_DIGITS, EmptyReference::TwoDots)?;
    let grai = with_check_digit(&format!("0{}{}", part.prefix, part.reference))?;
    Some(link(&format!("8003/{grai}")))
}

fn gdti_pattern(rest: &str) -> Option<String> {
    let part = pattern_part(rest, GLN_PAYLOAD_DIGITS, EmptyReference::TwoDots)?;
    Some(link(&format!("253/{}", key(&part)?)))
}

fn sgcn_pattern(rest: &str) -> Option<String> {
    let part = pattern_part(rest, GLN_PAYLOAD_DIGITS, EmptyReference::TwoDots)?;
    Some(link(&format!("255/{}", key(&part)?)))
}

fn cpi_pattern(rest: &str) -> Option<String> {
    let (prefix, after) = cpi_prefix(rest)?;
    let reference = after.strip_suffix(ANY_SERIAL)?;
    cpi_reference(prefix, reference).map(|cpi| link(&format!("8010/{cpi}")))
}

fn itip_pattern(rest: &str) -> Option<String> {
    let (part, piece, total, after) = itip_parts(rest)?;
    (after == ANY_SERIAL).then_some(())?;
    Some(link(&format!("8006/{}{piece}{total}", gtin(&part)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_part_takes_the_digits_the_scheme_needs() {
        let part = company_part("4012345.011111.9", 13, EmptyReference::Impossible).unwrap();
        assert_eq!(
            (part.prefix, part.reference, part.length),
            ("4012345", "011111", 14)
        );
        assert!(company_part("4012345.01111.9", 13, EmptyReference::Impossible).is_none());
        assert!(company_part("12345.0111111.9", 13, EmptyReference::Impossible).is_none());
        let part = company_part("123456789012..5", 12, EmptyReference::TwoDots).unwrap();
        assert_eq!((part.reference, part.length), ("", 14));
        assert!(company_part("123456789012.5", 12, EmptyReference::TwoDots).is_none());
    }

    #[test]
    fn counts_escapes_as_one_character() {
        assert_eq!(cset82_characters("98%22"), Some(3));
        assert_eq!(cset82_characters("a%20"), None, "a space is not in set 82");
        assert_eq!(cset82_characters("a%2"), None);
        assert_eq!(cset82_characters("a\"b"), None);
        assert_eq!(cpi_characters("11-A%23%2F"), Some(6));
        assert_eq!(cpi_characters("ab"), None);
    }

    #[test]
    fn twelve_digit_prefix_grai_needs_the_references_extra_dot() {
        assert!(to_digital_link("urn:epc:id:grai:123456789012..5").is_none());
        assert_eq!(
            to_digital_link("urn:epc:id:grai:123456789012...5").unwrap(),
            "https://id.gs1.org/8003/01234567890128.5"
        );
    }

    #[test]
    fn rejects_non_ascii_and_unknown_schemes() {
        assert!(to_digital_link("urn:epc:id:sgtin:4012345.011111.9é").is_none());
        assert!(to_digital_link("urn:epc:id:usdod:CAGE1.5678").is_none());
    }
}
