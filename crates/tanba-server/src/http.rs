//! The HTTP side: the public check as JSON and as a readable page at the code's GS1 Digital Link
//! path ([`crate::page`] renders the pages; [`crate::resolver`] answers GS1 resolver clients
//! there), violation reports (JSON, and the page's form with an optional photo), the tills'
//! JSON API, sign-in for tills, `/metrics`, `/healthz` and `/openapi.json`. Bodies are read by
//! hand (size-capped, content type checked) so that every refusal is a coded JSON error like the
//! rest of the API, never a framework's plain text. Each call is the same operation as its gRPC
//! twin's ([`crate::service`]): a handler reads the request, hands it over (a body it could not
//! read as its refusal, answered in the same turn as through gRPC), and answers JSON or a page.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tanba_types::{Language, TaxpayerId};

use tanba_crypto::encoding::{base64url, base64url_decode};

use crate::app::AnonymousPaid;
use crate::app::{App, Call, RequestMeta};
use crate::error::ApiError;
use crate::net::PeerAddr;
use crate::page::{self, Place};
use crate::public::{PhotoError, PublicCheck, REPORT_PHOTO_BYTES_MAX, ViolationKind};
use crate::resolver;
use crate::service::retail::{ReturnReceipt, SalesReceipt, TillCheck};
use crate::service::{self, Given};

/// Largest request body, in bytes: a 1,000-line receipt in its longest form fits.
pub const HTTP_BODY_BYTES_MAX: usize = 1 << 20;
/// Longest a client may take to send a body.
pub const BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Bytes of the report form's fields other than its photo, together (a comment of
/// `REPORT_COMMENT_CHARS_MAX` characters in four-byte UTF-8 fits twice).
pub const REPORT_FIELDS_BYTES_MAX: usize = 16 * 1024;
/// Largest report form body read, from anyone. A photo past [`REPORT_PHOTO_BYTES_MAX`] is read
/// to the end of the body and thrown away as it comes (memory holds at most the photo's limit),
/// so a phone whose camera's photo is a little too large gets the page that says so, not a
/// dropped connection; a body declared larger is refused before a byte of it is read.
pub const REPORT_BODY_BYTES_MAX: usize = 8 * 1024 * 1024;
/// Report forms read at once, by everyone: what the form's bodies may hold in memory together
/// is at most this many photos.
pub const REPORT_UPLOADS_IN_FLIGHT_MAX: usize = 16;
/// Longest a phone may take to send the report form (a photo over a slow network), within the
/// call's own [`CALL_TIMEOUT`](crate::net::CALL_TIMEOUT).
pub const REPORT_BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(45);
const _: () = assert!(
    crate::public::REPORT_COMMENT_CHARS_MAX * 4 * 2 <= REPORT_FIELDS_BYTES_MAX
        && REPORT_PHOTO_BYTES_MAX + REPORT_FIELDS_BYTES_MAX <= REPORT_BODY_BYTES_MAX
        && REPORT_BODY_READ_TIMEOUT.as_secs() < crate::net::CALL_TIMEOUT.as_secs()
);

/// The OpenAPI document of this API, kept in the repository beside the code.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

/// Every route this router serves, as `METHOD path` in OpenAPI's path syntax: a test holds the
/// OpenAPI document to exactly this list.
pub const ROUTES: &[&str] = &[
    "GET /",
    "GET /healthz",
    "GET /metrics",
    "GET /openapi.json",
    "GET /v1/check",
    "POST /v1/check",
    "GET /check",
    "GET /01/{gtin}/21/{serial}",
    "GET /00/{sscc}",
    "POST /v1/reports",
    "POST /v1/opt-ins",
    "POST /v1/opt-ins/view",
    "POST /v1/opt-ins/delete",
    "POST /check/opt-in",
    "GET /check/report",
    "POST /check/report",
    "POST /v1/auth/challenge",
    "POST /v1/auth/sign-in",
    "POST /v1/till/check",
    "POST /v1/till/receipts",
    "POST /v1/till/returns",
    "GET /v1/feeds/{kind}",
    "GET /v1/exports/{job}/{day}/{file}",
    "GET /epcis/events",
    "POST /epcis/capture",
    "GET /epcis/capture/{capture_id}",
    "POST /epcis/queries",
    "GET /epcis/queries/{name}",
    "GET /epcis/queries/{name}/events",
    "GET /epcis/queries/{name}/subscriptions",
    "POST /epcis/queries/{name}/subscriptions",
    "DELETE /epcis/queries/{name}/subscriptions/{subscription_id}",
];

struct Http {
    app: Arc<App>,
    metrics: metrics_exporter_prometheus::PrometheusHandle,
    /// Report forms being read ([`REPORT_UPLOADS_IN_FLIGHT_MAX`]).
    report_uploads: tokio::sync::Semaphore,
}

