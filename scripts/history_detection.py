#!/usr/bin/env python3
"""What `ctxbench history` finds in real series: false change points (A/A) and injected steps (detection),
against the same data judged pairwise by `ctxbench compare`. The figures of docs/METHODOLOGY.md, "History".

    scripts/history_detection.py --ctxbench build/ctxbench --work DIR RUN.json...   (runs in run order)

A/A: every run but the last into a fresh SQLite store; `history show --json` counts change points over all
series; `history check LAST.json` gives the last run's verdicts. Detection: for each --steps size, copies of
the runs with that step injected into a share of the records from run --from-run on
(scripts/history_inject.py), added one run at a time; after each added run the series are judged again, and
a stepped series counts as found at the first run where a change point sits within 2 points of the step
(whether or not it is said to be with a move of the whole machine: it is reported either way). A/A and
false alarms are counted apart for change points with a machine move (`coincides_with_machine_change`).
Series are counted when the record's median single-run interval (rerun_ratio_95) is within +-30%.
Pairwise: `ctxbench compare` of the run before the step against the first stepped run.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

JUDGED = ("raw", "run_corrected", "both")  # which change points count; --corrected-only keeps the last two
HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, ok=(0,)):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in ok:
        sys.exit(f"history_detection: {' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[:2000]}")
    return p


SHOW_OPTIONS = []  # --max-p / --min-change / --window passed on to history show and check
SHOW_ONLY_OPTIONS = []  # --fdr: history show's alone (check judges one run, not the machine's series)


def show(ctxbench, store):
    return json.loads(run([ctxbench, "history", "show", "--json", "--store", store] + SHOW_OPTIONS + SHOW_ONLY_OPTIONS).stdout)


def quiet_ids(paths, limit=0.30):
    """Record ids whose median single-run interval is within +-limit."""
    spans = {}
    for path in paths:
        with open(path) as f:
            for r in json.load(f)["results"]:
                iv = r.get("rerun_ratio_95")
                if r.get("status") == "ok" and iv:
                    spans.setdefault(r["id"], []).append(max(iv[1] - 1, 1 - iv[0]))
    return {i for i, s in spans.items() if statistics.median(s) <= limit}


def own(cp):
    """A change point no move of the whole machine explains (docs/METHODOLOGY.md, "History")."""
    return not cp.get("coincides_with_machine_change", False)


def change_point_counts(doc):
    fired, with_machine = {}, {}
    for s in doc["series"]:
        for cp in s.get("change_points", []):
            into = fired if own(cp) else with_machine
            into[cp.get("fired", "?")] = into.get(cp.get("fired", "?"), 0) + 1
    return len(doc["series"]), fired, with_machine


def aa(ctxbench, work, runs):
    store = os.path.join(work, "aa.sqlite")
    if os.path.exists(store):
        os.remove(store)
    run([ctxbench, "history", "add", "--store", store] + runs[:-1])
    doc = show(ctxbench, store)
    n, fired, with_machine = change_point_counts(doc)
    moves = [(cp["run"], round(cp["ratio"], 3)) for m in doc["machines"] for cp in m.get("change_points", [])]
    check = run([ctxbench, "history", "check", runs[-1], "--store", store] + SHOW_OPTIONS, ok=(0, 1))
    print(f"A/A: {len(runs) - 1} runs, {n} series, the series' own change points by judgement {fired or 'none'} "
          f"({sum(fired.values())}); with a move of the whole machine {with_machine or 'none'} "
          f"({sum(with_machine.values())})")
    print(f"A/A: the whole machine moved at (run index, ratio): {moves or 'none'}")
    print(f"A/A: history check of run {len(runs)}: exit {check.returncode}")
    print(check.stdout[-3000:])


def detection(ctxbench, work, runs, step, from_run, share, seed):
    out = os.path.join(work, f"step{int(step * 100)}")
    run([sys.executable, os.path.join(HERE, "history_inject.py"), "--step", str(step), "--from-run", str(from_run),
         "--share", str(share), "--seed", str(seed), "--out", out] + runs)
    with open(os.path.join(out, "manifest.json")) as f:
        stepped = set(json.load(f)["stepped_ids"])
    copies = [os.path.join(out, os.path.basename(p)) for p in runs]
    counted = quiet_ids(runs)
    store = os.path.join(out, "store.sqlite")
    if os.path.exists(store):
        os.remove(store)
    run([ctxbench, "history", "add", "--store", store] + copies[:from_run - 1])
    step_index = from_run - 1  # 0-based index of the first stepped point
    found_at, false_at, false_own = {}, set(), set()
    for n in range(from_run, len(copies) + 1):
        run([ctxbench, "history", "add", "--store", store, copies[n - 1]])
        for s in show(ctxbench, store)["series"]:
            rid = s["record_id"]
            near = any(abs(cp["point"] - step_index) <= 2 and cp.get("fired") in JUDGED
                       for cp in s.get("change_points", []))
            if rid in stepped and near and rid not in found_at:
                found_at[rid] = n - from_run + 1  # runs on the new level when first found
            if rid not in stepped and any(cp.get("fired") in JUDGED for cp in s.get("change_points", [])):
                false_at.add(rid)
            if rid not in stepped and any(cp.get("fired") in JUDGED and own(cp) for cp in s.get("change_points", [])):
                false_own.add(rid)
    judged = sorted(stepped & counted)
    found = [found_at[i] for i in judged if i in found_at]
    within10 = sum(1 for k in found if k <= 10)
    # Pairwise: the last run before the step against the first stepped one.
    cmp_json = os.path.join(out, "compare.json")
    run([ctxbench, "compare", copies[from_run - 2], copies[from_run - 1], "--json", cmp_json], ok=(0, 1))
    with open(cmp_json) as f:
        rows = {r["id"]: r for c in json.load(f)["comparisons"] for r in c["rows"]}
    pairwise = sum(1 for i in judged if rows.get(i, {}).get("regression"))
    unstepped = sorted(counted - stepped)
    print(f"step +{step:.0%}: {len(judged)} stepped series within +-30%: history found {len(found)} "
          f"({len(found) / max(1, len(judged)):.0%}), {within10} within 10 runs "
          f"(median {statistics.median(found) if found else '-'} runs after the step); "
          f"compare flagged {pairwise} ({pairwise / max(1, len(judged)):.0%}); "
          f"unstepped series with a change point: {len(false_at & set(unstepped))} of {len(unstepped)}, "
          f"with one no machine move explains: {len(false_own & set(unstepped))}")


def real_change(ctxbench, work, runs, changed):
    """All runs then the changed ones in one store: change points at or after the first changed run."""
    store = os.path.join(work, "real.sqlite")
    if os.path.exists(store):
        os.remove(store)
    run([ctxbench, "history", "add", "--store", store] + runs + changed)
    doc = show(ctxbench, store)
    first = len(runs)  # index of the first changed run, in runs[] and in each full series' points
    moves = [(cp["run"], round(cp["ratio"], 3)) for m in doc["machines"] for cp in m.get("change_points", [])]
    print(f"real change: {len(runs)} runs then {len(changed)} changed ones; the whole machine moved at {moves or 'none'}")
    at = {}
    for s in doc["series"]:
        for cp in s.get("change_points", []):
            if cp["run"] >= first - 2:
                at.setdefault(s["record_id"], []).append((cp["run"], round(cp["ratio"], 3), cp["fired"],
                                                          f"{cp['p_value']:.2g}") + (() if own(cp) else ("machine",)))
    for rid in sorted(at):
        print(f"  {rid}: {at[rid]}")
    before = [cp for s in doc["series"] for cp in s.get("change_points", []) if cp["run"] < first - 2]
    print(f"  change points before run {first - 1} (index): {len(before)}, "
          f"{sum(1 for cp in before if own(cp))} of them the series' own")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ctxbench", default="build/ctxbench")
    ap.add_argument("--work", required=True)
    ap.add_argument("--steps", default="0.05,0.10,0.20")
    ap.add_argument("--from-run", type=int, default=12)
    ap.add_argument("--share", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-aa", action="store_true")
    ap.add_argument("--max-p", help="passed to history show/check")
    ap.add_argument("--fdr", help="passed to history show")
    ap.add_argument("--corrected-only", action="store_true", help="count only run-corrected change points")
    ap.add_argument("--changed", nargs="*", default=[], help="runs after RUN... where something real changed "
                    "(e.g. --keep-awake): report where history finds it")
    ap.add_argument("runs", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    if a.corrected_only:
        global JUDGED
        JUDGED = ("run_corrected", "both")
    if a.max_p:
        SHOW_OPTIONS.extend(["--max-p", a.max_p])
    if a.fdr:
        SHOW_ONLY_OPTIONS.extend(["--fdr", a.fdr])
    if not a.skip_aa:
        aa(a.ctxbench, a.work, a.runs)
    if a.changed:
        real_change(a.ctxbench, a.work, a.runs, a.changed)
    for step in (float(s) for s in a.steps.split(",") if s):
        detection(a.ctxbench, a.work, a.runs, step, a.from_run, a.share, a.seed)


if __name__ == "__main__":
    main()
