#!/usr/bin/python3
"""One self-contained HTML page of a ctxbench run: the charts (inline SVG), the machine block as a table,
the results table and every warning. The artifact a CI job uploads; opens offline, no external files.

  scripts/report.py results/kvm2-guest.json -o report.html [--compare other.json ...]
"""
import argparse
import html
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import chart_c2c  # noqa: E402
import chart_distribution  # noqa: E402
import chart_ipc_vs_shm  # noqa: E402
import chart_machines  # noqa: E402
import chart_overview  # noqa: E402
import chart_server  # noqa: E402
import chart_sweeps  # noqa: E402
import server_table  # noqa: E402

E = html.escape
CSS = """
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:1.4em} h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em} td,th{border:1px solid #ddd;padding:3px 7px;vertical-align:top}
th{background:#f3f3f3;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ok{color:#176}.skipped{color:#a60}.failed{color:#b00;font-weight:bold}
.warn{background:#fff6e0;border-left:4px solid #e90;padding:6px 10px;margin:4px 0;font-size:.85em}
.chart svg{max-width:100%;height:auto} .muted{color:#777;font-size:.85em}
"""


def svg_of(fig):
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg"):]


def machine_table(doc):
    m = dict(doc.get("machine", {}))
    rows = []
    for k in sorted(m):
        v = m[k]
        if k == "topology":
            v = f"{len(v)} CPUs: " + "; ".join(
                f"cpu{t.get('cpu')}: core {t.get('core_id')}, node {t.get('node')}, "
                f"siblings {t.get('thread_siblings')}, LLC {t.get('llc_cpus')}" for t in v)
        elif k == "caches":
            v = ", ".join(f"L{c.get('level')} {c.get('type')} {c.get('size_bytes', 0) // 1024} KiB" for c in v)
        elif isinstance(v, (dict, list)):
            v = json.dumps(v)
        rows.append(f"<tr><th>{E(k)}</th><td>{E(str(v))}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def run_table(doc):
    meta = doc.get("ctxbench", {})
    keys = ["tool_version", "git_revision", "start_time", "end_time", "complete", "interrupted", "timer_overhead_ns"]
    rows = [f"<tr><th>{E(k)}</th><td>{E(str(meta.get(k, '-')))}</td></tr>" for k in keys]
    rows.append(f"<tr><th>argv</th><td><code>{E(' '.join(meta.get('argv', [])))}</code></td></tr>")
    rows.append(f"<tr><th>options</th><td><code>{E(json.dumps(meta.get('options', {})))}</code></td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def switches_cell(r):
    s = r.get("switches_per_op")
    if not isinstance(s, dict) or "measured" not in s:
        return ""
    exp = f" (exp {s['expected']:g})" if "expected" in s else ""
    return f"{s['measured']:.2f}{exp}"


def results_table(doc):
    head = ("<tr><th>id</th><th>status</th><th>placement</th><th>p50</th><th>p99</th><th>95% CI of p50</th>"
            "<th>CV</th><th>n</th><th>switches/op</th><th>one op is</th></tr>")
    rows = []
    for r in doc["results"]:
        st = r.get("statistics", {})
        p = r.get("placement", {})
        place = p.get("kind", "none") + (f" {p.get('cpus')}" if p.get("cpus") else "") + \
            (f" ({p['relation']})" if p.get("relation") else "")
        status = r.get("status", "?")
        status_text = status + (f": {r['reason']}" if r.get("reason") else "")
        ci = st.get("median_ci", {})
        ci_text = f"{cr.fmt_ns(ci.get('low'))} – {cr.fmt_ns(ci.get('high'))}" if ci else ""
        cv = f"{st['cv'] * 100:.1f}%" if "cv" in st else ""
        op = r.get("op", "") + (f" <br><span class=muted>derived: {E(r.get('formula', ''))}</span>"
                                if r.get("derived") else "")
        rows.append(
            f"<tr><td><code>{E(r.get('id', ''))}</code></td><td class={E(status)}>{E(status_text)}</td>"
            f"<td>{E(place)}</td><td class=n>{cr.fmt_ns(st.get('p50'))}</td><td class=n>{cr.fmt_ns(st.get('p99'))}</td>"
            f"<td class=n>{ci_text}</td><td class=n>{cv}</td><td class=n>{st.get('n', '')}</td>"
            f"<td class=n>{switches_cell(r)}</td><td>{op if r.get('derived') else E(op)}</td></tr>")
    return "<table>" + head + "".join(rows) + "</table>"


def common_remedy(texts):
    """The last sentence when every warning ends with it (ctxbench appends one remedy to each)."""
    ends = {t.rsplit(". ", 1)[-1] for t in texts if ". " in t}
    return ends.pop() if len(ends) == 1 and all(". " in t for t in texts) else ""


def warnings_block(doc):
    items = [("run", w) for w in doc.get("ctxbench", {}).get("warnings", [])]
    items += [(r.get("id", "?"), w) for r in doc["results"] for w in r.get("warnings", [])]
    if not items:
        return "<p>No warnings.</p>"
    remedy = common_remedy([w for _, w in items])
    noisy = len({who for who, _ in items if who != "run"})
    head = (f"<p><b>{noisy} of {len(doc['results'])} results carry a noise warning.</b> "
            + (f"Remedy: {E(remedy)}" if remedy else "") + "</p>")
    rows = "".join(f"<div class=warn><b>{E(who)}</b>: {E(w[:-len(remedy)] if remedy else w)}</div>"
                   for who, w in items)
    return head + f"<details><summary>every warning ({len(items)})</summary>{rows}</details>"


def build(doc, others):
    title = f"ctxbench report: {cr.label(doc)}"
    charts = [("Overview: p50 (bar) and p99 (whisker) of every probe", chart_overview.draw(doc)),
              ("Distribution: ECDF and percentile spectrum of the pipe round trips", chart_distribution.draw(doc)),
              ("IPC round trip vs a shared cache line (cross-cpu)", chart_ipc_vs_shm.draw(doc)),
              ("Sweeps", chart_sweeps.draw(doc)),
              ("Core-to-core latency", chart_c2c.draw(doc))]
    server_fig = chart_server.draw(doc)  # only files with server.* records get the server sweep
    if server_fig is not None:
        charts.append(("Server models: requests/s and p99 vs concurrent connections", server_fig))
    if others:
        charts.append(("Side by side with the other files", chart_machines.draw([doc] + others)))
    parts = [f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{E(title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{E(title)}</h1>",
             f"<p class=muted>from <code>{E(doc.get('_path', ''))}</code>. The headline of every result is the "
             "median (p50) of all timed samples; p99 is the tail. A <b>per_switch</b> row is derived: "
             "(round trip − 2 × ipc.pipe.self) / 2.</p>",
             "<h2>Warnings</h2>", warnings_block(doc),
             "<h2>Charts</h2>"]
    absent = []
    for caption, fig in charts:
        if fig is None:
            absent.append(caption)
            continue
        parts.append(f"<figure class=chart><figcaption><b>{E(caption)}</b></figcaption>{svg_of(fig)}</figure>")
    if absent:
        parts.append("<p class=muted>Not drawn (no such results in this file): " + E("; ".join(absent)) + "</p>")
    server_text = server_table.render(doc)
    if server_text is not None:
        parts += ["<h2>Server models</h2>", f"<pre>{E(server_text)}</pre>"]
    parts += ["<h2>Results</h2>", results_table(doc), "<h2>Machine</h2>", machine_table(doc),
              "<h2>Run</h2>", run_table(doc)]
    if others:
        parts.append("<h2>Compared files</h2><ul>" +
                     "".join(f"<li><code>{E(o['_path'])}</code>: {E(cr.label(o))}</li>" for o in others) + "</ul>")
    parts.append("</body></html>\n")
    return "".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("result", help="ctxbench --json output")
    ap.add_argument("-o", "--output", required=True, help="the HTML file to write")
    ap.add_argument("--compare", nargs="*", default=[], help="more result files for a side-by-side chart")
    a = ap.parse_args()
    doc = cr.load_or_exit(a.result, ap.prog)
    others = [cr.load_or_exit(p, ap.prog) for p in a.compare]
    d = os.path.dirname(a.output) or "."
    if not os.path.isdir(d):
        ap.error(f"-o {a.output}: directory {d} does not exist")
    text = build(doc, others)
    tmp = a.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, a.output)
    print(a.output)


if __name__ == "__main__":
    main()
