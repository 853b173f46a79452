//! Sockets: one accept loop serves both ports (HTTP/1.1 and HTTP/2 on each, so gRPC and JSON
//! take the same path), with the listen backlog set, TLS when a certificate is configured, the
//! peer's address handed to the handlers, and a graceful stop that lets calls under way finish.
//!
//! What a stranger gets before saying anything is bounded: a connection past the cap on open
//! connections, or past the cap for its client address, is closed at once (never parked in
//! memory); a new connection must show its protocol (its first byte, or a TLS handshake) within
//! a named time; a connection with no call under way for a named time is closed (an HTTP/1
//! keep-alive and an HTTP/2 connection alike: HTTP/2 pings also find dead peers); a call must
//! produce its answer's head within [`CALL_TIMEOUT`]; an HTTP/2 connection holds at most
//! [`HTTP2_CONCURRENT_STREAMS_MAX`] calls at once.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use http_body_util::BodyExt;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// Longest a graceful stop waits for open calls before it closes their connections.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Longest a TLS handshake may take.
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest the client may take to send a request's headers (HTTP/1).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a call may take to produce its answer's head (a streamed body may take longer).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest an idle connection asked to close may take to do so before it is dropped.
pub const IDLE_CLOSE_GRACE: Duration = Duration::from_secs(2);
/// How often a connection's idleness is looked at.
pub const IDLE_CHECK_INTERVAL: Duration = Duration::from_millis(500);
/// HTTP/2 keep-alive: a ping this often, and the connection closed if unanswered this long.
pub const HTTP2_KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// See [`HTTP2_KEEP_ALIVE_INTERVAL`].
pub const HTTP2_KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(10);
/// Calls one HTTP/2 connection may have under way at once.
pub const HTTP2_CONCURRENT_STREAMS_MAX: u32 = 100;
/// Largest header block an HTTP/2 client may send, in bytes.
pub const HTTP2_HEADER_LIST_BYTES_MAX: u32 = 16 << 10;
/// Largest buffer an HTTP/1 connection reads a request's head into, in bytes.
pub const HTTP1_BUFFER_BYTES_MAX: usize = 64 << 10;

/// The peer of a connection, as the socket reports it; handlers find it in the request's
/// extensions.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// The limits on connections, both ports together.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Open connections in all.
    pub total_max: usize,
    /// Open connections from one client address (an IPv4 address or an IPv6 /64); trusted
    /// proxies, which carry many clients, count only against the total.
    pub per_client_max: usize,
    /// Longest a new connection may take to show its protocol (first byte, or TLS handshake).
    pub protocol_timeout: Duration,
    /// Longest a connection may stay open with no call under way.
    pub idle_timeout: Duration,
    /// Addresses that carry many clients (see [`Self::per_client_max`]).
    pub trusted_proxies: Vec<IpAddr>,
}

/// Who holds how many connections; shared by both ports.
pub struct Admission {
    limits: ConnectionLimits,
    total: Arc<Semaphore>,
    per_client: DashMap<IpAddr, usize>,
}

/// One admitted connection: its slots are given back when it is dropped.
pub struct Admitted {
    _total: OwnedSemaphorePermit,
    client: Option<(Arc<Admission>, IpAddr)>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        if let Some((admission, key)) = self.client.take() {
            admission.per_client.remove_if_mut(&key, |_, count| {
                *count -= 1;
                *count == 0
            });
        }
        metrics::gauge!("tanba_connections_open").decrement(1.0);
    }
}

/// The key a client's connections are counted by: its IPv4 address, or its IPv6 /64.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
    }
}

impl Admission {
    /// Connections admitted under `limits`.
    pub fn new(limits: ConnectionLimits) -> Arc<Admission> {
        Arc::new(Admission {
            total: Arc::new(Semaphore::new(limits.total_max)),
            per_client: DashMap::new(),
            limits,
        })
    }

