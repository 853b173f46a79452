//! `PublicCheckService` (`proto/tanba/v1/public.proto`): the public check and violation
//! reports over gRPC, the same calls as the HTTP side's ([`crate::service::public`]).

use tanba_proto::v1 as pb;
use tonic::{Request, Response, Status};

use super::{Services, begin, convert};
use crate::service::public;

#[tonic::async_trait]
impl pb::public_check_service_server::PublicCheckService for Services {
    async fn check(
        &self,
        request: Request<pb::CheckRequest>,
    ) -> Result<Response<pb::CheckResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.PublicCheckService/Check", request);
        if let Some(language) = convert::language_from(message.language) {
            call.set_language(language);
        }
        let outcome = public::check(&mut call, Some(&message.code))
            .await
            .map(convert::check_to);
        call.finish_grpc(outcome).await
    }

    async fn report_violation(
        &self,
        request: Request<pb::ReportViolationRequest>,
    ) -> Result<Response<pb::ReportViolationResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.PublicCheckService/ReportViolation",
            request,
        );
        let report = convert::report_from(message);
        let outcome = public::report_violation(&mut call, std::future::ready(Ok(report)))
            .await
            .map(|report| pb::ReportViolationResponse { report });
        call.finish_grpc(outcome).await
    }
}
