#!/usr/bin/env bash
# ctxbench --explain beside `perf sched timehist` on the same workload (issue 23: the pipe ping-pong between
# processes, same-cpu and cross-cpu), three rounds back to back, quiet. Run as root from the repository after
# ./setup.sh:  results/timehist/measure.sh  ->  results/timehist/output.txt (and the raw files in $OUT).
# Per placement and round:
#   ctxbench --explain:  wake_to_run per hand-off (sched_waking to switched in: what perf sched timehist calls
#                        sch delay when perf sched record took sched_waking, as it does here) and the p50;
#   perf sched record -- ctxbench (untraced), read by `perf sched timehist` (peers/perf_timehist.py): the
#                        probe tasks' sch delay, and the time between two rows of one task (one round trip).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/ctxbench-timehist}
mkdir -p "$out"
source results/quiet.sh
{
  wait_quiet
  for round in 1 2 3; do
    for where in same-cpu cross-cpu; do
      filter="^ctxswitch\\.pipe\\.process/$where\$"
      ./build/ctxbench --explain --filter "$filter" --json "$out/explain-$where-$round.json" >"$out/explain-$where-$round.txt" 2>&1
      perf sched record -q -o "$out/perf-$where-$round.data" -- \
        ./build/ctxbench --filter "$filter" --json "$out/underperf-$where-$round.json" >"$out/underperf-$where-$round.txt" 2>&1
      peers/perf_timehist.py "$out/perf-$where-$round.data" ctxbench-probe >"$out/timehist-$where-$round.json"
      /usr/bin/python3 - "$out" "$where" "$round" <<'PY'
import json, sys
out, where, rnd = sys.argv[1:]
ex = json.load(open(f"{out}/explain-{where}-{rnd}.json"))["results"][0]
up = json.load(open(f"{out}/underperf-{where}-{rnd}.json"))["results"][0]
th = json.load(open(f"{out}/timehist-{where}-{rnd}.json"))
q = ex["explain"]["wake_to_run"]
us = lambda ns: f"{ns / 1000:6.2f}"
print(f"round {rnd} {where:9}  waking->running median/mean us: ctxbench {us(q['median_ns'])} /{us(q['mean_ns'])}"
      f"   perf timehist {us(th['sch_delay_median_ns'])} /{us(th['sch_delay_mean_ns'])}"
      f"   | round trip us: ctxbench p50 {us(ex['statistics']['p50'])} (under perf {us(up['statistics']['p50'])})"
      f"   timehist period median {us(th['period_median_ns'])}  ({th['rows']} rows)")
PY
    done
  done
  echo "end: $(cat /proc/loadavg)"
} | tee results/timehist/output.txt
