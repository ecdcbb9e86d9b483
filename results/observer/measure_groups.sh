#!/usr/bin/env bash
# Each event group's cost per round trip with the drift between runs taken out (docs/METHODOLOGY.md, "What the
# tracer costs"): the cross-cpu round trip of this VM moves between two levels within minutes, so a group's cost
# is read from "all", "-GROUP", "all" back to back (cost = mean of the two "all" - "-GROUP"), three rounds, both
# placements, the after build's BPF program (build/generated). Run after results/observer/measure.sh, as root.
# Output: results/observer/groups.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/ctxbench-observer}
mkdir -p "$out"
cc -O2 -Wall -Wextra -Werror -Ibuild/generated -I. peers/tracer_cost.c -lbpf -o "$out/tracer-cost-after"
ops=10000
source results/quiet.sh
{
  for round in 1 2 3; do
    wait_quiet
    for where in same cross; do
      for group in sys switch switchend wake ipi irq fault other; do
        a=$("$out/tracer-cost-after" all "$where" $ops | sed 's/.*median_ns=\([0-9]*\).*/\1/')
        g=$("$out/tracer-cost-after" "-$group" "$where" $ops | sed 's/.*median_ns=\([0-9]*\).*/\1/')
        b=$("$out/tracer-cost-after" all "$where" $ops | sed 's/.*median_ns=\([0-9]*\).*/\1/')
        awk -v r=$round -v w=$where -v grp=$group -v a=$a -v g=$g -v b=$b 'BEGIN {
          printf "round %d %-5s %-9s all %6.2f  -group %6.2f  all %6.2f  cost %+.2f us\n", r, w, grp, a / 1e3, g / 1e3,
                 b / 1e3, ((a + b) / 2 - g) / 1e3 }'
      done
    done
  done
  echo "end: $(cat /proc/loadavg)"
} | tee results/observer/groups.txt
