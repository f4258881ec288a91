#!/usr/bin/env bash
# Installs everything Tripline needs to build, test and demo on Debian 12, idempotently.
# Safe to run again: apt installs only what is missing; the Kafka jars are fetched once into a cache
# outside the build tree (see scripts/kafka.sh fetch).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  librdkafka-dev
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libre2-dev libssl-dev
  libboost-dev libboost-system-dev
  libspdlog-dev libfmt-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libevtx-dev libbfio-dev librocksdb-dev
  jq python3
)
# The Kafka broker (tests, demo, benchmarks) runs on Java from Maven Central jars.
if [ "${TRIPLINE_SKIP_KAFKA:-0}" != 1 ]; then
  packages+=(kcat openjdk-17-jdk-headless maven)
fi
# `setup.sh --tests` (scripts/test.sh): what only the tests need as well. The syslog sink's
# integration tests run Debian's rsyslog (their own rsyslogd, never the system service) with its
# OpenSSL TLS driver, openssl makes their certificates; clang builds the libFuzzer targets.
tests=0
[ "${1:-}" = --tests ] && tests=1
if ((tests)); then
  packages+=(rsyslog rsyslog-openssl openssl clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

# The broker jars are only for tests and the demo (TRIPLINE_SKIP_KAFKA=1 skips them, e.g. in Docker).
if [ "${TRIPLINE_SKIP_KAFKA:-0}" != 1 ]; then
  "$here/kafka.sh" fetch
  # SCRAM test broker while librdkafka < 2.6.1 (tests/integration/transport_security_test.cc).
  if ((tests)); then TRIPLINE_KAFKA_VERSION=3.9.1 "$here/kafka.sh" fetch; fi
fi
# The tests' receivers: the OpenSearch node of the _bulk sink's tests (Maven Central jars) and the
# Splunk HEC receiver of the HEC sink's tests (the OpenTelemetry Collector, built once from Go
# modules into the cache).
if ((tests)); then
  "$here/opensearch.sh" fetch
  "$here/otelcol.sh" fetch
fi
