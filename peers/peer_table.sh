#!/usr/bin/env bash
# The "Beside the peers" table of docs/METHODOLOGY.md: three rounds back to back, each running every peer
# command once and then ctxbench, so both see the same host; then peers/peer_table.py prints the cells.
#   peers/peer_table.sh OUTDIR [CTXBENCH]      (root: ptsematest -p 90; needs linux-perf rt-tests
#                                              stress-ng hyperfine)
# Start it on a quiet machine (uptime load under 0.3) and run nothing beside it.
set -u
O=${1:?usage: peers/peer_table.sh OUTDIR [CTXBENCH]}
B=${2:-$(dirname "$0")/../build/ctxbench}
B=$(realpath "$B")
mkdir -p "$O" && cd "$O" || exit 2
spin_on() { for c in 0 1; do taskset -c $c chrt -i 0 bash -c 'while :; do :; done' & done; sleep 0.2; }
spin_off() { kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; }
for r in 1 2 3; do
  taskset -c 0 perf bench sched pipe -l 200000 > perf_same_p.$r 2>&1
  taskset -c 0 perf bench sched pipe -T -l 200000 > perf_same_t.$r 2>&1
  perf bench sched pipe -l 50000 > perf_unp.$r 2>&1
  spin_on; perf bench sched pipe -l 100000 > perf_unp_spin.$r 2>&1; spin_off
  taskset -c 0 stress-ng --switch 1 -t 3s --metrics-brief > stressng.$r 2>&1
  ptsematest -a 0 -t 1 -p 90 -i 100 -d 0 -l 10000 -q > ptsem_same.$r 2>&1
  ptsematest -t 1 -p 90 -i 100 -d 0 -l 10000 -q > ptsem_unp.$r 2>&1
  spin_on; ptsematest -t 1 -p 90 -i 100 -d 0 -l 10000 -q > ptsem_unp_spin.$r 2>&1; spin_off
  hyperfine -N --warmup 50 --runs 1000 --export-csv hyper.$r.csv /bin/true > hyper.$r 2>&1
  "$B" --filter '^(ipc.pipe.self|ctxswitch.pipe.(process|thread)/|ctxswitch.futex.(process|thread)/|process.posix_spawn.bin_true)' \
    --json r.$r.json > r.$r.txt 2>&1
  "$B" --keep-awake --filter '^ctxswitch.(pipe|futex).process/unpinned' --json awake.$r.json > awake.$r.txt 2>&1
  echo "round $r done $(date -u +%T) $(uptime)" >&2
done
/usr/bin/python3 "$(dirname "$(realpath "$0")")/peer_table.py" "$O"
