#!/usr/bin/env bash
# The 1,000,000-user model against a cluster on this machine, and reads with 1, 2 and 3 nodes
# (issue 15; BENCHMARKS.md "A million users"). Starts three NATS servers (one JetStream cluster,
# the command stream on all three, synced on every write), `tanba demo --nats` as node a (it
# seeds the demo through the stream) and `tanba serve --nats` as nodes b and c (they catch up),
# then runs `tanba-load --open-loop`:
#   1. the embedded default alone (a `tanba demo` of its own, no NATS): the single-node baseline;
#   2. phones' checks alone (`--mix reads`) against node a, then a and b, then a, b and c;
#   3. the whole model against the three nodes.
# Each run climbs a ladder of user counts and reports the largest whose arrivals every node kept
# under p99 100 ms (a step that fails is tried once more; the summary says which passed on a
# second try). The ports are fixed (1422x, 1622x for NATS, 1808x, 1505x, 18090, 15060): one run
# at a time on a machine. Every process shares this machine's cores: the figures are what one machine
# carries. Reports (JSON) and the servers' logs stay in the work directory it prints.
#
#   load-tests/users.sh                 # steps of 20 s (about 15 minutes in all)
#   STEP_S=2 USERS=100000 READ_USERS=1000000 PROFILE=debug STREAM_BYTES=1073741824 \
#       load-tests/users.sh                                               # CI's short run
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
STEP_S=${STEP_S:-20}
USERS=${USERS:-250000,500000,750000,1000000,1500000,2000000,3000000}
READ_USERS=${READ_USERS:-5000000,10000000,15000000,20000000,25000000,30000000,40000000}
PROFILE=${PROFILE:-release}
# Bytes each of Tanba's four stores on the NATS servers holds at most (the command stream, the
# trail stream, the blob and snapshot buckets: `--nats-stream-bytes`). Every server reserves all
# four on its disk when they are made and refuses a store it has no room for (by default it
# grants itself 75 % of the disk's free space), so the run checks the room first.
STREAM_BYTES=${STREAM_BYTES:-4294967296}
if [ "$PROFILE" = release ]; then
    cargo build --locked --release -p tanba-cli -p tanba-load-tests
else
    # What `cargo test --workspace --all-targets` built already (scripts/test.sh).
    cargo build --locked --quiet --workspace --all-targets
fi
BIN=$CARGO_TARGET_DIR/$PROFILE
NATS=${TANBA_NATS_SERVER:-/var/tmp/tanba-tools/nats/bin/nats-server}
WORK=${WORK:-$(mktemp -d /var/tmp/tanba-users.XXXXXX)}
mkdir -p "$WORK"
echo "users: work directory $WORK"
free_kib=$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')
reserved_kib=$((4 * STREAM_BYTES / 1024 * 4 / 3))
if ((free_kib < reserved_kib)); then
    echo "users: $WORK has $((free_kib / 1024)) MiB free, and each NATS server reserves" \
        "$((reserved_kib / 1024)) MiB of it (four stores of STREAM_BYTES=$STREAM_BYTES at 75 %):" \
        "free some room or lower STREAM_BYTES" >&2
    exit 1
fi

# Every load client comes from 127.0.0.1: the per-address and per-participant limits are lifted.
export TANBA_ANONYMOUS_PER_IP_PER_SECOND=100000000 TANBA_ANONYMOUS_BURST=100000000
export TANBA_PARTICIPANT_PER_SECOND=100000000 TANBA_PARTICIPANT_BURST=100000000
export TANBA_CONNECTIONS_PER_CLIENT_MAX=20000 RUST_LOG=${RUST_LOG:-warn}

