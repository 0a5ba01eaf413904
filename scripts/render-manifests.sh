#!/usr/bin/env bash
# Re-renders deploy/manifests/ (plain manifests for users without Helm) from deploy/charts with the
# test suite's Helm renderer. ctest fails while a committed manifest differs from the charts.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$work/go-cache" \
  go build -o "$work/helm-render" tests/support/helm_render/main.go
mkdir -p deploy/manifests
/usr/bin/python3 tests/interop/helm_charts_test.py write-manifests --render "$work/helm-render" \
  --charts deploy/charts --manifests deploy/manifests
