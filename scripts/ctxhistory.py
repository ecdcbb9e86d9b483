"""Reading the history document (`ctxbench history export --json`, docs/contracts.md "The history document")
for the fleet page: loading and checking it, naming machines, the families of series, and the machine x
record matrix of latest figures against a reference machine. Stdlib only.

Every figure in the document is time per op in ns (`p50_ns`, `latest_ns`: bandwidth records too, so a ratio
above 1 is slower whatever the record's `unit`); `unit` and `measure` say what a record's value is, and are
read as fields, never from a record's name.
"""
import json
import math

from ctxunits import AXIS_TEXT, fmt_ns

DOCUMENT_VERSION = 1
# what a series' figures are: ctxunits' words, except that a bandwidth record's figures here are time per op
MEASURE_TEXT = dict(AXIS_TEXT, bandwidth="time per op (bandwidth record)")
MAX_NAME = 32  # characters of a machine's name
FAMILY_ORDER = ["baseline", "ctxswitch", "ipc", "shm", "process", "thread", "wakeup", "bw", "server", "db"]


class InputError(Exception):
    """A document that cannot be used; the message names the file."""


def number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _need(cond, path, what):
    if not cond:
        raise InputError(f"{path}: not a ctxbench history document ({what})")


def rows_of(columns, path, i):
    """The document's points are parallel arrays (docs/contracts.md, "The history document"); the page reads
    one dict per point, without the keys whose value is null."""
    _need(all(isinstance(v, list) for v in columns.values()) and isinstance(columns.get("run"), list), path,
          f"series[{i}] points are not parallel arrays with a run array")
    n = len(columns["run"])
    _need(all(len(v) == n for v in columns.values()), path, f"series[{i}] points arrays differ in length")
    return [{k: v[j] for k, v in columns.items() if v[j] is not None} for j in range(n)]


def parse(text, path):
    """The document from its text, checked for the parts the page reads; InputError names `path`."""
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise InputError(f"{path}: not valid JSON ({e})")
    _need(isinstance(doc, dict) and isinstance(doc.get("ctxbench_history"), dict), path, "no ctxbench_history object")
    version = doc["ctxbench_history"].get("document_version")
    if version != DOCUMENT_VERSION:
        raise InputError(f"{path}: history document version {version} is not the supported {DOCUMENT_VERSION}")
    for key in ("machines", "runs", "series"):
        _need(isinstance(doc.get(key), list), path, f"no {key}[] array")
    fps = {m.get("fingerprint") for m in doc["machines"] if isinstance(m, dict)}
    _need(len(fps) == len(doc["machines"]) and None not in fps, path, "machines[] without unique fingerprints")
    for i, r in enumerate(doc["runs"]):
        _need(isinstance(r, dict) and r.get("machine") in fps, path, f"runs[{i}] names no machine of machines[]")
    for i, s in enumerate(doc["series"]):
        _need(isinstance(s, dict) and s.get("machine") in fps and isinstance(s.get("record_id"), str)
              and isinstance(s.get("points"), dict), path, f"series[{i}] without machine, record_id or points")
        s["points"] = rows_of(s["points"], path, i)
        for p in s["points"]:
            _need(isinstance(p, dict) and isinstance(p.get("run"), int) and 0 <= p["run"] < len(doc["runs"]),
                  path, f"series[{i}] ({s['record_id']}) has a point whose run is not an index into runs[]")
        for c in s.get("change_points") or []:
            _need(isinstance(c, dict) and isinstance(c.get("point"), int) and 0 <= c["point"] < len(s["points"]),
                  path, f"series[{i}] ({s['record_id']}) has a change point whose point is not an index into points[]")
    return doc


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    return parse(text, path)


def family(series):
    """The series' family: its `family` field; a series without one (its file had no `family`, or the
    document predates the field) gets the first part of the probe's name, as ctxbench's registry names probes
    (family.what...)."""
    return series.get("family") or (series.get("probe") or series["record_id"]).split(".")[0]


def families_from_field(doc):
    """True when every series states its family."""
    return all(s.get("family") for s in doc["series"])


def ordered_families(doc):
    fams = []
    for s in doc["series"]:
        if family(s) not in fams:
            fams.append(family(s))
    last = len(FAMILY_ORDER)
    return sorted(fams, key=lambda f: (FAMILY_ORDER.index(f) if f in FAMILY_ORDER else last, fams.index(f)))


def machine_runs(doc, fp):
    return [r for r in doc["runs"] if r.get("machine") == fp]


