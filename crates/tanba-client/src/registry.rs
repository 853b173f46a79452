//! The registry (`RegistryService`): participants, product categories, product cards and fiscal
//! data operators' contracts, sent as Tanba's own types (`tanba_types::{Participant, Category,
//! Product, FiscalAgency}`), so a caller states what it registers rather than how the wire
//! spells it. Cards read back come as the prost messages they are.

use tanba_proto::v1 as pb;
use tanba_types::{Category, FiscalAgency, Gtin, Participant, Product, TaxpayerId};

use crate::wire::{self, answered};
use crate::{ClientError, Connection};

impl Connection {
    /// Operator: registers a participant.
    pub async fn register_participant(
        &self,
        participant: &Participant,
    ) -> Result<pb::Receipt, ClientError> {
        let request = pb::RegisterParticipantRequest {
            participant: Some(wire::participant(participant)),
        };
        let answer = self.registry().register_participant(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// A participant's card (one's own, or anyone's for a supervising role).
    pub async fn get_participant(&self, id: TaxpayerId) -> Result<pb::Participant, ClientError> {
        let request = pb::GetParticipantRequest { id: id.to_string() };
        let answer = self.registry().get_participant(request).await?;
        answered(answer.into_inner().participant, "participant")
    }

    /// Operator: suspends a participant (every operation refused) or reinstates it, overriding
    /// the register of entrepreneurs. The card is read and sent back whole with only its status
    /// changed, since an update replaces it.
    pub async fn set_suspended(
        &self,
        id: TaxpayerId,
        suspended: bool,
    ) -> Result<pb::Receipt, ClientError> {
        let mut participant = self.get_participant(id).await?;
        participant.suspended = suspended;
        // The operator's own decision, whatever the register said.
        participant.registration_ceased = false;
        let request = pb::UpdateParticipantRequest {
            participant: Some(participant),
        };
        let answer = self.registry().update_participant(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// Operator: defines (or redefines) a product category.
    pub async fn define_category(&self, category: &Category) -> Result<pb::Receipt, ClientError> {
        let request = pb::DefineCategoryRequest {
            category: Some(wire::category(category)),
        };
        let answer = self.registry().define_category(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// The producer or importer it names, or the operator: registers a product card.
    pub async fn register_product(&self, product: &Product) -> Result<pb::Receipt, ClientError> {
        let request = pb::RegisterProductRequest {
            product: Some(wire::product(product)),
        };
        let answer = self.registry().register_product(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// A product card.
    pub async fn get_product(&self, gtin: Gtin) -> Result<pb::Product, ClientError> {
        let request = pb::GetProductRequest {
            gtin: gtin.to_string(),
        };
        let answer = self.registry().get_product(request).await?;
        answered(answer.into_inner().product, "product")
    }

    /// Operator: registers a fiscal data operator as serving a seller on the days it names.
    pub async fn assign_fiscal_operator(
        &self,
        agency: &FiscalAgency,
    ) -> Result<pb::Receipt, ClientError> {
        let request = pb::AssignFiscalOperatorRequest {
            agency: Some(wire::fiscal_agency(agency)),
        };
        let answer = self.registry().assign_fiscal_operator(request).await?;
        answered(answer.into_inner().receipt, "receipt")
    }

    /// The sellers a fiscal data operator is registered to serve, in IIN/BIN order.
    pub async fn fiscal_agencies(
        &self,
        operator: TaxpayerId,
    ) -> Result<Vec<pb::FiscalAgency>, ClientError> {
        let request = pb::ListFiscalAgenciesRequest {
            operator: operator.to_string(),
        };
        let answer = self.registry().list_fiscal_agencies(request).await?;
        Ok(answer.into_inner().agencies)
    }
}
