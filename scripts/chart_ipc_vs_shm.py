#!/usr/bin/python3
"""IPC vs shared memory: each mechanism's cross-CPU cost beside the floor, a cache line moved between the
same two CPUs with atomics, as a ratio. Round trips are compared only with the cache-line round trip
(shm.pingpong) and one-way times only with a one-way transfer (shm.c2c, else shm.pingpong.one_way): two
panels, never one axis. Swept mechanisms appear at their smallest message; keep-awake twins and derived
records are left out (the one-way floor may be the derived round trip / 2 when no shm.c2c was run).

  scripts/chart_ipc_vs_shm.py results/kvm2-guest.json -o ipc_vs_shm
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import ctxunits as cu  # noqa: E402
import ctxpanels as cp  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FLOORS = {"round_trip": ["shm.pingpong"], "one_way": ["shm.c2c", "shm.pingpong.one_way"]}
FAMILIES = ("ctxswitch", "ipc", "shm")


def smallest(recs):
    """One record per probe stem: the one with the smallest parameters (size:1 before size:4096)."""
    best = {}
    for r in recs:
        key = cr.base(r)
        rank = tuple(sorted((r.get("params") or {}).items(), key=str))
        if key not in best or str(rank) < str(best[key][0]):
            best[key] = (rank, r)
    return [r for _, r in best.values()]


def comparison(doc, measure, placement="cross-cpu"):
    """(floor record, [mechanism records sorted by p50]) for one measure, or None."""
    recs = [r for r in cr.ok_records(doc) if cr.place(r) == placement and cr.p50(r) and cr.measure(r) == measure]
    floor = None
    for name in FLOORS[measure]:
        cands = sorted((r for r in recs if cr.base(r) == name), key=cr.p50)
        if cands:
            floor = cands[len(cands) // 2]  # the median pair when shm.c2c has several
            break
    mechs = [r for r in recs if not r.get("derived") and cr.family(r) in FAMILIES
             and cr.base(r) not in FLOORS[measure]]
    if floor is None or not mechs:
        return None
    return floor, sorted(smallest(mechs), key=cr.p50)


def ratio_text(v, base):
    r = v / base
    return f"{r:.0f}×" if r >= 10 else f"{r:.2g}×"


def draw(doc, placement="cross-cpu"):
    parts = [(m, comparison(doc, m, placement)) for m in FLOORS]
    parts = [(m, c) for m, c in parts if c is not None]
    if not parts:
        return None
    rows = max(len(c[1]) + 1 for _, c in parts)
    fig, axes = plt.subplots(1, len(parts), figsize=(7 * len(parts), 0.2 * rows + 1.4), squeeze=False)
    for ax, (m, (floor, mechs)) in zip(axes[0], parts):
        base = cr.p50(floor)
        recs = [floor] + mechs
        names = [f"{floor['probe']} (floor)"] + [r["probe"] for r in mechs]
        vals = [cr.p50(r) for r in recs]
        ax.barh(range(len(recs)), vals, color=["#7f7f7f"] + ["#d62728"] * len(mechs), height=0.7)
        for i, v in enumerate(vals):
            text = cu.fmt_ns(v) if i == 0 else f"{cu.fmt_ns(v)} = {ratio_text(v, base)}"
            ax.text(v * 1.08, i, text, va="center", fontsize=6.5)
        ax.set_yticks(range(len(recs)))
        ax.set_yticklabels(names, fontsize=6.5)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_xscale("log")
        ax.set_xlim(base / 2, max(vals) * 12)
        cp._value_axis(ax.xaxis, "ns", base / 2, max(vals) * 12)
        what = "round trip" if m == "round_trip" else "one way"
        ax.set_xlabel(f"{what}, p50 (log), {placement}; ratio = p50 / the floor's p50", fontsize=7)
        ax.tick_params(labelsize=6.5)
        ax.grid(axis="x", alpha=0.3)
        ax.set_title(f"{what}: IPC vs a cache line ({floor['probe']})", fontsize=8.5)
        cp.tag(fig, f"{what} vs the cache line", m, "ns", [r["id"] for r in recs],
               ratios=[(r["id"], floor["id"]) for r in mechs])
    fig.suptitle(f"IPC vs shared memory: {cr.label(doc)}", fontsize=9.5)
    fig.tight_layout()
    return fig


def main():
    cp.chart_main(
        __doc__, plt, lambda doc, a: draw(doc, a.placement),
        lambda a: f"no shm.pingpong / shm.c2c and IPC results in placement {a.placement} in this file "
                  "(one-CPU affinity mask?)",
        add_arguments=lambda ap: ap.add_argument("--placement", default="cross-cpu",
                                                 choices=["cross-cpu", "same-cpu", "unpinned"]))

if __name__ == "__main__":
    main()
