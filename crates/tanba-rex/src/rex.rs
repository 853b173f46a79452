//! The verification case (WORKFLOWS 2.3, T1-T6).
//!
//! The trade authority opens it when an official request from Norway or Switzerland reaches it
//! (R-REX-01): the foreign authority has no key in Tanba, so its request is the opening's
//! attachment and the authority's signature registers it. The authorized organization
//! (Atameken) is named in the opening and takes its one step, sending the registration file,
//! with its own key. Every phase runs inside the 30 WD of D-REX-1; the conclusion is entered in
//! the importing countries' digital system (REX today, a parameter since the 2026 amendment,
//! R-REX-10) by the authority with its own login there, which Tanba never holds (R-REX-08).

use tanba_cases::CaseError;
use tanba_cases::definition::{
    Addressee, CaseRole, CaseView, ClockOp, Definition, FieldKind, FieldSpec, NoticeDraft, Outcome,
    Shape, StateSpec, StepContext, StepView, TransitionSpec,
};
use tanba_cases::form::{moment, text};
use tanba_cases::service::{self, fill, join, numbered, same, subject};
use tanba_types::{DayUnit, FieldValue, Form, Role, Rung, Scalar, Texts};

use crate::wording;

/// The request is registered (T1).
pub const REQUEST_RECEIVED: &str = "request_received";
/// The registration file is asked of the authorized organization (T2).
pub const DOCUMENTS_REQUESTED: &str = "documents_requested";
/// The file arrived (T3).
pub const DOCUMENTS_RECEIVED: &str = "documents_received";
/// The documents and the system's data are checked (T4).
pub const VERIFIED: &str = "verified";
/// The conclusion is formed and entered, no revocation due (T5): closed.
pub const CONCLUDED: &str = "concluded";
/// The conclusion is formed and a revocation condition holds: the application is due (T5).
pub const CONCLUSION_ISSUED: &str = "conclusion_issued";
/// The revocation is applied for (T6): closed.
pub const REVOCATION_REQUESTED: &str = "revocation_requested";

const STATES: &[StateSpec] = &[
    StateSpec {
        name: REQUEST_RECEIVED,
        closed: false,
    },
    StateSpec {
        name: DOCUMENTS_REQUESTED,
        closed: false,
    },
    StateSpec {
        name: DOCUMENTS_RECEIVED,
        closed: false,
    },
    StateSpec {
        name: VERIFIED,
        closed: false,
    },
    StateSpec {
        name: CONCLUDED,
        closed: true,
    },
    StateSpec {
        name: CONCLUSION_ISSUED,
        closed: false,
    },
    StateSpec {
        name: REVOCATION_REQUESTED,
        closed: true,
    },
];

/// D-REX-1: 30 WD from the request's arrival, the whole verification.
pub const WHOLE_CLOCK: &str = "D-REX-1";
/// D-REX-2: 3 WD from the request's arrival, the ask to the authorized organization.
pub const ASK_CLOCK: &str = "D-REX-2";
/// D-REX-3: 5 WD from the ask reaching the authorized organization, its documents.
pub const DOCUMENTS_CLOCK: &str = "D-REX-3";
/// D-REX-4: 7 WD from the documents, the check.
pub const CHECK_CLOCK: &str = "D-REX-4";
/// D-REX-5: 7 WD from the check (A-REX-1), the conclusion.
pub const CONCLUSION_CLOCK: &str = "D-REX-5";
/// D-REX-6: 3 WD from the conclusion (A-REX-1), the revocation application.
pub const REVOCATION_CLOCK: &str = "D-REX-6";
/// The terms in working days, by clock.
pub const TERMS: [(&str, u32); 6] = [
    (WHOLE_CLOCK, 30),
    (ASK_CLOCK, 3),
    (DOCUMENTS_CLOCK, 5),
    (CHECK_CLOCK, 7),
    (CONCLUSION_CLOCK, 7),
    (REVOCATION_CLOCK, 3),
];
/// The importing countries whose requests start a verification (R-REX-01): Norway and
/// Switzerland.
pub const REQUESTING_STATES: &[&str] = &["NO", "CH"];

const TEXT: FieldKind = FieldKind::Text { max_chars: 4_000 };
const SHORT: FieldKind = FieldKind::Text { max_chars: 255 };

