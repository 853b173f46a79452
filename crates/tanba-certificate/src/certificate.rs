//! The certificate case (WORKFLOWS 4.3, T1-T11): one application for an end-user certificate
//! and/or an international import certificate (R-CER-18), through the portal only (R-CER-04).
//!
//! The guarantee obligation is signed by the importer and the end user (A-CER-4): when either
//! is not the applicant, the opening names it and the application waits in `submitted` until
//! each has signed with its own key (`sign_guarantee`); then it registers by the intake rule
//! (R-CER-04, R-CER-15). The completeness check (3 WD) and the service (7 WD) count from
//! registration (A-CER-6). A refusal on a row-9 ground is preceded by the preliminary decision
//! and a hearing (R-CER-08, A-CER-8); an issued certificate never changes (R-CER-03): a changed
//! contract is a new application naming the certificate it replaces, and the 6 months to present
//! it run from signing (R-CER-09).

use tanba_cases::CaseError;
use tanba_cases::definition::{
    CaseRole, CaseView, ClockOp, Definition, FieldKind, FieldSpec, Outcome, Shape, StateSpec,
    StepContext, StepView, TransitionSpec,
};
use tanba_cases::form::{date, text};
use tanba_cases::service::{self, SIGNER_FIELDS, document_columns, documents_field, grounds_field};
use tanba_types::{Date, DayUnit, FieldValue, Form, Role, Rung, Scalar, TaxpayerId};

use crate::texts;
use crate::wording;

/// Waiting for the guarantee obligation's other signatures (T1).
pub const SUBMITTED: &str = "submitted";
/// Registered, awaiting the completeness check (T2).
pub const REGISTERED: &str = "registered";
/// Refused further consideration: incomplete (T3): closed.
pub const REFUSED_INCOMPLETE: &str = "refused_incomplete";
/// Complete: the qualification requirements are checked (T4).
pub const QUALIFICATION_CHECK: &str = "qualification_check";
/// A preliminary decision to refuse and the hearing are notified (T6).
pub const PRELIMINARY_REFUSAL_NOTIFIED: &str = "preliminary_refusal_notified";
/// The hearing was held (T7).
pub const HEARING_HELD: &str = "hearing_held";
/// The certificate(s) issued, immutable (T5, T8, T10).
pub const ISSUED: &str = "issued";
/// Refused after the hearing (T9): closed.
pub const REFUSED: &str = "refused";
/// Presented to the exporting country's authority (T10): closed.
pub const PRESENTED: &str = "presented";

const STATES: &[StateSpec] = &[
    StateSpec {
        name: SUBMITTED,
        closed: false,
    },
    StateSpec {
        name: REGISTERED,
        closed: false,
    },
    StateSpec {
        name: REFUSED_INCOMPLETE,
        closed: true,
    },
    StateSpec {
        name: QUALIFICATION_CHECK,
        closed: false,
    },
    StateSpec {
        name: PRELIMINARY_REFUSAL_NOTIFIED,
        closed: false,
    },
    StateSpec {
        name: HEARING_HELD,
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
        name: PRESENTED,
        closed: true,
    },
];

/// D-CER-2: 3 WD from registration, the completeness check.
pub const COMPLETENESS_CLOCK: &str = "D-CER-2";
/// D-CER-3: 7 WD from registration, the service (A-CER-6); no pause of any kind.
pub const SERVICE_CLOCK: &str = "D-CER-3";
/// D-CER-5: 2 WD from the notice, the hearing.
pub const HEARING_CLOCK: &str = "D-CER-5";
/// D-CER-6: 6 months from signing, presentation to the exporting country's authority.
pub const PRESENTATION_CLOCK: &str = "D-CER-6";
/// Working days of D-CER-2.
pub const COMPLETENESS_DAYS: u32 = 3;
/// Working days of D-CER-3.
pub const SERVICE_DAYS: u32 = 7;
/// Working days of D-CER-5.
pub const HEARING_DAYS: u32 = 2;
/// D-CER-4 (A-CER-8, the worked example of WORKFLOWS 4.4): the notice goes at the latest on the
/// working day this many working days before the service's last day.
pub const NOTICE_LEAD_DAYS: u32 = 3;
/// Months of D-CER-6.
pub const PRESENTATION_MONTHS: u32 = 6;
/// Most goods lines of one certificate (A-CER-10).
pub const GOODS_LINES_MAX: usize = 100;
/// The end-user certificate's series (A-CER-10).
pub const EUC_SERIES: &str = "EUC";
/// The international import certificate's series (A-CER-10).
pub const IIC_SERIES: &str = "IIC";

