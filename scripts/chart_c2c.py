#!/usr/bin/python3
"""Core-to-core heatmap: one-way cache-line latency between every pair of CPUs (ns in each cell), with the
CPU relation of each pair (s = SMT sibling, L = same LLC, o = other LLC, N = other node) in the cell.

Reads the ok shm.c2c records, one per CPU pair (placement.cpus = [a, b], placement.relation), as ctxbench
writes them.

  scripts/chart_c2c.py results/big-machine.json -o c2c
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import ctxpanels as cp  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

SHORT = {"same": "=", "smt-sibling": "s", "same-llc": "L", "other-llc": "o", "other-node": "N"}


def extract(doc):
    """(cpus, values[n][n] with None, relations[n][n]), or None when the file has no c2c data: one ok one-way
    shm.c2c record per CPU pair (placement.cpus = [a, b], placement.relation)."""
    pairs = [r for r in cr.ok_records(doc) if cr.base(r) == "shm.c2c" and cr.measure(r) == "one_way"
             and len(cr.placement(r).cpus) == 2 and cr.p50(r)]
    if not pairs:
        return None
    cpus = sorted({c for r in pairs for c in cr.placement(r).cpus})
    idx = {c: i for i, c in enumerate(cpus)}
    vals = [[None] * len(cpus) for _ in cpus]
    rels = [[""] * len(cpus) for _ in cpus]
    for r in pairs:
        a, b = cr.placement(r).cpus
        vals[idx[a]][idx[b]] = cr.p50(r)
        rels[idx[a]][idx[b]] = r["placement"].get("relation", "")
    for i in range(len(cpus)):  # one probe per pair: (I,J) = (J,I) when only one direction was measured
        for j in range(len(cpus)):
            if vals[i][j] is None and vals[j][i] is not None:
                vals[i][j], rels[i][j] = vals[j][i], rels[j][i]
    return cpus, vals, rels


def draw(doc):
    got = extract(doc)
    if got is None:
        return None
    cpus, vals, rels = got
    n = len(cpus)
    arr = np.array([[np.nan if v is None else float(v) for v in row] for row in vals])
    size = min(max(4, 0.55 * n + 2), 40)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    im = ax.imshow(np.ma.masked_invalid(arr), cmap="viridis")
    fig.colorbar(im, ax=ax, label="one-way latency, p50 (ns)")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xticklabels(cpus, fontsize=7)
    ax.set_yticklabels(cpus, fontsize=7)
    ax.set_xlabel("CPU (partner)")
    ax.set_ylabel("CPU (initiator)")
    if n <= 32:
        finite = arr[np.isfinite(arr)]
        mid = (finite.min() + finite.max()) / 2 if finite.size else 0
        for i in range(n):
            for j in range(n):
                if np.isfinite(arr[i, j]):
                    rel = SHORT.get(rels[i][j], "") if rels else ""
                    ax.text(j, i, f"{arr[i, j]:.0f}\n{rel}", ha="center", va="center", fontsize=7,
                            color="white" if arr[i, j] < mid else "black")
    cp.tag(fig, "core-to-core", "one_way", "ns", [r["id"] for r in cr.ok_records(doc) if cr.base(r) == "shm.c2c"])
    legend = ", ".join(f"{v} = {k}" for k, v in SHORT.items() if k != "same")
    ax.set_title(f"core-to-core one-way latency (ns): {cr.label(doc)}\n{legend}; blank = not measured",
                 fontsize=9)
    fig.tight_layout()
    return fig


def main():
    cp.chart_main(__doc__, plt, lambda doc, a: draw(doc),
                  lambda a: "no shm.c2c result (core-to-core matrix) in this file")

if __name__ == "__main__":
    main()
