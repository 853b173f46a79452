//! Tanba's case vocabulary, pure (no IO, no clock): what the four legal procedures share.
//!
//! - [`calendar`]: the working-day calendar as dated, versioned data with the acts it rests
//!   on, the provider's time zone, and the term conventions (intake, working-day and
//!   calendar-day terms) of WORKFLOWS.md, in one place.
//! - [`clock`]: a legal term's budget, what is consumed and since when it runs: pause, resume,
//!   one extension, days left, warning rungs that fire once, recomputation under a new calendar.
//!
//! The engine executes cases and keeps the calendar versions in its log; this crate decides
//! nothing by reading a clock: every moment arrives as an argument.

pub mod calendar;
pub mod clock;

pub use calendar::{Calendar, CalendarError, DayKind, Due};
pub use clock::{ClockError, DayUnit, LegalClock, Rung};
