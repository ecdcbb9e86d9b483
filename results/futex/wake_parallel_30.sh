#!/usr/bin/env bash
# ctxswitch.futex_wake_parallel against the peer with 30 sessions each side (docs/METHODOLOGY.md, "Why
# `wake_parallel` moves, measured"): a session settles in a fast or a slow mode, so ten sessions pin the share of
# slow ones down badly; this compares the distributions of the per-session medians, like with like:
# - ctxbench same-cpu, --repetitions 30 (each repetition a fresh process and session), every shape;
# - the peer like for like (waker on the first CPU, waiters then wakers round-robin from the next, no sleep,
#   serial-start: ctxbench's thread start), 30 processes of R rounds, R = ctxbench's median samples per
#   repetition of that shape in this run.
# Then results/futex/session_modes.py: per shape both modes' counts, Fisher's exact test of the slow share and
# the Mann-Whitney U test of the session medians.
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/wake_parallel_30.sh`.
# Output: results/futex/wake_parallel_30.txt.
set -u
cd "$(dirname "$0")/../.."
out=results/futex
source results/quiet.sh
source results/futex/wake_parallel_lib.sh
pairs="2/2 4/2 4/4 8/2 8/4 8/8"
{
  wait_quiet
  uname -r
  echo "commit $(git rev-parse --short HEAD), CPUs ${cpus[*]}, waker/caller on CPU $a"
  echo "=== ctxbench --repetitions 30 $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  ./build/ctxbench --suite ctxswitch --filter '^ctxswitch\.futex_wake_parallel/' --placement same --repetitions 30 \
    --json "$tmp/cb.json" > "$tmp/cb.txt" 2>&1
  echo "ctxbench exit $?"
  python3 - "$tmp/cb.json" > "$tmp/sessions.txt" <<'EOF'
import json, statistics, sys
for r in json.load(open(sys.argv[1]))["results"]:
    shape = "/".join(p.split(":")[1] for p in r["id"].split("/")[1:3])
    print(shape, "ctxbench", ",".join(f"{x['median_ns'] / 1000:.2f}" for x in r["repetitions"]))
    print(shape, "rounds", int(statistics.median(x["samples"] for x in r["repetitions"])))
    print(shape, "pooled_p50", f"{r['statistics']['p50'] / 1000:.2f}")
EOF
  for p in $pairs; do
    n=${p%/*}
    w=${p#*/}
    rounds=$(awk -v s="$p" '$1 == s && $2 == "rounds" {print $3}' "$tmp/sessions.txt")
    echo "=== peer $p: 30 processes of $rounds rounds $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    for i in $(seq 30); do $peer parallel $n "$rounds" $a 0 $w values,serial-start; done > "$tmp/peer.txt"
    python3 - "$tmp/peer.txt" "$p" >> "$tmp/sessions.txt" <<'EOF'
import statistics, sys
procs = [[float(v) for v in l.split()[1:]] for l in open(sys.argv[1]) if l.startswith("  values:")]
print(sys.argv[2], "peer", ",".join(f"{statistics.median(p) / 1000:.2f}" for p in procs))
print(sys.argv[2], "peer_pooled_p50", f"{statistics.median([v for p in procs for v in p]) / 1000:.2f}")
EOF
  done
  echo "=== per-session medians (us), ctxbench repetitions and peer processes"
  cat "$tmp/sessions.txt"
  echo "=== results/futex/session_modes.py"
  python3 results/futex/session_modes.py "$tmp/sessions.txt"
  echo "load at end: $(cat /proc/loadavg)"
} > $out/wake_parallel_30.txt 2>&1
