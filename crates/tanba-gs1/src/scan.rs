//! Scanner output: an AIM symbology identifier (`]d2`, `]Q3`, `]C1`, ...) and the symbol's data,
//! with FNC1 separators transmitted as GS (ASCII 29). This is what a hand-held or till scanner
//! hands the software; we turn it into element strings, a Digital Link URI, or plain text.

use crate::{
    check_digit,
    digital_link::{self, looks_like_digital_link},
    element::{ElementString, GS, ParseOptions},
    error::{Gs1Error, Gs1ErrorKind},
};

/// The symbologies whose identifiers we read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbology {
    /// Data Matrix (`]d1` plain, `]d2` GS1).
    DataMatrix,
    /// QR Code (`]Q1` plain, `]Q3` GS1).
    Qr,
    /// DotCode (`]J0` plain, `]J1` GS1).
    DotCode,
    /// GS1-128 (`]C1`).
    Gs1_128,
    /// GS1 DataBar family and composite components (`]e0`).
    DataBar,
    /// EAN-13 and UPC-A (`]E0`).
    Ean13,
    /// EAN-8 (`]E4`).
    Ean8,
}

/// What a symbol carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymbolContent {
    /// GS1 element strings (FNC1 in first position).
    Gs1(ElementString),
    /// A plain-data symbol holding a GS1 Digital Link URI, parsed.
    DigitalLink {
        /// The URI as scanned.
        uri: String,
        /// Its element strings.
        elements: ElementString,
    },
    /// Plain data that is not a Digital Link URI.
    Plain(String),
    /// An EAN/UPC primary (the digits as printed), optionally with a GS1 composite component.
    Primary {
        /// 8 or 13 digits.
        digits: String,
        /// The composite component, if any.
        composite: Option<ElementString>,
    },
}

/// A decoded scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanData {
    /// Which symbology the scanner read.
    pub symbology: Symbology,
    /// What the symbol carried.
    pub content: SymbolContent,
}

/// Reads scanner output that starts with a symbology identifier.
pub fn parse_scan_data(input: &str, options: &ParseOptions) -> Result<ScanData, Gs1Error> {
    if input.is_empty() {
        return Err(Gs1Error::new(Gs1ErrorKind::Empty));
    }
    let identifier = input
        .get(..3)
        .filter(|prefix| prefix.starts_with(']'))
        .ok_or_else(|| Gs1Error::new(Gs1ErrorKind::UnknownSymbology).at(0, input.len().min(3)))?;
    let data = &input[3..];
    let unknown = || Gs1Error::new(Gs1ErrorKind::UnknownSymbology).at(0, 3);
    let (symbology, gs1) = match identifier {
        "]d1" => (Symbology::DataMatrix, false),
        "]d2" => (Symbology::DataMatrix, true),
        "]Q1" => (Symbology::Qr, false),
        "]Q3" => (Symbology::Qr, true),
        "]J0" => (Symbology::DotCode, false),
        "]J1" => (Symbology::DotCode, true),
        "]C1" => (Symbology::Gs1_128, true),
        "]e0" => (Symbology::DataBar, true),
        "]E0" => return parse_primary(Symbology::Ean13, data, 13, options),
        "]E4" => return parse_primary(Symbology::Ean8, data, 8, options),
        _ => return Err(unknown()),
    };
    let content = if gs1 {
        SymbolContent::Gs1(parse_gs1_data(data, options).map_err(|error| error.offset_by(3))?)
    } else if looks_like_digital_link(data) {
        let elements = digital_link::parse(data, options).map_err(|error| error.offset_by(3))?;
        SymbolContent::DigitalLink {
            uri: data.to_owned(),
            elements,
        }
    } else {
        SymbolContent::Plain(data.to_owned())
    };
    Ok(ScanData { symbology, content })
}

fn parse_gs1_data(data: &str, options: &ParseOptions) -> Result<ElementString, Gs1Error> {
    if data.is_empty() {
        return Err(Gs1Error::new(Gs1ErrorKind::EmptySymbolData));
    }
    ElementString::parse_unbracketed(data, GS, false, options)
}

/// Separates a linear primary from its composite component in scanner output.
const COMPOSITE_SEPARATOR: &str = "|]e0";

