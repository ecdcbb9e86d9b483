#!/usr/bin/env bash
# Issue 23: why no switch out of PID 1's threads (this VM's agent, `tokio-rt-worker`) reaches ctxbench's BPF
# program. Asks two other consumers of the same tracepoint, perf (perf_event) and a tracefs instance (ftrace),
# for 10 s of an otherwise idle machine, beside the threads' own switch counters (/proc/1/task/*/sched
# nr_switches: switches out, counted by the scheduler itself); then perf beside a traced ctxbench pass, against
# the pass's dump (CTXBENCH_EXPLAIN_DUMP). As root; holds the quiet lock. Output: kernel_side_output.txt.
# Usage: kernel_side.sh [FILTER]   (FILTER: the --explain run's --filter, default ctxswitch.ring/tasks:16/unpinned)
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built ./build/ctxbench
filter=${1:-'^ctxswitch\.ring/tasks:16/unpinned$'}
out=results/explain_switches
tmp=/tmp/ctxbench_i23_switches
rm -rf "$tmp" && mkdir -p "$tmp"
snap() { for t in /proc/1/task/*; do echo "$(basename "$t") $(cat "$t/comm" | tr ' ' _) $(awk '/^nr_switches/ {print $3}' "$t/sched")"; done; }
inst=/sys/kernel/tracing/instances/ctxbench_i23
{
  git log -1 --format='commit %h %cI'
  uname -r
  wait_quiet
  echo "## 1. 10 s, nothing of ours running: the kernel's counter, perf, ftrace"
  echo "\$ perf record -a -k CLOCK_MONOTONIC -e sched:sched_switch -e raw_syscalls:sys_enter -e irq_vectors:local_timer_entry -- sleep 10   (and a tracefs instance with sched_switch on)"
  mkdir "$inst" && echo 1 >"$inst/events/sched/sched_switch/enable"
  snap >"$tmp/before.txt"
  perf record -q -a -k CLOCK_MONOTONIC -e sched:sched_switch -e raw_syscalls:sys_enter \
    -e irq_vectors:local_timer_entry -o "$tmp/idle.data" -- sleep 10
  snap >"$tmp/after.txt"
  echo 0 >"$inst/events/sched/sched_switch/enable"
  cat "$inst/trace" >"$tmp/ftrace.txt"
  rmdir "$inst"
  perf script -i "$tmp/idle.data" --ns -F tid,cpu,time,event,trace >"$tmp/idle.txt" 2>/dev/null
  python3 $out/count.py "$tmp/before.txt" "$tmp/after.txt" "$tmp/idle.txt" "$tmp/ftrace.txt"
  echo
  echo "## 2. perf beside a traced pass: the dump's switches against perf's"
  wait_quiet
  tids=$(ls /proc/1/task | paste -sd,)
  echo "\$ CTXBENCH_EXPLAIN_DUMP=D perf record -a -k CLOCK_MONOTONIC -e sched:sched_switch -- ./build/ctxbench --explain --filter '$filter' --json J"
  CTXBENCH_EXPLAIN_DUMP="$tmp/dump.txt" perf record -q -a -k CLOCK_MONOTONIC -e sched:sched_switch -o "$tmp/pass.data" -- \
    ./build/ctxbench --explain --filter "$filter" --json "$tmp/pass.json" >"$tmp/pass_console.txt" 2>&1
  echo "exit status $?"
  perf script -i "$tmp/pass.data" --ns -F tid,cpu,time,event,trace >"$tmp/pass.txt" 2>/dev/null
  python3 -c 'import json,sys; [print(r["id"], "inferred_switches", r["explain"].get("inferred_switches")) for r in json.load(open(sys.argv[1]))["results"] if "explain" in r]' "$tmp/pass.json"
  python3 $out/compare.py "$tmp/dump.txt" "$tmp/pass.txt" "$tids"
} >$out/kernel_side_output.txt 2>&1
