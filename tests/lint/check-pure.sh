#!/usr/bin/env bash
# The functional core (mesh/, kube/, xds/, telemetry/, proto/, sim/) must not include CAF: fails naming the line.
set -euo pipefail
cd "$1"
hits=$(git grep -n -E '^\s*#\s*include\s*[<"]caf/' -- mesh kube xds telemetry proto sim 2>/dev/null || true)
if [ -n "$hits" ]; then
  echo "CAF included from a pure library:"
  echo "$hits"
  exit 1
fi
echo "pure libraries are free of CAF"
