#!/usr/bin/env bash
# Sets up a Debian 12 machine (idempotent; with what only the tests need: rsyslog, clang, the
# OpenSearch jars, the OpenTelemetry HEC receiver), builds Tripline, fuzzes every parser of
# untrusted input for a bounded time (scripts/fuzz.sh, $FUZZ_SECONDS each), then runs every test:
# unit tests, then the integration and end-to-end tests against a real Kafka broker and the real
# receivers, which ctest starts and stops itself. The output ends with ctest's summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" --tests
"$root/scripts/build.sh"
FUZZ_SECONDS=${FUZZ_SECONDS:-15} "$root/scripts/fuzz.sh"
cd "${TRIPLINE_BUILD_DIR:-$root/build}"
ctest --output-on-failure --timeout 600 -j 2
