#!/usr/bin/env python3
"""Reads `perf script -F pid,tid,time,event,trace` text of sched:sched_switch and sched:sched_waking events recorded
over one `perf bench futex wake -t N` (results/futex/wake8_perf.sh) and counts, per repetition, how often perf's main
thread (the waker, tid == pid) was preempted inside its timed loop: from its first event after its 100 ms sleep
(a sleep ended by its next event at least 50 ms later) until it has woken N waiters, plus a preemption that comes
right after the Nth wake (the syscall's return, before perf's closing gettimeofday). The peer counts the same with
its `detail` option (getrusage). Usage: wake8_preempt.py PERF_SCRIPT_TEXT N"""
import re
import sys

LINE = re.compile(r"^\s*(\d+)/(\d+)\s+([\d.]+):\s+sched:(sched_switch|sched_waking):(.*)$")
path, n = sys.argv[1], int(sys.argv[2])
main = [(float(t), ev, rest) for pid, tid, t, ev, rest in
        (m.groups() for m in map(LINE.match, open(path)) if m) if pid == tid]
per_rep, i = [], 0
while i < len(main) - 1:
    t, ev, rest = main[i]
    long_sleep = ev == "sched_switch" and "prev_state=S" in rest and main[i + 1][0] - t >= 0.05
    i += 1
    if not long_sleep:
        continue
    woken = preempted = 0
    while i < len(main) and woken < n:
        ev, rest = main[i][1], main[i][2]
        woken += ev == "sched_waking"
        preempted += ev == "sched_switch" and "prev_state=R" in rest
        i += 1
    if i < len(main) and main[i][1] == "sched_switch" and "prev_state=R" in main[i][2]:
        preempted += 1
    per_rep.append(preempted)
print(f"perf's waker preempted inside its timed loop: {per_rep} in {len(per_rep)} repetitions "
      f"({sum(per_rep) / max(len(per_rep), 1):.2f} per repetition)")