type Shared = State<Arc<Http>>;

/// The HTTP router.
pub fn router(app: Arc<App>, metrics: metrics_exporter_prometheus::PrometheusHandle) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/test/clock", post(test_clock))
        .route("/metrics", get(render_metrics))
        .route("/openapi.json", get(openapi))
        .route("/v1/check", get(check_get).post(check_post))
        .route("/check", get(check_page))
        .route(
            "/01/{gtin}/21/{serial}",
            get(|state, headers, request| {
                digital_link(state, headers, request, "GET /01/{gtin}/21/{serial}")
            }),
        )
        .route(
            "/00/{sscc}",
            get(|state, headers, request| digital_link(state, headers, request, "GET /00/{sscc}")),
        )
        .route("/v1/reports", post(report))
        .route("/v1/opt-ins", post(opt_in))
        .route("/v1/opt-ins/view", post(opt_in_view))
        .route("/v1/opt-ins/delete", post(opt_out))
        .route("/check/opt-in", post(opt_in_page))
        .route(
            page::REPORT_FORM_PATH,
            get(report_form_page)
                .post(report_page)
                .layer(DefaultBodyLimit::max(REPORT_BODY_BYTES_MAX)),
        )
        .route("/v1/auth/challenge", post(challenge))
        .route("/v1/auth/sign-in", post(sign_in))
        .route("/v1/till/check", post(till_check))
        .route("/v1/till/receipts", post(till_receipt))
        .route("/v1/till/returns", post(till_return))
        .route("/v1/feeds/{kind}", get(follow_feed))
        .route("/v1/exports/{job}/{day}/{file}", get(export_file))
        .merge(crate::epcis::router(app.clone()))
        .merge(crate::console::router(app.clone()))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(HTTP_BODY_BYTES_MAX))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::app::gate,
        ))
        .with_state(Arc::new(Http {
            app,
            metrics,
            report_uploads: tokio::sync::Semaphore::new(REPORT_UPLOADS_IN_FLIGHT_MAX),
        }))
}

/// Largest body the gate in front of the handlers lets a caller without a valid token send:
/// [`ANONYMOUS_BODY_BYTES_MAX`](crate::app::ANONYMOUS_BODY_BYTES_MAX), but for the public
/// page's report form, whose photo needs more (its handler reads it only once the report rate
/// is paid).
pub fn anonymous_body_bytes_max(method: &Method, path: &str) -> usize {
    if method == Method::POST && path == page::REPORT_FORM_PATH {
        REPORT_BODY_BYTES_MAX
    } else {
        crate::app::ANONYMOUS_BODY_BYTES_MAX
    }
}

/// The call for an HTTP request, with `?lang=` winning over `Accept-Language`.
/// Where a request came from, as the accept loop and the gate marked it.
#[derive(Clone, Copy)]
pub(crate) struct Origin {
    peer: Option<PeerAddr>,
    anonymous_paid: bool,
}

impl Origin {
    pub(crate) fn of(extensions: &axum::http::Extensions) -> Origin {
        Origin {
            peer: extensions.get::<PeerAddr>().copied(),
            anonymous_paid: extensions.get::<AnonymousPaid>().is_some(),
        }
    }
}

pub(crate) fn begin<'a>(
    app: &'a App,
    method: &'static str,
    headers: &HeaderMap,
    origin: Origin,
    lang: Option<&str>,
) -> Call<'a> {
    let mut meta = RequestMeta::from_headers(headers, origin.peer.map(|peer| peer.0));
    meta.anonymous_paid = origin.anonymous_paid;
    let mut call = app.call(method, meta);
    if let Some(language) = lang.and_then(|lang| lang.parse::<Language>().ok()) {
        call.set_language(language);
    }
    call
}

/// A refusal as JSON, with its HTTP status.
pub(crate) fn error_response(error: &ApiError, language: Language) -> Response {
    let body = serde_json::json!({
        "error": {
            "code": error.code,
            "message": error.message(language),
            "subject": error.subject.map(|code| code.to_string()),
        }
    });
    let status =
        StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(body)).into_response()
}

/// Finishes a call answering JSON.
async fn answer_json<T: serde::Serialize>(
    call: Call<'_>,
    outcome: Result<T, ApiError>,
) -> Response {
    let language = call.language;
    match call.finish(outcome).await {
        Ok(value) => axum::Json(value).into_response(),
        Err(error) => error_response(&error, language),
    }
}

/// Reads a JSON body: the content type must say JSON, and it must parse.
fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            let essence = value.split(';').next().unwrap_or_default().trim();
            essence.eq_ignore_ascii_case("application/json")
        });
    if !is_json {
        return Err(ApiError::unsupported_media("application/json"));
    }
    serde_json::from_slice(body).map_err(|error| {
        // serde names the field in its message; the code stays the same for every bad body.
        tracing::debug!(%error, "bad JSON body");
        ApiError::invalid("body")
    })
}

