#!/usr/bin/python3
"""One self-contained HTML page of a ctxbench run that reads top-down: the machine in the title, a headline
(what a context switch costs here), an overview with one panel per family, then one section per family with
its charts and a compact table (one row per probe, one column per placement, warnings beside the row), the
server connection-model chart, the core-to-core heatmap when the file has one, and at the end every record,
the machine block and the run. Opens offline: no scripts, no external files; charts are inline SVG, each no
taller than a screen, and each <figure> carries in data-axes what every axis drew (ctxresults.manifest).

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
import ctxunits as cu  # noqa: E402
import ctxpanels as cp  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import chart_c2c  # noqa: E402
import chart_distribution  # noqa: E402
import chart_explain  # noqa: E402
import chart_ipc_vs_shm  # noqa: E402
import chart_machines  # noqa: E402
import chart_overview  # noqa: E402
import chart_pairs  # noqa: E402
import chart_server  # noqa: E402
import server_table  # noqa: E402

E = html.escape
MAX_FIG_IN = 9.0  # inches of figure height: about 860 CSS px, less than one screen
CSS = """
body{font-family:system-ui,sans-serif;margin:20px 24px;color:#222;max-width:1400px}
h1{font-size:1.35em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}
h3{font-size:1em;margin:1.2em 0 .3em}
table{border-collapse:collapse;font-size:.82em;margin:.4em 0} td,th{border:1px solid #ddd;padding:2px 6px;vertical-align:top}
th{background:#f3f3f3;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.grp th{background:#e8eef6;font-weight:normal;font-style:italic}
td.n small{color:#777} .skipped{color:#a60}.failed{color:#b00;font-weight:bold}
td.w{font-size:.92em;color:#8a5a00;max-width:34em}
.warn{background:#fff6e0;border-left:4px solid #e90;padding:5px 10px;margin:4px 0;font-size:.85em}
.head{display:flex;gap:14px;flex-wrap:wrap;margin:.8em 0}
.head div{border:1px solid #cdd;border-radius:6px;padding:8px 14px;background:#f7fafc;min-width:12em}
.head b{display:block;font-size:1.6em} .head span{font-size:.85em;color:#444}
figure{margin:.6em 0} figure svg{max-width:100%;height:auto;display:block} figcaption{font-size:.9em;margin-bottom:.2em}
.muted{color:#777;font-size:.85em} nav a{margin-right:.8em} details{margin:.5em 0} summary{cursor:pointer}
.scroll{overflow-x:auto;max-width:100%} td code{overflow-wrap:anywhere}
"""
FAMILY_TEXT = {
    "baseline": "what a clock read and a null system call cost: the floor under everything else",
    "ctxswitch": "two tasks handing the CPU to each other: round trips, the derived cost of one switch, "
                 "working-set and ring sweeps",
    "ipc": "round trips (and one-way times) of every IPC mechanism between two processes or two threads",
    "shm": "shared memory without the kernel: a cache line bounced between CPUs, rings in shared memory",
    "process": "creating a process: fork, exec, spawn, and fork against the parent's resident memory",
    "thread": "creating a thread: create+join, stack sizes, std::thread, time to the first instruction",
    "wakeup": "timer wake-up latency (lateness of each wake-up)",
    "bw": "bandwidth in bytes per second (higher is better) of large messages",
    "server": "a loopback request/response server in five connection models",
}


def svg_of(fig):
    axes = cp.manifest(fig)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg"):], axes


def figure(caption, fig):
    svg, axes = svg_of(fig)
    return (f"<figure class=chart data-axes='{E(json.dumps(axes), quote=True)}'>"
            f"<figcaption><b>{E(caption)}</b></figcaption>{svg}</figure>")


def find(doc, base, place):
    return next((r for r in cr.ok_records(doc) if cr.base(r) == base and cr.place(r) == place and cr.p50(r)), None)


def headline(doc):
    """A context switch on this machine: same CPU, across CPUs, as a pipe round trip; then for scale."""
    boxes = []
    for base, place, text in (("ctxswitch.pipe.process.per_switch", "same-cpu", "one context switch, same CPU"),
                              ("ctxswitch.pipe.process.per_switch", "cross-cpu",
                               "one hand-off across CPUs (a wake-up of the other CPU)"),
                              ("ctxswitch.pipe.process", "same-cpu", "a pipe round trip (2 switches), same CPU")):
        r = find(doc, base, place)
        if r is not None:
            boxes.append(f"<div><b>{cu.fmt_ns(cr.p50(r))}</b><span>{E(text)}</span><br>"
                         f"<span class=muted>{E(r['id'])}, p50</span></div>")
    scale = []
    for base, text in (("baseline.syscall", "a null system call"), ("ctxswitch.pipe.process", None),
                       ("process.fork_exit", "fork + exit + wait"), ("thread.create_join", "thread create + join"),
                       ("shm.pingpong", "a cache line round trip across CPUs")):
        if text is None:
            r = find(doc, base, "cross-cpu")
            text = "a pipe round trip across CPUs"
        else:
            r = find(doc, base, "none") or find(doc, base, "cross-cpu") or find(doc, base, "same-cpu")
        if r is not None:
            scale.append(f"{E(text)} {cu.fmt_ns(cr.p50(r))}")
    if not boxes and not scale:
        return "<p class=muted>No context-switch probes in this file.</p>"
    out = "<p><b>A context switch on this machine</b> (medians, derived per switch = (round trip − 2 × " \
          "ipc.pipe.self) / 2):</p>" if boxes else ""
    out += f"<div class=head>{''.join(boxes)}</div>" if boxes else ""
    if scale:
        out += "<p>For scale: " + "; ".join(scale) + ".</p>"
    return out


ABBR = {"same-cpu": "same", "cross-cpu": "cross", "cross-cpu+awake": "cross+awake", "unpinned": "unp", "none": ""}
# The short figure of a warning chip, from the warning's `figure` (docs/contracts.md lists what each is).
FIGURE_TEXT = {"denominator": lambda f, r: f"{f:.2f} switches/op",
               "bimodal": lambda f, r: f"{f * 100:.0f}% on one CPU",
               "unstable_estimate": lambda f, r: "rerun x{:.2f}-{:.2f}".format(*r["rerun_ratio_95"])
               if len(r.get("rerun_ratio_95") or []) == 2 else f"rerun ±{f * 100:.0f}%",
               "pinned_elsewhere": lambda f, r: f"pinned to CPU {f:.0f}",
               "not_positive": lambda f, r: f"overhead {cu.fmt_ns(f)}",
               "load_generator": lambda f, r: f"client {f * 100:.0f}% busy",
               "steal": lambda f, r: f"{f * 100:.1f}%"}


def chip_detail(w, rec):
    """The short figure of a warning of `rec` (its kind's FIGURE_TEXT), else its text, shortened."""
    f = w.get("figure")
    if w["kind"] in FIGURE_TEXT and isinstance(f, (int, float)):
        return FIGURE_TEXT[w["kind"]](f, rec)
    text = w.get("text", "")
    return text if len(text) <= 60 else text[:57] + "..."


def warning_chips(by, places):
    """One short line per warning kind of a table row: 'denominator: same 1.20 switches/op'; full text on hover."""
    kinds = {}
    for p in places:
        for w in (cr.warnings(by[p]) if p in by else []):
            kinds.setdefault(w["kind"], []).append((p, chip_detail(w, by[p]), cr.warning_text(w)))
    out = []
    for k, items in kinds.items():
        tip = "\n".join(f"{p}: {w}" for p, _, w in items)
        body = ", ".join((ABBR.get(p, p) + " " if ABBR.get(p, p) else "") + d for p, d, _ in items)
        out.append(f"<span title='{E(tip, quote=True)}'><b>{E(k)}</b>: {E(body)}</span>")
    return "<br>".join(out)


def ci_text(r):
    """The 95% CI of the median in the record's unit, low – high (a B/s record's CI comes from time per op)."""
    ci = cr.median_ci(r)
    return f"{cu.fmt(ci[0], cr.unit(r))} – {cu.fmt(ci[1], cr.unit(r))}" if ci else ""


def cell(r):
    if r is None:
        return "<td></td>"
    st = r.get("statistics", {})
    u = cr.unit(r)
    ci = ci_text(r)
    tip = f"{r.get('id', '')}: p50 {cu.fmt(cr.p50(r), u)}"
    if ci:
        tip += f", 95% CI {ci}"
    if "cv" in st:
        tip += f", CV {st['cv'] * 100:.1f}%"
    tip += f", n {st.get('n', '?')}"
    s = r.get("switches_per_op")
    if isinstance(s, dict) and "measured" in s:
        tip += f", switches/op {s['measured']:.2f}" + (f" (expected {s['expected']:g})" if "expected" in s else "")
    status = r.get("status", "?")
    if status != "ok":
        return f"<td class={E(status)} title='{E(r.get('reason', ''), quote=True)}'>{E(status)}</td>"
    p99 = f" <small>p99 {cu.fmt(st.get('p99'), u)}</small>" if u == "ns" and st.get("p99") else ""
    return f"<td class=n title='{E(tip, quote=True)}'>{cu.fmt(cr.p50(r), u)}{p99}</td>"


def family_table(recs):
    """One row per probe (parameters included), one column per placement; rows grouped by measure."""
    places = [k for k in cr.PLACEMENT_ORDER if any(cr.place(r) == k for r in recs)]
    places += sorted({cr.place(r) for r in recs} - set(places))
    rows = {}
    for r in recs:
        rows.setdefault((cr.measure(r), r.get("probe", "")), {})[cr.place(r)] = r
    measures = []
    for m, _ in rows:
        if m not in measures:
            measures.append(m)
    head = "<tr><th>probe</th>" + "".join(f"<th>{E(p)}</th>" for p in places) + "<th>warnings</th></tr>"
    out = [f"<div class=scroll><table>{head}"]
    for m in measures:
        if len(measures) > 1:
            out.append(f"<tr class=grp><th colspan={len(places) + 2}>{E(cu.AXIS_TEXT.get(m, m))} ({E(m)})</th></tr>")
        for (mm, probe), by in rows.items():
            if mm != m:
                continue
            any_rec = next(iter(by.values()))
            wtext = warning_chips(by, places)
            derived = " <small class=muted>(derived)</small>" if any_rec.get("derived") else ""
            out.append(f"<tr><td title='{E(any_rec.get('op', ''), quote=True)}'><code>{E(probe)}</code>{derived}</td>"
                       + "".join(cell(by.get(p)) for p in places) + f"<td class=w>{wtext}</td></tr>")
    out.append("</table></div>")
    return "".join(out)


def all_records_table(doc):
    head = ("<tr><th>id</th><th>status</th><th>placement</th><th>p50</th><th>p99</th><th>95% CI of p50</th>"
            "<th>CV</th><th>n</th><th>one op is</th><th>warnings</th></tr>")
    rows = []
    for r in doc["results"]:
        st = r.get("statistics", {})
        u = cr.unit(r)
        p = r.get("placement") or {}
        place = cr.place(r) + (f" {p.get('cpus')}" if p.get("cpus") else "") + \
            (f" ({p['relation']})" if p.get("relation") else "")
        status = r.get("status", "?")
        ci = ci_text(r)
        cv = f"{st['cv'] * 100:.1f}%" if "cv" in st else ""
        op = E(r.get("op", "")) + (f" <span class=muted>derived: {E(r.get('formula', ''))}</span>"
                                   if r.get("derived") else "")
        rows.append(
            f"<tr><td><code>{E(r.get('id', ''))}</code></td><td class={E(status)}>"
            f"{E(status + (': ' + r['reason'] if r.get('reason') else ''))}</td><td>{E(place)}</td>"
            f"<td class=n>{cu.fmt(cr.stat(r, 'p50'), u)}</td><td class=n>{cu.fmt(cr.stat(r, 'p99'), u)}</td>"
            f"<td class=n>{ci}</td><td class=n>{cv}</td><td class=n>{st.get('n', '')}</td><td>{op}</td>"
            f"<td class=w>{'<br>'.join(E(cr.warning_text(w)) for w in cr.warnings(r))}</td></tr>")
    return "<div class=scroll><table>" + head + "".join(rows) + "</table></div>"


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
    return "<div class=scroll><table>" + "".join(rows) + "</table></div>"


def run_table(doc):
    meta = doc.get("ctxbench", {})
    keys = ["tool_version", "git_revision", "start_time", "end_time", "complete", "interrupted", "timer_overhead_ns"]
    rows = [f"<tr><th>{E(k)}</th><td>{E(str(meta.get(k, '-')))}</td></tr>" for k in keys]
    rows.append(f"<tr><th>argv</th><td><code>{E(' '.join(meta.get('argv', [])))}</code></td></tr>")
    rows.append(f"<tr><th>options</th><td><code>{E(json.dumps(meta.get('options', {})))}</code></td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def family_section(doc, fam, recs):
    parts = [f"<h2 id='f-{E(fam)}'>{E(fam)}</h2>",
             f"<p class=muted>{E(FAMILY_TEXT.get(fam, ''))} — {len(recs)} results.</p>"]
    ok = [r for r in recs if r.get("status") == "ok" and cr.p50(r) is not None]
    if fam == "server":
        keys = list(server_table.groups(server_table.points(doc)))
        for i in range(0, len(keys), 2):  # two rows of panels per figure
            fig = chart_server.draw(doc, only=keys[i:i + 2])
            if fig is not None:
                parts.append(figure("Server models: requests/s and p99 vs concurrent connections"
                                    + (f" ({i // 2 + 1} of {(len(keys) + 1) // 2})" if len(keys) > 2 else ""), fig))
        text = server_table.render(doc)
        if text is not None:
            parts.append(f"<details><summary>server table: requests/s / p99 µs per model and connection count, where process-per-connection falls behind, switch-cost attribution</summary><div class=scroll><pre>{E(text)}</pre>"
                         "</div></details>")
        return "".join(parts)
    figs = cp.iter_panel_figures(plt, cp.panels(ok), cols=3, width=14, max_height=MAX_FIG_IN) if ok else []
    for fig in figs:
        ms = []
        for ax in cp.manifest(fig):
            if ax["measure"] not in ms:
                ms.append(ax["measure"])
        parts.append(figure(f"{fam}: " + ", ".join(cu.AXIS_TEXT.get(m, m) for m in ms) + ", p50 per placement", fig))
    if fam == "ctxswitch":
        fig = chart_pairs.draw(doc)
        if fig is not None:
            parts.append(figure("Many pairs at once: every pair's hand-offs per second and the CPUs' idle share "
                                "vs the number of pairs", fig))
        fig = chart_distribution.draw(doc)
        if fig is not None:
            parts.append(figure("Distribution of the pipe round trips: ECDF and percentile spectrum", fig))
    if fam == "shm":
        fig = chart_ipc_vs_shm.draw(doc)
        if fig is not None:
            parts.append(figure("IPC vs a shared cache line, cross-CPU: round trip with round trip, "
                                "one way with one way", fig))
        fig = chart_c2c.draw(doc)
        if fig is not None:
            parts.append(figure("Core-to-core one-way latency", fig))
    parts.append(family_table(recs))
    return "".join(parts)


def tail_html(x):
    """explain.tail (docs/METHODOLOGY.md, "The tail, explained"): the slowest ops' excess over the median ones
    and the named causes inside it, each with its share (the unnamed rest last, so the shares add up)."""
    t = x.get("tail")
    if not t:
        return ""
    causes = []
    for c in t.get("causes", []):
        if c["kind"] != "unnamed" and abs(c.get("share", 0)) < 0.02:
            continue
        who = c["name"] + (f" (pid {c['pid']}, {c['class'].replace('_', ' ')})" if c["kind"] == "task" else "")
        what = {"task": "ran instead", "wakeup_wait": "", "unnamed": ""}.get(c["kind"], c["kind"].replace("_", " "))
        times = f" ×{c['count']}" if c.get("count") else ""
        causes.append(f"<li>{E(cu.fmt_ns(c.get('ns')))} ({c.get('share', 0) * 100:.0f}%): "
                      f"{E(who)} {E(what)}{times}</li>")
    return (f"<p>The slowest {t.get('quantile', 0) * 100:g}% ({t.get('ops_in_tail')} ops, mean "
            f"{E(cu.fmt_ns(t.get('tail_op_ns')))}) against the median ops ({E(cu.fmt_ns(t.get('median_op_ns')))}): "
            f"+{E(cu.fmt_ns(t.get('excess_ns')))}, of which</p><ul>{''.join(causes)}</ul>")


def explain_section(doc):
    """--explain: the stacked shares chart and, per record, its phases (median, p99, share)."""
    recs = chart_explain.explained(doc)
    skipped = {r["explain"].get("reason", "") for r in doc["results"]
               if (r.get("explain") or {}).get("status") in ("skipped", "failed", "lost_events")}
    if not recs and not skipped:
        return ""
    parts = ["<h2 id=explain>Where the time went (--explain)</h2>",
             "<p class=muted>A separate traced pass per record (never mixed into its samples): the kernel's "
             "scheduler, system-call and IPI events of the probe's own tasks, cut into the same ops the clock timed, "
             "each op split along its critical path. docs/METHODOLOGY.md defines every phase.</p>"]
    for reason in sorted(skipped):
        parts.append(f"<div class=warn><b>explain</b>: {E(reason)}</div>")
    if recs:
        parts.append(figure("Each phase's share of the traced op", chart_explain.draw(doc)))
    for r in recs:
        x = r["explain"]
        rows = "".join(
            f"<tr><td>{E(p['phase'])}</td><td>{E(cu.fmt_ns(p.get('median_ns')))}</td>"
            f"<td>{E(cu.fmt_ns(p.get('p99_ns')))}</td><td>{p.get('share', 0) * 100:.0f}%</td>"
            f"<td>{p.get('present', 0) * 100:.0f}%</td></tr>" for p in x["phases"])
        parts.append(
            f"<details><summary><code>{E(r['id'])}</code>: {E(cu.fmt_ns(x.get('traced_median_ns')))} traced vs "
            f"{E(cu.fmt_ns(x.get('untraced_median_ns')))} untraced; phase medians add up to "
            f"{x.get('explained_fraction', 0) * 100:.0f}% ({x.get('followed_ops')} of {x.get('traced_ops')} ops "
            f"followed)</summary><table><tr><th>phase</th><th>median</th><th>p99</th><th>share</th>"
            f"<th>in ops</th></tr>{rows}</table>{tail_html(x)}</details>")
    return "".join(parts)


def build(doc, others):
    meta = doc.get("ctxbench", {})
    mt = cr.machine_title(doc)
    title = f"ctxbench: {mt}"
    fams = cr.ordered_families(doc["results"])
    warned = sum(1 for r in doc["results"] if cr.warnings(r))
    parts = [f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{E(title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{E(title)}</h1>",
             f"<p class=muted>{E(cr.label(doc))} · {E(str(meta.get('start_time', '')))} · ctxbench "
             f"{E(str(meta.get('tool_version', '')))} · suite {E(str(cr.options(doc).get('suite', '?')))} · "
             f"{len(doc['results'])} results from <code>{E(doc.get('_path', ''))}</code>. Every figure is the "
             "median (p50) of all timed samples; p99 is the tail.</p>",
             headline(doc)]
    for w in cr.warnings(meta):
        parts.append(f"<div class=warn><b>{E(w['kind'])}</b>: {E(cr.warning_text(w))}</div>")
    if warned:
        kinds = {}
        for r in doc["results"]:
            for w in cr.warnings(r):
                kinds[w["kind"]] = kinds.get(w["kind"], 0) + 1
        parts.append(f"<p class=muted>{warned} of {len(doc['results'])} results carry a warning ("
                     + ", ".join(f"{E(k)} {n}" for k, n in kinds.items()) + "): each is shown beside its row in "
                     "the family's table, short; hover for the full text and what to do about it.</p>")
    parts.append("<nav>" + "".join(f"<a href='#f-{E(f)}'>{E(f)}</a>" for f in fams) +
                 ("<a href='#explain'>where the time went</a>" if chart_explain.explained(doc) else "") +
                 "<a href='#records'>every record</a><a href='#machine'>machine</a></nav>")
    fig = chart_overview.draw(doc)
    if fig is not None:
        parts += ["<h2>Overview</h2>",
                  figure("One panel per family, each in its own unit (log scale); bars = p50, whisker = p99", fig)]
    parts.append(explain_section(doc))
    for fam in fams:
        parts.append(family_section(doc, fam, [r for r in doc["results"] if cr.family(r) == fam]))
    if others:
        fig = chart_machines.draw([doc] + others)
        parts.append("<h2>Compared files</h2><ul>" + "".join(
            f"<li><code>{E(o['_path'])}</code>: {E(cr.label(o))} ({E(cr.machine_title(o))})</li>" for o in others)
            + "</ul>")
        if fig is not None:
            parts.append(figure("Side by side with the other files", fig))
    parts += [f"<h2 id=records>Every record</h2><details><summary>{len(doc['results'])} records: id, status, "
              "placement, p50, p99, CI, CV, n, what one op is</summary>", all_records_table(doc), "</details>",
              "<h2 id=machine>Machine and run</h2><details><summary>the machine block</summary>",
              machine_table(doc), "</details><details><summary>the run</summary>", run_table(doc), "</details>",
              "</body></html>\n"]
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
    cr.write_atomically(a.output, text)
    print(a.output)


if __name__ == "__main__":
    main()
