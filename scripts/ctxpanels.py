"""Chart panels shared by the chart and report scripts: which panels a set of records makes (bars of the
records without a parameter, lines over a swept parameter, one measure per panel), drawing them, and the
manifest of what every axis drew (the report embeds it, the tests check it). Takes matplotlib objects from
its caller.
"""
import argparse
import os
import sys

import ctxresults as cr
import ctxunits as cu

PLACEMENT_COLORS = {"none": "#555555", "same-cpu": "#1f77b4", "cross-cpu": "#d62728", "unpinned": "#2ca02c",
                    "cross-cpu+awake": "#ff9896", "same-cpu+awake": "#aec7e8", "unpinned+awake": "#98df8a"}
OTHER_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
VARIANTS = ("process", "thread")  # a name part drawn as the line style, not as a panel of its own


def output_paths(out):
    """-o x.png or x.svg writes that file; -o x (no such extension) writes x.png and x.svg."""
    root, ext = os.path.splitext(out)
    if ext.lower() in (".png", ".svg"):
        return [out]
    return [out + ".png", out + ".svg"]


def save(fig, out):
    written = []
    for path in output_paths(out):
        d = os.path.dirname(path)
        if d and not os.path.isdir(d):
            sys.exit(f"-o {out}: directory {d} does not exist")
        fig.savefig(path, dpi=110, bbox_inches="tight")
        written.append(path)
    return written


def chart_main(description, plt, draw, empty, add_arguments=None, check=None, default_suffix=None):
    """The main() of a one-figure chart script: `result -o OUT` (plus what add_arguments(parser) adds; check(parser,
    args) rejects bad values), the file loaded or the program exits with the reason, draw(doc, args) -> a figure or
    None, and a placeholder saying empty(args) when there is nothing to draw. Prints the files written. With
    default_suffix, -o may be left out: RESULT without .json plus the suffix (PNG and SVG)."""
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("result", help="ctxbench --json output")
    out_help = "output file (.png or .svg; no extension: both)"
    if default_suffix:
        out_help += f"; default: RESULT without .json, plus {default_suffix} (PNG and SVG)"
    ap.add_argument("-o", "--output", required=not default_suffix, help=out_help)
    if add_arguments:
        add_arguments(ap)
    a = ap.parse_args()
    if check:
        check(ap, a)
    doc = cr.load_or_exit(a.result, ap.prog)
    if a.output is None:
        a.output = os.path.splitext(a.result)[0] + default_suffix
    fig = draw(doc, a) or placeholder(plt, empty(a))
    for path in save(fig, a.output):
        print(path)


def placeholder(plt, text):
    """A figure that says why there is nothing to draw (so a CI artifact always exists)."""
    fig, ax = plt.subplots(figsize=(7, 1.6))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True)
    return fig


def sweep_points(recs):
    """{(stem, x name, fixed params): {placement kind: [(x, rec)]}} of the ok records that form a sweep: one
    probe (its name without parameters) whose records differ in one numeric parameter (the one with the most
    values; any other numeric parameter is held fixed)."""
    by_stem = {}
    for r in recs:
        if r.get("status") != "ok" or cr.p50(r) is None:
            continue
        if cr.numeric_params(r):
            by_stem.setdefault(cr.base(r), []).append(r)
    out = {}
    for stem, rs in by_stem.items():
        values = {}
        for r in rs:
            for k, v in cr.numeric_params(r).items():
                values.setdefault(k, set()).add(v)
        varying = sorted((k for k, v in values.items() if len(v) >= 2), key=lambda k: (-len(values[k]), k))
        for r in rs:
            nums = cr.numeric_params(r)
            if varying:
                xname, x = varying[0], nums.get(varying[0])
            elif len(nums) == 1:
                (xname, x), = nums.items()
            else:
                continue
            if x is None:
                continue
            fixed = tuple(sorted((k, v) for k, v in nums.items() if k != xname))
            out.setdefault((stem, xname, fixed), {}).setdefault(cr.place(r), []).append((x, r))
    return {k: v for k, v in out.items() if any(len({x for x, _ in pts}) >= 2 for pts in v.values())}


