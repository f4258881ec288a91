#!/usr/bin/env bash
# A real Splunk HTTP Event Collector receiver for the tests: the OpenTelemetry Collector's
# splunkhecreceiver (with ackextension, so indexer acknowledgement is real) feeding a
# fileexporter that writes every received event as OTLP JSON lines. No Docker: the collector is
# built once with the OpenTelemetry Collector Builder from Go modules.
#
#   otelcol.sh fetch        build the collector once into the cache (idempotent)
#   otelcol.sh start DIR    write DIR/otelcol.yaml, start on a free loopback port, wait until
#                           /services/collector/health answers. Writes DIR/endpoint
#                           (http://127.0.0.1:PORT), DIR/otelcol.pid; events go to
#                           DIR/events.jsonl (OTLP JSON, one export request a line)
#   otelcol.sh stop DIR     SIGTERM (SIGKILL after 30 s); DIR's files stay for the test to read
#   otelcol.sh kill DIR     kill -9 (fault tests); start again with restart
#   otelcol.sh restart DIR  start again on the same port, appending to the same events file
#
# Cache: $TRIPLINE_CACHE (default ~/.cache/tripline)/otelcol-<version>/ holds the binary, the Go
# module cache and the Go build cache, so a second fetch costs nothing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# v0.162.0 of the receiver is refused by the module proxy this project reaches; v0.161.0 of the
# receiver, the file exporter and the builder (core modules v1.67.0) are served. Three modules the
# receiver imports are not served in a matching version (extension/ackextension, internal/splunk,
# pkg/translator/splunk): otelcol/ holds small stand-ins for them under the same import paths,
# written for these tests. The receiver's own code (HTTP handling, batch parsing, channels, the
# ack endpoint) is the unmodified upstream module.
version=0.161.0
core_version=1.67.0
cache=${TRIPLINE_CACHE:-$HOME/.cache/tripline}/otelcol-$version
shims="$here/otelcol"
# The binary is named after the stand-ins' sources and this script (which holds the build
# configuration), so a change to either rebuilds it (minutes only the first time: the caches stay).
shim_hash=$( (cd "$shims" && find . -type f \( -name '*.go' -o -name go.mod \) | LC_ALL=C sort |
  xargs cat; cat "$here/otelcol.sh") | sha256sum | cut -c1-12)
bin="$cache/bin/otelcol-tripline-$shim_hash"

die() { echo "otelcol.sh: $*" >&2; exit 1; }
# shellcheck source=lib/service.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/service.sh"

go_env() {
  export PATH="/usr/local/go/bin:$PATH"
  export GOMODCACHE="$cache/gomod" GOCACHE="$cache/gocache" GOPATH="$cache/gopath"
  # -modcacherw: the cache can be removed with rm -rf.
  export GOFLAGS="-modcacherw -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0
}

# Only the three components the tests need (and the file and env config providers; env is the
# default scheme of the generated main): a lean build.
write_builder_config() {
  local contrib=github.com/open-telemetry/opentelemetry-collector-contrib
  cat >"$cache/builder.yaml" <<EOF
dist:
  name: otelcol-tripline
  description: Tripline test peer (Splunk HEC receiver with acks, file exporter)
  output_path: $cache/build
  version: $version
receivers:
  - gomod: $contrib/receiver/splunkhecreceiver v$version
extensions:
  - gomod: $contrib/extension/ackextension v$version
exporters:
  - gomod: $contrib/exporter/fileexporter v$version
providers:
  - gomod: go.opentelemetry.io/collector/confmap/provider/fileprovider v$core_version
  - gomod: go.opentelemetry.io/collector/confmap/provider/envprovider v$core_version
replaces:
  - $contrib/extension/ackextension => $shims/ackextension
  - $contrib/internal/splunk => $shims/splunk
  - $contrib/pkg/translator/splunk => $shims/translator
EOF
}

# The builder writes go.mod only when it also resolves modules itself (which fails here, see
# above), so the module file is written here, with the same requirements and replacements.
write_go_mod() {
  local contrib=github.com/open-telemetry/opentelemetry-collector-contrib
  cat >"$cache/build/go.mod" <<EOF
module otelcol-tripline

go 1.25.0

require (
	$contrib/receiver/splunkhecreceiver v$version
	$contrib/extension/ackextension v$version
	$contrib/exporter/fileexporter v$version
	go.opentelemetry.io/collector/confmap/provider/fileprovider v$core_version
	go.opentelemetry.io/collector/confmap/provider/envprovider v$core_version
	go.opentelemetry.io/collector/otelcol v$version
)

replace $contrib/extension/ackextension => $shims/ackextension

replace $contrib/internal/splunk => $shims/splunk

replace $contrib/pkg/translator/splunk => $shims/translator
EOF
}

