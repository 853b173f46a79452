//! The register adapters (clause 2, R-IS-16): tasks that fetch, through the configured
//! e-government gateway, the register of individual entrepreneurs and the national certification
//! centre's issuing certificates and revocation lists, and write what changed into the log as
//! system commands ([`Command::RefreshRegister`]), so every node agrees on what was known when.
//!
//! The gateway's answers are untrusted bytes: bounded in size and time, parsed by
//! [`parse_entrepreneurs`] (fuzzed) and `tanba_crypto::x509` (revocation lists must be signed by
//! an issuing CA that chains up to a configured root). A refresh that fails changes nothing: the
//! log keeps what it knew, the failure is counted and shown, and the next attempt waits with
//! capped exponential backoff. A list older than the one known is refused by the engine, so a
//! gateway replaying old lists cannot un-revoke a certificate.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use tanba_crypto::x509::{self, RevocationList, TrustRoots};
use tanba_engine::EngineError;
use tanba_engine::registers::{self as known, IssuerRecord};
use tanba_types::register::REGISTER_CHANGES_MAX;
use tanba_types::{
    Actor, Command, RegisterEntry, RegisterRefresh, RegistrationStatus, RevocationUpdate,
    TaxpayerId,
};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::rustls;

use crate::app::App;
use crate::config::RegistersConfig;

/// Where the gateway serves the register of individual entrepreneurs (JSON, see
/// [`parse_entrepreneurs`]).
pub const ENTREPRENEURS_PATH: &str = "registers/entrepreneurs";
/// Where it serves the centre's issuing CA certificates (a PEM bundle).
pub const CENTRE_CERTIFICATES_PATH: &str = "registers/nca/certificates";
/// Where it serves the centre's revocation lists (a PEM bundle of `X509 CRL`).
pub const CENTRE_REVOCATIONS_PATH: &str = "registers/nca/crl";
/// Largest answer read (the whole register of entrepreneurs, about two million entries).
pub const ANSWER_BYTES_MAX: usize = 512 * 1024 * 1024;
/// First wait after a failed refresh; doubled after each failure in a row.
pub const BACKOFF_MIN: Duration = Duration::from_secs(1);
/// Longest wait after failures.
pub const BACKOFF_MAX: Duration = Duration::from_secs(600);
/// Most issuing CA certificates read from the centre's bundle.
pub const ISSUING_CAS_MAX: usize = 64;
/// Longest error text kept for the console.
const ERROR_TEXT_CHARS_MAX: usize = 300;

/// The registers, by their stable names.
pub const REGISTERS: [&str; 2] = ["entrepreneurs", "revocations"];

/// Why a refresh failed.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The gateway could not be reached or did not answer in time.
    #[error("gateway unreachable: {0}")]
    Fetch(String),
    /// The gateway answered with an error status.
    #[error("gateway answered HTTP {0}")]
    Status(u16),
    /// The answer is larger than [`ANSWER_BYTES_MAX`].
    #[error("answer larger than {ANSWER_BYTES_MAX} bytes")]
    TooLarge,
    /// The answer is not of the documented shape.
    #[error("malformed answer: {0}")]
    Malformed(String),
    /// A certificate or revocation list does not check out.
    #[error("certificate: {0}")]
    Certificate(#[from] tanba_crypto::CryptoError),
    /// The engine refused the refresh, or the store failed.
    #[error("engine: {0}")]
    Engine(#[from] EngineError),
}

impl RegisterError {
    /// A stable code for metrics and the console.
    pub fn code(&self) -> &'static str {
        match self {
            RegisterError::Fetch(_) => "TANBA-REGISTER-FETCH",
            RegisterError::Status(_) => "TANBA-REGISTER-STATUS",
            RegisterError::TooLarge => "TANBA-REGISTER-TOO-LARGE",
            RegisterError::Malformed(_) => "TANBA-REGISTER-MALFORMED",
            RegisterError::Certificate(error) => error.code(),
            RegisterError::Engine(error) => error.code(),
        }
    }
}

