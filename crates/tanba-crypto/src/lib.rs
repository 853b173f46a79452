//! tanba-crypto (skeleton).
