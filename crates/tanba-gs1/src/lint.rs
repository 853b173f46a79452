//! GS1 reference linters ("Barcode Syntax Tests"): content checks applied to one component of an
//! AI's data field, named as in the GS1 Barcode Syntax Dictionary (`csum`, `yymmd0`, `iso3166`, ...).
//!
//! STUB: the real implementation replaces this file.

/// A GS1 reference linter, named as in the Syntax Dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Linter {
    /// Numeric characters only (applied to every `N` component).
    CsetNumeric,
    /// GS1 AI encodable character set 82 (applied to every `X` component).
    Cset82,
    /// GS1 AI encodable character set 39 (applied to every `Y` component).
    Cset39,
    /// base64url, GS1 character set 64 (applied to every `Z` component).
    Cset64,
    /// GS1 mod-10 check digit.
    Csum,
}

impl Linter {
    /// Looks a linter up by its Syntax Dictionary name (`"csum"`, `"yymmd0"`, ...).
    pub fn from_name(name: &str) -> Option<Linter> {
        match name {
            "csetnumeric" => Some(Linter::CsetNumeric),
            "cset82" => Some(Linter::Cset82),
            "cset39" => Some(Linter::Cset39),
            "cset64" => Some(Linter::Cset64),
            "csum" => Some(Linter::Csum),
            _ => None,
        }
    }
}

/// What a linter found wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintErrorKind {
    /// A character outside `0-9`.
    NonDigitCharacter,
}

impl LintErrorKind {
    /// Stable Tanba error code.
    pub fn code(self) -> &'static str {
        "TANBA-GS1-LINT-NON-DIGIT-CHARACTER"
    }
    /// GS1 name.
    pub fn gs1_name(self) -> &'static str {
        "GS1_LINTER_NON_DIGIT_CHARACTER"
    }
    /// Short English description.
    pub fn description(self) -> &'static str {
        "non-digit character"
    }
}

/// A linter's finding: what is wrong and which bytes of the component are at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintError {
    /// What is wrong.
    pub kind: LintErrorKind,
    /// Byte offset of the offending part within the component.
    pub position: usize,
    /// Length in bytes of the offending part.
    pub length: usize,
}

/// Runs one linter over one component value.
pub fn lint(_linter: Linter, _component: &str) -> Result<(), LintError> {
    Ok(())
}
