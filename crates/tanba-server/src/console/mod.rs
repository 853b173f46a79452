//! The web console (R-IS-18, R-IS-19): every participant's work in a browser, in Kazakh,
//! Russian and English, served under `/console/` on the HTTP port. Pages are rendered on the
//! server (askama templates, `templates/console/`), every control is a link or a form first,
//! so the main paths work without JavaScript; the one script a page needs (signing with the
//! participant's key) is a file of ours, embedded and served by content hash.
//!
//! A page is a door like gRPC and the JSON API: it starts a [`Call`], so it is rate limited,
//! authorized and audited the same way, and does its work through `crate::service`, so a rule
//! cannot differ by door. What the console adds is the browser's: the session cookie instead of
//! a bearer token, a CSRF token on every form, a strict Content-Security-Policy, and the
//! language chosen once and kept in a cookie.

pub mod assets;
mod case_forms;
mod cases;
mod certificates;
mod charts;
mod codes;
mod feeds;
mod frame;
mod goods;
pub mod i18n;
pub mod jobs;
mod operator;
mod orders;
mod oversight;
mod pages;
mod products;
mod registers;
mod shipments;
mod sign_in;
mod statistics;
mod till;

use std::sync::Arc;

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tanba_types::{Language, Participant};

use crate::app::{AnonymousPaid, App, Call, RequestMeta};
use crate::error::ApiError;
use crate::net::PeerAddr;
use crate::session::{SESSION_COOKIE, Session};
pub use frame::Frame;
pub use goods::{AGGREGATION_FILE_BYTES_MAX, AGGREGATION_FILE_PACKAGES_MAX};

/// The cookie that keeps the language a visitor chose.
pub const LANGUAGE_COOKIE: &str = "tanba_lang";
/// How long the language cookie lasts, in seconds.
pub const LANGUAGE_COOKIE_SECONDS: u64 = 365 * 24 * 60 * 60;
/// Largest form a console page accepts, in bytes (uploads have their own routes and limits).
pub const FORM_BYTES_MAX: usize = 64 * 1024;
/// Characters of a path kept as the page to return to after sign-in.
pub const NEXT_PATH_CHARS_MAX: usize = 512;

/// What a console answer may load and do: only our own scripts, styles and images, no inline
/// script or style, no framing, forms posting only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// The console's routes (merged into the HTTP router).
pub fn router<S>(app: Arc<App>) -> axum::Router<S> {
    axum::Router::new()
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route("/console/", get(pages::home))
        .route("/console/inbox", get(pages::inbox))
        .route("/console/inbox/{notice}/read", post(pages::read_notice))
        .route(
            "/console/sign-in",
            get(sign_in::page).post(sign_in::sign_in),
        )
        .route("/console/orders", get(orders::list).post(orders::order))
        .route("/console/orders/{id}", get(orders::show))
        .route("/console/orders/{id}/codes.txt", get(orders::codes))
        .route("/console/orders/{id}/labels.pdf", get(orders::labels_pdf))
        .route("/console/orders/{id}/labels/{file}", get(orders::label_svg))
        .route("/console/shipments", get(shipments::list))
        .route(
            "/console/shipments/new",
            get(shipments::new).post(shipments::submit_new),
        )
        .route("/console/shipments/new/bytes", post(shipments::new_bytes))
        .route("/console/shipments/{id}", get(shipments::show))
        .route(
            "/console/shipments/{id}/{action}",
            post(shipments::submit_answer),
        )
        .route(
            "/console/shipments/{id}/{action}/bytes",
            post(shipments::answer_bytes),
        )
        .route("/console/cases", get(cases::list))
        .route(
            "/console/cases/files",
            post(cases::upload).layer(axum::extract::DefaultBodyLimit::max(
                cases::ATTACHMENT_UPLOAD_BYTES_MAX,
            )),
        )
        .route("/console/cases/{id}", get(cases::show))
        .route("/console/cases/{id}/holders", get(cases::holders))
        .route("/console/cases/{id}/files/{hash}", get(cases::file))
        .route(
            "/console/cases/{id}/steps/{transition}",
            post(cases::submit_step),
        )
        .route(
            "/console/cases/{id}/steps/{transition}/bytes",
            post(cases::step_bytes),
        )
        .route(
            "/console/cases/new/{kind}/{transition}",
            get(cases::new).post(cases::submit_new),
        )
        .route(
            "/console/cases/new/{kind}/{transition}/bytes",
            post(cases::new_bytes),
        )
        .route("/console/goods", get(goods::page))
        .route(
            "/console/goods/aggregation",
            post(goods::aggregation).layer(axum::extract::DefaultBodyLimit::max(
                goods::AGGREGATION_UPLOAD_BYTES_MAX,
            )),
        )
        .route("/console/goods/jobs/{id}", get(goods::job))
        .route("/console/goods/{operation}", post(goods::operate))
        .route(
            "/console/participants",
            get(operator::list).post(operator::register),
        )
        .route(
            "/console/participants/{id}",
            get(operator::show).post(operator::update),
        )
        .route("/console/reference", get(operator::reference))
        .route("/console/reference/{what}", post(operator::publish))
        .route("/console/health", get(operator::health))
        .route("/console/registers", get(registers::page))
        .route(
            "/console/certificates",
            get(certificates::page).post(certificates::check),
        )
        .route("/console/feeds", get(feeds::page))
        .route("/console/statistics", get(statistics::page))
        .route("/console/products", get(products::page))
        .route("/console/products/{action}", post(products::save))
        .route("/console/receipts", get(till::receipts))
        .route("/console/till", get(till::page))
        .route("/console/till/check", post(till::check))
        .route("/console/till/sell", post(till::sell))
        .route("/console/till/return", post(till::give_back))
        .route("/console/codes", get(codes::page))
        .route("/console/codes/block", post(codes::block))
        .route("/console/codes/unblock", post(codes::block))
        .route("/console/audit", get(oversight::audit_page))
        .route("/console/reports", get(oversight::reports_page))
        .route("/console/reports/{id}/photo", get(oversight::report_photo))
        .route("/console/sign-in/challenge", post(sign_in::challenge))
        .route("/console/sign-out", post(sign_in::sign_out))
        .route("/console/assets/{file}", get(assets::serve))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(secure_headers))
        .with_state(app)
}

