//! How the server runs. Defaults suit one machine; a TOML file changes any of them, and the
//! environment (`TANBA_*`) overrides the file, so a container needs no file at all.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use tanba_engine::blobs::BlobShelf;
use tanba_engine::command_log::CommandLog;
use tanba_engine::heads::HeadBoard;
use tanba_engine::snapshot_shelf::SnapshotShelf;
use tanba_engine::steward::StewardLease;
use tanba_engine::trails::TrailStream;
use tanba_types::TaxpayerId;

/// Longest config file read, in bytes.
pub const CONFIG_FILE_BYTES_MAX: u64 = 1 << 20;
/// Open files the server needs besides connections and the store's table files: listening
/// sockets, RocksDB's log and manifest files, key files, the runtime's own.
pub const FILES_RESERVED: u64 = 256;
/// The connection cap when none is configured and the open-file limit allows it.
pub const CONNECTIONS_DEFAULT_MAX: usize = 18_000;
/// Fewest connections a server is worth starting with.
pub const CONNECTIONS_MIN: usize = 64;

/// Everything the server is told.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Where the data lives: `engine/` (RocksDB), `keys.json` (the code-signing key ring),
    /// `sign-in.secret`, `addresses.json`.
    pub data_dir: PathBuf,
    /// HTTP/JSON: public checks, Digital Link pages, tills, `/metrics`, `/openapi.json`.
    pub http_addr: SocketAddr,
    /// gRPC.
    pub grpc_addr: SocketAddr,
    /// Serve both ports over TLS with this certificate chain and key (PEM files).
    pub tls: Option<TlsConfig>,
    /// Proxies whose `X-Forwarded-For` is believed; from anyone else it is ignored and the
    /// socket's address is the client's.
    pub trusted_proxies: Vec<IpAddr>,
    /// Pending connections the kernel queues per port before the server accepts them.
    pub listen_backlog: u32,
    /// Open connections, both ports together; past it a new one is closed at once. With
    /// [`Self::store_open_files_max`] and [`FILES_RESERVED`] it must fit the process's
    /// open-file limit, which the server raises to the hard limit at start. Not set: as many
    /// as that limit leaves room for, at most [`CONNECTIONS_DEFAULT_MAX`].
    pub connections_max: Option<usize>,
    /// Open connections from one client address (IPv4, or an IPv6 /64); trusted proxies count
    /// only against [`Self::connections_max`].
    pub connections_per_client_max: usize,
    /// Seconds a new connection may take to show its protocol (first byte, or TLS handshake).
    pub connection_protocol_seconds: u64,
    /// Seconds a connection may stay open with no call under way.
    pub connection_idle_seconds: u64,
    /// Table files RocksDB keeps open at once.
    pub store_open_files_max: usize,
    /// The rates.
    pub rates: Rates,
    /// On first start of an empty store: register this operator so someone can sign in.
    pub bootstrap_operator: Option<BootstrapOperator>,
    /// Clients that may read `/metrics` (besides trusted proxies): operational detail is not
    /// for the public.
    pub metrics_clients: Vec<IpAddr>,
    /// The state registers fetched through the e-government gateway (clause 2): none, no
    /// adapter runs and the log keeps what it knows.
    pub registers: Option<RegistersConfig>,
    /// Root certificates of the accredited certification centres (a PEM file): certificates
    /// chaining up to one may sign in (R-IS-16). None: certificate sign-in is refused.
    pub certificate_roots: Option<PathBuf>,
    /// Bytes the data exports' files (R-IS-15, `<data_dir>/exports/`) may take together; a job
    /// that would pass it fails until files are deleted.
    pub exports_quota_bytes: u64,
    /// Where the node writes snapshots of its store (`crate::snapshots`): the backup of a lone
    /// node, the start of a new node of a cluster. None: no snapshots.
    #[serde(default)]
    pub snapshot_dir: Option<PathBuf>,
    /// Seconds between two snapshots.
    #[serde(default = "ServerConfig::snapshot_interval_seconds_default")]
    pub snapshot_interval_seconds: u64,
    /// EPCIS query subscriptions' deliveries (webhooks).
    #[serde(default)]
    pub webhooks: WebhooksConfig,
    /// Run on a clock that loopback callers may move forward (`POST /test/clock`), for
    /// black-box tests of legal terms. Never read from a configuration file: only
    /// `tanba demo` started with `TANBA_TEST_CLOCK=1` sets it, and the server says so loudly.
    #[serde(skip)]
    pub test_clock: bool,
    /// The command log this server is a node of, shared with the cluster's other nodes (the
    /// program that starts the server connects it: `tanba serve --nats`). None: the embedded
    /// default, a log of its own in the process.
    #[serde(skip)]
    pub command_log: Option<SharedCommandLog>,
    /// Where the cluster's nodes publish their log heads and compare them (`crate::heads`),
    /// connected with the command log. None: a lone node compares with no one.
    #[serde(skip)]
    pub head_board: Option<SharedHeadBoard>,
    /// The cluster's lease on the steward's role (`tanba_engine::steward`), connected with the
    /// command log. None: a lone node is its own steward.
    #[serde(skip)]
    pub steward_lease: Option<SharedStewardLease>,
    /// The cluster's shelf of blobs' bytes (`tanba_engine::blobs`), connected with the command
    /// log. None: a lone node's blobs are all its own.
    #[serde(skip)]
    pub blob_shelf: Option<SharedBlobShelf>,
    /// The cluster's stream of the nodes' audit trails (`crate::trails`), connected with the
    /// command log. None: a lone node's trail is its own.
    #[serde(skip)]
    pub audit_trails: Option<SharedTrailStream>,
    /// The cluster's shelf of snapshots (`crate::shelved_snapshots`), connected with the
    /// command log: a node with `snapshot_dir` puts its snapshots there, and a node started
    /// with no store begins from the latest. None: a lone node's snapshots are its own.
    #[serde(skip)]
    pub snapshot_shelf: Option<SharedSnapshotShelf>,
    /// This node's name among its cluster's (letters, digits, `-`, `_`; at most 64). None: the
    /// name kept in the data directory's `node-name`, drawn at random at the first start.
    #[serde(default)]
    pub node_name: Option<String>,
}

