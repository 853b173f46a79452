//! Marking codes as Tanba reads them: one entry point that accepts any form a scanner, a printer
//! or a person hands over, and says what the code is: a unit or group code (GTIN + serial), a
//! transport package (SSCC), with its cryptographic tail (AI 91/92 or 93) if present.
//!
//! Which AIs make up a valid marking code, and whether a tail verifies, is decided elsewhere
//! (`tanba-types`, `tanba-crypto`): this module is still GS1 syntax, plus form detection.

use crate::{
    digital_link,
    element::{ElementString, GS, ParseOptions},
    error::{Gs1Error, Gs1ErrorKind},
    scan,
};

/// AI of the GTIN.
pub const AI_GTIN: &str = "01";
/// AI of the serial number.
pub const AI_SERIAL: &str = "21";
/// AI of the SSCC (transport package).
pub const AI_SSCC: &str = "00";
/// AI of the verification key id (full tail).
pub const AI_KEY_ID: &str = "91";
/// AI of the signature (full tail).
pub const AI_SIGNATURE: &str = "92";
/// AI of the short verification tag (short tail).
pub const AI_SHORT_TAG: &str = "93";

/// The form a code arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputForm {
    /// Element string with GS separators (optionally led by GS as FNC1).
    Raw,
    /// Scanner output with a symbology identifier (`]d2`, `]Q3`, `]C1`, ...).
    ScanData,
    /// The human-readable bracketed form `(01)...(21)...`.
    Bracketed,
    /// A GS1 Digital Link URI.
    DigitalLink,
}

/// Forms a code can be written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputForm {
    /// Bracketed: `(01)...(21)...`.
    Bracketed,
    /// Raw element string, GS between elements where GS1 requires FNC1.
    Raw,
    /// Data Matrix scanner output: `]d2` then the raw element string.
    ScanData,
    /// A GS1 Digital Link URI under the given stem (`https://host`), or GS1's canonical stem.
    DigitalLink(Option<String>),
}

/// The cryptographic tail printed after the code's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tail<'a> {
    /// No tail.
    None,
    /// Full profile: AI 91 key id and AI 92 signature.
    Full {
        /// AI 91.
        key_id: &'a str,
        /// AI 92.
        signature: &'a str,
    },
    /// Short profile: AI 93 tag.
    Short {
        /// AI 93.
        tag: &'a str,
    },
    /// A partial or mixed tail (e.g. 91 without 92): present but unusable.
    Malformed,
}

/// A parsed marking code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkingCode {
    /// The form it arrived in.
    pub form: InputForm,
    /// Its element strings, in the order given.
    pub elements: ElementString,
}

impl MarkingCode {
    /// Parses a code in any form: scanner output (`]d2...`), bracketed (`(01)...`), a Digital
    /// Link URI, or a raw element string (GS separators, optional leading GS as FNC1). A trailing
    /// CR/LF, as keyboard-wedge scanners add, is ignored, and so are the spaces printed around AIs
    /// in human-readable text (`(01) 0950... (21) ABC`).
    pub fn parse(input: &str, options: &ParseOptions) -> Result<MarkingCode, Gs1Error> {
        let input = input.trim_end_matches(['\r', '\n']);
        if input.is_empty() {
            return Err(Gs1Error::new(Gs1ErrorKind::Empty));
        }
        let (form, elements) = if input.starts_with(']') {
            let scan = scan::parse_scan_data(input, options)?;
            // Plain text in a 2D symbol (not GS1 data, not a Digital Link) carries no code.
            let elements = scan
                .element_string()
                .ok_or_else(|| Gs1Error::new(Gs1ErrorKind::MissingGtin))?;
            (InputForm::ScanData, elements)
        } else if input.starts_with('(') {
            let options = ParseOptions {
                permit_spaces_around_ais: true,
                ..*options
            };
            (
                InputForm::Bracketed,
                ElementString::parse_bracketed(input, &options)?,
            )
        } else if digital_link::looks_like_digital_link(input) {
            (InputForm::DigitalLink, digital_link::parse(input, options)?)
        } else {
            let elements = ElementString::parse_unbracketed(input, GS, false, options)?;
            (InputForm::Raw, elements)
        };
        Ok(MarkingCode { form, elements })
    }

    /// A code made from element strings already checked.
    pub fn from_elements(elements: ElementString) -> MarkingCode {
        MarkingCode {
            form: InputForm::Raw,
            elements,
        }
    }

    /// The GTIN-14 (AI 01).
    pub fn gtin(&self) -> Option<&str> {
        self.elements.get(AI_GTIN)
    }

