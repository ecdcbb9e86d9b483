#!/usr/bin/env bash
# Quiet measurement of what makes `perf bench futex wake-parallel -t N -w W` read 1.5-70x above the like-for-like
# peer (docs/METHODOLOGY.md, "Futex contention"; results/issue24-done-means.md), as wake8_perf.sh does for `wake -t 8`,
# at 8/2, 8/8 and 2/2, three rounds back to back. Each round and shape: perf itself (each of its 10 runs, its figure =
# their mean, and their median), then peers/futex_wake_once.c `parallel` with perf's placement (wakers unpinned,
# waiter i on CPU i mod 2), perf's 100 ms sleep and 10 rounds, adding perf's thread life one step at a time: waiters
# and wakers kept across rounds (the peer of wake_parallel_30.sh), waiters created each round pinned at creation
# (fresh), fresh waiters calling pthread_exit as soon as woken (exit, perf's waiter), and exit with the wakers created
# each round after the sleep, released by a barrier with the caller and calling pthread_exit (fresh-wakers: perf's
# whole thread life). Every peer line prints its rounds' values and its wakers' preemptions inside their timed call
# (detail). Once at the start: strace counts perf's sched_setaffinity calls, which say whether its wakers are pinned
# (its 8 waiters x 10 runs are).
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/wakepar_perf.sh` after building
# the peer-futex-wake-once target. Output: results/futex/wakepar_perf.txt (OUT names another). SHAPES ("8/8") narrows
# the shapes; RUNS (default 10) sets perf's runs (`perf bench --repeat`) and the peer's rounds alike, for a two-mode
# value that 10 runs sample badly; OPTS (space-separated) replaces the peer's option sets; PRELOAD=1 adds the last
# option set again with libgcc_s (pthread_exit's unwinder, which perf links) preloaded, as wake8_perf.sh does.
set -u
cd "$(dirname "$0")/../.." && source results/quiet.sh && require_built build/peer-futex-wake-once
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
shapes=${SHAPES:-8/2 8/8 2/2}
runs=${RUNS:-10}
opts=${OPTS:-values,detail values,detail,fresh values,detail,exit values,detail,exit,fresh-wakers}
gcc_s=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ { print $NF; exit }')
{
  wait_quiet
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- peers results/futex || echo ' (with uncommitted changes)')"
  uname -r
  perf --version
  echo "--- strace -f -e trace=sched_setaffinity perf bench futex wake-parallel -t 8 -w 2 -s (not timed)"
  strace -f -e trace=sched_setaffinity -o "$tmp/strace.txt" perf bench futex wake-parallel -t 8 -w 2 -s > /dev/null
  echo "  sched_setaffinity calls: $(grep -c 'sched_setaffinity(' "$tmp/strace.txt") (10 runs x 8 waiters = 80)"
  for r in 1 2 3; do
    for shape in $shapes; do
      t=${shape%/*} w=${shape#*/}
      echo "=== round $r shape $shape $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
      echo "--- perf bench --repeat $runs futex wake-parallel -t $t -w $w: its runs, its figure (their mean), their median"
      perf bench --repeat "$runs" futex wake-parallel -t "$t" -w "$w" | grep -E "latency" | tee "$tmp/perf.txt"
      grep "^\[Run" "$tmp/perf.txt" | awk '{ v[NR] = $(NF - 2) * 1000 } END { n = asort(v); print "  median of the runs: " v[int(n / 2) + 1] " us" }'
      echo "--- peer (MODE WAITERS ROUNDS WAKER_CPU IDLE_US WAKERS OPTIONS), perf's placement and sleep"
      for o in $opts; do
        echo "\$ peer-futex-wake-once parallel $t $runs -1 100000 $w $o"
        ./build/peer-futex-wake-once parallel "$t" "$runs" -1 100000 "$w" "$o"
      done
      if [[ ${PRELOAD:-0} == 1 ]]; then
        echo "\$ LD_PRELOAD=$gcc_s peer-futex-wake-once parallel $t $runs -1 100000 $w $o"
        LD_PRELOAD=$gcc_s ./build/peer-futex-wake-once parallel "$t" "$runs" -1 100000 "$w" "$o"
      fi
    done
  done
  echo "load at end: $(cat /proc/loadavg)"
} > "${OUT:-results/futex/wakepar_perf.txt}" 2>&1
