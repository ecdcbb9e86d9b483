#!/bin/bash
# ctxbench's own peak resident set (ctxbench.peak_rss_kib) for one run, quiet, under the machine's lock:
#   results/memory/peak_rss.sh TREE OUT.json [ctxbench args...]
# TREE is a worktree with build/ctxbench built; the run writes OUT.json and the script prints the command,
# the load at the start, the wall time, the exit status, peak_rss_kib, the record count (ok/skipped/failed)
# and the file's size. One run per call, so the lock is held for one run only.
set -u
tree=$1 out=$2
shift 2
cd "$(dirname "$0")/../.." || exit 2
source results/quiet.sh
cd "$tree" || exit 2
require_built build/ctxbench
wait_quiet
echo "tree: $tree ($(git -C "$tree" rev-parse --short HEAD)$(git -C "$tree" diff --quiet HEAD -- src || echo ', src modified'))"
echo "command: ./build/ctxbench $* --json $out"
start=$(date +%s.%N)
./build/ctxbench "$@" --json "$out" >/dev/null 2>"$out.stderr"
rc=$?
end=$(date +%s.%N)
echo "exit status: $rc, wall: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f s", b - a }')"
/usr/bin/python3 - "$out" <<'PY'
import json, os, sys
from collections import Counter
doc = json.load(open(sys.argv[1]))
c = Counter(r["status"] for r in doc["results"])
print(f"peak_rss_kib: {doc['ctxbench']['peak_rss_kib']}, complete: {doc['ctxbench']['complete']}, "
      f"records: {len(doc['results'])} ({', '.join(f'{k} {v}' for k, v in sorted(c.items()))}), "
      f"samples: {sum(len(r.get('samples', [])) for r in doc['results'])}, file: {os.path.getsize(sys.argv[1])} bytes")
PY
