//! The permit case (WORKFLOWS 3.3, T1-T15).
//!
//! Intake (T1-T5) is one step: the applicant's signed application with its documents arrives
//! through the portal or the State Corporation; Tanba checks the set at once, as the State
//! Corporation employee does (R-PER-03, A-PER-10), and either refuses to accept it with the
//! receipt listing what is missing or expired, or registers it on the day the intake rule gives
//! (R-PER-14) and answers with the receipt of acceptance and the result date (R-PER-12, R-PER-13).
//! The text's transient intake states (submitted, accepted at the State Corporation) are inside
//! that one atomic step. Under review, the two tracks of T7-T10 (the export-control bodies'
//! answers and risk assessment; the MFA's confirmation) are recorded steps whose order the
//! definition checks; the 30-WD clock is paused while the MFA or a foreign body is awaited
//! (A-PER-2).

use tanba_cases::CaseError;
use tanba_cases::definition::{
    CaseRole, CaseView, ClockOp, Definition, FieldKind, FieldSpec, Outcome, Shape, StateSpec,
    StepContext, StepView, TransitionSpec,
};
use tanba_cases::form::{date, text};
use tanba_cases::service::{
    self, Document, SIGNER_FIELDS, document_columns, documents_field, grounds_field,
};
use tanba_types::{
    Date, DayUnit, ExportAuthorization, FieldValue, Form, GoodsRequest, Role, Rung, Scalar,
};

use crate::texts;
use crate::wording;

/// Registered, awaiting the completeness check (T5).
pub const REGISTERED: &str = "registered";
/// Refused at intake: incomplete or expired documents (T2): closed.
pub const INTAKE_REFUSED: &str = "intake_refused";
/// Refused further consideration: incomplete (T6): closed.
pub const REFUSED_INCOMPLETE: &str = "refused_incomplete";
/// Under review: requests, risk assessment, MFA confirmation (T7-T10, T15).
pub const UNDER_REVIEW: &str = "under_review";
/// The permit is issued and valid (T11, T13).
pub const ISSUED: &str = "issued";
/// Refused on a ground of List row 9 (T12): closed.
pub const REFUSED: &str = "refused";
/// The permit's validity ended (T14): closed.
pub const EXPIRED: &str = "expired";
/// The permit was revoked (Tanba's: not in Order 355, for a court act after issue): closed.
pub const REVOKED: &str = "revoked";

const STATES: &[StateSpec] = &[
    StateSpec {
        name: REGISTERED,
        closed: false,
    },
    StateSpec {
        name: INTAKE_REFUSED,
        closed: true,
    },
    StateSpec {
        name: REFUSED_INCOMPLETE,
        closed: true,
    },
    StateSpec {
        name: UNDER_REVIEW,
        closed: false,
    },
    StateSpec {
        name: ISSUED,
        closed: false,
    },
    StateSpec {
        name: REFUSED,
        closed: true,
    },
    StateSpec {
        name: EXPIRED,
        closed: true,
    },
    StateSpec {
        name: REVOKED,
        closed: true,
    },
];

/// D-PER-2: 2 WD from registration, the completeness check.
pub const COMPLETENESS_CLOCK: &str = "D-PER-2";
/// D-PER-3: 5 WD from the export-control bodies' answers, the risk assessment.
pub const RISK_CLOCK: &str = "D-PER-3";
/// D-PER-4: 30 WD from registration, the whole service, paused while the MFA or a foreign body
/// is awaited (A-PER-2, A-PER-3).
pub const SERVICE_CLOCK: &str = "D-PER-4";
/// D-PER-5: the permit's validity, to its last valid day.
pub const VALIDITY_CLOCK: &str = "D-PER-5";
/// Working days of D-PER-2.
pub const COMPLETENESS_DAYS: u32 = 2;
/// Working days of D-PER-3.
pub const RISK_DAYS: u32 = 5;
/// Working days of D-PER-4.
pub const SERVICE_DAYS: u32 = 30;
/// The permit's document series (the text states no numbering: `PER-2026-000001`).
pub const SERIES: &str = "PER";

