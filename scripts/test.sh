#!/usr/bin/env bash
# Sets up a Debian 12 machine (idempotent; with what only the tests need: rsyslog, clang, the
# OpenSearch jars, the OpenTelemetry HEC receiver), builds Tripline under sanitizers
# (scripts/sanitize.sh: everything with ASan+LSan+UBSan in build-asan/, the threaded parts' unit
# tests with TSan in build-tsan/), fuzzes every parser of untrusted input for a bounded time
# (scripts/fuzz.sh, $FUZZ_SECONDS each), then runs every test in build-asan/: unit tests, the TSan
# binaries, then the integration and end-to-end tests against a real Kafka broker and the real
# receivers, which ctest starts and stops itself, and the Windows agent (scripts/windows.sh:
# MinGW-w64 cross-build) under wine64. A sanitizer report fails its test. The output ends with
# ctest's summary. (The demo's plain build is scripts/build.sh, into build/.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" --tests
# The Windows agent: cross-built with MinGW-w64 (dependencies from Debian source packages, cached),
# its tests run under wine64 in the same ctest run (windows_agent_test, wine.windows_unit_test).
"$root/scripts/windows.sh" build
eval "$("$root/scripts/windows.sh" test-env)"
"$root/scripts/sanitize.sh" build
FUZZ_SECONDS=${FUZZ_SECONDS:-15} "$root/scripts/fuzz.sh"
"$root/scripts/sanitize.sh" test
