#!/usr/bin/env bash
# Quiet measurement of the futex2 ping-pong and the futex contention family (docs/METHODOLOGY.md, "Futex
# contention") beside their peers: perf bench futex wake / wake-parallel / requeue / lock-pi and
# peers/futex_waitv_pingpong.c, three rounds back to back. Holds the machine's quiet lock for the whole run
# and starts only once the 1-minute load is below 0.3. Run from anywhere; output beside this script.
set -u
cd "$(dirname "$0")/../.."
out=results/futex
source results/quiet.sh
[[ -x build/peer-futex-waitv ]] || { echo "measure.sh: build/peer-futex-waitv is missing: build it first" >&2; exit 2; }
cpus=($(taskset -pc $$ | sed "s/.*: //" | tr ",-" "  "))
a=${cpus[0]}; b=${cpus[-1]}
{
  wait_quiet
  date -u
  perf --version
  uname -r
} > $out/peers.txt
for r in 1 2 3; do
  ./build/ctxbench --suite ctxswitch \
    --filter '^ctxswitch\.(futex|futex_waitv)\.thread/|^ctxswitch\.futex_(wake|wake_all|requeue|lock_pi)/' \
    --json $out/round$r.json > $out/round$r.txt 2>&1
  echo "round $r: ctxbench exit $?" >> $out/peers.txt
  {
    echo "=== round $r $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    for n in 1 2 4 8; do
      echo "--- waiters $n"
      perf bench futex wake -s -t $n -w 1         # one at a time: ctxswitch.futex_wake/waiters:N
      perf bench futex wake -s -t $n -w $n        # all at once: ctxswitch.futex_wake_all/waiters:N
      perf bench futex wake-parallel -s -t $n -w 1
      perf bench futex requeue -s -t $n -q $n     # all requeued in one call: ctxswitch.futex_requeue/waiters:N
      perf bench futex lock-pi -s -t $((n + 1)) -r 2  # the caller and N waiters: ctxswitch.futex_lock_pi/waiters:N
    done
    echo "--- futex_waitv ping-pong (ctxswitch.futex_waitv.thread)"
    ./build/peer-futex-waitv 200000 $a $a
    ./build/peer-futex-waitv 50000 $a $b
    ./build/peer-futex-waitv 20000 $a $b 0 1  # ctxbench's sampling: one round trip, then a /proc read (reasons.sh)
    ./build/peer-futex-waitv 50000
  } >> $out/peers.txt 2>&1
done
echo "load at end: $(cat /proc/loadavg)" >> $out/peers.txt
