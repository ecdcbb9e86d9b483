#!/usr/bin/env bash
# Quiet measurement of ctxswitch.pairs beside will-it-scale's method (peers/pipe_pairs.c), back to back.
# Run from anywhere, with nothing else running; output beside this script.
set -u
cd "$(dirname "$0")/../.."
out=results/pairs
gcc -O2 -Wall -Wextra -o /tmp/peer-pipe-pairs peers/pipe_pairs.c -lpthread
for i in $(seq 60); do l=$(cut -d' ' -f1 /proc/loadavg); awk -v l="$l" 'BEGIN{exit !(l<0.3)}' && break; sleep 5; done
echo "load at start: $(cat /proc/loadavg)"
./build/ctxbench --suite full --filter '^ctxswitch\.pairs' --json $out/pairs.json > $out/pairs.txt 2>&1
echo "ctxbench exit $?"
for r in 1 2 3; do
  for n in 1 2 4 8; do
    /tmp/peer-pipe-pairs $n 2 pinned
    /tmp/peer-pipe-pairs $n 2
  done
done
echo "load at end: $(cat /proc/loadavg)"
