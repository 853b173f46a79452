//! `CasesService` and `RecallService` (`proto/tanba/v1/cases.proto`): cases of any registered
//! procedure and a recall's holders over gRPC, over [`crate::service::cases`]. The inbox watch
//! and the attachments keep their streaming here; who may open them is the service's.

use tanba_proto::v1 as pb;
use tanba_types::Language;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use super::{Services, begin, convert};
use crate::app::StreamSlot;
use crate::error::ApiError;
use crate::service::cases;

/// Bytes of one attachment message, either way.
pub const ATTACHMENT_MESSAGE_BYTES_MAX: usize = 1 << 20;
/// How often a watched inbox is read for new notices.
pub const INBOX_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

#[tonic::async_trait]
impl pb::cases_service_server::CasesService for Services {
    async fn open_case(
        &self,
        request: Request<pb::OpenCaseRequest>,
    ) -> Result<Response<pb::OpenCaseResponse>, Status> {
        let (mut call, mut message) = begin(&self.app, "tanba.v1.CasesService/OpenCase", request);
        let kind = std::mem::take(&mut message.kind);
        let opening = convert::opening_from(message);
        let outcome = cases::open_case(&mut call, kind, opening)
            .await
            .map(|created| {
                let (case_id, receipt) = convert::created(&created);
                pb::OpenCaseResponse { case_id, receipt }
            });
        call.finish_grpc(outcome).await
    }

