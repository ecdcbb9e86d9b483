#!/usr/bin/python3
"""Sweeps as line charts: fork cost vs the parent's resident memory, switch cost vs working set, ring size --
whatever swept probes the file has. A sweep is a set of ok records of one probe stem and placement whose
records differ in one numeric `params` value (or, without params, in a numeric last name part such as
process.fork_rss.64m or ctxswitch.ring.16). Files without sweeps get a figure saying so.

  scripts/chart_sweeps.py results/kvm2-guest.json -o sweeps
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def human(x, name):
    if "byte" in name or name == "size":
        for unit, div in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
            if x >= div:
                return f"{x / div:g}{unit}"
    return f"{x:g}"


def sweep_point(rec):
    """(stem, x name, x value) of a record, or None when it is not part of a sweep."""
    params = rec.get("params")
    if isinstance(params, dict):
        nums = {k: v for k, v in params.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        if len(nums) == 1:
            (k, v), = nums.items()
            stem = rec["probe"]
            last = stem.rsplit(".", 1)
            if len(last) == 2 and cr.size_token(last[1]) is not None:
                stem = last[0]
            return stem, k, float(v)
    head, _, tail = rec["probe"].rpartition(".")
    x = cr.size_token(tail) if head else None
    if x is not None:
        return head, "size", x
    return None


def find_sweeps(doc):
    groups = {}
    for r in cr.ok_records(doc):
        if r.get("derived") or not cr.p50(r):
            continue
        pt = sweep_point(r)
        if pt is None:
            continue
        stem, xname, x = pt
        groups.setdefault((stem, xname), {}).setdefault(cr.kind(r), []).append((x, r))
    return {k: v for k, v in groups.items() if any(len({x for x, _ in pts}) >= 2 for pts in v.values())}


def draw(doc):
    sweeps = find_sweeps(doc)
    if not sweeps:
        return None
    n = len(sweeps)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.8 * rows), squeeze=False)
    for ax, ((stem, xname), by_kind) in zip(axes.flat, sorted(sweeps.items())):
        for k, pts in sorted(by_kind.items()):
            pts.sort(key=lambda t: t[0])
            xs = [x for x, _ in pts]
            ys = [cr.p50(r) for _, r in pts]
            p99 = [r.get("statistics", {}).get("p99", cr.p50(r)) for _, r in pts]
            c = cr.PLACEMENT_COLORS.get(k, "#888")
            ax.plot(xs, ys, "o-", color=c, label=f"{k} p50")
            ax.plot(xs, p99, ":", color=c, alpha=0.6, label=f"{k} p99")
        if min(x for v in by_kind.values() for x, _ in v) > 0:
            ax.set_xscale("log", base=2)
        else:
            ax.set_xscale("symlog", base=2, linthresh=1)
        ticks = sorted({x for v in by_kind.values() for x, _ in v})
        ax.set_xticks(ticks)
        ax.set_xticklabels([human(x, xname) for x in ticks], fontsize=7, rotation=30)
        ax.minorticks_off()
        ax.set_yscale("log")
        ax.set_xlabel(xname)
        ax.set_ylabel("time per op (ns, log)")
        ax.set_title(stem, fontsize=9)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle(f"ctxbench sweeps: {cr.label(doc)}", fontsize=10)
    fig.tight_layout()
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("result", help="ctxbench --json output")
    ap.add_argument("-o", "--output", required=True, help="output file (.png or .svg; no extension: both)")
    a = ap.parse_args()
    doc = cr.load_or_exit(a.result, ap.prog)
    fig = draw(doc) or cr.placeholder(plt, "no swept probes (fork vs RSS, working set, ring size) in this file")
    for p in cr.save(fig, a.output):
        print(p)


if __name__ == "__main__":
    main()