/// The channels of application (R-PER-02).
pub const CHANNELS: &[&str] = &["portal", "state_corporation"];
/// Who applies (R-PER-11, R-PER-17).
pub const APPLICANT_TYPES: &[&str] = &["legal_entity", "individual", "individual_entrepreneur"];
/// The documents an application lists (R-PER-02, R-PER-17).
pub const DOCUMENT_KINDS: &[&str] = &[
    "guarantee_obligation",
    "contract",
    "intent_document",
    "registration_certificate",
    "identity_document",
    "entrepreneur_certificate",
    "power_of_attorney",
    "other",
];
/// A-PER-8: the earlier export licence is given, or the application says there is none.
pub const PREVIOUS_LICENCE: &[&str] = &["given", "none"];

const TEXT: FieldKind = FieldKind::Text { max_chars: 4_000 };
const SHORT: FieldKind = FieldKind::Text { max_chars: 255 };

const fn one(name: &'static str, kind: FieldKind, required: bool) -> FieldSpec {
    FieldSpec::one(name, kind, required)
}

const fn texts(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        kind: SHORT,
        shape: Shape::List { max: 32 },
        required: true,
    }
}

const DOCUMENT_COLUMNS: [FieldSpec; 5] = document_columns(DOCUMENT_KINDS);

/// The application (List app. 1, F1) and the information form (List app. 2, F2) with the list
/// of documents (row 8).
const APPLY_FIELDS: &[FieldSpec] = &[
    one("channel", FieldKind::Choice(CHANNELS), true),
    one("copies_certified", FieldKind::Flag, false),
    one("seal_affixed", FieldKind::Flag, false),
    // F1 field 2.
    one("applicant_type", FieldKind::Choice(APPLICANT_TYPES), true),
    one("applicant_name", SHORT, true),
    one("applicant_taxpayer", FieldKind::Taxpayer, false),
    one("branch_taxpayer", FieldKind::Taxpayer, false),
    one("foreign_registration", SHORT, false),
    one("registration_country", FieldKind::Country, false),
    one("applicant_address", SHORT, true),
    one("applicant_phone", SHORT, true),
    // Fields 3-6.
    one("consignor_country", FieldKind::Country, true),
    one("recipient_country", FieldKind::Country, true),
    one("end_user_name", SHORT, true),
    one("end_user_address", SHORT, true),
    one("end_user_phone", SHORT, true),
    one(
        "basis_kind",
        FieldKind::Choice(&["contract", "other_document"]),
        true,
    ),
    one("basis_number", SHORT, true),
    one("basis_signed_on", FieldKind::Date, true),
    // Fields 7-13: the goods.
    one("goods_name", SHORT, true),
    one("hs_code", FieldKind::HsCode, true),
    one("control_code", FieldKind::ControlListCode, true),
    one("unit", FieldKind::Unit, true),
    one("additional_unit", FieldKind::Unit, false),
    one("quantity", FieldKind::PositiveDecimal, true),
    one("currency", FieldKind::Currency, true),
    one("value", FieldKind::PositiveDecimal, true),
    // Field 14.
    one("head_name", SHORT, false),
    one("completed_on", FieldKind::Date, true),
    // F2.
    one("state_registration_number", SHORT, false),
    one("state_registration_date", FieldKind::Date, false),
    one("identity_document", SHORT, false),
    one("entrepreneur_certificate", SHORT, false),
    one(
        "previous_licence",
        FieldKind::Choice(PREVIOUS_LICENCE),
        true,
    ),
    one("previous_licence_number", SHORT, false),
    one("previous_licence_date", FieldKind::Date, false),
    // Ground 16 and permit field 16.
    one("consents_to_personal_data", FieldKind::Flag, true),
    documents_field(&DOCUMENT_COLUMNS),
];
const REFUSE_INCOMPLETE_FIELDS: &[FieldSpec] =
    &[texts("missing"), SIGNER_FIELDS[0], SIGNER_FIELDS[1]];