/// Reads a JSON body ([`read_body`], [`json_body`]), for a call that answers its refusal in
/// its own turn ([`Given`]).
async fn read_json<T: DeserializeOwned>(headers: &HeaderMap, request: Request) -> Given<T> {
    json_body(headers, &read_body(request).await?)
}

#[derive(Deserialize)]
struct CheckQuery {
    code: Option<String>,
    lang: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckBody {
    code: String,
    language: Option<String>,
}

async fn check_get(
    State(http): Shared,
    Query(query): Query<CheckQuery>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let peer = Origin::of(request.extensions());
    let mut call = begin(
        &http.app,
        "GET /v1/check",
        &headers,
        peer,
        query.lang.as_deref(),
    );
    let outcome = service::public::check(&mut call, query.code.as_deref()).await;
    answer_json(call, outcome).await
}

/// `GET /check?code=...`: the home page's form, answered as a page.
async fn check_page(
    State(http): Shared,
    Query(query): Query<CheckQuery>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let peer = Origin::of(request.extensions());
    let chosen = page::chosen_language(request.uri().query());
    let mut call = begin(&http.app, "GET /check", &headers, peer, None);
    page_language(&mut call, &headers, chosen);
    let outcome = service::public::check(&mut call, query.code.as_deref()).await;
    let language = call.language;
    let outcome = call.finish(outcome).await;
    let place = Place::new(request.uri().path(), request.uri().query());
    html_answer(&outcome, language, &place, chosen)
}

/// A page's language: `?lang=` (`chosen`), else the one the visitor chose before (the
/// language cookie), else the call's (`Accept-Language`, else Russian).
fn page_language(call: &mut Call<'_>, headers: &HeaderMap, chosen: Option<Language>) {
    if let Some(language) = chosen.or_else(|| page::remembered_language(headers)) {
        call.set_language(language);
    }
}

async fn check_post(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let peer = Origin::of(request.extensions());
    let mut call = begin(&http.app, "POST /v1/check", &headers, peer, None);
    let body = read_body(request).await;
    let outcome = match body.and_then(|body| json_body::<CheckBody>(&headers, &body)) {
        Ok(body) => {
            if let Some(language) = body.language.as_deref().and_then(|l| l.parse().ok()) {
                call.set_language(language);
            }
            service::public::check(&mut call, Some(&body.code)).await
        }
        Err(error) => Err(error),
    };
    answer_json(call, outcome).await
}

/// Reads a body of at most [`HTTP_BODY_BYTES_MAX`] within [`BODY_READ_TIMEOUT`].
async fn read_body(request: Request) -> Result<Bytes, ApiError> {
    // The gate cut a stranger's body shorter.
    let bytes_max = match request.extensions().get::<AnonymousPaid>() {
        Some(_) => crate::app::ANONYMOUS_BODY_BYTES_MAX,
        None => HTTP_BODY_BYTES_MAX,
    };
    let read = axum::body::to_bytes(request.into_body(), HTTP_BODY_BYTES_MAX);
    match tokio::time::timeout(BODY_READ_TIMEOUT, read).await {
        Err(_) => Err(ApiError::invalid("body (not sent in time)")),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(error)) => {
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&error);
            let mut too_long = false;
            while let Some(inner) = cause {
                too_long |= inner.is::<http_body_util::LengthLimitError>();
                cause = inner.source();
            }
            Err(if too_long {
                ApiError::too_many("body bytes", bytes_max)
            } else {
                ApiError::invalid("body")
            })
        }
    }
}