    async fn step_case(
        &self,
        request: Request<pb::StepCaseRequest>,
    ) -> Result<Response<pb::StepCaseResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/StepCase", request);
        let case = message.case_id;
        let step = convert::step_from(message);
        let outcome = cases::step_case(&mut call, case, step)
            .await
            .map(|receipt| pb::StepCaseResponse {
                receipt: Some(convert::receipt(&receipt)),
            });
        call.finish_grpc(outcome).await
    }

    async fn get_case(
        &self,
        request: Request<pb::GetCaseRequest>,
    ) -> Result<Response<pb::GetCaseResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/GetCase", request);
        let outcome = cases::case(&mut call, message.case_id).map(|record| pb::GetCaseResponse {
            case: Some(convert::case_to(&record)),
        });
        call.finish_grpc(outcome).await
    }

    async fn list_cases(
        &self,
        request: Request<pb::ListCasesRequest>,
    ) -> Result<Response<pb::ListCasesResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/ListCases", request);
        let listing = convert::listing_from(message.listing());
        let outcome = cases::cases(&mut call, listing, convert::page(message.page)).map(|found| {
            pb::ListCasesResponse {
                cases: found.iter().map(convert::case_to).collect(),
            }
        });
        call.finish_grpc(outcome).await
    }

    async fn case_history(
        &self,
        request: Request<pb::CaseHistoryRequest>,
    ) -> Result<Response<pb::CaseHistoryResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/CaseHistory", request);
        let page = convert::page(message.page);
        let outcome = cases::case_history(&mut call, message.case_id, page).map(|records| {
            pb::CaseHistoryResponse {
                events: records.iter().map(convert::case_event_to).collect(),
            }
        });
        call.finish_grpc(outcome).await
    }

    async fn inbox(
        &self,
        request: Request<pb::InboxRequest>,
    ) -> Result<Response<pb::InboxResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/Inbox", request);
        let language = call.language;
        let outcome =
            cases::inbox(&mut call, convert::page(message.page)).map(|notices| pb::InboxResponse {
                notices: notices
                    .iter()
                    .map(|notice| convert::notice_to(notice, language))
                    .collect(),
            });
        call.finish_grpc(outcome).await
    }

    type WatchInboxStream = ReceiverStream<Result<pb::CaseNotice, Status>>;

    async fn watch_inbox(
        &self,
        request: Request<pb::WatchInboxRequest>,
    ) -> Result<Response<Self::WatchInboxStream>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/WatchInbox", request);
        let language = call.language;
        let outcome = cases::watch_inbox(&mut call)
            .map(|slot| self.watch_inbox(slot, message.after, language));
        call.finish_grpc(outcome).await
    }

    async fn read_notice(
        &self,
        request: Request<pb::ReadNoticeRequest>,
    ) -> Result<Response<pb::ReadNoticeResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CasesService/ReadNotice", request);
        let outcome = cases::read_notice(&mut call, message.notice_id)
            .await
            .map(|receipt| pb::ReadNoticeResponse {
                receipt: Some(convert::receipt(&receipt)),
            });
        call.finish_grpc(outcome).await
    }

    async fn upload_attachment(
        &self,
        request: Request<Streaming<pb::UploadAttachmentRequest>>,
    ) -> Result<Response<pb::UploadAttachmentResponse>, Status> {
        let (mut call, mut stream) =
            begin(&self.app, "tanba.v1.CasesService/UploadAttachment", request);
        let outcome = async {
            let mut upload = cases::upload(&mut call)?;
            while let Some(message) = stream.next().await {
                let message = message.map_err(|_| ApiError::malformed())?;
                if message.chunk.len() > ATTACHMENT_MESSAGE_BYTES_MAX {
                    return Err(ApiError::too_many(
                        "bytes of one attachment message",
                        ATTACHMENT_MESSAGE_BYTES_MAX,
                    ));
                }
                upload.write(&message.chunk)?;
            }
            let (hash, size_bytes) = upload.finish(&mut call).await?;
            Ok(pb::UploadAttachmentResponse {
                hash: hash.to_vec(),
                size_bytes,
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    type DownloadAttachmentStream = std::pin::Pin<
        Box<dyn tokio_stream::Stream<Item = Result<pb::AttachmentChunk, Status>> + Send>,
    >;

    async fn download_attachment(
        &self,
        request: Request<pb::DownloadAttachmentRequest>,
    ) -> Result<Response<Self::DownloadAttachmentStream>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.CasesService/DownloadAttachment",
            request,
        );
        let outcome = cases::attachment(&mut call, message.case_id, &message.hash)
            .map(|download| Box::pin(self.stream_blob(download)) as Self::DownloadAttachmentStream);
        call.finish_grpc(outcome).await
    }

    async fn publish_calendar(
        &self,
        request: Request<pb::PublishCalendarRequest>,
    ) -> Result<Response<pb::PublishCalendarResponse>, Status> {
        let (mut call, message) =
            begin(&self.app, "tanba.v1.CasesService/PublishCalendar", request);
        let outcome = cases::publish_calendar(&mut call, message.toml)
            .await
            .map(|receipt| pb::PublishCalendarResponse {
                receipt: Some(convert::receipt(&receipt)),
            });
        call.finish_grpc(outcome).await
    }
}

impl Services {
    /// Sends a participant's notices after `after`, then each new one, until the caller goes
    /// away ([`super::watch`]).
    fn watch_inbox(
        &self,
        watch: StreamSlot,
        after: u64,
        language: Language,
    ) -> ReceiverStream<Result<pb::CaseNotice, Status>> {
        let who = watch.participant();
        super::watch(
            &self.app,
            watch,
            after,
            INBOX_POLL_INTERVAL,
            move |app, after| {
                let notices = cases::inbox_after(app, &who, after)?;
                Ok(notices
                    .into_iter()
                    .map(|notice| (notice.id, convert::notice_to(&notice, language)))
                    .collect())
            },
        )
    }

    /// Streams a stored blob chunk by chunk (`cases::attachment_chunks`).
    fn stream_blob(
        &self,
        download: cases::Download,
    ) -> impl tokio_stream::Stream<Item = Result<pb::AttachmentChunk, Status>> + use<> {
        let chunks = cases::attachment_chunks(&self.app, download);
        StreamExt::map(chunks, |chunk| match chunk {
            Ok(chunk) => Ok(pb::AttachmentChunk { chunk }),
            Err(error) => Err(error.to_status(Language::En)),
        })
    }
}

#[tonic::async_trait]
impl pb::recall_service_server::RecallService for Services {
    async fn holders(
        &self,
        request: Request<pb::HoldersRequest>,
    ) -> Result<Response<pb::HoldersResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.RecallService/Holders", request);
        let after = convert::optional_taxpayer("after", &message.after);
        let outcome = cases::holders(&mut call, message.case_id, after, message.limit)
            .await
            .map(|holders| convert::holders_to(&holders));
        call.finish_grpc(outcome).await
    }

    async fn holder_units(
        &self,
        request: Request<pb::HolderUnitsRequest>,
    ) -> Result<Response<pb::HolderUnitsResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.RecallService/HolderUnits", request);
        let holder = convert::optional_taxpayer("holder", &message.holder);
        let after = convert::optional_text(&message.after);
        let outcome = cases::holder_units(
            &mut call,
            message.case_id,
            holder,
            after.as_deref(),
            message.limit,
        )
        .map(|units| pb::HolderUnitsResponse {
            units: units.iter().map(convert::recalled_unit_to).collect(),
        });
        call.finish_grpc(outcome).await
    }
}