/// A cluster's board of published heads, as the server is handed it.
#[derive(Clone)]
pub struct SharedHeadBoard(pub Arc<dyn HeadBoard>);

impl std::fmt::Debug for SharedHeadBoard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedHeadBoard")
    }
}

/// A cluster's shelf of blobs' bytes, as the server is handed it.
#[derive(Clone)]
pub struct SharedBlobShelf(pub Arc<dyn BlobShelf>);

impl std::fmt::Debug for SharedBlobShelf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedBlobShelf")
    }
}

/// A cluster's shelf of snapshots, as the server is handed it.
#[derive(Clone)]
pub struct SharedSnapshotShelf(pub Arc<dyn SnapshotShelf>);

impl std::fmt::Debug for SharedSnapshotShelf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedSnapshotShelf")
    }
}

/// A cluster's stream of audit trails, as the server is handed it.
#[derive(Clone)]
pub struct SharedTrailStream(pub Arc<dyn TrailStream>);

impl std::fmt::Debug for SharedTrailStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedTrailStream")
    }
}

/// A cluster's lease on the steward's role, as the server is handed it.
#[derive(Clone)]
pub struct SharedStewardLease(pub Arc<dyn StewardLease>);

impl std::fmt::Debug for SharedStewardLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedStewardLease")
    }
}

/// A cluster's command log, as the server is handed it.
#[derive(Clone)]
pub struct SharedCommandLog(pub Arc<dyn CommandLog>);

impl std::fmt::Debug for SharedCommandLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedCommandLog")
    }
}

/// Where EPCIS subscriptions may deliver (the webhooks), and what they trust.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhooksConfig {
    /// The roots receivers' certificates must chain to (a PEM file); by default the system's
    /// bundle when there is one (`/etc/ssl/certs/ca-certificates.crt`). None: no `https`
    /// receiver can be reached.
    #[serde(default = "WebhooksConfig::ca_file_default")]
    pub ca_file: Option<PathBuf>,
    /// Allow `http://` receivers (never on a real deployment: deliveries travel in clear).
    #[serde(default)]
    pub allow_plain_http: bool,
    /// Allow receivers on loopback, private and link-local addresses (tests, or a closed
    /// network where partners are private): else a subscription cannot make the server post
    /// into its own network.
    #[serde(default)]
    pub allow_private_destinations: bool,
}

impl WebhooksConfig {
    /// The system's CA bundle (Debian's path), if there is one.
    fn ca_file_default() -> Option<PathBuf> {
        let bundle = PathBuf::from("/etc/ssl/certs/ca-certificates.crt");
        bundle.exists().then_some(bundle)
    }
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        WebhooksConfig {
            ca_file: WebhooksConfig::ca_file_default(),
            allow_plain_http: false,
            allow_private_destinations: false,
        }
    }
}

