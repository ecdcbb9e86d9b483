/* Peer for ctxswitch.futex_lock_pi/waiters:N (docs/METHODOLOGY.md, "Futex contention"): the caller and N
 * contender threads each take and release one PI lock word in a loop, FUTEX_LOCK_PI_PRIVATE then
 * FUTEX_UNLOCK_PI_PRIVATE with nothing in between (the syscall every time, an empty critical section), as
 * ctxbench's session does. perf bench futex lock-pi differs: its workers sleep usleep(1) while holding the lock
 * (tools/perf/bench/futex-lock-pi.c, workerfn); HOLD_US copies that.
 *   CALLER_CPU the caller's CPU, contender i on the (i+1)-th CPU after it round-robin (ctxbench's same-cpu
 *              records); -1: nobody pinned (its unpinned records)
 * The caller times batches of BATCH lock+unlock pairs for MS milliseconds and prints the median batch's ns per
 * pair (ctxbench's value), the mean, every thread's acquisitions per second and the kernel's context switches
 * (getrusage RUSAGE_THREAD, voluntary + involuntary) per acquisition over the timed window, then the caller's
 * share of the acquisitions and its own switches per acquisition of its own.
 *   READS      1: after each batch the caller reads every contender's /proc/self/task/TID/stat once (pread of a
 *              file opened before the window), as ctxbench's runner reads each task's CPU after each sample;
 *              0 (default): nothing between batches but the clock read
 *   HOLD_US    every thread, the caller too, sleeps usleep(HOLD_US) between its lock and its unlock, as perf's
 *              workers do with 1; 0 (default): nothing held. Set, the line adds each thread's mean acquisitions per
 *              second, what perf prints as "Averaged N operations/sec" (docs/METHODOLOGY.md, "Futex contention")
 *   WARMUP_MS  the threads contend this long after all started before the timed window (ctxbench's session
 *              runs its calibration and 10 ms warm-up first); 0 (default): timed at once
 *   SERIAL     1: the caller creates contender i only once contender i - 1 has pinned itself and started, sleeping
 *              in a futex wait meanwhile, and takes the lock first after all started, as ctxbench's session
 *              starts its threads (engine/os_task.cpp PartnerThread waits for each); 0 (default): all created
 *              back to back, the caller contending until all started
 * Every acquisition notes the previous holder (a word written holding the lock): the line ends with the share
 * of acquisitions whose previous holder was another thread (hand-offs) and ran on another CPU (cross-CPU), and
 * the involuntary switches per acquisition, as ctxbench's handoff_share and cross_cpu_handoff_share
 * (docs/METHODOLOGY.md, "Futex contention", "lock_pi hand-offs, measured").
 * Usage: peer-futex-lock-pi WAITERS MS CALLER_CPU [BATCH [READS [HOLD_US [WARMUP_MS [SERIAL]]]]] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "peer_thread.h"

enum { kMaxWaiters = 64, kMaxBatches = 1 << 20 };
static _Atomic uint32_t lock_word, started, go, stop;
static unsigned hold_us;                          /* HOLD_US: the sleep inside the critical section */
static int serial;                                /* SERIAL: one thread started at a time */
static _Atomic uint32_t last_holder = UINT32_MAX; /* 0 the caller, i + 1 contender i; written holding the lock */
static _Atomic int last_cpu = -1;

struct contender {
  int cpu;
  _Atomic pid_t tid;
  uint64_t acquisitions, switches, involuntary, window_handoffs, window_cross_cpu; /* over the timed window */
  _Atomic uint64_t handoffs, cross_cpu; /* note_holder's counts, from the thread's start */
  char pad[64];
};

/* Holding the lock: counts an acquisition whose previous holder was another thread, and one whose previous holder
 * ran on another CPU (probes/futex_contention.cpp note_holder does the same). */
static void note_holder(uint32_t me, struct contender* mine) {
  const int cpu = sched_getcpu();
  const uint32_t prev = atomic_exchange_explicit(&last_holder, me, memory_order_relaxed);
  const int prev_cpu = atomic_exchange_explicit(&last_cpu, cpu, memory_order_relaxed);
  if (prev != UINT32_MAX && prev != me) atomic_fetch_add_explicit(&mine->handoffs, 1, memory_order_relaxed);
  if (prev_cpu >= 0 && prev_cpu != cpu) atomic_fetch_add_explicit(&mine->cross_cpu, 1, memory_order_relaxed);
}

