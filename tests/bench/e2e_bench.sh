#!/usr/bin/env bash
# End-to-end benchmark: IIS log line written -> tripline-agent -> Kafka -> tripline-correlator ->
# alert on the alerts topic, at fixed offered rates. Prints figures; asserts nothing.
#
#   bash tests/bench/e2e_bench.sh                       (E2E_RATES="10000 50000 100000", 30 s each)
#   E2E_RATES=10000 E2E_SECONDS=15 bash tests/bench/e2e_bench.sh      (a short run)
#
# One broker (LogAppendTime on every topic) for the whole run; for each rate R a fresh events
# topic, alerts topic, consumer group, agent data_dir, correlator state_dir and log folder:
#  1. the correlator starts (rules: config/rules/demo only, suppression_window_ms 0, so each marker
#     raises exactly one alert and nothing else fires) and joins its group; the agent starts
#     tailing an IIS W3C log that holds only its header;
#  2. warm-up: 2,000 lines in 1 s, 4 of them markers with the prefix "w", until their alerts are
#     on the alerts topic (connections made, the broker's and both clients' paths warm);
#  3. tests/bench/e2e_writer.py appends lines at R lines/s for E2E_SECONDS, every 10 ms a slice;
#     every N-th line and the last one are markers: GET /owa/auth/m<unix_ns>k<n>.aspx answered 200,
#     which config/rules/demo/owa_auth_unknown_aspx.yml alerts on; <unix_ns> is the wall clock
#     just before the write(2) that carries the line. N = min(1000, lines / E2E_MARKERS);
#  4. the script waits until the correlator consumed every line (its /metrics
#     tripline_correlator_events_total) and every marker's alert is on the alerts topic, or until
#     nothing moved for E2E_STALL_S seconds / E2E_DRAIN_S seconds passed after the last write;
#  5. latency of a marker = the broker's LogAppendTime of its alert (kcat '%T', ms) - its write
#     time. The sustained end-to-end rate = lines / (first write -> the last line's alert), the
#     last line being a marker: the agent is one Kafka key, so every event is in one partition,
#     in order, and that alert means everything before it was processed.
# CPU seconds of agent, broker and correlator are taken from /proc between the writer's start
# and the end of the wait (so they include the drain of a backlog). A second table splits each
# marker's latency with the times its alert carries (same machine, same clock): write -> the
# agent read the line (the event's observed_time), -> the correlator raised the alert
# (event.created, ms), -> the alert's LogAppendTime on the alerts topic.
#
# Configuration under test: the shipped defaults (config/agent.yaml, config/correlator.yaml),
# except what a benchmark must change: metrics/api on free ports, correlator.commit_interval_ms
# $E2E_COMMIT_MS (200; commits are off the alert path), suppression_window_ms 0, and
# outputs.jsonl on (as shipped) unless E2E_JSONL=0. What sets the latency: agent.poll_interval_ms
# (100: the agent sleeps up to that long when a poll found nothing new; a delivery report ends
# the sleep early), the agent producer's linger.ms (50), the correlator's fetch and
# correlator.batch_size (1000), the per-batch flush of every alert sink (JSON lines fsync, the
# alert producer's linger.ms 5 + acks) and the broker. Extra agent producer properties, e.g.
# E2E_AGENT_PROPS="linger.ms: '5'" (a YAML map body); agent.poll_interval_ms: E2E_AGENT_POLL_MS.
#
# Other knobs: E2E_MARKERS (500), E2E_DRAIN_S (300), E2E_STALL_S (30), TRIPLINE_BUILD_DIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${TRIPLINE_BUILD_DIR:-$root/build}
rates=${E2E_RATES:-10000 50000 100000}
seconds=${E2E_SECONDS:-30}
min_markers=${E2E_MARKERS:-500}    # markers per rate: at least this many and 1 in 1,000 lines
commit_ms=${E2E_COMMIT_MS:-200}
jsonl=${E2E_JSONL:-1}
agent_props=${E2E_AGENT_PROPS:-}
agent_poll_ms=${E2E_AGENT_POLL_MS:-100}  # agent.poll_interval_ms (100 is the shipped default)
drain_s=${E2E_DRAIN_S:-300}        # the longest wait after the last write
stall_s=${E2E_STALL_S:-30}         # give up when nothing moved this long
keep=${TMPDIR:-/tmp}/tripline-e2e-last

