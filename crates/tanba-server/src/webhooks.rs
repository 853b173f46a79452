//! EPCIS 2.0 query subscriptions (issue 14): a participant names a query
//! (`POST /epcis/queries`) and subscribes a URL of its own to it; each new event that answers
//! the query, and that the participant may see, is sent there, in log order, as an EPCIS query
//! document signed with the subscription's token (`GS1-Signature: sha256=<HMAC-SHA-256 of the
//! body, hex>`).
//!
//! A subscription reads the log from its cursor like any page ([`service::epcis::read_page`],
//! as its owner, whose roles and standing are read again before every delivery) and moves the
//! cursor only after the receiver answered 2xx: a receiver gets every matching event, in order,
//! at least once; a repeated delivery after a crash carries the same `GS1-Delivery` id. A
//! failed delivery is tried again after a delay that doubles up to [`RETRY_DELAY_MAX`]; after
//! [`FAILURES_BEFORE_SUSPENSION`] in a row the subscription is suspended (it says why).
//!
//! Bounded: queries and subscriptions per participant and in all, events per delivery,
//! deliveries at once, each delivery's time. The destinations are checked as an attacker would
//! use them: `https` only (unless configured), and the address a name resolves to, when the
//! connection is made, must be a public one (unless configured): a subscription cannot make
//! the server post into its own network. Queries and subscriptions live in
//! `<data_dir>/epcis/subscriptions.json`, written whole (synced, renamed) on each change.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tanba_epcis::query::{EventQuery, PagePosition};
use tanba_types::{Participant, TaxpayerId};
use tokio::sync::watch;

use crate::app::App;
use crate::config::WebhooksConfig;
use crate::error::ApiError;

/// Named queries one participant keeps at most.
pub const NAMED_QUERIES_PER_PARTICIPANT_MAX: usize = 20;
/// Named queries this server keeps at most, over every participant.
pub const NAMED_QUERIES_MAX: usize = 20_000;
/// A named query's parameters, names and values together, in bytes at most.
pub const QUERY_BYTES_MAX: usize = 4_096;
/// Subscriptions one participant keeps at most.
pub const SUBSCRIPTIONS_PER_PARTICIPANT_MAX: usize = 10;
/// Subscriptions this server keeps at most, over every participant.
pub const SUBSCRIPTIONS_MAX: usize = 2_000;
/// Events one delivery carries at most.
pub const DELIVERY_EVENTS_MAX: usize = 100;
/// How long a receiver has to answer a delivery.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries under way at once, over every subscription.
pub const DELIVERIES_IN_FLIGHT_MAX: usize = 8;
/// The delay after a first failure; it doubles with each failure in a row.
pub const RETRY_DELAY_FIRST: Duration = Duration::from_secs(1);
/// The longest delay between tries.
pub const RETRY_DELAY_MAX: Duration = Duration::from_secs(600);
/// Failures in a row after which a subscription is suspended.
pub const FAILURES_BEFORE_SUSPENSION: u32 = 50;
/// How often the worker looks for new events when nothing wakes it.
const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// A query's name: 1 to this many of `A-Z a-z 0-9 . _ -`.
pub const QUERY_NAME_CHARS_MAX: usize = 64;
/// A destination URL's length at most.
pub const DESTINATION_CHARS_MAX: usize = 2_048;
/// A signature token's length: at least 16 characters (a secret worth its name), at most this.
pub const SIGNATURE_TOKEN_CHARS_MAX: usize = 256;
const SIGNATURE_TOKEN_CHARS_MIN: usize = 16;

/// A participant's named query: the parameters as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedQuery {
    /// Whose.
    pub owner: TaxpayerId,
    /// Its name (unique per owner).
    pub name: String,
    /// The query's parameters, as the REST binding's URL gives them.
    pub params: Vec<(String, String)>,
}

