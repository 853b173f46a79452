//! Tanba's case vocabulary, pure (no IO, no clock): what the four legal procedures share.
//!
//! - [`calendar`]: the working-day calendar as dated, versioned data with the acts it rests
//!   on, the provider's time zone, and the term conventions (intake, working-day and
//!   calendar-day terms) of WORKFLOWS.md, in one place.
//! - [`clock`]: a legal term's budget, what is consumed and since when it runs: pause, resume,
//!   one extension, days left, warning rungs that fire once, recomputation under a new calendar.
//! - [`definition`]: the trait each procedure's crate implements (states, transitions with the
//!   roles that take them, forms, clocks, notices, goods effects); [`form`]: format-logical
//!   control of forms; [`executor`]: the generic execution of a step, a tick or a
//!   recomputation into facts for the log; [`error`]: the refusals, coded in kk/ru/en.
//! - [`reference`]: the versioned reference sets forms are checked against (providers, HS
//!   codes, control lists, currencies, countries, units); [`wording`]: the texts' fixed words
//!   and numbered grounds in kk/ru/en.
//! - [`service`]: what the state services share (documents, intake, translations, signers,
//!   numbered grounds); [`complaint`]: their pre-trial complaint, with each service's terms;
//!   [`amendment`]: the provider's duty to inform of amendments to its Rules.
//! - [`sandbox`]: a case run in memory through the executor, as the engine runs it, for the
//!   procedures' own tests.
//!
//! The engine executes cases and keeps the calendar versions in its log; this crate decides
//! nothing by reading a clock: every moment arrives as an argument.

pub mod amendment;
pub mod calendar;
pub mod clock;
pub mod complaint;
pub mod definition;
pub mod error;
pub mod executor;
pub mod form;
pub mod reference;
pub mod sandbox;
pub mod service;
pub mod wording;

pub use calendar::{Calendar, CalendarError, DayKind};
pub use clock::{ClockError, ClockRules};
pub use definition::Definition;
pub use error::CaseError;
pub use reference::{ReferenceError, ReferenceSet, References, SetKind};
pub use wording::{Ground, Wording};
// The clock's data lives with the events that carry it.
pub use tanba_types::{DayUnit, Due, LegalClock, Run, Rung};
