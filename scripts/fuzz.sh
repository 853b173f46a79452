#!/usr/bin/env bash
# Fuzzes with libFuzzer (cargo-fuzz): the code parser, the log record and feed lines a follower
# reads (seeded with the record contract's pinned vectors), what the register adapters read and
# a stranger presents at sign-in (registers, certificates, revocation lists), and the server's doors (JSON bodies,
# protobuf messages to every gRPC method, Digital Link paths with the resolver's linkType, and
# check queries) through the real routers, and EPCIS documents and queries (the capture's checks
# and mapping, the event hash, the query language). Corpora are seeded from the GS1 conformance vectors and requests of every shape.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...] (default 300 s, every target).
# Each target's last line (runs, seconds, coverage) is appended to fuzz/runs.log, which a
# long run's entry in BENCHMARKS.md quotes. A failure leaves its input under fuzz/artifacts/.
# cargo-fuzz needs nightly compiler flags; RUSTC_BOOTSTRAP=1 enables them on the stable toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
seconds="${1:-300}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(parse_code http_json grpc_request digital_link log_record registers epcis)
cargo_fuzz_version=0.13.2
cargo fuzz --version 2>/dev/null | grep -qF "$cargo_fuzz_version" ||
    cargo install cargo-fuzz --locked --force --version "$cargo_fuzz_version"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

python3 - fuzz/corpus <<'PY'
import glob, hashlib, json, os, sys

root = sys.argv[1]
GS = "\x1d"


def put(target, data):
    folder = os.path.join(root, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hashlib.sha1(data).hexdigest()), "wb") as out:
        out.write(data)


codes = []
fields = ("bracketed_ai_input", "unbracketed_input_caret_is_fnc1", "dl_uri", "scan_data", "data_str", "input")
for path in glob.glob("../shared/conformance/gs1-syntax-engine/*.jsonl") + glob.glob("../shared/conformance/gs1-digital-link-js/*.jsonl"):
    for line in open(path, encoding="utf-8"):
        vector = json.loads(line)
        for field in fields:
            value = vector.get(field)
            if isinstance(value, str) and value:
                codes.append(value.replace("^", GS))
for code in codes:
    put("parse_code", code.encode())

# The log contract's pinned records, and feed lines around them.
for line in open("crates/tanba-log/tests/vectors/records.jsonl", encoding="utf-8"):
    vector = json.loads(line)
    record = bytes.fromhex(vector["record_hex"])
    put("log_record", record)
    put("log_record", json.dumps({"entry": {"sequence": 1, "chain_hash": vector["chain_hex"], "kinds": vector["feed_kinds"], "record_digest": vector["leaf_hex"][8:]}}).encode())
put("log_record", b'{"heartbeat": {"position": 5, "head": 9}}')
put("registers", b'{"entries": [{"id": "870412300416", "name": "IP", "status": "active"}, {"id": "040340004565", "name": "IP 2", "status": "ceased"}]}')
put("registers", b"870412300416:" + b"a5" * 32 + b":0180")
for path in glob.glob("crates/tanba-crypto/testdata/*.pem") + glob.glob("crates/tanba-crypto/testdata/openssl-cms/*.der"):
    put("registers", open(path, "rb").read())
put("log_record", b'{"checkpoint": {"sequence": 1, "head_hash": "00", "time_ms": 1, "key_id": "K001", "signature": "AA=="}}')

