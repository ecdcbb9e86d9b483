/* What the C-loop peers that time each op and print percentiles share: a CLOCK_MONOTONIC read in ns and the
 * qsort order of those times. Header-only: each peer stays one compile of one C file. */
#ifndef CTXBENCH_PEERS_PEER_CLOCK_H
#define CTXBENCH_PEERS_PEER_CLOCK_H
#include <time.h>

static inline long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* qsort's comparison for long long. */
static inline int cmp(const void* a, const void* b) {
  long long x = *(const long long*)a, y = *(const long long*)b;
  return (x > y) - (x < y);
}

#endif
