"""Issue 23: the switches our BPF program recorded (CTXBENCH_EXPLAIN_DUMP) against perf's sched:sched_switch
over the same traced passes.

compare.py DUMP PERF_SCRIPT TIDS
DUMP: the dump's text (src/explain_pass.cpp, dump_pass). PERF_SCRIPT: `perf script --ns -F tid,cpu,time,event,trace`
of a `perf record -a -k CLOCK_MONOTONIC -e sched:sched_switch` around the run (perf's clock is the dump's).
TIDS: comma-separated threads (PID 1's).
For each break in the dump's chain of switches on a CPU (the next recorded switch's prev is not the task the
last one put in), prints perf's switches on that CPU in between; then both tools' counts for TIDS as prev and
next inside the passes.
"""
import collections
import re
import sys

SWITCH = re.compile(r"^\s*(\d+)\s+\[(\d+)\]\s+(\d+)\.(\d+):\s+sched:sched_switch:.*prev_pid=(\d+) .*next_pid=(\d+)")


def dump_passes(path):
    passes = []  # (name, [(ts, cpu, prev, next)])
    for line in open(path):
        if line[0] == "P":
            passes.append((line.split()[1], []))
        elif line[0] == "E":
            _, ts, kind, cpu, tid, other, _arg = line.split()
            if kind == "5":
                passes[-1][1].append((int(ts), int(cpu), int(tid), int(other)))
    return passes


def perf_switches(path):
    out = collections.defaultdict(list)  # cpu -> [(ts, prev, next)]
    for line in open(path):
        m = SWITCH.match(line)
        if m:
            ts = int(m.group(3)) * 10**9 + int(m.group(4).ljust(9, "0")[:9])
            out[int(m.group(2))].append((ts, int(m.group(5)), int(m.group(6))))
    return out


def main():
    passes = dump_passes(sys.argv[1])
    perf = perf_switches(sys.argv[2])
    tids = {int(t) for t in sys.argv[3].split(",")}
    breaks = with_perf = 0
    ours = collections.Counter()
    theirs = collections.Counter()
    for name, sw in passes:
        if not sw:
            continue
        lo, hi = sw[0][0], sw[-1][0]
        for cpu, lst in perf.items():
            for ts, p, n in lst:
                if lo <= ts <= hi:
                    theirs["prev"] += p in tids
                    theirs["next"] += n in tids
        last = {}
        for ts, cpu, p, n in sw:
            ours["prev"] += p in tids
            ours["next"] += n in tids
            if cpu in last and last[cpu][1] != p:
                breaks += 1
                t0, was = last[cpu]
                between = [x for x in perf.get(cpu, []) if t0 - 20_000 <= x[0] <= ts + 20_000]
                with_perf += any(x[1] == was for x in between)
                print(f"{name} cpu {cpu}: dump put in {was} at {t0}, next recorded switch {p}->{n} at {ts} "
                      f"(+{(ts - t0) / 1e3:.1f} us); perf on cpu {cpu} then:")
                for x in between:
                    print(f"    {x[0]} ({(x[0] - t0) / 1e3:+.1f} us) {x[1]} -> {x[2]}")
            last[cpu] = (ts, n)
    print(f"breaks in the dump's chains: {breaks}; perf shows the missing switch out of the task put in: {with_perf}")
    print(f"inside the passes, switches with {sorted(tids)} as prev / next: dump {ours['prev']} / {ours['next']}, "
          f"perf {theirs['prev']} / {theirs['next']}")


main()
