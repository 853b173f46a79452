//! Shipments (accompanying documents, R-IS-10) in the browser: the participant's documents,
//! incoming and outgoing; a document's content with the buyer's answer (accept all, accept the
//! items ticked, reject) and the seller's cancel; a new shipment. Every document is signed with
//! the participant's own key in the browser: the page's script asks `.../bytes` for the exact
//! bytes of the document the form describes (`service::documents::bytes_to_sign`, the same
//! function the submission builds its command with), signs them with WebCrypto Ed25519 and posts
//! the form with the signature; the server checks it before the engine sees the document.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tanba_crypto::encoding::base64url_decode;
use tanba_engine::query::{DocumentState, DocumentView};
use tanba_types::{DocumentId, TaxpayerId};

use super::{Form, Frame, GoTo, Signing, Visit};
use crate::app::{App, Call};
use crate::error::ApiError;
use crate::service::documents::{self, Draft};
use crate::service::{self, Page};

/// Documents on one page of the list.
pub const DOCUMENTS_PAGE_ENTRIES: u32 = 50;

/// A document as the list shows it.
struct DocumentRow {
    id: u64,
    incoming: bool,
    counterpart: String,
    items: String,
    state: String,
    created: String,
}

#[derive(askama::Template)]
#[template(path = "console/shipments.html")]
struct ShipmentsPage {
    frame: Frame,
    documents: Vec<DocumentRow>,
    more: Option<String>,
}

/// The state of a document in words.
fn state_words(frame: &Frame, state: DocumentState) -> String {
    frame.t(match state {
        DocumentState::Pending => "document-pending",
        DocumentState::Accepted => "document-accepted",
        DocumentState::Rejected => "document-rejected",
        DocumentState::Cancelled => "document-cancelled",
    })
}

/// `name (id)` of each participant, as the pages show them.
pub(super) fn named(call: &mut Call<'_>, ids: &[TaxpayerId]) -> Result<Vec<String>, ApiError> {
    let names = service::registry::names(call, ids)?;
    Ok(ids
        .iter()
        .zip(names)
        .map(|(id, name)| format!("{} ({id})", name.unwrap_or_default()))
        .collect())
}

/// `GET /console/shipments?after=N`.
pub async fn list(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, request: Request| {
        let after = super::query_number(&request, "after");
        let who = call.participant()?;
        let page = Page {
            after,
            limit: DOCUMENTS_PAGE_ENTRIES,
        };
        let found = documents::documents(call, page)?;
        let frame = visit.signed_in_frame("shipments", &who);
        let counterparts: Vec<TaxpayerId> = (found.iter())
            .map(|document| match document.buyer == who.id {
                true => document.seller,
                false => document.buyer,
            })
            .collect();
        let names = named(call, &counterparts)?;
        let last = found.last().map(|last| last.id);
        let more = super::more_link(
            "/console/shipments",
            found.len(),
            DOCUMENTS_PAGE_ENTRIES,
            last,
        );
        let documents = (found.iter().zip(names))
            .map(|(document, counterpart)| DocumentRow {
                id: document.id,
                incoming: document.buyer == who.id,
                counterpart,
                items: frame
                    .words
                    .count("items-count", document.items.len() as u64),
                state: state_words(&frame, document.state),
                created: frame.words.moment(document.created_ms),
            })
            .collect();
        Ok(ShipmentsPage {
            frame,
            documents,
            more,
        })
    };
    super::serve(&app, &headers, request, "GET /console/shipments", work).await
}

#[derive(askama::Template)]
#[template(path = "console/shipment.html")]
struct ShipmentPage {
    frame: Frame,
    signing: Signing,
    id: u64,
    seller: String,
    buyer: String,
    state: String,
    created: String,
    items: Vec<String>,
    accepted: Vec<String>,
    returned: Vec<String>,
    /// The buyer may answer it.
    answerable: bool,
    /// The seller may cancel it.
    cancellable: bool,
}

