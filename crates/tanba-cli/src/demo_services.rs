//! The demo's state-service cases, each left at a stage worth looking at, through the server's
//! own gRPC API with each participant's own signature: a re-export permit whose 30 working days
//! are paused while the Ministry of Foreign Affairs confirms the guarantee obligation; an
//! end-user and import certificate whose applicant has been told of a preliminary refusal and
//! awaits its hearing; a REX verification whose request arrived weeks ago and is overdue.

use anyhow::Context;
use serde::Serialize;
use tanba_cases::service::SampleFile;
use tanba_client::{Connection, KeyFile};
use tanba_types::{AttachmentRef, CaseCommand, Date, FieldValue, Form, Scalar};

/// A day, in milliseconds.
const DAY_MS: u64 = 86_400_000;

/// A case in `demo-codes.json`.
#[derive(Debug, Clone, Serialize)]
pub struct DemoCase {
    /// Its procedure.
    pub kind: String,
    /// Its id.
    pub id: u64,
    /// Its state once seeded.
    pub stage: String,
    /// What it shows.
    pub note: String,
}

async fn signed_in(grpc: &str, key: &KeyFile) -> anyhow::Result<Connection> {
    let mut connection = Connection::connect(grpc).await?;
    connection.sign_in(key).await?;
    Ok(connection)
}

/// Uploads a sample's files as the connection's participant; translations point at their
/// originals.
pub async fn upload(
    connection: &Connection,
    files: &[SampleFile],
) -> anyhow::Result<Vec<AttachmentRef>> {
    let mut hashes = std::collections::HashMap::new();
    for file in files {
        let (hash, _) = connection
            .upload_attachment(file.text.as_bytes().to_vec())
            .await?;
        hashes.insert(file.text.as_bytes(), hash);
    }
    Ok(SampleFile::attachments(files, |bytes| hashes[bytes]))
}

fn text(value: &str) -> FieldValue {
    FieldValue::One(Scalar::Text(value.into()))
}

fn form(fields: Vec<(&str, FieldValue)>) -> Form {
    fields
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

async fn step(
    connection: &Connection,
    case: u64,
    transition: &str,
    form: Form,
) -> anyhow::Result<()> {
    connection
        .step_case(CaseCommand::Step {
            case,
            transition: transition.into(),
            form,
            attachments: Vec::new(),
            signature: Vec::new(),
        })
        .await
        .with_context(|| format!("case {case}: {transition}"))?;
    Ok(())
}

/// What an opening names besides its kind: the authority's key, the parties named, the form
/// and its files.
type Opening<'k> = (
    &'k KeyFile,
    Vec<tanba_types::TaxpayerId>,
    Form,
    Vec<AttachmentRef>,
);

async fn open(
    connection: &Connection,
    kind: &str,
    transition: &str,
    (authority, named, form, attachments): Opening<'_>,
) -> anyhow::Result<u64> {
    connection
        .open_case(CaseCommand::Open {
            kind: kind.into(),
            transition: transition.into(),
            authority: Some(authority.participant),
            parent: None,
            named,
            form,
            attachments,
            signature: Vec::new(),
        })
        .await
        .with_context(|| format!("opening a {kind}"))
}

async fn state(connection: &Connection, case: u64) -> anyhow::Result<String> {
    Ok(connection.get_case(case).await?.state)
}

/// The demo's connections already signed in that the cases reuse (each sign-in pays the
/// anonymous rate of the demo's own address).
pub struct Signed<'a> {
    /// The operator.
    pub operator: &'a Connection,
    /// The importer: the certificate's applicant.
    pub importer: &'a Connection,
    /// The wholesaler: the certificate's end user.
    pub wholesaler: &'a Connection,
}

/// Seeds the three cases at `now_ms` (a working morning: the demo's clock waits there while it
/// seeds); `key` gives a handle's key.
pub async fn seed(
    grpc: &str,
    signed: &Signed<'_>,
    key: &dyn Fn(&str) -> KeyFile,
    now_ms: u64,
) -> anyhow::Result<Vec<DemoCase>> {
    // The operator names who acts as each provider: until then no service can be applied for.
    let providers = tanba_cases::reference::SHIPPED_SETS
        .iter()
        .find(|toml| toml.contains("set = \"providers\""))
        .context("the shipped providers")?;
    let bindings = [
        ("cid-miid-permit", key("industrial_development").participant),
        ("ic-mic-certificate", key("industry_committee").participant),
        ("mti-rex", key("trade").participant),
        ("atameken", key("atameken").participant),
        ("quality-control", key("quality").participant),
    ];
    let toml = tanba_cases::reference::bind_providers(providers, &bindings, 2)?;
    signed
        .operator
        .publish_reference(toml)
        .await
        .context("publishing the providers")?;
    let today = Date::from_unix_ms_in_kz(now_ms);
    Ok(vec![
        permit_on_the_mfa(grpc, key, today).await?,
        certificate_awaiting_hearing(grpc, signed, key, today).await?,
        rex_overdue(grpc, key, now_ms).await?,
    ])
}

