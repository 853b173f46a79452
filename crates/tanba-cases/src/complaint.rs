//! The pre-trial complaint against a state service's decision, action or inaction, as both
//! services' texts set it (R-PER-09, R-PER-21; R-CER-10, R-CER-20, A-CER-11): one definition
//! with each service's terms as [`ComplaintRules`].
//!
//! The applicant files it with the provider: addressed to the provider, the provider reviews it
//! (5 WD from registration); addressed to the quality-control authority (named in the opening),
//! the provider forwards it with the administrative case (R-CER-20: within 3 WD of arrival) and
//! that authority reviews it (15 WD). Where the text allows it (R-PER-09), the provider may
//! instead satisfy it in full within 3 WD and need not forward it. Where the text allows it
//! (R-CER-10), the reviewer extends its term once by at most 10 WD, for one of the two stated
//! reasons, telling the applicant why at once, on paper or electronically as the complaint came.
//! Court follows only this pre-trial complaint (R-PER-21, R-CER-21): the decision says so.

use tanba_types::{DayUnit, Role, Texts};

use crate::clock::ClockRules;
use crate::definition::{
    Addressee, CaseRole, CaseView, ClockOp, Definition, FieldKind, FieldSpec, NoticeDraft, Outcome,
    StateSpec, StepContext, StepView, TransitionSpec,
};
use crate::error::CaseError;
use crate::form::{integer, text};
use crate::service::{same, subject};
use crate::wording::Wording;

/// Every refusal code of the complaint's rules.
pub const CODES: &[&str] = &[
    "TANBA-COMPLAINT-NOT-THE-APPLICANT",
    "TANBA-COMPLAINT-REVIEWER",
    "TANBA-COMPLAINT-NO-EXTENSION",
    "TANBA-COMPLAINT-NO-FAVOURABLE-ACT",
];

/// The review's clock: 5 WD at the provider, 15 WD at the quality-control authority.
pub const REVIEW_CLOCK: &str = "review";
/// The forwarding clock (R-CER-20: 3 WD from arrival).
pub const FORWARD_CLOCK: &str = "forward";
/// The clock of satisfying the complaint without forwarding it (R-PER-09: 3 WD).
pub const FAVOURABLE_CLOCK: &str = "favourable";
/// Working days of the provider's review.
pub const PROVIDER_REVIEW_DAYS: u32 = 5;
/// Working days of the quality-control authority's review.
pub const QUALITY_REVIEW_DAYS: u32 = 15;
/// The most working days a review may be extended by (R-CER-10).
pub const EXTENSION_DAYS_MAX: u32 = 10;

/// One service's complaint terms.
#[derive(Debug, Clone, Copy)]
pub struct ComplaintRules {
    /// The complaint's kind name (`permit_complaint`).
    pub kind: &'static str,
    /// The kind of case it is about.
    pub parent_kind: &'static str,
    /// The text version it runs under.
    pub text_version: &'static str,
    /// Working days within which the provider may satisfy it without forwarding (R-PER-09).
    pub favourable_days: Option<u32>,
    /// Working days within which the provider forwards it (R-CER-20).
    pub forward_days: Option<u32>,
    /// The reasons a review may be extended for (R-CER-10); none: no extension.
    pub extension_reasons: &'static [Wording],
    /// The notice of an extension, with `{days}`, `{reason}` and `{until}` to fill.
    pub extension_notice: Option<&'static Wording>,
}

/// Filed with the provider, addressed to the quality-control authority: awaiting forwarding.
pub const FILED: &str = "filed";
/// Under review by the provider or the authority.
pub const UNDER_REVIEW: &str = "under_review";
/// Under review, term extended.
pub const EXTENDED: &str = "extended";
/// Satisfied in full by the provider without forwarding: closed.
pub const RESOLVED_FAVOURABLY: &str = "resolved_favourably";
/// Decided: closed (court may follow).
pub const DECIDED: &str = "decided";

