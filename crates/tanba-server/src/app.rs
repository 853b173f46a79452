//! What every handler shares, and the one path every call takes through it: who is calling
//! (the client IP, the bearer token, the language), whether it may (rate limits, sign-in,
//! roles), and the audit record it leaves, whatever the outcome.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use dashmap::DashMap;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota};
use rand_core::OsRng;
use tanba_crypto::Algorithm;
use tanba_crypto::sign_in::{self, SignInSecret};
use tanba_engine::{Clock, Engine, EngineError, Receipt, query};
use tanba_types::{
    Actor, CodeKey, Command, Language, Participant, ParticipantStatus, Role, ScannedCode,
    TaxpayerId,
};

use crate::audit::{
    AUDIT_CODES_MAX, AUDIT_DOCUMENTS_MAX, AUDIT_REFERENCE_CHARS_MAX, AuditEntry, AuditLog,
    AuditRecord,
};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::public::PublicDesk;

/// Client keys the rate limiters track at once before they forget idle ones out of turn (the
/// minute's sweep usually keeps them far below).
pub const RATE_LIMITED_KEYS_MAX: usize = 1_000_000;

/// The key a client is rate limited by: its IPv4 address, or its IPv6 /64 (one subscriber's
/// network: a client holding a /64 must not get 2^64 budgets).
fn rate_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
    }
}

/// Largest request body a caller without a valid token may send, in bytes (a sign-in, a
/// public check, a violation report fit many times over); past it the body is cut off unread.
pub const ANONYMOUS_BODY_BYTES_MAX: usize = 64 * 1024;

/// Set on a request by [`gate`] when it counted it against the anonymous rate.
#[derive(Debug, Clone, Copy)]
pub struct AnonymousPaid;

/// In front of every handler of both ports: a request without a valid bearer token of an
/// active participant (none, malformed, expired, forged, suspended) pays the anonymous rate of
/// its client here, before anything is read or parsed, and past that rate is refused at once
/// (counted in metrics, not audited: a flood must not fill the audit trail); its body is cut
/// off at [`ANONYMOUS_BODY_BYTES_MAX`] (the public page's report form, with its photo, at
/// [`crate::http::anonymous_body_bytes_max`]'s larger limit).
/// Health, metrics and the OpenAPI document are not calls and pass.
pub async fn gate(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let not_a_call = request.method() == axum::http::Method::GET
        && matches!(
            request.uri().path(),
            "/healthz" | "/metrics" | "/openapi.json"
        );
    if not_a_call {
        return next.run(request).await;
    }
    // A node whose log differs from its cluster's misleads whoever it answers.
    if app.divergence.get().is_some() {
        metrics::counter!("tanba_refused_diverged_total").increment(1);
        return refusal(&app, &request, &ApiError::diverged());
    }
    let headers = request.headers();
    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    // A token sealed for a participant since suspended is a stranger's: it pays the anonymous
    // rate and the anonymous body limit, like no token at all.
    let holder = app.token_holder(authorization).or_else(|error| {
        crate::console::cookie(headers, crate::session::SESSION_COOKIE)
            .and_then(|key| app.find_session(key))
            .map(|session| session.participant)
            .ok_or(error)
    });
    if holder.is_ok_and(|id| app.active_participant(&id).is_ok()) {
        return answer_in_order(&app, request, next, Stamp::Head).await;
    }
    let (client_ip, _) = app.origin(&request_meta(&request));
    if let Err(error) = app.anonymous_call(client_ip) {
        metrics::counter!("tanba_rate_limited_before_handler_total").increment(1);
        return refusal(&app, &request, &error);
    }
    request.extensions_mut().insert(AnonymousPaid);
    let body_bytes_max =
        crate::http::anonymous_body_bytes_max(request.method(), request.uri().path());
    let request = request
        .map(|body| axum::body::Body::new(http_body_util::Limited::new(body, body_bytes_max)));
    answer_in_order(&app, request, next, Stamp::None).await
}

/// Whether an answer carries [`SEQUENCE_HEADER`]: only a signed-in caller's (how far the log
/// is, in real time, is the market's activity: not a stranger's to watch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stamp {
    Head,
    None,
}

/// The header (gRPC metadata alike) by which a caller names the log entry its answer must
/// reflect: the `last_sequence` of its own last write, when it reads through another node of
/// a cluster (a consistency token).
pub const AFTER_SEQUENCE_HEADER: &str = "x-tanba-after";
/// The header every call's answer carries: the last log entry the node had applied when it
/// answered (what a caller names in [`AFTER_SEQUENCE_HEADER`] to read as far on another node).
pub const SEQUENCE_HEADER: &str = "x-tanba-sequence";
/// How long a call naming a log entry waits for this node to apply it before it is refused.
pub const CONSISTENCY_WAIT_MAX: std::time::Duration = std::time::Duration::from_secs(2);
/// Calls waiting for a log entry at once, over everyone; past it a call naming an entry not yet
/// applied is refused at once (`TANBA-SERVER-BEHIND`): each waiter holds a connection and a
/// task, and wakes at every commit.
pub const CONSISTENCY_WAITERS_MAX: usize = 256;

/// Answers a call that passed the gate, once this node has applied the log entry the caller
/// names in [`AFTER_SEQUENCE_HEADER`] (refused with `TANBA-SERVER-BEHIND` after
/// [`CONSISTENCY_WAIT_MAX`]), its answer stamped with [`SEQUENCE_HEADER`] if `stamp` says so.
async fn answer_in_order(
    app: &App,
    request: axum::extract::Request,
    next: axum::middleware::Next,
    stamp: Stamp,
) -> axum::response::Response {
    if let Err(error) = app.wait_until_applied(request.headers()).await {
        return refusal(app, &request, &error);
    }
    let mut response = next.run(request).await;
    if stamp == Stamp::Head {
        let head = axum::http::HeaderValue::from(app.engine.head().sequence);
        response.headers_mut().insert(SEQUENCE_HEADER, head);
    }
    response
}

