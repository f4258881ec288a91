#!/usr/bin/env bash
# Tripline's benchmarks with their peers, side by side, in one run, on the same data and the same
# broker. Prints figures; asserts nothing.
#
#   bash tests/bench/run.sh            (BENCH_LINES=1000000 by default)
#
#  1. parse + normalize + serialize, per core (Google Benchmark: build/tests/bench/agent_parse_bench)
#  2. file -> Kafka throughput: tripline-agent vs rsyslog imfile->omkafka vs kcat -P, each reading
#     the same IIS W3C file into its own topic on one private broker; time from start until the
#     topic holds every line
#  3. tripline-agent at 1,000 lines/s for 30 s: peak RSS and CPU
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${TRIPLINE_BUILD_DIR:-$root/build}
lines=${BENCH_LINES:-1000000}
sections=" ${BENCH_SECTIONS:-1 2 3} "  # e.g. BENCH_SECTIONS=2 for the file -> Kafka comparison only

"$root/scripts/setup.sh" >/dev/null
"$root/scripts/peers.sh" >/dev/null
"$root/scripts/build.sh" tripline-agent agent_parse_bench >/dev/null

work=$(mktemp -d /tmp/tripline-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  "$root/scripts/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if [[ $sections == *" 1 "* ]]; then
  echo "== 1. parse + normalize + serialize (one core)"
  "$build/tests/bench/agent_parse_bench" --benchmark_min_time=2 2>/dev/null | grep -E "^BM_|Benchmark"
fi

echo
echo "== 2. file -> Kafka, $lines IIS W3C lines"
"$root/scripts/kafka.sh" start "$work/kafka" >/dev/null
brokers=$(cat "$work/kafka/bootstrap")
mkdir -p "$work/logs" "$work/steady"
data="$work/logs/u_ex210305.log"
awk -v n="$lines" 'BEGIN {
  print "#Software: Microsoft Internet Information Services 10.0"; print "#Version: 1.0"
  print "#Date: 2021-03-05 00:00:00"
  print "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"
  split("/owa/auth/logon.aspx /EWS/Exchange.asmx /Microsoft-Server-ActiveSync/default.eas /owa/service.svc /mapi/emsmdb/", p, " ")
  for (i = 0; i < n; i++)
    printf "2021-03-05 03:%02d:%02d 10.1.0.5 %s %s &CorrelationID=<empty>;&cafeReqId=cde28fc4-299e-4179-b3e9-%012d;&encoding=; 443 CORP\\user%d 10.20.%d.%d Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.182+Safari/537.36 - %d 0 0 %d\n",
      int(i/60)%60, i%60, (i%7==0?"POST":"GET"), p[i%5+1], i, i%500, i%200, i%250, (i%11==0?302:200), i%900
}' >"$data"
bytes=$(stat -c %s "$data")
echo "   data: $(numfmt --to=iec "$bytes") in $data; broker $brokers (4 partitions per topic)"

