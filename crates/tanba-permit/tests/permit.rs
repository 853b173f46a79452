//! The permit's rules, clause by clause (R-PER-01..25 and the decisions A-PER-1..10), run in
//! memory through the executor as the engine runs them: intake and registration under the
//! working-day calendar, the two review tracks, the 30-WD term paused for the MFA, validity,
//! refusal grounds and the complaint.

use tanba_cases::calendar::CALENDAR_2027_TOML;
use tanba_cases::definition::check_tables;
use tanba_cases::sandbox::values::{
    day, decimal, file, flag, form, integer, integers, rows, stand_in_hash, text, texts,
    translation,
};
use tanba_cases::sandbox::{Sandbox, astana};
use tanba_cases::service::SampleFile;
use tanba_cases::{Calendar, CaseError, Definition, References};
use tanba_permit::permit::{self, Permit};
use tanba_types::{
    AttachmentRef, CaseOpening, Date, FieldValue, Form, GoodsRequest, Language, Localized, Run,
    TaxpayerId, messages,
};

const APPLICANT: &str = "990540000309";
const PROVIDER: &str = "990640000302";
const QUALITY: &str = "990740000306";

fn id(text: &str) -> TaxpayerId {
    text.parse().unwrap()
}

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

/// The shipped reference data with the providers bound to the test's participants.
fn references() -> References {
    tanba_cases::sandbox::bound_references(&[
        ("cid-miid-permit", id(PROVIDER)),
        ("quality-control", id(QUALITY)),
    ])
}

fn opening(kind: &str, named: Vec<TaxpayerId>, parent: Option<u64>) -> CaseOpening {
    CaseOpening {
        kind: kind.into(),
        text_version: tanba_permit::TEXT_VERSION.into(),
        party: id(APPLICANT),
        authority: Some(id(PROVIDER)),
        parent,
        named,
        references: references().versions(),
    }
}

fn attachments() -> Vec<AttachmentRef> {
    SampleFile::attachments(tanba_permit::sample::FILES, stand_in_hash)
}

fn document(kind: &str, file: &str, valid_until: Option<&str>) -> Vec<(&'static str, FieldValue)> {
    let mut row = vec![("kind", text(kind)), ("file", text(file))];
    if let Some(until) = valid_until {
        row.push(("valid_until", day(until)));
    }
    row
}

/// The sample's list of documents: the guarantee obligation valid until 29 August 2027.
fn documents() -> Vec<Vec<(&'static str, FieldValue)>> {
    vec![
        document("guarantee_obligation", "guarantee.txt", Some("2027-08-29")),
        document("contract", "contract.txt", None),
        document("registration_certificate", "registration.txt", None),
    ]
}

/// The sample application, filled on Monday 2 November 2026.
fn application() -> Form {
    tanba_permit::sample::application(id(APPLICANT), date("2026-11-02"))
}

fn calendar() -> Calendar {
    Calendar::from_toml(CALENDAR_2027_TOML).unwrap()
}

fn apply_at(
    form: Form,
    files: Vec<AttachmentRef>,
    at_ms: u64,
) -> Result<Sandbox<'static>, CaseError> {
    Sandbox::open(
        &Permit,
        calendar(),
        references(),
        opening(permit::KIND, Vec::new(), None),
        None,
        "apply",
        form,
        files,
        at_ms,
    )
}

/// Monday 2 November 2026, 10:00 in Astana: a working day, before the cutoff.
fn monday() -> u64 {
    astana("2026-11-02", 10, 0)
}

fn registered() -> Sandbox<'static> {
    apply_at(application(), attachments(), monday()).unwrap()
}

fn official(
    case: &mut Sandbox<'_>,
    transition: &str,
    form: Form,
    at_ms: u64,
) -> Result<(), CaseError> {
    case.step(id(PROVIDER), transition, form, Vec::new(), at_ms)
        .map(|_| ())
}

fn signer() -> [(&'static str, FieldValue); 2] {
    [
        ("signer_position", text("acting_head")),
        ("signer_name", text("A. Seitkali")),
    ]
}

fn under_review() -> Sandbox<'static> {
    let mut case = registered();
    official(
        &mut case,
        "confirm_complete",
        form(&[
            (
                "bodies",
                texts(&["National Security Committee", "Ministry of Defence"]),
            ),
            ("mfa_referral", text("MFA-2026-4411")),
        ]),
        astana("2026-11-03", 11, 0),
    )
    .unwrap();
    case
}

fn ready_to_issue() -> Sandbox<'static> {
    let mut case = under_review();
    let at = astana("2026-11-10", 11, 0);
    official(
        &mut case,
        "record_answers",
        form(&[
            ("answers", text("no objections")),
            ("answers_negative", flag(false)),
        ]),
        at,
    )
    .unwrap();
    official(
        &mut case,
        "assess_risk",
        form(&[
            ("risk_result", text("positive")),
            ("risk_summary", text("low risk")),
        ]),
        at,
    )
    .unwrap();
    official(
        &mut case,
        "record_mfa_confirmation",
        form(&[
            ("mfa_result", text("confirmed")),
            ("mfa_answer", text("MFA note 17")),
        ]),
        astana("2026-11-20", 9, 30),
    )
    .unwrap();
    case
}

fn issue_form(valid_until: &str) -> Form {
    let mut fields = vec![
        ("valid_until", day(valid_until)),
        ("agreed_by", text("NSC, MoD")),
    ];
    fields.extend(signer());
    form(&fields)
}

fn code(error: &CaseError) -> &'static str {
    error.code()
}

