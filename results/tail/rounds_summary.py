#!/usr/bin/env python3
"""Issue 23's tail figures over repeated --explain runs (results/tail/rounds.sh): per record, one line per run
with the untraced p50, p99 and p99/p50, the explained_fraction of the median op and of the tail, the traced
tail's excess over the median op and the share of it named causes account for (1 - the "unnamed" cause's
share; and without the "silent" cause, what no event shows); then the three largest causes and the three phases that grew most. The issue's bar: >= 80% named
where p99 > 2 x p50.
Usage: rounds_summary.py RUN.json..."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "explain_families"))
from summarize import tail_fraction  # noqa: E402


def us(ns):
    return f"{ns / 1000:.1f}"


def cause_label(c):
    who = c["name"] if c["kind"] in ("task", "unnamed") else f"{c['kind']} {c['name']}"
    return f"{who} {100 * c['share']:.0f}%"


def main(paths):
    rows = {}
    for run, path in enumerate(paths, 1):
        with open(path) as f:
            doc = json.load(f)
        for r in doc["results"]:
            rows.setdefault(r["id"], []).append((run, r))
    for rid, runs in rows.items():
        print(rid)
        for run, r in runs:
            s = r.get("statistics") or {}
            x = r.get("explain") or {}
            tail = x.get("tail")
            if not s or x.get("status") not in ("ok", "incomplete") or not tail:
                print(f"  run {run}: no tail ({r.get('status')}, explain {x.get('status')}: {x.get('reason_key', '')})")
                continue
            ratio = s["p99"] / s["p50"]
            unnamed = sum(c["share"] for c in tail["causes"] if c["kind"] == "unnamed")
            silent = sum(c["share"] for c in tail["causes"] if c["kind"] == "silent")
            tf = tail_fraction(tail)
            print(f"  run {run}: p50 {us(s['p50'])} us, p99 {us(s['p99'])} us, p99/p50 {ratio:.2f}; "
                  f"explained median {x.get('explained_fraction', 0):.3f}, tail {tf if tf is None else round(tf, 3)}; "
                  f"tail {tail['ops_in_tail']} ops +{us(tail['excess_ns'])} us over the median op, "
                  f"named {100 * (1 - unnamed):.0f}%{' (bar: 80%)' if ratio > 2 else ''}"
                  + (f", {100 * (1 - unnamed - silent):.0f}% without the silent cause "
                     f"(threshold {us(tail.get('silent_threshold_ns', 0))} us)" if silent else ""))
            named = [c for c in tail["causes"] if c["kind"] != "unnamed"][:3]
            print("    causes: " + ", ".join(cause_label(c) for c in named))
            grown = sorted(tail["phases"], key=lambda p: -p["excess_ns"])[:3]
            print("    grew:   " + ", ".join(f"{p['key']} +{us(p['excess_ns'])} us" for p in grown))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