const CONFIRM_COMPLETE_FIELDS: &[FieldSpec] = &[texts("bodies"), one("mfa_referral", SHORT, true)];
const ANSWERS_FIELDS: &[FieldSpec] = &[
    one("answers", TEXT, true),
    one("answers_negative", FieldKind::Flag, true),
];
const RISK_FIELDS: &[FieldSpec] = &[
    one(
        "risk_result",
        FieldKind::Choice(&["positive", "negative"]),
        true,
    ),
    one("risk_summary", TEXT, true),
];
const MFA_FIELDS: &[FieldSpec] = &[
    one(
        "mfa_result",
        FieldKind::Choice(&["confirmed", "not_confirmed"]),
        true,
    ),
    one("mfa_answer", SHORT, true),
];
const FOREIGN_REQUEST_FIELDS: &[FieldSpec] = &[
    one("foreign_body", SHORT, true),
    one("foreign_question", TEXT, true),
];
const FOREIGN_ANSWER_FIELDS: &[FieldSpec] = &[one("foreign_information", TEXT, true)];
const REQUEST_DOCUMENTS_FIELDS: &[FieldSpec] = &[one("requested", TEXT, true)];
const PROVIDE_DOCUMENTS_FIELDS: &[FieldSpec] = &[one("provided", TEXT, true)];
const ISSUE_FIELDS: &[FieldSpec] = &[
    one("valid_until", FieldKind::Date, true),
    one("agreed_by", TEXT, true),
    one("special_conditions", TEXT, false),
    SIGNER_FIELDS[0],
    SIGNER_FIELDS[1],
];
const REFUSE_FIELDS: &[FieldSpec] = &[
    grounds_field(16),
    one("reasons", TEXT, true),
    SIGNER_FIELDS[0],
    SIGNER_FIELDS[1],
];
const HAND_OVER_FIELDS: &[FieldSpec] = &[one(
    "handed_over",
    FieldKind::Choice(&["in_person", "electronic"]),
    true,
)];
const REVOKE_FIELDS: &[FieldSpec] = &[
    one("revocation_reason", TEXT, true),
    SIGNER_FIELDS[0],
    SIGNER_FIELDS[1],
];

const OFFICIAL: &[CaseRole] = &[CaseRole::Official];
const REVIEW: &[&str] = &[UNDER_REVIEW];

