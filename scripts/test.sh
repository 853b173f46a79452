#!/usr/bin/env bash
# The README's test command: formatting, lints, and every test of the workspace (unit,
# conformance against ../shared/conformance, property tests, the CLI end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
test -d ../shared/conformance || { echo "test: ../shared/conformance is missing" >&2; exit 1; }
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --locked --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --locked --workspace --all-targets -- --show-output
# Doc tests run separately: --all-targets skips them.
cargo test --locked --workspace --doc
