//! `tanba client` commands of the public and its supervisors: the check anyone may make, a
//! violation report, and what an authority or the operator reads of them (the audit trail,
//! the reports).

use clap::{Args, ValueEnum};
use serde_json::Value;
use tanba_client::{AuditQuery, Connection};
use tanba_proto::v1 as pb;
use tanba_types::TaxpayerId;

use super::input::{optional_field, optional_text};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Counterfeit,
    SoldAfterExpiry,
    NoCode,
    Price,
    Other,
}

/// `check`.
#[derive(Debug, Args)]
pub struct Check {
    /// The code in any form, or a Digital Link URL.
    code: String,
}

impl Check {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        Ok(serde_json::to_value(connection.check(&self.code).await?)?)
    }
}

/// `report`.
#[derive(Debug, Args)]
pub struct Report {
    /// What kind.
    #[arg(long, value_enum)]
    kind: KindArg,
    /// The code concerned.
    #[arg(long, default_value = "")]
    code: String,
    /// A comment.
    #[arg(long, default_value = "")]
    comment: String,
}

impl Report {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        // The public's kinds are the wire's own: no Tanba type sits between.
        let kind = match self.kind {
            KindArg::Counterfeit => pb::ViolationKind::Counterfeit,
            KindArg::SoldAfterExpiry => pb::ViolationKind::SoldAfterExpiry,
            KindArg::NoCode => pb::ViolationKind::NoCode,
            KindArg::Price => pb::ViolationKind::Price,
            KindArg::Other => pb::ViolationKind::Other,
        };
        let code = optional_text(&self.code);
        let answer = connection
            .report_violation(code.as_deref(), kind, &self.comment)
            .await?;
        Ok(serde_json::to_value(answer)?)
    }
}

/// `audit`.
#[derive(Debug, Args)]
pub struct Audit {
    /// Only this participant's calls.
    #[arg(long, default_value = "")]
    participant: String,
    /// Only calls that named this code.
    #[arg(long, default_value = "")]
    code: String,
    /// From this time (unix ms).
    #[arg(long, default_value_t = 0)]
    from_ms: u64,
    /// Before this time (unix ms; 0: no end).
    #[arg(long, default_value_t = 0)]
    until_ms: u64,
    /// At most this many.
    #[arg(long, default_value_t = 1000)]
    limit: u32,
    /// The trail of this node of a cluster (the calls it served); default: the node asked.
    #[arg(long, default_value = "")]
    node: String,
}

impl Audit {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let query = AuditQuery {
            participant: optional_field::<TaxpayerId>("participant", self.participant.trim())?,
            code: optional_text(&self.code),
            from_ms: self.from_ms,
            until_ms: (self.until_ms != 0).then_some(self.until_ms),
            limit: self.limit,
            node: optional_text(&self.node),
        };
        Ok(serde_json::to_value(connection.query_audit(&query).await?)?)
    }
}

/// `reports`.
#[derive(Debug, Args)]
pub struct Reports {
    /// Only about this code.
    #[arg(long, default_value = "")]
    code: String,
}

impl Reports {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let code = optional_text(&self.code);
        let reports = connection.violation_reports(code.as_deref()).await?;
        Ok(serde_json::to_value(reports)?)
    }
}