fn parse_primary(
    symbology: Symbology,
    data: &str,
    length: usize,
    options: &ParseOptions,
) -> Result<ScanData, Gs1Error> {
    let (primary, composite) = match data.split_once('|') {
        Some((primary, rest)) => {
            let composite_text = rest
                .strip_prefix(&COMPOSITE_SEPARATOR[1..])
                .ok_or_else(|| Gs1Error::new(Gs1ErrorKind::UnknownSymbology))?;
            // The rules between AIs apply to primary and composite together, checked below.
            let alone = ParseOptions {
                validate_associations: false,
                ..*options
            };
            let composite_start = 3 + primary.len() + COMPOSITE_SEPARATOR.len();
            let composite = parse_gs1_data(composite_text, &alone)
                .map_err(|error| error.offset_by(composite_start))?;
            // The primary becomes one more element (its GTIN): keep the total within the limit.
            if composite.elements.len() >= crate::ELEMENTS_MAX {
                return Err(Gs1Error::new(Gs1ErrorKind::TooManyElements));
            }
            (primary, Some(composite))
        }
        None => (data, None),
    };
    let well_formed = primary.len() == length && primary.bytes().all(|b| b.is_ascii_digit());
    if !well_formed || !check_digit::is_valid(primary) {
        return Err(Gs1Error::new(Gs1ErrorKind::BadPrimaryMessage).at(3, primary.len()));
    }
    let scan = ScanData {
        symbology,
        content: SymbolContent::Primary {
            digits: primary.to_owned(),
            composite,
        },
    };
    if options.validate_associations {
        scan.element_string()
            .expect("a primary always has element strings")
            .validate_associations()?;
    }
    Ok(scan)
}

impl ScanData {
    /// Scanner output for this data: the symbology identifier and the data with GS separators.
    /// Plain content in a GS1-only symbology (GS1-128, DataBar) cannot be written.
    pub fn to_scan_string(&self) -> Option<String> {
        let (gs1_identifier, plain_identifier) = match self.symbology {
            Symbology::DataMatrix => ("]d2", Some("]d1")),
            Symbology::Qr => ("]Q3", Some("]Q1")),
            Symbology::DotCode => ("]J1", Some("]J0")),
            Symbology::Gs1_128 => ("]C1", None),
            Symbology::DataBar => ("]e0", None),
            Symbology::Ean13 | Symbology::Ean8 => ("", None),
        };
        match &self.content {
            SymbolContent::Gs1(elements) => Some(format!(
                "{gs1_identifier}{}",
                elements.to_unbracketed(GS, false)
            )),
            SymbolContent::DigitalLink { uri, .. } => Some(format!("{}{uri}", plain_identifier?)),
            SymbolContent::Plain(text) => Some(format!("{}{text}", plain_identifier?)),
            SymbolContent::Primary { digits, composite } => {
                let identifier = if digits.len() == 8 { "]E4" } else { "]E0" };
                let mut out = format!("{identifier}{digits}");
                if let Some(composite) = composite {
                    out.push_str(COMPOSITE_SEPARATOR);
                    out.push_str(&composite.to_unbracketed(GS, false));
                }
                Some(out)
            }
        }
    }

    /// The element strings the scan carried, whatever the form (an EAN/UPC primary becomes a
    /// GTIN-14 element, followed by any composite component).
    pub fn element_string(&self) -> Option<ElementString> {
        match &self.content {
            SymbolContent::Gs1(elements) | SymbolContent::DigitalLink { elements, .. } => {
                Some(elements.clone())
            }
            SymbolContent::Plain(_) => None,
            SymbolContent::Primary { digits, composite } => {
                let mut elements = vec![crate::element::Element {
                    ai: "01".into(),
                    value: format!("{digits:0>14}"),
                }];
                if let Some(composite) = composite {
                    elements.extend(composite.elements.iter().cloned());
                }
                Some(ElementString { elements })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_rules_apply_to_primary_and_composite_together() {
        let options = ParseOptions::default();
        // (10) needs a GTIN: the primary supplies it.
        let scan = parse_scan_data("]E04600439931256|]e010ABC", &options).unwrap();
        assert_eq!(scan.element_string().unwrap().get("10"), Some("ABC"));
        // Two different GTINs are a conflicting repeat.
        let error = parse_scan_data("]E04600439931256|]e00109506000134352", &options).unwrap_err();
        assert_eq!(error.code(), "TANBA-GS1-CONFLICTING-REPEAT");
        // Positions count from the start of the whole scan.
        let error = parse_scan_data("]E04600439931256|]e017999999", &options).unwrap_err();
        assert_eq!(
            error.position,
            Some(24),
            "the month of (17) in the composite"
        );
    }

    /// Found by fuzzing: an EAN primary plus a full composite would exceed the element limit.
    #[test]
    fn primary_and_composite_stay_within_the_element_limit() {
        let composite: String = (0..crate::ELEMENTS_MAX)
            .map(|index| format!("98{index}{GS}"))
            .collect();
        let input = format!("]E402345673|]e0{}", composite.trim_end_matches(GS));
        let options = ParseOptions {
            validate_associations: false,
            ..ParseOptions::default()
        };
        let error = parse_scan_data(&input, &options).unwrap_err();
        assert_eq!(error.kind, Gs1ErrorKind::TooManyElements);
    }
}
