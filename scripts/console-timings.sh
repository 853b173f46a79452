#!/usr/bin/env bash
# How long every console page takes on the demo's data (issue 12 asks for 100 ms at most):
# builds the release binary, starts a seeded demo, signs in each role in headless Chromium and
# fetches each page TANBA_TIMING_ROUNDS times (default 50). Prints median, p95 and max per page
# and writes artifacts/console-timings.json. Results are recorded in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
( cd console-tests && npm ci --no-audit --no-fund --silent )
cargo build --release --locked --quiet -p tanba-cli --bin tanba
work="$(mktemp -d /var/tmp/tanba-timings.XXXXXX)"
demo_pid=
cleanup() {
    if [ -n "$demo_pid" ]; then kill "$demo_pid" 2>/dev/null || true; wait "$demo_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
RUST_LOG=warn TANBA_PARTICIPANT_PER_SECOND=100000 TANBA_PARTICIPANT_BURST=100000 \
    "$CARGO_TARGET_DIR/release/tanba" demo --data "$work/demo" \
    --http-addr 127.0.0.1:0 --grpc-addr 127.0.0.1:0 >"$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 600); do
    [ -s "$work/demo/demo-codes.json" ] && break
    kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log" >&2; exit 1; }
    sleep 0.5
done
mkdir -p artifacts
( cd console-tests && TANBA_DEMO_DIR="$work/demo" TANBA_SCREENSHOTS="$PWD/../artifacts/console-timings" \
    TANBA_TIMINGS_OUT="$PWD/../artifacts/console-timings.json" node timings.mjs )
