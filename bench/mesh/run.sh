#!/usr/bin/env bash
# Runs issue 6's bench: the pure mesh index (krt-equivalent round, one event at 100k, full recompute).
# Usage: bench/mesh/run.sh [PODS]   (needs a release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
build/release/bench/mesh_index_bench --pods "${1:-100000}"
