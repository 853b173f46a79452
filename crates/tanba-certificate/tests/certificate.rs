//! The certificates' rules, clause by clause (R-CER-01..27 and the decisions A-CER-1..11), run
//! in memory through the executor as the engine runs them.

use tanba_cases::calendar::CALENDAR_2027_TOML;
use tanba_cases::complaint::{self, Complaint};
use tanba_cases::definition::check_tables;
use tanba_cases::sandbox::values::{
    day, decimal, file, flag, form, integer, integers, rows, stand_in_hash, taxpayer, text, texts,
};
use tanba_cases::sandbox::{Sandbox, astana};
use tanba_cases::service::SampleFile;
use tanba_cases::{Calendar, CaseError, Definition, References};
use tanba_certificate::certificate::{self, Certificate, months_after};
use tanba_types::{
    AttachmentRef, CaseOpening, Date, FieldValue, Form, Language, Localized, Run, TaxpayerId,
    messages,
};

const APPLICANT: &str = "990540000309";
const PROVIDER: &str = "990640000302";
const QUALITY: &str = "990740000306";
const END_USER: &str = "990840000311";
const IMPORTER: &str = "990940000303";

fn id(text: &str) -> TaxpayerId {
    text.parse().unwrap()
}

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

/// The shipped reference data with the providers bound to the test's participants.
fn references() -> References {
    tanba_cases::sandbox::bound_references(&[
        ("ic-mic-certificate", id(PROVIDER)),
        ("cid-miid-certificate", id(PROVIDER)),
        ("quality-control", id(QUALITY)),
    ])
}

fn calendar() -> Calendar {
    Calendar::from_toml(CALENDAR_2027_TOML).unwrap()
}

fn goods(lines: usize) -> FieldValue {
    tanba_certificate::sample::goods(lines)
}

/// The sample application, filled on Monday 2 November 2026.
fn application(certificates: &[&str]) -> Form {
    tanba_certificate::sample::application(
        id(APPLICANT),
        id(END_USER),
        certificates,
        date("2026-11-02"),
    )
}

fn attachments() -> Vec<AttachmentRef> {
    SampleFile::attachments(tanba_certificate::sample::FILES, stand_in_hash)
}

fn opening(named: Vec<TaxpayerId>, parent: Option<u64>, kind: &str) -> CaseOpening {
    CaseOpening {
        kind: kind.into(),
        text_version: tanba_certificate::TEXT_VERSION.into(),
        party: id(APPLICANT),
        authority: Some(id(PROVIDER)),
        parent,
        named,
        references: references().versions(),
    }
}

fn apply(
    certificates: &[&str],
    named: Vec<TaxpayerId>,
    application: Form,
    at_ms: u64,
) -> Result<Sandbox<'static>, CaseError> {
    let _ = certificates;
    Sandbox::open(
        &Certificate,
        calendar(),
        references(),
        opening(named, None, certificate::KIND),
        None,
        "apply",
        application,
        attachments(),
        at_ms,
    )
}

fn monday() -> u64 {
    astana("2026-11-02", 10, 0)
}

/// An end-user certificate applied for by the importer: the end user co-signs the same day.
fn registered() -> Sandbox<'static> {
    let mut case = apply(
        &["euc", "iic"],
        vec![id(END_USER)],
        application(&["euc", "iic"]),
        monday(),
    )
    .unwrap();
    case.step(
        id(END_USER),
        "sign_guarantee",
        form(&[("guarantee_signer_position", text("CEO"))]),
        Vec::new(),
        astana("2026-11-02", 11, 0),
    )
    .unwrap();
    case
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
        ("signer_position", text("head")),
        ("signer_name", text("B. Nurlan")),
    ]
}

fn checked() -> Sandbox<'static> {
    let mut case = registered();
    official(
        &mut case,
        "confirm_complete",
        Form::new(),
        astana("2026-11-03", 10, 0),
    )
    .unwrap();
    case
}

fn notify_form(grounds: &[i64], hearing_on: &str) -> Form {
    form(&[
        ("grounds", integers(grounds)),
        ("reasons", text("the end user's registration is suspended")),
        ("hearing_on", day(hearing_on)),
        ("hearing_time", text("11:00")),
        ("hearing_place", text("video call, link in the e-mail")),
        ("notice_channel", text("email")),
    ])
}

fn code(error: &CaseError) -> &'static str {
    error.code()
}

