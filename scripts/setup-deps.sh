#!/usr/bin/env bash
# Installs every Debian package ambientd's build, tests and demo need. Idempotent and
# non-interactive: packages already installed are left alone, and `apt-get update` runs at most once.
# Fails loudly, naming the package, when one cannot be installed.
set -euo pipefail

# --build-only: just what building ambientd and ambientctl needs (deploy/Dockerfile's build stage).
build_only=false
[ "${1:-}" = "--build-only" ] && build_only=true

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config git
  # the stack
  libcaf-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libsimdjson-dev libspdlog-dev libcurl4-openssl-dev libyaml-cpp-dev libboost-dev libssl-dev
  # kube-sim's JSON documents and patches
  nlohmann-json3-dev
)
if ! $build_only; then
  packages+=(
    clang-format clang-tidy catch2 openssl
    # real tools the interop tests check against: promtool (/metrics) and headless Chromium
    # (the dashboard)
    prometheus chromium
    # the Helm chart tests: Go's text/template with sprig (Helm's engine) renders the charts,
    # Debian's python3-jsonschema checks values.schema.json
    golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev python3-jsonschema
    python3-yaml
    # bench/run's churn plot
    gnuplot-nox
    # the fuzz lane: clang with libFuzzer and the sanitizer runtimes
    clang-14 libclang-rt-14-dev
  )
fi

if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
  command -v sudo >/dev/null || { echo "setup-deps: run as root (or install sudo)" >&2; exit 1; }
else
  sudo=
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# kubectl 1.32 comes with the machine image (its package is not in Debian's archive; Debian's own
# kubernetes-client conflicts with it): the interop tests need it, so say so early.
$build_only || command -v kubectl >/dev/null \
  || { echo "setup-deps: kubectl is missing (the interop tests run the real kubectl 1.32)" >&2; exit 1; }

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  for p in "${missing[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || echo "setup-deps: FAILED to install Debian package '$p'" >&2
  done
  exit 1
fi
for p in "${missing[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || { echo "setup-deps: package '$p' is still missing after apt-get install" >&2; exit 1; }
done
echo "setup-deps: done"
