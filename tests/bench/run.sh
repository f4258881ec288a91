#!/usr/bin/env bash
# Tripline's benchmarks with their peers, side by side, in one run, on the same data and the same
# broker. Prints figures; asserts nothing.
#
#   bash tests/bench/run.sh            (BENCH_LINES=1000000 by default)
#
#  1. parse + normalize + serialize, per core (Google Benchmark: build/tests/bench/agent_parse_bench)
#  2. file -> Kafka throughput: tripline-agent vs rsyslog imfile->omkafka vs kcat -P, all with the
#     same compression ($BENCH_CODEC, lz4 by default), each reading
#     the same IIS W3C file into its own topic on one private broker; time from start until the
#     topic holds every line; $BENCH_ROUNDS (3) rounds in turn, the median reported
#  3. tripline-agent at 1,000 lines/s for 30 s: peak RSS and CPU
#  4. (only when BENCH_SECTIONS includes 4) the Sigma engine vs RSigma, one core, same rules and
#     events: tests/bench/rsigma_compare.sh (installs RSigma with cargo on first use)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${TRIPLINE_BUILD_DIR:-$root/build}
lines=${BENCH_LINES:-1000000}
rounds=${BENCH_ROUNDS:-3}
codec=${BENCH_CODEC:-lz4}  # the same compression for every tool (the agent's default)
sections=" ${BENCH_SECTIONS:-1 2 3} "  # e.g. BENCH_SECTIONS=2 for the file -> Kafka comparison only
                                      # BENCH_SECTIONS="1 2 3 4" adds the RSigma comparison

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

# The broker and the IIS file serve sections 2 and 3 only (not started for BENCH_SECTIONS=4).
if [[ $sections == *" 2 "* || $sections == *" 3 "* ]]; then
  echo
  echo "== 2. file -> Kafka, $lines IIS W3C lines"
  TRIPLINE_KAFKA_EXTRA="log.message.timestamp.type=LogAppendTime" \
    "$root/scripts/kafka.sh" start "$work/kafka" >/dev/null
  brokers=$(cat "$work/kafka/bootstrap")
  mkdir -p "$work/logs" "$work/steady"
  data="$work/logs/u_ex210305.log"
  awk -v n="$lines" -f "$root/tests/bench/iis_lines.awk" >"$data"
  bytes=$(stat -c %s "$data")
  echo "   data: $(numfmt --to=iec "$bytes") in $data; broker $brokers (4 partitions per topic)"
fi

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
# measure TOPIC PID START WANT: waits until TOPIC holds WANT records, stops PID and sets SECS
# (from START, in ms, to the broker's append time of the last record: the broker stamps records
# with LogAppendTime, so polling slowly costs no precision), COUNT, RSS_MB and CPU_S.
measure() {
  local topic=$1 pid=$2 start=$3 want=$4 rss=0 n=0 ticks
  local deadline=$(($(date +%s) + 600))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    # Sampled before the count, so that the last reading is taken once the work is done (the
    # tool idles from then on); kcat exits when done, so its last reading stays.
    rss=$(peak_rss "$pid")
    [ "$rss" = 0 ] || RSS_MB=$((rss / 1024))
    # CPU of all the tool's threads.
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo "")
    [ -n "$ticks" ] && CPU_S=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}')
    n=$(topic_count "$topic")
    [ "$n" -ge "$want" ] && break
    sleep 0.5
  done
  local end=0 p ts
  for p in 0 1 2 3; do
    ts=$(kcat -b "$brokers" -C -t "$topic" -p "$p" -o -1 -c 1 -e -f '%T\n' 2>/dev/null | tail -1)
    [ -n "$ts" ] && [ "$ts" -gt "$end" ] && end=$ts
  done
  SECS=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", (b - a) / 1e3}')
  COUNT=$n
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

agent_yaml() {  # agent_yaml TOPIC LOG_DIR KEEP_ORIGINAL
  cat >"$work/agent.yaml" <<YAML
agent: {id: BENCH01, data_dir: $work/agent-data, shutdown_timeout_ms: 1000}
kafka: {brokers: "$brokers", topic: $1, properties: {compression.type: $codec}}
sources:
  - {name: iis, paths: ["$2/u_ex*.log"], format: w3c, keep_original: $3}
metrics: {listen: ""}
log: {level: warn}
YAML
}

