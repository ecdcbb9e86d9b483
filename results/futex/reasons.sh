#!/usr/bin/env bash
# Quiet measurement of WHY ctxbench's futex records and their peers differ (docs/METHODOLOGY.md, "Futex
# contention"), three rounds back to back, each switching on one of the methods' differences at a time:
# - futex_waitv cross-cpu: ctxbench (and its --keep-awake run) beside peers/futex_waitv_pingpong.c as it was
#   (one batch), with ctxbench's 100 ms wait timeout, with ctxbench's sampling (one round trip, then a read of
#   the partner's /proc stat), with both, and with a SCHED_IDLE spinner on each CPU; every line with its
#   switches per round trip; and ctxbench's --explain split of its round trip.
# - futex wake / requeue: ctxbench beside perf bench futex (waker unpinned, then pinned with taskset to the
#   waiter's CPU and to the other one) and beside peers/futex_wake_once.c, which times what ctxbench times with
#   perf's two differences (the waker's placement, a 100 ms sleep before the timed call) as knobs.
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/reasons.sh` after
# building ctxbench and the peer-futex-* targets. Output: results/futex/reasons.txt.
set -u
cd "$(dirname "$0")/../.."
out=results/futex/reasons.txt
source results/quiet.sh
require_built build/ctxbench build/peer-futex-waitv build/peer-futex-wake-once
cpus=($(taskset -pc $$ | sed "s/.*: //" | tr ",-" "  "))
a=${cpus[0]}; b=${cpus[-1]}
spinners=()
stop_spinners() { for p in "${spinners[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; spinners=(); }
trap stop_spinners EXIT
{
  wait_quiet
  uname -r
  perf --version
  for r in 1 2 3; do
    echo "=== round $r $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    echo "--- futex_waitv cross-cpu: ctxbench"
    ./build/ctxbench --suite ctxswitch --filter "^ctxswitch\.futex(_waitv)?\.thread/cross-cpu" --cpus $a,$b 2>&1 |
      grep -E "^\[|cross-cpu \("
    ./build/ctxbench --suite ctxswitch --keep-awake --filter "^ctxswitch\.futex_waitv\.thread/cross-cpu" \
      --cpus $a,$b 2>&1 | grep -E "^\[|cross-cpu \("
    ./build/ctxbench --suite ctxswitch --explain --filter "^ctxswitch\.futex_waitv\.thread/cross-cpu" --cpus $a,$b 2>&1 |
      sed -n '/where the time went/,/(median, p99/p'
    echo "--- futex_waitv cross-cpu: the C loop (ROUNDS CPU_A CPU_B TIMEOUT_NS BATCH)"
    ./build/peer-futex-waitv 50000 $a $b
    ./build/peer-futex-waitv 50000 $a $b 100000000
    ./build/peer-futex-waitv 20000 $a $b 0 1
    ./build/peer-futex-waitv 20000 $a $b 100000000 1
    ./build/peer-futex-waitv 50000 $a $a
    for c in $a $b; do chrt -i 0 taskset -c $c sh -c 'while :; do :; done' & spinners+=($!); done
    echo "(SCHED_IDLE spinners on cpus $a,$b)"
    ./build/peer-futex-waitv 20000 $a $b
    stop_spinners
    echo "--- wake and requeue: ctxbench"
    ./build/ctxbench --suite ctxswitch --filter "^ctxswitch\.futex_(wake|requeue)/waiters:(1|8)/" --cpus $a,$b 2>&1 |
      grep -E "^\["
    for n in 1 8; do
      echo "--- $n waiter(s): perf bench futex wake -t $n -w 1 unpinned, waker on cpu $a (waiter 0's), on cpu $b"
      perf bench futex wake -s -t $n -w 1 | grep Wokeup
      taskset -c $a perf bench futex wake -s -t $n -w 1 | grep Wokeup
      taskset -c $b perf bench futex wake -s -t $n -w 1 | grep Wokeup
      echo "--- $n waiter(s): peer (MODE WAITERS ROUNDS WAKER_CPU IDLE_US)"
      ./build/peer-futex-wake-once wake $n 200 $a 0
      ./build/peer-futex-wake-once wake $n 10 $a 100000
      ./build/peer-futex-wake-once wake $n 10 -1 100000
      echo "--- $n waiter(s): perf bench futex requeue -t $n -q $n unpinned, waker on cpu $a, on cpu $b"
      perf bench futex requeue -s -t $n -q $n | grep Requeued
      taskset -c $a perf bench futex requeue -s -t $n -q $n | grep Requeued
      taskset -c $b perf bench futex requeue -s -t $n -q $n | grep Requeued
      ./build/peer-futex-wake-once requeue $n 200 $a 0
      ./build/peer-futex-wake-once requeue $n 10 $a 100000
      ./build/peer-futex-wake-once requeue $n 10 -1 100000
    done
  done
  echo "load at end: $(cat /proc/loadavg)"
} > $out 2>&1
