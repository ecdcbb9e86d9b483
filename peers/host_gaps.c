/* Gaps in a spinning task's time on one CPU: the task reads CLOCK_MONOTONIC in a loop, pinned to CPU, for
 * SECONDS, and prints every gap between two reads longer than MIN_NS as "gap START_NS END_NS" (the clock
 * bpf_ktime_get_ns reads, so results/tail/host_gaps.sh can lay the guest kernel's own events over them).
 * A gap with no guest event inside (no interrupt, softirq, switch or fault on that CPU) is time the guest
 * cannot see being taken: on a VM, the host running something else (docs/METHODOLOGY.md, "The tail,
 * explained"). Last line: "spun SECONDS s, N reads, G gaps".
 * Usage: peer-host-gaps CPU SECONDS [MIN_NS]   (MIN_NS default 2000) */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "peer_clock.h"

enum { kMaxGaps = 1 << 20 };
static long long gap_start[kMaxGaps], gap_end[kMaxGaps];

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s CPU SECONDS [MIN_NS]\n", argv[0]);
    return 2;
  }
  int cpu = atoi(argv[1]);
  double seconds = atof(argv[2]);
  long long min_ns = argc > 3 ? atoll(argv[3]) : 2000;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (seconds <= 0 || min_ns <= 0 || sched_setaffinity(0, sizeof set, &set) != 0) {
    fprintf(stderr, "%s: bad CPU %s, SECONDS %s or MIN_NS\n", argv[0], argv[1], argv[2]);
    return 2;
  }
  long long start = now_ns(), stop = start + (long long)(seconds * 1e9), prev = start, reads = 0;
  int gaps = 0;
  for (;;) {
    long long t = now_ns();
    ++reads;
    if (t - prev > min_ns && gaps < kMaxGaps) {
      gap_start[gaps] = prev;
      gap_end[gaps++] = t;
    }
    prev = t;
    if (t >= stop) break;
  }
  for (int i = 0; i < gaps; ++i) printf("gap %lld %lld\n", gap_start[i], gap_end[i]);
  printf("spun %.3f s, %lld reads, %d gaps\n", (prev - start) / 1e9, reads, gaps);
  return 0;
}
