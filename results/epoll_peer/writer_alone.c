// perf bench epoll wait's writer thread alone (tools/perf/bench/epoll-wait.c, writerfn, with -t 1 -f 1): one
// write of 1 to a non-blocking eventfd, then nanosleep(500 ns), N times, with no worker reading. Prints the
// time per loop: what the writer's cadence is when nothing else runs.  Usage: writer_alone N
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const long n = argc > 1 ? atol(argv[1]) : 20000;
  const int fd = eventfd(0, EFD_NONBLOCK);
  if (fd < 0 || n <= 0) return 2;
  const uint64_t one = 1;
  const struct timespec pause = {0, 500};
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    if (write(fd, &one, sizeof one) != sizeof one) return 1;
    nanosleep(&pause, NULL);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  const double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
  printf("writer alone: %ld loops, %.0f ns per loop\n", n, ns / (double)n);
  return 0;
}
