//! The definition trait: what a workflow crate (recall, REX, permits, certificates) tells the
//! engine about its procedure, and what one step of it produces. The engine executes any
//! registered definition through [`crate::executor`] and knows none by name.
//!
//! A definition is mostly tables ([`StateSpec`], [`TransitionSpec`], [`FieldSpec`]), checked
//! generically, plus two hooks for what tables cannot say: [`Definition::decide`] (which state a
//! step leads to, which clocks start or stop, whom to notify, what to do to goods),
//! [`Definition::on_rung`] (what a clock's warning does) and [`Definition::holder_notice`]
//! (what a holder of the goods a case blocks is told).

use tanba_types::{
    CaseId, CaseOpening, Date, DayUnit, DocumentNumber, Form, GoodsRequest, HolderCounts,
    LegalClock, Role, Rung, TaxpayerId, Texts,
};

use crate::calendar::Calendar;
use crate::error::CaseError;
use crate::reference::References;

/// Who may take a transition, relative to the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseRole {
    /// The applicant or obligated party who opened the case.
    Party,
    /// The case's authority (an official signing with one of its keys).
    Official,
    /// A party the case names (a claim's obligated parties).
    Named,
    /// Tanba's own timer.
    System,
}

/// A state of the procedure.
#[derive(Debug, Clone, Copy)]
pub struct StateSpec {
    /// Its name (`recalling`).
    pub name: &'static str,
    /// Whether the case is closed in it: no transition leaves it and its clocks stop.
    pub closed: bool,
}

/// A transition of the procedure.
#[derive(Debug, Clone, Copy)]
pub struct TransitionSpec {
    /// Its name (`dispose`).
    pub name: &'static str,
    /// The states it leaves; empty for a transition that opens a case.
    pub from: &'static [&'static str],
    /// The states it may lead to (the definition's [`Definition::decide`] picks one).
    pub to: &'static [&'static str],
    /// Who may take it.
    pub by: &'static [CaseRole],
    /// Its form.
    pub fields: &'static [FieldSpec],
    /// The clause of the text it rests on (`cl. 7`).
    pub clause: &'static str,
}

/// A field of a form.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// Its name (`hs_code`).
    pub name: &'static str,
    /// What each value must be.
    pub kind: FieldKind,
    /// One value, a list, or a table.
    pub shape: Shape,
    /// Whether the form must carry it.
    pub required: bool,
}

impl FieldSpec {
    /// A one-value field.
    pub const fn one(name: &'static str, kind: FieldKind, required: bool) -> FieldSpec {
        FieldSpec {
            name,
            kind,
            shape: Shape::One,
            required,
        }
    }
}

/// One value, a list, or a table of a field.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// One value.
    One,
    /// One to `max` values.
    List {
        /// Most values.
        max: usize,
    },
    /// One to `max` rows with these columns (each of shape [`Shape::One`]).
    Rows {
        /// The columns.
        columns: &'static [FieldSpec],
        /// Most rows.
        max: usize,
    },
}

/// What a value must be: its type and its format-logical check.
#[derive(Debug, Clone, Copy)]
pub enum FieldKind {
    /// Text of 1 to `max_chars` characters, no control characters but line breaks.
    Text {
        /// Most characters.
        max_chars: usize,
    },
    /// A whole number in `min..=max`.
    Integer {
        /// Smallest.
        min: i64,
        /// Largest.
        max: i64,
    },
    /// An exact decimal above zero (quantities, values).
    PositiveDecimal,
    /// A calendar day.
    Date,
    /// A moment (unix milliseconds), not after the step.
    PastMoment,
    /// Yes or no.
    Flag,
    /// A participant's IIN or BIN.
    Taxpayer,
    /// A marked code or package.
    Code,
    /// A GTIN (14 digits with its check digit; 8, 12 and 13 are padded).
    Gtin,
    /// One of the listed words.
    Choice(&'static [&'static str]),
    /// A 10-digit EAEU HS (TN VED) code, listed in the reference set in force.
    HsCode,
    /// An ISO 4217 alphabetic currency code, listed in the reference set in force.
    Currency,
    /// An ISO 3166-1 alpha-2 country code.
    Country,
    /// A code of the control lists (`ML1`, `1C350.a`).
    ControlListCode,
    /// An EAEU unit of measure (`796`).
    Unit,
}

