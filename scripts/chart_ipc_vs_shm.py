#!/usr/bin/python3
"""IPC vs shared memory: each mechanism's cross-CPU round trip beside the floor, a cache line bounced between
the same two CPUs with atomics (shm.pingpong), with the ratio annotated. Derived records are left out.

  scripts/chart_ipc_vs_shm.py results/kvm2-guest.json -o ipc_vs_shm
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FLOOR = "shm.pingpong"


def draw(doc, placement="cross-cpu"):
    recs = [r for r in cr.ok_records(doc) if not r.get("derived") and cr.kind(r) == placement and cr.p50(r)]
    floor = next((r for r in recs if r["probe"] == FLOOR), None)
    mechs = [r for r in recs if r["probe"] != FLOOR and r["family"] in ("ctxswitch", "ipc", "shm")]
    if floor is None or not mechs:
        return None
    mechs.sort(key=cr.p50)
    base = cr.p50(floor)
    names = [FLOOR + " (floor)"] + [r["probe"] for r in mechs]
    vals = [base] + [cr.p50(r) for r in mechs]
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(names) + 1.6))
    colors = ["#7f7f7f"] + ["#d62728"] * len(mechs)
    ax.barh(range(len(names)), vals, color=colors)
    for i, v in enumerate(vals):
        text = cr.fmt_ns(v) if i == 0 else f"{cr.fmt_ns(v)}  = {v / base:.0f}x the cache line"
        ax.text(v * 1.08, i, text, va="center", fontsize=8)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(right=max(vals) * 30)
    ax.set_xlabel(f"round trip, p50 (ns, log), {placement}")
    ax.grid(axis="x", which="both", alpha=0.3)
    ax.set_title(f"IPC round trip vs a shared cache line: {cr.label(doc)}", fontsize=10)
    fig.tight_layout()
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("result", help="ctxbench --json output")
    ap.add_argument("-o", "--output", required=True, help="output file (.png or .svg; no extension: both)")
    ap.add_argument("--placement", default="cross-cpu", choices=["cross-cpu", "same-cpu", "unpinned"])
    a = ap.parse_args()
    doc = cr.load_or_exit(a.result, ap.prog)
    fig = draw(doc, a.placement) or cr.placeholder(
        plt, f"no {FLOOR} and IPC results in placement {a.placement} in this file (one-CPU affinity mask?)")
    for p in cr.save(fig, a.output):
        print(p)


if __name__ == "__main__":
    main()
