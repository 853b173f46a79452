//! `DataExportService` (`proto/tanba/v1/exports.proto`): data exports over gRPC, a shell over
//! [`crate::service::exports`].

use tanba_proto::v1 as pb;
use tanba_types::{DataExportKind, Language};
use tokio_stream::StreamExt;
use tonic::{Request, Response, Status};

use super::{Services, begin, convert};
use crate::error::ApiError;
use crate::exports::JobState;
use crate::service::exports::{self, JobView};

type ChunkStream =
    std::pin::Pin<Box<dyn tokio_stream::Stream<Item = Result<pb::DataExportChunk, Status>> + Send>>;

#[tonic::async_trait]
impl pb::data_export_service_server::DataExportService for Services {
    async fn request_data_export(
        &self,
        request: Request<pb::RequestDataExportRequest>,
    ) -> Result<Response<pb::DataExportJob>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.DataExportService/RequestDataExport",
            request,
        );
        let outcome = async {
            let kind = DataExportKind::from_name(&message.kind)
                .ok_or_else(|| ApiError::invalid("kind"))?;
            let from = convert::optional_date("from", &message.from)?
                .ok_or_else(|| ApiError::invalid("from"))?;
            let to = convert::optional_date("to", &message.to)?;
            exports::request(&mut call, message.key, kind, from, to).await
        }
        .await
        .map(|view| job_to(&view));
        call.finish_grpc(outcome).await
    }

    async fn get_data_export(
        &self,
        request: Request<pb::GetDataExportRequest>,
    ) -> Result<Response<pb::DataExportJob>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.DataExportService/GetDataExport",
            request,
        );
        let outcome = exports::job(&mut call, message.job).map(|view| job_to(&view));
        call.finish_grpc(outcome).await
    }

    async fn delete_data_export(
        &self,
        request: Request<pb::GetDataExportRequest>,
    ) -> Result<Response<pb::DataExportJob>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.DataExportService/DeleteDataExport",
            request,
        );
        let outcome = exports::delete(&mut call, message.job).map(|view| job_to(&view));
        call.finish_grpc(outcome).await
    }

    type DownloadDataExportFileStream = ChunkStream;

    async fn download_data_export_file(
        &self,
        request: Request<pb::DownloadDataExportFileRequest>,
    ) -> Result<Response<ChunkStream>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.DataExportService/DownloadDataExportFile",
            request,
        );
        let outcome = exports::file(&mut call, message.job, &message.path).map(|download| {
            let chunks = StreamExt::map(exports::file_chunks(download), |chunk| match chunk {
                Ok(chunk) => Ok(pb::DataExportChunk { chunk }),
                Err(error) => Err(error.to_status(Language::En)),
            });
            Box::pin(chunks) as ChunkStream
        });
        call.finish_grpc(outcome).await
    }
}

/// A job for the wire.
fn job_to(view: &JobView) -> pb::DataExportJob {
    let job = &view.job;
    let mut out = pb::DataExportJob {
        job: job.id,
        key: job.key.clone(),
        kind: job.kind.name().to_owned(),
        from: job.from.to_string(),
        to: job.to.to_string(),
        requester: job.requester.to_string(),
        requested_ms: job.requested_ms,
        ..pb::DataExportJob::default()
    };
    out.state = match &view.state {
        JobState::Queued => "queued",
        JobState::Running => "running",
        JobState::Deleted => "deleted",
        JobState::Failed { code, message } => {
            out.error_code = code.clone();
            out.error_message = message.clone();
            "failed"
        }
        JobState::Done(manifest) => {
            out.rows = manifest.rows();
            out.files = (manifest.files.iter())
                .map(|file| pb::DataExportFile {
                    path: file.path.clone(),
                    day: file.day.to_string(),
                    rows: file.rows,
                    bytes: file.bytes,
                    blake3: file.blake3.clone(),
                })
                .collect();
            "done"
        }
    }
    .to_owned();
    out
}
