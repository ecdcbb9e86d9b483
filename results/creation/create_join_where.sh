#!/usr/bin/env bash
# Per process: the C loop's unpinned p50 beside the share of its ops whose new thread ran on another CPU than its
# creator (peers/thread_create_loop.c `where reps:10`), three quiet rounds: is a process whose median sits at the
# same-cpu figure one whose threads stayed on the creator's CPU? (docs/METHODOLOGY.md, "`thread.create_join`
# beside its C loop"). Holds the quiet lock (results/quiet.sh). Output: results/creation/create_join_where.txt.
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built build/peer-thread-create-loop
{
  for r in 1 2 3; do
    echo "=== round $r"
    wait_quiet
    ./build/peer-thread-create-loop 2000 where reps:10
    ./build/peer-thread-create-loop 2000 where reps:10
  done
} > results/creation/create_join_where.txt 2>&1
cat results/creation/create_join_where.txt
