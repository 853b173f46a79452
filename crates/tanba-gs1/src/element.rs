//! Element strings: a sequence of (AI, value) pairs, read from and written to the forms GS1 data
//! travels in: the bracketed human form `(01)...(21)...`, the unbracketed form with FNC1
//! separators (ASCII 29 "GS" in scanner output; `^` in GS1's own test notation), and checked
//! against the AI table: lengths, character sets, linters, and the rules that tie AIs together.

use std::borrow::Cow;

use crate::{
    ELEMENTS_MAX, INPUT_LENGTH_MAX,
    ai::{self, AI_LENGTH_MAX, AI_LENGTH_MIN, AiEntry},
    error::{Gs1Error, Gs1ErrorKind},
    lint,
};

/// ASCII 29, Group Separator: how scanners transmit FNC1 between element strings.
pub const GS: char = '\u{1d}';

/// How permissive parsing is. The defaults are GS1's: strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Accept AIs missing from the table in bracketed input and Digital Link URIs (their length
    /// is then taken from the AI's prefix and their value is checked only as CSET 82).
    pub permit_unknown_ais: bool,
    /// Check the rules between AIs (required pairings, mutual exclusions, repeats).
    pub validate_associations: bool,
    /// Accept GTIN-8/12/13 in a Digital Link URI and pad them to GTIN-14.
    pub permit_zero_suppressed_gtin_in_dl: bool,
    /// Accept the deprecated convenience alphas (`/gtin/`, `/ser/`, ...) in Digital Link paths.
    pub permit_convenience_alphas: bool,
    /// Refuse unknown AIs as Digital Link query attributes even when unknown AIs are permitted.
    pub unknown_ai_not_dl_attribute: bool,
    /// In bracketed input, skip the spaces printed around AIs in human-readable text
    /// (`(01) 0950... (21) ABC`). No GS1 character set has a space, so only spaces next to an AI
    /// group are skipped; any other space stays and fails validation.
    pub permit_spaces_around_ais: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            permit_unknown_ais: false,
            validate_associations: true,
            permit_zero_suppressed_gtin_in_dl: false,
            permit_convenience_alphas: false,
            unknown_ai_not_dl_attribute: true,
            permit_spaces_around_ais: false,
        }
    }
}

/// One AI with its data field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Element {
    /// The AI digits.
    pub ai: Cow<'static, str>,
    /// The data field.
    pub value: String,
}

impl Element {
    /// The table entry for this AI (`None` for an unknown AI accepted by options).
    pub fn entry(&self) -> Option<&'static AiEntry> {
        ai::lookup(&self.ai)
    }

    /// Whether another element string written after this one needs an FNC1 separator first.
    /// Unknown AIs are treated as variable length.
    pub fn needs_fnc1_after(&self) -> bool {
        self.entry().is_none_or(|entry| entry.fnc1_required)
    }
}

/// A parsed, checked sequence of element strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ElementString {
    /// The elements, in the order given.
    pub elements: Vec<Element>,
}

impl ElementString {
    /// The value of the first element with this AI.
    pub fn get(&self, ai: &str) -> Option<&str> {
        self.elements
            .iter()
            .find(|element| element.ai == ai)
            .map(|element| element.value.as_str())
    }

    /// The same elements in canonical order: by AI, repeats in the order given. Two inputs are
    /// the same code when their canonical forms are equal, whatever order they were written in
    /// (Digital Link, for one, puts the key and its qualifiers first).
    pub fn canonical(&self) -> ElementString {
        let mut elements = self.elements.clone();
        elements.sort_by(|a, b| a.ai.cmp(&b.ai));
        ElementString { elements }
    }

