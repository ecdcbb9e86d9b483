#!/usr/bin/python3
"""The server.* sweep of a ctxbench run as tables: requests/s and p99 per model and connection count, where
process-per-connection falls behind, and how much of the server's CPU per request the context switches explain.

  scripts/server_table.py results/kvm2-guest.json [--markdown]

Three parts, in this order:
  1. one table per (placement, scenario, work_ns): rows = connections, columns = models,
     cells = "requests/s / p99 µs" (skipped or failed points say so, with their reasons under the table);
  2. the crossing points: the smallest connection count at which process-per-connection's throughput is more
     than 10% below the best other model's at that count;
  3. the switch-cost attribution of every ok point: server_switches_per_request x the cost of one context
     switch (ctxswitch.pipe.process.per_switch p50 of the same file; same-cpu preferred, unpinned if only that
     exists; cross-cpu never, as that figure is mostly the wake-up of the other CPU, not switch work) as a share
     of server_cpu_ns_per_request. In connect-per-request, the process-per-connection and
     thread-per-connection points also get the spawn cost per request (process.fork_exit or thread.create_join
     p50) as a share of the same CPU time, when the file has those records.
  Read both shares as estimates, not measurements: per_switch is the direct cost of a switch with no working
  set to refill (so the switch share is a floor), and fork_exit / create_join are wall times seen by the
  parent, child included (so a spawn share can pass 100%).

The functions are pure (document -> points -> rows -> text) so tests can call them on literal data; the
chart script (chart_server.py) reads the points through them too.
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import ctxunits as cu  # noqa: E402

BASELINE = "process-per-connection"
MODELS = [BASELINE, "process-pool", "thread-per-connection", "worker-pool", "event-loop"]
SCENARIOS = ["persistent", "connect-per-request"]
MODEL_COLORS = {"process-per-connection": "#d62728", "process-pool": "#ff7f0e",
                "thread-per-connection": "#1f77b4", "worker-pool": "#2ca02c", "event-loop": "#9467bd"}
CROSS_MARGIN = 0.10  # "falls behind" = more than 10% below the best other model (noise on a busy VM is ~5%)
PER_SWITCH_PROBE = "ctxswitch.pipe.process.per_switch"
PER_SWITCH_PLACEMENTS = ["same-cpu", "unpinned"]  # cross-cpu is wake-up latency, not CPU spent switching
SPAWN_PROBES = {"process-per-connection": "process.fork_exit", "thread-per-connection": "thread.create_join"}
METRICS = ["requests_per_second", "server_cpu_ns_per_request", "server_user_ns_per_request",
           "server_sys_ns_per_request", "server_switches_per_request", "server_voluntary_switches_per_request",
           "server_involuntary_switches_per_request", "client_cpu_ns_per_request", "client_busy_fraction",
           "server_rss_bytes", "server_pss_bytes", "rss_bytes_per_connection", "pss_bytes_per_connection",
           "server_tasks"]


def num(v):
    """A finite JSON number (not a bool), else None: a missing or broken metric is absent, never an error."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def server_point(rec):
    """The sweep point of one server.* record (any status), or None when it is not one."""
    if not isinstance(rec, dict) or cr.family(rec) != "server":
        return None
    params = rec.get("params") if isinstance(rec.get("params"), dict) else {}

    def pick(key, convert=lambda v: v):  # the record's params say what the name encodes; never re-parse the name
        return convert(params.get(key))

    model, scenario = pick("model"), pick("scenario")
    conns = pick("connections", num)
    if not isinstance(model, str) or not isinstance(scenario, str) or conns is None:
        return None
    stats = rec.get("statistics") if isinstance(rec.get("statistics"), dict) else {}
    metrics = rec.get("metrics") if isinstance(rec.get("metrics"), dict) else {}
    m = {k: num(v) for k, v in metrics.items()}
    return {"id": rec.get("id", rec.get("probe", "?")), "model": model, "scenario": scenario,
            "connections": int(conns), "work_ns": pick("work_ns", num) or 0.0,
            "ws_bytes": pick("ws_bytes", num) or 0.0, "placement": cr.placement(rec),
            "status": rec.get("status", "?"), "reason": rec.get("reason", ""),
            "rps": m.get("requests_per_second"), "p50": num(stats.get("p50")), "p99": num(stats.get("p99")),
            "metrics": m}