const fn one(name: &'static str, kind: FieldKind, required: bool) -> FieldSpec {
    FieldSpec::one(name, kind, required)
}

const fn conditions(name: &'static str, required: bool) -> FieldSpec {
    FieldSpec {
        name,
        kind: FieldKind::Integer { min: 1, max: 3 },
        shape: Shape::List { max: 3 },
        required,
    }
}

const REGISTER_FIELDS: &[FieldSpec] = &[
    one("requesting_state", FieldKind::Country, true),
    one("request_reference", SHORT, true),
    one("request_received_at", FieldKind::PastMoment, true),
    one("target_system", SHORT, true),
    one("exporter_name", SHORT, true),
    one("exporter_taxpayer", FieldKind::Taxpayer, true),
    one("exporter_registration_number", SHORT, true),
    one("goods", TEXT, false),
];
const ASK_FIELDS: &[FieldSpec] = &[one("ask_note", TEXT, false)];
const SEND_FIELDS: &[FieldSpec] = &[one("documents_note", TEXT, true)];
const VERIFY_FIELDS: &[FieldSpec] = &[
    one("documents_complete", FieldKind::Flag, true),
    one("system_data_correct", FieldKind::Flag, true),
    one("findings", TEXT, true),
];
const CONCLUDE_FIELDS: &[FieldSpec] = &[
    one("registration_justified", FieldKind::Flag, true),
    one("conclusion", TEXT, true),
    one("entered_in_target_system", FieldKind::Flag, true),
    one("target_system_reference", SHORT, true),
    conditions("conditions_found", false),
];
const REVOKE_FIELDS: &[FieldSpec] = &[
    conditions("conditions", true),
    one("application_note", TEXT, false),
];
const EVIDENCE_FIELDS: &[FieldSpec] = &[one("evidence_note", TEXT, true)];

const AUTHORITY: &[CaseRole] = &[CaseRole::Party];
const OPEN_STATES: &[&str] = &[
    REQUEST_RECEIVED,
    DOCUMENTS_REQUESTED,
    DOCUMENTS_RECEIVED,
    VERIFIED,
    CONCLUSION_ISSUED,
];

const TRANSITIONS: &[TransitionSpec] = &[
    TransitionSpec {
        name: "register_request",
        from: &[],
        to: &[REQUEST_RECEIVED],
        by: AUTHORITY,
        fields: REGISTER_FIELDS,
        clause: "cl. 3, 4, 5",
    },
    TransitionSpec {
        name: "request_documents",
        from: &[REQUEST_RECEIVED],
        to: &[DOCUMENTS_REQUESTED],
        by: AUTHORITY,
        fields: ASK_FIELDS,
        clause: "cl. 7",
    },
    TransitionSpec {
        name: "send_documents",
        from: &[DOCUMENTS_REQUESTED],
        to: &[DOCUMENTS_RECEIVED],
        by: &[CaseRole::Named],
        fields: SEND_FIELDS,
        clause: "cl. 8",
    },
    TransitionSpec {
        name: "verify",
        from: &[DOCUMENTS_RECEIVED],
        to: &[VERIFIED],
        by: AUTHORITY,
        fields: VERIFY_FIELDS,
        clause: "cl. 9",
    },
    TransitionSpec {
        name: "conclude",
        from: &[VERIFIED],
        to: &[CONCLUDED, CONCLUSION_ISSUED],
        by: AUTHORITY,
        fields: CONCLUDE_FIELDS,
        clause: "cl. 10 para 1",
    },
    TransitionSpec {
        name: "request_revocation",
        from: &[CONCLUSION_ISSUED],
        to: &[REVOCATION_REQUESTED],
        by: AUTHORITY,
        fields: REVOKE_FIELDS,
        clause: "cl. 10 para 2",
    },
    TransitionSpec {
        name: "attach_evidence",
        from: OPEN_STATES,
        to: OPEN_STATES,
        by: AUTHORITY,
        fields: EVIDENCE_FIELDS,
        clause: "cl. 9",
    },
];

/// The verification procedure.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rex;

/// Its kind name.
pub const KIND: &str = "rex";

impl Definition for Rex {
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