/// A subscription to a named query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Its id.
    pub id: u64,
    /// Whose.
    pub owner: TaxpayerId,
    /// The named query.
    pub query: String,
    /// Where deliveries go.
    pub dest: String,
    /// The HMAC key of the signatures.
    pub secret: String,
    /// When it was made, unix ms.
    pub created_ms: u64,
    /// The last log entry, and event of it, delivered or passed over.
    pub after: (u64, u32),
    /// Failures in a row.
    pub failures: u32,
    /// Why it stopped, if it did.
    pub suspended: Option<String>,
    /// What went wrong last, if anything.
    pub last_error: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    next_id: u64,
    queries: Vec<NamedQuery>,
    subscriptions: Vec<Subscription>,
}

/// The subscriptions of this server, their file and their deliveries.
pub struct Webhooks {
    path: PathBuf,
    stored: Mutex<Stored>,
    config: WebhooksConfig,
    /// When each subscription may be tried next (monotonic), and whether it is under way.
    schedule: Mutex<std::collections::HashMap<u64, (tokio::time::Instant, bool)>>,
    /// Wakes the worker: a new subscription, or new events.
    pub wake: tokio::sync::Notify,
}

impl Webhooks {
    /// Opens (or starts) `<data_dir>/epcis/subscriptions.json`.
    pub fn open(data_dir: &Path, config: WebhooksConfig) -> Result<Webhooks, String> {
        let directory = data_dir.join("epcis");
        std::fs::create_dir_all(&directory)
            .map_err(|error| format!("{}: {error}", directory.display()))?;
        let path = directory.join("subscriptions.json");
        let stored = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|error| format!("{}: {error}", path.display()))?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Stored {
                next_id: 1,
                ..Stored::default()
            },
            Err(error) => return Err(format!("{}: {error}", path.display())),
        };
        Ok(Webhooks {
            path,
            stored: Mutex::new(stored),
            config,
            schedule: Mutex::default(),
            wake: tokio::sync::Notify::new(),
        })
    }

    /// Names a query (or changes a name's query) for `owner`.
    pub fn define_query(
        &self,
        owner: TaxpayerId,
        name: &str,
        params: Vec<(String, String)>,
    ) -> Result<(), ApiError> {
        check_name(name)?;
        let bytes: usize = params
            .iter()
            .map(|(key, value)| key.len() + value.len())
            .sum();
        if bytes > QUERY_BYTES_MAX {
            return Err(ApiError::too_many("query bytes", QUERY_BYTES_MAX));
        }
        let mut stored = self.stored.lock().expect("webhooks lock");
        let owned = stored
            .queries
            .iter()
            .filter(|query| query.owner == owner)
            .count();
        let total = stored.queries.len();
        match stored
            .queries
            .iter_mut()
            .find(|query| query.owner == owner && query.name == name)
        {
            Some(query) => query.params = params,
            None if total >= NAMED_QUERIES_MAX => {
                return Err(ApiError::full(
                    "named queries of this server",
                    NAMED_QUERIES_MAX,
                ));
            }
            None if owned >= NAMED_QUERIES_PER_PARTICIPANT_MAX => {
                return Err(ApiError::full(
                    "named queries",
                    NAMED_QUERIES_PER_PARTICIPANT_MAX,
                ));
            }
            None => stored.queries.push(NamedQuery {
                owner,
                name: name.to_owned(),
                params,
            }),
        }
        self.save(&stored)
    }

    /// The parameters of `owner`'s query `name`.
    pub fn query(&self, owner: &TaxpayerId, name: &str) -> Result<Vec<(String, String)>, ApiError> {
        let stored = self.stored.lock().expect("webhooks lock");
        let found = stored
            .queries
            .iter()
            .find(|query| query.owner == *owner && query.name == name);
        found
            .map(|query| query.params.clone())
            .ok_or_else(|| ApiError::not_found("query"))
    }

    /// Subscribes `dest` to `owner`'s query `name`, from the entry after `head` on.
    pub fn subscribe(
        &self,
        owner: TaxpayerId,
        name: &str,
        dest: &str,
        secret: &str,
        now_ms: u64,
        head: u64,
    ) -> Result<Subscription, ApiError> {
        self.query(&owner, name)?;
        self.check_destination(dest)?;
        let secret_chars = secret.chars().count();
        if !(SIGNATURE_TOKEN_CHARS_MIN..=SIGNATURE_TOKEN_CHARS_MAX).contains(&secret_chars) {
            return Err(ApiError::invalid("signatureToken"));
        }
        let mut stored = self.stored.lock().expect("webhooks lock");
        if stored
            .subscriptions
            .iter()
            .filter(|one| one.owner == owner)
            .count()
            >= SUBSCRIPTIONS_PER_PARTICIPANT_MAX
        {
            return Err(ApiError::full(
                "subscriptions",
                SUBSCRIPTIONS_PER_PARTICIPANT_MAX,
            ));
        }
        if stored.subscriptions.len() >= SUBSCRIPTIONS_MAX {
            return Err(ApiError::full(
                "subscriptions of this server",
                SUBSCRIPTIONS_MAX,
            ));
        }
        let subscription = Subscription {
            id: stored.next_id,
            owner,
            query: name.to_owned(),
            dest: dest.to_owned(),
            secret: secret.to_owned(),
            created_ms: now_ms,
            after: (head, u32::MAX),
            failures: 0,
            suspended: None,
            last_error: None,
        };
        stored.next_id += 1;
        stored.subscriptions.push(subscription.clone());
        self.save(&stored)?;
        drop(stored);
        self.wake.notify_one();
        Ok(subscription)
    }

    /// `owner`'s subscriptions to its query `name` (which must be its).
    pub fn subscriptions(
        &self,
        owner: &TaxpayerId,
        name: &str,
    ) -> Result<Vec<Subscription>, ApiError> {
        self.query(owner, name)?;
        let stored = self.stored.lock().expect("webhooks lock");
        Ok(stored
            .subscriptions
            .iter()
            .filter(|one| one.owner == *owner && one.query == name)
            .cloned()
            .collect())
    }

    /// Ends `owner`'s subscription `id` to its query `name`.
    pub fn unsubscribe(&self, owner: &TaxpayerId, name: &str, id: u64) -> Result<(), ApiError> {
        let mut stored = self.stored.lock().expect("webhooks lock");
        let before = stored.subscriptions.len();
        stored
            .subscriptions
            .retain(|one| !(one.owner == *owner && one.query == name && one.id == id));
        if stored.subscriptions.len() == before {
            return Err(ApiError::not_found("subscription"));
        }
        self.save(&stored)
    }

    /// A destination the server will post to: an absolute `https` URL (or `http` when
    /// configured), of bounded length, with a host. Where its name points is checked when
    /// the connection is made ([`GuardedResolver`]).
    fn check_destination(&self, dest: &str) -> Result<(), ApiError> {
        let uri: hyper::Uri = dest.parse().map_err(|_| ApiError::invalid("dest"))?;
        let allowed_scheme = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => self.config.allow_plain_http,
            _ => false,
        };
        if dest.len() > DESTINATION_CHARS_MAX || !allowed_scheme || uri.host().is_none() {
            return Err(ApiError::invalid("dest"));
        }
        // An address written as such is never resolved, so the resolver's check does not see
        // it: it is checked here.
        let host = uri.host().unwrap_or_default();
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>()
            && !self.config.allow_private_destinations
            && !is_public(ip)
        {
            return Err(ApiError::invalid("dest (not a public address)"));
        }
        Ok(())
    }

    /// Writes every query and subscription: beside the file, synced, renamed over it.
    fn save(&self, stored: &Stored) -> Result<(), ApiError> {
        let written = (|| -> std::io::Result<()> {
            use std::io::Write;
            let temporary = self.path.with_extension("json.tmp");
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(&serde_json::to_vec(stored).map_err(std::io::Error::other)?)?;
            file.sync_all()?;
            std::fs::rename(&temporary, &self.path)?;
            std::fs::File::open(self.path.parent().unwrap_or(Path::new(".")))?.sync_all()
        })();
        written.map_err(|error| {
            tracing::error!(%error, path = %self.path.display(), "subscriptions not saved");
            ApiError::internal()
        })
    }

    /// The subscriptions due now, marked under way.
    fn due(&self, now: tokio::time::Instant, slots: usize) -> Vec<Subscription> {
        let stored = self.stored.lock().expect("webhooks lock");
        let mut schedule = self.schedule.lock().expect("webhooks schedule lock");
        // One delivery under way per owner: a participant's slow receivers hold its own
        // deliveries back, never everyone's.
        let mut busy: BTreeSet<TaxpayerId> = (stored.subscriptions.iter())
            .filter(|one| schedule.get(&one.id).is_some_and(|entry| entry.1))
            .map(|one| one.owner)
            .collect();
        let mut due = Vec::new();
        for subscription in stored
            .subscriptions
            .iter()
            .filter(|one| one.suspended.is_none())
        {
            let entry = schedule.entry(subscription.id).or_insert((now, false));
            let free = !entry.1 && entry.0 <= now && !busy.contains(&subscription.owner);
            if due.len() < slots && free {
                entry.1 = true;
                busy.insert(subscription.owner);
                due.push(subscription.clone());
            }
        }
        let live: BTreeSet<u64> = stored.subscriptions.iter().map(|one| one.id).collect();
        schedule.retain(|id, _| live.contains(id));
        due
    }

    /// Records how a delivery ended (on a blocking thread: it may write the file).
    fn finish(&self, id: u64, outcome: Result<Moved, String>) {
        let mut stored = self.stored.lock().expect("webhooks lock");
        let mut schedule = self.schedule.lock().expect("webhooks schedule lock");
        let Some(subscription) = stored.subscriptions.iter_mut().find(|one| one.id == id) else {
            return;
        };
        let now = tokio::time::Instant::now();
        let changed = match outcome {
            Ok(Moved::Delivered(after) | Moved::Passed(after)) => {
                let delivered = matches!(outcome, Ok(Moved::Delivered(_)));
                subscription.after = after;
                subscription.failures = 0;
                subscription.last_error = None;
                schedule.insert(id, (now, false));
                delivered
            }
            Ok(Moved::Nothing) => {
                schedule.insert(id, (now + POLL_INTERVAL, false));
                false
            }
            Err(error) => {
                subscription.failures += 1;
                let doublings = subscription.failures.saturating_sub(1).min(16);
                let delay = RETRY_DELAY_FIRST
                    .saturating_mul(1 << doublings)
                    .min(RETRY_DELAY_MAX);
                tracing::info!(subscription = id, failures = subscription.failures, %error, "a delivery failed");
                if subscription.failures >= FAILURES_BEFORE_SUSPENSION {
                    subscription.suspended = Some(format!(
                        "{} failures in a row; the last: {error}",
                        subscription.failures
                    ));
                }
                subscription.last_error = Some(error);
                schedule.insert(id, (now + delay, false));
                true
            }
        };
        if changed {
            let _ = self.save(&stored);
        }
    }
}

