#!/usr/bin/env bash
# Starts ambientd, waits for its start-up line, sends SIGTERM and expects a clean exit 0.
set -uo pipefail
bin=$1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$bin" --log-format=json --xds-address 127.0.0.1:0 --monitoring-address 127.0.0.1:0 \
  --debug-address 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  grep -q '"msg":"started' "$log" && break
  sleep 0.1
done
grep -q '"msg":"started' "$log" || { echo "ambientd did not start:"; cat "$log"; kill -9 $pid; exit 1; }
kill -TERM $pid
wait $pid
rc=$?
cat "$log"
[ $rc -eq 0 ] || { echo "ambientd exited with $rc after SIGTERM"; exit 1; }
grep -q 'received SIGTERM, shutting down' "$log" || { echo "no shutdown line"; exit 1; }
