#!/usr/bin/env bash
# Property-based tests of the HTTP API against its own description: Schemathesis generates
# requests from crates/tanba-server/openapi.json (valid ones and, in negative mode, ones the
# schema forbids) and sends them to a live, seeded demo server, first anonymously, then signed in
# as a shop. Every answer must be one the document names, with its content type and schema; no
# 5xx; what the schema forbids must be refused and what it allows must not be refused as
# malformed. Part of scripts/test.sh. Deterministic: a fixed seed and a bounded number of
# examples per operation (TANBA_SCHEMATHESIS_SEED, TANBA_SCHEMATHESIS_EXAMPLES).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

seed="${TANBA_SCHEMATHESIS_SEED:-20261204}"
examples="${TANBA_SCHEMATHESIS_EXAMPLES:-60}"
venv=/var/tmp/tanba-tools/schemathesis
requirements=scripts/schemathesis-requirements.txt

# The tools live in their own virtual environment, rebuilt when the pinned list changes.
if ! cmp -s "$requirements" "$venv/requirements.txt"; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
fi

cargo build --locked --quiet -p tanba-cli --bin tanba
work="$(mktemp -d /var/tmp/tanba-schemathesis.XXXXXX)"
demo_pid=
cleanup() {
    if [ -n "$demo_pid" ]; then kill "$demo_pid" 2>/dev/null || true; wait "$demo_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# Rates high enough that generated requests are judged, not turned away: the limits themselves
# are tested by the server's own tests.
TANBA_ANONYMOUS_PER_IP_PER_SECOND=1000000 TANBA_ANONYMOUS_BURST=1000000 \
TANBA_PARTICIPANT_PER_SECOND=1000000 TANBA_PARTICIPANT_BURST=1000000 \
TANBA_REPORTS_PER_IP_PER_HOUR=1000000 RUST_LOG=warn \
    "$CARGO_TARGET_DIR/debug/tanba" demo --data "$work/demo" \
    --http-addr 127.0.0.1:0 --grpc-addr 127.0.0.1:0 >"$work/demo.log" 2>&1 &
demo_pid=$!
codes="$work/demo/demo-codes.json"
# The demo renames the file into place once seeded and serving (5 minutes at most).
for _ in $(seq 1 600); do
    [ -s "$codes" ] && break
    kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log" >&2; echo "schemathesis: the demo stopped" >&2; exit 1; }
    sleep 0.5
done
[ -s "$codes" ] || { cat "$work/demo.log" >&2; echo "schemathesis: the demo did not start within 5 minutes" >&2; exit 1; }
http="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"])' "$codes")"
token="$("$venv/bin/python" scripts/schemathesis_token.py "$http" "$work/demo/keys/shop_almaty.json")"

run() {
    local label="$1"
    shift
    echo "== schemathesis ($label): seed $seed, $examples examples per operation"
    PYTHONPATH=scripts SCHEMATHESIS_HOOKS=schemathesis_hooks TANBA_DEMO_CODES="$codes" \
        "$venv/bin/schemathesis" run crates/tanba-server/openapi.json --url "$http" \
        --seed "$seed" --max-examples "$examples" --workers 1 \
        --phases examples,coverage,fuzzing --checks all \
        --request-timeout 10 --no-color "$@"
}
run anonymous
run "signed in as a shop" --header "Authorization: Bearer $token"
