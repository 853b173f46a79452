//! Tanba's engine: the deterministic state machine every feature stands on.
//!
//! - [`decide`](mod@decide): a command, read against state, becomes events or a typed refusal
//!   (format-logical control and authorization, R-IS-17). It writes nothing.
//! - [`apply`](mod@apply): the only code that changes state, from one event at a time. Replay
//!   runs the same function over the log, so replay gives byte-identical state.
//! - [`core`](mod@core): a group of commands decided, chained onto the BLAKE3 log, applied and
//!   committed in one synced batch with the log head (and a signed checkpoint every N events).
//! - [`command_log`](mod@command_log): the one order of the batches of commands the writer
//!   applies: a local queue, or a replicated stream read by every node (`tanba-replica`).
//! - [`engine`](mod@engine): the writer thread (group commit, tickets), the issuer thread that
//!   makes and signs codes for emission orders, the injected clock.
//! - [`log`](mod@log): reading, verifying (from genesis or a signed checkpoint) and replaying the
//!   log; comparing two stores' state.
//! - [`query`](mod@query): code cards, package content, history, documents, orders: index
//!   lookups on one snapshot, never scans of the log.
//! - [`keys`](mod@keys), [`records`](mod@records), [`state`](mod@state): the byte layout, the
//!   stored records and the writer's view of the store with the group's changes on top.
//! - [`retail`](mod@retail): fiscal receipts: sales line by line, returns tied to their sale,
//!   fiscal data operators acting for the sellers they serve.
//! - [`workload`](mod@workload): a standing world and bulk steps for benchmarks and load tests.
//! - [`calendar`](mod@calendar): the working-day calendar's versions, published into the log.
//! - [`export`]: controlled goods exported only under a permit that covers them.
//! - [`reference`]: the reference sets' versions (providers, HS codes, control lists,
//!   currencies, countries, units), published into the log.
//! - [`cases`](mod@cases): the legal procedures' cases: registered definitions, case commands
//!   decided through `tanba-cases`, case events applied; [`tick`](mod@tick): the system's
//!   timer over the due-time index; [`scope`](mod@scope): goods scopes a case blocks at every
//!   till at once; [`sweep`](mod@sweep): the census of who holds a scope's units, the holders'
//!   notices and disposal withdrawals, page by page on ticks; [`consumers`](mod@consumers):
//!   consumers' opt-ins to direct recall notices (no personal data); [`blobs`](mod@blobs):
//!   attachments, content-addressed, in chunks.
//! - [`data_export`](mod@data_export): data export jobs for analytical systems, as the log
//!   keeps them (the server writes their files).
//! - [`statistics`](mod@statistics): owners' stock and flow counters, kept as codes change.
//! - [`registers`](mod@registers): what the state's registers said (entrepreneurs, revocation
//!   lists), refreshed by the server's adapters as system commands.
//!
//! Architecture invariant: the state machine reads no clock and no random source. Time is stamped
//! on each command by the writer; serials arrive inside `IssueCodes` commands. No tonic, no
//! network: the server stands on this crate, not the other way round.

mod appender;
mod applier;
pub mod apply;
pub mod blobs;
pub mod calendar;
pub mod cases;
pub mod command_log;
pub mod consumers;
pub mod core;
pub mod data_export;
pub mod decide;
pub mod engine;
pub mod error;
pub mod export;
pub mod feed;
pub mod heads;
pub mod issue;
pub mod keys;
pub mod log;
pub mod public;
pub mod query;
pub mod records;
pub mod reference;
pub mod registers;
pub mod retail;
pub mod scope;
pub mod seal;
pub mod snapshot_shelf;
pub mod state;
pub mod statistics;
pub mod steward;
pub mod sweep;
pub mod tick;
pub mod trails;
pub mod workload;

pub use crate::appender::APPENDS_IN_FLIGHT_MAX;
pub use crate::core::{Core, Receipt, Stamped};
pub use cases::Cases;
pub use engine::{CatchUp, Clock, Engine, EngineConfig, SystemClock, Ticket, WriterStats};
pub use error::EngineError;
pub use log::{
    LogVerification, StoredEntry, entry_hash, first_state_difference, replay, stored_entry,
    verify_log,
};
pub use records::{LogHead, LogRecord};
