# Sourced by the interop shell tests: kube-sim started in the background, and kubectl against it.

# start_kube_sim SIM_BINARY WORK ARGS...: starts kube-sim with ARGS, its fleet in WORK/fleet and
# its log in WORK/sim.log; sets sim_pid (the caller's cleanup kills it), waits up to 10 s for the
# fleet to be written and points KUBECONFIG at cluster-1.
start_kube_sim() {
  local binary=$1 dir=$2
  shift 2
  "$binary" --dir "$dir/fleet" "$@" >"$dir/sim.log" 2>&1 &
  sim_pid=$!
  for _ in $(seq 1 100); do [ -f "$dir/fleet/fleet.json" ] && break; sleep 0.1; done
  [ -f "$dir/fleet/fleet.json" ] || { echo "kube-sim did not start"; cat "$dir/sim.log"; exit 1; }
  export KUBECONFIG=$dir/fleet/cluster-1.kubeconfig
}

# k ARGS...: kubectl, given 20 s.
k() { timeout 20 kubectl "$@"; }
