"""The fleet page (scripts/history_report.py) of a hand-made history document
(tests/fixtures/history/fleet_document.json, written by make_fleet_document.py beside it: three machines, a
step with a change point, a machine without some records), checked against the document's own figures: each
matrix ratio is that machine's latest p50 over the reference's, a record a machine lacks is "—", every change
point is listed and marked on its trend panel; and in headless Chromium: no console errors, no sideways
scrolling at 1400 px, no chart taller than a screen, also for a fleet of many machines and records.
"""
import copy
import html.parser
import json
import math
import os
import subprocess
import sys

import pytest


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "tests", "fixtures", "history", "fleet_document.json")
SCRIPT = os.path.join(ROOT, "scripts", "history_report.py")
WIDTH = 1400  # CSS px: the width of conftest.py's chromium
SCREEN = 1000  # CSS px: no chart may be taller than this at 1400 px wide


def fixture():
    with open(DOC, encoding="utf-8") as f:
        return json.load(f)


def render(out, *args, doc_path=DOC):
    return subprocess.run([sys.executable, SCRIPT, str(doc_path), "-o", str(out), *args], capture_output=True,
                          text=True, timeout=600)


class Page(html.parser.HTMLParser):
    """The cells and rows of the page that carry data-* attributes, with their text; the figures' data-axes."""

    def __init__(self, text):
        super().__init__()
        self.cells, self.changes, self.axes, self.means = [], [], [], []
        self._open, self._family = [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure" and "data-axes" in a:
            self.axes += json.loads(a["data-axes"])
        if tag == "table":
            self._family = a.get("data-family")
        if tag == "td" and "data-geomean" in a:
            self.means.append((self._family, a["data-machine"], float(a["data-geomean"])))
        if tag in ("td", "tr") and "data-record" in a:
            item = dict(a, text="")
            (self.cells if tag == "td" else self.changes).append(item)
            self._open.append((tag, item))
        elif tag in ("td", "tr"):
            self._open.append((tag, None))

    def handle_endtag(self, tag):
        if tag in ("td", "tr") and self._open:
            self._open.pop()

    def handle_data(self, data):
        for _, item in self._open:
            if item is not None:
                item["text"] += data


def expected_matrix(doc, ref):
    """{(machine, record): ratio or None (reference or not comparable) or "missing"} from the document alone."""
    latest = {(s["machine"], s["record_id"]): s["latest_ns"] for s in doc["series"]}
    records = {s["record_id"] for s in doc["series"]}
    out = {}
    for m in doc["machines"]:
        for rid in records:
            fp = m["fingerprint"]
            if (fp, rid) not in latest:
                out[(fp, rid)] = "missing"
            elif fp == ref or (ref, rid) not in latest:
                out[(fp, rid)] = None
            else:
                out[(fp, rid)] = latest[(fp, rid)] / latest[(ref, rid)]
    return out


def check_matrix(page, doc, ref):
    exp = expected_matrix(doc, ref)
    got = {(c["data-machine"], c["data-record"]): c for c in page.cells}
    assert set(got) == set(exp), set(got) ^ set(exp)
    for key, r in exp.items():
        c = got[key]
        if r == "missing":
            assert c["text"].strip() == "—" and c["class"] == "missing", (key, c)
        elif r is None:
            assert "data-ratio" not in c, (key, c)
        else:
            assert float(c["data-ratio"]) == pytest.approx(r, rel=1e-9), key
            assert f"×{r:.2f}" in c["text"], (key, c["text"])
            red, blue = int(c["style"][-6:-4], 16), int(c["style"][-2:], 16)
            assert (red > blue) == (r > 1), (key, r, c["style"])  # red slower, blue faster


def most_runs(doc):
    n = {m["fingerprint"]: sum(r["machine"] == m["fingerprint"] for r in doc["runs"]) for m in doc["machines"]}
    return max(n, key=n.get)


@pytest.fixture(scope="module")
def default_page(tmp_path_factory):
    out = tmp_path_factory.mktemp("fleet") / "fleet.html"
    r = render(out)
    assert r.returncode == 0, r.stderr
    return out


def test_matrix_is_each_machines_latest_over_the_reference(default_page):
    doc = fixture()
    exp = expected_matrix(doc, most_runs(doc))
    assert "missing" in exp.values() and any(isinstance(v, float) and v > 1 for v in exp.values()) \
        and any(isinstance(v, float) and v < 1 for v in exp.values()), "the fixture lost what this test checks"
    check_matrix(Page(default_page.read_text()), doc, most_runs(doc))


def test_each_family_ends_with_the_geometric_mean_of_its_ratios(default_page):
    """The fixture's series carry no family (the document does not give one): the probe name's first part."""
    doc = fixture()
    ratios = {}
    for (fp, rid), r in expected_matrix(doc, most_runs(doc)).items():
        if isinstance(r, float):
            ratios.setdefault((rid.split(".")[0], fp), []).append(math.log(r))
    want = {k: math.exp(sum(v) / len(v)) for k, v in ratios.items()}
    got = {(f, fp): g for f, fp, g in Page(default_page.read_text()).means}
    assert set(got) == set(want) and len(want) >= 5
    for k, g in want.items():
        assert got[k] == pytest.approx(g, rel=1e-9), k


def test_reference_option_changes_the_base(tmp_path):
    doc = fixture()
    laptop = next(r["machine"] for r in doc["runs"] if r["hostname"] == "laptop")
    out = tmp_path / "fleet.html"
    r = render(out, "--reference", "laptop")
    assert r.returncode == 0, r.stderr
    page = Page(out.read_text())
    check_matrix(page, doc, laptop)
    lacking = {s["record_id"] for s in doc["series"]} - \
        {s["record_id"] for s in doc["series"] if s["machine"] == laptop}
    assert lacking and all("data-ratio" not in c for c in page.cells if c["data-record"] in lacking)


def test_every_change_point_is_listed_and_marked(default_page):
    doc = fixture()
    text = default_page.read_text()
    page = Page(text)
    want = sorted((s["machine"], s["record_id"], str(c["point"]), c["fired"])
                  for s in doc["series"] for c in s["change_points"])
    assert len(want) >= 2 and {w[3] for w in want} >= {"both", "run_corrected"}
    assert sorted((c["data-machine"], c["data-record"], c["data-point"], c["data-fired"]) for c in page.changes) == want
    for s in doc["series"]:
        for c in s["change_points"]:
            row = next(x for x in page.changes
                       if x["data-record"] == s["record_id"] and x["data-machine"] == s["machine"])
            assert f"×{c['ratio']:.3f}" in row["text"] and c["git_revision"] in row["text"]
            assert row["data-with-machine"] == ("yes" if c.get("coincides_with_machine_change") else "no")
            ax = next(a for a in page.axes if a["title"] == s["record_id"])
            assert {"machine": s["machine"], "point": c["point"], "fired": c["fired"]} in ax["change_points"]
    marked = sum(len(a["change_points"]) for a in page.axes)
    assert marked == len(want)
    assert f"<b>{len(want)}</b><span>change points" in text


def test_header_counts_and_options(default_page):
    doc = fixture()
    text = default_page.read_text()
    for n, what in ((len(doc["machines"]), "machines"), (len(doc["runs"]), "runs"), (len(doc["series"]), "series")):
        assert f"<b>{n}</b><span>{what}" in text
    assert "taken from the probe name" in text  # the fixture's series carry no family, as the document gives none
    cp = doc["ctxbench_history"]["change_points"]
    assert ", ".join(f"{k} {v}" for k, v in cp.items()) in text
    for r in doc["runs"]:  # each machine named by its label or hostname and its fingerprint's start
        name = r["label"] or r["hostname"]
        assert f"{name} · {r['machine'][:8]}" in text


def test_trend_panels_draw_each_series_and_cap_per_family(tmp_path, default_page):
    doc = fixture()
    axes = Page(default_page.read_text()).axes
    assert sorted(a["title"] for a in axes) == sorted({s["record_id"] for s in doc["series"]})
    for a in axes:
        for s in doc["series"]:
            if s["record_id"] == a["title"]:
                assert a["points"][s["machine"]] == len(s["points"]["run"])
    out = tmp_path / "capped.html"
    r = render(out, "--family", "ctxswitch", "--max-panels", "2")
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    page = Page(text)
    fam = sorted({s["record_id"] for s in doc["series"] if s["probe"].startswith("ctxswitch.")})
    drawn = [a["title"] for a in page.axes]
    assert len(fam) == 3 and len(drawn) == 2
    assert "ctxswitch.pipe.process/cross-cpu" in drawn  # the record with a change point is kept
    (left,) = set(fam) - set(drawn)
    assert "1 more ctxswitch records not drawn" in text and f"<code>{left}</code>" in text
    assert {c["data-record"] for c in page.cells} == set(fam)


@pytest.mark.parametrize("case", ["not_json", "version", "run_index", "unknown_family", "unknown_reference"])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, case):
    doc = fixture()
    path = tmp_path / "doc.json"
    args = []
    if case == "not_json":
        path.write_text('{"ctxbench_history": ')
    else:
        if case == "version":
            doc["ctxbench_history"]["document_version"] = 99
        if case == "run_index":
            doc["series"][0]["points"]["run"][0] = len(doc["runs"])
        path.write_text(json.dumps(doc))
        args = {"unknown_family": ["--family", "nosuch"], "unknown_reference": ["--reference", "nosuch"]}.get(case, [])
    out = tmp_path / "fleet.html"
    r = render(out, *args, doc_path=path)
    assert r.returncode == 2, (r.returncode, r.stderr)
    named = {"unknown_family": "--family nosuch", "unknown_reference": "--reference nosuch"}.get(case, str(path))
    assert named in r.stderr, r.stderr
    assert not out.exists() and not os.path.exists(str(out) + ".tmp")


