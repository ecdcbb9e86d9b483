#!/usr/bin/env bash
# The tail breakdown (docs/METHODOLOGY.md, "The tail, explained") on a quiet machine, as root: the pipe and
# tcp ping-pongs and fork+exec, then the same-cpu pipe ping-pong with stress-ng pinned to its CPU (the
# provoked cause). Holds the quiet lock; waits for the 1-minute load below 0.3. Output: results/tail/output.txt.
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
{
  wait_quiet
  ./build/ctxbench --explain --quick --filter '^ctxswitch\.pipe\.process/(same|cross)-cpu$' --json /tmp/tail_quiet.json
  stress-ng --cpu 1 --taskset 0 --timeout 60s >/dev/null 2>&1 & s=$!
  sleep 1
  ./build/ctxbench --explain --quick --filter '^ctxswitch\.pipe\.process/same-cpu$' --json /tmp/tail_stress.json
  kill $s; wait $s
  wait_quiet
  ./build/ctxbench --explain --quick --filter '^ipc\.tcp\.process/size:64/(same|cross)-cpu$|^process\.fork_exec\.static/same-cpu$' --json /tmp/tail_more.json
} > results/tail/output.txt 2>&1
