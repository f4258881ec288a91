#!/usr/bin/env bash
# A real, single-node Apache Kafka 4.x broker (KRaft, broker+controller in one JVM) on loopback,
# for the tests, the benchmarks and the demo. No Docker: the jars come from Maven Central.
#
#   kafka.sh fetch                       fetch the broker jars once into the cache (idempotent)
#   kafka.sh start DIR [PORT [CTRL]]     format DIR, start the broker, wait until a produce and a
#                                        consume really work; PORT 0 or absent = pick free ports.
#                                        Writes DIR/bootstrap (host:port) and DIR/kafka.pid.
#   kafka.sh stop DIR                    controlled shutdown (SIGTERM, then SIGKILL after 30 s),
#                                        removes DIR's data
#   kafka.sh kill DIR                    kill -9 (fault tests); DIR stays, start again to recover
#   kafka.sh restart DIR                 start again on the same ports and data (after kill)
#
# Cache: $TRIPLINE_CACHE (default ~/.cache/tripline), outside the build tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")
cache=${TRIPLINE_CACHE:-$HOME/.cache/tripline}
lib="$cache/kafka-$kafka_version/lib"
heap=${TRIPLINE_KAFKA_HEAP:-512m}

die() { echo "kafka.sh: $*" >&2; exit 1; }

fetch() {
  if [ -f "$lib/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || die "maven is not installed (run scripts/setup.sh)"
  echo "kafka.sh: fetching Apache Kafka $kafka_version jars from Maven Central into $lib"
  rm -rf "$lib"
  mkdir -p "$lib"
  mvn -B -q -f "$here/kafka/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib"
  ls "$lib"/kafka_2.13-*.jar >/dev/null 2>&1 || die "kafka_2.13 jar missing after fetch"
  touch "$lib/.complete"
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

java_opts() {
  local dir=$1
  echo "-Dlog4j2.configurationFile=$here/kafka/log4j2.properties -Dkafka.logs.dir=$dir/logs"
}

write_properties() {
  local dir=$1 port=$2 ctrl=$3
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctrl
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctrl
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=${TRIPLINE_KAFKA_PARTITIONS:-4}
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=9223372036854775807
${TRIPLINE_KAFKA_EXTRA:-}
EOF
}

# Ready means: metadata answers, and a record produced to a probe topic is consumed back.
wait_ready() {
  local dir=$1 bootstrap pid probe
  bootstrap=$(cat "$dir/bootstrap")
  pid=$(cat "$dir/kafka.pid")
  probe="tripline.probe.$$"
  for _ in $(seq 1 240); do
    kill -0 "$pid" 2>/dev/null || { tail -n 40 "$dir/server.out" >&2; die "broker exited during start-up"; }
    if kcat -b "$bootstrap" -L -m 2 >/dev/null 2>&1 &&
      echo "ready" | kcat -b "$bootstrap" -P -t "$probe" -m 5 2>/dev/null &&
      kcat -b "$bootstrap" -C -t "$probe" -o beginning -c 1 -e -m 5 -q 2>/dev/null | grep -q ready; then
      return 0
    fi
    sleep 0.5
  done
  tail -n 40 "$dir/server.out" >&2
  die "broker at $bootstrap not ready after 120 s"
}

launch() {
  local dir=$1
  # shellcheck disable=SC2046
  nohup java -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    $(java_opts "$dir") -cp "$lib/*" kafka.Kafka "$dir/server.properties" \
    >>"$dir/server.out" 2>&1 </dev/null &
  echo $! >"$dir/kafka.pid"
  wait_ready "$dir"
  echo "kafka.sh: broker $(cat "$dir/bootstrap") ready (pid $(cat "$dir/kafka.pid"), data $dir)"
}

start() {
  local dir=${1:?usage: kafka.sh start DIR [PORT [CTRL]]} port=${2:-0} ctrl=${3:-0}
  fetch
  command -v kcat >/dev/null || die "kcat is not installed (run scripts/setup.sh)"
  if [ -f "$dir/kafka.pid" ] && kill -0 "$(cat "$dir/kafka.pid")" 2>/dev/null; then
    die "a broker already runs from $dir (pid $(cat "$dir/kafka.pid"))"
  fi
  rm -rf "$dir"
  mkdir -p "$dir/logs" "$dir/data"
  dir=$(cd "$dir" && pwd)
  [ "$port" = 0 ] && port=$(free_port)
  [ "$ctrl" = 0 ] && ctrl=$(free_port)
  while [ "$ctrl" = "$port" ]; do ctrl=$(free_port); done
  write_properties "$dir" "$port" "$ctrl"
  echo "127.0.0.1:$port" >"$dir/bootstrap"
  # shellcheck disable=SC2046
  java $(java_opts "$dir") -cp "$lib/*" kafka.tools.StorageTool format \
    -t "4L6g3nShT-eMCtK--X86sw" -c "$dir/server.properties" >"$dir/format.out" 2>&1 ||
    { cat "$dir/format.out" >&2; die "formatting $dir failed"; }
  launch "$dir"
}

restart() {
  local dir=${1:?usage: kafka.sh restart DIR}
  [ -f "$dir/server.properties" ] || die "$dir holds no broker"
  launch "$(cd "$dir" && pwd)"
}

stop_pid() {
  local dir=$1 sig=$2 pid
  [ -f "$dir/kafka.pid" ] || return 0
  pid=$(cat "$dir/kafka.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "kafka.sh: broker $pid ignored SIG$sig for 30 s, killing" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$dir/kafka.pid"
}

stop() {
  local dir=${1:?usage: kafka.sh stop DIR}
  [ -d "$dir" ] || return 0
  stop_pid "$dir" TERM
  rm -rf "$dir/data" "$dir/logs"
}


cmd=${1:-}
shift || true
case "$cmd" in
  fetch) fetch ;;
  start) start "$@" ;;
  restart) restart "$@" ;;
  stop) stop "$@" ;;
  kill) stop_pid "${1:?usage: kafka.sh kill DIR}" KILL ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] || exit 2 ;;
esac