/// How one adapter fares, for the console and `/metrics`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdapterStatus {
    /// When it last tried, unix milliseconds.
    pub last_attempt_ms: Option<u64>,
    /// When it last succeeded.
    pub last_success_ms: Option<u64>,
    /// Its last error (code and text), cleared by a success.
    pub last_error: Option<(String, String)>,
    /// Failures since the last success.
    pub failures_in_row: u32,
    /// Entries (or serials) changed by its last successful refresh.
    pub last_changes: u64,
    /// Entries of the last answer left out as malformed (a bad IIN, an unknown status).
    pub last_rejected: u64,
}

/// Every adapter's status.
#[derive(Debug, Default)]
pub struct AdapterBoard {
    statuses: Mutex<BTreeMap<&'static str, AdapterStatus>>,
}

impl AdapterBoard {
    /// A copy of every adapter's status that has run.
    pub fn statuses(&self) -> BTreeMap<&'static str, AdapterStatus> {
        self.statuses.lock().expect("adapter board").clone()
    }

    fn record(
        &self,
        register: &'static str,
        now_ms: u64,
        outcome: &Result<Refreshed, RegisterError>,
    ) {
        let mut statuses = self.statuses.lock().expect("adapter board");
        let status = statuses.entry(register).or_default();
        status.last_attempt_ms = Some(now_ms);
        let outcome_label = match outcome {
            Ok(refreshed) => {
                status.last_success_ms = Some(now_ms);
                status.last_error = None;
                status.failures_in_row = 0;
                status.last_changes = refreshed.changes;
                status.last_rejected = refreshed.rejected;
                metrics::counter!("tanba_register_changes_total", "register" => register)
                    .increment(refreshed.changes);
                metrics::gauge!("tanba_register_last_success_seconds", "register" => register)
                    .set(now_ms as f64 / 1000.0);
                "ok"
            }
            Err(error) => {
                let text: String = error
                    .to_string()
                    .chars()
                    .take(ERROR_TEXT_CHARS_MAX)
                    .collect();
                status.last_error = Some((error.code().to_owned(), text));
                status.failures_in_row = status.failures_in_row.saturating_add(1);
                "failed"
            }
        };
        metrics::counter!("tanba_register_refreshes_total", "register" => register, "outcome" => outcome_label)
            .increment(1);
        metrics::gauge!("tanba_register_failures_in_row", "register" => register)
            .set(f64::from(status.failures_in_row));
    }
}

/// What a refresh wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Entries or serials changed.
    pub changes: u64,
    /// Entries of the answer left out as malformed.
    pub rejected: u64,
}

/// Starts one task per register; they stop when `stopped` turns true.
pub fn spawn(
    app: Arc<App>,
    config: RegistersConfig,
    client: GatewayClient,
    stopped: watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let gateway = Gateway {
        base: config.gateway_url.trim_end_matches('/').to_owned(),
        client,
        timeout: Duration::from_secs(config.timeout_seconds.max(1)),
    };
    let every = Duration::from_secs(config.refresh_seconds.max(1));
    REGISTERS
        .into_iter()
        .map(|register| {
            let (app, gateway, stopped) = (app.clone(), gateway.clone(), stopped.clone());
            tokio::spawn(run(app, gateway, register, every, stopped))
        })
        .collect()
}

/// The HTTP client the adapters fetch with (hyper's, which never follows a redirect).
pub type GatewayClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    http_body_util::Empty<axum::body::Bytes>,
>;

