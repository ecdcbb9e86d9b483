#!/usr/bin/python3
"""The many-pairs scaling curve (ctxswitch.pairs[.futex]/pairs:N, docs/METHODOLOGY.md "Many pairs at once"):
every pair's hand-offs per second and the CPUs' idle share against the number of pairs, one colour per
placement, pipes solid and futex dashed. The per-op p50 curve is chart_sweeps.py's. Files without pairs
records get a figure saying so.

  scripts/chart_pairs.py out.json -o pairs
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import ctxpanels as cp  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLOURS = {"same-cpu": "tab:blue", "unpinned": "tab:orange"}


def series(doc):
    """{(stem, placement): [(pairs, handoffs/s, idle share or None)]} from the records' metrics."""
    out = {}
    for r in cr.ok_records(doc):
        m = r.get("metrics") if isinstance(r.get("metrics"), dict) else {}
        if not cr.base(r).startswith("ctxswitch.pairs") or not isinstance(m.get("handoffs_per_second"), (int, float)):
            continue
        n = (r.get("params") or {}).get("pairs", m.get("pairs"))
        try:
            n = int(n)
        except (TypeError, ValueError):
            continue
        out.setdefault((cr.base(r), cr.place(r)), []).append((n, m["handoffs_per_second"], m.get("cpu_idle_share")))
    return {k: sorted(v) for k, v in out.items()}


def draw(doc):
    s = series(doc)
    if not s:
        return None
    fig, (ax_rate, ax_idle) = plt.subplots(1, 2, figsize=(11, 4))
    for (stem, where), pts in sorted(s.items()):
        style = dict(color=COLOURS.get(where, "tab:gray"), linestyle="--" if stem.endswith(".futex") else "-",
                     marker="o", label=f"{stem} {where}")
        ax_rate.plot([p[0] for p in pts], [p[1] for p in pts], **style)
        idle = [(p[0], p[2]) for p in pts if isinstance(p[2], (int, float))]
        if idle:
            ax_idle.plot([p[0] for p in idle], [100 * p[1] for p in idle], **style)
    for ax in (ax_rate, ax_idle):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("pairs running at once")
        ax.grid(True, alpha=0.3)
    ax_rate.set_ylabel("hand-offs per second, all pairs")
    ax_rate.set_ylim(bottom=0)
    ax_idle.set_ylabel("CPU idle during the window (%)")
    ax_idle.set_ylim(0, 100)
    ax_rate.legend(fontsize=7)
    fig.suptitle(f"ctxbench many pairs: {cr.label(doc)}", fontsize=10)
    fig.tight_layout()
    return fig


def main():
    cp.chart_main(__doc__, plt, lambda doc, a: draw(doc),
                  lambda a: "no ctxswitch.pairs records in this file (--suite full)")

if __name__ == "__main__":
    main()