    /// Admits a connection from `peer`, or says no (the caller closes it at once).
    pub fn admit(self: &Arc<Admission>, peer: IpAddr) -> Option<Admitted> {
        let refused = |cap: &'static str| {
            metrics::counter!("tanba_connections_refused_total", "cap" => cap).increment(1);
            None
        };
        let Ok(total) = self.total.clone().try_acquire_owned() else {
            return refused("total");
        };
        let peer = peer.to_canonical();
        let client = if self.limits.trusted_proxies.contains(&peer) {
            None
        } else {
            let key = client_key(peer);
            let mut count = self.per_client.entry(key).or_insert(0);
            if *count >= self.limits.per_client_max {
                drop(count);
                return refused("per_client");
            }
            *count += 1;
            Some((self.clone(), key))
        };
        metrics::gauge!("tanba_connections_open").increment(1.0);
        Some(Admitted {
            _total: total,
            client,
        })
    }

    /// Waits until every admitted connection is gone, or `within` passes.
    async fn drained(&self, within: Duration) {
        let everything = u32::try_from(self.limits.total_max).unwrap_or(u32::MAX);
        let _ = tokio::time::timeout(within, self.total.acquire_many(everything)).await;
    }
}

/// Binds `address` with a listen backlog of `backlog` (the kernel caps it at `somaxconn`).
pub fn bind(address: SocketAddr, backlog: u32) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_nodelay(true)?;
    socket.bind(address)?;
    socket.listen(backlog)
}

/// Reads a TLS certificate chain and key (PEM) into an acceptor.
pub fn tls_acceptor(certificate: &Path, key: &Path) -> Result<TlsAcceptor, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(certificate)
        .map_err(|error| format!("{}: {error}", certificate.display()))?
        .collect::<Result<_, _>>()
        .map_err(|error| format!("{}: {error}", certificate.display()))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| error.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|error| error.to_string())?;
    // gRPC needs HTTP/2; browsers and tills may speak either.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// The byte stream a connection's protocol runs over: the socket, or TLS over it.
trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// Whether a connection has a call under way, and since when it has had none, or none of its
/// calls has moved.
struct Activity {
    opened: Instant,
    calls: AtomicUsize,
    last_call_end_ms: AtomicU64,
    /// The last time a call began or sent a piece of its answer, since `opened`.
    last_progress_ms: AtomicU64,
}

/// One call under way on a connection; its end is noted when it is dropped (once its answer's
/// body has been sent, or the call was dropped).
struct CallUnderWay(Arc<Activity>);

impl Drop for CallUnderWay {
    fn drop(&mut self) {
        let since_open = self.0.opened.elapsed().as_millis() as u64;
        self.0.last_call_end_ms.store(since_open, Ordering::Relaxed);
        self.0.calls.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Activity {
    fn new() -> Arc<Activity> {
        Arc::new(Activity {
            opened: Instant::now(),
            calls: AtomicUsize::new(0),
            last_call_end_ms: AtomicU64::new(0),
            last_progress_ms: AtomicU64::new(0),
        })
    }

    fn begin(self: &Arc<Activity>) -> CallUnderWay {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.progressed();
        CallUnderWay(self.clone())
    }

    /// A call sent a piece of its answer.
    fn progressed(&self) {
        let since_open = self.opened.elapsed().as_millis() as u64;
        self.last_progress_ms.store(since_open, Ordering::Relaxed);
    }

    /// How long the connection has done nothing. Calls under way keep it busy while they move:
    /// one that has sent nothing for [`CALL_TIMEOUT`] (a client that stopped reading, its
    /// HTTP/2 window shut) counts as idle from then on, so it cannot hold the connection open.
    fn idle_for(&self) -> Duration {
        let since = |millis: &AtomicU64| {
            let last = Duration::from_millis(millis.load(Ordering::Relaxed));
            self.opened.elapsed().saturating_sub(last)
        };
        if self.calls.load(Ordering::Relaxed) > 0 {
            return since(&self.last_progress_ms).saturating_sub(CALL_TIMEOUT);
        }
        since(&self.last_call_end_ms)
    }
}

/// What every connection of one port shares.
struct Port {
    router: axum::Router,
    tls: Option<TlsAcceptor>,
    builder: auto::Builder<TokioExecutor>,
    admission: Arc<Admission>,
}

fn connection_builder() -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(HTTP1_BUFFER_BYTES_MAX);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(HTTP2_KEEP_ALIVE_INTERVAL))
        .keep_alive_timeout(HTTP2_KEEP_ALIVE_TIMEOUT)
        .max_concurrent_streams(HTTP2_CONCURRENT_STREAMS_MAX)
        .max_header_list_size(HTTP2_HEADER_LIST_BYTES_MAX);
    builder
}

