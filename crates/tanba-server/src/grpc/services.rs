//! `ReferenceService` and `StateServicesService` (`proto/tanba/v1/services.proto`): reference
//! data, documents found by number, a permit's use, the REX verification's origin evidence and
//! the stages the monitoring body sees (listed, or watched as they are recorded), over
//! [`crate::service::services`].

use tanba_proto::v1 as pb;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::{Services, begin, convert};
use crate::app::StreamSlot;
use crate::service::services;

/// How often a stage watch reads for new stages.
pub const STAGES_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

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
        let outcome = services::publish_reference(&mut call, message.toml)
            .await
            .map(|receipt| pb::PublishReferenceResponse {
                receipt: Some(convert::receipt(&receipt)),
            });
        call.finish_grpc(outcome).await
    }

    async fn get_reference(
        &self,
        request: Request<pb::GetReferenceRequest>,
    ) -> Result<Response<pb::GetReferenceResponse>, Status> {
        let (mut call, message) =
            begin(&self.app, "tanba.v1.ReferenceService/GetReference", request);
        let outcome = services::reference(&mut call, &message.set, message.version)
            .await
            .map(convert::reference_to);
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
        let outcome = services::find_document(&mut call, &message.number).map(|card| {
            pb::FindDocumentResponse {
                case: Some(convert::case_to(&card)),
            }
        });
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
        let page = convert::page(message.page);
        let outcome = services::permit_usage(&mut call, &message.number, page)
            .await
            .map(convert::permit_usage_to);
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
        let outcome = services::build_origin_evidence(&mut call, message.case_id)
            .await
            .map(|evidence| convert::evidence_to(&evidence));
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
        let outcome = services::stages(&mut call, convert::page(message.page)).map(|stages| {
            pb::ListStagesResponse {
                stages: stages.iter().map(convert::stage_to).collect(),
            }
        });
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
        let after = message.page.unwrap_or_default().after;
        let outcome = services::watch_stages(&mut call).map(|slot| self.watch_stages(slot, after));
        call.finish_grpc(outcome).await
    }
}

impl Services {
    /// Sends the stages after `after`, then each new one ([`super::watch`]).
    fn watch_stages(
        &self,
        watch: StreamSlot,
        after: u64,
    ) -> ReceiverStream<Result<pb::Stage, Status>> {
        super::watch(
            &self.app,
            watch,
            after,
            STAGES_POLL_INTERVAL,
            |app, after| {
                let stages = services::stages_after(app, after)?;
                Ok(stages
                    .iter()
                    .map(|stage| (stage.0, convert::stage_to(stage)))
                    .collect())
            },
        )
    }
}
