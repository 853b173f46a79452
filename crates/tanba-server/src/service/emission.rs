//! Emission orders: a producer or importer orders codes for its product, reads its orders, and
//! downloads the codes issued, tails and all, to print. The printable codes are the orderer's
//! alone: a tail shown to anyone else could be copied.

use std::sync::Arc;
use std::time::Duration;

use tanba_engine::query::{self, OrderView};
use tanba_types::limits::PAGE_ENTRIES_MAX;
use tanba_types::{Command, Gtin, OrderId, Role, printable};
use tokio_stream::wrappers::ReceiverStream;

use super::{Created, Given, Page, may_read, run};
use crate::app::{App, Call};
use crate::error::ApiError;

/// Codes per page of a download.
pub const DOWNLOAD_CHUNK_CODES: usize = 10_000;
/// Pages a download reads ahead of its reader.
pub const DOWNLOAD_PAGES_AHEAD: usize = 4;
/// How long a download waits for a reader that stopped reading before it gives up.
pub const DOWNLOAD_SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// Roles that order codes.
const ORDERING_ROLES: &[Role] = &[Role::Producer, Role::Importer];

/// One issued code ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintableCode {
    /// Its index in the order.
    pub index: u32,
    /// The code with its tail, as it is printed (GS-separated element string).
    pub raw: String,
}

/// Orders `quantity` codes of `gtin`; the order's id is the receipt's.
pub async fn order_codes(
    call: &mut Call<'_>,
    gtin: Given<Gtin>,
    quantity: u32,
) -> Result<Created, ApiError> {
    let who = call.participant_with(ORDERING_ROLES)?;
    let gtin = gtin?;
    call.note_reference(gtin);
    let receipt = run(call, &who, Command::OrderCodes { gtin, quantity }).await?;
    let id = receipt.created.unwrap_or(receipt.first_sequence);
    call.note_reference(id);
    Ok(Created { id, receipt })
}

/// An order, for its orderer or a supervising role.
pub fn order(call: &mut Call<'_>, id: OrderId) -> Result<OrderView, ApiError> {
    let who = call.participant()?;
    call.note_reference(id);
    let order = query::order(call.app().engine.snapshot().as_ref(), id)?
        .ok_or_else(|| ApiError::not_found(id.to_string()))?;
    if !may_read(&who, &order.orderer) {
        return Err(ApiError::forbidden("the orderer"));
    }
    Ok(order)
}

/// The caller's own orders, oldest first.
pub fn orders(call: &mut Call<'_>, page: Page) -> Result<Vec<OrderView>, ApiError> {
    let who = call.participant()?;
    let (after, limit) = page.bounded(PAGE_ENTRIES_MAX);
    let snapshot = call.app().engine.snapshot();
    Ok(query::orders(snapshot.as_ref(), &who.id, after, limit)?)
}

/// An order whose codes the caller may download: its own (no supervising role reads tails).
/// The codes themselves are read page by page with [`codes_to_print`].
pub fn order_to_print(call: &mut Call<'_>, id: OrderId) -> Result<OrderView, ApiError> {
    let who = call.participant()?;
    call.note_reference(id);
    let order = query::order(call.app().engine.snapshot().as_ref(), id)?
        .ok_or_else(|| ApiError::not_found(id.to_string()))?;
    if who.id != order.orderer {
        return Err(ApiError::forbidden("the orderer"));
    }
    Ok(order)
}

/// A page of an order's issued codes with their tails, from index `from`, at most `limit`
/// (and at most a page): for an order [`order_to_print`] allowed.
pub fn codes_to_print(
    app: &App,
    order: OrderId,
    from: u32,
    limit: usize,
) -> Result<Vec<PrintableCode>, ApiError> {
    let codes = query::order_codes(app.engine.snapshot().as_ref(), order, from, limit)?;
    Ok(codes
        .iter()
        .enumerate()
        .map(|(offset, (key, tail))| PrintableCode {
            index: from + offset as u32,
            raw: printable(key, tail),
        })
        .collect())
}

/// The issued codes of `order` (one [`order_to_print`] allowed) from index `from`, page by page
/// as the reader takes them: pages are read off the async workers, at most
/// [`DOWNLOAD_PAGES_AHEAD`] ahead, and a reader that stops reading is dropped after
/// [`DOWNLOAD_SEND_TIMEOUT`] instead of holding a thread. A failed read ends the stream with
/// its refusal.
pub fn printable_pages(
    app: Arc<App>,
    order: &OrderView,
    mut from: u32,
) -> ReceiverStream<Result<Vec<PrintableCode>, ApiError>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(DOWNLOAD_PAGES_AHEAD);
    let (id, issued) = (order.id, order.issued);
    tokio::spawn(async move {
        while from < issued {
            let reader = app.clone();
            let page = tokio::task::spawn_blocking(move || {
                codes_to_print(&reader, id, from, DOWNLOAD_CHUNK_CODES)
            })
            .await
            .unwrap_or_else(|_| Err(ApiError::internal()));
            let (sent, last) = match &page {
                Ok(codes) if !codes.is_empty() => (codes.len() as u32, false),
                _ => (0, true),
            };
            let delivered = tokio::time::timeout(DOWNLOAD_SEND_TIMEOUT, sender.send(page)).await;
            if !matches!(delivered, Ok(Ok(()))) || last {
                return;
            }
            from += sent;
        }
    });
    ReceiverStream::new(receiver)
}
