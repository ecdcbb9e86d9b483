#!/usr/bin/env python3
"""Which runs of an A/A set ran with the two vCPUs near each other, and what that did to the other records.

The cache-line round trip between CPUs 0 and 1 (`shm.pingpong/cross-cpu`, p50) reads 390-450 ns on this KVM
guest in most runs and about a quarter of that in a few (docs/METHODOLOGY.md, "History", "The two vCPUs near
each other"). A run is *near* when that round trip is under NEAR_NS. For each set (a folder of plain-NN.json
run files, run order by name) prints the near runs, the runs whose one-way `shm.c2c` entry is under C2C_NS (it
runs at another moment of the run), and the geometric mean, over the near runs and over the others, of each
record's p50 over its median across the set's runs, for the other cross-CPU records and for the same-CPU ones.

    results/history/near_pairs.py DIR...
"""
import glob
import json
import math
import os
import statistics
import sys

PINGPONG = "shm.pingpong/cross-cpu"
C2C = "shm.c2c/cpu_a:0/cpu_b:1/cross-cpu"
NEAR_NS, C2C_NS = 250.0, 100.0


def p50s(path):
    with open(path) as f:
        doc = json.load(f)
    return {r["id"]: r["statistics"]["p50"] for r in doc["results"] if (r.get("statistics") or {}).get("p50")}


def geo_ratio(runs, medians, ids, which):
    logs = [math.log(runs[k][i] / medians[i]) for k in which for i in ids]
    return math.exp(statistics.mean(logs)) if logs else float("nan")


def span(values):
    values = list(values)
    return f"{min(values):.0f}-{max(values):.0f}" if values else "none"


def judge_set(folder):
    runs = [p50s(p) for p in sorted(glob.glob(os.path.join(folder, "plain-*.json")))]
    if not runs or any(PINGPONG not in r for r in runs):
        return f"{folder}: no runs with {PINGPONG}"
    ids = sorted(set.intersection(*(set(r) for r in runs)))
    medians = {i: statistics.median(r[i] for r in runs) for i in ids}
    near = [k for k, r in enumerate(runs) if r[PINGPONG] < NEAR_NS]
    far = [k for k in range(len(runs)) if k not in near]
    c2c_near = [k + 1 for k, r in enumerate(runs) if r.get(C2C, math.inf) < C2C_NS]
    cross = [i for i in ids if "/cross-cpu" in i and not i.startswith("shm.")]
    same = [i for i in ids if "/same-cpu" in i]
    line = (f"{folder}: {len(runs)} runs; near (round trip < {NEAR_NS:.0f} ns): {[k + 1 for k in near]} "
            f"({', '.join(f'{runs[k][PINGPONG]:.0f}' for k in near) or '-'} ns; the others "
            f"{span(runs[k][PINGPONG] for k in far)} ns); "
            f"c2c one way < {C2C_NS:.0f} ns: {c2c_near}")
    if near and far:
        line += (f"\n  {len(cross)} cross-CPU records over their medians: near x{geo_ratio(runs, medians, cross, near):.3f}, "
                 f"others x{geo_ratio(runs, medians, cross, far):.3f}; {len(same)} same-CPU records: near "
                 f"x{geo_ratio(runs, medians, same, near):.3f}, others x{geo_ratio(runs, medians, same, far):.3f}")
    return line


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for d in sys.argv[1:]:
        print(judge_set(d))
