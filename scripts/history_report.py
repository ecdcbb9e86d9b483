#!/usr/bin/python3
"""The fleet page: one self-contained HTML page of a ctxbench history document (`ctxbench history export
--json`, docs/contracts.md "The history document"). It opens offline: no scripts, no external files, charts
are inline SVG no taller than a screen, each <figure> carrying in data-axes what its axes drew.

  - a header: machines, runs, series, change points found (and by which judgement), the options used;
  - the machines, each named by label / hostname / CPU model and the start of its fingerprint;
  - machines side by side: per family, one row per record and one column per machine, each machine's latest
    p50 as a ratio to the reference machine's (default: the machine with the most runs), "—" where a
    machine lacks the record;
  - every change point (when, which run and revision, before -> after, which judgement fired);
  - trends per family: one small panel per record (at most --max-panels, the rest listed), p50 over the runs'
    start times, one colour per machine, the rerun band shaded, change points marked.

  scripts/history_report.py history.json -o fleet.html [--reference MACHINE] [--family F ...]
  scripts/history_report.py --store ctxbench-history.sqlite -o fleet.html [--ctxbench ./build/ctxbench]
"""
import argparse
import html
import io
import json
import math
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxhistory as ch  # noqa: E402
import ctxresults as cr  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import chart_history  # noqa: E402

E = html.escape
MAX_FIG_IN = 9.0  # inches of figure height: about 860 CSS px, less than one screen
MAX_CHANGE_ROWS = 300
CSS = """
body{font-family:system-ui,sans-serif;margin:20px 24px;color:#222;max-width:1400px}
h1{font-size:1.35em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}
h3{font-size:1em;margin:1.2em 0 .3em}
table{border-collapse:collapse;font-size:.82em;margin:.4em 0}
td,th{border:1px solid #ddd;padding:2px 6px;vertical-align:top}
th{background:#f3f3f3;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.n small{color:#666} td.missing{text-align:center;color:#999} td.ref{background:#eef2f7}
.head{display:flex;gap:14px;flex-wrap:wrap;margin:.8em 0}
.head div{border:1px solid #cdd;border-radius:6px;padding:8px 14px;background:#f7fafc;min-width:10em}
.head b{display:block;font-size:1.6em} .head span{font-size:.85em;color:#444}
.sw{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;margin-right:.3em}
figure{margin:.6em 0} figure svg{max-width:100%;height:auto;display:block} figcaption{font-size:.9em;margin-bottom:.2em}
.muted{color:#777;font-size:.85em} nav a{margin-right:.8em} details{margin:.5em 0} summary{cursor:pointer}
.scroll{overflow-x:auto;max-width:100%} td code{overflow-wrap:anywhere}
"""
FIRED_TEXT = {"raw": "raw", "run_corrected": "run-corrected", "both": "raw and run-corrected"}


def figure(caption, fig):
    axes = getattr(fig, "ctxbench_axes", [])
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return (f"<figure class=chart data-axes='{E(json.dumps(axes), quote=True)}'>"
            f"<figcaption><b>{E(caption)}</b></figcaption>{text[text.find('<svg'):]}</figure>")


def ratio_color(r):
    """Red for slower (ratio above 1), blue for faster; full colour at 1.5x either way."""
    t = max(-1.0, min(1.0, math.log(r) / math.log(1.5)))
    rgb = (214, 39, 40) if t > 0 else (31, 119, 180)
    a = 0.7 * abs(t)
    return "#" + "".join(f"{round(255 + (c - 255) * a):02x}" for c in rgb)


def swatch(colors, fp):
    return f"<span class=sw style='background:{colors[fp]}'></span>"


def header(doc, opts, fams, path):
    h = doc["ctxbench_history"]
    cps = ch.change_points(doc)
    by = {}
    for _, c in cps:
        by[c.get("fired")] = by.get(c.get("fired"), 0) + 1
    times = sorted(r["start_time"] for r in doc["runs"] if r.get("start_time"))
    boxes = [(len(doc["machines"]), "machines"), (len(doc["runs"]), "runs"), (len(doc["series"]), "series"),
             (len(cps), "change points: " + (", ".join(f"{FIRED_TEXT.get(k, k)} {n}" for k, n in by.items())
                                             or "none"))]
    cp = h.get("change_points") or {}
    rows = [("input", path), ("document", f"version {h.get('document_version')}, written by ctxbench "
                                          f"{h.get('tool_version', '-')} ({h.get('git_revision', '-')})"),
            ("change points", ", ".join(f"{k} {v}" for k, v in cp.items()) or "-"),
            ("runs from", f"{times[0]} to {times[-1]}" if times else "-"),
            ("reference machine", opts["reference_name"] + (" (given)" if opts["reference_given"] else
                                                            " (the machine with the most runs)")),
            ("families", ", ".join(fams) + ("" if opts["family_given"] else " (all)")),
            ("panels per family", f"at most {opts['max_panels']}"),
            ("run-corrected line", "drawn (dotted)" if opts["corrected"] else "not drawn (--corrected draws it)")]
    if not ch.families_from_field(doc):
        rows.append(("family", "the document gives no family per series: taken from the probe name's first part"))
    return ("<div class=head>" + "".join(f"<div><b>{n}</b><span>{E(t)}</span></div>" for n, t in boxes) + "</div>"
            "<table class=options>" + "".join(f"<tr><th>{E(k)}</th><td>{E(str(v))}</td></tr>" for k, v in rows)
            + "</table>")


