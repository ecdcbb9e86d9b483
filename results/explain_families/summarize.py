#!/usr/bin/env python3
"""One line per record of a ctxbench --explain JSON file: its explain status, the explained_fraction of the
median ops (their named phases' time / their time, unattributed left out) and of the tail (sum of the named
phases' tail means / the tail's mean op), and whether both lie in 0.9-1.1; beside them the sum of the phases'
medians / the traced median op (the fraction's definition until 2026-12-06); then the counts.
Usage: summarize.py OUT.json"""
import json
import sys


def tail_fraction(tail):
    total = tail.get("tail_op_ns", 0)
    if not total:
        return None
    named = sum(p.get("tail_ns", 0) for p in tail.get("phases", []) if p.get("key") != "unattributed")
    return named / total


def main(path):
    with open(path) as f:
        doc = json.load(f)
    counts = {}
    outside = []
    for r in doc["results"]:
        x = r.get("explain")
        if x is None:
            print(f"{r['id']:60s} no explain (not explainable)")
            counts["not explainable"] = counts.get("not explainable", 0) + 1
            continue
        status = x.get("status")
        counts[status] = counts.get(status, 0) + 1
        if status not in ("ok", "incomplete"):
            print(f"{r['id']:60s} {status}: {x.get('reason', '')}")
            continue
        med = x.get("explained_fraction", 0)
        tail = tail_fraction(x["tail"]) if "tail" in x else None
        ok = 0.9 <= med <= 1.1 and tail is not None and 0.9 <= tail <= 1.1
        if not ok:
            outside.append(r["id"])
        tail_text = "-" if tail is None else f"{tail:.3f}"
        traced = x.get("traced_median_ns", 0)
        medians = sum(p.get("median_ns", 0) for p in x.get("phases", []) if p.get("key") != "unattributed")
        medians_text = f"{medians / traced:.3f}" if traced else "-"
        print(f"{r['id']:60s} {status:10s} traced {x.get('traced_median_ns', 0) / 1000:9.1f} us  "
              f"median {med:.3f}  tail {tail_text}  medians {medians_text}  followed {x.get('followed_ops')}/{x.get('traced_ops')}"
              f"{'' if ok else '  OUTSIDE 0.9-1.1'}")
    print("statuses:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"outside 0.9-1.1: {len(outside)}" + (": " + ", ".join(outside) if outside else ""))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
