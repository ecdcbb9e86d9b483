#!/usr/bin/python3
"""How many of a set's series could show a step at all: the bound the detection target meets on a noisy host
(docs/METHODOLOGY.md, "What this host's noise allows"). Reads a `ctxbench history show --json` document of an
A/A store and the set's run files; for every series whose median single-run interval is within +-30% (as
scripts/history_detection.py counts them) it takes the spread of ln(figure) over the store's points, raw
(`points.p50_ns`) and run-corrected (`points.corrected_ns`), the smaller of the two, and the chance that an
ideal test finds a step of --step: Student's two-sample t-test, variance pooled, of --before points against
--after points, told where the step is, at p <= --max-p (two-sided); the noise is taken as normal in logs
with that spread. `history` must also find where the step is and reach its false-discovery cutoff (never
above --max-p), so what it finds is at most this. Needs python3-scipy (Debian's /usr/bin/python3).

    /usr/bin/python3 results/history/detectable_steps.py --show show.json RUN.json...
"""
import argparse
import json
import math
import os
import statistics
import sys

from scipy import stats

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from history_detection import quiet_ids  # noqa: E402  (the same +-30% selection)


def log_sd(values):
    logs = [math.log(v) for v in values if v and v > 0]
    return statistics.stdev(logs) if len(logs) > 2 else None


def power(sd, step, before, after, max_p):
    """The chance the pooled two-sample t-test of `before` against `after` points reaches p <= max_p for a step
    of ln(1 + step) in noise of sd `sd` (logs): the noncentral t's tail beyond the critical value."""
    df = before + after - 2
    shift = math.log(1 + step) / (sd * math.sqrt(1 / before + 1 / after))
    critical = stats.t.ppf(1 - max_p / 2, df)
    return float(stats.nct.sf(critical, df, shift)), shift, float(critical)


def rows(doc, counted, step, before, after, max_p):
    out = []
    for s in doc["series"]:
        if s["record_id"] not in counted:
            continue
        raw, corrected = log_sd(s["points"]["p50_ns"]), log_sd(s["points"].get("corrected_ns", []))
        sd = min(v for v in (raw, corrected) if v) if (raw or corrected) else None
        if sd:
            p, shift, _ = power(sd, step, before, after, max_p)
            out.append((s["record_id"], raw, corrected, sd, shift, p))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show", required=True, help="history show --json of the A/A store")
    ap.add_argument("--step", type=float, default=0.10)
    ap.add_argument("--before", type=int, default=11, help="points before the step (history_detection.py: 11)")
    ap.add_argument("--after", type=int, default=10, help="points after it (the target: within 10 runs)")
    ap.add_argument("--max-p", type=float, default=0.001)
    ap.add_argument("runs", nargs="+")
    a = ap.parse_args()
    with open(a.show) as f:
        doc = json.load(f)
    found = rows(doc, quiet_ids(a.runs), a.step, a.before, a.after, a.max_p)
    _, _, critical = power(1, a.step, a.before, a.after, a.max_p)
    for rid, raw, corrected, sd, shift, p in sorted(found, key=lambda r: r[3]):
        print(f"{rid:58s} sd raw {raw * 100:5.1f}%, run-corrected {(corrected or float('nan')) * 100:5.1f}%: "
              f"t {shift:4.1f}, found by the ideal test {p:4.0%}")
    if not found:
        sys.exit("no series within +-30% in the store")
    expected = sum(r[5] for r in found)
    # The spread at which the ideal test finds the step in 80% of series: shift = critical + z(0.8), about.
    sd80 = math.log(1 + a.step) / ((critical + stats.norm.ppf(0.8)) * math.sqrt(1 / a.before + 1 / a.after))
    print(f"{len(found)} series within +-30%: an ideal t-test told where a {a.step:.0%} step is, {a.before} points "
          f"before against {a.after} after, at p <= {a.max_p:g} (t >= {critical:.2f}), finds it in "
          f"{expected:.1f} of them on average ({expected / len(found):.0%}); "
          f"{sum(1 for r in found if r[3] <= sd80)} have a spread under {sd80:.1%}, where it finds 80% or more; "
          f"median spread {statistics.median(r[3] for r in found):.1%}")


if __name__ == "__main__":
    main()
