#!/usr/bin/env bash
# Quiet measurement of ctxswitch.pairs beside will-it-scale's method (peers/pipe_pairs.c), back to back.
# Run from anywhere; holds the quiet lock and waits for a quiet machine (results/quiet.sh); output beside
# this script.
#   measure.sh            the curve and the peer (pairs.json, pairs.txt; the peer's lines on stdout), then
#                         the --explain run
#   measure.sh explain    only the --explain run, as root (docs/METHODOLOGY.md, "Many pairs, explained"):
#                         explain.json, explain.txt (ctxbench's report) and explain-summary.txt
#   measure.sh rounds     three rounds back to back, each ctxbench's pipe curve then the peer's (issue 24's
#                         done-means): rounds.txt (load, commands, the peer's lines, the table of
#                         rounds_table.py) and rounds_r1-3.json / .txt
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
# The peer at the curve's pair counts (1, 2, 4, 8: 4 x the 2 CPUs of the machine it was written for), pinned
# and unpinned, 2 s each.
peer_curve() {
  local n
  for n in 1 2 4 8; do
    /tmp/peer-pipe-pairs $n 2 pinned
    /tmp/peer-pipe-pairs $n 2
  done
}

gcc -O2 -Wall -Wextra -o /tmp/peer-pipe-pairs peers/pipe_pairs.c -lpthread
if [[ "${1:-}" == rounds ]]; then
  {
    wait_quiet
    echo "commit $(git rev-parse --short HEAD); bash results/pairs/measure.sh rounds"
    for r in 1 2 3; do
      echo "=== round $r $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
      ./build/ctxbench --suite full --filter '^ctxswitch\.pairs/' --json $out/rounds_r$r.json > $out/rounds_r$r.txt 2>&1
      echo "ctxbench exit $?"
      peer_curve
    done
    echo "load at end: $(cat /proc/loadavg)"
  } > $out/rounds.txt 2>&1
  python3 $out/rounds_table.py $out >> $out/rounds.txt
  exit 0
fi
wait_quiet
./build/ctxbench --suite full --filter '^ctxswitch\.pairs' --json $out/pairs.json > $out/pairs.txt 2>&1
echo "ctxbench exit $?"
for r in 1 2 3; do
  peer_curve
done
echo "load at end: $(cat /proc/loadavg)"
explain_run