const STATES: &[StateSpec] = &[
    StateSpec {
        name: FILED,
        closed: false,
    },
    StateSpec {
        name: UNDER_REVIEW,
        closed: false,
    },
    StateSpec {
        name: EXTENDED,
        closed: false,
    },
    StateSpec {
        name: RESOLVED_FAVOURABLY,
        closed: true,
    },
    StateSpec {
        name: DECIDED,
        closed: true,
    },
];

/// Where a complaint is addressed.
pub const ADDRESSEES: &[&str] = &["provider", "quality_authority"];
/// What the review decides.
pub const DECISIONS: &[&str] = &["upheld", "partly_upheld", "rejected"];
const TEXT: FieldKind = FieldKind::Text { max_chars: 4_000 };

const fn one(name: &'static str, kind: FieldKind, required: bool) -> FieldSpec {
    FieldSpec::one(name, kind, required)
}

const FILE_FIELDS: &[FieldSpec] = &[
    one("addressed_to", FieldKind::Choice(ADDRESSEES), true),
    one("on_paper", FieldKind::Flag, true),
    one("challenged", TEXT, true),
    one("demands", TEXT, true),
];
const FORWARD_FIELDS: &[FieldSpec] = &[one("case_file", TEXT, true)];
const FAVOURABLE_FIELDS: &[FieldSpec] = &[one("act", TEXT, true)];
const EXTEND_FIELDS: &[FieldSpec] = &[
    one(
        "days",
        FieldKind::Integer {
            min: 1,
            max: EXTENSION_DAYS_MAX as i64,
        },
        true,
    ),
    one("reason", FieldKind::Integer { min: 1, max: 2 }, true),
    one("explanation", TEXT, true),
];
const DECIDE_FIELDS: &[FieldSpec] = &[
    one("decision", FieldKind::Choice(DECISIONS), true),
    one("reasons", TEXT, true),
];

const REVIEWERS: &[CaseRole] = &[CaseRole::Official, CaseRole::Named];

const TRANSITIONS: &[TransitionSpec] = &[
    TransitionSpec {
        name: "file",
        from: &[],
        to: &[FILED, UNDER_REVIEW],
        by: &[CaseRole::Party],
        fields: FILE_FIELDS,
        clause: "R-PER cl. 18-19; R-CER cl. 15",
    },
    TransitionSpec {
        name: "resolve_favourably",
        from: &[FILED, UNDER_REVIEW],
        to: &[RESOLVED_FAVOURABLY],
        by: &[CaseRole::Official],
        fields: FAVOURABLE_FIELDS,
        clause: "R-PER cl. 19",
    },
    TransitionSpec {
        name: "forward",
        from: &[FILED],
        to: &[UNDER_REVIEW],
        by: &[CaseRole::Official],
        fields: FORWARD_FIELDS,
        clause: "R-CER cl. 15",
    },
    TransitionSpec {
        name: "extend",
        from: &[UNDER_REVIEW],
        to: &[EXTENDED],
        by: REVIEWERS,
        fields: EXTEND_FIELDS,
        clause: "R-CER cl. 17",
    },
    TransitionSpec {
        name: "decide",
        from: &[UNDER_REVIEW, EXTENDED],
        to: &[DECIDED],
        by: REVIEWERS,
        fields: DECIDE_FIELDS,
        clause: "R-PER cl. 20-22; R-CER cl. 16, 18",
    },
];

/// A service's complaint.
#[derive(Debug, Clone, Copy)]
pub struct Complaint(pub ComplaintRules);

impl Complaint {
    fn to_quality_authority(data: &tanba_types::Form) -> bool {
        text(data, "addressed_to") == Some("quality_authority")
    }

    /// The reviewer of a complaint addressed as `data` says: the provider's official, or the
    /// named quality-control authority.
    fn check_reviewer(data: &tanba_types::Form, step: &StepView<'_>) -> Result<(), CaseError> {
        let reviewer = if Complaint::to_quality_authority(data) {
            CaseRole::Named
        } else {
            CaseRole::Official
        };
        if step.roles.contains(&reviewer) {
            Ok(())
        } else {
            Err(CaseError::NotYourStep(step.transition.name.to_owned()))
        }
    }