def points(doc):
    return [p for p in (server_point(r) for r in doc.get("results", [])) if p is not None]


def _order(seq, known):
    return sorted(set(seq), key=lambda x: (known.index(x) if x in known else len(known), x))


def group_key(p):
    return (p["placement"], p["scenario"], p["work_ns"], p["ws_bytes"])


def groups(pts):
    """{(placement, scenario, work_ns, ws_bytes): [points]} in a stable order: placement, work_ns, ws, scenario."""
    out = {}
    for p in pts:
        out.setdefault(group_key(p), []).append(p)
    kinds = cr.PLACEMENT_ORDER

    def sort_key(k):
        kind = k[0].kind  # ctxresults.Placement: the record's placement {kind, cpus} as fields
        return (kinds.index(kind) if kind in kinds else len(kinds), k[0], k[2], k[3],
                SCENARIOS.index(k[1]) if k[1] in SCENARIOS else len(SCENARIOS), k[1])
    return {k: out[k] for k in sorted(out, key=sort_key)}


def models_of(pts):
    return _order([p["model"] for p in pts], MODELS)


def ok_by_model(pts):
    """{model: {connections: point}} of the ok points (the first one wins if a point repeats)."""
    out = {}
    for p in pts:
        if p["status"] == "ok":
            out.setdefault(p["model"], {}).setdefault(p["connections"], p)
    return out


def work_text(work_ns):
    return f"work {us_text(work_ns)}" if work_ns else "no work"


def group_title(key):
    placement, scenario, work_ns, ws = key
    ws_text = f", working set {int(ws)} B" if ws else ""
    return f"{scenario}, {work_text(work_ns)}{ws_text}, placement {placement}"


def fmt_rps(v):
    if v is None:
        return "-"
    for unit, div in (("M", 1e6), ("k", 1e3)):
        if v >= div:
            return f"{v / div:.3g}{unit}"
    return f"{v:.3g}"


def fmt_us(ns):
    if ns is None:
        return "-"
    us = ns / 1e3
    return f"{us:.0f}" if us >= 100 else f"{us:.3g}"  # 12800, not 1.28e+04


def cell(p):
    if p is None:
        return ""
    if p["status"] != "ok":
        return p["status"]
    return f"{fmt_rps(p['rps'])} / {fmt_us(p['p99'])}"


def sweep_rows(pts):
    """(models, rows, notes) of one group: rows = [connections, cell per model]; notes = the not-ok points."""
    models = models_of(pts)
    by = {}
    for p in pts:
        slot = by.setdefault((p["model"], p["connections"]), p)
        if slot["status"] != "ok" and p["status"] == "ok":
            by[(p["model"], p["connections"])] = p
    conns = sorted({p["connections"] for p in pts})
    rows = [[str(c)] + [cell(by.get((m, c))) for m in models] for c in conns]
    notes = [f"{p['model']} @ {p['connections']} connections {p['status']}"
             + (f": {p['reason']}" if p["reason"] else "") for p in pts if p["status"] != "ok"]
    return models, rows, notes