const TRANSITIONS: &[TransitionSpec] = &[
    TransitionSpec {
        name: "apply",
        from: &[],
        to: &[REGISTERED, INTAKE_REFUSED],
        by: &[CaseRole::Party],
        fields: APPLY_FIELDS,
        clause: "cl. 6, 8, 9, 11; row 7, 8",
    },
    TransitionSpec {
        name: "refuse_incomplete",
        from: &[REGISTERED],
        to: &[REFUSED_INCOMPLETE],
        by: OFFICIAL,
        fields: REFUSE_INCOMPLETE_FIELDS,
        clause: "cl. 12",
    },
    TransitionSpec {
        name: "confirm_complete",
        from: &[REGISTERED],
        to: &[UNDER_REVIEW],
        by: OFFICIAL,
        fields: CONFIRM_COMPLETE_FIELDS,
        clause: "cl. 13, 14",
    },
    TransitionSpec {
        name: "record_answers",
        from: REVIEW,
        to: REVIEW,
        by: OFFICIAL,
        fields: ANSWERS_FIELDS,
        clause: "cl. 13",
    },
    TransitionSpec {
        name: "assess_risk",
        from: REVIEW,
        to: REVIEW,
        by: OFFICIAL,
        fields: RISK_FIELDS,
        clause: "cl. 13",
    },
    TransitionSpec {
        name: "record_mfa_confirmation",
        from: REVIEW,
        to: REVIEW,
        by: OFFICIAL,
        fields: MFA_FIELDS,
        clause: "cl. 10, 14",
    },
    TransitionSpec {
        name: "request_foreign_information",
        from: REVIEW,
        to: REVIEW,
        by: OFFICIAL,
        fields: FOREIGN_REQUEST_FIELDS,
        clause: "cl. 10",
    },
    TransitionSpec {
        name: "record_foreign_information",
        from: REVIEW,
        to: REVIEW,
        by: OFFICIAL,
        fields: FOREIGN_ANSWER_FIELDS,
        clause: "cl. 10",
    },
    TransitionSpec {
        name: "request_documents",
        from: REVIEW,
        to: REVIEW,
        by: OFFICIAL,
        fields: REQUEST_DOCUMENTS_FIELDS,
        clause: "cl. 14 para 2",
    },
    TransitionSpec {
        name: "provide_documents",
        from: REVIEW,
        to: REVIEW,
        by: &[CaseRole::Party],
        fields: PROVIDE_DOCUMENTS_FIELDS,
        clause: "cl. 14 para 2",
    },
    TransitionSpec {
        name: "issue",
        from: REVIEW,
        to: &[ISSUED],
        by: OFFICIAL,
        fields: ISSUE_FIELDS,
        clause: "cl. 7, 10, 15; row 5",
    },
    TransitionSpec {
        name: "refuse",
        from: REVIEW,
        to: &[REFUSED],
        by: OFFICIAL,
        fields: REFUSE_FIELDS,
        clause: "cl. 15; row 9",
    },
    TransitionSpec {
        name: "hand_over",
        from: &[ISSUED],
        to: &[ISSUED],
        by: OFFICIAL,
        fields: HAND_OVER_FIELDS,
        clause: "cl. 15 para 3, 16",
    },
    TransitionSpec {
        name: "revoke",
        from: &[ISSUED],
        to: &[REVOKED],
        by: OFFICIAL,
        fields: REVOKE_FIELDS,
        clause: "not in Order 355: Tanba's, for an act after issue",
    },
];

/// The permit procedure.
#[derive(Debug, Clone, Copy, Default)]
pub struct Permit;

/// Its kind name.
pub const KIND: &str = "permit";

impl Definition for Permit {
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

    /// A foreign person or its authorized representative, registered in Tanba by its BIN or
    /// its branch's (R-PER-11, A-PER-7): any participant.
    fn clocks(&self) -> &'static [&'static str] {
        &[
            COMPLETENESS_CLOCK,
            RISK_CLOCK,
            SERVICE_CLOCK,
            VALIDITY_CLOCK,
        ]
    }

    fn opener_roles(&self) -> &'static [Role] {
        &[]
    }

    /// The provider (R-PER-11).
    fn requires_authority(&self) -> bool {
        true
    }

    /// Every stage goes to the state-services monitoring system.
    fn monitored(&self) -> bool {
        true
    }

    fn number_series(&self) -> &'static [&'static str] {
        &[SERIES]
    }

    fn decide(
        &self,
        case: Option<&CaseView<'_>>,
        step: &StepView<'_>,
        context: &StepContext<'_>,
    ) -> Result<Outcome, CaseError> {
        match (step.transition.name, case) {
            ("apply", None) => apply(step, context),
            (_, Some(case)) => review_step(case, step, context),
            (name, None) => unreachable!("{name} is not an opening"),
        }
    }

    fn on_rung(
        &self,
        case: &CaseView<'_>,
        clock: &str,
        rung: Rung,
        _context: &StepContext<'_>,
    ) -> Result<Outcome, CaseError> {
        let mut outcome = Outcome::default();
        match (clock, rung) {
            (VALIDITY_CLOCK, Rung::Overdue) => {
                outcome.to = Some(EXPIRED);
                outcome.notices.push(texts::expired(case));
                outcome.goods.push(GoodsRequest::EndAuthorization);
            }
            (VALIDITY_CLOCK, Rung::Approaching) => outcome.notices.push(texts::expiring(case)),
            (_, Rung::Overdue) => outcome.notices.push(texts::overdue(case, clock)),
            _ => {}
        }
        Ok(outcome)
    }
}

