#!/usr/bin/python3
"""Sweeps as line charts: message size, working set, ring size, stack size, fork vs RSS, bandwidth -- whatever
swept probes the file has. A sweep is a set of ok records of one probe stem whose `params` differ in one
numeric value (or, without params, in a numeric last name part such as ctxswitch.ring.16); one small panel
per stem and measure, one colour per placement, process solid and thread dashed, p99 dotted. Each panel has
its own unit: bandwidth (B/s) and one-way times never share an axis with round trips. The server.* sweep has
its own chart (chart_server.py). Files without sweeps get a figure saying so.

  scripts/chart_sweeps.py results/kvm2-guest.json -o sweeps [--family ipc]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import ctxpanels as cp  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def find_sweeps(doc):
    """{(stem, x name, fixed params): {placement: [(x, record)]}} (see ctxresults.sweep_points)."""
    return cp.sweep_points([r for r in cr.ok_records(doc) if not r.get("derived")])


def sweep_panels(doc, family=None):
    recs = [r for r in cr.ok_records(doc) if cr.family(r) != "server" and family in (None, cr.family(r))]
    return [p for p in cp.panels(recs) if p["type"] == "lines"]


def draw(doc, family=None, max_height=None):
    """One figure (or, with max_height in inches, a list of figures) of the sweep panels."""
    ps = sweep_panels(doc, family)
    if not ps:
        return None
    figs = cp.panel_figures(plt, ps, cols=3, width=13, max_height=max_height or 1e9,
                            title=f"ctxbench sweeps: {cr.label(doc)}")
    return figs if max_height else figs[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("result", help="ctxbench --json output")
    ap.add_argument("-o", "--output", required=True, help="output file (.png or .svg; no extension: both)")
    ap.add_argument("--family", help="only this family's sweeps (ipc, ctxswitch, process, thread, bw, ...)")
    a = ap.parse_args()
    doc = cr.load_or_exit(a.result, ap.prog)
    fig = draw(doc, a.family) or cp.placeholder(plt, "no swept probes (message size, working set, ring size, "
                                                     "fork vs RSS, bandwidth) in this file")
    for p in cp.save(fig, a.output):
        print(p)


if __name__ == "__main__":
    main()
