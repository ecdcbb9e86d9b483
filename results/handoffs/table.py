#!/usr/bin/env python3
"""The hand-off table (README.md, "One hand-off, every way to wait") from a ctxbench JSON of measure.sh's filter:
per wait and partner kind, the p50 round trip of each placement and the kernel's switches per op (same-cpu and
cross-cpu: the records' switches_per_op.measured). Only reformats what ctxbench wrote.
Usage: table.py handoffs.json > table.md"""
import json
import sys

doc = json.load(open(sys.argv[1])) if len(sys.argv) == 2 else sys.exit(__doc__)
rows = {}
for r in doc["results"]:
    if r["status"] != "ok" or r.get("keep_awake"):
        continue
    mech, variant = r["probe"].split(".")[1], r["probe"].split(".")[2]
    rows.setdefault((variant, mech), {})[r["placement"]["kind"]] = (r["statistics"]["p50"], r["switches_per_op"]["measured"])
order = ["futex", "futex_waitv", "eventfd", "pipe", "msg_ring", "eventfd_uring", "pipe_uring", "eventfd_epoll", "pipe_epoll"]
print("| partners | wait | same-cpu | cross-cpu | unpinned | switches/op same-cpu | switches/op cross-cpu |")
print("|---|---|---|---|---|---|---|")
for variant in ("thread", "process"):
    for mech in order:
        cells = rows.get((variant, mech))
        if not cells:
            continue
        p50 = lambda k: f"{cells[k][0] / 1000:.2f} µs" if k in cells else "-"
        sw = lambda k: f"{cells[k][1]:.2f}" if k in cells else "-"
        who = "processes" if variant == "process" else "threads"
        print(f"| {who} | `ctxswitch.{mech}` | {p50('same-cpu')} | {p50('cross-cpu')} | {p50('unpinned')} | {sw('same-cpu')} | {sw('cross-cpu')} |")
