"""scripts/db_table.py and scripts/chart_db.py on a small db.* document with literal numbers, beside the
synthetic server.* points the db suite runs."""
import json
import os
import subprocess
import sys

import chart_db
import db_table as dt

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "scripts")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PLACEMENT = {"kind": "cross-cpu", "cpus": [0, 1], "relation": "same-llc"}


def db_rec(server, scenario, conns, rps, switches, cpu, status="ok"):
    name = {"connect-per-request": "per_request"}.get(scenario, scenario)
    probe = f"db.{server}.{name}/connections:{conns}"
    rec = {"probe": probe, "id": probe + "/cross-cpu", "family": "db", "placement": PLACEMENT, "status": status,
           "params": {"server": server, "scenario": scenario, "connections": conns,
                      "synthetic_model": dt.SYNTHETIC[server], "server_user": "nobody"}}
    if status != "ok":
        rec["reason"] = "pgbouncer is not installed"
        return rec
    rec["statistics"] = {"p50": 1e9 * conns / rps, "p99": 2e9 * conns / rps, "p99_9": 3e9 * conns / rps}
    rec["metrics"] = {"requests_per_second": rps, "server_cpu_ns_per_request": cpu,
                      "server_switches_all_per_request": switches, "server_voluntary_switches_per_request": switches,
                      "server_involuntary_switches_per_request": 0.0, "pss_bytes_per_connection": 2048.0 * 1024}
    return rec


def server_rec(model, scenario, conns, rps, switches, cpu, work_ns=50000):
    name = {"connect-per-request": "per_request"}.get(scenario, scenario)
    probe = f"server.{model.replace('-', '_')}.{name}/connections:{conns}/work_ns:{work_ns}"
    return {"probe": probe, "id": probe + "/cross-cpu", "family": "server", "placement": PLACEMENT, "status": "ok",
            "params": {"model": model, "scenario": scenario, "connections": conns, "work_ns": work_ns, "ws_bytes": 0},
            "statistics": {"p50": 1e9 / rps, "p99": 2e9 / rps, "p99_9": 4e9 / rps},
            "metrics": {"requests_per_second": rps, "server_cpu_ns_per_request": cpu,
                        "server_switches_per_request": switches, "pss_bytes_per_connection": 1024.0 * 100}}


def make_doc():
    sc = "connect-per-request"
    return {"ctxbench": {"schema_version": 2, "tool_version": "test"}, "machine": {}, "results": [
        db_rec("postgresql.direct", sc, 64, 300, 10.0, 4e6),
        db_rec("postgresql.pgbouncer", sc, 64, 3000, 2.0, 1e5),
        db_rec("postgresql.pgbouncer", sc, 256, 0, 0, 0, status="skipped"),
        db_rec("mariadb.thread_per_connection", "persistent", 64, 6000, 1.0, 4e4),
        db_rec("mariadb.pool_of_threads", "persistent", 64, 6000, 0.5, 4e4),
        server_rec("process-per-connection", sc, 64, 2000, 8.0, 2e5),
        server_rec("worker-pool", sc, 64, 4000, 4.0, 1e5),
        server_rec("worker-pool", sc, 64, 9999, 99.0, 9e9, work_ns=1000),  # not the db suite's work: ignored
    ]}


def test_each_real_server_is_followed_by_its_synthetic_model():
    text = dt.render(make_doc())
    lines = text.splitlines()
    direct = next(i for i, l in enumerate(lines) if "postgresql.direct " in l and l.strip().startswith("64"))
    assert "~ process-per-connection" in lines[direct + 1]
    assert "2k" in lines[direct + 1]  # the synthetic model's own queries/s, not the 1 µs point's
    assert "9.9k" not in text
    # A model the file lacks is said to be missing, not left blank.
    tpc = next(i for i, l in enumerate(lines) if "mariadb.thread_per_connection " in l and "/" not in l)
    assert "not run" in lines[tpc + 1]
    assert "pgbouncer is not installed" in text


def test_pair_ratios_real_and_synthetic():
    real, synth = dt.points(make_doc())
    rows = dt.pair_rows(real, synth, "connect-per-request", "cross-cpu")
    assert len(rows) == 1
    row = rows[0]
    assert row[3] == "5 (2)"    # switches: 10 / 2 real, 8 / 4 synthetic
    assert row[6] == "40 (2)"   # CPU: 4 ms / 100 µs real, 200 / 100 µs synthetic
    assert row[7] == "0.1 (0.5)"
    assert row[8] == "-"  # no 1-connection point to measure what a connection adds


def test_chart_draws_real_and_synthetic_and_says_which_records(tmp_path):
    fig = chart_db.draw(make_doc())
    ids = {i for ax in getattr(fig, "ctxbench_axes", []) for i in ax["ids"]}
    assert "db.postgresql.direct.per_request/connections:64/cross-cpu" in ids
    assert "server.process_per_connection.per_request/connections:64/work_ns:50000/cross-cpu" in ids
    assert not any("work_ns:1000/" in i for i in ids)
    out = tmp_path / "c.json"
    out.write_text(json.dumps(make_doc()))
    r = subprocess.run([sys.executable, os.path.join(SCRIPTS, "chart_db.py"), str(out), "-o", str(tmp_path / "c.png")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "c.png").read_bytes()[:8] == PNG_MAGIC


def test_marginal_pss_is_what_each_connection_adds():
    one = {"status": "ok", "connections": 1, "pss_conn": 100.0 * 1024}
    many = {"status": "ok", "connections": 5, "pss_conn": 40.0 * 1024}  # 200 KiB in all: 100 + 4 x 25
    assert dt.marginal_pss(many, one) == 25.0 * 1024
    assert dt.marginal_pss(many, None) is None


def test_no_db_records_is_said_plainly():
    assert "no db.* records" in dt.render({"results": []})
