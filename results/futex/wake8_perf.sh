#!/usr/bin/env bash
# Quiet measurement of what makes `perf bench futex wake -t 8` read 267-359 us where peers/futex_wake_once.c with
# perf's 100 ms sleep reads 70-78 us (results/futex/reasons.txt; docs/METHODOLOGY.md, "Futex contention"), three
# rounds back to back. Each round: perf itself (each of its 10 runs, its figure = their mean, and their median);
# perf once more under a system-wide `perf record` of sched_switch/sched_waking, which wake8_preempt.py splits into
# each repetition's timed loop, how often the waker was preempted inside it and how long it was off its CPU; then the
# peer with perf's placement (waker unpinned, waiter i on CPU i mod 2),
# perf's 100 ms sleep and 10 rounds, adding perf's thread life one step at a time: waiters kept across rounds (the
# peer of reasons.sh), created fresh each round and pinned at creation (fresh), fresh and returning from their
# function as soon as woken (return), fresh and calling pthread_exit as soon as woken (exit, perf's waiter), and exit
# with libgcc_s (pthread_exit's unwinder, which perf links and the peer loads at its first pthread_exit) preloaded.
# Every peer line prints its rounds' values (values), and its waker's preemptions inside the timed loop (detail);
# the peer kept and exit run once more under the same trace as perf.
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/wake8_perf.sh` after building
# the peer-futex-wake-once target. Output: results/futex/wake8_perf.txt.
set -u
cd "$(dirname "$0")/../.."
out=results/futex/wake8_perf.txt
source results/quiet.sh
require_built build/peer-futex-wake-once
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc_s=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ { print $NF; exit }')
# traced CMD: runs CMD (its process prints its pid first) under a system-wide sched trace and splits its timed loops.
traced() {
  echo "--- perf record -a -e sched:sched_switch,sched:sched_waking -- $1"
  perf record -q -a -e sched:sched_switch,sched:sched_waking -o "$tmp/sched.data" -- sh -c "echo pid \$\$; exec $1" \
    > "$tmp/traced.txt" 2>&1
  grep -E "Wokeup|p50" "$tmp/traced.txt"
  perf script -i "$tmp/sched.data" -F tid,cpu,time,event,trace 2>/dev/null > "$tmp/sched.txt"
  python3 results/futex/wake8_preempt.py "$tmp/sched.txt" "$(awk '/^pid / { print $2; exit }' "$tmp/traced.txt")" 8
}
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
    traced "perf bench futex wake -s -t 8"
    echo "--- peer (MODE WAITERS ROUNDS WAKER_CPU IDLE_US 0 OPTIONS), perf's placement and sleep"
    for o in values,detail values,detail,fresh values,detail,return values,detail,exit; do
      echo "\$ peer-futex-wake-once wake 8 10 -1 100000 0 $o"
      ./build/peer-futex-wake-once wake 8 10 -1 100000 0 $o
    done
    echo "\$ LD_PRELOAD=$gcc_s peer-futex-wake-once wake 8 10 -1 100000 0 values,detail,exit"
    LD_PRELOAD=$gcc_s ./build/peer-futex-wake-once wake 8 10 -1 100000 0 values,detail,exit
    traced "./build/peer-futex-wake-once wake 8 10 -1 100000 0 values"
    traced "./build/peer-futex-wake-once wake 8 10 -1 100000 0 values,exit"
  done
  echo "load at end: $(cat /proc/loadavg)"
} > $out 2>&1
