//! A code's life after emission (`CodesService`): applied, introduced, packed and unpacked,
//! withdrawn, blocked by an authority; and the reads of one code (its card, a package's
//! content, its history). Codes go as the text a scanner or a person gave, in any form: the
//! server reads them, so a code that does not read is refused with the server's own error.

use tanba_proto::v1 as pb;
use tanba_types::{Date, ExportUse, Introduction, WithdrawalReason};

use crate::wire::{self, answered};
use crate::{ClientError, Connection};

/// What a report of applied codes says about the goods they are on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// When the goods were made.
    pub production_date: Date,
    /// When they expire; the server computes it from the product's shelf life when `None`.
    pub expiry_date: Option<Date>,
    /// The production batch.
    pub batch: Option<String>,
}

/// Why codes leave circulation, and the papers behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    /// Why.
    pub reason: WithdrawalReason,
    /// The paper behind it: an export declaration, an act.
    pub document: Option<String>,
    /// Controlled goods exported outside the EAEU: the permit they leave under.
    pub export: Option<ExportUse>,
    /// A sale or shipment to a buyer in another EAEU state: its cross-border document.
    pub eaeu: Option<tanba_types::EaeuDocument>,
}

impl Connection {
    /// The orderer: the codes are printed and on the goods.
    pub async fn report_applied(
        &self,
        codes: Vec<String>,
        applied: &Applied,
    ) -> Result<pb::Receipt, ClientError> {
        let request = pb::ReportAppliedRequest {
            codes,
            production_date: applied.production_date.to_string(),
            expiry_date: applied
                .expiry_date
                .map(|day| day.to_string())
                .unwrap_or_default(),
            batch: applied.batch.clone().unwrap_or_default(),
        };
        let answer = self.codes().report_applied(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// The owner: the goods enter circulation (whole packages with their content).
    pub async fn introduce(
        &self,
        codes: Vec<String>,
        introduction: &Introduction,
    ) -> Result<pb::Receipt, ClientError> {
        let request = pb::IntroduceRequest {
            codes,
            how: Some(wire::introduction(introduction)),
        };
        let answer = self.codes().introduce(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// The owner: puts `children` into the package `parent` (an SSCC not yet known is
    /// created).
    pub async fn aggregate(
        &self,
        parent: &str,
        children: Vec<String>,
    ) -> Result<pb::Receipt, ClientError> {
        let request = pb::AggregateRequest {
            parent: parent.to_owned(),
            children,
        };
        let answer = self.codes().aggregate(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// The owner: takes codes out of their packages.
    pub async fn disaggregate(&self, codes: Vec<String>) -> Result<pb::Receipt, ClientError> {
        let request = pb::DisaggregateRequest { codes };
        let answer = self.codes().disaggregate(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// The owner: takes codes out of circulation.
    pub async fn withdraw(
        &self,
        codes: Vec<String>,
        withdrawal: &Withdrawal,
    ) -> Result<pb::Receipt, ClientError> {
        let (permit, end_user) = match &withdrawal.export {
            Some(export) => (export.permit.to_string(), export.end_user.clone()),
            None => (String::new(), String::new()),
        };
        let request = pb::WithdrawRequest {
            codes,
            reason: wire::withdrawal_reason(withdrawal.reason) as i32,
            document: withdrawal.document.clone().unwrap_or_default(),
            permit,
            end_user,
            eaeu: withdrawal.eaeu.as_ref().map(wire::eaeu_document),
        };
        let answer = self.codes().withdraw(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// An authority: blocks codes (and everything inside packages); `reason` is what the public
    /// reads.
    pub async fn block(
        &self,
        codes: Vec<String>,
        reason: &str,
    ) -> Result<pb::Receipt, ClientError> {
        let request = pb::BlockRequest {
            codes,
            reason: reason.to_owned(),
        };
        let answer = self.codes().block(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// An authority: lifts its own block.
    pub async fn unblock(&self, codes: Vec<String>) -> Result<pb::Receipt, ClientError> {
        let request = pb::UnblockRequest { codes };
        let answer = self.codes().unblock(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// A code's card.
    pub async fn code_card(&self, code: &str) -> Result<pb::CodeCard, ClientError> {
        let request = pb::GetCodeCardRequest {
            code: code.to_owned(),
        };
        let answer = self.codes().get_code_card(request).await?;
        answered(answer.into_inner().card, "card")
    }

    /// Everything inside a package, gathered from the stream, with each entry's depth.
    pub async fn package_content(
        &self,
        package: &str,
    ) -> Result<Vec<pb::ContentEntry>, ClientError> {
        let request = pb::GetPackageContentRequest {
            package: package.to_owned(),
        };
        let mut stream = self
            .codes()
            .get_package_content(request)
            .await?
            .into_inner();
        let mut entries = Vec::new();
        while let Some(page) = stream.message().await? {
            entries.extend(page.entries);
        }
        Ok(entries)
    }

    /// A code's history: at most `limit` events after the log sequence `after`.
    pub async fn history(
        &self,
        code: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<pb::HistoryEvent>, ClientError> {
        let request = pb::GetHistoryRequest {
            code: code.to_owned(),
            page: Some(pb::Page { after, limit }),
        };
        Ok(self.codes().get_history(request).await?.into_inner().events)
    }
}
