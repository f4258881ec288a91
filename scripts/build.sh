#!/usr/bin/env bash
# Configures and builds Tripline into build/ (Release with debug info, Ninja).
#   scripts/build.sh [target ...]      no target: everything (binaries, tests, benchmarks)
# Extra CMake options: TRIPLINE_CMAKE_ARGS="-DTRIPLINE_SANITIZER=address" scripts/build.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TRIPLINE_BUILD_DIR:-$root/build}
# shellcheck disable=SC2086
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${TRIPLINE_CMAKE_ARGS:-} >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$build" -j "$(nproc)" "${targets[@]}"
