#!/usr/bin/env bash
# ctxswitch.futex_lock_pi against peers/futex_lock_pi_loop.c with 30 sessions each side, interleaved, as
# wake_parallel_30.sh does for wake_parallel (docs/METHODOLOGY.md, "Interleaved, thirty sessions each side": a
# state of the machine that lasts seconds moves both tools, so the sides alternate in blocks):
# - ctxbench same-cpu, --repetitions SESSIONS/BLOCKS per block (each repetition a fresh session);
# - the peer (the caller on this shell's first CPU, contenders round-robin from the next, no reads unless READS), SESSIONS/BLOCKS
#   processes per block, each as long as ctxbench's median measured time per repetition and timing batches of
#   ctxbench's median ops per sample (both from the first block; BATCH overrides the batch);
# - the same peer again as its own copy (`peer+copy`), for the A/A line: how far the peer is from itself over
#   the same stretch of time. Peer and copy swap order every block.
# Then session_modes.py: ctxbench against the peer and against the copy, and `--against peer` the copy against
# the peer. Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/lock_pi_30.sh`
# after building ctxbench and peer-futex-lock-pi. Output: results/futex/lock_pi_30.txt (OUT names another);
# NS ("2 4 8") the contender counts, BLOCKS (6), SESSIONS (30); READS=1 gives peer and copy ctxbench's
# per-sample reads of every contender's /proc stat after each batch (the peer's READS); COPY_READS (default
# READS) sets the copy's alone, so `READS=0 COPY_READS=1` measures what the reads move, in the same time.
# COPY_SERIAL=1 starts the copy's contenders one at a time as ctxbench's session does (the peer's SERIAL), so the
# copy against the peer measures what thread start-up order moves (docs/METHODOLOGY.md, "lock_pi hand-offs").
# Each ctxbench block also prints its records' pooled hand-off and cross-CPU shares, the peer's lines their own
# (results/futex/lock_pi_cause.sh, docs/METHODOLOGY.md "lock_pi hand-offs, measured").
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built build/ctxbench build/peer-futex-lock-pi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source results/futex/sessions_lib.sh
cpus=($(taskset -pc $$ | sed "s/.*: //" | tr ",-" "  "))
a=${cpus[0]}
ns=${NS:-2 4 8}
blocks=${BLOCKS:-6}
sessions=${SESSIONS:-30}
per=$((sessions / blocks))
reads=${READS:-0}
copy_reads=${COPY_READS:-$reads}
copy_serial=${COPY_SERIAL:-0}
filter="^ctxswitch\.futex_lock_pi/waiters:($(echo $ns | tr ' ' '|'))/"
{
  session_header "NS=\"$ns\" BLOCKS=$blocks SESSIONS=$sessions${BATCH:+ BATCH=$BATCH} READS=$reads COPY_READS=$copy_reads${COPY_SERIAL:+ COPY_SERIAL=$copy_serial} bash results/futex/lock_pi_30.sh" \
    "caller on CPU $a; contenders $ns; $blocks blocks"
  for b in $(seq "$blocks"); do
    ctxbench_block "$b" "$filter" "$per"
    # The block's records pooled over their repetitions: hand-off and cross-CPU shares (lock_pi_cause.sh's figures)
    python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    m = r.get("metrics", {})
    if "cross_cpu_handoff_share" in m:
        print("ctxbench pooled %s: %d acquisitions/s, %.3f switches per acquisition; hand-offs %.3f, cross-CPU %.3f"
              % (r["id"], m["acquisitions_per_second"], m["switches_per_acquisition"], m["handoff_share"],
                 m["cross_cpu_handoff_share"]))' "$tmp/cb$b.json"
    [[ $b == 1 ]] && python3 results/futex/repetition_medians.py "$tmp/cb1.json" > "$tmp/shape.txt"
    sides="peer copy"
    ((b % 2 == 0)) && sides="copy peer"
    for n in $ns; do
      ms=$(awk -v s="$n" '$1 == s && $2 == "ms" {print $3}' "$tmp/shape.txt")
      batch=${BATCH:-$(awk -v s="$n" '$1 == s && $2 == "ops_per_sample" {print $3}' "$tmp/shape.txt")}
      for side in $sides; do
        r=$reads serial=0
        [[ $side == copy ]] && r=$copy_reads serial=$copy_serial
        echo "=== $side $n: $per processes of $ms ms, batch $batch, reads $r, serial $serial $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
        for i in $(seq $per); do ./build/peer-futex-lock-pi $n "$ms" $a "$batch" $r 0 0 $serial; done | tee -a "$tmp/$side$n.txt"
      done
    done
  done
  python3 results/futex/repetition_medians.py "$tmp"/cb*.json | grep " ctxbench " > "$tmp/sessions.txt"
  for n in $ns; do
    for side in peer copy; do
      label=peer
      [[ $side == copy ]] && label=peer+copy
      echo "$n $label $(sed -nE 's/.*caller p50 ([0-9]+) ns.*/\1/p' "$tmp/$side$n.txt" |
        awk '{printf "%s%.2f", (NR > 1 ? "," : ""), $1 / 1000}')" >> "$tmp/sessions.txt"
    done
  done
  session_report "peer and copy" "the peer and against its copy" "the peer against its own copy (A/A)"
} > "${OUT:-results/futex/lock_pi_30.txt}" 2>&1
