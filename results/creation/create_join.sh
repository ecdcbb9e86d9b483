#!/usr/bin/env bash
# thread.create_join beside its C loop (peers/thread_create_loop.c), back to back, three quiet rounds: ctxbench's
# same-cpu and unpinned records with --explain (root: the breakdown of the median op, untimed pass), then the peer
# unpinned with one of ctxbench's factors switched on at a time (docs/METHODOLOGY.md, "thread.create_join beside
# its C loop"). Holds the machine's quiet lock (results/quiet.sh); run from anywhere, as root, after building.
# Output: results/creation/create_join.txt (+ create_join_round{1,2,3}.json).
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built build/ctxbench build/peer-thread-create-loop build/peer-thread-create-loop-dynamic
out=results/creation
peer() {  # peer COMMAND...: one line, the command and its output
  echo "$* -> $("$@")"
}
{
  uname -r
  for r in 1 2 3; do
    echo "=== round $r"
    wait_quiet
    ./build/ctxbench --explain --filter '^thread\.create_join/(same-cpu|unpinned)$' \
      --json $out/create_join_round$r.json 2>&1 | sed -n '/^thread\.create_join/,$p'
    python3 -c 'import json, sys
for x in json.load(open(sys.argv[1]))["results"]:
    print(x["id"], "repetition p50s (us):", " ".join("%.1f" % (r["median_ns"] / 1e3) for r in x["repetitions"]),
          "ops per sample:", sorted({r["ops_per_sample"] for r in x["repetitions"]}))' $out/create_join_round$r.json
    peer taskset -c 0 ./build/peer-thread-create-loop 20000
    peer ./build/peer-thread-create-loop 20000
    peer ./build/peer-thread-create-loop-dynamic 20000
    peer ./build/peer-thread-create-loop 20000 where
    peer ./build/peer-thread-create-loop 2000 reps:10
    peer ./build/peer-thread-create-loop 2000 where reps:10
    peer ./build/peer-thread-create-loop 20000 batch
    peer ./build/peer-thread-create-loop 2000 batch reps:10
    peer ./build/peer-thread-create-loop 2000 batch sigblock reps:10
  done
} > $out/create_join.txt 2>&1
cat $out/create_join.txt