def machines_table(doc, colors, ref_fp):
    head = ("<tr><th>machine</th><th>fingerprint</th><th>CPU</th><th>CPUs</th><th>kernel</th><th>virtualization</th>"
            "<th>governor</th><th>runs</th><th>first / last run</th><th>labels, hostnames</th>"
            "<th>shared variance</th></tr>")
    rows = []
    for m in doc["machines"]:
        fp = m["fingerprint"]
        ident = m.get("identity") if isinstance(m.get("identity"), dict) else {}
        runs = ch.machine_runs(doc, fp)
        names = sorted({r.get(k) for r in runs for k in ("label", "hostname") if r.get(k)})
        sv = m.get("shared_variance")
        shared = (f"{sv * 100:.0f}%" if ch.number(sv) else "-") + (" (run-corrected judged)" if m.get("run_corrected")
                                                                    else "")
        virt = ident.get("virtualization") or ident.get("hypervisor_vendor") or "-"
        span = f"{runs[0].get('start_time', '-')}<br>{runs[-1].get('start_time', '-')}" if runs else "-"
        rows.append(
            f"<tr data-machine='{E(fp)}'><td>{swatch(colors, fp)}{E(ch.machine_name(doc, m))}"
            f"{' <b>(reference)</b>' if fp == ref_fp else ''}</td><td title='{E(json.dumps(ident), quote=True)}'>"
            f"<code>{E(fp)}</code></td><td>{E(str(ident.get('cpu_model', '-')))}</td>"
            f"<td class=n>{E(str(ident.get('logical_cpus', '-')))}</td>"
            f"<td>{E(str(ident.get('kernel_release', '-')))}</td>"
            f"<td>{E(str(virt))}</td><td>{E(str(ident.get('governor') or '-'))}</td>"
            f"<td class=n>{ch.run_count(doc, m)}</td><td>{span}</td><td>{E(', '.join(names) or '-')}</td>"
            f"<td>{E(shared)}</td></tr>")
    return "<div class=scroll><table class=machines>" + head + "".join(rows) + "</table></div>"


def matrix_cell(doc, rid, fp, cell, ref_name):
    if cell is None:
        return f"<td class=missing data-record='{E(rid)}' data-machine='{E(fp)}' title='no such record here'>—</td>"
    s = cell["series"]
    value = ch.fmt_value(cell["value"], s.get("unit"))
    tip = (f"{rid}: latest {value}, median since the last change point "
           f"{ch.fmt_value(s.get('current_median_ns'), s.get('unit'))}"
           f" ({s.get('current_points', '?')} points), {len(s['points'])} runs, "
           f"{len(s.get('change_points') or [])} change points")
    attrs = f"data-record='{E(rid)}' data-machine='{E(fp)}'"
    if cell["why"] == "reference":
        return f"<td class='n ref' {attrs} title='{E(tip, quote=True)}'>{E(value)}</td>"
    r = cell["ratio"]
    if r is None:
        return f"<td class=n {attrs} title='{E(tip + '; ' + cell['why'], quote=True)}'><small>{E(value)}</small></td>"
    tip += f"; x{r:.3f} of {ref_name}"
    return (f"<td class=n {attrs} data-ratio='{r!r}' style='background:{ratio_color(r)}' title='{E(tip, quote=True)}'>"
            f"×{r:.2f}<br><small>{E(value)}</small></td>")


