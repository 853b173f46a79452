//! The provider's duty when its service's Rules are amended (R-PER-22, R-CER-23): within 3
//! working days of the amendment entering into force, it informs the Unified Contact Centre and
//! the operator of the e-government infrastructure (and, for the permit, the State
//! Corporation). Tanba tracks that duty as a case of the provider's own: it registers the
//! amendment (the day it enters into force starts the term) and records whom it informed; the
//! term warns, and is overdue, like any other.

use tanba_types::{DayUnit, Role, Rung, Scalar};

use crate::definition::{
    Addressee, CaseRole, CaseView, ClockOp, Definition, FieldKind, FieldSpec, NoticeDraft, Outcome,
    Shape, StateSpec, StepContext, StepView, TransitionSpec,
};
use crate::error::CaseError;
use crate::form::date;
use crate::service::{provider_participant, same, subject};

/// The term's clock (D-PER-9, D-CER-12).
pub const INFORM_CLOCK: &str = "inform";
/// Working days to inform, from the day the amendment enters into force.
pub const INFORM_DAYS: u32 = 3;
/// Whom a provider may inform.
pub const RECIPIENTS: &[&str] = &[
    "unified_contact_centre",
    "state_corporation",
    "egov_operator",
];

/// Every refusal code of the amendment's rules.
pub const CODES: &[&str] = &["TANBA-AMENDMENT-RECIPIENTS"];

/// One service's amendment duty.
#[derive(Debug, Clone, Copy)]
pub struct AmendmentRules {
    /// The kind name (`permit_amendment`).
    pub kind: &'static str,
    /// The service whose provider keeps the duty (`permit`, `certificate`).
    pub service: &'static str,
    /// The text version it runs under.
    pub text_version: &'static str,
    /// Whom the provider must inform.
    pub recipients: &'static [&'static str],
}

/// Registered: the term runs.
pub const REGISTERED: &str = "registered";
/// Everyone due was informed: closed.
pub const INFORMED: &str = "informed";

const STATES: &[StateSpec] = &[
    StateSpec {
        name: REGISTERED,
        closed: false,
    },
    StateSpec {
        name: INFORMED,
        closed: true,
    },
];

const fn one(name: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        shape: Shape::One,
        required: true,
    }
}

const REGISTER_FIELDS: &[FieldSpec] = &[
    one("amending_act", FieldKind::Text { max_chars: 255 }),
    one("in_force_on", FieldKind::Date),
    one("summary", FieldKind::Text { max_chars: 4_000 }),
];
const INFORM_FIELDS: &[FieldSpec] = &[FieldSpec {
    name: "informed",
    kind: FieldKind::Choice(RECIPIENTS),
    shape: Shape::List { max: 3 },
    required: true,
}];

const TRANSITIONS: &[TransitionSpec] = &[
    TransitionSpec {
        name: "register_amendment",
        from: &[],
        to: &[REGISTERED],
        by: &[CaseRole::Party],
        fields: REGISTER_FIELDS,
        clause: "R-PER cl. 2 para 2; R-CER cl. 3",
    },
    TransitionSpec {
        name: "inform",
        from: &[REGISTERED],
        to: &[INFORMED],
        by: &[CaseRole::Party],
        fields: INFORM_FIELDS,
        clause: "R-PER cl. 2 para 2; R-CER cl. 3",
    },
];

/// A service's amendment duty.
#[derive(Debug, Clone, Copy)]
pub struct Amendment(pub AmendmentRules);

impl Definition for Amendment {
    fn kind(&self) -> &'static str {
        self.0.kind
    }

    fn text_version(&self) -> &'static str {
        self.0.text_version
    }

    fn states(&self) -> &'static [StateSpec] {
        STATES
    }

    fn transitions(&self) -> &'static [TransitionSpec] {
        TRANSITIONS
    }

    /// The provider, an authority.
    fn clocks(&self) -> &'static [&'static str] {
        &[INFORM_CLOCK]
    }

    fn opener_roles(&self) -> &'static [Role] {
        &[Role::Authority]
    }

    /// The provider is its own case's authority: the monitoring sees it like any stage.
    fn requires_authority(&self) -> bool {
        true
    }

    fn monitored(&self) -> bool {
        true
    }

    fn decide(
        &self,
        case: Option<&CaseView<'_>>,
        step: &StepView<'_>,
        context: &StepContext<'_>,
    ) -> Result<Outcome, CaseError> {
        let mut outcome = Outcome::default();
        match (step.transition.name, case) {
            ("register_amendment", None) => {
                let provider = provider_participant(self.0.service, context)?;
                if step.actor != provider || step.opening.authority != Some(provider) {
                    return Err(CaseError::rule(
                        "TANBA-SERVICE-NOT-THE-PROVIDER",
                        format!("{}: {provider}", self.0.service),
                    ));
                }
                let in_force = date(step.form, "in_force_on").expect("a checked field");
                outcome.clocks.push(ClockOp::Start {
                    name: INFORM_CLOCK,
                    unit: DayUnit::WorkingDays,
                    days: INFORM_DAYS,
                    on: in_force,
                });
            }
            ("inform", Some(_)) => {
                let informed: Vec<&str> = match step.form.get("informed") {
                    Some(tanba_types::FieldValue::List(values)) => values
                        .iter()
                        .filter_map(|value| match value {
                            Scalar::Text(text) => Some(text.as_str()),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                if let Some(missing) = self
                    .0
                    .recipients
                    .iter()
                    .find(|recipient| !informed.contains(recipient))
                {
                    return Err(CaseError::rule(
                        "TANBA-AMENDMENT-RECIPIENTS",
                        (*missing).to_owned(),
                    ));
                }
                outcome.clocks.push(ClockOp::Stop(INFORM_CLOCK));
            }
            (name, _) => unreachable!("the executor passes only amendment steps, not {name}"),
        }
        Ok(outcome)
    }

    fn on_rung(
        &self,
        case: &CaseView<'_>,
        clock: &str,
        rung: Rung,
        _context: &StepContext<'_>,
    ) -> Result<Outcome, CaseError> {
        let mut outcome = Outcome::default();
        if rung != Rung::Overdue {
            return Ok(outcome);
        }
        outcome.notices.push(NoticeDraft {
            to: Addressee::Authority,
            kind: "amendment_overdue",
            subject: subject(
                "Өзгерістер туралы хабарлау мерзімі өтті",
                "Срок информирования об изменениях пропущен",
                "The term to inform of the amendment has passed",
                case.id,
            ),
            body: same(clock.to_owned()),
        });
        Ok(outcome)
    }
}
