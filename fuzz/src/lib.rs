//! What the fuzz targets that go through the server's doors share: one server in the process,
//! its real HTTP and gRPC routers (the gate, the rate limits, the handlers, the audit) over a
//! started engine on the in-memory store (the store is not what is fuzzed, and a fuzzer's
//! thousands of calls per second should not wait on fsync), with an operator, a producer and a
//! shop registered and signed in.
//! A request goes to a router as it would after the accept loop, so everything a stranger's bytes
//! reach is what is fuzzed; and every answer is held to what the server promises its callers:
//! never a panic, never a fault of the server (HTTP 5xx but 503, gRPC INTERNAL or UNKNOWN), and
//! every HTTP refusal a coded JSON error or a page.
//!
//! The server's state carries over from input to input, as a real server's does: an input can
//! meet what earlier ones left (a participant the signed-in operator suspended, say), so a saved
//! failing input is replayed with its corpus when it does not fail alone.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use rand_core::OsRng;
use tanba_crypto::KeyRing;
use tanba_crypto::scheme::{Ed25519Signer, Signer};
use tanba_crypto::sign_in::{SignInSecret, sign_in_message};
use tanba_engine::{Clock, Engine, EngineConfig};
use tanba_server::config::Rates;
use tanba_server::net::PeerAddr;
use tanba_server::{App, ServerConfig, audit::AuditLog};
use tanba_store::{MemoryStore, Store};
use tanba_types::{Actor, Command, Participant, ParticipantKey, ParticipantStatus, Role};
use tower::ServiceExt;

/// Who signs in, so that inputs reach past each role's check: valid BINs (check digits hold).
const CAST: [(&str, Role); 3] = [
    ("120440000018", Role::Operator),
    ("050440000121", Role::Producer),
    ("140440001218", Role::Retailer),
];
/// A rate no fuzzer reaches: the limits are tested elsewhere, here every input is judged.
const RATE_UNREACHED: u32 = 1_000_000_000;
/// Where every request comes from (a peer the accept loop would have marked).
const PEER: &str = "192.0.2.1:40000";
/// How long an answer's body is read before it counts as a stream that stays open.
const OPEN_STREAM_WAIT: std::time::Duration = std::time::Duration::from_millis(200);
/// The server's time, fixed (2026-06-01T00:00Z): tokens never expire in a long run, and an
/// input that fails fails again at any hour.
const FUZZ_TIME_MS: u64 = 1_780_272_000_000;

/// A clock that stands still.
struct FixedClock(u64);

impl Clock for FixedClock {
    fn now_ms(&self) -> u64 {
        self.0
    }
}

/// The server in the process.
pub struct Door {
    runtime: tokio::runtime::Runtime,
    http: axum::Router,
    grpc: axum::Router,
    /// Bearer tokens of the cast, in its order.
    tokens: Vec<String>,
}

/// An answer, whole.
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The trailers (gRPC's status travels here unless the answer is trailers-only).
    pub trailers: Option<HeaderMap>,
    /// The body.
    pub body: Vec<u8>,
    /// The body was still streaming after [`OPEN_STREAM_WAIT`] (a watch): not read to its end.
    pub open_stream: bool,
}

/// The one server of the process, started on first use.
pub fn door() -> &'static Door {
    static DOOR: OnceLock<Door> = OnceLock::new();
    DOOR.get_or_init(Door::start)
}

impl Door {
    fn start() -> Door {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let (http, grpc, tokens) = runtime.block_on(async {
            let clock = Arc::new(FixedClock(FUZZ_TIME_MS));
            let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
            let ring = Arc::new(KeyRing::generate(FUZZ_TIME_MS, &mut OsRng));
            let engine = Engine::start(
                store.clone(),
                ring.clone(),
                clock.clone(),
                EngineConfig::default(),
            )
            .expect("the engine starts on an empty store");
            let mut keys = Vec::new();
            for (id, role) in CAST {
                let key = Ed25519Signer::generate(&mut OsRng);
                register(&engine, id, role, &key).await;
                keys.push((id, key));
            }
            let audit = AuditLog::start(store, ring, engine.head().sequence).expect("audit");
            let config = ServerConfig {
                rates: Rates {
                    anonymous_per_ip_per_second: RATE_UNREACHED,
                    anonymous_burst: RATE_UNREACHED,
                    participant_per_second: RATE_UNREACHED,
                    participant_burst: RATE_UNREACHED,
                    reports_per_ip_per_hour: RATE_UNREACHED,
                },
                ..ServerConfig::default()
            };
            // A fixed sign-in secret: nothing here needs secrecy, and a fixed one keeps the
            // tokens' shape the same from run to run.
            let secret =
                SignInSecret::from_bytes([7; tanba_crypto::sign_in::SIGN_IN_SECRET_LENGTH]);
            // The data export worker never runs here; its directory must exist all the same.
            let exports_dir = std::env::temp_dir().join("tanba-fuzz-exports");
            let exports = tanba_server::exports::Exports::open(exports_dir, 0).expect("exports");
            // Nor does the webhook worker; the subscriptions' file needs its directory.
            let webhooks_dir = std::env::temp_dir().join("tanba-fuzz-webhooks");
            let webhooks =
                tanba_server::webhooks::Webhooks::open(&webhooks_dir, config.webhooks.clone())
                    .expect("webhooks");
            let app = Arc::new(App::new(
                engine, clock, audit, config, secret, exports, webhooks,
            ));
            let tokens = keys
                .iter()
                .map(|(id, key)| sign_in(&app, id, key))
                .collect();
            let http = tanba_server::http::router(app.clone(), tanba_server::metrics_handle());
            (http, tanba_server::grpc::router(app), tokens)
        });
        Door {
            runtime,
            http,
            grpc,
            tokens,
        }
    }

