"""Shared reading of ctxbench result files for the chart, report and export scripts (stdlib only; the
drawing helpers at the end take matplotlib objects from their caller).

Each script in scripts/ is run on its own (python3 scripts/chart_overview.py ...); this module sits next to
them and is imported from the script's own directory.

What may share an axis: records of one `measure` (see measure()): time per op (round trips and other ops),
one-way time, time per switch (derived), ns per MiB (derived slope), or bytes per second. A chart never puts
two measures on one axis, and every axis it draws is listed in the figure's manifest (manifest()), which the
report embeds and the tests check.
"""
import json
import math
import os
import re
import sys

SCHEMA_VERSION = 1
PLACEMENT_ORDER = ["none", "same-cpu", "cross-cpu", "cross-cpu+awake", "unpinned", "same-cpu+awake", "unpinned+awake"]
PLACEMENT_COLORS = {"none": "#555555", "same-cpu": "#1f77b4", "cross-cpu": "#d62728", "unpinned": "#2ca02c",
                    "cross-cpu+awake": "#ff9896", "same-cpu+awake": "#aec7e8", "unpinned+awake": "#98df8a"}
FAMILY_ORDER = ["baseline", "ctxswitch", "ipc", "shm", "process", "thread", "wakeup", "bw", "server"]
OTHER_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
VARIANTS = ("process", "thread")  # a name part drawn as the line style, not as a panel of its own


class InputError(Exception):
    """A result file that cannot be used; the message names the file."""


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    except ValueError as e:
        raise InputError(f"{path}: not valid JSON ({e})")
    meta = doc.get("ctxbench") if isinstance(doc, dict) else None
    if not isinstance(meta, dict) or "schema_version" not in meta:
        raise InputError(f"{path}: not a ctxbench result file (no ctxbench.schema_version)")
    if meta["schema_version"] != SCHEMA_VERSION:
        raise InputError(f"{path}: schema version {meta['schema_version']} is not the supported {SCHEMA_VERSION}")
    if not isinstance(doc.get("results"), list):
        raise InputError(f"{path}: no results[] array")
    doc["_path"] = path
    return doc


def load_or_exit(path, prog):
    try:
        return load(path)
    except InputError as e:
        sys.exit(f"{prog}: {e}")


HYPERVISORS = {"KVMKVMKVM": "KVM", "Microsoft Hv": "Hyper-V", "VMwareVMware": "VMware", "XenVMMXenVMM": "Xen",
               "TCGTCGTCGTCG": "QEMU TCG", "ACRNACRNACRN": "ACRN", "VBoxVBoxVBox": "VirtualBox"}


def virtualization(m):
    """'KVM guest', 'VM (hypervisor flag)', 'bare metal (no hypervisor flag)' from the machine block."""
    if m.get("virtualization"):
        return str(m["virtualization"])
    vendor = (m.get("hypervisor_vendor") or "").strip()
    if vendor:
        return f"{HYPERVISORS.get(vendor, vendor)} guest"
    if m.get("hypervisor_flag") is True:
        return "VM (hypervisor flag)"
    return "bare metal (no hypervisor flag)" if m.get("hypervisor_flag") is False else "virtualization unknown"


def cpu_list(cpus):
    """[0, 1, 2, 5] -> '0-2,5'."""
    cpus = sorted(c for c in cpus if isinstance(c, int))
    out, i = [], 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        out.append(str(cpus[i]) if i == j else f"{cpus[i]}-{cpus[j]}")
        i = j + 1
    return ",".join(out)


def machine_title(doc):
    """CPU model, kernel, virtualization, CPUs used: the line that says what machine a figure is from."""
    m = doc.get("machine", {})
    parts = [m.get("cpu_model") or "unknown CPU"]
    if m.get("kernel_release"):
        parts.append(f"Linux {m['kernel_release']}")
    parts.append(virtualization(m))
    aff = m.get("affinity") or []
    used = (doc.get("ctxbench", {}).get("options") or {}).get("cpus")
    if aff:
        parts.append(f"{len(aff)} CPU{'s' if len(aff) != 1 else ''} used ({cpu_list(aff)})"
                     + (f" of {m['logical_cpus']}" if m.get("logical_cpus") and m["logical_cpus"] != len(aff) else ""))
    elif used:
        parts.append(f"CPUs {used}")
    return " · ".join(parts)


def label(doc):
    m = doc.get("machine", {})
    return m.get("label") or m.get("hostname") or os.path.basename(doc.get("_path", "?"))


def ok_records(doc):
    return [r for r in doc["results"] if r.get("status") == "ok"]


