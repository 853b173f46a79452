//! The state services' reference data and what they share beyond cases: reference sets
//! published by the operator and read by everyone signed in, documents found by number, a
//! permit's use by controlled exports, the REX verification's origin evidence built from the
//! exporter's goods, and the stages the monitoring body sees. Cases themselves open and step
//! through [`super::cases`]; who sees a case is [`visible_case`].

use std::collections::BTreeSet;
use std::fmt::Write as _;

use tanba_engine::query::CaseCard;
use tanba_engine::query::{self, OrderView};
use tanba_engine::{EngineError, Receipt};
use tanba_store::Snapshot;
use tanba_types::limits::PAGE_ENTRIES_MAX;
use tanba_types::{
    AttachmentRef, CaseId, CodeKey, Command, DocumentNumber, Event, ExportAuthorization,
    Participant, Role, Scalar, StageReport, TaxpayerId,
};

use super::cases::visible_case;
use super::{Page, read_blocking, run};
use crate::app::{App, Call, StreamSlot};
use crate::error::ApiError;

/// Entries of each kind one origin-evidence document lists at most (products, orders,
/// shipments, exports): the whole stays well inside one attachment.
pub const EVIDENCE_ENTRIES_MAX: usize = 1_000;
/// Codes one permit use lists (its log entry has them all).
pub const USE_CODES_MAX: usize = 100;
/// Uses of a permit one page lists at most (each reads its withdrawal's log entry).
pub const PERMIT_USES_PAGE_MAX: usize = 100;
/// Who reads the stages of every state service (R-PER-10, R-CER-19).
pub const MONITORING_ROLES: &[Role] = &[Role::Ministry, Role::Operator];

/// A version of a reference set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceVersion {
    /// Its version.
    pub version: u32,
    /// Whether it is the version in force.
    pub in_force: bool,
    /// How many entries it lists.
    pub entries: u32,
    /// The document as published.
    pub toml: String,
}

/// A permit's authorization and a page of the withdrawals that used it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermitUsage {
    /// The permit's case.
    pub case: CaseId,
    /// Who may use it.
    pub holder: TaxpayerId,
    /// What it authorizes.
    pub authorization: ExportAuthorization,
    /// Units withdrawn under it so far.
    pub used: u64,
    /// Whether it ended (revoked, expired).
    pub ended: bool,
    /// The page of uses.
    pub uses: Vec<PermitUse>,
}

/// One withdrawal under a permit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermitUse {
    /// The withdrawal's log entry.
    pub sequence: u64,
    /// Units it used.
    pub units: u64,
    /// When, unix milliseconds.
    pub time_ms: u64,
    /// Its first [`USE_CODES_MAX`] codes.
    pub codes: Vec<CodeKey>,
}

/// The origin evidence built for a REX verification: the file uploaded as the caller's, and
/// what it lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginEvidence {
    /// The file, ready to attach to a step.
    pub attachment: AttachmentRef,
    /// Products listed.
    pub products: u32,
    /// Code orders listed.
    pub orders: u32,
    /// Shipments listed.
    pub shipments: u32,
    /// Exports listed.
    pub exports: u32,
}

/// Publishes a reference set's next version (the operator).
pub async fn publish_reference(call: &mut Call<'_>, toml: String) -> Result<Receipt, ApiError> {
    let who = call.participant_with(&[Role::Operator])?;
    run(call, &who, Command::PublishReference { toml }).await
}

/// A version of the reference set named `set` (0: the version in force), parsed off the async
/// workers (a set may be megabytes).
pub async fn reference(
    call: &mut Call<'_>,
    set: &str,
    version: u32,
) -> Result<ReferenceVersion, ApiError> {
    call.participant()?;
    let kind = tanba_cases::SetKind::named(set).ok_or_else(|| ApiError::invalid("set"))?;
    call.note_reference(kind.name());
    read_blocking(call, move |snapshot| {
        let current = tanba_engine::reference::version_in_force(snapshot, kind.name())?;
        let version = match version {
            0 => current.ok_or_else(|| ApiError::not_found("reference set"))?,
            version => version,
        };
        let toml = tanba_engine::reference::document(snapshot, kind.name(), version)?
            .ok_or_else(|| ApiError::not_found("reference set version"))?;
        let set = tanba_cases::ReferenceSet::from_published_toml(&toml)
            .map_err(|_| ApiError::internal())?;
        Ok(ReferenceVersion {
            version,
            in_force: current == Some(version),
            entries: u32::try_from(set.entries.len()).unwrap_or(u32::MAX),
            toml,
        })
    })
    .await
}

/// The case that gave the document `number`, if the caller may see it; an unknown number and
/// a case the caller may not see answer alike, so numbers tell a stranger nothing.
pub fn find_document(call: &mut Call<'_>, number: &str) -> Result<CaseCard, ApiError> {
    let who = call.participant()?;
    let number = document_number(number)?;
    call.note_reference(number.to_string());
    visible_document(call, &who, &number)
}

