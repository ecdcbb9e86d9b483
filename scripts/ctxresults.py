"""Reading ctxbench result files (schema 2, docs/contracts.md) for the chart, report and export scripts:
loading, and accessors over the fields a record states. Stdlib only. Units and formatting are in ctxunits.py,
chart panels in ctxpanels.py.

Each script in scripts/ is run on its own (python3 scripts/chart_overview.py ...); this module sits next to
them and is imported from the script's own directory.

What a value is comes from the record's `measure` field (round_trip, one_way, single_op, lateness,
per_request, bandwidth, per_switch, per_mib), never from its name; records of different measures never
share an axis. A warning is an object with a stable `kind`; placement is {kind, cpus}; the run's options are
fields of ctxbench.options.
"""
import json
import math
import os
import sys
import tempfile
from collections import namedtuple

SCHEMA_VERSION = 2
PLACEMENT_ORDER = ["none", "same-cpu", "cross-cpu", "cross-cpu+awake", "unpinned", "same-cpu+awake", "unpinned+awake"]
FAMILY_ORDER = ["baseline", "ctxswitch", "ipc", "shm", "process", "thread", "wakeup", "bw", "server", "db"]


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
    version = meta["schema_version"]
    if isinstance(version, int) and not isinstance(version, bool) and version < SCHEMA_VERSION:
        raise InputError(f"{path}: schema version {version} was written by an older ctxbench; these scripts read "
                         f"schema {SCHEMA_VERSION} only. Run the benchmark again with this ctxbench "
                         f"(ctxbench --json FILE) to get a schema-{SCHEMA_VERSION} file")
    if version != SCHEMA_VERSION:
        raise InputError(f"{path}: schema version {version} is not the supported {SCHEMA_VERSION}")
    if not isinstance(doc.get("results"), list):
        raise InputError(f"{path}: no results[] array")
    doc["_path"] = path
    return doc


def load_or_exit(path, prog):
    try:
        return load(path)
    except InputError as e:
        sys.exit(f"{prog}: {e}")


def write_atomically(path, text):
    """Writes text to path through a temporary file beside it: a reader never sees half a page, and a
    failed write leaves the previous file as it was. The caller has checked that the directory exists."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".ctxbench.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def options(doc):
    """ctxbench.options: suite, quick, repetitions, placements, cpus, keep_awake, pm_qos, explain, ..."""
    o = (doc.get("ctxbench") or {}).get("options")
    return o if isinstance(o, dict) else {}


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
    used = options(doc).get("cpus")
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


def measure(rec):
    """What one value of the record is: the record's own `measure` field."""
    return rec.get("measure", "")


def unit(rec):
    return rec.get("unit") or "ns"


def in_unit(rec, ns):
    """A figure of the record (its statistics, samples and repetition medians are time per op) in the record's
    unit: as is, except a bandwidth record's rate = bytes_per_op x 1e9 / ns -- the one place a script turns time
    per op into bytes per second. None for a missing time, or a non-positive time of a bandwidth record."""
    if not _number(ns):
        return None
    if measure(rec) != "bandwidth":
        return ns
    b = rec.get("bytes_per_op")
    return b * 1e9 / ns if _number(b) and ns > 0 else None


def stat(rec, name):
    """statistics[name] in the record's unit (see in_unit): for a bandwidth record the p99 of time per op is the
    slow tail, i.e. a low rate."""
    return in_unit(rec, rec.get("statistics", {}).get(name))


def median_ci(rec):
    """(low, high) of the median's 95% CI in the record's unit (see in_unit; a bandwidth record's ends swap), or
    None."""
    ci = rec.get("statistics", {}).get("median_ci") or {}
    ends = [in_unit(rec, ci.get("low")), in_unit(rec, ci.get("high"))]
    return None if None in ends else (min(ends), max(ends))


def p50(rec):
    """The headline in the record's unit: the median (bandwidth for a bandwidth record)."""
    v = stat(rec, "p50")
    if v is None:
        v = rec.get("value")
    return v if _number(v) else None


Placement = namedtuple("Placement", "kind cpus")
Placement.__str__ = lambda p: p.kind + (f" (cpus {','.join(str(c) for c in p.cpus)})" if p.cpus else "")


def placement(rec):
    """The record's placement as fields: Placement(kind, cpus tuple); str() gives 'cross-cpu (cpus 0,1)'."""
    p = rec.get("placement") if isinstance(rec.get("placement"), dict) else {}
    cpus = p.get("cpus") if isinstance(p.get("cpus"), list) else []
    return Placement(p.get("kind") or "none", tuple(c for c in cpus if isinstance(c, int)))


def kind(rec):
    return placement(rec).kind


def place(rec):
    """The placement a chart groups by: the kind, plus '+awake' for a --keep-awake twin (its own result)."""
    return kind(rec) + ("+awake" if rec.get("keep_awake") else "")


def base(rec):
    """The probe without its /key:value parameters: ipc.tcp.process/size:64 -> ipc.tcp.process."""
    return rec.get("probe", "").split("/")[0]


def family(rec):
    return rec.get("family", "")


def ordered_families(recs):
    fams = []
    for r in recs:
        if family(r) not in fams:
            fams.append(family(r))
    return sorted(fams, key=lambda f: (FAMILY_ORDER.index(f) if f in FAMILY_ORDER else len(FAMILY_ORDER), fams.index(f)))


def samples(rec):
    """Raw samples (time per op), else the repetition medians; with the name of what was used."""
    s = [v for v in rec.get("samples", []) if _number(v)]
    if s:
        return s, "samples"
    reps = [r.get("median_ns") for r in rec.get("repetitions", [])]
    return [v for v in reps if _number(v)], "repetition medians"


def values(rec):
    """samples() in the record's unit (bandwidth for a bandwidth record, see in_unit)."""
    s, basis = samples(rec)
    return [v for v in (in_unit(rec, x) for x in s) if v is not None], basis


def warnings(rec_or_meta):
    """The warning objects ({kind, text, figure?, remedy?}) of a record or of the ctxbench block."""
    return [w for w in rec_or_meta.get("warnings", []) if isinstance(w, dict) and "kind" in w]


def warning_text(w):
    """A warning's text with its remedy, as the console prints it."""
    return w.get("text", "") + (". " + w["remedy"] if w.get("remedy") else "")


# Parameters that name something (a CPU of a shm.c2c pair) rather than measure a quantity: never a sweep's axis.
LABEL_PARAMS = ("cpu_a", "cpu_b")


def numeric_params(rec):
    """The record's numeric parameters that are quantities (sizes, counts, times): what a sweep varies."""
    p = rec.get("params")
    if not isinstance(p, dict):
        return {}
    return {k: float(v) for k, v in p.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in LABEL_PARAMS}


