"""Issue 23: events the kernel delivers for PID 1's threads, against how often those threads were switched out.

count.py BEFORE AFTER PERF_SCRIPT [FTRACE]
BEFORE/AFTER: "tid comm nr_switches" per thread of PID 1 (/proc/1/task/*/sched), around the recording.
PERF_SCRIPT: `perf script --ns -F tid,cpu,time,event,trace` of a system-wide recording.
FTRACE: a tracefs instance's `trace` with sched:sched_switch enabled over the same time (optional).
Prints, per thread: switches out by the kernel's own counter, sched_switch events with it as prev and as
next (perf, and ftrace), and perf events of any kind in its context (common_pid: system calls, timer ticks).
"""
import collections
import re
import sys


def snapshot(path):
    out = {}
    for line in open(path):
        tid, comm, n = line.split()
        out[int(tid)] = (comm, int(n))
    return out


SWITCH = re.compile(r"prev_pid=(\d+) .*next_pid=(\d+)")


def perf_counts(path):
    prev, nxt, context = collections.Counter(), collections.Counter(), collections.Counter()
    total = collections.Counter()
    for line in open(path):
        f = line.split()
        if len(f) < 4:
            continue
        tid = int(f[0])
        event = next((x for x in f if x.endswith(":") and ":" in x[:-1]), "")
        total[event] += 1
        context[(tid, event)] += 1
        m = SWITCH.search(line)
        if m and event.startswith("sched:sched_switch"):
            prev[int(m.group(1))] += 1
            nxt[int(m.group(2))] += 1
    return prev, nxt, context, total


def ftrace_counts(path):
    prev, nxt = collections.Counter(), collections.Counter()
    for line in open(path):
        m = SWITCH.search(line)
        if m and "sched_switch:" in line:
            prev[int(m.group(1))] += 1
            nxt[int(m.group(2))] += 1
    return prev, nxt


def main():
    before, after = snapshot(sys.argv[1]), snapshot(sys.argv[2])
    prev, nxt, context, total = perf_counts(sys.argv[3])
    fprev, fnxt = ftrace_counts(sys.argv[4]) if len(sys.argv) > 4 else (None, None)
    print("perf events recorded, by event:", dict(total))
    events = sorted(total)
    head = "tid  comm              switched out (kernel counter)  perf prev=  perf next="
    if fprev is not None:
        head += "  ftrace prev=  ftrace next="
    head += "  perf events in its context (" + ", ".join(events) + ")"
    print(head)
    for tid in sorted(after):
        comm, n1 = after[tid]
        n0 = before.get(tid, (comm, 0))[1]
        row = f"{tid:<4} {comm:<17} {n1 - n0:>29}  {prev[tid]:>10}  {nxt[tid]:>10}"
        if fprev is not None:
            row += f"  {fprev[tid]:>12}  {fnxt[tid]:>12}"
        row += "  " + " ".join(str(context[(tid, e)]) for e in events)
        print(row)
    others = sum(v for (t, e), v in context.items() if t not in after)
    print(f"perf events in the context of other tasks: {others}")


main()