fn check_name(name: &str) -> Result<(), ApiError> {
    let fine = !name.is_empty()
        && name.len() <= QUERY_NAME_CHARS_MAX
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'));
    fine.then_some(()).ok_or_else(|| ApiError::invalid("name"))
}

/// Starts the worker that delivers.
pub fn spawn(
    app: Arc<App>,
    mut stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let client = Arc::new(client(&app.webhooks.config)?);
    let slots = Arc::new(tokio::sync::Semaphore::new(DELIVERIES_IN_FLIGHT_MAX));
    Ok(tokio::spawn(async move {
        loop {
            let free = slots.available_permits();
            for subscription in app.webhooks.due(tokio::time::Instant::now(), free) {
                let Ok(permit) = slots.clone().try_acquire_owned() else {
                    break;
                };
                let (app, client) = (app.clone(), client.clone());
                tokio::spawn(async move {
                    let id = subscription.id;
                    let outcome = deliver(&app, &client, subscription).await;
                    let recorder = app.clone();
                    let _ =
                        tokio::task::spawn_blocking(move || recorder.webhooks.finish(id, outcome))
                            .await;
                    drop(permit);
                });
            }
            tokio::select! {
                _ = app.webhooks.wake.notified() => {}
                _ = tokio::time::sleep(POLL_INTERVAL) => {}
                _ = stop.changed() => return,
            }
        }
    }))
}

