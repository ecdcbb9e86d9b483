#!/usr/bin/env bash
# What sets ctxswitch.futex_lock_pi's per-op time against peers/futex_lock_pi_loop.c (docs/METHODOLOGY.md,
# "Futex contention", "lock_pi hand-offs, measured"): per session, both tools count every acquisition whose
# previous holder was another thread (hand-off share) and whose previous holder ran on another CPU (cross-CPU
# share), beside the kernel's switches per acquisition. Three sides, interleaved in BLOCKS blocks of PER sessions
# each, their order rotating every block:
# - ctxbench same-cpu, one repetition per process (so the record's metrics are one session's);
# - the peer as lock_pi_30.sh runs it (62 ms timed at once, caller on this shell's first CPU, no reads);
# - the peer with WARMUP ms (default 20) of contention before its timed window, as ctxbench's session runs its
#   batch calibration and 10 ms warm-up (engine/runner.cpp run_repetition) before its window.
# - with SIDES naming `reps`: ctxbench with --repetitions PER in one process, as lock_pi_30.sh runs it (each
#   repetition a fresh session, its median a line; the record's metrics pool the PER sessions, so its lines
#   carry "-" there and the pooled figures go on a `#` line).
# - with SIDES naming `serial`: the peer starting its threads one at a time as ctxbench's session does, the caller
#   waiting and taking the lock only after all started (the peer's SERIAL argument).
# SIDES (default "cb peer warm") names the sides; their order rotates every block.
# The peer times batches of BATCH_N (N = 2, 4, 8: 132, 104, 65, lock_pi_30_1.txt's) lock+unlocks.
# Holds the quiet lock (results/quiet.sh). Run after building ctxbench and peer-futex-lock-pi:
#   OUT=results/futex/lock_pi_cause_1.txt bash results/futex/lock_pi_cause.sh   (NS "2 4 8", BLOCKS 6, PER 5)
# Then lock_pi_cause.py on the per-session lines: each side's medians, and time against cross-CPU share.
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built build/ctxbench build/peer-futex-lock-pi
a=$(taskset -pc $$ | sed "s/.*: //; s/[,-].*//")  # the caller's CPU: this shell's first
ns=${NS:-2 4 8}
blocks=${BLOCKS:-6}
per=${PER:-5}
warm=${WARMUP:-20}
sides=${SIDES:-cb peer warm}
declare -A batch=([1]=160 [2]=132 [4]=104 [8]=65)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One session line: SIDE N us acquisitions/s switches/acq hand-off-share cross-cpu-share
peer_line() {
  sed -nE "s/.*p50 ([0-9]+) ns.*threads ([0-9]+) acquisitions\/s, ([0-9.]+) switches per acquisition.*hand-offs ([0-9.]+), cross-CPU ([0-9.]+).*/$1 $2 \1 \2 \3 \4 \5/p" |
    awk '{printf "%s %s %.2f %s %s %s %s\n", $1, $2, $3 / 1000, $4, $5, $6, $7}'
}
cb_line() {
  python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    m = r["metrics"]
    print(sys.argv[2], sys.argv[3],
          "%.2f" % (r["repetitions"][0]["median_ns"] / 1000), int(m["acquisitions_per_second"]),
          "%.3f" % m["switches_per_acquisition"], "%.3f" % m["handoff_share"], "%.3f" % m["cross_cpu_handoff_share"])
' "$tmp/cb.json" "$1" "$2"
}
{
  wait_quiet
  uname -r
  echo "command: NS=\"$ns\" BLOCKS=$blocks PER=$per WARMUP=$warm SIDES=\"$sides\" bash results/futex/lock_pi_cause.sh"
  echo "commit $(git rev-parse --short HEAD), CPUs $(taskset -pc $$ | sed "s/.*: //"), caller on CPU $a"
  echo "=== per session: SIDE N us_per_op acquisitions_per_s switches_per_acq handoff_share cross_cpu_share"
  for b in $(seq "$blocks"); do
    order=$(echo $sides | awk -v b="$b" '{for (i = 0; i < NF; ++i) printf "%s ", $((i + b - 1) % NF + 1)}')
    echo "# block $b ($order) $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    for n in $ns; do
      for side in $order; do
        if [[ $side == reps ]]; then
          ./build/ctxbench --suite ctxswitch --filter "^ctxswitch\.futex_lock_pi/waiters:$n/" --placement same \
            --repetitions "$per" --json "$tmp/cb.json" > /dev/null 2>&1 || echo "# ctxbench exit $?"
          python3 results/futex/repetition_medians.py "$tmp/cb.json" | grep " ctxbench " | cut -d' ' -f3 | tr , '\n' |
            awk -v n="$n" -v p="$per" '{print "ctxbench-reps" p, n, $1, "-", "-", "-", "-"}'
          echo "# ctxbench-reps$per $n pooled: $(cb_line x "$n" | cut -d' ' -f4-)"
          continue
        fi
        for i in $(seq "$per"); do
          case $side in
            cb)
              ./build/ctxbench --suite ctxswitch --filter "^ctxswitch\.futex_lock_pi/waiters:$n/" --placement same \
                --repetitions 1 --json "$tmp/cb.json" > /dev/null 2>&1 || echo "# ctxbench exit $?"
              cb_line ctxbench "$n" ;;
            peer) ./build/peer-futex-lock-pi "$n" 62 "$a" "${batch[$n]}" 0 | peer_line peer "$n" ;;
            serial) ./build/peer-futex-lock-pi "$n" 62 "$a" "${batch[$n]}" 0 0 0 1 | peer_line peer+serial "$n" ;;
            warm) ./build/peer-futex-lock-pi "$n" 62 "$a" "${batch[$n]}" 0 0 "$warm" | peer_line "peer+warmup$warm" "$n" ;;
          esac
        done
      done
    done
  done | tee "$tmp/sessions.txt"
  echo "=== results/futex/lock_pi_cause.py: per side, and time per op against the cross-CPU share"
  python3 results/futex/lock_pi_cause.py "$tmp/sessions.txt"
  echo "=== results/futex/session_modes.py: ctxbench (one repetition per process) against the other sides"
  # session_modes.py compares ctxbench (or --against's side) with `peer` and `peer+...` sides only: the reps side
  # goes in as `peer+ctxbench-repsPER`.
  grep -v '^#' "$tmp/sessions.txt" | sed 's/^ctxbench-reps/peer+ctxbench-reps/' | awk '{s[$2" "$1] = s[$2" "$1] (s[$2" "$1] == "" ? "" : ",") $3}
    END {for (k in s) print k, s[k]}' | sort -n > "$tmp/modes.txt"
  python3 results/futex/session_modes.py "$tmp/modes.txt"
  echo "=== results/futex/session_modes.py --against peer: the other sides against the plain peer"
  python3 results/futex/session_modes.py --against peer "$tmp/modes.txt"
  echo "load at end: $(cat /proc/loadavg)"
} > "${OUT:-results/futex/lock_pi_cause.txt}" 2>&1
