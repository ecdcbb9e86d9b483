#!/usr/bin/python3
"""The server.* sweep as line charts: requests/s and p99 latency against the number of concurrent client
connections (log2 axis), one line per server model (fixed colours). One row of two panels per
(placement, work_ns, scenario): persistent connections and a new connection per request, for every work_ns
value in the file. A dashed line marks where process-per-connection first falls more than 10% below the best
other model's throughput (see server_table.py); skipped and failed points are not drawn, only counted.

  scripts/chart_server.py results/kvm2-guest.json -o server        # server.png + server.svg
  scripts/chart_server.py results/kvm2-guest.json                  # results/kvm2-guest-server.png + .svg
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import ctxpanels as cp  # noqa: E402
import server_table as st  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OTHER_COLORS = ["#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def color(model, models):
    if model in st.MODEL_COLORS:
        return st.MODEL_COLORS[model]
    extra = [m for m in models if m not in st.MODEL_COLORS]
    return OTHER_COLORS[extra.index(model) % len(OTHER_COLORS)]


def series(pts):
    """{model: [(connections, requests/s or None, p99 ns or None)]} of the ok points only, by connections."""
    return {m: sorted(((c, p["rps"], p["p99"]) for c, p in by.items()), key=lambda t: t[0])
            for m, by in st.ok_by_model(pts).items()}


def _line(ax, xs, ys, c, label):
    pts = [(x, y) for x, y in zip(xs, ys) if y is not None and y > 0]
    if pts:
        ax.plot([x for x, _ in pts], [y for _, y in pts], "o-", color=c, ms=3.5, lw=1.4, label=label)


def draw(doc, only=None):
    """The figure of every (placement, scenario, work, ws) group, or of the group keys in `only`."""
    pts = st.points(doc)
    gs = {k: v for k, v in st.groups(pts).items() if only is None or k in only}
    if not pts or not gs:
        return None
    pts = [p for gp in gs.values() for p in gp]
    models = st.models_of(pts)
    height = 3.3 * len(gs) + 0.8
    fig, axes = plt.subplots(len(gs), 2, figsize=(11, height), squeeze=False)
    for (ax_t, ax_l), (key, gp) in zip(axes, gs.items()):
        ser = series(gp)
        for m in [m for m in models if m in ser]:
            xs = [c for c, _, _ in ser[m]]
            _line(ax_t, xs, [r for _, r, _ in ser[m]], color(m, models), m)
            _line(ax_l, xs, [None if p is None else p / 1e3 for _, _, p in ser[m]], color(m, models), m)
        cx = st.crossing(gp)
        ticks = sorted({c for s in ser.values() for c, _, _ in s})
        if cx["connections"] is not None:
            left = ticks.index(cx["connections"]) >= len(ticks) / 2  # the note goes where the panel has room
            drop = 1 - cx["baseline_rps"] / cx["best_rps"]
            top = max((r for s_ in ser.values() for _, r, _ in s_ if r is not None), default=1)
            low = cx["baseline_rps"] < 0.4 * top  # a point near the axis gets its note above it
            for ax in (ax_t, ax_l):
                ax.axvline(cx["connections"], color=st.MODEL_COLORS[st.BASELINE], ls="--", lw=0.9, alpha=0.7)
            ax_t.annotate(f"{st.BASELINE}\n{drop:.0%} below {cx['best_model']}\nfrom {cx['connections']} conns",
                          xy=(cx["connections"], cx["baseline_rps"]), xytext=(-10 if left else 10, 14 if low else -36),
                          textcoords="offset points", ha="right" if left else "left", fontsize=7,
                          color=st.MODEL_COLORS[st.BASELINE],
                          arrowprops={"arrowstyle": "->", "color": st.MODEL_COLORS[st.BASELINE], "lw": 0.8})
        else:
            note = (f"no crossing: {cx['reason']}" if cx["reason"] else
                    f"{st.BASELINE} within {st.CROSS_MARGIN:.0%} of the best up to {max(cx['compared'])} conns")
            ax_t.text(0.01, 0.02, note, transform=ax_t.transAxes, fontsize=7, color="#555")
        not_ok = [p for p in gp if p["status"] != "ok"]
        if not_ok:
            ax_l.text(0.01, 0.02, f"{len(not_ok)} point(s) not drawn (skipped/failed; see server_table.py)",
                      transform=ax_l.transAxes, fontsize=7, color="#a60")
        for ax in (ax_t, ax_l):
            ax.set_xscale("log", base=2)
            if ticks:
                ax.set_xticks(ticks)
                ax.set_xticklabels([str(t) for t in ticks], fontsize=7)
            ax.minorticks_off()
            ax.set_xlabel("concurrent connections (log2)")
            ax.grid(alpha=0.3, which="both")
        ax_t.set_ylim(bottom=0)
        ax_t.set_ylabel("requests/s")
        ax_l.set_yscale("log")
        ax_l.set_ylabel("p99 latency per request (µs, log)")
        title = st.group_title(key)
        ok_ids = [p["id"] for p in gp if p["status"] == "ok"]
        cp.tag(fig, f"throughput: {title}", "requests/s", "requests/s", ok_ids, field="metrics.requests_per_second")
        cp.tag(fig, f"p99: {title}", "per_request", "ns", ok_ids)
        ax_t.set_title(f"throughput: {title}", fontsize=8)
        ax_l.set_title(f"p99: {title}", fontsize=8)
    placements = [str(p) for p in sorted({p["placement"] for p in pts})]
    fig.suptitle(f"ctxbench server models: {cr.label(doc)}\nclient/server placement: {'; '.join(placements)}; "
                 f"server work per request: {', '.join(st.us_text(w) for w in sorted({p['work_ns'] for p in pts}))}",
                 fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.25 / height))  # room for the two-line title, however many rows
    handles = {}
    for ax in fig.axes:  # one legend for the figure: the colour of a model is the same in every panel
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    if handles:
        fig.legend(list(handles.values()), list(handles), loc="upper center", bbox_to_anchor=(0.5, 0.0),
                   ncol=len(handles), fontsize=8, frameon=False)
    return fig


def main():
    cp.chart_main(__doc__, plt, lambda doc, a: draw(doc),
                  lambda a: f"{a.result}: no server.* records (run ctxbench with the server probes)",
                  default_suffix="-server")

if __name__ == "__main__":
    main()