/// How far a delivery moved a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moved {
    /// Nothing new in the log.
    Nothing,
    /// New entries, none of them the query's: passed over (kept in memory only: after a
    /// restart they are read again, and still match nothing).
    Passed((u64, u32)),
    /// Events delivered up to here (saved before the next delivery).
    Delivered((u64, u32)),
}

/// One delivery: the next events of the subscription's query after its cursor, posted and
/// signed.
async fn deliver(
    app: &Arc<App>,
    client: &WebhookClient,
    subscription: Subscription,
) -> Result<Moved, String> {
    // The owner's standing and roles are read again before every delivery, as a feed's are.
    let owner = app
        .active_participant(&subscription.owner)
        .map_err(|error| error.code.to_owned())?;
    let readers = crate::service::epcis::readers();
    if !readers.iter().any(|role| owner.has_role(*role)) {
        return Err("TANBA-SERVER-FORBIDDEN".to_owned());
    }
    let params = app
        .webhooks
        .query(&owner.id, &subscription.query)
        .map_err(|error| error.code.to_owned())?;
    let mut query = EventQuery::from_params(
        params
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    )
    .map_err(|error| error.to_string())?;
    query.per_page = DELIVERY_EVENTS_MAX;
    query.descending = false;
    query.event_count_limit = None;
    let (sequence, index) = subscription.after;
    query.page = Some(PagePosition { sequence, index });
    let page = read_page(app.clone(), owner, query).await?;
    let cursor = match page.next {
        Some(next) => (next.sequence, next.index),
        None => (page.through.max(sequence), u32::MAX),
    };
    if cursor == subscription.after {
        return Ok(Moved::Nothing);
    }
    if page.events.is_empty() {
        return Ok(Moved::Passed(cursor));
    }
    let mut document =
        tanba_epcis::export::query_document(&subscription.query, page.events, app.now_ms());
    document["epcisBody"]["queryResults"]["subscriptionID"] = subscription.id.to_string().into();
    let body = serde_json::to_vec(&document).map_err(|error| error.to_string())?;
    let delivery = format!("{}.{sequence}.{index}", subscription.id);
    post(
        client,
        &subscription.dest,
        &subscription.secret,
        &delivery,
        body,
    )
    .await?;
    Ok(Moved::Delivered(cursor))
}

