//! `RetailService` (`proto/tanba/v1/retail.proto`): the tills over gRPC, the same calls as the
//! HTTP side's `/v1/till/...` ([`crate::service::retail`]).

use tanba_proto::v1 as pb;
use tonic::{Request, Response, Status};

use super::{Services, begin, convert};
use crate::service::retail;

#[tonic::async_trait]
impl pb::retail_service_server::RetailService for Services {
    async fn check_before_sale(
        &self,
        request: Request<pb::CheckBeforeSaleRequest>,
    ) -> Result<Response<pb::CheckBeforeSaleResponse>, Status> {
        let (mut call, message) =
            begin(&self.app, "tanba.v1.RetailService/CheckBeforeSale", request);
        let check = convert::till_check_from(message);
        let outcome =
            retail::check_before_sale(&mut call, check).map(|checks| pb::CheckBeforeSaleResponse {
                checks: checks.into_iter().map(convert::sale_check_to).collect(),
            });
        call.finish_grpc(outcome).await
    }

    async fn submit_receipt(
        &self,
        request: Request<pb::SubmitReceiptRequest>,
    ) -> Result<Response<pb::SubmitReceiptResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.RetailService/SubmitReceipt", request);
        let receipt = convert::sales_receipt_from(message);
        let outcome = retail::submit_receipt(&mut call, receipt)
            .await
            .map(|outcome| pb::SubmitReceiptResponse {
                receipt: convert::receipt_outcome_to(&outcome),
                duplicate: outcome.duplicate,
                refused_lines: outcome
                    .refused_lines
                    .into_iter()
                    .map(convert::refused_line_to)
                    .collect(),
            });
        call.finish_grpc(outcome).await
    }

    async fn submit_return(
        &self,
        request: Request<pb::SubmitReturnRequest>,
    ) -> Result<Response<pb::SubmitReturnResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.RetailService/SubmitReturn", request);
        let receipt = convert::return_receipt_from(message);
        let outcome = retail::submit_return(&mut call, receipt)
            .await
            .map(|outcome| pb::SubmitReturnResponse {
                receipt: convert::receipt_outcome_to(&outcome),
                duplicate: outcome.duplicate,
            });
        call.finish_grpc(outcome).await
    }
}
