#!/usr/bin/python3
"""Machines (or kernels, or settings) side by side: grouped bars of p50 per probe+placement, one bar per
result file, with the 95% confidence interval of the median as error bars. Log scale.

  scripts/chart_machines.py a.json b.json c.json -o machines --probe 'same-cpu|fork_exit'
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import ctxpanels as cp  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DEFAULT = r"^(baseline\.syscall|ipc\.pipe\.self|ctxswitch\.(pipe|futex)\.(process|thread)/|process\.fork_exit|" \
          r"process\.fork_exec\.static|thread\.create_join|shm\.pingpong/)"


def draw(docs, pattern=DEFAULT):
    rx = re.compile(pattern)
    ids = []
    for d in docs:
        for r in cr.ok_records(d):
            if rx.search(r["id"]) and r["id"] not in ids and cr.p50(r):
                ids.append(r["id"])
    if not ids:
        return None
    width = 0.8 / len(docs)
    fig, ax = plt.subplots(figsize=(max(8, 0.75 * len(ids) * max(1, len(docs) / 2) + 2), 5.5))
    cmap = plt.get_cmap("tab10")
    for di, d in enumerate(docs):
        by_id = {r["id"]: r for r in cr.ok_records(d)}
        xs, ys, lo, hi = [], [], [], []
        for i, rid in enumerate(ids):
            r = by_id.get(rid)
            if r is None or not cr.p50(r):
                continue
            med = cr.p50(r)
            low, high = cr.median_ci(r) or (med, med)
            xs.append(i + (di - (len(docs) - 1) / 2) * width)
            ys.append(med)
            lo.append(max(med - low, 0))
            hi.append(max(high - med, 0))
        ax.bar(xs, ys, width=width, color=cmap(di % 10), label=f"[{di + 1}] {cr.label(d)}",
               yerr=[lo, hi], error_kw={"elinewidth": 0.8, "capsize": 2})
    first = next(r for d in docs for r in cr.ok_records(d) if r["id"] == ids[0])
    cp.tag(fig, "side by side", cr.measure(first), cr.unit(first), ids)  # the manifest shows a mixed --probe
    ax.set_xticks(range(len(ids)))
    ax.set_xticklabels(ids, rotation=40, ha="right", fontsize=8)
    ax.set_yscale("log")
    what = "bandwidth (B/s" if cr.unit(first) == "B/s" else "per op (ns"
    ax.set_ylabel(f"p50 {what}, log); error bar = 95% CI of the median")
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("ctxbench: side by side (missing bar = not run or not ok in that file)", fontsize=10)
    fig.tight_layout()
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="+", help="ctxbench --json outputs (one bar each)")
    ap.add_argument("-o", "--output", required=True, help="output file (.png or .svg; no extension: both)")
    ap.add_argument("--probe", default=DEFAULT, help="regex over result ids")
    a = ap.parse_args()
    try:
        re.compile(a.probe)
    except re.error as e:
        ap.error(f"--probe: {a.probe!r} is not a valid regular expression ({e})")
    docs = [cr.load_or_exit(p, ap.prog) for p in a.results]
    fig = draw(docs, a.probe) or cp.placeholder(plt, f"no ok result matches {a.probe!r}")
    for p in cp.save(fig, a.output):
        print(p)


if __name__ == "__main__":
    main()
