#!/usr/bin/env bash
# The functional core (base/, ca/, mesh/, kube/, fleet/, xds/, telemetry/, proto/, sim/) must not include CAF,
# ambientd's own core (all of them but sim/) parses JSON with simdjson, not nlohmann-json (kube-sim's
# library), and the layers point one way (see forbid below): fails naming the line. Fails too when it cannot search (not a git checkout, a folder gone): a search
# that could not run found nothing and proved nothing.
set -uo pipefail
cd "$1" || exit 1
dirs=(base ca mesh kube fleet xds telemetry proto sim)
for d in "${dirs[@]}"; do
  if ! listing=$(git ls-files -- "$d") || [ -z "$listing" ]; then
    echo "cannot list the files of $d/ (git ls-files failed or found none)"
    exit 1
  fi
done
# forbid WHAT PATTERN DIRS...: no #include matching PATTERN (an extended regex on the included
# path) in DIRS.
forbid() {
  local what=$1 pattern=$2
  shift 2
  local found
  found=$(git grep -n -E "^\s*#\s*include\s*[<\"]($pattern)" -- "$@")
  local rc=$?
  if [ $rc -eq 0 ]; then
    echo "$what:"
    echo "$found"
    exit 1
  fi
  if [ $rc -ne 1 ]; then
    echo "git grep failed (exit $rc): $what was not checked"
    exit 1
  fi
}
forbid "CAF included from a pure library" 'caf/' "${dirs[@]}"
forbid "nlohmann-json (kube-sim's JSON) included from ambientd's core" 'nlohmann/|sim/json' \
  base ca mesh kube fleet xds telemetry proto
forbid "the CA core (ca/) includes gRPC, protobuf, the Kubernetes client or a layer above it" \
  'grpc|google/|kube/|fleet/|mesh/|xds/|messages/|actors/|admin/|cmd/|sim/|telemetry/' ca
forbid "the Kubernetes client (kube/) includes a layer above it" \
  'fleet/|mesh/|xds/|messages/|actors/|admin/|cmd/' kube
forbid "mesh/ includes more of kube/ and fleet/ than their objects (objects.hpp, security_objects.hpp) and the cluster lifecycle" \
  'kube/([^os]|o[^b]|s[^e]|se[^c]|security_[^o])|fleet/[^l]' mesh
forbid "xds/ knows mesh types outside its adapters to the mesh (publisher_tables, proxyless, and node_authorizer's pod query)" \
  'mesh/' xds ':!xds/publisher_tables.*' ':!xds/proxyless*' ':!xds/node_authorizer.*'
forbid "a message header includes gRPC" 'grpc|xds/ads_server|.*\.grpc\.pb\.h' messages
forbid "an actor includes the admin server's code" 'admin/' actors
echo "pure libraries are free of CAF; ambientd's core is free of nlohmann-json; layers point one way"
