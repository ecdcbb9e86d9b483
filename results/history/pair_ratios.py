#!/usr/bin/env python3
"""Per record, the geometric mean of two runs' p50 over the geometric mean of two other runs' p50, and the
median over the records all four runs have: how far a change moved each record and the run as a whole.
    python3 results/history/pair_ratios.py BEFORE1.json BEFORE2.json AFTER1.json AFTER2.json"""
import json
import math
import statistics
import sys


def p50s(path):
    with open(path) as f:
        return {r["id"]: r["statistics"]["p50"] for r in json.load(f)["results"] if r.get("status") == "ok"}


def main():
    b1, b2, a1, a2 = (p50s(p) for p in sys.argv[1:5])
    ids = sorted(set(b1) & set(b2) & set(a1) & set(a2))
    ratios = sorted((math.sqrt(a1[i] * a2[i] / (b1[i] * b2[i])), i) for i in ids)
    print(f"{len(ids)} records; median after/before x{statistics.median(r for r, _ in ratios):.3f}; "
          f"the two before runs against each other: median x{statistics.median(b2[i] / b1[i] for i in ids):.3f}")
    for r, i in ratios:
        print(f"  x{r:.3f}  {i}")


if __name__ == "__main__":
    main()
