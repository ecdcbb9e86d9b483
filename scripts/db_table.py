#!/usr/bin/python3
"""The db.* suite of a ctxbench run as tables: each real server (PostgreSQL direct or behind PgBouncer, MariaDB
thread per connection or pool of threads) beside the synthetic server.* model meant to predict it, per
scenario and connection count.

  scripts/db_table.py db.json [--markdown]

Parts, in this order:
  1. one table per (placement, scenario): rows = connection count x server, each real server followed by its
     synthetic model (server.*, 50 µs of work per request, from the same file when the run had --suite db);
     columns = queries/s, client latency p50 / p99 / p99.9, server CPU per query, context switches per query
     (every server process and thread, exited ones included: perf), the voluntary / involuntary split (tasks
     alive at the end of the window), PSS per connection (the server's whole PSS / C) and what each connection
     adds (+PSS: the PSS at C minus the PSS at 1 connection, over C - 1);
  2. the pooling question: per scenario and connection count, what the per-connection model costs against the
     pooled one (PostgreSQL direct / PgBouncer, MariaDB thread per connection / pool of threads) in switches,
     CPU and PSS per query, with the synthetic models' same ratio beside it.
The functions are pure (document -> points -> rows -> text); chart_db.py reads the points through them too.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctxresults as cr  # noqa: E402
import server_table as st  # noqa: E402

SERVERS = ["postgresql.direct", "postgresql.pgbouncer", "mariadb.thread_per_connection", "mariadb.pool_of_threads"]
# The synthetic server.* model each real one is read against (also in each db.* record's params).
SYNTHETIC = {"postgresql.direct": "process-per-connection", "postgresql.pgbouncer": "worker-pool",
             "mariadb.thread_per_connection": "thread-per-connection", "mariadb.pool_of_threads": "worker-pool"}
SYNTHETIC_WORK_NS = 50000
# (per-connection model, pooled model): the pairs the reading compares.
PAIRS = [("postgresql.direct", "postgresql.pgbouncer"), ("mariadb.thread_per_connection", "mariadb.pool_of_threads")]


def db_point(rec):
    """One db.* record (any status) as a point, or None when it is not one."""
    if not isinstance(rec, dict) or cr.family(rec) != "db":
        return None
    params = rec.get("params") if isinstance(rec.get("params"), dict) else {}
    server, scenario, conns = params.get("server"), params.get("scenario"), st.num(params.get("connections"))
    if not isinstance(server, str) or not isinstance(scenario, str) or conns is None:
        return None
    stats = rec.get("statistics") if isinstance(rec.get("statistics"), dict) else {}
    metrics = rec.get("metrics") if isinstance(rec.get("metrics"), dict) else {}
    m = {k: st.num(v) for k, v in metrics.items()}
    return {"id": rec.get("id", "?"), "server": server, "scenario": scenario, "connections": int(conns),
            "placement": cr.placement(rec), "status": rec.get("status", "?"), "reason": rec.get("reason", ""),
            "rps": m.get("requests_per_second"), "p50": st.num(stats.get("p50")), "p99": st.num(stats.get("p99")),
            "p999": st.num(stats.get("p99_9")), "cpu": m.get("server_cpu_ns_per_request"),
            "switches": m.get("server_switches_all_per_request", m.get("server_switches_per_request")),
            "voluntary": m.get("server_voluntary_switches_per_request"),
            "involuntary": m.get("server_involuntary_switches_per_request"),
            "pss_conn": m.get("pss_bytes_per_connection"), "synthetic": False}


def synthetic_point(p):
    """A server.* point (server_table.server_point) in db_point's shape, or None when it is not one the db
    suite compares against (50 µs of work, no working set)."""
    if p["work_ns"] != SYNTHETIC_WORK_NS or p["ws_bytes"]:
        return None
    m = p["metrics"]
    return {"id": p["id"], "server": p["model"], "scenario": p["scenario"], "connections": p["connections"],
            "placement": p["placement"], "status": p["status"], "reason": p["reason"], "rps": p["rps"],
            "p50": p["p50"], "p99": p["p99"], "p999": None, "cpu": m.get("server_cpu_ns_per_request"),
            "switches": m.get("server_switches_per_request"),
            "voluntary": m.get("server_voluntary_switches_per_request"),
            "involuntary": m.get("server_involuntary_switches_per_request"),
            "pss_conn": m.get("pss_bytes_per_connection"), "synthetic": True}


def points(doc):
    """(real points, synthetic points) of a document."""
    real = [p for p in (db_point(r) for r in doc.get("results", [])) if p is not None]
    records = {r.get("id"): r for r in doc.get("results", []) if isinstance(r, dict)}
    synth = []
    for sp in st.points(doc):
        p = synthetic_point(sp)
        if p is not None:
            p["p999"] = st.num((records.get(sp["id"], {}).get("statistics") or {}).get("p99_9"))
            synth.append(p)
    return real, synth


def index(pts):
    """{(placement kind, scenario, server, connections): point}; the first one wins if a point repeats."""
    out = {}
    for p in pts:
        out.setdefault((p["placement"].kind, p["scenario"], p["server"], p["connections"]), p)
    return out


def groups(real):
    """[(placement, scenario)] of the real points, in a stable order."""
    keys = {(p["placement"], p["scenario"]) for p in real}
    return sorted(keys, key=lambda k: (k[0], st.SCENARIOS.index(k[1]) if k[1] in st.SCENARIOS else 9, k[1]))


def kib(b):
    return "-" if b is None else f"{b / 1024:.0f}"


def fmt_n(v, digits=3):
    return "-" if v is None else f"{v:.{digits}g}"


def marginal_pss(p, one):
    """PSS each connection adds: (PSS at C - PSS at 1 connection) / (C - 1); the server's fixed memory (buffer
    pools, shared catalogs) divided by C says little about what one more connection costs."""
    if one is None or one["status"] != "ok" or p["connections"] <= 1 or p["pss_conn"] is None or one["pss_conn"] is None:
        return None
    return (p["pss_conn"] * p["connections"] - one["pss_conn"]) / (p["connections"] - 1)


def row(label, p, one=None):
    if p is None:
        return [label, "not run"] + [""] * 9
    if p["status"] != "ok":
        return [label, p["status"]] + [""] * 9
    return [label, st.fmt_rps(p["rps"]), st.fmt_us(p["p50"]), st.fmt_us(p["p99"]), st.fmt_us(p["p999"]),
            st.fmt_us(p["cpu"]), fmt_n(p["switches"]), fmt_n(p["voluntary"]), fmt_n(p["involuntary"]),
            kib(p["pss_conn"]), kib(marginal_pss(p, one))]


HEADERS = ["connections / server", "queries/s", "p50 µs", "p99 µs", "p99.9 µs", "CPU µs/q", "switches/q",
           "vol/q", "invol/q", "PSS KiB/conn", "+PSS KiB/conn"]


def group_rows(real, synth, placement, scenario):
    """(rows, notes): each real server at each connection count, then its synthetic model's row."""
    kind = placement.kind
    ri, si = index(real), index(synth)
    conns = sorted({p["connections"] for p in real if p["placement"] == placement and p["scenario"] == scenario})
    rows, notes = [], []
    for c in conns:
        for s in SERVERS:
            p = ri.get((kind, scenario, s, c))
            if p is None:
                continue
            rows.append(row(f"{c:>4}  {s}", p, ri.get((kind, scenario, s, 1))))
            if p["status"] != "ok":
                notes.append(f"{p['id']}: {p['status']}: {p['reason']}")
            model = SYNTHETIC[s]
            rows.append(row(f"{c:>4}    ~ {model} (server.*)", si.get((kind, scenario, model, c)),
                            si.get((kind, scenario, model, 1))))
    return rows, notes


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def pair_rows(real, synth, scenario, kind):
    """Per connection count and pair: per-connection / pooled ratios of switches, CPU, q/s (real, synthetic)."""
    ri, si = index(real), index(synth)
    rows = []
    conns = sorted({p["connections"] for p in real if p["scenario"] == scenario})
    for c in conns:
        for a, b in PAIRS:
            pa, pb = ri.get((kind, scenario, a, c)), ri.get((kind, scenario, b, c))
            if not pa or not pb or pa["status"] != "ok" or pb["status"] != "ok":
                continue
            sa, sb = si.get((kind, scenario, SYNTHETIC[a], c)), si.get((kind, scenario, SYNTHETIC[b], c))
            ok_s = sa is not None and sb is not None and sa["status"] == "ok" and sb["status"] == "ok"

            def both(key, fmt=lambda v: fmt_n(v, 2)):
                real_r = fmt(ratio(pa[key], pb[key]))
                return f"{real_r} ({fmt(ratio(sa[key], sb[key])) if ok_s else '-'})"
            rows.append([f"{c:>4}  {a} / {b.split('.')[-1]}", fmt_n(pa["switches"]), fmt_n(pb["switches"]),
                         both("switches"), st.fmt_us(pa["cpu"]), st.fmt_us(pb["cpu"]), both("cpu"), both("rps"),
                         kib(marginal_pss(pa, ri.get((kind, scenario, a, 1)))),
                         kib(marginal_pss(pb, ri.get((kind, scenario, b, 1))))])
    return rows


