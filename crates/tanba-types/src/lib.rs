//! Tanba's domain vocabulary, shared by every crate above it.
//!
//! For now: Kazakhstan identifiers ([`kz`]: IIN/BIN with their check digit, EAEU HS codes), the
//! languages people read Tanba in ([`language`]), and the catalogue of error messages in Kazakh,
//! Russian and English keyed by stable error code ([`messages`]). Later issues add statuses,
//! commands, events and limits here.
//!
//! Architecture invariant: pure data and functions. No IO, no clock, no randomness, no storage,
//! no wire format. Error messages are looked up by code string, so this crate need not depend on
//! the crates whose errors it translates (they sit above it).

pub mod kz;
pub mod language;
pub mod messages;

pub use kz::{HsCode, KzIdError, TaxpayerId, TaxpayerKind};
pub use language::Language;
pub use messages::{Localized, localize};