/// What the executor shows a definition of the case a step acts on.
#[derive(Debug, Clone, Copy)]
pub struct CaseView<'a> {
    /// The case's id.
    pub id: CaseId,
    /// What its opening fixed.
    pub opening: &'a CaseOpening,
    /// Its state.
    pub state: &'a str,
    /// Every field submitted so far, the latest value of each.
    pub data: &'a Form,
    /// Its clocks by name.
    pub clocks: &'a std::collections::BTreeMap<String, LegalClock>,
    /// The files named so far.
    pub attachments: &'a [tanba_types::AttachmentRef],
    /// Who took which transition so far, in order.
    pub taken: &'a [(String, TaxpayerId)],
    /// When it was opened, unix milliseconds.
    pub opened_ms: u64,
}

/// What an opening sees of the case it belongs to (a complaint's permit, a certificate's
/// predecessor).
#[derive(Debug, Clone, Copy)]
pub struct ParentView<'a> {
    /// Its id.
    pub id: CaseId,
    /// What its opening fixed.
    pub opening: &'a CaseOpening,
    /// Its state.
    pub state: &'a str,
    /// Its fields, the latest value of each.
    pub data: &'a Form,
}

/// The step being decided.
#[derive(Debug, Clone, Copy)]
pub struct StepView<'a> {
    /// The case's id (for an opening, the id it will get).
    pub case: CaseId,
    /// What the case's opening fixes (for an opening, what it will fix).
    pub opening: &'a CaseOpening,
    /// The transition.
    pub transition: &'a TransitionSpec,
    /// Its form, already checked against the transition's fields.
    pub form: &'a Form,
    /// The files it names (well formed, stored, uploaded by the actor).
    pub attachments: &'a [tanba_types::AttachmentRef],
    /// Who takes it.
    pub actor: TaxpayerId,
    /// The actor's roles in the case.
    pub roles: &'a [CaseRole],
    /// For an opening, the case it belongs to, if it names one.
    pub parent: Option<ParentView<'a>>,
}

/// When a step is decided, and under which calendar.
#[derive(Debug, Clone, Copy)]
pub struct StepContext<'a> {
    /// The writer's time stamp, unix milliseconds.
    pub now_ms: u64,
    /// The last number given this year (the provider's year today) in each document series
    /// the definition declares ([`Definition::number_series`]), 0 for none yet.
    pub last_numbers: &'a [(&'static str, u32)],
    /// The calendar in force.
    pub calendar: &'a Calendar,
    /// The reference sets in force.
    pub references: &'a References,
}

impl StepContext<'_> {
    /// Today, in the provider's time zone.
    pub fn today(&self) -> Date {
        self.calendar.local(self.now_ms).0
    }

    /// The next number of `series` this year (the provider's year today); the outcome that
    /// uses it lists it in [`Outcome::numbers`], so the engine records it and the next step
    /// gets the one after.
    ///
    /// # Panics
    /// If the definition did not declare `series` (a bug in the definition).
    pub fn next_number(&self, series: &'static str) -> DocumentNumber {
        let last = self
            .last_numbers
            .iter()
            .find(|(declared, _)| *declared == series)
            .map(|(_, last)| *last)
            .unwrap_or_else(|| panic!("the series {series} is not declared"));
        DocumentNumber {
            series: series.to_owned(),
            year: self.today().ymd().0,
            number: last + 1,
        }
    }
}

/// What happens to a clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockOp {
    /// Start a term of `days` of `unit`, not counting `on`.
    Start {
        /// The clock's name (`D-REC-2`).
        name: &'static str,
        /// Working or calendar days.
        unit: DayUnit,
        /// The term.
        days: u32,
        /// The day it counts from (not counted).
        on: Date,
    },
    /// Pause it today.
    Pause(&'static str),
    /// Resume it today.
    Resume(&'static str),
    /// Extend it once by `days`.
    Extend {
        /// The clock.
        name: &'static str,
        /// Days added.
        days: u32,
    },
    /// Stop it today: the step it timed was taken.
    Stop(&'static str),
}

/// To whom a notice goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressee {
    /// The case's party.
    Party,
    /// The case's authority.
    Authority,
    /// A participant (a named party, a holder).
    Participant(TaxpayerId),
}

/// A notice a step makes available.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDraft {
    /// To whom.
    pub to: Addressee,
    /// Its kind, for filters (`recall_report`).
    pub kind: &'static str,
    /// Its subject line.
    pub subject: Texts,
    /// Its text.
    pub body: Texts,
}

/// What a step or a rung does, as the definition decides it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The state it leads to; `None` stays (a rung, or a step from a state to itself).
    pub to: Option<&'static str>,
    /// Clock changes, in order.
    pub clocks: Vec<ClockOp>,
    /// Notices made available.
    pub notices: Vec<NoticeDraft>,
    /// What to do to goods (in the same atomic group).
    pub goods: Vec<GoodsRequest>,
    /// Document numbers given (each [`StepContext::next_number`] of its series, at most one
    /// per series).
    pub numbers: Vec<DocumentNumber>,
}