/// What a request's headers and peer say about its caller.
fn request_meta(request: &axum::extract::Request) -> RequestMeta {
    let peer = request
        .extensions()
        .get::<crate::net::PeerAddr>()
        .map(|peer| peer.0);
    RequestMeta::from_headers(request.headers(), peer)
}

/// A refusal before any handler, as the request's door speaks it (gRPC or HTTP), in its
/// caller's language.
fn refusal(
    app: &App,
    request: &axum::extract::Request,
    error: &ApiError,
) -> axum::response::Response {
    let grpc = (request.headers().get(axum::http::header::CONTENT_TYPE))
        .is_some_and(|value| value.as_bytes().starts_with(b"application/grpc"));
    let (_, language) = app.origin(&request_meta(request));
    match grpc {
        true => error.to_status(language).into_http(),
        false => crate::http::error_response(error, language),
    }
}

/// The public key an unknown participant's sign-in is checked against: the Ed25519 base point's
/// encoding, a valid key whose secret no one here holds.
const STAND_IN_SIGN_IN_KEY: [u8; 32] = [
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
];

/// Codes that weigh one more call against a participant's rate: a command naming 100,000 codes
/// costs as much as 1,000 small calls, not one.
pub const RATE_CODES_PER_CALL: usize = 100;

/// Codes of a call without a valid token read for its audit record, at most.
pub const ANONYMOUS_CODES_NOTED_MAX: usize = 16;

/// Used sign-in challenges remembered at once; past it, new challenges wait for old ones to
/// expire (a flood of sign-ins cannot grow memory).
pub const USED_CHALLENGES_MAX: usize = 1_000_000;

/// The server's shared state.
pub struct App {
    /// The engine.
    pub engine: Engine,
    /// The clock (the engine's).
    pub clock: Arc<dyn Clock>,
    /// The audit trail.
    pub audit: AuditLog,
    /// Public reports and likely copies.
    pub public: PublicDesk,
    /// The configuration.
    pub config: ServerConfig,
    /// Attachment uploads under way.
    pub uploads: UploadSlots,
    /// Inbox watches open.
    pub inbox_watches: StreamSlots,
    /// Attachment downloads under way.
    pub downloads: StreamSlots,
    /// Participants' own-goods feeds followed.
    pub goods_feeds: StreamSlots,
    /// The state's feeds followed (tax, customs, EAEU, stages, registry, cases, all): places of
    /// their own, so participants following their goods never crowd a ministry out.
    pub state_feeds: StreamSlots,
    /// The clock tests move, when the server was started for tests.
    test_clock: std::sync::OnceLock<Arc<crate::test_clock::TestClock>>,
    sign_in_secret: SignInSecret,
    used_challenges: DashMap<[u8; 16], u64>,
    anonymous_limiter: DefaultKeyedRateLimiter<IpAddr>,
    participant_limiter: DefaultKeyedRateLimiter<TaxpayerId>,
    report_limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// What the whole public may write to the log (reports, opt-ins) per second, whatever its
    /// addresses.
    pub(crate) public_write_limiter: DefaultDirectRateLimiter,
    /// The likely-copy flags everyone's checks may raise per second ([`FLAGS_PER_SECOND`]).
    pub(crate) flag_limiter: DefaultDirectRateLimiter,
    /// The console's signed-in browsers.
    pub sessions: crate::session::Sessions,
    /// The console's background jobs (a file of packages being aggregated).
    pub console_jobs: crate::console::jobs::Jobs,
    /// The roots of accredited certification centres (empty: no certificate is trusted).
    pub trust_roots: tanba_crypto::x509::TrustRoots,
    /// How the register adapters fare.
    pub registers: crate::registers::AdapterBoard,
    /// The operator's public keys (what checkpoints are verified against on the feeds page).
    /// None until the server sets them at start (an in-process App without a ring has none).
    pub public_keys: Option<tanba_crypto::PublicKeySet>,
    /// The feeds followed on this node, for the console.
    pub feed_followers: Arc<crate::service::feeds::Followers>,
    /// The data exports' files and their worker.
    pub exports: crate::exports::Exports,
    /// EPCIS capture jobs of late, and the gates of captures and queries under way.
    pub epcis: crate::service::epcis::EpcisDesk,
    /// EPCIS named queries and subscriptions, and their deliveries.
    pub webhooks: crate::webhooks::Webhooks,
    /// Why this node stopped answering: its log differs from the other nodes' (set once by
    /// [`crate::heads`], cleared only by a restart after an operator restored it).
    pub divergence: std::sync::OnceLock<String>,
    /// The seal on the batches and heads this node shares with its cluster (none alone); its
    /// counts of forgeries met are exported as metrics.
    pub cluster_seal: Option<tanba_engine::seal::ClusterSeal>,
    /// The cluster's heads board as this node reads and writes it: sealed, made once at start
    /// (`start`), so that no part of the node reads the board unsealed (none alone).
    pub head_board: Option<Arc<tanba_engine::seal::SealedBoard>>,
    /// This node's name among its cluster's (none alone).
    pub node: Option<tanba_engine::heads::NodeName>,
    /// Calls waiting for a log entry ([`CONSISTENCY_WAITERS_MAX`]).
    consistency_waiters: tokio::sync::Semaphore,
}

/// Log writes the anonymous public may cause per second in all (violation reports, consumers'
/// opt-ins), beside each address's own rate: a stranger with many addresses still cannot grow
/// the permanent log faster than this.
pub const PUBLIC_WRITES_PER_SECOND: u32 = 20;

