#!/usr/bin/env python3
"""The table of results/futex/contention.txt: per shape and round, ctxbench's same-cpu p50 (the round's JSON)
beside the peer's pooled p50 over its 10 processes (like for like), and whether the two are within 15%.
Usage: contention_table.py DIR (holding contention.txt and contention_round1-3.json)"""
import json
import re
import sys

d = sys.argv[1] if len(sys.argv) == 2 else sys.exit(__doc__)
text = open(f"{d}/contention.txt").read().split("=== round ")[1:]
rows = {}
for r, block in enumerate(text, 1):
    cb = {x["id"]: x["statistics"]["p50"] / 1000
          for x in json.load(open(f"{d}/contention_round{r}.json"))["results"]}
    for n in (1, 2, 4, 8):
        m = re.search(rf"peer all {n}: .*? rounds ([0-9.]+) us", block)
        rows.setdefault(f"wake_all {n}", []).append(
            (cb[f"ctxswitch.futex_wake_all/waiters:{n}/same-cpu"], float(m.group(1))))
    for m in re.finditer(r"-- waiters (\d+) wakers (\d+)\n.*?\npeer like for like: .*? rounds ([0-9.]+) us", block):
        n, w, p = m.group(1), m.group(2), float(m.group(3))
        rows.setdefault(f"wake_parallel {n}/{w}", []).append(
            (cb[f"ctxswitch.futex_wake_parallel/waiters:{n}/wakers:{w}/same-cpu"], p))
    for n in (1, 2, 4, 8):
        m = re.search(rf"lock_pi peer {n} 0 10: .*? p50s (\d+) ns", block)
        if m:
            rows.setdefault(f"lock_pi {n} (batch 10)", []).append(
                (cb[f"ctxswitch.futex_lock_pi/waiters:{n}/same-cpu"], float(m.group(1)) / 1000))
print("record (same-cpu)        round 1 ctxbench/peer us   round 2             round 3             within 15%")
agree = total = 0
for name, pairs in rows.items():
    cells, ok = [], 0
    for c, p in pairs:
        within = abs(c - p) / p <= 0.15
        ok += within
        cells.append(f"{c:6.2f}/{p:<6.2f}{'*' if within else ' '}")
    agree += ok
    total += len(pairs)
    print(f"{name:24s} " + "   ".join(cells) + f"   {ok} of {len(pairs)}")
print(f"(* within 15% of the peer) {agree} of {total} round pairs")
