//! The state services besides their cases (`ReferenceService`, `StateServicesService`): the
//! reference sets forms are checked against, documents found by their number, a permit's use
//! by exports, the REX verification's origin evidence, and the monitoring body's stages.
//! Documents are named by `DocumentNumber`, so a number that is not one never leaves the
//! caller.

use tanba_proto::forms;
use tanba_proto::v1 as pb;
use tanba_types::{AttachmentRef, DocumentNumber};

use crate::wire::{answered, page_after};
use crate::{ClientError, Connection};

/// The origin evidence the server built for a REX verification from the exporter's goods in
/// Tanba, uploaded as the caller's file ([`Connection::build_origin_evidence`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginEvidence {
    /// The file, ready to attach to a step.
    pub attachment: AttachmentRef,
    /// How many of the exporter's products it lists.
    pub products: u32,
    /// Emission orders.
    pub orders: u32,
    /// Shipments.
    pub shipments: u32,
    /// Exports.
    pub exports: u32,
}

impl Connection {
    /// Operator: publishes the next version of a reference set (its TOML document).
    pub async fn publish_reference(&self, toml: String) -> Result<pb::Receipt, ClientError> {
        let request = pb::PublishReferenceRequest { toml };
        let answer = self.reference().publish_reference(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// A reference set (`providers`, `hs_codes`, ...): the version in force when `version` is
    /// `None`.
    pub async fn get_reference(
        &self,
        set: &str,
        version: Option<u32>,
    ) -> Result<pb::GetReferenceResponse, ClientError> {
        let request = pb::GetReferenceRequest {
            set: set.to_owned(),
            version: version.unwrap_or(0),
        };
        Ok(self.reference().get_reference(request).await?.into_inner())
    }

    /// The case that gave a document its number (a certificate, a permit).
    pub async fn find_document(&self, number: &DocumentNumber) -> Result<pb::Case, ClientError> {
        let request = pb::FindDocumentRequest {
            number: number.to_string(),
        };
        let answer = self.state_services().find_document(request).await?;
        answered(answer.into_inner().case, "case")
    }

    /// A permit's export authorization and the withdrawals that used it (the first page).
    pub async fn permit_usage(
        &self,
        number: &DocumentNumber,
    ) -> Result<pb::PermitUsageResponse, ClientError> {
        let request = pb::PermitUsageRequest {
            number: number.to_string(),
            page: None,
        };
        Ok(self
            .state_services()
            .permit_usage(request)
            .await?
            .into_inner())
    }

    /// REX: has the server build the exporter's origin evidence for a verification case and
    /// keep it as the caller's upload, to attach with a step.
    pub async fn build_origin_evidence(&self, case: u64) -> Result<OriginEvidence, ClientError> {
        let request = pb::BuildOriginEvidenceRequest { case_id: case };
        let built = self
            .state_services()
            .build_origin_evidence(request)
            .await?
            .into_inner();
        let attachment = forms::attachment_from_wire(answered(built.attachment, "attachment")?)
            .map_err(|error| ClientError::Failed(error.to_string()))?;
        Ok(OriginEvidence {
            attachment,
            products: built.products,
            orders: built.orders,
            shipments: built.shipments,
            exports: built.exports,
        })
    }

    /// The stages of every state service, in log order, a page after the log sequence `after`.
    pub async fn list_stages(&self, after: u64) -> Result<Vec<pb::Stage>, ClientError> {
        let request = pb::ListStagesRequest {
            page: page_after(after),
        };
        Ok(self
            .state_services()
            .list_stages(request)
            .await?
            .into_inner()
            .stages)
    }
}