/// Likely-copy flags the public's checks may raise per second in all (each needs its code seen
/// with its genuine tail from many networks within minutes): a budget of their own, which no
/// flood of reports can spend.
pub const FLAGS_PER_SECOND: u32 = 20;

/// Attachment uploads streaming in at once, over everyone: each holds a writer's buffer and
/// writes to the store until it ends.
pub const UPLOADS_AT_ONCE_MAX: usize = 32;

/// Attachment uploads under way: one per participant at a time, at most
/// [`UPLOADS_AT_ONCE_MAX`] in all, so that no one fills the store's write path with parallel
/// 64 MiB streams.
#[derive(Default)]
pub struct UploadSlots {
    busy: DashMap<TaxpayerId, ()>,
}

/// An upload's place; freed when dropped.
pub struct UploadSlot<'a> {
    slots: &'a UploadSlots,
    who: TaxpayerId,
}

impl UploadSlots {
    /// Takes `who`'s place, refused while it has an upload under way or all places are taken.
    pub fn begin(&self, who: TaxpayerId) -> Result<UploadSlot<'_>, ApiError> {
        if self.busy.len() >= UPLOADS_AT_ONCE_MAX {
            return Err(ApiError::rate_limited());
        }
        match self.busy.entry(who) {
            dashmap::mapref::entry::Entry::Occupied(_) => Err(ApiError::rate_limited()),
            dashmap::mapref::entry::Entry::Vacant(place) => {
                place.insert(());
                Ok(UploadSlot { slots: self, who })
            }
        }
    }
}

impl Drop for UploadSlot<'_> {
    fn drop(&mut self) {
        self.slots.busy.remove(&self.who);
    }
}

/// Inbox watches one participant may hold open at once (each polls its inbox every second).
pub const WATCHES_PER_PARTICIPANT_MAX: usize = 4;
/// Attachment downloads one participant may have under way at once.
pub const DOWNLOADS_PER_PARTICIPANT_MAX: usize = 4;

/// Long-lived streams of one kind (inbox watches, downloads, feeds) open, counted per
/// participant and in all.
pub struct StreamSlots {
    open: Arc<DashMap<TaxpayerId, usize>>,
    total: Arc<std::sync::atomic::AtomicUsize>,
    per_participant_max: usize,
    total_max: usize,
}

/// A stream's place; freed when dropped (its task ends).
pub struct StreamSlot {
    open: Arc<DashMap<TaxpayerId, usize>>,
    total: Arc<std::sync::atomic::AtomicUsize>,
    who: TaxpayerId,
    /// The certificate the holder signed in with, if any: the stream ends once it is revoked.
    certificate: Option<crate::certificates::CertificateRef>,
    /// The roles one of which the holder needed to open it (none: any participant): the
    /// stream ends once it holds none of them.
    roles: &'static [Role],
}

impl StreamSlots {
    /// Slots of at most `per_participant_max` streams per participant.
    pub fn new(per_participant_max: usize) -> StreamSlots {
        StreamSlots::bounded(per_participant_max, usize::MAX)
    }

    /// Slots of at most `per_participant_max` streams per participant, `total_max` in all.
    pub fn bounded(per_participant_max: usize, total_max: usize) -> StreamSlots {
        StreamSlots {
            open: Arc::new(DashMap::new()),
            total: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            per_participant_max,
            total_max,
        }
    }

    /// Takes one of `who`'s places, refused past either limit; `certificate` is the one its
    /// token rests on ([`Call::certificate`]), `roles` those one of which it must keep holding
    /// (as it held to open the stream; none: any participant).
    pub fn begin(
        &self,
        who: TaxpayerId,
        certificate: Option<&crate::certificates::CertificateRef>,
        roles: &'static [Role],
    ) -> Result<StreamSlot, ApiError> {
        use std::sync::atomic::Ordering;
        let taken = self
            .total
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |total| {
                (total < self.total_max).then_some(total + 1)
            });
        if taken.is_err() {
            return Err(ApiError::rate_limited());
        }
        let mut count = self.open.entry(who).or_insert(0);
        if *count >= self.per_participant_max {
            drop(count);
            self.total.fetch_sub(1, Ordering::AcqRel);
            return Err(ApiError::rate_limited());
        }
        *count += 1;
        Ok(StreamSlot {
            open: self.open.clone(),
            total: self.total.clone(),
            who,
            certificate: certificate.cloned(),
            roles,
        })
    }
}

impl StreamSlot {
    /// Whose stream it is.
    pub fn participant(&self) -> TaxpayerId {
        self.who
    }
}

impl App {
    /// Whether a stream's holder may still read it: an active participant still holding one of
    /// the stream's roles, and the certificate it signed in with (if any) not revoked. Streams
    /// ask before every read.
    pub fn stream_holder_stands(&self, slot: &StreamSlot) -> bool {
        let certificate_stands = (slot.certificate.as_ref())
            .is_none_or(|certificate| self.certificate_stands(certificate).is_ok());
        let holds_a_role = |participant: Participant| {
            slot.roles.is_empty() || slot.roles.iter().any(|role| participant.has_role(*role))
        };
        certificate_stands && self.active_participant(&slot.who).is_ok_and(holds_a_role)
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.total.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
        self.open.remove_if_mut(&self.who, |_, count| {
            *count -= 1;
            *count == 0
        });
    }
}

/// What a request says about its caller, read from gRPC metadata or HTTP headers alike.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// The socket's peer.
    pub peer: Option<SocketAddr>,
    /// `authorization`.
    pub authorization: Option<String>,
    /// `accept-language` (or a `lang` query parameter, which wins).
    pub accept_language: Option<String>,
    /// `x-forwarded-for`.
    pub forwarded_for: Option<String>,
    /// The gate in front of the handlers counted this call against the anonymous rate already.
    pub anonymous_paid: bool,
    /// Whose live console session the request carries (the console's doors read the cookie).
    pub session_holder: Option<TaxpayerId>,
}

