//! `tanba client` commands of shipments: ship, accept, reject, cancel, read. The documents are
//! signed with the key of `--key` by `tanba_client`'s operations.

use clap::Args;
use serde_json::{Value, json};
use tanba_client::Connection;
use tanba_types::TaxpayerId;

use super::input::{Codes, receipt};

/// `ship`.
#[derive(Debug, Args)]
pub struct Ship {
    /// The buyer's IIN/BIN.
    #[arg(long)]
    buyer: TaxpayerId,
    #[command(flatten)]
    codes: Codes,
}

impl Ship {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        let document = connection.ship(self.buyer, self.codes.read()?).await?;
        Ok(json!({ "document": document }))
    }
}

/// `accept`.
#[derive(Debug, Args)]
pub struct Accept {
    /// The document id.
    document: u64,
    /// Only these items.
    items: Vec<String>,
}

impl Accept {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        receipt(connection.accept(self.document, self.items).await?)
    }
}

/// `document`, `reject`, `cancel`: one document.
#[derive(Debug, Args)]
pub struct Document {
    /// The document id.
    document: u64,
}

impl Document {
    pub async fn run(self, connection: &Connection) -> anyhow::Result<Value> {
        Ok(serde_json::to_value(
            connection.get_document(self.document).await?,
        )?)
    }

    pub async fn reject(self, connection: &Connection) -> anyhow::Result<Value> {
        receipt(connection.reject(self.document).await?)
    }

    pub async fn cancel(self, connection: &Connection) -> anyhow::Result<Value> {
        receipt(connection.cancel_shipment(self.document).await?)
    }
}

/// `documents`.
pub async fn list(connection: &Connection) -> anyhow::Result<Value> {
    Ok(serde_json::to_value(connection.list_documents().await?)?)
}