    /// The serial number (AI 21).
    pub fn serial(&self) -> Option<&str> {
        self.elements.get(AI_SERIAL)
    }

    /// The SSCC (AI 00).
    pub fn sscc(&self) -> Option<&str> {
        self.elements.get(AI_SSCC)
    }

    /// The cryptographic tail.
    pub fn tail(&self) -> Tail<'_> {
        let key_id = self.elements.get(AI_KEY_ID);
        let signature = self.elements.get(AI_SIGNATURE);
        let tag = self.elements.get(AI_SHORT_TAG);
        match (key_id, signature, tag) {
            (None, None, None) => Tail::None,
            (Some(key_id), Some(signature), None) => Tail::Full { key_id, signature },
            (None, None, Some(tag)) => Tail::Short { tag },
            _ => Tail::Malformed,
        }
    }

    /// The code in the requested form.
    pub fn format(&self, form: &OutputForm) -> Result<String, Gs1Error> {
        Ok(match form {
            OutputForm::Bracketed => self.elements.to_bracketed(),
            OutputForm::Raw => self.elements.to_raw(),
            OutputForm::ScanData => format!("]d2{}", self.elements.to_raw()),
            OutputForm::DigitalLink(stem) => {
                digital_link::generate(&self.elements, stem.as_deref(), &ParseOptions::default())?
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GTIN: &str = "04600439931256";

    fn parse(input: &str) -> MarkingCode {
        MarkingCode::parse(input, &ParseOptions::default()).unwrap()
    }

    #[test]
    fn every_form_gives_the_same_elements() {
        let raw = format!("01{GTIN}21JgXJ5.T{GS}8005112000{GS}930001");
        let forms = [
            raw.clone(),
            format!("{GS}{raw}"),
            format!("]d2{raw}"),
            format!("]Q3{raw}"),
            format!("]C1{raw}"),
            format!("(01){GTIN}(21)JgXJ5.T(8005)112000(93)0001"),
            format!("https://check.tanba.kz/01/{GTIN}/21/JgXJ5.T?8005=112000&93=0001"),
            format!("{raw}\r\n"),
        ];
        let expected = parse(&forms[0]).elements;
        for form in &forms {
            assert_eq!(parse(form).elements, expected, "form {form:?}");
        }
        let code = parse(&raw);
        assert_eq!(code.gtin(), Some(GTIN));
        assert_eq!(code.serial(), Some("JgXJ5.T"));
        assert_eq!(code.tail(), Tail::Short { tag: "0001" });
    }

    #[test]
    fn formats_round_trip() {
        let code = parse(&format!("01{GTIN}21ABC!%xyz{GS}91EE06{GS}92c2lnbmF0dXJl"));
        for form in [
            OutputForm::Bracketed,
            OutputForm::Raw,
            OutputForm::ScanData,
            OutputForm::DigitalLink(Some("https://tanba.kz".into())),
        ] {
            let text = code.format(&form).unwrap();
            assert_eq!(parse(&text).elements, code.elements, "{form:?}: {text}");
        }
        assert_eq!(
            code.tail(),
            Tail::Full {
                key_id: "EE06",
                signature: "c2lnbmF0dXJl"
            }
        );
    }

    #[test]
    fn human_readable_spacing_is_accepted() {
        let spaced = parse(&format!("(01) {GTIN} (21) AB12 (17) 271231"));
        let tight = parse(&format!("(01){GTIN}(21)AB12(17)271231"));
        assert_eq!(spaced.elements, tight.elements);
        // A space inside a value is still an error.
        let error = MarkingCode::parse(&format!("(01){GTIN}(21)AB 12"), &ParseOptions::default())
            .unwrap_err();
        assert_eq!(error.code(), "TANBA-GS1-LINT-INVALID-CSET82-CHARACTER");
        // A ')' inside a value does not make the following space into spacing.
        let error = MarkingCode::parse(&format!("(01){GTIN}(21)A) B"), &ParseOptions::default())
            .unwrap_err();
        assert_eq!(error.code(), "TANBA-GS1-LINT-INVALID-CSET82-CHARACTER");
    }

    #[test]
    fn serial_without_gtin_is_refused() {
        let error = MarkingCode::parse("(21)ABC", &ParseOptions::default()).unwrap_err();
        assert_eq!(error.code(), "TANBA-GS1-REQUIRED-AI-MISSING");
        assert_eq!(error.ai.as_deref(), Some("21"));
    }
}