impl RequestMeta {
    /// From HTTP headers and the peer the accept loop recorded.
    pub fn from_headers(headers: &axum::http::HeaderMap, peer: Option<SocketAddr>) -> RequestMeta {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        RequestMeta {
            peer,
            authorization: text("authorization"),
            accept_language: text("accept-language"),
            forwarded_for: forwarded_for(
                headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .filter_map(|value| value.to_str().ok()),
            ),
            anonymous_paid: false,
            session_holder: None,
        }
    }
}

/// Every `X-Forwarded-For` line, in order, as one list: a proxy may add a line of its own
/// rather than append to the client's, and the client's own line must not pass for the last hop.
pub fn forwarded_for<'a>(lines: impl Iterator<Item = &'a str>) -> Option<String> {
    let joined: Vec<&str> = lines.collect();
    (!joined.is_empty()).then(|| joined.join(","))
}

fn non_zero(value: u32) -> NonZeroU32 {
    NonZeroU32::new(value.max(1)).expect("at least 1")
}

impl App {
    /// Waits until this node has applied the log entry named in [`AFTER_SEQUENCE_HEADER`], if
    /// the request names one, for at most [`CONSISTENCY_WAIT_MAX`]. Refused at once: a value
    /// that is not a number, an entry a lone node has not applied (none of its own receipts
    /// names one), and any wait past [`CONSISTENCY_WAITERS_MAX`] waiting.
    pub async fn wait_until_applied(
        &self,
        headers: &axum::http::HeaderMap,
    ) -> Result<(), ApiError> {
        let Some(value) = headers.get(AFTER_SEQUENCE_HEADER) else {
            return Ok(());
        };
        let after: u64 = (value.to_str().ok())
            .and_then(|text| text.trim().parse().ok())
            .ok_or_else(|| ApiError::invalid(AFTER_SEQUENCE_HEADER))?;
        if self.engine.head().sequence >= after {
            return Ok(());
        }
        // A lone node's own receipts name entries it has applied: nothing else will come.
        if self.config.command_log.is_none() {
            return Err(ApiError::behind(after));
        }
        let Ok(_waiting) = self.consistency_waiters.try_acquire() else {
            return Err(ApiError::behind(after));
        };
        let mut applied = self.engine.applied();
        let reached = applied.wait_for(|sequence| *sequence >= after);
        match tokio::time::timeout(CONSISTENCY_WAIT_MAX, reached).await {
            Ok(Ok(_)) => Ok(()),
            // Timed out, or the engine stopped.
            _ => Err(ApiError::behind(after)),
        }
    }

    /// The shared state over a started engine.
    pub fn new(
        engine: Engine,
        clock: Arc<dyn Clock>,
        audit: AuditLog,
        config: ServerConfig,
        sign_in_secret: SignInSecret,
        exports: crate::exports::Exports,
        webhooks: crate::webhooks::Webhooks,
    ) -> App {
        let started_ms = clock.now_ms();
        let rates = config.rates;
        let per_second =
            |rate, burst| Quota::per_second(non_zero(rate)).allow_burst(non_zero(burst));
        App {
            public: PublicDesk::new(engine.store().clone()),
            engine,
            clock,
            audit,
            sign_in_secret,
            used_challenges: DashMap::new(),
            anonymous_limiter: DefaultKeyedRateLimiter::keyed(per_second(
                rates.anonymous_per_ip_per_second,
                rates.anonymous_burst,
            )),
            participant_limiter: DefaultKeyedRateLimiter::keyed(per_second(
                rates.participant_per_second,
                rates.participant_burst,
            )),
            public_write_limiter: DefaultDirectRateLimiter::direct(
                Quota::per_second(non_zero(PUBLIC_WRITES_PER_SECOND))
                    .allow_burst(non_zero(PUBLIC_WRITES_PER_SECOND)),
            ),
            flag_limiter: DefaultDirectRateLimiter::direct(
                Quota::per_second(non_zero(FLAGS_PER_SECOND))
                    .allow_burst(non_zero(FLAGS_PER_SECOND)),
            ),
            report_limiter: DefaultKeyedRateLimiter::keyed(
                Quota::per_hour(non_zero(rates.reports_per_ip_per_hour))
                    .allow_burst(non_zero(rates.reports_per_ip_per_hour)),
            ),
            config,
            uploads: UploadSlots::default(),
            sessions: Default::default(),
            console_jobs: Default::default(),
            trust_roots: Default::default(),
            registers: Default::default(),
            feed_followers: Default::default(),
            exports,
            epcis: crate::service::epcis::EpcisDesk::new(started_ms),
            webhooks,
            public_keys: Default::default(),
            inbox_watches: StreamSlots::new(WATCHES_PER_PARTICIPANT_MAX),
            downloads: StreamSlots::new(DOWNLOADS_PER_PARTICIPANT_MAX),
            goods_feeds: StreamSlots::bounded(
                crate::service::feeds::FEEDS_PER_PARTICIPANT_MAX,
                crate::service::feeds::GOODS_FEEDS_OPEN_MAX,
            ),
            state_feeds: StreamSlots::bounded(
                crate::service::feeds::FEEDS_PER_PARTICIPANT_MAX,
                crate::service::feeds::STATE_FEEDS_OPEN_MAX,
            ),
            test_clock: std::sync::OnceLock::new(),
            divergence: std::sync::OnceLock::new(),
            cluster_seal: None,
            head_board: None,
            node: None,
            consistency_waiters: tokio::sync::Semaphore::new(CONSISTENCY_WAITERS_MAX),
        }
    }