/// `GET /console/shipments/{id}`.
pub async fn show(
    State(app): State<Arc<App>>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, _: Request| {
        let who = call.participant()?;
        let document: DocumentView = documents::document(call, id)?;
        let frame = visit.signed_in_frame("shipments", &who);
        let parties = named(call, &[document.seller, document.buyer])?;
        let pending = document.state == DocumentState::Pending;
        let text = |codes: &[tanba_types::CodeKey]| codes.iter().map(ToString::to_string).collect();
        Ok(ShipmentPage {
            signing: Signing::of(visit, &who),
            id: document.id,
            seller: parties[0].clone(),
            buyer: parties[1].clone(),
            state: state_words(&frame, document.state),
            created: frame.words.moment(document.created_ms),
            items: text(&document.items),
            accepted: text(&document.accepted),
            returned: text(&document.returned),
            answerable: pending && document.buyer == who.id,
            cancellable: pending && document.seller == who.id,
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/shipments/{id}", work).await
}

#[derive(askama::Template)]
#[template(path = "console/ship.html")]
struct ShipPage {
    frame: Frame,
    signing: Signing,
    codes_max_line: String,
}

/// `GET /console/shipments/new`: the form of a new shipment.
pub async fn new(State(app): State<Arc<App>>, headers: HeaderMap, request: Request) -> Response {
    let work = async |visit: &Visit, call: &mut Call<'_>, _: Request| {
        let who = call.participant()?;
        let frame = visit.signed_in_frame("shipments", &who);
        let codes_max = tanba_types::limits::DOCUMENT_ITEMS_MAX as u64;
        Ok(ShipPage {
            signing: Signing::of(visit, &who),
            codes_max_line: frame.words.count("shipment-codes-max", codes_max),
            frame,
        })
    };
    super::serve(&app, &headers, request, "GET /console/shipments/new", work).await
}

/// A document form as posted: the draft it describes, its items, and its signature.
struct DocumentForm {
    draft: Draft,
    items: Vec<String>,
    signature: Vec<u8>,
}

/// Reads a document form for `action` on document `id` (`None`: a new shipment). An acceptance that ticks every item is an acceptance of the whole document.
async fn document_form(
    call: &mut Call<'_>,
    form: &Form,
    action: &str,
    id: Option<DocumentId>,
) -> Result<DocumentForm, ApiError> {
    let value = |name: &str| form.field(name);
    let signature = base64url_decode(value("signature")).unwrap_or_default();
    let mut items: Vec<String> = form.all("item").map(str::to_owned).collect();
    items.extend(super::scanned_lines(value("codes")));
    let draft = match (action, id) {
        ("ship", None) => Draft::Ship {
            buyer: value("buyer")
                .trim()
                .parse()
                .map_err(|_| ApiError::invalid("buyer"))?,
        },
        ("accept", Some(document)) => {
            let whole = documents::document(call, document)?.items.len();
            if items.len() == whole {
                items.clear();
            }
            Draft::Accept { document }
        }
        ("reject", Some(document)) => Draft::Reject { document },
        ("cancel", Some(document)) => Draft::Cancel { document },
        _ => return Err(ApiError::not_found(action.to_owned())),
    };
    Ok(DocumentForm {
        draft,
        items,
        signature,
    })
}

/// `POST /console/shipments/new/bytes`: the bytes of the new shipment the form describes, for
/// the page's script to sign (JSON).
pub async fn new_bytes(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    bytes(app, headers, request, None, "ship").await
}

/// `POST /console/shipments/{id}/{action}/bytes`: the same for an answer to document `id`.
pub async fn answer_bytes(
    State(app): State<Arc<App>>,
    Path((id, action)): Path<(u64, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    bytes(app, headers, request, Some(id), &action).await
}

async fn bytes(
    app: Arc<App>,
    headers: HeaderMap,
    request: Request,
    id: Option<DocumentId>,
    action: &str,
) -> Response {
    let work = async |call: &mut Call<'_>, form: Form| {
        let form = document_form(call, &form, action, id).await?;
        documents::bytes_to_sign(call, form.draft, &form.items)
    };
    let method = "POST /console/shipments/{document}/{action}/bytes";
    super::serve_bytes(&app, &headers, request, method, work).await
}

/// `POST /console/shipments/new`: the signed shipment, submitted; then its page.
pub async fn submit_new(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    submit(app, headers, request, None, "ship").await
}

/// `POST /console/shipments/{id}/{action}`: the signed answer (accept, reject, cancel).
pub async fn submit_answer(
    State(app): State<Arc<App>>,
    Path((id, action)): Path<(u64, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    submit(app, headers, request, Some(id), &action).await
}

async fn submit(
    app: Arc<App>,
    headers: HeaderMap,
    request: Request,
    id: Option<DocumentId>,
    action: &str,
) -> Response {
    let work = async |_: &Visit, call: &mut Call<'_>, form: Form| {
        let form = document_form(call, &form, action, id).await?;
        let created = documents::submit(call, form.draft, &form.items, form.signature).await?;
        Ok(GoTo(format!("/console/shipments/{}", created.id)))
    };
    let method = "POST /console/shipments/{document}/{action}";
    super::serve_form(&app, &headers, request, method, work).await
}
