#!/usr/bin/env bash
# The README's test command: formatting, lints, and every test of the workspace (unit,
# conformance against ../shared/conformance, property tests, the CLI end to end), then the HTTP
# API against its OpenAPI document (Schemathesis on a live demo), the web console in headless
# Chromium (screenshots in artifacts/console/) and a short run of every fuzz target
# (TANBA_FUZZ_SECONDS each).
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
echo "== schemathesis"
scripts/schemathesis.sh
echo "== console (headless Chromium)"
scripts/console-test.sh
echo "== fuzz (short)"
scripts/fuzz.sh "${TANBA_FUZZ_SECONDS:-20}"
