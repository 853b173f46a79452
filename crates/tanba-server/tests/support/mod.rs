//! What the in-process server tests share: a server on real sockets with a fresh data
//! directory, a bootstrap operator whose key the test holds, and the clock in the test's hand.

#![allow(dead_code)] // each test file uses part of it

pub mod browser;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use std::time::Duration;

use tanba_client::{Applied, Connection, KeyFile};
use tanba_engine::Clock;
use tanba_proto::v1 as pb;
use tanba_server::config::BootstrapOperator;
use tanba_server::{RunningServer, ServerConfig};
use tanba_types::{Date, Introduction, Language};

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

/// A registration with one role and one Ed25519 key.
pub fn participant(key: &KeyFile, name: &str, role: pb::Role) -> pb::Participant {
    pb::Participant {
        id: key.participant.to_string(),
        name: name.to_owned(),
        roles: vec![role as i32],
        keys: vec![pb::ParticipantKey {
            algorithm: "ed25519".into(),
            public_key: key.public_key(),
        }],
        suspended: false,
        registration_ceased: false,
    }
}

/// Names in the three languages.
pub fn names(kk: &str, ru: &str, en: &str) -> tanba_types::Names {
    tanba_types::Names {
        kk: kk.into(),
        ru: ru.into(),
        en: Some(en.into()),
    }
}

impl Fixture {
    /// Registers a participant with one role; its key.
    pub async fn member(&self, id: &str, name: &str, role: pb::Role) -> KeyFile {
        let key = KeyFile::generate(id.parse().unwrap());
        self.operator()
            .await
            .registry()
            .register_participant(pb::RegisterParticipantRequest {
                participant: Some(participant(&key, name, role)),
            })
            .await
            .unwrap();
        key
    }

    /// A bearer token for the HTTP API, signed in with `key` (the JSON sign-in a till makes).
    pub async fn http_token(&self, key: &KeyFile) -> String {
        use tanba_crypto::Signer;
        use tanba_crypto::encoding::{base64url, base64url_decode};
        let http = reqwest::Client::new();
        let participant = key.participant.to_string();
        let asked: serde_json::Value = http
            .post(format!("{}/v1/auth/challenge", self.http()))
            .json(&serde_json::json!({ "participant": participant }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let challenge = base64url_decode(asked["challenge"].as_str().unwrap()).unwrap();
        let message = tanba_crypto::sign_in::sign_in_message(&challenge);
        let signed: serde_json::Value = http
            .post(format!("{}/v1/auth/sign-in", self.http()))
            .json(&serde_json::json!({
                "participant": participant,
                "challenge": base64url(&challenge),
                "signature": base64url(&key.signer().sign(&message)),
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        signed["token"].as_str().unwrap().to_owned()
    }

    /// A water producer (registered as `producer`, with its category and product) with
    /// `count` bottles of its own production in circulation: its signed-in connection and the
    /// bottles' codes.
    pub async fn goods_in_circulation(
        &self,
        producer: &str,
        count: u32,
    ) -> (Connection, Vec<String>) {
        let key = self.member(producer, "Су зауыты", pb::Role::Producer).await;
        self.goods_of(&key, count).await
    }

    /// [`Fixture::goods_in_circulation`] for a producer registered already (its key).
    pub async fn goods_of(&self, key: &KeyFile, count: u32) -> (Connection, Vec<String>) {
        let (connection, codes) = self.issued_codes(key, count).await;
        let applied = Applied {
            production_date: Date::from_unix_ms_in_kz(START_MS),
            expiry_date: None,
            batch: Some("B1".into()),
        };
        connection
            .report_applied(codes.clone(), &applied)
            .await
            .unwrap();
        (connection.introduce(codes.clone(), &Introduction::OwnProduction))
            .await
            .unwrap();
        (connection, codes)
    }

    /// `count` codes issued to a producer registered already (its key), of its water product
    /// (registered here, with its category): its signed-in connection and the codes, emitted.
    pub async fn issued_codes(&self, key: &KeyFile, count: u32) -> (Connection, Vec<String>) {
        self.operator()
            .await
            .define_category(&tanba_types::Category {
                code: "water".into(),
                names: names("Су", "Вода", "Water"),
                tail_profile: tanba_types::TailProfile::Full,
                return_period_days: 14,
                control_list_code: None,
            })
            .await
            .unwrap();
        let mut connection = Connection::connect(&self.grpc()).await.unwrap();
        connection.sign_in(key).await.unwrap();
        let gtin = tanba_types::Gtin::parse("04870000000005").unwrap();
        connection
            .register_product(&tanba_types::Product {
                gtin,
                names: names("Ауыз су, 1 л", "Питьевая вода, 1 л", "Drinking water, 1 l"),
                producer_name: "Су зауыты".into(),
                producer: Some(key.participant),
                importer: None,
                country: "KZ".into(),
                hs_code: "2201101100".parse().unwrap(),
                category: "water".into(),
                level: tanba_types::PackageLevel::Unit,
                shelf_life_days: Some(365),
            })
            .await
            .unwrap();
        let order = connection
            .order_and_wait(gtin, count, Duration::from_secs(30), |_| {})
            .await
            .unwrap();
        let codes = connection.download_all(order).await.unwrap();
        (connection, codes)
    }
}