PAIR_HEADERS = ["connections  per-connection / pooled", "sw/q", "sw/q pooled", "sw ratio (synthetic)", "CPU µs/q",
                "CPU µs/q pooled", "CPU ratio (synthetic)", "q/s ratio (synthetic)", "+PSS KiB/conn",
                "+PSS KiB/conn pooled"]


def render(doc, markdown=False):
    real, synth = points(doc)
    if not real:
        return "no db.* records in this file (run ctxbench --suite db)"
    out = [f"ctxbench db suite: {cr.label(doc)}",
           "switches/q: every server process and thread, exited ones included (perf software counters inherited "
           "from each server program); vol/q, invol/q: the tasks alive at the end of each window. "
           "~ rows: the synthetic server.* model (50 µs of work per request) meant to predict the real server above."]
    for placement, scenario in groups(real):
        rows, notes = group_rows(real, synth, placement, scenario)
        out += ["", f"## {scenario}, placement {placement}", "", st.table(HEADERS, rows, markdown)]
        out += [f"  {n}" for n in notes]
        prs = pair_rows(real, synth, scenario, placement.kind)
        if prs:
            out += ["", f"per-connection model / pooled model ({scenario}; in brackets the same ratio of the "
                        "synthetic models)", "", st.table(PAIR_HEADERS, prs, markdown)]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("result", help="ctxbench --json output of a --suite db run")
    ap.add_argument("--markdown", action="store_true", help="GitHub markdown tables")
    a = ap.parse_args()
    print(render(cr.load_or_exit(a.result, ap.prog), a.markdown))


if __name__ == "__main__":
    main()