/// What an application asks for: an end-user certificate, an import certificate, or both.
pub const CERTIFICATES: &[&str] = &["euc", "iic"];
/// Who applies (R-CER-12: individuals and legal entities of RK).
pub const APPLICANT_TYPES: &[&str] = &["individual", "individual_entrepreneur", "legal_entity"];
/// The documents an application lists (R-CER-05).
pub const DOCUMENT_KINDS: &[&str] = &[
    "contract",
    "intermediary_contract",
    "guarantee_obligation",
    "power_of_attorney",
    "other",
];
/// How the hearing notice went (R-CER-08).
pub const NOTICE_CHANNELS: &[&str] = &[
    "registered_letter",
    "telephonogram",
    "telegram",
    "text_message",
    "email",
    "other_recorded",
];

const TEXT: FieldKind = FieldKind::Text { max_chars: 4_000 };
const SHORT: FieldKind = FieldKind::Text { max_chars: 255 };

const fn one(name: &'static str, kind: FieldKind, required: bool) -> FieldSpec {
    FieldSpec::one(name, kind, required)
}

const DOCUMENT_COLUMNS: [FieldSpec; 5] = document_columns(DOCUMENT_KINDS);
const GOODS_COLUMNS: &[FieldSpec] = &[
    one("description", SHORT, true),
    one("hs_code", FieldKind::HsCode, true),
    one("control_code", FieldKind::ControlListCode, false),
    one("unit", FieldKind::Unit, true),
    one("quantity", FieldKind::PositiveDecimal, true),
];

/// The application (List app. 1, forms 1 and 2) with the guarantee obligation (List app. 2) and
/// the list of documents (row 8).
const APPLY_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "certificates",
        kind: FieldKind::Choice(CERTIFICATES),
        shape: Shape::List { max: 2 },
        required: true,
    },
    // Form 1/2 field 2.
    one("applicant_type", FieldKind::Choice(APPLICANT_TYPES), true),
    one("applicant_name", SHORT, true),
    one("applicant_iin", FieldKind::Taxpayer, false),
    one("ie_notification", SHORT, false),
    one("applicant_bin", FieldKind::Taxpayer, false),
    one("registration_reference", SHORT, false),
    // Field 3.
    one("postal_code", SHORT, true),
    one("region", SHORT, true),
    one("city", SHORT, false),
    one("district", SHORT, false),
    one("locality", SHORT, false),
    one("street", SHORT, true),
    one("building", SHORT, true),
    one("phone", SHORT, true),
    // Fields 5-9.
    one(
        "attached_sheets",
        FieldKind::Integer {
            min: 1,
            max: 10_000,
        },
        true,
    ),
    one("consents_to_secrets", FieldKind::Flag, true),
    one("no_court_ban", FieldKind::Flag, true),
    one("documents_true", FieldKind::Flag, true),
    one("confirms_accuracy", FieldKind::Flag, true),
    one("completed_on", FieldKind::Date, true),
    one("intermediary", FieldKind::Flag, true),
    // R-CER-13, A-CER-5: goods not on a control list, certified because the exporting or
    // origin country's authority requires it.
    one("required_by_exporting_country", FieldKind::Flag, false),
    one("state_defence_order", FieldKind::Flag, false),
    // The guarantee obligation.
    one("importer_name", SHORT, true),
    one("importer_country", FieldKind::Country, true),
    one("importer_address", SHORT, true),
    one("importer_phone", SHORT, true),
    one("importer_taxpayer", FieldKind::Taxpayer, true),
    one("end_user_name", SHORT, false),
    one("end_user_country", FieldKind::Country, false),
    one("end_user_address", SHORT, false),
    one("end_user_phone", SHORT, false),
    one("end_user_taxpayer", FieldKind::Taxpayer, false),
    one("exporter_name", SHORT, true),
    one("exporter_country", FieldKind::Country, true),
    one("exporter_address", SHORT, true),
    one("installation_place", SHORT, false),
    one("purpose", TEXT, false),
    FieldSpec {
        name: "goods",
        kind: FieldKind::Flag,
        shape: Shape::Rows {
            columns: GOODS_COLUMNS,
            max: GOODS_LINES_MAX,
        },
        required: true,
    },
    one("contract_number", SHORT, true),
    one("contract_date", FieldKind::Date, true),
    one("importer_signer_position", SHORT, true),
    one("importer_signed_on", FieldKind::Date, true),
    one("end_user_signer_position", SHORT, false),
    one("end_user_signed_on", FieldKind::Date, false),
    documents_field(&DOCUMENT_COLUMNS),
];
const SIGN_FIELDS: &[FieldSpec] = &[one("guarantee_signer_position", SHORT, true)];
const MISSING_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "missing",
        kind: SHORT,
        shape: Shape::List { max: 32 },
        required: true,
    },
    SIGNER_FIELDS[0],
    SIGNER_FIELDS[1],
];
const CONFIRM_FIELDS: &[FieldSpec] = &[one("completeness_note", TEXT, false)];
const ISSUE_FIELDS: &[FieldSpec] = &[
    SIGNER_FIELDS[0],
    SIGNER_FIELDS[1],
    one("paper_signed_by", SHORT, false),
];
const NOTIFY_FIELDS: &[FieldSpec] = &[
    grounds_field(9),
    one("reasons", TEXT, true),
    one("hearing_on", FieldKind::Date, true),
    one("hearing_time", SHORT, true),
    one("hearing_place", SHORT, true),
    one("notice_channel", FieldKind::Choice(NOTICE_CHANNELS), true),
];
const HEARING_FIELDS: &[FieldSpec] = &[
    one("applicant_attended", FieldKind::Flag, true),
    one("applicant_position", TEXT, true),
];
const REFUSE_FIELDS: &[FieldSpec] = &[
    grounds_field(9),
    one("refusal_reasons", TEXT, true),
    SIGNER_FIELDS[0],
    SIGNER_FIELDS[1],
];
const PRESENT_FIELDS: &[FieldSpec] = &[
    one("presented_on", FieldKind::Date, true),
    one("presented_to", SHORT, true),
];
const AMEND_FIELDS: &[FieldSpec] = &[one("change", TEXT, true)];
const REQUEST_FIELDS: &[FieldSpec] = &[one("requested", TEXT, true)];
const PROVIDE_FIELDS: &[FieldSpec] = &[one("provided", TEXT, true)];