/// T1-T5: intake, then the refusal receipt or registration.
fn apply(step: &StepView<'_>, context: &StepContext<'_>) -> Result<Outcome, CaseError> {
    let form = step.form;
    service::check_provider(step, "permit", context)?;
    if !step.opening.named.is_empty() {
        return Err(CaseError::rule(
            "TANBA-PERMIT-NAMES-NOBODY",
            "a permit's case names no other party",
        ));
    }
    check_application(form, context.today())?;
    let listed = service::documents(form);
    service::check_files(&listed, step.attachments)?;
    service::check_translations(step.attachments, &[])?;
    let today = context.today();
    let problems = service::intake_problems(&listed, &required_documents(form), today);
    let mut outcome = Outcome::default();
    if !problems.is_empty() {
        outcome.to = Some(INTAKE_REFUSED);
        outcome.notices.push(texts::intake_refusal(form, &problems));
        return Ok(outcome);
    }
    let registered = context.calendar.registered_on(context.now_ms)?;
    let result_due = context
        .calendar
        .due_after_working_days(registered, SERVICE_DAYS)?;
    outcome.to = Some(REGISTERED);
    for (name, days) in [
        (COMPLETENESS_CLOCK, COMPLETENESS_DAYS),
        (SERVICE_CLOCK, SERVICE_DAYS),
    ] {
        outcome.clocks.push(ClockOp::Start {
            name,
            unit: DayUnit::WorkingDays,
            days,
            on: registered,
        });
    }
    outcome
        .notices
        .push(texts::accepted(step.case, registered, result_due.day));
    outcome
        .notices
        .push(texts::registered(step.case, form, registered));
    Ok(outcome)
}

/// The documents an application must list: the guarantee obligation, the contract or another
/// document of intent (as its basis says), and the applicant's registration document (R-PER-02,
/// R-PER-17).
pub fn required_documents(form: &Form) -> Vec<&'static str> {
    let basis = if text(form, "basis_kind") == Some("contract") {
        "contract"
    } else {
        "intent_document"
    };
    let registration = match text(form, "applicant_type") {
        Some("individual") => "identity_document",
        Some("individual_entrepreneur") => "entrepreneur_certificate",
        _ => "registration_certificate",
    };
    vec!["guarantee_obligation", basis, registration]
}

