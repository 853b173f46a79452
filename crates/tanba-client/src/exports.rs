//! Data exports for analytical systems (`DataExportService`, R-IS-15): ask for a job, wait for
//! its files, download them with their hashes checked.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tanba_proto::v1 as pb;
use tanba_types::{DataExportKind, Date};

use crate::{ClientError, Connection};

/// How often [`Connection::wait_for_data_export`] asks.
const WAIT_POLL_INTERVAL: Duration = Duration::from_millis(200);

impl Connection {
    /// Asks for a job (the same key again answers the job it made).
    pub async fn request_data_export(
        &self,
        key: &str,
        kind: DataExportKind,
        from: Date,
        to: Date,
    ) -> Result<pb::DataExportJob, ClientError> {
        let request = pb::RequestDataExportRequest {
            key: key.to_owned(),
            kind: kind.name().to_owned(),
            from: from.to_string(),
            to: to.to_string(),
        };
        Ok(self
            .data_exports()
            .request_data_export(request)
            .await?
            .into_inner())
    }

    /// Where a job stands.
    pub async fn get_data_export(&self, job: u64) -> Result<pb::DataExportJob, ClientError> {
        let request = pb::GetDataExportRequest { job };
        Ok(self
            .data_exports()
            .get_data_export(request)
            .await?
            .into_inner())
    }

    /// Deletes a written job's files.
    pub async fn delete_data_export(&self, job: u64) -> Result<pb::DataExportJob, ClientError> {
        let request = pb::GetDataExportRequest { job };
        Ok(self
            .data_exports()
            .delete_data_export(request)
            .await?
            .into_inner())
    }

    /// Waits until a job is written, failed or deleted (or `timeout` passes).
    pub async fn wait_for_data_export(
        &self,
        job: u64,
        timeout: Duration,
    ) -> Result<pb::DataExportJob, ClientError> {
        let started = Instant::now();
        loop {
            let state = self.get_data_export(job).await?;
            if !matches!(state.state.as_str(), "queued" | "running") {
                return Ok(state);
            }
            if started.elapsed() >= timeout {
                return Err(ClientError::Failed(format!(
                    "data export job {job} is still {} after {timeout:?}",
                    state.state
                )));
            }
            tokio::time::sleep(WAIT_POLL_INTERVAL).await;
        }
    }

    /// Downloads every file of a written job under `directory` (with the job's paths), each
    /// checked against its BLAKE3 hash; the paths written.
    pub async fn download_data_export(
        &self,
        job: &pb::DataExportJob,
        directory: &Path,
    ) -> Result<Vec<PathBuf>, ClientError> {
        let failed = |error: std::io::Error| ClientError::Failed(error.to_string());
        let mut written = Vec::new();
        for file in &job.files {
            // The server names the paths; still, never write outside the directory.
            let safe = !file.path.contains('\\')
                && (file.path.split('/'))
                    .all(|part| !part.is_empty() && part != ".." && part != ".");
            if !safe {
                return Err(ClientError::Failed(format!("unsafe path {}", file.path)));
            }
            let request = pb::DownloadDataExportFileRequest {
                job: job.job,
                path: file.path.clone(),
            };
            let mut stream = self
                .data_exports()
                .download_data_export_file(request)
                .await?
                .into_inner();
            // Written as it arrives (a day's file may be large) and hashed on the way.
            let path = directory.join(&file.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(failed)?;
            }
            let mut out = std::fs::File::create(&path).map_err(failed)?;
            let mut hasher = blake3::Hasher::new();
            let mut received = 0u64;
            while let Some(message) = stream.message().await? {
                received += message.chunk.len() as u64;
                if received > file.bytes {
                    break;
                }
                hasher.update(&message.chunk);
                std::io::Write::write_all(&mut out, &message.chunk).map_err(failed)?;
            }
            if received != file.bytes || hasher.finalize().to_hex().as_str() != file.blake3 {
                drop(out);
                let _ = std::fs::remove_file(&path);
                return Err(ClientError::Failed(format!(
                    "{} does not match its hash",
                    file.path
                )));
            }
            written.push(path);
        }
        Ok(written)
    }
}