const OFFICIAL: &[CaseRole] = &[CaseRole::Official];
const PARTY: &[CaseRole] = &[CaseRole::Party];

const TRANSITIONS: &[TransitionSpec] = &[
    TransitionSpec {
        name: "apply",
        from: &[],
        to: &[SUBMITTED, REGISTERED],
        by: PARTY,
        fields: APPLY_FIELDS,
        clause: "cl. 9, 10; row 7, 8",
    },
    TransitionSpec {
        name: "sign_guarantee",
        from: &[SUBMITTED],
        to: &[SUBMITTED, REGISTERED],
        by: &[CaseRole::Named],
        fields: SIGN_FIELDS,
        clause: "row 8; List app. 2",
    },
    TransitionSpec {
        name: "refuse_incomplete",
        from: &[REGISTERED],
        to: &[REFUSED_INCOMPLETE],
        by: OFFICIAL,
        fields: MISSING_FIELDS,
        clause: "cl. 11",
    },
    TransitionSpec {
        name: "confirm_complete",
        from: &[REGISTERED],
        to: &[QUALIFICATION_CHECK],
        by: OFFICIAL,
        fields: CONFIRM_FIELDS,
        clause: "cl. 12",
    },
    TransitionSpec {
        name: "request_documents",
        from: &[QUALIFICATION_CHECK],
        to: &[QUALIFICATION_CHECK],
        by: OFFICIAL,
        fields: REQUEST_FIELDS,
        clause: "cl. 8",
    },
    TransitionSpec {
        name: "provide_documents",
        from: &[QUALIFICATION_CHECK],
        to: &[QUALIFICATION_CHECK],
        by: PARTY,
        fields: PROVIDE_FIELDS,
        clause: "cl. 8",
    },
    TransitionSpec {
        name: "issue",
        from: &[QUALIFICATION_CHECK, HEARING_HELD],
        to: &[ISSUED],
        by: OFFICIAL,
        fields: ISSUE_FIELDS,
        clause: "cl. 12, 13",
    },
    TransitionSpec {
        name: "notify_preliminary_refusal",
        from: &[QUALIFICATION_CHECK],
        to: &[PRELIMINARY_REFUSAL_NOTIFIED],
        by: OFFICIAL,
        fields: NOTIFY_FIELDS,
        clause: "cl. 13",
    },
    TransitionSpec {
        name: "hold_hearing",
        from: &[PRELIMINARY_REFUSAL_NOTIFIED],
        to: &[HEARING_HELD],
        by: OFFICIAL,
        fields: HEARING_FIELDS,
        clause: "cl. 13",
    },
    TransitionSpec {
        name: "refuse",
        from: &[HEARING_HELD],
        to: &[REFUSED],
        by: OFFICIAL,
        fields: REFUSE_FIELDS,
        clause: "cl. 13; row 9",
    },
    TransitionSpec {
        name: "record_presentation",
        from: &[ISSUED],
        to: &[PRESENTED],
        by: PARTY,
        fields: PRESENT_FIELDS,
        clause: "Rules app. 4",
    },
    TransitionSpec {
        name: "amend",
        from: &[ISSUED, PRESENTED],
        to: &[ISSUED],
        by: &[CaseRole::Party, CaseRole::Official],
        fields: AMEND_FIELDS,
        clause: "cl. 6, 7",
    },
];

