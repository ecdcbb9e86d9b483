#!/usr/bin/env bash
# ctxswitch.futex_lock_pi after its minimum batch (ProbeInfo budget.min_batch_ns = 3 ms: 100+ lock+unlocks per
# sample, so the runner's per-sample /proc reads come rarely; results/futex/lock_pi.txt measured why) beside
# peers/futex_lock_pi_loop.c at batch 10 without reads, three rounds back to back, same-cpu placement.
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/lock_pi_fixed.sh` after
# building ctxbench and peer-futex-lock-pi. Output: results/futex/lock_pi_fixed.txt.
set -u
cd "$(dirname "$0")/../.."
out=results/futex
source results/quiet.sh
cpus=($(taskset -pc $$ | sed "s/.*: //" | tr ",-" "  "))
a=${cpus[0]}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  wait_quiet
  git rev-parse --short HEAD
  for r in 1 2 3; do
    echo "=== round $r $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    ./build/ctxbench --suite ctxswitch --filter '^ctxswitch\.futex_lock_pi/' --placement same --json "$tmp/r.json" \
      > /dev/null 2>&1
    echo "ctxbench exit $?"
    python3 - "$tmp/r.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    m = r.get("metrics", {})
    ops = r["repetitions"][0]["ops_per_sample"] if r.get("repetitions") else 0
    print(f"  {r['id']}: p50 {r['value'] / 1000:.2f} us per lock+unlock ({ops} per sample in repetition 1), "
          f"{m.get('acquisitions_per_second', 0):.0f} acquisitions/s, {m.get('switches_per_acquisition', 0):.2f} "
          f"switches per acquisition, caller {m.get('caller_acquisition_share', 0):.2f} of the acquisitions")
PY
    for n in 1 2 4 8; do ./build/peer-futex-lock-pi $n 1000 $a 10 0; done
  done
  echo "load at end: $(cat /proc/loadavg)"
} > $out/lock_pi_fixed.txt 2>&1
