#!/usr/bin/env bash
# The functional core (mesh/, kube/, xds/, telemetry/, proto/, sim/) must not include CAF, and
# ambientd's own core (all of them but sim/) parses JSON with simdjson, not nlohmann-json (kube-sim's
# library): fails naming the line. Fails too when it cannot search (not a git checkout, a folder gone): a search
# that could not run found nothing and proved nothing.
set -uo pipefail
cd "$1" || exit 1
dirs=(mesh kube xds telemetry proto sim)
for d in "${dirs[@]}"; do
  if ! listing=$(git ls-files -- "$d") || [ -z "$listing" ]; then
    echo "cannot list the files of $d/ (git ls-files failed or found none)"
    exit 1
  fi
done
hits=$(git grep -n -E '^\s*#\s*include\s*[<"]caf/' -- "${dirs[@]}")
rc=$?
if [ $rc -eq 0 ]; then
  echo "CAF included from a pure library:"
  echo "$hits"
  exit 1
fi
if [ $rc -ne 1 ]; then
  echo "git grep failed (exit $rc): the pure libraries were not searched"
  exit 1
fi
hits=$(git grep -n -E '^\s*#\s*include\s*[<"](nlohmann/|sim/json)' -- mesh kube xds telemetry proto)
rc=$?
if [ $rc -eq 0 ]; then
  echo "nlohmann-json (kube-sim's JSON) included from ambientd's core:"
  echo "$hits"
  exit 1
fi
if [ $rc -ne 1 ]; then
  echo "git grep failed (exit $rc): the core was not searched for nlohmann-json"
  exit 1
fi
echo "pure libraries are free of CAF; ambientd's core is free of nlohmann-json"
