#!/usr/bin/env bash
# Runs issue 4's bench: decode throughput, then LIST+cache of 100k pods from a kube-sim process.
# Usage: bench/kube/run.sh [PODS]   (needs a release build: cmake --preset release && cmake --build --preset release)
set -euo pipefail
cd "$(dirname "$0")/../.."
pods=${1:-100000}
bin=build/release
work=$(mktemp -d)
trap 'kill $sim 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
"$bin/cmd/kube-sim" --clusters 1 --dir "$work" --seed-pods "$pods" --seed-services 1000 \
  --seed-namespaces 20 --seed-nodes 50 --duration 600s >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 600); do [ -f "$work/fleet.json" ] && break; sleep 0.2; done
[ -f "$work/fleet.json" ] || { echo "kube-sim did not start"; cat "$work/sim.log"; exit 1; }
"$bin/bench/kube_informer_bench" --events 100000 --kubeconfig "$work/cluster-1.kubeconfig"
