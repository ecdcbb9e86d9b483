/* Peer for ctxswitch.eventfd_epoll.thread: two threads, each sleeping in epoll_wait on its own eventfd,
 * hand a token back and forth (write the other's eventfd, wait on one's own, read it); each round trip
 * timed with CLOCK_MONOTONIC; prints the median and the 10th/90th percentiles.
 * Usage: peer-epoll-pingpong [ROUND_TRIPS]  (default 20000; `taskset -c 0` for same-cpu, `-c 0,1` leaves
 * the placement to the scheduler: this peer does not pin its threads). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "peer_clock.h"

static int fds[2], eps[2], rounds;

/* Waits on side s's epoll set, then consumes its eventfd's count. */
static void wait_token(int s) {
  struct epoll_event ev;
  uint64_t v;
  while (epoll_wait(eps[s], &ev, 1, -1) != 1) {
  }
  if (read(fds[s], &v, sizeof v) != sizeof v) exit(1);
}

static void send_token(int s) {
  uint64_t one = 1;
  if (write(fds[s], &one, sizeof one) != sizeof one) exit(1);
}

static void* partner(void* arg) {
  for (int i = 0; i < rounds; ++i) {
    wait_token(1);
    send_token(0);
  }
  return arg;
}

int main(int argc, char** argv) {
  rounds = argc > 1 ? atoi(argv[1]) : 20000;
  if (rounds < 10) rounds = 10;
  for (int s = 0; s < 2; ++s) {
    struct epoll_event ev = {.events = EPOLLIN};
    fds[s] = eventfd(0, EFD_NONBLOCK);
    eps[s] = epoll_create1(0);
    if (fds[s] < 0 || eps[s] < 0 || epoll_ctl(eps[s], EPOLL_CTL_ADD, fds[s], &ev) != 0) return 1;
  }
  long long* t = malloc(sizeof *t * (size_t)rounds);
  pthread_t th;
  if (t == NULL || pthread_create(&th, NULL, partner, NULL) != 0) return 1;
  for (int i = 0; i < rounds; ++i) {
    long long start = now_ns();
    send_token(1);
    wait_token(0);
    t[i] = now_ns() - start;
  }
  pthread_join(th, NULL);
  qsort(t, (size_t)rounds, sizeof *t, cmp);
  printf("epoll eventfd round trip: n=%d p50=%.2f us p10=%.2f us p90=%.2f us\n", rounds, t[rounds / 2] / 1e3,
         t[rounds / 10] / 1e3, t[rounds * 9 / 10] / 1e3);
  return 0;
}
