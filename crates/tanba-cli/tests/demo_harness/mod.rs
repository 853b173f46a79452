//! The black-box fixture: the real `tanba demo` process on free ports with a temporary data
//! directory, driven through the generated gRPC client and plain HTTP. Its seeded world (every
//! role, codes of every verdict, key files) is the stage each test plays on. [`Served`] is a
//! plain `tanba serve` over a data directory a test made (a node of a cluster, a restore).

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tanba_client::{AuditQuery, ClientError, Connection, KeyFile};
use tanba_proto::v1 as pb;
use tanba_types::{CodeKey, Language, ScannedCode, TaxpayerId};

/// How long the demo may take to start and seed.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A running demo server.
pub struct Demo {
    child: Option<Child>,
    pub directory: tempfile::TempDir,
    data: PathBuf,
    pub codes: Value,
    pub http: String,
    pub grpc: String,
    pub web: reqwest::Client,
}

impl Demo {
    /// Starts `tanba demo` and waits until it has seeded and serves.
    pub fn start() -> Demo {
        Demo::start_with(&[])
    }

    /// [`Demo::start`] with `TANBA_*` settings (small caps, short timeouts) in its environment.
    pub fn start_with(settings: &[(&str, &str)]) -> Demo {
        let directory = tempfile::tempdir().unwrap();
        let data = directory.path().join("data");
        Demo::start_at(directory, data, settings)
    }

