//! What anyone may do without signing in (`PublicCheckService`): check whether a code is
//! genuine, and report a violation. The answer's texts come in the connection's language.

use tanba_proto::v1 as pb;

use crate::{ClientError, Connection};

impl Connection {
    /// Is this code genuine? `code` in any form, or a GS1 Digital Link URL.
    pub async fn check(&self, code: &str) -> Result<pb::CheckResponse, ClientError> {
        // No language in the request: the connection's `accept-language` decides.
        let request = pb::CheckRequest {
            code: code.to_owned(),
            language: pb::Language::Unspecified as i32,
        };
        Ok(self.public().check(request).await?.into_inner())
    }

    /// Reports a violation, about a code or none; returns the report's id in the answer.
    pub async fn report_violation(
        &self,
        code: Option<&str>,
        kind: pb::ViolationKind,
        comment: &str,
    ) -> Result<pb::ReportViolationResponse, ClientError> {
        let request = pb::ReportViolationRequest {
            code: code.unwrap_or_default().to_owned(),
            kind: kind as i32,
            comment: comment.to_owned(),
            ..Default::default()
        };
        Ok(self.public().report_violation(request).await?.into_inner())
    }
}
