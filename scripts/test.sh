#!/usr/bin/env bash
# Sets up a Debian 12 machine (idempotent), builds Tripline and runs every test: unit tests,
# then the integration and end-to-end tests against a real Kafka broker that ctest starts and
# stops itself. The output ends with ctest's summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "${TRIPLINE_BUILD_DIR:-$root/build}"
ctest --output-on-failure --timeout 600 -j 2
