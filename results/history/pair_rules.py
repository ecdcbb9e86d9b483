#!/usr/bin/env python3
"""Which repetitions to leave out of a cross-CPU record, compared on a set of run files (results/history/
aa14-plan.txt): for each record with pair readings (placement.pair_round_trip_ns, docs/contracts.md), its points
over the set's first 22 runs under three rules, and the standard deviation of ln(point) per series:
  every   every repetition: the stored p50;
  both    store version 3's rule (analysis/pair_distance.hpp): a repetition is left out when both readings
          around it are more than 1.5x from the series' usual reading (the median of all its readings), on
          one side;
  either  also when only one of them is: a repetition during which the distance changed is left out too.
A point's figure is its p50 x median(kept) / median(all repetitions); a point with none kept is left out.
Prints the geometric mean of the per-series sd under each rule.

    results/history/pair_rules.py SET_FOLDER   (plain-*.json, as results/history/aa3-runs.sh writes them)
"""
import glob
import json
import math
import os
import statistics
import sys

FACTOR = 1.5  # analysis/pair_distance.hpp, kPairDistanceFactor
RULES = ("every", "both", "either")


def series_of(paths):
    series = {}
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        for r in doc["results"]:
            witness = (r.get("placement") or {}).get("pair_round_trip_ns")
            reps = [x["median_ns"] for x in r.get("repetitions") or []]
            if r.get("status") != "ok" or not witness or not reps:
                continue
            rounds = witness.get("rounds") or [[witness.get("before"), witness.get("after")]] * len(reps)
            if len(rounds) == len(reps):
                series.setdefault(r["id"], []).append((r["statistics"]["p50"], reps, rounds))
    return series


def side(v, usual):
    if v is None:
        return None
    return "near" if v < usual / FACTOR else "far" if v > usual * FACTOR else "usual"


def left_out(pair, usual, rule):
    sides = [side(v, usual) for v in pair]
    if rule == "both":
        return sides[0] == sides[1] and sides[0] in ("near", "far")
    if rule == "either":
        return any(s in ("near", "far") for s in sides)
    return False


def point(p50, reps, rounds, usual, rule):
    kept = [m for m, pair in zip(reps, rounds) if not left_out(pair, usual, rule)]
    if len(kept) == len(reps):
        return p50
    return p50 * statistics.median(kept) / statistics.median(reps) if kept else None


def spreads(series):
    out = {rule: [] for rule in RULES}
    for points in series.values():
        usual = statistics.median(v for _, _, rounds in points for pair in rounds for v in pair if v)
        for rule in RULES:
            logs = [math.log(v) for v in (point(*p, usual, rule) for p in points) if v]
            if len(logs) > 2:
                out[rule].append(statistics.stdev(logs))
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    paths = sorted(glob.glob(os.path.join(sys.argv[1], "plain-*.json")))[:22]
    result = spreads(series_of(paths))
    for rule in RULES:
        sds = [s for s in result[rule] if s > 0]
        geo = math.exp(statistics.mean(math.log(s) for s in sds)) if sds else float("nan")
        print(f"{sys.argv[1]} ({len(paths)} runs): rule {rule:6s} {len(sds)} series, geometric mean sd of ln(point) {geo * 100:.2f}%")
