//! The operator's page of the state registers (clause 2, R-IS-16): how each adapter fares
//! (last attempt, last success, failures in a row, the last error, what it changed) and what
//! the log knows (the register of entrepreneurs' last refresh, each certification centre's
//! last revocation list and whether it is still current).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tanba_engine::registers as known;
use tanba_types::Role;

use super::{Frame, Visit};
use crate::app::{App, Call};

/// One adapter's row.
struct AdapterRow {
    register: String,
    last_attempt: String,
    last_success: String,
    failures_in_row: u32,
    last_error: String,
    last_changes: String,
    last_rejected: String,
}

/// One issuer's row.
struct IssuerRow {
    name: String,
    this_update: String,
    next_update: String,
    revoked: String,
    current: bool,
}

#[derive(askama::Template)]
#[template(path = "console/registers.html")]
struct RegistersPage {
    frame: Frame,
    gateway: Option<String>,
    roots: usize,
    adapters: Vec<AdapterRow>,
    entrepreneurs_refreshed: Option<String>,
    entrepreneurs_total: String,
    issuers: Vec<IssuerRow>,
}

/// `GET /console/registers`: the adapters and what the log knows, for the operator.
pub async fn page(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, _: Request| {
        let who = call.participant_with(&[Role::Operator])?;
        let frame = visit.signed_in_frame("registers", &who);
        let app = call.app();
        let snapshot = app.engine.snapshot();
        let now_ms = app.now_ms();
        let words = &frame.words;
        let moment =
            |time_ms: Option<u64>| time_ms.map_or_else(|| "—".to_owned(), |ms| words.moment(ms));
        let adapters = (app.registers.statuses().into_iter())
            .map(|(register, status)| AdapterRow {
                register: frame.t(&format!("registers-{register}")),
                last_attempt: moment(status.last_attempt_ms),
                last_success: moment(status.last_success_ms),
                failures_in_row: status.failures_in_row,
                last_error: status
                    .last_error
                    .map_or_else(String::new, |(code, text)| format!("{code}: {text}")),
                last_changes: words.number(status.last_changes),
                last_rejected: words.number(status.last_rejected),
            })
            .collect();
        let entrepreneurs = known::last_refresh(snapshot.as_ref(), "entrepreneurs")?;
        let issuers = (known::issuers(snapshot.as_ref())?.into_iter())
            .map(|issuer| IssuerRow {
                current: issuer.next_update_ms.is_none_or(|next| {
                    now_ms <= next.saturating_add(known::REVOCATION_LIST_GRACE_MS)
                }),
                name: issuer.issuer_name,
                this_update: words.moment(issuer.this_update_ms),
                next_update: moment(issuer.next_update_ms),
                revoked: words.number(issuer.revoked_total),
            })
            .collect();
        Ok(RegistersPage {
            gateway: app
                .config
                .registers
                .as_ref()
                .map(|registers| registers.gateway_url.clone()),
            roots: app.trust_roots().len(),
            adapters,
            entrepreneurs_refreshed: entrepreneurs
                .as_ref()
                .map(|last| words.moment(last.refreshed_ms)),
            entrepreneurs_total: words.number(entrepreneurs.map_or(0, |last| last.entries_total)),
            issuers,
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/registers", work).await
}
