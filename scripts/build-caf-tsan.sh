#!/usr/bin/env bash
# Build a ThreadSanitizer-instrumented CAF 0.17.6 (libcaf_core, plus libcaf_io
# when it builds) from Debian's source package and install it into a prefix.
#
#   CAF_TSAN_PREFIX  install prefix        (default /opt/caf-tsan-0.17.6)
#   CAF_TSAN_WITH_IO try to build caf_io   (default no: the pristine 0.17.6
#                    libcaf_io fails with g++ 12 -- receive_buffer.hpp lacks
#                    #include <limits>; with "yes" it falls back to core only)
#   CAF_TSAN_JOBS    parallel build jobs   (default 2)
set -euo pipefail

CAF_VERSION=0.17.6
PREFIX="${CAF_TSAN_PREFIX:-/opt/caf-tsan-${CAF_VERSION}}"
WITH_IO="${CAF_TSAN_WITH_IO:-no}"
JOBS="${CAF_TSAN_JOBS:-2}"
STAMP="${PREFIX}/.caf-tsan-${CAF_VERSION}.stamp"
SRC_LIST=/etc/apt/sources.list.d/ambientd-src.sources
ORIG_TARBALL="actor-framework_${CAF_VERSION}.orig.tar.gz"

log() { echo "build-caf-tsan: $*"; }
die() { echo "build-caf-tsan: ERROR: $*" >&2; exit 1; }

if [[ -f "${PREFIX}/lib/libcaf_core.so" && -f "${STAMP}" ]]; then
  log "already built: ${PREFIX} (stamp ${STAMP}); nothing to do"
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "must run as root (needs apt-get and writes ${PREFIX})"

start_ts=$(date +%s)
log "building TSan CAF ${CAF_VERSION} into ${PREFIX}"

# --- 1. deb-src source list -------------------------------------------------
if [[ ! -f "${SRC_LIST}" ]]; then
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    log "adding deb-src entries from /etc/apt/sources.list.d/debian.sources -> ${SRC_LIST}"
    sed -E 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "${SRC_LIST}"
  elif [[ -f /etc/apt/sources.list ]]; then
    SRC_LIST=/etc/apt/sources.list.d/ambientd-src.list
    log "adding deb-src entries from /etc/apt/sources.list -> ${SRC_LIST}"
    grep -E '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list \
      | sed -E 's/^[[:space:]]*deb[[:space:]]/deb-src /' > "${SRC_LIST}"
    [[ -s "${SRC_LIST}" ]] || die "no 'deb' lines found in /etc/apt/sources.list"
  else
    die "no Debian apt source list found (neither debian.sources nor sources.list)"
  fi
else
  log "deb-src list ${SRC_LIST} already present"
fi

export DEBIAN_FRONTEND=noninteractive
log "apt-get update"
apt-get update -qq
log "installing build tools (cmake g++ make dpkg-dev)"
apt-get install -y -qq --no-install-recommends cmake g++ make dpkg-dev ca-certificates >/dev/null

# --- 2. fetch source ----------------------------------------------------------
WORK=$(mktemp -d /tmp/caf-tsan-build.XXXXXX)
cleanup() { rm -rf "${WORK}"; }
trap cleanup EXIT
chown _apt "${WORK}" 2>/dev/null || true   # lets apt download sandboxed as _apt
cd "${WORK}"

log "downloading Debian source package actor-framework into ${WORK}"
# The Debian patch tarball may 404, making apt-get exit non-zero; only the
# upstream orig tarball matters, so check for it instead of the exit code.
apt-get source --download-only actor-framework || \
  log "apt-get source exited non-zero (ignored; checking for orig tarball)"
[[ -f "${ORIG_TARBALL}" ]] || \
  die "${ORIG_TARBALL} was not downloaded (is actor-framework ${CAF_VERSION} in the deb-src repos?); files: $(ls -1 | tr '\n' ' ')"

log "extracting ${ORIG_TARBALL}"
tar xzf "${ORIG_TARBALL}"
SRC_DIR=$(find . -mindepth 1 -maxdepth 1 -type d -name 'actor-framework*' | head -n1)
[[ -n "${SRC_DIR}" && -f "${SRC_DIR}/CMakeLists.txt" ]] || die "extracted source dir with CMakeLists.txt not found"
SRC_DIR=$(cd "${SRC_DIR}" && pwd)

# --- 3. configure / build -----------------------------------------------------
build_caf() {  # $1 = value for CAF_NO_IO (yes|no)
  local no_io=$1 bdir="${WORK}/build-io-$1"
  rm -rf "${bdir}"
  mkdir -p "${bdir}"
  log "configuring (CAF_NO_IO=${no_io})"
  cmake -S "${SRC_DIR}" -B "${bdir}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS=-fsanitize=thread \
    -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread \
    -DCAF_NO_EXAMPLES=yes -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_OPENSSL=yes \
    -DCAF_NO_TOOLS=yes -DCAF_NO_PYTHON=yes -DCAF_NO_OPENCL=yes \
    -DCAF_NO_IO="${no_io}" \
    -DCMAKE_INSTALL_PREFIX="${PREFIX}" -DCMAKE_INSTALL_LIBDIR=lib \
    > "${bdir}.configure.log" 2>&1 || { tail -n 30 "${bdir}.configure.log" >&2; return 1; }
  log "building with -j${JOBS} (CAF_NO_IO=${no_io})"
  cmake --build "${bdir}" -j"${JOBS}" > "${bdir}.build.log" 2>&1 \
    || { tail -n 30 "${bdir}.build.log" >&2; return 1; }
  BUILD_DIR="${bdir}"
}

BUILD_DIR=
IO_BUILT=no
if [[ "${WITH_IO}" == yes ]] && build_caf no; then
  IO_BUILT=yes
else
  [[ "${WITH_IO}" == yes ]] && log "build with libcaf_io failed; retrying with libcaf_core only"
  build_caf yes || die "building libcaf_core failed"
fi

# --- 4. install + stamp -------------------------------------------------------
log "installing into ${PREFIX}"
cmake --install "${BUILD_DIR}" > "${WORK}/install.log" 2>&1 || { tail -n 30 "${WORK}/install.log" >&2; die "install failed"; }
[[ -f "${PREFIX}/lib/libcaf_core.so" ]] || die "${PREFIX}/lib/libcaf_core.so missing after install"
[[ -f "${PREFIX}/include/caf/all.hpp" ]] || die "${PREFIX}/include/caf/all.hpp missing after install"
nm -D "${PREFIX}/lib/libcaf_core.so" | grep -q __tsan || die "libcaf_core.so is not TSan-instrumented"

elapsed=$(( $(date +%s) - start_ts ))
cat > "${STAMP}" <<STAMP_EOF
caf_version=${CAF_VERSION}
sanitizer=thread
io=${IO_BUILT}
prefix=${PREFIX}
libdir=${PREFIX}/lib
includedir=${PREFIX}/include
built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
build_seconds=${elapsed}
STAMP_EOF
log "done in ${elapsed}s: ${PREFIX} (io=${IO_BUILT}); stamp ${STAMP}"
