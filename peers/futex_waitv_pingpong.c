/* Peer for ctxswitch.futex_waitv.thread: two threads hand a turn back and forth on one futex word, each
 * sleeping in futex_waitv (one-entry vector, FUTEX_32 | FUTEX_PRIVATE_FLAG) and waking the other with
 * FUTEX_WAKE_PRIVATE, for ROUNDS round trips; prints the mean ns per round trip and each thread's context
 * switches per round trip (getrusage RUSAGE_THREAD) and the CPU it ended on. CPU_A and CPU_B pin the two
 * threads (same number: one CPU; -1: unpinned). perf bench has no futex_waitv benchmark.
 * The two optional knobs copy what ctxbench's runner does differently (docs/METHODOLOGY.md, "Futex
 * contention"): TIMEOUT_NS gives every wait an absolute CLOCK_MONOTONIC timeout that far ahead (ctxbench:
 * 100000000); BATCH > 0 times batches of BATCH round trips, each followed by an untimed read of B's
 * /proc/self/task/TID/stat (ctxbench reads where its partner ran after every sample, and its samples of this
 * probe are single round trips: BATCH 1) and prints the median batch's ns per round trip as well.
 * Usage: peer-futex-waitv ROUNDS [CPU_A CPU_B [TIMEOUT_NS [BATCH]]]  (default unpinned, no timeout, one batch). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "peer_thread.h"

static _Atomic uint32_t word; /* 0: A's turn, 1: B's turn, 2: stop */
static long timeout_ns;
static pid_t tid_b;
static long switches_b;
static int cpu_end_b;

static long own_switches(void) {
  struct rusage u;
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_nvcsw + u.ru_nivcsw; /* both, as ctxbench counts: a wake can preempt the waker */
}

static void wait_while(uint32_t v) {
  struct futex_waitv w = {.val = v, .uaddr = (uintptr_t)&word, .flags = FUTEX_32 | FUTEX_PRIVATE_FLAG};
  while (atomic_load(&word) == v) {
    struct timespec at = {0, 0};
    if (timeout_ns > 0) {
      const uint64_t t = now_ns() + (uint64_t)timeout_ns;
      at.tv_sec = (time_t)(t / 1000000000u);
      at.tv_nsec = (long)(t % 1000000000u);
    }
    if (syscall(SYS_futex_waitv, &w, 1, 0, timeout_ns > 0 ? &at : NULL, CLOCK_MONOTONIC) < 0 && errno == ENOSYS) {
      fprintf(stderr, "futex_waitv: ENOSYS\n");
      exit(2);
    }
  }
}

static void wake(void) { syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static void* partner(void* arg) {
  pin(*(int*)arg);
  tid_b = gettid();
  const long s0 = own_switches();
  for (;;) {
    wait_while(0);
    if (atomic_load(&word) == 2) break;
    atomic_store(&word, 0);
    wake();
  }
  switches_b = own_switches() - s0;
  cpu_end_b = sched_getcpu();
  return NULL;
}

static void read_stat(pid_t tid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
  FILE* f = fopen(path, "r");
  if (f == NULL) return;
  if (fgets(buf, sizeof buf, f) == NULL) buf[0] = 0;
  fclose(f);
}

static int by_value(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc < 2 || atol(argv[1]) <= 0) {
    fprintf(stderr, "usage: %s ROUNDS [CPU_A CPU_B [TIMEOUT_NS [BATCH]]]\n", argv[0]);
    return 2;
  }
  const long rounds = atol(argv[1]);
  const int cpu_a = argc > 3 ? atoi(argv[2]) : -1, cpu_b = argc > 3 ? atoi(argv[3]) : -1;
  timeout_ns = argc > 4 ? atol(argv[4]) : 0;
  const long batch = argc > 5 && atol(argv[5]) > 0 ? atol(argv[5]) : rounds;
  const long batches = (rounds + batch - 1) / batch;
  double* per_batch = calloc((size_t)batches, sizeof *per_batch);
  if (per_batch == NULL) return 1;
  pin(cpu_a);
  pthread_t t;
  pthread_create(&t, NULL, partner, (void*)&cpu_b);
  while (atomic_load((_Atomic pid_t*)&tid_b) == 0) sched_yield();
  const long s0 = own_switches();
  uint64_t timed = 0;
  long done = 0;
  for (long k = 0; k < batches; ++k) {
    const long n = rounds - done < batch ? rounds - done : batch;
    const uint64_t t0 = now_ns();
    for (long i = 0; i < n; ++i) {
      atomic_store(&word, 1);
      wake();
      wait_while(1);
    }
    const uint64_t t1 = now_ns();
    timed += t1 - t0;
    done += n;
    per_batch[k] = (double)(t1 - t0) / (double)n;
    if (batch < rounds) read_stat(tid_b);
  }
  const long switches_a = own_switches() - s0;
  const int cpu_end_a = sched_getcpu();
  atomic_store(&word, 2);
  wake();
  pthread_join(t, NULL);
  qsort(per_batch, (size_t)batches, sizeof *per_batch, by_value);
  printf(
      "futex_waitv ping-pong cpus %d,%d timeout %ld ns batch %ld: %ld round trips, %.0f ns per round trip "
      "(median batch %.0f ns); switches per round trip A %.2f B %.2f; ended on cpus %d,%d\n",
      cpu_a, cpu_b, timeout_ns, batch, rounds, (double)timed / (double)rounds, per_batch[batches / 2],
      (double)switches_a / (double)rounds, (double)switches_b / (double)rounds, cpu_end_a, cpu_end_b);
  free(per_batch);
  return 0;
}
