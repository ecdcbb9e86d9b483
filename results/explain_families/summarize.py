#!/usr/bin/env python3
"""One line per record of ctxbench --explain JSON files: its explain status, the explained_fraction of the
median ops (their named phases' time / their time, unattributed left out) and of the tail (sum of the named
phases' tail means / the tail's mean op), and whether both lie in 0.9-1.1; beside them the sum of the phases'
medians / the traced median op (the fraction's definition until 2026-12-06). A record outside the range gets
`why:` with the record's own fields that account for it (ops not followed, the unattributed time of the median
ops and of the tail, switches inferred; docs/contracts.md, `explain`); a record not explained gets its
`reason_key` and `reason`. Then the counts over all files.
Usage: summarize.py OUT.json [MORE.json ...]  (e.g. the slices of results/explain_full/run.sh)"""
import json
import sys


def tail_fraction(tail):
    total = tail.get("tail_op_ns", 0)
    if not total:
        return None
    named = sum(p.get("tail_ns", 0) for p in tail.get("phases", []) if p.get("key") != "unattributed")
    return named / total


def unattributed(phases, field):
    return sum(p.get(field, 0) for p in phases if p.get("key") == "unattributed")


def why(x):
    """The record's own fields behind a fraction outside 0.9-1.1 (words for the table, no new figures)."""
    parts = []
    traced, followed = x.get("traced_ops", 0), x.get("followed_ops", 0)
    if followed < traced:
        parts.append(f"{traced - followed} of {traced} ops not followed (events missing)")
    tail = x.get("tail", {})
    med_un = unattributed(tail.get("phases", []), "median_ns")
    tail_un = unattributed(tail.get("phases", []), "tail_ns")
    if med_un:
        parts.append(f"unattributed {med_un / 1000:.1f} of the median ops' {tail.get('median_op_ns', 0) / 1000:.1f} us")
    if tail_un:
        parts.append(f"unattributed {tail_un / 1000:.1f} of the tail's {tail.get('tail_op_ns', 0) / 1000:.1f} us"
                     f" ({tail.get('ops_in_tail')} ops)")
    if x.get("inferred_switches"):
        parts.append(f"{x['inferred_switches']} switches inferred")
    if "tail" not in x:
        parts.append("no tail")
    return "; ".join(parts) or "no field accounts for it"


def main(paths):
    counts = {}
    outside = []
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        for r in doc["results"]:
            x = r.get("explain")
            if x is None:
                print(f"{r['id']:60s} no explain (not explainable)")
                counts["not explainable"] = counts.get("not explainable", 0) + 1
                continue
            status = x.get("status")
            counts[status] = counts.get(status, 0) + 1
            if status not in ("ok", "incomplete"):
                print(f"{r['id']:60s} {status} ({x.get('reason_key', '')}): {x.get('reason', '')}")
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
            print(f"{r['id']:60s} {status:10s} traced {traced / 1000:9.1f} us  "
                  f"median {med:.3f}  tail {tail_text}  medians {medians_text}  followed {x.get('followed_ops')}/{x.get('traced_ops')}"
                  f"{'' if ok else '  OUTSIDE 0.9-1.1; why: ' + why(x)}")
    print("statuses:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"outside 0.9-1.1: {len(outside)}" + (": " + ", ".join(outside) if outside else ""))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
