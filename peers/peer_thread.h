/* What the futex peers (futex_waitv_pingpong.c, futex_wake_once.c) share: pinning the calling thread and a
 * CLOCK_MONOTONIC read in ns. Header-only: each peer stays one compile of one C file. */
#ifndef CTXBENCH_PEERS_PEER_THREAD_H
#define CTXBENCH_PEERS_PEER_THREAD_H
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Pins the calling thread to cpu; a negative cpu leaves it unpinned. Exits 2 naming the CPU if it cannot. */
static inline void pin(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
    fprintf(stderr, "cannot pin to CPU %d\n", cpu);
    exit(2);
  }
}

static inline uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

#endif
