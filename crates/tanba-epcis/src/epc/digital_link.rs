//! GS1 Digital Link URIs to the constrained canonical form the event hash wants, step by step
//! as the reference does it: drop the query string, write short key names as AI numbers, move
//! the path onto `https://id.gs1.org`, pad a GTIN to 14 digits, drop a CPV (AI 22), drop a lot
//! when a serial is there, and keep the result only if it is one of the forms CBV 2.0 lists
//! (`00`, `01`, `01/21`, `01/10`, `01/235`, `253`, `255`, `401`, `402`, `414`, `414/254`, `417`,
//! `8003`, `8004`, `8006`, `8006/21`, `8006/10`, `8010`, `8010/8011`, `8017`, `8018`).
//!
//! Departures from GS1's Digital Link syntax, kept because the reference has them: values are
//! checked against a plain character set without `%` (an escaped value is no canonical form),
//! `id.gs1.org` is matched with its dots as wildcards, and a key found anywhere in the path wins
//! by the order of [`REBASE_ORDER`], not by its position.

use super::{CANONICAL_STEM, digit_run, is_digits};

/// Key names the reference recognises in a path: AI numbers and their short names.
const PATH_KEYS: &[&str] = &[
    "01", "gtin", "8006", "itip", "8010", "cpid", "414", "gln", "417", "party", "8017", "gsrnp",
    "8018", "gsrn", "255", "gcn", "00", "sscc", "253", "gdti", "401", "ginc", "402", "gsin",
    "8003", "grai", "8004", "giai",
];

/// Short names and their AIs, replaced in this order (each everywhere in the URI).
const SHORT_NAMES: &[(&str, &str)] = &[
    ("/gtin/", "/01/"),
    ("/itip/", "/8006/"),
    ("/cpid/", "/8010/"),
    ("/gln/", "/414/"),
    ("/party/", "/417/"),
    ("/gsrnp/", "/8017/"),
    ("/gsrn/", "/8018/"),
    ("/gcn/", "/255/"),
    ("/sscc/", "/00/"),
    ("/gdti/", "/253/"),
    ("/ginc/", "/401/"),
    ("/gsin/", "/402/"),
    ("/grai/", "/8003/"),
    ("/giai/", "/8004/"),
    ("/cpv/", "/22/"),
    ("/lot/", "/10/"),
    ("/ser/", "/21/"),
];

/// Keys a URI already on the canonical host may start with to be left where it is.
const CANONICAL_KEYS: &[&str] = &[
    "01", "8006", "8010", "414", "417", "8017", "8018", "255", "00", "253", "401", "402", "8003",
    "8004",
];

/// The keys looked for, in this order, to move a URI onto the canonical host.
const REBASE_ORDER: &[&str] = &[
    "00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006", "8010", "8017",
    "8018",
];

/// Digits a key value must start with for the reference to see a key.
const KEY_VALUE_DIGITS_MIN: usize = 4;
/// Letters of the reference's compressed-URI alternative (`/` and ten letters).
const COMPRESSED_LETTERS: usize = 10;
/// Digits of a GTIN-14, an ITIP and the other fixed keys.
const GTIN_DIGITS: usize = 14;
const ITIP_DIGITS: usize = 18;
const SSCC_DIGITS: usize = 18;
const GLN_DIGITS: usize = 13;
const GSIN_DIGITS: usize = 17;
/// GTIN lengths padded to 14 digits (GTIN-13, GTIN-12, and GTIN-8 up to 11 digits).
const GTIN13_DIGITS: usize = 13;
const GTIN12_DIGITS: usize = 12;
const GTIN8_DIGITS: usize = 8;
/// Longest value of a serial, lot, CPV or GLN extension.
const VALUE_CHARACTERS_MAX: usize = 20;
/// Longest AI 235 value.
const TPX_CHARACTERS_MAX: usize = 28;
/// Longest GDTI or GRAI serial after the key's digits.
const GDTI_SERIAL_CHARACTERS_MAX: usize = 17;
const GRAI_SERIAL_CHARACTERS_MAX: usize = 16;
/// Longest GCN serial, CPI serial.
const NUMERIC_SERIAL_DIGITS_MAX: usize = 12;
/// Longest GINC, GIAI or CPI.
const KEY_CHARACTERS_MAX: usize = 30;

