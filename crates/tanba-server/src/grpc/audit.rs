//! `AuditService` (`proto/tanba/v1/audit.proto`): the audit trail streamed a chunk at a time,
//! likely-copy flags cleared, and the public's reports listed, over
//! [`crate::service::audit`].

use tanba_proto::v1 as pb;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::{STREAM_BUFFER_MESSAGES, STREAM_SEND_TIMEOUT, Services, begin, convert};
use crate::audit::AuditQuery;
use crate::error::ApiError;
use crate::service::audit;

/// Audit records per streamed message: each names up to 1,000 codes, so a chunk stays a few
/// MiB, well under the message limit.
const AUDIT_CHUNK_RECORDS: usize = 100;

#[tonic::async_trait]
impl pb::audit_service_server::AuditService for Services {
    type QueryAuditStream = ReceiverStream<Result<pb::QueryAuditResponse, Status>>;

    async fn query_audit(
        &self,
        request: Request<pb::QueryAuditRequest>,
    ) -> Result<Response<Self::QueryAuditStream>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.AuditService/QueryAudit", request);
        let language = call.language;
        let outcome = audit::search(&mut call, convert::audit_search_from(message))
            .map(|query| self.stream_audit(query, language));
        call.finish_grpc(outcome).await
    }

    async fn clear_flag(
        &self,
        request: Request<pb::ClearFlagRequest>,
    ) -> Result<Response<pb::ClearFlagResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.AuditService/ClearFlag", request);
        let outcome = audit::clear_flag(&mut call, &message.code, &message.reason)
            .await
            .map(|cleared| pb::ClearFlagResponse { cleared });
        call.finish_grpc(outcome).await
    }

    async fn list_violation_reports(
        &self,
        request: Request<pb::ListViolationReportsRequest>,
    ) -> Result<Response<pb::ListViolationReportsResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.AuditService/ListViolationReports",
            request,
        );
        let code = convert::optional_text(&message.code);
        let page = convert::page(message.page);
        let outcome = audit::violation_reports(&mut call, code.as_deref(), page).map(|reports| {
            pb::ListViolationReportsResponse {
                reports: reports.into_iter().map(convert::listed_report_to).collect(),
            }
        });
        call.finish_grpc(outcome).await
    }
}

impl Services {
    /// Streams what an allowed audit query finds, read and sent a chunk at a time: memory stays
    /// one chunk per reader, whatever the total asked (records name up to 1,000 codes each).
    fn stream_audit(
        &self,
        query: AuditQuery,
        language: tanba_types::Language,
    ) -> ReceiverStream<Result<pb::QueryAuditResponse, Status>> {
        let store = self.app.engine.store().clone();
        let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_BUFFER_MESSAGES);
        tokio::spawn(async move {
            let mut left = query.limit;
            let mut query = query;
            while left > 0 {
                query.limit = left.min(AUDIT_CHUNK_RECORDS);
                let chunk_query = query.clone();
                let store = store.clone();
                let chunk = tokio::task::spawn_blocking(move || {
                    audit::records(store.as_ref(), &chunk_query)
                })
                .await;
                let Ok(Ok(records)) = chunk else {
                    let _ = sender
                        .send(Err(ApiError::internal().to_status(language)))
                        .await;
                    return;
                };
                let Some(last) = records.last() else { return };
                query.after = last.sequence;
                left -= records.len();
                let message = pb::QueryAuditResponse {
                    records: records.iter().map(convert::audit_record_to).collect(),
                };
                let delivered =
                    tokio::time::timeout(STREAM_SEND_TIMEOUT, sender.send(Ok(message))).await;
                if !matches!(delivered, Ok(Ok(()))) {
                    return;
                }
            }
        });
        ReceiverStream::new(receiver)
    }
}