    /// Lets loopback callers move `clock`, the engine's (a server started for tests).
    pub fn set_test_clock(&self, clock: Arc<crate::test_clock::TestClock>) {
        let _ = self.test_clock.set(clock);
    }

    /// The clock tests move, if the server was started for tests.
    pub fn test_clock(&self) -> Option<&crate::test_clock::TestClock> {
        self.test_clock.get().map(Arc::as_ref)
    }

    /// Now, unix milliseconds, from the engine's clock.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// The client's IP (the socket's, or a trusted proxy's forwarded one) and the language to
    /// answer it in.
    pub fn origin(&self, meta: &RequestMeta) -> (IpAddr, Language) {
        // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; it is a.b.c.d.
        let socket_ip = meta
            .peer
            .map_or(IpAddr::from([0, 0, 0, 0]), |peer| peer.ip().to_canonical());
        let client_ip = client_ip(
            socket_ip,
            meta.forwarded_for.as_deref(),
            &self.config.trusted_proxies,
        );
        let language = meta
            .accept_language
            .as_deref()
            .and_then(Language::from_accept_language)
            .unwrap_or(Language::Ru);
        (client_ip, language)
    }

    /// Starts a call: works out the client's IP and language. Nothing is refused yet.
    pub fn call(&self, method: &'static str, meta: RequestMeta) -> Call<'_> {
        let (client_ip, language) = self.origin(&meta);
        Call {
            app: self,
            method,
            started: Instant::now(),
            time_ms: self.now_ms(),
            client_ip,
            language,
            authorization: meta.authorization,
            anonymous_paid: meta.anonymous_paid,
            session_holder: meta.session_holder,
            participant: None,
            signed_in: None,
            certificate: None,
            acting_for: None,
            codes: Vec::new(),
            codes_total: 0,
            references: Vec::new(),
            finished: false,
            written: false,
        }
    }

    /// Forgets rate-limit state and used challenges that no longer matter (run every minute).
    pub fn sweep(&self) {
        self.anonymous_limiter.retain_recent();
        self.participant_limiter.retain_recent();
        self.report_limiter.retain_recent();
        let now_ms = self.now_ms();
        self.used_challenges
            .retain(|_, expires_ms| *expires_ms > now_ms);
        self.public.sweep(now_ms);
        self.sessions.sweep(now_ms);
    }

    /// Who a bearer token (the whole `Authorization` value) was issued to, if it checks out: the
    /// seal and the expiry, and for a certificate's token the certificate's standing (one point
    /// read). The participant's status is checked by [`Call::participant`].
    pub fn token_holder(&self, authorization: Option<&str>) -> Result<TaxpayerId, ApiError> {
        self.token_credential(authorization)
            .map(|(holder, _)| holder)
    }

    /// [`App::token_holder`], with the certificate the token rests on, if any.
    pub fn token_credential(
        &self,
        authorization: Option<&str>,
    ) -> Result<(TaxpayerId, Option<crate::certificates::CertificateRef>), ApiError> {
        let token = authorization
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(ApiError::unauthenticated)?;
        let claims = sign_in::verify_token(&self.sign_in_secret, token.trim(), self.now_ms())?;
        let (holder, certificate) = crate::certificates::parse_subject(&claims.subject)
            .ok_or_else(ApiError::unauthenticated)?;
        if let Some(certificate) = &certificate {
            self.certificate_stands(certificate)?;
        }
        Ok((holder, certificate))
    }

    /// The live console session of a cookie's key; one resting on a certificate that no longer
    /// stands is ended.
    pub fn find_session(&self, key: &str) -> Option<crate::session::Session> {
        let session = self.sessions.find(key, self.now_ms())?;
        if let Some(certificate) = &session.certificate
            && self.certificate_stands(certificate).is_err()
        {
            self.sessions.end(key);
            return None;
        }
        Some(session)
    }

    /// Counts one anonymous call of `client_ip` (the rate a caller without a valid token pays).
    pub fn anonymous_call(&self, client_ip: IpAddr) -> Result<(), ApiError> {
        limit(&self.anonymous_limiter, &rate_key(client_ip))
    }

    /// A challenge for `participant` to sign (anonymous, rate limited by the call).
    pub fn challenge(&self, participant: &TaxpayerId) -> Result<(Vec<u8>, u64), ApiError> {
        let now_ms = self.now_ms();
        let challenge = sign_in::issue_challenge(
            &self.sign_in_secret,
            &participant.to_string(),
            now_ms,
            &mut OsRng,
        )?;
        Ok((challenge, now_ms + sign_in::CHALLENGE_TTL_MS))
    }

    /// Checks a signed challenge (with a registered key, or with a certificate of an accredited
    /// centre when `certificate_chain` is given) and issues a token.
    pub fn sign_in(
        &self,
        participant_id: &TaxpayerId,
        challenge: &[u8],
        signature: &[u8],
        certificate_chain: &[Vec<u8>],
    ) -> Result<(String, u64), ApiError> {
        let certificate =
            self.verify_sign_in(participant_id, challenge, signature, certificate_chain)?;
        let now_ms = self.now_ms();
        let subject = crate::certificates::token_subject(participant_id, certificate.as_ref());
        let token = sign_in::issue_token(&self.sign_in_secret, &subject, now_ms, &mut OsRng)?;
        Ok((token, now_ms + sign_in::TOKEN_TTL_MS))
    }

    /// Checks a signed challenge, and uses the challenge up: what every sign-in (a tool's token,
    /// a browser's session) rests on. With a certificate chain, the certificate it rests on.
    pub fn verify_sign_in(
        &self,
        participant_id: &TaxpayerId,
        challenge: &[u8],
        signature: &[u8],
        certificate_chain: &[Vec<u8>],
    ) -> Result<Option<crate::certificates::CertificateRef>, ApiError> {
        let now_ms = self.now_ms();
        let subject = participant_id.to_string();
        let opened = sign_in::open_challenge(&self.sign_in_secret, challenge, &subject, now_ms)?;
        let message = sign_in::sign_in_message(challenge);
        let certificate = if certificate_chain.is_empty() {
            self.check_key_signature(participant_id, &message, signature)?;
            None
        } else {
            Some(self.check_certificate_signature(
                participant_id,
                certificate_chain,
                &message,
                signature,
            )?)
        };
        self.active_participant(participant_id)?;
        if self.used_challenges.len() >= USED_CHALLENGES_MAX {
            return Err(ApiError::rate_limited());
        }
        if self
            .used_challenges
            .insert(opened.nonce, opened.expires_ms)
            .is_some()
        {
            return Err(ApiError::challenge_used());
        }
        Ok(certificate)
    }

    /// Checks a sign-in signature against the participant's registered keys.
    fn check_key_signature(
        &self,
        participant_id: &TaxpayerId,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), ApiError> {
        // An unknown id and a wrong signature get the same answer: a stranger learns nothing
        // of who is registered (or suspended) before proving to be that participant.
        // An unknown id is checked against a stand-in key, so that it costs the same time.
        let registered = query::participant(self.engine.snapshot().as_ref(), participant_id)?;
        let known = registered.is_some();
        let checked = registered.unwrap_or_else(|| Participant {
            id: *participant_id,
            name: String::new(),
            roles: Default::default(),
            keys: vec![tanba_types::ParticipantKey {
                algorithm: "ed25519".into(),
                public_key: STAND_IN_SIGN_IN_KEY.to_vec(),
            }],
            status: ParticipantStatus::Active,
        });
        if !(signed_by(&checked, message, signature) && known) {
            return Err(tanba_crypto::CryptoError::BadSignIn.into());
        }
        Ok(())
    }

    /// A registered participant that is not suspended.
    pub fn active_participant(&self, id: &TaxpayerId) -> Result<Participant, ApiError> {
        let participant = query::participant(self.engine.snapshot().as_ref(), id)?
            .ok_or(EngineError::UnknownParticipant(*id))?;
        match participant.status {
            ParticipantStatus::Active => Ok(participant),
            ParticipantStatus::Suspended => Err(EngineError::ParticipantSuspended(*id).into()),
            ParticipantStatus::RegistrationCeased => {
                Err(EngineError::RegistrationCeased(*id).into())
            }
        }
    }

    /// Checks a document command's detached signature by `signer` before the engine sees it:
    /// Ed25519 by one of its registered keys, or a CMS made with its certificate, which is
    /// replaced by the form the log keeps ([`tanba_crypto::cms::DocumentSignature::canonical`]).
    pub fn check_document_signature(
        &self,
        signer: &Participant,
        command: &mut Command,
    ) -> Result<(), ApiError> {
        let Some(bytes) = command.document_bytes(&signer.id) else {
            return Ok(());
        };
        let Some(signature) = command.document_signature_mut() else {
            return Ok(());
        };
        if tanba_crypto::cms::is_cms(signature) {
            *signature = self.check_certificate_document(&signer.id, &bytes, signature)?;
            return Ok(());
        }
        if signed_by(signer, &bytes, signature) {
            Ok(())
        } else {
            Err(ApiError::bad_document_signature())
        }
    }
}

/// One call against a keyed limiter, which forgets idle keys early if a flood of new ones
/// (many addresses) fills it.
fn limit<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), ApiError> {
    if limiter.len() >= RATE_LIMITED_KEYS_MAX {
        limiter.retain_recent();
        limiter.shrink_to_fit();
    }
    limiter.check_key(key).map_err(|_| ApiError::rate_limited())
}