fetch() {
  if [ -x "$bin" ]; then return 0; fi
  [ -x /usr/local/go/bin/go ] || command -v go >/dev/null || die "Go is not installed"
  go_env
  mkdir -p "$cache/bin"
  local started=$SECONDS
  echo "otelcol.sh: building the OpenTelemetry Collector $version (HEC receiver) into $cache"
  GOBIN="$cache/bin" go install go.opentelemetry.io/collector/cmd/builder@v$version
  write_builder_config
  rm -rf "$cache/build"
  # The builder only generates main.go and go.mod; resolving is `go mod tidy -e` because some
  # modules that only the receiver's own tests import are not served either (the build does not
  # need them); the build is lean: -trimpath, no symbols.
  {
    "$cache/bin/builder" --config "$cache/builder.yaml" --skip-get-modules --skip-compilation &&
      write_go_mod && (cd "$cache/build" && go mod tidy -e -compat=1.25 &&
        go build -trimpath -ldflags="-s -w" -o otelcol-tripline .)
  } >"$cache/build.log" 2>&1 ||
    { tail -n 40 "$cache/build.log" >&2; die "collector build failed (log: $cache/build.log)"; }
  cp "$cache/build/otelcol-tripline" "$bin.tmp"
  mv "$bin.tmp" "$bin"
  # Builds of earlier versions of the stand-ins or of this script.
  find "$cache/bin" -name 'otelcol-tripline-*' ! -name "${bin##*/}" -delete
  echo "otelcol.sh: built $bin in $((SECONDS - started)) s"
}


# The file exporter writes through (with `rotation` set it does not buffer, and on a restart it
# appends to the existing file), so an event the receiver acknowledged is in the file even after a
# kill -9. The ack extension answers /services/collector/ack: the receiver acknowledges a request
# once the exporter wrote it.
write_config() {
  local dir=$1 port=$2
  cat >"$dir/otelcol.yaml" <<EOF
extensions:
  ack:
    max_number_of_partition: 64
    max_number_of_ack_per_partition: 100000
receivers:
  splunk_hec:
    endpoint: 127.0.0.1:$port
    health_path: /services/collector/health
    ack:
      extension: ack
      path: /services/collector/ack
exporters:
  file:
    path: $dir/events.jsonl
    format: json
    rotation:
      max_megabytes: 1024
      max_backups: 1
service:
  extensions: [ack]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [splunk_hec]
      exporters: [file]
EOF
}

wait_ready() {
  local dir=$1 pid port
  pid=$(cat "$dir/otelcol.pid")
  port=$(sed 's/.*://' "$dir/endpoint")
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { tail -n 40 "$dir/otelcol.out" >&2; die "collector exited during start-up"; }
    if curl -fsS -m 2 "http://127.0.0.1:$port/services/collector/health" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  tail -n 40 "$dir/otelcol.out" >&2
  die "collector on port $port not healthy after 30 s"
}

launch() {
  local dir=$1
  nohup "$bin" --config "file:$dir/otelcol.yaml" >>"$dir/otelcol.out" 2>&1 </dev/null &
  echo $! >"$dir/otelcol.pid"
  wait_ready "$dir"
  echo "otelcol.sh: HEC receiver $(cat "$dir/endpoint") ready (pid $(cat "$dir/otelcol.pid"))"
}

running() { pid_running "$1/otelcol.pid"; }

start() {
  local dir=${1:?usage: otelcol.sh start DIR}
  fetch
  command -v curl >/dev/null || die "curl is not installed (run scripts/setup.sh)"
  running "$dir" && die "a collector already runs from $dir (pid $(cat "$dir/otelcol.pid"))"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  rm -f "$dir/events.jsonl" "$dir/otelcol.out"
  local port
  port=$(free_port)
  write_config "$dir" "$port"
  echo "http://127.0.0.1:$port" >"$dir/endpoint"
  launch "$dir"
}

restart() {
  local dir=${1:?usage: otelcol.sh restart DIR}
  [ -f "$dir/otelcol.yaml" ] || die "$dir holds no collector"
  running "$dir" && die "a collector already runs from $dir"
  launch "$(cd "$dir" && pwd)"
}

stop_pid() { stop_pidfile "$1/otelcol.pid" "$2" "otelcol.sh: collector"; }

cmd=${1:-}
shift || true
case "$cmd" in
  fetch) fetch ;;
  start) start "$@" ;;
  restart) restart "$@" ;;
  stop) stop_pid "${1:?usage: otelcol.sh stop DIR}" TERM ;;
  kill) stop_pid "${1:?usage: otelcol.sh kill DIR}" KILL ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] || exit 2 ;;
esac
