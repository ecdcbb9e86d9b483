#!/usr/bin/env bash
# The quiet measurement behind results/db.json (results/README.md, "Real databases"): run under an exclusive
# hold of /tmp/ctxbench-quiet.lock (flock -x /tmp/ctxbench-quiet.lock scripts/measure_db.sh), it waits
# until the 1-minute load is under 0.3 (polls every 10 s, gives up after 5 min and records what it got),
# then runs the db suite. uptime before and after goes to results/db-uptime.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/db-uptime.txt
load() { cut -d' ' -f1 /proc/loadavg; }
: >"$out"
for i in $(seq 1 30); do
  awk -v l="$(load)" 'BEGIN { exit !(l < 0.3) }' && break
  sleep 10
done
echo "start: $(uptime) (waited $(( (i - 1) * 10 )) s for load < 0.3)" | tee -a "$out"
./build/ctxbench --suite db --json results/db.json --label "quiet run, $(nproc) vCPUs" > results/db.txt
echo "end:   $(uptime)" | tee -a "$out"