def _number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def in_unit(rec, ns):
    """A figure of the record (its statistics, samples and repetition medians are ns per op) in the record's
    unit: as is, except a B/s record's bandwidth = bytes_per_op x 1e9 / ns -- the one place a script turns
    time per op into bytes per second. Files written before records kept ns per op have no bytes_per_op; their
    B/s figures are already rates and pass as is. None for a missing or non-positive time of a B/s record."""
    if not _number(ns):
        return None
    b = rec.get("bytes_per_op")
    if unit(rec) != "B/s" or not _number(b):
        return ns
    return b * 1e9 / ns if ns > 0 else None


def stat(rec, name):
    """statistics[name] in the record's unit (see in_unit): for a B/s record the p99 of time per op is the
    slow tail, i.e. a low rate."""
    return in_unit(rec, rec.get("statistics", {}).get(name))


def median_ci(rec):
    """(low, high) of the median's 95% CI in the record's unit (see in_unit; a B/s record's ends swap), or None."""
    ci = rec.get("statistics", {}).get("median_ci") or {}
    ends = [in_unit(rec, ci.get("low")), in_unit(rec, ci.get("high"))]
    return None if None in ends else (min(ends), max(ends))


def p50(rec):
    """The headline in the record's unit: the median (bandwidth for a B/s record)."""
    v = stat(rec, "p50")
    if v is None:
        v = rec.get("value")
    return v if _number(v) else None


def kind(rec):
    return (rec.get("placement") or {}).get("kind") or "none"


def place(rec):
    """The placement a chart groups by: the kind, plus '+awake' for a --keep-awake twin (its own result)."""
    return kind(rec) + ("+awake" if rec.get("keep_awake") else "")


def base(rec):
    """The probe without its /key:value parameters: ipc.tcp.process/size:64 -> ipc.tcp.process."""
    return rec.get("probe", "").split("/")[0]


def unit(rec):
    return rec.get("unit") or "ns"


def measure(rec):
    """What one value of the record is; records of different measures never share an axis."""
    b = base(rec)
    if unit(rec) == "B/s" or "bytes_per_op" in rec:
        return "B/s"
    if unit(rec) != "ns":
        return unit(rec)
    if b.endswith(".one_way") or ".one_way." in b or b.startswith("shm.c2c"):
        return "ns one way"
    if b.endswith(".per_switch") or ".per_switch." in b:
        return "ns per switch"
    if b.endswith("per_mib"):
        return "ns per MiB"
    return "ns per op"


AXIS_TEXT = {"ns per op": "time per op", "ns one way": "one-way time", "ns per switch": "one switch (derived)",
             "ns per MiB": "ns per MiB of parent RSS", "ns/MiB": "ns per MiB of parent RSS", "B/s": "bandwidth"}


def fmt(v, unit_="ns"):
    """A value in its unit, short: 5.44 us, 1.2 GB/s."""
    if unit_ == "ns":
        return fmt_ns(v)
    if unit_.startswith("ns/"):  # ns/MiB -> 20.1 us/MiB
        return fmt_ns(v) + unit_[2:]
    if v is None or not math.isfinite(v):
        return "-"
    if unit_ == "B/s":
        for u, div in (("GB/s", 1e9), ("MB/s", 1e6), ("kB/s", 1e3)):
            if abs(v) >= div:
                return f"{v / div:.3g} {u}"
        return f"{v:.3g} B/s"
    return f"{v:.3g} {unit_}"


def family(rec):
    return rec.get("family") or rec.get("probe", "").split(".")[0]


def ordered_families(recs):
    fams = []
    for r in recs:
        if family(r) not in fams:
            fams.append(family(r))
    return sorted(fams, key=lambda f: (FAMILY_ORDER.index(f) if f in FAMILY_ORDER else len(FAMILY_ORDER), fams.index(f)))


def fmt_ns(ns):
    if ns is None or not math.isfinite(ns):
        return "-"
    for unit, div in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if abs(ns) >= div:
            return f"{ns / div:.3g} {unit}"
    return f"{ns:.3g} ns"


def samples(rec):
    """Raw samples (ns per op), else the repetition medians; with the name of what was used. Every record
    names them the same way (B/s records too); a file from before that wrote `median` for B/s and ns/MiB
    records, read here as well."""
    s = [v for v in rec.get("samples", []) if _number(v)]
    if s:
        return s, "samples"
    reps = [r.get("median_ns", r.get("median")) for r in rec.get("repetitions", [])]
    return [v for v in reps if _number(v)], "repetition medians"


def values(rec):
    """samples() in the record's unit (bandwidth for a B/s record, see in_unit)."""
    s, basis = samples(rec)
    return [v for v in (in_unit(rec, x) for x in s) if v is not None], basis


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


def placeholder(plt, text):
    """A figure that says why there is nothing to draw (so a CI artifact always exists)."""
    fig, ax = plt.subplots(figsize=(7, 1.6))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True)
    return fig


