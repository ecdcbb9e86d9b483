#!/usr/bin/env python3
"""Page faults in a ctxbench --explain JSON file (docs/METHODOLOGY.md, "Page faults"): per explained record,
the faults per op (explain.faults), the fault phases' and user space's medians and shares, and the
explained_fraction of the median op. Usage: summarize.py OUT.json"""
import json
import sys


def phase(x, key):
    for p in x.get("phases", []):
        if p.get("key") == key:
            return p
    return {}


def main(path):
    with open(path) as f:
        doc = json.load(f)
    for r in doc["results"]:
        x = r.get("explain")
        if x is None or x.get("status") not in ("ok", "incomplete"):
            continue
        f = x.get("faults", {})
        fu, fk, us = phase(x, "page_faults_user"), phase(x, "page_faults_kernel"), phase(x, "user_space")
        print(f"{r['id']:48s} traced {x.get('traced_median_ns', 0) / 1000:8.1f} us  "
              f"faults/op user {f.get('user_per_op', 0):6.1f} kernel {f.get('kernel_per_op', 0):5.1f} "
              f"(timed {f.get('timed', 0)}/{f.get('faults', 0)})  "
              f"page_faults_user {fu.get('median_ns', 0) / 1000:7.1f} us ({fu.get('share', 0) * 100:4.1f}%)  "
              f"page_faults_kernel {fk.get('median_ns', 0) / 1000:6.1f} us  "
              f"user_space {us.get('median_ns', 0) / 1000:7.1f} us ({us.get('share', 0) * 100:4.1f}%)  "
              f"explained {x.get('explained_fraction', 0):.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
