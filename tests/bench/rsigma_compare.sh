#!/usr/bin/env bash
# Tripline's Sigma engine beside RSigma (the open Rust streaming Sigma engine, crates.io `rsigma`),
# in one run, on the same rules and the same events, both on one core (taskset -c 0). Prints
# figures; asserts nothing. Section 4 of tests/bench/run.sh (BENCH_SECTIONS=4), or on its own:
#
#   bash tests/bench/rsigma_compare.sh
#
# Events: engine_bench's mix (tests/bench/bench_events.h: every record of the SigmaHQ regression
# EVTX captures as the agent reads them, plus as many IIS requests). Tripline runs it in memory
# (engine_bench, Google Benchmark). RSigma gets the same records as JSON lines with Sigma's own
# field names (export_bench_events: EventID, Channel, Provider_Name, the EventData names; cs-method,
# cs-uri-stem, ... for IIS), on stdin from a file holding the mix as many times as makes a run
# last about $RSIGMA_SECONDS; the time of a run over no events (process start, rule loading) is
# subtracted. Each RSigma figure is the median of 3 runs, in CPU time (user + system) like
# Google Benchmark's items_per_second: other work on the machine moves it less than wall time.
# Rule sets: every SigmaHQ Windows rule ($shared/data/sigma/rules/windows) and the demo pack
# (config/rules), the two of engine_bench.
# RSigma runs once per entry of $RSIGMA_PIPELINES: `none` (the rules as written: every rule sees
# every event) and `sysmon` (its builtin pipeline adding the Sysmon EventID of each category, as
# pySigma's sysmon pipeline does; Tripline routes by logsource, which this comes closest to).
# Matches: alerts (rule x event) of one pass over the mix. Not the same work per event: RSigma's
# figure includes reading the JSON line and writing its matches as JSON (to /dev/null), as its
# CLI does in use; Tripline's starts from decoded Events and ends with Alert messages in memory.
#
# Environment:
#   TRIPLINE_BUILD_DIR  build folder (build/)
#   RSIGMA_ROOT         where RSigma is installed with `cargo install --root` (/opt/rsigma)
#   RSIGMA_VERSION      version to install when missing; empty: the newest this toolchain builds
#                       (cargo names it when the newest needs a newer rustc)
#   RSIGMA_PIPELINES    RSigma configurations to run ("none sysmon")
#   RSIGMA_SECONDS      target length of each RSigma run (6)
#   BENCH_MIN_TIME      engine_bench --benchmark_min_time (3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${TRIPLINE_BUILD_DIR:-$root/build}
shared=$root/../shared  # as tests/CMakeLists.txt: engine_bench reads the same
rsigma_root=${RSIGMA_ROOT:-/opt/rsigma}
rsigma=$rsigma_root/bin/rsigma
pipelines=${RSIGMA_PIPELINES:-none sysmon}
target_seconds=${RSIGMA_SECONDS:-6}
min_time=${BENCH_MIN_TIME:-3}
command -v cargo >/dev/null || export PATH=$HOME/.cargo/bin:$PATH
work=$(mktemp -d /tmp/tripline-rsigma.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Installs RSigma when missing (idempotent). A version that needs a newer rustc is refused by
# cargo at once, naming the newest one this toolchain supports: that one is installed instead.
cargo_install() {  # cargo_install SPEC LOG
  echo "   installing $1 into $rsigma_root (cargo install --locked: a few minutes)" >&2
  cargo install --locked --root "$rsigma_root" "$1" >"$2" 2>&1
}
install_rsigma() {
  [ -x "$rsigma" ] && return 0
  if ! command -v cargo >/dev/null; then
    echo "rsigma_compare: cargo not found, cannot install RSigma" >&2
    return 1
  fi
  local spec=rsigma${RSIGMA_VERSION:+@$RSIGMA_VERSION} log=$work/cargo.log fallback
  cargo_install "$spec" "$log" && return 0
  fallback=$(sed -n 's/^`rsigma \([0-9.]*\)` supports rustc.*/\1/p' "$log" | head -1)
  if [ -n "$fallback" ]; then
    grep -m1 '^error' "$log" >&2
    cargo_install "rsigma@$fallback" "$log" && return 0
  fi
  echo "rsigma_compare: RSigma could not be installed:" >&2
  tail -20 "$log" >&2
  return 1
}
if ! install_rsigma; then
  echo "rsigma_compare: no RSigma, no comparison (export_bench_events still writes the events:" \
    "$build/tests/bench/export_bench_events OUT.jsonl)" >&2
  exit 1
fi
rsigma_version=$("$rsigma" --version | awk '{print $2; exit}')

"$root/scripts/peers.sh" >/dev/null
TRIPLINE_BUILD_DIR=$build "$root/scripts/build.sh" engine_bench export_bench_events >/dev/null
"$build/tests/bench/export_bench_events" "$work/events.jsonl" 2>"$work/export.log"
mix=$(wc -l <"$work/events.jsonl")
echo "   $(sed 's/^export_bench_events: //' "$work/export.log")"

# Tripline: both rule sets, one core.
taskset -c 0 "$build/tests/bench/engine_bench" --benchmark_min_time="$min_time" \
  --benchmark_format=json 2>/dev/null >"$work/tripline.json"
tripline() {  # tripline BENCHMARK FIELD
  jq -r --arg b "$1" --arg f "$2" '.benchmarks[] | select(.name == $b) | .[$f]' \
    "$work/tripline.json"
}

# $work/input.jsonl: $1 copies of the mix, in one file (read from the page cache: no producer
# process beside RSigma).
write_input() {
  perl -e 'local $/; open(F, "<", $ARGV[0]) or die; my $d = <F>; print $d for 1 .. $ARGV[1]' \
    "$work/events.jsonl" "$1" >"$work/input.jsonl"
}
# CPU seconds (user + system) of one RSigma run (rules $1, then its arguments) over
# $work/input.jsonl on its stdin. Its stderr (the "Loaded N rules" and "Processed N events,
# M matches" lines) is left in $work/rsigma.err.
rsigma_run() {
  local rules=$1
  shift
  if ! /usr/bin/time -f "%U %S" -o "$work/time.txt" taskset -c 0 "$rsigma" engine eval \
    -r "$rules" "$@" <"$work/input.jsonl" >/dev/null 2>"$work/rsigma.err"; then
    echo "rsigma_compare: rsigma engine eval -r $rules $* failed:" >&2
    tail -5 "$work/rsigma.err" >&2
  fi
  awk '{printf "%.3f", $1 + $2}' "$work/time.txt"
}
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

echo "   matches/pass: alerts (rule x event) in one pass over the $mix events (Tripline: and the"
echo "   events that raised them); load errors: Tripline's messages (a rule may have several),"
echo "   RSigma's unparsable documents; events/s on one core"
row() { printf '   %-26s %-24s %6s %11s %14s %10s\n' "$@"; }
row "rule set" engine rules "load errors" "matches/pass" "events/s"
compare() {  # compare LABEL RULES BENCHMARK
  local label=$1 rules=$2 bench=$3
  row "$label" "tripline" "$(tripline "$bench" rules)" "$(tripline "$bench" load_errors)" \
    "$(tripline "$bench" alerts_per_pass) ($(tripline "$bench" matched_events_per_pass) ev)" \
    "$(tripline "$bench" items_per_second | awk '{printf "%.0f", $1}')"
  local p args name empty calib copies runs total loaded rejected matches rate
  for p in $pipelines; do
    args=()
    name="rsigma $rsigma_version"
    [ "$p" != none ] && args=(-p "$p") && name="$name -p $p"
    write_input 0
    runs=()
    for _ in 1 2 3; do runs+=("$(rsigma_run "$rules" "${args[@]}")"); done
    empty=$(median3 "${runs[@]}")
    # "Loaded N rules from ...", or "Loaded N detection rules + M correlation rules from ..."
    loaded=$(awk '/^Loaded [0-9]/ {n = $2; if ($3 == "detection") n += $6; print n}' \
      "$work/rsigma.err")
    rejected=$(sed -n 's/^Warning: \([0-9]*\) parse errors.*/\1/p' "$work/rsigma.err")
    write_input 1
    rsigma_run "$rules" "${args[@]}" >/dev/null
    # "Processed N events, M matches.", or "..., M detection matches, C correlation matches."
    matches=$(awk '/^Processed / {print $4 + ($5 == "detection" ? $7 : 0)}' "$work/rsigma.err")
    # Calibrate on 20 copies, then size the measured runs to about $target_seconds.
    write_input 20
    calib=$(rsigma_run "$rules" "${args[@]}")
    copies=$(awk -v c="$calib" -v e="$empty" -v t="$target_seconds" \
      'BEGIN {d = c - e; if (d < 0.01) d = 0.01; n = int(20 * t / d); print (n < 20 ? 20 : n)}')
    write_input "$copies"
    runs=()
    for _ in 1 2 3; do runs+=("$(rsigma_run "$rules" "${args[@]}")"); done
    total=$(median3 "${runs[@]}")
    rate=$(awk -v n="$((copies * mix))" -v t="$total" -v e="$empty" \
      'BEGIN {printf "%.0f", n / (t - e)}')
    row "" "$name" "$loaded" "${rejected:-0}" "$matches" "$rate"
    echo "     ($copies x $mix events: ${runs[*]} CPU s, median $total s;" \
      "minus $empty s without events)"
  done
}
compare "SigmaHQ windows" "$shared/data/sigma/rules/windows" BM_SigmaHqWindowsRules
compare "demo pack (config/rules)" "$root/config/rules" BM_DemoRules
