#!/usr/bin/env bash
# Keeps the shared cargo target (scripts/env.sh) from filling the disk across clones and CI
# runs: it is only a cache. Removes incremental state (useless to a fresh clone, whose paths
# differ) and every test or bench executable but the newest of each name; cargo rebuilds
# whatever a later run still wants.
set -euo pipefail
target="${CARGO_TARGET_DIR:?source scripts/env.sh first}"
for profile in debug release; do
    rm -rf "$target/$profile/incremental"
    deps="$target/$profile/deps"
    [ -d "$deps" ] || continue
    # Executables are named NAME-<16 hex digits>, without an extension; newest first.
    find "$deps" -maxdepth 1 -type f -perm -u+x -regextype posix-extended \
        -regex '.*/[^./]+-[0-9a-f]{16}' -printf '%T@ %p\n' |
        sort -rn |
        awk '{ name = $2; sub(/-[0-9a-f]{16}$/, "", name);
               if (seen[name]++) print $2 }' |
        xargs -r rm -f
done
echo "prune-target: $(df -h --output=avail "$target" | tail -1 | tr -d ' ') free"
