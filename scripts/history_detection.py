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
--trials each|mechanism: instead of one store with a share stepped, one store per trial in which one
record (each) or every record of one mechanism is stepped, so no stepped series sits in another's basket.
Series are counted when the record's median single-run interval (rerun_ratio_95) is within +-30%.
Pairwise: `ctxbench compare` of the run before the step against the first stepped run.
Gate (--gate-from K): each run from K on checked by `history check` against the runs before it, alone and
with the run after it (--confirm 2), as it is (A/A: every regression is a false one) and with each --steps
size injected into a share of its records, or (--trials) into each record or mechanism in turn, or into
every record at once (--trials all: what the whole run's verdict is for); the whole run's verdict is counted
apart.
"""
import argparse
import json
import os
import shutil
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


SHOW_OPTIONS = []  # --max-p / --fdr passed on to history show and check
CHECK_OPTIONS = []  # --min-history passed on to history check only


def show(ctxbench, store):
    return json.loads(run([ctxbench, "history", "show", "--json", "--store", store] + SHOW_OPTIONS).stdout)


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


def confirmed(cp):
    """6 or more runs on both of the change's levels (`confirmed`; a store read by a ctxbench before it has
    only `provisional`, the new level's count)."""
    return cp.get("confirmed", not cp.get("provisional"))


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
    # One run alone decides here (--confirm 1), the harsher test; the gate's default asks a rerun.
    check = run([ctxbench, "history", "check", runs[-1], "--store", store, "--confirm", "1"] + SHOW_OPTIONS
                + CHECK_OPTIONS, ok=(0, 1))
    print(f"A/A: {len(runs) - 1} runs, {n} series, the series' own change points by judgement {fired or 'none'} "
          f"({sum(fired.values())}); with a move of the whole machine {with_machine or 'none'} "
          f"({sum(with_machine.values())})")
    print(f"A/A: the series' own change points that are confirmed (6 or more runs on each side): "
          f"{doc['change_point_counts'].get('series_own_confirmed', '-')}")
    print(f"A/A: the whole machine moved at (run index, ratio): {moves or 'none'}")
    print(f"A/A: history check of run {len(runs)} (--confirm 1): exit {check.returncode}")
    print(check.stdout[-3000:])


def inject(out, runs, step, from_run, selection):
    """Copies of the runs with the step injected (scripts/history_inject.py); selection: its --share/--seed or
    --ids arguments. Returns the copies and the stepped ids."""
    run([sys.executable, os.path.join(HERE, "history_inject.py"), "--step", str(step), "--from-run", str(from_run),
         "--out", out] + selection + runs)
    with open(os.path.join(out, "manifest.json")) as f:
        stepped = set(json.load(f)["stepped_ids"])
    return [os.path.join(out, os.path.basename(p)) for p in runs], stepped


def follow(ctxbench, store, copies, stepped, from_run):
    """Adds the copies from run --from-run on to a store that holds the runs before it, one run at a time,
    judging every series after each. Returns, per stepped id, how many runs on the new level it took to show
    a change point within 2 points of the step, and to show one that is no longer provisional (6 or more
    points after it, analysis/history_analysis.hpp); the unstepped ids with a change point at some stage, and
    those with one no machine move explains, of it not provisional; and the last store's document."""
    step_index = from_run - 1  # 0-based index of the first stepped point
    found_at, confirmed_at, false_at, false_own, false_confirmed = {}, {}, set(), set(), set()
    doc = None
    for n in range(from_run, len(copies) + 1):
        run([ctxbench, "history", "add", "--store", store, copies[n - 1]])
        doc = show(ctxbench, store)
        for s in doc["series"]:
            rid = s["record_id"]
            cps = [cp for cp in s.get("change_points", []) if cp.get("fired") in JUDGED]
            near = any(abs(cp["point"] - step_index) <= 2 for cp in cps)
            if rid in stepped and near and rid not in found_at:
                found_at[rid] = n - from_run + 1  # runs on the new level when first found
            if rid in stepped and rid not in confirmed_at and any(
                    abs(cp["point"] - step_index) <= 2 and confirmed(cp) for cp in cps):
                confirmed_at[rid] = n - from_run + 1
            if rid not in stepped and cps:
                false_at.add(rid)
            if rid not in stepped and any(own(cp) for cp in cps):
                false_own.add(rid)
            if rid not in stepped and any(own(cp) and confirmed(cp) for cp in cps):
                false_confirmed.add(rid)
    return found_at, confirmed_at, false_at, false_own, false_confirmed, doc


def detection(ctxbench, work, runs, step, from_run, share, seed):
    out = os.path.join(work, f"step{int(step * 100)}")
    copies, stepped = inject(out, runs, step, from_run, ["--share", str(share), "--seed", str(seed)])
    counted = quiet_ids(runs)
    store = os.path.join(out, "store.sqlite")
    if os.path.exists(store):
        os.remove(store)
    run([ctxbench, "history", "add", "--store", store] + copies[:from_run - 1])
    found_at, _, false_at, false_own, _, doc = follow(ctxbench, store, copies, stepped, from_run)
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
    # The stepped series missed (not found within 10 runs): what the last store says of them, to tell why.
    last = {s["record_id"]: s for s in doc["series"]}
    for i in judged:
        if found_at.get(i, 99) <= 10:
            continue
        cps = [(cp["point"], cp.get("fired"), round(cp["ratio"], 3), f"{cp['p_value']:.2g}")
               for cp in last.get(i, {}).get("change_points", [])]
        print(f"  missed {i}: found after {found_at.get(i, 'never')}; change points at the end {cps or 'none'}")
    print(f"step +{step:.0%}: {len(judged)} stepped series within +-30%: history found {len(found)} "
          f"({len(found) / max(1, len(judged)):.0%}), {within10} within 10 runs "
          f"(median {statistics.median(found) if found else '-'} runs after the step); "
          f"compare flagged {pairwise} ({pairwise / max(1, len(judged)):.0%}); "
          f"unstepped series with a change point: {len(false_at & set(unstepped))} of {len(unstepped)}, "
          f"with one no machine move explains: {len(false_own & set(unstepped))}")


def ok_records(path):
    with open(path) as f:
        return [r for r in json.load(f)["results"] if r.get("status") == "ok"]


def mechanism(record):
    """The probe's first two names, as the baskets group series (analysis/history_analysis.cpp)."""
    probe = record.get("probe") or record["id"]
    return ".".join(probe.split("/")[0].split(".")[:2])


def trial_groups(runs, how):
    """What one trial steps together. each: one measured (not derived) record alone, every such record whose
    single-run interval is within +-30% in turn (its derived records stay as measured: the step is found or
    missed in the base). mechanism: every ok record of one mechanism (a change of the pipe code moves every
    pipe record, derived ones too), one trial per mechanism with a record within +-30%."""
    counted = quiet_ids(runs)
    records = {r["id"]: r for path in runs for r in ok_records(path)}
    if how == "each":
        return [[rid] for rid in sorted(counted) if not records[rid].get("derived")]
    groups = {}
    for rid, r in records.items():
        groups.setdefault(mechanism(r), []).append(rid)
    return [sorted(g) for _, g in sorted(groups.items()) if counted & set(g)]


def detection_trials(ctxbench, work, runs, step, from_run, how):
    """--trials each|mechanism: one store per trial, in which only that trial's records are stepped, so no
    stepped series sits in another's basket; a stepped series counts when it is within +-30%."""
    counted = quiet_ids(runs)
    base = os.path.join(work, "base.sqlite")  # the runs before the step: the same in every trial
    if os.path.exists(base):
        os.remove(base)
    run([ctxbench, "history", "add", "--store", base] + runs[:from_run - 1])
    judged, found, confirmed, false_own, false_confirmed = 0, [], [], 0, 0
    for n, group in enumerate(trial_groups(runs, how), start=1):
        out = os.path.join(work, f"{how}{int(step * 100)}-{n}")
        copies, stepped = inject(out, runs, step, from_run, ["--ids", ",".join(group)])
        store = os.path.join(out, "store.sqlite")
        shutil.copyfile(base, store)
        found_at, confirmed_at, _, own_false, own_confirmed, _ = follow(ctxbench, store, copies, stepped, from_run)
        shutil.rmtree(out)  # the trial's copies: up to 22 run files each
        members = sorted(stepped & counted)
        judged += len(members)
        found += [found_at[i] for i in members if i in found_at]
        confirmed += [confirmed_at[i] for i in members if i in confirmed_at]
        false_own += len(own_false & counted)
        false_confirmed += len(own_confirmed & counted)
        print(f"  trial {n} ({how}): {', '.join(members)}: "
              f"{', '.join(f'{i} after {found_at[i]}' for i in members if i in found_at) or 'not found'}; "
              f"unstepped series with their own change point {len(own_false & counted)} "
              f"({len(own_confirmed & counted)} confirmed)", flush=True)
    within10 = sum(1 for k in found if k <= 10)
    print(f"step +{step:.0%}, trials {how}: {judged} stepped series within +-30%: history found {len(found)} "
          f"({len(found) / max(1, judged):.0%}), {within10} within 10 runs ({within10 / max(1, judged):.0%}; "
          f"median {statistics.median(found) if found else '-'} runs after the step); unstepped series with "
          f"their own change point, summed over the trials: {false_own}")
    c10 = sum(1 for k in confirmed if k <= 10)
    print(f"step +{step:.0%}, trials {how}, confirmed (a change point near the step with 6 or more runs on each side): "
          f"{c10} within 10 runs ({c10 / max(1, judged):.0%}; median "
          f"{statistics.median(confirmed) if confirmed else '-'} runs after the step); unstepped series with a "
          f"confirmed change point of their own, summed over the trials: {false_confirmed}")


def verdicts(ctxbench, store, paths, confirm):
    """history check's verdict per record id for the last of `paths` (the runs checked together), its exit
    status, and the whole run's verdict ("" when the check had none)."""
    p = run([ctxbench, "history", "check", *paths, "--json", "--store", store, "--confirm", str(confirm)]
            + SHOW_OPTIONS + CHECK_OPTIONS, ok=(0, 1, 3))
    doc = json.loads(p.stdout)
    whole = (doc.get("whole_run") or {}).get("verdict", "")
    return {r["record_id"]: r for r in doc["records"]}, p.returncode, whole


def gate_selections(work, runs, step, how, share, seed):
    """(copies' directory, stepped ids) per step trial: one --share selection, or one per record or mechanism
    (--trials each|mechanism, as trial_groups), every run of the copies stepped."""
    if how == "share":
        selections = [["--share", str(share), "--seed", str(seed)]]
    elif how == "all":
        selections = [["--share", "1"]]
    else:
        selections = [["--ids", ",".join(g)] for g in trial_groups(runs, how)]
    out = []
    for n, selection in enumerate(selections):
        d = os.path.join(work, f"gate-step{int(step * 100)}-{how}-{n}")
        run([sys.executable, os.path.join(HERE, "history_inject.py"), "--step", str(step), "--from-run", "1",
             "--out", d] + selection + runs)
        with open(os.path.join(d, "manifest.json")) as f:
            out.append((d, set(json.load(f)["stepped_ids"])))
    return out


def gate_trials(ctxbench, work, runs, from_run, steps, share, seed, how):
    """The gate, one trial per run from --gate-from on: that run checked against every run before it alone
    (--confirm 1) and together with the run after it (the default --confirm 2: a regression must be called
    by both). A/A: every regression is a false one. With each --steps size injected into copies of the runs
    (--trials: a share of the records, or each record or mechanism in turn), a stepped series counts as found
    when the check of its stepped run(s) calls it a regression."""
    store = os.path.join(work, "gate.sqlite")
    if os.path.exists(store):
        os.remove(store)
    run([ctxbench, "history", "add", "--store", store] + runs[:from_run - 1])
    counted = quiet_ids(runs)
    selections = {step: gate_selections(work, runs, step, how, share, seed) for step in steps}
    failed, confirmed_failed, false_kinds, detectable = 0, 0, {}, []
    whole_false = [0, 0]  # the whole run called a regression: alone, by both runs of a pair
    found = {step: [0, 0, 0, 0] for step in steps}  # judged, called alone, judged as a pair, called by the pair
    whole_found = {step: [0, 0, 0, 0] for step in steps}  # the same for the whole run's verdict, per trial
    for k in range(from_run, len(runs) + 1):
        pair = runs[k - 1:k + 1] if k < len(runs) else []
        v, rc, whole = verdicts(ctxbench, store, [runs[k - 1]], 1)
        failed += rc == 1
        whole_false[0] += whole == "regression"
        flagged = sorted((rid, r["verdict"], round(r["ratio"], 3), r.get("fired"), f"{r['p_value']:.2g}")
                         for rid, r in v.items() if r["verdict"] in ("regression", "improvement"))
        for f in flagged:
            false_kinds[f[1]] = false_kinds.get(f[1], 0) + 1
        detectable += [r["detectable_change"] for rid, r in v.items()
                       if rid in counted and r.get("detectable_change", 0) > 0]
        line = f"gate A/A run {k}: exit {rc}, whole run {whole or '-'}, flagged {flagged or 'none'}"
        if pair:
            pv, prc, pwhole = verdicts(ctxbench, store, pair, 2)
            confirmed_failed += prc == 1
            whole_false[1] += pwhole == "regression"
            both = sorted(rid for rid, r in pv.items() if r["verdict"] in ("regression", "improvement"))
            line += f"; with run {k + 1} (--confirm 2): exit {prc}, whole run {pwhole or '-'}, confirmed {both or 'none'}"
        print(line, flush=True)
        for step in steps:
            for d, stepped in selections[step]:
                copies = [os.path.join(d, os.path.basename(r)) for r in ([runs[k - 1]] + pair[1:])]
                sv, _, swhole = verdicts(ctxbench, store, copies[:1], 1)
                judged = [rid for rid in stepped & counted if rid in sv]
                found[step][0] += len(judged)
                found[step][1] += sum(1 for rid in judged if sv[rid]["verdict"] == "regression")
                whole_found[step][0] += 1
                whole_found[step][1] += swhole == "regression"
                if pair:
                    pv, _, pwhole = verdicts(ctxbench, store, copies, 2)
                    judged = [rid for rid in stepped & counted if rid in pv]
                    found[step][2] += len(judged)
                    found[step][3] += sum(1 for rid in judged if pv[rid]["verdict"] == "regression")
                    whole_found[step][2] += 1
                    whole_found[step][3] += pwhole == "regression"
        run([ctxbench, "history", "add", "--store", store, runs[k - 1]])
    trials = len(runs) - from_run + 1
    print(f"gate A/A: {trials} trials (runs {from_run}..{len(runs)}, each against the runs before it): "
          f"{failed} exited 1 alone (--confirm 1); flagged records by verdict {false_kinds or 'none'}; "
          f"the whole run called a regression in {whole_false[0]}")
    print(f"gate A/A, each run with the next (--confirm 2): {trials - 1} trials, {confirmed_failed} exited 1; "
          f"the whole run called a regression by both in {whole_false[1]}")
    if detectable:
        print(f"gate: detectable change of series within +-30%, median {statistics.median(detectable):.1%} "
              f"over {len(detectable)} judgements")
    for step in steps:
        judged, hit, pairs, pair_hit = found[step]
        wj, wh, wp, wph = whole_found[step]
        print(f"gate step +{step:.0%} ({how}): stepped series within +-30% called a regression in {hit} of "
              f"{judged} one-run judgements ({hit / max(1, judged):.0%}); by both runs of a pair (--confirm 2) "
              f"in {pair_hit} of {pairs} ({pair_hit / max(1, pairs):.0%}); the whole run called a regression "
              f"in {wh} of {wj} one-run trials, by both runs in {wph} of {wp}")


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
    ap.add_argument("--fdr", help="passed to history show/check")
    ap.add_argument("--min-history", help="passed to history check")
    ap.add_argument("--gate-from", type=int, help="gate trials: check each run from this one (1-based) on "
                    "against the runs before it, as it is and with each --steps size injected")
    ap.add_argument("--trials", choices=("share", "each", "mechanism", "all"), default="share",
                    help="share: one store with --share of the records stepped (default); each: one trial per "
                    "measured record, stepped alone; mechanism: one trial per mechanism, all its records stepped; "
                    "all (gate trials only): every record of the run stepped, a change of the whole machine")
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
        SHOW_OPTIONS.extend(["--fdr", a.fdr])
    if a.min_history:
        CHECK_OPTIONS.extend(["--min-history", a.min_history])
    steps = [float(s) for s in a.steps.split(",") if s]
    if a.trials == "all" and not a.gate_from:
        ap.error("--trials all is for gate trials (--gate-from)")
    if a.gate_from:
        gate_trials(a.ctxbench, a.work, a.runs, a.gate_from, steps, a.share, a.seed, a.trials)
        return
    if not a.skip_aa:
        aa(a.ctxbench, a.work, a.runs)
    if a.changed:
        real_change(a.ctxbench, a.work, a.runs, a.changed)
    for step in steps:
        if a.trials == "share":
            detection(a.ctxbench, a.work, a.runs, step, a.from_run, a.share, a.seed)
        else:
            detection_trials(a.ctxbench, a.work, a.runs, step, a.from_run, a.trials)


if __name__ == "__main__":
    main()
