#!/usr/bin/env bash
# Runs issue 7's xDS bench (needs a release build): idle delta streams' memory, fan-out of one
# change to 1,000 streams, and a 40k-workload full-state push to 10 fresh clients next to the
# loopback byte limit. Extra arguments go to xds_bench (--streams, --rounds, --view, --full,
# --full-clients).
set -euo pipefail
cd "$(dirname "$0")/../.."
build/release/bench/xds_bench "$@" 2>/dev/null
