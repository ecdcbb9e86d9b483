/* Peer for process.fork_exit: the smallest process that forks. fork(), the child _exit(0)s, the parent
 * waitpid()s; each op timed with CLOCK_MONOTONIC; prints the median and the 10th/90th percentiles.
 * Usage: peer-fork-exit-loop [ITERATIONS]  (default 20000; run under `taskset -c 0` for same-cpu). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "peer_clock.h"

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20000;
  if (n < 10) n = 10;
  long long* t = malloc(sizeof *t * (size_t)n);
  if (t == NULL) return 1;
  for (int i = 0; i < n; ++i) {
    long long start = now_ns();
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0 || waitpid(pid, NULL, 0) != pid) return 1;
    t[i] = now_ns() - start;
  }
  qsort(t, (size_t)n, sizeof *t, cmp);
  printf("fork+_exit+waitpid: n=%d p50=%.1f us p10=%.1f us p90=%.1f us\n", n, t[n / 2] / 1e3, t[n / 10] / 1e3,
         t[n * 9 / 10] / 1e3);
  return 0;
}
