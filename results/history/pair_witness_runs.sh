#!/usr/bin/env bash
# Default runs that carry each record's pair readings (placement.pair_round_trip_ns), back to back under the
# machine's quiet lock, then each run's repetitions split by their own readings (pair_witness_split.py).
#   RUNS=N bash results/history/pair_witness_runs.sh OUT_DIR     (N default 6; output OUT_DIR/split.txt)
set -u
out=${1:?usage: pair_witness_runs.sh OUT_DIR}
mkdir -p "$out"
cd "$(dirname "$0")/../.." && source results/quiet.sh && require_built build/ctxbench
{
  wait_quiet
  echo "build $(build/ctxbench --version)"
  for i in $(seq -w 1 "${RUNS:-6}"); do
    build/ctxbench --json "$out/plain-$i.json" --label "kvm2 pair witness" > "$out/plain-$i.txt" 2> "$out/plain-$i.err"
    echo "run $i rc=$? $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  done
  echo "\$ python3 results/history/pair_witness_split.py $out/plain-*.json"
  python3 results/history/pair_witness_split.py "$out"/plain-*.json
} > "$out/split.txt" 2>&1
