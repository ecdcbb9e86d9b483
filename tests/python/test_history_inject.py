"""scripts/history_inject.py and the trial groups of scripts/history_detection.py on the fixture run files:
the step lands on exactly the records asked for, from the run asked for, and nowhere else."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "scripts")
RUNS = [os.path.join(ROOT, "tests", "fixtures", "results", name) for name in ("kvm2_a.json", "kvm2_b.json")]
sys.path.insert(0, SCRIPTS)
import history_detection  # noqa: E402


def p50s(path):
    with open(path) as f:
        return {r["id"]: r["statistics"]["p50"] for r in json.load(f)["results"] if r["status"] == "ok"}


def copy_runs(tmp_path):
    """The two fixture runs under distinct names, in run order, each record given a single-run interval:
    +-10%, or +-60% for the unpinned ones (these fixtures predate rerun_ratio_95)."""
    paths = []
    for n, src in enumerate(RUNS, start=1):
        with open(src) as f:
            doc = json.load(f)
        for r in doc["results"]:
            r["rerun_ratio_95"] = [0.4, 1.6] if r["id"].endswith("/unpinned") else [0.9, 1.1]
        dst = tmp_path / f"run-{n}.json"
        dst.write_text(json.dumps(doc))
        paths.append(str(dst))
    return paths


def test_ids_step_exactly_those_records_from_the_run_given(tmp_path):
    runs = copy_runs(tmp_path)
    chosen = sorted(p50s(runs[1]))[:2]
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, os.path.join(SCRIPTS, "history_inject.py"), "--step", "0.25",
                        "--from-run", "2", "--ids", ",".join(chosen), "--out", str(out)] + runs,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    with open(out / "manifest.json") as f:
        assert json.load(f)["stepped_ids"] == chosen
    assert p50s(out / "run-1.json") == p50s(runs[0])  # before the step: as measured
    before, after = p50s(runs[1]), p50s(out / "run-2.json")
    for rid, value in before.items():
        assert after[rid] == (value * 1.25 if rid in chosen else value), rid


def test_ids_naming_an_unknown_record_is_refused_and_writes_nothing(tmp_path):
    runs = copy_runs(tmp_path)
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, os.path.join(SCRIPTS, "history_inject.py"), "--step", "0.1",
                        "--from-run", "1", "--ids", "no.such/record", "--out", str(out)] + runs,
                       capture_output=True, text=True)
    assert p.returncode != 0 and "no.such/record" in p.stderr
    assert not out.exists()


def test_trial_groups_each_is_one_measured_record_and_mechanism_groups_by_probe(tmp_path):
    runs = copy_runs(tmp_path)
    counted = history_detection.quiet_ids(runs)
    records = {r["id"]: r for path in runs for r in history_detection.ok_records(path)}
    each = history_detection.trial_groups(runs, "each")
    assert each and all(len(g) == 1 for g in each)
    assert {g[0] for g in each} == {i for i in counted if not records[i].get("derived")}
    assert not any(g[0].endswith("/unpinned") for g in each)  # outside +-30%: not a trial of its own
    by_mechanism = history_detection.trial_groups(runs, "mechanism")
    flat = [i for g in by_mechanism for i in g]
    assert len(flat) == len(set(flat))  # each record in one group
    for g in by_mechanism:
        assert len({history_detection.mechanism(records[i]) for i in g}) == 1
    pipe = [g for g in by_mechanism if history_detection.mechanism(records[g[0]]) == "ctxswitch.pipe"]
    assert pipe and any(records[i].get("derived") for i in pipe[0])  # derived records move with their base
