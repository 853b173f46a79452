//! Data exports for analytical systems (R-IS-15): a ministry or the operator asks for a job (a
//! command: the engine decides the rules, and a key used before answers the job it made), and
//! the job's requester or the operator reads where it stands and downloads its files, which
//! the worker ([`crate::exports`]) writes.

use std::path::PathBuf;

use tanba_engine::EngineError;
use tanba_engine::data_export::{self, DataExportJob, EXPORTING_ROLES, exporters};
use tanba_types::{Actor, Command, DataExportKind, Date, Role};

use crate::app::{Call, StreamSlot};
use crate::error::ApiError;
use crate::exports::JobState;

/// Bytes per chunk of a file download.
pub const EXPORT_CHUNK_BYTES: usize = 1 << 20;
/// Chunks read ahead of a slow downloader at most.
const CHUNKS_AHEAD: usize = 4;
/// A downloader that takes no chunk for this long is dropped.
const CHUNK_SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A job and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobView {
    /// The job.
    pub job: DataExportJob,
    /// Where it stands.
    pub state: JobState,
}

/// Asks for a job: a new one, or, for a key the caller used before, the one it made.
pub async fn request(
    call: &mut Call<'_>,
    key: String,
    kind: DataExportKind,
    from: Date,
    to: Option<Date>,
) -> Result<JobView, ApiError> {
    let who = call.participant_with(EXPORTING_ROLES)?;
    call.note_reference(format!("export {key}"));
    let to = to.unwrap_or(from);
    let command = Command::RequestDataExport {
        key,
        kind,
        from,
        to,
    };
    // No document signature to check: the command goes to the engine as it is.
    let (id, made_before) = match call.submit(Actor::Participant(who.id), command).await {
        Ok(receipt) => (receipt.first_sequence, false),
        Err(EngineError::DataExportKeyUsed(job)) => (job, true),
        Err(error) => return Err(error.into()),
    };
    call.app().exports.wake();
    let view = job(call, id)?;
    // The key's job answers the same ask again; a different ask with it is a mistake to say.
    let same = (view.job.kind, view.job.from, view.job.to) == (kind, from, to);
    if made_before && !same {
        return Err(EngineError::DataExportKeyUsed(id).into());
    }
    Ok(view)
}

/// A job the caller may read: its requester's, or any for the operator.
pub fn job(call: &mut Call<'_>, id: u64) -> Result<JobView, ApiError> {
    let who = call.participant()?;
    call.note_reference(format!("export job {id}"));
    let app = call.app();
    let job = data_export::job(app.engine.snapshot().as_ref(), id)?
        .ok_or_else(|| ApiError::not_found("data export job"))?;
    // Its requester while it still holds a role that may export the kind, or the operator.
    let requester =
        job.requester == who.id && exporters(job.kind).iter().any(|role| who.has_role(*role));
    if !requester && !who.has_role(Role::Operator) {
        return Err(ApiError::forbidden("the job's requester | operator"));
    }
    let state = app.exports.state(id).map_err(export_error)?;
    Ok(JobView { job, state })
}

/// Deletes a job's files, or a queued job before it is written (a job being written is
/// refused until it is done).
pub fn delete(call: &mut Call<'_>, id: u64) -> Result<JobView, ApiError> {
    let view = job(call, id)?;
    match view.state {
        JobState::Done(_) | JobState::Failed { .. } | JobState::Queued => {
            if !call.app().exports.delete(id).map_err(export_error)? {
                return Err(ApiError::not_ready("data export job"));
            }
            job(call, id)
        }
        JobState::Deleted => Ok(view),
        JobState::Running => Err(ApiError::not_ready("data export job")),
    }
}

/// A file download allowed: the caller's place among its downloads and the file.
pub struct FileDownload {
    /// Held until the download ends.
    pub slot: StreamSlot,
    /// The file on disk.
    pub path: PathBuf,
}

/// Allows the download of a file a written job lists.
pub fn file(call: &mut Call<'_>, id: u64, path: &str) -> Result<FileDownload, ApiError> {
    let view = job(call, id)?;
    let JobState::Done(manifest) = view.state else {
        return Err(ApiError::not_found("data export file"));
    };
    // Only a name the manifest lists: never a path the caller made up.
    let listed = (manifest.files.iter())
        .find(|file| file.path == path)
        .ok_or_else(|| ApiError::not_found("data export file"))?;
    let app = call.app();
    let on_disk = tanba_export::job_directory(app.exports.root(), id).join(&listed.path);
    let who = call.participant()?;
    let slot = app.downloads.begin(who.id, call.certificate(), &[])?;
    Ok(FileDownload {
        slot,
        path: on_disk,
    })
}

/// The chunks of a file a [`FileDownload`] allowed, read off the async workers.
pub fn file_chunks(
    download: FileDownload,
) -> tokio_stream::wrappers::ReceiverStream<Result<Vec<u8>, ApiError>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(CHUNKS_AHEAD);
    let FileDownload { slot, path } = download;
    tokio::spawn(async move {
        let _slot = slot;
        let mut offset = 0u64;
        loop {
            let at = path.clone();
            let read = tokio::task::spawn_blocking(move || read_chunk(&at, offset)).await;
            let chunk = match read {
                Ok(Ok(chunk)) if chunk.is_empty() => return,
                Ok(Ok(chunk)) => Ok(chunk),
                Ok(Err(_)) | Err(_) => Err(ApiError::internal()),
            };
            let last = chunk.is_err();
            offset += chunk.as_ref().map_or(0, |chunk| chunk.len() as u64);
            let sent = tokio::time::timeout(CHUNK_SEND_TIMEOUT, sender.send(chunk));
            if !matches!(sent.await, Ok(Ok(()))) || last {
                return;
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(receiver)
}

fn read_chunk(path: &std::path::Path, offset: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut chunk = Vec::with_capacity(EXPORT_CHUNK_BYTES);
    file.take(EXPORT_CHUNK_BYTES as u64)
        .read_to_end(&mut chunk)?;
    Ok(chunk)
}

fn export_error(error: tanba_export::ExportError) -> ApiError {
    match error {
        tanba_export::ExportError::Engine(error) => error.into(),
        other => {
            tracing::error!(code = other.code(), %other, "data exports cannot be read");
            ApiError::internal()
        }
    }
}
