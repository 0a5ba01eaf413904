#!/usr/bin/env bash
# Installs dependencies, builds ambientd with every test, and runs them all through ctest.
# Usage: scripts/test.sh [PRESET]   (default: release; also debug, asan, tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}

scripts/setup-deps.sh
if [ "$preset" = tsan ]; then
  scripts/build-caf-tsan.sh
fi

jobs=$(nproc)
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
ctest --preset "$preset" -j "$jobs" --timeout 300
