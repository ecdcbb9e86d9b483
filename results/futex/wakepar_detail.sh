#!/usr/bin/env bash
# Tests one part of the hypothesis for why perf bench futex wake-parallel -t 8 -w 8 has more slow runs than the peer
# with perf's whole thread life (docs/METHODOLOGY.md, "What perf's slow 8/8 runs spend their time on"): that the
# peer's `detail` (a getrusage call just before and after each waker's timed call, which perf's waker does not make)
# changes how often a waker is switched out for its woken waiter. Three rounds back to back, each: perf, the peer with
# detail, the peer without, RUNS (default 50) runs each, untraced; wakepar_modes.py splits the slow runs.
# Holds the machine's quiet lock (results/quiet.sh). Output: results/futex/wakepar_detail.txt (OUT names another).
set -u
cd "$(dirname "$0")/../.." && source results/quiet.sh && require_built build/peer-futex-wake-once
runs=${RUNS:-50}
{
  wait_quiet
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- peers results/futex || echo ' (with uncommitted changes)')"
  for r in 1 2 3; do
    echo "=== round $r shape 8/8 $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    echo "--- perf bench --repeat $runs futex wake-parallel -t 8 -w 8"
    perf bench --repeat "$runs" futex wake-parallel -t 8 -w 8 | grep -E "latency"
    for o in values,detail,exit,fresh-wakers values,exit,fresh-wakers; do
      echo "\$ peer-futex-wake-once parallel 8 $runs -1 100000 8 $o"
      ./build/peer-futex-wake-once parallel 8 "$runs" -1 100000 8 "$o"
    done
  done
  echo "load at end: $(cat /proc/loadavg)"
} > "${OUT:-results/futex/wakepar_detail.txt}" 2>&1