/// The register adapters.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistersConfig {
    /// The gateway's base address (`https://gateway.example/`): the registers are read at
    /// [`crate::registers::ENTREPRENEURS_PATH`] and the centre's files beside it.
    pub gateway_url: String,
    /// Seconds between refreshes that succeeded.
    #[serde(default = "RegistersConfig::refresh_seconds_default")]
    pub refresh_seconds: u64,
    /// Seconds one fetch may take, answer included.
    #[serde(default = "RegistersConfig::timeout_seconds_default")]
    pub timeout_seconds: u64,
    /// For an `https://` gateway: the roots (PEM) its certificate must chain to, and the only
    /// ones trusted (a national gateway's certificate chains to the national centre's root,
    /// which no public store holds). Required for `https://`.
    #[serde(default)]
    pub gateway_ca_file: Option<PathBuf>,
}

impl RegistersConfig {
    fn refresh_seconds_default() -> u64 {
        3_600
    }

    fn timeout_seconds_default() -> u64 {
        60
    }

    /// A gateway at `gateway_url`, with the default intervals.
    pub fn at(gateway_url: impl Into<String>) -> RegistersConfig {
        RegistersConfig {
            gateway_url: gateway_url.into(),
            refresh_seconds: Self::refresh_seconds_default(),
            timeout_seconds: Self::timeout_seconds_default(),
            gateway_ca_file: None,
        }
    }
}

/// TLS files.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// The certificate chain, PEM.
    pub certificate: PathBuf,
    /// The private key, PEM.
    pub key: PathBuf,
}

/// The operator registered on first start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootstrapOperator {
    /// Its IIN/BIN.
    pub id: TaxpayerId,
    /// Its name.
    pub name: String,
    /// Its Ed25519 public key, 32 bytes as 64 hex digits.
    pub public_key_hex: String,
}

/// Rate limits: a steady rate per second and a burst on top.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rates {
    /// Anonymous calls (public checks, sign-in, calls with a bad token) per client (an IPv4
    /// address or an IPv6 /64), per second.
    pub anonymous_per_ip_per_second: u32,
    /// Their burst.
    pub anonymous_burst: u32,
    /// Calls per signed-in participant, per second.
    pub participant_per_second: u32,
    /// Their burst.
    pub participant_burst: u32,
    /// Violation reports per client, per hour.
    pub reports_per_ip_per_hour: u32,
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            anonymous_per_ip_per_second: 20,
            anonymous_burst: 100,
            participant_per_second: 2_000,
            participant_burst: 10_000,
            reports_per_ip_per_hour: 20,
        }
    }
}

/// The exports' quota unless configured: 20 GiB.
pub const EXPORTS_QUOTA_DEFAULT_BYTES: u64 = 20 << 30;

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            data_dir: PathBuf::from("tanba-data"),
            http_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            grpc_addr: SocketAddr::from(([127, 0, 0, 1], 50051)),
            tls: None,
            trusted_proxies: Vec::new(),
            listen_backlog: 4096,
            connections_max: None,
            connections_per_client_max: 1_000,
            connection_protocol_seconds: 10,
            connection_idle_seconds: 60,
            store_open_files_max: 1_024,
            rates: Rates::default(),
            bootstrap_operator: None,
            metrics_clients: vec![
                IpAddr::from([127, 0, 0, 1]),
                IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
            ],
            registers: None,
            certificate_roots: None,
            exports_quota_bytes: EXPORTS_QUOTA_DEFAULT_BYTES,
            snapshot_dir: None,
            snapshot_interval_seconds: ServerConfig::snapshot_interval_seconds_default(),
            webhooks: WebhooksConfig::default(),
            test_clock: false,
            command_log: None,
            head_board: None,
            steward_lease: None,
            blob_shelf: None,
            audit_trails: None,
            snapshot_shelf: None,
            node_name: None,
        }
    }
}

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is larger than [`CONFIG_FILE_BYTES_MAX`].
    #[error("{0} is larger than {CONFIG_FILE_BYTES_MAX} bytes")]
    TooLarge(PathBuf),
    /// The file is not valid TOML for this configuration.
    #[error("{path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        source: toml::de::Error,
    },
    /// An environment variable does not parse.
    #[error("environment variable {name}: {reason}")]
    Environment {
        /// The variable.
        name: &'static str,
        /// Why.
        reason: String,
    },
}

impl ServerConfig {
    /// A snapshot an hour by default: what a node restored from it reads again from the stream.
    fn snapshot_interval_seconds_default() -> u64 {
        3_600
    }

    /// The open files this configuration needs besides its connections.
    pub fn files_besides_connections(&self) -> u64 {
        self.store_open_files_max as u64 + FILES_RESERVED
    }

