//! `CodesService` (`proto/tanba/v1/codes.proto`): the participants' operations on codes and
//! the reads of a code over gRPC, a shell over [`crate::service::codes`] (a package's content
//! streamed in chunks).

use tanba_engine::Receipt;
use tanba_proto::v1 as pb;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::{STREAM_BUFFER_MESSAGES, Services, begin, convert};
use crate::error::ApiError;
use crate::service::codes;

/// Entries per message of a streamed package content.
const CONTENT_CHUNK_ENTRIES: usize = 10_000;

fn receipt(receipt: &Receipt) -> Option<pb::Receipt> {
    Some(convert::receipt(receipt))
}

#[tonic::async_trait]
impl pb::codes_service_server::CodesService for Services {
    async fn report_applied(
        &self,
        request: Request<pb::ReportAppliedRequest>,
    ) -> Result<Response<pb::ReportAppliedResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/ReportApplied", request);
        let applied = convert::applied_from(&message);
        let outcome = codes::report_applied(&mut call, &message.codes, applied)
            .await
            .map(|written| pb::ReportAppliedResponse {
                receipt: receipt(&written),
            });
        call.finish_grpc(outcome).await
    }

    async fn introduce(
        &self,
        request: Request<pb::IntroduceRequest>,
    ) -> Result<Response<pb::IntroduceResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/Introduce", request);
        let outcome = async {
            let introduction = convert::introduction_from(message.how)?;
            codes::introduce(&mut call, &message.codes, introduction).await
        }
        .await
        .map(|written| pb::IntroduceResponse {
            receipt: receipt(&written),
        });
        call.finish_grpc(outcome).await
    }

    async fn aggregate(
        &self,
        request: Request<pb::AggregateRequest>,
    ) -> Result<Response<pb::AggregateResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/Aggregate", request);
        let outcome = codes::aggregate(&mut call, &message.parent, &message.children)
            .await
            .map(|written| pb::AggregateResponse {
                receipt: receipt(&written),
            });
        call.finish_grpc(outcome).await
    }

    async fn disaggregate(
        &self,
        request: Request<pb::DisaggregateRequest>,
    ) -> Result<Response<pb::DisaggregateResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/Disaggregate", request);
        let outcome = codes::disaggregate(&mut call, &message.codes)
            .await
            .map(|written| pb::DisaggregateResponse {
                receipt: receipt(&written),
            });
        call.finish_grpc(outcome).await
    }

    async fn withdraw(
        &self,
        request: Request<pb::WithdrawRequest>,
    ) -> Result<Response<pb::WithdrawResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/Withdraw", request);
        let outcome = async {
            let withdrawal = convert::withdrawal_from(&message)?;
            codes::withdraw(&mut call, &message.codes, withdrawal).await
        }
        .await
        .map(|written| pb::WithdrawResponse {
            receipt: receipt(&written),
        });
        call.finish_grpc(outcome).await
    }

    async fn block(
        &self,
        request: Request<pb::BlockRequest>,
    ) -> Result<Response<pb::BlockResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/Block", request);
        let outcome = codes::block(&mut call, &message.codes, message.reason)
            .await
            .map(|written| pb::BlockResponse {
                receipt: receipt(&written),
            });
        call.finish_grpc(outcome).await
    }

    async fn unblock(
        &self,
        request: Request<pb::UnblockRequest>,
    ) -> Result<Response<pb::UnblockResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/Unblock", request);
        let outcome = codes::unblock(&mut call, &message.codes)
            .await
            .map(|written| pb::UnblockResponse {
                receipt: receipt(&written),
            });
        call.finish_grpc(outcome).await
    }

    async fn get_code_card(
        &self,
        request: Request<pb::GetCodeCardRequest>,
    ) -> Result<Response<pb::GetCodeCardResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/GetCodeCard", request);
        let outcome =
            codes::readable_card(&mut call, &message.code).map(|card| pb::GetCodeCardResponse {
                card: Some(convert::card_to(&card)),
            });
        call.finish_grpc(outcome).await
    }

    type GetPackageContentStream = ReceiverStream<Result<pb::GetPackageContentResponse, Status>>;

    async fn get_package_content(
        &self,
        request: Request<pb::GetPackageContentRequest>,
    ) -> Result<Response<Self::GetPackageContentStream>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.CodesService/GetPackageContent",
            request,
        );
        let outcome = codes::package_content(&mut call, &message.package).map(|content| {
            let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_BUFFER_MESSAGES);
            tokio::spawn(async move {
                for chunk in content.chunks(CONTENT_CHUNK_ENTRIES) {
                    if sender.send(Ok(convert::content_to(chunk))).await.is_err() {
                        return;
                    }
                }
            });
            ReceiverStream::new(receiver)
        });
        call.finish_grpc(outcome).await
    }

    async fn get_history(
        &self,
        request: Request<pb::GetHistoryRequest>,
    ) -> Result<Response<pb::GetHistoryResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/GetHistory", request);
        let page = convert::page(message.page);
        let outcome: Result<_, ApiError> =
            codes::history(&mut call, &message.code, page).map(|history| pb::GetHistoryResponse {
                events: history.iter().map(convert::history_entry_to).collect(),
            });
        call.finish_grpc(outcome).await
    }
}