    /// The authorized body in the field of trade (R-REX-09).
    fn clocks(&self) -> &'static [&'static str] {
        &[
            WHOLE_CLOCK,
            ASK_CLOCK,
            DOCUMENTS_CLOCK,
            CHECK_CLOCK,
            CONCLUSION_CLOCK,
            REVOCATION_CLOCK,
        ]
    }

    fn opener_roles(&self) -> &'static [Role] {
        &[Role::Authority]
    }

    fn requires_authority(&self) -> bool {
        true
    }

    fn decide(
        &self,
        case: Option<&CaseView<'_>>,
        step: &StepView<'_>,
        context: &StepContext<'_>,
    ) -> Result<Outcome, CaseError> {
        let today = context.today();
        let mut outcome = Outcome::default();
        match (step.transition.name, case) {
            ("register_request", None) => return register(step, context),
            ("request_documents", Some(case)) => {
                outcome.clocks.push(ClockOp::Stop(ASK_CLOCK));
                outcome.clocks.push(start(DOCUMENTS_CLOCK, today));
                outcome.notices.push(documents_request(case));
            }
            ("send_documents", Some(case)) => {
                if step.attachments.is_empty() {
                    return Err(CaseError::rule(
                        "TANBA-REX-DOCUMENTS",
                        "the application copy and the origin documents (cl. 7, 8; A-REX-3)",
                    ));
                }
                outcome.clocks.push(ClockOp::Stop(DOCUMENTS_CLOCK));
                outcome.clocks.push(start(CHECK_CLOCK, today));
                outcome.notices.push(NoticeDraft {
                    to: Addressee::Party,
                    kind: "rex_documents_received",
                    subject: subject(
                        "Құжаттар келіп түсті",
                        "Документы поступили",
                        "The documents arrived",
                        case.id,
                    ),
                    body: same(text(step.form, "documents_note").unwrap_or("-")),
                });
            }
            ("verify", Some(_)) => {
                outcome.clocks.push(ClockOp::Stop(CHECK_CLOCK));
                outcome.clocks.push(start(CONCLUSION_CLOCK, today));
            }
            ("conclude", Some(_)) => return conclude(step, today),
            ("request_revocation", Some(case)) => {
                let found = listed(case.data, "conditions_found");
                let asked = listed(step.form, "conditions");
                if let Some(condition) = asked.iter().find(|number| !found.contains(number)) {
                    return Err(CaseError::rule(
                        "TANBA-REX-CONDITION",
                        format!("condition {condition} is not in the conclusion"),
                    ));
                }
                outcome.notices.push(revocation_application(case, &asked));
            }
            ("attach_evidence", Some(_)) => {
                if step.attachments.is_empty() {
                    return Err(CaseError::rule(
                        "TANBA-REX-DOCUMENTS",
                        "the evidence itself",
                    ));
                }
            }
            (name, _) => unreachable!("the executor passes only {KIND} steps, not {name}"),
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
        if rung == Rung::Overdue {
            outcome
                .notices
                .push(service::overdue_notice("rex_overdue", case.id, clock));
            if clock == DOCUMENTS_CLOCK {
                let mut late = service::overdue_notice("rex_overdue", case.id, clock);
                late.to = Addressee::Participant(case.opening.named[0]);
                outcome.notices.push(late);
            }
        }
        Ok(outcome)
    }
}

fn start(name: &'static str, on: tanba_types::Date) -> ClockOp {
    let days = TERMS
        .iter()
        .find(|(clock, _)| *clock == name)
        .map(|(_, days)| *days)
        .expect("every clock has its term");
    ClockOp::Start {
        name,
        unit: DayUnit::WorkingDays,
        days,
        on,
    }
}

/// T1: the official request registered by the authority itself, with the request attached,
/// naming the authorized organization; the whole term and the ask's run from its arrival.
fn register(step: &StepView<'_>, context: &StepContext<'_>) -> Result<Outcome, CaseError> {
    let form = step.form;
    if step.opening.authority != Some(step.actor) {
        return Err(CaseError::Authority(
            "the trade authority registers its own verification".into(),
        ));
    }
    if step.opening.authority != Some(service::provider_participant("rex", context)?) {
        return Err(CaseError::rule(
            "TANBA-SERVICE-NOT-THE-PROVIDER",
            "rex: the trade authority the reference data names",
        ));
    }
    let organization = service::provider_participant("rex_organization", context)?;
    if step.opening.named != [organization] {
        return Err(CaseError::rule(
            "TANBA-REX-ORGANIZATION",
            format!("name the authorized organization (Atameken), {organization}, once"),
        ));
    }
    let state = text(form, "requesting_state").unwrap_or_default();
    if !REQUESTING_STATES.contains(&state) {
        return Err(CaseError::rule(
            "TANBA-REX-REQUESTING-STATE",
            state.to_owned(),
        ));
    }
    if step.attachments.is_empty() {
        return Err(CaseError::rule(
            "TANBA-REX-DOCUMENTS",
            "the importing country's official request",
        ));
    }
    let received_ms = moment(form, "request_received_at").expect("a checked field");
    let arrived = context.calendar.local(received_ms).0;
    let mut outcome = Outcome::default();
    outcome.clocks.push(start(WHOLE_CLOCK, arrived));
    outcome.clocks.push(start(ASK_CLOCK, arrived));
    Ok(outcome)
}

