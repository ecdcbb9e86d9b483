#!/usr/bin/env bash
# Usage: OUT=/tmp/dir peers/explain_vs_perf.sh  (as root, from the repository, after ./setup.sh); then
#   peers/perf_wake_to_run.py $OUT/peer-perf-1.data ctxbench-probe   (and the same for the -explain JSON files)
# Back to back, three times: ctxbench --explain's wake-to-run vs perf sched record's (waking to switch-in
# from perf's own events) on the same workload (ctxbench's pipe ping-pong), same-cpu and cross-cpu; and
# perf bench sched pipe pinned to CPU 0 under perf sched record.
cd "$(dirname "$0")/.." && mkdir -p "${OUT:-/tmp/explain-vs-perf}"
source results/quiet.sh  # the machine's quiet lock, and wait_quiet
wait_quiet
for i in 1 2 3; do
  ./build/ctxbench --explain --filter '^ctxswitch\.pipe\.process/(same|cross)-cpu$' --json ${OUT:-/tmp/explain-vs-perf}/peer-explain-$i.json > ${OUT:-/tmp/explain-vs-perf}/peer-explain-$i.txt 2>&1
  perf sched record -q -o ${OUT:-/tmp/explain-vs-perf}/peer-perf-$i.data -- ./build/ctxbench --filter '^ctxswitch\.pipe\.process/same-cpu$' > ${OUT:-/tmp/explain-vs-perf}/peer-perf-$i-same.txt 2>&1
  perf sched record -q -o ${OUT:-/tmp/explain-vs-perf}/peer-perfx-$i.data -- ./build/ctxbench --filter '^ctxswitch\.pipe\.process/cross-cpu$' > ${OUT:-/tmp/explain-vs-perf}/peer-perf-$i-cross.txt 2>&1
  perf sched record -q -o ${OUT:-/tmp/explain-vs-perf}/peer-bench-$i.data -- taskset -c 0 perf bench sched pipe -l 20000 > ${OUT:-/tmp/explain-vs-perf}/peer-bench-$i.txt 2>&1
done
echo "end: $(uptime)"