#[test]
fn the_certificate_tables_agree_with_themselves_and_every_code_reads_in_three_languages() {
    for definition in tanba_certificate::definitions() {
        assert_eq!(
            check_tables(definition.as_ref()),
            Ok(()),
            "{}",
            definition.kind()
        );
        assert!(definition.text_version().starts_with("Order 309"));
    }
    for code in tanba_certificate::CODES {
        for language in [Language::Kk, Language::Ru, Language::En] {
            assert!(
                messages::template(code, language).is_some(),
                "{code} {language:?}"
            );
        }
    }
}

/// R-CER-05, A-CER-4: the end user signs the guarantee obligation with its own key; the
/// application registers only when every co-signer has signed, by the intake rule then.
#[test]
fn r_cer_05_a_cer_4_the_end_user_cosigns_and_the_application_registers_then() {
    let mut case = apply(
        &["euc"],
        vec![id(END_USER)],
        application(&["euc"]),
        monday(),
    )
    .unwrap();
    assert_eq!(case.state, certificate::SUBMITTED);
    assert!(case.clocks.is_empty());
    assert_eq!(
        case.notices_to(id(END_USER))[0].kind,
        "certificate_signature_requested"
    );
    // Nobody else signs for it.
    let error = case
        .step(
            id(PROVIDER),
            "sign_guarantee",
            form(&[("guarantee_signer_position", text("x"))]),
            Vec::new(),
            monday(),
        )
        .unwrap_err();
    assert_eq!(code(&error), "TANBA-CASE-NOT-YOUR-STEP");
    // Signed at 17:30: registered on Tuesday.
    case.step(
        id(END_USER),
        "sign_guarantee",
        form(&[("guarantee_signer_position", text("CEO"))]),
        Vec::new(),
        astana("2026-11-02", 17, 30),
    )
    .unwrap();
    assert_eq!(case.state, certificate::REGISTERED);
    let Run::Running { since, .. } = &case.clocks[certificate::SERVICE_CLOCK].run else {
        panic!("running")
    };
    assert_eq!(*since, date("2026-11-03"));
    // The named co-signers must be exactly the importer and end user who are not the applicant.
    let error = apply(&["euc"], Vec::new(), application(&["euc"]), monday())
        .err()
        .unwrap();
    assert_eq!(code(&error), "TANBA-CERT-COSIGNERS");
    // An intermediary applies: the importer signs too.
    let mut intermediary = application(&["euc"]);
    intermediary.insert("importer_taxpayer".into(), taxpayer(IMPORTER));
    let mut case = apply(
        &["euc"],
        vec![id(IMPORTER), id(END_USER)],
        intermediary,
        monday(),
    )
    .unwrap();
    let sign = form(&[("guarantee_signer_position", text("Director"))]);
    case.step(
        id(IMPORTER),
        "sign_guarantee",
        sign.clone(),
        Vec::new(),
        monday(),
    )
    .unwrap();
    assert_eq!(case.state, certificate::SUBMITTED);
    let again = case
        .step(
            id(IMPORTER),
            "sign_guarantee",
            sign.clone(),
            Vec::new(),
            monday(),
        )
        .unwrap_err();
    assert_eq!(code(&again), "TANBA-CERT-SIGNED");
    case.step(id(END_USER), "sign_guarantee", sign, Vec::new(), monday())
        .unwrap();
    assert_eq!(case.state, certificate::REGISTERED);
}

/// A-CER-3: the guarantee's end-user part is required for an end-user certificate only.
#[test]
fn a_cer_3_an_import_certificate_needs_no_end_user() {
    let case = apply(&["iic"], Vec::new(), application(&["iic"]), monday()).unwrap();
    assert_eq!(case.state, certificate::REGISTERED);
    let mut missing = application(&["euc"]);
    missing.remove("purpose");
    let error = apply(&["euc"], vec![id(END_USER)], missing, monday())
        .err()
        .unwrap();
    assert_eq!(code(&error), "TANBA-CERT-APPLICATION");
}

/// R-CER-04, R-CER-15: portal only, signed; a foreign-language document with its Kazakh or
/// Russian translation; after 17:00 or on a day off, registered the next working day.
#[test]
fn r_cer_04_r_cer_15_translations_and_the_intake_rule() {
    let mut files = attachments();
    files.pop();
    let error = Sandbox::open(
        &Certificate,
        calendar(),
        references(),
        opening(Vec::new(), None, certificate::KIND),
        None,
        "apply",
        application(&["iic"]),
        files,
        monday(),
    )
    .err()
    .unwrap();
    assert_eq!(code(&error), "TANBA-SERVICE-TRANSLATION-MISSING");
    for (at_ms, registered_on) in [
        (astana("2026-11-06", 16, 0), "2026-11-06"),
        (astana("2026-11-06", 18, 0), "2026-11-09"),
        (astana("2026-11-08", 10, 0), "2026-11-09"),
    ] {
        let case = apply(&["iic"], Vec::new(), application(&["iic"]), at_ms).unwrap();
        let Run::Running { since, .. } = &case.clocks[certificate::COMPLETENESS_CLOCK].run else {
            panic!("running")
        };
        assert_eq!(*since, date(registered_on));
    }
}

