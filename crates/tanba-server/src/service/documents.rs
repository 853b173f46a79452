//! Accompanying documents (R-IS-10): a seller ships codes and packages to a buyer, who accepts
//! all or part of them or rejects them; the seller may cancel before the buyer answers. Each is
//! signed by its party over `Command::document_bytes` (checked by [`run`] before the engine
//! sees it). A document is read by its seller, its buyer, or a supervising role.

use tanba_engine::Receipt;
use tanba_engine::query::{self, DocumentView};
use tanba_types::limits::{DOCUMENT_ITEMS_MAX, PAGE_ENTRIES_MAX};
use tanba_types::{CodeKey, Command, DocumentId, Participant, TaxpayerId};

use super::{Created, Page, may_read, run};
use crate::app::Call;
use crate::error::ApiError;

/// A document before its party's signature: what is signed, and then submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Draft {
    /// The seller ships items (named with the draft) to a buyer.
    Ship {
        /// The buyer.
        buyer: TaxpayerId,
    },
    /// The buyer accepts a document: all of it (no items named) or the items named.
    Accept {
        /// The document.
        document: DocumentId,
    },
    /// The buyer rejects a document.
    Reject {
        /// The document.
        document: DocumentId,
    },
    /// The seller cancels a shipment before its buyer answers.
    Cancel {
        /// The document.
        document: DocumentId,
    },
}

impl Draft {
    /// The command this draft with `items` and `signature` is: the one place each document's
    /// command is built, for its bytes to sign and for its submission alike.
    fn command(self, items: Vec<CodeKey>, signature: Vec<u8>) -> Command {
        match self {
            Draft::Ship { buyer } => Command::Ship {
                buyer,
                items,
                signature,
            },
            Draft::Accept { document } => Command::Accept {
                document,
                items: (!items.is_empty()).then_some(items),
                signature,
            },
            Draft::Reject { document } => Command::Reject {
                document,
                signature,
            },
            Draft::Cancel { document } => Command::CancelShipment {
                document,
                signature,
            },
        }
    }

    /// Notes what the draft names, and reads its items (only a shipment and an acceptance
    /// name items; the others take none).
    fn read(
        self,
        call: &mut Call<'_>,
        items: &[String],
    ) -> Result<(Participant, Vec<CodeKey>), ApiError> {
        match self {
            Draft::Ship { buyer } => call.note_reference(buyer),
            Draft::Accept { document } => call.note_reference(document),
            Draft::Reject { document } | Draft::Cancel { document } => {
                let who = call.participant()?;
                call.note_reference(document);
                return Ok((who, Vec::new()));
            }
        }
        call.participant_and_codes(items, DOCUMENT_ITEMS_MAX)
    }
}

/// The exact bytes the caller signs for `draft` with `items` (`Command::document_bytes`): what a
/// browser signs with the participant's key before it submits the document.
pub fn bytes_to_sign(
    call: &mut Call<'_>,
    draft: Draft,
    items: &[String],
) -> Result<Vec<u8>, ApiError> {
    let (who, items) = draft.read(call, items)?;
    let command = draft.command(items, Vec::new());
    Ok(command
        .document_bytes(&who.id)
        .expect("every draft is a document"))
}

/// Submits `draft` with `items` under the caller's `signature`; a shipment's new document id is
/// the receipt's.
pub async fn submit(
    call: &mut Call<'_>,
    draft: Draft,
    items: &[String],
    signature: Vec<u8>,
) -> Result<Created, ApiError> {
    let (who, items) = draft.read(call, items)?;
    let receipt = run(call, &who, draft.command(items, signature)).await?;
    let id = match draft {
        Draft::Ship { .. } => {
            let id = receipt.created.unwrap_or(receipt.first_sequence);
            call.note_reference(id);
            id
        }
        Draft::Accept { document } | Draft::Reject { document } | Draft::Cancel { document } => {
            document
        }
    };
    Ok(Created { id, receipt })
}

/// Ships `items` to `buyer` under the seller's signature; the document's id is the receipt's.
pub async fn ship(
    call: &mut Call<'_>,
    buyer: TaxpayerId,
    items: &[String],
    signature: Vec<u8>,
) -> Result<Created, ApiError> {
    submit(call, Draft::Ship { buyer }, items, signature).await
}

/// Accepts a document: all of it (no items named) or the items named.
pub async fn accept(
    call: &mut Call<'_>,
    document: DocumentId,
    items: &[String],
    signature: Vec<u8>,
) -> Result<Receipt, ApiError> {
    let draft = Draft::Accept { document };
    Ok(submit(call, draft, items, signature).await?.receipt)
}

/// Rejects a document (its buyer).
pub async fn reject(
    call: &mut Call<'_>,
    document: DocumentId,
    signature: Vec<u8>,
) -> Result<Receipt, ApiError> {
    let draft = Draft::Reject { document };
    Ok(submit(call, draft, &[], signature).await?.receipt)
}

/// Cancels a shipment before its buyer answers (its seller).
pub async fn cancel(
    call: &mut Call<'_>,
    document: DocumentId,
    signature: Vec<u8>,
) -> Result<Receipt, ApiError> {
    let draft = Draft::Cancel { document };
    Ok(submit(call, draft, &[], signature).await?.receipt)
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
