"""Shared reading of ctxbench result files for the chart, report and export scripts (stdlib only).

Each script in scripts/ is run on its own (python3 scripts/chart_overview.py ...); this module sits next to
them and is imported from the script's own directory.
"""
import json
import math
import os
import re
import sys

SCHEMA_VERSION = 1
PLACEMENT_ORDER = ["none", "same-cpu", "cross-cpu", "unpinned"]
PLACEMENT_COLORS = {"none": "#555555", "same-cpu": "#1f77b4", "cross-cpu": "#d62728", "unpinned": "#2ca02c"}


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


def label(doc):
    m = doc.get("machine", {})
    return m.get("label") or m.get("hostname") or os.path.basename(doc.get("_path", "?"))


def ok_records(doc):
    return [r for r in doc["results"] if r.get("status") == "ok"]


def p50(rec):
    s = rec.get("statistics", {})
    v = s.get("p50", rec.get("value"))
    return v if isinstance(v, (int, float)) and math.isfinite(v) else None


def kind(rec):
    return rec.get("placement", {}).get("kind", "none")


def family(rec):
    return rec.get("family") or rec.get("probe", "").split(".")[0]


def fmt_ns(ns):
    if ns is None or not math.isfinite(ns):
        return "-"
    for unit, div in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if abs(ns) >= div:
            return f"{ns / div:.3g} {unit}"
    return f"{ns:.3g} ns"


def samples(rec):
    """Raw samples (ns per op), else the repetition medians; with the name of what was used."""
    s = [v for v in rec.get("samples", []) if isinstance(v, (int, float))]
    if s:
        return s, "samples"
    reps = [r.get("median_ns") for r in rec.get("repetitions", [])]
    return [v for v in reps if isinstance(v, (int, float))], "repetition medians"


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
