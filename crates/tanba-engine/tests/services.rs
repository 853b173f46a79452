//! The state services (REX verification, permits, certificates) over the engine and its log:
//! signed steps by the applicant, the co-signing end user and the provider's officials, real
//! attachments, document numbers that survive replay, the reference versions a case opens
//! under, and the refusals of strangers and of other authorities.

mod support;

use support::{World, code_of};
use tanba_cases::service::SampleFile;
use tanba_engine::query;
use tanba_store::Store;
use tanba_types::{
    AttachmentRef, CaseCommand, CaseId, Command, Date, DocumentNumber, Event, FieldValue, Form,
    Scalar, TaxpayerId,
};

/// Publishes the calendar and reference data, and moves the world from its Sunday to Monday
/// 23 November 2026, 10:00, a working day.
fn publish_data(world: &mut World) {
    world.now_ms += 86_400_000;
    for toml in tanba_cases::calendar::SHIPPED_VERSIONS {
        let toml = (*toml).to_owned();
        world.system(Command::PublishCalendar { toml }).unwrap();
    }
    for toml in tanba_cases::reference::SHIPPED_SETS {
        let toml = (*toml).to_owned();
        world.system(Command::PublishReference { toml }).unwrap();
    }
    // The operator names who acts as each provider: the authority provides the three
    // services, the second authority reviews complaints, the wholesaler plays Atameken.
    let c = &world.cast;
    let providers = tanba_cases::reference::SHIPPED_SETS
        .iter()
        .find(|toml| toml.contains("set = \"providers\""))
        .unwrap();
    let bindings = [
        ("cid-miid-permit", c.authority),
        ("ic-mic-certificate", c.authority),
        ("mti-rex", c.authority),
        ("atameken", c.wholesaler),
        ("quality-control", c.authority2),
    ];
    let toml = tanba_cases::reference::bind_providers(providers, &bindings, 2).unwrap();
    world.system(Command::PublishReference { toml }).unwrap();
}

/// Uploads `files` as `uploader` and returns their references, translations linked.
fn upload(world: &mut World, uploader: TaxpayerId, files: &[SampleFile]) -> Vec<AttachmentRef> {
    for (index, file) in files.iter().enumerate() {
        world.upload(uploader, 100 + index as u64, file.text.as_bytes());
    }
    SampleFile::attachments(files, |bytes| *blake3::hash(bytes).as_bytes())
}

fn today(world: &World) -> Date {
    Date::from_unix_ms_in_kz(world.now_ms)
}

fn open(
    kind: &str,
    authority: TaxpayerId,
    named: Vec<TaxpayerId>,
    parent: Option<CaseId>,
    form: Form,
    attachments: Vec<AttachmentRef>,
) -> Command {
    let transition = match kind {
        "rex" => "register_request",
        "permit_complaint" | "certificate_complaint" => "file",
        _ => "apply",
    };
    Command::Case(CaseCommand::Open {
        kind: kind.into(),
        transition: transition.into(),
        authority: Some(authority),
        parent,
        named,
        form,
        attachments,
        signature: vec![9; 64],
    })
}

fn step(case: CaseId, transition: &str, form: Form) -> Command {
    Command::Case(CaseCommand::Step {
        case,
        transition: transition.into(),
        form,
        attachments: Vec::new(),
        signature: vec![9; 64],
    })
}

fn text(value: &str) -> FieldValue {
    FieldValue::One(Scalar::Text(value.into()))
}

fn form(fields: &[(&str, FieldValue)]) -> Form {
    fields
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}

fn signer() -> Form {
    form(&[("signer_position", text("head"))])
}

