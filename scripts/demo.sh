#!/usr/bin/env bash
# The Tripline demo on one machine, in under two minutes once built: sets up (idempotent), builds,
# starts a real Kafka broker and the correlator with the Hafnium rule pack, and one agent for each
# of three simulated Exchange servers. The scenario generator then writes their IIS, HttpProxy,
# ECP, OAB and Windows event logs in scaled real time: ordinary traffic all along, and a ProxyLogon
# intrusion on EXCH01 (SSRF, web shell dropped and used), LSASS dumped and carried off from EXCH02,
# a mailbox exported and downloaded from EXCH03. Alerts stream in as the correlator raises them
# (one coloured line each, through its gRPC feed); then a summary, and the evidence chain of the
# web-shell sequence. Cleans up on exit; logs and alerts stay in $TMPDIR/tripline-demo-last.
#
#   bash scripts/demo.sh           DEMO_SPEED=90 (scenario seconds per second), DEMO_SEED=demo
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TRIPLINE_BUILD_DIR:-$root/build}
speed=${DEMO_SPEED:-90}
seed=${DEMO_SEED:-demo}

bold=""; red=""; green=""; dim=""; reset=""
if [ -t 1 ]; then bold=$'\e[1m'; red=$'\e[31m'; green=$'\e[32m'; dim=$'\e[2m'; reset=$'\e[0m'; fi
step() { echo "${bold}==> $*${reset}"; }

step "setting up (Debian packages, Kafka jars)"
"$root/scripts/setup.sh"
step "building"
"$root/scripts/build.sh" tripline-agent tripline-correlator tripline

started=$(date +%s)
work=$(mktemp -d /tmp/tripline-demo.XXXXXX)
pids=()
keep=${TMPDIR:-/tmp}/tripline-demo-last
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$keep" && mkdir -p "$keep"
  cp "$work"/*.log "$work"/*.yaml "$work"/alerts.jsonl "$work"/hosts/truth.jsonl "$keep"/ \
    2>/dev/null || true
  "$root/scripts/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step "starting Apache Kafka (KRaft, one node, loopback)"
"$root/scripts/kafka.sh" start "$work/kafka" >/dev/null
brokers=$(cat "$work/kafka/bootstrap")
echo "   broker $brokers"

cat >"$work/correlator.yaml" <<YAML
kafka:
  brokers: $brokers
  group_id: tripline-demo
  events_topic: tripline.events
  alerts_topic: tripline.alerts
rules:
  paths: [$root/config/rules]
  field_map: $root/config/field_map.yaml
outputs:
  jsonl: $work/alerts.jsonl
api:
  listen: 127.0.0.1:0
metrics:
  listen: 127.0.0.1:0
correlator:
  commit_interval_ms: 500
  state_dir: $work/correlator-state
YAML
step "starting tripline-correlator ($(ls "$root"/config/rules/*/*.yml | wc -l) rule files: config/rules)"
"$build/correlator/tripline-correlator" -c "$work/correlator.yaml" >"$work/correlator.log" 2>&1 &
pids+=($!)
api_port=""
for _ in $(seq 1 100); do
  api_port=$(grep -oE "gRPC API on port [0-9]+" "$work/correlator.log" | grep -oE "[0-9]+$" || true)
  [ -n "$api_port" ] && break
  sleep 0.1
done
[ -n "$api_port" ] || { echo "${red}the correlator did not start${reset}"; cat "$work/correlator.log"; exit 1; }

hosts=(EXCH01 EXCH02 EXCH03)
step "starting one tripline-agent per Exchange server: ${hosts[*]}"
for h in "${hosts[@]}"; do
  d="$work/hosts/$h"
  cat >"$work/agent-$h.yaml" <<YAML
agent: {id: $h, host_name: $h, exchange_build: 15.1.2176.2, data_dir: $work/agent-$h,
        poll_interval_ms: 100}
kafka: {brokers: "$brokers", topic: tripline.events}
sources:
  - {name: iis, type: file, paths: ["$d/inetpub/logs/LogFiles/W3SVC*/u_ex*.log"], format: w3c,
     keep_original: true}
  - {name: httpproxy, type: file, paths: ["$d/Exchange/Logging/HttpProxy/*/HttpProxy_*.LOG"],
     format: httpproxy}
  - {name: ecp, type: file, paths: ["$d/Exchange/Logging/ECP/Server/ECPServer*.LOG"], format: ecp}
  - {name: oab, type: file, paths: ["$d/Exchange/Logging/OABGeneratorLog/*.LOG"], format: oab}
  - {name: windows, type: file, paths: ["$d/windows/events.jsonl"], format: winevent_json}
