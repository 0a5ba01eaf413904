#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "asan": clang with ASan + UBSan) and runs them.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default: 60 seconds each, every target)
# Targets: kubeconfig_fuzz watch_stream_fuzz remote_secret_fuzz xds_requests_fuzz
#          kube_sim_request_fuzz csr_fuzz token_fuzz security_objects_fuzz. New inputs go to
# build/asan/tests/fuzz/corpus/TARGET; a crash leaves crash-* / leak-* files in the current
# directory (add them to tests/fuzz/corpus/TARGET with the fix, as regression seeds).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(kubeconfig_fuzz watch_stream_fuzz remote_secret_fuzz
                                     xds_requests_fuzz kube_sim_request_fuzz csr_fuzz token_fuzz
                                     security_objects_fuzz)
cmake --preset asan >/dev/null
cmake --build --preset fuzzers -j "$(nproc)"
for t in "${targets[@]}"; do
  work=build/asan/tests/fuzz/corpus/$t
  mkdir -p "$work"
  echo "== $t: ${seconds}s"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "build/asan/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$work" "tests/fuzz/corpus/$t"
done