/// An end-user and an import certificate: the importer applies, the end user co-signs with its
/// own key, the provider checks and issues; numbers follow their series and survive replay.
#[test]
fn certificates_issue_through_the_engine_numbered_in_their_series() {
    let mut world = World::new(11);
    publish_data(&mut world);
    let (importer, end_user) = (world.cast.importer, world.cast.wholesaler);
    let provider = world.cast.authority;
    let files = upload(&mut world, importer, tanba_certificate::sample::FILES);
    let application =
        tanba_certificate::sample::application(importer, end_user, &["euc", "iic"], today(&world));
    let opened = world
        .by(
            importer,
            open(
                "certificate",
                provider,
                vec![end_user],
                None,
                application,
                files,
            ),
        )
        .unwrap();
    let case = opened.created.unwrap();
    let record = query::case(world.store.snapshot().as_ref(), case)
        .unwrap()
        .unwrap();
    assert_eq!(record.state, "submitted");
    assert!(
        record
            .opening
            .references
            .contains(&("hs_codes".to_owned(), 1)),
        "{:?}",
        record.opening.references
    );
    // Only the named end user signs the guarantee; strangers learn nothing of the case.
    let sign = form(&[("guarantee_signer_position", text("CEO"))]);
    let stranger = world.by(
        world.cast.retailer,
        step(case, "sign_guarantee", sign.clone()),
    );
    assert_eq!(code_of(stranger), "TANBA-ENGINE-UNKNOWN-CASE");
    world
        .by(end_user, step(case, "sign_guarantee", sign))
        .unwrap();
    // Another authority cannot decide for the provider.
    let other = world.by(
        world.cast.authority2,
        step(case, "confirm_complete", Form::new()),
    );
    assert_eq!(code_of(other), "TANBA-ENGINE-UNKNOWN-CASE");
    world
        .by(provider, step(case, "confirm_complete", Form::new()))
        .unwrap();
    world.by(provider, step(case, "issue", signer())).unwrap();
    let record = query::case(world.store.snapshot().as_ref(), case)
        .unwrap()
        .unwrap();
    assert_eq!(record.state, "issued");
    let numbers: Vec<String> = record.numbers.iter().map(ToString::to_string).collect();
    assert_eq!(numbers, ["EUC-2026-000001", "IIC-2026-000001"]);
    let euc = DocumentNumber::parse("EUC-2026-000001").unwrap();
    let snapshot = world.store.snapshot();
    assert_eq!(
        tanba_engine::cases::document_case(snapshot.as_ref(), &euc).unwrap(),
        Some(case)
    );
    drop(snapshot);
    // Immutable: a change is refused, and nothing is written.
    let head = world.core.head().sequence;
    let amend = world.by(
        importer,
        step(case, "amend", form(&[("change", text("14 units"))])),
    );
    assert_eq!(code_of(amend), "TANBA-CERT-IMMUTABLE");
    assert_eq!(world.core.head().sequence, head);
    // A second application the same year takes the next numbers.
    let files = upload(&mut world, importer, tanba_certificate::sample::FILES);
    let application =
        tanba_certificate::sample::application(importer, end_user, &["iic"], today(&world));
    let second = world
        .by(
            importer,
            open(
                "certificate",
                provider,
                Vec::new(),
                Some(case),
                application,
                files,
            ),
        )
        .unwrap()
        .created
        .unwrap();
    world
        .by(provider, step(second, "confirm_complete", Form::new()))
        .unwrap();
    world.by(provider, step(second, "issue", signer())).unwrap();
    let record = query::case(world.store.snapshot().as_ref(), second)
        .unwrap()
        .unwrap();
    assert_eq!(record.numbers[0].to_string(), "IIC-2026-000002");
    let history = query::case_history(world.store.snapshot().as_ref(), second, 0, 100).unwrap();
    assert!(
        history
            .iter()
            .any(|entry| matches!(entry.event, Event::DocumentNumbered { .. }))
    );
    world.assert_replay_equal();
}

/// A reference set's next version changes what forms accept from its commit on; a case keeps the
/// versions it opened under. Only the operator publishes, one version at a time.
#[test]
fn a_new_reference_version_governs_new_steps_and_cases_record_theirs() {
    let mut world = World::new(12);
    publish_data(&mut world);
    let applicant = world.cast.importer;
    let provider = world.cast.authority;
    let files = upload(&mut world, applicant, tanba_permit::sample::FILES);
    let application = tanba_permit::sample::application(applicant, today(&world));
    let first = world
        .by(
            applicant,
            open(
                "permit",
                provider,
                Vec::new(),
                None,
                application.clone(),
                files.clone(),
            ),
        )
        .unwrap()
        .created
        .unwrap();
    // Version 2 of the HS codes drops the cartridges' code.
    let shipped = tanba_cases::reference::SHIPPED_SETS
        .iter()
        .find(|toml| toml.contains("set = \"hs_codes\""))
        .unwrap();
    let start = shipped.find("code = \"9306210000\"").unwrap();
    let entry_start = shipped[..start].rfind("[[entry]]").unwrap();
    let entry_end = shipped[start..]
        .find("[[entry]]")
        .map_or(shipped.len(), |end| start + end);
    let without = format!("{}{}", &shipped[..entry_start], &shipped[entry_end..]);
    let version_2 = without.replacen("version = 1", "version = 2", 1);
    let skip = without.replacen("version = 1", "version = 3", 1);
    let refused = world.system(Command::PublishReference { toml: skip });
    assert_eq!(code_of(refused), "TANBA-ENGINE-INVALID");
    let refused = world.by(
        applicant,
        Command::PublishReference {
            toml: version_2.clone(),
        },
    );
    assert_eq!(code_of(refused), "TANBA-ENGINE-ROLE-REQUIRED");
    world
        .system(Command::PublishReference { toml: version_2 })
        .unwrap();
    let files = upload(&mut world, applicant, tanba_permit::sample::FILES);
    let refused = world.by(
        applicant,
        open("permit", provider, Vec::new(), None, application, files),
    );
    assert_eq!(code_of(refused), "TANBA-CASE-FIELD-NOT-LISTED");
    let record = query::case(world.store.snapshot().as_ref(), first)
        .unwrap()
        .unwrap();
    assert!(
        record
            .opening
            .references
            .contains(&("hs_codes".to_owned(), 1))
    );
    let in_force = tanba_engine::reference::in_force(world.store.snapshot().as_ref()).unwrap();
    assert_eq!(
        in_force.set(tanba_cases::SetKind::HsCodes).unwrap().version,
        2
    );
    world.assert_replay_equal();
}

