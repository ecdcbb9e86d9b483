#!/usr/bin/env python3
"""Splits each cross-CPU record's repetitions by its own pair reading (placement.pair_round_trip_ns, docs/contracts.md):
a repetition is *near* when both readings around it (its round's [before, after]) are under NEAR_NS, *far* when
both are at or over it, mixed otherwise. Prints per run file how many repetitions of each kind there were and,
for every record with near and far repetitions, the median of its near repetitions over the median of its far
ones, then the geometric mean of that ratio over those records. Reads run files only (docs/METHODOLOGY.md,
"The two CPUs' distance, per record").

    results/history/pair_witness_split.py RUN.json...
"""
import json
import math
import statistics
import sys

from near_pairs import NEAR_NS  # the one threshold for a near pair (near_pairs.py, beside this file)


def kind(pair):
    if pair is None or None in pair or len(pair) != 2:
        return "unread"
    near = [v < NEAR_NS for v in pair]
    return "near" if all(near) else "far" if not any(near) else "mixed"


def split_run(path):
    with open(path) as f:
        doc = json.load(f)
    counts, ratios = {"near": 0, "far": 0, "mixed": 0, "unread": 0}, []
    for r in doc["results"]:
        witness = (r.get("placement") or {}).get("pair_round_trip_ns")
        reps = r.get("repetitions") or []
        if not witness or r.get("derived"):
            continue
        rounds = witness.get("rounds") or [[witness.get("before"), witness.get("after")]]
        if len(rounds) != len(reps):  # one process ran every repetition: one pair for them all
            rounds = [[witness.get("before"), witness.get("after")]] * len(reps)
        by_kind = {}
        for pair, rep in zip(rounds, reps):
            k = kind(pair)
            counts[k] += 1
            by_kind.setdefault(k, []).append(rep["median_ns"])
        if by_kind.get("near") and by_kind.get("far"):
            ratios.append((r["id"], statistics.median(by_kind["near"]) / statistics.median(by_kind["far"])))
    return counts, ratios


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for path in sys.argv[1:]:
        counts, ratios = split_run(path)
        line = f"{path}: repetitions near {counts['near']}, far {counts['far']}, mixed {counts['mixed']}, unread {counts['unread']}"
        if ratios:
            geo = math.exp(statistics.mean(math.log(x) for _, x in ratios))
            line += f"; {len(ratios)} records with both: near/far x{geo:.3f} (geometric mean)"
            line += "".join(f"\n  {rid} x{x:.3f}" for rid, x in ratios)
        print(line)