# The doors: a few codes of each form are enough to show the fuzzer the fields' shapes.
sample = codes[:: max(1, len(codes) // 40)][:40]
seller = "140440001218"
bodies = {
    0: [{"code": c} for c in sample],
    1: [{"code": c, "kind": "counterfeit", "comment": "x"} for c in sample[:5]],
    2: [{"participant": seller}],
    3: [{"participant": seller, "challenge": "AAAA", "signature": "AAAA"}],
    4: [{"codes": sample[:3]}, {"codes": sample[:2], "seller": seller}],
    5: [{"receipt_id": "R-1", "time_ms": 1767225600000, "lines": [{"code": c, "price_tiyn": 1000}]} for c in sample[:5]],
    6: [{"receipt_id": "RET-1", "sale_receipt_id": "R-1", "codes": sample[:2]}],
}
for route, examples in bodies.items():
    for caller in range(4):
        for body in examples:
            put("http_json", bytes([route, caller, 0]) + json.dumps(body).encode())
for pick in range(9):
    for code in sample:
        text = code.split("://", 1)[1].split("/", 1)[-1] if "://" in code else code
        put("digital_link", bytes([pick]) + text.encode())
        # The resolver's questions on the same path.
        if pick == 0:
            for link_type in ("all", "linkset", "gs1:pip", "https://gs1.org/voc/recallStatus", "gs1:nothing"):
                joined = text + ("&" if "?" in text else "?") + "linkType=" + link_type
                put("digital_link", bytes([pick]) + joined.encode())


def field(number, data):
    """A length-delimited protobuf field."""
    key, size, out = (number << 3) | 2, len(data), b""
    for value in (key, size):
        while value >= 0x80:
            out += bytes([value & 0x7F | 0x80])
            value >>= 7
        out += bytes([value])
    return out + data


for method in range(64):
    for caller in range(4):
        put("grpc_request", bytes([method, caller]))
        for code in sample[:4]:
            put("grpc_request", bytes([method, caller]) + field(1, code.encode()))
        put("grpc_request", bytes([method, caller]) + field(1, seller.encode()))
PY

# EPCIS: every conformance document (capture and hash doors), GS1's query, and URL queries.
python3 - fuzz/corpus <<'PY'
import glob, hashlib, json, os, sys

folder = os.path.join(sys.argv[1], "epcis")
os.makedirs(folder, exist_ok=True)


def put(data):
    with open(os.path.join(folder, hashlib.sha1(data).hexdigest()), "wb") as out:
        out.write(data)


conformance = "../shared/conformance"
documents = glob.glob(conformance + "/openepcis-test-resources/2.0/EPCIS/JSON/**/*.json", recursive=True)
documents += glob.glob(conformance + "/gs1-epcis/JSON/**/*.jsonld", recursive=True)
documents += glob.glob(conformance + "/epcis-event-hash-generator/examples/*.jsonld")
for path in documents:
    data = open(path, "rb").read()
    if len(data) < 60000:
        put(bytes([0]) + data)
        put(bytes([1]) + data)
for query in ("EQ_bizStep=shipping|receiving&perPage=5", "GE_eventTime=2026-01-01T00:00:00.5%2B05:00&orderDirection=DESC",
              "MATCH_epc=urn:epc:id:sgtin:0614141.107346.2017", "nextPageToken=12.3&eventType=ObjectEvent"):
    put(bytes([2]) + query.encode())
PY

mkdir -p fuzz/artifacts
for target in "${targets[@]}"; do
    echo "== fuzz $target: $seconds s, corpus $(ls "fuzz/corpus/$target" | wc -l) inputs"
    # The doors' targets keep a whole server in the process (caches, threads, a growing store):
    # LeakSanitizer would flag its state after every input and rescan the heap, forty times the
    # cost of the input itself. The parser's target keeps the leak check.
    leaks=1
    [ "$target" = parse_code ] || leaks=0
    status=0
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -max_len=70000 -rss_limit_mb=4096 -detect_leaks="$leaks" \
        -artifact_prefix="fuzz/artifacts/$target-" -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -E "^(Done|#[0-9]+ *DONE|stat::)" "$log" || true
    echo "$(date -u +%FT%TZ) $target ${seconds}s: $(grep -E '^stat::number_of_executed_units' "$log" | tr -d ' ') $(grep -oE 'cov: [0-9]+' "$log" | tail -1) exit $status" >> fuzz/runs.log
    if [ "$status" -ne 0 ]; then
        tail -60 "$log" >&2
        echo "fuzz: $target failed (above: a build error, or the failure with its input saved under fuzz/artifacts/)" >&2
        exit 1
    fi
done
