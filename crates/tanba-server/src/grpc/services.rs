//! The state services over gRPC (`proto/tanba/v1/services.proto`): reference data, documents
//! found by number, a permit's use by controlled exports, the REX verification's origin
//! evidence built from the exporter's goods, and the stages the monitoring body sees. Cases
//! themselves open and step through `CasesService`; who sees a case is [`visible_case`].

use std::collections::BTreeSet;
use std::fmt::Write as _;

use tanba_engine::query;
use tanba_proto::v1 as pb;
use tanba_types::limits::PAGE_ENTRIES_MAX;
use tanba_types::{
    AttachmentRef, CaseId, Command, DocumentNumber, Event, Role, Scalar, StageReport, TaxpayerId,
};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::cases::{case_to, visible_case};
use super::{Services, begin, convert, run};
use crate::error::ApiError;

/// Entries of each kind one origin-evidence document lists at most (products, orders,
/// shipments, exports): the whole stays well inside one attachment.
pub const EVIDENCE_ENTRIES_MAX: usize = 1_000;
/// Codes one permit use lists (its log entry has them all).
pub const USE_CODES_MAX: usize = 100;
/// How often a stage watch reads for new stages.
pub const STAGES_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);
/// Who reads the stages of every state service (R-PER-10, R-CER-19).
const MONITORING_ROLES: &[Role] = &[Role::Ministry, Role::Operator];

