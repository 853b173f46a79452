//! Tanba's case vocabulary, pure (no IO, no clock): what the four legal procedures share.
//!
//! - [`calendar`]: the working-day calendar as dated, versioned data with the acts it rests
//!   on, the provider's time zone, and the term conventions (intake, working-day and
//!   calendar-day terms) of WORKFLOWS.md, in one place.
//!
//! The engine executes cases and keeps the calendar versions in its log; this crate decides
//! nothing by reading a clock: every moment arrives as an argument.

pub mod calendar;

pub use calendar::{Calendar, CalendarError, DayKind, Due};