def _variant(stem):
    """(stem without a process/thread part, that part or '')."""
    parts = stem.split(".")
    for v in VARIANTS:
        if v in parts[1:]:
            parts.remove(v)
            return ".".join(parts), v
    return stem, ""


def panels(recs, max_rows=14):
    """The panels of a set of records (one family, usually): first bar panels of the records without a
    parameter, one per measure (at most max_rows probes each), then one line panel per swept stem and measure
    (process and thread variants of a stem share a panel as solid and dashed lines, one colour per placement).
    A panel: {"type": "bars"|"lines", "title", "measure", "unit", "recs", ...}."""
    recs = [r for r in recs if r.get("status") == "ok" and cr.p50(r) is not None]
    sweeps = sweep_points(recs)
    in_sweep = {id(r) for by in sweeps.values() for pts in by.values() for _, r in pts}
    out = []
    bars = {}
    for r in recs:
        if id(r) not in in_sweep:
            bars.setdefault(cr.measure(r), {}).setdefault(r.get("probe", ""), {})[cr.place(r)] = r
    for m, rows in bars.items():
        names = list(rows)
        for i in range(0, len(names), max_rows):
            chunk = names[i:i + max_rows]
            out.append({"type": "bars", "measure": m, "unit": cr.unit(next(iter(rows[chunk[0]].values()))),
                        "title": cu.AXIS_TEXT.get(m, m) + (f" ({i // max_rows + 1})" if len(names) > max_rows else ""),
                        "rows": [(n, rows[n]) for n in chunk],
                        "recs": [r for n in chunk for r in rows[n].values()]})
    lines = {}
    for (stem, xname, fixed), by_kind in sweeps.items():
        for k, pts in by_kind.items():
            m = cr.measure(pts[0][1])
            pstem, var = _variant(stem)
            key = (pstem, xname, fixed, m)
            lines.setdefault(key, []).append((var, k, sorted(pts, key=lambda t: t[0])))
    order = cu.MEASURES
    for (pstem, xname, fixed, m), series in sorted(lines.items(), key=lambda kv: (
            order.index(kv[0][3]) if kv[0][3] in order else 9, list(lines).index(kv[0]))):
        series.sort(key=lambda s: (s[0], cr.PLACEMENT_ORDER.index(s[1]) if s[1] in cr.PLACEMENT_ORDER else 9))
        title = pstem + "".join(f", {k} {cu.human(v, k)}" for k, v in fixed)
        out.append({"type": "lines", "measure": m, "unit": cr.unit(series[0][2][0][1]), "title": title,
                    "xname": xname, "series": series, "recs": [r for s in series for _, r in s[2]]})
    return out


def manifest(fig):
    """What each axis of a figure drew: [{"title", "measure", "unit", "ids", "ratios"}] (the report embeds it
    beside the chart, the tests check it)."""
    return getattr(fig, "ctxbench_axes", [])


def tag(fig, title, measure_, unit_, ids, ratios=(), field=None):
    """Record what one axis of fig drew (ratios: the (id, id) pairs a ratio label compares; field: the
    record field drawn when it is not the record's own value, e.g. metrics.requests_per_second)."""
    if not hasattr(fig, "ctxbench_axes"):
        fig.ctxbench_axes = []
    fig.ctxbench_axes.append({"title": title, "measure": measure_, "unit": unit_, "ids": list(ids),
                              "ratios": [list(p) for p in ratios], "field": field})


