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
# Output: results/futex/wake_parallel_30.txt (OUT names another). SHAPES ("4/2 8/8") narrows the shapes; BLOCKS
# interleaves the sides (below); SESSIONS (default 30) sets the sessions per side; PEER_LINES (space-separated,
# each a comma-separated option set) runs the peer once per set in every block, each its own side (`peer` for
# "serial-start", `peer+OPTIONS` for the others), compared with ctxbench by session_modes.py; the default
# (wake_parallel_lib.sh) adds ctxbench's round end (wait-ran,stamp) beside the plain peer.
set -u
cd "$(dirname "$0")/../.."
out=results/futex
source results/quiet.sh
source results/futex/wake_parallel_lib.sh
source results/futex/sessions_lib.sh
pairs=${SHAPES:-2/2 4/2 4/4 8/2 8/4 8/8}
# BLOCKS=K interleaves the two sides in K blocks of 30/K sessions each (ctxbench's, then the peer's of every
# shape), so both sample the same stretch of time; the peer's rounds R come from the first block.
blocks=${BLOCKS:-1}
sessions=${SESSIONS:-30}
per=$((sessions / blocks))
lines=$peer_lines
filter="^ctxswitch\.futex_wake_parallel/($(for p in $pairs; do printf 'waiters:%s/wakers:%s|' ${p%/*} ${p#*/}; done | sed 's/|$//'))/"
{
  session_header "SHAPES=\"$pairs\" BLOCKS=$blocks SESSIONS=$sessions PEER_LINES=\"$lines\" bash results/futex/wake_parallel_30.sh" \
    "waker/caller on CPU $a; shapes $pairs; $blocks block(s)"
  for b in $(seq "$blocks"); do
    ctxbench_block "$b" "$filter" "$per"
    [[ $b == 1 ]] && python3 results/futex/repetition_medians.py "$tmp/cb1.json" |
      awk '$2 == "rounds" {print $1, $3}' > "$tmp/rounds.txt"
    for p in $pairs; do
      n=${p%/*}
      w=${p#*/}
      rounds=$(awk -v s="$p" '$1 == s {print $2}' "$tmp/rounds.txt")
      k=0
      for opts in $lines; do
        k=$((k + 1))
        echo "=== peer $p $opts: $per processes of $rounds rounds $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
        for i in $(seq $per); do $peer parallel $n "$rounds" $a 0 $w "values,$opts"; done >> "$tmp/peer${n}_${w}_$k.txt"
      done
    done
  done
  python3 results/futex/repetition_medians.py "$tmp"/cb*.json | grep -v -e " ops_per_sample " -e " ms " \
    > "$tmp/sessions.txt"
  for p in $pairs; do
    k=0
    for opts in $lines; do
      k=$((k + 1))
      side=peer
      [[ $opts == serial-start ]] || side="peer+${opts/serial-start,/}"
      peer_session_medians "$tmp/peer${p%/*}_${p#*/}_$k.txt" "$p" "$side" >> "$tmp/sessions.txt"
    done
  done
  echo "=== per-session medians (us), ctxbench repetitions and peer processes"
  cat "$tmp/sessions.txt"
  echo "=== results/futex/session_modes.py"
  python3 results/futex/session_modes.py "$tmp/sessions.txt"
  echo "load at end: $(cat /proc/loadavg)"
} > "${OUT:-$out/wake_parallel_30.txt}" 2>&1
