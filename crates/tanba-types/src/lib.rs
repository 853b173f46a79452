//! tanba-types (skeleton).
