#!/usr/bin/env bash
# Runs issue 5's bench: cluster_store and remote secrets against a kube-sim fleet in its own process.
# Usage: bench/actors/run.sh [REMOTE_CLUSTERS] [REPS]   (needs a release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
clusters=${1:-50}
reps=${2:-20}
bin=build/release
work=$(mktemp -d)
trap 'kill $sim 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
"$bin/cmd/kube-sim" --clusters $((clusters + 1)) --dir "$work" --duration 600s \
  --log-level warn >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 600); do [ -f "$work/fleet.json" ] && break; sleep 0.2; done
[ -f "$work/fleet.json" ] || { echo "kube-sim did not start"; cat "$work/sim.log"; exit 1; }
"$bin/bench/cluster_store_bench" --fleet "$work" --clusters "$clusters" --reps "$reps" 2>"$work/bench.log" \
  || { tail -20 "$work/bench.log"; exit 1; }
