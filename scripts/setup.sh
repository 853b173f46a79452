#!/usr/bin/env bash
# Installs what building and testing Tanba needs on a fresh Debian machine of this kind.
# Idempotent: installs only what is missing. Later issues add packages here (libclang-dev for the
# RocksDB bindings, nats-server, chromium), never to a developer's machine by hand.
set -euo pipefail

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(gcc)
command -v git >/dev/null 2>&1 || need_apt+=(git)
if ((${#need_apt[@]})); then
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: no Rust toolchain found (cargo). Install one with rustup, then rerun." >&2
    exit 1
fi
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy
