#!/usr/bin/env bash
# --explain over every ipc.* record of the full suite and the timer wake-ups (docs/METHODOLOGY.md, "Where the
# time went", "A timer wake-up, explained"), on a quiet machine, as root: each record's explain status and the
# explained_fraction of its median op and of its tail (summarize.py). Holds the quiet lock; waits for the
# 1-minute load below 0.3. Output: results/explain_families/output.txt.
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
{
  wait_quiet
  echo "\$ ./build/ctxbench --suite full --explain --quick --filter '^wakeup\.timer' --json /tmp/explain_timer.json"
  ./build/ctxbench --suite full --explain --quick --filter '^wakeup\.timer' --json /tmp/explain_timer.json >/dev/null
  python3 results/explain_families/summarize.py /tmp/explain_timer.json
  wait_quiet
  echo "\$ ./build/ctxbench --suite full --explain --quick --filter "${IPC_FILTER:-^ipc\.}" ${IPC_PLACEMENT:+--placement $IPC_PLACEMENT} --json /tmp/explain_ipc.json"
  ./build/ctxbench --suite full --explain --quick --filter "${IPC_FILTER:-^ipc\.}" ${IPC_PLACEMENT:+--placement $IPC_PLACEMENT} \
    --json /tmp/explain_ipc.json >/dev/null
  python3 results/explain_families/summarize.py /tmp/explain_ipc.json
} > results/explain_families/output.txt 2>&1
