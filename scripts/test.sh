#!/usr/bin/env bash
# Installs dependencies, builds ambientd with every test, and runs them all through ctest.
# Usage: scripts/test.sh [PRESET]   (default: the release suite, then the fuzz lane: every
# libFuzzer target for 60 s under ASan + UBSan; or one preset: release, debug, asan, tsan, fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
  "$0" release
  exec "$0" fuzz
fi
preset=$1

scripts/setup-deps.sh
if [ "$preset" = tsan ]; then
  scripts/build-caf-tsan.sh
fi

jobs=$(nproc)
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
ctest --preset "$preset" -j "$jobs" --timeout 300
