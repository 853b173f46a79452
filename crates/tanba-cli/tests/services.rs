//! The state services end to end through the real `tanba demo` binary, time moved by its test
//! clock: the demo's seeded cases at their stages; a permit refused at intake for a missing
//! document (applied with the `tanba` CLI itself) and one issued, then used by a controlled
//! export until its quantity is gone; a certificate refused after its hearing; a REX conclusion
//! followed by the revocation application; the monitoring body's stages; strangers and other
//! authorities refused and audited.

mod demo_harness;

use demo_harness::{Demo, bring_into_circulation, order_codes, refusal};
use serde_json::json;
use tanba_cases::service::SampleFile;
use tanba_client::{Connection, Withdrawal};
use tanba_proto::v1 as pb;
use tanba_types::{AttachmentRef, CaseCommand, Date, FieldValue, Form, Scalar, TaxpayerId};

fn text(value: &str) -> FieldValue {
    FieldValue::One(Scalar::Text(value.into()))
}

fn form(fields: Vec<(&str, FieldValue)>) -> Form {
    fields
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

fn signer() -> Vec<(&'static str, FieldValue)> {
    vec![
        ("signer_position", text("head")),
        ("signer_name", text("A. Seitkali")),
    ]
}

/// Moves the demo's clock to 10:00 of the next working day, so that applications register the
/// day they arrive; returns that day.
async fn working_morning(demo: &Demo) -> Date {
    let now_ms = advance(demo, 0).await;
    let calendar =
        tanba_cases::Calendar::from_toml(tanba_cases::calendar::CALENDAR_2027_TOML).unwrap();
    let (today, _) = calendar.local(now_ms);
    let day = calendar.next_working_day(today).unwrap();
    advance(demo, calendar.moment_ms(day, 10 * 60) - now_ms).await;
    day
}

/// Moves the demo's clock forward; returns its time.
async fn advance(demo: &Demo, step_ms: u64) -> u64 {
    let answer: serde_json::Value = demo
        .web
        .post(format!("{}/test/clock", demo.http))
        .json(&json!({ "advance_ms": step_ms }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["now_ms"].as_u64().unwrap()
}

async fn upload(connection: &Connection, files: &[SampleFile]) -> Vec<AttachmentRef> {
    let mut hashes = std::collections::HashMap::new();
    for file in files {
        let bytes = file.text.as_bytes();
        let (hash, _) = connection.upload_attachment(bytes.to_vec()).await.unwrap();
        hashes.insert(bytes, hash);
    }
    SampleFile::attachments(files, |bytes| hashes[bytes])
}

#[allow(clippy::too_many_arguments)]
async fn open(
    connection: &Connection,
    kind: &str,
    transition: &str,
    authority: TaxpayerId,
    named: Vec<TaxpayerId>,
    form: Form,
    attachments: Vec<AttachmentRef>,
) -> u64 {
    connection
        .open_case(CaseCommand::Open {
            kind: kind.into(),
            transition: transition.into(),
            authority: Some(authority),
            parent: None,
            named,
            form,
            attachments,
            signature: Vec::new(),
        })
        .await
        .unwrap_or_else(|error| panic!("opening a {kind}: {error}"))
}

async fn step(connection: &Connection, case: u64, transition: &str, form: Form) {
    step_with(connection, case, transition, form, Vec::new())
        .await
        .unwrap_or_else(|error| panic!("{transition}: {error}"));
}

async fn step_with(
    connection: &Connection,
    case: u64,
    transition: &str,
    form: Form,
    attachments: Vec<AttachmentRef>,
) -> Result<(), tanba_client::ClientError> {
    connection
        .step_case(CaseCommand::Step {
            case,
            transition: transition.into(),
            form,
            attachments,
            signature: Vec::new(),
        })
        .await
        .map(|_| ())
}

async fn case(connection: &Connection, id: u64) -> pb::Case {
    connection.get_case(id).await.unwrap()
}

async fn inbox_kinds(connection: &Connection) -> Vec<String> {
    connection
        .inbox(0)
        .await
        .unwrap()
        .into_iter()
        .map(|notice| notice.kind)
        .collect()
}

/// The demo seeds one case of each kind at a stage worth looking at, listed in
/// `demo-codes.json`; the monitoring body sees their stages; strangers see nothing.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_seeds_a_case_of_each_service_at_its_stage() {
    let demo = Demo::start_with(&[("TANBA_TEST_CLOCK", "1")]);
    let cases = demo.codes["cases"].as_array().unwrap();
    let stage = |kind: &str| {
        let case = cases.iter().find(|case| case["kind"] == kind).unwrap();
        (
            case["id"].as_u64().unwrap(),
            case["stage"].as_str().unwrap().to_owned(),
        )
    };
    let (permit, permit_stage) = stage("permit");
    assert_eq!(permit_stage, "under_review");
    let provider = demo.as_participant("industrial_development").await;
    let record = case(&provider, permit).await;
    let service = record
        .clocks
        .iter()
        .find(|clock| clock.name == "D-PER-4")
        .unwrap();
    assert_eq!(service.run, "paused", "paused on the MFA: {service:?}");
    let (_, certificate_stage) = stage("certificate");
    assert_eq!(certificate_stage, "preliminary_refusal_notified");
    let (rex, rex_stage) = stage("rex");
    assert_eq!(rex_stage, "request_received");
    let trade = demo.as_participant("trade").await;
    let started = std::time::Instant::now();
    while !inbox_kinds(&trade)
        .await
        .iter()
        .any(|kind| kind == "rex_overdue")
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "never overdue"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // A stranger to the permit learns nothing of it, not even that it exists.
    let stranger = demo.as_participant("water").await;
    let refused = stranger.get_case(permit).await;
    assert_eq!(refusal(refused), "TANBA-ENGINE-UNKNOWN-CASE");
    // The monitoring body sees every stage; a producer does not.
    let ministry = demo.as_participant("ministry").await;
    let stages = ministry.list_stages(0).await.unwrap();
    assert!(
        stages
            .iter()
            .any(|stage| stage.case_id == permit && stage.stage == "confirm_complete")
    );
    let refused = stranger.list_stages(0).await;
    assert_eq!(refusal(refused), "TANBA-SERVER-FORBIDDEN");
    // Watched: the stages so far, then each new one.
    let mut watch = ministry
        .state_services()
        .watch_stages(pb::ListStagesRequest { page: None })
        .await
        .unwrap()
        .into_inner();
    let first = tokio::time::timeout(std::time::Duration::from_secs(5), watch.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(first.sequence, stages[0].sequence);
    let _ = rex;
}

/// A permit refused at intake for a missing document, applied for with the `tanba` CLI from
/// its sample; then a complete one, issued, and used by controlled exports until its quantity
/// is gone.
#[tokio::test(flavor = "multi_thread")]
async fn a_permit_refused_at_intake_then_one_issued_and_used_up_by_exports() {
    let demo = Demo::start_with(&[("TANBA_TEST_CLOCK", "1")]);
    let today = working_morning(&demo).await;
    let dairy_key = demo.directory.path().join("data/keys/dairy.json");
    let provider_id = demo.id("industrial_development");
    let cli = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_tanba"))
            .args([
                "client", "--format", "json", "--server", &demo.grpc, "--key",
            ])
            .arg(&dairy_key)
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let dir = demo.directory.path().join("permit-sample");
    let dairy = demo.id("dairy").to_string();
    cli(&[
        "permit",
        "sample",
        "--dir",
        dir.to_str().unwrap(),
        "--applicant",
        &dairy,
    ]);
    // Applied without the guarantee obligation's file listed: refused at intake.
    let application = dir.join("application.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&application).unwrap()).unwrap();
    json["documents"]
        .as_array_mut()
        .unwrap()
        .retain(|row| row["kind"] != "text:guarantee_obligation");
    let incomplete = dir.join("incomplete.json");
    std::fs::write(&incomplete, json.to_string()).unwrap();
    let attach =
        |name: &str, language: &str| format!("{}:text/plain:{language}", dir.join(name).display());
    let translation = format!(
        "{}:text/plain:ru@contract.txt",
        dir.join("contract-ru.txt").display()
    );
    let opened = cli(&[
        "permit",
        "apply",
        "--authority",
        &provider_id.to_string(),
        "--form",
        incomplete.to_str().unwrap(),
        "--attach",
        &attach("guarantee.txt", "ru"),
        "--attach",
        &attach("contract.txt", "en"),
        "--attach",
        &attach("registration.txt", "ru"),
        "--translation",
        &translation,
    ]);
    let refused_case = opened["case"].as_u64().unwrap();
    let applicant = demo.as_participant("dairy").await;
    assert_eq!(case(&applicant, refused_case).await.state, "intake_refused");
    assert!(
        inbox_kinds(&applicant)
            .await
            .iter()
            .any(|kind| kind == "permit_intake_refused")
    );

    // A controlled category and product, and the producer's codes of it in circulation.
    let operator = demo.as_participant("operator").await;
    operator
        .define_category(&tanba_types::Category {
            code: "cartridges".into(),
            names: tanba_types::Names {
                kk: "Спорттық патрондар".into(),
                ru: "Спортивные патроны".into(),
                en: Some("Sporting cartridges".into()),
            },
            tail_profile: tanba_types::TailProfile::Full,
            return_period_days: 0,
            control_list_code: Some("ML3".into()),
        })
        .await
        .unwrap();
    let payload = "0487000999001";
    let gtin = &format!(
        "{payload}{}",
        tanba_gs1::check_digit::compute(payload).unwrap()
    );
    applicant
        .register_product(&tanba_types::Product {
            gtin: tanba_types::Gtin::parse(gtin).unwrap(),
            names: tanba_types::Names {
                kk: "Патрон 5,6 мм".into(),
                ru: "Патрон 5,6 мм".into(),
                en: Some("Cartridge 5.6 mm".into()),
            },
            producer_name: "ТОО «Шымкент Сүт»".into(),
            producer: Some(demo.id("dairy")),
            importer: None,
            country: "KZ".into(),
            hs_code: "9306210000".parse().unwrap(),
            category: "cartridges".into(),
            level: tanba_types::PackageLevel::Unit,
            shelf_life_days: None,
        })
        .await
        .unwrap();
    let codes = order_codes(&applicant, gtin, 6).await;
    bring_into_circulation(&applicant, &codes).await;

    // The complete application for 5 cartridges, through review to the permit.
    let mut application = tanba_permit::sample::application(demo.id("dairy"), today);
    application.insert(
        "quantity".into(),
        FieldValue::One(Scalar::Decimal(tanba_types::Decimal::parse("5").unwrap())),
    );
    let files = upload(&applicant, tanba_permit::sample::FILES).await;
    let permit = open(
        &applicant,
        "permit",
        "apply",
        provider_id,
        Vec::new(),
        application,
        files,
    )
    .await;
    let provider = demo.as_participant("industrial_development").await;
    let flag = |value| FieldValue::One(Scalar::Flag(value));
    let bodies = FieldValue::List(vec![Scalar::Text("NSC".into())]);
    step(
        &provider,
        permit,
        "confirm_complete",
        form(vec![("bodies", bodies), ("mfa_referral", text("MFA-7"))]),
    )
    .await;
    step(
        &provider,
        permit,
        "record_answers",
        form(vec![
            ("answers", text("none against")),
            ("answers_negative", flag(false)),
        ]),
    )
    .await;
    step(
        &provider,
        permit,
        "assess_risk",
        form(vec![
            ("risk_result", text("positive")),
            ("risk_summary", text("low")),
        ]),
    )
    .await;
    advance(&demo, 2 * 86_400_000).await;
    let provider = demo.as_participant("industrial_development").await;
    let applicant = demo.as_participant("dairy").await;
    step(
        &provider,
        permit,
        "record_mfa_confirmation",
        form(vec![
            ("mfa_result", text("confirmed")),
            ("mfa_answer", text("note 3")),
        ]),
    )
    .await;
    let mut issue = signer();
    issue.push((
        "valid_until",
        FieldValue::One(Scalar::Date(today.plus_days(200))),
    ));
    issue.push(("agreed_by", text("NSC")));
    step(&provider, permit, "issue", form(issue)).await;
    let issued = case(&applicant, permit).await;
    assert_eq!(issued.state, "issued");
    let number = issued.numbers[0].clone();
    assert!(number.starts_with("PER-"), "{number}");

    // Export: 3, then 2, then the sixth is refused: the quantity is used up.
    // An end user without a permit, sent raw: no operation can say it.
    let end_user_only = pb::WithdrawRequest {
        codes: codes[..1].to_vec(),
        reason: pb::WithdrawalReason::ExportOutsideEaeu as i32,
        document: "DT 50103/0001".into(),
        permit: String::new(),
        end_user: "Nordic Instruments AS".into(),
        eaeu: None,
    };
    let refused = applicant.codes().withdraw(end_user_only).await;
    assert_eq!(refusal(refused), "TANBA-SERVER-INVALID");
    let number = tanba_types::DocumentNumber::parse(&number).unwrap();
    let export = |permit: Option<&tanba_types::DocumentNumber>| Withdrawal {
        reason: tanba_types::WithdrawalReason::ExportOutsideEaeu,
        document: Some("DT 50103/0001".into()),
        export: permit.map(|permit| tanba_types::ExportUse {
            permit: permit.clone(),
            end_user: "Nordic Instruments AS".into(),
        }),
        eaeu: None,
    };
    let refused = applicant.withdraw(codes[..1].to_vec(), &export(None)).await;
    assert_eq!(refusal(refused), "TANBA-ENGINE-EXPORT-PERMIT-REQUIRED");
    let with_permit = export(Some(&number));
    applicant
        .withdraw(codes[..3].to_vec(), &with_permit)
        .await
        .unwrap();
    applicant
        .withdraw(codes[3..5].to_vec(), &with_permit)
        .await
        .unwrap();
    let refused = applicant.withdraw(codes[5..].to_vec(), &with_permit).await;
    assert_eq!(refusal(refused), "TANBA-ENGINE-EXPORT-PERMIT-EXHAUSTED");
    let usage = provider.permit_usage(&number).await.unwrap();
    assert_eq!((usage.used, usage.units), (5, 5));
    assert_eq!(usage.uses.len(), 2);
    assert_eq!(usage.uses[0].codes.len(), 3);
    // Another participant neither reads the permit's use nor decides for its provider.
    let other = demo.as_participant("industry_committee").await;
    let refused = other.permit_usage(&number).await;
    assert_eq!(refusal(refused), "TANBA-SERVER-NOT-FOUND");
    // A number that does not exist answers alike: numbers tell a stranger nothing.
    let unknown = tanba_types::DocumentNumber::parse("PER-2026-999999").unwrap();
    let unknown = other.permit_usage(&unknown).await;
    assert_eq!(refusal(unknown), "TANBA-SERVER-NOT-FOUND");
    let refused = step_with(
        &other,
        permit,
        "revoke",
        form(vec![
            ("revocation_reason", text("x")),
            ("signer_position", text("head")),
        ]),
        Vec::new(),
    )
    .await;
    assert_eq!(
        refused.unwrap_err().code(),
        Some("TANBA-ENGINE-UNKNOWN-CASE")
    );
    // Both refusals are in the audit trail, under the caller.
    let query = tanba_client::AuditQuery {
        participant: Some(demo.id("industry_committee")),
        ..Default::default()
    };
    for (method, outcome) in [
        ("PermitUsage", "TANBA-SERVER-NOT-FOUND"),
        ("StepCase", "TANBA-ENGINE-UNKNOWN-CASE"),
    ] {
        let record = demo_harness::audit_record_where(&provider, query.clone(), |record| {
            record.method.ends_with(method) && record.outcome == outcome
        })
        .await;
        assert_eq!(
            record.participant,
            demo.id("industry_committee").to_string()
        );
    }
    // A malformed BIN on the wire is refused with its code, and nothing is written.
    let head = demo.log_head().await;
    let mut bad = pb::OpenCaseRequest {
        kind: "permit".into(),
        transition: "apply".into(),
        authority: "99064000030".into(),
        ..Default::default()
    };
    let refused = applicant.cases().open_case(bad.clone()).await;
    assert_eq!(refusal(refused), "TANBA-SERVER-INVALID");
    bad.authority = provider_id.to_string();
    let one = |value| pb::FieldValue {
        value: Some(pb::field_value::Value::One(pb::Scalar {
            value: Some(value),
        })),
    };
    bad.form.insert(
        "branch_taxpayer".into(),
        one(pb::scalar::Value::Taxpayer("990640000303".into())),
    );
    let refused = applicant.cases().open_case(bad).await;
    assert_eq!(
        refusal(refused),
        "TANBA-SERVER-INVALID",
        "a bad check digit"
    );
    assert_eq!(demo.log_head().await, head);
}

/// A certificate refused after its hearing: preliminary decision, the hearing the next working
/// day, the refusal on the ground heard; an attempt to change it afterwards is refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_is_refused_after_its_hearing() {
    let demo = Demo::start_with(&[("TANBA_TEST_CLOCK", "1")]);
    let today = working_morning(&demo).await;
    let importer = demo.as_participant("importer").await;
    let end_user = demo.id("wholesaler");
    let provider_id = demo.id("industry_committee");
    let application =
        tanba_certificate::sample::application(demo.id("importer"), end_user, &["euc"], today);
    let files = upload(&importer, tanba_certificate::sample::FILES).await;
    let certificate = open(
        &importer,
        "certificate",
        "apply",
        provider_id,
        vec![end_user],
        application,
        files,
    )
    .await;
    step(
        &demo.as_participant("wholesaler").await,
        certificate,
        "sign_guarantee",
        form(vec![("guarantee_signer_position", text("CEO"))]),
    )
    .await;
    let provider = demo.as_participant("industry_committee").await;
    step(&provider, certificate, "confirm_complete", Form::new()).await;
    let calendar =
        tanba_cases::Calendar::from_toml(tanba_cases::calendar::CALENDAR_2027_TOML).unwrap();
    let hearing = calendar.next_working_day(today).unwrap();
    let notice = form(vec![
        ("grounds", FieldValue::List(vec![Scalar::Integer(4)])),
        (
            "reasons",
            text("the contract's quantity differs from the guarantee's"),
        ),
        ("hearing_on", FieldValue::One(Scalar::Date(hearing))),
        ("hearing_time", text("11:00")),
        ("hearing_place", text("video call")),
        ("notice_channel", text("email")),
    ]);
    step(&provider, certificate, "notify_preliminary_refusal", notice).await;
    assert!(
        inbox_kinds(&importer)
            .await
            .iter()
            .any(|kind| kind == "certificate_hearing")
    );
    // The hearing day (sign-in tokens do not outlive the night: sign in again).
    let now = advance(&demo, 0).await;
    advance(&demo, calendar.moment_ms(hearing, 11 * 60) - now).await;
    let provider = demo.as_participant("industry_committee").await;
    let importer = demo.as_participant("importer").await;
    step(
        &provider,
        certificate,
        "hold_hearing",
        form(vec![
            ("applicant_attended", FieldValue::One(Scalar::Flag(true))),
            ("applicant_position", text("a clerical error")),
        ]),
    )
    .await;
    let mut refuse = signer();
    refuse.push(("grounds", FieldValue::List(vec![Scalar::Integer(4)])));
    refuse.push(("refusal_reasons", text("confirmed at the hearing")));
    step(&provider, certificate, "refuse", form(refuse)).await;
    assert_eq!(case(&importer, certificate).await.state, "refused");
    assert!(
        inbox_kinds(&importer)
            .await
            .iter()
            .any(|kind| kind == "certificate_refused")
    );
    let refused = step_with(
        &importer,
        certificate,
        "amend",
        form(vec![("change", text("x"))]),
        Vec::new(),
    )
    .await;
    assert_eq!(refused.unwrap_err().code(), Some("TANBA-CASE-CLOSED"));
}

/// A REX verification: registered with Norway's request, the file from Atameken, the
/// exporter's origin evidence built and attached in one call, the conclusion, then the
/// revocation application on the condition found.
#[tokio::test(flavor = "multi_thread")]
async fn a_rex_conclusion_is_followed_by_the_revocation_application() {
    let demo = Demo::start_with(&[("TANBA_TEST_CLOCK", "1")]);
    working_morning(&demo).await;
    let trade = demo.as_participant("trade").await;
    let now = advance(&demo, 0).await;
    let request = tanba_rex::sample::request(demo.id("water"), "ТОО «Алматы Су»", now - 3_600_000);
    let files = upload(&trade, tanba_rex::sample::FILES).await;
    let atameken_id = demo.id("atameken");
    let rex = open(
        &trade,
        "rex",
        "register_request",
        demo.id("trade"),
        vec![atameken_id],
        request,
        files,
    )
    .await;
    step(&trade, rex, "request_documents", Form::new()).await;
    let atameken = demo.as_participant("atameken").await;
    assert!(
        inbox_kinds(&atameken)
            .await
            .iter()
            .any(|kind| kind == "rex_documents_requested")
    );
    let file = upload(&atameken, tanba_rex::sample::FILES).await;
    step_with(
        &atameken,
        rex,
        "send_documents",
        form(vec![(
            "documents_note",
            text("application and origin certificates"),
        )]),
        file,
    )
    .await
    .unwrap();
    let built = trade.build_origin_evidence(rex).await.unwrap();
    assert!(built.products >= 1 && built.orders >= 1, "{built:?}");
    let evidence = built.attachment;
    step_with(
        &trade,
        rex,
        "attach_evidence",
        form(vec![("evidence_note", text("Tanba records"))]),
        vec![evidence],
    )
    .await
    .unwrap();
    step(
        &trade,
        rex,
        "verify",
        form(vec![
            ("documents_complete", FieldValue::One(Scalar::Flag(true))),
            ("system_data_correct", FieldValue::One(Scalar::Flag(false))),
            ("findings", text("the exporter ceased production in 2025")),
        ]),
    )
    .await;
    step(
        &trade,
        rex,
        "conclude",
        form(vec![
            (
                "registration_justified",
                FieldValue::One(Scalar::Flag(false)),
            ),
            ("conclusion", text("registration not justified")),
            (
                "entered_in_target_system",
                FieldValue::One(Scalar::Flag(true)),
            ),
            ("target_system_reference", text("REX 2026/0044")),
            (
                "conditions_found",
                FieldValue::List(vec![Scalar::Integer(3)]),
            ),
        ]),
    )
    .await;
    step(
        &trade,
        rex,
        "request_revocation",
        form(vec![(
            "conditions",
            FieldValue::List(vec![Scalar::Integer(3)]),
        )]),
    )
    .await;
    assert_eq!(case(&trade, rex).await.state, "revocation_requested");
    assert!(
        inbox_kinds(&atameken)
            .await
            .iter()
            .any(|kind| kind == "rex_revocation_requested")
    );
    // The evidence is the trade authority's to build: Atameken may not.
    let refused = atameken.build_origin_evidence(rex).await;
    assert!(refusal(refused).starts_with("TANBA-"));
}