#[test]
fn the_permit_tables_agree_with_themselves_and_every_code_reads_in_three_languages() {
    for definition in tanba_permit::definitions() {
        assert_eq!(
            check_tables(definition.as_ref()),
            Ok(()),
            "{}",
            definition.kind()
        );
        assert!(definition.text_version().starts_with("Order 355"));
    }
    let codes = tanba_permit::CODES
        .iter()
        .chain(tanba_cases::service::CODES)
        .chain(tanba_cases::complaint::CODES)
        .chain(tanba_cases::amendment::CODES)
        .chain(CaseError::CODES);
    for code in codes {
        for language in [Language::Kk, Language::Ru, Language::En] {
            assert!(
                messages::template(code, language).is_some(),
                "{code} {language:?}"
            );
        }
    }
}

/// R-PER-01: extraterritorial re-export: from another foreign state to a third country.
#[test]
fn r_per_01_the_route_runs_from_a_foreign_state_to_a_third_country() {
    for (consignor, recipient) in [("KZ", "NO"), ("DE", "DE")] {
        let mut application = application();
        application.insert("consignor_country".into(), text(consignor));
        application.insert("recipient_country".into(), text(recipient));
        let error = apply_at(application, attachments(), monday())
            .err()
            .unwrap();
        assert_eq!(code(&error), "TANBA-PERMIT-NOT-EXTRATERRITORIAL");
    }
}

/// R-PER-02: the application, the information form, the guarantee obligation and the contract;
/// each listed document's file is attached.
#[test]
fn r_per_02_the_application_names_its_documents_and_attaches_each() {
    let case = registered();
    assert_eq!(case.state, permit::REGISTERED);
    let mut files = attachments();
    files.retain(|file| file.name != "registration.txt");
    let error = apply_at(application(), files, monday()).err().unwrap();
    assert_eq!(code(&error), "TANBA-SERVICE-FILE-NOT-ATTACHED");
    assert_eq!(
        permit::required_documents(&application()),
        [
            "guarantee_obligation",
            "contract",
            "registration_certificate"
        ]
    );
}

/// R-PER-03: an incomplete set is refused at intake, with a receipt listing what is missing,
/// numbered; nothing is registered and no clock runs.
#[test]
fn r_per_03_an_incomplete_set_is_refused_at_intake_with_a_numbered_receipt() {
    let mut application = application();
    let mut listed = documents();
    listed.retain(|row| row[0].1 != text("guarantee_obligation"));
    application.insert("documents".into(), rows(&listed));
    let case = apply_at(application, attachments(), monday()).unwrap();
    assert_eq!(case.state, permit::INTAKE_REFUSED);
    assert!(case.closed);
    assert!(case.clocks.is_empty());
    let receipt = case.notices_to(id(APPLICANT))[0];
    assert_eq!(receipt.kind, "permit_intake_refused");
    assert!(
        receipt.body.ru.contains("1) Гарантийное обязательство"),
        "{}",
        receipt.body.ru
    );
    assert!(receipt.body.kk.contains("ұсынылмаған"));
    assert!(receipt.body.en.contains("(not submitted)"));
}

/// A-PER-10: a document whose validity ended before the day of intake is refused at intake,
/// named with its date.
#[test]
fn a_per_10_an_expired_document_is_refused_at_intake_naming_it() {
    let mut application = application();
    let mut listed = documents();
    listed[0] = document("guarantee_obligation", "guarantee.txt", Some("2026-11-01"));
    application.insert("documents".into(), rows(&listed));
    let case = apply_at(application, attachments(), monday()).unwrap();
    assert_eq!(case.state, permit::INTAKE_REFUSED);
    let receipt = case.notices_to(id(APPLICANT))[0];
    assert!(
        receipt.body.en.contains("validity ended 2026-11-01"),
        "{}",
        receipt.body.en
    );
    assert!(receipt.body.ru.contains("истёкшим сроком"));
}

/// R-PER-12, R-PER-13: the receipt of acceptance says the request is accepted and when the
/// result is due; the provider is told of the registration.
#[test]
fn r_per_12_r_per_13_the_receipt_of_acceptance_gives_the_result_date() {
    let case = registered();
    let receipt = case.notices_to(id(APPLICANT))[0];
    assert_eq!(receipt.kind, "permit_accepted");
    assert!(
        receipt
            .subject
            .en
            .contains("Request for the state service accepted")
    );
    // 30 working days after Monday 2 November 2026, across Independence Day (16 December).
    let due = case.due_day(permit::SERVICE_CLOCK).unwrap();
    assert!(
        receipt.body.en.contains(&due.to_string()),
        "{}",
        receipt.body.en
    );
    assert_eq!(case.notices_to(id(PROVIDER))[0].kind, "permit_registered");
}

/// R-PER-14, A-PER-3: registered the day it arrives before 17:00 on a working day; after 17:00,
/// or on a day off or holiday, the next working day; both terms count from registration.
#[test]
fn r_per_14_a_per_3_registration_follows_the_intake_rule_and_starts_both_terms() {
    let cases = [
        (astana("2026-11-02", 8, 30), "2026-11-02"),
        (astana("2026-11-02", 16, 59), "2026-11-02"),
        (astana("2026-11-02", 17, 0), "2026-11-03"),
        (astana("2026-11-07", 12, 0), "2026-11-09"),
        // Independence Day, Wednesday 16 December 2026 (one day since 2022): registered on
        // Thursday the 17th.
        (astana("2026-12-16", 10, 0), "2026-12-17"),
    ];
    for (at_ms, registered_on) in cases {
        let case = apply_at(application(), attachments(), at_ms).unwrap();
        let completeness = &case.clocks[permit::COMPLETENESS_CLOCK];
        let Run::Running { since, .. } = &completeness.run else {
            panic!("the completeness clock runs")
        };
        assert_eq!(*since, date(registered_on), "{at_ms}");
        let calendar = calendar();
        let expected = calendar
            .due_after_working_days(date(registered_on), 2)
            .unwrap();
        assert_eq!(case.due_day(permit::COMPLETENESS_CLOCK), Some(expected.day));
        let expected = calendar
            .due_after_working_days(date(registered_on), 30)
            .unwrap();
        assert_eq!(case.due_day(permit::SERVICE_CLOCK), Some(expected.day));
    }
}