/// R-CER-06, A-CER-1: incomplete within 3 WD: a reasoned refusal signed by the head or a
/// substitute, with no hearing; R-CER-12: it names the provider in force (changed in 2026).
#[test]
fn r_cer_06_r_cer_12_incomplete_is_refused_without_a_hearing_by_the_provider_in_force() {
    let mut case = registered();
    assert_eq!(
        case.due_day(certificate::COMPLETENESS_CLOCK),
        Some(date("2026-11-05"))
    );
    let mut fields = vec![("missing", texts(&["the contract's translation"]))];
    fields.extend(signer());
    official(
        &mut case,
        "refuse_incomplete",
        form(&fields),
        astana("2026-11-04", 10, 0),
    )
    .unwrap();
    assert_eq!(case.state, certificate::REFUSED_INCOMPLETE);
    let refusal = case.notices_to(id(APPLICANT)).last().copied().unwrap();
    assert!(
        refusal.body.ru.contains("Комитет промышленности"),
        "{}",
        refusal.body.ru
    );
    assert!(refusal.body.en.contains("1) the contract's translation"));
}

/// R-CER-16: an intermediary also lists the contract between importer and end user.
#[test]
fn r_cer_16_an_intermediary_lists_the_importer_end_user_contract() {
    let mut application = application(&["iic"]);
    application.insert("intermediary".into(), flag(true));
    let mut case = apply(&["iic"], Vec::new(), application, monday()).unwrap();
    let error = official(
        &mut case,
        "confirm_complete",
        Form::new(),
        astana("2026-11-03", 10, 0),
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-CERT-INCOMPLETE");
}

/// R-CER-07, R-CER-18, A-CER-10, R-CER-26: within 7 WD, an end-user certificate and an import
/// certificate, each numbered in its own yearly series, with the form's fixed confirmation.
#[test]
fn r_cer_07_r_cer_18_a_cer_6_both_certificates_issue_within_7_working_days_of_registration() {
    let mut case = checked();
    assert_eq!(
        case.due_day(certificate::SERVICE_CLOCK),
        Some(date("2026-11-11"))
    );
    let mut fields = Vec::new();
    fields.extend(signer());
    official(
        &mut case,
        "issue",
        form(&fields),
        astana("2026-11-05", 10, 0),
    )
    .unwrap();
    assert_eq!(case.state, certificate::ISSUED);
    let numbers: Vec<String> = case.numbers.iter().map(ToString::to_string).collect();
    assert_eq!(numbers, ["EUC-2026-000001", "IIC-2026-000001"]);
    let kinds: Vec<_> = case
        .notices_to(id(APPLICANT))
        .iter()
        .map(|notice| notice.kind)
        .collect();
    assert!(kinds.ends_with(&["certificate_euc_issued", "certificate_iic_issued"]));
    let euc = case.notices_to(id(APPLICANT))[kinds.len() - 2];
    assert!(
        euc.subject
            .en
            .contains("End-user certificate No. EUC-2026-000001")
    );
    assert!(euc.body.en.contains("six months"));
    assert!(euc.body.en.contains("KazAirNav JSC"));
}

/// R-CER-03: an issued certificate never changes; a changed contract is a new application that
/// names the one it replaces (of the same applicant, issued).
#[test]
fn r_cer_03_an_issued_certificate_is_immutable_and_replaced_by_a_new_one() {
    let mut case = checked();
    official(
        &mut case,
        "issue",
        form(&signer()),
        astana("2026-11-05", 10, 0),
    )
    .unwrap();
    for actor in [APPLICANT, PROVIDER] {
        let error = case
            .step(
                id(actor),
                "amend",
                form(&[("change", text("quantity 14"))]),
                Vec::new(),
                astana("2026-11-06", 10, 0),
            )
            .unwrap_err();
        assert_eq!(code(&error), "TANBA-CERT-IMMUTABLE");
    }
    assert_eq!(case.state, certificate::ISSUED);
    let replacement = Sandbox::open(
        &Certificate,
        calendar(),
        references(),
        opening(Vec::new(), Some(case.id), certificate::KIND),
        Some(case.as_parent()),
        "apply",
        application(&["iic"]),
        attachments(),
        astana("2026-11-06", 10, 0),
    )
    .unwrap();
    assert_eq!(replacement.state, certificate::REGISTERED);
    // A certificate still under review cannot be "replaced".
    let pending = checked();
    let error = Sandbox::open(
        &Certificate,
        calendar(),
        references(),
        opening(Vec::new(), Some(pending.id), certificate::KIND),
        Some(pending.as_parent()),
        "apply",
        application(&["iic"]),
        attachments(),
        astana("2026-11-06", 10, 0),
    )
    .err()
    .unwrap();
    assert_eq!(code(&error), "TANBA-CERT-REPLACES");
}

/// R-CER-08, A-CER-8: the preliminary decision goes at the latest 3 WD before the term's last
/// day (the worked example: registration WD 0, notice by WD 4, hearing by WD 6, decision by WD
/// 7); the hearing within 2 WD of the notice; only then a refusal.
#[test]
fn r_cer_08_a_cer_8_the_notice_and_hearing_windows() {
    // Registered Monday 2 November (WD 0): the term ends on Wednesday 11 November (WD 7).
    let late = astana("2026-11-09", 10, 0); // WD 5
    let mut case = checked();
    let error = official(
        &mut case,
        "notify_preliminary_refusal",
        notify_form(&[3], "2026-11-10"),
        late,
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-CERT-NOTICE-TOO-LATE");
    let latest = astana("2026-11-06", 10, 0); // WD 4
    let error = official(
        &mut case,
        "notify_preliminary_refusal",
        notify_form(&[3], "2026-11-11"),
        latest,
    )
    .unwrap_err();
    assert_eq!(
        code(&error),
        "TANBA-CERT-HEARING-DAY",
        "WD 7 is 3 WD after the notice"
    );
    official(
        &mut case,
        "notify_preliminary_refusal",
        notify_form(&[3, 6], "2026-11-10"),
        latest,
    )
    .unwrap();
    assert_eq!(case.state, certificate::PRELIMINARY_REFUSAL_NOTIFIED);
    assert_eq!(
        case.due_day(certificate::HEARING_CLOCK),
        Some(date("2026-11-10"))
    );
    let notice = case.notices_to(id(APPLICANT)).last().copied().unwrap();
    assert!(
        notice
            .body
            .en
            .contains("Time of the hearing: 2026-11-10 11:00"),
        "{}",
        notice.body.en
    );
    assert!(notice.body.en.contains("ends on: 2026-11-11"));
    // A refusal needs the hearing first.
    let mut refuse = vec![
        ("grounds", integers(&[3])),
        ("refusal_reasons", text("confirmed")),
    ];
    refuse.extend(signer());
    let error = official(&mut case, "refuse", form(&refuse), latest).unwrap_err();
    assert_eq!(code(&error), "TANBA-CASE-WRONG-STATE");
    official(
        &mut case,
        "hold_hearing",
        form(&[
            ("applicant_attended", flag(true)),
            ("applicant_position", text("disagrees")),
        ]),
        astana("2026-11-10", 11, 30),
    )
    .unwrap();
    // R-CER-11: only grounds put to the hearing.
    let mut other = vec![
        ("grounds", integers(&[4])),
        ("refusal_reasons", text("new")),
    ];
    other.extend(signer());
    let error = official(
        &mut case,
        "refuse",
        form(&other),
        astana("2026-11-10", 15, 0),
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-CERT-GROUND-NOT-HEARD");
    official(
        &mut case,
        "refuse",
        form(&refuse),
        astana("2026-11-10", 15, 0),
    )
    .unwrap();
    assert_eq!(case.state, certificate::REFUSED);
    assert!(
        case.notices_to(id(APPLICANT))
            .last()
            .unwrap()
            .body
            .en
            .contains("3) ")
    );
}

/// T8: the grounds not confirmed at the hearing: the certificates issue.
#[test]
fn grounds_not_confirmed_at_the_hearing_lead_to_the_certificate() {
    let mut case = checked();
    let at = astana("2026-11-04", 10, 0);
    official(
        &mut case,
        "notify_preliminary_refusal",
        notify_form(&[5], "2026-11-05"),
        at,
    )
    .unwrap();
    official(
        &mut case,
        "hold_hearing",
        form(&[
            ("applicant_attended", flag(true)),
            ("applicant_position", text("documents updated")),
        ]),
        astana("2026-11-05", 10, 0),
    )
    .unwrap();
    official(
        &mut case,
        "issue",
        form(&signer()),
        astana("2026-11-05", 12, 0),
    )
    .unwrap();
    assert_eq!(case.state, certificate::ISSUED);
}

/// R-CER-09: the 6 months to present run from signing; the applicant is warned, the provider
/// told when they pass; presentation closes the case.
#[test]
fn r_cer_09_six_months_to_present_from_signing() {
    assert_eq!(months_after(date("2026-11-05"), 6), date("2027-05-05"));
    assert_eq!(months_after(date("2026-08-31"), 6), date("2027-02-28"));
    let mut case = checked();
    official(
        &mut case,
        "issue",
        form(&signer()),
        astana("2026-11-05", 10, 0),
    )
    .unwrap();
    let fired = case.run_until(astana("2027-05-06", 0, 1)).unwrap();
    assert_eq!(fired.len(), 3);
    assert!(
        case.notices_to(id(APPLICANT))
            .iter()
            .any(|n| n.kind == "certificate_presentation_due")
    );
    assert!(
        case.notices_to(id(PROVIDER))
            .iter()
            .any(|n| n.kind == "certificate_presentation_overdue")
    );
    case.step(
        id(APPLICANT),
        "record_presentation",
        form(&[
            ("presented_on", day("2027-05-06")),
            ("presented_to", text("DGA France")),
        ]),
        Vec::new(),
        astana("2027-05-06", 10, 0),
    )
    .unwrap();
    assert!(case.closed);
}

/// R-CER-11: the 9 grounds, numbered as in the text, in three languages.
#[test]
fn r_cer_11_the_nine_grounds_are_numbered_in_three_languages() {
    assert_eq!(tanba_certificate::wording::GROUNDS.len(), 9);
    tanba_cases::wording::check_numbering(&tanba_certificate::wording::GROUNDS).unwrap();
    let mut case = checked();
    let error = official(
        &mut case,
        "notify_preliminary_refusal",
        notify_form(&[10], "2026-11-05"),
        astana("2026-11-04", 10, 0),
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-CASE-FIELD-RANGE");
}

/// R-CER-17, A-CER-7: a state-defence-order certificate is the same service with a result
/// signed on paper by the first head, recorded with its scan.
#[test]
fn r_cer_17_a_cer_7_a_state_defence_order_certificate_records_its_paper_signature() {
    let mut application = application(&["euc", "iic"]);
    application.insert("state_defence_order".into(), flag(true));
    let mut case = apply(&["euc", "iic"], vec![id(END_USER)], application, monday()).unwrap();
    case.step(
        id(END_USER),
        "sign_guarantee",
        form(&[("guarantee_signer_position", text("CEO"))]),
        Vec::new(),
        monday(),
    )
    .unwrap();
    official(
        &mut case,
        "confirm_complete",
        Form::new(),
        astana("2026-11-03", 10, 0),
    )
    .unwrap();
    let error = official(
        &mut case,
        "issue",
        form(&signer()),
        astana("2026-11-04", 10, 0),
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-CERT-PAPER-SIGNATURE");
    let mut fields = signer().to_vec();
    fields.push(("paper_signed_by", text("First Deputy Minister of Defence")));
    case.step(
        id(PROVIDER),
        "issue",
        form(&fields),
        vec![file("euc-signed.pdf", None)],
        astana("2026-11-04", 10, 0),
    )
    .unwrap();
    assert!(
        case.notices_to(id(APPLICANT))
            .last()
            .unwrap()
            .body
            .en
            .contains("First Deputy Minister")
    );
}

/// R-CER-24: the declarations are recorded as signed; without consent or with a court ban the
/// certificate cannot issue (grounds 9 and 6 go through the hearing).
#[test]
fn r_cer_24_the_declarations_stand_or_the_certificate_does_not_issue() {
    let mut application = application(&["iic"]);
    application.insert("consents_to_secrets".into(), flag(false));
    let mut case = apply(&["iic"], Vec::new(), application, monday()).unwrap();
    official(
        &mut case,
        "confirm_complete",
        Form::new(),
        astana("2026-11-03", 10, 0),
    )
    .unwrap();
    let error = official(
        &mut case,
        "issue",
        form(&signer()),
        astana("2026-11-03", 11, 0),
    )
    .unwrap_err();
    assert_eq!(code(&error), "TANBA-CERT-NOT-READY");
}

/// R-CER-02: goods named with the 10-digit code; any number of lines, bounded (A-CER-10).
#[test]
fn r_cer_02_a_cer_10_goods_lines_with_10_digit_codes_bounded() {
    let mut short = application(&["iic"]);
    let mut line = vec![
        ("description", text("camera")),
        ("hs_code", text("930621")),
        ("control_code", text("6A003")),
        ("unit", text("796")),
        ("quantity", decimal("1")),
    ];
    short.insert("goods".into(), rows(&[line.clone()]));
    let error = apply(&["iic"], Vec::new(), short, monday()).err().unwrap();
    assert_eq!(code(&error), "TANBA-CASE-FIELD-HS-CODE");
    line[1] = ("hs_code", text("9306210000"));
    let mut many = application(&["iic"]);
    many.insert("goods".into(), goods(certificate::GOODS_LINES_MAX + 1));
    let error = apply(&["iic"], Vec::new(), many, monday()).err().unwrap();
    assert!(
        matches!(
            code(&error),
            "TANBA-CASE-FIELD-RANGE" | "TANBA-CASE-TOO-LARGE"
        ),
        "{}",
        code(&error)
    );
    let mut fifty = application(&["iic"]);
    fifty.insert("goods".into(), goods(50));
    apply(&["iic"], Vec::new(), fifty, monday()).unwrap();
}

/// R-CER-22: free, portal only: no form asks for a fee or a channel.
#[test]
fn r_cer_22_no_fee_and_no_paper_channel() {
    for transition in Certificate.transitions() {
        for field in transition.fields {
            assert!(
                !["fee", "payment"]
                    .iter()
                    .any(|word| field.name.contains(word)),
                "{}",
                field.name
            );
            let channel = transition.name == "apply" && field.name.contains("channel");
            assert!(!channel, "the application has no channel: the portal only");
        }
    }
}

fn complaint_on(
    parent: &Sandbox<'_>,
    addressed_to: &str,
    named: Vec<TaxpayerId>,
    on_paper: bool,
    at: u64,
) -> Result<Sandbox<'static>, CaseError> {
    let definition: &'static Complaint =
        Box::leak(Box::new(Complaint(tanba_certificate::COMPLAINT)));
    Sandbox::open(
        definition,
        calendar(),
        references(),
        opening(named, Some(parent.id), "certificate_complaint"),
        Some(parent.as_parent()),
        "file",
        form(&[
            ("addressed_to", text(addressed_to)),
            ("on_paper", flag(on_paper)),
            ("challenged", text("the refusal")),
            ("demands", text("issue")),
        ]),
        Vec::new(),
        at,
    )
}

/// R-CER-10, R-CER-20, A-CER-11: addressed to the provider, reviewed by it in 5 WD; addressed to
/// the quality-control authority, forwarded within 3 WD and reviewed there in 15 WD; either
/// extended once by at most 10 WD for a stated reason, the applicant told at once in the form
/// the complaint came in.
#[test]
fn r_cer_10_r_cer_20_a_cer_11_complaints_forwarded_reviewed_and_extended() {
    let parent = checked();
    let at = astana("2026-11-12", 10, 0);
    let mut to_provider = complaint_on(&parent, "provider", Vec::new(), false, at).unwrap();
    assert_eq!(
        to_provider.due_day(complaint::REVIEW_CLOCK),
        Some(date("2026-11-19"))
    );
    let extend = |days: i64, reason: i64| {
        form(&[
            ("days", integer(days)),
            ("reason", integer(reason)),
            ("explanation", text("site visit to Astana airport")),
        ])
    };
    let error = to_provider
        .step(id(PROVIDER), "extend", extend(11, 1), Vec::new(), at)
        .unwrap_err();
    assert_eq!(code(&error), "TANBA-CASE-FIELD-RANGE");
    to_provider
        .step(id(PROVIDER), "extend", extend(10, 1), Vec::new(), at)
        .unwrap();
    assert_eq!(
        to_provider.due_day(complaint::REVIEW_CLOCK),
        Some(date("2026-12-03"))
    );
    let notice = to_provider
        .notices_to(id(APPLICANT))
        .last()
        .copied()
        .unwrap();
    assert_eq!(notice.kind, "complaint_extended_electronic");
    assert!(notice.body.en.contains("Extension (working days): 10"));
    assert!(
        notice
            .body
            .en
            .contains("New end of the term for reviewing the complaint: 2026-12-03")
    );
    assert!(notice.body.ru.contains("выездом на место"));
    let error = to_provider
        .step(id(PROVIDER), "extend", extend(1, 2), Vec::new(), at)
        .unwrap_err();
    assert_eq!(code(&error), "TANBA-CASE-WRONG-STATE", "once");

    let mut to_quality =
        complaint_on(&parent, "quality_authority", vec![id(QUALITY)], true, at).unwrap();
    assert_eq!(
        to_quality.due_day(complaint::FORWARD_CLOCK),
        Some(date("2026-11-17"))
    );
    let error = to_quality
        .step(
            id(PROVIDER),
            "resolve_favourably",
            form(&[("act", text("x"))]),
            Vec::new(),
            at,
        )
        .unwrap_err();
    assert_eq!(code(&error), "TANBA-COMPLAINT-NO-FAVOURABLE-ACT");
    to_quality
        .step(
            id(PROVIDER),
            "forward",
            form(&[("case_file", text("case file"))]),
            Vec::new(),
            at,
        )
        .unwrap();
    assert_eq!(
        to_quality.notices_to(id(QUALITY)).last().unwrap().kind,
        "complaint_forwarded"
    );
    to_quality
        .step(id(QUALITY), "extend", extend(3, 2), Vec::new(), at)
        .unwrap();
    assert_eq!(
        to_quality.notices_to(id(APPLICANT)).last().unwrap().kind,
        "complaint_extended_paper"
    );
    to_quality
        .step(
            id(QUALITY),
            "decide",
            form(&[("decision", text("upheld")), ("reasons", text("r"))]),
            Vec::new(),
            at,
        )
        .unwrap();
    assert_eq!(to_quality.state, complaint::DECIDED);
}

/// Bad input: malformed taxpayer ids, codes and dates are refused with their codes.
#[test]
fn malformed_certificate_fields_are_refused_with_their_codes() {
    let cases: [(&str, FieldValue, &str); 4] = [
        ("importer_country", text("kz"), "TANBA-CASE-FIELD-COUNTRY"),
        (
            "contract_date",
            day("2027-02-01"),
            "TANBA-SERVICE-DATE-FUTURE",
        ),
        ("attached_sheets", integer(0), "TANBA-CASE-FIELD-RANGE"),
        (
            "certificates",
            texts(&["iic", "iic"]),
            "TANBA-CERT-APPLICATION",
        ),
    ];
    for (name, value, expected) in cases {
        let mut application = application(&["iic"]);
        application.insert(name.into(), value);
        let error = apply(&["iic"], Vec::new(), application, monday())
            .err()
            .unwrap();
        assert_eq!(code(&error), expected, "{name}");
    }
}

/// R-CER-01, R-CER-26, A-CER-2: the end-user certificate carries form 1's fields (the parties,
/// the place of installation and the purpose as two fields, the goods with their codes, the
/// contract) and its confirmation; the import certificate form 2's.
#[test]
fn r_cer_01_r_cer_26_a_cer_2_the_certificates_carry_their_forms_fields() {
    let mut case = checked();
    official(
        &mut case,
        "issue",
        form(&signer()),
        astana("2026-11-05", 10, 0),
    )
    .unwrap();
    let notices = case.notices_to(id(APPLICANT));
    let euc = notices
        .iter()
        .find(|n| n.kind == "certificate_euc_issued")
        .unwrap();
    for fact in [
        "Dala Security LLP",
        "KazAirNav JSC",
        "Optronics SA",
        "Astana airport",
        "perimeter security",
        "9306210000",
        "6A003.b",
        "OPT-2026-5",
    ] {
        assert!(euc.body.en.contains(fact), "{fact}: {}", euc.body.en);
    }
    assert!(
        euc.body.ru.contains("не будут реэкспортированы") || euc.body.ru.contains("реэкспорт"),
        "{}",
        euc.body.ru
    );
    let iic = notices
        .iter()
        .find(|n| n.kind == "certificate_iic_issued")
        .unwrap();
    assert!(iic.body.en.contains("Optronics SA") && !iic.body.en.contains("KazAirNav"));
}

/// R-CER-13, A-CER-5: a certificate for goods on no control list, when the exporting country
/// requires one: the application says so, and its lines need no control-list code.
#[test]
fn r_cer_13_a_cer_5_goods_certified_because_the_exporting_country_requires_it() {
    let line = vec![
        ("description", text("Industrial valve")),
        ("hs_code", text("9306210000")),
        ("unit", text("796")),
        ("quantity", decimal("4")),
    ];
    let mut application = application(&["iic"]);
    application.insert("goods".into(), rows(&[line]));
    let error = apply(&["iic"], Vec::new(), application.clone(), monday())
        .err()
        .unwrap();
    assert_eq!(code(&error), "TANBA-CERT-APPLICATION");
    application.insert("required_by_exporting_country".into(), flag(true));
    apply(&["iic"], Vec::new(), application, monday()).unwrap();
}

/// R-CER-14: the provider may ask for documents; the 7 working days run on.
#[test]
fn r_cer_14_a_request_for_documents_does_not_stop_the_term() {
    let mut case = checked();
    let due = case.due_day(certificate::SERVICE_CLOCK);
    official(
        &mut case,
        "request_documents",
        form(&[("requested", text("the end user's licence"))]),
        astana("2026-11-04", 10, 0),
    )
    .unwrap();
    assert_eq!(case.due_day(certificate::SERVICE_CLOCK), due);
    assert_eq!(
        case.notices_to(id(APPLICANT)).last().unwrap().kind,
        "certificate_documents_requested"
    );
}

/// R-CER-25, A-CER-1: the reasoned refusal names the provider in force, the application's year
/// and number, the grounds (incompleteness, read so) and the signer.
#[test]
fn r_cer_25_a_cer_1_the_reasoned_refusals_layout() {
    let mut case = registered();
    let mut fields = vec![("missing", texts(&["the contract's translation"]))];
    fields.extend(signer());
    official(
        &mut case,
        "refuse_incomplete",
        form(&fields),
        astana("2026-11-04", 10, 0),
    )
    .unwrap();
    let refusal = case.notices_to(id(APPLICANT)).last().copied().unwrap();
    assert!(
        refusal.body.kk.contains("Өнеркәсіп комитеті"),
        "{}",
        refusal.body.kk
    );
    assert!(
        refusal
            .body
            .ru
            .contains(&format!("2026 года № {}", case.id)),
        "{}",
        refusal.body.ru
    );
    assert!(refusal.body.ru.contains("неполные"));
    assert!(
        refusal.body.ru.contains("Председатель Комитета: B. Nurlan"),
        "the title from the reference data"
    );
}

/// R-CER-27, R-CER-18: the service is electronic: every result reaches the applicant's personal
/// cabinet (its inbox), with where to learn the status.
#[test]
fn r_cer_27_r_cer_18_results_reach_the_personal_cabinet() {
    let case = registered();
    let receipt = case
        .notices_to(id(APPLICANT))
        .iter()
        .find(|n| n.kind == "certificate_accepted")
        .copied()
        .unwrap();
    assert!(receipt.body.en.contains("1414"));
    let mut case = checked();
    official(
        &mut case,
        "issue",
        form(&signer()),
        astana("2026-11-05", 10, 0),
    )
    .unwrap();
    assert_eq!(
        case.notices_to(id(APPLICANT))
            .iter()
            .filter(|n| n.kind.ends_with("_issued"))
            .count(),
        2
    );
}

/// A-CER-9: the declaration reads that the applicant gives its written consent.
#[test]
fn a_cer_9_the_applicant_gives_its_consent() {
    let consent = &tanba_certificate::wording::DECLARATIONS[0];
    assert!(consent.kk.contains("береді"), "{}", consent.kk);
    assert!(
        consent.ru.contains("дает") || consent.ru.contains("даёт"),
        "{}",
        consent.ru
    );
}

/// R-CER-21: the decision on a complaint says court comes only after it.
#[test]
fn r_cer_21_court_follows_the_complaint() {
    let parent = checked();
    let at = astana("2026-11-12", 10, 0);
    let mut complaint = complaint_on(&parent, "provider", Vec::new(), false, at).unwrap();
    complaint
        .step(
            id(PROVIDER),
            "decide",
            form(&[("decision", text("rejected")), ("reasons", text("r"))]),
            Vec::new(),
            at,
        )
        .unwrap();
    let decision = complaint.notices_to(id(APPLICANT)).last().copied().unwrap();
    assert!(decision.body.ru.contains("суд"));
}

/// R-CER-23: the certificate's provider informs the Unified Contact Centre and the
/// e-government operator of an amendment within 3 WD (no State Corporation: portal only).
#[test]
fn r_cer_23_the_provider_informs_of_amendments_within_3_working_days() {
    let definition: &'static tanba_cases::amendment::Amendment = Box::leak(Box::new(
        tanba_cases::amendment::Amendment(tanba_certificate::AMENDMENT),
    ));
    let mut opening = opening(Vec::new(), None, "certificate_amendment");
    opening.party = id(PROVIDER);
    let mut case = Sandbox::open(
        definition,
        calendar(),
        references(),
        opening,
        None,
        "register_amendment",
        form(&[
            ("amending_act", text("Order No. 4 of 09.01.2026")),
            ("in_force_on", day("2026-01-21")),
            ("summary", text("the provider changed")),
        ]),
        Vec::new(),
        astana("2026-01-21", 10, 0),
    )
    .unwrap();
    let informed = form(&[(
        "informed",
        texts(&["unified_contact_centre", "egov_operator"]),
    )]);
    case.step(
        id(PROVIDER),
        "inform",
        informed,
        Vec::new(),
        astana("2026-01-22", 10, 0),
    )
    .unwrap();
    assert!(case.closed);
}
