#!/usr/bin/env bash
# Prints the fault suite's rows (tests/fault, one TSV line per case) as one table, for the log
# and the README; exits 1 when a row failed. Usage: summary.sh fault-results.tsv
set -euo pipefail
results=${1:?usage: summary.sh RESULTS.tsv}
header=$'fault\tsent\tdelivered\tdup (same id)\tdup (new id)\tlost\tdropped (counted)\talerts expected\talerts raised\tat receiver\talert copies\tseconds\tresult'
if [ ! -s "$results" ]; then
  echo "fault suite: no results in $results (no fault test ran)"
  exit 0
fi
echo "fault suite ($(wc -l <"$results") case(s)):"
{ echo "$header"; sort "$results"; } | column -t -s $'\t' -o ' | '
echo
echo "Markdown:"
{ echo "$header"; echo "$header" | sed 's/[^\t]*/---/g'; sort "$results"; } |
  sed 's/\t/ | /g; s/^/| /; s/$/ |/'
# A case killed by ctest's timeout cannot unmount its spool tmpfs: say so (never unmount here: a
# suite running from another build tree may be using its own).
if mount | grep -q ' on .*/tripline-test-[^ ]*/spool type tmpfs'; then
  echo "fault suite: tmpfs spool mount(s) left behind:"
  mount | grep ' on .*/tripline-test-[^ ]*/spool type tmpfs'
fi
if cut -f13 "$results" | grep -qv '^ok$'; then
  echo "fault suite: FAILED rows above"
  exit 1
fi