/// The complaint's opening sees the case it is about: only its applicant complains, with that
/// case's provider.
#[test]
fn a_complaint_is_the_applicants_own_about_its_case() {
    let mut world = World::new(13);
    publish_data(&mut world);
    let applicant = world.cast.importer;
    let provider = world.cast.authority;
    let files = upload(&mut world, applicant, tanba_permit::sample::FILES);
    let application = tanba_permit::sample::application(applicant, today(&world));
    let permit = world
        .by(
            applicant,
            open("permit", provider, Vec::new(), None, application, files),
        )
        .unwrap()
        .created
        .unwrap();
    let complaint = form(&[
        ("addressed_to", text("provider")),
        ("on_paper", FieldValue::One(Scalar::Flag(false))),
        ("challenged", text("inaction")),
        ("demands", text("decide")),
    ]);
    let other = world.by(
        world.cast.producer,
        open(
            "permit_complaint",
            provider,
            Vec::new(),
            Some(permit),
            complaint.clone(),
            Vec::new(),
        ),
    );
    assert_eq!(code_of(other), "TANBA-COMPLAINT-NOT-THE-APPLICANT");
    let elsewhere = world.by(
        applicant,
        open(
            "permit_complaint",
            world.cast.authority2,
            Vec::new(),
            Some(permit),
            complaint.clone(),
            Vec::new(),
        ),
    );
    assert_eq!(code_of(elsewhere), "TANBA-CASE-AUTHORITY");
    let filed = world
        .by(
            applicant,
            open(
                "permit_complaint",
                provider,
                Vec::new(),
                Some(permit),
                complaint,
                Vec::new(),
            ),
        )
        .unwrap()
        .created
        .unwrap();
    let record = query::case(world.store.snapshot().as_ref(), filed)
        .unwrap()
        .unwrap();
    assert_eq!(record.state, "under_review");
    world.assert_replay_equal();
}

/// The REX verification: the trade authority registers the request (attached), Atameken sends
/// the file with its own key.
#[test]
fn a_rex_verification_runs_between_the_authority_and_the_organization() {
    let mut world = World::new(14);
    publish_data(&mut world);
    let authority = world.cast.authority;
    let atameken = world.cast.wholesaler;
    let exporter = world.cast.producer;
    let files = upload(&mut world, authority, tanba_rex::sample::FILES);
    let request = tanba_rex::sample::request(exporter, "Almaty Tobacco", world.now_ms - 3_600_000);
    let case = world
        .by(
            authority,
            open("rex", authority, vec![atameken], None, request, files),
        )
        .unwrap()
        .created
        .unwrap();
    world
        .by(authority, step(case, "request_documents", Form::new()))
        .unwrap();
    let evidence = upload(&mut world, atameken, &tanba_rex::sample::FILES[..1]);
    let send = Command::Case(CaseCommand::Step {
        case,
        transition: "send_documents".into(),
        form: form(&[("documents_note", text("application and certificates"))]),
        attachments: evidence,
        signature: vec![9; 64],
    });
    world.by(atameken, send).unwrap();
    let record = query::case(world.store.snapshot().as_ref(), case)
        .unwrap()
        .unwrap();
    assert_eq!(record.state, "documents_received");
    world.assert_replay_equal();
}

