//! Certificates of accredited centres in the console (R-IS-16), for every participant: what
//! its session rests on (a registered key, or a certificate with its issuer, serial and
//! standing now), the roots this server trusts, and a check of any chain (PEM) against those
//! roots and the log's revocation lists: what a participant, or the operator on the phone with
//! one, asks when a certificate is refused.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tanba_crypto::encoding::hex;
use tanba_crypto::x509;
use tanba_engine::registers as known;

use super::{Form, Frame, Visit};
use crate::app::{App, Call};
use crate::error::ApiError;

/// Whether a certificate stands now, in words: the refusal's code and message if not.
struct Standing {
    stands: bool,
    words: String,
}

/// The certificate a session rests on.
struct SessionRow {
    issuer: String,
    serial: String,
    standing: Standing,
}

/// A trusted root.
struct RootRow {
    subject: String,
    valid_until: String,
}

/// A chain as checked: whose it is and whether it stands, or why it does not chain.
struct CheckedRow {
    holder: String,
    subject: String,
    issuer: String,
    serial: String,
    valid_until: String,
    standing: Standing,
}

#[derive(askama::Template)]
#[template(path = "console/certificates.html")]
struct CertificatesPage {
    frame: Frame,
    csrf: String,
    session: Option<SessionRow>,
    roots: Vec<RootRow>,
    chain: String,
    checked: Option<CheckedRow>,
    refused: Option<Standing>,
}

/// `GET /console/certificates`.
pub async fn page(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, _: Request| {
        certificates_page(visit, call, String::new())
    };
    super::serve(&app, &headers, request, "GET /console/certificates", work).await
}

/// `POST /console/certificates`: checks the chain posted as `chain` (PEM).
pub async fn check(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, form: Form| {
        // The console's form limit bounds the chain; `check_chain` reads at most four.
        certificates_page(visit, call, form.field("chain").to_owned())
    };
    super::serve_form(&app, &headers, request, "POST /console/certificates", work).await
}

fn certificates_page(
    visit: &Visit,
    call: &mut Call<'_>,
    chain: String,
) -> Result<CertificatesPage, ApiError> {
    let who = call.participant()?;
    let frame = visit.signed_in_frame("certificates", &who);
    let app = call.app();
    let issuers = known::issuers(app.engine.snapshot().as_ref())?;
    let issuer_name = |issuer: &[u8; 32]| {
        (issuers.iter().find(|known| known.issuer == *issuer))
            .map_or_else(|| hex(issuer), |known| known.issuer_name.clone())
    };
    let session = visit.certificate().map(|certificate| SessionRow {
        issuer: issuer_name(&certificate.issuer),
        serial: hex(&certificate.serial),
        standing: standing(&frame, app.certificate_stands(certificate)),
    });
    let roots = (app.trust_roots().certificates().iter())
        .map(|root| RootRow {
            subject: root.tbs_certificate().subject().to_string(),
            valid_until: frame.words.moment(not_after_ms(root)),
        })
        .collect();
    let (mut checked, mut refused) = (None, None);
    if !chain.trim().is_empty() {
        match checked_row(app, &frame, &chain) {
            Ok(row) => checked = Some(row),
            Err(error) => refused = Some(standing(&frame, Err(error))),
        }
    }
    Ok(CertificatesPage {
        csrf: visit.csrf().to_owned(),
        session,
        roots,
        chain,
        checked,
        refused,
        frame,
    })
}

/// Checks a PEM chain up to the roots at the server's time, then its standing in the log.
fn checked_row(app: &App, frame: &Frame, chain_pem: &str) -> Result<CheckedRow, ApiError> {
    let chain = x509::certificates_from_pem(chain_pem.as_bytes())?;
    let checked = x509::check_chain(&chain, app.trust_roots(), app.now_ms())?;
    let stands = app.checked_stands(&checked).map(|_| ());
    Ok(CheckedRow {
        holder: checked.taxpayer,
        subject: checked.subject_name,
        issuer: checked.issuer_name,
        serial: hex(&checked.serial),
        valid_until: frame.words.moment(checked.not_after_ms),
        standing: standing(frame, stands),
    })
}

fn standing(frame: &Frame, outcome: Result<(), ApiError>) -> Standing {
    match outcome {
        Ok(()) => Standing {
            stands: true,
            words: frame.t("certificates-stands"),
        },
        Err(error) => Standing {
            stands: false,
            words: format!("{}: {}", error.code, error.message(frame.words.language)),
        },
    }
}

fn not_after_ms(certificate: &x509::Certificate) -> u64 {
    let not_after = certificate.tbs_certificate().validity().not_after;
    u64::try_from(not_after.to_unix_duration().as_millis()).unwrap_or(u64::MAX)
}
