#!/usr/bin/env bash
# Interop: `ambientd --demo --demo-duration 30`, what scripts/demo.sh runs, on loopback ports the
# kernel picks. It must exit 0, and its live table must show every demo cluster synced, the one
# with the malformed secret only after its fix, and the outage cluster stale while down; while it
# runs, the config cluster's bookinfo workloads carry their waypoint.
# Usage: demo_test.sh AMBIENTD_BINARY
set -uo pipefail
ambientd=$1
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"; exit 1; }

"$ambientd" --demo --demo-duration 30 --xds-address 127.0.0.1:0 --xds-tls-address 127.0.0.1:0 \
  --monitoring-address 127.0.0.1:0 --debug-address 127.0.0.1:0 >"$out" 2>"$err" &
pid=$!
# While it runs: the config cluster's bookinfo is bound to its waypoint (docs/waypoints.md).
get() {
  /usr/bin/python3 -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1" 2>/dev/null
}
waypoint=missing
for _ in $(seq 1 100); do
  port=$(grep -o 'serving /debug and the dashboard on [^ ]* (port [0-9]*' "$err" | grep -o '[0-9]*$')
  if [ -n "$port" ] \
    && get "http://127.0.0.1:$port/debug/waypoints" \
      | grep -q '"cluster":"cluster-1","namespace":"bookinfo","name":"waypoint"' \
    && get "http://127.0.0.1:$port/debug/workloads" \
      | grep -q '"waypoint":{"namespace":"bookinfo","hostname":"waypoint.bookinfo.svc.cluster.local"'; then
    waypoint=bound
    break
  fi
  sleep 0.2
done
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "exit status $rc"
grep -q "every cluster reached synced and is synced now" "$err" || fail "no success line"
# ztunnel's way in: the TLS port with the built-in CA, and its root on disk while the demo ran.
grep -Eq "demo: ztunnel .* XDS_ADDRESS=https://127.0.0.1:[1-9][0-9]* .*XDS_ROOT_CA=/[^ ]+/ca.pem" "$err" \
  || fail "no ztunnel line"
grep -q "Istio CA: self-signed root" "$err" || fail "the built-in CA did not start"
[ "$waypoint" = bound ] || fail "bookinfo's workloads never showed their waypoint in /debug"

# The last table: every cluster synced (state column), nothing else.
last=$(awk '/clusters:$/ {block=""; next} /^(NAME|cluster-)/ {block=block $0 "\n"} END {printf "%s", block}' "$out")
for c in cluster-1 cluster-2 cluster-3 cluster-4; do
  echo "$last" | grep -Eq "^$c +[^ ]+ +synced +synced" || fail "$c is not synced in the last table"
done
# cluster-3 was refused first (closed), then synced after the fix.
grep -Eq "^cluster-3 +istio-system/istio-remote-secret-cluster-3 +closed +failed +.*plain http" "$out" \
  || fail "cluster-3 never showed its malformed secret"
grep -q "cluster-3: remote secret .* fixed" "$out" || fail "the fix step did not run"
# cluster-4 went stale while its API server was down, and its last-known-good state stayed.
grep -Eq "^cluster-4 +[^ ]+ +synced +stale" "$out" || fail "cluster-4 never showed stale"
echo "ok   demo: every cluster synced, the malformed secret after its fix, the outage survived, bookinfo bound to its waypoint"
