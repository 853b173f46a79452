//! Shipments between participants (`DocumentsService`): ship, accept whole or in part, reject,
//! call back, read. Each write is a document the caller signs: the operation builds the same
//! `Command` the server rebuilds, signs its canonical text with the signed-in key and sends the
//! detached signature with the request, so no caller handles signatures itself.

use tanba_proto::v1 as pb;
use tanba_types::{CodeKey, Command, ScannedCode, TaxpayerId};

use crate::wire::answered;
use crate::{ClientError, Connection};

/// The keys of codes given in any form, as the signed text names them.
fn keys(items: &[String]) -> Result<Vec<CodeKey>, ClientError> {
    items
        .iter()
        .map(|item| ScannedCode::read(item).map(|code| code.key))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| ClientError::Failed(error.to_string()))
}

impl Connection {
    /// Ships `items` (codes and packages) to `buyer`, signed; returns the document's id.
    pub async fn ship(&self, buyer: TaxpayerId, items: Vec<String>) -> Result<u64, ClientError> {
        let signature = self.sign_document(&Command::Ship {
            buyer,
            items: keys(&items)?,
            signature: Vec::new(),
        });
        let request = pb::ShipRequest {
            buyer: buyer.to_string(),
            items,
            signature,
        };
        Ok(self.documents().ship(request).await?.into_inner().document)
    }

    /// The buyer: accepts the `items` of a shipment, signed; everything when `items` is empty
    /// (the rest goes back to the seller).
    pub async fn accept(
        &self,
        document: u64,
        items: Vec<String>,
    ) -> Result<pb::Receipt, ClientError> {
        let accepted = keys(&items)?;
        let signature = self.sign_document(&Command::Accept {
            document,
            items: (!accepted.is_empty()).then_some(accepted),
            signature: Vec::new(),
        });
        let request = pb::AcceptRequest {
            document,
            items,
            signature,
        };
        let answer = self.documents().accept(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// The buyer: accepts a whole shipment, signed.
    pub async fn accept_all(&self, document: u64) -> Result<pb::Receipt, ClientError> {
        self.accept(document, Vec::new()).await
    }

    /// The buyer: refuses a shipment, signed; everything stays with the seller.
    pub async fn reject(&self, document: u64) -> Result<pb::Receipt, ClientError> {
        let signature = self.sign_document(&Command::Reject {
            document,
            signature: Vec::new(),
        });
        let request = pb::RejectRequest {
            document,
            signature,
        };
        let answer = self.documents().reject(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// The seller: calls back a shipment the buyer has not answered, signed.
    pub async fn cancel_shipment(&self, document: u64) -> Result<pb::Receipt, ClientError> {
        let signature = self.sign_document(&Command::CancelShipment {
            document,
            signature: Vec::new(),
        });
        let request = pb::CancelRequest {
            document,
            signature,
        };
        let answer = self.documents().cancel(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// One document (its seller's or buyer's).
    pub async fn get_document(&self, document: u64) -> Result<pb::Document, ClientError> {
        let request = pb::GetDocumentRequest { document };
        let answer = self.documents().get_document(request).await?;
        answered(answer.into_inner().document, "document")
    }

    /// The caller's documents, incoming and outgoing (the first page).
    pub async fn list_documents(&self) -> Result<Vec<pb::Document>, ClientError> {
        let request = pb::ListDocumentsRequest { page: None };
        Ok(self
            .documents()
            .list_documents(request)
            .await?
            .into_inner()
            .documents)
    }
}
