//! criterion benchmarks for Tanba (see `benches/`).