def big_fleet(tmp_path):
    """Eight machines (copies of the three under new fingerprints) and 30 records per family (copies under new
    ids): the page must still fit 1400 px and a screen per chart."""
    doc = fixture()
    base_machines, base_runs, base_series = doc["machines"], doc["runs"], doc["series"]
    for k in range(1, 3):
        for m in base_machines[:3 if k == 1 else 2]:
            fp = f"{k}{m['fingerprint'][1:]}"
            doc["machines"].append(dict(copy.deepcopy(m), fingerprint=fp))
            index = {}
            for i, r in enumerate(base_runs):
                if r["machine"] == m["fingerprint"]:
                    index[i] = len(doc["runs"])
                    doc["runs"].append(dict(r, machine=fp, run_id=f"{k}{r['run_id'][1:]}", label=f"copy{k}"))
            for s in [s for s in base_series if s["machine"] == m["fingerprint"]]:
                c = copy.deepcopy(s)
                c["machine"] = fp
                c["points"]["run"] = [index[r] for r in c["points"]["run"]]
                doc["series"].append(c)
    extra = []
    for s in doc["series"]:
        for j in range(1, 10):
            extra.append(dict(copy.deepcopy(s), record_id=f"{s['record_id']}/copy:{j}", change_points=[]))
    doc["series"] += extra
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc))
    return path


