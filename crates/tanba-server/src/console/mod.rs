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
mod codes;
mod frame;
pub mod i18n;
mod orders;
mod oversight;
mod pages;
mod shipments;
mod sign_in;
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
        .route("/console/till", get(till::page))
        .route("/console/till/check", post(till::check))
        .route("/console/till/sell", post(till::sell))
        .route("/console/till/return", post(till::give_back))
        .route("/console/codes", get(codes::page))
        .route("/console/codes/block", post(codes::block))
        .route("/console/codes/unblock", post(codes::block))
        .route("/console/audit", get(oversight::audit_page))
        .route("/console/reports", get(oversight::reports_page))
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
        let now_ms = app.now_ms();
        let session = cookie(headers, SESSION_COOKIE).and_then(|key| {
            let session = app.sessions.find(key, now_ms)?;
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

    /// Finishes `call` and answers with the page `outcome` rendered, or with what its refusal
    /// calls for: the sign-in page for a visitor without a session, the sign-in page with
    /// the reason for a suspended participant (whose sessions all end), else an error page.
    pub async fn answer<T: Template>(
        &self,
        app: &App,
        call: Call<'_>,
        outcome: Result<T, ApiError>,
    ) -> Response {
        match call.finish(outcome).await {
            Ok(page) => render(StatusCode::OK, &page),
            Err(error) => self.refusal(app, &error),
        }
    }

    /// Finishes `call` and, if it succeeded, sends the browser to `to` (after a form).
    pub async fn redirect_after(
        &self,
        app: &App,
        call: Call<'_>,
        outcome: Result<String, ApiError>,
    ) -> Response {
        match call.finish(outcome).await {
            Ok(to) => Redirect::to(&to).into_response(),
            Err(error) => self.refusal(app, &error),
        }
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
            "TANBA-ENGINE-PARTICIPANT-SUSPENDED" => {
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
    last.filter(|_| full).map(|id| format!("{path}?after={id}"))
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
