#!/usr/bin/env python3
"""The table of `results/pairs/measure.sh rounds`: per round and pair count, ctxbench's hand-offs per second of
all pipe pairs (metrics.handoffs_per_second of rounds_rR.json) beside the peer's (peers/pipe_pairs.c, the
lines of rounds.txt), pinned and unpinned, their ratio (* within 15%), and ctxbench's switches per round trip
of all pairs and the CPUs' idle share. Only reformats what the two wrote.
Usage: rounds_table.py DIR (holding rounds.txt and rounds_r1-3.json)"""
import json
import re
import sys

d = sys.argv[1] if len(sys.argv) == 2 else sys.exit(__doc__)
blocks = open(f"{d}/rounds.txt").read().split("=== round ")[1:]
print("pairs round  pinned: ctxbench/peer hand-offs/s, ratio   unpinned: ctxbench/peer, ratio   switches/rt  idle")
agree = total = 0
rows = []
for r, block in enumerate(blocks, 1):
    cb = {x["id"]: x["metrics"] for x in json.load(open(f"{d}/rounds_r{r}.json"))["results"] if x["status"] == "ok"}
    peer = {(int(n), bool(p)): float(v) for n, p, v in re.findall(r"^(\d+) pairs( pinned)?: (\d+) hand-offs/s", block, re.M)}
    for n in sorted({n for n, _ in peer}):
        cells = []
        for kind, pinned in (("same-cpu", True), ("unpinned", False)):
            c, p = cb[f"ctxswitch.pairs/pairs:{n}/{kind}"]["handoffs_per_second"], peer[(n, pinned)]
            ok = abs(c / p - 1) <= 0.15
            agree, total = agree + ok, total + 1
            cells.append(f"{c / 1000:5.0f}k/{p / 1000:4.0f}k x{c / p:.2f}{'*' if ok else ' '}")
        m = cb[f"ctxswitch.pairs/pairs:{n}/same-cpu"]
        rows.append((n, r, f"{n:5d} {r:5d}  {cells[0]:>34s}   {cells[1]:>28s}   "
                     f"{m['switches_per_round_trip_all_pairs']:.2f}        {m['cpu_idle_share'] * 100:.0f}%"))
for _, _, line in sorted(rows):
    print(line)
print(f"(* within 15% of the peer) {agree} of {total}; switches and idle: ctxbench's pinned records")
