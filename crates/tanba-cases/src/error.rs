//! Why a case step is refused: one typed error per reason, each with a stable code whose
//! kk/ru/en text is in `tanba_types::messages`.

use tanba_types::Localized;

use crate::calendar::CalendarError;
use crate::clock::ClockError;
use crate::reference::ReferenceError;

/// Why a case step is refused. Nothing is written when one is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// No definition is registered under the kind.
    #[error("no procedure named {0}")]
    UnknownKind(String),
    /// The definition has no transition of that name.
    #[error("the procedure has no step named {0}")]
    UnknownTransition(String),
    /// The transition does not start from the case's state.
    #[error("the case is {state}: the step {transition} is not possible from there")]
    WrongState {
        /// The case's state.
        state: String,
        /// The transition asked.
        transition: String,
    },
    /// The case is in a final state.
    #[error("the case is closed ({0})")]
    Closed(String),
    /// The actor holds none of the case roles the transition allows.
    #[error("the step {0} is not taken by this party")]
    NotYourStep(String),
    /// The opening names no authority, or one that is not an authority.
    #[error("the procedure needs an authority: {0}")]
    Authority(String),
    /// The parent case is missing or of a kind the definition does not accept.
    #[error("the case it belongs to: {0}")]
    Parent(String),
    /// A form field fails a check; the detail names the field and what it must be.
    #[error("form field {field}: {reason}")]
    Field {
        /// The stable code (`TANBA-CASE-FIELD-*`).
        code: &'static str,
        /// The field (`quantities[2].unit`).
        field: String,
        /// What it must be.
        reason: String,
    },
    /// The form or the attachments pass a named limit.
    #[error("too large: {0}")]
    TooLarge(String),
    /// An attachment reference is malformed or names no stored blob.
    #[error("attachment: {0}")]
    Attachment(String),
    /// A rule of the procedure refuses the step; the definition's own code and detail.
    #[error("{detail}")]
    Rule {
        /// The definition's stable code (`TANBA-RECALL-SCOPE-NOT-YOURS`).
        code: &'static str,
        /// What the message names.
        detail: String,
    },
    /// The calendar cannot answer (the day is outside the years it covers).
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// A clock refuses (paused twice, extended twice).
    #[error(transparent)]
    Clock(#[from] ClockError),
    /// A reference set a form needs is not published.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
}

impl CaseError {
    /// Every code the generic executor gives (definitions add their own `Rule` codes; the
    /// calendar's and clocks' are theirs).
    pub const CODES: &'static [&'static str] = &[
        "TANBA-CASE-UNKNOWN-KIND",
        "TANBA-CASE-UNKNOWN-TRANSITION",
        "TANBA-CASE-WRONG-STATE",
        "TANBA-CASE-CLOSED",
        "TANBA-CASE-NOT-YOUR-STEP",
        "TANBA-CASE-AUTHORITY",
        "TANBA-CASE-PARENT",
        "TANBA-CASE-TOO-LARGE",
        "TANBA-CASE-ATTACHMENT",
        "TANBA-CASE-FIELD-MISSING",
        "TANBA-CASE-FIELD-UNKNOWN",
        "TANBA-CASE-FIELD-SHAPE",
        "TANBA-CASE-FIELD-TYPE",
        "TANBA-CASE-FIELD-TEXT",
        "TANBA-CASE-FIELD-RANGE",
        "TANBA-CASE-FIELD-CHOICE",
        "TANBA-CASE-FIELD-HS-CODE",
        "TANBA-CASE-FIELD-GTIN",
        "TANBA-CASE-FIELD-CURRENCY",
        "TANBA-CASE-FIELD-COUNTRY",
        "TANBA-CASE-FIELD-CONTROL-CODE",
        "TANBA-CASE-FIELD-UNIT",
        "TANBA-CASE-FIELD-NOT-LISTED",
    ];

    /// A field error.
    pub fn field(code: &'static str, field: impl Into<String>, reason: impl Into<String>) -> Self {
        CaseError::Field {
            code,
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A rule of a definition.
    pub fn rule(code: &'static str, detail: impl Into<String>) -> Self {
        CaseError::Rule {
            code,
            detail: detail.into(),
        }
    }
}

impl Localized for CaseError {
    fn code(&self) -> &'static str {
        match self {
            CaseError::UnknownKind(_) => "TANBA-CASE-UNKNOWN-KIND",
            CaseError::UnknownTransition(_) => "TANBA-CASE-UNKNOWN-TRANSITION",
            CaseError::WrongState { .. } => "TANBA-CASE-WRONG-STATE",
            CaseError::Closed(_) => "TANBA-CASE-CLOSED",
            CaseError::NotYourStep(_) => "TANBA-CASE-NOT-YOUR-STEP",
            CaseError::Authority(_) => "TANBA-CASE-AUTHORITY",
            CaseError::Parent(_) => "TANBA-CASE-PARENT",
            CaseError::Field { code, .. } | CaseError::Rule { code, .. } => code,
            CaseError::TooLarge(_) => "TANBA-CASE-TOO-LARGE",
            CaseError::Attachment(_) => "TANBA-CASE-ATTACHMENT",
            CaseError::Calendar(error) => error.code(),
            CaseError::Clock(error) => error.code(),
            CaseError::Reference(error) => error.code(),
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            CaseError::UnknownKind(detail)
            | CaseError::UnknownTransition(detail)
            | CaseError::Closed(detail)
            | CaseError::NotYourStep(detail)
            | CaseError::Authority(detail)
            | CaseError::Parent(detail)
            | CaseError::TooLarge(detail)
            | CaseError::Attachment(detail)
            | CaseError::Rule { detail, .. } => Some(detail.clone()),
            CaseError::WrongState { state, transition } => Some(format!("{state}: {transition}")),
            CaseError::Field { field, reason, .. } => Some(format!("{field}: {reason}")),
            CaseError::Calendar(error) => error.detail(),
            CaseError::Clock(error) => error.detail(),
            CaseError::Reference(error) => error.detail(),
        }
    }
}
