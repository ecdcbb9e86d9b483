"""results/history/near_pairs.py: which runs had the two CPUs near each other, and what moved with them."""
import json
import math
import os
import statistics
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "results", "history", "near_pairs.py")


def output(script, path):
    return subprocess.run([sys.executable, script, str(path)], capture_output=True, text=True, check=True).stdout


def write_run(folder, n, pingpong, cross, same):
    records = [("shm.pingpong/cross-cpu", pingpong), ("shm.c2c/cpu_a:0/cpu_b:1/cross-cpu", 210.0),
               ("ctxswitch.pipe.thread/cross-cpu", cross), ("ctxswitch.pipe.thread/same-cpu", same),
               ("ctxswitch.pipe.thread/unpinned", 1.0)]
    doc = {"results": [{"id": i, "statistics": {"p50": v}} for i, v in records]}
    (folder / f"plain-{n:02}.json").write_text(json.dumps(doc))


def test_a_near_run_is_named_and_its_cross_cpu_records_compared(tmp_path):
    for n in range(1, 6):
        write_run(tmp_path, n, 100.0 if n == 4 else 420.0, 16000.0 if n == 4 else 20000.0, 7000.0)
    out = output(SCRIPT, tmp_path)
    assert "near (round trip < 250 ns): [4] (100 ns; the others 420-420 ns)" in out
    assert "c2c one way < 100 ns: []" in out
    assert "1 cross-CPU records over their medians: near x0.800, others x1.000" in out
    assert "1 same-CPU records: near x1.000, others x1.000" in out


@pytest.mark.parametrize("pingpong, cross, expected", [
    (420.0, 20000.0, "near (round trip < 250 ns): []"),
    (100.0, 16000.0, "near (round trip < 250 ns): [1, 2, 3] (100, 100, 100 ns; the others none ns)"),
])
def test_a_set_all_near_or_all_far_prints_no_ratios(tmp_path, pingpong, cross, expected):
    for n in range(1, 4):
        write_run(tmp_path, n, pingpong, cross, 7000.0)
    out = output(SCRIPT, tmp_path)
    assert expected in out
    assert "cross-CPU records" not in out


WITNESS = os.path.join(ROOT, "results", "history", "pair_witness_split.py")


def test_pair_witness_split_compares_near_and_far_repetitions_of_one_record(tmp_path):
    reps = [{"median_ns": v} for v in (1000.0, 1000.0, 500.0)]
    rounds = [[400.0, 410.0], [420.0, 400.0], [90.0, 80.0]]
    doc = {"results": [
        {"id": "ipc.pipe/cross-cpu", "repetitions": reps,
         "placement": {"pair_round_trip_ns": {"before": 400.0, "after": 80.0, "rounds": rounds}}},
        {"id": "ipc.pipe/same-cpu", "repetitions": reps, "placement": {}},
        {"id": "ipc.mixed/cross-cpu", "repetitions": reps[:1],
         "placement": {"pair_round_trip_ns": {"before": 400.0, "after": 90.0}}}]}
    run = tmp_path / "run.json"
    run.write_text(json.dumps(doc))
    out = output(WITNESS, run)
    assert "repetitions near 1, far 2, mixed 1, unread 0" in out
    assert "1 records with both: near/far x0.500" in out
    assert "ipc.pipe/cross-cpu x0.500" in out


SPREAD = os.path.join(ROOT, "results", "history", "usual_distance_spread.py")


def test_usual_distance_spread_compares_every_repetition_with_the_usual_ones(tmp_path):
    quiet = [100.0, 101.0, 99.0, 100.0]
    doc = {"series": [
        {"record_id": "x/cross-cpu", "usual_pair_round_trip_ns": 400.0, "points_left_out": 1,
         "points": {"p50_ns": quiet, "p50_all_repetitions_ns": [100.0, 70.0, 99.0, 100.0],
                    "repetitions_nearer": [0, 3, 0, 0], "repetitions_farther": [0, 0, 0, 1]}},
        {"record_id": "y/same-cpu", "usual_pair_round_trip_ns": None, "points": {"p50_ns": [1.0, 2.0, 3.0]}},
    ]}
    path = tmp_path / "show.json"
    path.write_text(json.dumps(doc))
    out = output(SPREAD, path)
    every = statistics.stdev(math.log(v) for v in [100.0, 70.0, 99.0, 100.0]) * 100
    usual = statistics.stdev(math.log(v) for v in quiet) * 100
    assert "x/cross-cpu" in out and f"sd every repetition {every:5.1f}%, usual distance {usual:5.1f}%" in out
    assert "(4 repetitions, 1 points left out)" in out
    assert "y/same-cpu" not in out
    assert "1 series with pair readings" in out


RULES = os.path.join(ROOT, "results", "history", "pair_rules.py")


def test_pair_rules_leave_out_off_distance_repetitions(tmp_path):
    # One cross-CPU record over 4 runs: run 2's second repetition ran near (both readings), run 3's third
    # had the distance change during it (one reading near); their medians read x0.5.
    far, near, mixed = [400.0, 410.0], [90.0, 100.0], [400.0, 90.0]
    runs = [([100.0, 101.0, 99.0], [far, far, far]), ([100.0, 50.0, 50.0], [far, near, near]),
            ([102.0, 101.0, 50.0], [far, far, mixed]), ([99.0, 100.0, 101.0], [far, far, far])]
    for n, (reps, rounds) in enumerate(runs, 1):
        doc = {"results": [{"id": "x/cross-cpu", "status": "ok", "statistics": {"p50": statistics.median(reps)},
                            "repetitions": [{"median_ns": m} for m in reps],
                            "placement": {"kind": "cross-cpu", "pair_round_trip_ns": {"rounds": rounds}}}]}
        (tmp_path / f"plain-{n:02}.json").write_text(json.dumps(doc))
    out = output(RULES, tmp_path)

    def sd(points):
        return statistics.stdev(math.log(v) for v in points) * 100
    # every: the stored p50s; both: run 2 keeps its far repetition (100); either: run 3 also keeps 101.5 of
    # its two far ones, scaled to its p50 101 x 101.5 / 101.
    assert f"rule every  1 series, geometric mean sd of ln(point) {sd([100, 50, 101, 100]):.2f}%" in out
    assert f"rule both   1 series, geometric mean sd of ln(point) {sd([100, 100, 101, 100]):.2f}%" in out
    assert f"rule either 1 series, geometric mean sd of ln(point) {sd([100, 100, 101.5, 100]):.2f}%" in out