/// Whether `signature` over `message` verifies with one of the participant's registered keys.
pub fn signed_by(participant: &Participant, message: &[u8], signature: &[u8]) -> bool {
    participant.keys.iter().any(|key| {
        key.algorithm == "ed25519"
            && Algorithm::Ed25519
                .verifier_from_public(&key.public_key)
                .is_ok_and(|verifier| verifier.verify(message, signature).is_ok())
    })
}

/// The client's address: the socket's, unless the socket is a trusted proxy, in which case the
/// last address the proxy chain added that is not itself a trusted proxy.
pub fn client_ip(socket_ip: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    let trusted_hop = |ip: &IpAddr| trusted.iter().any(|proxy| proxy.to_canonical() == *ip);
    if !trusted_hop(&socket_ip) {
        return socket_ip;
    }
    let Some(forwarded_for) = forwarded_for else {
        return socket_ip;
    };
    // Read right to left: each hop appends what it saw; the first untrusted one is the client
    // as far as anything we trust can tell.
    let mut client = socket_ip;
    for hop in forwarded_for.rsplit(',').take(16) {
        match hop.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()) {
            Ok(ip) => {
                client = ip;
                if !trusted_hop(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

/// One call under way: who, from where, what it named. Finish it with [`Call::finish`], which
/// leaves the audit record.
pub struct Call<'a> {
    app: &'a App,
    method: &'static str,
    started: Instant,
    time_ms: u64,
    /// The client's IP.
    pub client_ip: IpAddr,
    /// The language the answer is in.
    pub language: Language,
    authorization: Option<String>,
    anonymous_paid: bool,
    /// Whose console session the call came with (instead of a bearer token).
    session_holder: Option<TaxpayerId>,
    participant: Option<TaxpayerId>,
    /// The signed-in participant, once [`Call::participant`] found it.
    signed_in: Option<Participant>,
    /// The certificate the caller's token rests on, if it signed in with one.
    certificate: Option<crate::certificates::CertificateRef>,
    acting_for: Option<TaxpayerId>,
    codes: Vec<CodeKey>,
    codes_total: u32,
    references: Vec<String>,
    finished: bool,
    /// The engine accepted the call's command, and with it the call's record (as a note).
    written: bool,
}

/// The outcome recorded for a call whose client went away before the answer: the work it
/// asked for may have been done (a command the engine accepted), so the call is still audited.
pub const CANCELLED: &str = "CANCELLED";

impl<'a> Call<'a> {
    /// The app (not borrowed from the call, which can go on noting what it names).
    pub fn app(&self) -> &'a App {
        self.app
    }

    /// Answers in this language instead (a request field or query parameter naming one).
    pub fn set_language(&mut self, language: Language) {
        self.language = language;
    }

    /// An anonymous call: counted against the client's rate (once: a call the gate in front of
    /// the handlers counted already is not counted again).
    pub fn anonymous(&mut self) -> Result<(), ApiError> {
        if std::mem::take(&mut self.anonymous_paid) {
            return Ok(());
        }
        self.app.anonymous_call(self.client_ip)
    }

    /// The signed-in participant, then the codes the call names. A caller that is not signed
    /// in gets nothing parsed beyond the first [`ANONYMOUS_CODES_NOTED_MAX`] (for its audit
    /// record): a stranger's 100,000 codes cost no more than a few.
    pub fn participant_and_codes(
        &mut self,
        inputs: &[String],
        max: usize,
    ) -> Result<(Participant, Vec<CodeKey>), ApiError> {
        match self.participant() {
            Ok(who) => {
                let codes = self.read_codes(inputs, max)?;
                Ok((who, codes))
            }
            Err(error) => {
                let noted: Vec<CodeKey> = (inputs.iter().take(ANONYMOUS_CODES_NOTED_MAX))
                    .filter_map(|input| ScannedCode::read(input).ok())
                    .map(|code| code.key)
                    .collect();
                self.note_codes(&noted);
                Err(error)
            }
        }
    }

    /// A violation report: its own, slower rate per client, on top of the anonymous one.
    pub fn reporting(&mut self) -> Result<(), ApiError> {
        self.anonymous()?;
        limit(&self.app.report_limiter, &rate_key(self.client_ip))
    }

    /// [`Call::reporting`], for a call that writes to the log on the public's behalf: also
    /// within everyone's [`PUBLIC_WRITES_PER_SECOND`].
    pub fn writing_for_the_public(&mut self) -> Result<(), ApiError> {
        self.reporting()?;
        self.app
            .public_write_limiter
            .check()
            .map_err(|_| ApiError::rate_limited())
    }

    /// The signed-in participant: a valid bearer token, or a live console session, of an active
    /// participant, within its rate.
    /// Found once per call: a door that asks before its operation asks again (to show who is
    /// signed in, say) is neither charged twice nor read twice.
    pub fn participant(&mut self) -> Result<Participant, ApiError> {
        if let Some(signed_in) = &self.signed_in {
            return Ok(signed_in.clone());
        }
        // A caller without a valid token (none at all included) is anonymous, and pays the
        // anonymous rate: no stranger floods the server, or its audit trail, faster than another.
        let holder = match self.session_holder {
            Some(id) => Ok((id, None)),
            None => self.app.token_credential(self.authorization.as_deref()),
        };
        let id = match holder {
            Ok((id, certificate)) => {
                self.certificate = certificate;
                id
            }
            Err(error) => {
                self.anonymous()?;
                return Err(error);
            }
        };
        self.participant = Some(id);
        limit(&self.app.participant_limiter, &id)?;
        let participant = self.app.active_participant(&id)?;
        self.signed_in = Some(participant.clone());
        Ok(participant)
    }

    /// The certificate the caller's token rests on (after [`Call::participant`]), for a stream
    /// that must end when it is revoked.
    pub fn certificate(&self) -> Option<&crate::certificates::CertificateRef> {
        self.certificate.as_ref()
    }

    /// The signed-in participant, holding one of `roles`.
    pub fn participant_with(&mut self, roles: &[Role]) -> Result<Participant, ApiError> {
        let participant = self.participant()?;
        if roles.iter().any(|role| participant.has_role(*role)) {
            Ok(participant)
        } else {
            let names: Vec<String> = roles.iter().map(Role::to_string).collect();
            Err(ApiError::forbidden(names.join(" | ")))
        }
    }

    /// Records the codes the call names (the first [`AUDIT_CODES_MAX`] are kept).
    pub fn note_codes<'c>(&mut self, codes: impl IntoIterator<Item = &'c CodeKey>) {
        for code in codes {
            self.codes_total = self.codes_total.saturating_add(1);
            if self.codes.len() < AUDIT_CODES_MAX {
                self.codes.push(*code);
            }
        }
    }

    /// Records whom the caller acts for (a fiscal data operator's seller).
    pub fn note_acting_for(&mut self, seller: TaxpayerId) {
        self.acting_for = Some(seller);
    }

    /// Records a document, order or receipt id the call names.
    pub fn note_reference(&mut self, reference: impl ToString) {
        if self.references.len() < AUDIT_DOCUMENTS_MAX {
            let mut reference = reference.to_string();
            if let Some((cut, _)) = reference.char_indices().nth(AUDIT_REFERENCE_CHARS_MAX) {
                reference.truncate(cut);
                reference.push('…');
            }
            self.references.push(reference);
        }
    }

    /// Weighs a call naming `codes` codes against its participant's rate: one more call for
    /// every [`RATE_CODES_PER_CALL`] (the call itself was counted when its caller was known).
    pub fn charge_codes(&mut self, codes: usize) -> Result<(), ApiError> {
        let (Some(id), Some(weight)) = (
            self.participant,
            NonZeroU32::new(u32::try_from(codes / RATE_CODES_PER_CALL).unwrap_or(u32::MAX)),
        ) else {
            return Ok(());
        };
        // A weight past the burst could never pass: it takes the whole burst instead.
        let burst = non_zero(self.app.config.rates.participant_burst);
        match (self.app.participant_limiter).check_key_n(&id, weight.min(burst)) {
            Ok(Ok(())) => Ok(()),
            _ => Err(ApiError::rate_limited()),
        }
    }

    /// Reads codes given as text, noting them; the first bad one refuses the call.
    pub fn read_codes(&mut self, inputs: &[String], max: usize) -> Result<Vec<CodeKey>, ApiError> {
        if inputs.len() > max {
            return Err(ApiError::too_many("codes", max));
        }
        self.charge_codes(inputs.len())?;
        let mut codes = Vec::with_capacity(inputs.len());
        for input in inputs {
            codes.push(ScannedCode::read(input)?.key);
        }
        self.note_codes(&codes);
        Ok(codes)
    }

    /// Submits the call's command to the engine with the call's audit record as its note, so
    /// an accepted command and its record commit together (what the call noted so far is in
    /// it: note codes and references before submitting).
    pub async fn submit(&mut self, actor: Actor, command: Command) -> Result<Receipt, EngineError> {
        let note = AuditLog::note(&self.record(None));
        let outcome = (self.app.engine)
            .submit_noted(actor, command, Some(note))?
            .await;
        if outcome.is_ok() {
            self.written = true;
            self.app.audit.note_written();
        }
        outcome
    }

    /// Ends the call: the audit record and the metrics, whatever the outcome. A call whose
    /// write was accepted has its record already, unless its answer then failed.
    pub async fn finish<T>(mut self, outcome: Result<T, ApiError>) -> Result<T, ApiError> {
        if let Err(error) = &outcome {
            tracing::debug!(method = self.method, ip = %self.client_ip, code = error.code, "refused");
        }
        let record = self.close(outcome.as_ref().err().map(|error| error.code.to_owned()));
        if !(self.written && outcome.is_ok()) {
            self.app.audit.record(record).await;
        }
        outcome
    }

    /// The call's audit record as it stands, with `error` as its outcome.
    fn record(&self, error: Option<String>) -> AuditRecord {
        AuditRecord {
            time_ms: self.time_ms,
            participant: self.participant,
            acting_for: self
                .acting_for
                .filter(|seller| Some(*seller) != self.participant),
            client_ip: self.client_ip,
            method: self.method.to_owned(),
            codes: self.codes.clone(),
            codes_total: self.codes_total,
            references: self.references.clone(),
            error,
            log_sequence: None,
        }
    }

    /// The metrics and the audit record of the call's end.
    fn close(&mut self, error: Option<String>) -> AuditRecord {
        self.finished = true;
        let status = match error.as_deref() {
            None => "ok",
            Some(CANCELLED) => "cancelled",
            Some(_) => "error",
        };
        metrics::counter!("tanba_requests_total", "method" => self.method, "outcome" => status)
            .increment(1);
        metrics::histogram!("tanba_request_seconds", "method" => self.method)
            .record(self.started.elapsed().as_secs_f64());
        self.record(error)
    }

    /// [`Call::finish`], as a gRPC answer in the caller's language.
    pub async fn finish_grpc<T>(
        self,
        outcome: Result<T, ApiError>,
    ) -> Result<tonic::Response<T>, tonic::Status> {
        let language = self.language;
        self.finish(outcome)
            .await
            .map(tonic::Response::new)
            .map_err(|error| error.to_status(language))
    }
}

impl Drop for Call<'_> {
    /// A call dropped before [`Call::finish`] (its client hung up, hyper dropped the handler)
    /// is audited as [`CANCELLED`]: no `.await` here, so the record is handed over on a task.
    /// One dropped after its write was accepted has its record already. One dropped while its
    /// command waited in the engine's queue is audited as cancelled, and, should the engine
    /// then accept the command, its write has its own record too.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let record = AuditEntry::Record(self.close(Some(CANCELLED.to_owned())));
        if self.written {
            return;
        }
        let sender = self.app.audit.sender();
        if let Err(tokio::sync::mpsc::error::TrySendError::Full(record)) = sender.try_send(record)
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                let _ = sender.send(record).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_is_limited_by_its_64_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(rate_key(a), rate_key(b));
        assert_ne!(rate_key(a), rate_key(other));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(rate_key(v4), v4);
    }

    #[test]
    fn a_forwarded_address_is_believed_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let stranger: IpAddr = "198.51.100.9".parse().unwrap();
        let trusted = [proxy];
        assert_eq!(client_ip(stranger, Some("203.0.113.5"), &trusted), stranger);
        assert_eq!(
            client_ip(proxy, Some("203.0.113.5"), &trusted),
            "203.0.113.5".parse::<IpAddr>().unwrap()
        );
        // A client cannot smuggle an address in front of the one the proxy saw.
        assert_eq!(
            client_ip(proxy, Some("1.2.3.4, 203.0.113.5"), &trusted),
            "203.0.113.5".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(proxy, Some("garbage"), &trusted), proxy);
        assert_eq!(client_ip(proxy, None, &trusted), proxy);
        // A proxy that adds its own header line: the lines are read in order, last hop last.
        let lines = forwarded_for(["6.6.6.6", "203.0.113.5"].into_iter());
        assert_eq!(
            client_ip(proxy, lines.as_deref(), &trusted),
            "203.0.113.5".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(proxy, Some("::ffff:203.0.113.5"), &trusted),
            "203.0.113.5".parse::<IpAddr>().unwrap()
        );
    }
}