/// R-PER-10, R-CER-19: every stage of a state service is a stage event, in log order, with the
/// term that stood over it and whether it was met; the recall, not a state service, has none.
#[test]
fn r_per_10_r_cer_19_every_stage_is_reported_with_its_deadline() {
    let mut world = World::new(15);
    publish_data(&mut world);
    let applicant = world.cast.importer;
    let provider = world.cast.authority;
    let files = upload(&mut world, applicant, tanba_permit::sample::FILES);
    let application = tanba_permit::sample::application(applicant, today(&world));
    let permit = world
        .by(
            applicant,
            open("permit", provider, Vec::new(), None, application, files),
        )
        .unwrap()
        .created
        .unwrap();
    // Three weeks later: the 2-WD completeness check is late.
    world.now_ms += 21 * 86_400_000;
    let complete = form(&[
        ("bodies", FieldValue::List(vec![Scalar::Text("NSC".into())])),
        ("mfa_referral", text("MFA-1")),
    ]);
    world
        .by(provider, step(permit, "confirm_complete", complete))
        .unwrap();
    let stages = query::stages(world.store.snapshot().as_ref(), 0, 100).unwrap();
    let seen: Vec<(&str, &str, bool)> = stages
        .iter()
        .map(|(_, _, report)| (report.stage.as_str(), report.state.as_str(), report.on_time))
        .collect();
    assert_eq!(
        seen,
        [
            ("apply", "registered", true),
            ("confirm_complete", "under_review", false)
        ]
    );
    let (_, at_ms, late) = &stages[1];
    let (clock, due_ms) = late.deadline.clone().unwrap();
    assert_eq!(clock, "D-PER-2");
    assert!(*at_ms > due_ms);
    assert_eq!(late.case, permit);
    assert_eq!(late.kind, "permit");
    // Paged after a sequence.
    let after = query::stages(world.store.snapshot().as_ref(), stages[0].0, 100).unwrap();
    assert_eq!(after.len(), 1);
    world.assert_replay_equal();
}

