//! GS1 syntax for Tanba.
pub mod lint;
