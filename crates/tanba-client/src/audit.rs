//! The audit trail and the public's reports (`AuditService`), read by an authority or the
//! operator. The trail streams (a query may match millions of calls), so the operations gather
//! the pages into one list, bounded by the query's limit.

use tanba_proto::v1 as pb;
use tanba_types::TaxpayerId;

use crate::wire::optional_id;
use crate::{ClientError, Connection};

/// Which audit records to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only this participant's calls (or those made for it by a fiscal data operator).
    pub participant: Option<TaxpayerId>,
    /// Only calls that named this code.
    pub code: Option<String>,
    /// From this time, unix milliseconds.
    pub from_ms: u64,
    /// Before this time, unix milliseconds; `None`: no end.
    pub until_ms: Option<u64>,
    /// At most this many (0: the server's default page).
    pub limit: u32,
    /// Whose trail: the name of the node that served the calls (a cluster's nodes copy each
    /// other's trails); `None` for the node asked.
    pub node: Option<String>,
}

impl Connection {
    /// Every audit record `query` asks for, gathered from the stream.
    pub async fn query_audit(
        &self,
        query: &AuditQuery,
    ) -> Result<Vec<pb::AuditRecord>, ClientError> {
        let request = pb::QueryAuditRequest {
            participant: optional_id(query.participant),
            code: query.code.clone().unwrap_or_default(),
            from_ms: query.from_ms,
            until_ms: query.until_ms.unwrap_or(0),
            page: Some(pb::Page {
                after: 0,
                limit: query.limit,
            }),
            node: query.node.clone().unwrap_or_default(),
        };
        self.audit_records(request).await
    }

    /// [`Connection::query_audit`] with the request as the wire has it, for tests that page
    /// by hand or send what [`AuditQuery`] cannot say.
    pub async fn audit_records(
        &self,
        query: pb::QueryAuditRequest,
    ) -> Result<Vec<pb::AuditRecord>, ClientError> {
        let mut stream = self.audit().query_audit(query).await?.into_inner();
        let mut records = Vec::new();
        while let Some(page) = stream.message().await? {
            records.extend(page.records);
        }
        Ok(records)
    }

    /// An authority: clears a code's flag as a likely copy, saying why; answers whether it was
    /// flagged.
    pub async fn clear_flag(&self, code: &str, reason: &str) -> Result<bool, ClientError> {
        let request = pb::ClearFlagRequest {
            code: code.to_owned(),
            reason: reason.to_owned(),
        };
        Ok(self.audit().clear_flag(request).await?.into_inner().cleared)
    }

    /// The public's violation reports, about one code or all (the first page).
    pub async fn violation_reports(
        &self,
        code: Option<&str>,
    ) -> Result<Vec<pb::ViolationReportRecord>, ClientError> {
        let request = pb::ListViolationReportsRequest {
            code: code.unwrap_or_default().to_owned(),
            page: None,
        };
        let answer = self.audit().list_violation_reports(request).await?;
        Ok(answer.into_inner().reports)
    }
}
