//! The state services (REX verification, permits, certificates) over the engine and its log:
//! signed steps by the applicant, the co-signing end user and the provider's officials, real
//! attachments, document numbers that survive replay, the reference versions a case opens
//! under, and the refusals of strangers and of other authorities.

mod support;

use std::sync::Arc;

use support::{World, code_of};
use tanba_cases::service::SampleFile;
use tanba_engine::query;
use tanba_store::Store;
use tanba_types::{
    AttachmentRef, CaseCommand, CaseId, Command, Date, DocumentNumber, Event, FieldValue, Form,
    Scalar, TaxpayerId,
};

fn publish_data(world: &mut World) {
    for toml in tanba_cases::calendar::SHIPPED_VERSIONS {
        let toml = (*toml).to_owned();
        world.system(Command::PublishCalendar { toml }).unwrap();
    }
    for toml in tanba_cases::reference::SHIPPED_SETS {
        let toml = (*toml).to_owned();
        world.system(Command::PublishReference { toml }).unwrap();
    }
}

/// Uploads `files` as `uploader` and returns their references, translations linked.
fn upload(world: &World, uploader: TaxpayerId, files: &[SampleFile]) -> Vec<AttachmentRef> {
    let store: Arc<dyn Store> = world.store.clone();
    for (index, file) in files.iter().enumerate() {
        let mut upload =
            tanba_engine::blobs::BlobUpload::new(store.clone(), 100 + index as u64, uploader);
        upload.write(file.text.as_bytes()).unwrap();
        upload.finish().unwrap();
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
    let files = upload(&world, importer, tanba_certificate::sample::FILES);
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
    let files = upload(&world, importer, tanba_certificate::sample::FILES);
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
    let files = upload(&world, applicant, tanba_permit::sample::FILES);
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
    let files = upload(&world, applicant, tanba_permit::sample::FILES);
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
    let files = upload(&world, applicant, tanba_permit::sample::FILES);
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
    let files = upload(&world, authority, tanba_rex::sample::FILES);
    let request = tanba_rex::sample::request(exporter, world.now_ms - 3_600_000);
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
    let evidence = upload(&world, atameken, &tanba_rex::sample::FILES[..1]);
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
