#!/usr/bin/env bash
# Quiet measurement of ctxswitch.pairs beside will-it-scale's method (peers/pipe_pairs.c), back to back.
# Run from anywhere; holds the quiet lock and waits for a quiet machine (results/quiet.sh); output beside
# this script.
set -u
cd "$(dirname "$0")/../.."
out=results/pairs
gcc -O2 -Wall -Wextra -o /tmp/peer-pipe-pairs peers/pipe_pairs.c -lpthread
source results/quiet.sh
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