    /// [`Demo::start_with`] over `data` (a fresh path, e.g. on a small file system mounted
    /// inside `directory`).
    pub fn start_at(
        directory: tempfile::TempDir,
        data: PathBuf,
        settings: &[(&str, &str)],
    ) -> Demo {
        let child = Command::new(env!("CARGO_BIN_EXE_tanba"))
            .args(["demo", "--data"])
            .arg(&data)
            .args(["--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0"])
            .envs(settings.iter().copied())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut demo = Demo {
            child: Some(child),
            directory,
            data: data.clone(),
            codes: Value::Null,
            http: String::new(),
            grpc: String::new(),
            web: reqwest::Client::new(),
        };
        let path = data.join("demo-codes.json");
        let started = Instant::now();
        loop {
            if let Some(status) = demo.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("tanba demo exited early: {status}");
            }
            if let Some(codes) = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            {
                demo.http = codes["http"].as_str().unwrap().to_owned();
                demo.grpc = codes["grpc"].as_str().unwrap().to_owned();
                demo.codes = codes;
                return demo;
            }
            assert!(started.elapsed() < START_TIMEOUT, "the demo did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The data directory.
    pub fn data(&self) -> PathBuf {
        self.data.clone()
    }

    /// A participant's key file by its handle (`water`, `shop_almaty`, ...).
    pub fn key(&self, handle: &str) -> KeyFile {
        let participants = self.codes["participants"].as_array().unwrap();
        let participant = participants
            .iter()
            .find(|p| p["handle"] == handle)
            .unwrap_or_else(|| panic!("no participant {handle}"));
        KeyFile::read(Path::new(participant["key_file"].as_str().unwrap())).unwrap()
    }

    /// A participant's IIN/BIN.
    pub fn id(&self, handle: &str) -> TaxpayerId {
        self.key(handle).participant
    }

    /// A connection signed in as `handle`, answering in English.
    pub async fn as_participant(&self, handle: &str) -> Connection {
        let mut connection = Connection::connect(&self.grpc)
            .await
            .unwrap()
            .with_language(Language::En);
        connection.sign_in(&self.key(handle)).await.unwrap();
        connection
    }

    /// An anonymous connection.
    pub async fn anonymous(&self, language: Language) -> Connection {
        Connection::connect(&self.grpc)
            .await
            .unwrap()
            .with_language(language)
    }

    /// The `n`th raw code of a verdict in `demo-codes.json`.
    pub fn code(&self, verdict: &str, n: usize) -> String {
        self.codes[verdict][n]["raw"].as_str().unwrap().to_owned()
    }

    /// The `n`th Digital Link of a verdict.
    pub fn link(&self, verdict: &str, n: usize) -> String {
        self.codes[verdict][n]["digital_link"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The public check as JSON over HTTP.
    pub async fn check(&self, code: &str, language: &str) -> Value {
        let response = self
            .web
            .get(format!("{}/v1/check", self.http))
            .query(&[("code", code), ("lang", language)])
            .send()
            .await
            .unwrap();
        response.json().await.unwrap()
    }

    /// The log head, read from `/metrics`.
    pub async fn log_head(&self) -> u64 {
        log_head_at(&self.web, &self.http).await
    }

    /// A bearer token over the HTTP sign-in, as a till gets one.
    pub async fn http_token(&self, handle: &str) -> String {
        http_token_at(&self.web, &self.http, &self.key(handle)).await
    }

    /// Kills the server with SIGKILL, mid-whatever it was doing, and starts it again over the
    /// same data directory on the same ports; returns once it answers `/healthz`.
    pub fn kill_and_restart(&mut self, settings: &[(&str, &str)]) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        let http = self.http.trim_start_matches("http://").to_owned();
        let child = Command::new(env!("CARGO_BIN_EXE_tanba"))
            .args(["demo", "--data"])
            .arg(self.data())
            .args(["--http-addr", &http, "--grpc-addr", &self.grpc])
            .envs(settings.iter().copied())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let started = Instant::now();
        while !healthy(&http) {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("tanba demo exited after a restart: {status}");
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "the demo did not restart"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server with SIGTERM and returns how it exited.
    pub fn stop(mut self) -> ExitStatus {
        self.terminate()
    }

    /// [`Demo::stop`], keeping the data directory to look into.
    pub fn terminate(&mut self) -> ExitStatus {
        terminate(self.child.take().unwrap())
    }
}

/// A bearer token for `key`, signed in over the HTTP door of the server at `http`.
pub async fn http_token_at(web: &reqwest::Client, http: &str, key: &KeyFile) -> String {
    use base64::Engine;
    use tanba_crypto::Signer;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let challenge: Value = (web.post(format!("{http}/v1/auth/challenge")))
        .json(&serde_json::json!({ "participant": key.participant.to_string() }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bytes = engine
        .decode(challenge["challenge"].as_str().unwrap())
        .unwrap();
    let signature = key
        .signer()
        .sign(&tanba_crypto::sign_in::sign_in_message(&bytes));
    let token: Value = (web.post(format!("{http}/v1/auth/sign-in")))
        .json(&serde_json::json!({
            "participant": key.participant.to_string(),
            "challenge": challenge["challenge"],
            "signature": engine.encode(signature),
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["token"].as_str().unwrap().to_owned()
}

/// `tanba serve` over a data directory, started by a test; killed when dropped.
pub struct Served {
    child: Option<Child>,
    /// Its data directory.
    pub data: PathBuf,
    /// Its HTTP base URL.
    pub http: String,
    /// Its gRPC address.
    pub grpc: String,
}

impl Served {
    /// Starts `tanba serve` over `data` on free ports, with `args` besides, and waits until it
    /// serves (it prints its addresses then).
    pub fn start(data: &Path, args: &[&std::ffi::OsStr]) -> Served {
        Served::start_with_env(data, args, &[])
    }

    /// [`Served::start`] with `environment` besides (settings read from the environment only,
    /// such as passwords).
    pub fn start_with_env(
        data: &Path,
        args: &[&std::ffi::OsStr],
        environment: &[(&str, &str)],
    ) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tanba"))
            .args(["serve", "--data"])
            .arg(data)
            .args(["--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0"])
            .args(args)
            .envs(environment.iter().copied())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (addresses, served) = std::sync::mpsc::channel();
        // Reads all it prints, so the pipe never fills; passes on where it serves.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                for door in ["http", "grpc"] {
                    if let Some(address) = line.strip_prefix(&format!("{door}: ")) {
                        let _ = addresses.send((door, address.to_owned()));
                    }
                }
            }
        });
        let deadline = Instant::now() + START_TIMEOUT;
        let (mut http, mut grpc) = (None, None);
        while http.is_none() || grpc.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            match served.recv_timeout(left) {
                Ok(("http", address)) => http = Some(address),
                Ok((_, address)) => grpc = Some(address),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    panic!("the server over {} ended before serving", data.display())
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "the server over {} did not serve in {START_TIMEOUT:?}",
                        data.display()
                    )
                }
            }
        }
        Served {
            child: Some(child),
            data: data.to_owned(),
            http: http.unwrap(),
            grpc: grpc.unwrap(),
        }
    }

    /// Kills it with SIGKILL.
    pub fn kill(&mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Stops it with SIGTERM and returns how it exited.
    pub fn terminate(&mut self) -> ExitStatus {
        terminate(self.child.take().unwrap())
    }

    /// A connection signed in with `key`.
    pub async fn signed_in(&self, key: &KeyFile) -> Connection {
        let mut connection = Connection::connect(&self.grpc).await.unwrap();
        connection.sign_in(key).await.unwrap();
        connection
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Stops a server process with SIGTERM (a graceful stop) and returns how it exited.
pub fn terminate(mut child: Child) -> ExitStatus {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap()
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The log head of the server at `http` (`http://host:port`), read from its `/metrics`.
pub async fn log_head_at(web: &reqwest::Client, http: &str) -> u64 {
    metric_at(web, http, "tanba_log_head_sequence")
        .await
        .expect("the log head is measured") as u64
}

/// A metric without labels of the server at `http`, if it has been measured.
pub async fn metric_at(web: &reqwest::Client, http: &str, name: &str) -> Option<f64> {
    let text = (web.get(format!("{http}/metrics")).send().await.unwrap())
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse::<f64>().ok())
}

/// Whether the server at `address` answers `/healthz` with 200 (plain HTTP/1.0, blocking).
fn healthy(address: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(address) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut answer = String::new();
    stream
        .write_all(b"GET /healthz HTTP/1.0\r\n\r\n")
        .and_then(|()| stream.read_to_string(&mut answer))
        .is_ok_and(|_| answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"))
}

/// The key of a raw code.
pub fn key_of(raw: &str) -> CodeKey {
    ScannedCode::read(raw).unwrap().key
}

/// The stable code of a refusal, from an operation or a raw call.
pub fn refusal<T: std::fmt::Debug, E: Into<ClientError> + std::fmt::Debug>(
    result: Result<T, E>,
) -> String {
    result.unwrap_err().into().code().unwrap().to_owned()
}

/// Orders `quantity` codes of `gtin` as `connection`, waits for them and downloads them.
pub async fn order_codes(connection: &Connection, gtin: &str, quantity: u32) -> Vec<String> {
    let gtin = tanba_types::Gtin::parse(gtin).unwrap();
    let order = connection
        .order_and_wait(gtin, quantity, START_TIMEOUT, |_| {})
        .await
        .unwrap();
    let codes = connection.download_all(order).await.unwrap();
    assert_eq!(codes.len(), quantity as usize);
    codes
}

/// Yesterday in Kazakhstan, by the wall clock (the demo server's).
pub fn yesterday() -> tanba_types::Date {
    tanba_types::Date::from_unix_ms_in_kz(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
            - 86_400_000,
    )
}

/// Reports codes applied (made yesterday) and introduces them as own production.
pub async fn bring_into_circulation(connection: &Connection, codes: &[String]) {
    let applied = tanba_client::Applied {
        production_date: yesterday(),
        expiry_date: None,
        batch: Some("B-1".into()),
    };
    connection
        .report_applied(codes.to_vec(), &applied)
        .await
        .unwrap();
    connection
        .introduce(codes.to_vec(), &tanba_types::Introduction::OwnProduction)
        .await
        .unwrap();
}

/// Ships `items` from `seller` to `buyer` (signed); returns the document id.
pub async fn ship(seller: &Connection, buyer: TaxpayerId, items: &[String]) -> u64 {
    seller.ship(buyer, items.to_vec()).await.unwrap()
}

/// The buyer accepts everything (signed).
pub async fn accept_all(buyer: &Connection, document: u64) {
    buyer.accept_all(document).await.unwrap();
}

/// `count` fresh codes of the demo's water, made, introduced and accepted by `shop`: goods on
/// its shelf.
pub async fn on_shelf(demo: &Demo, shop: &str, count: u32) -> Vec<String> {
    let water = demo.as_participant("water").await;
    let codes = order_codes(&water, &gtin_of(&demo.code("genuine", 0)), count).await;
    bring_into_circulation(&water, &codes).await;
    let document = ship(&water, demo.id(shop), &codes).await;
    accept_all(&demo.as_participant(shop).await, document).await;
    codes
}

/// The GTIN of a raw code.
pub fn gtin_of(raw: &str) -> String {
    key_of(raw).gtin().unwrap().to_string()
}

/// A valid SSCC (bracketed), numbered `n` in a range the demo never uses.
pub fn sscc(n: u64) -> String {
    let payload = format!("{:017}", 14_879_990_000_000_000 + n);
    let check = tanba_gs1::check_digit::compute(&payload).unwrap();
    format!("(00){payload}{check}")
}

/// Every audit record `reader` may read that `query` asks for (at most 10,000 unless it says).
pub async fn audit_records(reader: &Connection, mut query: AuditQuery) -> Vec<pb::AuditRecord> {
    if query.limit == 0 {
        query.limit = 10_000;
    }
    reader.query_audit(&query).await.unwrap()
}

/// The first audit record of `query` that `wanted` accepts, waiting up to five seconds for it:
/// the audit thread writes a call's record a moment after the answer.
pub async fn audit_record_where(
    reader: &Connection,
    query: AuditQuery,
    wanted: impl Fn(&pb::AuditRecord) -> bool,
) -> pb::AuditRecord {
    let started = Instant::now();
    loop {
        let records = audit_records(reader, query.clone()).await;
        if let Some(record) = records.into_iter().find(|record| wanted(record)) {
            return record;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no such audit record: {query:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
