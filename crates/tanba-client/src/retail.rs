//! Tills (`RetailService`, R-IS-13): the check before sale, sales receipts and return
//! receipts, sent by the seller or by a fiscal data operator for a seller it serves. A receipt
//! records what happened at the till, so refused lines come back in the answer rather than as
//! an error: the answers are returned whole.

use tanba_proto::v1 as pb;
use tanba_types::TaxpayerId;

use crate::wire::optional_id;
use crate::{ClientError, Connection};

/// One line of a sales receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLine {
    /// The code as scanned, in any form.
    pub code: String,
    /// The price, in tiyn.
    pub price_tiyn: u64,
}

/// A fiscal sales receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesReceipt {
    /// The receipt's id, unique per seller: a resend is answered as the first.
    pub receipt_id: String,
    /// The seller a fiscal data operator sends for; `None` when the seller sends itself.
    pub seller: Option<TaxpayerId>,
    /// When the till printed it, unix milliseconds.
    pub time_ms: u64,
    /// The lines, in the order printed.
    pub lines: Vec<ReceiptLine>,
}

/// A return receipt: goods of one sale brought back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnReceipt {
    /// The return receipt's id.
    pub receipt_id: String,
    /// The id of the sales receipt the goods were sold on.
    pub sale_receipt_id: String,
    /// The seller a fiscal data operator sends for; `None` when the seller sends itself.
    pub seller: Option<TaxpayerId>,
    /// The codes brought back, in any form.
    pub codes: Vec<String>,
}

impl Connection {
    /// The till's check before sale: one answer per code, in order. `seller` is the seller a
    /// fiscal data operator checks for (`None`: the caller).
    pub async fn check_before_sale(
        &self,
        seller: Option<TaxpayerId>,
        codes: Vec<String>,
    ) -> Result<Vec<pb::SaleCheck>, ClientError> {
        let request = pb::CheckBeforeSaleRequest {
            seller: optional_id(seller),
            codes,
        };
        Ok(self
            .retail()
            .check_before_sale(request)
            .await?
            .into_inner()
            .checks)
    }

    /// Records a sales receipt; lines the rules refuse come back in the answer.
    pub async fn submit_receipt(
        &self,
        receipt: &SalesReceipt,
    ) -> Result<pb::SubmitReceiptResponse, ClientError> {
        let request = pb::SubmitReceiptRequest {
            receipt_id: receipt.receipt_id.clone(),
            seller: optional_id(receipt.seller),
            time_ms: receipt.time_ms,
            lines: receipt
                .lines
                .iter()
                .map(|line| pb::ReceiptLine {
                    code: line.code.clone(),
                    price_tiyn: line.price_tiyn,
                })
                .collect(),
        };
        Ok(self.retail().submit_receipt(request).await?.into_inner())
    }

    /// Records a return receipt (all or nothing).
    pub async fn submit_return(
        &self,
        back: &ReturnReceipt,
    ) -> Result<pb::SubmitReturnResponse, ClientError> {
        let request = pb::SubmitReturnRequest {
            receipt_id: back.receipt_id.clone(),
            sale_receipt_id: back.sale_receipt_id.clone(),
            seller: optional_id(back.seller),
            codes: back.codes.clone(),
        };
        Ok(self.retail().submit_return(request).await?.into_inner())
    }
}