/// Whether `uri` passes the reference's first test: `http:` or `https:`, and a path holding a
/// key name followed by at least four digits and one more character (before any `?` or `#`),
/// or a compressed-looking path.
pub(super) fn has_gs1_key(uri: &str) -> bool {
    let Some(rest) = uri
        .strip_prefix("https:")
        .or_else(|| uri.strip_prefix("http:"))
    else {
        return false;
    };
    let before_query = rest.find(['?', '#']).map_or(rest, |end| &rest[..end]);
    let keyed = before_query.match_indices('/').any(|(slash, _)| {
        let after = &rest[slash + 1..];
        PATH_KEYS.iter().any(|key| {
            after
                .strip_prefix(key)
                .and_then(|value| value.strip_prefix('/'))
                .is_some_and(starts_like_a_key_value)
        })
    });
    keyed || is_compressed_looking(rest)
}

/// At least four digits and then one more character that is not `/`.
fn starts_like_a_key_value(value: &str) -> bool {
    digit_run(value) >= KEY_VALUE_DIGITS_MIN
        && value[KEY_VALUE_DIGITS_MIN..]
            .chars()
            .next()
            .is_some_and(|next| next != '/')
}

/// `/` and ten letters to the end, after an optional `//authority`.
fn is_compressed_looking(rest: &str) -> bool {
    let path = match rest.strip_prefix("//") {
        Some(authority_and_path) => match authority_and_path.find(['/', '?', '#']) {
            Some(end) => &authority_and_path[end..],
            None => return false,
        },
        None => rest,
    };
    path.strip_prefix('/').is_some_and(|letters| {
        letters.len() == COMPRESSED_LETTERS
            && letters
                .bytes()
                .all(|byte| byte.is_ascii_alphabetic() || b"_-".contains(&byte))
    })
}

/// The constrained canonical form of a URI that passed [`has_gs1_key`], if it has one.
pub(super) fn constrain(uri: &str) -> Option<String> {
    let mut uri = uri.find('?').map_or(uri, |end| &uri[..end]).to_owned();
    for (short, ai) in SHORT_NAMES {
        uri = uri.replace(short, ai);
    }
    let uri = pad_gtin(rebase(uri));
    let uri = drop_lot(drop_cpv(uri));
    is_constrained(&uri).then_some(uri)
}

/// What follows `https://id.gs1.org` in `uri`, the dots of the host matching any character as
/// in the reference's patterns.
fn after_canonical_stem(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("https://id")?;
    let rest = skip_any_character(rest)?.strip_prefix("gs1")?;
    skip_any_character(rest)?.strip_prefix("org")
}

fn skip_any_character(text: &str) -> Option<&str> {
    let mut characters = text.chars();
    characters.next().filter(|&character| character != '\n')?;
    Some(characters.as_str())
}

/// The URI on the canonical host: left alone if it already starts with a key there, else
/// everything before the first key found (in [`REBASE_ORDER`]) replaced by the host.
fn rebase(uri: String) -> String {
    let canonical = after_canonical_stem(&uri).is_some_and(|path| {
        CANONICAL_KEYS.iter().any(|key| {
            path.strip_prefix('/')
                .and_then(|path| path.strip_prefix(key))
                .and_then(|value| value.strip_prefix('/'))
                .is_some_and(starts_like_a_key_value)
        })
    });
    if canonical {
        return uri;
    }
    for key in REBASE_ORDER {
        if let Some(start) = uri.find(&format!("/{key}/")) {
            return format!("{CANONICAL_STEM}{}", &uri[start..]);
        }
    }
    uri
}

