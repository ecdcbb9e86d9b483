#!/usr/bin/env python3
"""How well run 1 predicted its reruns: the share of records whose actual p50 ratio (run k / run 1) lies
inside the rerun_ratio_95 interval run 1 stated, and how far back-to-back runs moved at all.

    python3 scripts/rerun_coverage.py run1.json run2.json run3.json [--misses]

Every pair (run 1, run k) of every ok record present in both files counts once. Files without
rerun_ratio_95 (written before the rerun model) still get the reproducibility figures. Exit 2 on bad
input, naming the file. docs/METHODOLOGY.md, "How far a rerun moves", says what the interval is.
"""
import argparse
import json
import math
import sys


def fail(message):
    print(f"rerun_coverage.py: {message}", file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path}: {e}")
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        fail(f"{path}: not a ctxbench result file (no results[])")
    records = {}
    for r in doc["results"]:
        p50 = (r.get("statistics") or {}).get("p50")
        if r.get("status") == "ok" and isinstance(p50, (int, float)) and p50 > 0:
            records[r["id"]] = r
    return records


def quantile(values, q):
    """Linear interpolation between order statistics (numpy's default)."""
    v = sorted(values)
    if not v:
        return float("nan")
    pos = q * (len(v) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def coverage(files):
    """Pairs (id, k, ratio, interval or None) of run 1 against every later run."""
    base = files[0]
    pairs = []
    for k, other in enumerate(files[1:], start=2):
        for rid, r in base.items():
            if rid not in other:
                continue
            ratio = other[rid]["statistics"]["p50"] / r["statistics"]["p50"]
            interval = r.get("rerun_ratio_95")
            pairs.append((rid, k, ratio, tuple(interval) if interval else None))
    return pairs


def summary(pairs):
    moves = [abs(math.log(ratio)) for _, _, ratio, _ in pairs]
    out = {
        "pairs": len(pairs),
        "median_abs_move": math.exp(quantile(moves, 0.5)) - 1 if moves else None,
        "p90_abs_move": math.exp(quantile(moves, 0.9)) - 1 if moves else None,
        "moved_over_10pct": sum(1 for m in moves if m > math.log(1.10)),
    }
    judged = [(rid, k, ratio, iv) for rid, k, ratio, iv in pairs if iv]
    if judged:
        inside = [p for p in judged if p[3][0] <= p[2] <= p[3][1]]
        half = sorted(math.log(iv[1] / iv[0]) / 2 for _, _, _, iv in judged)
        out.update({
            "judged": len(judged),
            "inside": len(inside),
            "coverage": len(inside) / len(judged),
            "median_half_width": math.exp(quantile(half, 0.5)) - 1,
            "misses": [p for p in judged if not p[3][0] <= p[2] <= p[3][1]],
        })
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", help="result files of back-to-back runs; the first is run 1")
    ap.add_argument("--misses", action="store_true", help="list every ratio outside its interval")
    args = ap.parse_args(argv)
    if len(args.files) < 2:
        ap.error("needs at least two result files")
    s = summary(coverage([load(p) for p in args.files]))
    if s["pairs"] == 0:
        fail(f"{args.files[0]} and the others have no ok record in common")
    print(f"record pairs (run 1 vs run k): {s['pairs']}")
    print(f"|p50 ratio - 1|: median {s['median_abs_move']:.1%}, p90 {s['p90_abs_move']:.1%}; "
          f"moved more than 10%: {s['moved_over_10pct']} of {s['pairs']}")
    if "judged" not in s:
        print("no rerun_ratio_95 in run 1 (a file from before the rerun model): coverage not judged")
        return 0
    print(f"inside run 1's rerun_ratio_95: {s['inside']} of {s['judged']} ({s['coverage']:.1%}); "
          f"median half-width {s['median_half_width']:.1%}")
    if args.misses:
        for rid, k, ratio, (lo, hi) in sorted(s["misses"]):
            print(f"  miss: {rid} run {k}: ratio {ratio:.3f} outside [{lo:.3f}, {hi:.3f}]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
