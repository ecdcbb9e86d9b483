"""Trend charts of the fleet page (scripts/history_report.py): one small panel per record, the p50 of each
run over the runs' start times, one colour per machine, the rerun band (p50 x rerun_low .. rerun_high)
shaded, each change point a vertical line with a marker saying which judgement found it (raw,
run-corrected or both), optionally the run-corrected line (p50 / the run's factor) dotted. Each figure holds
at most `max_height` inches of panels and carries in `ctxbench_axes` what every axis drew.
"""
import datetime

import numpy as np

import ctxhistory as ch

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
          "#bcbd22"]
FIRED_MARKER = {"raw": ("v", "raw"), "run_corrected": ("s", "run-corrected"), "both": ("*", "raw and run-corrected")}
PANEL_H = 2.4  # inches per row of panels
MARKED_POINTS = 60  # a longer series is a line without point markers (an SVG of thousands of markers is slow)


def machine_colors(doc):
    return {m["fingerprint"]: COLORS[i % len(COLORS)] for i, m in enumerate(doc["machines"])}


def run_times(doc):
    """The x of each run: its start time, or its index when some start time is not ISO 8601 text."""
    out = []
    for r in doc["runs"]:
        try:
            out.append(datetime.datetime.fromisoformat(str(r.get("start_time", "")).replace("Z", "+00:00")))
        except ValueError:
            return list(range(len(doc["runs"]))), False
    return out, True


def _values(s, key):
    return np.array([p[key] if ch.number(p.get(key)) else np.nan for p in s["points"]], dtype=float)


def _y_axis(ax, lo, hi):
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    if hi / max(lo, 1e-12) > 5:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0), numticks=6))
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: ch.fmt_ns(v)))


def draw_panel(ax, rid, series, colors, times, corrected):
    """One record's panel; returns its manifest entry."""
    drawn = {"title": rid, "unit": series[0].get("unit") or "ns", "measure": series[0].get("measure"),
             "machines": [], "points": {}, "change_points": []}
    ys_all = []
    for s in series:
        fp, c = s["machine"], colors[s["machine"]]
        xs = [times[p["run"]] for p in s["points"]]
        y = _values(s, "p50_ns")
        lo, hi = y * _values(s, "rerun_low"), y * _values(s, "rerun_high")
        ax.plot(xs, y, marker="o" if len(xs) <= MARKED_POINTS else None, ms=2.2, lw=1.0, color=c)
        band = ~np.isnan(lo) & ~np.isnan(hi)
        if band.any():
            ax.fill_between(xs, np.where(band, lo, y), np.where(band, hi, y), where=band, color=c,
                            alpha=0.15 if len(series) <= 3 else 0.08, lw=0)
        if corrected:
            cy = _values(s, "corrected_ns")
            if (~np.isnan(cy)).any():
                ax.plot(xs, cy, ls=":", lw=1.0, color=c)
        ys_all += [v for v in np.concatenate([y, lo[band], hi[band]]) if np.isfinite(v) and v > 0]
        for cp in s.get("change_points") or []:
            i = cp["point"]
            mark, _ = FIRED_MARKER.get(cp.get("fired"), ("x", cp.get("fired")))
            ax.axvline(xs[i], color=c, ls="--", lw=0.9, alpha=0.8)
            ax.plot([xs[i]], [y[i]], marker=mark, ms=8, color=c, mec="black", mew=0.6, zorder=5)
            if ch.number(cp.get("ratio")):
                ax.annotate(f"×{cp['ratio']:.2f}", (xs[i], y[i]), xytext=(4, 6), textcoords="offset points",
                            fontsize=6.5, color=c)
            drawn["change_points"].append({"machine": fp, "point": i, "fired": cp.get("fired")})
        drawn["machines"].append(fp)
        drawn["points"][fp] = int((~np.isnan(y)).sum())
    if ys_all:
        _y_axis(ax, min(ys_all), max(ys_all))
    ax.set_title(rid, fontsize=8)
    ax.set_ylabel(ch.axis_text(series[0]), fontsize=6.5)
    ax.tick_params(labelsize=6.5)
    ax.grid(alpha=0.3)
    return drawn


def figures(plt, doc, panels, colors, corrected=False, cols=3, width=14.0, max_height=9.0):
    """Figures of `panels` ([(record_id, [series of that record, one per machine])]) in rows of `cols`, each at
    most max_height inches tall (a legend row included)."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    times, dated = run_times(doc)
    rows_per_fig = max(1, int((max_height - 0.7) // PANEL_H))
    per_fig = rows_per_fig * cols
    out = []
    for start in range(0, len(panels), per_fig):
        chunk = panels[start:start + per_fig]
        nrows = (len(chunk) + cols - 1) // cols
        height = nrows * PANEL_H + 0.7
        fig = plt.figure(figsize=(width, height))
        fig.ctxbench_axes = []
        used, fired = [], set()
        for i, (rid, series) in enumerate(chunk):
            ax = fig.add_subplot(nrows, cols, i + 1)
            drawn = draw_panel(ax, rid, series, colors, times, corrected)
            fig.ctxbench_axes.append(drawn)
            used += [fp for fp in drawn["machines"] if fp not in used]
            fired |= {c["fired"] for c in drawn["change_points"]}
            if dated:
                loc = AutoDateLocator(minticks=2, maxticks=5)
                ax.xaxis.set_major_locator(loc)
                ax.xaxis.set_major_formatter(ConciseDateFormatter(loc))
                ax.xaxis.get_offset_text().set_fontsize(6.5)
            else:
                ax.set_xlabel("run (document order)", fontsize=6.5)
        names = {m["fingerprint"]: ch.machine_name(doc, m) for m in doc["machines"]}
        handles = [Line2D([], [], color=colors[fp], marker="o", ms=3, label=names[fp]) for fp in used]
        handles.append(Patch(color="#888", alpha=0.3, label="rerun band"))
        handles += [Line2D([], [], ls="", marker=FIRED_MARKER[k][0], mec="black", color="#bbb", ms=7,
                           label=f"change point: {FIRED_MARKER[k][1]}") for k in FIRED_MARKER if k in fired]
        if corrected:
            handles.append(Line2D([], [], ls=":", color="#555", label="run-corrected"))
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.0), ncol=min(len(handles), 5),
                   fontsize=7, frameon=False)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / height))
        out.append(fig)
    return out
