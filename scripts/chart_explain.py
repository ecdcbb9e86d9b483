#!/usr/bin/python3
"""Where the time went (ctxbench --explain): one stacked bar per explained record, each phase's share of the
traced op (phases are the kernel's events along the op's critical path; docs/METHODOLOGY.md, "Where the time
went"). The shares are means, which add up exactly to the traced op's mean; the text at the end of each bar is
the traced pass's median beside the untraced p50 (the observer effect).

  scripts/chart_explain.py results/kvm2-guest-explain.json -o explain
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import ctxunits as cu  # noqa: E402
import ctxpanels as cp  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Phases under this share in every bar are drawn together as "other phases" (their names are in the JSON).
MINOR_SHARE = 0.03


def explained(doc):
    """The records whose explain pass gave phases, in file order."""
    return [r for r in cr.ok_records(doc)
            if (r.get("explain") or {}).get("phases") and r["explain"].get("status") in ("ok", "incomplete")]


def phase_order(recs):
    """Phase keys worth a colour of their own, most important first (largest share anywhere), and the text of
    every key."""
    best, text = {}, {}
    for r in recs:
        for p in r["explain"]["phases"]:
            best[p["key"]] = max(best.get(p["key"], 0.0), p.get("share", 0.0))
            text.setdefault(p["key"], p["phase"])
    major = sorted((ph for ph, s in best.items() if s >= MINOR_SHARE), key=lambda ph: -best[ph])
    return major, text


def draw(doc):
    recs = explained(doc)
    if not recs:
        return None
    major, text = phase_order(recs)
    colours = plt.get_cmap("tab20").colors
    colour = {ph: colours[i % len(colours)] for i, ph in enumerate(major)}
    colour["other phases"] = (0.8, 0.8, 0.8)
    fig, ax = plt.subplots(figsize=(13, 0.42 * len(recs) + 2.8))
    labels = []
    for row, r in enumerate(recs):
        x = r["explain"]
        left = 0.0
        other = 0.0
        for p in x["phases"]:
            share = p.get("share", 0.0)
            if p["key"] in colour:
                ax.barh(row, share * 100, left=left, color=colour[p["key"]], edgecolor="white", linewidth=0.4)
                left += share * 100
            else:
                other += share
        if other > 0:
            ax.barh(row, other * 100, left=left, color=colour["other phases"], edgecolor="white", linewidth=0.4)
        note = (f"{cu.fmt_ns(x.get('traced_median_ns'))} traced / {cu.fmt_ns(x.get('untraced_median_ns'))} untraced"
                f", sum of phase medians {x.get('explained_fraction', 0) * 100:.0f}%")
        ax.text(101, row, note, va="center", fontsize=7)
        labels.append(r["id"])
    ax.set_yticks(range(len(recs)))
    ax.set_yticklabels(labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the traced op (mean of each phase / mean op), %")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colour[ph]) for ph in major + ["other phases"]]
    ax.legend(handles, [text[k] for k in major] + ["other phases"], fontsize=7, loc="upper center",
              bbox_to_anchor=(0.5, -0.12 - 0.2 / len(recs)),
              ncol=2, frameon=False)
    ax.set_title(f"where the time went (--explain): {cr.label(doc)}", fontsize=9)
    cp.tag(fig, "explain", "share of op", "%", [r["id"] for r in recs])
    fig.tight_layout()
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("result", help="ctxbench --explain --json output")
    ap.add_argument("-o", "--output", required=True, help="output file (.png or .svg; no extension: both)")
    a = ap.parse_args()
    doc = cr.load_or_exit(a.result, ap.prog)
    fig = draw(doc) or cp.placeholder(plt, "no explained record in this file (run ctxbench --explain as root)")
    for p in cp.save(fig, a.output):
        print(p)


if __name__ == "__main__":
    main()