/// `GET /01/{gtin}/21/{serial}` (and `/00/{sscc}`): the code's own Digital Link. A browser gets
/// the readable page; a client asking for JSON gets the JSON answer; a GS1 resolver's client
/// (`linkType`, or `Accept: application/linkset+json`) gets the linkset or a redirect
/// ([`resolver`]), each from the same check.
async fn digital_link(
    State(http): Shared,
    headers: HeaderMap,
    request: Request,
    method: &'static str,
) -> Response {
    let peer = Origin::of(request.extensions());
    let uri = request.uri().clone();
    let asked = resolver::Asked::of(uri.query(), &headers);
    let wants_json = asked.is_some()
        || headers
            .get(header::ACCEPT)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|accept| {
                accept.contains("application/json") && !accept.contains("text/html")
            });
    let chosen = page::chosen_language(uri.query());
    let mut call = begin(&http.app, method, &headers, peer, None);
    match wants_json {
        true => call.set_language(chosen.unwrap_or(call.language)),
        false => page_language(&mut call, &headers, chosen),
    }
    // The Digital Link parser reads the path and the query (a tail travels there as 91/92/93);
    // any host will do, the resolver is whoever serves this.
    let place = Place::new(uri.path(), uri.query());
    let link = format!("https://id.tanba.kz{}", place.path_and_query());
    let outcome = service::public::check(&mut call, Some(&link)).await;
    let item = resolver::Item::new(
        &http.app,
        peer.peer.map(|peer| peer.0),
        &uri,
        &headers,
        &place,
    );
    if let Some(asked) = asked {
        return resolver::answer(call, outcome, &asked, &item).await;
    }
    let linkset = (outcome.as_ref().ok()).and_then(|answer| item.linkset_url(answer));
    let response = if wants_json {
        answer_json(call, outcome).await
    } else {
        let language = call.language;
        let outcome = call.finish(outcome).await;
        html_answer(&outcome, language, &place, chosen)
    };
    resolver::advertise(response, linkset.as_deref())
}

/// A check's answer as a page at `place`.
fn html_answer(
    outcome: &Result<PublicCheck, ApiError>,
    language: Language,
    place: &Place,
    chosen: Option<Language>,
) -> Response {
    match outcome {
        Ok(answer) => page::render(
            StatusCode::OK,
            &page::CheckPage::new(answer, language, place),
            chosen,
        ),
        Err(error) => error_page(error, language, place, false, chosen),
    }
}

/// A refusal as a page at `place` (`back`: a form's answer, linking back to its page).
fn error_page(
    error: &ApiError,
    language: Language,
    place: &Place,
    back: bool,
    chosen: Option<Language>,
) -> Response {
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let page = page::ErrorPage::new(error.message(language), language, place, back);
    page::render(status, &page, chosen)
}

/// The language of a page that is no call's (the home page, the report form alone): `?lang=`,
/// the language cookie, `Accept-Language`, else Russian.
fn static_page_language(headers: &HeaderMap, chosen: Option<Language>) -> Language {
    chosen
        .or_else(|| page::remembered_language(headers))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .and_then(Language::from_accept_language)
        })
        .unwrap_or(Language::Ru)
}

async fn home(headers: HeaderMap, request: Request) -> Response {
    let chosen = page::chosen_language(request.uri().query());
    let language = static_page_language(&headers, chosen);
    page::render(StatusCode::OK, &page::HomePage::new(language), chosen)
}

/// An unknown route: refused, and audited (probing is worth knowing about).
async fn not_found(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let peer = Origin::of(request.extensions());
    let mut call = begin(&http.app, "(no such route)", &headers, peer, None);
    call.note_reference(request.uri().path());
    // Probing costs the anonymous rate, a token or not (once: the gate may have charged it).
    let outcome = call.anonymous().and(Err(ApiError::not_found("route")));
    answer_json::<()>(call, outcome).await
}

async fn render_metrics(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let peer = request.extensions().get::<PeerAddr>().map(|peer| peer.0);
    let meta = RequestMeta::from_headers(&headers, peer);
    let client = crate::app::client_ip(
        peer.map_or(IpAddr::from([0, 0, 0, 0]), |peer| peer.ip().to_canonical()),
        meta.forwarded_for.as_deref(),
        &http.app.config.trusted_proxies,
    );
    if !http.app.config.metrics_clients.contains(&client) {
        return error_response(&ApiError::forbidden("metrics_clients"), Language::En);
    }
    // The engine keeps its own counts; they are read here, when Prometheus asks.
    let head = http.app.engine.head();
    let writer = http.app.engine.writer_stats();
    metrics::gauge!("tanba_log_head_sequence").set(head.sequence as f64);
    metrics::gauge!("tanba_engine_group_commits").set(writer.groups as f64);
    metrics::gauge!("tanba_engine_commands_answered").set(writer.commands as f64);
    metrics::gauge!("tanba_clock_jumps_forward").set(writer.clock_jumps_forward as f64);
    metrics::gauge!("tanba_clock_behind_log_commands").set(writer.clock_behind as f64);
    metrics::gauge!("tanba_command_log_failures").set(writer.log_failures as f64);
    if let Some(seal) = &http.app.cluster_seal {
        metrics::gauge!("tanba_forged_batches").set(seal.forged_batches() as f64);
        metrics::gauge!("tanba_forged_heads").set(seal.forged_heads() as f64);
        metrics::gauge!("tanba_forged_trail_pages").set(seal.forged_trail_pages() as f64);
    }
    let mut response = http.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}

