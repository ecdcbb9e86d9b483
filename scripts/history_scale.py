#!/usr/bin/env python3
"""Scale check of `ctxbench history` (not a test, not a measurement on a shared machine): makes RUNS
synthetic result files of RECORDS records each (schema 2, one machine, a drifting figure per record; every
fourth record cross-CPU with pair readings, placement.pair_round_trip_ns), adds
them to a store in batches, and prints the time of each `history add` batch, of `history show` and of
`history export --csv`, and the store's size per run (SQLite).

    scripts/history_scale.py --ctxbench build/ctxbench --store /tmp/scale.sqlite [--runs 1000] [--records 800]
    scripts/history_scale.py --ctxbench build/ctxbench --store postgresql://user@/db?host=/tmp/dir
    add --skip-add to time show and export of a store filled by an earlier call
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

MACHINE = {
    "cpu_vendor": "GenuineIntel", "cpu_model": "Synthetic CPU", "cpu_family": 6, "cpu_model_number": 1,
    "cpu_stepping": 1, "microcode": "0x1", "logical_cpus": 2, "cores": 2, "threads_per_core": 1,
    "smt": "notsupported", "numa_nodes": 1, "kernel_release": "6.1.0-scale", "kernel_cmdline": "quiet",
    "clocksource": "tsc", "hostname": "scale", "label": "scale check", "loadavg_1m": 0.1, "loadavg_end": [0.1],
}


def run_file(index, records, rng):
    results = []
    speed = rng.lognormvariate(0, 0.1)  # shared by every record of the run
    for r in range(records):
        base = 100.0 * (1 + r % 97)
        p50 = base * speed * rng.lognormvariate(0, 0.05)
        reps = [p50 * rng.lognormvariate(0, 0.03) for _ in range(10)]
        placement = {"kind": "same-cpu", "cpus": [0, 0]}
        if r % 4 == 0:  # a quarter cross-CPU with a pair reading per repetition, as a default run's (store version 3)
            rounds = [[rng.uniform(360, 460), rng.uniform(360, 460)] for _ in reps]
            placement = {"kind": "cross-cpu", "cpus": [0, 1],
                         "pair_round_trip_ns": {"before": rounds[0][0], "after": rounds[-1][1], "rounds": rounds}}
        results.append({
            "probe": f"synthetic.probe{r // 3}", "id": f"synthetic.probe{r // 3}/p{r % 3}", "family": "synthetic",
            "unit": "ns", "measure": "round_trip", "placement": placement,
            "status": "ok", "derived": False, "warnings": [], "statistics": {"p50": p50, "p99": p50 * 1.8},
            "rerun_ratio_95": [0.9, 1.1], "repetitions": [{"median_ns": v} for v in reps],
            "switches_per_op": {"measured": 2.0},
        })
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_700_000_000 + index * 3600))
    return {"context": {}, "benchmarks": [],
            "ctxbench": {"schema_version": 2, "tool_version": "0.2.0", "git_revision": f"rev{index:06d}",
                         "options": {"suite": "default"}, "start_time": stamp, "complete": True,
                         "interrupted": False, "warnings": []},
            "machine": MACHINE, "results": results}


def timed(args):
    start = time.monotonic()
    out = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(args[:3])}... failed ({out.returncode}): {out.stderr.strip()}")
    return time.monotonic() - start, out.stdout


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ctxbench", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--runs", type=int, default=1000)
    p.add_argument("--records", type=int, default=800)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--skip-add", action="store_true", help="time show and export of a store filled before")
    a = p.parse_args()
    rng = random.Random(1)
    work = tempfile.mkdtemp(prefix="ctxbench-scale.")
    add_seconds = 0.0
    try:
        for first in range(0, 0 if a.skip_add else a.runs, a.batch):
            paths = []
            for i in range(first, min(a.runs, first + a.batch)):
                path = os.path.join(work, f"run{i:05d}.json")
                with open(path, "w") as f:
                    json.dump(run_file(i, a.records, rng), f)
                paths.append(path)
            seconds, _ = timed([a.ctxbench, "history", "add", "--store", a.store] + paths)
            add_seconds += seconds
            print(f"add runs {first + 1}-{first + len(paths)}: {seconds:.2f} s ({seconds / len(paths) * 1000:.0f} ms/run)")
            for path in paths:
                os.unlink(path)
        if not a.skip_add:
            print(f"add total: {add_seconds:.1f} s for {a.runs} runs x {a.records} records")
        seconds, out = timed([a.ctxbench, "history", "show", "--store", a.store])
        print(f"show: {seconds:.2f} s ({len(out.splitlines())} lines)")
        seconds, out = timed([a.ctxbench, "history", "show", "--store", a.store, "--json"])
        print(f"show --json: {seconds:.2f} s ({len(out) / 1e6:.1f} MB)")
        seconds, out = timed([a.ctxbench, "history", "export", "--csv", "--store", a.store])
        print(f"export --csv: {seconds:.2f} s ({len(out.splitlines())} lines)")
        if os.path.exists(a.store):
            size = os.path.getsize(a.store)
            print(f"store size: {size / 1e6:.1f} MB, {size / a.runs / 1e3:.0f} kB per run")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
