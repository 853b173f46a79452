//! Signing in and out of the console with the participant's own key. The page's script reads
//! the key file in the browser, asks for a challenge, signs it with WebCrypto Ed25519 and posts
//! the signature; the server checks it exactly as it checks a tool's sign-in
//! (`App::verify_sign_in`) and opens a session instead of issuing a bearer token. Before a
//! session exists, the sign-in forms carry a token matched against a cookie of their own.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rand_core::OsRng;
use serde::Deserialize;
use tanba_crypto::encoding::{base64url, base64url_decode};
use tanba_types::TaxpayerId;

use crate::service::Given;
use crate::service::auth::SignIn;

use super::{FORM_BYTES_MAX, Form, Sent, Visit, constant_time_equal, cookie, render};
use crate::app::{App, Call};
use crate::error::ApiError;
use crate::session::{SESSION_COOKIE, random_hex};

/// The cookie that carries the sign-in forms' token before there is a session.
pub const SIGN_IN_COOKIE: &str = "tanba_sign_in";

/// The sign-in page.
#[derive(askama::Template)]
#[template(path = "console/sign_in.html")]
pub struct SignInPage {
    frame: super::Frame,
    script: &'static str,
    csrf: String,
    next: String,
    error: Option<String>,
}

/// Where to go after signing in: a console path given with the request, else the home page
/// (never another site: an open redirect is a phishing tool).
fn next_path(query: Option<&str>) -> String {
    safe_next(super::query_value(query, "next").as_deref())
}

/// `asked` if it is a path of the console, else the home page.
fn safe_next(asked: Option<&str>) -> String {
    match asked {
        Some(path)
            if path.starts_with("/console/")
                && !path.contains("//")
                && !path.contains('\\')
                && path.chars().count() <= super::NEXT_PATH_CHARS_MAX =>
        {
            path.to_owned()
        }
        _ => "/console/".to_owned(),
    }
}

/// `GET /console/sign-in`: the page, with a fresh form token in its cookie (a signed-in
/// visitor goes home).
pub async fn page(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let visit = Visit::read(&app, &headers, &request);
    if visit.session.is_some() {
        return Redirect::to("/console/").into_response();
    }
    let said = super::query_text(&request, "said");
    let token = random_hex(&mut OsRng);
    let page = SignInPage {
        frame: visit.frame("").say(&said),
        script: super::assets::url("sign-in.js"),
        csrf: token.clone(),
        next: next_path(request.uri().query()),
        error: None,
    };
    let mut response = render(StatusCode::OK, &page);
    set_cookie(
        &mut response,
        &visit,
        SIGN_IN_COOKIE,
        &token,
        "/console/sign-in",
    );
    response
}

