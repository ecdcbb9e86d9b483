#!/usr/bin/env bash
# Quiet measurement of ctxswitch.futex_wake_all, futex_wake_parallel and futex_lock_pi beside their peers
# (docs/METHODOLOGY.md, "Futex contention"), three rounds back to back:
# Every peer runs as ctxbench's repetitions do: 10 fresh processes (10 sessions: a new set of threads each),
# pooled. ctxbench runs 10 repetitions, each a fresh session of its threads, and pools their samples; a peer
# run as one process is one session, and a wake_parallel session settles in a fast or a slow mode
# (docs/METHODOLOGY.md, "Why `wake_parallel` moves, measured"), so one process compared one draw with ten.
# - wake_all: peers/futex_wake_once.c `all` like for like (the waker on the first CPU, the waiters round-robin
#   from the next one, no sleep before the timed call), as for futex_wake in reasons.sh: 10 processes of 200
#   rounds, the p50 of all 2000 rounds and each process's p50.
# - wake_parallel: perf bench futex wake-parallel -t N -w W (it starts fresh threads for each of its 10 runs
#   already), and the same peer like for like (10 processes of 400 rounds, pooled) once per option set of
#   PEER_LINES (wake_parallel_lib.sh: by default the plain peer, then the peer given ctxbench's round end; the
#   first set's line is `like for like`, what contention_table.py and sessions_of_runs.py read, the others
#   `like for like OPTIONS`; runs before this option ran the plain peer without serial-start), and with perf's
#   two differences (100 ms sleep before the round, nothing pinned) switched on (10 processes of 2 rounds, pooled).
# - lock_pi: peers/futex_lock_pi_loop.c (the caller and N contenders, an empty critical section, as ctxbench),
#   pinned as ctxbench's same-cpu records and unpinned, at batch 10 and 100: 10 processes of 100 ms each, the
#   median of the 10 processes' p50s (the loop prints no per-batch values) and their range.
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/contention.sh` after
# building ctxbench and the peer-futex-* targets. Output beside this script: contention.txt and
# contention_round1-3.json / .txt.
set -u
cd "$(dirname "$0")/../.."
out=results/futex
source results/quiet.sh
source results/futex/wake_parallel_lib.sh
require_built build/peer-futex-lock-pi

# sessions LABEL K CMD...: runs CMD (a peer with the `values` option) K times, each a fresh process, and prints
# the p50 of all their rounds pooled (ctxbench's p50 over its repetitions) and each process's p50, in µs.
sessions() {
  local label=$1 k=$2 i
  shift 2
  for i in $(seq "$k"); do "$@"; done > "$tmp/peer.txt"
  python3 - "$tmp/peer.txt" "$label" <<'EOF'
import statistics, sys
procs = [[float(v) for v in l.split()[1:]] for l in open(sys.argv[1]) if l.startswith("  values:")]
pooled = statistics.median_low([v for p in procs for v in p])
print(f"peer {sys.argv[2]}: {len(procs)} processes, p50 of all {sum(map(len, procs))} rounds {pooled / 1000:.2f} us;"
      " each process's p50:", " ".join(f"{statistics.median_low(p) / 1000:.1f}" for p in procs))
EOF
}

pairs="2/2 4/2 4/4 8/2 8/4 8/8"
{
  wait_quiet
  uname -r
  perf --version
  echo "commit $(git rev-parse --short HEAD), CPUs ${cpus[*]}, waker/caller on CPU $a; PEER_LINES=\"$peer_lines\""
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
    if "same-cpu" in rec["id"] and "lock_pi" not in rec["id"]:
        print("  each repetition's median (us):", " ".join(f"{x['median_ns'] / 1000:.1f}" for x in rec["repetitions"]))
EOF
    echo "--- wake_all: peer, 10 processes each (MODE WAITERS ROUNDS WAKER_CPU IDLE_US)"
    for n in 1 2 4 8; do
      sessions "all $n" 10 $peer all $n 200 $a 0 0 values
    done
    echo "--- wake_parallel: perf bench futex wake-parallel, then the peer (10 processes each) like for like,"
    echo "    with perf's 100 ms sleep, and also unpinned"
    for p in $pairs; do
      n=${p%/*}; w=${p#*/}
      echo "-- waiters $n wakers $w"
      perf bench futex wake-parallel -s -t $n -w $w | grep "Avg per-thread"
      for opts in $peer_lines; do
        label="like for like $opts"
        [[ $opts == "${peer_lines%% *}" ]] && label="like for like"
        sessions "$label" 10 $peer parallel $n 400 $a 0 $w "values,$opts"
      done
      sessions "100 ms sleep" 10 $peer parallel $n 2 $a 100000 $w values
      sessions "100 ms sleep, unpinned" 10 $peer parallel $n 2 -1 100000 $w values
    done
    echo "--- lock_pi: peer, 10 processes of 100 ms each (WAITERS MS CALLER_CPU BATCH), pinned and unpinned"
    for n in 1 2 4 8; do
      for v in "$a 10" "$a 100" "-1 10"; do
        for i in $(seq 10); do ./build/peer-futex-lock-pi $n 100 $v; done > "$tmp/pi.txt"
        python3 - "$tmp/pi.txt" "$n $v" <<'EOF'
import statistics, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("futex lock_pi loop")]
p50 = [float(l.split("caller p50 ")[1].split()[0]) for l in lines]
rate = [float(l.split("all threads ")[1].split()[0]) for l in lines]
sw = [float(l.split("acquisitions/s, ")[1].split()[0]) for l in lines]
print(f"lock_pi peer {sys.argv[2]}: {len(lines)} processes, median of their p50s {statistics.median(p50):.0f} ns"
      f" (each {min(p50):.0f}-{max(p50):.0f}); all threads {statistics.median(rate):.0f} acquisitions/s,"
      f" {statistics.median(sw):.2f} switches per acquisition (medians of the processes)")
EOF
      done
    done
  done
  echo "load at end: $(cat /proc/loadavg)"
} > $out/contention.txt 2>&1