/// The certificate procedure.
#[derive(Debug, Clone, Copy, Default)]
pub struct Certificate;

/// Its kind name.
pub const KIND: &str = "certificate";

impl Definition for Certificate {
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

    /// Individuals and legal entities of RK (R-CER-12): any participant.
    fn clocks(&self) -> &'static [&'static str] {
        &[
            COMPLETENESS_CLOCK,
            SERVICE_CLOCK,
            HEARING_CLOCK,
            PRESENTATION_CLOCK,
        ]
    }

    fn opener_roles(&self) -> &'static [Role] {
        &[]
    }

    fn requires_authority(&self) -> bool {
        true
    }

    /// A new certificate names the one it replaces (R-CER-03), if any.
    fn parent_kind(&self) -> Option<&'static str> {
        Some(KIND)
    }

    fn parent_optional(&self) -> bool {
        true
    }

    /// Every stage goes to the state-services monitoring system.
    fn monitored(&self) -> bool {
        true
    }

    fn number_series(&self) -> &'static [&'static str] {
        &[EUC_SERIES, IIC_SERIES]
    }

    fn decide(
        &self,
        case: Option<&CaseView<'_>>,
        step: &StepView<'_>,
        context: &StepContext<'_>,
    ) -> Result<Outcome, CaseError> {
        match (step.transition.name, case) {
            ("apply", None) => apply(step, context),
            (_, Some(case)) => later_step(case, step, context),
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
            (PRESENTATION_CLOCK, Rung::Approaching) => {
                outcome.notices.push(texts::presentation_due(case));
            }
            (PRESENTATION_CLOCK, Rung::Overdue) => {
                outcome.notices.push(texts::presentation_overdue(case));
            }
            (_, Rung::Overdue) => outcome.notices.push(texts::overdue(case, clock)),
            _ => {}
        }
        Ok(outcome)
    }
}

/// Whether the application asks for `certificate` (`euc`, `iic`).
pub fn asks_for(form: &Form, certificate: &str) -> bool {
    matches!(form.get("certificates"), Some(FieldValue::List(values))
        if values.contains(&Scalar::Text(certificate.to_owned())))
}

fn taxpayer(form: &Form, name: &str) -> Option<TaxpayerId> {
    match tanba_cases::form::one(form, name)? {
        Scalar::Taxpayer(id) => Some(*id),
        _ => None,
    }
}

/// A yes-or-no field's value (absent: no).
pub fn flag(form: &Form, name: &str) -> bool {
    matches!(form.get(name), Some(FieldValue::One(Scalar::Flag(true))))
}

/// Who must sign the guarantee obligation besides the applicant: the importer and, for an
/// end-user certificate, the end user (A-CER-3, A-CER-4), each once.
pub fn cosigners(form: &Form, applicant: TaxpayerId) -> Vec<TaxpayerId> {
    let mut cosigners = Vec::new();
    let end_user = asks_for(form, "euc")
        .then(|| taxpayer(form, "end_user_taxpayer"))
        .flatten();
    for id in [taxpayer(form, "importer_taxpayer"), end_user]
        .into_iter()
        .flatten()
    {
        if id != applicant && !cosigners.contains(&id) {
            cosigners.push(id);
        }
    }
    cosigners
}

