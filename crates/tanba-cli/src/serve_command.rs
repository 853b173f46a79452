//! `tanba serve`: the embedded default. One process, RocksDB in `./tanba-data` (or `--data`),
//! gRPC and HTTP ports, a config file with environment overrides, structured logs, and a
//! graceful stop on Ctrl-C or SIGTERM that signs a final checkpoint. With `--nats`, a node of
//! a cluster: its commands go through a JetStream stream every node applies (issue 15).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use tanba_replica::{JetStreamLog, NatsAccess, StreamSettings};
use tanba_server::{
    RunningServer, ServerConfig, SharedBlobShelf, SharedCommandLog, SharedHeadBoard,
    SharedSnapshotShelf, SharedStewardLease, SharedTrailStream,
};

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
    /// As a node of a cluster.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// The flags that make a server a node of a cluster (`tanba serve` and `tanba demo`).
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Serve as a node of a cluster: the NATS servers (comma-separated URLs) whose JetStream
    /// stream carries the command log every node applies. Every node of a cluster needs the
    /// same `keys.json` and `sign-in.secret` in its data directory. Not set: the embedded
    /// default, one process with a log of its own.
    #[arg(long, env = "TANBA_NATS")]
    pub nats: Option<String>,
    /// This node's name among its cluster's, on the board where the nodes compare their log
    /// heads (also `TANBA_NODE_NAME`). Default: the name kept in the data directory's
    /// `node-name`, drawn at the first start.
    #[arg(long)]
    pub node_name: Option<String>,
    /// Servers that store each batch of the command stream (3 in production: one may fail).
    #[arg(long, default_value_t = 3, env = "TANBA_NATS_REPLICAS")]
    pub nats_replicas: usize,
    /// Bytes the command stream holds until it is trimmed; each replica reserves them on its
    /// disk when the stream is made (a NATS server without the room refuses it).
    #[arg(long, default_value_t = tanba_replica::STREAM_BYTES_MAX_DEFAULT, env = "TANBA_NATS_STREAM_BYTES")]
    pub nats_stream_bytes: i64,
    /// The NATS user of the account that holds the command stream (deploy/nats); its password
    /// in `TANBA_NATS_PASSWORD` (never on the command line, where `ps` shows it).
    #[arg(long, env = "TANBA_NATS_USER", requires = "nats")]
    pub nats_user: Option<String>,
    /// The password of `--nats-user`.
    #[arg(skip = std::env::var("TANBA_NATS_PASSWORD").ok().map(Password))]
    pub nats_password: Option<Password>,
    /// The certificate authority (a PEM file) that signed the NATS servers' certificates:
    /// given, the node speaks TLS only, to servers it signed.
    #[arg(long, env = "TANBA_NATS_CA", requires = "nats")]
    pub nats_ca: Option<PathBuf>,
}

/// Whether every server of a comma-separated list of NATS URLs is on this host's loopback.
fn loopback_only(urls: &str) -> bool {
    urls.split(',').all(|url| {
        let address = url
            .trim()
            .split_once("://")
            .map_or(url.trim(), |(_, rest)| rest);
        let address = address.rsplit_once('@').map_or(address, |(_, host)| host);
        let host = match address.strip_prefix('[') {
            Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
            None => address.split(':').next().unwrap_or(""),
        };
        host == "localhost"
            || (host.parse::<std::net::IpAddr>()).is_ok_and(|address| address.is_loopback())
    })
}

/// A password, never shown by `Debug`.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How long a node waits for its NATS servers at start (they may be starting too).
const NATS_CONNECT_WAIT: Duration = Duration::from_secs(60);

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
        self.cluster.apply(&mut config)?;
        Ok(config)
    }
}

impl ClusterArgs {
    /// Makes `config` a node of the cluster these flags name, if they name one.
    pub fn apply(&self, config: &mut ServerConfig) -> anyhow::Result<()> {
        if let Some(name) = &self.node_name {
            config.node_name = Some(name.clone());
        }
        if let Some(urls) = &self.nats {
            let user = match (&self.nats_user, &self.nats_password) {
                (Some(user), Some(Password(password))) => Some((user.clone(), password.clone())),
                (Some(user), None) => anyhow::bail!("--nats-user {user} needs TANBA_NATS_PASSWORD"),
                (None, _) => None,
            };
            if user.is_some() && self.nats_ca.is_none() && !loopback_only(urls) {
                anyhow::bail!(
                    "--nats-user would send its password in clear to {urls}: give --nats-ca \
                 (TLS to the NATS servers), or reach them on loopback only"
                );
            }
            let settings = StreamSettings {
                replicas: self.nats_replicas,
                bytes_max: self.nats_stream_bytes,
                access: NatsAccess {
                    user,
                    ca_certificate: self.nats_ca.clone(),
                },
                ..StreamSettings::default()
            };
            let log = JetStreamLog::connect_waiting(urls, settings, NATS_CONNECT_WAIT)
                .with_context(|| format!("connecting to the command stream on {urls}"))?;
            let log = Arc::new(log);
            config.command_log = Some(SharedCommandLog(log.clone()));
            config.head_board = Some(SharedHeadBoard(log.clone()));
            config.steward_lease = Some(SharedStewardLease(log.clone()));
            config.blob_shelf = Some(SharedBlobShelf(log.clone()));
            config.audit_trails = Some(SharedTrailStream(log.clone()));
            config.snapshot_shelf = Some(SharedSnapshotShelf(log));
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::loopback_only;

    #[test]
    fn a_password_goes_in_clear_only_to_loopback() {
        for urls in [
            "nats://127.0.0.1:4222",
            "nats://localhost:4222,nats://[::1]:4223",
        ] {
            assert!(loopback_only(urls), "{urls}");
        }
        for urls in [
            "nats://10.0.0.1:4222",
            "nats://127.0.0.1:4222,nats://nats-2:4222",
            "nats://evil.example@127.0.0.1.example:4222",
        ] {
            assert!(!loopback_only(urls), "{urls}");
        }
    }
}
