# Sourced by the futex_wake_parallel scripts (wake_parallel.sh, wake_parallel_30.sh, wake_parallel_88.sh,
# contention.sh) after results/quiet.sh, from the repository root: a temporary directory ($tmp, removed at exit),
# this shell's CPUs ($cpus, the first one $a: the caller's and waker's CPU, as ctxbench's same-cpu records), the
# peer ($peer), its option sets ($peer_lines) and trace_peer.
require_built build/ctxbench build/peer-futex-wake-once
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cpus=($(taskset -pc $$ | sed "s/.*: //" | tr ",-" "  "))
a=${cpus[0]}
peer=./build/peer-futex-wake-once
# The peer's option sets for futex_wake_parallel, each run as its own side (PEER_LINES overrides: space-separated,
# each a comma-separated set added to `values`): the plain peer with ctxbench's thread start (serial-start), and
# the same given ctxbench's round end (wait-ran,stamp), without which the peer reads 8/4 lower
# (docs/METHODOLOGY.md, "8/4 and 4/4: ctxbench's round end").
peer_lines=${PEER_LINES:-serial-start serial-start,wait-ran,stamp}

# trace_peer N W ROUNDS [OPTIONS]: 10 peer processes of N waiters, W wakers and ROUNDS rounds (like for like,
# options added to `values`) under perf record of sched:sched_switch; prints the p50 of all their rounds, then
# per session (results/futex/wake_parallel_sessions.py) the wakers' preemptions per round beside its p50.
trace_peer() {
  perf record -q -e sched:sched_switch -a -o "$tmp/perf.data" -- \
    bash -c "for i in \$(seq 10); do $peer parallel $1 $3 $a 0 $2 values${4:+,$4}; done" > "$tmp/peer.txt" 2> /dev/null
  perf script -i "$tmp/perf.data" -F pid,tid,event,trace > "$tmp/script.txt" 2> /dev/null
  local meds
  meds=$(grep "rounds, p50" "$tmp/peer.txt" | sed -E 's/.* rounds, p50 ([0-9]+) ns.*/\1/' |
    awk '{printf "%s%.2f", (NR > 1 ? "," : ""), $1 / 1000}')
  python3 - "$tmp/peer.txt" <<'PY'
import statistics, sys
procs = [[float(v) for v in l.split()[1:]] for l in open(sys.argv[1]) if l.startswith("  values:")]
print(f"  p50 of all {sum(map(len, procs))} rounds {statistics.median_low([v for p in procs for v in p]) / 1000:.2f} us")
PY
  python3 results/futex/wake_parallel_sessions.py "$tmp/script.txt" $1 $2 peer-futex-wake "$meds"
}