/// T1: the application; registered at once when no one else signs the guarantee.
fn apply(step: &StepView<'_>, context: &StepContext<'_>) -> Result<Outcome, CaseError> {
    let form = step.form;
    service::check_provider(step, "certificate", context)?;
    check_application(form, context.today())?;
    let listed = service::documents(form);
    service::check_files(&listed, step.attachments)?;
    service::check_translations(step.attachments, &[])?;
    if let Some(parent) = step.parent
        && (parent.opening.party != step.actor || !matches!(parent.state, ISSUED | PRESENTED))
    {
        return Err(CaseError::rule(
            "TANBA-CERT-REPLACES",
            format!(
                "case {} is not an issued certificate of this applicant",
                parent.id
            ),
        ));
    }
    let cosigners = cosigners(form, step.actor);
    let mut named = step.opening.named.clone();
    named.sort();
    let mut expected = cosigners.clone();
    expected.sort();
    if named != expected {
        return Err(CaseError::rule(
            "TANBA-CERT-COSIGNERS",
            "name exactly the importer and end user who are not the applicant",
        ));
    }
    if cosigners.is_empty() {
        return register(step.case, form, context);
    }
    let mut outcome = Outcome {
        to: Some(SUBMITTED),
        ..Outcome::default()
    };
    for cosigner in cosigners {
        outcome
            .notices
            .push(texts::signature_requested(step.case, cosigner, form));
    }
    Ok(outcome)
}

/// T2: registered by the intake rule; both terms start (A-CER-6).
fn register(
    case: tanba_types::CaseId,
    form: &Form,
    context: &StepContext<'_>,
) -> Result<Outcome, CaseError> {
    let registered = context.calendar.registered_on(context.now_ms)?;
    let result_due = context
        .calendar
        .due_after_working_days(registered, SERVICE_DAYS)?;
    let mut outcome = Outcome {
        to: Some(REGISTERED),
        ..Outcome::default()
    };
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
        .push(texts::accepted(case, registered, result_due.day));
    outcome
        .notices
        .push(texts::registered(case, form, registered));
    Ok(outcome)
}

/// The application's own consistency: the applicant's identification by its type (form field
/// 2), the guarantee's end user for an end-user certificate (A-CER-3), the intermediary's
/// contract (R-CER-05), the declarations signed, dates not in the future, each certificate
/// asked once.
fn check_application(form: &Form, today: Date) -> Result<(), CaseError> {
    let has = |name: &str| form.contains_key(name);
    if let Some(FieldValue::List(values)) = form.get("certificates")
        && values.len() == 2
        && values[0] == values[1]
    {
        return Err(CaseError::field(
            "TANBA-CERT-APPLICATION",
            "certificates",
            "each certificate once",
        ));
    }
    let identification: &[&str] = match text(form, "applicant_type") {
        Some("individual") => &["applicant_iin"],
        Some("individual_entrepreneur") => &["applicant_iin", "ie_notification"],
        _ => &["applicant_bin", "registration_reference"],
    };
    let end_user: &[&str] = if asks_for(form, "euc") {
        &[
            "end_user_name",
            "end_user_country",
            "end_user_address",
            "end_user_phone",
            "end_user_taxpayer",
            "installation_place",
            "purpose",
            "end_user_signer_position",
            "end_user_signed_on",
        ]
    } else {
        &[]
    };
    if let Some(missing) = identification
        .iter()
        .chain(end_user)
        .find(|name| !has(name))
    {
        return Err(CaseError::field(
            "TANBA-CERT-APPLICATION",
            *missing,
            "required for this applicant and certificate",
        ));
    }
    check_scope(form)?;
    for name in [
        "completed_on",
        "contract_date",
        "importer_signed_on",
        "end_user_signed_on",
    ] {
        if date(form, name).is_some_and(|day| day > today) {
            return Err(CaseError::field(
                "TANBA-SERVICE-DATE-FUTURE",
                name,
                today.to_string(),
            ));
        }
    }
    Ok(())
}

