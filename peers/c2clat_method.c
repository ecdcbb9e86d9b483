/* Peer for shm.c2c: c2clat's method, written from its description. Two threads pinned to CPUs A and B,
 * two flags on two separate cache lines: A writes the sequence number to its flag and waits for B's flag
 * to show it; B waits for A's flag and echoes it into its own. A sample is 100 round trips timed with
 * CLOCK_MONOTONIC; c2clat reports the MINIMUM sample / 2 as one-way. This prints that and the median.
 * Mode "one" puts both directions on ONE cache line (how shm.c2c does it) to separate the two effects.
 * Usage: peer-c2clat-method CPU_A CPU_B [two|one] [SAMPLES]  (default two, 1000 samples). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "peer_clock.h"

enum { kRounds = 100 };

struct Lines {
  _Alignas(128) _Atomic long a_flag; /* A writes; in "one" mode both directions use this line */
  _Alignas(128) _Atomic long b_flag;
  int one_line;
  int cpu_b;
  long total;
};

static void pin(int cpu) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  if (pthread_setaffinity_np(pthread_self(), sizeof s, &s) != 0) {
    fprintf(stderr, "cannot pin to CPU %d\n", cpu);
    exit(1);
  }
}

static void* partner(void* arg) {
  struct Lines* l = arg;
  pin(l->cpu_b);
  for (long n = 1; n <= l->total; ++n) {
    if (l->one_line) { /* A stores 2n-1, B answers 2n on the same line */
      while (atomic_load_explicit(&l->a_flag, memory_order_acquire) != 2 * n - 1) {
      }
      atomic_store_explicit(&l->a_flag, 2 * n, memory_order_release);
    } else {
      while (atomic_load_explicit(&l->a_flag, memory_order_acquire) != n) {
      }
      atomic_store_explicit(&l->b_flag, n, memory_order_release);
    }
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s CPU_A CPU_B [two|one] [SAMPLES]\n", argv[0]);
    return 2;
  }
  int cpu_a = atoi(argv[1]);
  struct Lines* l = aligned_alloc(128, sizeof *l);
  memset(l, 0, sizeof *l);
  l->cpu_b = atoi(argv[2]);
  l->one_line = argc > 3 && strcmp(argv[3], "one") == 0;
  int samples = argc > 4 ? atoi(argv[4]) : 1000;
  if (samples < 10) samples = 10;
  l->total = (long)samples * kRounds;
  long long* t = malloc(sizeof *t * (size_t)samples);
  pthread_t th;
  if (pthread_create(&th, NULL, partner, l) != 0) return 1;
  pin(cpu_a);
  long n = 0;
  for (int s = 0; s < samples; ++s) {
    long long start = now_ns();
    for (int r = 0; r < kRounds; ++r) {
      ++n;
      if (l->one_line) {
        atomic_store_explicit(&l->a_flag, 2 * n - 1, memory_order_release);
        while (atomic_load_explicit(&l->a_flag, memory_order_acquire) != 2 * n) {
        }
      } else {
        atomic_store_explicit(&l->a_flag, n, memory_order_release);
        while (atomic_load_explicit(&l->b_flag, memory_order_acquire) != n) {
        }
      }
    }
    t[s] = now_ns() - start;
  }
  pthread_join(th, NULL);
  qsort(t, (size_t)samples, sizeof *t, cmp);
  printf("c2c %s line(s) CPUs %d-%d: one way min %.1f ns, p50 %.1f ns (samples of %d round trips, n=%d)\n",
         l->one_line ? "one" : "two", cpu_a, l->cpu_b, t[0] / (2.0 * kRounds), t[samples / 2] / (2.0 * kRounds),
         kRounds, samples);
  return 0;
}
