#!/usr/bin/env bash
# Creation beside its C-loop floors (peers/fork_exit_loop.c, peers/thread_create_loop.c, built by ./setup.sh),
# back to back, three rounds: ctxbench's thread.create_join and process.fork_exit records (same-cpu and
# unpinned), then each peer under `taskset -c 0` and unpinned, static and dynamic. Holds the quiet lock and
# waits for a quiet machine before each round (results/quiet.sh). Output: results/creation/output.txt.
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
{
  for r in 1 2 3; do
    echo "=== round $r"
    wait_quiet
    ./build/ctxbench --filter '^(thread\.create_join|process\.fork_exit)/(same-cpu|unpinned)$' \
      --json results/creation/round$r.json | grep -E '^(thread|process)\.|same-cpu|unpinned'
    for p in thread-create-loop thread-create-loop-dynamic; do
      echo "peer-$p same-cpu: $(taskset -c 0 ./build/peer-$p 20000)"
      echo "peer-$p unpinned: $(./build/peer-$p 20000)"
    done
    for p in fork-exit-loop fork-exit-loop-dynamic; do
      echo "peer-$p same-cpu: $(taskset -c 0 ./build/peer-$p 5000)"
      echo "peer-$p unpinned: $(./build/peer-$p 5000)"
    done
  done
} 2>&1 | tee results/creation/output.txt
