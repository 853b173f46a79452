# Sourced by the scripts: one cargo target directory outside the clone, reused across clones and
# CI runs on the same machine (a cold build is slow on 2 cores); it is only a cache, so a run
# from nothing works too.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tanba-target}"
mkdir -p "$CARGO_TARGET_DIR"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