/// Serves `router` on `listener` until `stop` turns true, then stops accepting and waits up to
/// [`SHUTDOWN_GRACE`] for open connections to finish their calls. Both ports share `admission`.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    tls: Option<TlsAcceptor>,
    admission: Arc<Admission>,
    mut stop: watch::Receiver<bool>,
) {
    let port = Arc::new(Port {
        router,
        tls,
        builder: connection_builder(),
        admission: admission.clone(),
    });
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        // Past a cap, the connection is closed at once: dropped here, unread.
        let Some(admitted) = port.admission.admit(peer.ip()) else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_connection(
            port.clone(),
            stream,
            peer,
            admitted,
            stop.clone(),
        ));
    }
    drop(listener);
    admission.drained(SHUTDOWN_GRACE + IDLE_CLOSE_GRACE).await;
}

/// The stream once its protocol shows: the first byte of a plain connection, or a TLS
/// handshake, within the protocol timeout; `None` (and the connection closed) otherwise.
async fn protocol_shown(port: &Port, stream: TcpStream) -> Option<Box<dyn Io>> {
    let timeout = port.admission.limits.protocol_timeout;
    let shown: Option<Box<dyn Io>> = match &port.tls {
        None => match tokio::time::timeout(timeout, protocol_bytes(&stream)).await {
            Ok(true) => Some(Box::new(stream)),
            _ => None,
        },
        Some(tls) => {
            let handshake =
                tokio::time::timeout(timeout.min(TLS_HANDSHAKE_TIMEOUT), tls.accept(stream));
            match handshake.await {
                Ok(Ok(stream)) => Some(Box::new(stream)),
                _ => None,
            }
        }
    };
    if shown.is_none() {
        metrics::counter!("tanba_connections_closed_total", "why" => "protocol_timeout")
            .increment(1);
    }
    shown
}

/// The HTTP/2 connection preface: a client that starts with it must send all of it.
const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// How long to wait between looks at a preface that arrives in pieces.
const PREFACE_PEEK_PAUSE: Duration = Duration::from_millis(10);

/// Whether a plain connection shows its protocol: an HTTP/1 request's first bytes (its headers
/// then have [`HEADER_READ_TIMEOUT`]) or the whole HTTP/2 preface, which hyper would otherwise
/// wait for with no time limit. Nothing is consumed.
async fn protocol_bytes(stream: &TcpStream) -> bool {
    let mut seen = [0u8; HTTP2_PREFACE.len()];
    loop {
        let count = match stream.peek(&mut seen).await {
            Ok(0) | Err(_) => return false,
            Ok(count) => count,
        };
        if count == HTTP2_PREFACE.len() || !HTTP2_PREFACE.starts_with(&seen[..count]) {
            return true;
        }
        tokio::time::sleep(PREFACE_PEEK_PAUSE).await;
    }
}