/// Controlled goods and permits together: units of a controlled category leave for export
/// outside the EAEU only under a permit of their holder that covers their HS code, control-list
/// code, end user and quantity; each withdrawal consumes it, the permit's case lists them, and
/// an exhausted, revoked, foreign or mismatched permit is refused with its reason.
#[test]
fn controlled_exports_need_a_permit_that_covers_them_and_consume_it() {
    use tanba_types::{
        Category, ExportUse, HsCode, Names, PackageLevel, Product, TailProfile, WithdrawalReason,
    };
    let mut world = World::new(16);
    publish_data(&mut world);
    let (producer, provider) = (world.cast.producer, world.cast.authority);
    let names = Names {
        kk: "Патрондар".into(),
        ru: "Патроны".into(),
        en: Some("Cartridges".into()),
    };
    let mut arms = Category {
        code: "cartridges".into(),
        names: names.clone(),
        tail_profile: TailProfile::Full,
        return_period_days: 0,
        control_list_code: Some("ML33".into()),
    };
    let refused = world.system(Command::DefineCategory(arms.clone()));
    assert_eq!(code_of(refused), "TANBA-ENGINE-INVALID");
    arms.control_list_code = Some("ML3".into());
    world.system(Command::DefineCategory(arms)).unwrap();
    let gtin = support::gtin(77);
    world
        .system(Command::RegisterProduct(Product {
            gtin,
            names,
            producer_name: "Kazakh Cartridge Works".into(),
            producer: Some(producer),
            importer: None,
            country: "KZ".into(),
            hs_code: HsCode::parse("9306210000").unwrap(),
            category: "cartridges".into(),
            level: PackageLevel::Unit,
            shelf_life_days: None,
        }))
        .unwrap();
    let units = world.produce(gtin, 8);
    let export =
        |codes: &[tanba_types::CodeKey], permit: Option<&str>, end_user: &str| Command::Withdraw {
            codes: codes.to_vec(),
            reason: WithdrawalReason::ExportOutsideEaeu,
            document: Some("DT 50103/041226/0001".into()),
            export: permit.map(|permit| ExportUse {
                permit: DocumentNumber::parse(permit).unwrap(),
                end_user: end_user.into(),
            }),
            eaeu: None,
        };
    let refused = world.by(producer, export(&units[..1], None, ""));
    assert_eq!(code_of(refused), "TANBA-ENGINE-EXPORT-PERMIT-REQUIRED");
    let refused = world.by(
        producer,
        export(&units[..1], Some("PER-2026-000001"), "Nordic"),
    );
    assert_eq!(code_of(refused), "TANBA-ENGINE-EXPORT-PERMIT-UNKNOWN");
    // The producer's permit for 5 cartridges.
    let permit = issue_permit(&mut world, producer, provider, "5");
    let number = "PER-2026-000001";
    let end_user = "nordic  instruments as";
    let refused = world.by(producer, export(&units[..1], Some(number), "Someone Else"));
    assert_eq!(code_of(refused), "TANBA-ENGINE-EXPORT-PERMIT-MISMATCH");
    world
        .by(producer, export(&units[..3], Some(number), end_user))
        .unwrap();
    let refused = world.by(producer, export(&units[3..6], Some(number), end_user));
    assert_eq!(code_of(refused), "TANBA-ENGINE-EXPORT-PERMIT-EXHAUSTED");
    world
        .by(producer, export(&units[3..5], Some(number), end_user))
        .unwrap();
    let snapshot = world.store.snapshot();
    let record = tanba_engine::export::authorization_of(
        snapshot.as_ref(),
        &DocumentNumber::parse(number).unwrap(),
    )
    .unwrap()
    .unwrap();
    assert_eq!((record.used, record.authorization.units), (5, 5));
    let uses = tanba_engine::export::uses(snapshot.as_ref(), permit, 0, 100).unwrap();
    assert_eq!(
        uses.iter().map(|(_, units)| *units).collect::<Vec<_>>(),
        [3, 2]
    );
    let history = query::case_history(snapshot.as_ref(), permit, 0, 1_000).unwrap();
    let withdrawals = history
        .iter()
        .filter(|entry| matches!(entry.event, Event::Withdrawn { .. }))
        .count();
    assert_eq!(
        withdrawals, 2,
        "the permit's case shows the codes that used it"
    );
    drop(snapshot);
    // Another participant's permit is not the producer's to use; a revoked one is nobody's.
    let second = issue_permit(&mut world, producer, provider, "10");
    let refused = world.by(producer, export(&units[5..6], Some("PER-2026-000002"), "x"));
    assert_eq!(code_of(refused), "TANBA-ENGINE-EXPORT-PERMIT-MISMATCH");
    let revoke = form(&[
        ("revocation_reason", text("court ban")),
        ("signer_position", text("head")),
    ]);
    world.by(provider, step(second, "revoke", revoke)).unwrap();
    let refused = world.by(
        producer,
        export(&units[5..6], Some("PER-2026-000002"), end_user),
    );
    assert_eq!(code_of(refused), "TANBA-ENGINE-EXPORT-PERMIT-ENDED");
    let importer = world.cast.importer;
    issue_permit(&mut world, importer, provider, "10");
    let refused = world.by(
        producer,
        export(&units[5..6], Some("PER-2026-000003"), end_user),
    );
    assert_eq!(code_of(refused), "TANBA-ENGINE-EXPORT-PERMIT-NOT-HOLDER");
    // Goods that are not controlled leave without a permit, and a permit cannot carry them.
    let plain = world.produce(world.cast.unit, 1);
    let refused = world.by(producer, export(&plain, Some("PER-2026-000003"), end_user));
    assert!(code_of(refused).starts_with("TANBA-ENGINE-EXPORT-PERMIT-"));
    world.by(producer, export(&plain, None, "")).unwrap();
    world.assert_replay_equal();
}

/// Issues a permit for `quantity` sample cartridges to `applicant`; returns its case.
fn issue_permit(
    world: &mut World,
    applicant: TaxpayerId,
    provider: TaxpayerId,
    quantity: &str,
) -> CaseId {
    let files = upload(world, applicant, tanba_permit::sample::FILES);
    let mut application = tanba_permit::sample::application(applicant, today(world));
    application.insert(
        "quantity".into(),
        FieldValue::One(Scalar::Decimal(
            tanba_types::Decimal::parse(quantity).unwrap(),
        )),
    );
    let case = world
        .by(
            applicant,
            open("permit", provider, Vec::new(), None, application, files),
        )
        .unwrap()
        .created
        .unwrap();
    let flag = |value| FieldValue::One(Scalar::Flag(value));
    let steps = [
        (
            "confirm_complete",
            form(&[
                ("bodies", FieldValue::List(vec![Scalar::Text("NSC".into())])),
                ("mfa_referral", text("MFA-1")),
            ]),
        ),
        (
            "record_answers",
            form(&[
                ("answers", text("none against")),
                ("answers_negative", flag(false)),
            ]),
        ),
        (
            "assess_risk",
            form(&[
                ("risk_result", text("positive")),
                ("risk_summary", text("low")),
            ]),
        ),
        (
            "record_mfa_confirmation",
            form(&[
                ("mfa_result", text("confirmed")),
                ("mfa_answer", text("note 1")),
            ]),
        ),
    ];
    for (transition, fields) in steps {
        world.by(provider, step(case, transition, fields)).unwrap();
    }
    let until = today(world).plus_days(200);
    let issue = form(&[
        ("valid_until", FieldValue::One(Scalar::Date(until))),
        ("agreed_by", text("NSC")),
        ("signer_position", text("head")),
    ]);
    world.by(provider, step(case, "issue", issue)).unwrap();
    case
}

