//! `RegistryService` (`proto/tanba/v1/registry.proto`): participants, categories, product cards
//! and fiscal data operators over gRPC, a shell over [`crate::service::registry`].

use tanba_proto::v1 as pb;
use tonic::{Request, Response, Status};

use super::{Services, begin, convert};
use crate::service::registry;

#[tonic::async_trait]
impl pb::registry_service_server::RegistryService for Services {
    async fn register_participant(
        &self,
        request: Request<pb::RegisterParticipantRequest>,
    ) -> Result<Response<pb::RegisterParticipantResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.RegistryService/RegisterParticipant",
            request,
        );
        let participant = convert::participant_from(message.participant);
        let outcome = registry::register_participant(&mut call, participant)
            .await
            .map(|receipt| pb::RegisterParticipantResponse {
                receipt: Some(convert::receipt(&receipt)),
            });
        call.finish_grpc(outcome).await
    }

    async fn update_participant(
        &self,
        request: Request<pb::UpdateParticipantRequest>,
    ) -> Result<Response<pb::UpdateParticipantResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.RegistryService/UpdateParticipant",
            request,
        );
        let participant = convert::participant_from(message.participant);
        let outcome = registry::update_participant(&mut call, participant)
            .await
            .map(|receipt| pb::UpdateParticipantResponse {
                receipt: Some(convert::receipt(&receipt)),
            });
        call.finish_grpc(outcome).await
    }

    async fn get_participant(
        &self,
        request: Request<pb::GetParticipantRequest>,
    ) -> Result<Response<pb::GetParticipantResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.RegistryService/GetParticipant",
            request,
        );
        let id = convert::taxpayer("id", &message.id);
        let outcome =
            registry::participant(&mut call, id).map(|participant| pb::GetParticipantResponse {
                participant: Some(convert::participant_to(&participant)),
            });
        call.finish_grpc(outcome).await
    }

    async fn define_category(
        &self,
        request: Request<pb::DefineCategoryRequest>,
    ) -> Result<Response<pb::DefineCategoryResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.RegistryService/DefineCategory",
            request,
        );
        let category = convert::category_from(message.category);
        let outcome = registry::define_category(&mut call, category)
            .await
            .map(|receipt| pb::DefineCategoryResponse {
                receipt: Some(convert::receipt(&receipt)),
            });
        call.finish_grpc(outcome).await
    }

    async fn register_product(
        &self,
        request: Request<pb::RegisterProductRequest>,
    ) -> Result<Response<pb::RegisterProductResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.RegistryService/RegisterProduct",
            request,
        );
        let product = convert::product_from(message.product);
        let outcome = registry::register_product(&mut call, product)
            .await
            .map(|receipt| pb::RegisterProductResponse {
                receipt: Some(convert::receipt(&receipt)),
            });
        call.finish_grpc(outcome).await
    }

    async fn update_product(
        &self,
        request: Request<pb::UpdateProductRequest>,
    ) -> Result<Response<pb::UpdateProductResponse>, Status> {
        let (mut call, message) =
            begin(&self.app, "tanba.v1.RegistryService/UpdateProduct", request);
        let product = convert::product_from(message.product);
        let outcome = registry::update_product(&mut call, product)
            .await
            .map(|receipt| pb::UpdateProductResponse {
                receipt: Some(convert::receipt(&receipt)),
            });
        call.finish_grpc(outcome).await
    }

    async fn get_product(
        &self,
        request: Request<pb::GetProductRequest>,
    ) -> Result<Response<pb::GetProductResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.RegistryService/GetProduct", request);
        let gtin = convert::gtin("gtin", &message.gtin);
        let outcome = registry::product(&mut call, gtin).map(|product| pb::GetProductResponse {
            product: Some(convert::product_to(&product)),
        });
        call.finish_grpc(outcome).await
    }

    async fn assign_fiscal_operator(
        &self,
        request: Request<pb::AssignFiscalOperatorRequest>,
    ) -> Result<Response<pb::AssignFiscalOperatorResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.RegistryService/AssignFiscalOperator",
            request,
        );
        let agency = convert::fiscal_agency_from(message.agency);
        let outcome = registry::assign_fiscal_operator(&mut call, agency)
            .await
            .map(|receipt| pb::AssignFiscalOperatorResponse {
                receipt: Some(convert::receipt(&receipt)),
            });
        call.finish_grpc(outcome).await
    }

    async fn list_fiscal_agencies(
        &self,
        request: Request<pb::ListFiscalAgenciesRequest>,
    ) -> Result<Response<pb::ListFiscalAgenciesResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.RegistryService/ListFiscalAgencies",
            request,
        );
        let operator = convert::taxpayer("operator", &message.operator);
        let outcome = registry::fiscal_agencies(&mut call, operator).map(|agencies| {
            pb::ListFiscalAgenciesResponse {
                agencies: agencies.iter().map(convert::fiscal_agency_to).collect(),
            }
        });
        call.finish_grpc(outcome).await
    }
}
