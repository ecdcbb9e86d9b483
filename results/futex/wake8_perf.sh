#!/usr/bin/env bash
# Quiet measurement of what makes `perf bench futex wake -t 8` read 267-359 us where peers/futex_wake_once.c with
# perf's 100 ms sleep reads 70-78 us (results/futex/reasons.txt; docs/METHODOLOGY.md, "Futex contention"), three
# rounds back to back. Each round: perf itself (each of its 10 runs, its figure = their mean, and their median);
# perf once more under `perf record` of sched_switch/sched_waking, counting how often its waker was preempted inside
# its timed loop (wake8_preempt.py); then the peer with perf's placement (waker unpinned, waiter i on CPU i mod 2),
# perf's 100 ms sleep and 10 rounds, adding perf's thread life one step at a time: waiters kept across rounds (the
# peer of reasons.sh), created fresh each round and pinned at creation (fresh), fresh and returning from their
# function as soon as woken (return), fresh and calling pthread_exit as soon as woken (exit, perf's waiter). Every
# peer line prints its rounds' values (values), and its waker's preemptions inside the timed loop (detail).
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/wake8_perf.sh` after building
# the peer-futex-wake-once target. Output: results/futex/wake8_perf.txt.
set -u
cd "$(dirname "$0")/../.."
out=results/futex/wake8_perf.txt
source results/quiet.sh
require_built build/peer-futex-wake-once
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  wait_quiet
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- peers results/futex || echo ' (with uncommitted changes)')"
  uname -r
  perf --version
  for r in 1 2 3; do
    echo "=== round $r $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    echo "--- perf bench futex wake -t 8 (nwakes 1): its 10 runs, its figure (their mean), their median"
    perf bench futex wake -t 8 | grep -E "Wokeup" | tee "$tmp/perf.txt"
    grep "^\[Run" "$tmp/perf.txt" | awk '{ v[NR] = $(NF - 1) * 1000 } END { n = asort(v); print "  median of the runs: " v[int(n / 2) + 1] " us" }'
    echo "--- perf record -e sched:sched_switch,sched:sched_waking -- perf bench futex wake -s -t 8"
    perf record -q -e sched:sched_switch,sched:sched_waking -o "$tmp/sched.data" -- perf bench futex wake -s -t 8 |
      grep Wokeup
    perf script -i "$tmp/sched.data" -F pid,tid,time,event,trace 2>/dev/null > "$tmp/sched.txt"
    python3 results/futex/wake8_preempt.py "$tmp/sched.txt" 8
    echo "--- peer (MODE WAITERS ROUNDS WAKER_CPU IDLE_US 0 OPTIONS), perf's placement and sleep"
    for o in values,detail values,detail,fresh values,detail,return values,detail,exit; do
      echo "\$ peer-futex-wake-once wake 8 10 -1 100000 0 $o"
      ./build/peer-futex-wake-once wake 8 10 -1 100000 0 $o
    done
  done
  echo "load at end: $(cat /proc/loadavg)"
} > $out 2>&1