"$root/scripts/setup.sh" >/dev/null
"$root/scripts/peers.sh" >/dev/null
"$root/scripts/build.sh" tripline-agent tripline-correlator >/dev/null

work=$(mktemp -d /tmp/tripline-e2e.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$keep" && mkdir -p "$keep"
  (cd "$work" && find . -maxdepth 2 \( -name '*.log' -o -name '*.yaml' -o -name '*.json' \
    -o -name '*.tsv' -o -name '*.txt' \) ! -path './iis*' -exec cp --parents {} "$keep"/ \;) \
    2>/dev/null || true
  "$root/scripts/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== end-to-end: IIS log -> tripline-agent -> Kafka -> tripline-correlator -> alerts topic"
TRIPLINE_KAFKA_EXTRA="log.message.timestamp.type=LogAppendTime" \
  "$root/scripts/kafka.sh" start "$work/kafka" >/dev/null
brokers=$(cat "$work/kafka/bootstrap")
broker_pid=$(cat "$work/kafka/kafka.pid")
hz=$(getconf CLK_TCK)
echo "   broker $brokers; rates: $rates lines/s, $seconds s each; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# Records on a topic: the sum of its partitions' end offsets.
topic_count() {
  local args=() p
  for p in 0 1 2 3; do args+=(-t "$1:$p:-1"); done
  { kcat -b "$brokers" -Q "${args[@]}" 2>/dev/null || true; } | awk '{s += $NF} END {print s + 0}'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# metric URL NAME: the value of an unlabelled Prometheus sample (0 when unreachable).
metric() {
  { curl -fsS -m 2 "$1" 2>/dev/null || true; } | awk -v n="$2" '$1 == n {v = $2} END {print v + 0}'
}
# wait_for SECONDS CMD...: runs CMD every 0.2 s until it succeeds; fails after SECONDS.
wait_for() {
  local deadline=$(($(date +%s) + $1))
  shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
has_partitions() { [ "$(metric "$metrics_url" tripline_correlator_assigned_partitions)" -ge 1 ]; }
has_alerts() { [ "$(topic_count "$alerts_topic")" -ge "$1" ]; }
has_events() { [ "$(metric "$metrics_url" tripline_correlator_events_total)" -ge "$1" ]; }
cpu() { awk -v t="$(($2 - $1))" -v hz="$hz" 'BEGIN {printf "%.1f", t / hz}'; }  # cpu TICKS0 TICKS1
fail_rate() {  # fail_rate MESSAGE: shows the logs and gives up on the whole run
  echo "   $1" >&2
  echo "--- correlator ---" >&2; tail -n 20 "$dir/correlator.log" >&2
  echo "--- agent ---" >&2; tail -n 20 "$dir/agent.log" >&2
  exit 1
}
stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

start_pipeline() {  # start_pipeline RUN RATE: correlator, then agent, with this run's fresh names
  local run=$1 rate=$2 jsonl_path=""
  events_topic=e2e.$run.$rate.events
  alerts_topic=e2e.$run.$rate.alerts
  [ "$jsonl" = 1 ] && jsonl_path=$dir/alerts.jsonl
  cat >"$dir/correlator.yaml" <<YAML
kafka:
  brokers: "$brokers"
  group_id: tripline-e2e-$run-$rate
  events_topic: $events_topic
  alerts_topic: $alerts_topic
rules:
  paths: [$root/config/rules/demo]
  field_map: $root/config/field_map.yaml
outputs:
  jsonl: "$jsonl_path"
api:
  listen: 127.0.0.1:0
metrics:
  listen: 127.0.0.1:0
correlator:
  commit_interval_ms: $commit_ms
  suppression_window_ms: 0
  state_dir: $dir/correlator-state
YAML
  cat >"$dir/agent.yaml" <<YAML
agent:
  id: E2E01
  host_name: exch-e2e.corp.example
  exchange_build: 15.1.2176.2
  data_dir: $dir/agent-data
  poll_interval_ms: $agent_poll_ms
kafka:
  brokers: "$brokers"
  topic: $events_topic
  properties: {${agent_props}}
sources:
  - {name: iis, type: file, paths: ["$dir/iis/W3SVC1/u_ex*.log"], format: w3c}
metrics: {listen: ""}
log: {level: info}
YAML
  "$build/correlator/tripline-correlator" -c "$dir/correlator.yaml" >"$dir/correlator.log" 2>&1 &
  corr_pid=$!
  pids+=("$corr_pid")
  wait_for 30 grep -q "metrics on http" "$dir/correlator.log" || fail_rate "correlator did not start"
  metrics_url=$(sed -n 's|.*metrics on \(http://[^ ]*/metrics\).*|\1|p' "$dir/correlator.log" | head -1)
  wait_for 60 has_partitions || fail_rate "correlator got no partition of $events_topic"
  mkdir -p "$dir/iis/W3SVC1"
  log_file=$dir/iis/W3SVC1/u_ex$(date -u +%y%m%d).log
  cat >"$log_file" <<'W3C'
#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2021-03-05 00:00:00
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
W3C
  "$build/agent/tripline-agent" -c "$dir/agent.yaml" >"$dir/agent.log" 2>&1 &
  agent_pid=$!
  pids+=("$agent_pid")
}

results=$work/results.tsv
stages=$work/stages.tsv
: >"$results"
: >"$stages"
run=0
for rate in $rates; do
  run=$((run + 1))
  dir=$work/r$run-$rate
  rm -rf "$dir" && mkdir -p "$dir"
  lines=$(awk -v r="$rate" -v s="$seconds" 'BEGIN {printf "%d", r * s}')
  every=$(awk -v n="$lines" -v m="$min_markers" 'BEGIN {e = int(n / m); if (e > 1000) e = 1000; if (e < 1) e = 1; print e}')
  echo
  echo "== $rate lines/s for $seconds s: $lines lines, 1 in $every a marker"
  start_pipeline "$run" "$rate"

  # Warm-up, then the measured run.
  python3 "$root/tests/bench/e2e_writer.py" write "$log_file" --rate 2000 --seconds 1 \
    --marker-every 500 --prefix w --out "$dir/warmup.json"
  warm_lines=$(jq .lines "$dir/warmup.json")
  warm_markers=$(jq .markers "$dir/warmup.json")
  wait_for 60 has_alerts "$warm_markers" || fail_rate "no warm-up alert within 60 s"
  wait_for 10 has_events "$warm_lines" || true
  events0=$(metric "$metrics_url" tripline_correlator_events_total)
  a0=$(cpu_ticks "$agent_pid")
  c0=$(cpu_ticks "$corr_pid")
  b0=$(cpu_ticks "$broker_pid")
  python3 "$root/tests/bench/e2e_writer.py" write "$log_file" --rate "$rate" --seconds "$seconds" \
    --marker-every "$every" --prefix m --out "$dir/writer.json"
  markers=$(jq .markers "$dir/writer.json")
  echo "   written: $(jq -r '"\(.lines) lines (\(.bytes / 1048576 | floor) MB), \(.markers) markers, \(.write_rate | floor) lines/s, writer \(.cpu_s) CPU s, at most \(.max_behind_s) s behind schedule"' "$dir/writer.json")"

  # Drain: until every line is consumed and every marker's alert is out, or nothing moves.
  want_events=$((events0 + lines))
  want_alerts=$((warm_markers + markers))
  drain_end=$(($(date +%s) + drain_s))
  last_change=$(date +%s)
  prev=""
  note=""
  while :; do
    ev=$(metric "$metrics_url" tripline_correlator_events_total)
    al=$(topic_count "$alerts_topic")
    [ "$ev" -ge "$want_events" ] && [ "$al" -ge "$want_alerts" ] && break
    now=$(date +%s)
    [ "$ev $al" != "$prev" ] && { prev="$ev $al"; last_change=$now; }
    if [ $((now - last_change)) -ge "$stall_s" ]; then note="stalled ${stall_s} s"; break; fi
    if [ "$now" -ge "$drain_end" ]; then note="drain cut after ${drain_s} s"; break; fi
    kill -0 "$corr_pid" 2>/dev/null || { note="correlator exited"; break; }
    kill -0 "$agent_pid" 2>/dev/null || { note="agent exited"; break; }
    sleep 0.25
  done
  a1=$(cpu_ticks "$agent_pid")
  c1=$(cpu_ticks "$corr_pid")
  b1=$(cpu_ticks "$broker_pid")
  sleep 1  # the last commit's metrics update (commit_interval_ms)
  consumed=$(($(metric "$metrics_url" tripline_correlator_events_total) - events0))
  on_topic=$(($(topic_count "$events_topic") - warm_lines))
  kcat -b "$brokers" -C -t "$alerts_topic" -o beginning -e -q -f '%T\t%s\n' >"$dir/alerts.tsv" \
    2>/dev/null || true
  python3 "$root/tests/bench/e2e_writer.py" latency "$dir/writer.json" "$dir/alerts.tsv" \
    --out "$dir/latency.json"
  stop_pid "$agent_pid"
  stop_pid "$corr_pid"
  pids=()  # both stopped: cleanup() must not signal their (reusable) ids
  rm -f "$log_file"  # up to ~1 GB per rate

  jq -r --arg rate "$rate" --arg consumed "$consumed" --arg on_topic "$on_topic" \
    --arg ca "$(cpu "$a0" "$a1")" --arg cb "$(cpu "$b0" "$b1")" --arg cc "$(cpu "$c0" "$c1")" \
    --arg note "$note" --slurpfile l "$dir/latency.json" '
    def ms: if . == null then "-" else (. | round | tostring) end;
    $l[0] as $l |
    [$rate, .lines, (.write_rate | round), $on_topic, $consumed, .markers, $l.matched,
     $l.missing, ($l.p50_ms | ms), ($l.p95_ms | ms), ($l.p99_ms | ms), ($l.max_ms | ms),
     $ca, $cb, $cc, .cpu_s,
     (if $l.last_alert_ms == null then "-"
      else (.lines / (($l.last_alert_ms - .first_write_ns / 1e6) / 1000) | round | tostring) end),
     ([(if $l.duplicates > 0 then "\($l.duplicates) duplicate alerts" else empty end),
       (if $l.other_alerts > 0 then "\($l.other_alerts) other alerts" else empty end),
       (if .max_behind_s > 0.5 then "writer \(.max_behind_s) s behind" else empty end),
       (if $note != "" then $note else empty end)] | join("; "))] | @tsv' \
    "$dir/writer.json" >>"$results"
  jq -r --arg rate "$rate" 'def ms: if . == null then "-" else (. | round | tostring) end;
    [$rate] + ([.stages.read, .stages.ship_consume_detect, .stages.deliver]
      | map((.p50_ms | ms), (.p99_ms | ms))) | @tsv' "$dir/latency.json" >>"$stages"
  awk -F'\t' '{printf "   consumed %s of %s lines (%s on the events topic); alerts for %s of %s markers; latency p50 %s ms, p99 %s ms%s\n",
    $5, $2, $4, $7, $6, $9, $11, ($18 == "" ? "" : "; " $18)}' <(tail -n 1 "$results")
done

echo
echo "== results ($(date -u +%Y-%m-%d), $(nproc) cores; latency = write(2) of the line -> LogAppendTime of its alert)"
{
  printf 'offered/s\tlines\twritten/s\ton topic\tconsumed\tmarkers\talerts\tmissing\tp50 ms\tp95 ms\tp99 ms\tmax ms\tagent CPU s\tbroker CPU s\tcorrelator CPU s\twriter CPU s\tsustained/s\tnotes\n'
  cat "$results"
} | column -t -s $'\t' | sed 's/^/   /'
echo
echo "== where the latency goes (ms; from the times each alert carries: the agent's observed_time of"
echo "   the event and the correlator's event.created; one machine, one clock)"
{
  printf 'offered/s\tread p50\tread p99\tdetect p50\tdetect p99\tdeliver p50\tdeliver p99\n'
  cat "$stages"
} | column -t -s $'\t' | sed 's/^/   /'
echo "   (read: line written -> agent read it (observed_time): agent.poll_interval_ms;"
echo "    detect: read -> alert raised (event.created): agent linger.ms, broker, correlator fetch + batch;"
echo "    deliver: raised -> on the alerts topic: the sinks' flush (JSON lines fsync, alert producer))"
echo "   (sustained/s: lines / (first write -> the last line's alert); it cannot exceed the offered"
echo "    rate, so a figure well below it means the pipeline fell behind. CPU: from the writer's"
echo "    start to the end of the drain. Logs, configs and per-rate JSON kept in $keep)"
