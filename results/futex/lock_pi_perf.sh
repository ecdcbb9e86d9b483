#!/usr/bin/env bash
# perf bench futex lock-pi beside peers/futex_lock_pi_loop.c doing what perf's workers do (docs/METHODOLOGY.md,
# "Futex contention"): every thread holds the PI lock across usleep(1) (HOLD_US = 1; perf's workerfn in
# tools/perf/bench/futex-lock-pi.c: lock, usleep(1), unlock, count). perf -t T runs T workers pinned to CPU i mod
# CPUs; the peer runs its caller on this shell's first CPU and T - 1 contenders round-robin from the next, so the
# same number of threads on each CPU. Same runtime (RUNTIME s, default 2), three rounds back to back, T = 2, 4, 8.
# Compared: perf's "Averaged N operations/sec" (each worker's lock+unlocks over the whole seconds of its run) and
# the peer's "each thread N acquisitions/s" (the mean over its threads of the same count over its timed window).
# Holds the machine's quiet lock (results/quiet.sh); run as plain `bash results/futex/lock_pi_perf.sh` after
# building peer-futex-lock-pi. Output: results/futex/lock_pi_perf.txt (OUT names another).
set -u
cd "$(dirname "$0")/../.."
source results/quiet.sh
require_built build/peer-futex-lock-pi
cpus=($(taskset -pc $$ | sed "s/.*: //" | tr ",-" "  "))
a=${cpus[0]}
secs=${RUNTIME:-2}
{
  wait_quiet
  uname -r
  perf --version
  echo "command: RUNTIME=$secs bash results/futex/lock_pi_perf.sh"
  echo "commit $(git rev-parse --short HEAD), CPUs ${cpus[*]}, peer caller on CPU $a"
  for r in 1 2 3; do
    echo "=== round $r $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    for t in 2 4 8; do
      echo "perf bench futex lock-pi -t $t -r $secs: $(perf bench futex lock-pi -t $t -r $secs -s | grep Averaged)"
      ./build/peer-futex-lock-pi $((t - 1)) $((secs * 1000)) $a 10 0 1
    done
  done
  echo "load at end: $(cat /proc/loadavg)"
} > "${OUT:-results/futex/lock_pi_perf.txt}" 2>&1
