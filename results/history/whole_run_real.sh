#!/usr/bin/env bash
# A real change that moves every record: the kernel's syscall and scheduler tracepoints switched on (every
# system call and every switch or wake-up then writes an event into the trace ring buffer, as a tracer left
# running on a fleet machine does), between plain runs. Back to back under the quiet lock:
#   plain-1, traced-1, traced-2 (raw_syscalls:* and sched:* enabled in /sys/kernel/tracing), plain-2
#   results/history/whole_run_real.sh OUT     (OUT: where the run files go; root, tracefs)
# then, against a store of the same build's A/A runs (docs/METHODOLOGY.md, "The whole run's verdict"):
#   build/ctxbench history check --store STORE OUT/traced-1.json OUT/traced-2.json
#   build/ctxbench history check --store STORE OUT/plain-1.json OUT/plain-2.json
set -u
out=${1:?usage: whole_run_real.sh OUT}
mkdir -p "$out"
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built build/ctxbench
T=/sys/kernel/tracing
[[ -d $T/events ]] || mount -t tracefs nodev "$T"
events=("$T/events/raw_syscalls/enable" "$T/events/sched/enable")
set_events() { local e; for e in "${events[@]}"; do echo "$1" > "$e"; done; }
trap 'set_events 0' EXIT  # never leave the tracepoints on, whatever stops the script
run() {
  build/ctxbench --json "$out/$1.json" --label "kvm2 $1" > "$out/$1.txt" 2> "$out/$1.err"
  echo "$1 rc=$? $(date -Is) load $(cat /proc/loadavg)" >> "$out/log"
}
wait_quiet >> "$out/log"
run plain-1
set_events 1
echo "tracepoints on: raw_syscalls sched ($(date -Is)); tracing_on $(cat $T/tracing_on)" >> "$out/log"
run traced-1
run traced-2
set_events 0
echo "tracepoints off ($(date -Is))" >> "$out/log"
run plain-2
echo "done $(date -Is)" >> "$out/log"