    /// Reads the bracketed form `(01)09501101530003(21)ABC`. A literal `(` in a value is written
    /// `\(`. With [`ParseOptions::permit_spaces_around_ais`], the spaces of printed human-readable
    /// text (`(01) 0950... (21) ABC`) are skipped. Error positions are bytes of `input`.
    pub fn parse_bracketed(input: &str, options: &ParseOptions) -> Result<ElementString, Gs1Error> {
        check_input_length(input)?;
        let bytes = input.as_bytes();
        if bytes.is_empty() {
            return Err(Gs1Error::new(Gs1ErrorKind::Empty));
        }
        let skip_spaces = |mut index: usize| {
            while options.permit_spaces_around_ais && bytes.get(index) == Some(&b' ') {
                index += 1;
            }
            index
        };
        let mut elements = Vec::new();
        let mut position = skip_spaces(0);
        while position < bytes.len() {
            if bytes[position] != b'(' {
                return Err(Gs1Error::new(Gs1ErrorKind::MalformedAi).at(position, 1));
            }
            let ai_start = position + 1;
            let ai_end = input[ai_start..]
                .find(')')
                .map(|offset| ai_start + offset)
                .ok_or_else(|| Gs1Error::new(Gs1ErrorKind::UnterminatedAi).at(position, 1))?;
            let ai_text = &input[ai_start..ai_end];
            let ai = resolve_ai(ai_text, options).map_err(|error| error.offset_by(ai_start))?;
            let value_start = skip_spaces(ai_end + 1);
            let (value, escapes, value_end) = read_bracketed_value(input, value_start, options);
            // Maps a byte offset in the unescaped value back to the input.
            let input_position = |offset: usize| {
                value_start + offset + escapes.iter().filter(|escape| **escape < offset).count()
            };
            if let Some(offset) = value.find('^') {
                // GS1 tools use `^` for FNC1: a caret in data would be read back as a separator.
                return Err(Gs1Error::at_ai(Gs1ErrorKind::IllegalCharacter, &ai)
                    .at(input_position(offset), 1));
            }
            let element = Element { ai, value };
            validate_value(&element).map_err(|mut error| {
                error.position = error.position.map(input_position);
                error
            })?;
            push_element(&mut elements, element)?;
            position = skip_spaces(value_end);
        }
        finish(elements, options)
    }

    /// Reads unbracketed data where `separator` stands for FNC1 (GS for scanner output, `^` in
    /// GS1 test notation). With `leading_fnc1_required` the data must start with a separator (as
    /// in GS1's notation for a symbol's content); otherwise a leading separator is optional.
    pub fn parse_unbracketed(
        input: &str,
        separator: char,
        leading_fnc1_required: bool,
        options: &ParseOptions,
    ) -> Result<ElementString, Gs1Error> {
        check_input_length(input)?;
        let mut position = 0;
        match input.strip_prefix(separator) {
            Some(_) => position += separator.len_utf8(),
            None if leading_fnc1_required => {
                return Err(Gs1Error::new(Gs1ErrorKind::MissingLeadingFnc1).at(0, 0));
            }
            None => {}
        }
        if position == input.len() {
            return Err(Gs1Error::new(Gs1ErrorKind::Empty));
        }
        let mut elements = Vec::new();
        while position < input.len() {
            let rest = &input[position..];
            // Unknown AIs cannot be read here whatever the options: without the table there is
            // no telling where the AI ends and its data begins.
            let entry = ai::lookup_prefix(rest).ok_or_else(|| {
                Gs1Error::new(Gs1ErrorKind::UnknownAi).at(position, rest.len().min(AI_LENGTH_MAX))
            })?;
            let value_start = position + entry.ai.len();
            let value_rest = &input[value_start..];
            // Only predefined-length AIs end without a separator; every other AI (fixed-length
            // ones such as 8005 N6 included) runs to the next FNC1, and its length is checked.
            let (value, consumed) = if !entry.fnc1_required {
                let length = entry.length_max();
                let value: String = value_rest
                    .chars()
                    .take(length)
                    .take_while(|character| *character != separator)
                    .collect();
                let consumed = value.len();
                (value, consumed)
            } else {
                let end = value_rest.find(separator).unwrap_or(value_rest.len());
                (value_rest[..end].to_owned(), end)
            };
            let element = Element {
                ai: Cow::Borrowed(entry.ai),
                value,
            };
            validate_value(&element).map_err(|error| error.offset_by(value_start))?;
            push_element(&mut elements, element)?;
            position = value_start + consumed;
            // A separator ends FNC1-terminated data; after predefined-length data one is
            // superfluous but tolerated (GS1 General Specifications 7.8.5.2).
            if input[position..].starts_with(separator) {
                position += separator.len_utf8();
            }
        }
        finish(elements, options)
    }

