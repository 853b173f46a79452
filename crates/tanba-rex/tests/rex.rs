//! The REX verification's rules (R-REX-01..10 and A-REX-1..3), run in memory through the
//! executor as the engine runs them.

use tanba_cases::calendar::CALENDAR_2027_TOML;
use tanba_cases::definition::check_tables;
use tanba_cases::sandbox::values::{file, flag, form, integers, text};
use tanba_cases::sandbox::{Sandbox, astana};
use tanba_cases::{Calendar, CaseError, Definition, References};
use tanba_rex::rex::{self, Rex};
use tanba_types::{
    AttachmentRef, CaseOpening, Date, Form, Language, Localized, TaxpayerId, messages,
};

const AUTHORITY: &str = "990640000302";
const ATAMEKEN: &str = "990740000306";
const EXPORTER: &str = "990540000309";

fn id(text: &str) -> TaxpayerId {
    text.parse().unwrap()
}

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

/// The shipped reference data with the providers bound to the test's participants.
fn references() -> References {
    tanba_cases::sandbox::bound_references(&[
        ("mti-rex", id(AUTHORITY)),
        ("atameken", id(ATAMEKEN)),
    ])
}

/// The sample request, from `state`.
fn request(state: &str, received_ms: u64) -> Form {
    let mut request = tanba_rex::sample::request(id(EXPORTER), "Steppe Wool LLP", received_ms);
    request.insert("requesting_state".into(), text(state));
    request
}

fn register_at(
    form: Form,
    attachments: Vec<AttachmentRef>,
    named: Vec<TaxpayerId>,
    authority: &str,
    at_ms: u64,
) -> Result<Sandbox<'static>, CaseError> {
    Sandbox::open(
        &Rex,
        Calendar::from_toml(CALENDAR_2027_TOML).unwrap(),
        references(),
        CaseOpening {
            kind: rex::KIND.into(),
            text_version: tanba_rex::TEXT_VERSION.into(),
            party: id(AUTHORITY),
            authority: Some(id(authority)),
            parent: None,
            named,
            references: references().versions(),
        },
        None,
        "register_request",
        form,
        attachments,
        at_ms,
    )
}

/// A request from Norway arriving Monday 2 November 2026, registered that day.
fn registered() -> Sandbox<'static> {
    let arrived = astana("2026-11-02", 9, 15);
    register_at(
        request("NO", arrived),
        vec![file("request-no.pdf", Some("en"))],
        vec![id(ATAMEKEN)],
        AUTHORITY,
        astana("2026-11-02", 10, 0),
    )
    .unwrap()
}

fn by(
    case: &mut Sandbox<'_>,
    who: &str,
    transition: &str,
    form: Form,
    files: Vec<AttachmentRef>,
    at: u64,
) -> Result<(), CaseError> {
    case.step(id(who), transition, form, files, at).map(|_| ())
}

fn verified() -> Sandbox<'static> {
    let mut case = registered();
    by(
        &mut case,
        AUTHORITY,
        "request_documents",
        Form::new(),
        Vec::new(),
        astana("2026-11-03", 10, 0),
    )
    .unwrap();
    by(
        &mut case,
        ATAMEKEN,
        "send_documents",
        form(&[(
            "documents_note",
            text("application + certificates of origin"),
        )]),
        vec![file("file.pdf", Some("ru"))],
        astana("2026-11-06", 10, 0),
    )
    .unwrap();
    by(
        &mut case,
        AUTHORITY,
        "verify",
        form(&[
            ("documents_complete", flag(true)),
            ("system_data_correct", flag(false)),
            ("findings", text("wool bought abroad")),
        ]),
        Vec::new(),
        astana("2026-11-12", 10, 0),
    )
    .unwrap();
    case
}

fn conclusion(conditions: &[i64]) -> Form {
    let mut fields = vec![
        ("registration_justified", flag(conditions.is_empty())),
        ("conclusion", text("origin not confirmed")),
        ("entered_in_target_system", flag(true)),
        ("target_system_reference", text("REX case 44/2026")),
    ];
    if !conditions.is_empty() {
        fields.push(("conditions_found", integers(conditions)));
    }
    form(&fields)
}

