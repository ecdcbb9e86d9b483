"""scripts/rerun_coverage.py on literal files: the coverage and movement figures follow from the numbers."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "rerun_coverage.py")


def record(rid, p50, interval=None, status="ok"):
    r = {"id": rid, "status": status, "statistics": {"p50": p50}}
    if interval:
        r["rerun_ratio_95"] = interval
    return r


def write(tmp_path, name, records):
    path = tmp_path / name
    path.write_text(json.dumps({"ctxbench": {"schema_version": 2}, "results": records}))
    return str(path)


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, timeout=60)


def test_coverage_counts_each_later_run_against_run_one(tmp_path):
    run1 = write(tmp_path, "r1.json", [record("a", 100, [0.9, 1.1]), record("b", 200, [0.95, 1.05]),
                                       record("c", 50, [0.5, 2.0]), record("skipped", 1, status="skipped")])
    # run 2: a 1.05 (inside), b 1.10 (outside), c 1.5 (inside); run 3: a 0.8 (outside), b 1.0, c 0.6
    run2 = write(tmp_path, "r2.json", [record("a", 105), record("b", 220), record("c", 75)])
    run3 = write(tmp_path, "r3.json", [record("a", 80), record("b", 200), record("c", 30)])
    out = run(run1, run2, run3, "--misses")
    assert out.returncode == 0, out.stderr
    assert "record pairs (run 1 vs run k): 6" in out.stdout
    assert "inside run 1's rerun_ratio_95: 4 of 6 (66.7%)" in out.stdout
    # half-widths: a 10.6% (ln(1.1/0.9)/2), b 5.1%, c 100% -> the median of the six pairs is 10.6%
    assert "median half-width 10.6%" in out.stdout
    # moves: 5%, 10%, 50%, 25%, 0%, 67%: three over 10% (10% itself is not over)
    assert "moved more than 10%: 3 of 6" in out.stdout
    assert "miss: a run 3: ratio 0.800 outside [0.900, 1.100]" in out.stdout
    assert "miss: b run 2: ratio 1.100 outside [0.950, 1.050]" in out.stdout


def test_files_without_intervals_get_movement_only(tmp_path):
    run1 = write(tmp_path, "r1.json", [record("a", 100)])
    run2 = write(tmp_path, "r2.json", [record("a", 130)])
    out = run(run1, run2)
    assert out.returncode == 0, out.stderr
    assert "moved more than 10%: 1 of 1" in out.stdout
    assert "coverage not judged" in out.stdout


def test_bad_input_is_exit_two_naming_the_file(tmp_path):
    good = write(tmp_path, "good.json", [record("a", 100)])
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    out = run(good, str(bad))
    assert out.returncode == 2
    assert "bad.json" in out.stderr
    other = write(tmp_path, "other.json", [record("z", 1)])
    out = run(good, other)
    assert out.returncode == 2
    assert "no ok record in common" in out.stderr
    assert run(good).returncode == 2
