#!/usr/bin/env bash
# Installs dependencies, builds ambientd (release) and runs it against its embedded demo fleet
# (`ambientd --demo`): a config cluster and three remote clusters on two networks, one remote
# secret malformed and fixed a few seconds later, one API server that goes down and comes back.
# It prints a live cluster table; the dashboard is at http://127.0.0.1:8080/, metrics at
# http://127.0.0.1:15014/metrics, ADS on 15010. Ctrl-C stops it; `--demo-duration 30` stops it
# after 30 s and exits 0 only if every demo cluster synced. Extra arguments go to ambientd.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target ambientd ambientctl
echo "demo: starting ambientd --demo (Ctrl-C stops it; try build/release/cmd/ambientctl remote-clusters)"
exec build/release/cmd/ambientd --demo "$@"