    /// The caller a fuzz input picks: anonymous, or one of the cast signed in.
    pub fn caller(&self, pick: u8) -> Option<&str> {
        match usize::from(pick) % (self.tokens.len() + 1) {
            0 => None,
            index => Some(&self.tokens[index - 1]),
        }
    }

    /// Sends `request` to the HTTP router and checks the answer is one the server may give.
    pub fn http(&self, request: Request<Body>) -> Answer {
        let answer = self.send(&self.http, request);
        // 503 is the one server-side answer a caller may get for its own request (the store
        // refusing writes, a call past its time); every other 5xx is a fault of the server.
        assert!(
            !answer.status.is_server_error() || answer.status == StatusCode::SERVICE_UNAVAILABLE,
            "a fault of the server: {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
        if answer.status.is_client_error() {
            assert_refusal_is_coded(&answer);
        }
        answer
    }

    /// Sends one gRPC message (its protobuf bytes, framed here) to `path` and checks the
    /// status is not a fault of the server.
    pub fn grpc(&self, path: &str, message: &[u8], token: Option<&str>) -> Answer {
        let mut framed = Vec::with_capacity(message.len() + 5);
        framed.push(0);
        framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
        framed.extend_from_slice(message);
        let mut request = Request::post(path)
            .header("content-type", "application/grpc")
            .header("te", "trailers");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let answer = self.send(
            &self.grpc,
            request.body(Body::from(framed)).expect("a request"),
        );
        if answer.open_stream {
            // A stream that stays open (an inbox watch) is an answer under way, not a fault.
            return answer;
        }
        let status = answer
            .headers
            .get("grpc-status")
            .or_else(|| answer.trailers.as_ref()?.get("grpc-status"))
            .map(|value| value.to_str().unwrap_or("?").to_owned())
            .unwrap_or_default();
        assert!(
            !matches!(status.as_str(), "2" | "13" | ""),
            "{path}: gRPC status {status:?}: {:?}",
            answer.headers.get("grpc-message")
        );
        answer
    }

    fn send(&self, router: &axum::Router, mut request: Request<Body>) -> Answer {
        let peer: SocketAddr = PEER.parse().expect("an address");
        request.extensions_mut().insert(PeerAddr(peer));
        self.runtime.block_on(async {
            let response = router.clone().oneshot(request).await.expect("infallible");
            let (parts, body) = response.into_parts();
            let Ok(collected) = tokio::time::timeout(OPEN_STREAM_WAIT, body.collect()).await else {
                return Answer {
                    status: parts.status,
                    headers: parts.headers,
                    trailers: None,
                    body: Vec::new(),
                    open_stream: true,
                };
            };
            let collected = collected.expect("the body is read whole");
            let trailers = collected.trailers().cloned();
            Answer {
                status: parts.status,
                headers: parts.headers,
                trailers,
                body: collected.to_bytes().to_vec(),
                open_stream: false,
            }
        })
    }
}

/// A refusal over HTTP is a page (the browser routes) or `{"error": {"code": "TANBA-...", ...}}`.
fn assert_refusal_is_coded(answer: &Answer) {
    let content_type = answer
        .headers
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("text/html") {
        return;
    }
    assert!(
        content_type.starts_with("application/json"),
        "a refusal as {content_type:?}"
    );
    let error: serde_json::Value = serde_json::from_slice(&answer.body).expect("a refusal is JSON");
    let code = error["error"]["code"].as_str().unwrap_or_default();
    assert!(
        code.starts_with("TANBA-"),
        "a refusal without a code: {error}"
    );
}

async fn register(engine: &Engine, id: &str, role: Role, key: &Ed25519Signer) {
    let participant = Participant {
        id: id.parse().expect("a valid BIN"),
        name: format!("Fuzz {role:?}"),
        roles: [role].into_iter().collect(),
        keys: vec![ParticipantKey {
            algorithm: "ed25519".into(),
            public_key: key.public_key_bytes(),
        }],
        status: ParticipantStatus::Active,
    };
    engine
        .submit(Actor::System, Command::RegisterParticipant(participant))
        .expect("queued")
        .await
        .expect("registered");
}

fn sign_in(app: &App, id: &str, key: &Ed25519Signer) -> String {
    let id = id.parse().expect("a valid BIN");
    let (challenge, _) = app.challenge(&id).expect("a challenge");
    let signature = key.sign(&sign_in_message(&challenge));
    let (token, _) = app
        .sign_in(&id, &challenge, &signature, &[])
        .expect("a registered participant signs in");
    token
}

/// Every method of every Tanba gRPC service, as request paths, read from the compiled protos
/// (a new method is fuzzed without touching the target).
pub fn grpc_methods() -> &'static [String] {
    static METHODS: OnceLock<Vec<String>> = OnceLock::new();
    METHODS.get_or_init(|| {
        use prost::Message;
        let set = prost_types::FileDescriptorSet::decode(tanba_proto::FILE_DESCRIPTOR_SET)
            .expect("the descriptor set the server registers decodes");
        let mut methods = Vec::new();
        for file in &set.file {
            for service in &file.service {
                for method in &service.method {
                    methods.push(format!(
                        "/{}.{}/{}",
                        file.package(),
                        service.name(),
                        method.name()
                    ));
                }
            }
        }
        assert!(!methods.is_empty(), "no gRPC methods in the descriptor set");
        methods
    })
}