def machine_name(doc, m):
    """What a person calls the machine: the latest run's label, else its hostname, else the CPU model; with the
    first 8 hex digits of the fingerprint, since identical names can be different configurations."""
    runs = machine_runs(doc, m["fingerprint"])
    ident = m.get("identity") if isinstance(m.get("identity"), dict) else {}
    name = next((r.get(k) for r in reversed(runs) for k in ("label", "hostname") if r.get(k)), None)
    name = str(name or ident.get("cpu_model") or "machine")
    if len(name) > MAX_NAME:  # a matrix column per machine: the whole label is in the machines table
        name = name[:MAX_NAME - 1].rstrip() + "…"
    return f"{name} · {m['fingerprint'][:8]}"


def run_count(doc, m):
    return m["runs"] if isinstance(m.get("runs"), int) else len(machine_runs(doc, m["fingerprint"]))


def find_machine(doc, text):
    """The machine a --reference names: a fingerprint (or its start), a label or a hostname of its runs."""
    hits = [m for m in doc["machines"] if m["fingerprint"].startswith(text)
            or any(text in (r.get("label"), r.get("hostname")) for r in machine_runs(doc, m["fingerprint"]))]
    if len(hits) != 1:
        known = ", ".join(machine_name(doc, m) for m in doc["machines"])
        raise InputError(f"--reference {text}: {'no' if not hits else 'more than one'} machine matches "
                         f"(machines: {known})")
    return hits[0]


def default_reference(doc):
    """The machine with the most runs (the first of a tie, in document order)."""
    return max(doc["machines"], key=lambda m: run_count(doc, m)) if doc["machines"] else None


def comparable(a, b):
    """Two series of one record id can be divided when they state the same unit and no different measure."""
    ma, mb = a.get("measure"), b.get("measure")
    return (a.get("unit") or "ns") == (b.get("unit") or "ns") and (ma is None or mb is None or ma == mb)


def matrix(doc, fam, ref_fp):
    """[(record_id, {fingerprint: cell})] of one family, records in document order. A cell:
    {"series", "value": latest_ns, "ratio": value / the reference's latest (None on the reference itself, when
    the reference lacks the record, or the two are not comparable), "why": why there is no ratio}."""
    rows = {}
    for s in doc["series"]:
        if family(s) == fam:
            rows.setdefault(s["record_id"], {})[s["machine"]] = s
    out = []
    for rid, by in rows.items():
        ref = by.get(ref_fp)
        cells = {}
        for fp, s in by.items():
            v = s.get("latest_ns")
            cell = {"series": s, "value": v if number(v) else None, "ratio": None, "why": ""}
            if fp == ref_fp:
                cell["why"] = "reference"
            elif ref is None or not number(ref.get("latest_ns")) or ref["latest_ns"] <= 0:
                cell["why"] = "the reference machine has no figure for this record"
            elif not comparable(s, ref):
                cell["why"] = "unit or measure differs from the reference's"
            elif cell["value"] is not None:
                cell["ratio"] = cell["value"] / ref["latest_ns"]
            cells[fp] = cell
        out.append((rid, cells))
    return out


def geomean_ratios(rows):
    """{fingerprint: (geometric mean of its ratios, how many)} over matrix() rows: one machine against the
    reference across a family, each record weighing the same."""
    logs = {}
    for _, cells in rows:
        for fp, c in cells.items():
            if c["ratio"] is not None and c["ratio"] > 0:
                logs.setdefault(fp, []).append(math.log(c["ratio"]))
    return {fp: (math.exp(sum(v) / len(v)), len(v)) for fp, v in logs.items()}


def change_points(doc, fams=None):
    """[(series, change point)] in time order, of the families `fams` (all when None)."""
    out = [(s, c) for s in doc["series"] if fams is None or family(s) in fams for c in s.get("change_points") or []]
    return sorted(out, key=lambda sc: (sc[1].get("start_time") or "", sc[0]["record_id"]))


def fmt_value(ns, unit):
    """A document figure (ns) in words: 'ns/MiB' records as '20.1 us/MiB'; a bandwidth record's figure is its
    time per op (the document keeps no bytes per op), said so."""
    unit = unit or "ns"
    if unit.startswith("ns/"):
        return fmt_ns(ns) + unit[2:]
    return fmt_ns(ns) + (" per op" if unit != "ns" and ns is not None else "")


def axis_text(series):
    m = series.get("measure")
    what = MEASURE_TEXT.get(m, m) if m else "measure not stated (schema-1 file)"
    unit = series.get("unit") or "ns"
    plain = unit == "ns" or unit.startswith("ns/") or m == "bandwidth"
    return f"{what}, p50" + ("" if plain else f" (unit {unit}: time per op drawn)")
