#!/usr/bin/env bash
# Quiet measurement of ctxswitch.futex_wake_all, futex_wake_parallel and futex_lock_pi beside their peers
# (docs/METHODOLOGY.md, "Futex contention"), three rounds back to back:
# - wake_all: peers/futex_wake_once.c `all` like for like (the waker on the first CPU, the waiters round-robin
#   from the next one, no sleep before the timed call), as for futex_wake in reasons.sh.
# - wake_parallel: perf bench futex wake-parallel -t N -w W, and the same peer's `parallel` mode like for like
#   and with perf's two differences (100 ms sleep before the round, nothing pinned) switched on.
# - lock_pi: peers/futex_lock_pi_loop.c (the caller and N contenders, an empty critical section, as ctxbench),
#   pinned as ctxbench's same-cpu records and unpinned, at ctxbench's batch size (about 10) and at 100.
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/contention.sh` after
# building ctxbench and the peer-futex-* targets. Output beside this script: contention.txt and
# contention_round1-3.json / .txt.
set -u
cd "$(dirname "$0")/../.."
out=results/futex
source results/quiet.sh
require_built build/ctxbench build/peer-futex-wake-once build/peer-futex-lock-pi
cpus=($(taskset -pc $$ | sed "s/.*: //" | tr ",-" "  "))
a=${cpus[0]}
pairs="2/2 4/2 4/4 8/2 8/4 8/8"
{
  wait_quiet
  uname -r
  perf --version
  for r in 1 2 3; do
    echo "=== round $r $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    ./build/ctxbench --suite ctxswitch --filter '^ctxswitch\.futex_(wake_all|wake_parallel|lock_pi)/' \
      --json $out/contention_round$r.json > $out/contention_round$r.txt 2>&1
    echo "ctxbench exit $?"
    grep -E "^\[" $out/contention_round$r.txt
    python3 - $out/contention_round$r.json <<'EOF'
import json, sys
for rec in json.load(open(sys.argv[1]))["results"]:
    m, sw = rec.get("metrics", {}), rec.get("switches_per_op", {})
    keys = ("wake_latency_ns_per_waiter", "last_waiter_latency_ns", "acquisitions_per_second", "switches_per_acquisition")
    print(rec["id"], rec["status"], " ".join(f"{k}={m[k]:.0f}" if m[k] > 10 else f"{k}={m[k]:.2f}" for k in keys if k in m),
          f"switches/op={sw.get('measured', 0):.2f}")
EOF
    echo "--- wake_all: peer (MODE WAITERS ROUNDS WAKER_CPU IDLE_US)"
    for n in 1 2 4 8; do ./build/peer-futex-wake-once all $n 200 $a 0; done
    echo "--- wake_parallel: perf bench futex wake-parallel, then the peer like for like, with perf's 100 ms sleep, and also unpinned"
    for p in $pairs; do
      n=${p%/*}; w=${p#*/}
      echo "-- waiters $n wakers $w"
      perf bench futex wake-parallel -s -t $n -w $w | grep "Avg per-thread"
      ./build/peer-futex-wake-once parallel $n 200 $a 0 $w
      ./build/peer-futex-wake-once parallel $n 10 $a 100000 $w
      ./build/peer-futex-wake-once parallel $n 10 -1 100000 $w
    done
    echo "--- lock_pi: peer (WAITERS MS CALLER_CPU BATCH), pinned and unpinned"
    for n in 1 2 4 8; do
      ./build/peer-futex-lock-pi $n 1000 $a 10
      ./build/peer-futex-lock-pi $n 1000 $a 100
      ./build/peer-futex-lock-pi $n 1000 -1 10
    done
  done
  echo "load at end: $(cat /proc/loadavg)"
} > $out/contention.txt 2>&1
