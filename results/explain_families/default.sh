#!/usr/bin/env bash
# The default suite under --explain (issue 23's first done-means): each explained record's status and the
# explained_fraction of its median ops and of its tail (summarize.py). As root; holds the quiet lock and waits
# for the 1-minute load below 0.3. Output: results/explain_families/default_output.txt.
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built ./build/ctxbench
{
  git log -1 --format='commit %h %cI'
  wait_quiet
  echo "\$ ./build/ctxbench --explain --json /tmp/explain_default.json"
  ./build/ctxbench --explain --json /tmp/explain_default.json >/dev/null
  echo "exit status $?"
  python3 results/explain_families/summarize.py /tmp/explain_default.json
} > results/explain_families/default_output.txt 2>&1
