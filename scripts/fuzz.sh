#!/usr/bin/env bash
# Fuzzes the code parser with libFuzzer (cargo-fuzz). The corpus is seeded from every input in
# the GS1 conformance vectors. Usage: scripts/fuzz.sh [SECONDS] (default 300).
# cargo-fuzz needs nightly compiler flags; RUSTC_BOOTSTRAP=1 enables them on the stable toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
corpus=fuzz/corpus/parse_code
mkdir -p "$corpus"
python3 - "$corpus" <<'PY'
import glob, hashlib, json, os, sys
corpus = sys.argv[1]
fields = ("bracketed_ai_input", "unbracketed_input_caret_is_fnc1", "dl_uri", "scan_data", "data_str", "input")
for path in glob.glob("../shared/conformance/gs1-syntax-engine/*.jsonl") + glob.glob("../shared/conformance/gs1-digital-link-js/*.jsonl"):
    for line in open(path, encoding="utf-8"):
        vector = json.loads(line)
        for field in fields:
            value = vector.get(field)
            if isinstance(value, str) and value:
                data = value.replace("^", "\x1d").encode("utf-8")
                name = hashlib.sha1(data).hexdigest()
                with open(os.path.join(corpus, name), "wb") as out:
                    out.write(data)
PY
echo "corpus: $(ls "$corpus" | wc -l) seeds"
RUSTC_BOOTSTRAP=1 cargo fuzz run parse_code "$corpus" -- -max_total_time="$seconds" -max_len=4096