/// The headers every console answer carries: the policy above, no sniffing, no framing, no
/// referrer outside, and no caching of pages (assets say otherwise themselves).
async fn secure_headers(request: Request, next: axum::middleware::Next) -> Response {
    let chosen = chosen_language(request.uri().query());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // A language picked on the switch is kept for the next visits.
    if let Some(language) = chosen {
        let cookie = format!(
            "{LANGUAGE_COOKIE}={}; Path=/; Max-Age={LANGUAGE_COOKIE_SECONDS}; SameSite=Lax",
            frame::lang_code(language)
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The `lang` query parameter, if it names a language.
fn chosen_language(query: Option<&str>) -> Option<Language> {
    query_value(query, "lang")?.parse().ok()
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// One request to the console: its language, its session if it has one, and what it says
/// about its caller.
pub struct Visit {
    /// The language of the answer: `?lang=`, else the cookie, else `Accept-Language`, else
    /// Kazakh, the state language.
    pub language: Language,
    /// The session's cookie key and the session, if the cookie names a live one.
    pub session: Option<(String, Session)>,
    /// The path and query asked for.
    pub path_and_query: String,
    /// Under TLS (cookies are then `Secure`).
    pub secure: bool,
    /// The page answers a form (its URL cannot be fetched again to switch language).
    pub answers_form: bool,
    meta: RequestMeta,
}

impl Visit {
    /// Reads a request's visit.
    pub fn read(app: &App, headers: &HeaderMap, request: &Request) -> Visit {
        let uri = request.uri();
        let language = chosen_language(uri.query())
            .or_else(|| cookie(headers, LANGUAGE_COOKIE).and_then(|code| code.parse().ok()))
            .or_else(|| {
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|value| value.to_str().ok())
                    .and_then(Language::from_accept_language)
            })
            .unwrap_or(Language::Kk);
        let session = cookie(headers, SESSION_COOKIE).and_then(|key| {
            let session = app.find_session(key)?;
            Some((key.to_owned(), session))
        });
        let peer = request.extensions().get::<PeerAddr>().map(|peer| peer.0);
        let mut meta = RequestMeta::from_headers(headers, peer);
        meta.authorization = None;
        meta.anonymous_paid = request.extensions().get::<AnonymousPaid>().is_some();
        meta.session_holder = session.as_ref().map(|(_, session)| session.participant);
        Visit {
            language,
            session,
            path_and_query: uri
                .path_and_query()
                .map_or_else(|| uri.path().to_owned(), |each| each.as_str().to_owned()),
            answers_form: request.method() != axum::http::Method::GET,
            secure: app.config.tls.is_some(),
            meta,
        }
    }

    /// What the visit says about its caller, for calls made after it answered (a job's).
    pub fn meta(&self) -> RequestMeta {
        self.meta.clone()
    }

    /// Starts the visit's call, named `method` in the audit trail.
    pub fn call<'a>(&self, app: &'a App, method: &'static str) -> Call<'a> {
        let mut call = app.call(method, self.meta.clone());
        call.set_language(self.language);
        call
    }

    /// The frame of page `page`.
    pub fn frame(&self, page: &str) -> Frame {
        let at = match self.answers_form {
            // The language switch of a form's answer opens the page the form is on.
            true => frame::menu_path(page).unwrap_or("/console/"),
            false => &self.path_and_query,
        };
        Frame::new(self.language, at, page)
    }

    /// The frame of page `page` for the signed-in `participant`.
    pub fn signed_in_frame(&self, page: &str, participant: &Participant) -> Frame {
        self.frame(page).signed_in(participant, self.csrf())
    }

    /// The certificate the session was signed in with, if any.
    pub fn certificate(&self) -> Option<&crate::certificates::CertificateRef> {
        (self.session.as_ref()).and_then(|(_, session)| session.certificate.as_ref())
    }

    /// The session's CSRF token (empty without a session: no form then passes).
    pub fn csrf(&self) -> &str {
        self.session
            .as_ref()
            .map_or("", |(_, session)| session.csrf.as_str())
    }

    /// Refuses a form whose CSRF token is not the session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), ApiError> {
        let expected = self.csrf();
        let equal = !expected.is_empty()
            && expected.len() == token.len()
            && constant_time_equal(expected.as_bytes(), token.as_bytes());
        if equal { Ok(()) } else { Err(ApiError::csrf()) }
    }

    /// The answer to a refused visit.
    pub fn refusal(&self, app: &App, error: &ApiError) -> Response {
        match error.code {
            "TANBA-SERVER-UNAUTHENTICATED" => {
                let next = self.path_and_query.chars().take(NEXT_PATH_CHARS_MAX);
                let next: String = next.collect();
                let to = format!("/console/sign-in?next={}", percent_encode(&next));
                Redirect::to(&to).into_response()
            }
            "TANBA-ENGINE-PARTICIPANT-SUSPENDED" | "TANBA-ENGINE-REGISTRATION-CEASED" => {
                if let Some((_, session)) = &self.session {
                    app.sessions.end_all(&session.participant);
                }
                Redirect::to("/console/sign-in?said=participant-suspended").into_response()
            }
            _ => {
                let status =
                    StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
                let page = pages::ErrorPage {
                    frame: self.frame(""),
                    message: error.message(self.language),
                };
                render(status, &page)
            }
        }
    }
}

/// What a page's work ends in: a page rendered ([`Template`]), the browser sent on after a
/// form ([`GoTo`]), or an answer the page made itself ([`Sent`]: a file, an image).
pub trait Answer {
    /// The answer as a response.
    fn respond(self) -> Response;
}

impl<T: Template> Answer for T {
    fn respond(self) -> Response {
        render(StatusCode::OK, &self)
    }
}

/// After a form: the browser is sent on to this path (so reloading does not post again).
pub struct GoTo(pub String);

impl Answer for GoTo {
    fn respond(self) -> Response {
        Redirect::to(&self.0).into_response()
    }
}

/// An answer a page made itself.
pub struct Sent(pub Response);

impl Answer for Sent {
    fn respond(self) -> Response {
        self.0
    }
}

/// A signed form's common parts (`templates/console/signing.html`): the participant whose key
/// file must sign it, and the session's CSRF token.
pub struct Signing {
    /// The signer's IIN/BIN (the page's script refuses another participant's key file).
    pub participant: String,
    /// The session's CSRF token.
    pub csrf: String,
}

impl Signing {
    /// The signing parts of a form `who` signs on this visit.
    pub fn of(visit: &Visit, who: &Participant) -> Signing {
        Signing {
            participant: who.id.to_string(),
            csrf: visit.csrf().to_owned(),
        }
    }
}

/// A posted form's fields, read within [`FORM_BYTES_MAX`], its CSRF token already checked.
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    /// Reads the form of `request`, refusing it unless it carries the session's CSRF token.
    pub async fn read(visit: &Visit, request: Request) -> Result<Form, ApiError> {
        let pairs: Vec<(String, String)> = sign_in::read_form(request).await?;
        visit.check_csrf(form_field(&pairs, "csrf"))?;
        Ok(Form { pairs })
    }

    /// A form of these fields (for tests and forms read another way).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Form {
        Form { pairs }
    }

    /// A field's value (empty when absent).
    pub fn field(&self, name: &str) -> &str {
        form_field(&self.pairs, name)
    }

    /// Every value of a field that may repeat (ticked boxes).
    pub fn all<'f>(&'f self, name: &'f str) -> impl Iterator<Item = &'f str> + 'f {
        (self.pairs.iter())
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Serves one console request: reads the visit, starts its call (named `method` in the audit
/// trail), does `work`, finishes the call and answers with what the work ended in, or with
/// what its refusal calls for ([`Visit::refusal`]). Every page goes through here, so none can
/// forget to finish its call or answer a refusal its own way.
pub async fn serve<A: Answer>(
    app: &App,
    headers: &HeaderMap,
    request: Request,
    method: &'static str,
    work: impl AsyncFnOnce(&Visit, &mut Call<'_>, Request) -> Result<A, ApiError>,
) -> Response {
    let visit = Visit::read(app, headers, &request);
    let mut call = visit.call(app, method);
    let outcome = work(&visit, &mut call, request).await;
    match call.finish(outcome).await {
        Ok(answer) => answer.respond(),
        Err(error) => visit.refusal(app, &error),
    }
}

/// Serves the bytes a signed form's script signs (`<form action>/bytes`): the form read as by
/// [`serve_form`], `work` makes the bytes, the answer is JSON (`{"message": base64url}`), and so
/// is a refusal (`json_refusal`), for the script to show.
pub async fn serve_bytes(
    app: &App,
    headers: &HeaderMap,
    request: Request,
    method: &'static str,
    work: impl AsyncFnOnce(&mut Call<'_>, Form) -> Result<Vec<u8>, ApiError>,
) -> Response {
    let visit = Visit::read(app, headers, &request);
    let mut call = visit.call(app, method);
    let outcome = async {
        call.participant()?;
        let form = Form::read(&visit, request).await?;
        work(&mut call, form).await
    }
    .await;
    match call.finish(outcome).await {
        Ok(bytes) => {
            let message = tanba_crypto::encoding::base64url(&bytes);
            axum::Json(serde_json::json!({ "message": message })).into_response()
        }
        Err(error) => json_refusal(&error, visit.language),
    }
}

/// [`serve`] for a posted form: the caller must be signed in and the form must carry the
/// session's CSRF token before `work` sees it.
pub async fn serve_form<A: Answer>(
    app: &App,
    headers: &HeaderMap,
    request: Request,
    method: &'static str,
    work: impl AsyncFnOnce(&Visit, &mut Call<'_>, Form) -> Result<A, ApiError>,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        call.participant()?;
        let form = Form::read(visit, request).await?;
        work(visit, call, form).await
    };
    serve(app, headers, request, method, work).await
}

/// Equality of two byte strings of the same length, in a time that does not depend on where
/// they first differ (a CSRF token is not guessed byte by byte).
fn constant_time_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A refusal as JSON (`code`, `message`), for the pages' scripts.
pub fn json_refusal(error: &ApiError, language: Language) -> Response {
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let json = serde_json::json!({ "code": error.code, "message": error.message(language) });
    (status, axum::Json(json)).into_response()
}

/// A query parameter's value, decoded (the first of its name), if the query has one and reads.
pub fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query?).ok()?;
    pairs
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// A query parameter's text, decoded (empty when absent or unreadable).
pub fn query_text(request: &Request, name: &str) -> String {
    query_value(request.uri().query(), name).unwrap_or_default()
}

/// A form field's value from a form read as pairs (empty when absent).
pub fn form_field<'p>(pairs: &'p [(String, String)], name: &str) -> &'p str {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map_or("", |(_, value)| value.as_str())
}

/// The lines of a scan box: one code each, trimmed, blank lines skipped.
pub fn scanned_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The link to the next page of a list after a full one (`path?after=<last id>`); none after a
/// page that was not full (the list ended).
pub fn more_link(path: &str, shown: usize, page_entries: u32, last: Option<u64>) -> Option<String> {
    let full = shown == page_entries as usize;
    let join = if path.contains('?') { '&' } else { '?' };
    last.filter(|_| full)
        .map(|id| format!("{path}{join}after={id}"))
}

/// A whole-number query parameter (a page's `after`), 0 when absent or not a number.
pub fn query_number(request: &Request, name: &str) -> u64 {
    query_text(request, name).parse().unwrap_or(0)
}

/// A rendered page.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "a console page failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Percent-encodes text for a query parameter's value.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