def look(chromium, path):
    chromium.console()  # drop what an earlier page logged
    chromium.open(str(path))
    page = chromium.js("""
        const figs = [...document.querySelectorAll('figure.chart')].map(f => {
            const box = f.querySelector('svg').getBoundingClientRect();
            return {caption: f.querySelector('figcaption').textContent, width: box.width, height: box.height};
        });
        return {figs: figs, scrollWidth: document.documentElement.scrollWidth,
                missing: [...document.querySelectorAll('td.missing')].map(td => td.innerText),
                text: document.body.innerText};""")
    page["errors"] = [e for e in chromium.console() if e.get("level") in ("SEVERE", "ERROR")]
    return page


def check_page(page):
    assert page["errors"] == [], page["errors"]
    assert page["scrollWidth"] <= WIDTH, "the page scrolls sideways"
    assert page["figs"]
    for f in page["figs"]:
        assert 40 < f["height"] <= SCREEN, (f["caption"], f["height"])
        assert 0 < f["width"] <= WIDTH, (f["caption"], f["width"])


def test_fleet_page_reads_well_in_chromium(tmp_path, chromium, default_page):
    page = look(chromium, default_page)
    check_page(page)
    doc = fixture()
    n_missing = sum(v == "missing" for v in expected_matrix(doc, most_runs(doc)).values())
    assert page["missing"] == ["—"] * n_missing and n_missing > 0
    assert "Machines side by side" in page["text"] and "Change points" in page["text"]
    out = tmp_path / "big.html"
    r = render(out, doc_path=big_fleet(tmp_path))
    assert r.returncode == 0, r.stderr
    big = look(chromium, out)
    check_page(big)
    assert len(big["figs"]) >= 6 and "more ctxswitch records not drawn" in big["text"]