def crossing(pts, margin=CROSS_MARGIN):
    """Where process-per-connection falls behind in one group, and stays behind.

    Returns {"connections": the smallest count from which, at that count and every larger one compared, its
    requests/s is below (1 - margin) x the best other model's at the same count (a lone deficit at a small
    count that later closes is noise on a VM, not a crossing), or None; "baseline_rps", "best_model",
    "best_rps" at that count; "compared": the counts where both had a throughput; "reason": why nothing could
    be compared, else ""}.
    """
    by = ok_by_model(pts)
    base = {c: p["rps"] for c, p in by.get(BASELINE, {}).items() if p["rps"] is not None}
    result = {"connections": None, "baseline_rps": None, "best_model": None, "best_rps": None, "compared": [],
              "reason": ""}
    if not base:
        result["reason"] = f"no {BASELINE} throughput"
        return result
    behind = {}
    for c in sorted(base):
        others = [(p["rps"], m) for m, pm in by.items() if m != BASELINE
                  for cc, p in pm.items() if cc == c and p["rps"] is not None]
        if not others:
            continue
        best_rps, best_model = max(others)
        result["compared"].append(c)
        behind[c] = (base[c] < (1 - margin) * best_rps, best_rps, best_model)
    for c in reversed(result["compared"]):
        if not behind[c][0]:
            break
        result.update(connections=c, baseline_rps=base[c], best_model=behind[c][2], best_rps=behind[c][1])
    if not result["compared"]:
        result["reason"] = "no other model measured at the same connection counts"
    return result


def crossing_text(key, cx, margin=CROSS_MARGIN):
    head = group_title(key) + ": "
    if cx["reason"]:
        return head + f"not comparable ({cx['reason']})"
    if cx["connections"] is None:
        return head + (f"never: {BASELINE} stays within {margin:.0%} of the best other model up to "
                       f"{max(cx['compared'])} connections")
    drop = 1 - cx["baseline_rps"] / cx["best_rps"]
    return head + (f"from {cx['connections']} connections on: {BASELINE} {fmt_rps(cx['baseline_rps'])} requests/s "
                   f"vs {cx['best_model']} {fmt_rps(cx['best_rps'])} ({drop:.0%} lower)")


def reference_cost(doc, probe, kinds=None):
    """(p50 ns, record id) of an ok record of `probe`, trying placement kinds in order; (None, None) if absent."""
    recs = [r for r in doc.get("results", []) if isinstance(r, dict) and r.get("probe") == probe
            and r.get("status") == "ok" and (num(cr.p50(r)) or 0) > 0]
    for k in (kinds or [None]):
        for r in recs:
            if k is None or cr.kind(r) == k:
                return cr.p50(r), r.get("id", probe)
    return None, None


def per_switch_cost(doc):
    return reference_cost(doc, PER_SWITCH_PROBE, PER_SWITCH_PLACEMENTS)


def share(count, unit_ns, cpu_ns):
    """(count x unit_ns, that as a percentage of cpu_ns); None where an input is absent or cpu_ns is not > 0."""
    if count is None or unit_ns is None:
        return None, None
    spent = count * unit_ns
    return spent, (100.0 * spent / cpu_ns if cpu_ns is not None and cpu_ns > 0 else None)


def attribution(pts, per_switch_ns, spawn_ns=None):
    """One row per ok point: the switch (and, for connect-per-request, spawn) cost per request vs server CPU."""
    spawn_ns = spawn_ns or {}
    rows = []
    for key, gp in groups(pts).items():
        for p in sorted((p for p in gp if p["status"] == "ok"),
                        key=lambda p: (MODELS.index(p["model"]) if p["model"] in MODELS else len(MODELS),
                                       p["model"], p["connections"])):
            m = p["metrics"]
            cpu = m.get("server_cpu_ns_per_request")
            sw = m.get("server_switches_per_request")
            sw_ns, sw_share = share(sw, per_switch_ns, cpu)
            spawn = spawn_ns.get(p["model"]) if p["scenario"] == "connect-per-request" else None
            _, sp_share = share(1.0 if spawn is not None else None, spawn, cpu)
            rows.append({"group": key, "model": p["model"], "connections": p["connections"], "switches": sw,
                         "switch_ns": sw_ns, "cpu_ns": cpu, "switch_share": sw_share, "spawn_share": sp_share})
    return rows


def pct(v):
    return "-" if v is None else f"{v:.0f}%"