/// `ok` while the store takes writes; 503 while it refuses them (reads still answer).
async fn healthz(State(http): Shared) -> Response {
    if let Some(divergence) = http.app.divergence.get() {
        let text = format!("not serving: this node's log differs from its cluster's: {divergence}");
        return (StatusCode::SERVICE_UNAVAILABLE, text).into_response();
    }
    if http.app.engine.store_failing() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "not serving: the store refuses writes",
        )
            .into_response();
    }
    "ok".into_response()
}

/// Whether a browser's form post comes from this site's own page: the browser says so
/// (`Sec-Fetch-Site`), or its `Origin` names the host it posts to. Clients that send neither
/// (scripts, not browsers) are not cross-site requests.
fn same_site(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match (text("origin"), text("host")) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, origin_host)| origin_host == host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// Moves a test server's clock forward: `{"advance_ms": N}` from a loopback caller of a server
/// started for tests; a 404 everywhere else, as if the route did not exist.
async fn test_clock(State(http): Shared, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<PeerAddr>()
        .map(|peer| peer.0.ip());
    // Behind a proxy on the same host every caller would look local: then nobody moves it.
    let proxied = request.headers().contains_key("x-forwarded-for")
        || !http.app.config.trusted_proxies.is_empty();
    let (Some(clock), true) = (
        http.app.test_clock(),
        peer.is_some_and(|ip| ip.is_loopback()) && !proxied,
    ) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body = axum::body::to_bytes(request.into_body(), 1024).await;
    let step = body
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|value| value["advance_ms"].as_u64());
    match step.and_then(|step_ms| clock.advance(step_ms)) {
        Some(now_ms) => axum::Json(serde_json::json!({ "now_ms": now_ms })).into_response(),
        None => StatusCode::BAD_REQUEST.into_response(),
    }
}

