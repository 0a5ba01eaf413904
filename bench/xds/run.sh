#!/usr/bin/env bash
# Runs issue 7's xDS bench (needs a release build): idle delta streams' memory, fan-out of one
# change to 1,000 streams, and a 40k-workload full-state push to 10 fresh clients next to the
# loopback byte limit. Extra arguments go to xds_bench (--streams, --rounds, --view, --full,
# --full-clients). With --tokens N [--review-deadline-ms D] it runs only issue 24's figure instead:
# N ztunnel-like clients connecting at once, plaintext and over TLS with bound tokens (cold
# review cache, then reconnecting), p50/p99 time to the first Address response.
set -euo pipefail
cd "$(dirname "$0")/../.."
build/release/bench/xds_bench "$@" 2>/dev/null