/// T5: the conclusion, entered in the target system; with a revocation condition found
/// (A-REX-2: any one suffices), the application to revoke is due within 3 WD (A-REX-1).
fn conclude(step: &StepView<'_>, today: tanba_types::Date) -> Result<Outcome, CaseError> {
    let entered = matches!(
        step.form.get("entered_in_target_system"),
        Some(FieldValue::One(Scalar::Flag(true)))
    );
    if !entered {
        return Err(CaseError::rule(
            "TANBA-REX-NOT-ENTERED",
            "the results are indicated in the target system (cl. 10)",
        ));
    }
    let found = listed(step.form, "conditions_found");
    let mut outcome = Outcome::default();
    outcome.clocks.push(ClockOp::Stop(CONCLUSION_CLOCK));
    if found.is_empty() {
        outcome.to = Some(CONCLUDED);
    } else {
        outcome.to = Some(CONCLUSION_ISSUED);
        outcome.clocks.push(start(REVOCATION_CLOCK, today));
    }
    Ok(outcome)
}

fn listed(form: &Form, name: &str) -> Vec<i64> {
    match form.get(name) {
        Some(FieldValue::List(values)) => values
            .iter()
            .filter_map(|value| match value {
                Scalar::Integer(number) => Some(*number),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn exporter(case: &CaseView<'_>) -> Texts {
    same(format!(
        "{} ({}, {})",
        text(case.data, "exporter_name").unwrap_or("-"),
        match tanba_cases::form::one(case.data, "exporter_taxpayer") {
            Some(Scalar::Taxpayer(id)) => id.to_string(),
            _ => "-".into(),
        },
        text(case.data, "exporter_registration_number").unwrap_or("-"),
    ))
}

/// R-REX-03: the ask to the authorized organization for the registration file.
fn documents_request(case: &CaseView<'_>) -> NoticeDraft {
    let request = same(format!(
        "{} {}",
        text(case.data, "requesting_state").unwrap_or("-"),
        text(case.data, "request_reference").unwrap_or("-"),
    ));
    NoticeDraft {
        to: Addressee::Participant(case.opening.named[0]),
        kind: "rex_documents_requested",
        subject: subject(
            "Экспорттаушының тіркеу құжаттарын ұсыну туралы сұрау",
            "Запрос документов регистрации экспортёра",
            "Request for the exporter's registration documents",
            case.id,
        ),
        body: fill(
            &wording::DOCUMENTS_REQUEST,
            &[("exporter", &exporter(case)), ("request", &request)],
        ),
    }
}

/// R-REX-07: the application to revoke, naming the conditions found.
fn revocation_application(case: &CaseView<'_>, conditions: &[i64]) -> NoticeDraft {
    let grounds: Vec<&tanba_cases::Ground> = conditions
        .iter()
        .filter_map(|number| u8::try_from(*number).ok())
        .filter_map(|number| tanba_cases::wording::ground(&wording::REVOCATION_CONDITIONS, number))
        .collect();
    NoticeDraft {
        to: Addressee::Participant(case.opening.named[0]),
        kind: "rex_revocation_requested",
        subject: subject(
            "Экспорттаушының тіркелуін кері қайтарып алу туралы өтініш",
            "Заявление об отзыве регистрации экспортёра",
            "Application to revoke the exporter's registration",
            case.id,
        ),
        body: join(
            &[fill(
                &wording::REVOCATION_APPLICATION,
                &[
                    ("exporter", &exporter(case)),
                    ("conditions", &numbered(&grounds)),
                ],
            )],
            "\n",
        ),
    }
}
