#!/usr/bin/env bash
# The quiet measurement behind results/db.json (results/README.md, "Real databases"): holds the machine's
# quiet lock and waits until the 1-minute load is under 0.3 (results/quiet.sh), then runs the db suite.
# The load and uptime before and after go to results/db-uptime.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source results/quiet.sh
out=results/db-uptime.txt
{ wait_quiet; echo "start: $(uptime)"; } | tee "$out"
./build/ctxbench --suite db --json results/db.json --label "quiet run, $(nproc) vCPUs" > results/db.txt
echo "end:   $(uptime)" | tee -a "$out"