/// A permit's authorization and a page of the withdrawals that used it, for whoever sees the
/// permit's case.
pub async fn permit_usage(
    call: &mut Call<'_>,
    number: &str,
    page: Page,
) -> Result<PermitUsage, ApiError> {
    let who = call.participant()?;
    let number = document_number(number)?;
    call.note_reference(number.to_string());
    let case = visible_document(call, &who, &number)?.id;
    let (after, limit) = page.bounded(PERMIT_USES_PAGE_MAX);
    read_blocking(call, move |snapshot| {
        usage(snapshot, case, &number, after, limit)
    })
    .await
}

/// Builds the origin evidence of a REX verification from its exporter's goods in Tanba
/// (R-REX-05) and uploads it as the caller's file: the verification's own authority only.
pub async fn build_origin_evidence(
    call: &mut Call<'_>,
    case: CaseId,
) -> Result<OriginEvidence, ApiError> {
    let who = call.participant_with(&[Role::Authority])?;
    call.note_reference(format!("case {case}"));
    let record = visible_case(call, &who, case)?;
    if record.opening.kind != "rex" || record.opening.party != who.id {
        return Err(ApiError::forbidden(
            "the verification's own authority builds its evidence",
        ));
    }
    let exporter = match tanba_cases::form::one(&record.data, "exporter_taxpayer") {
        Some(Scalar::Taxpayer(id)) => *id,
        _ => return Err(ApiError::invalid("exporter_taxpayer")),
    };
    // The exporter finds this read of its goods under its own id too.
    call.note_reference(format!("exporter {exporter}"));
    let _slot = call.app().uploads.begin(who.id)?;
    let store = call.app().engine.store().clone();
    let (hash, size_bytes, counts, text) = read_blocking(call, move |snapshot| {
        let (text, counts) = evidence(snapshot, case, exporter)?;
        let mut upload = tanba_engine::blobs::BlobUpload::new(
            store,
            rand_core::RngCore::next_u64(&mut rand_core::OsRng),
        );
        upload.write(text.as_bytes())?;
        let (hash, size_bytes) = upload.finish()?;
        Ok((hash, size_bytes, counts, text))
    })
    .await?;
    crate::shelf::shelve_bytes(call.app(), hash, text.into_bytes()).await?;
    super::cases::record_upload(call, hash, size_bytes).await?;
    Ok(OriginEvidence {
        attachment: AttachmentRef {
            hash,
            name: format!("origin-evidence-case-{case}.txt"),
            media_type: "text/plain; charset=utf-8".into(),
            size_bytes,
            language: Some("en".into()),
            translation_of: None,
        },
        products: counts[0],
        orders: counts[1],
        shipments: counts[2],
        exports: counts[3],
    })
}

/// A page of the stages of every monitored procedure, in log order (the monitoring body).
pub fn stages(call: &mut Call<'_>, page: Page) -> Result<Vec<(u64, u64, StageReport)>, ApiError> {
    call.participant_with(MONITORING_ROLES)?;
    let (after, limit) = page.bounded(PAGE_ENTRIES_MAX);
    let snapshot = call.app().engine.snapshot();
    Ok(query::stages(snapshot.as_ref(), after, limit)?)
}

/// A watch of the stages (the monitoring body): one of the caller's places among its watches
/// (held until the watch ends); read the stages with [`stages_after`].
pub fn watch_stages(call: &mut Call<'_>) -> Result<StreamSlot, ApiError> {
    let who = call.participant_with(MONITORING_ROLES)?;
    (call.app().inbox_watches).begin(who.id, call.certificate(), MONITORING_ROLES)
}

/// The stages after the log sequence `after` (a watch's reads, a page at most).
pub fn stages_after(app: &App, after: u64) -> Result<Vec<(u64, u64, StageReport)>, EngineError> {
    query::stages(app.engine.snapshot().as_ref(), after, PAGE_ENTRIES_MAX)
}

/// A permit's authorization and a page of the withdrawals that used it.
fn usage(
    snapshot: &dyn Snapshot,
    case: CaseId,
    number: &DocumentNumber,
    after: u64,
    limit: usize,
) -> Result<PermitUsage, ApiError> {
    let record = tanba_engine::export::authorization_of(snapshot, number)?
        .ok_or_else(|| ApiError::not_found("export authorization"))?;
    let mut uses = Vec::new();
    for (sequence, units) in tanba_engine::export::uses(snapshot, case, after, limit)? {
        let entry = query::log_record(snapshot, sequence)?;
        let (time_ms, codes) = match entry {
            Some(entry) => match entry.event {
                Event::Withdrawn { codes, .. } => (entry.time_ms, codes),
                _ => (entry.time_ms, Vec::new()),
            },
            None => (0, Vec::new()),
        };
        uses.push(PermitUse {
            sequence,
            units,
            time_ms,
            codes: codes.into_iter().take(USE_CODES_MAX).collect(),
        });
    }
    Ok(PermitUsage {
        case,
        holder: record.holder,
        authorization: record.authorization,
        used: record.used,
        ended: record.ended,
        uses,
    })
}

