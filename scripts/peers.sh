#!/usr/bin/env bash
# Installs the peers the benchmarks compare against (idempotent): Debian's rsyslog with omkafka,
# kcat, and the tools the bench scripts use (jq, perl, GNU time). Only tests/bench/ needs them.
set -euo pipefail
missing=()
for p in rsyslog rsyslog-kafka kcat jq perl time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