/// The client for the gateway: a connect timeout, HTTP/1.1, no redirects; for an `https://`
/// gateway TLS only (rustls with ring, TLS 1.2 and 1.3) trusting only the roots in
/// `gateway_ca_file`.
pub fn client(config: &RegistersConfig) -> Result<GatewayClient, String> {
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.set_connect_timeout(Some(Duration::from_secs(
        config.timeout_seconds.clamp(1, 10),
    )));
    http.enforce_http(false);
    let builder = hyper_rustls::HttpsConnectorBuilder::new();
    let url: hyper::Uri = (config.gateway_url.parse())
        .map_err(|error| format!("registers.gateway_url {}: {error}", config.gateway_url))?;
    let scheme = url.scheme_str().map(str::to_ascii_lowercase);
    let connector = match (scheme.as_deref(), config.gateway_ca_file.as_deref()) {
        (Some("https"), Some(roots)) => {
            let tls = client_tls(&read_roots(roots)?)?;
            builder.with_tls_config(tls).https_only()
        }
        (Some("https"), None) => {
            return Err("an https:// gateway needs registers.gateway_ca_file \
                        (TANBA_GATEWAY_CA_FILE): the roots its certificate chains to"
                .to_owned());
        }
        (Some("http"), None) => {
            // The register of entrepreneurs is not signed: over plain HTTP only a gateway
            // reached through its own secure channel keeps strangers from suspending anyone.
            tracing::warn!(
                gateway = %config.gateway_url,
                "the register gateway is plain HTTP: its answers arrive unauthenticated"
            );
            let tls = client_tls(&rustls::RootCertStore::empty())?;
            builder.with_tls_config(tls).https_or_http()
        }
        (Some("http"), Some(_)) => {
            return Err("registers.gateway_ca_file is for an https:// gateway".to_owned());
        }
        _ => {
            return Err(format!(
                "registers.gateway_url {}: not http(s)",
                config.gateway_url
            ));
        }
    };
    let connector = connector.enable_http1().wrap_connector(http);
    Ok(
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(connector),
    )
}

/// The certificates of the PEM file `path`, at least one.
pub(crate) fn read_roots(path: &std::path::Path) -> Result<rustls::RootCertStore, String> {
    use rustls_pki_types::pem::PemObject;
    let failed = |error: &dyn std::fmt::Display| format!("{}: {error}", path.display());
    let mut store = rustls::RootCertStore::empty();
    for certificate in
        rustls_pki_types::CertificateDer::pem_file_iter(path).map_err(|error| failed(&error))?
    {
        let certificate = certificate.map_err(|error| failed(&error))?;
        store.add(certificate).map_err(|error| failed(&error))?;
    }
    if store.is_empty() {
        return Err(failed(&"no certificate"));
    }
    Ok(store)
}

/// TLS to the gateway, trusting `roots` only.
pub(crate) fn client_tls(roots: &rustls::RootCertStore) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| error.to_string())?
        .with_root_certificates(roots.clone())
        .with_no_client_auth())
}

async fn run(
    app: Arc<App>,
    gateway: Gateway,
    register: &'static str,
    every: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        if !app.engine.is_steward() {
            // The cluster's steward polls the registers for every node.
            tokio::select! {
                _ = tokio::time::sleep(tanba_engine::steward::STEWARD_RENEW_INTERVAL) => continue,
                _ = stopped.changed() => return,
            }
        }
        let refresh = async {
            match register {
                "entrepreneurs" => refresh_entrepreneurs(&app, &gateway).await,
                _ => refresh_revocations(&app, &gateway).await,
            }
        };
        // A stopping server does not wait out a slow gateway: a refresh cut short writes at
        // most some parts, which the next one finishes.
        let outcome = tokio::select! {
            outcome = refresh => outcome,
            _ = stopped.changed() => return,
        };
        if let Err(error) = &outcome {
            tracing::warn!(register, code = error.code(), %error, "register refresh failed");
        }
        app.registers.record(register, app.now_ms(), &outcome);
        let failures = app
            .registers
            .statuses()
            .get(register)
            .map_or(0, |status| status.failures_in_row);
        let wait = if failures == 0 {
            every
        } else {
            backoff(failures)
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stopped.changed() => return,
        }
    }
}