/// The case behind a document number, if the caller may see it; an unknown number and a case
/// the caller may not see answer alike.
fn visible_document(
    call: &Call<'_>,
    who: &Participant,
    number: &DocumentNumber,
) -> Result<CaseCard, ApiError> {
    let hidden = || ApiError::not_found("document");
    let case = {
        let snapshot = call.app().engine.snapshot();
        tanba_engine::cases::document_case(snapshot.as_ref(), number)?
    };
    let case = case.ok_or_else(hidden)?;
    visible_case(call, who, case).map_err(|_| hidden())
}

fn document_number(text: &str) -> Result<DocumentNumber, ApiError> {
    DocumentNumber::parse(text).ok_or_else(|| ApiError::invalid("number"))
}

/// The exporter's marked goods in Tanba as a text document for a verification (R-REX-05's
/// check of origin): its products (from its code orders), its orders (production), its
/// shipments and its exports, each bounded by [`EVIDENCE_ENTRIES_MAX`]; with the counts of each.
fn evidence(
    snapshot: &dyn Snapshot,
    case: CaseId,
    exporter: TaxpayerId,
) -> Result<(String, [u32; 4]), ApiError> {
    let head = tanba_engine::log::stored_head(snapshot)?;
    let mut text = String::new();
    let name = query::participant(snapshot, &exporter)?.map_or_else(String::new, |p| p.name);
    let _ = writeln!(
        text,
        "Origin evidence from Tanba for REX verification case {case}\nExporter: {exporter} {name}\n\
         Read at log position {}.\n",
        head.sequence
    );
    let orders = query::orders(snapshot, &exporter, 0, EVIDENCE_ENTRIES_MAX)?;
    let products = products(snapshot, &orders, &mut text)?;
    let _ = writeln!(
        text,
        "\nCode orders, production (order; GTIN; codes issued; placed ms):"
    );
    for order in &orders {
        let _ = writeln!(
            text,
            "  {}; {}; {}; {}",
            order.id, order.gtin, order.issued, order.placed_ms
        );
    }
    let (shipped, exported) = movements(snapshot, exporter, &mut text)?;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok((text, [products, count(orders.len()), shipped, exported]))
}

/// The products of the exporter's orders, written to `text`; their count.
fn products(
    snapshot: &dyn Snapshot,
    orders: &[OrderView],
    text: &mut String,
) -> Result<u32, ApiError> {
    let gtins: BTreeSet<_> = orders.iter().map(|order| order.gtin).collect();
    let _ = writeln!(text, "Products (GTIN; name; HS code; country; category):");
    for gtin in &gtins {
        if let Some(product) = query::product(snapshot, gtin)? {
            let _ = writeln!(
                text,
                "  {gtin}; {}; {}; {}; {}",
                product.names.ru, product.hs_code, product.country, product.category
            );
        }
    }
    Ok(u32::try_from(gtins.len()).unwrap_or(u32::MAX))
}

/// The exporter's shipments as seller and its exports, written to `text`; their counts.
fn movements(
    snapshot: &dyn Snapshot,
    exporter: TaxpayerId,
    text: &mut String,
) -> Result<(u32, u32), ApiError> {
    let shipments = query::documents(snapshot, &exporter, 0, EVIDENCE_ENTRIES_MAX)?;
    let _ = writeln!(
        text,
        "\nShipments as seller (document; buyer; items; sent ms):"
    );
    let mut shipped = 0u32;
    for document in shipments.iter().filter(|d| d.seller == exporter) {
        shipped += 1;
        let items = document.items.len();
        let _ = writeln!(
            text,
            "  {}; {}; {items}; {}",
            document.id, document.buyer, document.created_ms
        );
    }
    let exports = query::exports(snapshot, &exporter, 0, EVIDENCE_ENTRIES_MAX)?;
    let _ = writeln!(
        text,
        "\nExports (log sequence; reason; codes; document; ms):"
    );
    for sequence in &exports {
        if let Some(entry) = query::log_record(snapshot, *sequence)?
            && let Event::Withdrawn {
                codes,
                reason,
                document,
                ..
            } = &entry.event
        {
            let document = document.as_deref().unwrap_or("-");
            let _ = writeln!(
                text,
                "  {sequence}; {reason:?}; {}; {document}; {}",
                codes.len(),
                entry.time_ms
            );
        }
    }
    Ok((shipped, u32::try_from(exports.len()).unwrap_or(u32::MAX)))
}