def test_the_checks_catch_what_they_look_for(tmp_path, chromium, default_page):
    """A wrong ratio, a missing "—" and a wrong colour fail check_matrix; a console error, a wide page and a tall
    chart fail check_page."""
    doc = fixture()
    ref = most_runs(doc)
    good = default_page.read_text()
    some = next(c for c in Page(good).cells if "data-ratio" in c)
    wrong = float(some["data-ratio"]) * 1.1
    bad_ratio = good.replace(f"data-ratio='{some['data-ratio']}'", f"data-ratio='{wrong!r}'", 1)
    bad_missing = good.replace(">—</td>", "></td>", 1)
    bad_colour = good.replace(f"style='{some['style']}'", "style='background:#8fbbd9'" if
                              float(some["data-ratio"]) > 1 else "style='background:#e77c7c'", 1)
    for text in (bad_ratio, bad_missing, bad_colour):
        assert text != good
        with pytest.raises(AssertionError):
            check_matrix(Page(text), doc, ref)
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><title>x</title><figure class=chart><figcaption>tall</figcaption>"
                   "<svg width=2000 height=1600></svg></figure><script>console.error('ctxbench-check')</script>")
    page = look(chromium, bad)
    assert any("ctxbench-check" in e.get("message", "") for e in page["errors"])
    for drop in ("errors", "wide", "tall"):
        p = copy.deepcopy(page)
        if drop != "errors":
            p["errors"] = []
        if drop == "tall":
            p["scrollWidth"] = WIDTH
        with pytest.raises(AssertionError):
            check_page(p)


def ctxbench_with_history():
    """build/ctxbench when it has the history command (./test.sh builds it before pytest), else None."""
    exe = os.path.join(ROOT, "build", "ctxbench")
    if not os.access(exe, os.X_OK):
        return None
    r = subprocess.run([exe, "history", "--help"], capture_output=True, text=True, timeout=60)
    return exe if r.returncode == 0 else None


def test_a_real_store_through_ctxbench_history(tmp_path, chromium):
    """Result files of two machine configurations added to a store, exported by ctxbench itself (--store): the
    matrix holds every series of the export, the page reads well."""
    exe = ctxbench_with_history()
    if exe is None:
        pytest.skip("build/ctxbench without `history` (build it first)")
    res = os.path.join(ROOT, "tests", "fixtures", "results")
    store = tmp_path / "store.sqlite"
    files = [os.path.join(res, f) for f in ("kvm2_a.json", "kvm2_b.json", "aa_run1.json", "aa_run2.json",
                                            "default_suite.json")]
    r = subprocess.run([exe, "history", "add", "--store", str(store)] + files, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([exe, "history", "export", "--json", "--store", str(store)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert len(doc["machines"]) >= 2 and len(doc["runs"]) == len(files)
    out = tmp_path / "fleet.html"
    r = subprocess.run([sys.executable, SCRIPT, "--store", str(store), "--ctxbench", exe, "-o", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    page = Page(out.read_text())
    want = {(s["machine"], s["record_id"]) for s in doc["series"]}
    got = {(c["data-machine"], c["data-record"]) for c in page.cells if c.get("class") != "missing"}
    assert got == want
    check_page(look(chromium, out))


def test_a_family_field_wins_over_the_probe_name(tmp_path):
    """When the document gives each series its family, the page groups by it and says nothing of probe names."""
    doc = fixture()
    for s in doc["series"]:
        s["family"] = "pipes" if s["probe"].startswith("ctxswitch.pipe.") else s["probe"].split(".")[0]
    path = tmp_path / "with_family.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "fleet.html"
    r = render(out, "--family", "pipes", doc_path=path)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    page = Page(text)
    assert {f for f, _, _ in page.means} == {"pipes"}
    assert {c["data-record"] for c in page.cells} == {s["record_id"] for s in doc["series"] if s["family"] == "pipes"}
    assert "taken from the probe name" not in text


def test_a_change_point_with_a_machine_move_says_so(tmp_path):
    doc = fixture()
    marked = next(s for s in doc["series"] if s["change_points"])
    marked["change_points"][0]["coincides_with_machine_change"] = True
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "page.html"
    assert render(out, doc_path=path).returncode == 0
    rows = Page(out.read_text()).changes
    yes = [r for r in rows if r["data-with-machine"] == "yes"]
    assert [(r["data-record"], r["data-point"]) for r in yes] == \
        [(marked["record_id"], str(marked["change_points"][0]["point"]))]
    assert "yes, within 1 run" in yes[0]["text"]
