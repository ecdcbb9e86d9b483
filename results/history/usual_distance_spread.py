#!/usr/bin/env python3
"""How much quieter a store's cross-CPU series are when each point is judged on its repetitions at the usual
CPU distance (docs/METHODOLOGY.md, "Repetitions at another CPU distance"): reads a `ctxbench history show
--json` document and, for every series with pair readings, prints the standard deviation of ln(figure) over its
points with every repetition (`points.p50_all_repetitions_ns`, the stored p50) and with the usual-distance
ones (`points.p50_ns`), then the geometric mean of each over those series.

    ctxbench history show --json --store S > show.json; results/history/usual_distance_spread.py show.json
"""
import json
import math
import statistics
import sys


def log_sd(values):
    logs = [math.log(v) for v in values if v and v > 0]
    return statistics.stdev(logs) if len(logs) > 2 else None


def spreads(doc):
    out = []
    for s in doc["series"]:
        if s.get("usual_pair_round_trip_ns") is None:
            continue
        every, usual = log_sd(s["points"]["p50_all_repetitions_ns"]), log_sd(s["points"]["p50_ns"])
        if every and usual:
            nearer, farther = sum(s["points"]["repetitions_nearer"]), sum(s["points"]["repetitions_farther"])
            out.append((s["record_id"], every, usual, nearer + farther, s.get("points_left_out", 0)))
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        rows = spreads(json.load(f))
    for rid, every, usual, reps, points in rows:
        print(f"{rid:58s} sd every repetition {every * 100:5.1f}%, usual distance {usual * 100:5.1f}% "
              f"({reps} repetitions, {points} points left out)")
    if rows:
        geo = [math.exp(statistics.mean(math.log(r[i]) for r in rows)) for i in (1, 2)]
        print(f"{len(rows)} series with pair readings: geometric mean sd every repetition {geo[0] * 100:.1f}%, "
              f"usual distance {geo[1] * 100:.1f}%")
