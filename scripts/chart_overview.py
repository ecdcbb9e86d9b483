#!/usr/bin/python3
"""Overview of one ctxbench run: every probe, p50 bars with p99 whiskers, log scale, one bar per placement.

  scripts/chart_overview.py results/kvm2-guest.json -o overview        # overview.png + overview.svg
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def draw(doc):
    recs = [r for r in cr.ok_records(doc) if cr.p50(r)]
    if not recs:
        return None
    probes = []
    for r in recs:  # file order groups families already; keep it
        if r["probe"] not in probes:
            probes.append(r["probe"])
    kinds = [k for k in cr.PLACEMENT_ORDER if any(cr.kind(r) == k for r in recs)]
    height = 0.8 / max(len(kinds), 1)
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(probes) + 1.6))
    for ki, k in enumerate(kinds):
        ys, widths, errs = [], [], []
        for pi, probe in enumerate(probes):
            rec = next((r for r in recs if r["probe"] == probe and cr.kind(r) == k), None)
            if rec is None:
                continue
            med = cr.p50(rec)
            p99 = rec.get("statistics", {}).get("p99", med)
            present = [kk for kk in kinds if any(r["probe"] == probe and cr.kind(r) == kk for r in recs)]
            slot = present.index(k)  # centre the bars a probe has; one-task probes get one centred bar
            ys.append(pi + (slot - (len(present) - 1) / 2) * height)
            widths.append(med)
            errs.append(max(p99 - med, 0))
        ax.barh(ys, widths, height=height, color=cr.PLACEMENT_COLORS.get(k, "#888"), label=k,
                xerr=[[0] * len(errs), errs], error_kw={"elinewidth": 0.8, "capsize": 2})
    ax.set_yticks(range(len(probes)))
    ax.set_yticklabels(probes, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("time per op (ns, log scale): bar = p50, whisker = p99")
    prev = None
    for pi, probe in enumerate(probes):  # a line between families
        fam = probe.split(".")[0]
        if prev is not None and fam != prev:
            ax.axhline(pi - 0.5, color="#bbb", lw=0.6)
        prev = fam
    ax.grid(axis="x", which="both", alpha=0.3)
    ax.legend(title="placement", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))  # never over a bar
    ax.set_title(f"ctxbench: {cr.label(doc)}", fontsize=10)
    fig.tight_layout()
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("result", help="ctxbench --json output")
    ap.add_argument("-o", "--output", required=True, help="output file (.png or .svg; no extension: both)")
    a = ap.parse_args()
    doc = cr.load_or_exit(a.result, ap.prog)
    fig = draw(doc) or cr.placeholder(plt, f"{a.result}: no ok results to draw")
    for p in cr.save(fig, a.output):
        print(p)


if __name__ == "__main__":
    main()
