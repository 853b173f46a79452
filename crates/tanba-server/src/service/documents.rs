//! Accompanying documents (R-IS-10): a seller ships codes and packages to a buyer, who accepts
//! all or part of them or rejects them; the seller may cancel before the buyer answers. Each is
//! signed by its party over `Command::document_bytes` (checked by [`run`] before the engine
//! sees it). A document is read by its seller, its buyer, or a supervising role.

use tanba_engine::Receipt;
use tanba_engine::query::{self, DocumentView};
use tanba_types::limits::{DOCUMENT_ITEMS_MAX, PAGE_ENTRIES_MAX};
use tanba_types::{Command, DocumentId, TaxpayerId};

use super::{Created, Page, may_read, run};
use crate::app::Call;
use crate::error::ApiError;

/// Ships `items` to `buyer` under the seller's signature; the document's id is the receipt's.
pub async fn ship(
    call: &mut Call<'_>,
    buyer: TaxpayerId,
    items: &[String],
    signature: Vec<u8>,
) -> Result<Created, ApiError> {
    call.note_reference(buyer);
    let (who, items) = call.participant_and_codes(items, DOCUMENT_ITEMS_MAX)?;
    let command = Command::Ship {
        buyer,
        items,
        signature,
    };
    let receipt = run(call, &who, command).await?;
    let id = receipt.created.unwrap_or(receipt.first_sequence);
    call.note_reference(id);
    Ok(Created { id, receipt })
}

/// Accepts a document: all of it (no items named) or the items named.
pub async fn accept(
    call: &mut Call<'_>,
    document: DocumentId,
    items: &[String],
    signature: Vec<u8>,
) -> Result<Receipt, ApiError> {
    call.note_reference(document);
    let (who, items) = call.participant_and_codes(items, DOCUMENT_ITEMS_MAX)?;
    let command = Command::Accept {
        document,
        items: (!items.is_empty()).then_some(items),
        signature,
    };
    run(call, &who, command).await
}

/// Rejects a document (its buyer).
pub async fn reject(
    call: &mut Call<'_>,
    document: DocumentId,
    signature: Vec<u8>,
) -> Result<Receipt, ApiError> {
    let who = call.participant()?;
    call.note_reference(document);
    run(
        call,
        &who,
        Command::Reject {
            document,
            signature,
        },
    )
    .await
}

/// Cancels a shipment before its buyer answers (its seller).
pub async fn cancel(
    call: &mut Call<'_>,
    document: DocumentId,
    signature: Vec<u8>,
) -> Result<Receipt, ApiError> {
    let who = call.participant()?;
    call.note_reference(document);
    run(
        call,
        &who,
        Command::CancelShipment {
            document,
            signature,
        },
    )
    .await
}

/// A document the caller may read: its seller, its buyer, or a supervising role.
pub fn document(call: &mut Call<'_>, id: DocumentId) -> Result<DocumentView, ApiError> {
    let who = call.participant()?;
    call.note_reference(id);
    let document = query::document(call.app().engine.snapshot().as_ref(), id)?
        .ok_or(tanba_engine::EngineError::UnknownDocument(id))?;
    if may_read(&who, &document.seller) || may_read(&who, &document.buyer) {
        Ok(document)
    } else {
        Err(ApiError::forbidden(
            "the seller | the buyer | authority | ministry | operator",
        ))
    }
}

/// The caller's documents, as seller or buyer, oldest first.
pub fn documents(call: &mut Call<'_>, page: Page) -> Result<Vec<DocumentView>, ApiError> {
    let who = call.participant()?;
    let (after, limit) = page.bounded(PAGE_ENTRIES_MAX);
    let snapshot = call.app().engine.snapshot();
    Ok(query::documents(snapshot.as_ref(), &who.id, after, limit)?)
}