/// The application's own consistency: how the applicant is identified (A-PER-7), the
/// information form for its type (R-PER-17), the earlier licence (A-PER-8), the State
/// Corporation's certification and seal (R-PER-16), dates not in the future, and an
/// extraterritorial route (R-PER-01).
fn check_application(form: &Form, today: Date) -> Result<(), CaseError> {
    let has = |name: &str| form.contains_key(name);
    if !(has("applicant_taxpayer")
        || has("branch_taxpayer")
        || (has("foreign_registration") && has("registration_country")))
    {
        return Err(CaseError::rule(
            "TANBA-PERMIT-APPLICANT-ID",
            "applicant_taxpayer, branch_taxpayer, or foreign_registration with \
             registration_country",
        ));
    }
    let information: &[&str] = match text(form, "applicant_type") {
        Some("individual") => &["identity_document"],
        Some("individual_entrepreneur") => &["entrepreneur_certificate"],
        _ => &["state_registration_number", "state_registration_date"],
    };
    let licence: &[&str] = if text(form, "previous_licence") == Some("given") {
        &["previous_licence_number", "previous_licence_date"]
    } else {
        &[]
    };
    if let Some(missing) = information.iter().chain(licence).find(|name| !has(name)) {
        return Err(CaseError::field(
            "TANBA-PERMIT-INFORMATION-FORM",
            *missing,
            "required by the information form (List app. 2)",
        ));
    }
    if licence.is_empty() && (has("previous_licence_number") || has("previous_licence_date")) {
        return Err(CaseError::field(
            "TANBA-PERMIT-INFORMATION-FORM",
            "previous_licence",
            "\"none\" names no licence",
        ));
    }
    let at_state_corporation = text(form, "channel") == Some("state_corporation");
    if at_state_corporation && !flag(form, "copies_certified") {
        return Err(CaseError::rule(
            "TANBA-PERMIT-COPIES-NOT-CERTIFIED",
            "R-PER-16",
        ));
    }
    if !at_state_corporation && form.contains_key("seal_affixed") {
        return Err(CaseError::rule("TANBA-PERMIT-SEAL-PORTAL", "R-PER-16"));
    }
    for name in [
        "completed_on",
        "basis_signed_on",
        "state_registration_date",
        "previous_licence_date",
    ] {
        if date(form, name).is_some_and(|day| day > today) {
            return Err(CaseError::field(
                "TANBA-SERVICE-DATE-FUTURE",
                name,
                today.to_string(),
            ));
        }
    }
    let consignor = text(form, "consignor_country");
    if consignor == Some("KZ") || consignor == text(form, "recipient_country") {
        return Err(CaseError::rule(
            "TANBA-PERMIT-NOT-EXTRATERRITORIAL",
            "the goods go from a foreign state (not KZ) to a third country",
        ));
    }
    Ok(())
}

/// A yes-or-no field's value (absent: no).
pub fn flag(form: &Form, name: &str) -> bool {
    matches!(form.get(name), Some(FieldValue::One(Scalar::Flag(true))))
}

fn taken(case: &CaseView<'_>, transition: &str) -> usize {
    case.taken
        .iter()
        .filter(|(name, _)| name == transition)
        .count()
}

/// Waits outside the 30 WD (A-PER-2): the MFA until it answers, each foreign request until its
/// information is recorded.
fn waits(case: &CaseView<'_>) -> usize {
    let mfa = usize::from(taken(case, "record_mfa_confirmation") == 0);
    let foreign =
        taken(case, "request_foreign_information") - taken(case, "record_foreign_information");
    mfa + foreign
}

fn once(case: &CaseView<'_>, transition: &str) -> Result<(), CaseError> {
    if taken(case, transition) > 0 {
        return Err(CaseError::rule("TANBA-PERMIT-ALREADY-RECORDED", transition));
    }
    Ok(())
}

fn review_step(
    case: &CaseView<'_>,
    step: &StepView<'_>,
    context: &StepContext<'_>,
) -> Result<Outcome, CaseError> {
    let form = step.form;
    service::check_registered(case, SERVICE_CLOCK, context.today())?;
    let mut outcome = Outcome::default();
    match step.transition.name {
        "refuse_incomplete" => {
            outcome
                .notices
                .push(texts::refused_incomplete(case, form, context));
        }
        "confirm_complete" => {
            // A-PER-4: the requests go at once; A-PER-2: the term waits for the MFA.
            outcome.clocks.push(ClockOp::Stop(COMPLETENESS_CLOCK));
            outcome.clocks.push(ClockOp::Pause(SERVICE_CLOCK));
            outcome.notices.push(texts::under_review(case));
        }
        "record_answers"
        | "assess_risk"
        | "record_mfa_confirmation"
        | "request_foreign_information"
        | "record_foreign_information" => return track_step(case, step, context),
        "request_documents" => outcome.notices.push(texts::documents_requested(case, form)),
        "provide_documents" => {
            service::check_translations(step.attachments, case.attachments)?;
            outcome.notices.push(texts::documents_provided(case, form));
        }
        "issue" => return issue(case, step, context),
        "refuse" => return refuse(case, step, context),
        "hand_over" => {
            let in_person = text(form, "handed_over") == Some("in_person");
            let at_state_corporation = text(case.data, "channel") == Some("state_corporation");
            if in_person != at_state_corporation {
                return Err(CaseError::rule(
                    "TANBA-PERMIT-DELIVERY",
                    "in person through the State Corporation, electronically on the portal",
                ));
            }
        }
        "revoke" => {
            outcome.clocks.push(ClockOp::Stop(VALIDITY_CLOCK));
            outcome.notices.push(texts::revoked(case, form, context));
            outcome.goods.push(GoodsRequest::EndAuthorization);
        }
        name => unreachable!("the executor passes only permit steps, not {name}"),
    }
    Ok(outcome)
}