fn code(error: &CaseError) -> &'static str {
    error.code()
}

#[test]
fn the_rex_table_agrees_with_itself_and_every_code_reads_in_three_languages() {
    for definition in tanba_rex::definitions() {
        assert_eq!(check_tables(definition.as_ref()), Ok(()));
        assert!(definition.text_version().contains("160-NK"));
    }
    for code in tanba_rex::CODES {
        for language in [Language::Kk, Language::Ru, Language::En] {
            assert!(
                messages::template(code, language).is_some(),
                "{code} {language:?}"
            );
        }
    }
    tanba_cases::wording::check_numbering(&tanba_rex::wording::REVOCATION_CONDITIONS).unwrap();
}

/// R-REX-01, R-REX-09: only on an official request from Norway or Switzerland, registered by
/// the trade authority itself with the request attached, naming the authorized organization.
#[test]
fn r_rex_01_r_rex_09_only_norway_or_switzerland_registered_by_the_authority() {
    let at = astana("2026-11-02", 10, 0);
    let attached = || vec![file("request.pdf", Some("en"))];
    for (state, files, named, authority, expected) in [
        (
            "DE",
            attached(),
            vec![id(ATAMEKEN)],
            AUTHORITY,
            "TANBA-REX-REQUESTING-STATE",
        ),
        (
            "CH",
            Vec::new(),
            vec![id(ATAMEKEN)],
            AUTHORITY,
            "TANBA-REX-DOCUMENTS",
        ),
        (
            "CH",
            attached(),
            Vec::new(),
            AUTHORITY,
            "TANBA-REX-ORGANIZATION",
        ),
        // Atameken is the one the reference data names, not any participant.
        (
            "CH",
            attached(),
            vec![id(EXPORTER)],
            AUTHORITY,
            "TANBA-REX-ORGANIZATION",
        ),
        (
            "CH",
            attached(),
            vec![id(ATAMEKEN)],
            ATAMEKEN,
            "TANBA-CASE-AUTHORITY",
        ),
    ] {
        let error = register_at(request(state, at), files, named, authority, at)
            .err()
            .unwrap();
        assert_eq!(code(&error), expected, "{state}");
    }
    let case = register_at(
        request("CH", at),
        attached(),
        vec![id(ATAMEKEN)],
        AUTHORITY,
        at,
    )
    .unwrap();
    assert_eq!(case.state, rex::REQUEST_RECEIVED);
}

/// R-REX-02, R-REX-03: 30 WD and 3 WD from the request's arrival (its day not counted).
#[test]
fn r_rex_02_r_rex_03_the_whole_and_the_ask_run_from_the_arrival() {
    let case = registered();
    let calendar = Calendar::from_toml(CALENDAR_2027_TOML).unwrap();
    assert_eq!(case.due_day(rex::ASK_CLOCK), Some(date("2026-11-05")));
    let whole = calendar
        .due_after_working_days(date("2026-11-02"), 30)
        .unwrap();
    assert_eq!(case.due_day(rex::WHOLE_CLOCK), Some(whole.day));
}

