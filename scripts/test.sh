#!/usr/bin/env bash
# The README's test command: formatting, lints, and every test of the workspace (unit,
# conformance against ../shared/conformance, property tests, the CLI end to end), then the HTTP
# API against its OpenAPI document (Schemathesis on a live demo), the web console in headless
# Chromium (screenshots in artifacts/console/), a short run of the open-loop user model against
# one node and three (load-tests/users.sh) and a short run of every fuzz target
# (TANBA_FUZZ_SECONDS each).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
scripts/prune-target.sh
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
echo "== users (short): the open-loop model against one node and three (load-tests/users.sh)"
STEP_S=2 USERS=100000 READ_USERS=1000000 PROFILE=debug STREAM_BYTES=1073741824 \
    load-tests/users.sh
echo "== console (headless Chromium)"
scripts/console-test.sh
echo "== fuzz (short)"
scripts/fuzz.sh "${TANBA_FUZZ_SECONDS:-20}"
