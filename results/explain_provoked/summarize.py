#!/usr/bin/env python3
"""The tail of each record of ctxbench --explain JSON files (docs/contracts.md, `explain.tail`): p50 and p99,
the tail's excess over the median ops, the share of that excess the named causes hold (1 - the `unnamed`
share), every cause with its share, and the causes whose name starts with a given prefix (the provoked one).
Usage: summarize.py PREFIX FILE.json...   (PREFIX e.g. stress-ng)"""
import json
import sys


def us(ns):
    return f"{ns / 1000:.1f} us"


def main(prefix, paths):
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        for r in doc["results"]:
            x = r.get("explain") or {}
            stats = r.get("statistics", {})
            print(f"{path}: {r['id']}  status {r['status']}  p50 {us(stats.get('p50', 0))}  "
                  f"p99 {us(stats.get('p99', 0))}  explain {x.get('status', '-')}  "
                  f"cpus {r.get('placement', {}).get('cpus')}")
            t = x.get("tail")
            if not t:
                print("  no explain.tail" + (f": {x.get('reason')}" if x.get("reason") else ""))
                continue
            causes = t.get("causes", [])
            unnamed = sum(c.get("share", 0) for c in causes if c.get("kind") == "unnamed")
            print(f"  tail: slowest {t.get('quantile', 0) * 100:g}% = {t.get('ops_in_tail')} ops, mean "
                  f"{us(t.get('tail_op_ns', 0))} vs median ops {us(t.get('median_op_ns', 0))}: excess "
                  f"{us(t.get('excess_ns', 0))}; named causes {100 * (1 - unnamed):.1f}% of it, unnamed "
                  f"{100 * unnamed:.1f}%")
            for c in causes:
                who = c.get("name", "")
                extra = " ".join(f"{k} {c[k]}" for k in ("pid", "class", "count") if k in c)
                print(f"    {c.get('kind'):12s} {who:24s} {us(c.get('ns', 0)):>10s} {100 * c.get('share', 0):6.1f}%  {extra}")
            hits = [c for c in causes if str(c.get("name", "")).startswith(prefix)]
            share = sum(c.get("share", 0) for c in hits)
            print(f"  '{prefix}' by name: {len(hits)} cause(s), {100 * share:.1f}% of the excess"
                  + ("" if hits else " (not named)"))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
