//! The operations every door shares (gRPC, HTTP/JSON, the console): one module per area, one
//! function per operation, over a started [`Call`] and plain Rust values. An operation does, in
//! order, what every door's call of it has always done: who is calling (sign-in, roles), the
//! input the door read, what the audit record names (`note_codes`, `note_reference`,
//! `note_acting_for`), who may read what ([`may_read`], ownership), the engine's command
//! submitted ([`run`]) or a snapshot read, and a plain answer (a domain value or a view). It
//! never finishes the call: the door does, in its own answer format. So a rule, a refusal and
//! an audit record are the same whichever door a call came through.
//!
//! Input a door could not read is handed over as its refusal ([`Given`]): the operation
//! refuses it at the point every door has always refused it (after sign-in, say), so that the
//! order of checks, and what the audit record names before a refusal, do not depend on the
//! door either.
//!
//! Architecture invariant: no wire types here (no prost messages, no axum or tonic types): the
//! doors convert (`grpc::convert`, the HTTP bodies). Method names stay the doors' (each starts
//! its call under its own name).

pub mod audit;
pub mod auth;
pub mod cases;
pub mod codes;
pub mod documents;
pub mod emission;
pub mod epcis;
pub mod exports;
pub mod feeds;
pub mod public;
pub mod registry;
pub mod retail;
pub mod services;
pub mod statistics;

use std::sync::Arc;

use tanba_engine::Receipt;
use tanba_store::{Snapshot, Store};
use tanba_types::{Actor, Command, Participant, Role, TaxpayerId};

use crate::app::Call;
use crate::error::ApiError;

/// Input as the door read it: the value, or why the door could not read it, which the
/// operation answers at its turn (a door that reads everything it is given passes `Ok`).
pub type Given<T> = Result<T, ApiError>;

/// Roles that oversee everyone's goods and may read any card, history or document.
pub const SUPERVISING_ROLES: &[Role] = &[Role::Authority, Role::Ministry, Role::Operator];

/// Entries a page holds when the caller names no limit.
pub const PAGE_DEFAULT_ENTRIES: usize = 100;

/// Whether `who` may read what `holder` holds: the holder itself, or a supervising role.
pub fn may_read(who: &Participant, holder: &TaxpayerId) -> bool {
    who.id == *holder || SUPERVISING_ROLES.iter().any(|role| who.has_role(*role))
}

/// Runs a participant's command: a document's signature is checked first, then the engine
/// decides with its own rules (roles, ownership, state).
pub(crate) async fn run(
    call: &mut Call<'_>,
    who: &Participant,
    mut command: Command,
) -> Result<Receipt, ApiError> {
    call.app().check_document_signature(who, &mut command)?;
    Ok(call.submit(Actor::Participant(who.id), command).await?)
}

/// A page asked for: where to continue (after this id or sequence) and how many (0: the
/// default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Page {
    /// Continue after this id or sequence (0: from the start).
    pub after: u64,
    /// How many (0: [`PAGE_DEFAULT_ENTRIES`]).
    pub limit: u32,
}

impl Page {
    /// Where to continue, and how many: the default for 0, at most `max`.
    pub fn bounded(self, max: usize) -> (u64, usize) {
        let limit = match self.limit {
            0 => PAGE_DEFAULT_ENTRIES,
            limit => limit as usize,
        };
        (self.after, limit.min(max))
    }
}

/// A write that created something (an order, a document, a case): its id and the receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Created {
    /// The id of what was created.
    pub id: u64,
    /// The log entries that recorded it.
    pub receipt: Receipt,
}

/// Reads a snapshot of the store off the async workers (a read that parses megabytes or counts
/// many units must not hold one of them).
pub(crate) async fn read_blocking<T: Send + 'static>(
    call: &Call<'_>,
    read: impl FnOnce(&dyn Snapshot) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let store: Arc<dyn Store> = call.app().engine.store().clone();
    tokio::task::spawn_blocking(move || read(store.snapshot().as_ref()))
        .await
        .map_err(|_| ApiError::internal())?
}