def size_token(text):
    """'64k' -> 65536, '16m' -> 16 MiB, '32' -> 32; None when the text is not a size or count."""
    m = re.fullmatch(r"[a-z_]*?(\d+(?:\.\d+)?)([kmg]i?b?|b)?", text.lower())
    if not m:
        return None
    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get((m.group(2) or " ")[0], 1)
    return float(m.group(1)) * mult


def _numeric_params(rec):
    p = rec.get("params")
    if not isinstance(p, dict):
        return {}
    return {k: float(v) for k, v in p.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def _stem(rec):
    """The probe without parameters and without a trailing size part (process.fork_rss.64m -> process.fork_rss)."""
    b = base(rec)
    head, _, tail = b.rpartition(".")
    if head and size_token(tail) is not None and (_numeric_params(rec) or "/" not in rec.get("probe", "")):
        return head, size_token(tail)
    return b, None


def sweep_points(recs):
    """{(stem, x name, fixed params): {placement kind: [(x, rec)]}} of the ok records that form a sweep: one
    stem whose records differ in one numeric parameter (the one with the most values; any other numeric
    parameter is held fixed) -- or, without params, in a numeric last name part (ctxswitch.ring.16)."""
    by_stem = {}
    for r in recs:
        if r.get("status") != "ok" or p50(r) is None:
            continue
        stem, tail = _stem(r)
        if _numeric_params(r) or tail is not None:
            by_stem.setdefault(stem, []).append(r)
    out = {}
    for stem, rs in by_stem.items():
        values = {}
        for r in rs:
            for k, v in _numeric_params(r).items():
                values.setdefault(k, set()).add(v)
        varying = sorted((k for k, v in values.items() if len(v) >= 2), key=lambda k: (-len(values[k]), k))
        for r in rs:
            nums = _numeric_params(r)
            if varying:
                xname, x = varying[0], nums.get(varying[0])
            elif nums and len(nums) == 1:
                (xname, x), = nums.items()
            else:
                xname, x = "size", _stem(r)[1]
            if x is None:
                continue
            fixed = tuple(sorted((k, v) for k, v in nums.items() if k != xname))
            out.setdefault((stem, xname, fixed), {}).setdefault(place(r), []).append((x, r))
    return {k: v for k, v in out.items() if any(len({x for x, _ in pts}) >= 2 for pts in v.values())}


def _variant(stem):
    """(stem without a process/thread part, that part or '')."""
    parts = stem.split(".")
    for v in VARIANTS:
        if v in parts[1:]:
            parts.remove(v)
            return ".".join(parts), v
    return stem, ""


def human(x, name):
    if "byte" in name or name in ("size", "ws", "stack"):
        for u, div in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
            if x >= div:
                return f"{x / div:g}{u}"
    return f"{x:g}"


def panels(recs, max_rows=14):
    """The panels of a set of records (one family, usually): first bar panels of the records without a
    parameter, one per measure (at most max_rows probes each), then one line panel per swept stem and measure
    (process and thread variants of a stem share a panel as solid and dashed lines, one colour per placement).
    A panel: {"type": "bars"|"lines", "title", "measure", "unit", "recs", ...}."""
    recs = [r for r in recs if r.get("status") == "ok" and p50(r) is not None]
    sweeps = sweep_points(recs)
    in_sweep = {id(r) for by in sweeps.values() for pts in by.values() for _, r in pts}
    out = []
    bars = {}
    for r in recs:
        if id(r) not in in_sweep:
            bars.setdefault(measure(r), {}).setdefault(r.get("probe", ""), {})[place(r)] = r
    for m, rows in bars.items():
        names = list(rows)
        for i in range(0, len(names), max_rows):
            chunk = names[i:i + max_rows]
            out.append({"type": "bars", "measure": m, "unit": unit(next(iter(rows[chunk[0]].values()))),
                        "title": AXIS_TEXT.get(m, m) + (f" ({i // max_rows + 1})" if len(names) > max_rows else ""),
                        "rows": [(n, rows[n]) for n in chunk],
                        "recs": [r for n in chunk for r in rows[n].values()]})
    lines = {}
    for (stem, xname, fixed), by_kind in sweeps.items():
        for k, pts in by_kind.items():
            m = measure(pts[0][1])
            pstem, var = _variant(stem)
            key = (pstem, xname, fixed, m)
            lines.setdefault(key, []).append((var, k, sorted(pts, key=lambda t: t[0])))
    order = ["ns per op", "ns one way", "ns per switch", "B/s"]
    for (pstem, xname, fixed, m), series in sorted(lines.items(), key=lambda kv: (
            order.index(kv[0][3]) if kv[0][3] in order else 9, list(lines).index(kv[0]))):
        series.sort(key=lambda s: (s[0], PLACEMENT_ORDER.index(s[1]) if s[1] in PLACEMENT_ORDER else 9))
        title = pstem + "".join(f", {k} {human(v, k)}" for k, v in fixed)
        out.append({"type": "lines", "measure": m, "unit": unit(series[0][2][0][1]), "title": title,
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
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v, unit_)))
    axis.set_minor_formatter(NullFormatter())