/// Adds a `Set-Cookie` for `name`: `HttpOnly`, `SameSite=Strict`, `Secure` under TLS; an empty
/// value removes the cookie.
fn set_cookie(response: &mut Response, visit: &Visit, name: &str, value: &str, path: &str) {
    let secure = if visit.secure { "; Secure" } else { "" };
    let expiry = if value.is_empty() { "; Max-Age=0" } else { "" };
    let line = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict{secure}{expiry}");
    if let Ok(value) = HeaderValue::from_str(&line) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Refuses a sign-in form whose token is not its cookie's.
fn check_sign_in_token(headers: &HeaderMap, token: &str) -> Result<(), ApiError> {
    match cookie(headers, SIGN_IN_COOKIE) {
        Some(expected)
            if !expected.is_empty()
                && constant_time_equal(expected.as_bytes(), token.as_bytes()) =>
        {
            Ok(())
        }
        _ => Err(ApiError::csrf()),
    }
}

/// An IIN/BIN typed into a form, or why it is not one.
fn taxpayer(field: &str, text: &str) -> Given<TaxpayerId> {
    text.trim()
        .parse::<TaxpayerId>()
        .map_err(|_| ApiError::invalid(field))
}

/// Reads a urlencoded form of at most [`FORM_BYTES_MAX`] bytes.
pub async fn read_form<T: serde::de::DeserializeOwned>(request: Request) -> Result<T, ApiError> {
    let body = axum::body::to_bytes(request.into_body(), FORM_BYTES_MAX)
        .await
        .map_err(|_| ApiError::too_many("form bytes", FORM_BYTES_MAX))?;
    serde_urlencoded::from_bytes(&body).map_err(|_| ApiError::malformed())
}

#[derive(Deserialize)]
struct ChallengeForm {
    participant: String,
    /// Missing is refused like wrong: as a cross-site request.
    #[serde(default)]
    csrf: String,
}

/// `POST /console/sign-in/challenge` (the page's script): a challenge for the participant and
/// the exact bytes to sign, as JSON.
pub async fn challenge(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let visit = Visit::read(&app, &headers, &request);
    let mut call = visit.call(&app, "POST /console/sign-in/challenge");
    let outcome = async {
        let form: ChallengeForm = read_form(request).await?;
        check_sign_in_token(&headers, &form.csrf)?;
        let participant = taxpayer("participant", &form.participant);
        let challenge = crate::service::auth::challenge(&mut call, participant)?.challenge;
        Ok(serde_json::json!({
            "challenge": base64url(&challenge),
            "message": base64url(&tanba_crypto::sign_in::sign_in_message(&challenge)),
        }))
    }
    .await;
    let language = visit.language;
    match call.finish(outcome).await {
        Ok(json) => axum::Json(json).into_response(),
        Err(error) => super::json_refusal(&error, language),
    }
}

#[derive(Deserialize)]
struct SignInForm {
    /// Missing is refused like wrong: as a cross-site request.
    #[serde(default)]
    csrf: String,
    participant: String,
    challenge: String,
    signature: String,
    /// A certificate chain (each DER in base64url, separated by commas), posted by a signing
    /// tool that holds a certificate's key; empty for a registered key.
    #[serde(default)]
    certificate_chain: String,
    #[serde(default)]
    next: String,
}

/// `POST /console/sign-in`: checks the signed challenge and opens a session; a refusal shows
/// the page again with the reason.
pub async fn sign_in(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let visit = Visit::read(&app, &headers, &request);
    let mut call = visit.call(&app, "POST /console/sign-in");
    let outcome = async {
        let form: SignInForm = read_form(request).await?;
        check_sign_in_token(&headers, &form.csrf)?;
        let signed = taxpayer("participant", &form.participant).map(|participant| SignIn {
            participant,
            challenge: base64url_decode(&form.challenge)
                .ok_or_else(|| ApiError::invalid("challenge")),
            signature: base64url_decode(&form.signature)
                .ok_or_else(|| ApiError::invalid("signature")),
            certificate_chain: form
                .certificate_chain
                .split(',')
                .filter(|part| !part.is_empty())
                .map(|part| {
                    base64url_decode(part).ok_or_else(|| ApiError::invalid("certificate_chain"))
                })
                .collect(),
        });
        let (key, _) = crate::service::auth::open_session(&mut call, signed)?;
        Ok((key, safe_next(Some(&form.next))))
    }
    .await;
    match call.finish(outcome).await {
        Ok((key, next)) => {
            let mut response = Redirect::to(&next).into_response();
            set_cookie(&mut response, &visit, SESSION_COOKIE, &key, "/console");
            set_cookie(
                &mut response,
                &visit,
                SIGN_IN_COOKIE,
                "",
                "/console/sign-in",
            );
            response
        }
        Err(error) => {
            let token = cookie(&headers, SIGN_IN_COOKIE)
                .unwrap_or_default()
                .to_owned();
            let page = SignInPage {
                frame: visit.frame(""),
                script: super::assets::url("sign-in.js"),
                csrf: token,
                next: "/console/".to_owned(),
                error: Some(error.message(visit.language)),
            };
            let status =
                StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
            render(status, &page)
        }
    }
}

/// `POST /console/sign-out`: ends this session, or every session of the participant.
pub async fn sign_out(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, form: Form| {
        let who = call.participant()?;
        match (&visit.session, form.all("everywhere").next().is_some()) {
            (_, true) => app.sessions.end_all(&who.id),
            (Some((key, _)), false) => app.sessions.end(key),
            (None, false) => {}
        }
        let mut response = Redirect::to("/console/sign-in?said=signed-out").into_response();
        set_cookie(&mut response, visit, SESSION_COOKIE, "", "/console");
        Ok(Sent(response))
    };
    super::serve_form(&app, &headers, request, "POST /console/sign-out", work).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_sign_in_only_a_console_path_is_followed() {
        assert_eq!(
            safe_next(Some("/console/inbox?after=3")),
            "/console/inbox?after=3"
        );
        for hostile in [
            "https://evil.example/",
            "//evil.example/console/",
            "/console//evil.example",
            "/console/\\evil",
            "/elsewhere",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/console/", "{hostile}");
        }
        assert_eq!(
            next_path(Some("lang=kk&next=%2Fconsole%2Finbox")),
            "/console/inbox"
        );
    }
}
