#!/usr/bin/env bash
# Installs dependencies, builds ambientd (release) and runs it in the foreground until Ctrl-C.
# Extra arguments are passed to ambientd (see `ambientd --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target ambientd
echo "demo: starting ambientd (Ctrl-C stops it)"
exec build/release/cmd/ambientd "$@"