/// The wait after `failures` failures in a row: [`BACKOFF_MIN`] doubled each time, at most
/// [`BACKOFF_MAX`].
pub fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(20);
    BACKOFF_MIN.saturating_mul(1 << doublings).min(BACKOFF_MAX)
}

#[derive(Clone)]
struct Gateway {
    base: String,
    client: GatewayClient,
    /// How long one fetch may take, answer included.
    timeout: Duration,
}

impl Gateway {
    /// The answer at `path`, at most [`ANSWER_BYTES_MAX`] bytes, read as it arrives within the
    /// timeout.
    async fn fetch(&self, path: &str) -> Result<Vec<u8>, RegisterError> {
        tokio::time::timeout(self.timeout, self.fetch_unbounded(path))
            .await
            .map_err(|_| {
                RegisterError::Fetch(format!("no whole answer within {:?}", self.timeout))
            })?
    }

    async fn fetch_unbounded(&self, path: &str) -> Result<Vec<u8>, RegisterError> {
        use http_body_util::BodyExt;
        let fetch_error = |error: &dyn std::fmt::Display| RegisterError::Fetch(error.to_string());
        let url: hyper::Uri = format!("{}/{path}", self.base)
            .parse()
            .map_err(|error| fetch_error(&error))?;
        let response = self
            .client
            .get(url)
            .await
            .map_err(|error| fetch_error(&error_chain(&error)))?;
        if !response.status().is_success() {
            return Err(RegisterError::Status(response.status().as_u16()));
        }
        let declared = (response.headers().get(hyper::header::CONTENT_LENGTH))
            .and_then(|length| length.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|length| length > ANSWER_BYTES_MAX as u64) {
            return Err(RegisterError::TooLarge);
        }
        let mut body = response.into_body();
        let mut answer = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|error| fetch_error(&error))?;
            let Ok(chunk) = frame.into_data() else {
                continue;
            };
            if answer.len() + chunk.len() > ANSWER_BYTES_MAX {
                return Err(RegisterError::TooLarge);
            }
            answer.extend_from_slice(&chunk);
        }
        Ok(answer)
    }
}

/// An error with its causes, so a TLS refusal says why (an unknown issuer, a wrong name).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

// ---------------------------------------------------------------------------------------------
// The register of individual entrepreneurs.

#[derive(Deserialize)]
struct EntrepreneursAnswer {
    entries: Vec<RawEntry>,
}

#[derive(Deserialize)]
struct RawEntry {
    id: String,
    name: String,
    status: String,
}

/// The register as read: its well-formed entries (each IIN/BIN once), and how many were left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRegister {
    /// Well-formed entries, in IIN/BIN order.
    pub entries: Vec<RegisterEntry>,
    /// Entries left out: a malformed IIN/BIN, an empty or overlong name, an unknown status, or
    /// an IIN/BIN named twice (both left out: the register contradicts itself).
    pub rejected: u64,
}

/// Reads the gateway's register of entrepreneurs: `{"entries": [{"id": "IIN/BIN", "name":
/// "...", "status": "active" | "ceased"}, ...]}`. A document of another shape fails whole; a
/// malformed entry is left out and counted.
pub fn parse_entrepreneurs(bytes: &[u8]) -> Result<ParsedRegister, RegisterError> {
    let answer: EntrepreneursAnswer = serde_json::from_slice(bytes).map_err(|error| {
        RegisterError::Malformed(format!("{:?} at line {}", error.classify(), error.line()))
    })?;
    let mut rejected = 0u64;
    let mut by_id: BTreeMap<TaxpayerId, Option<RegisterEntry>> = BTreeMap::new();
    for raw in answer.entries {
        let Some(entry) = entry_of(raw) else {
            rejected += 1;
            continue;
        };
        match by_id.get_mut(&entry.id) {
            Some(seen) => {
                rejected += 1 + u64::from(seen.is_some());
                *seen = None;
            }
            None => {
                by_id.insert(entry.id, Some(entry));
            }
        }
    }
    Ok(ParsedRegister {
        entries: by_id.into_values().flatten().collect(),
        rejected,
    })
}

fn entry_of(raw: RawEntry) -> Option<RegisterEntry> {
    let status = match raw.status.as_str() {
        "active" => RegistrationStatus::Active,
        "ceased" => RegistrationStatus::Ceased,
        _ => return None,
    };
    let name = raw.name.trim();
    let name_fits =
        !name.is_empty() && name.len() <= tanba_types::register::REGISTER_NAME_BYTES_MAX;
    name_fits.then_some(())?;
    Some(RegisterEntry {
        id: raw.id.parse().ok()?,
        name: name.to_owned(),
        status,
    })
}

async fn refresh_entrepreneurs(
    app: &Arc<App>,
    gateway: &Gateway,
) -> Result<Refreshed, RegisterError> {
    let body = gateway.fetch(ENTREPRENEURS_PATH).await?;
    let digest = *blake3::hash(&body).as_bytes();
    let last = known::last_refresh(app.engine.snapshot().as_ref(), "entrepreneurs")?;
    if last.is_some_and(|last| last.digest == digest) {
        return Ok(Refreshed::default());
    }
    // Two million entries parse and compare on a blocking thread, not a runtime worker.
    let reader = app.clone();
    let (changes, entries_total, rejected) = tokio::task::spawn_blocking(move || {
        let parsed = parse_entrepreneurs(&body)?;
        let total = parsed.entries.len() as u64;
        let snapshot = reader.engine.snapshot();
        let mut changes = Vec::new();
        for entry in parsed.entries {
            if known::entry(snapshot.as_ref(), &entry.id)?.as_ref() != Some(&entry) {
                changes.push(entry);
            }
        }
        Ok::<_, RegisterError>((changes, total, parsed.rejected))
    })
    .await
    .map_err(|error| RegisterError::Malformed(error.to_string()))??;
    let written = changes.len() as u64;
    let mut parts: Vec<Vec<RegisterEntry>> = changes
        .chunks(REGISTER_CHANGES_MAX)
        .map(<[RegisterEntry]>::to_vec)
        .collect();
    if parts.is_empty() {
        parts.push(Vec::new());
    }
    let last_index = parts.len() - 1;
    for (index, part) in parts.into_iter().enumerate() {
        let refresh = RegisterRefresh::Entrepreneurs {
            answer_digest: digest,
            entries_total,
            changes: part,
            last_part: index == last_index,
        };
        submit(app, refresh).await?;
    }
    Ok(Refreshed {
        changes: written,
        rejected,
    })
}