    /// The bracketed form, `(01)09501101530003(21)ABC`, escaping `(` in values as `\(`.
    pub fn to_bracketed(&self) -> String {
        let mut out = String::new();
        for element in &self.elements {
            out.push('(');
            out.push_str(&element.ai);
            out.push(')');
            out.push_str(&element.value.replace('(', "\\("));
        }
        out
    }

    /// The unbracketed form with `separator` for FNC1 where GS1 requires it (after
    /// variable-length data that is followed by another element), optionally led by one.
    pub fn to_unbracketed(&self, separator: char, leading_fnc1: bool) -> String {
        let mut out = String::new();
        if leading_fnc1 {
            out.push(separator);
        }
        for (index, element) in self.elements.iter().enumerate() {
            out.push_str(&element.ai);
            out.push_str(&element.value);
            if index + 1 < self.elements.len() && element.needs_fnc1_after() {
                out.push(separator);
            }
        }
        out
    }

    /// The raw element string as a scanner transmits it: GS between elements, no leading FNC1.
    pub fn to_raw(&self) -> String {
        self.to_unbracketed(GS, false)
    }

    /// Checks the rules that tie AIs together (GS1 General Specifications 4.14): repeats with the
    /// same value only, no mutually exclusive pair, every required partner present, and a digital
    /// signature only with a serialised key.
    pub fn validate_associations(&self) -> Result<(), Gs1Error> {
        self.validate_repeats()?;
        self.validate_exclusions()?;
        self.validate_requisites()?;
        self.validate_digital_signature_key()
    }

    /// Repeated AIs must carry the same value.
    pub fn validate_repeats(&self) -> Result<(), Gs1Error> {
        for (index, element) in self.elements.iter().enumerate() {
            let conflict = self.elements[..index]
                .iter()
                .any(|earlier| earlier.ai == element.ai && earlier.value != element.value);
            if conflict {
                return Err(Gs1Error::at_ai(
                    Gs1ErrorKind::ConflictingRepeat,
                    &element.ai,
                ));
            }
        }
        Ok(())
    }

