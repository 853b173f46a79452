//! The `tanba` binary.
fn main() {}