    fn open(&self, step: &StepView<'_>, context: &StepContext<'_>) -> Result<Outcome, CaseError> {
        let parent = step
            .parent
            .ok_or_else(|| CaseError::Parent(format!("a {} case", self.0.parent_kind)))?;
        if parent.opening.party != step.actor {
            return Err(CaseError::rule(
                "TANBA-COMPLAINT-NOT-THE-APPLICANT",
                format!("case {}", parent.id),
            ));
        }
        // Filed with the provider whose act it challenges (R-PER-21, R-CER-20).
        if step.opening.authority != parent.opening.authority {
            return Err(CaseError::Authority(
                "a complaint is filed with the provider of its case".into(),
            ));
        }
        let to_quality = Complaint::to_quality_authority(step.form);
        let reviewers: Vec<_> = if to_quality {
            vec![crate::service::provider_participant(
                "quality_control",
                context,
            )?]
        } else {
            Vec::new()
        };
        if step.opening.named != reviewers {
            return Err(CaseError::rule(
                "TANBA-COMPLAINT-REVIEWER",
                "name the quality-control authority the reference data names, exactly when the \
                 complaint is addressed to it",
            ));
        }
        let registered = context.calendar.registered_on(context.now_ms)?;
        let today = context.today();
        let mut outcome = Outcome::default();
        let days = if to_quality {
            QUALITY_REVIEW_DAYS
        } else {
            PROVIDER_REVIEW_DAYS
        };
        outcome.clocks.push(ClockOp::Start {
            name: REVIEW_CLOCK,
            unit: DayUnit::WorkingDays,
            days,
            on: registered,
        });
        if let Some(days) = self.0.favourable_days {
            outcome.clocks.push(ClockOp::Start {
                name: FAVOURABLE_CLOCK,
                unit: DayUnit::WorkingDays,
                days,
                on: today,
            });
        }
        match (to_quality, self.0.forward_days) {
            (true, Some(days)) => {
                outcome.clocks.push(ClockOp::Start {
                    name: FORWARD_CLOCK,
                    unit: DayUnit::WorkingDays,
                    days,
                    on: today,
                });
                outcome.to = Some(FILED);
            }
            (true, None) => outcome.to = Some(FILED),
            (false, _) => outcome.to = Some(UNDER_REVIEW),
        }
        outcome.notices.push(NoticeDraft {
            to: Addressee::Authority,
            kind: "complaint_filed",
            subject: subject("Шағым", "Жалоба", "Complaint", parent.id),
            body: same(text(step.form, "challenged").unwrap_or_default()),
        });
        Ok(outcome)
    }

    fn extend(
        &self,
        case: &CaseView<'_>,
        step: &StepView<'_>,
        context: &StepContext<'_>,
    ) -> Result<Outcome, CaseError> {
        Complaint::check_reviewer(case.data, step)?;
        let reasons = self.0.extension_reasons;
        let Some(notice) = self.0.extension_notice.filter(|_| !reasons.is_empty()) else {
            return Err(CaseError::rule(
                "TANBA-COMPLAINT-NO-EXTENSION",
                self.0.text_version,
            ));
        };
        let days = integer(step.form, "days").expect("a checked field");
        let reason = integer(step.form, "reason").expect("a checked field");
        let wording = usize::try_from(reason - 1)
            .ok()
            .and_then(|index| reasons.get(index))
            .expect("a checked field of 1 or 2");
        let on_paper = matches!(
            case.data.get("on_paper"),
            Some(tanba_types::FieldValue::One(tanba_types::Scalar::Flag(
                true
            )))
        );
        // R-CER-10: the notice goes at once (inside the 3 WD), with the reasons, in the form the
        // complaint came in.
        let form = if on_paper {
            "қағаз / бумажная / paper"
        } else {
            "электрондық / электронная / electronic"
        };
        let explanation = text(step.form, "explanation").unwrap_or_default();
        let days = u32::try_from(days).expect("a checked field of 1 to 10");
        let until = extended_until(case, days, context)?;
        let reason = Texts {
            kk: format!("{} {explanation} ({form})", wording.kk),
            ru: format!("{} {explanation} ({form})", wording.ru),
            en: format!("{} {explanation} ({form})", wording.en),
        };
        let mut outcome = Outcome::default();
        outcome.clocks.push(ClockOp::Extend {
            name: REVIEW_CLOCK,
            days,
        });
        outcome.notices.push(NoticeDraft {
            to: Addressee::Party,
            kind: if on_paper {
                "complaint_extended_paper"
            } else {
                "complaint_extended_electronic"
            },
            subject: subject(
                "Шағымды қарау мерзімі ұзартылды",
                "Срок рассмотрения жалобы продлён",
                "The complaint's review term is extended",
                case.id,
            ),
            body: crate::service::fill(
                notice,
                &[
                    ("days", &same(days.to_string())),
                    ("reason", &reason),
                    ("until", &same(until)),
                ],
            ),
        });
        Ok(outcome)
    }
}

