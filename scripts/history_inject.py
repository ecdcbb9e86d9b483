#!/usr/bin/env python3
"""Copies of real run files with a known step injected, for measuring what `ctxbench history` detects.

    scripts/history_inject.py --step 0.10 --from-run 12 --share 0.2 --seed 1 --out DIR RUN.json...

The runs are taken in the order given (their run order). From run number --from-run on (1-based), a chosen
share of the ok records is made slower by --step (0.10 = +10%): every per-op time of the record is scaled
(statistics, repetition medians and means, samples, histogram bounds) and its value with it (B/s records
divided). Which records: each record id is chosen with probability --share, from --seed, so the same
record ids are stepped in every run; or exactly the ids of --ids. The rest is left as measured, so it shows
false change points.
DIR gets the copies under their own names and manifest.json: {"step", "from_run", "stepped_ids": [...]}.
A step in every record of a run would be indistinguishable from the host changing speed for that run: the
run correction (docs/METHODOLOGY.md, "History") takes such a shared move out on purpose.
"""
import argparse
import json
import os
import random
import sys

NS_STATISTICS = ("p50", "p90", "p99", "p99_9", "mean", "min", "max", "stddev")


def scale_record(record, factor):
    stats = record.get("statistics", {})
    for key in NS_STATISTICS:
        if isinstance(stats.get(key), (int, float)):
            stats[key] *= factor
    ci = stats.get("median_ci")
    if isinstance(ci, dict):
        for key in ("low", "high"):
            if isinstance(ci.get(key), (int, float)):
                ci[key] *= factor
    for rep in record.get("repetitions", []):
        for key in ("median_ns", "mean_ns"):
            if isinstance(rep.get(key), (int, float)):
                rep[key] *= factor
    if isinstance(record.get("samples"), list):
        record["samples"] = [s * factor for s in record["samples"]]
    for bucket in record.get("histogram", []):
        for key in ("low", "high"):
            if isinstance(bucket.get(key), (int, float)):
                bucket[key] *= factor
    if isinstance(record.get("value"), (int, float)):
        record["value"] = record["value"] / factor if record.get("unit") == "B/s" else record["value"] * factor


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--step", type=float, required=True)
    ap.add_argument("--from-run", type=int, required=True)
    ap.add_argument("--share", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ids", help="step exactly these record ids (comma-separated) instead of a --share")
    ap.add_argument("--out", required=True)
    ap.add_argument("runs", nargs="+")
    a = ap.parse_args()
    if not 1 <= a.from_run <= len(a.runs):
        sys.exit(f"history_inject: --from-run {a.from_run} is outside 1..{len(a.runs)}")
    docs = []
    for path in a.runs:
        try:
            with open(path) as f:
                docs.append(json.load(f))
        except (OSError, ValueError) as e:
            sys.exit(f"history_inject: {path}: {e}")
    rng = random.Random(a.seed)
    ids = sorted({r["id"] for d in docs for r in d.get("results", []) if r.get("status") == "ok"})
    stepped = {i for i in ids if rng.random() < a.share}
    if a.ids is not None:
        stepped = set(a.ids.split(",")) - {""}
        if not stepped <= set(ids):
            sys.exit(f"history_inject: --ids names records no run has as ok: {sorted(stepped - set(ids))[:5]}")
    os.makedirs(a.out, exist_ok=True)
    for n, (path, doc) in enumerate(zip(a.runs, docs), start=1):
        if n >= a.from_run:
            for record in doc.get("results", []):
                if record.get("id") in stepped:
                    scale_record(record, 1.0 + a.step)
        with open(os.path.join(a.out, os.path.basename(path)), "w") as f:
            json.dump(doc, f)
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump({"step": a.step, "from_run": a.from_run, "share": a.share, "seed": a.seed,
                   "runs": [os.path.basename(p) for p in a.runs], "stepped_ids": sorted(stepped)}, f, indent=1)


if __name__ == "__main__":
    main()
