#!/usr/bin/env bash
# Quiet measurement of one hand-off over every wait (blocking read, futex, futex_waitv, epoll, io_uring,
# MSG_RING), threads and processes, beside their C and perf peers (docs/METHODOLOGY.md, "Hand-offs an event
# loop makes"). Holds the machine's quiet lock; starts once the 1-minute load is below 0.3. Writes
# handoffs.json/.txt, peers.txt and table.md (the table README.md and METHODOLOGY show) beside this script.
set -u
cd "$(dirname "$0")/../.."
out=results/handoffs
source results/quiet.sh
gcc -O2 -Wall -Wextra -o /tmp/peer-futex-waitv peers/futex_waitv_pingpong.c -lpthread || exit 2
wait_quiet > $out/peers.txt
./build/ctxbench --suite full \
  --filter '^ctxswitch\.(pipe|futex|futex_waitv|eventfd|eventfd_epoll|pipe_epoll|eventfd_uring|pipe_uring|msg_ring)\.(thread|process)/' \
  --json $out/handoffs.json > $out/handoffs.txt 2>&1
echo "ctxbench exit $?" >> $out/peers.txt
for r in 1 2 3; do
  {
    taskset -c 0 ./build/peer-epoll-pingpong 20000
    ./build/peer-epoll-pingpong 20000
    taskset -c 0 perf bench sched pipe -T -l 20000 2>&1 | grep usecs/op
    /tmp/peer-futex-waitv 100000 0 0
  } >> $out/peers.txt 2>&1
done
echo "load at end: $(cat /proc/loadavg)" >> $out/peers.txt
python3 $out/table.py $out/handoffs.json > $out/table.md
