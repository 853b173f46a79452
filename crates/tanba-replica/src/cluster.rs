//! NATS servers on loopback, real processes, for tests and benchmarks: one server, or a
//! JetStream cluster of several (routes between them, each with its own store directory and
//! `sync_interval: always`, as production runs it). Servers can be killed (SIGKILL) and started
//! again on the same ports and store, to test what a crash does.
//!
//! The server is the one `scripts/setup.sh` installs (`/var/tmp/tanba-tools/nats/bin/`), or
//! the one `TANBA_NATS_SERVER` names.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where `scripts/setup.sh` installs the server.
pub const NATS_SERVER_INSTALLED: &str = "/var/tmp/tanba-tools/nats/bin/nats-server";

/// How long a started server may take to accept connections.
pub const SERVER_START_WAIT: Duration = Duration::from_secs(20);

/// The NATS server binary: `TANBA_NATS_SERVER`, else the installed one.
pub fn nats_server_binary() -> PathBuf {
    std::env::var_os("TANBA_NATS_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(NATS_SERVER_INSTALLED))
}

/// `count` ports free on loopback now, all different (the kernel's choice, each held until all
/// are chosen; taken again by the servers at once).
fn free_ports(count: usize) -> std::io::Result<Vec<u16>> {
    let held: Vec<TcpListener> = (0..count)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<_, _>>()?;
    held.iter()
        .map(|listener| Ok(listener.local_addr()?.port()))
        .collect()
}

/// Lines of each server's log printed when a test panics with the cluster up.
const LOG_LINES_SHOWN_MAX: usize = 40;

/// One server of a cluster.
struct Server {
    name: String,
    client_port: u16,
    config: PathBuf,
    process: Option<Child>,
}

/// NATS servers on loopback, stopped (killed) when dropped.
pub struct NatsCluster {
    directory: tempfile::TempDir,
    servers: Vec<Server>,
}

impl NatsCluster {
    /// Starts `size` servers (1 for a lone server; 3 for an R3 JetStream cluster) and waits
    /// until each accepts connections.
    pub fn start(size: usize) -> std::io::Result<NatsCluster> {
        NatsCluster::start_secured(size, None)
    }

    /// [`NatsCluster::start`], with the accounts and TLS of `security` if given.
    pub fn start_secured(size: usize, security: Option<&Security>) -> std::io::Result<NatsCluster> {
        assert!(size >= 1, "a cluster has a server");
        let directory = tempfile::Builder::new().prefix("tanba-nats-").tempdir()?;
        let ports = free_ports(2 * size)?;
        let (client_ports, route_ports) = ports.split_at(size);
        // Named after its directory: a route that reaches another test's cluster (a port
        // reused meanwhile) is refused, not joined.
        let cluster_name = directory.path().file_name().unwrap().to_string_lossy();
        let mut servers = Vec::new();
        for index in 0..size {
            let name = format!("n{}", index + 1);
            let config = directory.path().join(format!("{name}.conf"));
            let mut text = server_config(
                &cluster_name,
                &name,
                client_ports[index],
                route_ports[index],
                route_ports,
                &directory.path().join(&name),
            );
            if let Some(security) = security {
                text.push_str(&security.config());
            }
            std::fs::write(&config, text)?;
            servers.push(Server {
                name,
                client_port: client_ports[index],
                config,
                process: None,
            });
        }
        let mut cluster = NatsCluster { directory, servers };
        for index in 0..size {
            cluster.start_server(index)?;
        }
        for index in 0..size {
            cluster.wait_for(index)?;
        }
        Ok(cluster)
    }

    /// The client URLs of every server, comma-separated (what a client connects to).
    pub fn urls(&self) -> String {
        let urls: Vec<String> = (0..self.servers.len()).map(|i| self.url(i)).collect();
        urls.join(",")
    }

    /// The client URL of server `index`.
    pub fn url(&self, index: usize) -> String {
        format!("nats://127.0.0.1:{}", self.servers[index].client_port)
    }

    /// The index of the server named `name` (as a stream's leader is named).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.servers.iter().position(|server| server.name == name)
    }

    /// Kills server `index` at once (SIGKILL: no goodbye, nothing flushed).
    pub fn kill(&mut self, index: usize) -> std::io::Result<()> {
        if let Some(mut process) = self.servers[index].process.take() {
            process.kill()?;
            process.wait()?;
        }
        Ok(())
    }

    /// Starts server `index` again, on its ports and store, and waits until it accepts
    /// connections.
    pub fn restart(&mut self, index: usize) -> std::io::Result<()> {
        self.kill(index)?;
        self.start_server(index)?;
        self.wait_for(index)
    }

    fn start_server(&mut self, index: usize) -> std::io::Result<()> {
        let server = &mut self.servers[index];
        let log =
            std::fs::File::create(self.directory.path().join(format!("{}.log", server.name)))?;
        let process = Command::new(nats_server_binary())
            .arg("--config")
            .arg(&server.config)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|error| {
                std::io::Error::new(
                    error.kind(),
                    format!(
                        "cannot start {} (run scripts/setup.sh): {error}",
                        nats_server_binary().display()
                    ),
                )
            })?;
        server.process = Some(process);
        Ok(())
    }

    fn wait_for(&mut self, index: usize) -> std::io::Result<()> {
        let address = format!("127.0.0.1:{}", self.servers[index].client_port);
        let deadline = Instant::now() + SERVER_START_WAIT;
        loop {
            if std::net::TcpStream::connect(&address).is_ok() {
                return Ok(());
            }
            if let Some(process) = self.servers[index].process.as_mut()
                && let Some(status) = process.try_wait()?
            {
                return Err(std::io::Error::other(format!(
                    "nats server {} exited: {status}",
                    self.servers[index].name
                )));
            }
            if Instant::now() > deadline {
                return Err(std::io::Error::other(format!(
                    "nats server {} did not start in {SERVER_START_WAIT:?}",
                    self.servers[index].name
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl NatsCluster {
    /// The last lines of each server's log, to stderr: what the servers saw when a test failed.
    fn show_logs(&self) {
        for server in &self.servers {
            let path = self.directory.path().join(format!("{}.log", server.name));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let shown = &lines[lines.len().saturating_sub(LOG_LINES_SHOWN_MAX)..];
            eprintln!(
                "--- nats server {} (last {} lines)",
                server.name,
                shown.len()
            );
            for line in shown {
                eprintln!("{line}");
            }
        }
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        for index in 0..self.servers.len() {
            let _ = self.kill(index);
        }
        if std::thread::panicking() {
            self.show_logs();
        }
    }
}

/// What a secured cluster asks of its clients, as deploy/nats does: a user of the `TANBA`
/// account, which alone holds Tanba's stream and board, and TLS if certificates are given. A
/// second account, `OTHER`, has a user of its own: a tenant of the same servers who sees
/// nothing of Tanba's.
#[derive(Clone)]
pub struct Security {
    /// The password of user `tanba` of account `TANBA` (letters and digits).
    pub tanba_password: String,
    /// The password of user `stranger` of account `OTHER` (letters and digits).
    pub stranger_password: String,
    /// The servers' certificate and its key (PEM files); none: plain TCP.
    pub tls: Option<(PathBuf, PathBuf)>,
}

impl Security {
    /// The accounts with these passwords, and TLS with a server certificate for loopback made
    /// now under `directory` by a test authority of its own; with the path of the authority's
    /// certificate, which clients are to trust.
    pub fn with_test_tls(
        directory: &Path,
        tanba_password: &str,
        stranger_password: &str,
    ) -> std::io::Result<(Security, PathBuf)> {
        fn made<T>(result: Result<T, rcgen::Error>) -> std::io::Result<T> {
            result.map_err(std::io::Error::other)
        }
        let authority_key = made(rcgen::KeyPair::generate())?;
        let mut params = made(rcgen::CertificateParams::new(Vec::new()))?;
        (params.distinguished_name).push(rcgen::DnType::CommonName, "Test NATS authority");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let authority = made(params.self_signed(&authority_key))?;
        let issuer = rcgen::Issuer::new(params, authority_key);
        let key = made(rcgen::KeyPair::generate())?;
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let certificate =
            made(made(rcgen::CertificateParams::new(names))?.signed_by(&key, &issuer))?;
        let [authority_path, certificate_path, key_path] =
            ["ca.pem", "server.pem", "server-key.pem"].map(|name| directory.join(name));
        std::fs::write(&authority_path, authority.pem())?;
        std::fs::write(&certificate_path, certificate.pem())?;
        std::fs::write(&key_path, key.serialize_pem())?;
        let security = Security {
            tanba_password: tanba_password.to_owned(),
            stranger_password: stranger_password.to_owned(),
            tls: Some((certificate_path, key_path)),
        };
        Ok((security, authority_path))
    }

    /// The accounts and TLS blocks of a server's configuration.
    fn config(&self) -> String {
        let mut text = format!(
            "accounts {{
  TANBA {{
    jetstream: enabled
    users: [ {{ user: tanba, password: \"{}\" }} ]
  }}
  \
             OTHER {{
    jetstream: enabled
    users: [ {{ user: stranger, password: \"{}\" }} ]
  }}
}}
",
            self.tanba_password, self.stranger_password
        );
        if let Some((certificate, key)) = &self.tls {
            text.push_str(&format!(
                "tls {{
  cert_file: \"{}\"
  key_file: \"{}\"
}}
",
                certificate.display(),
                key.display()
            ));
        }
        text
    }
}

/// One server's configuration: JetStream on, every write synced before it is acknowledged
/// (`sync_interval: always`: Jepsen's NATS 2.12.1 analysis lost acknowledged writes without
/// it), messages as large as a batch, and routes to every server of the cluster. The servers
/// do not advertise each other to clients: a client reaches only the addresses it was given,
/// so a test can put a proxy in between and cut it.
fn server_config(
    cluster_name: &str,
    name: &str,
    client_port: u16,
    route_port: u16,
    route_ports: &[u16],
    store: &Path,
) -> String {
    let mut text = format!(
        "server_name: {name}\nlisten: 127.0.0.1:{client_port}\nmax_payload: {}\n\
         jetstream {{\n  store_dir: \"{}\"\n  sync_interval: always\n}}\n",
        crate::MESSAGE_BYTES_MAX,
        store.display()
    );
    if route_ports.len() > 1 {
        let routes: Vec<String> = (route_ports.iter())
            .map(|port| format!("    nats-route://127.0.0.1:{port}"))
            .collect();
        text.push_str(&format!(
            "cluster {{\n  name: {cluster_name}\n  listen: 127.0.0.1:{route_port}\n  no_advertise: true\n  routes: [\n{}\n  ]\n}}\n",
            routes.join("\n")
        ));
    }
    text
}
