#!/usr/bin/env bash
# Why the peer's wakers were preempted more often than ctxbench's at futex_wake_parallel 8/8 (docs/METHODOLOGY.md,
# "Why `wake_parallel` moves, measured"): the method differences switched on in the peer one at a time, each
# traced (perf record of sched:sched_switch, per session by results/futex/wake_parallel_sessions.py: the wakers'
# preemptions per round and which thread came in), ROUNDS (default 2) rounds back to back, same-cpu placement:
# - ctxbench's 10 repetitions (each a fresh process and session; its sample count per repetition is taken
#   from the JSON, R);
# - the peer as before: 10 processes of 400 rounds;
# - the peer with ctxbench's session length: 10 processes of R rounds;
# - ... and with ctxbench's thread start (serial-start: each thread pinned and started before the next is
#   created, engine/os_task.cpp);
# - ... and with ctxbench's round end too (wait-ran,reads).
# Usage: bash results/futex/wake_parallel_88.sh [N/W ...] (default 8/8). Holds the machine's quiet lock
# (results/quiet.sh). Output: results/futex/wake_parallel_88.txt.
set -u
cd "$(dirname "$0")/../.."
out=results/futex
source results/quiet.sh
shapes=${*:-8/8}
source results/futex/wake_parallel_lib.sh

{
  wait_quiet
  uname -r
  perf --version
  echo "commit $(git rev-parse --short HEAD), CPUs ${cpus[*]}, waker/caller on CPU $a"
  for r in $(seq ${ROUNDS:-2}); do
    for p in $shapes; do
      n=${p%/*}
      w=${p#*/}
      echo "=== round $r, waiters $n wakers $w $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
      echo "-- ctxbench same-cpu, 10 repetitions"
      perf record -q -e sched:sched_switch -a -o "$tmp/perf.data" -- ./build/ctxbench --suite ctxswitch \
        --filter "^ctxswitch\.futex_wake_parallel/waiters:$n/wakers:$w/" --placement same --json "$tmp/cb.json" \
        > /dev/null 2>&1
      perf script -i "$tmp/perf.data" -F pid,tid,event,trace > "$tmp/script.txt" 2> /dev/null
      read -r p50 meds rounds < <(python3 - "$tmp/cb.json" <<'EOF'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"{r['statistics']['p50'] / 1000:.2f}", ",".join(f"{x['median_ns'] / 1000:.2f}" for x in r["repetitions"]),
      int(statistics.median(x["samples"] for x in r["repetitions"])))
EOF
      )
      echo "  p50 $p50 us; samples per repetition (median) $rounds"
      python3 results/futex/wake_parallel_sessions.py "$tmp/script.txt" $n $w ctxbench-probe "$meds"
      echo "-- the peer, 10 processes of 400 rounds"
      trace_peer $n $w 400
      echo "-- the peer, 10 processes of $rounds rounds (ctxbench's samples per repetition)"
      trace_peer $n $w $rounds
      echo "-- the peer, 10 processes of $rounds rounds, serial-start"
      trace_peer $n $w $rounds serial-start
      echo "-- the peer, 10 processes of $rounds rounds, serial-start,wait-ran,reads"
      trace_peer $n $w $rounds serial-start,wait-ran,reads
    done
  done
  echo "load at end: $(cat /proc/loadavg)"
} > $out/wake_parallel_88.txt 2>&1
