//! A buyer's claim under a recall (WORKFLOWS 1.3, C1-C3; R-REC-08).

use tanba_cases::CaseError;
use tanba_cases::definition::{
    Addressee, CaseRole, CaseView, ClockOp, Definition, FieldKind, FieldSpec, NoticeDraft, Outcome,
    Shape, StateSpec, StepContext, StepView, TransitionSpec,
};
use tanba_types::limits::FORM_FIELD_VALUES_MAX;
use tanba_types::{DayUnit, Role, Rung};

use crate::texts;

/// Received and registered (C1).
pub const RECEIVED: &str = "claim_received";
/// Every obligated party named has answered (C2, A-REC-5).
pub const ANSWERED: &str = "claim_answered";
/// The buyer applied to the authority (C3): closed here.
pub const ESCALATED: &str = "escalated";

/// D-REC-4: 10 calendar days from the day the claim is registered (A-REC-4).
pub const ANSWER_CLOCK: &str = "D-REC-4";
/// Calendar days of D-REC-4.
pub const ANSWER_DAYS: u32 = 10;
/// The transition each named party takes to answer.
pub const ANSWER: &str = "answer";

const STATES: &[StateSpec] = &[
    StateSpec {
        name: RECEIVED,
        closed: false,
    },
    StateSpec {
        name: ANSWERED,
        closed: false,
    },
    StateSpec {
        name: ESCALATED,
        closed: true,
    },
];

const TEXT: FieldKind = FieldKind::Text { max_chars: 4_000 };

const CLAIM_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "claim",
        kind: TEXT,
        shape: Shape::One,
        required: true,
    },
    FieldSpec {
        name: "codes",
        kind: FieldKind::Code,
        shape: Shape::List {
            max: FORM_FIELD_VALUES_MAX,
        },
        required: false,
    },
];
const ANSWER_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "answer",
        kind: TEXT,
        shape: Shape::One,
        required: true,
    },
    FieldSpec {
        name: "measures",
        kind: TEXT,
        shape: Shape::One,
        required: true,
    },
];
const ESCALATE_FIELDS: &[FieldSpec] = &[FieldSpec {
    name: "reason",
    kind: TEXT,
    shape: Shape::One,
    required: true,
}];

const TRANSITIONS: &[TransitionSpec] = &[
    TransitionSpec {
        name: "claim",
        from: &[],
        to: &[RECEIVED],
        by: &[CaseRole::Party],
        fields: CLAIM_FIELDS,
        clause: "cl. 14",
    },
    TransitionSpec {
        name: ANSWER,
        from: &[RECEIVED],
        to: &[RECEIVED, ANSWERED],
        by: &[CaseRole::Named],
        fields: ANSWER_FIELDS,
        clause: "cl. 14 para 2",
    },
    TransitionSpec {
        name: "escalate",
        from: &[RECEIVED, ANSWERED],
        to: &[ESCALATED],
        by: &[CaseRole::Party],
        fields: ESCALATE_FIELDS,
        clause: "cl. 15",
    },
];

/// A buyer's claim: a case under a recall.
#[derive(Debug, Clone, Copy, Default)]
pub struct Claim;

/// Its kind name.
pub const KIND: &str = "recall_claim";

impl Definition for Claim {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn text_version(&self) -> &'static str {
        crate::TEXT_VERSION
    }

    fn states(&self) -> &'static [StateSpec] {
        STATES
    }

    fn transitions(&self) -> &'static [TransitionSpec] {
        TRANSITIONS
    }

    /// A buyer registered in Tanba: whoever holds goods (A-REC-1 restricts no buyer type).
    fn clocks(&self) -> &'static [&'static str] {
        &[ANSWER_CLOCK]
    }

    fn opener_roles(&self) -> &'static [Role] {
        &[
            Role::Producer,
            Role::Importer,
            Role::Wholesaler,
            Role::Retailer,
        ]
    }

    /// The authority the buyer escalates to (C3).
    fn requires_authority(&self) -> bool {
        true
    }

    fn parent_kind(&self) -> Option<&'static str> {
        Some(crate::recall::KIND)
    }

    fn decide(
        &self,
        case: Option<&CaseView<'_>>,
        step: &StepView<'_>,
        context: &StepContext<'_>,
    ) -> Result<Outcome, CaseError> {
        let mut outcome = Outcome::default();
        match (step.transition.name, case) {
            ("claim", None) => {
                if step.opening.named.is_empty() {
                    return Err(CaseError::rule(
                        "TANBA-RECALL-NO-ADDRESSEE",
                        "a claim names at least one obligated party",
                    ));
                }
                outcome.clocks.push(ClockOp::Start {
                    name: ANSWER_CLOCK,
                    unit: DayUnit::CalendarDays,
                    days: ANSWER_DAYS,
                    on: context.today(),
                });
                for party in &step.opening.named {
                    let (subject, body) = texts::claim_received(step.case, step.actor, step.form);
                    outcome.notices.push(NoticeDraft {
                        to: Addressee::Participant(*party),
                        kind: "claim_received",
                        subject,
                        body,
                    });
                }
            }
            (ANSWER, Some(case)) => answer(case, step, &mut outcome)?,
            ("escalate", Some(case)) => {
                let (subject, body) = texts::claim_escalated(case.id, step.form);
                outcome.notices.push(NoticeDraft {
                    to: Addressee::Authority,
                    kind: "claim_escalated",
                    subject,
                    body,
                });
            }
            (name, _) => unreachable!("the executor passes only {KIND} steps, not {name}"),
        }
        Ok(outcome)
    }

    /// An overdue answer is shown to the authority (R-REC-08: the buyer may then escalate).
    fn on_rung(
        &self,
        case: &CaseView<'_>,
        clock: &str,
        rung: Rung,
        _context: &StepContext<'_>,
    ) -> Result<Outcome, CaseError> {
        let mut outcome = Outcome::default();
        if clock == ANSWER_CLOCK && rung == Rung::Overdue {
            let (subject, body) = texts::claim_overdue(case.id);
            outcome.notices.push(NoticeDraft {
                to: Addressee::Authority,
                kind: "claim_overdue",
                subject,
                body,
            });
        }
        Ok(outcome)
    }
}

/// C2: one answer per named party; the claim is answered when all have (A-REC-5).
fn answer(
    case: &CaseView<'_>,
    step: &StepView<'_>,
    outcome: &mut Outcome,
) -> Result<(), CaseError> {
    let answered = |party| {
        case.taken
            .iter()
            .any(|(transition, by)| transition == ANSWER && *by == party)
    };
    if answered(step.actor) {
        return Err(CaseError::rule(
            "TANBA-RECALL-ANSWERED",
            step.actor.to_string(),
        ));
    }
    let all = case
        .opening
        .named
        .iter()
        .all(|party| *party == step.actor || answered(*party));
    if all {
        outcome.to = Some(ANSWERED);
        outcome.clocks.push(ClockOp::Stop(ANSWER_CLOCK));
    }
    let (subject, body) = texts::claim_answered(case.id, step.actor, step.form);
    outcome.notices.push(NoticeDraft {
        to: Addressee::Party,
        kind: "claim_answered",
        subject,
        body,
    });
    Ok(())
}
