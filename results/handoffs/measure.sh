#!/usr/bin/env bash
# Quiet measurement of the event-loop hand-offs beside their C and perf peers. Run under the quiet lock.
set -u
cd "$(dirname "$0")/../.."
for i in $(seq 60); do
  l=$(cut -d' ' -f1 /proc/loadavg); awk -v l="$l" 'BEGIN{exit !(l<0.3)}' && break; sleep 5
done
echo "load at start: $(cat /proc/loadavg)"
./build/ctxbench --suite full --filter '^ctxswitch\.(pipe|futex|eventfd|eventfd_epoll|pipe_epoll|eventfd_uring|pipe_uring|msg_ring)\.thread/' --json results/handoffs/handoff.json > results/handoffs/handoff.txt 2>&1
echo "ctxbench exit $?"
for r in 1 2 3; do
  taskset -c 0 ./build/peer-epoll-pingpong 20000
  ./build/peer-epoll-pingpong 20000
  taskset -c 0 perf bench sched pipe -T -l 20000 2>&1 | grep usecs/op
done
echo "load at end: $(cat /proc/loadavg)"
