"""results/history/near_pairs.py: which runs had the two CPUs near each other, and what moved with them."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "results", "history", "near_pairs.py")


def write_run(folder, n, pingpong, cross, same):
    records = [("shm.pingpong/cross-cpu", pingpong), ("shm.c2c/cpu_a:0/cpu_b:1/cross-cpu", 210.0),
               ("ctxswitch.pipe.thread/cross-cpu", cross), ("ctxswitch.pipe.thread/same-cpu", same),
               ("ctxswitch.pipe.thread/unpinned", 1.0)]
    doc = {"results": [{"id": i, "statistics": {"p50": v}} for i, v in records]}
    (folder / f"plain-{n:02}.json").write_text(json.dumps(doc))


def test_a_near_run_is_named_and_its_cross_cpu_records_compared(tmp_path):
    for n in range(1, 6):
        write_run(tmp_path, n, 100.0 if n == 4 else 420.0, 16000.0 if n == 4 else 20000.0, 7000.0)
    out = subprocess.run([sys.executable, SCRIPT, str(tmp_path)], capture_output=True, text=True, check=True).stdout
    assert "near (round trip < 250 ns): [4] (100 ns; the others 420-420 ns)" in out
    assert "c2c one way < 100 ns: []" in out
    assert "1 cross-CPU records over their medians: near x0.800, others x1.000" in out
    assert "1 same-CPU records: near x1.000, others x1.000" in out


def test_a_set_with_no_near_run_prints_no_ratios(tmp_path):
    for n in range(1, 4):
        write_run(tmp_path, n, 420.0, 20000.0, 7000.0)
    out = subprocess.run([sys.executable, SCRIPT, str(tmp_path)], capture_output=True, text=True, check=True).stdout
    assert "near (round trip < 250 ns): []" in out
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
    out = subprocess.run([sys.executable, WITNESS, str(run)], capture_output=True, text=True, check=True).stdout
    assert "repetitions near 1, far 2, mixed 1, unread 0" in out
    assert "1 records with both: near/far x0.500" in out
    assert "ipc.pipe/cross-cpu x0.500" in out
