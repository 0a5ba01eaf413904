#!/usr/bin/env bash
# Interop: `ambientd --demo --demo-duration 30`, what scripts/demo.sh runs, on loopback ports the
# kernel picks. It must exit 0, and its live table must show every demo cluster synced, the one
# with the malformed secret only after its fix, and the outage cluster stale while down.
# Usage: demo_test.sh AMBIENTD_BINARY
set -uo pipefail
ambientd=$1
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"; exit 1; }

"$ambientd" --demo --demo-duration 30 --xds-address 127.0.0.1:0 --xds-tls-address 127.0.0.1:0 \
  --monitoring-address 127.0.0.1:0 --debug-address 127.0.0.1:0 >"$out" 2>"$err"
rc=$?
[ "$rc" -eq 0 ] || fail "exit status $rc"
grep -q "every cluster reached synced and is synced now" "$err" || fail "no success line"
# ztunnel's way in: the TLS port with the built-in CA, and its root on disk while the demo ran.
grep -Eq "demo: ztunnel .* XDS_ADDRESS=https://127.0.0.1:[1-9][0-9]* .*XDS_ROOT_CA=/[^ ]+/ca.pem" "$err" \
  || fail "no ztunnel line"
grep -q "Istio CA: self-signed root" "$err" || fail "the built-in CA did not start"

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
echo "ok   demo: every cluster synced, the malformed secret after its fix, the outage survived"
