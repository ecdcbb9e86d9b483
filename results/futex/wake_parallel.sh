#!/usr/bin/env bash
# Why ctxswitch.futex_wake_parallel and peers/futex_wake_once.c `parallel` disagree round to round
# (docs/METHODOLOGY.md, "Futex contention", the wake_parallel paragraph), three rounds back to back:
# - ctxbench's same-cpu records, with each repetition's median (a repetition is a fresh set of waiter and waker
#   threads: one session) beside the pooled p50;
# - the peer like for like (waker on the first CPU, waiters then wakers round-robin from the next, no sleep),
#   run as 10 processes of 400 rounds (10 sessions, as ctxbench's 10 repetitions): each process's p50 and the
#   p50 of all 4000 rounds; and the same built with -DPEER_PACKED (its shared words and the wakers' results on
#   shared cache lines, as the peer was before);
# - the peer with `detail`: per round, how many wakers were preempted inside their timed call (their
#   involuntary switch count, getrusage RUSAGE_THREAD, read before and after the call), and the p50 of the
#   rounds with and without; and with `idle-waiters` too: the waiters SCHED_IDLE, so none preempts a waker;
# - the peer with ctxbench's round end copied (`wait-ran,reads`: the caller sleeps until every woken waiter ran,
#   then reads every thread's /proc stat, as ctxbench's runner does after each one-round sample).
# Then, traced once (perf record of sched:sched_switch, counted by results/futex/wake_parallel_sessions.py):
# per session of ctxbench and of the peer, the wakers' preemptions per round beside the session's median.
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/wake_parallel.sh` after
# building ctxbench and peer-futex-wake-once. Output: results/futex/wake_parallel.txt.
set -u
cd "$(dirname "$0")/../.."
out=results/futex
source results/quiet.sh
source results/futex/wake_parallel_lib.sh
cc -O2 -DPEER_PACKED -o "$tmp/peer-packed" peers/futex_wake_once.c -lpthread || exit 2
pairs="2/2 4/2 4/4 8/2 8/4 8/8"

# The p50 of all rounds of the peer processes in $1 and each process's p50, in µs.
peer_summary() {
  python3 - "$1" <<'EOF'
import statistics, sys
procs = [[float(v) for v in l.split()[1:]] for l in open(sys.argv[1]) if l.startswith("  values:")]
pooled = statistics.median_low([v for p in procs for v in p])
print(f"p50 of all {sum(map(len, procs))} rounds {pooled / 1000:.2f} us; each process's p50:",
      " ".join(f"{statistics.median_low(p) / 1000:.1f}" for p in procs))
EOF
}

# Each same-cpu record's pooled p50 and its repetitions' medians, in µs (the repetitions' medians only with -m,
# comma-separated, for wake_parallel_sessions.py).
cb_summary() {
  python3 - "$@" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    reps = [x["median_ns"] / 1000 for x in r["repetitions"]]
    if len(sys.argv) > 2:
        print(",".join(f"{m:.2f}" for m in reps))
    else:
        print(f"{r['id']} {r['status']} p50 {r['statistics']['p50'] / 1000:.2f} us; each repetition's median:",
              " ".join(f"{m:.1f}" for m in reps))
EOF
}

{
  wait_quiet
  uname -r
  perf --version
  echo "commit $(git rev-parse --short HEAD), CPUs ${cpus[*]}, waker/caller on CPU $a"
  for r in 1 2 3; do
    echo "=== round $r $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    ./build/ctxbench --suite ctxswitch --filter '^ctxswitch\.futex_wake_parallel/' --placement same \
      --json "$tmp/cb.json" > "$tmp/cb.txt" 2>&1
    echo "ctxbench exit $?"
    cb_summary "$tmp/cb.json"
    for p in $pairs; do
      n=${p%/*}
      w=${p#*/}
      echo "-- waiters $n wakers $w"
      for i in $(seq 10); do $peer parallel $n 400 $a 0 $w values; done > "$tmp/peer.txt"
      echo "peer: $(peer_summary "$tmp/peer.txt")"
      for i in $(seq 10); do "$tmp/peer-packed" parallel $n 400 $a 0 $w values; done > "$tmp/peer.txt"
      echo "peer -DPEER_PACKED: $(peer_summary "$tmp/peer.txt")"
      for i in $(seq 10); do $peer parallel $n 400 $a 0 $w values,wait-ran,reads; done > "$tmp/peer.txt"
      echo "peer wait-ran,reads: $(peer_summary "$tmp/peer.txt")"
      for i in $(seq 3); do $peer parallel $n 400 $a 0 $w detail,wait-ran,reads | grep -E "^futex|detail" | sed -E \
        's/^futex parallel once: .* rounds, (p50 [0-9]+ ns), .*/peer detail,wait-ran,reads: \1/'; done
      for i in $(seq 5); do $peer parallel $n 400 $a 0 $w detail | grep -E "^futex|detail" | sed -E \
        's/^futex parallel once: .* rounds, (p50 [0-9]+ ns), .*/peer detail: \1/'; done
      for i in $(seq 5); do $peer parallel $n 400 $a 0 $w detail,idle-waiters | grep -E "^futex|detail" | sed -E \
        's/^futex parallel once: .* rounds, (p50 [0-9]+ ns), .*/peer detail,idle-waiters: \1/'; done
    done
  done
  echo "=== traced: perf record -e sched:sched_switch -a, per session $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  for p in 4/2 8/2 8/8; do
    n=${p%/*}
    w=${p#*/}
    echo "-- waiters $n wakers $w: ctxbench same-cpu"
    perf record -q -e sched:sched_switch -a -o "$tmp/perf.data" -- ./build/ctxbench --suite ctxswitch \
      --filter "^ctxswitch\.futex_wake_parallel/waiters:$n/wakers:$w/" --placement same --json "$tmp/cb.json" \
      > /dev/null 2>&1
    perf script -i "$tmp/perf.data" -F pid,tid,event,trace > "$tmp/script.txt" 2> /dev/null
    cb_summary "$tmp/cb.json"
    python3 results/futex/wake_parallel_sessions.py "$tmp/script.txt" $n $w ctxbench-probe "$(cb_summary "$tmp/cb.json" -m)"
    echo "-- waiters $n wakers $w: the peer, 10 processes"
    trace_peer $n $w 400
    echo "-- waiters $n wakers $w: the peer with wait-ran,reads (ctxbench's round end), 10 processes"
    trace_peer $n $w 400 wait-ran,reads
  done
  echo "load at end: $(cat /proc/loadavg)"
} > $out/wake_parallel.txt 2>&1