def matrix_section(doc, fam, ref, colors):
    ref_fp = ref["fingerprint"]
    order = [ref] + [m for m in doc["machines"] if m["fingerprint"] != ref_fp]
    rows = ch.matrix(doc, fam, ref_fp)
    ref_name = ch.machine_name(doc, ref)
    head = "<tr><th>record</th>" + "".join(
        f"<th>{swatch(colors, m['fingerprint'])}{E(ch.machine_name(doc, m))}</th>" for m in order) + "</tr>"
    body = []
    for rid, cells in rows:
        any_s = next(iter(cells.values()))["series"]
        body.append(f"<tr><td title='{E(ch.axis_text(any_s), quote=True)}'><code>{E(rid)}</code></td>"
                    + "".join(matrix_cell(doc, rid, m["fingerprint"], cells.get(m["fingerprint"]), ref_name)
                              for m in order) + "</tr>")
    means = ch.geomean_ratios(rows)
    foot = "<tr class=mean><th>geometric mean of the ratios</th>" + "".join(
        f"<td class=n data-machine='{E(m['fingerprint'])}' data-geomean='{means[m['fingerprint']][0]!r}' "
        f"style='background:{ratio_color(means[m['fingerprint']][0])}'><b>×{means[m['fingerprint']][0]:.2f}</b>"
        f"<br><small>{means[m['fingerprint']][1]} records</small></td>" if m["fingerprint"] in means else
        "<td class=muted>reference</td>" if m is ref else "<td></td>" for m in order) + "</tr>" if means else ""
    return (f"<h3 id='m-{E(fam)}'>{E(fam)}</h3><div class=scroll><table class=matrix data-family='{E(fam)}'>"
            + head + "".join(body) + foot + "</table></div>")


def change_table(doc, fams):
    cps = ch.change_points(doc, fams)
    if not cps:
        return "<p>No change point in the series shown.</p>"
    names = {m["fingerprint"]: ch.machine_name(doc, m) for m in doc["machines"]}
    head = ("<tr><th>when</th><th>machine</th><th>record</th><th>run</th><th>revision</th><th>before → after</th>"
            "<th>ratio</th><th>p</th><th>found by</th><th>whole machine moved</th></tr>")
    rows = []
    for s, c in cps[:MAX_CHANGE_ROWS]:
        unit = s.get("unit")
        corr = " <small>(run-corrected ns)</small>" if c.get("fired") == "run_corrected" else ""
        p = c.get("p_value")
        rows.append(
            f"<tr class=cp data-record='{E(s['record_id'])}' data-machine='{E(s['machine'])}' "
            f"data-point='{c['point']}' data-fired='{E(str(c.get('fired')))}' "
            f"data-with-machine='{'yes' if c.get('coincides_with_machine_change') else 'no'}'>"
            f"<td>{E(str(c.get('start_time', '-')))}</td>"
            f"<td>{E(names[s['machine']])}</td><td><code>{E(s['record_id'])}</code></td>"
            f"<td><code>{E(str(c.get('run_id', ''))[:12])}</code></td><td>{E(str(c.get('git_revision') or '-'))}</td>"
            f"<td class=n>{E(ch.fmt_value(c.get('before_ns'), unit))} → "
            f"{E(ch.fmt_value(c.get('after_ns'), unit))}{corr}</td>"
            f"<td class=n>{'×%.3f' % c['ratio'] if ch.number(c.get('ratio')) else '-'}</td>"
            f"<td class=n>{('<0.0001' if p < 1e-4 else f'{p:.4f}') if ch.number(p) else '-'}</td>"
            f"<td>{E(FIRED_TEXT.get(c.get('fired'), str(c.get('fired'))))}</td>"
            f"<td>{'yes, within 1 run' if c.get('coincides_with_machine_change') else 'no'}</td></tr>")
    more = (f"<p class=muted>{len(cps) - MAX_CHANGE_ROWS} more change points not listed.</p>"
            if len(cps) > MAX_CHANGE_ROWS else "")
    return "<div class=scroll><table class=changes>" + head + "".join(rows) + "</table></div>" + more


def chosen_panels(doc, fam, cap):
    """([(record_id, [series])] to draw, [record ids left out]): over the cap, the records with change points
    first, then those on the most machines, then the longest; drawn in document order."""
    by = {}
    for s in doc["series"]:
        if ch.family(s) == fam:
            by.setdefault(s["record_id"], []).append(s)
    ids = list(by)
    rank = sorted(ids, key=lambda r: (-sum(len(s.get("change_points") or []) for s in by[r]), -len(by[r]),
                                      -max(len(s["points"]) for s in by[r]), ids.index(r)))
    keep = set(rank[:cap])
    return [(r, by[r]) for r in ids if r in keep], [r for r in ids if r not in keep]


def trend_section(doc, fam, colors, opts):
    panels, left = chosen_panels(doc, fam, opts["max_panels"])
    parts = [f"<h3 id='t-{E(fam)}'>{E(fam)}</h3>"]
    figs = chart_history.figures(plt, doc, panels, colors, corrected=opts["corrected"], max_height=MAX_FIG_IN)
    for i, fig in enumerate(figs):
        parts.append(figure(f"{fam}: p50 per run, rerun band shaded, change points marked"
                            + (f" ({i + 1} of {len(figs)})" if len(figs) > 1 else ""), fig))
    if left:
        parts.append(f"<details class=left><summary>{len(left)} more {E(fam)} records not drawn (at most "
                     f"{opts['max_panels']} panels per family; those with change points first; --max-panels "
                     "draws more)</summary><p>" + ", ".join(f"<code>{E(r)}</code>" for r in left) + "</p></details>")
    return "".join(parts)


