#!/usr/bin/env bash
# The tests under sanitizers, in two build trees beside build/ (what scripts/test.sh and CI run):
#   build-tsan/  ThreadSanitizer, only the unit tests of the threaded parts (target threaded_tests)
#   build-asan/  AddressSanitizer + LeakSanitizer + UndefinedBehaviorSanitizer, everything; its
#                ctest runs every unit, integration and end-to-end test, plus each TSan binary
#                (tests tsan.*), so that one ctest summary covers both.
# Usage:
#   scripts/sanitize.sh [ctest args]   builds both trees, then runs ctest in build-asan/ (-j 2);
#                                      e.g. `-L tsan` (the TSan tests only), `-R Spool`
#   scripts/sanitize.sh build          builds both trees only
#   scripts/sanitize.sh test [args]    runs ctest only (trees already built)
#   eval "$(scripts/sanitize.sh env)"  the runtime options, to run a sanitized binary by hand
# A sanitizer report fails its test: UBSan stops at the first finding (-fno-sanitize-recover),
# ASan/TSan/LSan exit non-zero. Suppressions are for third-party code only, each documented:
# tests/sanitizers/{lsan,tsan}.supp. Trees: $TRIPLINE_ASAN_BUILD_DIR, $TRIPLINE_TSAN_BUILD_DIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
asan_dir=${TRIPLINE_ASAN_BUILD_DIR:-$root/build-asan}
tsan_dir=${TRIPLINE_TSAN_BUILD_DIR:-$root/build-tsan}
supp=$root/tests/sanitizers

# Exported before building too: gtest_discover_tests runs each test binary when it is linked.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:check_initialization_order=1:strict_init_order=1"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="suppressions=$supp/tsan.supp:second_deadlock_stack=1:history_size=4"

if [ "${1:-}" = env ]; then
  for v in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do echo "export $v='${!v}'"; done
  exit 0
fi

# configure_and_build DIR SANITIZER [cmake args] -- [targets]: RelWithDebInfo at -O1 -g1, what the
# sanitizers' documentation advises (usable stacks with line numbers, less compile time than -O2 -g).
configure_and_build() {
  local dir=$1 sanitizer=$2 start=$SECONDS
  shift 2
  local args=() targets=()
  while (($#)) && [ "$1" != -- ]; do args+=("$1"); shift; done
  (($#)) && shift
  for t in "$@"; do targets+=(--target "$t"); done
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" -DTRIPLINE_BUILD_BENCH=OFF \
    -DTRIPLINE_SANITIZER="$sanitizer" "${args[@]}" >/dev/null
  cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
  echo "sanitize: $sanitizer tree $dir built in $((SECONDS - start)) s"
}

build() {
  configure_and_build "$tsan_dir" thread -- threaded_tests
  # With TRIPLINE_WINDOWS_AGENT (scripts/windows.sh test-env), the wine tests join the run.
  configure_and_build "$asan_dir" address -DTRIPLINE_TSAN_BUILD_DIR="$tsan_dir" \
    -DTRIPLINE_WINDOWS_AGENT="${TRIPLINE_WINDOWS_AGENT:-}" \
    -DTRIPLINE_WINEPREFIX="${TRIPLINE_WINEPREFIX:-$asan_dir/wineprefix}"
}

run_tests() {
  cd "$asan_dir"
  ctest --output-on-failure --timeout 600 -j 2 "$@"
}

case "${1:-}" in
  build) build ;;
  test) shift; run_tests "$@" ;;
  *) build; run_tests "$@" ;;
esac