def draw_panel(fig, ax, panel, small=False, legend=True):
    """One panel on ax: horizontal p50 bars with a p99 whisker, or p50 lines over the parameter (p99 dotted
    when not small). Log value axis in the panel's own unit."""
    u, m = panel["unit"], panel["measure"]
    fs = 6.5 if small else 7.5
    if panel["type"] == "bars":
        rows = panel["rows"]
        kinds = [k for k in PLACEMENT_ORDER if any(k in by for _, by in rows)]
        kinds += sorted({k for _, by in rows for k in by} - set(kinds))
        h = min(0.8 / max(len(kinds), 1), 0.5)
        for ki, k in enumerate(kinds):
            ys, ws, errs = [], [], []
            for i, (_, by) in enumerate(rows):
                if k not in by:
                    continue
                present = [kk for kk in kinds if kk in by]
                ys.append(i + (present.index(k) - (len(present) - 1) / 2) * h)
                v = p50(by[k])
                p99 = stat(by[k], "p99")
                ws.append(v)
                errs.append(max((p99 or v) - v, 0) if u == "ns" else 0)
            ax.barh(ys, ws, height=h, color=PLACEMENT_COLORS.get(k, "#888"), label=k,
                    xerr=[[0] * len(errs), errs], error_kw={"elinewidth": 0.7, "capsize": 1.5, "alpha": 0.6})
            if len(rows) * len(kinds) <= 24:
                for y, w in zip(ys, ws):
                    ax.text(w * 1.08, y, fmt(w, u), va="center", fontsize=fs - 1.5,
                            bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.7})
        ax.set_yticks(range(len(rows)))
        fam = rows[0][0].split(".")[0] + "." if rows else ""
        ax.set_yticklabels([n[len(fam):] if n.startswith(fam) else n for n, _ in rows], fontsize=fs)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xscale("log")
        lo = min(p50(r) for r in panel["recs"])
        hi = max(max(p50(r), stat(r, "p99") or 0) for r in panel["recs"])
        ax.set_xlim(lo / 3, hi * 3)
        _value_axis(ax.xaxis, u, lo / 3, hi * 3)
        ax.grid(axis="x", which="major", alpha=0.3)
        ax.set_xlabel(f"{AXIS_TEXT.get(m, m)}: p50" + (", whisker p99" if u == "ns" else "") + " (log)", fontsize=fs)
    else:
        xs_all = sorted({x for s in panel["series"] for x, _ in s[2]})
        for i, (var, k, pts, *name) in enumerate(panel["series"]):
            xs = [x for x, _ in pts]
            ys = [p50(r) for _, r in pts]
            c = PLACEMENT_COLORS.get(k, "#888") if not name else OTHER_COLORS[i % len(OTHER_COLORS)]
            ls = "--" if var == "thread" else "-"
            ax.plot(xs, ys, marker="o", ms=2.5, ls=ls, color=c, lw=1.2,
                    label=name[0] if name else (f"{var} " if var else "") + k)
            if not small and u == "ns" and len(panel["series"]) <= 3:
                ax.plot(xs, [stat(r, "p99") or p50(r) for _, r in pts], ls=":", color=c,
                        lw=0.8, alpha=0.5)
        if min(xs_all) > 0:
            ax.set_xscale("log", base=2)
        else:
            ax.set_xscale("symlog", base=2, linthresh=max(min([x for x in xs_all if x > 0] or [1]), 1))
        step = max(1, len(xs_all) // 6)
        ax.set_xticks(xs_all[::step])
        ax.set_xticklabels([human(x, panel["xname"]) for x in xs_all[::step]], fontsize=fs)
        ax.minorticks_off()
        ax.set_yscale("log")
        ys_all = [p50(r) for r in panel["recs"]]
        _value_axis(ax.yaxis, u, min(ys_all), max(ys_all) * (1 if small or u != "ns" else 3))
        ax.set_xlabel(panel["xname"], fontsize=fs)
        dotted = not small and u == "ns" and len(panel["series"]) <= 3
        ax.set_ylabel(f"{AXIS_TEXT.get(m, m)}, p50" + (" (dotted: p99)" if dotted else ""), fontsize=fs)
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
    """Figures of at most max_height inches holding the panels in rows of `cols` (a bar panel with many rows
    gets a row to itself when that keeps it readable)."""
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
    out = []
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
        out.append(fig)
    return out