/// T8-T10 and the foreign requests of A-PER-2: the two review tracks, each step once and in
/// order; the 30 WD run again only when nothing outside them is awaited.
fn track_step(
    case: &CaseView<'_>,
    step: &StepView<'_>,
    context: &StepContext<'_>,
) -> Result<Outcome, CaseError> {
    let mut outcome = Outcome::default();
    let name = step.transition.name;
    match name {
        "record_answers" => {
            once(case, name)?;
            outcome.clocks.push(ClockOp::Start {
                name: RISK_CLOCK,
                unit: DayUnit::WorkingDays,
                days: RISK_DAYS,
                on: context.today(),
            });
        }
        "assess_risk" => {
            once(case, name)?;
            if taken(case, "record_answers") == 0 {
                return Err(CaseError::rule(
                    "TANBA-PERMIT-ORDER",
                    "record_answers first",
                ));
            }
            outcome.clocks.push(ClockOp::Stop(RISK_CLOCK));
        }
        "record_mfa_confirmation" => {
            once(case, name)?;
            if waits(case) == 1 {
                outcome.clocks.push(ClockOp::Resume(SERVICE_CLOCK));
            }
        }
        "request_foreign_information" => {
            if waits(case) == 0 {
                outcome.clocks.push(ClockOp::Pause(SERVICE_CLOCK));
            }
        }
        _ => {
            let open = taken(case, "request_foreign_information")
                - taken(case, "record_foreign_information");
            if open == 0 {
                return Err(CaseError::rule(
                    "TANBA-PERMIT-ORDER",
                    "request_foreign_information first",
                ));
            }
            if waits(case) == 1 {
                outcome.clocks.push(ClockOp::Resume(SERVICE_CLOCK));
            }
        }
    }
    Ok(outcome)
}

/// T11: issued when the risk assessment is positive, the MFA confirmed, no export-control
/// body answered no and the applicant consented (R-PER-06, R-PER-07), for at most one year and
/// no longer than the documents it rests on.
fn issue(
    case: &CaseView<'_>,
    step: &StepView<'_>,
    context: &StepContext<'_>,
) -> Result<Outcome, CaseError> {
    let data = case.data;
    let blockers = [
        (
            text(data, "risk_result") != Some("positive"),
            "a positive risk assessment (cl. 13)",
        ),
        (
            text(data, "mfa_result") != Some("confirmed"),
            "the MFA's confirmation of the guarantee obligation (cl. 10, A-PER-2)",
        ),
        (
            flag(data, "answers_negative"),
            "no negative answer of an export-control body",
        ),
        (
            taken(case, "request_foreign_information") > taken(case, "record_foreign_information"),
            "the foreign information requested (cl. 10)",
        ),
        (
            !flag(data, "consents_to_personal_data"),
            "the applicant's consent (ground 16)",
        ),
    ];
    if let Some((_, needed)) = blockers.iter().find(|(blocked, _)| *blocked) {
        return Err(CaseError::rule("TANBA-PERMIT-NOT-READY", *needed));
    }
    let today = context.today();
    let until = date(step.form, "valid_until").expect("a checked field");
    let year_later = one_year_after(today);
    let documents: Vec<Document> = service::documents(data);
    let bound =
        service::earliest_validity_end(&documents).map_or(year_later, |end| end.min(year_later));
    if until <= today || until > bound {
        return Err(CaseError::rule(
            "TANBA-PERMIT-VALIDITY",
            format!("{until}: after {today}, at the latest {bound}"),
        ));
    }
    let days =
        u32::try_from(until.days_since_epoch() - today.days_since_epoch()).expect("after today");
    let number = context.next_number(SERIES);
    let mut outcome = Outcome {
        to: Some(ISSUED),
        ..Outcome::default()
    };
    outcome.clocks.push(ClockOp::Stop(SERVICE_CLOCK));
    outcome.clocks.push(ClockOp::Start {
        name: VALIDITY_CLOCK,
        unit: DayUnit::CalendarDays,
        days,
        on: today,
    });
    outcome.notices.push(texts::issued(
        case,
        step.form,
        &number,
        (today, until),
        context,
    ));
    if let Some(authorization) = authorization(data, &number, until) {
        outcome.goods.push(GoodsRequest::Authorize(authorization));
    }
    outcome.numbers.push(number);
    Ok(outcome)
}