/// One connection, from its protocol to its close.
async fn serve_connection(
    port: Arc<Port>,
    stream: TcpStream,
    peer: SocketAddr,
    admitted: Admitted,
    mut stop: watch::Receiver<bool>,
) {
    let _admitted = admitted;
    let Some(io) = protocol_shown(&port, stream).await else {
        return;
    };
    let activity = Activity::new();
    let service = call_service(port.router.clone(), peer, activity.clone());
    let connection = port
        .builder
        .serve_connection_with_upgrades(TokioIo::new(io), TowerToHyperService::new(service));
    tokio::pin!(connection);
    let idle_timeout = port.admission.limits.idle_timeout;
    let mut ticks = tokio::time::interval(IDLE_CHECK_INTERVAL);
    let mut closing_by: Option<Instant> = None;
    loop {
        tokio::select! {
            outcome = connection.as_mut() => {
                if let Err(error) = outcome {
                    tracing::debug!(%peer, %error, "connection ended with an error");
                }
                return;
            }
            _ = ticks.tick() => match closing_by {
                // A call that began as the close was asked for is let finish, within its own
                // time limit; then the connection goes, whatever it holds.
                Some(deadline)
                    if Instant::now() >= deadline
                        && (activity.calls.load(Ordering::Relaxed) == 0
                            || Instant::now() >= deadline + CALL_TIMEOUT) =>
                {
                    return;
                }
                Some(_) => {}
                None if activity.idle_for() >= idle_timeout => {
                    metrics::counter!("tanba_connections_closed_total", "why" => "idle")
                        .increment(1);
                    connection.as_mut().graceful_shutdown();
                    closing_by = Some(Instant::now() + IDLE_CLOSE_GRACE);
                }
                None => {}
            },
            _ = stop.changed(), if closing_by.is_none() => {
                connection.as_mut().graceful_shutdown();
                closing_by = Some(Instant::now() + SHUTDOWN_GRACE);
            }
        }
    }
}

/// The router as one connection serves it: the peer's address in every request, each call
/// counted as under way until its answer's body is sent, and [`CALL_TIMEOUT`] on its head.
fn call_service(
    router: axum::Router,
    peer: SocketAddr,
    activity: Arc<Activity>,
) -> impl tower::Service<
    hyper::Request<hyper::body::Incoming>,
    Response = axum::response::Response,
    Error = Infallible,
    Future = impl Future<Output = Result<axum::response::Response, Infallible>> + Send,
> + Clone {
    tower::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(PeerAddr(peer));
        let grpc = request
            .headers()
            .get(hyper::header::CONTENT_TYPE)
            .is_some_and(|value| value.as_bytes().starts_with(b"application/grpc"));
        let under_way = activity.begin();
        let call = router.clone().oneshot(request);
        async move {
            let response = match tokio::time::timeout(CALL_TIMEOUT, call).await {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                // The handler is dropped: its call is audited as cancelled.
                Err(_) => timed_out(grpc),
            };
            Ok(response.map(|body| {
                axum::body::Body::new(body.map_frame(move |frame| {
                    under_way.0.progressed();
                    frame
                }))
            }))
        }
    })
}

/// The answer to a call that took longer than [`CALL_TIMEOUT`].
fn timed_out(grpc: bool) -> axum::response::Response {
    metrics::counter!("tanba_calls_timed_out_total").increment(1);
    let error = crate::error::ApiError::timed_out();
    if grpc {
        let status = error.to_status(tanba_types::Language::En);
        return status.into_http();
    }
    crate::http::error_response(&error, tanba_types::Language::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A call that stops moving (a client that no longer reads its answer, its window shut)
    /// stops keeping its connection busy once it has sent nothing for the call time limit.
    #[test]
    fn a_call_that_stopped_moving_does_not_keep_its_connection_busy() {
        let fresh = Activity::new();
        let _call = fresh.begin();
        assert_eq!(fresh.idle_for(), Duration::ZERO, "a call just begun");
        // Opened three call-time-limits ago; its one call last moved two limits ago.
        let opened = Instant::now()
            .checked_sub(3 * CALL_TIMEOUT)
            .expect("the monotonic clock runs longer than that");
        let stalled = Activity {
            opened,
            calls: AtomicUsize::new(1),
            last_call_end_ms: AtomicU64::new(0),
            last_progress_ms: AtomicU64::new(CALL_TIMEOUT.as_millis() as u64),
        };
        let idle = stalled.idle_for();
        assert!(
            idle >= CALL_TIMEOUT - Duration::from_secs(1)
                && idle <= CALL_TIMEOUT + Duration::from_secs(1),
            "idle for {idle:?}"
        );
        stalled.progressed();
        assert_eq!(stalled.idle_for(), Duration::ZERO, "moving again");
    }
}
