#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, coverage on every library) and runs each for a
# bounded time on a corpus seeded from ../shared/data, then prints executions and findings.
#   scripts/fuzz.sh                 every target, $FUZZ_SECONDS (20) each
#   scripts/fuzz.sh fuzz_evtx ...   only these
# Corpora grow in $TRIPLINE_CACHE/fuzz-corpus (kept between runs); crashes go to
# build-fuzz/findings/<target>/ (with the log). Findings are printed; the exit code is 1 for them
# only with FUZZ_STRICT=1: a bounded random run in CI reports what it finds (a finding in a
# third-party library must not block every later change), and each one is fixed or documented.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$root/../shared" 2>/dev/null && pwd || true)
build=${TRIPLINE_FUZZ_BUILD_DIR:-$root/build-fuzz}
cache=${TRIPLINE_CACHE:-$HOME/.cache/tripline}/fuzz-corpus
seconds=${FUZZ_SECONDS:-20}
clang=${TRIPLINE_CLANG:-clang++-14}

if ! command -v "$clang" >/dev/null || ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    clang-14 libclang-rt-14-dev >/dev/null
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$clang" -DTRIPLINE_SANITIZER=fuzzer -DTRIPLINE_BUILD_FUZZ=ON \
  -DTRIPLINE_BUILD_TESTS=OFF -DTRIPLINE_BUILD_BENCH=OFF >/dev/null
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(fuzz_parser_w3c fuzz_parser_httpproxy fuzz_parser_ecp fuzz_parser_oab fuzz_parser_json
           fuzz_parser_winevent_json fuzz_evtx fuzz_evtx_xml fuzz_sigma_rule fuzz_sigma_condition
           fuzz_spool_segment)
fi
echo "fuzz: building ${#targets[@]} target(s) in $build"
build_args=()
for t in "${targets[@]}"; do build_args+=(--target "$t"); done
cmake --build "$build" -j "$(nproc)" "${build_args[@]}" | grep -E "error|FAILED" || true

# seed TARGET: copies the real inputs of that kind into the target's corpus (once).
seed() {
  local t=$1 dir=$2
  [ -n "$shared" ] || return 0
  local s=$shared/data/samples t_data=$root/tests/testdata/exchange
  case $t in
    fuzz_parser_w3c) cp "$s"/helsecert_iis_*.log "$root"/tests/testdata/w3c/*.log "$dir"/ ;;
    fuzz_parser_httpproxy) cp "$s"/helsecert_*httpproxy*.csv "$t_data"/httpproxy_*.LOG "$dir"/ ;;
    fuzz_parser_ecp) cp "$s"/helsecert_ecpserver_*.log "$t_data"/ecp_*.LOG "$dir"/ ;;
    fuzz_parser_oab) cp "$t_data"/oab_*.LOG "$dir"/ ;;
    fuzz_parser_json) cp "$root"/tests/testdata/cloudtrail/*.jsonl "$root"/tests/testdata/winevent/*.jsonl "$dir"/ ;;
    fuzz_parser_winevent_json) cp "$root"/tests/testdata/winevent/*.jsonl "$dir"/ ;;
    fuzz_evtx) cp "$s"/*.evtx "$dir"/
      find "$shared/data/sigma-regression" -name '*.evtx' -size -80k | sort | head -30 | xargs -r cp -t "$dir"/ ;;
    fuzz_evtx_xml) cp "$root"/tests/fuzz/seeds/*.xml "$dir"/ ;;
    fuzz_sigma_rule)
      find "$shared/data/sigma" -name '*.yml' | sort | awk 'NR % 25 == 1' | head -150 | xargs -r cp -t "$dir"/
      find "$root/config/rules" -name '*.yml' | xargs -r cp -t "$dir"/ ;;
    fuzz_sigma_condition)
      local i=0
      while IFS= read -r c; do
        i=$((i + 1)); printf '%s' "$c" >"$dir/cond$i"
      done < <(grep -rh '^ *condition: ' "$shared/data/sigma" | sed 's/^ *condition: //' | sort -u | head -300)
      ;;
    fuzz_spool_segment) printf '\0first\nsecond record\nthird\n' >"$dir/plain"
      printf '\002\010\0\0\0\377\040\0\0\0\0one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n' >"$dir/damaged" ;;
  esac
}

mkdir -p "$build/findings"
printf '\n%-28s %12s %10s %8s  %s\n' target executions corpus secs findings
failed=0
for t in "${targets[@]}"; do
  corpus=$cache/$t
  findings=$build/findings/$t
  rm -rf "$findings"
  mkdir -p "$corpus" "$findings"
  [ -n "$(ls -A "$corpus")" ] || seed "$t" "$corpus"
  log=$build/findings/$t.log
  set +e
  LSAN_OPTIONS=suppressions=$root/tests/fuzz/lsan.supp ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=131072 \
    -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  size=$(find "$corpus" -type f | wc -l)
  found=$(find "$findings" -type f | wc -l)
  note="none"
  if ((rc != 0 || found > 0)); then
    failed=1
    note="$found: $(ls "$findings" | head -3 | tr '\n' ' ')(log $log)"
    grep -m3 -E "ERROR: |runtime error|property violated" "$log" | sed 's/^/      /' || true
  fi
  printf '%-28s %12s %10s %8s  %s\n' "$t" "${execs:-?}" "$size" "$seconds" "$note"
done
if ((failed)); then
  echo "fuzz: findings above (inputs and logs in $build/findings/; reproduce: <target binary> <input>)"
  [ "${FUZZ_STRICT:-0}" = 1 ] && exit 1
fi
exit 0
