//! `DocumentsService` (`proto/tanba/v1/documents.proto`): accompanying documents over gRPC, a
//! shell over [`crate::service::documents`].

use tanba_proto::v1 as pb;
use tonic::{Request, Response, Status};

use super::{Services, begin, convert};
use crate::service::documents;

#[tonic::async_trait]
impl pb::documents_service_server::DocumentsService for Services {
    async fn ship(
        &self,
        request: Request<pb::ShipRequest>,
    ) -> Result<Response<pb::ShipResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.DocumentsService/Ship", request);
        let outcome = async {
            let buyer = convert::taxpayer("buyer", &message.buyer)?;
            documents::ship(&mut call, buyer, &message.items, message.signature).await
        }
        .await
        .map(|created| {
            let (document, receipt) = convert::created(&created);
            pb::ShipResponse { document, receipt }
        });
        call.finish_grpc(outcome).await
    }

    async fn accept(
        &self,
        request: Request<pb::AcceptRequest>,
    ) -> Result<Response<pb::AcceptResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.DocumentsService/Accept", request);
        let outcome = documents::accept(
            &mut call,
            message.document,
            &message.items,
            message.signature,
        )
        .await
        .map(|receipt| pb::AcceptResponse {
            receipt: Some(convert::receipt(&receipt)),
        });
        call.finish_grpc(outcome).await
    }

    async fn reject(
        &self,
        request: Request<pb::RejectRequest>,
    ) -> Result<Response<pb::RejectResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.DocumentsService/Reject", request);
        let outcome = documents::reject(&mut call, message.document, message.signature)
            .await
            .map(|receipt| pb::RejectResponse {
                receipt: Some(convert::receipt(&receipt)),
            });
        call.finish_grpc(outcome).await
    }

    async fn cancel(
        &self,
        request: Request<pb::CancelRequest>,
    ) -> Result<Response<pb::CancelResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.DocumentsService/Cancel", request);
        let outcome = documents::cancel(&mut call, message.document, message.signature)
            .await
            .map(|receipt| pb::CancelResponse {
                receipt: Some(convert::receipt(&receipt)),
            });
        call.finish_grpc(outcome).await
    }

    async fn get_document(
        &self,
        request: Request<pb::GetDocumentRequest>,
    ) -> Result<Response<pb::GetDocumentResponse>, Status> {
        let (mut call, message) =
            begin(&self.app, "tanba.v1.DocumentsService/GetDocument", request);
        let outcome = documents::document(&mut call, message.document).map(|document| {
            pb::GetDocumentResponse {
                document: Some(convert::document_to(&document)),
            }
        });
        call.finish_grpc(outcome).await
    }

    async fn list_documents(
        &self,
        request: Request<pb::ListDocumentsRequest>,
    ) -> Result<Response<pb::ListDocumentsResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.DocumentsService/ListDocuments",
            request,
        );
        let outcome = documents::documents(&mut call, convert::page(message.page)).map(|found| {
            pb::ListDocumentsResponse {
                documents: found.iter().map(convert::document_to).collect(),
            }
        });
        call.finish_grpc(outcome).await
    }
}
