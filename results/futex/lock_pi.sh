#!/usr/bin/env bash
# Why ctxswitch.futex_lock_pi/waiters:2 and its peer (peers/futex_lock_pi_loop.c) differ ~3x (docs/METHODOLOGY.md,
# "Futex contention"), three rounds back to back: ctxbench's lock_pi records at 1, 2 and 4 contenders (same-cpu:
# the caller on the first CPU, contender i on the (i+1)-th round-robin) with the caller's share of the
# acquisitions and the voluntary/involuntary split, beside the peer at batch 10 as it was and with ctxbench's
# per-sample /proc reads (READS=1); then one perf record of sched:sched_switch over each at 2 contenders, counted
# by results/futex/switch_roles.py (the caller's and the contenders' sleeps and preemptions).
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/lock_pi.sh` after building
# ctxbench and peer-futex-lock-pi. Output: results/futex/lock_pi.txt.
set -u
cd "$(dirname "$0")/../.."
out=results/futex
source results/quiet.sh
require_built build/ctxbench build/peer-futex-lock-pi
cpus=($(taskset -pc $$ | sed "s/.*: //" | tr ",-" "  "))
a=${cpus[0]}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
summary() {
  python3 - "$1" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    m, s = r.get("metrics", {}), r.get("switches_per_op", {})
    print(f"  {r['id']}: p50 {r['value'] / 1000:.2f} us per lock+unlock, {m.get('acquisitions_per_second', 0):.0f} "
          f"acquisitions/s, {m.get('switches_per_acquisition', 0):.2f} switches per acquisition, caller "
          f"{m.get('caller_acquisition_share', 0):.2f} of the acquisitions; the caller's op: "
          f"{s.get('voluntary', 0):.2f} voluntary + {s.get('involuntary', 0):.2f} involuntary per lock+unlock "
          f"(all threads)")
PY
}
{
  wait_quiet
  uname -r
  git rev-parse --short HEAD
  for r in 1 2 3; do
    echo "=== round $r $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    ./build/ctxbench --suite ctxswitch --filter '^ctxswitch\.futex_lock_pi/waiters:[124]/' --placement same \
      --json "$tmp/r.json" > /dev/null 2>&1
    echo "ctxbench exit $?"
    summary "$tmp/r.json"
    for n in 1 2 4; do
      ./build/peer-futex-lock-pi $n 1000 $a 10 0
      ./build/peer-futex-lock-pi $n 1000 $a 10 1
    done
  done
  echo "=== perf sched_switch at 2 contenders, same-cpu: ctxbench (3 repetitions), then the peer (1 s, batch 10)"
  perf record -q -e sched:sched_switch -a -o "$tmp/perf.data" -- ./build/ctxbench --suite ctxswitch \
    --filter '^ctxswitch\.futex_lock_pi/waiters:2/' --placement same --repetitions 3 --json "$tmp/p.json" \
    > /dev/null 2>&1
  summary "$tmp/p.json"
  perf script -i "$tmp/perf.data" -F pid,tid,event,trace > "$tmp/s.txt" 2> /dev/null
  python3 results/futex/switch_roles.py "$tmp/s.txt" 0 0 ctxbench-probe
  perf record -q -e sched:sched_switch -a -o "$tmp/perf.data" -- ./build/peer-futex-lock-pi 2 1000 $a 10 0
  perf script -i "$tmp/perf.data" -F pid,tid,event,trace > "$tmp/s.txt" 2> /dev/null
  python3 results/futex/switch_roles.py "$tmp/s.txt" 0 0 peer-futex-lock
  echo "load at end: $(cat /proc/loadavg)"
} > $out/lock_pi.txt 2>&1
