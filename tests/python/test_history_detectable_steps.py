"""results/history/detectable_steps.py: the share of a set's series an ideal test could find a step in."""
import json
import math
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "results", "history", "detectable_steps.py")


def series(record_id, sd, points=21):
    # Points whose ln spreads by exactly `sd` (alternating +-sd around 1000 ns, a sample sd of ~sd).
    values = [1000.0 * math.exp(sd if k % 2 else -sd) for k in range(points)]
    return {"record_id": record_id, "points": {"p50_ns": values, "corrected_ns": values}}


def found(line):
    return int(re.search(r"found by the ideal test +(\d+)%", line).group(1))


def run_file(path, ids, interval):
    doc = {"results": [{"id": i, "status": "ok", "rerun_ratio_95": [1 - interval, 1 + interval]} for i in ids]}
    path.write_text(json.dumps(doc))
    return str(path)


def test_a_quiet_series_is_found_a_noisy_one_is_not_and_wide_records_are_not_counted(tmp_path):
    show = tmp_path / "show.json"
    show.write_text(json.dumps({"series": [series("quiet", 0.01), series("noisy", 0.12), series("wide", 0.01)]}))
    runs = [run_file(tmp_path / f"r{k}.json", ["quiet", "noisy"], 0.2) for k in range(3)]
    runs.append(run_file(tmp_path / "r9.json", ["wide"], 0.5))
    out = subprocess.run(["/usr/bin/python3", SCRIPT, "--show", str(show)] + runs, capture_output=True, text=True,
                         check=True).stdout
    lines = {line.split()[0]: line for line in out.splitlines() if line and not line[0].isdigit()}
    assert found(lines["quiet"]) == 100, out
    assert found(lines["noisy"]) < 10, out  # t 1.8 against the 3.88 p <= 0.001 needs
    assert "wide" not in lines, out
    summary = out.splitlines()[-1]
    assert summary.startswith("2 series within +-30%"), out
    assert "1 have a spread under" in summary, out


def test_no_series_within_the_limit_is_said(tmp_path):
    show = tmp_path / "show.json"
    show.write_text(json.dumps({"series": [series("wide", 0.01)]}))
    r = subprocess.run(["/usr/bin/python3", SCRIPT, "--show", str(show), run_file(tmp_path / "r.json", ["wide"], 0.5)],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert "no series within +-30%" in r.stderr
