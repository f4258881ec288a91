#!/usr/bin/env bash
# The Tripline demo on one machine: sets up (idempotent), builds, starts a real Kafka broker,
# starts the correlator and an agent tailing an IIS log, replays a short ProxyLogon-style web-shell
# access into that log, and prints the alert as it arrived through the broker. Cleans up on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TRIPLINE_BUILD_DIR:-$root/build}

bold=""; red=""; green=""; dim=""; reset=""
if [ -t 1 ]; then bold=$'\e[1m'; red=$'\e[31m'; green=$'\e[32m'; dim=$'\e[2m'; reset=$'\e[0m'; fi
step() { echo "${bold}==> $*${reset}"; }

step "setting up (Debian packages, Kafka jars)"
"$root/scripts/setup.sh"
step "building"
"$root/scripts/build.sh" tripline-agent tripline-correlator

work=$(mktemp -d /tmp/tripline-demo.XXXXXX)
pids=()
keep=${TMPDIR:-/tmp}/tripline-demo-last
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$keep" && mkdir -p "$keep"
  cp "$work"/*.log "$work"/*.yaml "$work"/alerts.jsonl "$keep"/ 2>/dev/null || true
  "$root/scripts/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step "starting Apache Kafka (KRaft, one node, loopback)"
"$root/scripts/kafka.sh" start "$work/kafka"
brokers=$(cat "$work/kafka/bootstrap")

mkdir -p "$work/iis/W3SVC1"
log="$work/iis/W3SVC1/u_ex210305.log"
cat >"$work/correlator.yaml" <<YAML
kafka:
  brokers: $brokers
  group_id: tripline-demo
  events_topic: tripline.events
  alerts_topic: tripline.alerts
rules:
  paths: [$root/config/rules/demo]
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
cat >"$work/agent.yaml" <<YAML
agent:
  id: EXCH01
  host_name: exch01.corp.example
  exchange_build: 15.1.2176.2
  data_dir: $work/agent-data
  poll_interval_ms: 100
kafka:
  brokers: $brokers
  topic: tripline.events
sources:
  - name: iis-w3svc1
    path: $log
    format: w3c
YAML

step "starting tripline-correlator and tripline-agent"
"$build/correlator/tripline-correlator" -c "$work/correlator.yaml" >"$work/correlator.log" 2>&1 &
pids+=($!)
"$build/agent/tripline-agent" -c "$work/agent.yaml" >"$work/agent.log" 2>&1 &
pids+=($!)

step "replaying an Exchange IIS log: normal OWA use, then a ProxyLogon web shell in /owa/auth/"
emit() { echo "$1" >>"$log"; echo "  ${dim}$1${reset}"; sleep 0.2; }
cat >"$log" <<'W3C'
#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2021-03-05 03:00:00
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
W3C
emit "2021-03-05 03:01:10 10.1.0.5 GET /owa/auth/logon.aspx url=https%3a%2f%2fmail.corp.example%2fowa%2f&reason=0 443 - 10.20.0.31 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 31"
emit "2021-03-05 03:01:12 10.1.0.5 POST /owa/auth.owa - 443 CORP\\alice 10.20.0.31 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) https://mail.corp.example/owa/auth/logon.aspx 302 0 0 48"
emit "2021-03-05 03:02:40 10.1.0.5 POST /ecp/y.js - 443 - 165.232.154.116 ExchangeServicesClient/0.0.0.0 - 500 0 0 62"
emit "2021-03-05 03:06:27 10.1.0.5 GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=cde28fc4-299e-4179-b3e9-de56f5c1d9ee;&encoding=; 443 - 139.162.202.236 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/65.0.2345+Safari/537.36 - 200 0 0 133"

step "waiting for the alert on the Kafka topic tripline.alerts"
alert=""
for _ in $(seq 1 60); do
  alert=$(kcat -b "$brokers" -C -t tripline.alerts -o beginning -c 1 -e -q 2>/dev/null || true)
  [ -n "$alert" ] && break
  sleep 1
done
if [ -z "$alert" ]; then
  echo "${red}no alert arrived within 60 s${reset}"
  echo "--- correlator ---"; tail -n 30 "$work/correlator.log"
  echo "--- agent ---"; tail -n 30 "$work/agent.log"
  exit 1
fi
echo "${green}${bold}ALERT received from Kafka topic tripline.alerts (broker $brokers):${reset}"
echo "$alert" | jq '{"@timestamp", message, severity: .tripline.severity, rule: .rule.name,
  rule_id: .rule.id, attack: .threat.technique.id, host: .host.name, alert_id: .event.id,
  request: (.tripline.events[0].http | {method, url_path, source_ip, status_code, user_agent}),
  log_line: .tripline.events[0].original, source: .tripline.events[0].source.path}'
echo
echo "${dim}Kept in $keep: alerts.jsonl (the same alert, ECS 9.4 JSON lines), agent.log, correlator.log and the configs.${reset}"