async fn submit(app: &App, refresh: RegisterRefresh) -> Result<(), RegisterError> {
    app.engine
        .submit(Actor::System, Command::RefreshRegister(refresh))?
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The certification centre's revocation lists.

/// The centre's CAs that may sign revocation lists now: the configured roots, and each issuing
/// CA of the bundle that chains up to one (others are left out and counted).
fn issuing_cas(
    roots: &TrustRoots,
    bundle: &[u8],
    now_ms: u64,
) -> Result<(Vec<x509::Certificate>, u64), RegisterError> {
    let ders = x509::certificates_from_pem(bundle)?;
    if ders.len() > ISSUING_CAS_MAX {
        return Err(RegisterError::Malformed(format!(
            "more than {ISSUING_CAS_MAX} certificates in the centre's bundle"
        )));
    }
    let mut cas = roots.certificates().to_vec();
    let mut rejected = 0;
    for der in ders {
        match x509::check_issuing_ca(&der, roots, now_ms) {
            Ok(ca) => cas.push(ca),
            Err(_) => rejected += 1,
        }
    }
    Ok((cas, rejected))
}

async fn refresh_revocations(app: &App, gateway: &Gateway) -> Result<Refreshed, RegisterError> {
    let roots = app.trust_roots();
    if roots.is_empty() {
        return Err(RegisterError::Certificate(
            tanba_crypto::CryptoError::CertificateUntrusted,
        ));
    }
    let bundle = gateway.fetch(CENTRE_CERTIFICATES_PATH).await?;
    let lists_pem = gateway.fetch(CENTRE_REVOCATIONS_PATH).await?;
    let now_ms = app.now_ms();
    let (cas, mut rejected) = issuing_cas(roots, &bundle, now_ms)?;
    let ders = x509::revocation_lists_from_pem(&lists_pem)?;
    if ders.is_empty() {
        // A gateway (or a middleman) withholding the lists is a failure, not a quiet success.
        return Err(RegisterError::Malformed(
            "no revocation list in the answer".into(),
        ));
    }
    let mut first_error = None;
    // The latest list of each issuer only: two lists of one issuer served together would
    // otherwise take turns in the log.
    let mut latest: BTreeMap<[u8; 32], RevocationList> = BTreeMap::new();
    for der in ders {
        match x509::check_revocation_list(&der, &cas, now_ms) {
            Ok(list) => {
                // Of two lists of one issuer the older is left out (and counted).
                let issuer = list.issuer.0;
                let kept = match latest.remove(&issuer) {
                    None => list,
                    Some(other) => {
                        rejected += 1;
                        if other.this_update_ms >= list.this_update_ms {
                            other
                        } else {
                            list
                        }
                    }
                };
                latest.insert(issuer, kept);
            }
            Err(error) => {
                rejected += 1;
                first_error.get_or_insert(RegisterError::from(error));
            }
        }
    }
    let mut refreshed = Refreshed::default();
    for list in latest.into_values() {
        match write_list(app, list).await {
            Ok(changes) => refreshed.changes += changes,
            Err(error) => {
                rejected += 1;
                first_error.get_or_insert(error);
            }
        }
    }
    refreshed.rejected = rejected;
    // Good lists are written even when another fails; the failure is still reported.
    match first_error {
        Some(error) => Err(error),
        None => Ok(refreshed),
    }
}

/// Writes what changed in one checked list: nothing when the log has this very list; refused
/// (by the engine) when it is older than the one known.
async fn write_list(app: &App, list: RevocationList) -> Result<u64, RegisterError> {
    let (added, removed) = {
        let snapshot = app.engine.snapshot();
        let known_issuer: Option<IssuerRecord> = known::issuers(snapshot.as_ref())?
            .into_iter()
            .find(|issuer| issuer.issuer == list.issuer.0);
        if known_issuer.is_some_and(|issuer| issuer.list_digest == list.digest) {
            return Ok(0);
        }
        let revoked = revoked_now(snapshot.as_ref(), &list.issuer.0)?;
        let listed: BTreeSet<Vec<u8>> = list.serials.iter().cloned().collect();
        let added: Vec<Vec<u8>> = listed.difference(&revoked).cloned().collect();
        let removed: Vec<Vec<u8>> = revoked.difference(&listed).cloned().collect();
        (added, removed)
    };
    let changes = (added.len() + removed.len()) as u64;
    let mut serials: Vec<(bool, Vec<u8>)> =
        added.into_iter().map(|serial| (true, serial)).collect();
    serials.extend(removed.into_iter().map(|serial| (false, serial)));
    let parts: Vec<&[(bool, Vec<u8>)]> = if serials.is_empty() {
        vec![&[]]
    } else {
        serials.chunks(REGISTER_CHANGES_MAX).collect()
    };
    let last_index = parts.len() - 1;
    for (index, part) in parts.into_iter().enumerate() {
        let (added, removed): (Vec<_>, Vec<_>) = part.iter().cloned().partition(|(add, _)| *add);
        let update = RevocationUpdate {
            issuer: list.issuer.0,
            issuer_name: list.issuer_name.clone(),
            this_update_ms: list.this_update_ms,
            next_update_ms: list.next_update_ms,
            list_digest: list.digest,
            added: added.into_iter().map(|(_, serial)| serial).collect(),
            removed: removed.into_iter().map(|(_, serial)| serial).collect(),
            last_part: index == last_index,
        };
        submit(app, RegisterRefresh::Revocations(update)).await?;
    }
    Ok(changes)
}

/// Every serial the log holds as revoked by `issuer`.
fn revoked_now(
    snapshot: &dyn tanba_store::Snapshot,
    issuer: &[u8; 32],
) -> Result<BTreeSet<Vec<u8>>, EngineError> {
    let mut revoked = BTreeSet::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page =
            known::revoked_serials(snapshot, issuer, after.as_deref(), REGISTER_CHANGES_MAX)?;
        let full = page.len() == REGISTER_CHANGES_MAX;
        after = page.last().cloned();
        revoked.extend(page);
        if !full {
            return Ok(revoked);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_2_an_https_gateway_needs_its_roots_and_a_plain_one_builds() {
        let refused = client(&RegistersConfig::at("https://gateway.example/"));
        assert!(refused.is_err_and(|error| error.contains("gateway_ca_file")));
        let mut missing = RegistersConfig::at("https://gateway.example/");
        missing.gateway_ca_file = Some("/nonexistent/roots.pem".into());
        assert!(client(&missing).is_err_and(|error| error.contains("/nonexistent/roots.pem")));
        assert!(client(&RegistersConfig::at("http://gateway.internal/")).is_ok());
        // Roots given for a plain gateway would protect nothing: said, not ignored.
        let mut plain_with_roots = RegistersConfig::at("http://gateway.internal/");
        plain_with_roots.gateway_ca_file = Some("/etc/roots.pem".into());
        assert!(client(&plain_with_roots).is_err_and(|error| error.contains("https://")));
        // The scheme is read, not matched as text: HTTPS is TLS too, and it needs its roots.
        let upper = client(&RegistersConfig::at("HTTPS://gateway.example/"));
        assert!(upper.is_err_and(|error| error.contains("gateway_ca_file")));
        assert!(client(&RegistersConfig::at("ftp://gateway.example/")).is_err());
    }

    #[test]
    fn clause_2_a_register_answer_keeps_good_entries_and_counts_the_rest() {
        let answer = r#"{"entries": [
            {"id": "870412300416", "name": "ИП Ахметова", "status": "active"},
            {"id": "040340004565", "name": "ИП Берік", "status": "ceased"},
            {"id": "870412300417", "name": "bad check digit", "status": "active"},
            {"id": "900101300126", "name": "  ", "status": "active"},
            {"id": "900101300126", "name": "x", "status": "sleeping"},
            {"id": "760725301324", "name": "twice", "status": "active"},
            {"id": "760725301324", "name": "twice", "status": "ceased"}
        ]}"#;
        let parsed = parse_entrepreneurs(answer.as_bytes()).expect("parses");
        let ids: Vec<String> = parsed
            .entries
            .iter()
            .map(|entry| entry.id.to_string())
            .collect();
        assert_eq!(ids, ["040340004565", "870412300416"]);
        assert_eq!(parsed.rejected, 5);
        assert_eq!(parsed.entries[0].status, RegistrationStatus::Ceased);
        for broken in [&b"{"[..], b"[]", b"{\"entries\": 5}", b"", b"\xff"] {
            assert!(matches!(
                parse_entrepreneurs(broken),
                Err(RegisterError::Malformed(_))
            ));
        }
    }

    #[test]
    fn clause_2_failed_refreshes_back_off_doubling_up_to_a_cap() {
        assert_eq!(backoff(1), BACKOFF_MIN);
        assert_eq!(backoff(2), BACKOFF_MIN * 2);
        assert_eq!(backoff(4), BACKOFF_MIN * 8);
        assert_eq!(backoff(30), BACKOFF_MAX);
        assert_eq!(backoff(u32::MAX), BACKOFF_MAX);
    }
}