#[tonic::async_trait]
impl pb::reference_service_server::ReferenceService for Services {
    async fn publish_reference(
        &self,
        request: Request<pb::PublishReferenceRequest>,
    ) -> Result<Response<pb::PublishReferenceResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.ReferenceService/PublishReference",
            request,
        );
        let outcome = async {
            let who = call.participant_with(&[Role::Operator])?;
            let command = Command::PublishReference { toml: message.toml };
            let receipt = run(&mut call, &who, command).await?;
            Ok(pb::PublishReferenceResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn get_reference(
        &self,
        request: Request<pb::GetReferenceRequest>,
    ) -> Result<Response<pb::GetReferenceResponse>, Status> {
        let (mut call, message) =
            begin(&self.app, "tanba.v1.ReferenceService/GetReference", request);
        let outcome = async {
            call.participant()?;
            let kind = tanba_cases::SetKind::named(&message.set)
                .ok_or_else(|| ApiError::invalid("set"))?;
            call.note_reference(kind.name());
            // One set parsed (up to 8 MiB), off the async workers.
            let app = self.app.clone();
            let wanted = message.version;
            tokio::task::spawn_blocking(move || {
                let snapshot = app.engine.snapshot();
                let current =
                    tanba_engine::reference::version_in_force(snapshot.as_ref(), kind.name())?;
                let version = match wanted {
                    0 => current.ok_or_else(|| ApiError::not_found("reference set"))?,
                    version => version,
                };
                let toml =
                    tanba_engine::reference::document(snapshot.as_ref(), kind.name(), version)?
                        .ok_or_else(|| ApiError::not_found("reference set version"))?;
                let set = tanba_cases::ReferenceSet::from_published_toml(&toml)
                    .map_err(|_| ApiError::internal())?;
                Ok(pb::GetReferenceResponse {
                    version,
                    in_force: current == Some(version),
                    entries: u32::try_from(set.entries.len()).unwrap_or(u32::MAX),
                    toml,
                })
            })
            .await
            .map_err(|_| ApiError::internal())?
        }
        .await;
        call.finish_grpc(outcome).await
    }
}

#[tonic::async_trait]
impl pb::state_services_service_server::StateServicesService for Services {
    async fn find_document(
        &self,
        request: Request<pb::FindDocumentRequest>,
    ) -> Result<Response<pb::FindDocumentResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.StateServicesService/FindDocument",
            request,
        );
        let outcome = async {
            let who = call.participant()?;
            let number = document_number(&message.number)?;
            call.note_reference(number.to_string());
            let (case, record) = visible_document(&call, &who, &number)?;
            Ok(pb::FindDocumentResponse {
                case: Some(case_to(case, &record)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn permit_usage(
        &self,
        request: Request<pb::PermitUsageRequest>,
    ) -> Result<Response<pb::PermitUsageResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.StateServicesService/PermitUsage",
            request,
        );
        let outcome = async {
            let who = call.participant()?;
            let number = document_number(&message.number)?;
            call.note_reference(number.to_string());
            let (case, _) = visible_document(&call, &who, &number)?;
            let (after, limit) = convert::page(message.page, PERMIT_USES_PAGE_MAX);
            let app = self.app.clone();
            tokio::task::spawn_blocking(move || permit_usage(&app, case, &number, after, limit))
                .await
                .map_err(|_| ApiError::internal())?
        }
        .await;
        call.finish_grpc(outcome).await
    }
    async fn build_origin_evidence(
        &self,
        request: Request<pb::BuildOriginEvidenceRequest>,
    ) -> Result<Response<pb::BuildOriginEvidenceResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.StateServicesService/BuildOriginEvidence",
            request,
        );
        let outcome = async {
            let who = call.participant_with(&[Role::Authority])?;
            call.note_reference(format!("case {}", message.case_id));
            let record = visible_case(&call, &who, message.case_id)?;
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
            let _slot = self.app.uploads.begin(who.id)?;
            let app = self.app.clone();
            let case = message.case_id;
            let built = tokio::task::spawn_blocking(move || {
                let (text, counts) = evidence(&app, case, exporter)?;
                let mut upload = tanba_engine::blobs::BlobUpload::new(
                    app.engine.store().clone(),
                    rand_core::RngCore::next_u64(&mut rand_core::OsRng),
                    who.id,
                );
                upload.write(text.as_bytes())?;
                let (hash, size_bytes) = upload.finish()?;
                Ok::<_, ApiError>((hash, size_bytes, counts))
            })
            .await
            .map_err(|_| ApiError::internal())??;
            let (hash, size_bytes, counts) = built;
            let attachment = AttachmentRef {
                hash,
                name: format!("origin-evidence-case-{case}.txt"),
                media_type: "text/plain; charset=utf-8".into(),
                size_bytes,
                language: Some("en".into()),
                translation_of: None,
            };
            Ok(pb::BuildOriginEvidenceResponse {
                attachment: Some(tanba_proto::forms::attachment_to_wire(&attachment)),
                products: counts[0],
                orders: counts[1],
                shipments: counts[2],
                exports: counts[3],
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn list_stages(
        &self,
        request: Request<pb::ListStagesRequest>,
    ) -> Result<Response<pb::ListStagesResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.StateServicesService/ListStages",
            request,
        );
        let outcome = async {
            call.participant_with(MONITORING_ROLES)?;
            let (after, limit) = convert::page(message.page, PAGE_ENTRIES_MAX);
            let snapshot = self.app.engine.snapshot();
            let stages = query::stages(snapshot.as_ref(), after, limit)?;
            Ok(pb::ListStagesResponse {
                stages: stages.iter().map(stage_to).collect(),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    type WatchStagesStream = ReceiverStream<Result<pb::Stage, Status>>;

    async fn watch_stages(
        &self,
        request: Request<pb::ListStagesRequest>,
    ) -> Result<Response<Self::WatchStagesStream>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.StateServicesService/WatchStages",
            request,
        );
        let outcome = async {
            let who = call.participant_with(MONITORING_ROLES)?;
            let watch = self.app.inbox_watches.begin(who.id)?;
            let after = message.page.unwrap_or_default().after;
            Ok(self.watch_stages(watch, after))
        }
        .await;
        call.finish_grpc(outcome).await
    }
}

impl Services {
    /// Sends the stages after `after`, then each new one ([`super::watch`]).
    fn watch_stages(
        &self,
        watch: crate::app::StreamSlot,
        after: u64,
    ) -> ReceiverStream<Result<pb::Stage, Status>> {
        super::watch(
            &self.app,
            watch,
            after,
            STAGES_POLL_INTERVAL,
            |app, after| {
                let snapshot = app.engine.snapshot();
                let stages = query::stages(snapshot.as_ref(), after, PAGE_ENTRIES_MAX)?;
                Ok(stages
                    .iter()
                    .map(|stage| (stage.0, stage_to(stage)))
                    .collect())
            },
        )
    }
}

/// Uses of a permit one page lists at most (each reads its withdrawal's log entry).
pub const PERMIT_USES_PAGE_MAX: usize = 100;

/// A permit's authorization and a page of the withdrawals that used it.
fn permit_usage(
    app: &crate::app::App,
    case: CaseId,
    number: &DocumentNumber,
    after: u64,
    limit: usize,
) -> Result<pb::PermitUsageResponse, ApiError> {
    let snapshot = app.engine.snapshot();
    let record = tanba_engine::export::authorization_of(snapshot.as_ref(), number)?
        .ok_or_else(|| ApiError::not_found("export authorization"))?;
    let mut uses = Vec::new();
    for (sequence, units) in tanba_engine::export::uses(snapshot.as_ref(), case, after, limit)? {
        let entry = query::log_record(snapshot.as_ref(), sequence)?;
        let (time_ms, codes) = match entry {
            Some(entry) => match entry.event {
                Event::Withdrawn { codes, .. } => (entry.time_ms, codes),
                _ => (entry.time_ms, Vec::new()),
            },
            None => (0, Vec::new()),
        };
        uses.push(pb::PermitUse {
            sequence,
            units,
            time_ms,
            codes: codes
                .iter()
                .take(USE_CODES_MAX)
                .map(ToString::to_string)
                .collect(),
        });
    }
    let authorization = &record.authorization;
    Ok(pb::PermitUsageResponse {
        case_id: case,
        holder: record.holder.to_string(),
        hs_code: authorization.hs_code.clone(),
        control_code: authorization.control_code.clone(),
        end_user: authorization.end_user.clone(),
        units: authorization.units,
        used: record.used,
        valid_until: authorization.valid_until.to_string(),
        ended: record.ended,
        uses,
    })
}

/// The case behind a document number, if the caller may see it; an unknown number and a case
/// the caller may not see answer alike, so numbers tell a stranger nothing.
fn visible_document(
    call: &crate::app::Call<'_>,
    who: &tanba_types::Participant,
    number: &DocumentNumber,
) -> Result<(CaseId, tanba_engine::records::CaseRecord), ApiError> {
    let hidden = || ApiError::not_found("document");
    let case = {
        let snapshot = call.app().engine.snapshot();
        tanba_engine::cases::document_case(snapshot.as_ref(), number)?
    };
    let case = case.ok_or_else(hidden)?;
    let record = visible_case(call, who, case).map_err(|_| hidden())?;
    Ok((case, record))
}

fn document_number(text: &str) -> Result<DocumentNumber, ApiError> {
    DocumentNumber::parse(text).ok_or_else(|| ApiError::invalid("number"))
}

fn stage_to((sequence, time_ms, report): &(u64, u64, StageReport)) -> pb::Stage {
    let (deadline_clock, deadline_ms) = report.deadline.clone().unwrap_or_default();
    pb::Stage {
        sequence: *sequence,
        time_ms: *time_ms,
        case_id: report.case,
        kind: report.kind.clone(),
        stage: report.stage.clone(),
        state: report.state.clone(),
        deadline_clock,
        deadline_ms,
        on_time: report.on_time,
    }
}

/// The exporter's marked goods in Tanba as a text document for a verification (R-REX-05's
/// check of origin): its products (from its code orders), its orders (production), its
/// shipments and its exports, each bounded by [`EVIDENCE_ENTRIES_MAX`]; with the counts of each.
fn evidence(
    app: &crate::app::App,
    case: CaseId,
    exporter: TaxpayerId,
) -> Result<(String, [u32; 4]), ApiError> {
    let snapshot = app.engine.snapshot();
    let snapshot = snapshot.as_ref();
    let head = app.engine.head();
    let mut text = String::new();
    let name = query::participant(snapshot, &exporter)?.map_or_else(String::new, |p| p.name);
    let _ = writeln!(
        text,
        "Origin evidence from Tanba for REX verification case {case}\nExporter: {exporter} {name}\n\
         Read at log position {}.\n",
        head.sequence
    );
    let orders = query::orders(snapshot, &exporter, 0, EVIDENCE_ENTRIES_MAX)?;
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
    Ok((
        text,
        [count(gtins.len()), count(orders.len()), shipped, exported],
    ))
}

/// The exporter's shipments as seller and its exports, written to `text`; their counts.
fn movements(
    snapshot: &dyn tanba_store::Snapshot,
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
