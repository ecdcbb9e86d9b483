#!/usr/bin/env bash
# Who switches how in a futex_wake_parallel / futex_wake_all round (docs/METHODOLOGY.md, "Futex contention",
# the denominator): perf record of sched:sched_switch over a ctxbench run of one probe (3 repetitions, same-cpu
# and unpinned), counted by results/futex/switch_roles.py per round: the caller's and the partner threads'
# sleeps (prev_state S) and preemptions (prev_state R), and which task came in at each preemption. Beside it,
# the record's own kernel counts (switches_per_op voluntary / involuntary, from /proc/<tid>/status).
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/denominator.sh` after
# building ctxbench. Output: results/futex/denominator.txt.
set -u
cd "$(dirname "$0")/../.."
out=results/futex
source results/quiet.sh
[[ -x build/ctxbench ]] || { echo "denominator.sh: build/ctxbench is missing: build it first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  wait_quiet
  uname -r
  perf --version
  git rev-parse --short HEAD
  for probe in futex_wake_parallel/waiters:2/wakers:2 futex_wake_parallel/waiters:8/wakers:8 \
    futex_wake_parallel/waiters:8/wakers:2 futex_wake_all/waiters:4; do
    n=$(sed 's/.*waiters:\([0-9]*\).*/\1/' <<<"$probe")
    w=$(grep -o 'wakers:[0-9]*' <<<"$probe" | cut -d: -f2)
    w=${w:-0}
    for place in same unpinned; do
      echo "=== ctxswitch.$probe $place $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
      perf record -q -e sched:sched_switch -a -o "$tmp/perf.data" -- \
        ./build/ctxbench --suite ctxswitch --filter "^ctxswitch\.${probe//./\\.}/" --placement "$place" \
        --repetitions 3 --json "$tmp/run.json" > /dev/null 2> "$tmp/err" || { cat "$tmp/err"; continue; }
      perf script -i "$tmp/perf.data" -F pid,tid,event,trace > "$tmp/script.txt" 2> /dev/null
      python3 - "$tmp/run.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    s = r.get("switches_per_op", {})
    print(f"  record {r['id']}: {s.get('measured', 0):.2f} switches per round = {s.get('voluntary', 0):.2f} "
          f"voluntary + {s.get('involuntary', 0):.2f} involuntary, expected {s.get('expected')} "
          f"({s.get('expected_counts', 'all switches')}); warnings: "
          f"{[w['kind'] for w in r.get('warnings', [])]}")
PY
      python3 results/futex/switch_roles.py "$tmp/script.txt" "$n" "$w"
    done
  done
  echo "load at end: $(cat /proc/loadavg)"
} > $out/denominator.txt 2>&1
