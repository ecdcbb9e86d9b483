#!/usr/bin/env bash
# Time taken from a spinning task that the guest kernel does not see (docs/METHODOLOGY.md, "The tail,
# explained"): build/peer-host-gaps spins on CPU 0, then CPU 1, then CPU 1 with a second spinner keeping CPU 0
# busy, SECONDS each (default 20), and prints every gap of 2 us or more between two clock reads, while perf
# records (on the peer's clock, -k mono) every guest event on that CPU that can take time from it (interrupt
# vectors and handlers, softirqs, switches, page faults, NMIs); host_gaps.py lays the events over the gaps.
# A gap with no event inside is time the guest could not name: the hypothesis for the unnamed rest of a quiet
# tail (results/tail/rounds.txt). As root; holds the quiet lock, waits for load below 0.3 before each step.
# Output: results/tail/host_gaps.txt.
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built ./build/peer-host-gaps
command -v perf >/dev/null || { echo "host_gaps.sh: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
seconds=${1:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  git log -1 --format='commit %h %cI'
  # CPU 0 alone, CPU 1 alone, then CPU 1 while a second spinner keeps CPU 0 busy (the cross-cpu ping-pong's
  # case: both vCPUs running at once).
  for step in 0 1 1+0; do
    cpu=${step%%+*}
    wait_quiet
    if [[ $step == *+* ]]; then
      ./build/peer-host-gaps "${step#*+}" "$((seconds + 2))" 2000 >/dev/null &
      echo "(a second spinner on CPU ${step#*+} meanwhile)"
    fi
    echo "\$ perf record -k mono -C $cpu -e (guest events) -- ./build/peer-host-gaps $cpu $seconds 2000"
    perf record -q -k mono -C "$cpu" -e 'irq_vectors:*_entry' -e irq:irq_handler_entry -e irq:softirq_entry \
      -e 'exceptions:page_fault_*' -e sched:sched_switch -e nmi:nmi_handler -o "$work/perf.data" \
      -- ./build/peer-host-gaps "$cpu" "$seconds" 2000 > "$work/gaps.$cpu"
    tail -1 "$work/gaps.$cpu"
    perf script -i "$work/perf.data" -F time,event --ns > "$work/events.$cpu" 2>/dev/null
    python3 results/tail/host_gaps.py "$cpu" "$work/gaps.$cpu" "$work/events.$cpu"
    wait
  done
} > results/tail/host_gaps.txt 2>&1
