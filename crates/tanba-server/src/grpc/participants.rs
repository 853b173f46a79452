//! Sign-in, the registry, and emission orders with their streamed code download.

use tanba_engine::query;
use tanba_proto::v1 as pb;
use tanba_types::limits::PAGE_ENTRIES_MAX;
use tanba_types::{Command, Role, printable};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::convert::{self, taxpayer};
use super::{STREAM_SEND_TIMEOUT, Services, begin, may_read, run};
use crate::error::ApiError;

/// Codes per message of a download.
pub const DOWNLOAD_CHUNK_CODES: usize = 10_000;
/// Messages of a download buffered ahead of a slow reader.
pub const STREAM_BUFFER_MESSAGES: usize = 4;

#[tonic::async_trait]
impl pb::auth_service_server::AuthService for Services {
    async fn get_challenge(
        &self,
        request: Request<pb::GetChallengeRequest>,
    ) -> Result<Response<pb::GetChallengeResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.AuthService/GetChallenge", request);
        let outcome = async {
            call.anonymous()?;
            let participant = taxpayer("participant", &message.participant)?;
            call.note_reference(participant);
            let (challenge, expires_ms) = self.app.challenge(&participant)?;
            Ok(pb::GetChallengeResponse {
                challenge,
                expires_ms,
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn sign_in(
        &self,
        request: Request<pb::SignInRequest>,
    ) -> Result<Response<pb::SignInResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.AuthService/SignIn", request);
        let outcome = async {
            call.anonymous()?;
            let participant = taxpayer("participant", &message.participant)?;
            call.note_reference(participant);
            let (token, expires_ms) =
                self.app
                    .sign_in(&participant, &message.challenge, &message.signature)?;
            Ok(pb::SignInResponse { token, expires_ms })
        }
        .await;
        call.finish_grpc(outcome).await
    }
}

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
        let outcome = async {
            let who = call.participant()?;
            let participant = convert::participant_from(message.participant)?;
            call.note_reference(participant.id);
            let receipt = run(&mut call, &who, Command::RegisterParticipant(participant)).await?;
            Ok(pb::RegisterParticipantResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
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
        let outcome = async {
            let who = call.participant()?;
            let participant = convert::participant_from(message.participant)?;
            call.note_reference(participant.id);
            let receipt = run(&mut call, &who, Command::UpdateParticipant(participant)).await?;
            Ok(pb::UpdateParticipantResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
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
        let outcome = async {
            let who = call.participant()?;
            let id = taxpayer("id", &message.id)?;
            call.note_reference(id);
            if !may_read(&who, &id) {
                return Err(ApiError::forbidden(
                    "self | authority | ministry | operator",
                ));
            }
            let participant = query::participant(self.app.engine.snapshot().as_ref(), &id)?
                .ok_or_else(|| ApiError::not_found(id.to_string()))?;
            Ok(pb::GetParticipantResponse {
                participant: Some(convert::participant_to(&participant)),
            })
        }
        .await;
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
        let outcome = async {
            let who = call.participant()?;
            let category = convert::category_from(message.category)?;
            call.note_reference(&category.code);
            let receipt = run(&mut call, &who, Command::DefineCategory(category)).await?;
            Ok(pb::DefineCategoryResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
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
        let outcome = async {
            let who = call.participant()?;
            let product = convert::product_from(message.product)?;
            call.note_reference(product.gtin);
            let receipt = run(&mut call, &who, Command::RegisterProduct(product)).await?;
            Ok(pb::RegisterProductResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn update_product(
        &self,
        request: Request<pb::UpdateProductRequest>,
    ) -> Result<Response<pb::UpdateProductResponse>, Status> {
        let (mut call, message) =
            begin(&self.app, "tanba.v1.RegistryService/UpdateProduct", request);
        let outcome = async {
            let who = call.participant()?;
            let product = convert::product_from(message.product)?;
            call.note_reference(product.gtin);
            let receipt = run(&mut call, &who, Command::UpdateProduct(product)).await?;
            Ok(pb::UpdateProductResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn get_product(
        &self,
        request: Request<pb::GetProductRequest>,
    ) -> Result<Response<pb::GetProductResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.RegistryService/GetProduct", request);
        let outcome = async {
            // Product cards are what every participant trades in: any signed-in one reads them.
            call.participant()?;
            let gtin = convert::gtin("gtin", &message.gtin)?;
            call.note_reference(gtin);
            let product = query::product(self.app.engine.snapshot().as_ref(), &gtin)?
                .ok_or_else(|| ApiError::not_found(gtin.to_string()))?;
            Ok(pb::GetProductResponse {
                product: Some(convert::product_to(&product)),
            })
        }
        .await;
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
        let outcome = async {
            let who = call.participant()?;
            let agency = convert::fiscal_agency_from(message.agency)?;
            call.note_reference(agency.operator);
            call.note_reference(agency.seller);
            let command = Command::AssignFiscalOperator(agency);
            let receipt = run(&mut call, &who, command).await?;
            Ok(pb::AssignFiscalOperatorResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
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
        let outcome = async {
            let who = call.participant()?;
            let operator = taxpayer("operator", &message.operator)?;
            call.note_reference(operator);
            if !may_read(&who, &operator) {
                return Err(ApiError::forbidden(
                    "self | authority | ministry | operator",
                ));
            }
            let snapshot = self.app.engine.snapshot();
            let agencies = query::fiscal_agencies(snapshot.as_ref(), &operator, PAGE_ENTRIES_MAX)?;
            Ok(pb::ListFiscalAgenciesResponse {
                agencies: agencies.iter().map(convert::fiscal_agency_to).collect(),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }
}

#[tonic::async_trait]
impl pb::emission_service_server::EmissionService for Services {
    async fn order_codes(
        &self,
        request: Request<pb::OrderCodesRequest>,
    ) -> Result<Response<pb::OrderCodesResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.EmissionService/OrderCodes", request);
        let outcome = async {
            let who = call.participant_with(&[Role::Producer, Role::Importer])?;
            let gtin = convert::gtin("gtin", &message.gtin)?;
            call.note_reference(gtin);
            let command = Command::OrderCodes {
                gtin,
                quantity: message.quantity,
            };
            let receipt = run(&mut call, &who, command).await?;
            let order = receipt.created.unwrap_or(receipt.first_sequence);
            call.note_reference(order);
            Ok(pb::OrderCodesResponse {
                order,
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn get_order(
        &self,
        request: Request<pb::GetOrderRequest>,
    ) -> Result<Response<pb::GetOrderResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.EmissionService/GetOrder", request);
        let outcome = async {
            let who = call.participant()?;
            call.note_reference(message.order);
            let order = query::order(self.app.engine.snapshot().as_ref(), message.order)?
                .ok_or_else(|| ApiError::not_found(message.order.to_string()))?;
            if !may_read(&who, &order.orderer) {
                return Err(ApiError::forbidden("the orderer"));
            }
            Ok(pb::GetOrderResponse {
                order: Some(convert::order_to(&order)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn list_orders(
        &self,
        request: Request<pb::ListOrdersRequest>,
    ) -> Result<Response<pb::ListOrdersResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.EmissionService/ListOrders", request);
        let outcome = async {
            let who = call.participant()?;
            let (after, limit) = convert::page(message.page, PAGE_ENTRIES_MAX);
            let orders = query::orders(self.app.engine.snapshot().as_ref(), &who.id, after, limit)?;
            Ok(pb::ListOrdersResponse {
                orders: orders.iter().map(convert::order_to).collect(),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    type DownloadCodesStream = ReceiverStream<Result<pb::DownloadCodesResponse, Status>>;

    async fn download_codes(
        &self,
        request: Request<pb::DownloadCodesRequest>,
    ) -> Result<Response<Self::DownloadCodesStream>, Status> {
        let (mut call, message) =
            begin(&self.app, "tanba.v1.EmissionService/DownloadCodes", request);
        let language = call.language;
        let outcome = async {
            let who = call.participant()?;
            call.note_reference(message.order);
            let order = query::order(self.app.engine.snapshot().as_ref(), message.order)?
                .ok_or_else(|| ApiError::not_found(message.order.to_string()))?;
            // Codes to print are the orderer's alone: a tail shown to anyone else could be copied.
            if who.id != order.orderer {
                return Err(ApiError::forbidden("the orderer"));
            }
            let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_BUFFER_MESSAGES);
            let app = self.app.clone();
            let (id, mut from) = (message.order, message.from_index);
            // Pages are read off the async workers; a reader that stops reading is dropped after
            // STREAM_SEND_TIMEOUT instead of holding a thread.
            tokio::spawn(async move {
                while from < order.issued {
                    let reader = app.clone();
                    let page = tokio::task::spawn_blocking(move || {
                        query::order_codes(
                            reader.engine.snapshot().as_ref(),
                            id,
                            from,
                            DOWNLOAD_CHUNK_CODES,
                        )
                    })
                    .await;
                    let message = match page {
                        Ok(Ok(codes)) => Ok(pb::DownloadCodesResponse {
                            codes: codes
                                .iter()
                                .enumerate()
                                .map(|(offset, (key, tail))| pb::IssuedCode {
                                    index: from + offset as u32,
                                    raw: printable(key, tail),
                                })
                                .collect(),
                        }),
                        Ok(Err(error)) => Err(ApiError::from(error).to_status(language)),
                        Err(_) => Err(ApiError::internal().to_status(language)),
                    };
                    let (sent, last) = match &message {
                        Ok(page) if !page.codes.is_empty() => (page.codes.len() as u32, false),
                        _ => (0, true),
                    };
                    let delivered =
                        tokio::time::timeout(STREAM_SEND_TIMEOUT, sender.send(message)).await;
                    if !matches!(delivered, Ok(Ok(()))) || last {
                        return;
                    }
                    from += sent;
                }
            });
            Ok(ReceiverStream::new(receiver))
        }
        .await;
        call.finish_grpc(outcome).await
    }
}
