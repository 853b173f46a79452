#!/usr/bin/env bash
# Profiles the analytics benchmark's exports alone: runs `tanba bench --analytics` and attaches
# perf once the store is built and the sales measured (the line `analytics_sales`), for as long
# as the codes export takes. Usage: scripts/profile-export.sh [TANBA_BINARY] [SECONDS]
# Output: /var/tmp/perf-export.data (read it with
#   perf report -i /var/tmp/perf-export.data --no-inline --no-children --sort symbol -g none).
set -euo pipefail
binary=${1:-target/release/tanba}
seconds=${2:-11}
log=$(mktemp)
"$binary" bench --analytics --dir /var/tmp >"$log" 2>&1 &
bench=$!
until grep -q analytics_sales "$log"; do
  kill -0 "$bench" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.2
done
perf record -F 499 --call-graph dwarf,16384 -p "$bench" -o /var/tmp/perf-export.data -- sleep "$seconds"
wait "$bench"
cat "$log"
