//! The pages every signed-in participant has: home (who, what the roles allow, unread
//! notices) and the inbox of notices; and the error pages.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tanba_types::Participant;

use super::{Form, Frame, GoTo, Visit};
use crate::app::{App, Call};
use crate::error::ApiError;

/// Notices shown on one page of the inbox.
pub const INBOX_PAGE_NOTICES: usize = 50;
/// Notices the home page reads to count the unread ones (past it, the count says "at least").
pub const UNREAD_COUNTED_MAX: usize = 10_000;

/// An error page.
#[derive(askama::Template)]
#[template(path = "console/error.html")]
pub struct ErrorPage {
    /// Its frame.
    pub frame: Frame,
    /// What went wrong, in the page's language.
    pub message: String,
}

#[derive(askama::Template)]
#[template(path = "console/home.html")]
struct HomePage {
    frame: Frame,
    name: String,
    roles_line: String,
    unread_line: String,
}

/// The roles of `who`, in words.
fn roles_in_words(frame: &Frame, who: &Participant) -> String {
    let names: Vec<String> = (who.roles.iter())
        .map(|role| frame.t(&format!("role-{}", role.to_string().replace('_', "-"))))
        .collect();
    names.join(", ")
}

/// `GET /console/`.
pub async fn home(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, _: Request| {
        let who = call.participant()?;
        let unread = crate::service::cases::unread_notices(call, UNREAD_COUNTED_MAX)?;
        let frame = visit.signed_in_frame("home", &who);
        Ok(HomePage {
            roles_line: frame
                .words
                .with("home-roles", &[("roles", &roles_in_words(&frame, &who))]),
            unread_line: frame.words.count("home-unread", unread as u64),
            name: who.name.clone(),
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/", work).await
}

/// A notice as the inbox lists it.
struct NoticeRow {
    id: u64,
    received: String,
    read: Option<String>,
    case: String,
    subject: String,
    body: String,
}

#[derive(askama::Template)]
#[template(path = "console/inbox.html")]
struct InboxPage {
    frame: Frame,
    csrf: String,
    count_line: String,
    notices: Vec<NoticeRow>,
    more: Option<String>,
}

/// `GET /console/inbox?after=N`: the participant's notices, a page at a time.
pub async fn inbox(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let after = super::query_number(&request, "after");
        let who = call.participant()?;
        let page = crate::service::Page {
            after,
            limit: INBOX_PAGE_NOTICES as u32,
        };
        let notices = crate::service::cases::inbox(call, page)?;
        let frame = visit.signed_in_frame("inbox", &who);
        let words = frame.words;
        let last = notices.last().map(|notice| notice.id);
        let more = super::more_link(
            "/console/inbox",
            notices.len(),
            INBOX_PAGE_NOTICES as u32,
            last,
        );
        let rows: Vec<NoticeRow> = notices
            .into_iter()
            .map(|record| NoticeRow {
                id: record.id,
                received: words.moment(record.made_available_ms),
                read: record.read_ms.map(|read_ms| words.moment(read_ms)),
                case: record.notice.case.to_string(),
                subject: record.notice.subject.in_language(words.language).to_owned(),
                body: record.notice.body.in_language(words.language).to_owned(),
            })
            .collect();
        Ok(InboxPage {
            csrf: visit.csrf().to_owned(),
            count_line: words.count("inbox-count", rows.len() as u64),
            notices: rows,
            more,
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/inbox", work).await
}

/// `POST /console/inbox/{notice}/read`: marks a notice read (the addressee's own only: the
/// engine refuses anyone else's).
pub async fn read_notice(
    State(app): State<Arc<App>>,
    Path(notice): Path<u64>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, _: Form| {
        crate::service::cases::read_notice(call, notice).await?;
        Ok(GoTo(format!("/console/inbox#notice-{notice}")))
    };
    let method = "POST /console/inbox/{notice}/read";
    super::serve_form(&app, &headers, request, method, work).await
}

/// Any other path under `/console/`.
pub async fn not_found(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let visit = Visit::read(&app, &headers, &request);
    let error = ApiError::not_found(visit.path_and_query.chars().take(100).collect::<String>());
    visit.refusal(&app, &error)
}