/// R-CER-13, A-CER-5: a certificate is for controlled goods (each line with its control-list
/// code), or for any goods when the exporting or origin country's authority requires one (the
/// application says so).
fn check_scope(form: &Form) -> Result<(), CaseError> {
    if flag(form, "required_by_exporting_country") {
        return Ok(());
    }
    let Some(FieldValue::Rows(rows)) = form.get("goods") else {
        return Ok(());
    };
    match rows
        .iter()
        .position(|row| !row.contains_key("control_code"))
    {
        Some(index) => Err(CaseError::field(
            "TANBA-CERT-APPLICATION",
            format!("goods[{index}].control_code"),
            "a control-list code, unless the exporting country requires the certificate",
        )),
        None => Ok(()),
    }
}

/// The documents an application must list: the contract, and between importer and end user
/// when the applicant is an intermediary (R-CER-05, R-CER-16 item 4).
pub fn required_documents(form: &Form) -> Vec<&'static str> {
    let mut required = vec!["contract"];
    if flag(form, "intermediary") {
        required.push("intermediary_contract");
    }
    required
}

fn taken(case: &CaseView<'_>, transition: &str, by: Option<TaxpayerId>) -> bool {
    case.taken
        .iter()
        .any(|(name, actor)| name == transition && by.is_none_or(|by| *actor == by))
}

fn later_step(
    case: &CaseView<'_>,
    step: &StepView<'_>,
    context: &StepContext<'_>,
) -> Result<Outcome, CaseError> {
    service::check_registered(case, SERVICE_CLOCK, context.today())?;
    let mut outcome = Outcome::default();
    match step.transition.name {
        "sign_guarantee" => {
            if taken(case, "sign_guarantee", Some(step.actor)) {
                return Err(CaseError::rule("TANBA-CERT-SIGNED", step.actor.to_string()));
            }
            let signed = case
                .opening
                .named
                .iter()
                .all(|id| *id == step.actor || taken(case, "sign_guarantee", Some(*id)));
            if signed {
                return register(case.id, case.data, context);
            }
            outcome.to = Some(SUBMITTED);
        }
        "refuse_incomplete" => outcome
            .notices
            .push(texts::refused_incomplete(case, step.form, context)),
        "confirm_complete" => {
            let problems = service::intake_problems(
                &service::documents(case.data),
                &required_documents(case.data),
                context.today(),
            );
            if let Some(problem) = problems.first() {
                return Err(CaseError::rule(
                    "TANBA-CERT-INCOMPLETE",
                    problem.kind().to_owned(),
                ));
            }
            outcome.clocks.push(ClockOp::Stop(COMPLETENESS_CLOCK));
        }
        "request_documents" => outcome
            .notices
            .push(texts::documents_requested(case, step.form)),
        "provide_documents" => {
            service::check_translations(step.attachments, case.attachments)?;
            outcome
                .notices
                .push(texts::documents_provided(case, step.form));
        }
        "issue" => return issue(case, step, context),
        "notify_preliminary_refusal" => return notify(case, step, context),
        "hold_hearing" => outcome.clocks.push(ClockOp::Stop(HEARING_CLOCK)),
        "refuse" => return refuse(case, step, context),
        "record_presentation" => {
            let presented = date(step.form, "presented_on").expect("a checked field");
            if presented > context.today() {
                return Err(CaseError::field(
                    "TANBA-SERVICE-DATE-FUTURE",
                    "presented_on",
                    context.today().to_string(),
                ));
            }
        }
        "amend" => {
            return Err(CaseError::rule(
                "TANBA-CERT-IMMUTABLE",
                format!(
                    "case {}: apply for a new certificate naming this one",
                    case.id
                ),
            ));
        }
        name => unreachable!("the executor passes only certificate steps, not {name}"),
    }
    Ok(outcome)
}