/// A page read off the async workers.
async fn read_page(
    app: Arc<App>,
    owner: Participant,
    query: EventQuery,
) -> Result<crate::service::epcis::EventsPage, String> {
    let store = app.engine.store().clone();
    tokio::task::spawn_blocking(move || {
        let snapshot = store.snapshot();
        let histories = crate::service::epcis::Histories::Ignore;
        crate::service::epcis::read_page(snapshot.as_ref(), &owner, &query, histories)
    })
    .await
    .map_err(|error| error.to_string())?
    .map_err(|error| error.code.to_owned())
}

/// The HMAC-SHA-256 of `body` under `secret`, as the `GS1-Signature` header carries it.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    format!(
        "sha256={}",
        tanba_crypto::encoding::hex(ring::hmac::sign(&key, body).as_ref())
    )
}

async fn post(
    client: &WebhookClient,
    dest: &str,
    secret: &str,
    delivery: &str,
    body: Vec<u8>,
) -> Result<(), String> {
    let request = hyper::Request::post(dest)
        .header(hyper::header::CONTENT_TYPE, "application/ld+json")
        .header("GS1-EPCIS-Version", "2.0.0")
        .header("GS1-Signature", signature(secret, &body))
        .header("GS1-Delivery", delivery)
        .body(http_body_util::Full::new(axum::body::Bytes::from(body)))
        .map_err(|error| error.to_string())?;
    let answer = tokio::time::timeout(DELIVERY_TIMEOUT, client.request(request))
        .await
        .map_err(|_| "no answer in time".to_owned())?
        .map_err(|error| error.to_string())?;
    match answer.status().is_success() {
        true => Ok(()),
        false => Err(format!("answered {}", answer.status())),
    }
}

