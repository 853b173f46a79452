//! `tanba client` commands of tills: the check before sale, sales receipts and return
//! receipts, sent by the seller or by its fiscal data operator (`--seller`).

use anyhow::Context;
use clap::Args;
use serde_json::Value;
use tanba_client::{Connection, ReceiptLine, ReturnReceipt, SalesReceipt};
use tanba_types::TaxpayerId;

use super::input::Codes;

/// `till-check`.
#[derive(Debug, Args)]
pub struct TillCheck {
    /// The seller (a fiscal data operator checks for a seller).
    #[arg(long)]
    seller: Option<TaxpayerId>,
    #[command(flatten)]
    codes: Codes,
}

impl TillCheck {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let checks = connection
            .check_before_sale(self.seller, self.codes.read()?)
            .await?;
        Ok(serde_json::to_value(checks)?)
    }
}

/// `receipt`.
#[derive(Debug, Args)]
pub struct Receipt {
    /// The receipt id.
    #[arg(long)]
    id: String,
    /// The seller (a fiscal data operator sends for a seller).
    #[arg(long)]
    seller: Option<TaxpayerId>,
    /// Lines: CODE=PRICE_TIYN.
    #[arg(required = true)]
    lines: Vec<String>,
}

impl Receipt {
    /// Sends the receipt printed now; the seller is the caller unless `--seller` names one.
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let lines = self
            .lines
            .iter()
            .map(|line| {
                let (code, price) = line.rsplit_once('=').context("a line is CODE=PRICE_TIYN")?;
                Ok(ReceiptLine {
                    code: code.to_owned(),
                    price_tiyn: price.parse().context("a price in tiyn")?,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        let receipt = SalesReceipt {
            receipt_id: self.id,
            seller: self.seller.or(connection.participant()),
            time_ms: crate::output::now_ms(),
            lines,
        };
        Ok(serde_json::to_value(
            connection.submit_receipt(&receipt).await?,
        )?)
    }
}

/// `return`.
#[derive(Debug, Args)]
pub struct Return {
    /// The return receipt's id.
    #[arg(long)]
    id: String,
    /// The id of the sales receipt the goods were sold on.
    #[arg(long)]
    sale: String,
    /// The seller (a fiscal data operator sends for a seller).
    #[arg(long)]
    seller: Option<TaxpayerId>,
    #[command(flatten)]
    codes: Codes,
}

impl Return {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let back = ReturnReceipt {
            receipt_id: self.id,
            sale_receipt_id: self.sale,
            seller: self.seller,
            codes: self.codes.read()?,
        };
        Ok(serde_json::to_value(
            connection.submit_return(&back).await?,
        )?)
    }
}
