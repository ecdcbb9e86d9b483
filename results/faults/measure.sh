#!/usr/bin/env bash
# Page faults as their own --explain phase (docs/METHODOLOGY.md, "Page faults"), on a quiet machine, as root.
# Three rounds, back to back: ctxbench --explain's faults per op of process.fork_exec.static (same-cpu), then
# its peer under perf stat (the tracepoints exceptions:page_fault_user / _kernel over a fork+exec loop of the
# same helper, peers/fork_exec_loop.c; two lengths, so the peer's own start-up cancels: per op = difference of
# the counts / difference of the iterations). Then, once, the other records whose ops fault (fork_exit, thread
# creation, ctxswitch.ws). Holds the quiet lock; waits for the 1-minute load below 0.3.
# Output: results/faults/output.txt.
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
count() {  # count ITERATIONS: "user kernel" faults of one peer run, pinned to CPU 0
  perf stat -x, -e exceptions:page_fault_user -e exceptions:page_fault_kernel -- \
    taskset -c 0 ./build/peer-fork-exec-loop ./build/ctxbench-true-static "$1" 2>&1 >/dev/null |
    awk -F, '/page_fault_user/ {u = $1} /page_fault_kernel/ {k = $1} END {print u, k}'
}
{
  for round in 1 2 3; do
    echo "== round $round"
    wait_quiet
    echo "\$ ./build/ctxbench --explain --filter '^process\.fork_exec\.static/same-cpu$' --json /tmp/faults_$round.json"
    ./build/ctxbench --explain --filter '^process\.fork_exec\.static/same-cpu$' --json /tmp/faults_$round.json >/dev/null
    python3 results/faults/summarize.py /tmp/faults_$round.json
    read -r u1 k1 <<<"$(count 200)"
    read -r u2 k2 <<<"$(count 2200)"
    echo "\$ perf stat -e exceptions:page_fault_user -e exceptions:page_fault_kernel -- taskset -c 0 ./build/peer-fork-exec-loop ./build/ctxbench-true-static N (N = 200, 2200)"
    echo "peer: 200 ops: user $u1 kernel $k1; 2200 ops: user $u2 kernel $k2"
    awk -v u1="$u1" -v u2="$u2" -v k1="$k1" -v k2="$k2" \
      'BEGIN { printf "peer per op: user %.1f kernel %.1f\n", (u2 - u1) / 2000, (k2 - k1) / 2000 }'
  done
  echo "== the other records whose ops fault"
  wait_quiet
  echo "\$ ./build/ctxbench --explain --quick --filter '^(process\.fork_exit|process\.fork_exec\.static|thread\.create_join|ctxswitch\.ws\.process/ws:[0-9]+)/(same|cross)-cpu$' --json /tmp/faults_all.json"
  ./build/ctxbench --explain --quick \
    --filter '^(process\.fork_exit|process\.fork_exec\.static|thread\.create_join|ctxswitch\.ws\.process/ws:[0-9]+)/(same|cross)-cpu$' \
    --json /tmp/faults_all.json >/dev/null
  python3 results/faults/summarize.py /tmp/faults_all.json
  echo "end: $(cat /proc/loadavg) ($(date -u +%FT%TZ))"
} > results/faults/output.txt 2>&1