/// The client deliveries go through: hyper's (no redirects followed), names resolved by
/// [`GuardedResolver`].
pub type WebhookClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<
        hyper_util::client::legacy::connect::HttpConnector<GuardedResolver>,
    >,
    http_body_util::Full<axum::body::Bytes>,
>;

fn client(config: &WebhooksConfig) -> Result<WebhookClient, String> {
    let mut http =
        hyper_util::client::legacy::connect::HttpConnector::new_with_resolver(GuardedResolver {
            allow_private: config.allow_private_destinations,
        });
    http.set_connect_timeout(Some(DELIVERY_TIMEOUT));
    http.enforce_http(false);
    let roots = match &config.ca_file {
        Some(path) => crate::registers::read_roots(path)?,
        None => tokio_rustls::rustls::RootCertStore::empty(),
    };
    let tls = crate::registers::client_tls(&roots)?;
    let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls);
    let connector = match config.allow_plain_http {
        true => builder.https_or_http(),
        false => builder.https_only(),
    };
    Ok(
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(connector.enable_http1().wrap_connector(http)),
    )
}

/// Resolves a destination's name and keeps only public addresses (unless configured): checked
/// when the connection is made, so a name that points elsewhere later is caught then.
#[derive(Clone)]
pub struct GuardedResolver {
    allow_private: bool,
}

impl tower::Service<hyper_util::client::legacy::connect::dns::Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future =
        std::pin::Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: hyper_util::client::legacy::connect::dns::Name) -> Self::Future {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|address| allow_private || is_public(address.ip()))
                .collect();
            if found.is_empty() {
                return Err(std::io::Error::other(format!("{name}: no public address")));
            }
            Ok(found.into_iter())
        })
    }
}

/// Whether `ip` is an address of the public internet (not loopback, private, link-local,
/// shared, documentation, multicast or unspecified).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (18..20).contains(&b)))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                let segments = v6.segments();
                // Only global unicast (2000::/3), and not 6to4 or NAT64, which wrap an IPv4
                // address that may be a private one.
                let global = (segments[0] & 0xe000) == 0x2000;
                let six_to_four = segments[0] == 0x2002;
                let nat64 = segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
                global && !six_to_four && !nat64 && !v6.is_loopback()
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_posted_to() {
        for private in [
            "2002:a00::1",
            "64:ff9b::a00:1",
            "198.18.0.1",
            "240.0.0.1",
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "2a00:1450:4001::1", "95.59.1.1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn an_address_written_as_such_must_be_public_and_the_scheme_https() {
        let directory = tempfile::tempdir().unwrap();
        let config = WebhooksConfig {
            ca_file: None,
            allow_plain_http: false,
            allow_private_destinations: false,
        };
        let webhooks = Webhooks::open(directory.path(), config).unwrap();
        for refused in [
            "https://10.0.0.5:8443/x",
            "https://[::1]:6379/",
            "https://169.254.169.254/latest",
            "https://[::ffff:127.0.0.1]/",
            "http://example.com/hook",
            "ftp://example.com/hook",
        ] {
            assert!(webhooks.check_destination(refused).is_err(), "{refused}");
        }
        assert!(
            webhooks
                .check_destination("https://partner.example.com/hook")
                .is_ok()
        );
        assert!(webhooks.check_destination("https://8.8.8.8/hook").is_ok());
    }

    #[test]
    fn a_signature_is_the_bodys_hmac_sha256() {
        // RFC 4231, test case 2.
        let mac = signature("Jefe", b"what do ya want for nothing?");
        assert_eq!(
            mac,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_query_name_is_short_and_plain() {
        assert!(check_name("stock-moves_1.v2").is_ok());
        for bad in ["", "a b", "ünï", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