/// A marketer cannot move its goods out of a controlled category, nor change a controlled
/// product's HS code (it would export without a permit); the registrar can.
#[test]
fn controlled_goods_keep_their_classification() {
    use tanba_types::{Category, HsCode, Names, PackageLevel, Product, TailProfile};
    let mut world = World::new(17);
    publish_data(&mut world);
    let producer = world.cast.producer;
    let names = Names {
        kk: "Камералар".into(),
        ru: "Камеры".into(),
        en: Some("Cameras".into()),
    };
    for (code, control) in [("cameras", Some("6A003")), ("plain", None)] {
        world
            .system(Command::DefineCategory(Category {
                code: code.into(),
                names: names.clone(),
                tail_profile: TailProfile::Full,
                return_period_days: 0,
                control_list_code: control.map(str::to_owned),
            }))
            .unwrap();
    }
    let mut product = Product {
        gtin: support::gtin(78),
        names,
        producer_name: "Maker".into(),
        producer: Some(producer),
        importer: None,
        country: "KZ".into(),
        hs_code: HsCode::parse("9306210000").unwrap(),
        category: "cameras".into(),
        level: PackageLevel::Unit,
        shelf_life_days: None,
    };
    world
        .system(Command::RegisterProduct(product.clone()))
        .unwrap();
    product.category = "plain".into();
    let refused = world.by(producer, Command::UpdateProduct(product.clone()));
    assert_eq!(code_of(refused), "TANBA-ENGINE-ROLE-REQUIRED");
    product.category = "cameras".into();
    product.hs_code = HsCode::parse("2202100000").unwrap();
    let refused = world.by(producer, Command::UpdateProduct(product.clone()));
    assert_eq!(code_of(refused), "TANBA-ENGINE-ROLE-REQUIRED");
    world.system(Command::UpdateProduct(product)).unwrap();
    world.assert_replay_equal();
}

/// A participant is the party of at most so many open cases at once: each opening notifies its
/// provider, so nobody floods an inbox; a closed case frees its place.
#[test]
fn a_party_opens_a_bounded_number_of_cases() {
    let mut world = World::new(18);
    publish_data(&mut world);
    let applicant = world.cast.importer;
    let provider = world.cast.authority;
    let files = upload(&mut world, applicant, tanba_permit::sample::FILES);
    let application = tanba_permit::sample::application(applicant, today(&world));
    let max = tanba_types::limits::OPEN_CASES_PER_PARTY_MAX;
    let commands = (0..max)
        .map(|_| {
            let command = open(
                "permit",
                provider,
                Vec::new(),
                None,
                application.clone(),
                files.clone(),
            );
            (tanba_types::Actor::Participant(applicant), command)
        })
        .collect();
    for outcome in world.run_group(commands) {
        outcome.unwrap();
    }
    let refused = world.by(
        applicant,
        open(
            "permit",
            provider,
            Vec::new(),
            None,
            application.clone(),
            files.clone(),
        ),
    );
    assert_eq!(code_of(refused), "TANBA-ENGINE-LIMIT-EXCEEDED");
    // A closed case frees its place.
    let first = query::cases(
        world.store.snapshot().as_ref(),
        &applicant,
        query::CaseList::AsParty,
        0,
        1,
    )
    .unwrap()[0]
        .0;
    let incomplete = form(&[
        (
            "missing",
            FieldValue::List(vec![Scalar::Text("line 4".into())]),
        ),
        ("signer_position", text("head")),
    ]);
    world
        .by(provider, step(first, "refuse_incomplete", incomplete))
        .unwrap();
    world
        .by(
            applicant,
            open("permit", provider, Vec::new(), None, application, files),
        )
        .unwrap();
    world.assert_replay_equal();
}
