//! `tanba serve`: the embedded default. One process, RocksDB in `./tanba-data` (or `--data`),
//! gRPC and HTTP ports, a config file with environment overrides, structured logs, and a
//! graceful stop on Ctrl-C or SIGTERM that signs a final checkpoint.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use tanba_server::{RunningServer, ServerConfig};

/// Where and how to serve.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The data directory (RocksDB, key ring, sign-in secret); created if missing.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// HTTP/JSON address (port 0 picks a free port).
    #[arg(long)]
    pub http_addr: Option<SocketAddr>,
    /// gRPC address (port 0 picks a free port).
    #[arg(long)]
    pub grpc_addr: Option<SocketAddr>,
    /// A TOML config file; `TANBA_*` environment variables override it, flags override both.
    #[arg(long, env = "TANBA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log format.
    #[arg(long, value_enum, default_value = "text", env = "TANBA_LOG_FORMAT")]
    pub log_format: LogFormat,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// For people.
    Text,
    /// One JSON object per line, for collectors.
    Json,
}

impl ServeArgs {
    /// The configuration: file, then environment, then these flags.
    pub fn config(&self) -> anyhow::Result<ServerConfig> {
        let mut config = ServerConfig::load(self.config.as_deref())?;
        if let Some(data) = &self.data {
            config.data_dir = data.clone();
        }
        if let Some(address) = self.http_addr {
            config.http_addr = address;
        }
        if let Some(address) = self.grpc_addr {
            config.grpc_addr = address;
        }
        Ok(config)
    }
}

/// Structured logs to stderr; `RUST_LOG` filters (default `info`).
pub fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// The runtime the server runs on: one worker per core.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tanba-server")
        .build()
        .context("starting the async runtime")
}

/// Prints where the server listens (the first lines of output: scripts read them).
pub fn announce(server: &RunningServer, config: &ServerConfig) {
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    println!("http: {scheme}://{}", server.http_addr);
    println!("grpc: {}", server.grpc_addr);
    println!("data: {}", config.data_dir.display());
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn stop_signal() {
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async {
            match terminate.as_mut() {
                Some(signal) => { signal.recv().await; }
                None => std::future::pending::<()>().await,
            }
        } => {}
    }
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logs(args.log_format);
    let config = args.config()?;
    runtime()?.block_on(async {
        let server = RunningServer::start(config.clone())
            .await
            .context("starting the server")?;
        announce(&server, &config);
        tracing::info!(http = %server.http_addr, grpc = %server.grpc_addr, "serving");
        stop_signal().await;
        tracing::info!("stopping: finishing open calls, then a final checkpoint");
        server.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}