async fn openapi() -> Response {
    let mut response = Body::from(OPENAPI_JSON).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportBody {
    code: Option<String>,
    kind: ViolationKind,
    #[serde(default)]
    comment: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

impl ReportBody {
    /// The report the body makes; a location needs both its coordinates.
    fn report(self) -> service::public::Report {
        let location = match (self.latitude, self.longitude) {
            (Some(latitude), Some(longitude)) => Ok(Some((latitude, longitude))),
            (None, None) => Ok(None),
            _ => Err(ApiError::invalid("location")),
        };
        service::public::Report {
            code: self.code.filter(|code| !code.is_empty()),
            kind: Ok(self.kind),
            comment: self.comment,
            location,
            // JSON carries no photo: a photo comes through the page's form.
            photo: Ok(None),
        }
    }
}

async fn report(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let peer = Origin::of(request.extensions());
    let mut call = begin(&http.app, "POST /v1/reports", &headers, peer, None);
    let body = async {
        let body = read_json::<ReportBody>(&headers, request).await;
        body.map(ReportBody::report)
    };
    let outcome = service::public::report_violation(&mut call, body)
        .await
        .map(|id| serde_json::json!({ "report": id }));
    answer_json(call, outcome).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptInBody {
    code: String,
    contact: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptInTokenBody {
    #[serde(deserialize_with = "crate::service::retail::whole_number")]
    opt_in: u64,
    token: String,
}

async fn opt_in(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let origin = Origin::of(request.extensions());
    let mut call = begin(&http.app, "POST /v1/opt-ins", &headers, origin, None);
    let outcome = async {
        let body: OptInBody = json_body(&headers, &read_body(request).await?)?;
        service::public::opt_in(&mut call, &body.code, &body.contact).await
    }
    .await;
    answer_json(call, outcome).await
}

async fn opt_in_view(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let origin = Origin::of(request.extensions());
    let mut call = begin(&http.app, "POST /v1/opt-ins/view", &headers, origin, None);
    let outcome = async {
        let body: OptInTokenBody = json_body(&headers, &read_body(request).await?)?;
        service::public::opt_in_view(&mut call, body.opt_in, &body.token)
    }
    .await;
    answer_json(call, outcome).await
}

async fn opt_out(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let origin = Origin::of(request.extensions());
    let mut call = begin(&http.app, "POST /v1/opt-ins/delete", &headers, origin, None);
    let outcome = async {
        let body: OptInTokenBody = json_body(&headers, &read_body(request).await?)?;
        service::public::opt_out(&mut call, body.opt_in, &body.token).await?;
        Ok(serde_json::json!({ "deleted": true }))
    }
    .await;
    answer_json(call, outcome).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptInForm {
    code: String,
    contact: String,
    lang: Option<String>,
}

/// The public page's opt-in form: a page with the opt-in's id and secret, or the refusal.
async fn opt_in_page(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let origin = Origin::of(request.extensions());
    // Another site's page may not make its visitors' browsers opt in on their behalf.
    if !same_site(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let form = axum::Form::<OptInForm>::from_request(request, &()).await;
    let lang = form.as_ref().ok().and_then(|form| form.lang.clone());
    let mut call = begin(
        &http.app,
        "POST /check/opt-in",
        &headers,
        origin,
        lang.as_deref(),
    );
    let outcome = match form {
        Ok(_)
            if lang
                .as_deref()
                .is_some_and(|lang| lang.parse::<Language>().is_err()) =>
        {
            Err(ApiError::invalid("lang"))
        }
        Ok(axum::Form(form)) => service::public::opt_in(&mut call, &form.code, &form.contact).await,
        Err(_) => Err(ApiError::invalid("form")),
    };
    let language = call.language;
    match call.finish(outcome).await {
        // The secret is shown once: no cache keeps it (no public page is cached).
        Ok(opted) => page::render(
            StatusCode::OK,
            &page::OptedInPage::new(&opted, language),
            None,
        ),
        Err(error) => error_page(&error, language, &Place::new("/", None), false, None),
    }
}

/// `GET /check/report`: the report form alone, for goods sold without a code (or a code typed
/// by hand). Like the home page, a static page and no call of anyone's.
async fn report_form_page(headers: HeaderMap, request: Request) -> Response {
    let chosen = page::chosen_language(request.uri().query());
    let language = static_page_language(&headers, chosen);
    page::render(StatusCode::OK, &page::ReportPage::new(language), chosen)
}

/// `POST /check/report?lang=..&back=..`: the public page's report form, a multipart body with
/// an optional photo, through the same operation as `POST /v1/reports`
/// ([`service::public::report_violation`]), which reads the body only once the caller has
/// paid the report rate. Answered with a page of thanks and the report's number, or the
/// refusal, in the visitor's language, linking back to the page the form was on.
async fn report_page(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let origin = Origin::of(request.extensions());
    // Another site's page may not make its visitors' browsers file reports.
    if !same_site(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let query = request.uri().query().map(str::to_owned);
    let back = Place::back(query.as_deref());
    let mut call = begin(&http.app, "POST /check/report", &headers, origin, None);
    page_language(&mut call, &headers, page::chosen_language(query.as_deref()));
    let read = read_report_form(&http.report_uploads, &headers, request);
    let outcome = service::public::report_violation(&mut call, read).await;
    let language = call.language;
    match call.finish(outcome).await {
        Ok(id) => page::render(
            StatusCode::OK,
            &page::ReportedPage::new(id, language, back.as_ref()),
            None,
        ),
        Err(error) => {
            let home = Place::new("/", None);
            error_page(
                &error,
                language,
                back.as_ref().unwrap_or(&home),
                back.is_some(),
                None,
            )
        }
    }
}

/// Reads the report form: a body declared past [`REPORT_BODY_BYTES_MAX`] is refused before a
/// byte is read, at most [`REPORT_UPLOADS_IN_FLIGHT_MAX`] are read at once (past it: over the
/// rate, try again), each within [`REPORT_BODY_READ_TIMEOUT`].
async fn read_report_form(
    uploads: &tokio::sync::Semaphore,
    headers: &HeaderMap,
    request: Request,
) -> Given<service::public::Report> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|bytes| bytes > REPORT_BODY_BYTES_MAX as u64) {
        return Err(PhotoError::TooLarge.into());
    }
    let _reading = uploads
        .try_acquire()
        .map_err(|_| ApiError::rate_limited())?;
    match tokio::time::timeout(REPORT_BODY_READ_TIMEOUT, ReportForm::read(request)).await {
        Err(_) => Err(ApiError::invalid("body (not sent in time)")),
        Ok(form) => Ok(form?.report()),
    }
}

/// The report form's fields as sent.
#[derive(Default)]
struct ReportForm {
    code: String,
    kind: String,
    comment: String,
    latitude: String,
    longitude: String,
    /// The photo's bytes, while within [`REPORT_PHOTO_BYTES_MAX`].
    photo: Vec<u8>,
    /// The photo's bytes sent, kept or not.
    photo_bytes: usize,
    photo_seen: bool,
}

/// A multipart body that could not be read: past its limit, or not multipart.
fn multipart_refusal(error: axum::extract::multipart::MultipartError) -> ApiError {
    match error.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_many("body bytes", REPORT_BODY_BYTES_MAX),
        _ => ApiError::malformed(),
    }
}

impl ReportForm {
    /// Reads the fields; every field but the photo within [`REPORT_FIELDS_BYTES_MAX`] together,
    /// a field of another name refused.
    async fn read(request: Request) -> Result<ReportForm, ApiError> {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|_| ApiError::unsupported_media("multipart/form-data"))?;
        let mut form = ReportForm::default();
        let mut fields_bytes = 0;
        while let Some(mut field) = multipart.next_field().await.map_err(multipart_refusal)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "photo" {
                form.read_photo(&mut field).await?;
                continue;
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_refusal)? {
                fields_bytes += chunk.len();
                if fields_bytes > REPORT_FIELDS_BYTES_MAX {
                    return Err(ApiError::too_many("form bytes", REPORT_FIELDS_BYTES_MAX));
                }
                bytes.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(bytes).map_err(|_| ApiError::invalid(&name))?;
            match name.as_str() {
                "code" => form.code = text,
                "kind" => form.kind = text,
                "comment" => form.comment = text,
                "latitude" => form.latitude = text,
                "longitude" => form.longitude = text,
                _ => return Err(ApiError::invalid("form")),
            }
        }
        Ok(form)
    }

    /// Reads the photo to its end, keeping it only while within [`REPORT_PHOTO_BYTES_MAX`].
    async fn read_photo(
        &mut self,
        field: &mut axum::extract::multipart::Field<'_>,
    ) -> Result<(), ApiError> {
        if std::mem::replace(&mut self.photo_seen, true) {
            return Err(ApiError::invalid("photo"));
        }
        while let Some(chunk) = field.chunk().await.map_err(multipart_refusal)? {
            self.photo_bytes += chunk.len();
            if self.photo_bytes <= REPORT_PHOTO_BYTES_MAX {
                self.photo.extend_from_slice(&chunk);
            } else if !self.photo.is_empty() {
                self.photo = Vec::new();
            }
        }
        Ok(())
    }

    /// The report the form makes; a location needs both its coordinates (a decimal comma
    /// reads as a point).
    fn report(self) -> service::public::Report {
        let coordinate = |text: &str| -> Result<Option<f64>, ApiError> {
            let text = text.trim().replace(',', ".");
            match text.is_empty() {
                true => Ok(None),
                false => (text.parse().map(Some)).map_err(|_| ApiError::invalid("location")),
            }
        };
        let location = match (coordinate(&self.latitude), coordinate(&self.longitude)) {
            (Ok(Some(latitude)), Ok(Some(longitude))) => Ok(Some((latitude, longitude))),
            (Ok(None), Ok(None)) => Ok(None),
            _ => Err(ApiError::invalid("location")),
        };
        let photo = match self.photo_bytes > REPORT_PHOTO_BYTES_MAX {
            true => Err(PhotoError::TooLarge.into()),
            false => Ok(Some(self.photo).filter(|photo| !photo.is_empty())),
        };
        let code = self.code.trim();
        service::public::Report {
            code: (!code.is_empty()).then(|| code.to_owned()),
            kind: serde_json::from_value(serde_json::Value::String(self.kind))
                .map_err(|_| ApiError::invalid("kind")),
            comment: self.comment.replace("\r\n", "\n"),
            location,
            photo,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChallengeBody {
    participant: TaxpayerId,
}

async fn challenge(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let peer = Origin::of(request.extensions());
    let mut call = begin(&http.app, "POST /v1/auth/challenge", &headers, peer, None);
    let body = read_json::<ChallengeBody>(&headers, request).await;
    let outcome =
        service::auth::challenge(&mut call, body.map(|body| body.participant)).map(|challenge| {
            serde_json::json!({
                "challenge": base64url(&challenge.challenge),
                "expires_ms": challenge.expires_ms,
            })
        });
    answer_json(call, outcome).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignInBody {
    participant: TaxpayerId,
    /// base64url, as received.
    challenge: String,
    /// base64url signature: Ed25519, or with the certificate's key.
    signature: String,
    /// A certificate of an accredited centre and its intermediates, each DER in base64url, the
    /// signer's first.
    #[serde(default)]
    certificate_chain: Vec<String>,
}

impl SignInBody {
    /// The signed challenge, its bytes decoded from base64url.
    fn signed(self) -> service::auth::SignIn {
        let decoded =
            |text: &str, field| base64url_decode(text).ok_or_else(|| ApiError::invalid(field));
        service::auth::SignIn {
            participant: self.participant,
            challenge: decoded(&self.challenge, "challenge"),
            signature: decoded(&self.signature, "signature"),
            certificate_chain: self
                .certificate_chain
                .iter()
                .map(|certificate| decoded(certificate, "certificate_chain"))
                .collect(),
        }
    }
}

async fn sign_in(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let peer = Origin::of(request.extensions());
    let mut call = begin(&http.app, "POST /v1/auth/sign-in", &headers, peer, None);
    let body = read_json::<SignInBody>(&headers, request).await;
    let outcome = service::auth::sign_in(&mut call, body.map(SignInBody::signed))
        .map(|token| serde_json::json!({ "token": token.token, "expires_ms": token.expires_ms }));
    answer_json(call, outcome).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TillCheckBody {
    seller: Option<TaxpayerId>,
    codes: Vec<String>,
}

async fn till_check(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let peer = Origin::of(request.extensions());
    let mut call = begin(&http.app, "POST /v1/till/check", &headers, peer, None);
    let body = read_json::<TillCheckBody>(&headers, request).await;
    let check = body.map(|body| TillCheck {
        seller: body.seller,
        codes: body.codes,
    });
    let outcome = service::retail::check_before_sale(&mut call, check)
        .map(|checks| serde_json::json!({ "checks": checks }));
    answer_json(call, outcome).await
}

async fn till_receipt(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let peer = Origin::of(request.extensions());
    let mut call = begin(&http.app, "POST /v1/till/receipts", &headers, peer, None);
    let receipt = read_json::<SalesReceipt>(&headers, request).await;
    let outcome = service::retail::submit_receipt(&mut call, receipt).await;
    answer_json(call, outcome).await
}

async fn till_return(State(http): Shared, headers: HeaderMap, request: Request) -> Response {
    let peer = Origin::of(request.extensions());
    let mut call = begin(&http.app, "POST /v1/till/returns", &headers, peer, None);
    let receipt = read_json::<ReturnReceipt>(&headers, request).await;
    let outcome = service::retail::submit_return(&mut call, receipt).await;
    answer_json(call, outcome).await
}

/// `GET /v1/feeds/{kind}` query: the cursor and the options, as text so that a malformed one is
/// refused by name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedQuery {
    after: Option<String>,
    until: Option<String>,
    without_proof: Option<String>,
    lang: Option<String>,
}

impl FeedQuery {
    fn request(&self, kind: String) -> Result<service::feeds::FeedRequest, ApiError> {
        let number = |field: &str, text: &Option<String>| match text {
            None => Ok(0),
            Some(text) => text.parse::<u64>().map_err(|_| ApiError::invalid(field)),
        };
        let without_proof = match self.without_proof.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(ApiError::invalid("without_proof")),
        };
        Ok(service::feeds::FeedRequest {
            kind,
            after: number("after", &self.after)?,
            until: number("until", &self.until)?,
            without_proof,
        })
    }
}

/// `GET /v1/exports/{job}/day=YYYY-MM-DD/part-N.parquet`: a file of a written data export
/// job, streamed (the HTTP twin of `tanba.v1.DataExportService/DownloadDataExportFile`).
async fn export_file(
    State(http): Shared,
    path: Result<
        axum::extract::Path<(u64, String, String)>,
        axum::extract::rejection::PathRejection,
    >,
    headers: HeaderMap,
    request: Request,
) -> Response {
    use tokio_stream::StreamExt;
    let peer = Origin::of(request.extensions());
    let mut call = begin(&http.app, "GET /v1/exports", &headers, peer, None);
    let language = call.language;
    let allowed = path.map_err(|_| ApiError::invalid("job")).and_then(
        |axum::extract::Path((job, day, file))| {
            service::exports::file(&mut call, job, &format!("{day}/{file}"))
        },
    );
    let download = match call.finish(allowed).await {
        Ok(download) => download,
        Err(error) => return error_response(&error, language),
    };
    let chunks = service::exports::file_chunks(download).map(|chunk| {
        chunk
            .map(Bytes::from)
            .map_err(|error| std::io::Error::other(error.to_string()))
    });
    (
        [(header::CONTENT_TYPE, "application/vnd.apache.parquet")],
        Body::from_stream(chunks),
    )
        .into_response()
}

/// `GET /v1/feeds/{kind}?after=N`: the HTTP twin of `FeedService/Follow`, one item per line as
/// newline-delimited JSON (`tanba_proto::feed::FeedLine`), until `until` or the caller hangs up.
async fn follow_feed(
    State(http): Shared,
    axum::extract::Path(kind): axum::extract::Path<String>,
    query: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    use tokio_stream::StreamExt;
    let peer = Origin::of(request.extensions());
    let lang = query.as_ref().ok().and_then(|query| query.lang.clone());
    let mut call = begin(&http.app, "GET /v1/feeds", &headers, peer, lang.as_deref());
    let language = call.language;
    let opened = query
        .map_err(|_| ApiError::invalid("query"))
        .and_then(|Query(query)| query.request(kind))
        .and_then(|request| service::feeds::open(&mut call, request));
    let feed = match call.finish(opened).await {
        Ok(feed) => feed,
        Err(error) => return error_response(&error, language),
    };
    let batches =
        tokio_stream::wrappers::ReceiverStream::new(service::feeds::follow(&http.app, feed));
    let lines = batches.map(|batch| {
        let mut out = Vec::new();
        tanba_proto::feed::write_lines(&batch.items, &mut out);
        Ok::<_, std::convert::Infallible>(Bytes::from(out))
    });
    (
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(lines),
    )
        .into_response()
}
