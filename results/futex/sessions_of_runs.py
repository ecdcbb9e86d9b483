#!/usr/bin/env python3
"""Per-session medians of futex_wake_parallel (same-cpu) from the output of an earlier script, as the
`SHAPE ctxbench|peer M1,M2,...` lines results/futex/session_modes.py reads: every round's sessions pooled.
- contention DIR: DIR/contention.txt (the peer's `like for like` lines: each process's p50) and
  DIR/contention_round1-3.json (ctxbench's repetitions' medians);
- wake_parallel FILE: results/futex/wake_parallel.txt (its rounds' `each repetition's median` and `peer:`
  lines; the traced part at the end is left out).
Usage: sessions_of_runs.py contention DIR | wake_parallel FILE"""
import collections
import json
import re
import sys

if len(sys.argv) != 3 or sys.argv[1] not in ("contention", "wake_parallel"):
    sys.exit(__doc__)
cb, peer = collections.defaultdict(list), collections.defaultdict(list)
if sys.argv[1] == "contention":
    d = sys.argv[2]
    rounds = open(f"{d}/contention.txt").read().split("=== round ")[1:]
    for r, block in enumerate(rounds, 1):
        for x in json.load(open(f"{d}/contention_round{r}.json"))["results"]:
            m = re.match(r"ctxswitch\.futex_wake_parallel/waiters:(\d+)/wakers:(\d+)/same-cpu", x["id"])
            if m:
                cb[f"{m.group(1)}/{m.group(2)}"] += [y["median_ns"] / 1000 for y in x["repetitions"]]
        for m in re.finditer(r"-- waiters (\d+) wakers (\d+)\n.*?\npeer like for like: .*?p50: (.*)", block):
            peer[f"{m.group(1)}/{m.group(2)}"] += [float(v) for v in m.group(3).split()]
else:
    text = open(sys.argv[2]).read().split("=== traced")[0]
    for m in re.finditer(r"futex_wake_parallel/waiters:(\d+)/wakers:(\d+)/same-cpu ok .*median: (.*)", text):
        cb[f"{m.group(1)}/{m.group(2)}"] += [float(v) for v in m.group(3).split()]
    shape = None
    for line in text.splitlines():
        if m := re.match(r"-- waiters (\d+) wakers (\d+)", line):
            shape = f"{m.group(1)}/{m.group(2)}"
        elif line.startswith("peer: ") and shape:
            peer[shape] += [float(v) for v in line.split("p50:")[1].split()]
for shape in cb:
    print(shape, "ctxbench", ",".join(f"{v:.2f}" for v in cb[shape]))
    print(shape, "peer", ",".join(f"{v:.2f}" for v in peer[shape]))
