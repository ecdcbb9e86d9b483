#!/usr/bin/python3
"""Overview of one ctxbench run that fits a screen whatever the suite: one small panel per family (baseline,
ctxswitch, ipc, shm, process, thread, wakeup, bw, server, ...), each with its own unit and log scale. A panel
shows the family's probes without a parameter as p50 bars (one colour per placement, whisker = p99); a family
made only of sweeps shows its lines over the parameter instead. Every sweep, every measure (one-way, per
switch, B/s) in full: chart_sweeps.py and report.py.

  scripts/chart_overview.py results/kvm2-guest.json -o overview        # overview.png + overview.svg
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import ctxpanels as cp  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PREFER = ["round_trip", "single_op", "one_way", "bandwidth", "lateness", "per_request", "per_switch", "per_mib"]


def summary(recs):
    """The one panel that stands for a family, and how many of its panels it leaves out."""
    ps = cp.panels(recs, max_rows=16)
    bars = [p for p in ps if p["type"] == "bars"]
    pick = bars or ps
    pick.sort(key=lambda p: (PREFER.index(p["measure"]) if p["measure"] in PREFER else 9, -len(p["recs"])))
    if not pick:
        return None, 0
    panel = dict(pick[0])
    if panel["type"] == "lines":  # a sweep-only family: every stem at the first fixed values, one placement
        lines = [p for p in ps if p["type"] == "lines" and p["measure"] == panel["measure"]
                 and p["xname"] == panel["xname"]]
        first = lines[0]["series"][0][1]
        series = []
        for p in lines:
            if p["title"].split(", ", 1)[1:] != panel["title"].split(", ", 1)[1:]:
                continue  # other fixed parameter values
            for var, k, pts in p["series"]:
                if k == first:
                    series.append((var, k, pts, p["title"].split(",")[0].split(".", 1)[-1] + (f" {var}" if var else "")))
        if len(series) > 8:  # e.g. server: the first scenario's models only (its `scenario` parameter)
            def scenario(t):
                return (t[2][0][1].get("params") or {}).get("scenario")
            series = [t for t in series if scenario(t) == scenario(series[0])]
        panel["series"] = series[:8]
        panel["recs"] = [r for s in panel["series"] for _, r in s[2]]
        rest = panel["title"].split(", ", 1)
        panel["title"] = f"{first}" + (f", {rest[1]}" if len(rest) > 1 else "")
    return panel, len(ps) - 1


def draw(doc):
    recs = [r for r in cr.ok_records(doc) if cr.p50(r) is not None]
    fams = cr.ordered_families(recs)
    items = []
    for fam in fams:
        panel, more = summary([r for r in recs if cr.family(r) == fam])
        if panel is not None:
            items.append((fam, panel, more))
    if not items:
        return None
    cols = min(3, len(items))
    rows = math.ceil(len(items) / cols)
    heights = []
    for i in range(rows):
        row = items[i * cols:(i + 1) * cols]
        heights.append(min(max(cp.panel_height(p, small=True) for _, p, _ in row), 2.3) + 0.55)
    fig = plt.figure(figsize=(14, sum(heights) + 0.2))
    gs = fig.add_gridspec(rows, cols, height_ratios=heights)
    for i, (fam, panel, more) in enumerate(items):
        ax = fig.add_subplot(gs[i // cols, i % cols])
        cp.draw_panel(fig, ax, panel, small=True)
        note = f"  (+{more} more panel{'s' if more > 1 else ''})" if more else ""
        ax.set_title("")
        ax.set_title(f"{fam}: {panel['title']}{note}", fontsize=8, loc="left")
    handles = {}
    for ax in fig.axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab in cp.PLACEMENT_COLORS:
                handles.setdefault(lab, h)
    if handles:
        order = [k for k in cr.PLACEMENT_ORDER if k in handles]
        fig.legend([handles[k] for k in order], order, loc="upper right", ncol=len(order), fontsize=7,
                   frameon=False, title="placement", title_fontsize=7)
    fig.suptitle(f"ctxbench overview: {cr.label(doc)}", fontsize=10, x=0.01, ha="left")
    fig.tight_layout()  # makes room for the suptitle; the legend sits beside it
    return fig


def main():
    cp.chart_main(__doc__, plt, lambda doc, a: draw(doc), lambda a: f"{a.result}: no ok results to draw")

if __name__ == "__main__":
    main()
