#!/usr/bin/env bash
# The web console in a real headless Chromium: starts a seeded demo (like scripts/schemathesis.sh)
# and runs console-tests/ (node's test runner driving Debian's /usr/bin/chromium through
# playwright-core) against it. Screenshots of every page in every language land in
# artifacts/console/ (TANBA_SCREENSHOTS), kept by CI. Part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

( cd console-tests && npm ci --no-audit --no-fund --silent )
cargo build --locked --quiet -p tanba-cli --bin tanba
work="$(mktemp -d /var/tmp/tanba-console.XXXXXX)"
demo_pid=
cleanup() {
    if [ -n "$demo_pid" ]; then kill "$demo_pid" 2>/dev/null || true; wait "$demo_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

RUST_LOG=warn "$CARGO_TARGET_DIR/debug/tanba" demo --data "$work/demo" \
    --http-addr 127.0.0.1:0 --grpc-addr 127.0.0.1:0 >"$work/demo.log" 2>&1 &
demo_pid=$!
codes="$work/demo/demo-codes.json"
for _ in $(seq 1 600); do
    [ -s "$codes" ] && break
    kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log" >&2; echo "console-test: the demo stopped" >&2; exit 1; }
    sleep 0.5
done
[ -s "$codes" ] || { cat "$work/demo.log" >&2; echo "console-test: the demo did not start within 5 minutes" >&2; exit 1; }

screenshots="${TANBA_SCREENSHOTS:-$PWD/artifacts/console}"
rm -rf "$screenshots"
mkdir -p "$screenshots"
echo "== console tests (Chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')), screenshots in $screenshots"
( cd console-tests && TANBA_DEMO_DIR="$work/demo" TANBA_SCREENSHOTS="$screenshots" \
    TANBA_BIN="$CARGO_TARGET_DIR/debug/tanba" npm test --silent )
