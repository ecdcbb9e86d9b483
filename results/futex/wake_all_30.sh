#!/usr/bin/env bash
# ctxswitch.futex_wake_all against peers/futex_wake_once.c `all` with 30 sessions each side, interleaved, as
# wake_parallel_30.sh and lock_pi_30.sh do (docs/METHODOLOGY.md, "Futex contention": ten sessions a side pin a
# per-session distribution down badly, and a state of the machine that lasts seconds moves both tools):
# - ctxbench same-cpu, --repetitions SESSIONS/BLOCKS per block (each repetition a fresh session), N waiters;
# - the peer like for like, as contention.sh runs it (the waker on this shell's first CPU, waiter i on the
#   (i+1)-th CPU after it, ctxbench's spread; no sleep before the timed call) and started as ctxbench starts its
#   threads (serial-start: each thread pinned and running before the next is created, engine/os_task.cpp),
#   SESSIONS/BLOCKS processes per block of R rounds, R = ctxbench's median samples per repetition of that N in
#   the first block;
# - the same peer again as its own copy (`peer+copy`), for the A/A line;
# - unless ROUND_END=0, the peer given ctxbench's round end too (`peer+round-end`: wait-ran,stamp,reads, the
#   caller sleeping until every woken waiter ran, reading their stamps and every thread's /proc stat).
# The peer sides rotate their order every block. Each peer process runs under /usr/bin/time, so its threads'
# voluntary and involuntary switches per round are printed per side beside ctxbench's pooled switches per op
# (both include the caller's 20 us polls for the waiters to sleep; the peer's also its set-up).
# Then session_modes.py: ctxbench against every peer side, and `--against peer` the copy and the round-end peer
# against the peer. Holds the machine's quiet lock (results/quiet.sh); run as plain
# `bash results/futex/wake_all_30.sh` after building ctxbench and peer-futex-wake-once.
# Output: results/futex/wake_all_30.txt (OUT names another); NS ("1 2 4 8"), BLOCKS (6), SESSIONS (30), ROUND_END.
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
source results/futex/wake_parallel_lib.sh
source results/futex/sessions_lib.sh
ns=${NS:-1 2 4 8}
blocks=${BLOCKS:-6}
sessions=${SESSIONS:-30}
per=$((sessions / blocks))
round_end=${ROUND_END:-1}
sides="peer copy"
((round_end)) && sides="$sides round-end"

# block B: ctxbench's sessions of block B and its pooled switches per op, then every peer side's, in an order
# turned by one side every block.
block() {
  ctxbench_block "$1" "^ctxswitch\.futex_wake_all/waiters:($(echo $ns | tr ' ' '|'))/" "$per"
  python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    s = r.get("switches_per_op", {})
    print("ctxbench pooled %s: switches per op %.2f (voluntary %.2f, involuntary %.2f)"
          % (r["id"], s.get("measured", 0), s.get("voluntary", 0), s.get("involuntary", 0)))' "$tmp/cb$1.json"
  [[ $1 == 1 ]] && python3 results/futex/repetition_medians.py "$tmp/cb1.json" > "$tmp/shape.txt"
  local order=$sides n i side opts rounds
  for i in $(seq $((($1 - 1) % $(wc -w <<< "$sides")))); do order="${order#* } ${order%% *}"; done
  for n in $ns; do
    rounds=$(awk -v s="$n" '$1 == s && $2 == "rounds" {print $3}' "$tmp/shape.txt")
    for side in $order; do
      opts=values,serial-start
      [[ $side == round-end ]] && opts=$opts,wait-ran,stamp,reads
      echo "=== $side $n: $per processes of $rounds rounds, $opts $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
      for i in $(seq $per); do
        /usr/bin/time -f "  switches: voluntary %w involuntary %c" $peer all $n "$rounds" $a 0 0 $opts 2>&1
      done >> "$tmp/$side$n.txt"
    done
  done
}

{
  session_header "NS=\"$ns\" BLOCKS=$blocks SESSIONS=$sessions ROUND_END=$round_end bash results/futex/wake_all_30.sh" \
    "waker/caller on CPU $a; waiters $ns; $blocks blocks"
  for b in $(seq "$blocks"); do block "$b"; done
  python3 results/futex/repetition_medians.py "$tmp"/cb*.json | grep " ctxbench " > "$tmp/sessions.txt"
  echo "=== peer switches per round (all its threads, median over its processes; rounds from the first block)"
  for n in $ns; do
    rounds=$(awk -v s="$n" '$1 == s && $2 == "rounds" {print $3}' "$tmp/shape.txt")
    for side in $sides; do
      label=peer
      [[ $side != peer ]] && label=peer+$side
      peer_session_medians "$tmp/$side$n.txt" "$n" "$label" >> "$tmp/sessions.txt"
      awk -v n="$n" -v l="$label" -v r="$rounds" '/^  switches:/ {v[++k] = $3 / r; c[k] = $5 / r}
        END {asort(v); asort(c); m = int((k + 1) / 2)
             printf "%s %s: %d processes, voluntary %.2f, involuntary %.2f\n", n, l, k, v[m], c[m]}' \
        "$tmp/$side$n.txt"
    done
  done
  session_report "peer" "each peer side" "the copy (A/A) and the round-end peer against the peer"
} > "${OUT:-results/futex/wake_all_30.txt}" 2>&1
