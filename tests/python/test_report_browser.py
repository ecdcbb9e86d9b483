"""The report of a default-suite and a full-suite run (tests/fixtures/results/default_suite.json and
full_suite.json, real runs made small by make_fixtures.py --lean), checked for what a reader would notice:
in headless Chromium, every chart is shorter than a screen and the page has no console errors and no
sideways scrolling; from the data each chart drew (the data-axes manifest beside every figure, and
ctxpanels.manifest of the chart scripts), no axis mixes units or compares one-way with round-trip times.
"""
import json
import os
import subprocess
import sys

import pytest

import chart_ipc_vs_shm
import chart_overview
import chart_sweeps
import ctxresults as cr
import ctxpanels as cp  # noqa: E402
import report

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "fixtures", "results")
DEFAULT = os.path.join(FIX, "default_suite.json")
FULL = os.path.join(FIX, "full_suite.json")
WIDTH = 1400
SCREEN = 1000  # CSS px: no chart may be taller than this at 1400 px wide


def records(path):
    return {r["id"]: r for r in cr.load(path)["results"]}


def check_axes(axes, recs):
    """One measure and one unit per axis, each drawn record of that measure; ratios only within one measure."""
    assert axes, "a chart without a manifest"
    for ax in axes:
        drawn = [recs[i] for i in ax["ids"]]
        if ax.get("field"):  # the axis drew one field of each record (server: metrics.requests_per_second)
            group, key = ax["field"].split(".")
            assert all(key in r.get(group, {}) for r in drawn), ax["title"]
            continue
        assert {cr.measure(r) for r in drawn} == {ax["measure"]}, (ax["title"], {cr.measure(r) for r in drawn})
        if ax["unit"] == "ns":
            assert all(cr.unit(r) == "ns" and cr.measure(r) != "bandwidth" for r in drawn), ax["title"]
        for a, b in ax.get("ratios", []):
            assert cr.measure(recs[a]) == cr.measure(recs[b]), (ax["title"], a, b)
            assert cr.p50(recs[a]) / cr.p50(recs[b]) > 0


@pytest.mark.parametrize("fixture", [DEFAULT, FULL])
def test_report_reads_well_in_chromium(tmp_path, chromium, fixture):
    out = tmp_path / "report.html"
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "report.py"), fixture, "-o", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    chromium.console()  # drop what an earlier page logged
    chromium.open(str(out))
    page = chromium.js("""
        const figs = [...document.querySelectorAll('figure.chart')].map(f => {
            const svg = f.querySelector('svg');
            const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
            return {caption: f.querySelector('figcaption').textContent, width: box.width, height: box.height,
                    axes: f.dataset.axes};
        });
        return {figs: figs, scrollWidth: document.documentElement.scrollWidth,
                h1: document.querySelector('h1').textContent,
                sections: [...document.querySelectorAll('h2[id^="f-"]')].map(h => h.id.slice(2)),
                text: document.body.innerText};""")
    errors = [e for e in chromium.console() if e.get("level") in ("SEVERE", "ERROR")]
    assert errors == [], errors
    recs = records(fixture)
    doc = cr.load(fixture)
    m = doc["machine"]
    assert m["cpu_model"] in page["h1"] and m["kernel_release"] in page["h1"]
    assert cr.virtualization(m) in page["h1"] and "CPUs used" in page["h1"]
    assert "A context switch on this machine" in page["text"]
    assert page["sections"] == cr.ordered_families(doc["results"])
    assert page["scrollWidth"] <= WIDTH, "the page scrolls sideways"
    assert len(page["figs"]) >= 3
    for f in page["figs"]:
        assert 40 < f["height"] <= SCREEN, (f["caption"], f["height"])
        assert 0 < f["width"] <= WIDTH, (f["caption"], f["width"])
        check_axes(json.loads(f["axes"]), recs)
    assert " 0x" not in page["text"] and "= 0×" not in page["text"]


@pytest.mark.parametrize("fixture", [DEFAULT, FULL])
def test_chart_scripts_never_mix_units(fixture):
    doc = cr.load(fixture)
    recs = records(fixture)
    figs = [chart_overview.draw(doc), chart_ipc_vs_shm.draw(doc)] + (chart_sweeps.draw(doc, max_height=9) or [])
    for fig in figs:
        if fig is not None:
            check_axes(cp.manifest(fig), recs)
    one_way = [ax for ax in cp.manifest(chart_ipc_vs_shm.draw(doc)) if ax["measure"] == "one_way"]
    for ax in one_way:  # a one-way comparison has a one-way floor
        assert all(cr.measure(recs[i]) == "one_way" for i in ax["ids"])


