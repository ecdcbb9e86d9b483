"""chart_pairs.py and the report's pairs figure: the scaling curve of ctxswitch.pairs records (their metrics)."""
import copy
import json
import os
import sys

from test_scripts import REAL, check_png, check_svg, load, run

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "scripts"))
import chart_pairs  # noqa: E402


def with_pairs(tmp_path):
    """The real fixture plus pairs records of both mechanisms and placements, N = 1, 2, 4, 8."""
    doc = load(REAL)
    template = next(r for r in doc["results"] if r["status"] == "ok" and r["probe"] == "ctxswitch.pipe.thread")
    for stem in ("ctxswitch.pairs", "ctxswitch.pairs.futex"):
        for kind in ("same-cpu", "unpinned"):
            for n in (1, 2, 4, 8):
                r = copy.deepcopy(template)
                r["probe"] = f"{stem}/pairs:{n}"
                r["id"] = f"{r['probe']}/{kind}"
                r["params"] = {"pairs": n}
                r["placement"] = {"kind": kind, "cpus": [0, 0] if kind == "same-cpu" else []}
                r["metrics"] = {"pairs": n, "handoffs_per_second": 2e5 * min(n, 2),
                                "cpu_idle_share": 0.5 if n == 1 else 0.0, "round_trip_ns_all_pairs": 8000.0 * n,
                                "switches_per_round_trip_all_pairs": 2.0}
                doc["results"].append(r)
    path = tmp_path / "pairs.json"
    path.write_text(json.dumps(doc))
    return str(path), doc


def test_series_are_the_records_metrics(tmp_path):
    _, doc = with_pairs(tmp_path)
    s = chart_pairs.series(doc)
    assert set(s) == {(stem, kind) for stem in ("ctxswitch.pairs", "ctxswitch.pairs.futex")
                      for kind in ("same-cpu", "unpinned")}
    assert s[("ctxswitch.pairs", "same-cpu")] == [(1, 2e5, 0.5), (2, 4e5, 0.0), (4, 4e5, 0.0), (8, 4e5, 0.0)]
    assert chart_pairs.series(load(REAL)) == {}


def test_chart_and_report_figure(tmp_path):
    path, _ = with_pairs(tmp_path)
    out = tmp_path / "pairs"
    r = run("chart_pairs.py", path, "-o", str(out))
    assert r.returncode == 0, r.stderr
    check_png(str(out) + ".png")
    check_svg(str(out) + ".svg")
    html = tmp_path / "report.html"
    r = run("report.py", path, "-o", str(html))
    assert r.returncode == 0, r.stderr
    assert "Many pairs at once" in html.read_text()
    r = run("report.py", REAL, "-o", str(tmp_path / "plain.html"))
    assert r.returncode == 0, r.stderr
    assert "Many pairs at once" not in (tmp_path / "plain.html").read_text()


def test_a_file_without_pairs_gets_a_placeholder(tmp_path):
    r = run("chart_pairs.py", REAL, "-o", str(tmp_path / "none.png"))
    assert r.returncode == 0, r.stderr
    check_png(str(tmp_path / "none.png"))