/// A GTIN of 13, 12 or 8 to 11 digits padded with zeros (at every `/01/` in the URI, as the
/// reference replaces).
fn pad_gtin(uri: String) -> String {
    let Some(digits) = after_canonical_stem(&uri)
        .and_then(|path| path.strip_prefix("/01/"))
        .map(digit_run)
    else {
        return uri;
    };
    let padding = match digits {
        GTIN13_DIGITS => "0",
        GTIN12_DIGITS => "00",
        GTIN8_DIGITS..GTIN12_DIGITS => "000000",
        _ => return uri,
    };
    uri.replace("/01/", &format!("/01/{padding}"))
}

/// A GTIN-14 or ITIP key at the start of `path` (`/01/...` or `/8006/...`), and what follows.
fn item_key(path: &str) -> Option<&str> {
    let (value, digits) = if let Some(value) = path.strip_prefix("/01/") {
        (value, GTIN_DIGITS)
    } else {
        (path.strip_prefix("/8006/")?, ITIP_DIGITS)
    };
    is_digits(value.get(..digits)?, digits).then(|| &value[digits..])
}

/// Drops a CPV (AI 22) after a GTIN or ITIP, keeping what follows it (up to 20 characters in
/// all after `/22/`, as the reference's pattern allows).
fn drop_cpv(uri: String) -> String {
    let Some(after) = after_canonical_stem(&uri).and_then(item_key) else {
        return uri;
    };
    let Some(cpv_and_rest) = after.strip_prefix("/22/") else {
        return uri;
    };
    let fits = cpv_and_rest.chars().count() <= VALUE_CHARACTERS_MAX
        && cpv_and_rest
            .bytes()
            .all(|byte| byte == b'/' || is_value_byte(byte));
    match (fits, uri.find("/22/")) {
        (true, Some(cpv_start)) => {
            let kept = cpv_and_rest
                .find('/')
                .map_or("", |slash| &cpv_and_rest[slash..]);
            format!("{}{kept}", &uri[..cpv_start])
        }
        _ => uri,
    }
}

/// Drops a lot (AI 10) followed by a serial (AI 21) after a GTIN or ITIP.
fn drop_lot(uri: String) -> String {
    let Some(after) = after_canonical_stem(&uri).and_then(item_key) else {
        return uri;
    };
    let Some((lot, serial)) = after
        .strip_prefix("/10/")
        .and_then(|rest| rest.split_once("/21/"))
    else {
        return uri;
    };
    if !is_value(lot, VALUE_CHARACTERS_MAX) || !is_value(serial, VALUE_CHARACTERS_MAX) {
        return uri;
    }
    match uri.find("/10/") {
        Some(lot_start) => format!("{}/21/{serial}", &uri[..lot_start]),
        None => uri,
    }
}

/// The reference's value characters: `"'-.`, digits, `;<=>?`, letters and `_` (no `%`, no `/`).
fn is_value_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"\"'-.;<=>?_".contains(&byte)
}

/// At most `maximum` value characters (none is fine).
fn is_value(text: &str, maximum: usize) -> bool {
    text.len() <= maximum && text.bytes().all(is_value_byte)
}

/// The CPI characters: `#`, `-`, `/`, digits and capitals.
fn is_cpi_value(text: &str) -> bool {
    text.len() <= KEY_CHARACTERS_MAX
        && text.bytes().all(|byte| {
            byte.is_ascii_digit() || byte.is_ascii_uppercase() || b"#-/".contains(&byte)
        })
}

/// `digits` digits and then nothing, or a qualifier `/{ai}/` with a value of at most `maximum`.
fn is_key_then(path: &str, digits: usize, qualifier: Option<(&str, usize)>) -> bool {
    let Some(rest) = path
        .get(digits..)
        .filter(|_| is_digits(&path[..digits], digits))
    else {
        return false;
    };
    match qualifier {
        None => rest.is_empty(),
        Some((ai, maximum)) => rest
            .strip_prefix('/')
            .and_then(|rest| rest.strip_prefix(ai))
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|value| is_value(value, maximum)),
    }
}