# Each run_* TOPIC starts one tool on the data file and measures it into SECS, COUNT, RSS_MB.
run_tripline() {  # run_tripline TOPIC KEEP_ORIGINAL
  rm -rf "$work/agent-data"
  agent_yaml "$1" "$work/logs" "$2"
  local start
  start=$(date +%s%3N)
  "$build/agent/tripline-agent" -c "$work/agent.yaml" >"$work/agent.log" 2>&1 &
  pids+=($!)
  measure "$1" "$!" "$start" "$lines"
}
run_tripline_default() { run_tripline "$1" false; }  # W3C's default: every column parsed, no raw line
run_tripline_original() { run_tripline "$1" true; }
# rsyslog as shipped: its default main queue and a direct action (an action queue of its own
# made it slower and hungrier in our runs: LinkedList 200k gave 159-218k lines/s, 7 CPU s).
run_rsyslog() {
  rm -rf "$work/rsyslog"
  mkdir -p "$work/rsyslog"
  cat >"$work/rsyslog.conf" <<CONF
global(workDirectory="$work/rsyslog")
module(load="imfile")
module(load="omkafka")
template(name="raw" type="string" string="%msg%")
ruleset(name="tokafka") {
  action(type="omkafka" broker=["$brokers"] topic="$1" template="raw"
         confParam=["compression.codec=$codec"])
}
input(type="imfile" File="$data" Tag="iis" ruleset="tokafka" freshStartTail="off")
CONF
  local start
  start=$(date +%s%3N)
  rsyslogd -n -f "$work/rsyslog.conf" -i "$work/rsyslog.pid" >"$work/rsyslog.log" 2>&1 &
  pids+=($!)
  measure "$1" "$!" "$start" "$((lines + 4))"  # the 4 header lines are messages too
}
run_kcat() {
  local start
  start=$(date +%s%3N)
  kcat -b "$brokers" -P -t "$1" -z "$codec" -l "$data" 2>"$work/kcat.log" &
  pids+=($!)
  measure "$1" "$!" "$start" "$((lines + 4))"
}

if [[ $sections == *" 2 "* ]]; then
  # The broker's JVM compiles its hot paths during the first million records: warm it up so
  # that the first tool measured does not pay for it. Then the tools take turns, $rounds
  # rounds, each into a topic of its own created beforehand; the median round is reported.
  # The agent's producer is idempotent, which takes the broker through code of its own (producer
  # ids, sequence checks): one warm-up pass takes that path too, so that round 1 is not its JIT.
  create_topic bench.warmup
  for _ in 1 2; do kcat -b "$brokers" -P -t bench.warmup -z "$codec" -l "$data" 2>/dev/null; done
  kcat -b "$brokers" -P -t bench.warmup -z "$codec" -X enable.idempotence=true -l "$data" \
    2>/dev/null
  tools=(tripline_default tripline_original rsyslog kcat)
  declare -A label=(
    [tripline_default]="tripline-agent, default (parsed)"
    [tripline_original]="tripline-agent, keep_original: true"
    [rsyslog]="rsyslog imfile->omkafka (raw)"
    [kcat]="kcat -P (raw, no parsing)")
  declare -A secs_of rss_of count_of cpu_of
  for round in $(seq 1 "$rounds"); do
    for tool in "${tools[@]}"; do
      topic="bench.$tool.$round"
      create_topic "$topic"
      RSS_MB=0
      CPU_S=0
      "run_$tool" "$topic"
      secs_of[$tool]+="$SECS "
      cpu_of[$tool]+="$CPU_S "
      count_of[$tool]=$COUNT
      [ "${rss_of[$tool]:-0}" -ge "$RSS_MB" ] || rss_of[$tool]=$RSS_MB
    done
  done
  printf '   %-36s %9s %8s %11s %8s %9s %8s   %s\n' tool records seconds "records/s" "MB/s" \
    "peak RSS" "CPU s" "(seconds of every round)"
  for tool in "${tools[@]}"; do
    median=$(echo "${secs_of[$tool]}" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    cpu=$(echo "${cpu_of[$tool]}" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    printf '   %-36s %9s %8s %11s %8s %9s %8s   %s\n' "${label[$tool]}" "${count_of[$tool]}" "$median" \
      "$(awk -v n="$lines" -v s="$median" 'BEGIN {printf "%.0f", n / s}')" \
      "$(awk -v b="$bytes" -v s="$median" 'BEGIN {printf "%.1f", b / s / 1048576}')" \
      "${rss_of[$tool]:-0} MB" "$cpu" "(${secs_of[$tool]% })"
  done
fi

if [[ $sections == *" 3 "* ]]; then
  echo
  echo "== 3. tripline-agent at 1,000 lines/s for 30 s"
  rm -rf "$work/agent-data"
  agent_yaml bench.steady "$work/steady" false  # the default for W3C
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

if [[ $sections == *" 4 "* ]]; then
  echo
  echo "== 4. Sigma engine vs RSigma, one core, the same rules and events (rsigma_compare.sh)"
  TRIPLINE_BUILD_DIR=$build bash "$root/tests/bench/rsigma_compare.sh" ||
    echo "   (no comparison: see the message above)"
fi
