#!/usr/bin/env bash
# Quiet measurement of ctxswitch.pairs beside will-it-scale's method (peers/pipe_pairs.c), back to back.
# Run from anywhere; holds the quiet lock and waits for a quiet machine (results/quiet.sh); output beside
# this script.
#   measure.sh            the curve and the peer (pairs.json, pairs.txt; the peer's lines on stdout), then
#                         the --explain run
#   measure.sh explain    only the --explain run, as root (docs/METHODOLOGY.md, "Many pairs, explained"):
#                         explain.json, explain.txt (ctxbench's report) and explain-summary.txt
set -u
cd "$(dirname "$0")/../.."
out=results/pairs
source results/quiet.sh

explain_run() {
  {
    wait_quiet
    echo "\$ ./build/ctxbench --suite full --filter '^ctxswitch\.pairs' --explain --json $out/explain.json"
    ./build/ctxbench --suite full --filter '^ctxswitch\.pairs' --explain --json $out/explain.json > $out/explain.txt 2>&1
    echo "ctxbench --explain exit $?"
    python3 $out/explain_summary.py $out/explain.json
    echo "load at end: $(cat /proc/loadavg)"
  } > $out/explain-summary.txt 2>&1
}

if [[ "${1:-}" == explain ]]; then
  explain_run
  exit 0
fi
gcc -O2 -Wall -Wextra -o /tmp/peer-pipe-pairs peers/pipe_pairs.c -lpthread
wait_quiet
./build/ctxbench --suite full --filter '^ctxswitch\.pairs' --json $out/pairs.json > $out/pairs.txt 2>&1
echo "ctxbench exit $?"
for r in 1 2 3; do
  for n in 1 2 4 8; do
    /tmp/peer-pipe-pairs $n 2 pinned
    /tmp/peer-pipe-pairs $n 2
  done
done
echo "load at end: $(cat /proc/loadavg)"
explain_run