# Records on a topic: the sum of its partitions' end offsets.
topic_count() {
  local args=()
  for p in 0 1 2 3; do args+=(-t "$1:$p:-1"); done
  { kcat -b "$brokers" -Q "${args[@]}" 2>/dev/null || true; } | awk '{s += $NF} END {print s + 0}'
}
# Creates a topic (auto-creation through a metadata request) and waits for its 4 partitions, so
# that no tool's figure includes the broker creating its topic.
create_topic() {
  for _ in $(seq 1 100); do
    kcat -b "$brokers" -L -t "$1" 2>/dev/null | grep -q "topic \"$1\" with 4 partitions" && return
    sleep 0.1
  done
  echo "topic $1 was not created" >&2
  exit 1
}
peak_rss() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# run NAME TOPIC PID: waits until TOPIC holds every line, prints one table row, stops PID.
results=()
wait_and_report() {
  local name=$1 topic=$2 pid=$3 start=$4 want=$5 rss=0 n=0
  while true; do
    n=$(topic_count "$topic")
    [ "$n" -ge "$want" ] && break
    [ -n "$pid" ] && { rss=$(peak_rss "$pid"); kill -0 "$pid" 2>/dev/null || break; }
    [ $(($(date +%s%N) - start)) -gt 600000000000 ] && break
    sleep 0.2
  done
  local end secs
  end=$(date +%s%N)
  [ -n "$pid" ] && rss=$(peak_rss "$pid")
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
  results+=("$(printf '%-32s %10s %8s %12s %9s %10s' "$name" "$n" "$secs" \
    "$(awk -v n="$n" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')" \
    "$(awk -v b="$bytes" -v s="$secs" -v n="$n" -v w="$want" 'BEGIN {printf "%.1f", b * n / w / s / 1048576}')" \
    "$((rss / 1024)) MB")")
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
}

# tripline-agent
cat >"$work/agent.yaml" <<YAML
agent: {id: BENCH01, data_dir: $work/agent-data, shutdown_timeout_ms: 1000}
kafka: {brokers: "$brokers", topic: bench.tripline}
sources:
  - {name: iis, paths: ["$work/logs/u_ex*.log"], format: w3c}
metrics: {listen: ""}
log: {level: warn}
YAML
if [[ $sections == *" 2 "* ]]; then
create_topic bench.tripline
start=$(date +%s%N)
"$build/agent/tripline-agent" -c "$work/agent.yaml" >"$work/agent.log" 2>&1 &
pids+=($!)
wait_and_report "tripline-agent (parse+protobuf)" bench.tripline "$!" "$start" "$lines"

# tripline-agent without event.original on parsed lines (every column is still in the body).
rm -rf "$work/agent-data"
sed -i -e "s/bench.tripline/bench.tripline.lean/" -e "s/format: w3c}/format: w3c, keep_original: false}/" "$work/agent.yaml"
create_topic bench.tripline.lean
start=$(date +%s%N)
"$build/agent/tripline-agent" -c "$work/agent.yaml" >"$work/agent.log" 2>&1 &
pids+=($!)
wait_and_report "tripline-agent, keep_original=false" bench.tripline.lean "$!" "$start" "$lines"
sed -i -e "s/bench.tripline.lean/bench.tripline/" -e "s/, keep_original: false//" "$work/agent.yaml"

# rsyslog imfile -> omkafka (Debian rsyslog-kafka), raw lines, its default batching.
mkdir -p "$work/rsyslog"
cat >"$work/rsyslog.conf" <<CONF
global(workDirectory="$work/rsyslog")
module(load="imfile")
module(load="omkafka")
template(name="raw" type="string" string="%msg%")
ruleset(name="tokafka") {
  action(type="omkafka" broker=["$brokers"] topic="bench.rsyslog" template="raw"
         confParam=["compression.codec=lz4"] queue.type="LinkedList" queue.size="200000")
}
input(type="imfile" File="$data" Tag="iis" ruleset="tokafka" freshStartTail="off")
CONF
create_topic bench.rsyslog
start=$(date +%s%N)
rsyslogd -n -f "$work/rsyslog.conf" -i "$work/rsyslog.pid" >"$work/rsyslog.log" 2>&1 &
pids+=($!)
# rsyslog also ships the 4 header lines as messages.
wait_and_report "rsyslog imfile->omkafka (raw)" bench.rsyslog "$!" "$start" "$((lines + 4))"

# kcat -P: a bare producer of the raw lines, no parsing, no durability: the ceiling.
create_topic bench.kcat
start=$(date +%s%N)
kcat -b "$brokers" -P -t bench.kcat -z lz4 -l "$data" 2>"$work/kcat.log" &
pids+=($!)
wait_and_report "kcat -P (raw, no parsing)" bench.kcat "$!" "$start" "$((lines + 4))"

printf '   %-32s %10s %8s %12s %9s %10s\n' tool records seconds "records/s" "MB/s" "peak RSS"
for r in "${results[@]}"; do echo "   $r"; done
fi

if [[ $sections == *" 3 "* ]]; then
echo
echo "== 3. tripline-agent at 1,000 lines/s for 30 s"
rm -rf "$work/agent-data"
sed -i -e "s/bench.tripline/bench.steady/" -e "s#$work/logs/u_ex#$work/steady/u_ex#" "$work/agent.yaml"
"$build/agent/tripline-agent" -c "$work/agent.yaml" >"$work/agent2.log" 2>&1 &
apid=$!
pids+=($apid)
sleep 1
ticks0=$(awk '{print $14 + $15}' "/proc/$apid/stat")
t0=$(date +%s%N)
head -n 4 "$data" >"$work/steady/u_ex210306.log"
for s in $(seq 1 30); do
  sed -n "$((5 + (s - 1) * 1000)),$((4 + s * 1000))p" "$data" >>"$work/steady/u_ex210306.log"
  sleep 1
done
ticks1=$(awk '{print $14 + $15}' "/proc/$apid/stat")
t1=$(date +%s%N)
hz=$(getconf CLK_TCK)
echo "   peak RSS $(($(peak_rss $apid) / 1024)) MB, CPU $(awk -v t="$((ticks1 - ticks0))" -v hz="$hz" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", 100 * t / hz / ((b - a) / 1e9)}') % of one core," \
  "$(topic_count bench.steady) of 30000 lines on the topic"
fi