/// R-REX-04, A-REX-3: the organization's documents within 5 WD of the ask reaching it, sent by
/// it with its own key, the file attached; a late organization is told, as is the authority.
#[test]
fn r_rex_04_a_rex_3_the_organization_sends_the_file_within_5_working_days() {
    let mut case = registered();
    by(
        &mut case,
        AUTHORITY,
        "request_documents",
        Form::new(),
        Vec::new(),
        astana("2026-11-03", 10, 0),
    )
    .unwrap();
    let ask = case.notices_to(id(ATAMEKEN))[0];
    assert_eq!(ask.kind, "rex_documents_requested");
    assert!(ask.body.ru.contains("Steppe Wool LLP"));
    assert_eq!(case.due_day(rex::DOCUMENTS_CLOCK), Some(date("2026-11-10")));
    let error = by(
        &mut case,
        AUTHORITY,
        "send_documents",
        form(&[("documents_note", text("x"))]),
        vec![file("f.pdf", None)],
        astana("2026-11-04", 10, 0),
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-CASE-NOT-YOUR-STEP");
    let error = by(
        &mut case,
        ATAMEKEN,
        "send_documents",
        form(&[("documents_note", text("x"))]),
        Vec::new(),
        astana("2026-11-04", 10, 0),
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-REX-DOCUMENTS");
    case.run_until(astana("2026-11-11", 9, 0)).unwrap();
    assert!(
        case.notices_to(id(ATAMEKEN))
            .iter()
            .any(|notice| notice.kind == "rex_overdue")
    );
    assert!(
        case.notices_to(id(AUTHORITY))
            .iter()
            .any(|notice| notice.kind == "rex_overdue")
    );
}

/// R-REX-05, R-REX-06, A-REX-1: the check within 7 WD of the documents, the conclusion within
/// 7 WD of the check, entered in the target system.
#[test]
fn r_rex_05_r_rex_06_a_rex_1_check_and_conclusion_within_7_working_days_each() {
    let mut case = verified();
    assert_eq!(
        case.due_day(rex::CONCLUSION_CLOCK),
        Some(date("2026-11-23"))
    );
    let mut not_entered = conclusion(&[]);
    not_entered.insert("entered_in_target_system".into(), flag(false));
    let error = by(
        &mut case,
        AUTHORITY,
        "conclude",
        not_entered,
        Vec::new(),
        astana("2026-11-13", 10, 0),
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-REX-NOT-ENTERED");
    by(
        &mut case,
        AUTHORITY,
        "conclude",
        conclusion(&[]),
        Vec::new(),
        astana("2026-11-13", 10, 0),
    )
    .unwrap();
    assert_eq!(case.state, rex::CONCLUDED);
    assert!(case.closed);
}

/// R-REX-07, A-REX-2: any one condition found opens the 3 WD to apply for revocation, naming
/// which; only conditions the conclusion found.
#[test]
fn r_rex_07_a_rex_2_revocation_within_3_working_days_on_any_one_condition() {
    let mut case = verified();
    by(
        &mut case,
        AUTHORITY,
        "conclude",
        conclusion(&[3]),
        Vec::new(),
        astana("2026-11-13", 10, 0),
    )
    .unwrap();
    assert_eq!(case.state, rex::CONCLUSION_ISSUED);
    assert_eq!(
        case.due_day(rex::REVOCATION_CLOCK),
        Some(date("2026-11-18"))
    );
    let error = by(
        &mut case,
        AUTHORITY,
        "request_revocation",
        form(&[("conditions", integers(&[1]))]),
        Vec::new(),
        astana("2026-11-16", 10, 0),
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-REX-CONDITION");
    by(
        &mut case,
        AUTHORITY,
        "request_revocation",
        form(&[("conditions", integers(&[3]))]),
        Vec::new(),
        astana("2026-11-16", 10, 0),
    )
    .unwrap();
    assert_eq!(case.state, rex::REVOCATION_REQUESTED);
    let application = case.notices_to(id(ATAMEKEN)).last().copied().unwrap();
    assert_eq!(application.kind, "rex_revocation_requested");
    assert!(
        application.body.en.contains("3) "),
        "{}",
        application.body.en
    );
}

/// R-REX-08, R-REX-10: the target system is a parameter (REX today) and the authority's own
/// credentials there are never asked of Tanba.
#[test]
fn r_rex_08_r_rex_10_the_target_system_is_a_parameter_and_no_credential_is_held() {
    for transition in Rex.transitions() {
        for field in transition.fields {
            assert!(
                !["password", "login", "secret"]
                    .iter()
                    .any(|word| field.name.contains(word))
            );
        }
    }
    let case = registered();
    assert!(case.data.contains_key("target_system"));
}

/// A verification left unanswered is overdue on every term it passes, once each.
#[test]
fn an_unanswered_verification_becomes_overdue_once_per_term() {
    let mut case = registered();
    case.run_until(astana("2026-12-31", 0, 0)).unwrap();
    let overdue: Vec<_> = case
        .notices_to(id(AUTHORITY))
        .iter()
        .filter(|notice| notice.kind == "rex_overdue")
        .map(|notice| notice.body.en.clone())
        .collect();
    assert_eq!(overdue, ["D-REX-2", "D-REX-1"]);
}