/// The day the review term ends once extended by `days`.
fn extended_until(
    case: &CaseView<'_>,
    days: u32,
    context: &StepContext<'_>,
) -> Result<String, CaseError> {
    let mut review = case
        .clocks
        .get(REVIEW_CLOCK)
        .cloned()
        .ok_or_else(|| CaseError::rule("TANBA-CASE-WRONG-STATE", REVIEW_CLOCK))?;
    review.extend(context.calendar, days)?;
    Ok(review
        .due()
        .map_or_else(String::new, |due| due.day.to_string()))
}

impl Definition for Complaint {
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

    /// Any applicant (the rule that it is the case's own applicant is checked on opening).
    fn clocks(&self) -> &'static [&'static str] {
        &[REVIEW_CLOCK, FORWARD_CLOCK, FAVOURABLE_CLOCK]
    }

    fn opener_roles(&self) -> &'static [Role] {
        &[]
    }

    fn requires_authority(&self) -> bool {
        true
    }

    fn parent_kind(&self) -> Option<&'static str> {
        Some(self.0.parent_kind)
    }

    /// A complaint about a state service is one of its stages for the monitoring body.
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
            ("file", None) => return self.open(step, context),
            ("resolve_favourably", Some(_)) => {
                if self.0.favourable_days.is_none() {
                    return Err(CaseError::rule(
                        "TANBA-COMPLAINT-NO-FAVOURABLE-ACT",
                        self.0.text_version,
                    ));
                }
                outcome.clocks.push(ClockOp::Stop(FAVOURABLE_CLOCK));
            }
            ("forward", Some(case)) => {
                if !Complaint::to_quality_authority(case.data) {
                    return Err(CaseError::rule(
                        "TANBA-COMPLAINT-REVIEWER",
                        "a complaint addressed to the provider is reviewed by it",
                    ));
                }
                if self.0.forward_days.is_some() {
                    outcome.clocks.push(ClockOp::Stop(FORWARD_CLOCK));
                }
                outcome.notices.push(NoticeDraft {
                    to: Addressee::Participant(case.opening.named[0]),
                    kind: "complaint_forwarded",
                    subject: subject("Шағым", "Жалоба", "Complaint", case.id),
                    body: same(text(step.form, "case_file").unwrap_or_default()),
                });
            }
            ("extend", Some(case)) => return self.extend(case, step, context),
            ("decide", Some(case)) => {
                Complaint::check_reviewer(case.data, step)?;
                outcome.clocks.push(ClockOp::Stop(REVIEW_CLOCK));
                let decision = text(step.form, "decision").expect("a checked field");
                outcome.notices.push(NoticeDraft {
                    to: Addressee::Party,
                    kind: "complaint_decided",
                    subject: subject(
                        "Шағым бойынша шешім",
                        "Решение по жалобе",
                        "Decision on the complaint",
                        case.id,
                    ),
                    body: Texts {
                        kk: format!("{decision}. Келіспеген жағдайда сотқа жүгінуге болады."),
                        ru: format!("{decision}. При несогласии можно обратиться в суд."),
                        en: format!("{decision}. If you disagree, you may go to court."),
                    },
                });
            }
            (name, _) => unreachable!("the executor passes only complaint steps, not {name}"),
        }
        Ok(outcome)
    }
}
