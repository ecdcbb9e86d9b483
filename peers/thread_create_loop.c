/* Peer for thread.create_join: pthread_create() of an empty thread, then pthread_join(); each op timed
 * with CLOCK_MONOTONIC; prints the median and the 10th/90th percentiles.
 * Usage: peer-thread-create-loop [ITERATIONS [OPTION...]]  (default 50000 ops; run under `taskset -c 0` for
 * same-cpu). Each option moves one factor toward what ctxbench's runner does (results/creation/create_join.sh):
 *   batch     time batches, not single ops: n doubled (at most x16) until one batch takes >= 50 us, a 10 ms
 *             warm-up discarded, then ITERATIONS ops in batches, each followed by a sched_getcpu() (the
 *             runner's observed-placement read); the percentiles are of the per-op batch means
 *   sigblock  SIGINT, SIGTERM and SIGALRM blocked around each batch (ctxbench's StopSignalsBlocked)
 *   where     the new thread reads sched_getcpu(): prints the share of ops whose thread ran on another CPU
 *             than its creator, and the p50 of each group (single ops only; with reps:R, also each process's share)
 *   reps:R    R repetitions of ITERATIONS ops, each in a fresh forked process, pooled (ctxbench starts a fresh
 *             measuring process per repetition) */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "peer_clock.h"

static void* empty(void* arg) { return arg; }
static void* where(void* arg) {
  *(int*)arg = sched_getcpu();
  return NULL;
}

static int batch, block_signals, want_where;

/* One op; with `where`, 1 if the new thread ran on another CPU than its creator. */
static int op(void) {
  int cpu = -1, me = want_where ? sched_getcpu() : 0;
  pthread_t th;
  if (pthread_create(&th, NULL, want_where ? where : empty, &cpu) != 0 || pthread_join(th, NULL) != 0) exit(1);
  return want_where && cpu != me;
}

static long long run_batch(long long n) {
  sigset_t stop, old;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGALRM);
  if (block_signals) pthread_sigmask(SIG_BLOCK, &stop, &old);
  long long start = now_ns();
  for (long long i = 0; i < n; ++i) op();
  long long t = now_ns() - start;
  if (block_signals) pthread_sigmask(SIG_SETMASK, &old, NULL);
  return t;
}

/* One repetition: up to n values into t (ns per op), remote flags into r; returns how many. */
static int repetition(int n, long long* t, char* r) {
  if (!batch) {
    for (int i = 0; i < n; ++i) {
      long long start = now_ns();
      r[i] = (char)op();
      t[i] = now_ns() - start;
    }
    return n;
  }
  long long per = 1;
  for (long long b; (b = run_batch(per)) < 50000;) {
    long long want = (long long)(per * 1.2 * 50000 / (double)b) + 1;
    per = want < per + 1 ? per + 1 : want > per * 16 ? per * 16 : want;
  }
  for (long long end = now_ns() + 10000000; now_ns() < end;) run_batch(per);
  int k = 0;
  for (long long done = 0; done < n; done += per) {
    t[k] = run_batch(per) / per;
    r[k++] = 0;
    (void)sched_getcpu();
  }
  return k;
}

static void print(const char* what, long long* t, int n) {
  if (n == 0) return;
  qsort(t, (size_t)n, sizeof *t, cmp);
  printf(" %s: n=%d p50=%.2f us p10=%.2f us p90=%.2f us", what, n, t[n / 2] / 1e3, t[n / 10] / 1e3,
         t[n * 9 / 10] / 1e3);
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 50000, reps = 0;
  if (n < 10) n = 10;
  for (int i = 2; i < argc; ++i) {
    if (strcmp(argv[i], "batch") == 0)
      batch = 1;
    else if (strcmp(argv[i], "sigblock") == 0)
      block_signals = 1;
    else if (strcmp(argv[i], "where") == 0)
      want_where = 1;
    else if (strncmp(argv[i], "reps:", 5) == 0 && atoi(argv[i] + 5) > 0)
      reps = atoi(argv[i] + 5);
    else {
      fprintf(stderr, "peer-thread-create-loop: unknown option '%s' (batch, sigblock, where, reps:R)\n", argv[i]);
      return 2;
    }
  }
  size_t slots = (size_t)n * (size_t)(reps > 0 ? reps : 1);
  /* Shared, so forked repetitions hand their values back; the counts sit after the values. */
  long long* t = mmap(NULL, slots * (sizeof *t + 1) + 8 + sizeof(int) * (size_t)(reps + 1), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (t == MAP_FAILED) return 1;
  char* r = (char*)(t + slots);
  int* counts = (int*)(r + slots + (8 - (slots % 8)));
  int total = 0;
  if (reps == 0) {
    total = repetition(n, t, r);
  } else {
    for (int k = 0; k < reps; ++k) {
      pid_t pid = fork();
      if (pid == 0) {
        counts[k] = repetition(n, t + (size_t)k * (size_t)n, r + (size_t)k * (size_t)n);
        _exit(0);
      }
      int status;
      if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0) return 1;
    }
    printf("repetition p50s (us):");
    long long* v = malloc(sizeof *v * (size_t)n);
    if (v == NULL) return 1;
    for (int k = 0; k < reps; ++k) { /* a sorted copy: the flags of `where` stay in step with t */
      memcpy(v, t + (size_t)k * (size_t)n, sizeof *v * (size_t)counts[k]);
      qsort(v, (size_t)counts[k], sizeof *v, cmp);
      printf(" %.1f", v[counts[k] / 2] / 1e3);
      if (want_where && !batch) { /* and the share of its ops whose thread ran on another CPU */
        int other = 0;
        for (int i = 0; i < counts[k]; ++i) other += r[(size_t)k * (size_t)n + (size_t)i];
        printf(" (%.0f%%)", 100.0 * other / counts[k]);
      }
    }
    free(v);
    printf("\n");
    for (int k = 0; k < reps; ++k) { /* pack the repetitions' values together */
      memmove(t + total, t + (size_t)k * (size_t)n, sizeof *t * (size_t)counts[k]);
      memmove(r + total, r + (size_t)k * (size_t)n, (size_t)counts[k]);
      total += counts[k];
    }
  }
  printf("pthread_create+join%s%s%s:", batch ? " batch" : "", block_signals ? " sigblock" : "", reps ? " reps" : "");
  if (want_where && !batch) {
    long long* g = malloc(sizeof *g * (size_t)total);
    if (g == NULL) return 1;
    int m = 0, other = 0;
    for (int i = 0; i < total; ++i)
      if (!r[i]) g[m++] = t[i];
    for (int i = 0; i < total; ++i)
      if (r[i]) g[m + other++] = t[i];
    printf(" thread on another cpu in %.1f%% of ops;", 100.0 * other / total);
    print("same cpu", g, m);
    print("other cpu", g + m, other);
    printf(";");
  }
  print("all", t, total);
  printf("\n");
  return 0;
}
