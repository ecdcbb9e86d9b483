#!/usr/bin/python3
"""Exports a ctxbench result file to the formats other tools read.

  --format gab      github-action-benchmark `customSmallerIsBetter`: one entry per probe+placement, value =
                    p50 (ns per op, B/s records too), range = half-width of the median's 95% CI,
                    p99/n/placement (and the bandwidth of a B/s record) in `extra`
  --format bencher  Bencher Metric Format: {id: {"latency": {value, lower_value, upper_value}}} in ns
  --format csv      long form: machine, probe, id, placement, repetition, value_ns (repetition medians)
  --format c2c-csv  the shm.c2c core-to-core matrix (one-way ns), CPUs as row and column headers

  scripts/export.py results/kvm2-guest.json --format gab -o gab.json
"""
import argparse
import csv
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import ctxunits as cu  # noqa: E402

FORMATS = ("gab", "bencher", "csv", "c2c-csv")


def time_p50(r):
    """The p50 as time (ns; smaller is better) for every record: a bandwidth record's statistics are time per op
    too."""
    p50 = r.get("statistics", {}).get("p50")
    return p50 if isinstance(p50, (int, float)) and not isinstance(p50, bool) else None


def to_gab(doc):
    out = []
    for r in cr.ok_records(doc):
        med = time_p50(r)
        if med is None:
            continue
        st = r.get("statistics", {})
        ci = st.get("median_ci", {})
        half = max(med - ci.get("low", med), ci.get("high", med) - med)
        extra = [f"p99: {cu.fmt_ns(st.get('p99'))}", f"n: {st.get('n', '?')} samples",
                 f"placement: {cr.kind(r)} {list(cr.placement(r).cpus)}",
                 f"machine: {cr.label(doc)}"]
        if cr.measure(r) == "bandwidth":
            extra.append(f"bandwidth: {cu.fmt(cr.p50(r), 'B/s')} ({r.get('bytes_per_op'):g} bytes per op)")
        out.append({"name": r["id"], "unit": "ns", "value": med, "range": f"± {half:.3g}", "extra": "\n".join(extra)})
    return json.dumps(out, indent=1, ensure_ascii=False) + "\n"


def to_bencher(doc):
    out = {}
    for r in cr.ok_records(doc):
        med = time_p50(r)
        if med is None:
            continue
        ci = r.get("statistics", {}).get("median_ci", {})
        out[r["id"]] = {"latency": {"value": med, "lower_value": min(ci.get("low", med), med),
                                    "upper_value": max(ci.get("high", med), med)}}
    return json.dumps(out, indent=1, ensure_ascii=False) + "\n"


def to_csv(doc):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["machine", "probe", "id", "placement", "repetition", "value_ns"])
    for r in cr.ok_records(doc):
        for i, rep in enumerate(r.get("repetitions", [])):
            if isinstance(rep.get("median_ns"), (int, float)):
                w.writerow([cr.label(doc), r["probe"], r["id"], cr.kind(r), i, repr(float(rep["median_ns"]))])
    return buf.getvalue()


def to_c2c_csv(doc):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import chart_c2c  # the one reader of the c2c shapes
    got = chart_c2c.extract(doc)
    if got is None:
        return None
    cpus, vals, _ = got
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["cpu"] + list(cpus))
    for c, row in zip(cpus, vals):
        w.writerow([c] + ["" if v is None else repr(float(v)) for v in row])
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("result", help="ctxbench --json output")
    ap.add_argument("--format", required=True, choices=FORMATS)
    ap.add_argument("-o", "--output", required=True, help="output file ('-' for stdout)")
    a = ap.parse_args()
    doc = cr.load_or_exit(a.result, ap.prog)
    text = {"gab": to_gab, "bencher": to_bencher, "csv": to_csv, "c2c-csv": to_c2c_csv}[a.format](doc)
    if text is None:
        sys.exit(f"export.py: {a.result}: no shm.c2c result (core-to-core matrix) to export")
    if a.output == "-":
        sys.stdout.write(text)
    else:
        d = os.path.dirname(a.output) or "."
        if not os.path.isdir(d):
            sys.exit(f"export.py: -o {a.output}: directory {d} does not exist")
        cr.write_atomically(a.output, text)
        print(a.output)


if __name__ == "__main__":
    main()