/// R-PER-15: a term ends at 18:30 provider time of its last working day.
#[test]
fn r_per_15_a_term_ends_at_the_end_of_the_providers_working_day() {
    let case = registered();
    let Run::Running { due, .. } = &case.clocks[permit::COMPLETENESS_CLOCK].run else {
        panic!("running")
    };
    assert_eq!(due.day, date("2026-11-04"));
    assert_eq!(due.at_ms, astana("2026-11-04", 18, 30));
}

/// R-PER-04, A-PER-1: incomplete documents are refused further consideration within 2 WD, by
/// a reasoned refusal signed by the head or the acting head; the case records the reading of
/// cl. 12.
#[test]
fn r_per_04_a_per_1_an_incomplete_set_is_refused_by_a_reasoned_refusal() {
    let mut case = registered();
    let mut fields = vec![("missing", texts(&["Information form, line 4"]))];
    fields.extend(signer());
    official(
        &mut case,
        "refuse_incomplete",
        form(&fields),
        astana("2026-11-04", 12, 0),
    )
    .unwrap();
    assert_eq!(case.state, permit::REFUSED_INCOMPLETE);
    assert!(case.closed);
    let refusal = case.notices_to(id(APPLICANT)).last().copied().unwrap();
    assert!(refusal.body.en.contains("1) Information form, line 4"));
    assert!(refusal.body.en.contains("A-PER-1"));
    assert!(
        refusal
            .body
            .ru
            .contains("Исполняющий обязанности Председателя Комитета: A. Seitkali")
    );
    assert!(
        refusal.body.kk.contains("Индустриялық даму комитеті"),
        "{}",
        refusal.body.kk
    );
    // Every clock stopped with the case.
    assert!(
        case.clocks
            .values()
            .all(|clock| matches!(clock.run, Run::Stopped { .. }))
    );
    // The applicant cannot take the provider's step.
    let mut other = registered();
    let error = other
        .step(
            id(APPLICANT),
            "refuse_incomplete",
            form(&fields),
            Vec::new(),
            monday(),
        )
        .unwrap_err();
    assert_eq!(code(&error), "TANBA-CASE-NOT-YOUR-STEP");
}

