#!/usr/bin/python3
"""Waking-to-switched-in per hand-off, from `perf script --ns` of a `perf sched record` (perf's own events):
for each sched_waking of a task whose comm starts with a prefix, the next sched_switch that switches it in."""
import re, statistics, subprocess, sys
data, prefixes = sys.argv[1], tuple(sys.argv[2].split(","))
out = subprocess.run(["perf", "script", "--ns", "-i", data], capture_output=True, text=True).stdout
pending = {}
delays = []
ts_re = re.compile(r"\s(\d+\.\d{9}):\s+(sched:\S+):\s(.*)$")
for line in out.splitlines():
    m = ts_re.search(line)
    if not m:
        continue
    t = float(m.group(1)) * 1e9
    ev, rest = m.group(2), m.group(3)
    if ev == "sched:sched_waking":
        comm = re.search(r"comm=(\S+)", rest).group(1)
        pid = int(re.search(r"pid=(\d+)", rest).group(1))
        if comm.startswith(prefixes) and pid not in pending:
            pending[pid] = t
    elif ev == "sched:sched_switch":
        nxt = int(re.search(r"next_pid=(\d+)", rest).group(1))
        if nxt in pending:
            delays.append(t - pending.pop(nxt))
delays.sort()
print(f"{data}: {len(delays)} hand-offs of {prefixes}: waking to switched in median {statistics.median(delays):.0f} ns,"
      f" mean {statistics.fmean(delays):.0f} ns, p90 {delays[int(0.9 * len(delays))]:.0f} ns")
