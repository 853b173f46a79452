//! Printable labels of marking codes. A code's element string becomes a GS1 DataMatrix: ECC 200
//! with FNC1 in the first position and GS (ASCII 29) between a variable-length field and the
//! next, as the GS1 General Specifications (section 5.6) and Kazakhstan's marking rules ask.
//! A label is the symbol with its quiet zone and a few lines of human-readable text beside it,
//! drawn as SVG (one label, any size) or as a PDF of pages of labels in common sizes: A4 sheets
//! of adhesive labels and single labels for thermal roll printers.
//!
//! **Architecture invariant:** pure and a leaf: bytes in, bytes out; no IO, no clock, and no
//! other Tanba crate (callers pass the element string and the lines they want printed).

mod layout;
mod pdf;
mod svg;

pub use layout::{LAYOUTS, Layout};
pub use pdf::pdf;
pub use svg::svg;

/// The GS separator between fields of an element string.
pub const GS: char = '\u{1d}';
/// Characters of an element string a label takes (a DataMatrix holds at most 2,335
/// alphanumerics; a marking code with its tail is about 130).
pub const DATA_CHARS_MAX: usize = 512;
/// Labels one PDF holds (about 40 A4 sheets of the small size).
pub const LABELS_PER_PDF_MAX: usize = 2_000;
/// Lines of text beside a symbol.
pub const LINES_MAX: usize = 4;
/// Modules of quiet zone around a symbol (ISO/IEC 16022 asks for at least one).
pub const QUIET_ZONE_MODULES: usize = 2;

/// Why a label cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    /// The data is empty, too long, or not a GS1 element string (digits of an AI first,
    /// printable ASCII and GS only).
    #[error("not a GS1 element string a label can carry")]
    NotElementString,
    /// More labels than one document takes.
    #[error("at most {LABELS_PER_PDF_MAX} labels in one document")]
    TooMany,
    /// The layout's label is too small for the symbol at the smallest module size printers
    /// resolve.
    #[error("the symbol does not fit label {0}")]
    DoesNotFit(&'static str),
}

impl LabelError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            LabelError::NotElementString => "TANBA-LABEL-NOT-ELEMENT-STRING",
            LabelError::TooMany => "TANBA-LABEL-TOO-MANY",
            LabelError::DoesNotFit(_) => "TANBA-LABEL-DOES-NOT-FIT",
        }
    }
}

/// One label: the element string the symbol carries, and the lines printed beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The element string, fields separated by GS, without symbology identifier or FNC1.
    pub data: String,
    /// Human-readable lines (the bracketed code, a product name), at most [`LINES_MAX`].
    pub lines: Vec<String>,
}

/// A symbol's modules, row by row, without its quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// Modules across.
    pub width: usize,
    /// Modules down.
    pub height: usize,
    /// Dark modules, `width * height`, row by row.
    pub dark: Vec<bool>,
}

impl Symbol {
    /// The GS1 DataMatrix of an element string: always square (the sizes every scanner reads).
    pub fn gs1(data: &str) -> Result<Symbol, LabelError> {
        let element_string = data.len() <= DATA_CHARS_MAX
            && data.len() >= 2
            && data.as_bytes()[..2].iter().all(u8::is_ascii_digit)
            && data
                .chars()
                .all(|character| character == GS || (' '..='~').contains(&character));
        if !element_string {
            return Err(LabelError::NotElementString);
        }
        let symbols = datamatrix::SymbolList::default().enforce_square();
        let matrix = datamatrix::DataMatrix::encode_gs1(data.as_bytes(), symbols)
            .map_err(|_| LabelError::NotElementString)?;
        let bitmap = matrix.bitmap();
        let symbol = Symbol {
            width: bitmap.width(),
            height: bitmap.height(),
            dark: bitmap.bits().to_vec(),
        };
        assert_eq!(symbol.dark.len(), symbol.width * symbol.height);
        Ok(symbol)
    }

    /// The horizontal runs of dark modules: `(x, y, length)`, for drawing a few rectangles
    /// instead of one per module.
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for (y, row) in self.dark.chunks(self.width).enumerate() {
            let mut x = 0;
            while x < self.width {
                if row[x] {
                    let start = x;
                    while x < self.width && row[x] {
                        x += 1;
                    }
                    runs.push((start, y, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "0104876000000113215Zq8fNvXWq2Ab\u{1d}91K001\u{1d}92dGVzdHNpZ25hdHVyZQ";

    #[test]
    fn a_marking_code_becomes_a_square_gs1_symbol_whose_first_codeword_is_fnc1() {
        let symbol = Symbol::gs1(CODE).unwrap();
        assert_eq!(symbol.width, symbol.height);
        let matrix = datamatrix::DataMatrix::encode_gs1(
            CODE.as_bytes(),
            datamatrix::SymbolList::default().enforce_square(),
        )
        .unwrap();
        assert_eq!(matrix.data_codewords()[0], 232, "FNC1 first");
        let runs: usize = symbol.runs().iter().map(|(_, _, length)| length).sum();
        assert_eq!(runs, symbol.dark.iter().filter(|dark| **dark).count());
    }

    #[test]
    fn what_is_not_an_element_string_is_refused() {
        for bad in [
            "",
            "x",
            "ab0101",
            "01\u{7f}",
            &"0".repeat(DATA_CHARS_MAX + 1),
            "01привет",
        ] {
            assert_eq!(
                Symbol::gs1(bad),
                Err(LabelError::NotElementString),
                "{bad:?}"
            );
        }
    }
}