def _value_axis(axis, unit_, lo, hi):
    """Log ticks in the unit's own words; 1-2-5 or 1-3 ticks when the data spans few decades."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    span = hi / max(lo, 1e-12)
    subs = (1.0, 2.0, 5.0) if span < 300 else (1.0, 3.0) if span < 3000 else (1.0,)
    axis.set_major_locator(LogLocator(base=10, subs=subs, numticks=8))
    axis.set_major_formatter(FuncFormatter(lambda v, _: cu.fmt(v, unit_)))
    axis.set_minor_formatter(NullFormatter())


def draw_panel(fig, ax, panel, small=False, legend=True):
    """One panel on ax: horizontal p50 bars with a p99 whisker, or p50 lines over the parameter (p99 dotted
    when not small). Log value axis in the panel's own unit."""
    u, m = panel["unit"], panel["measure"]
    fs = 6.5 if small else 7.5
    if panel["type"] == "bars":
        rows = panel["rows"]
        kinds = [k for k in cr.PLACEMENT_ORDER if any(k in by for _, by in rows)]
        kinds += sorted({k for _, by in rows for k in by} - set(kinds))
        h = min(0.8 / max(len(kinds), 1), 0.5)
        for ki, k in enumerate(kinds):
            ys, ws, errs = [], [], []
            for i, (_, by) in enumerate(rows):
                if k not in by:
                    continue
                present = [kk for kk in kinds if kk in by]
                ys.append(i + (present.index(k) - (len(present) - 1) / 2) * h)
                v = cr.p50(by[k])
                p99 = cr.stat(by[k], "p99")
                ws.append(v)
                errs.append(max((p99 or v) - v, 0) if u == "ns" else 0)
            ax.barh(ys, ws, height=h, color=PLACEMENT_COLORS.get(k, "#888"), label=k,
                    xerr=[[0] * len(errs), errs], error_kw={"elinewidth": 0.7, "capsize": 1.5, "alpha": 0.6})
            if len(rows) * len(kinds) <= 24:
                for y, w in zip(ys, ws):
                    ax.text(w * 1.08, y, cu.fmt(w, u), va="center", fontsize=fs - 1.5,
                            bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.7})
        ax.set_yticks(range(len(rows)))
        fam = rows[0][0].split(".")[0] + "." if rows else ""
        ax.set_yticklabels([n[len(fam):] if n.startswith(fam) else n for n, _ in rows], fontsize=fs)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xscale("log")
        lo = min(cr.p50(r) for r in panel["recs"])
        hi = max(max(cr.p50(r), cr.stat(r, "p99") or 0) for r in panel["recs"])
        ax.set_xlim(lo / 3, hi * 3)
        _value_axis(ax.xaxis, u, lo / 3, hi * 3)
        ax.grid(axis="x", which="major", alpha=0.3)
        ax.set_xlabel(f"{cu.AXIS_TEXT.get(m, m)}: p50" + (", whisker p99" if u == "ns" else "") + " (log)", fontsize=fs)
    else:
        xs_all = sorted({x for s in panel["series"] for x, _ in s[2]})
        for i, (var, k, pts, *name) in enumerate(panel["series"]):
            xs = [x for x, _ in pts]
            ys = [cr.p50(r) for _, r in pts]
            c = PLACEMENT_COLORS.get(k, "#888") if not name else OTHER_COLORS[i % len(OTHER_COLORS)]
            ls = "--" if var == "thread" else "-"
            ax.plot(xs, ys, marker="o", ms=2.5, ls=ls, color=c, lw=1.2,
                    label=name[0] if name else (f"{var} " if var else "") + k)
            if not small and u == "ns" and len(panel["series"]) <= 3:
                ax.plot(xs, [cr.stat(r, "p99") or cr.p50(r) for _, r in pts], ls=":", color=c,
                        lw=0.8, alpha=0.5)
        if min(xs_all) > 0:
            ax.set_xscale("log", base=2)
        else:
            ax.set_xscale("symlog", base=2, linthresh=max(min([x for x in xs_all if x > 0] or [1]), 1))
        step = max(1, len(xs_all) // 6)
        ax.set_xticks(xs_all[::step])
        ax.set_xticklabels([cu.human(x, panel["xname"]) for x in xs_all[::step]], fontsize=fs)
        ax.minorticks_off()
        ax.set_yscale("log")
        ys_all = [cr.p50(r) for r in panel["recs"]]
        _value_axis(ax.yaxis, u, min(ys_all), max(ys_all) * (1 if small or u != "ns" else 3))
        ax.set_xlabel(panel["xname"], fontsize=fs)
        dotted = not small and u == "ns" and len(panel["series"]) <= 3
        ax.set_ylabel(f"{cu.AXIS_TEXT.get(m, m)}, p50" + (" (dotted: p99)" if dotted else ""), fontsize=fs)
        ax.grid(alpha=0.3, which="major")
        if legend:
            ax.legend(fontsize=fs - 1.5, frameon=False, ncol=2 if len(panel["series"]) > 3 else 1)
    ax.tick_params(labelsize=fs)
    ax.set_title(panel["title"], fontsize=fs + 1)
    tag(fig, panel["title"], m, u, [r.get("id", "") for r in panel["recs"]])


def panel_height(panel, small=False):
    """Inches for one panel: bars grow with their rows (up to a cap), lines are fixed."""
    if panel["type"] == "lines":
        return 2.3 if small else 2.7
    slots = sum(max(len(by), 1) for _, by in panel["rows"])
    return min(max(1.2, 0.5 + (0.09 if small else 0.15) * slots + 0.08 * len(panel["rows"])), 6.0)


def panel_figures(plt, panels_, cols=3, width=14.0, max_height=9.0, small=False, title=None):
    """The list of iter_panel_figures' figures (all open at once: for a caller that needs them together)."""
    return list(iter_panel_figures(plt, panels_, cols, width, max_height, small, title))


def iter_panel_figures(plt, panels_, cols=3, width=14.0, max_height=9.0, small=False, title=None):
    """Figures of at most max_height inches holding the panels in rows of `cols` (a bar panel with many rows
    gets a row to itself when that keeps it readable), one at a time: a caller that closes each before taking
    the next keeps one open, where a family of a full run draws more than matplotlib likes open at once."""
    rows, cur = [], []
    split = sum(p["type"] == "lines" for p in panels_) > cols  # many panels: one measure per row and figure
    for p in panels_:
        if cur and split and (cur[0]["measure"], cur[0]["type"]) != (p["measure"], p["type"]):
            rows.append(cur)  # a row holds one measure and one kind of panel
            cur = []
        if p["type"] == "bars" and panel_height(p, small) > 3.2 and not small:
            if cur:
                rows.append(cur)
                cur = []
            rows.append([p])
            continue
        cur.append(p)
        if len(cur) == cols:
            rows.append(cur)
            cur = []
    if cur:
        rows.append(cur)
    figs, chunk, used = [], [], 0.0
    heights = [max(panel_height(p, small) for p in r) + 0.5 for r in rows]
    for r, h in zip(rows, heights):
        if chunk and (used + h > max_height or (split and r[0]["measure"] != chunk[-1][0][0]["measure"])):
            figs.append(chunk)
            chunk, used = [], 0.0
        chunk.append((r, h))
        used += h
    if chunk:
        figs.append(chunk)
    for chunk in figs:
        total = sum(h for _, h in chunk) + (0.3 if title else 0) + 0.3
        fig = plt.figure(figsize=(width, total))
        gs = fig.add_gridspec(len(chunk), cols, height_ratios=[h for _, h in chunk])
        for ri, (r, _) in enumerate(chunk):
            if len(r) == 1 and r[0]["type"] == "bars" and panel_height(r[0], small) > 3.2 and not small:
                ax = fig.add_subplot(gs[ri, :2])
                draw_panel(fig, ax, r[0], small)
                continue
            for ci, p in enumerate(r):
                draw_panel(fig, fig.add_subplot(gs[ri, ci]), p, small, legend=False)
        handles = {}
        for ax in fig.axes:  # one legend per figure: a placement (and process/thread) looks the same everywhere
            for h, lab in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(lab, h)
        top = 1 - (0.3 if title else 0) / total
        if handles:
            fig.legend(list(handles.values()), list(handles), loc="upper center", ncol=min(len(handles), 8),
                       fontsize=7, frameon=False, bbox_to_anchor=(0.5, top))
            top -= 0.3 / total
        if title:
            fig.suptitle(title, fontsize=10)
        fig.tight_layout(rect=(0, 0, 1, top))
        yield fig