    /// No two AIs that the `ex=` rules keep apart.
    pub fn validate_exclusions(&self) -> Result<(), Gs1Error> {
        for element in &self.elements {
            let Some(entry) = element.entry() else {
                continue;
            };
            for pattern in entry.excludes.iter().flat_map(|list| list.split(',')) {
                let clash = self.elements.iter().find(|other| {
                    other.ai != element.ai && ai::matches_pattern(&other.ai, pattern)
                });
                if let Some(other) = clash {
                    return Err(Gs1Error::at_ai(
                        Gs1ErrorKind::MutuallyExclusiveAis {
                            other: other.ai.to_string(),
                        },
                        &element.ai,
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every `req=` rule of every AI satisfied by one of its alternatives.
    pub fn validate_requisites(&self) -> Result<(), Gs1Error> {
        for element in &self.elements {
            let Some(entry) = element.entry() else {
                continue;
            };
            for requires in entry.requires {
                let satisfied = requires.split(',').any(|alternative| {
                    alternative.split('+').all(|pattern| {
                        self.elements
                            .iter()
                            .any(|other| ai::matches_pattern(&other.ai, pattern))
                    })
                });
                if !satisfied {
                    return Err(Gs1Error::at_ai(
                        Gs1ErrorKind::RequiredAiMissing {
                            requires: (*requires).to_owned(),
                        },
                        &element.ai,
                    ));
                }
            }
        }
        Ok(())
    }

    /// A digital signature (8030) alongside a key whose serial component is optional (GDTI 253,
    /// GCN 255, GRAI 8003) needs that serial component present.
    pub fn validate_digital_signature_key(&self) -> Result<(), Gs1Error> {
        if self.get("8030").is_none() {
            return Ok(());
        }
        for element in &self.elements {
            let Some(entry) = element.entry() else {
                continue;
            };
            let has_optional_serial = matches!(entry.ai, "253" | "255" | "8003");
            let fixed_part: usize = entry
                .components
                .iter()
                .filter(|component| !component.optional)
                .map(|component| usize::from(component.length_max))
                .sum();
            if has_optional_serial && element.value.len() <= fixed_part {
                return Err(Gs1Error::at_ai(
                    Gs1ErrorKind::DigitalSignatureNeedsSerialisedKey,
                    &element.ai,
                ));
            }
        }
        Ok(())
    }
}

/// Reads one bracketed value from `start`: up to the next `(` that is not escaped as `\(` (or,
/// with spacing permitted, up to spaces followed by the next AI group or the end). Returns the
/// unescaped value, the value offsets where an escape was removed, and where reading stopped.
fn read_bracketed_value(
    input: &str,
    start: usize,
    options: &ParseOptions,
) -> (String, Vec<usize>, usize) {
    let bytes = input.as_bytes();
    let mut value = String::new();
    let mut escapes = Vec::new();
    let mut cursor = start;
    while cursor < bytes.len() && bytes[cursor] != b'(' {
        if bytes[cursor] == b'\\' && bytes.get(cursor + 1) == Some(&b'(') {
            escapes.push(value.len());
            value.push('(');
            cursor += 2;
            continue;
        }
        if bytes[cursor] == b' ' && options.permit_spaces_around_ais {
            let after_spaces = cursor + bytes[cursor..].iter().take_while(|b| **b == b' ').count();
            if after_spaces == bytes.len() || is_ai_group_at(bytes, after_spaces) {
                return (value, escapes, after_spaces);
            }
        }
        let character = input[cursor..].chars().next().unwrap_or_default();
        value.push(character);
        cursor += character.len_utf8();
    }
    (value, escapes, cursor)
}

/// Whether `bytes[index..]` starts with an AI group `(nn)`, `(nnn)` or `(nnnn)`.
fn is_ai_group_at(bytes: &[u8], index: usize) -> bool {
    let digits = bytes
        .iter()
        .skip(index + 1)
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    bytes.get(index) == Some(&b'(')
        && (AI_LENGTH_MIN..=AI_LENGTH_MAX).contains(&digits)
        && bytes.get(index + 1 + digits) == Some(&b')')
}

fn check_input_length(input: &str) -> Result<(), Gs1Error> {
    if input.len() > INPUT_LENGTH_MAX {
        return Err(Gs1Error::new(Gs1ErrorKind::InputTooLong).at(INPUT_LENGTH_MAX, 0));
    }
    Ok(())
}

fn push_element(elements: &mut Vec<Element>, element: Element) -> Result<(), Gs1Error> {
    if elements.len() >= ELEMENTS_MAX {
        return Err(Gs1Error::new(Gs1ErrorKind::TooManyElements));
    }
    elements.push(element);
    Ok(())
}

fn finish(elements: Vec<Element>, options: &ParseOptions) -> Result<ElementString, Gs1Error> {
    let element_string = ElementString { elements };
    if options.validate_associations {
        element_string.validate_associations()?;
    }
    Ok(element_string)
}

/// Checks AI digits and finds the AI in the table (or accepts it as unknown, if allowed).
pub(crate) fn resolve_ai(
    ai_text: &str,
    options: &ParseOptions,
) -> Result<Cow<'static, str>, Gs1Error> {
    let well_formed = (AI_LENGTH_MIN..=AI_LENGTH_MAX).contains(&ai_text.len())
        && ai_text.bytes().all(|byte| byte.is_ascii_digit());
    if !well_formed {
        return Err(Gs1Error::new(Gs1ErrorKind::MalformedAi).at(0, ai_text.len()));
    }
    if let Some(entry) = ai::lookup(ai_text) {
        return Ok(Cow::Borrowed(entry.ai));
    }
    let implied_length = ai::ai_length_by_prefix(ai_text);
    if options.permit_unknown_ais && implied_length == Some(ai_text.len()) {
        // An unknown AI must not shadow a known one (e.g. "011" is not an AI of its own).
        if ai::lookup_prefix(ai_text).is_none() {
            return Ok(Cow::Owned(ai_text.to_owned()));
        }
    }
    Err(Gs1Error::at_ai(Gs1ErrorKind::UnknownAi, ai_text).at(0, ai_text.len()))
}

/// Checks one data field against its AI: length, then each component's character set and
/// linters. Positions in the error are relative to the start of the value.
pub fn validate_value(element: &Element) -> Result<(), Gs1Error> {
    let value = element.value.as_str();
    if value.is_empty() {
        return Err(Gs1Error::at_ai(Gs1ErrorKind::EmptyValue, &element.ai).at(0, 0));
    }
    // Every GS1 character set is ASCII: say so before lengths, which are counted in bytes.
    if let Some(offset) = value.bytes().position(|byte| !byte.is_ascii()) {
        let length = value[offset..].chars().next().map_or(1, char::len_utf8);
        return Err(Gs1Error::at_ai(Gs1ErrorKind::IllegalCharacter, &element.ai).at(offset, length));
    }
    let Some(entry) = element.entry() else {
        // An unknown AI accepted by options: GS1 treats its data as X..90.
        if value.len() > UNKNOWN_AI_VALUE_LENGTH_MAX {
            return Err(Gs1Error::at_ai(
                Gs1ErrorKind::ValueTooLong {
                    length_max: UNKNOWN_AI_VALUE_LENGTH_MAX,
                },
                &element.ai,
            ));
        }
        return lint::lint(lint::Linter::Cset82, value)
            .map_err(|error| lint_error(&element.ai, error, 0));
    };
    if value.len() > entry.length_max() {
        return Err(Gs1Error::at_ai(
            Gs1ErrorKind::ValueTooLong {
                length_max: entry.length_max(),
            },
            &element.ai,
        )
        .at(entry.length_max(), value.len() - entry.length_max()));
    }
    let mut offset = 0;
    for component in entry.components {
        if component.optional && offset == value.len() {
            break;
        }
        let remaining = value.len() - offset;
        let length = if component.is_fixed_length() {
            usize::from(component.length_max)
        } else {
            remaining.min(usize::from(component.length_max))
        };
        if remaining < length || length < usize::from(component.length_min) {
            return Err(Gs1Error::at_ai(
                Gs1ErrorKind::ValueTooShort {
                    length_min: entry.length_min(),
                },
                &element.ai,
            )
            .at(value.len(), 0));
        }
        let Some(part) = value.get(offset..offset + length) else {
            // A multi-byte character straddles the component boundary: not in any GS1 set.
            return Err(Gs1Error::at_ai(Gs1ErrorKind::IllegalCharacter, &element.ai).at(offset, 1));
        };
        lint::lint(component.cset.linter(), part)
            .map_err(|error| lint_error(&element.ai, error, offset))?;
        for linter in component.linters {
            lint::lint(*linter, part).map_err(|error| lint_error(&element.ai, error, offset))?;
        }
        offset += length;
    }
    if offset < value.len() {
        return Err(Gs1Error::at_ai(
            Gs1ErrorKind::ValueTooLong {
                length_max: entry.length_max(),
            },
            &element.ai,
        )
        .at(offset, value.len() - offset));
    }
    Ok(())
}

/// GS1 reads an unknown AI's data as X..90.
pub const UNKNOWN_AI_VALUE_LENGTH_MAX: usize = 90;

fn lint_error(ai: &str, error: lint::LintError, offset: usize) -> Gs1Error {
    Gs1Error::at_ai(Gs1ErrorKind::Lint(error.kind), ai).at(offset + error.position, error.length)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: ParseOptions = ParseOptions {
        permit_unknown_ais: false,
        validate_associations: true,
        permit_zero_suppressed_gtin_in_dl: false,
        permit_convenience_alphas: false,
        unknown_ai_not_dl_attribute: true,
        permit_spaces_around_ais: false,
    };
    const SPACED: ParseOptions = ParseOptions {
        permit_spaces_around_ais: true,
        ..STRICT
    };

    #[test]
    fn fixed_length_ais_that_need_fnc1_must_get_it() {
        // 8005 is N6 but not of predefined length: without GS the next AI runs into its data.
        let missing = format!("0104600439931256{GS}8005112000930001");
        let error = ElementString::parse_unbracketed(&missing, GS, false, &STRICT).unwrap_err();
        assert_eq!(error.code(), "TANBA-GS1-VALUE-TOO-LONG");
        assert_eq!(error.ai.as_deref(), Some("8005"));
        let with_gs = format!("0104600439931256{GS}8005112000{GS}930001");
        assert!(ElementString::parse_unbracketed(&with_gs, GS, false, &STRICT).is_ok());
    }

    #[test]
    fn positions_point_into_the_input_after_escapes_and_spacing() {
        // The space is at byte 29 of the input: 3 escapes removed before it must be added back.
        let input = r"(01)04600439931256(21)\(\(\(A B";
        let error = ElementString::parse_bracketed(input, &STRICT).unwrap_err();
        assert_eq!(error.code(), "TANBA-GS1-LINT-INVALID-CSET82-CHARACTER");
        assert_eq!(error.position, Some(input.find(" B").unwrap()));

        let input = "(01) 04600439931257 (21) AB";
        let error = ElementString::parse_bracketed(input, &SPACED).unwrap_err();
        assert_eq!(error.code(), "TANBA-GS1-LINT-INCORRECT-CHECK-DIGIT");
        assert_eq!(
            error.position,
            Some(18),
            "the check digit's byte in the spaced input"
        );
    }

    #[test]
    fn spacing_is_skipped_only_next_to_ai_groups() {
        let spaced = ElementString::parse_bracketed("(01) 04600439931256 (21) A)B", &SPACED);
        assert_eq!(spaced.unwrap().get("21"), Some("A)B"));
        let inner = ElementString::parse_bracketed("(01)04600439931256(21)A) B", &SPACED);
        assert_eq!(
            inner.unwrap_err().code(),
            "TANBA-GS1-LINT-INVALID-CSET82-CHARACTER"
        );
        // GS1's strict reading keeps a space as data (and refuses it).
        let strict = ElementString::parse_bracketed("(01) 04600439931256", &STRICT);
        assert!(strict.is_err());
    }

    #[test]
    fn long_inputs_are_refused_before_any_work() {
        let input = format!("(01){}", " ".repeat(INPUT_LENGTH_MAX * 30));
        let started = std::time::Instant::now();
        let error = ElementString::parse_bracketed(&input, &SPACED).unwrap_err();
        assert_eq!(error.code(), "TANBA-GS1-INPUT-TOO-LONG");
        // Generous bound: a linear scan of 120 KB takes microseconds.
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        let within = format!("(21){}", " ".repeat(INPUT_LENGTH_MAX - 4));
        assert!(ElementString::parse_bracketed(&within, &SPACED).is_err());
    }

    #[test]
    fn non_ascii_is_an_illegal_character_not_a_length_error() {
        let input = format!("(01)04600439931256(21){}", "Ж".repeat(11));
        let error = ElementString::parse_bracketed(&input, &STRICT).unwrap_err();
        assert_eq!(error.code(), "TANBA-GS1-ILLEGAL-CHARACTER");
        assert_eq!(error.position, Some(22));
        assert_eq!(error.length, Some(2));
    }
}
