#!/usr/bin/env bash
# Interop: ambientd against a kube-sim fleet, its remote secrets made with the real kubectl the way
# `istioctl create-remote-secret | kubectl apply` makes them. Checks, from ambientd's log, that
# the config cluster and a remote cluster sync, that a malformed kubeconfig is reported as failed
# and a fixed secret then syncs without a restart (istio/istio#58047), that a deleted secret
# withdraws its cluster, and that SIGTERM still stops ambientd cleanly.
# Usage: ambientd_fleet_test.sh KUBE_SIM_BINARY AMBIENTD_BINARY
set -uo pipefail
sim=$1
ambientd=$2
command -v kubectl >/dev/null || { echo "kubectl is not installed"; exit 1; }
work=$(mktemp -d)
sim_pid=
amb_pid=
cleanup() {
  [ -n "$amb_pid" ] && kill "$amb_pid" 2>/dev/null
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- ambientd log"; cat "$work/ambientd.log"; exit 1; }

source "$(dirname "$0")/../support/kube_sim.sh"
start_kube_sim "$sim" "$work" --clusters 3 --duration 170s --seed-pods 20

"$ambientd" --cluster-id cluster-1 --kubeconfig "$work/fleet/cluster-1.kubeconfig" \
  --remote-sync-timeout 5s --xds-address 127.0.0.1:0 --monitoring-address 127.0.0.1:0 \
  --debug-address 127.0.0.1:0 --log-format json >"$work/ambientd.log" 2>&1 &
amb_pid=$!

# wait_log PATTERN: ambientd's log gets a line matching the extended regex within 30 s.
wait_log() {
  for _ in $(seq 1 300); do
    grep -Eq -- "$1" "$work/ambientd.log" && return 0
    kill -0 "$amb_pid" 2>/dev/null || fail "ambientd exited while waiting for /$1/"
    sleep 0.1
  done
  fail "no log line matching /$1/"
}

# remote_secret NAME CLUSTER FILE: a remote secret holding FILE as CLUSTER's kubeconfig.
remote_secret() {
  k create secret generic "$1" -n istio-system --from-file="$2=$3" --dry-run=client -o yaml \
    | k label --local -f - istio/multiCluster=true -o yaml \
    | k apply --validate=false -f - >/dev/null || fail "kubectl could not apply secret $1"
}

wait_log '"msg":"started: cluster_id=cluster-1 .*config_cluster=.*cluster-1.kubeconfig'
wait_log '"msg":"serving ADS on 127.0.0.1:0 \(port [0-9]+\)'
wait_log '"msg":"cluster cluster-1: synced'
echo "ok   the config cluster syncs and delta ADS is served"

remote_secret istio-remote-secret-cluster-2 cluster-2 "$work/fleet/cluster-2.kubeconfig"
wait_log '"msg":"cluster cluster-2: synced'
echo "ok   a remote cluster from a kubectl-made secret syncs"
wait_log '"msg":"merged view: clusters \[cluster-1,cluster-2\], [0-9]+ resources'
echo "ok   both clusters are in the merged view"

printf 'apiVersion: v1\nclusters: [unclosed\n' >"$work/broken.kubeconfig"
remote_secret istio-remote-secret-cluster-3 cluster-3 "$work/broken.kubeconfig"
wait_log '"msg":"cluster cluster-3: failed: .*cluster-3'
echo "ok   a malformed kubeconfig is reported as failed, naming the cluster"
remote_secret istio-remote-secret-cluster-3 cluster-3 "$work/fleet/cluster-3.kubeconfig"
wait_log '"msg":"cluster cluster-3: synced'
echo "ok   fixing the secret syncs the cluster without a restart (58047)"

k delete secret istio-remote-secret-cluster-2 -n istio-system >/dev/null || fail "kubectl delete"
wait_log '"msg":"cluster cluster-2 stopped'
wait_log '"msg":"merged view: clusters \[cluster-1,cluster-3\]'
echo "ok   a deleted secret withdraws its cluster from the merged view"

kill -TERM "$amb_pid"
wait "$amb_pid"
rc=$?
amb_pid=
[ $rc -eq 0 ] || fail "ambientd exited with $rc after SIGTERM"
grep -q 'received SIGTERM, shutting down' "$work/ambientd.log" || fail "no shutdown line"
echo "ok   SIGTERM stops ambientd with its clusters running"
