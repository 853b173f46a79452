//! `EmissionService` (`proto/tanba/v1/emission.proto`): emission orders and the streamed
//! download of their codes, over [`crate::service::emission`].

use tanba_proto::v1 as pb;
use tonic::{Request, Response, Status};

use super::{Services, begin, convert};
use crate::service::emission;

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

    type DownloadCodesStream = std::pin::Pin<
        Box<dyn tokio_stream::Stream<Item = Result<pb::DownloadCodesResponse, Status>> + Send>,
    >;

    async fn download_codes(
        &self,
        request: Request<pb::DownloadCodesRequest>,
    ) -> Result<Response<Self::DownloadCodesStream>, Status> {
        let (mut call, message) =
            begin(&self.app, "tanba.v1.EmissionService/DownloadCodes", request);
        let language = call.language;
        let outcome = emission::order_to_print(&mut call, message.order).map(|order| {
            let pages = emission::printable_pages(self.app.clone(), &order, message.from_index);
            let messages = tokio_stream::StreamExt::map(pages, move |page| {
                page.map(|codes| convert::printable_to(&codes))
                    .map_err(|error| error.to_status(language))
            });
            Box::pin(messages) as Self::DownloadCodesStream
        });
        call.finish_grpc(outcome).await
    }
}
