#!/usr/bin/env python3
"""Reads `perf script -F tid,cpu,time,event,trace` text of system-wide (perf record -a) sched:sched_switch and
sched:sched_waking events recorded over one run of `perf bench futex wake -t N` or of peers/futex_wake_once.c wake
(results/futex/wake8_perf.sh) and splits each repetition's timed loop of the waker (thread WAKER, the process's main
thread): it starts at the waker's first wake after its 100 ms sleep (a sleep that lasts at least 50 ms) and ends at
its Nth wake, or where the waker is back on a CPU if it was preempted right after that wake (the syscall's return,
before the closing clock read). Prints per repetition: that window, how often the waker was preempted inside it and
how long it was off its CPU then (what ran instead: the woken waiters). Usage: wake8_preempt.py TEXT WAKER N"""
import re
import statistics
import sys

LINE = re.compile(r"^\s*(-?\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(sched_switch|sched_waking):(.*)$")
PREV, NEXT = re.compile(r"prev_pid=(\d+) .*prev_state=(\S+)"), re.compile(r"next_pid=(\d+)")
path, waker, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
events = []  # (time s, kind) of the waker: "wake", "sleep", "preempted", "in"
for m in map(LINE.match, open(path)):
    if not m:
        continue
    tid, _, t, ev, rest = m.groups()
    if ev == "sched_waking":
        if tid == waker:
            events.append((float(t), "wake"))
        continue
    prev = PREV.search(rest)
    if prev.group(1) == waker:
        events.append((float(t), "preempted" if prev.group(2).startswith("R") else "sleep"))
    if NEXT.search(rest).group(1) == waker:
        events.append((float(t), "in"))


def repetition(evs, i):
    """Splits the timed loop that starts at evs[i] (the first wake): (window us, preemptions, us off CPU), next i."""
    start, woken, preempted, off, out_at = evs[i][0], 0, 0, 0.0, None
    while i < len(evs):
        t, kind = evs[i]
        i += 1
        if kind == "preempted":
            preempted, out_at = preempted + 1, t
        elif kind == "in" and out_at is not None:
            off, out_at = off + t - out_at, None
            if woken == n:  # preempted at the Nth wake's return: back on a CPU ends the window
                return ((t - start) * 1e6, preempted, off * 1e6), i
        elif kind == "wake":
            woken += 1
            if woken == n and not (i < len(evs) and evs[i][1] == "preempted"):
                return ((t - start) * 1e6, preempted, off * 1e6), i
    return None, i


reps, i = [], 1
while i < len(events):
    if events[i - 1][1] == "sleep" and events[i][0] - events[i - 1][0] >= 0.05:
        while i < len(events) and events[i][1] != "wake":
            i += 1
        if i == len(events):
            break
        rep, i = repetition(events, i)
        if rep:
            reps.append(rep)
    i += 1
print(f"{len(reps)} repetitions; per repetition (window us, preemptions, us off CPU):",
      " ".join(f"({w:.0f}, {p}, {o:.0f})" for w, p, o in reps))
if reps:
    print(f"  median window {statistics.median(r[0] for r in reps):.0f} us, median off CPU "
          f"{statistics.median(r[2] for r in reps):.0f} us, {statistics.mean(r[1] for r in reps):.2f} preemptions")
