//! `EmissionService` (`proto/tanba/v1/emission.proto`): emission orders and the streamed
//! download of their codes, over [`crate::service::emission`].

use tanba_proto::v1 as pb;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::{STREAM_BUFFER_MESSAGES, STREAM_SEND_TIMEOUT, Services, begin, convert};
use crate::error::ApiError;
use crate::service::emission;

/// Codes per message of a download.
pub const DOWNLOAD_CHUNK_CODES: usize = 10_000;

#[tonic::async_trait]
impl pb::emission_service_server::EmissionService for Services {
    async fn order_codes(
        &self,
        request: Request<pb::OrderCodesRequest>,
    ) -> Result<Response<pb::OrderCodesResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.EmissionService/OrderCodes", request);
        let gtin = convert::gtin("gtin", &message.gtin);
        let outcome = emission::order_codes(&mut call, gtin, message.quantity)
            .await
            .map(|created| {
                let (order, receipt) = convert::created(&created);
                pb::OrderCodesResponse { order, receipt }
            });
        call.finish_grpc(outcome).await
    }

    async fn get_order(
        &self,
        request: Request<pb::GetOrderRequest>,
    ) -> Result<Response<pb::GetOrderResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.EmissionService/GetOrder", request);
        let outcome = emission::order(&mut call, message.order).map(|order| pb::GetOrderResponse {
            order: Some(convert::order_to(&order)),
        });
        call.finish_grpc(outcome).await
    }

    async fn list_orders(
        &self,
        request: Request<pb::ListOrdersRequest>,
    ) -> Result<Response<pb::ListOrdersResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.EmissionService/ListOrders", request);
        let outcome = emission::orders(&mut call, convert::page(message.page)).map(|orders| {
            pb::ListOrdersResponse {
                orders: orders.iter().map(convert::order_to).collect(),
            }
        });
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
        let outcome = emission::order_to_print(&mut call, message.order).map(|order| {
            let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_BUFFER_MESSAGES);
            let app = self.app.clone();
            let (id, mut from) = (order.id, message.from_index);
            // Pages are read off the async workers; a reader that stops reading is dropped after
            // STREAM_SEND_TIMEOUT instead of holding a thread.
            tokio::spawn(async move {
                while from < order.issued {
                    let reader = app.clone();
                    let page = tokio::task::spawn_blocking(move || {
                        emission::codes_to_print(&reader, id, from, DOWNLOAD_CHUNK_CODES)
                    })
                    .await;
                    let message = match page {
                        Ok(Ok(codes)) => Ok(convert::printable_to(&codes)),
                        Ok(Err(error)) => Err(error.to_status(language)),
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
            ReceiverStream::new(receiver)
        });
        call.finish_grpc(outcome).await
    }
}