# Whether any of processes $@ is still running.
alive() {
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && return 0; done
    return 1
}
# Stops processes $@: SIGTERM (a node signs a final checkpoint), then SIGKILL after 20 s.
stop() {
    kill "$@" 2>/dev/null || true
    for _ in $(seq 200); do
        alive "$@" || return 0
        sleep 0.1
    done
    kill -9 "$@" 2>/dev/null || true
}
nodes_pids=()
nats_pids=()
# The nodes first, while the stream they finish on is still there.
cleanup() {
    ((${#nodes_pids[@]} == 0)) || stop "${nodes_pids[@]}"
    ((${#nats_pids[@]} == 0)) || stop "${nats_pids[@]}"
}
trap cleanup EXIT

# Waits until $1 answers HTTP, or fails after $2 seconds or once process $3 is gone.
wait_http() {
    for _ in $(seq "$(($2 * 10))"); do
        curl -fsS -o /dev/null "$1/healthz" 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || { echo "users: the node at $1 stopped" >&2; return 1; }
        sleep 0.1
    done
    echo "users: $1 did not answer within $2 s" >&2
    return 1
}

# Waits until file $1 exists, or fails after $2 seconds or once process $3 is gone.
wait_file() {
    for _ in $(seq "$(($2 * 10))"); do
        [ -f "$1" ] && return 0
        kill -0 "$3" 2>/dev/null || { echo "users: the process writing $1 stopped" >&2; return 1; }
        sleep 0.1
    done
    echo "users: $1 did not appear within $2 s" >&2
    return 1
}

load() { # the report's name, the demo's directory, then tanba-load's arguments
    local name=$1 demo=$2
    shift 2
    "$BIN/tanba-load" --demo "$demo/demo-codes.json" --open-loop --step-s "$STEP_S" \
        --out "$WORK/$name.json" "$@" 2> >(tee "$WORK/$name.log" >&2)
}

# 1. The embedded default alone: one process, its own log, no NATS.
"$BIN/tanba" demo --data "$WORK/single" --http-addr 127.0.0.1:18090 --grpc-addr 127.0.0.1:15060 \
    > "$WORK/single.out" 2>&1 &
single=$!
nodes_pids+=("$single")
wait_file "$WORK/single/demo-codes.json" 600 "$single" || { tail "$WORK/single.out" >&2; exit 1; }
load users-single "$WORK/single" --users "$USERS"
load reads-single "$WORK/single" --mix reads --users "$READ_USERS"
stop "$single"

# 2. Three NATS servers, one JetStream cluster.
routes="nats-route://127.0.0.1:16222, nats-route://127.0.0.1:16223, nats-route://127.0.0.1:16224"
for i in 1 2 3; do
    cat > "$WORK/n$i.conf" <<EOF
server_name: n$i
listen: 127.0.0.1:1422$((i + 1))
max_payload: 16777216
jetstream { store_dir: "$WORK/n$i", sync_interval: always }
cluster { name: tanba, listen: 127.0.0.1:1622$((i + 1)), no_advertise: true, routes: [ $routes ] }
EOF
    "$NATS" --config "$WORK/n$i.conf" > "$WORK/n$i.log" 2>&1 &
    nats_pids+=($!)
done
NATS_URLS=nats://127.0.0.1:14222,nats://127.0.0.1:14223,nats://127.0.0.1:14224
cluster=(--nats "$NATS_URLS" --nats-stream-bytes "$STREAM_BYTES")

# 3. Node a seeds the demo through the stream; b and c join with its key ring and secret.
"$BIN/tanba" demo --data "$WORK/a" --http-addr 127.0.0.1:18081 --grpc-addr 127.0.0.1:15051 \
    "${cluster[@]}" --node-name a > "$WORK/a.out" 2>&1 &
node_a=$!
nodes_pids+=("$node_a")
wait_file "$WORK/a/demo-codes.json" 600 "$node_a" || { tail "$WORK/a.out" >&2; exit 1; }
nodes=("http://127.0.0.1:18081,127.0.0.1:15051")
for n in b c; do
    port=$([ $n = b ] && echo 2 || echo 3)
    mkdir -m 700 "$WORK/$n"
    cp "$WORK/a/keys.json" "$WORK/a/sign-in.secret" "$WORK/$n/"
    "$BIN/tanba" serve --data "$WORK/$n" --http-addr "127.0.0.1:1808$port" \
        --grpc-addr "127.0.0.1:1505$port" "${cluster[@]}" --node-name "$n" > "$WORK/$n.out" 2>&1 &
    nodes_pids+=($!)
    wait_http "http://127.0.0.1:1808$port" 300 "$!" || { tail "$WORK/$n.out" >&2; exit 1; }
    nodes+=("http://127.0.0.1:1808$port,127.0.0.1:1505$port")
done

# 4. Reads with 1, 2 and 3 nodes, then the whole model on three.
for count in 1 2 3; do
    args=()
    for node in "${nodes[@]:0:$count}"; do args+=(--node "$node"); done
    load "reads-$count-nodes" "$WORK/a" --mix reads --users "$READ_USERS" "${args[@]}"
done
args=()
for node in "${nodes[@]}"; do args+=(--node "$node"); done
load users-3-nodes "$WORK/a" --users "$USERS" "${args[@]}"

# The sustained step of each run; a run in which some operation that arrived was never
# answered fails.
python3 - "$WORK" <<'EOF'
import json, sys, pathlib
work = pathlib.Path(sys.argv[1])
failed = []
print("\nrun                 sustained users   arrivals/s")
for name in ["users-single", "reads-single", "reads-1-nodes", "reads-2-nodes", "reads-3-nodes", "users-3-nodes"]:
    report = json.loads((work / f"{name}.json").read_text())
    users = report["sustained_users"]
    rate = report["sustained_arrivals_per_second"]
    attempt = report["sustained_on_attempt"]
    print(f"{name:20} {users if users else 'none':>15} {rate if rate else 0:>12.0f}"
          + (f"  (on try {attempt})" if attempt and attempt > 1 else ""))
    first = report["steps"][0]
    for operation, offered in first["offered"].items():
        if offered > 0 and first["operations"].get(operation, {}).get("ok", 0) == 0:
            failed.append(f"{name}: {operation} was never answered")
if failed:
    sys.exit("users: " + "; ".join(failed))
EOF
