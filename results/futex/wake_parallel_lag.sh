#!/usr/bin/env bash
# futex_wake_parallel 8/8: does how long a woken waiter runs decide how often it preempts its waker, and does
# that explain ctxbench reading lower than the peer (docs/METHODOLOGY.md, "8/8: the waiters' run per round")?
# One round (run it three times back to back for three rounds), same-cpu placement, each line traced with
# sched:sched_switch and read per session by results/futex/wake_parallel_runtime.py (each waiter's and waker's
# time on a CPU per round, the wakers' preemptions per round):
# - ctxbench same-cpu, 10 repetitions (each a fresh process and session; R = its median samples per repetition);
# - the peer like for like: 10 processes of R rounds, serial-start (ctxbench's thread start);
# - ... with each woken waiter running SPIN ns more before it sleeps again (waiter-spin:SPIN), for each SPIN in
#   $SPINS (default "1000 2500 5000");
# - ... with ctxbench's waiter bookkeeping instead (wait-ran: each waiter counts itself, the last wakes the caller).
# Holds the machine's quiet lock (results/quiet.sh). Output appended to results/futex/wake_parallel_lag.txt.
# Variants (results/futex/wake_parallel_steps.sh): PEER_LINES replaces the peer's option sets (space-separated,
# each comma-separated); STEPS=1 also records raw_syscalls of futex and clock_gettime, so
# wake_parallel_runtime.py splits each waiter's run into steps; OUT names another output file; N and W another
# shape (default 8/8); WAKINGS=1 also records sched:sched_waking, so wake_parallel_runtime.py says where the
# wakers' wake-ups of the waiters landed (on the waker's own CPU or the other) and how often they preempted it.
set -u
cd "$(dirname "$0")/../.."
out=results/futex
source results/quiet.sh
source results/futex/wake_parallel_lib.sh
n=${N:-8}
w=${W:-8}
ev=(-e sched:sched_switch)
[[ -n ${STEPS:-} ]] && for k in enter exit; do ev+=(-e raw_syscalls:sys_$k --filter 'id == 202 || id == 228'); done
[[ -n ${WAKINGS:-} ]] && ev+=(-e sched:sched_waking)
lines=${PEER_LINES:-serial-start $(for s in ${SPINS:-1000 2500 5000}; do echo serial-start,waiter-spin:$s; done) \
  serial-start,wait-ran}
{
  wait_quiet
  echo "$(uname -r); $(perf --version); commit $(git rev-parse --short HEAD), CPUs ${cpus[*]}, caller on CPU $a"
  echo "command: N=$n W=$w STEPS=${STEPS:-} WAKINGS=${WAKINGS:-} PEER_LINES=\"$lines\" bash results/futex/wake_parallel_lag.sh (shape $n/$w)"
  echo "=== ctxbench same-cpu, 10 repetitions $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  perf record -q "${ev[@]}" -a -o "$tmp/perf.data" -- ./build/ctxbench --suite ctxswitch \
    --filter "^ctxswitch\.futex_wake_parallel/waiters:$n/wakers:$w/" --placement same --json "$tmp/cb.json" \
    > /dev/null 2>&1
  perf script -i "$tmp/perf.data" -F comm,pid,tid,cpu,time,event,trace > "$tmp/script.txt" 2> /dev/null
  read -r p50 meds rounds < <(python3 - "$tmp/cb.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"{r['statistics']['p50'] / 1000:.2f}", ",".join(f"{x['median_ns'] / 1000:.2f}" for x in r["repetitions"]),
      int(statistics.median(x["samples"] for x in r["repetitions"])))
PY
  )
  echo "  p50 $p50 us; samples per repetition (median) $rounds"
  python3 results/futex/wake_parallel_runtime.py "$tmp/script.txt" $n $w ctxbench-probe "$meds"
  for opts in $lines; do
    echo "=== peer, 10 processes of $rounds rounds, $opts $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    perf record -q "${ev[@]}" -a -o "$tmp/perf.data" -- \
      bash -c "for i in \$(seq 10); do $peer parallel $n $rounds $a 0 $w values,$opts; done" > "$tmp/peer.txt" 2> /dev/null
    perf script -i "$tmp/perf.data" -F comm,pid,tid,cpu,time,event,trace > "$tmp/script.txt" 2> /dev/null
    meds=$(python3 - "$tmp/peer.txt" <<'PY'
import statistics, sys
procs = [[float(v) for v in l.split()[1:]] for l in open(sys.argv[1]) if l.startswith("  values:")]
print(",".join(f"{statistics.median(p) / 1000:.2f}" for p in procs))
print(f"  p50 of all {sum(map(len, procs))} rounds {statistics.median_low([v for p in procs for v in p]) / 1000:.2f} us",
      file=sys.stderr)
PY
    )
    python3 results/futex/wake_parallel_runtime.py "$tmp/script.txt" $n $w peer-futex-wake "$meds"
  done
  echo "load at end: $(cat /proc/loadavg)"
} >> "${OUT:-$out/wake_parallel_lag.txt}" 2>&1
