//! criterion benchmarks for Tanba's hot paths (`benches/codes.rs`), with the fixtures they share.
//! Run: `cargo bench -p tanba-benches`. Figures go to `BENCHMARKS.md` with the command and machine.