def test_full_suite_sweeps_are_lines_and_bandwidth_has_its_own_axes():
    doc = cr.load(FULL)
    ps = cp.panels(cr.ok_records(doc))
    lines = [p for p in ps if p["type"] == "lines"]
    stems = {p["title"].split(",")[0] for p in lines}
    for stem in ("ipc.pipe", "ipc.pipe.one_way", "ctxswitch.ring", "ctxswitch.ws", "bw.pipe", "process.fork_rss",
                 "thread.create_join"):
        assert stem in stems, (stem, sorted(stems))
    swept = {r["id"] for by in cp.sweep_points(cr.ok_records(doc)).values() for pts in by.values() for _, r in pts}
    barred = {r["id"] for p in ps if p["type"] == "bars" for r in p["recs"]}
    assert swept and not swept & barred  # a record with a swept parameter is never a bar
    bw = [p for p in ps if any(cr.family(r) == "bw" for r in p["recs"])]
    assert bw and all(p["unit"] == "B/s" and {cr.unit(r) for r in p["recs"]} == {"B/s"} for p in bw)


def test_report_figures_fit_a_screen_without_a_browser():
    """The same bound from the figure sizes (inches at 96 CSS px), so it holds where Chromium is missing."""
    import matplotlib.pyplot as plt
    doc = cr.load(FULL)
    for fam in cr.ordered_families(doc["results"]):
        ok = [r for r in cr.ok_records(doc) if cr.family(r) == fam and cr.p50(r) is not None]
        for fig in cp.iter_panel_figures(plt, cp.panels(ok), max_height=report.MAX_FIG_IN):
            assert fig.get_size_inches()[1] * 96 <= SCREEN, fam
            plt.close(fig)


def test_creation_records_with_placements_group_by_probe_and_placement(tmp_path):
    """process.* and thread.* records may carry placements (ids like process.fork_exit/same-cpu): one bar
    each, one table cell each, nothing dropped or merged."""
    doc = cr.load(DEFAULT)
    extra = []
    for r in doc["results"]:
        if r["probe"] in ("process.fork_exit", "thread.create_join") and r["status"] == "ok":
            for k, f in (("same-cpu", 1.0), ("unpinned", 1.3)):
                x = json.loads(json.dumps(r))
                x["id"] = f"{r['probe']}/{k}"
                x["placement"] = {"kind": k, "cpus": [0] if k == "same-cpu" else []}
                x["statistics"]["p50"] = r["statistics"]["p50"] * f
                extra.append(x)
    doc["results"] = [r for r in doc["results"] if r["probe"] not in ("process.fork_exit", "thread.create_join")]
    doc["results"] += extra
    ps = cp.panels([r for r in cr.ok_records(doc) if cr.family(r) == "process"])
    bars = [p for p in ps if p["type"] == "bars"]
    row = dict(bars[0]["rows"])["process.fork_exit"]
    assert set(row) == {"same-cpu", "unpinned"}
    path = tmp_path / "placed.json"
    doc.pop("_path")
    path.write_text(json.dumps(doc))
    html = report.build(cr.load(str(path)), [])
    for x in extra:
        assert x["id"] in html


def test_the_checks_catch_what_they_look_for(tmp_path, chromium):
    """A mixed axis and a one-way/round-trip ratio fail check_axes; a console error is seen by the browser."""
    recs = records(FULL)
    bw = next(i for i, r in recs.items() if cr.measure(r) == "bandwidth" and r["status"] == "ok")
    rt = next(i for i, r in recs.items() if cr.base(r) == "ipc.pipe.process" and r["status"] == "ok")
    ow = next(i for i, r in recs.items() if cr.base(r) == "ipc.pipe.process.one_way" and r["status"] == "ok")
    for axes in ([{"title": "mixed", "measure": "round_trip", "unit": "ns", "ids": [rt, bw]}],
                 [{"title": "ratio", "measure": "round_trip", "unit": "ns", "ids": [rt], "ratios": [[ow, rt]]}]):
        with pytest.raises(AssertionError):
            check_axes(axes, recs)
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><title>x</title><script>console.error('ctxbench-check')</script>")
    chromium.console()
    chromium.open(str(page))
    assert any("ctxbench-check" in e.get("message", "") for e in chromium.console())