def us_text(ns):
    return cu.fmt_ns(ns).replace(" us", " µs")


def table(headers, rows, markdown, left=1):
    """Aligned text (the first `left` columns flush left, numbers flush right) or a GitHub markdown table."""
    if markdown:
        esc = [[str(c).replace("|", "\\|") for c in r] for r in [headers] + rows]
        lines = ["| " + " | ".join(esc[0]) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in esc[1:]])
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    fmt = lambda r: "  ".join(str(c).rjust(w) if i >= left else str(c).ljust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    return "\n".join([fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


def render(doc, markdown=False):
    """The whole text; None when the document has no server.* records."""
    pts = points(doc)
    if not pts:
        return None
    h = (lambda t: f"## {t}") if markdown else (lambda t: f"{t}\n{'=' * len(t)}")
    h3 = (lambda t: f"### {t}") if markdown else (lambda t: f"{t}:")
    out = [h(f"ctxbench server models: {cr.label(doc)}"), "",
           "Cells: requests per second / p99 latency per request in µs (client side, closed loop).", ""]
    gs = groups(pts)
    for key, gp in gs.items():
        models, rows, notes = sweep_rows(gp)
        out += [h3(group_title(key)), "", table(["connections"] + models, rows, markdown), ""]
        out += [f"- {n}" for n in notes] + ([""] if notes else [])
    out += [h(f"Where {BASELINE} falls more than {CROSS_MARGIN:.0%} behind the best other model"), ""]
    out += [f"- {crossing_text(k, crossing(gp))}" for k, gp in gs.items()] + [""]

    per_switch, ps_id = per_switch_cost(doc)
    spawn = {}
    spawn_src = []
    for model, probe in SPAWN_PROBES.items():
        v, rid = reference_cost(doc, probe)
        if v is not None:
            spawn[model] = v
            spawn_src.append(f"{rid} p50 {us_text(v)}")
    out += [h("Switch-cost attribution (server side, per request)"), ""]
    if per_switch is None:
        out.append(f"Per-switch cost missing: no ok {PER_SWITCH_PROBE} record (same-cpu or unpinned) in this file; "
                   "run the ctxswitch.pipe.process probe with it to get the switch share.")
    else:
        out.append(f"One context switch = {us_text(per_switch)} ({ps_id} p50). Switch share = "
                   "server_switches_per_request x that / server_cpu_ns_per_request (direct cost only: a floor).")
    if spawn_src:
        out.append("Spawn share (connect-per-request only) = one spawn per request / server_cpu_ns_per_request; "
                   "spawn = " + ", ".join(spawn_src)
                   + " (wall time seen by the parent: an estimate that can pass 100%).")
    out.append("")
    att = attribution(pts, per_switch, spawn)
    headers = ["scenario", "work", "placement", "model", "connections", "switches/req", "switch ns/req",
               "server CPU ns/req", "switch share"] + (["spawn share"] if spawn else [])
    rows = []
    for a in att:
        placement, scenario, work_ns, _ = a["group"]
        row = [scenario, work_text(work_ns), str(placement), a["model"], str(a["connections"]),
               "-" if a["switches"] is None else f"{a['switches']:.3g}",
               "-" if a["switch_ns"] is None else f"{a['switch_ns']:.0f}",
               "-" if a["cpu_ns"] is None else f"{a['cpu_ns']:.0f}", pct(a["switch_share"])]
        rows.append(row + ([pct(a["spawn_share"])] if spawn else []))
    out += [table(headers, rows, markdown, left=4) if rows else "(no ok server points)", ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("result", help="ctxbench --json output")
    ap.add_argument("--markdown", action="store_true", help="GitHub markdown tables instead of aligned text")
    a = ap.parse_args()
    doc = cr.load_or_exit(a.result, ap.prog)
    text = render(doc, a.markdown)
    if text is None:
        sys.exit(f"{ap.prog}: {a.result}: no server.* records (run ctxbench with the server probes)")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