static void lock_unlock(uint32_t me, struct contender* mine) {
  if (syscall(SYS_futex, &lock_word, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0) != 0 || (note_holder(me, mine), 0) ||
      (hold_us != 0 && usleep(hold_us) != 0) ||
      syscall(SYS_futex, &lock_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0) != 0) {
    fprintf(stderr, "futex PI lock/unlock: %s\n", strerror(errno));
    exit(1);
  }
}

static uint64_t switches_now(uint64_t* involuntary) {
  struct rusage u;
  getrusage(RUSAGE_THREAD, &u);
  *involuntary = (uint64_t)u.ru_nivcsw;
  return (uint64_t)(u.ru_nvcsw + u.ru_nivcsw);
}

static struct contender contenders[kMaxWaiters + 1]; /* [kMaxWaiters]: the caller's counts */

static void* contend(void* p) {
  struct contender* c = p;
  pin(c->cpu);
  atomic_store(&c->tid, gettid());
  atomic_fetch_add(&started, 1);
  if (serial) syscall(SYS_futex, &started, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  const uint32_t me = (uint32_t)(c - contenders) + 1;
  /* Contending already, as ctxbench's contenders do from the session's start; counted from `go` on. */
  while (!atomic_load(&go)) lock_unlock(me, c);
  uint64_t i0, i1;
  const uint64_t s0 = switches_now(&i0), h0 = atomic_load(&c->handoffs), x0 = atomic_load(&c->cross_cpu);
  uint64_t n = 0;
  while (!atomic_load(&stop)) {
    lock_unlock(me, c);
    ++n;
  }
  c->switches = switches_now(&i1) - s0;
  c->involuntary = i1 - i0;
  c->window_handoffs = atomic_load(&c->handoffs) - h0;
  c->window_cross_cpu = atomic_load(&c->cross_cpu) - x0;
  c->acquisitions = n;
  return NULL;
}

static int by_value(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  const int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (argc < 4 || argc > 9 || atoi(argv[1]) < 1 || atoi(argv[1]) > kMaxWaiters || atoi(argv[2]) < 1 ||
      atoi(argv[3]) >= ncpu || atoi(argv[3]) < -1 || (argc >= 5 && atoi(argv[4]) < 1) ||
      (argc >= 6 && strcmp(argv[5], "0") != 0 && strcmp(argv[5], "1") != 0) || (argc >= 7 && atoi(argv[6]) < 0) ||
      (argc >= 8 && atoi(argv[7]) < 0) || (argc == 9 && strcmp(argv[8], "0") != 0 && strcmp(argv[8], "1") != 0)) {
    fprintf(stderr,
            "usage: %s WAITERS(1-%d) MS CALLER_CPU(-1: nobody pinned, else 0-%d) [BATCH(>=1) [READS(0|1) "
            "[HOLD_US(>=0) [WARMUP_MS(>=0) [SERIAL(0|1)]]]]]\n",
            argv[0], kMaxWaiters, ncpu - 1);
    return 2;
  }
  const int n = atoi(argv[1]), ms = atoi(argv[2]), cpu = atoi(argv[3]), batch = argc >= 5 ? atoi(argv[4]) : 100;
  const int reads = argc >= 6 && argv[5][0] == '1';
  hold_us = argc >= 7 ? (unsigned)atoi(argv[6]) : 0;
  const int warmup_ms = argc >= 8 ? atoi(argv[7]) : 0;
  serial = argc == 9 && argv[8][0] == '1';
  pin(cpu);
  struct contender* const c = contenders;
  struct contender* const caller = &contenders[kMaxWaiters];
  pthread_t threads[kMaxWaiters];
  for (int i = 0; i < n; ++i) {
    c[i].cpu = cpu >= 0 ? (cpu + 1 + i) % ncpu : -1;
    pthread_create(&threads[i], NULL, contend, &c[i]);
    for (uint32_t s; serial && (s = atomic_load(&started)) != (uint32_t)i + 1;)
      syscall(SYS_futex, &started, FUTEX_WAIT_PRIVATE, s, NULL, NULL, 0);
  }
  while (atomic_load(&started) != (uint32_t)n) lock_unlock(0, caller);
  for (const uint64_t w = now_ns() + (uint64_t)warmup_ms * 1000000u; now_ns() < w;) lock_unlock(0, caller);
  int stat_fd[kMaxWaiters];
  for (int i = 0; i < n; ++i) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)atomic_load(&c[i].tid));
    stat_fd[i] = reads ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (reads && stat_fd[i] < 0) {
      fprintf(stderr, "%s: %s\n", path, strerror(errno));
      return 1;
    }
  }
  double* per_pair = malloc(kMaxBatches * sizeof *per_pair);
  if (per_pair == NULL) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  atomic_store(&go, 1);
  uint64_t i0, i1;
  const uint64_t h0 = atomic_load(&caller->handoffs), x0 = atomic_load(&caller->cross_cpu);
  const uint64_t s0 = switches_now(&i0), t0 = now_ns(), end = t0 + (uint64_t)ms * 1000000u;
  int batches = 0;
  for (uint64_t t = t0; t < end && batches < kMaxBatches;) {
    for (int k = 0; k < batch; ++k) lock_unlock(0, caller);
    const uint64_t t1 = now_ns();
    per_pair[batches++] = (double)(t1 - t) / batch;
    for (int i = 0; reads && i < n; ++i) {
      char buf[512];
      if (pread(stat_fd[i], buf, sizeof buf, 0) <= 0) {
        fprintf(stderr, "pread of a contender's stat: %s\n", strerror(errno));
        return 1;
      }
    }
    t = reads ? now_ns() : t1;
  }
  const uint64_t wall = now_ns() - t0, caller_switches = switches_now(&i1) - s0;
  uint64_t handoffs = atomic_load(&caller->handoffs) - h0, cross_cpu = atomic_load(&caller->cross_cpu) - x0;
  atomic_store(&stop, 1);
  uint64_t acquisitions = (uint64_t)batches * (uint64_t)batch, switches = caller_switches, involuntary = i1 - i0;
  for (int i = 0; i < n; ++i) {
    pthread_join(threads[i], NULL);
    acquisitions += c[i].acquisitions;
    switches += c[i].switches;
    involuntary += c[i].involuntary;
    handoffs += c[i].window_handoffs;
    cross_cpu += c[i].window_cross_cpu;
  }
  for (int i = 0; reads && i < n; ++i) close(stat_fd[i]);
  qsort(per_pair, (size_t)batches, sizeof *per_pair, by_value);
  const double own = (double)batches * batch;
  printf(
      "futex lock_pi loop: %d contenders + caller, caller cpu %d, batch %d%s%s: %d batches, caller p50 %.0f ns per "
      "lock+unlock, mean %.0f ns; all threads %.0f acquisitions/s, %.2f switches per acquisition; caller %.2f of "
      "the acquisitions, %.2f switches per own acquisition; hand-offs %.3f, cross-CPU %.3f of the acquisitions, "
      "involuntary %.3f switches per acquisition",
      n, cpu, batch, reads ? ", stat reads" : "", serial ? ", serial start" : "", batches, per_pair[batches / 2],
      (double)wall / own, (double)acquisitions / ((double)wall / 1e9), (double)switches / (double)acquisitions,
      own / (double)acquisitions, (double)caller_switches / own, (double)handoffs / (double)acquisitions,
      (double)cross_cpu / (double)acquisitions, (double)involuntary / (double)acquisitions);
  if (hold_us) { /* perf's figure: the mean over the threads of each one's acquisitions per second, and its range */
    double lo = own, hi = own;
    for (int i = 0; i < n; ++i) {
      lo = (double)c[i].acquisitions < lo ? (double)c[i].acquisitions : lo;
      hi = (double)c[i].acquisitions > hi ? (double)c[i].acquisitions : hi;
    }
    const double s = (double)wall / 1e9;
    printf("; held %u us: each thread %.0f acquisitions/s (mean of %d threads, %.0f-%.0f)", hold_us,
           (double)acquisitions / s / (n + 1), n + 1, lo / s, hi / s);
  }
  printf("\n");
  free(per_pair);
  return 0;
}
