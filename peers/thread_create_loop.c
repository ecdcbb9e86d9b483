/* Peer for thread.create_join: pthread_create() of an empty thread, then pthread_join(); each op timed
 * with CLOCK_MONOTONIC; prints the median and the 10th/90th percentiles.
 * Usage: peer-thread-create-loop [ITERATIONS]  (default 50000; run under `taskset -c 0` for same-cpu). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "peer_clock.h"

static void* empty(void* arg) { return arg; }

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 50000;
  if (n < 10) n = 10;
  long long* t = malloc(sizeof *t * (size_t)n);
  if (t == NULL) return 1;
  for (int i = 0; i < n; ++i) {
    long long start = now_ns();
    pthread_t th;
    if (pthread_create(&th, NULL, empty, NULL) != 0 || pthread_join(th, NULL) != 0) return 1;
    t[i] = now_ns() - start;
  }
  qsort(t, (size_t)n, sizeof *t, cmp);
  printf("pthread_create+join: n=%d p50=%.2f us p10=%.2f us p90=%.2f us\n", n, t[n / 2] / 1e3, t[n / 10] / 1e3,
         t[n * 9 / 10] / 1e3);
  return 0;
}
