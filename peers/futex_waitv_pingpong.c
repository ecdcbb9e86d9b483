/* Peer for ctxswitch.futex_waitv.thread: two threads hand a turn back and forth on one futex word, each
 * sleeping in futex_waitv (one-entry vector, FUTEX_32 | FUTEX_PRIVATE_FLAG) and waking the other with
 * FUTEX_WAKE_PRIVATE, for ROUNDS round trips; prints the mean ns per round trip. CPU_A and CPU_B pin the two
 * threads (same number: one CPU; -1: unpinned). perf bench has no futex_waitv benchmark.
 * Usage: peer-futex-waitv ROUNDS [CPU_A CPU_B]  (default unpinned). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic uint32_t word; /* 0: A's turn, 1: B's turn, 2: stop */
static long rounds;

static void pin(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void wait_while(uint32_t v) {
  struct futex_waitv w = {.val = v, .uaddr = (uintptr_t)&word, .flags = FUTEX_32 | FUTEX_PRIVATE_FLAG};
  while (atomic_load(&word) == v) {
    if (syscall(SYS_futex_waitv, &w, 1, 0, NULL, CLOCK_MONOTONIC) < 0 && errno == ENOSYS) {
      fprintf(stderr, "futex_waitv: ENOSYS\n");
      exit(2);
    }
  }
}

static void wake(void) { syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static void* partner(void* arg) {
  pin(*(int*)arg);
  for (;;) {
    wait_while(0);
    if (atomic_load(&word) == 2) return NULL;
    atomic_store(&word, 0);
    wake();
  }
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s ROUNDS [CPU_A CPU_B]\n", argv[0]);
    return 2;
  }
  rounds = atol(argv[1]);
  int cpu_a = argc > 3 ? atoi(argv[2]) : -1, cpu_b = argc > 3 ? atoi(argv[3]) : -1;
  pin(cpu_a);
  pthread_t t;
  pthread_create(&t, NULL, partner, &cpu_b);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < rounds; ++i) {
    atomic_store(&word, 1);
    wake();
    wait_while(1);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  atomic_store(&word, 2);
  wake();
  pthread_join(t, NULL);
  const double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
  printf("futex_waitv ping-pong cpus %d,%d: %ld round trips, %.0f ns per round trip\n", cpu_a, cpu_b, rounds,
         ns / (double)rounds);
  return 0;
}