/// Whether `uri` is one of the constrained canonical forms.
fn is_constrained(uri: &str) -> bool {
    let Some(path) = after_canonical_stem(uri) else {
        return false;
    };
    let Some((ai, value)) = path.strip_prefix('/').and_then(|path| path.split_once('/')) else {
        return false;
    };
    match ai {
        "00" => is_key_then(value, SSCC_DIGITS, None),
        "01" => [
            None,
            Some(("21", VALUE_CHARACTERS_MAX)),
            Some(("10", VALUE_CHARACTERS_MAX)),
        ]
        .into_iter()
        .chain([Some(("235", TPX_CHARACTERS_MAX))])
        .any(|qualifier| is_key_then(value, GTIN_DIGITS, qualifier)),
        "8006" => [
            None,
            Some(("21", VALUE_CHARACTERS_MAX)),
            Some(("10", VALUE_CHARACTERS_MAX)),
        ]
        .into_iter()
        .any(|qualifier| is_key_then(value, ITIP_DIGITS, qualifier)),
        "414" => [None, Some(("254", VALUE_CHARACTERS_MAX))]
            .into_iter()
            .any(|qualifier| is_key_then(value, GLN_DIGITS, qualifier)),
        "417" => is_key_then(value, GLN_DIGITS, None),
        "402" => is_key_then(value, GSIN_DIGITS, None),
        "8017" | "8018" => is_key_then(value, SSCC_DIGITS, None),
        "253" => is_digits_then_value(value, GLN_DIGITS, GDTI_SERIAL_CHARACTERS_MAX),
        "8003" => is_digits_then_value(value, GTIN_DIGITS, GRAI_SERIAL_CHARACTERS_MAX),
        "255" => {
            let digits = digit_run(value);
            digits == value.len()
                && (GLN_DIGITS..=GLN_DIGITS + NUMERIC_SERIAL_DIGITS_MAX).contains(&digits)
        }
        "401" | "8004" => is_value(value, KEY_CHARACTERS_MAX),
        "8010" => is_cpi(value),
        _ => false,
    }
}

/// `digits` digits and at most `maximum` value characters after them.
fn is_digits_then_value(value: &str, digits: usize, maximum: usize) -> bool {
    value
        .get(..digits)
        .is_some_and(|key| is_digits(key, digits) && is_value(&value[digits..], maximum))
}

/// A CPI alone or with its serial (`{cpi}/8011/{digits}`); the CPI may itself hold `/`, so any
/// `/8011/` may be the one.
fn is_cpi(value: &str) -> bool {
    if is_cpi_value(value) {
        return true;
    }
    value.match_indices("/8011/").any(|(start, marker)| {
        let serial = &value[start + marker.len()..];
        is_cpi_value(&value[..start])
            && serial.len() <= NUMERIC_SERIAL_DIGITS_MAX
            && digit_run(serial) == serial.len()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_wants_a_key_with_four_digits_before_the_query() {
        assert!(has_gs1_key("https://example.com/gtin/09780345418913"));
        assert!(has_gs1_key("http://example.de/01/97803"));
        assert!(!has_gs1_key("https://example.com/01/123"));
        assert!(!has_gs1_key("https://example.com/x?/01/09780345418913"));
        assert!(!has_gs1_key("ftp://example.com/01/09780345418913"));
    }

    #[test]
    fn a_compressed_looking_path_passes_the_gate_and_may_end_on_a_free_key() {
        assert!(has_gs1_key("https://8004/ABCDEFGHIJ"));
        assert_eq!(
            constrain("https://8004/ABCDEFGHIJ").as_deref(),
            Some("https://id.gs1.org/8004/ABCDEFGHIJ")
        );
    }

    #[test]
    fn a_percent_escaped_value_has_no_canonical_form() {
        assert_eq!(
            constrain("https://example.com/01/04012345111118/21/98%22"),
            None
        );
    }

    #[test]
    fn cpi_may_hold_slashes() {
        assert!(is_constrained(
            "https://id.gs1.org/8010/0628165987/8011/9876"
        ));
        assert!(is_constrained("https://id.gs1.org/8010/06281-65/987"));
        assert!(!is_constrained(
            "https://id.gs1.org/8010/0628165987/8011/98x"
        ));
    }
}
