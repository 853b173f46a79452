//! `tanba client export`: data exports for analytical systems (R-IS-15). `request` asks for a
//! job (the same key again answers the same job), waits for its Parquet files and, with
//! `--out`, downloads them with their hashes checked; `status`, `download` and `delete` act on
//! a job by its id.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::Value;
use tanba_client::Connection;
use tanba_types::{DataExportKind, Date};

/// `export`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Ask for a job, wait for it, and download its files with --out.
    Request(Request),
    /// Where a job stands, and its files.
    Status {
        /// The job.
        job: u64,
    },
    /// Download a written job's files.
    Download {
        /// The job.
        job: u64,
        /// The directory to write them under (`day=YYYY-MM-DD/part-N.parquet`).
        #[arg(long)]
        out: PathBuf,
    },
    /// Delete a written job's files on the server.
    Delete {
        /// The job.
        job: u64,
    },
}

/// `export request`.
#[derive(Debug, Args)]
pub struct Request {
    /// events, codes, documents, sales or cases.
    #[arg(long, value_parser = kind)]
    kind: DataExportKind,
    /// The first day (YYYY-MM-DD).
    #[arg(long)]
    from: Date,
    /// The last day; the first if not given.
    #[arg(long)]
    to: Option<Date>,
    /// Your key for the job: asking again with it answers the same job.
    #[arg(long)]
    key: String,
    /// Download the files under this directory once written.
    #[arg(long)]
    out: Option<PathBuf>,
    /// How long to wait for the files, in seconds.
    #[arg(long, default_value_t = 600)]
    wait_seconds: u64,
}

fn kind(text: &str) -> Result<DataExportKind, String> {
    DataExportKind::from_name(text)
        .ok_or_else(|| "one of events, codes, documents, sales, cases".to_owned())
}

pub async fn run(connection: &Connection, command: ExportCommand) -> anyhow::Result<Value> {
    let job = match command {
        ExportCommand::Request(request) => {
            let to = request.to.unwrap_or(request.from);
            let job =
                (connection.request_data_export(&request.key, request.kind, request.from, to))
                    .await?;
            let wait = Duration::from_secs(request.wait_seconds);
            let job = connection.wait_for_data_export(job.job, wait).await?;
            if let Some(out) = &request.out {
                connection.download_data_export(&job, out).await?;
            }
            job
        }
        ExportCommand::Status { job } => connection.get_data_export(job).await?,
        ExportCommand::Download { job, out } => {
            let job = connection.get_data_export(job).await?;
            anyhow::ensure!(job.state == "done", "job {} is {}", job.job, job.state);
            connection.download_data_export(&job, &out).await?;
            job
        }
        ExportCommand::Delete { job } => connection.delete_data_export(job).await?,
    };
    Ok(serde_json::to_value(job)?)
}
