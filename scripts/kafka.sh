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
#   kafka.sh start-secure DIR            as start, plus a TLS listener (server cert signed by a test
#                                        CA; client certificates required: mTLS) and a SASL_SSL
#                                        listener with SCRAM-SHA-512. Certificates are made with
#                                        openssl in DIR/tls. Writes DIR/bootstrap (PLAINTEXT),
#                                        DIR/bootstrap_ssl, DIR/bootstrap_sasl_ssl, DIR/tls/ca.pem,
#                                        DIR/tls/client.pem + client.key (PKCS#8, encrypted with the
#                                        passphrase in DIR/tls/client.key.password), and the SCRAM
#                                        user in DIR/scram_user, its password in DIR/scram_password.
#                                        TRIPLINE_KAFKA_CLIENT_AUTH=requested|none relaxes mTLS.
#
# Cache: $TRIPLINE_CACHE (default ~/.cache/tripline), outside the build tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# TRIPLINE_KAFKA_VERSION runs another broker release (e.g. 3.9.1: librdkafka < 2.6.1 cannot do
# SCRAM with Kafka 4.x brokers, confluentinc/librdkafka#4895); its jars get their own cache folder.
kafka_version=${TRIPLINE_KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")}
cache=${TRIPLINE_CACHE:-$HOME/.cache/tripline}
lib="$cache/kafka-$kafka_version/lib"
heap=${TRIPLINE_KAFKA_HEAP:-512m}

die() { echo "kafka.sh: $*" >&2; exit 1; }
# shellcheck source=lib/service.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/service.sh"

fetch() {
  if [ -f "$lib/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || die "maven is not installed (run scripts/setup.sh)"
  echo "kafka.sh: fetching Apache Kafka $kafka_version jars from Maven Central into $lib"
  rm -rf "$lib"
  mkdir -p "$lib"
  mvn -B -q -f "$here/kafka/pom.xml" -Dkafka.version="$kafka_version" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib"
  ls "$lib"/kafka_2.13-*.jar >/dev/null 2>&1 || die "kafka_2.13 jar missing after fetch"
  touch "$lib/.complete"
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
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctrl${secure_listeners:-}
advertised.listeners=PLAINTEXT://127.0.0.1:$port${secure_listeners:-}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${secure_protocols:-}
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
${secure_properties:-}
${TRIPLINE_KAFKA_EXTRA:-}
EOF
}

# --- start-secure: test certificates, listeners and a SCRAM user ---------------------------------

# A CA, a server certificate for 127.0.0.1/localhost (hostname verification passes) and a client
# certificate, all EC P-256 (instant to make). Kafka reads PEM key stores directly
# (ssl.keystore.type=PEM), so no keytool and no JKS. The client key is encrypted, so that clients
# exercise ssl.key.password.
make_test_pki() {
  local tls=$1
  mkdir -p "$tls"
  (
    cd "$tls"
    umask 077
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout ca.key -out ca.pem -days 2 -subj "/CN=tripline test CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout server.key -out server.csr -subj "/CN=localhost"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile server.ext -out server.pem
    cat server.key server.pem >server.keystore.pem
    openssl rand -hex 16 >client.key.password
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 \
      -aes-256-cbc -pass file:client.key.password -out client.key
    openssl req -new -key client.key -passin file:client.key.password -out client.csr \
      -subj "/CN=tripline-agent"
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile client.ext -out client.pem
    chmod 644 ca.pem server.pem client.pem
  ) >"$tls/openssl.out" 2>&1 || { cat "$tls/openssl.out" >&2; die "making test certificates failed"; }
}

# Sets what write_properties and the format step add for the secure listeners.
prepare_secure() {
  local dir=$1 port=$2 ctrl=$3 ssl sasl
  ssl=$(free_port)
  while [ "$ssl" = "$port" ] || [ "$ssl" = "$ctrl" ]; do ssl=$(free_port); done
  sasl=$(free_port)
  while [ "$sasl" = "$port" ] || [ "$sasl" = "$ctrl" ] || [ "$sasl" = "$ssl" ]; do sasl=$(free_port); done
  make_test_pki "$dir/tls"
  echo "tripline" >"$dir/scram_user"
  (umask 077 && openssl rand -hex 20 >"$dir/scram_password")
  secure_listeners=",SSL://127.0.0.1:$ssl,SASL_SSL://127.0.0.1:$sasl"
  secure_protocols=",SSL:SSL,SASL_SSL:SASL_SSL"
  secure_properties="ssl.keystore.type=PEM
ssl.keystore.location=$dir/tls/server.keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$dir/tls/ca.pem
listener.name.ssl.ssl.client.auth=${TRIPLINE_KAFKA_CLIENT_AUTH:-required}
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
  # KRaft keeps SCRAM credentials in the metadata log; `format --add-scram` writes the first ones.
  format_extra=(--add-scram "SCRAM-SHA-512=[name=tripline,password=$(cat "$dir/scram_password")]")
  echo "127.0.0.1:$ssl" >"$dir/bootstrap_ssl"
  echo "127.0.0.1:$sasl" >"$dir/bootstrap_sasl_ssl"
}

# Both secure listeners answer a metadata request with the test credentials.
check_secure() {
  local dir=$1 tls=$1/tls
  kcat -b "$(cat "$dir/bootstrap_ssl")" -L -m 10 -X security.protocol=SSL \
    -X ssl.ca.location="$tls/ca.pem" -X ssl.certificate.location="$tls/client.pem" \
    -X ssl.key.location="$tls/client.key" -X ssl.key.password="$(cat "$tls/client.key.password")" \
    >/dev/null 2>"$dir/check_ssl.out" || { cat "$dir/check_ssl.out" >&2; die "SSL listener check failed"; }
  # librdkafka < 2.6.1 sends a SCRAM nonce that Kafka 4.x rejects (confluentinc/librdkafka#4895).
  local rdk
  rdk=$(kcat -V 2>&1 | sed -n 's/.*librdkafka \([0-9.]*\).*/\1/p')
  if [ "${kafka_version%%.*}" -ge 4 ] && [ "$(printf '%s\n' "$rdk" 2.6.1 | sort -V | head -1)" != 2.6.1 ]; then
    echo "kafka.sh: SASL_SSL listener not checked: kcat's librdkafka $rdk cannot do SCRAM with" \
      "Kafka $kafka_version (needs 2.6.1+); TRIPLINE_KAFKA_VERSION=3.9.1 runs a broker it can use" >&2
    return 0
  fi
  kcat -b "$(cat "$dir/bootstrap_sasl_ssl")" -L -m 10 -X security.protocol=SASL_SSL \
    -X ssl.ca.location="$tls/ca.pem" -X sasl.mechanisms=SCRAM-SHA-512 \
    -X sasl.username="$(cat "$dir/scram_user")" -X sasl.password="$(cat "$dir/scram_password")" \
    >/dev/null 2>"$dir/check_sasl.out" || { cat "$dir/check_sasl.out" >&2; die "SASL_SSL listener check failed"; }
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
  if pid_running "$dir/kafka.pid"; then
    die "a broker already runs from $dir (pid $(cat "$dir/kafka.pid"))"
  fi
  rm -rf "$dir"
  mkdir -p "$dir/logs" "$dir/data"
  dir=$(cd "$dir" && pwd)
  [ "$port" = 0 ] && port=$(free_port)
  [ "$ctrl" = 0 ] && ctrl=$(free_port)
  while [ "$ctrl" = "$port" ]; do ctrl=$(free_port); done
  format_extra=()
  if [ "${secure:-0}" = 1 ]; then prepare_secure "$dir" "$port" "$ctrl"; fi
  write_properties "$dir" "$port" "$ctrl"
  echo "127.0.0.1:$port" >"$dir/bootstrap"
  # shellcheck disable=SC2046
  java $(java_opts "$dir") -cp "$lib/*" kafka.tools.StorageTool format \
    -t "4L6g3nShT-eMCtK--X86sw" -c "$dir/server.properties" "${format_extra[@]}" \
    >"$dir/format.out" 2>&1 || { cat "$dir/format.out" >&2; die "formatting $dir failed"; }
  launch "$dir"
  if [ "${secure:-0}" = 1 ]; then check_secure "$dir"; fi
}

restart() {
  local dir=${1:?usage: kafka.sh restart DIR}
  [ -f "$dir/server.properties" ] || die "$dir holds no broker"
  launch "$(cd "$dir" && pwd)"
}

stop_pid() { stop_pidfile "$1/kafka.pid" "$2" "kafka.sh: broker"; }

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
  start-secure) secure=1 start "${1:?usage: kafka.sh start-secure DIR}" ;;
  restart) restart "$@" ;;
  stop) stop "$@" ;;
  kill) stop_pid "${1:?usage: kafka.sh kill DIR}" KILL ;;
  *) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] || exit 2 ;;
esac