/// R-PER-05, A-PER-4: once complete, the requests and the MFA referral go at once; the risk
/// assessment follows the answers within 5 WD and cannot come before them.
#[test]
fn r_per_05_a_per_4_requests_at_once_and_the_risk_assessed_within_5_working_days() {
    let mut case = under_review();
    assert_eq!(case.state, permit::UNDER_REVIEW);
    let error = official(
        &mut case,
        "assess_risk",
        form(&[
            ("risk_result", text("positive")),
            ("risk_summary", text("-")),
        ]),
        astana("2026-11-05", 10, 0),
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-PERMIT-ORDER");
    official(
        &mut case,
        "record_answers",
        form(&[
            ("answers", text("no objections")),
            ("answers_negative", flag(false)),
        ]),
        astana("2026-11-05", 10, 0),
    )
    .unwrap();
    assert_eq!(case.due_day(permit::RISK_CLOCK), Some(date("2026-11-12")));
    let again = official(
        &mut case,
        "record_answers",
        form(&[
            ("answers", text("again")),
            ("answers_negative", flag(false)),
        ]),
        astana("2026-11-05", 11, 0),
    )
    .unwrap_err();
    assert_eq!(code(&again), "TANBA-PERMIT-ALREADY-RECORDED");
}

/// R-PER-06, A-PER-2: the 30 WD pause from the MFA referral until its confirmation (and while
/// a foreign body is asked), so the due day moves by exactly the working days waited; the
/// permit waits for the confirmation; a refusal may come before it.
#[test]
fn r_per_06_a_per_2_the_term_waits_for_the_mfa_and_the_permit_for_its_confirmation() {
    let mut case = registered();
    let due_before = case.due_day(permit::SERVICE_CLOCK).unwrap();
    official(
        &mut case,
        "confirm_complete",
        form(&[("bodies", texts(&["NSC"])), ("mfa_referral", text("MFA-1"))]),
        astana("2026-11-03", 11, 0),
    )
    .unwrap();
    assert!(matches!(
        case.clocks[permit::SERVICE_CLOCK].run,
        Run::Paused { .. }
    ));
    // A foreign body is asked too: still paused, and stays paused after the MFA answers.
    official(
        &mut case,
        "request_foreign_information",
        form(&[
            ("foreign_body", text("BAFA")),
            ("foreign_question", text("end use?")),
        ]),
        astana("2026-11-04", 11, 0),
    )
    .unwrap();
    official(
        &mut case,
        "record_mfa_confirmation",
        form(&[
            ("mfa_result", text("confirmed")),
            ("mfa_answer", text("note")),
        ]),
        astana("2026-11-09", 11, 0),
    )
    .unwrap();
    assert!(matches!(
        case.clocks[permit::SERVICE_CLOCK].run,
        Run::Paused { .. }
    ));
    // The answer on Tuesday 10 November resumes it: 1 WD was used (3 November), the pause ran
    // from the 3rd to the 10th.
    official(
        &mut case,
        "record_foreign_information",
        form(&[("foreign_information", text("civil end use"))]),
        astana("2026-11-10", 11, 0),
    )
    .unwrap();
    let due_after = case.due_day(permit::SERVICE_CLOCK).unwrap();
    let calendar = calendar();
    let expected = calendar
        .due_after_working_days(date("2026-11-10"), 29)
        .unwrap();
    assert_eq!(due_after, expected.day);
    assert!(due_after > due_before);
    // Without a risk assessment there is no permit.
    let error = official(
        &mut case,
        "issue",
        issue_form("2027-06-30"),
        astana("2026-11-11", 10, 0),
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-PERMIT-NOT-READY");
}

#[test]
fn a_per_2_a_refusal_may_come_before_the_mfa_answers() {
    let mut case = under_review();
    official(
        &mut case,
        "record_answers",
        form(&[
            ("answers", text("objection")),
            ("answers_negative", flag(true)),
        ]),
        astana("2026-11-05", 10, 0),
    )
    .unwrap();
    let mut fields = vec![
        ("grounds", integers(&[3])),
        ("reasons", text("NSC objects")),
    ];
    fields.extend(signer());
    official(
        &mut case,
        "refuse",
        form(&fields),
        astana("2026-11-06", 10, 0),
    )
    .unwrap();
    assert_eq!(case.state, permit::REFUSED);
}

/// R-PER-07, D-PER-5: the permit is numbered, valid at most a year and no longer than the
/// documents it rests on, signed by the head or a deputy; it expires by itself, warning first.
#[test]
fn r_per_07_the_permit_is_valid_a_year_at_most_bounded_by_its_documents() {
    let at = astana("2026-11-23", 10, 0);
    for (until, expected) in [
        ("2026-11-23", Some("TANBA-PERMIT-VALIDITY")),
        ("2027-11-24", Some("TANBA-PERMIT-VALIDITY")),
        // The guarantee obligation is valid until 29 August 2027.
        ("2027-08-30", Some("TANBA-PERMIT-VALIDITY")),
        ("2027-08-29", None),
    ] {
        let mut case = ready_to_issue();
        let result = official(&mut case, "issue", issue_form(until), at);
        assert_eq!(result.err().map(|error| code(&error)), expected, "{until}");
    }
    let mut case = ready_to_issue();
    official(&mut case, "issue", issue_form("2027-08-29"), at).unwrap();
    assert_eq!(case.state, permit::ISSUED);
    assert_eq!(case.numbers[0].to_string(), "PER-2026-000001");
    // What it lets the applicant export of marked goods: 1000 pieces of ML3 cartridges.
    let [GoodsRequest::Authorize(authorization)] = case.goods.as_slice() else {
        panic!("one authorization: {:?}", case.goods)
    };
    assert_eq!(authorization.units, 1000);
    assert_eq!(authorization.hs_code, "9306210000");
    assert_eq!(authorization.control_code, "ML3");
    assert_eq!(authorization.end_user, "Nordic Instruments AS");
    assert_eq!(authorization.valid_until, date("2027-08-29"));
    let notice = case.notices_to(id(APPLICANT)).last().copied().unwrap();
    assert!(notice.subject.en.contains("Permit No. PER-2026-000001"));
    assert!(notice.body.en.contains("valid until 2027-08-29"));
    assert!(notice.body.ru.contains("даю согласие"), "field 16");
    // The service clock stopped; the validity runs to the end of 29 August 2027.
    assert!(matches!(
        case.clocks[permit::SERVICE_CLOCK].run,
        Run::Stopped { .. }
    ));
    let fired = case.run_until(astana("2027-08-30", 0, 1)).unwrap();
    assert_eq!(fired.len(), 3, "approaching, due today, overdue: once each");
    assert_eq!(case.state, permit::EXPIRED);
    assert!(case.closed);
    assert_eq!(case.goods.last(), Some(&GoodsRequest::EndAuthorization));
    let kinds: Vec<_> = case
        .notices_to(id(APPLICANT))
        .iter()
        .map(|n| n.kind)
        .collect();
    assert!(
        kinds.ends_with(&["permit_expiring", "permit_expired"]),
        "{kinds:?}"
    );
    assert!(
        case.run_until(astana("2027-12-01", 0, 0))
            .unwrap()
            .is_empty()
    );
}

/// A second permit in the same year takes the next number.
#[test]
fn permits_are_numbered_in_sequence_per_year() {
    let at = astana("2026-11-23", 10, 0);
    let mut first = ready_to_issue();
    official(&mut first, "issue", issue_form("2027-06-30"), at).unwrap();
    let mut second = ready_to_issue();
    second.numbering_from(&first);
    official(&mut second, "issue", issue_form("2027-06-30"), at).unwrap();
    assert_eq!(second.numbers[0].to_string(), "PER-2026-000002");
}

/// R-PER-08: the 16 grounds, numbered as in the text, in three languages; a refusal names one
/// or more and they must match what the case records (ground 8 a negative risk assessment,
/// ground 16 the missing consent; A-PER-5: ground 2 has no requirements to fail).
#[test]
fn r_per_08_a_per_5_refusals_name_numbered_grounds_consistent_with_the_case() {
    assert_eq!(tanba_permit::wording::GROUNDS.len(), 16);
    tanba_cases::wording::check_numbering(&tanba_permit::wording::GROUNDS).unwrap();
    let refuse = |grounds: &[i64]| {
        let mut fields = vec![
            ("grounds", integers(grounds)),
            ("reasons", text("see grounds")),
        ];
        fields.extend(signer());
        form(&fields)
    };
    let at = astana("2026-11-24", 10, 0);
    for (grounds, expected) in [
        (vec![8], "TANBA-PERMIT-GROUND-UNSUPPORTED"),
        (vec![16], "TANBA-PERMIT-GROUND-UNSUPPORTED"),
        (vec![2], "TANBA-PERMIT-GROUND-UNSUPPORTED"),
        (vec![11, 11], "TANBA-SERVICE-GROUND"),
        (vec![17], "TANBA-CASE-FIELD-RANGE"),
    ] {
        let mut case = ready_to_issue();
        let error = official(&mut case, "refuse", refuse(&grounds), at).unwrap_err();
        assert_eq!(code(&error), expected, "{grounds:?}");
    }
    let mut case = ready_to_issue();
    official(&mut case, "refuse", refuse(&[11, 6]), at).unwrap();
    let notice = case.notices_to(id(APPLICANT)).last().copied().unwrap();
    assert!(notice.body.en.contains("11) "), "{}", notice.body.en);
    assert!(notice.body.kk.contains("6) "));
    assert!(notice.body.ru.contains("11) "));
}

/// R-PER-16: through the State Corporation every copy is certified; a seal only there.
#[test]
fn r_per_16_state_corporation_copies_are_certified_and_a_seal_is_only_there() {
    let mut application = application();
    application.insert("channel".into(), text("state_corporation"));
    let error = apply_at(application.clone(), attachments(), monday())
        .err()
        .unwrap();
    assert_eq!(code(&error), "TANBA-PERMIT-COPIES-NOT-CERTIFIED");
    application.insert("copies_certified".into(), flag(true));
    application.insert("seal_affixed".into(), flag(true));
    apply_at(application, attachments(), monday()).unwrap();
    let mut portal = self::application();
    portal.insert("seal_affixed".into(), flag(true));
    let error = apply_at(portal, attachments(), monday()).err().unwrap();
    assert_eq!(code(&error), "TANBA-PERMIT-SEAL-PORTAL");
}

/// R-PER-17: the information form's lines by the applicant's type.
#[test]
fn r_per_17_the_information_form_follows_the_applicants_type() {
    let mut application = application();
    application.insert("applicant_type".into(), text("individual"));
    let error = apply_at(application.clone(), attachments(), monday())
        .err()
        .unwrap();
    assert_eq!(code(&error), "TANBA-PERMIT-INFORMATION-FORM");
    application.insert(
        "identity_document".into(),
        text("N12345678, 2020-01-01, MIA"),
    );
    // An individual's registration document is its identity document.
    let case = apply_at(application, attachments(), monday()).unwrap();
    assert_eq!(case.state, permit::INTAKE_REFUSED);
    assert!(
        case.notices_to(id(APPLICANT))[0]
            .body
            .en
            .contains("identity document")
    );
}

/// A-PER-7: a foreign applicant without a BIN gives its foreign registration and country.
#[test]
fn a_per_7_a_foreign_applicant_is_identified_without_a_bin() {
    let mut application = application();
    application.remove("branch_taxpayer");
    let error = apply_at(application.clone(), attachments(), monday())
        .err()
        .unwrap();
    assert_eq!(code(&error), "TANBA-PERMIT-APPLICANT-ID");
    application.insert("foreign_registration".into(), text("HRB 12345"));
    application.insert("registration_country".into(), text("DE"));
    assert_eq!(
        apply_at(application, attachments(), monday())
            .unwrap()
            .state,
        permit::REGISTERED
    );
}

/// A-PER-8: the earlier export licence is given, or the application says there is none.
#[test]
fn a_per_8_the_earlier_licence_is_given_or_explicitly_absent() {
    let mut application = application();
    application.remove("previous_licence_number");
    let error = apply_at(application.clone(), attachments(), monday())
        .err()
        .unwrap();
    assert_eq!(code(&error), "TANBA-PERMIT-INFORMATION-FORM");
    application.insert("previous_licence".into(), text("none"));
    let error = apply_at(application.clone(), attachments(), monday())
        .err()
        .unwrap();
    assert_eq!(
        code(&error),
        "TANBA-PERMIT-INFORMATION-FORM",
        "a date without a licence"
    );
    application.remove("previous_licence_date");
    apply_at(application, attachments(), monday()).unwrap();
}

/// R-PER-18: the provider may ask the applicant for documents; the term does not pause.
#[test]
fn r_per_18_a_request_for_documents_does_not_pause_the_term() {
    let mut case = under_review();
    official(
        &mut case,
        "record_mfa_confirmation",
        form(&[("mfa_result", text("confirmed")), ("mfa_answer", text("n"))]),
        astana("2026-11-04", 10, 0),
    )
    .unwrap();
    let due = case.due_day(permit::SERVICE_CLOCK);
    official(
        &mut case,
        "request_documents",
        form(&[("requested", text("end-use statement"))]),
        astana("2026-11-05", 10, 0),
    )
    .unwrap();
    assert_eq!(case.due_day(permit::SERVICE_CLOCK), due);
    let statement = file("statement.pdf", Some("de"));
    // R-CER-04 applies to what the applicant sends later too.
    let error = case
        .step(
            id(APPLICANT),
            "provide_documents",
            form(&[("provided", text("statement"))]),
            vec![statement.clone()],
            astana("2026-11-06", 10, 0),
        )
        .unwrap_err();
    assert_eq!(code(&error), "TANBA-SERVICE-TRANSLATION-MISSING");
    let translated = translation(&statement, "statement-kk.pdf", "kk");
    case.step(
        id(APPLICANT),
        "provide_documents",
        form(&[("provided", text("statement"))]),
        vec![statement, translated],
        astana("2026-11-06", 10, 0),
    )
    .unwrap();
    assert_eq!(
        case.notices_to(id(PROVIDER)).last().unwrap().kind,
        "permit_documents_provided"
    );
}

/// R-PER-19: the result is handed over in person at the State Corporation, electronically on
/// the portal.
#[test]
fn r_per_19_the_result_is_delivered_by_the_channel_applied_through() {
    let mut case = ready_to_issue();
    let at = astana("2026-11-23", 10, 0);
    official(&mut case, "issue", issue_form("2027-06-30"), at).unwrap();
    let error = official(
        &mut case,
        "hand_over",
        form(&[("handed_over", text("in_person"))]),
        at,
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-PERMIT-DELIVERY");
    official(
        &mut case,
        "hand_over",
        form(&[("handed_over", text("electronic"))]),
        at,
    )
    .unwrap();
}

/// R-PER-20: the service is free: no form of it asks for a fee or a payment.
#[test]
fn r_per_20_no_form_asks_for_a_fee() {
    for transition in Permit.transitions() {
        for field in transition.fields {
            assert!(
                !field.name.contains("fee") && !field.name.contains("payment"),
                "{}",
                field.name
            );
        }
    }
}

/// A foreign-language document comes with a Kazakh or Russian translation (R-CER-04 as the
/// permit's portal applies it too).
#[test]
fn a_foreign_language_document_needs_its_translation() {
    let mut files = attachments();
    files.retain(|file| file.name != "contract-ru.txt");
    let error = apply_at(application(), files, monday()).err().unwrap();
    assert_eq!(code(&error), "TANBA-SERVICE-TRANSLATION-MISSING");
}

/// Bad input: each malformed field has its code and nothing is recorded.
#[test]
fn malformed_fields_are_refused_with_their_codes() {
    let cases: [(&str, FieldValue, &str); 9] = [
        ("hs_code", text("93062100"), "TANBA-CASE-FIELD-HS-CODE"),
        ("hs_code", text("0101210000"), "TANBA-CASE-FIELD-NOT-LISTED"),
        (
            "control_code",
            text("ML23"),
            "TANBA-CASE-FIELD-CONTROL-CODE",
        ),
        ("currency", text("EURO"), "TANBA-CASE-FIELD-CURRENCY"),
        (
            "recipient_country",
            text("XX"),
            "TANBA-CASE-FIELD-NOT-LISTED",
        ),
        ("unit", text("pcs"), "TANBA-CASE-FIELD-UNIT"),
        ("quantity", decimal("0"), "TANBA-CASE-FIELD-RANGE"),
        (
            "basis_signed_on",
            day("2027-01-01"),
            "TANBA-SERVICE-DATE-FUTURE",
        ),
        ("quantity", integer(5), "TANBA-CASE-FIELD-TYPE"),
    ];
    for (name, value, expected) in cases {
        let mut application = application();
        application.insert(name.into(), value);
        let error = apply_at(application, attachments(), monday())
            .err()
            .unwrap();
        assert_eq!(code(&error), expected, "{name}");
        for language in [Language::Kk, Language::Ru, Language::En] {
            assert!(!tanba_types::localize(&error, language).is_empty());
        }
    }
}

/// A permit refused on ground 6 (damage to the state's interests), for complaints about it.
fn refused_on_ground_6() -> Sandbox<'static> {
    let mut case = ready_to_issue();
    let mut fields = vec![
        ("grounds", integers(&[6])),
        ("reasons", text("state interests")),
    ];
    fields.extend(signer());
    let at = astana("2026-11-24", 10, 0);
    official(&mut case, "refuse", form(&fields), at).unwrap();
    case
}

fn complaint(
    addressed_to: &str,
    named: Vec<TaxpayerId>,
    parent: &Sandbox<'_>,
    at: u64,
) -> Result<Sandbox<'static>, CaseError> {
    let definition: &'static tanba_cases::complaint::Complaint = Box::leak(Box::new(
        tanba_cases::complaint::Complaint(tanba_permit::COMPLAINT),
    ));
    Sandbox::open(
        definition,
        calendar(),
        references(),
        opening("permit_complaint", named, Some(parent.id)),
        Some(parent.as_parent()),
        "file",
        form(&[
            ("addressed_to", text(addressed_to)),
            ("on_paper", flag(false)),
            ("challenged", text("refusal of case 1")),
            ("demands", text("issue the permit")),
        ]),
        Vec::new(),
        at,
    )
}