/// T5, T8: each certificate asked is numbered in its series and signed; the 6 months to present
/// it start (R-CER-09). The declarations must stand (grounds 6 and 9 otherwise), and a
/// state-defence-order certificate records who signed it on paper (R-CER-17, A-CER-7) with the
/// scan attached.
fn issue(
    case: &CaseView<'_>,
    step: &StepView<'_>,
    context: &StepContext<'_>,
) -> Result<Outcome, CaseError> {
    let data = case.data;
    if !(flag(data, "consents_to_secrets") && flag(data, "no_court_ban")) {
        return Err(CaseError::rule(
            "TANBA-CERT-NOT-READY",
            "the declarations of consent and no court ban (grounds 6 and 9)",
        ));
    }
    let paper = flag(data, "state_defence_order");
    if paper && (text(step.form, "paper_signed_by").is_none() || step.attachments.is_empty()) {
        return Err(CaseError::rule(
            "TANBA-CERT-PAPER-SIGNATURE",
            "the first head's paper signature: who signed, and the scan (R-CER-17)",
        ));
    }
    let today = context.today();
    let months_later = months_after(today, PRESENTATION_MONTHS);
    let days = u32::try_from(months_later.days_since_epoch() - today.days_since_epoch())
        .expect("six months ahead");
    let mut outcome = Outcome {
        to: Some(ISSUED),
        ..Outcome::default()
    };
    for (certificate, series) in [("euc", EUC_SERIES), ("iic", IIC_SERIES)] {
        if asks_for(data, certificate) {
            let number = context.next_number(series);
            outcome.notices.push(texts::issued(
                case,
                step.form,
                certificate,
                &number,
                (today, months_later),
                context,
            ));
            outcome.numbers.push(number);
        }
    }
    outcome.clocks.push(ClockOp::Stop(SERVICE_CLOCK));
    outcome.clocks.push(ClockOp::Start {
        name: PRESENTATION_CLOCK,
        unit: DayUnit::CalendarDays,
        days,
        on: today,
    });
    Ok(outcome)
}

/// The same day `months` later (the month's last day when it is shorter).
pub fn months_after(day: Date, months: u32) -> Date {
    let (year, month, date) = day.ymd();
    let index = i64::from(year) * 12 + i64::from(month - 1) + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).expect("a year");
    let month = u32::try_from(index.rem_euclid(12)).expect("a month") + 1;
    (0..4)
        .find_map(|back| Date::from_ymd(year, month, date - back).ok())
        .expect("a day of the month")
}

/// T6: the preliminary decision and the hearing, notified at the latest 3 WD before the
/// service's last day (A-CER-8 as the worked example reads it), the hearing within 2 WD of the
/// notice (R-CER-08).
fn notify(
    case: &CaseView<'_>,
    step: &StepView<'_>,
    context: &StepContext<'_>,
) -> Result<Outcome, CaseError> {
    let grounds = service::grounds(step.form, &wording::GROUNDS)?;
    let today = context.today();
    let due = case
        .clocks
        .get(SERVICE_CLOCK)
        .and_then(tanba_types::LegalClock::due)
        .map(|due| due.day)
        .ok_or_else(|| CaseError::rule("TANBA-CASE-WRONG-STATE", SERVICE_CLOCK))?;
    let latest_lead = context
        .calendar
        .due_after_working_days(today, NOTICE_LEAD_DAYS)?;
    if latest_lead.day > due {
        return Err(CaseError::rule(
            "TANBA-CERT-NOTICE-TOO-LATE",
            format!("{today}: at least {NOTICE_LEAD_DAYS} working days before {due}"),
        ));
    }
    let hearing = date(step.form, "hearing_on").expect("a checked field");
    let hearing_by = context
        .calendar
        .due_after_working_days(today, HEARING_DAYS)?;
    if hearing < today || hearing > hearing_by.day {
        return Err(CaseError::rule(
            "TANBA-CERT-HEARING-DAY",
            format!("{hearing}: from {today} to {}", hearing_by.day),
        ));
    }
    let mut outcome = Outcome::default();
    outcome.clocks.push(ClockOp::Start {
        name: HEARING_CLOCK,
        unit: DayUnit::WorkingDays,
        days: HEARING_DAYS,
        on: today,
    });
    outcome
        .notices
        .push(texts::hearing_notice(case, step.form, &grounds, due));
    Ok(outcome)
}

/// T9: refused on grounds confirmed at the hearing: only grounds the preliminary decision named
/// (R-CER-08, R-CER-11).
fn refuse(
    case: &CaseView<'_>,
    step: &StepView<'_>,
    context: &StepContext<'_>,
) -> Result<Outcome, CaseError> {
    let grounds = service::grounds(step.form, &wording::GROUNDS)?;
    let notified = service::grounds(case.data, &wording::GROUNDS)?;
    if let Some(ground) = grounds.iter().find(|ground| !notified.contains(ground)) {
        return Err(CaseError::rule(
            "TANBA-CERT-GROUND-NOT-HEARD",
            ground.number.to_string(),
        ));
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
