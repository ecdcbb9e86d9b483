#!/usr/bin/env bash
# ctxbench's epoll hand-off beside `perf bench epoll wait` (issue 24), quiet, three rounds back to back:
# each round runs ctxswitch.eventfd_epoll.thread same-cpu and cross-cpu (CPUs 0 and 1), then the peer
# with one worker thread on one eventfd (-t 1 -f 1, blocking epoll_wait, level-triggered: the closest
# perf offers to the hand-off) in four settings:
#   shipped     perf pins its worker to CPU 0, its writer thread is unpinned; default timer slack (50 us)
#   same-cpu    taskset -c 0: writer and worker on CPU 0; default timer slack
#   same-slack  taskset -c 0, timer slack 1 ns (prctl(PR_SET_TIMERSLACK) inherited through exec)
#   cross-slack taskset -c 1: writer on CPU 1, worker on CPU 0 (perf's own pin); timer slack 1 ns
# perf's writer sleeps nanosleep(500 ns) after each write, so the slack setting bounds its cadence.
# -v prints the writer's loop count (a loop: one write, one nanosleep), beside the worker's ops. Then the
# writer's loop alone on CPU 0 (writer_alone.c: the same write + nanosleep(500 ns), no worker), default slack
# and 1 ns: the cadence perf's writer can reach by itself.
# Holds the quiet lock; waits for the 1-minute load below 0.3 before each round.
# Writes ctxbench_r{1,2,3}.json, peer_r{1,2,3}_<setting>.txt, writer_r{1,2,3}_{default,slack}.txt, output.txt
# and table.md beside this script.
set -u
cd "$(dirname "$0")/../.."
out=results/epoll_peer
source results/quiet.sh
gcc -O2 -Wall -Wextra -o /tmp/epoll-peer-writer-alone $out/writer_alone.c || exit 2
# Runs its arguments with a timer slack of 1 ns (prctl PR_SET_TIMERSLACK; threads and exec inherit it).
slack1=(python3 -c 'import ctypes, os, sys
if ctypes.CDLL(None, use_errno=True).prctl(29, 1, 0, 0, 0) != 0: sys.exit("prctl(PR_SET_TIMERSLACK) failed")
os.execvp(sys.argv[1], sys.argv[1:])')
peer() {  # peer SETTING [prefix command...]: one 5 s run, verbose (the writer's loop count)
  local setting=$1
  shift
  "$@" perf bench epoll wait -t 1 -f 1 -r 5 -v > $out/peer_r${r}_$setting.txt 2>&1
}
{
  for r in 1 2 3; do
    wait_quiet
    ./build/ctxbench --suite full --cpus 0,1 --placement same,cross \
      --filter '^ctxswitch\.eventfd_epoll\.thread/' --json $out/ctxbench_r$r.json
    peer shipped
    peer same-cpu taskset -c 0
    peer same-slack taskset -c 0 "${slack1[@]}"
    peer cross-slack taskset -c 1 "${slack1[@]}"
    taskset -c 0 /tmp/epoll-peer-writer-alone 20000 > $out/writer_r${r}_default.txt 2>&1
    taskset -c 0 "${slack1[@]}" /tmp/epoll-peer-writer-alone 50000 > $out/writer_r${r}_slack.txt 2>&1
  done
  echo "load at end: $(cat /proc/loadavg)"
} > $out/output.txt 2>&1
python3 $out/table.py $out > $out/table.md