/// The unit of measure marked codes count in: a piece (EAEU code 796).
pub const PIECE: &str = "796";

/// What an issued permit lets its holder export of marked goods: its goods counted in pieces
/// (a permit in kilograms or litres authorizes no marked unit: a unit code counts one piece).
fn authorization(
    data: &Form,
    number: &tanba_types::DocumentNumber,
    valid_until: Date,
) -> Option<ExportAuthorization> {
    if text(data, "unit") != Some(PIECE) {
        return None;
    }
    let Some(Scalar::Decimal(quantity)) = tanba_cases::form::one(data, "quantity") else {
        return None;
    };
    let mantissa = u64::try_from(quantity.mantissa).ok()?;
    let scale = 10u64.checked_pow(u32::from(quantity.scale))?;
    // Only a whole number of pieces is countable in codes.
    let units = (mantissa % scale == 0)
        .then_some(mantissa / scale)
        .filter(|units| *units > 0)?;
    Some(ExportAuthorization {
        number: number.clone(),
        hs_code: text(data, "hs_code")?.to_owned(),
        control_code: text(data, "control_code")?.to_owned(),
        end_user: text(data, "end_user_name")?.to_owned(),
        units,
        valid_until,
    })
}

/// The same day a year later (28 February for 29 February).
pub fn one_year_after(day: Date) -> Date {
    let (year, month, date) = day.ymd();
    Date::from_ymd(year + 1, month, date)
        .or_else(|_| Date::from_ymd(year + 1, month, date - 1))
        .expect("a valid day a year later")
}

/// T12: refused on numbered grounds, each consistent with what the case records: a negative
/// risk assessment for ground 8, a negative answer or an unconfirmed guarantee for ground 3,
/// the missing consent for ground 16 (A-PER-2: a refusal may come before the MFA answers).
fn refuse(
    case: &CaseView<'_>,
    step: &StepView<'_>,
    context: &StepContext<'_>,
) -> Result<Outcome, CaseError> {
    let grounds = service::grounds(step.form, &wording::GROUNDS)?;
    let data = case.data;
    for ground in &grounds {
        let supported = match ground.number {
            // A-PER-5: the text defines no qualification requirements; none are configured.
            2 => false,
            3 => {
                flag(data, "answers_negative") || text(data, "mfa_result") == Some("not_confirmed")
            }
            8 => text(data, "risk_result") == Some("negative"),
            16 => !flag(data, "consents_to_personal_data"),
            _ => true,
        };
        if !supported {
            return Err(CaseError::rule(
                "TANBA-PERMIT-GROUND-UNSUPPORTED",
                format!("ground {} is not what the case records", ground.number),
            ));
        }
    }
    let mut outcome = Outcome {
        to: Some(REFUSED),
        ..Outcome::default()
    };
    outcome
        .notices
        .push(texts::refused(case, step.form, &grounds, context));
    Ok(outcome)
}