/// A permit, paused on the MFA.
async fn permit_on_the_mfa(
    grpc: &str,
    key: &dyn Fn(&str) -> KeyFile,
    today: Date,
) -> anyhow::Result<DemoCase> {
    let applicant = signed_in(grpc, &key("steppe_trading")).await?;
    let provider = key("industrial_development");
    let files = upload(&applicant, tanba_permit::sample::FILES).await?;
    let application = tanba_permit::sample::application(applicant_id(&applicant)?, today);
    let opening = (&provider, Vec::new(), application, files);
    let permit = open(&applicant, "permit", "apply", opening).await?;
    let official = signed_in(grpc, &provider).await?;
    let complete = form(vec![
        (
            "bodies",
            FieldValue::List(vec![
                Scalar::Text("Комитет национальной безопасности".into()),
                Scalar::Text("Министерство обороны".into()),
            ]),
        ),
        ("mfa_referral", text("МИД РК № 12-1/4411")),
    ]);
    step(&official, permit, "confirm_complete", complete).await?;
    Ok(DemoCase {
        kind: "permit".into(),
        id: permit,
        stage: state(&official, permit).await?,
        note: "the 30 working days are paused while the MFA confirms the guarantee obligation"
            .into(),
    })
}

/// A certificate awaiting its hearing.
async fn certificate_awaiting_hearing(
    grpc: &str,
    signed: &Signed<'_>,
    key: &dyn Fn(&str) -> KeyFile,
    today: Date,
) -> anyhow::Result<DemoCase> {
    let importer = signed.importer;
    let end_user = key("wholesaler").participant;
    let provider = key("industry_committee");
    let files = upload(importer, tanba_certificate::sample::FILES).await?;
    let application = tanba_certificate::sample::application(
        applicant_id(importer)?,
        end_user,
        &["euc", "iic"],
        today,
    );
    let opening = (&provider, vec![end_user], application, files);
    let certificate = open(importer, "certificate", "apply", opening).await?;
    let sign = form(vec![("guarantee_signer_position", text("Директор"))]);
    step(signed.wholesaler, certificate, "sign_guarantee", sign).await?;
    let official = signed_in(grpc, &provider).await?;
    step(&official, certificate, "confirm_complete", Form::new()).await?;
    let calendar = tanba_cases::Calendar::from_toml(tanba_cases::calendar::CALENDAR_2027_TOML)?;
    let hearing = calendar.next_working_day(today)?;
    let notice = form(vec![
        ("grounds", FieldValue::List(vec![Scalar::Integer(4)])),
        (
            "reasons",
            text("Контракт OPT-2026-5 не совпадает с гарантийным обязательством по количеству"),
        ),
        ("hearing_on", FieldValue::One(Scalar::Date(hearing))),
        ("hearing_time", text("11:00")),
        (
            "hearing_place",
            text("Астана, пр. Кабанбай батыра 32/1, каб. 410, или видеосвязь"),
        ),
        ("notice_channel", text("email")),
    ]);
    step(&official, certificate, "notify_preliminary_refusal", notice).await?;
    Ok(DemoCase {
        kind: "certificate".into(),
        id: certificate,
        stage: state(&official, certificate).await?,
        note: format!("the applicant is heard on {hearing} before any refusal"),
    })
}

/// A REX verification, overdue: Norway's request arrived two months ago.
async fn rex_overdue(
    grpc: &str,
    key: &dyn Fn(&str) -> KeyFile,
    now_ms: u64,
) -> anyhow::Result<DemoCase> {
    let trade_key = key("trade");
    let trade = signed_in(grpc, &trade_key).await?;
    let files = upload(&trade, tanba_rex::sample::FILES).await?;
    let exporter = key("dairy").participant;
    let request = tanba_rex::sample::request(exporter, "ТОО «Шымкент Сүт»", now_ms - 60 * DAY_MS);
    let opening = (
        &trade_key,
        vec![key("atameken").participant],
        request,
        files,
    );
    let rex = open(&trade, "rex", "register_request", opening).await?;
    Ok(DemoCase {
        kind: "rex".into(),
        id: rex,
        stage: state(&trade, rex).await?,
        note: "the request arrived 60 days ago: the 3 and 30 working days are overdue".into(),
    })
}

fn applicant_id(connection: &Connection) -> anyhow::Result<tanba_types::TaxpayerId> {
    connection.participant().context("signed in")
}