def build(doc, opts, path):
    colors = chart_history.machine_colors(doc)
    fams = opts["families"]
    ref = opts["reference"]
    title = f"ctxbench fleet: {len(doc['machines'])} machines, {len(doc['runs'])} runs"
    parts = [f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{E(title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{E(title)}</h1>",
             "<p class=muted>Every figure is a run's median (p50) time per op; a ratio is a machine's latest p50 over "
             "the reference machine's, so above 1 is slower (bandwidth records too: the document keeps time per op)."
             "</p>", header(doc, opts, fams, path),
             "<nav><a href='#machines'>machines</a><a href='#matrix'>side by side</a><a href='#changes'>change "
             "points</a>" + "".join(f"<a href='#t-{E(f)}'>{E(f)}</a>" for f in fams) + "</nav>",
             "<h2 id=machines>Machines</h2>", machines_table(doc, colors, ref["fingerprint"] if ref else None)]
    if ref is not None:
        parts += [f"<h2 id=matrix>Machines side by side: latest p50 against {E(ch.machine_name(doc, ref))}</h2>",
                  "<p class=muted>Red: slower than the reference, blue: faster (full colour at 1.5×); the reference "
                  "column holds its own latest p50; — : the machine has no such record; a grey figure without a "
                  "ratio: the reference has none to divide by. Hover a cell for the median since the last change "
                  "point.</p>"]
        parts += [matrix_section(doc, f, ref, colors) for f in fams]
    parts += ["<h2 id=changes>Change points</h2>", change_table(doc, fams), "<h2 id=trends>Trends</h2>"]
    parts += [trend_section(doc, f, colors, opts) for f in fams]
    parts.append("</body></html>\n")
    return "".join(parts)


def export_store(store, binary):
    """The document of a store, through `ctxbench history export --json --store STORE`."""
    exe = binary or shutil.which("ctxbench")
    if exe is None:
        here = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "ctxbench")
        exe = here if os.access(here, os.X_OK) else None
    if exe is None:
        raise ch.InputError("--store: no ctxbench binary (give --ctxbench PATH)")
    try:
        r = subprocess.run([exe, "history", "export", "--json", "--store", store], capture_output=True, text=True)
    except OSError as e:
        raise ch.InputError(f"--ctxbench {exe}: cannot run ({e.strerror})")
    if r.returncode != 0:
        raise ch.InputError(f"--store {store}: ctxbench history export failed: {r.stderr.strip()}")
    return ch.parse(r.stdout, f"--store {store}")


def options(doc, a):
    fams = ch.ordered_families(doc)
    if a.family:
        unknown = [f for f in a.family if f not in fams]
        if unknown:
            raise ch.InputError(f"--family {' '.join(unknown)}: not in the document (families: {', '.join(fams)})")
        fams = [f for f in fams if f in a.family]
    ref = ch.find_machine(doc, a.reference) if a.reference else ch.default_reference(doc)
    return {"families": fams, "family_given": bool(a.family), "reference": ref, "reference_given": bool(a.reference),
            "reference_name": ch.machine_name(doc, ref) if ref else "-", "max_panels": a.max_panels,
            "corrected": a.corrected}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("document", nargs="?", help="the history document (ctxbench history export --json)")
    ap.add_argument("-o", "--output", required=True, help="the HTML file to write")
    ap.add_argument("--store", help="read this store through `ctxbench history export --json` instead of a document")
    ap.add_argument("--ctxbench", help="the ctxbench binary for --store (default: ctxbench on PATH, ./build/ctxbench)")
    ap.add_argument("--reference", help="the machine to compare against: fingerprint (or its start), label or hostname")
    ap.add_argument("--family", nargs="+", help="only these families")
    ap.add_argument("--max-panels", type=int, default=12, help="trend panels per family (default 12)")
    ap.add_argument("--corrected", action="store_true", help="draw the run-corrected line too")
    a = ap.parse_args()
    if (a.document is None) == (a.store is None):
        ap.error("give a history document or --store, one of them")
    if a.max_panels < 1:
        ap.error(f"--max-panels {a.max_panels}: must be at least 1")
    d = os.path.dirname(a.output) or "."
    if not os.path.isdir(d):
        ap.error(f"-o {a.output}: directory {d} does not exist")
    try:
        doc = ch.load(a.document) if a.document else export_store(a.store, a.ctxbench)
        opts = options(doc, a)
    except ch.InputError as e:
        print(f"{ap.prog}: {e}", file=sys.stderr)
        sys.exit(2)
    text = build(doc, opts, a.document or f"--store {a.store}")
    cr.write_atomically(a.output, text)
    print(a.output)


if __name__ == "__main__":
    main()
