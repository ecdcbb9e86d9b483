#!/usr/bin/env python3
"""One line per placement from a ctxbench --explain JSON and a plain run's JSON of the same records
(results/observer/measure.sh): traced median, untraced p50, observer effect, explained_fraction, events per
traced op, the p50 of the run that never loaded the tracer, and the switch's phases (the switch itself, where the
kernel marks its end, and the switched-in stretch after it).
With --harness OUTPUT.txt: the peer-tracer-cost lines of results/observer/output.txt as one table per placement,
the median round trip of each mode, build and round, and each group's cost (all minus -GROUP), in us.
Usage: summarize.py EXPLAIN.json PLAIN.json | summarize.py --harness OUTPUT.txt"""
import re
import json
import sys


def records(path):
    with open(path) as f:
        return {r["id"]: r for r in json.load(f)["results"]}


def harness(path):
    rows = {}  # (placement, mode) -> {(build, round): median ns}
    pattern = re.compile(r"harness (\w+) round (\d): mode=(\S+) placement=(\w+) .*?median_ns=(\d+)")
    with open(path) as f:
        for line in f:
            m = pattern.match(line)
            if m:
                build, rnd, mode, where, ns = m.groups()
                rows.setdefault((where, mode), {})[(build, int(rnd))] = int(ns)
    for where in ("same", "cross"):
        cols = sorted({k for (w, _), v in rows.items() if w == where for k in v}, key=lambda c: (c[0] != "before", c[1]))
        print(f"{where}-cpu, median round trip (us): " + "  ".join(f"{b} r{r}" for b, r in cols))
        for (w, mode), v in rows.items():
            if w != where:
                continue
            cells = "  ".join(f"{v[c] / 1e3:8.2f}" if c in v else "       -" for c in cols)
            cost = ""
            if mode.startswith("-") and (where, "all") in rows:
                a = rows[(where, "all")]
                cost = "   cost " + " ".join(f"{(a[c] - v[c]) / 1e3:+.2f}" for c in cols if c in v and c in a)
            print(f"  {mode:10} {cells}{cost}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--harness":
        harness(sys.argv[2])
        return
    if len(sys.argv) != 3:
        sys.exit("usage: summarize.py EXPLAIN.json PLAIN.json")
    explained, plain = records(sys.argv[1]), records(sys.argv[2])
    parts = []
    for key, r in explained.items():
        x = r.get("explain", {})
        p = plain.get(key, {}).get("statistics", {}).get("p50", float("nan"))
        ops = max(x.get("traced_ops", 0), 1)
        median = {ph["key"]: ph["median_ns"] for ph in x.get("phases", [])}
        split = (f", switch itself {median['context_switch'] / 1e3:.2f} us + switched in until return"
                 f" {median.get('switched_in_until_return', 0) / 1e3:.2f} us" if "context_switch" in median else
                 f", switched in until return {median.get('switched_in_until_return', 0) / 1e3:.2f} us")
        parts.append(f"{r['id']}: traced {x.get('traced_median_ns', 0) / 1e3:.2f} untraced {x.get('untraced_median_ns', 0) / 1e3:.2f}"
                     f" effect {x.get('observer_effect_ns', 0) / 1e3:+.2f} us, explained {x.get('explained_fraction', 0):.3f},"
                     f" {x.get('events', 0) / ops:.1f} events/op, no-explain p50 {p / 1e3:.2f} us{split}")
    print(" | ".join(parts))


main()
