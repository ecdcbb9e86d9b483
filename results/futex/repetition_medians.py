#!/usr/bin/env python3
"""Turns ctxbench JSON files of contention records into one line per shape and side for session_modes.py
(docs/METHODOLOGY.md, "Why `wake_parallel` moves, measured"): each repetition is a fresh session, so its median
is one session's median. Shared by wake_parallel_30.sh and lock_pi_30.sh.
A shape is the record id's parameter values joined by "/" (`waiters:8/wakers:8` -> `8/8`, `waiters:2` -> `2`).
Output lines, per shape, the files' repetitions in block order (cbK.json sorts by K):
  SHAPE ctxbench M1,M2,...      each repetition's median, µs
  SHAPE rounds R                the median samples per repetition (the peer's rounds per session)
  SHAPE ops_per_sample K        the median ops per sample (a batch-timed peer's batch)
  SHAPE ms T                    the median measured time per repetition, samples x ops per sample x mean, ms
Usage: repetition_medians.py CB1.json [CB2.json ...]"""
import collections
import json
import re
import statistics
import sys


def block(path):
    """K of a file named ...cbK.json, so cb10 sorts after cb2; 0 for any other name."""
    m = re.search(r"cb(\d+)\.json$", path)
    return int(m.group(1)) if m else 0


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    reps = collections.defaultdict(list)  # shape -> every file's repetitions, in run order
    for path in sorted(sys.argv[1:], key=block):
        for r in json.load(open(path))["results"]:
            reps["/".join(p.split(":")[1] for p in r["id"].split("/")[1:] if ":" in p)] += r["repetitions"]
    for shape, rs in reps.items():
        print(shape, "ctxbench", ",".join(f"{x['median_ns'] / 1000:.2f}" for x in rs))
        print(shape, "rounds", int(statistics.median(x["samples"] for x in rs)))
        print(shape, "ops_per_sample", int(statistics.median(x["ops_per_sample"] for x in rs)))
        print(shape, "ms", max(1, round(statistics.median(
            x["samples"] * x["ops_per_sample"] * x["mean_ns"] for x in rs) / 1e6)))


main()
