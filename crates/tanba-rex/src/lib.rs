//! Placeholder while the definition is written.

pub mod wording;
