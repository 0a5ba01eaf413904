#!/usr/bin/env bash
# Installs dependencies, builds ambientd with every test, and runs them through ctest.
# Usage: scripts/test.sh [PRESET]
#   no argument (what .ci/run does): the two CI lanes,
#     asan: the whole suite under ASan + UBSan (clang, -O0), then every libFuzzer target for 60 s
#           from the same build;
#     tsan: the actor, integration and interop tests under ThreadSanitizer, against CAF 0.17.6
#           rebuilt with TSan from Debian's source package (scripts/build-caf-tsan.sh).
#   release | debug | asan | tsan: that one preset (release is what demo.sh and bench/ run;
#   the tsan lane builds ambientd with g++ too, so g++-only warnings still fail CI).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
  "$0" asan
  exec "$0" tsan
fi
preset=$1

scripts/setup-deps.sh
if [ "$preset" = tsan ]; then
  scripts/build-caf-tsan.sh
fi

jobs=$(nproc)
start=$(date +%s)
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
built=$(date +%s)
ctest --preset "$preset" -j "$jobs" --timeout 300
if [ "$preset" = asan ]; then
  ctest --preset fuzz -j "$jobs"
fi
echo "scripts/test.sh $preset: built in $((built - start)) s, tested in $(($(date +%s) - built)) s"
