"""Every script in scripts/ run on the fixtures of tests/fixtures/results/, outputs validated."""
import csv
import html.parser
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "scripts")
FIX = os.path.join(ROOT, "tests", "fixtures", "results")
REAL = os.path.join(FIX, "kvm2_a.json")
REAL_B = os.path.join(FIX, "kvm2_b.json")
SYNTH = os.path.join(FIX, "synthetic_sweeps_c2c.json")
CHARTS = ["chart_overview.py", "chart_distribution.py", "chart_ipc_vs_shm.py", "chart_sweeps.py", "chart_c2c.py",
          "chart_explain.py", "chart_pairs.py"]
EXPLAIN = os.path.join(FIX, "explain_quick.json")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(script, *args):
    return subprocess.run([sys.executable, os.path.join(SCRIPTS, script), *args], capture_output=True, text=True,
                          timeout=300)


def load(path):
    with open(path) as f:
        return json.load(f)


def ok_ids(path):
    return [r["id"] for r in load(path)["results"] if r["status"] == "ok"]


def check_png(path):
    assert os.path.getsize(path) > 1000, path
    with open(path, "rb") as f:
        assert f.read(8) == PNG_MAGIC, path


def check_svg(path):
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg"), root.tag
    return open(path).read()


@pytest.mark.parametrize("script", CHARTS)
@pytest.mark.parametrize("fixture", [REAL, SYNTH])
def test_chart_writes_png_and_svg(tmp_path, script, fixture):
    out = tmp_path / "chart"
    r = run(script, fixture, "-o", str(out))
    assert r.returncode == 0, r.stderr
    check_png(str(out) + ".png")
    check_svg(str(out) + ".svg")


def test_chart_extension_picks_one_format(tmp_path):
    r = run("chart_overview.py", REAL, "-o", str(tmp_path / "x.svg"))
    assert r.returncode == 0, r.stderr
    assert os.listdir(tmp_path) == ["x.svg"]
    text = check_svg(str(tmp_path / "x.svg"))
    assert "ctxswitch: round trip" in text and "pipe.process" in text  # text stays text in matplotlib SVG


def test_machines_side_by_side(tmp_path):
    r = run("chart_machines.py", REAL, REAL_B, SYNTH, "-o", str(tmp_path / "m"))
    assert r.returncode == 0, r.stderr
    check_png(str(tmp_path / "m.png"))
    assert "taskset -c 0" in check_svg(str(tmp_path / "m.svg"))


def test_absent_sweeps_and_c2c_say_so(tmp_path):
    for script, words in (("chart_sweeps.py", "no swept probes"), ("chart_c2c.py", "no shm.c2c")):
        r = run(script, REAL, "-o", str(tmp_path / "a.svg"))
        assert r.returncode == 0, r.stderr
        assert words in check_svg(str(tmp_path / "a.svg"))


def test_synthetic_shapes_are_found():
    import chart_c2c
    import chart_sweeps
    doc = load(SYNTH)
    sweeps = chart_sweeps.find_sweeps(doc)
    stems = {key[0] for key in sweeps}
    assert stems == {"process.fork_rss", "ctxswitch.workingset", "ctxswitch.ring"}
    cpus, vals, rels = chart_c2c.extract(doc)
    assert cpus == [0, 1, 2, 3]
    assert vals[0][0] is None and vals[0][1] == vals[1][0]
    assert rels[0][1] == "smt-sibling"
    assert chart_sweeps.find_sweeps(load(REAL)) == {}
    assert chart_c2c.extract(load(REAL)) is None


@pytest.mark.parametrize("script", CHARTS + ["report.py"])
def test_bad_input_names_the_file_and_writes_nothing(tmp_path, script):
    for bad in ("not_json.json", "bad_schema.json", "missing.json"):
        out = tmp_path / "out.png"
        r = run(script, os.path.join(FIX, bad), "-o", str(out))
        assert r.returncode != 0
        assert bad in r.stderr, r.stderr
        assert not out.exists()


class _Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("fixture", [REAL, SYNTH])
def test_report_is_self_contained_and_complete(tmp_path, fixture):
    out = tmp_path / "report.html"
    r = run("report.py", fixture, "-o", str(out), "--compare", REAL_B)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    p = _Collect()
    p.feed(text)
    tags = [t for t, _ in p.tags]
    assert tags.count("svg") >= 4
    assert "table" in tags
    for tag, attrs in p.tags:  # nothing loaded from elsewhere
        assert tag not in ("link", "script", "img", "iframe"), tag
        assert not any(str(v).startswith(("http:", "https:", "//")) for k, v in attrs.items() if k in ("src", "href"))
    for rid in (x["id"] for x in load(fixture)["results"]):
        assert rid in text, rid
    machine = load(fixture)["machine"]
    assert machine["cpu_model"] in text
    for r_ in load(fixture)["results"]:
        for w in r_.get("warnings", []):
            assert w["kind"] in text


def export(tmp_path, fmt, fixture=REAL):
    out = tmp_path / f"export.{fmt}"
    r = run("export.py", fixture, "--format", fmt, "-o", str(out))
    return r, out


