"""B/s records as ctxbench writes them: samples, statistics and repetition medians in ns per op, `bytes_per_op`
beside them. Every script reads their samples and shows bandwidth computed from time per op and bytes_per_op
(fixture: tests/fixtures/results/bandwidth.json, see tests/fixtures/make_fixtures.py --bandwidth)."""
import csv
import io
import json
import math
import os
import subprocess
import sys

import pytest

import ctxresults as cr
import ctxunits as cu  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "scripts")
FIX = os.path.join(ROOT, "tests", "fixtures", "results")
BW = os.path.join(FIX, "bandwidth.json")
FULL = os.path.join(FIX, "full_suite.json")  # a real run (its B/s records turned into time per op: --schema-2)


def run(script, *args):
    return subprocess.run([sys.executable, os.path.join(SCRIPTS, script), *args], capture_output=True, text=True,
                          timeout=300)


def bw_records(doc):
    return [r for r in cr.ok_records(doc) if r["probe"].startswith("bw.")]


@pytest.fixture(scope="module")
def doc():
    return cr.load(BW)


def test_fixture_has_the_written_shape(doc):
    recs = bw_records(doc)
    assert len(recs) >= 10
    for r in recs:
        assert r["unit"] == "B/s" and r["bytes_per_op"] == r["params"]["size"]
        assert all("median_ns" in rep and "median" not in rep for rep in r["repetitions"])
        # ns per op: a transfer of at least 4 KiB takes more than 100 ns and less than a second
        assert all(100 < v < 1e9 for v in r["samples"]), r["id"]
        assert r["value"] > 1e6


def test_ctxresults_reads_samples_and_derives_bandwidth(doc):
    for r in bw_records(doc):
        s, basis = cr.samples(r)
        assert basis == "samples" and s == r["samples"]
        b = r["bytes_per_op"]
        assert cr.p50(r) == pytest.approx(b * 1e9 / r["statistics"]["p50"])
        assert cr.p50(r) == pytest.approx(r["value"], rel=1e-4)
        v, _ = cr.values(r)
        assert v == pytest.approx([b * 1e9 / x for x in s])
        assert cr.stat(r, "p99") < cr.p50(r)  # the slow tail is the low rate
        assert cr.measure(r) == "bandwidth"
        # without raw samples the repetition medians are read, with the same field name as any record
        lean = dict(r, samples=[])
        assert cr.samples(lean) == ([rep["median_ns"] for rep in r["repetitions"]], "repetition medians")
    # one helper: a time record passes as is, a missing time is None
    t = next(r for r in cr.ok_records(doc) if r["unit"] == "ns")
    assert cr.in_unit(t, 1234.0) == 1234.0
    assert cr.in_unit(bw_records(doc)[0], None) is None
    assert cr.in_unit(bw_records(doc)[0], 0) is None


def test_a_real_runs_bandwidth_records_read_as_rates():
    recs = bw_records(cr.load(FULL))
    assert recs and all(cr.measure(r) == "bandwidth" and "bytes_per_op" in r for r in recs)
    for r in recs:
        assert cr.p50(r) == pytest.approx(r["value"], rel=1e-3)


def test_sweep_panels_draw_bandwidth(doc):
    sys.path.insert(0, SCRIPTS)
    import chart_sweeps
    panels = [p for p in chart_sweeps.sweep_panels(doc, "bw") if p["measure"] == "bandwidth"]
    assert {p["title"] for p in panels} >= {"bw.pipe", "bw.unix_stream", "bw.shm_ring"}
    for p in panels:
        assert p["unit"] == "B/s"
        for _, _, pts in p["series"]:
            for _, r in pts:
                assert cr.p50(r) == pytest.approx(r["value"], rel=1e-4)


@pytest.mark.parametrize("script", ["chart_sweeps.py", "chart_overview.py", "chart_distribution.py"])
def test_charts_draw_the_bandwidth_fixture(tmp_path, script):
    extra = ["--family", "bw"] if script == "chart_sweeps.py" else []
    extra += ["--probe", "bw.pipe/size:65536"] if script == "chart_distribution.py" else []
    out = tmp_path / "c.svg"
    r = run(script, BW, "-o", str(out), *extra)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    if script != "chart_distribution.py":
        assert "GB/s" in text or "MB/s" in text, script  # the value axis is bandwidth, not ns


def test_report_shows_bandwidth(tmp_path):
    out = tmp_path / "r.html"
    r = run("report.py", BW, "-o", str(out))
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    rec = next(x for x in bw_records(cr.load(BW)) if x["id"] == "bw.pipe/size:65536/same-cpu")
    assert cu.fmt(rec["value"], "B/s") in text


def test_export_writes_time_per_op_and_bandwidth(tmp_path):
    recs = {r["id"]: r for r in bw_records(cr.load(BW))}
    r = run("export.py", BW, "--format", "gab", "-o", "-")
    assert r.returncode == 0, r.stderr
    gab = {e["name"]: e for e in json.loads(r.stdout)}
    for rid, rec in recs.items():
        assert gab[rid]["unit"] == "ns" and gab[rid]["value"] == rec["statistics"]["p50"]
        assert "bandwidth: " + cu.fmt(cr.p50(rec), "B/s") in gab[rid]["extra"]
    r = run("export.py", BW, "--format", "csv", "-o", "-")
    assert r.returncode == 0, r.stderr
    rows = [row for row in csv.DictReader(io.StringIO(r.stdout)) if row["id"] in recs]
    assert len(rows) == 2 * len(recs)
    for row in rows:
        v = float(row["value_ns"])
        assert math.isfinite(v) and 100 < v < 1e9


def test_median_ci_is_in_the_records_unit(doc):
    for r in bw_records(doc):
        low, high = cr.median_ci(r)
        ci = r["statistics"]["median_ci"]
        b = r["bytes_per_op"]
        assert (low, high) == pytest.approx((b * 1e9 / ci["high"], b * 1e9 / ci["low"]))  # slow end = low rate
        assert low <= cr.p50(r) <= high


def test_machines_side_by_side_draws_bandwidth(tmp_path):
    out = tmp_path / "m.svg"
    r = run("chart_machines.py", BW, FULL, "--probe", "bw.pipe/size:65536/same-cpu", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "p50 bandwidth (B/s, log)" in out.read_text()
