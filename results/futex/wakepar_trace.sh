#!/usr/bin/env bash
# What `perf bench futex wake-parallel -t 8 -w 8`'s slow runs spend their time on (docs/METHODOLOGY.md, "perf's
# `wake-parallel` figure against the peer given its thread life"), as wake8_perf.sh did for `wake -t 8`: three rounds
# back to back, each: perf (RUNS runs, default 30), perf again under a system-wide `perf record` of the scheduler's
# switches, wakes, new threads and exits and of every futex call, split by wakepar_trace.py into each waker's timed
# FUTEX_WAKE and what ran on its CPU while it was off it; then the peer with perf's whole thread life
# (peers/futex_wake_once.c `parallel ... exit,fresh-wakers`, perf's placement and 100 ms sleep), untraced and traced
# the same way. The untraced lines keep wakepar_perf.sh's form, so wakepar_modes.py splits them; the traced runs' own
# figures are in wakepar_trace.py's table, so traced against untraced says what the trace costs.
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/wakepar_trace.sh` after building
# the peer-futex-wake-once target. Output: results/futex/wakepar_trace.txt (OUT names another). KEEP=DIR keeps each
# trace's text (gzip) and the tool's output there, numbered in order, for wakepar_trace.py to read again.
set -u
cd "$(dirname "$0")/../.." && source results/quiet.sh && require_built build/peer-futex-wake-once
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
runs=${RUNS:-30}
events=sched:sched_switch,sched:sched_waking,sched:sched_wakeup_new,sched:sched_process_exit
events+=,syscalls:sys_enter_futex,syscalls:sys_exit_futex
peer="./build/peer-futex-wake-once parallel 8 $runs -1 100000 8 values,detail,exit,fresh-wakers"
# traced CMD: runs CMD (its process prints its pid first) under the trace and splits its runs.
traced() {
  echo "--- traced: perf record -a -e $events -- $1"
  perf record -q -a -e "$events" -o "$tmp/sched.data" -- sh -c "echo pid \$\$; exec $1" > "$tmp/traced.txt" 2>&1
  grep -iE "lost|warn" "$tmp/traced.txt"
  perf script -i "$tmp/sched.data" -F pid,tid,cpu,time,event,trace 2>/dev/null > "$tmp/sched.txt"
  if [[ -n ${KEEP:-} ]]; then
    mkdir -p "$KEEP" && n=$(find "$KEEP" -name 'sched_*' | wc -l)
    gzip -c "$tmp/sched.txt" > "$KEEP/sched_$n.txt.gz" && cp "$tmp/traced.txt" "$KEEP/tool_$n.txt"
    echo "  kept as $KEEP/sched_$n.txt.gz, $KEEP/tool_$n.txt"
  fi
  python3 results/futex/wakepar_trace.py "$tmp/sched.txt" "$(awk '/^pid / { print $2; exit }' "$tmp/traced.txt")" \
    "$tmp/traced.txt"
}
{
  wait_quiet
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- peers results/futex || echo ' (with uncommitted changes)')"
  uname -r
  perf --version
  for r in 1 2 3; do
    echo "=== round $r shape 8/8 $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    echo "--- perf bench --repeat $runs futex wake-parallel -t 8 -w 8: its runs, its figure (their mean)"
    perf bench --repeat "$runs" futex wake-parallel -t 8 -w 8 | grep -E "latency"
    traced "perf bench --repeat $runs futex wake-parallel -t 8 -w 8"
    echo "\$ ${peer#./build/}"
    $peer
    traced "$peer"
  done
  echo "load at end: $(cat /proc/loadavg)"
} > "${OUT:-results/futex/wakepar_trace.txt}" 2>&1
