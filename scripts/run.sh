#!/usr/bin/env bash
# The README's run command: builds `tanba` (release) and runs the main job on the embedded default.
# Until the server lands, that is `tanba demo`: a key ring in ./tanba-data, codes issued and
# verified, forgeries refused, then the engine on RocksDB in ./tanba-data/engine (orders, a pallet
# shipped, sales, a block, the log verified and replayed). Extra arguments go to `tanba demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
cargo build --release --locked -p tanba-cli
exec "$CARGO_TARGET_DIR/release/tanba" demo --data "${TANBA_DATA:-tanba-data}" "$@"