metrics: {listen: ""}
YAML
  "$build/agent/tripline-agent" -c "$work/agent-$h.yaml" >"$work/agent-$h.log" 2>&1 &
  pids+=($!)
done

step "alerts as they fire (tripline alerts tail --server 127.0.0.1:$api_port)"
"$build/correlator/cli/tripline" alerts tail --server "127.0.0.1:$api_port" &
tail_pid=$!
pids+=($tail_pid)

minutes=100
echo "${dim}   $minutes minutes of three Exchange servers, replayed at ${speed}x ($((minutes * 60 / speed)) s):" \
  "OWA, ActiveSync, EWS, HealthMailbox probes, admins, nightly jobs; ProxyLogon on EXCH01 at" \
  "+10 min and its web shell used at +40 min; LSASS dump on EXCH02 at +55 min; mailbox theft on" \
  "EXCH03 at +70 min${reset}"
python3 "$root/scripts/scenario/generate.py" --out "$work/hosts" --hosts 3 --start now \
  --duration ${minutes}m --rate 3 --seed "$seed" --live --speed "$speed" \
  --attack proxylogon@10m@EXCH01 --attack webshell_use@40m@EXCH01 \
  --attack lsass_dump:comsvcs@55m@EXCH02 --attack mailbox_theft@70m@EXCH03 \
  >"$work/generator.log" 2>&1

# The last lines reach the correlator within a second or two; wait until the alert count settles.
count() { wc -l <"$work/alerts.jsonl" 2>/dev/null || echo 0; }
last=-1
for _ in $(seq 1 20); do
  now=$(count)
  [ "$now" = "$last" ] && break
  last=$now
  sleep 2
done
kill -TERM "$tail_pid" 2>/dev/null || true

echo
step "summary after $(($(date +%s) - started)) s"
events=$(for p in 0 1 2 3; do kcat -b "$brokers" -Q -t "tripline.events:$p:-1" 2>/dev/null; done |
  awk '{s += $NF} END {print s + 0}')
echo "   $events events shipped by 3 agents; $(count) alerts (ECS JSON: alerts.jsonl and the" \
  "Kafka topic tripline.alerts)"
if [ "$(count)" = 0 ]; then
  echo "${red}no alert arrived${reset}"
  tail -n 20 "$work/correlator.log" "$work"/agent-*.log
  exit 1
fi
echo "   ${bold}by host and rule:${reset}"
jq -r '[.host.name, .event.severity_name // .tripline.severity, .rule.name] | @tsv' \
  "$work/alerts.jsonl" | sort | uniq -c | sort -k2,2 -k1,1nr |
  awk -F'\t' '{printf "   %s  %-8s %s\n", $1, $2, $3}'
echo "   ${bold}attacks injected (truth.jsonl) and whether an alert names their host:${reset}"
jq -r '[.host, .attack] | @tsv' "$work/hosts/truth.jsonl" | sort -u | while IFS=$'\t' read -r h a; do
  n=$(jq -r --arg h "$h" 'select(.host.name == $h) | .rule.id' "$work/alerts.jsonl" | wc -l)
  if [ "$n" -gt 0 ]; then mark="${green}detected${reset}"; else mark="${red}missed${reset}"; fi
  printf '   %-8s %-14s %s (%s alerts on %s)\n' "$h" "$a" "$mark" "$n" "$h"
done
chain=$(jq -c 'select(.rule.id == "7b0c3f52-91d4-4a8e-b6f1-5e2a9c4d8f10")' "$work/alerts.jsonl" |
  head -1)
if [ -n "$chain" ]; then
  echo "   ${bold}evidence chain of \"$(echo "$chain" | jq -r .rule.name)\":${reset}"
  echo "$chain" | jq -r '.tripline.events[] | "     \(.event_time)  \(.source.format // "-")  " +
    (if .file then "file \(.file.action // "") \(.file.path)"
     elif .http then "\(.http.method) \(.http.url_path) from \(.http.source_ip) -> \(.http.status_code)"
     elif .process then "\(.process.parent.executable) -> \(.process.process.command_line)"
     else .original end)'
fi
echo
echo "${dim}Kept in $keep: alerts.jsonl, truth.jsonl, the configs and every component's log."
echo "Any alert's evidence chain (its contributing events), by the alert=... id of its line:"
echo "  jq 'select(.event.id == \"ID\") | .tripline.events' $keep/alerts.jsonl${reset}"
