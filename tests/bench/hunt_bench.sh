#!/usr/bin/env bash
# `tripline hunt` over a 1 GB IIS log folder (the incident responder's first sweep), with the
# Tripline rules and with SigmaHQ's webserver rules added; GNU grep over the same folder as the
# floor (reading the bytes and matching one literal). Prints figures; asserts nothing.
#
#   bash tests/bench/hunt_bench.sh          (HUNT_BYTES=1100000000 by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${TRIPLINE_BUILD_DIR:-$root/build}
shared=${TRIPLINE_SHARED_DIR:-$root/../shared}
lines=$(( ${HUNT_BYTES:-1100000000} / 298 ))

"$root/scripts/peers.sh" >/dev/null
"$root/scripts/build.sh" tripline >/dev/null
work=$(mktemp -d /tmp/tripline-hunt-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/logs/W3SVC1"
# The same request mix as the file -> Kafka benchmark (iis_lines.awk), one web shell request in
# the middle.
awk -v n="$lines" -v shell=1 -f "$root/tests/bench/iis_lines.awk" >"$work/logs/W3SVC1/u_ex210305.log"
bytes=$(du -sb "$work/logs" | cut -f1)
echo "== tripline hunt over $(numfmt --to=iec "$bytes") of IIS W3C logs ($lines lines), $(nproc) cores"
sync
printf '   %-58s %8s %12s %9s %s\n' run seconds "lines/s" "peak RSS" result
run() {  # run LABEL COMMAND...: wall seconds and peak RSS of one command
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
  read -r secs rss <"$work/time"
  printf '   %-58s %8s %12s %6s MB   %s\n' "$label" "$secs" \
    "$(awk -v n="$lines" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')" "$((rss / 1024))" \
    "$({ grep -E "events read|^[0-9]+$" "$work/out" || true; } | tail -1 | cut -c1-60)"
}
cat "$work/logs/W3SVC1/u_ex210305.log" >/dev/null  # every run reads from the page cache
run "tripline hunt, config/rules" \
  "$build/correlator/cli/tripline" hunt "$work/logs" --rules "$root/config/rules"
run "tripline hunt, config/rules + SigmaHQ rules/web" \
  "$build/correlator/cli/tripline" hunt "$work/logs" --rules "$root/config/rules" \
  --rules "$shared/data/sigma/rules/web"
run "GNU grep -c -i RedirSuiteServerProxy (floor: read + one literal)" \
  grep -c -i RedirSuiteServerProxy "$work/logs/W3SVC1/u_ex210305.log"
