#!/usr/bin/env bash
# A smoke run of one bench/run scenario at tiny sizes: the harness must start every process and
# produce every figure. It checks that numbers were produced, never how fast they are.
# Usage: bench_smoke_test.sh SCENARIO AMBIENT_BENCH KUBE_SIM AMBIENTD MESH_BENCH OUT KEY...
#   KEY: a path into the result's "values" (e.g. rate_20.p99_ms) that must be a finite number.
set -uo pipefail
scenario=$1 bench=$2 sim=$3 ambientd=$4 mesh=$5 out=$6
shift 6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bench" "$scenario" --smoke --kube-sim "$sim" --ambientd "$ambientd" --mesh-bench "$mesh" \
  --out "$out" --work "$work" || { echo "FAIL ambient_bench $scenario exited $?"; exit 1; }
/usr/bin/python3 - "$out/$scenario-smoke.json" "$@" <<'PY'
import json, math, sys
doc = json.load(open(sys.argv[1]))
bad = 0
for key in sys.argv[2:]:
    v = doc["values"]
    for part in key.split("."):
        v = v.get(part) if isinstance(v, dict) else None
    ok = isinstance(v, (int, float)) and math.isfinite(v)
    print(("ok   " if ok else "FAIL ") + f"{key} = {v}")
    bad += not ok
targets = doc["targets"]
ok = all(isinstance(t["value"], (int, float)) for t in targets)
print(("ok   " if ok else "FAIL ") + f"every target has a measured value ({len(targets)} targets)")
sys.exit(1 if bad or not ok else 0)
PY