    /// The connection cap within `open_files_max` (the process's limit): the configured one,
    /// or as many as fit up to [`CONNECTIONS_DEFAULT_MAX`]; `None` if it does not fit (or
    /// fewer than [`CONNECTIONS_MIN`] would).
    pub fn connections_within(&self, open_files_max: u64) -> Option<usize> {
        let room = open_files_max.saturating_sub(self.files_besides_connections());
        let room = usize::try_from(room).unwrap_or(usize::MAX);
        let wanted = self
            .connections_max
            .unwrap_or_else(|| CONNECTIONS_DEFAULT_MAX.min(room));
        (wanted <= room && wanted >= CONNECTIONS_MIN).then_some(wanted)
    }

    /// The connection limits this configuration sets.
    pub fn connection_limits(&self) -> crate::net::ConnectionLimits {
        crate::net::ConnectionLimits {
            total_max: self.connections_max.unwrap_or(CONNECTIONS_DEFAULT_MAX),
            per_client_max: self.connections_per_client_max,
            protocol_timeout: std::time::Duration::from_secs(self.connection_protocol_seconds),
            idle_timeout: std::time::Duration::from_secs(self.connection_idle_seconds),
            trusted_proxies: self.trusted_proxies.clone(),
        }
    }

    /// The defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> Result<ServerConfig, ConfigError> {
        let mut config = match file {
            Some(path) => ServerConfig::from_file(path)?,
            None => ServerConfig::default(),
        };
        config.apply_environment(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    fn from_file(path: &Path) -> Result<ServerConfig, ConfigError> {
        let read_error = |source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        };
        if std::fs::metadata(path).map_err(read_error)?.len() > CONFIG_FILE_BYTES_MAX {
            return Err(ConfigError::TooLarge(path.to_path_buf()));
        }
        let text = std::fs::read_to_string(path).map_err(read_error)?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Overrides from variables (`lookup` reads one; the real environment in [`Self::load`]).
    pub fn apply_environment(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            value
                .parse()
                .map_err(|error: T::Err| ConfigError::Environment {
                    name,
                    reason: error.to_string(),
                })
        }
        if let Some(value) = lookup("TANBA_DATA") {
            self.data_dir = PathBuf::from(value);
        }
        if let Some(value) = lookup("TANBA_NODE_NAME") {
            self.node_name = Some(value);
        }
        if let Some(value) = lookup("TANBA_HTTP_ADDR") {
            self.http_addr = parse("TANBA_HTTP_ADDR", &value)?;
        }
        if let Some(value) = lookup("TANBA_GRPC_ADDR") {
            self.grpc_addr = parse("TANBA_GRPC_ADDR", &value)?;
        }
        if let Some(value) = lookup("TANBA_TRUSTED_PROXIES") {
            self.trusted_proxies = value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| parse("TANBA_TRUSTED_PROXIES", item))
                .collect::<Result<_, _>>()?;
        }
        if let (Some(certificate), Some(key)) = (lookup("TANBA_TLS_CERT"), lookup("TANBA_TLS_KEY"))
        {
            self.tls = Some(TlsConfig {
                certificate: certificate.into(),
                key: key.into(),
            });
        }
        if let Some(value) = lookup("TANBA_GATEWAY_URL") {
            let mut registers = self
                .registers
                .take()
                .unwrap_or_else(|| RegistersConfig::at(""));
            registers.gateway_url = value;
            self.registers = Some(registers);
        }
        if let Some(value) = lookup("TANBA_REGISTER_REFRESH_SECONDS") {
            let seconds = parse("TANBA_REGISTER_REFRESH_SECONDS", &value)?;
            if let Some(registers) = &mut self.registers {
                registers.refresh_seconds = seconds;
            }
        }
        if let Some(value) = lookup("TANBA_GATEWAY_CA_FILE")
            && let Some(registers) = &mut self.registers
        {
            registers.gateway_ca_file = Some(PathBuf::from(value));
        }
        if let Some(value) = lookup("TANBA_CERTIFICATE_ROOTS") {
            self.certificate_roots = Some(PathBuf::from(value));
        }
        if let Some(value) = lookup("TANBA_WEBHOOKS_CA_FILE") {
            self.webhooks.ca_file = Some(PathBuf::from(value));
        }
        if let Some(value) = lookup("TANBA_SNAPSHOT_DIR") {
            self.snapshot_dir = Some(PathBuf::from(value));
        }
        if let Some(value) = lookup("TANBA_SNAPSHOT_INTERVAL_SECONDS") {
            self.snapshot_interval_seconds = parse("TANBA_SNAPSHOT_INTERVAL_SECONDS", &value)?;
        }
        if let Some(value) = lookup("TANBA_EXPORTS_QUOTA_BYTES") {
            self.exports_quota_bytes = parse("TANBA_EXPORTS_QUOTA_BYTES", &value)?;
        }
        if let Some(value) = lookup("TANBA_ANONYMOUS_PER_IP_PER_SECOND") {
            self.rates.anonymous_per_ip_per_second =
                parse("TANBA_ANONYMOUS_PER_IP_PER_SECOND", &value)?;
        }
        if let Some(value) = lookup("TANBA_ANONYMOUS_BURST") {
            self.rates.anonymous_burst = parse("TANBA_ANONYMOUS_BURST", &value)?;
        }
        if let Some(value) = lookup("TANBA_PARTICIPANT_PER_SECOND") {
            self.rates.participant_per_second = parse("TANBA_PARTICIPANT_PER_SECOND", &value)?;
        }
        if let Some(value) = lookup("TANBA_PARTICIPANT_BURST") {
            self.rates.participant_burst = parse("TANBA_PARTICIPANT_BURST", &value)?;
        }
        if let Some(value) = lookup("TANBA_REPORTS_PER_IP_PER_HOUR") {
            self.rates.reports_per_ip_per_hour = parse("TANBA_REPORTS_PER_IP_PER_HOUR", &value)?;
        }
        if let Some(value) = lookup("TANBA_METRICS_CLIENTS") {
            self.metrics_clients = value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| parse("TANBA_METRICS_CLIENTS", item))
                .collect::<Result<_, _>>()?;
        }
        if let Some(value) = lookup("TANBA_CONNECTIONS_MAX") {
            self.connections_max = Some(parse("TANBA_CONNECTIONS_MAX", &value)?);
        }
        if let Some(value) = lookup("TANBA_CONNECTIONS_PER_CLIENT_MAX") {
            self.connections_per_client_max = parse("TANBA_CONNECTIONS_PER_CLIENT_MAX", &value)?;
        }
        if let Some(value) = lookup("TANBA_CONNECTION_PROTOCOL_SECONDS") {
            self.connection_protocol_seconds = parse("TANBA_CONNECTION_PROTOCOL_SECONDS", &value)?;
        }
        if let Some(value) = lookup("TANBA_CONNECTION_IDLE_SECONDS") {
            self.connection_idle_seconds = parse("TANBA_CONNECTION_IDLE_SECONDS", &value)?;
        }
        if let Some(value) = lookup("TANBA_STORE_OPEN_FILES_MAX") {
            self.store_open_files_max = parse("TANBA_STORE_OPEN_FILES_MAX", &value)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_sets_and_the_environment_overrides() {
        let mut config: ServerConfig = toml::from_str(
            "data_dir = \"/srv/tanba\"\nhttp_addr = \"0.0.0.0:80\"\n[rates]\nanonymous_burst = 5\n",
        )
        .unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/srv/tanba"));
        assert_eq!(config.rates.anonymous_burst, 5);
        assert_eq!(
            config.rates.participant_burst,
            Rates::default().participant_burst
        );
        config
            .apply_environment(|name| match name {
                "TANBA_HTTP_ADDR" => Some("127.0.0.1:0".into()),
                "TANBA_TRUSTED_PROXIES" => Some("10.0.0.1, ::1".into()),
                _ => None,
            })
            .unwrap();
        assert_eq!(config.http_addr, "127.0.0.1:0".parse().unwrap());
        assert_eq!(config.trusted_proxies.len(), 2);
        let wrong = config.apply_environment(|name| {
            (name == "TANBA_GRPC_ADDR").then(|| "not an address".to_owned())
        });
        assert!(matches!(wrong, Err(ConfigError::Environment { .. })));
        assert!(toml::from_str::<ServerConfig>("unknown_key = 1").is_err());
    }

    #[test]
    fn the_connection_cap_fits_the_open_file_limit_or_the_server_does_not_start() {
        let mut config = ServerConfig::default();
        let besides = config.files_besides_connections();
        // Unset: the default where it fits, what is left where it does not.
        assert_eq!(
            config.connections_within(1 << 20),
            Some(CONNECTIONS_DEFAULT_MAX)
        );
        assert_eq!(config.connections_within(besides + 5_000), Some(5_000));
        assert_eq!(config.connections_within(besides + 10), None, "too few");
        // Set: it fits, or nothing does.
        config.connections_max = Some(30_000);
        assert_eq!(config.connections_within(besides + 30_000), Some(30_000));
        assert_eq!(config.connections_within(besides + 29_999), None);
    }
}