/// R-PER-09, R-PER-21: the provider reviews in 5 WD, the quality-control authority in 15 WD,
/// the provider may satisfy it in full within 3 WD instead of forwarding; no extension; court
/// only after it.
#[test]
fn r_per_09_r_per_21_complaints_5_and_15_working_days_and_3_to_satisfy() {
    let refused = refused_on_ground_6();
    let at = astana("2026-11-25", 10, 0);
    let mut to_provider = complaint("provider", Vec::new(), &refused, at).unwrap();
    assert_eq!(to_provider.state, tanba_cases::complaint::UNDER_REVIEW);
    assert_eq!(to_provider.due_day("review"), Some(date("2026-12-02")));
    assert_eq!(to_provider.due_day("favourable"), Some(date("2026-11-30")));
    let error = to_provider
        .step(
            id(PROVIDER),
            "extend",
            form(&[
                ("days", integer(5)),
                ("reason", integer(1)),
                ("explanation", text("site visit")),
            ]),
            Vec::new(),
            at,
        )
        .unwrap_err();
    assert_eq!(code(&error), "TANBA-COMPLAINT-NO-EXTENSION");
    to_provider
        .step(
            id(PROVIDER),
            "resolve_favourably",
            form(&[("act", text("permit to be issued"))]),
            Vec::new(),
            at,
        )
        .unwrap();
    assert_eq!(
        to_provider.state,
        tanba_cases::complaint::RESOLVED_FAVOURABLY
    );

    let mut to_quality = complaint("quality_authority", vec![id(QUALITY)], &refused, at).unwrap();
    assert_eq!(to_quality.state, tanba_cases::complaint::FILED);
    let review_due = calendar()
        .due_after_working_days(date("2026-11-25"), 15)
        .unwrap();
    assert_eq!(to_quality.due_day("review"), Some(review_due.day));
    to_quality
        .step(
            id(PROVIDER),
            "forward",
            form(&[("case_file", text("case 1"))]),
            Vec::new(),
            at,
        )
        .unwrap();
    // The provider cannot decide what the authority reviews.
    let decide = form(&[
        ("decision", text("rejected")),
        ("reasons", text("grounds confirmed")),
    ]);
    let error = to_quality
        .step(id(PROVIDER), "decide", decide.clone(), Vec::new(), at)
        .unwrap_err();
    assert_eq!(code(&error), "TANBA-CASE-NOT-YOUR-STEP");
    to_quality
        .step(id(QUALITY), "decide", decide, Vec::new(), at)
        .unwrap();
    let decision = to_quality
        .notices_to(id(APPLICANT))
        .last()
        .copied()
        .unwrap();
    assert!(decision.body.en.contains("court"), "R-PER-21");

    // Only the case's applicant complains, and with the provider of that case.
    let error = complaint("quality_authority", Vec::new(), &refused, at)
        .err()
        .unwrap();
    assert_eq!(code(&error), "TANBA-COMPLAINT-REVIEWER");
}

