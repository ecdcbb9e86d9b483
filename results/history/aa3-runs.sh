#!/usr/bin/env bash
# The A/A batch of 2026-12-05 (aa3-runs.log): 22 plain default runs of one build, back to back, under the
# machine's quiet lock, after a 1-minute load under 0.3 (results/quiet.sh).
#   results/history/aa3-runs.sh OUT [LABEL]   (OUT: where the run files go, default /tmp/ctxbench-aa3)
#   RUNS=N results/history/aa3-runs.sh ...      (N runs instead of 22: the twelfth set took 24, so that run 22
#                                               has a rerun to confirm a gate's regression with)
# then, from the repository root, what detection.txt reports:
#   scripts/history_detection.py --ctxbench build/ctxbench --work DIR --steps '' OUT/plain-*.json      (A/A)
#   scripts/history_detection.py --ctxbench build/ctxbench --work DIR --skip-aa --steps 0.10 OUT/plain-*.json
set -u
out=${1:-/tmp/ctxbench-aa3}
label=${2:-kvm2 plain aa3}
mkdir -p "$out"
cd "$(dirname "$0")/../.."
source results/quiet.sh
wait_quiet >> "$out/log"
for i in $(seq -w 1 "${RUNS:-22}"); do
  build/ctxbench --json "$out/plain-$i.json" --label "$label" > "$out/plain-$i.txt" 2>"$out/plain-$i.err"
  echo "plain $i rc=$? $(date -Is) load $(cat /proc/loadavg)" >> "$out/log"
done
echo "done $(date -Is)" >> "$out/log"
