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