/// R-PER-11, A-PER-9: the provider named from the reference data in force; the guarantee
/// obligation's content read in the "without the consent" variant.
#[test]
fn r_per_11_a_per_9_the_provider_and_the_guarantee_obligations_content() {
    let references = references();
    let provider = references
        .provider("permit", date("2026-11-02"))
        .unwrap()
        .unwrap();
    assert!(
        provider.en.contains("Committee for Industrial Development"),
        "{}",
        provider.en
    );
    assert!(
        tanba_permit::wording::GUARANTEE_CONTENT
            .kk
            .contains("келісімінсіз")
    );
    assert!(
        tanba_permit::wording::GUARANTEE_CONTENT
            .en
            .contains("without the consent")
    );
}

/// R-PER-14: an application made on a day off registers the next working day; the provider
/// acts on it from that day, not before.
#[test]
fn r_per_14_the_provider_acts_from_the_registration_day() {
    let mut case = apply_at(application(), attachments(), astana("2026-11-07", 12, 0)).unwrap();
    let complete = form(&[("bodies", texts(&["NSC"])), ("mfa_referral", text("MFA-1"))]);
    let error = official(
        &mut case,
        "confirm_complete",
        complete.clone(),
        astana("2026-11-08", 12, 0),
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-SERVICE-NOT-REGISTERED");
    official(
        &mut case,
        "confirm_complete",
        complete,
        astana("2026-11-09", 9, 0),
    )
    .unwrap();
}

/// R-PER-23: the receipt of refusal to accept documents cites art. 20 para 2 of the Law on
/// State Services and is made in 2 copies, one for each party.
#[test]
fn r_per_23_the_intake_receipt_cites_its_law_and_is_made_in_two_copies() {
    let mut application = application();
    let mut listed = documents();
    listed.remove(0);
    application.insert("documents".into(), rows(&listed));
    let case = apply_at(application, attachments(), monday()).unwrap();
    let receipt = case.notices_to(id(APPLICANT))[0];
    assert!(
        receipt.body.ru.contains("пунктом 2 статьи 20"),
        "{}",
        receipt.body.ru
    );
    assert!(receipt.body.en.contains("2 copies, one for each party"));
    assert!(receipt.body.kk.contains("2 данада"));
}

/// R-PER-24: the reasoned refusal names the provider in Kazakh and Russian (its header), the
/// application's number and date, the grounds and the signer.
#[test]
fn r_per_24_the_reasoned_refusal_names_provider_application_grounds_and_signer() {
    let mut case = ready_to_issue();
    let mut fields = vec![
        ("grounds", integers(&[7])),
        ("reasons", text("international obligations")),
    ];
    fields.extend(signer());
    official(
        &mut case,
        "refuse",
        form(&fields),
        astana("2026-11-24", 10, 0),
    )
    .unwrap();
    let refusal = case.notices_to(id(APPLICANT)).last().copied().unwrap();
    assert!(
        refusal.body.kk.contains("Индустриялық даму комитеті"),
        "{}",
        refusal.body.kk
    );
    assert!(
        refusal.body.ru.contains("Комитет индустриального развития"),
        "{}",
        refusal.body.ru
    );
    assert!(refusal.body.ru.contains(&format!("№ {}", case.id)));
    assert!(
        refusal.body.ru.contains("2026-11-02"),
        "the application's date"
    );
    assert!(refusal.body.ru.contains("7) "));
    assert!(refusal.body.ru.contains("A. Seitkali"));
}

/// R-PER-25: the receipt names where to learn about the service: the ministry's and the
/// provider's sites, the portal, the Unified Contact Centre.
#[test]
fn r_per_25_the_receipt_names_the_information_points() {
    let case = registered();
    let receipt = case.notices_to(id(APPLICANT))[0];
    for point in [
        "www.miid.gov.kz",
        "www.comprom.miid.gov.kz",
        "www.elicense.kz",
        "1414",
        "8-800-080-7777",
    ] {
        assert!(receipt.body.ru.contains(point), "{point}");
    }
}

/// A-PER-6: the authority fills fields 15-16 (the day accepted for consideration is the
/// registration; special conditions at issue): the applicant's form has no such field.
#[test]
fn a_per_6_special_conditions_are_the_authoritys_at_issue() {
    let mut application = application();
    application.insert("special_conditions".into(), text("none"));
    let error = apply_at(application, attachments(), monday())
        .err()
        .unwrap();
    assert_eq!(code(&error), "TANBA-CASE-FIELD-UNKNOWN");
    let mut case = ready_to_issue();
    let mut issue = issue_form("2027-06-30");
    issue.insert(
        "special_conditions".into(),
        text("no transit through third countries"),
    );
    official(&mut case, "issue", issue, astana("2026-11-23", 10, 0)).unwrap();
    let permit = case.notices_to(id(APPLICANT)).last().copied().unwrap();
    assert!(
        permit
            .body
            .en
            .contains("no transit through third countries")
    );
}

/// Terms across a government transfer of days off: registered Monday 30 December 2024, the
/// completeness check's 2 working days are Tuesday 31 December and Sunday 5 January 2025 (a
/// working day by the 2025 transfer; 1-2 January are holidays, Friday 3 January a day off).
#[test]
fn terms_follow_government_transfers_of_days_off() {
    let calendar = calendar();
    let due = calendar
        .due_after_working_days(date("2024-12-30"), 2)
        .unwrap();
    assert_eq!(due.day, date("2025-01-05"));
    let mut application = tanba_permit::sample::application(id(APPLICANT), date("2024-12-30"));
    application.insert("previous_licence".into(), text("none"));
    application.remove("previous_licence_number");
    application.remove("previous_licence_date");
    let case = apply_at(application, attachments(), astana("2024-12-30", 11, 0)).unwrap();
    assert_eq!(case.due_day(permit::COMPLETENESS_CLOCK), Some(due.day));
}

/// R-PER-11: the application goes to the provider the reference data names (bound by the
/// operator to its participant); no other authority handles it, an authority never applies to
/// itself, and a permit's case names nobody else.
#[test]
fn r_per_11_the_provider_is_the_one_the_reference_data_names() {
    let other = opening(permit::KIND, Vec::new(), None);
    let mut elsewhere = other.clone();
    elsewhere.authority = Some(id(QUALITY));
    let open = |opening: CaseOpening, references: References| {
        Sandbox::open(
            &Permit,
            calendar(),
            references,
            opening,
            None,
            "apply",
            application(),
            attachments(),
            monday(),
        )
        .err()
        .map(|error| code(&error))
    };
    assert_eq!(
        open(elsewhere, references()),
        Some("TANBA-SERVICE-NOT-THE-PROVIDER")
    );
    assert_eq!(
        open(other.clone(), References::shipped()),
        Some("TANBA-SERVICE-PROVIDER-UNBOUND"),
        "the shipped providers name no participant until the operator binds them"
    );
    let mut own = other.clone();
    own.party = id(PROVIDER);
    assert_eq!(
        open(own, references()),
        Some("TANBA-SERVICE-NOT-THE-PROVIDER")
    );
    let mut naming = other;
    naming.named = vec![id(QUALITY)];
    assert_eq!(
        open(naming, references()),
        Some("TANBA-PERMIT-NAMES-NOBODY")
    );
}

/// A complaint to the quality-control authority names the one the reference data names: an
/// applicant cannot pick its own reviewer.
#[test]
fn a_complaints_reviewer_is_the_quality_control_authority_named_in_the_reference_data() {
    let refused = refused_on_ground_6();
    let accomplice = id("990840000311");
    let error = complaint(
        "quality_authority",
        vec![accomplice],
        &refused,
        astana("2026-11-25", 10, 0),
    )
    .err()
    .unwrap();
    assert_eq!(code(&error), "TANBA-COMPLAINT-REVIEWER");
}

/// R-PER-22: the provider informs the Unified Contact Centre, the State Corporation and the
/// e-government operator of an amendment within 3 WD of its entry into force; leaving one out
/// is refused, and a late duty is overdue.
#[test]
fn r_per_22_the_provider_informs_of_amendments_within_3_working_days() {
    let definition: &'static tanba_cases::amendment::Amendment = Box::leak(Box::new(
        tanba_cases::amendment::Amendment(tanba_permit::AMENDMENT),
    ));
    let mut opening = opening("permit_amendment", Vec::new(), None);
    opening.party = id(PROVIDER);
    let registered = |opening: CaseOpening| {
        Sandbox::open(
            definition,
            calendar(),
            references(),
            opening,
            None,
            "register_amendment",
            form(&[
                ("amending_act", text("Order No. 12 of 01.11.2026")),
                ("in_force_on", day("2026-11-02")),
                ("summary", text("clause 12 reworded")),
            ]),
            Vec::new(),
            monday(),
        )
    };
    let mut stranger = opening.clone();
    stranger.party = id(APPLICANT);
    let error = registered(stranger).err().unwrap();
    assert_eq!(code(&error), "TANBA-SERVICE-NOT-THE-PROVIDER");
    let mut case = registered(opening).unwrap();
    assert_eq!(case.due_day("inform"), Some(date("2026-11-05")));
    let partial = form(&[(
        "informed",
        texts(&["unified_contact_centre", "egov_operator"]),
    )]);
    let error = case
        .step(id(PROVIDER), "inform", partial, Vec::new(), monday())
        .unwrap_err();
    assert_eq!(code(&error), "TANBA-AMENDMENT-RECIPIENTS");
    let mut late = case.clone();
    late.run_until(astana("2026-11-06", 9, 0)).unwrap();
    assert!(
        late.notices_to(id(PROVIDER))
            .iter()
            .any(|n| n.kind == "amendment_overdue")
    );
    let all = form(&[(
        "informed",
        texts(&[
            "unified_contact_centre",
            "state_corporation",
            "egov_operator",
        ]),
    )]);
    case.step(id(PROVIDER), "inform", all, Vec::new(), monday())
        .unwrap();
    assert!(case.closed);
}
