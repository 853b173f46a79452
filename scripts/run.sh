#!/usr/bin/env bash
# The README's run command: builds `tanba` (release) and runs the main job on the embedded default:
# `tanba demo` seeds a fresh data directory (./tanba-demo, RocksDB inside) with believable data
# through the server's own API, then serves HTTP on 127.0.0.1:8080 and gRPC on 127.0.0.1:50051
# and prints codes of every verdict to open in a browser. Run again, it serves what is there.
# Extra arguments go to `tanba demo` (e.g. --http-addr 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
cargo build --release --locked -p tanba-cli
exec "$CARGO_TARGET_DIR/release/tanba" demo --data "${TANBA_DATA:-tanba-demo}" "$@"