/// A procedure.
pub trait Definition: Send + Sync {
    /// Its kind name, unique among the registered definitions (`recall`).
    fn kind(&self) -> &'static str;
    /// The text version governing new cases (order number and amendment).
    fn text_version(&self) -> &'static str;
    /// Its states.
    fn states(&self) -> &'static [StateSpec];
    /// Its transitions, the opening ones among them.
    fn transitions(&self) -> &'static [TransitionSpec];
    /// The names of the clocks its steps start (`D-REC-2`): every clock a step or a rung names
    /// is one of these (the executor asserts it), so a page can name every clock a case has.
    fn clocks(&self) -> &'static [&'static str];
    /// The participant roles that may open a case.
    fn opener_roles(&self) -> &'static [Role];
    /// Whether a case must name an authority.
    fn requires_authority(&self) -> bool;
    /// The kind of case a case of this kind must belong to, if it belongs to one (a claim to a
    /// recall).
    fn parent_kind(&self) -> Option<&'static str> {
        None
    }
    /// Whether it is a state service whose every stage the monitoring body sees (R-PER-10,
    /// R-CER-19).
    fn monitored(&self) -> bool {
        false
    }
    /// The yearly document series its steps number documents in (`EUC`, `IIC`).
    fn number_series(&self) -> &'static [&'static str] {
        &[]
    }
    /// Whether a case of this kind may also stand alone (a certificate names the one it
    /// replaces, if any); otherwise a [`Definition::parent_kind`] is required.
    fn parent_optional(&self) -> bool {
        false
    }
    /// Decides a step after the generic checks (state, role, form): its outcome, or a refusal
    /// with the definition's own code. `case` is `None` for an opening.
    fn decide(
        &self,
        case: Option<&CaseView<'_>>,
        step: &StepView<'_>,
        context: &StepContext<'_>,
    ) -> Result<Outcome, CaseError>;
    /// What a clock's warning rung does (a notice, a state change). Nothing, unless overridden.
    fn on_rung(
        &self,
        _case: &CaseView<'_>,
        _clock: &str,
        _rung: Rung,
        _context: &StepContext<'_>,
    ) -> Result<Outcome, CaseError> {
        Ok(Outcome::default())
    }
    /// What the public check shows of a unit the case blocks (a recall's notice, collection
    /// points and contacts, R-REC-06). None, unless overridden.
    fn public_notice(&self, _case: &CaseView<'_>) -> Option<Texts> {
        None
    }
    /// The notice to a holder of goods the case blocks, once the census has counted its units
    /// (a recall's "you hold 120 recalled units"). None, unless overridden.
    fn holder_notice(
        &self,
        _case: &CaseView<'_>,
        _holder: TaxpayerId,
        _counts: &HolderCounts,
    ) -> Option<NoticeDraft> {
        None
    }
}

/// The state named `name`, if the definition has one.
pub fn state_spec(definition: &dyn Definition, name: &str) -> Option<StateSpec> {
    definition
        .states()
        .iter()
        .find(|state| state.name == name)
        .copied()
}

/// The transition named `name`, if the definition has one.
pub fn transition_spec<'d>(
    definition: &'d dyn Definition,
    name: &str,
) -> Option<&'d TransitionSpec> {
    definition
        .transitions()
        .iter()
        .find(|transition| transition.name == name)
}

/// Checks a definition's tables against each other: every state a transition names exists,
/// every transition and state name is unique, opening transitions lead somewhere. Definitions
/// are code, so a failure is a bug: the engine asserts this when a definition is registered.
pub fn check_tables(definition: &dyn Definition) -> Result<(), String> {
    let states = definition.states();
    for (index, state) in states.iter().enumerate() {
        if states[..index].iter().any(|other| other.name == state.name) {
            return Err(format!("state {} is listed twice", state.name));
        }
    }
    let transitions = definition.transitions();
    for (index, transition) in transitions.iter().enumerate() {
        if transitions[..index]
            .iter()
            .any(|other| other.name == transition.name)
        {
            return Err(format!("transition {} is listed twice", transition.name));
        }
        if transition.to.is_empty() || transition.by.is_empty() {
            return Err(format!(
                "transition {} leads nowhere or is taken by nobody",
                transition.name
            ));
        }
        for name in transition.from.iter().chain(transition.to) {
            if !states.iter().any(|state| state.name == *name) {
                return Err(format!(
                    "transition {} names an unknown state {name}",
                    transition.name
                ));
            }
        }
    }
    if !transitions
        .iter()
        .any(|transition| transition.from.is_empty())
    {
        return Err("no transition opens a case".into());
    }
    Ok(())
}
