#!/usr/bin/env bash
# Regenerates results/'s reference files (results/README.md lists each file and what it is) on a quiet machine,
# back to back: the default suite, the same confined to CPU 0 and their compare, the whole catalogue, the
# `--explain` runs, the db suite, then the tables, charts and report drawn from them. Run as root (the
# `--explain` runs load BPF programs) after ./setup.sh, with nothing else running. Holds the quiet lock
# throughout and waits for a 1-minute load under 0.3 before each measured step (results/quiet.sh).
# Output: results/*.json|txt|md|html, results/charts/; the step log with loads and times: results/regenerate.log.
set -u
cd "$(dirname "$0")/.."
source results/quiet.sh
py=/usr/bin/python3
label="2-vCPU KVM guest (Firecracker microVM, PTI, quiet)"
status=0
step() {  # name, command...: runs one step, logs its load, wall time and exit status; the batch goes on
  local name=$1 t0 rc
  shift
  t0=$(date +%s.%N)
  "$@"
  rc=$?
  echo "$name: exit $rc, $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s" >&2
  ((rc == 0 || rc == 1)) || status=1  # 1 = a probe failed or compare found a regression: recorded, not fatal
}
# The committed copies leave out the raw samples (they are 6x the rest); every statistic is as measured.
drop_samples() {
  $py -c 'import json, sys
p = sys.argv[1]
d = json.load(open(p))
for r in d["results"]:
    r.pop("samples", None)
    r.pop("sample_cpu_runs", None)
json.dump(d, open(p, "w"), indent=1)' "$1"
}
{
  echo "build: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (dirty tree)'), kernel $(uname -r)"
  wait_quiet
  step default ./build/ctxbench --json results/kvm2-guest.json --label "$label" > results/kvm2-guest.txt
  wait_quiet
  step taskset0 taskset -c 0 ./build/ctxbench --json results/kvm2-guest-taskset0.json \
    --label "2-vCPU KVM guest, taskset -c 0 (one CPU)" > /dev/null
  step compare ./build/ctxbench compare results/kvm2-guest.json results/kvm2-guest-taskset0.json \
    --json results/compare-default-vs-taskset0.json > results/compare-default-vs-taskset0.txt
  wait_quiet
  step full ./build/ctxbench --suite full --json results/kvm2-guest-full.json --label "$label" \
    > results/kvm2-guest-full.txt
  drop_samples results/kvm2-guest-full.json
  wait_quiet
  step explain-pingpong ./build/ctxbench --explain --filter 'ctxswitch\.(pipe|futex)\.process' \
    --json results/kvm2-guest-explain-pingpong.json --label "$label, --explain" \
    > results/kvm2-guest-explain-pingpong.txt
  wait_quiet
  step explain-default ./build/ctxbench --explain --json results/kvm2-guest-explain.json --label "$label, --explain" \
    > results/kvm2-guest-explain.txt
  drop_samples results/kvm2-guest-explain.json
  step db scripts/measure_db.sh
  echo "measured: $(date -u +%FT%TZ)"
  $py scripts/db_table.py results/db.json > results/db-table.txt
  $py scripts/db_table.py results/db.json --markdown > results/db-table.md
  $py scripts/server_table.py results/kvm2-guest-full.json --markdown > results/kvm2-server-table.md
  $py scripts/report.py results/kvm2-guest-full.json -o results/report.html
  $py scripts/report.py results/kvm2-guest.json -o results/report-default.html
  for c in overview sweeps c2c ipc_vs_shm server; do
    $py scripts/chart_$c.py results/kvm2-guest-full.json -o results/charts/$c
  done
  $py scripts/chart_distribution.py results/kvm2-guest.json -o results/charts/distribution
  $py scripts/chart_machines.py results/kvm2-guest.json results/kvm2-guest-taskset0.json \
    -o results/charts/default_vs_taskset0
  $py scripts/chart_explain.py results/kvm2-guest-explain-pingpong.json -o results/charts/explain-pingpong
  $py scripts/chart_explain.py results/kvm2-guest-explain.json -o results/charts/explain-default
  $py scripts/chart_db.py results/db.json -o results/charts/db
} 2>&1 | tee results/regenerate.log
exit "${PIPESTATUS[0]}"
