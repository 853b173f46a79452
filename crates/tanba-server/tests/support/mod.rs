//! What the in-process server tests share: a server on real sockets with a fresh data
//! directory, a bootstrap operator whose key the test holds, and the clock in the test's hand.

#![allow(dead_code)] // each test file uses part of it

pub mod browser;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tanba_client::{Connection, KeyFile};
use tanba_engine::Clock;
use tanba_server::config::BootstrapOperator;
use tanba_server::{RunningServer, ServerConfig};
use tanba_types::Language;

/// A clock the test moves.
pub struct ManualClock(pub AtomicU64);

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// When every test's clock starts, unix milliseconds.
pub const START_MS: u64 = 1_795_000_000_000;

/// A running server, its clock, its operator's key and its data directory.
pub struct Fixture {
    pub server: RunningServer,
    pub clock: Arc<ManualClock>,
    pub operator: KeyFile,
    pub directory: tempfile::TempDir,
}

/// Starts a server on free ports, its configuration adjusted by `adjust`.
pub async fn start(adjust: impl FnOnce(&mut ServerConfig)) -> Fixture {
    let directory = tempfile::tempdir().unwrap();
    let operator = KeyFile::generate("990440000395".parse().unwrap());
    let mut config = ServerConfig {
        data_dir: directory.path().join("data"),
        http_addr: "127.0.0.1:0".parse().unwrap(),
        grpc_addr: "127.0.0.1:0".parse().unwrap(),
        bootstrap_operator: Some(BootstrapOperator {
            id: operator.participant,
            name: "Operator".into(),
            public_key_hex: tanba_crypto::encoding::hex(&operator.public_key()),
        }),
        ..ServerConfig::default()
    };
    adjust(&mut config);
    let clock = Arc::new(ManualClock(AtomicU64::new(START_MS)));
    let server = RunningServer::start_with_clock(config, clock.clone())
        .await
        .unwrap();
    Fixture {
        server,
        clock,
        operator,
        directory,
    }
}

impl Fixture {
    /// The gRPC address.
    pub fn grpc(&self) -> String {
        self.server.grpc_addr.to_string()
    }

    /// The HTTP base URL.
    pub fn http(&self) -> String {
        format!("http://{}", self.server.http_addr)
    }

    /// A connection signed in as the operator.
    pub async fn operator(&self) -> Connection {
        let mut connection = Connection::connect(&self.grpc())
            .await
            .unwrap()
            .with_language(Language::En);
        connection.sign_in(&self.operator).await.unwrap();
        connection
    }
}
