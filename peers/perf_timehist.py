#!/usr/bin/python3
"""Per-task scheduling figures from `perf sched timehist` (perf's own analysis of a `perf sched record`), for
the tasks whose comm starts with a prefix: one row per time a task was switched out, with the time it had
waited asleep before its wake-up ("wait time"), from its wake-up to running ("sch delay") and on the CPU
("run time"). perf sched record takes sched_waking where the kernel has it (this one does), so "sch delay" runs
from waking to switched in: ctxbench's wake_to_run. In a ping-pong each task is switched out once per round
trip, so the time between two rows of one task is one round trip seen from that task ("period").
perf prints milliseconds with three decimals, truncated: every value is low by up to 1 us (a mean by ~0.5 us).
Usage: peers/perf_timehist.py PERF.data PREFIX  ->  one JSON object on stdout."""
import json
import statistics
import subprocess
import sys


def rows(data, prefix):
    """(tid, time ns, wait, delay, run) of every switched-out row of a task named prefix*."""
    out = subprocess.run(["perf", "sched", "timehist", "-i", data], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        # time [cpu] comm[tid] wait delay run  (a comm may hold spaces: take the numbers from the end)
        if len(parts) < 6 or not parts[1].startswith("["):
            continue
        try:
            wait, delay, run = (float(x) * 1e6 for x in parts[-3:])  # ms -> ns
        except ValueError:
            continue
        task = " ".join(parts[2:-3])
        if task.startswith(prefix):
            yield int(task.rsplit("[", 1)[1].split("]")[0].split("/")[0]), float(parts[0]) * 1e9, wait, delay, run


def main():
    data, prefix = sys.argv[1], sys.argv[2]
    delays, runs, periods, last = [], [], [], {}
    for tid, t, wait, delay, run in rows(data, prefix):
        if tid in last:
            periods.append(t - last[tid])
        last[tid] = t
        if wait > 0:  # wait 0: a task switched out while runnable, not one woken from sleep
            delays.append(delay)
            runs.append(run)
    if not periods or not delays:
        sys.exit(f"{data}: no switched-out row of a task named {prefix}*")
    print(json.dumps({
        "rows": len(delays),
        "sch_delay_median_ns": statistics.median(delays), "sch_delay_mean_ns": statistics.fmean(delays),
        "run_time_median_ns": statistics.median(runs), "period_median_ns": statistics.median(periods)}))


if __name__ == "__main__":
    main()