def test_export_github_action_benchmark(tmp_path):
    r, out = export(tmp_path, "gab")
    assert r.returncode == 0, r.stderr
    rows = json.loads(out.read_text())
    assert isinstance(rows, list)
    assert [x["name"] for x in rows] == ok_ids(REAL)
    for x in rows:
        assert set(x) <= {"name", "unit", "value", "range", "extra"}
        assert isinstance(x["name"], str) and x["unit"] == "ns"
        assert isinstance(x["value"], (int, float)) and x["value"] > 0
        assert isinstance(x["range"], str) and isinstance(x["extra"], str)
        assert "p99" in x["extra"]


def test_export_bencher_metric_format(tmp_path):
    r, out = export(tmp_path, "bencher")
    assert r.returncode == 0, r.stderr
    bmf = json.loads(out.read_text())
    assert sorted(bmf) == sorted(ok_ids(REAL))
    for name, measures in bmf.items():
        assert set(measures) == {"latency"}
        m = measures["latency"]
        assert m["lower_value"] <= m["value"] <= m["upper_value"], name


def test_export_long_csv(tmp_path):
    r, out = export(tmp_path, "csv")
    assert r.returncode == 0, r.stderr
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["machine", "probe", "id", "placement", "repetition", "value_ns"]
    expected = sum(len(x.get("repetitions", [])) for x in load(REAL)["results"] if x["status"] == "ok")
    assert len(rows) == expected
    assert all(float(x["value_ns"]) > 0 for x in rows)
    assert {x["id"] for x in rows} == set(ok_ids(REAL))


def test_export_c2c_matrix_csv(tmp_path):
    r, out = export(tmp_path, "c2c-csv", SYNTH)
    assert r.returncode == 0, r.stderr
    with open(out) as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["cpu", "0", "1", "2", "3"]
    assert len(rows) == 5 and all(len(x) == 5 for x in rows)
    for i in range(1, 5):
        assert rows[i][i] == ""  # the diagonal is not measured
        for j in range(1, 5):
            if i != j:
                assert float(rows[i][j]) > 0
    # A file without a c2c matrix: an error naming the file, nothing written.
    (tmp_path / "none").mkdir()
    r, out = export(tmp_path / "none", "c2c-csv", REAL)
    assert r.returncode != 0 and "kvm2_a.json" in r.stderr
    assert not out.exists()


def test_explain_chart_and_report_section(tmp_path):
    """A real --explain --quick file: one bar per explained record, and the report's section lists them."""
    doc = load(EXPLAIN)
    explained = [r["id"] for r in doc["results"] if r["status"] == "ok" and (r.get("explain") or {}).get("phases")]
    assert explained, "the fixture must hold explained records"
    sys.path.insert(0, SCRIPTS)
    import chart_explain
    import ctxpanels
    import ctxresults
    fig = chart_explain.draw(ctxresults.load(EXPLAIN))
    drawn = ctxpanels.manifest(fig)[0]["ids"]
    assert drawn == explained
    for r in doc["results"]:
        if r["id"] in explained:
            assert abs(sum(p["share"] for p in r["explain"]["phases"]) - 1.0) < 0.02, r["id"]
    out = tmp_path / "report.html"
    rr = run("report.py", EXPLAIN, "-o", str(out))
    assert rr.returncode == 0, rr.stderr
    text = out.read_text()
    assert "Where the time went (--explain)" in text
    for rid in explained:
        assert f"<code>{rid}</code>" in text, rid
    # A file without explain records has no such section.
    rr = run("report.py", REAL, "-o", str(tmp_path / "plain.html"))
    assert rr.returncode == 0, rr.stderr
    assert "Where the time went" not in (tmp_path / "plain.html").read_text()


def test_a_schema_1_file_is_refused_with_how_to_get_a_schema_2_file(tmp_path):
    """Schema 2 (docs/contracts.md): the scripts read fields, never a v1 file's sentences; a v1 file is refused."""
    doc = load(REAL)
    doc["ctxbench"]["schema_version"] = 1
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    for script in ("report.py", "chart_overview.py"):
        r = run(script, str(old), "-o", str(tmp_path / "out.html"))
        assert r.returncode != 0
        assert str(old) in r.stderr and "schema version 1" in r.stderr and "ctxbench --json" in r.stderr, r.stderr
        assert not (tmp_path / "out.html").exists()


def test_scripts_read_measure_warnings_options_and_placement_as_fields():
    """Renaming a probe or rewording a warning changes nothing a script reads."""
    sys.path.insert(0, SCRIPTS)
    import ctxresults as cr
    import report
    doc = cr.load(SYNTH)
    rec = next(r for r in doc["results"] if r["status"] == "ok" and r["measure"] == "round_trip")
    renamed = dict(rec, probe="something.else.one_way", id="something.else.one_way/same-cpu")
    assert cr.measure(renamed) == "round_trip"  # the field, not the name
    w = {"kind": "denominator", "text": "any words at all", "figure": 1.2}
    by = {"same-cpu": dict(rec, warnings=[w])}
    chips = report.warning_chips(by, ["same-cpu"])
    assert "<b>denominator</b>" in chips and "1.20 switches/op" in chips
    assert cr.placement({"placement": {"kind": "cross-cpu", "cpus": [0, 1]}}) == ("cross-cpu", (0, 1))
    assert str(cr.placement({"placement": {"kind": "cross-cpu", "cpus": [0, 1]}})) == "cross-cpu (cpus 0,1)"
    assert cr.options(cr.load(REAL))["suite"] == "default"
    assert cr.ordered_families([{"family": "db"}, {"family": "server"}, {"family": "zzz"}]) == ["server", "db", "zzz"]
