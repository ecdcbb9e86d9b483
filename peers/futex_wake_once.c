/* Peer for ctxswitch.futex_wake / futex_wake_all / futex_wake_parallel / futex_requeue (docs/METHODOLOGY.md,
 * "Futex contention"):
 * times what ctxbench times — the waker's clock_gettime time for releasing N waiters that all sleep in
 * FUTEX_WAIT_PRIVATE on one word — with the two things perf bench futex wake/requeue do differently as knobs,
 * so each can be switched on alone:
 *   MODE      wake: N FUTEX_WAKE_PRIVATE of 1; all: one of N; requeue: one FUTEX_CMP_REQUEUE_PRIVATE of N to a
 *             second word, waking none (timed), then one wake of all there (not timed); parallel: WAKERS waker
 *             threads, asleep on a second word and woken together by one call (not timed), each make one
 *             FUTEX_WAKE_PRIVATE of N/WAKERS, timed by itself; the round's value is the mean of their times
 *             (what ctxbench and perf bench futex wake-parallel report); the wakers continue the waiters'
 *             round-robin from WAKER_CPU, or are unpinned with it
 *   WAKER_CPU the waker's CPU, the waiters round-robin from the next CPU (ctxbench's same-cpu records); -1: the
 *             waker unpinned and waiter i on CPU i mod CPUs (perf)
 *   IDLE_US   sleep this long once all waiters sleep, before the timed call (perf: 100000; ctxbench: 0; its
 *             waker checks /proc/self/task/TID/stat every 20 us until every waiter is in state S, as this does)
 *   OPTIONS   (comma-separated) detail: each waker reads its involuntary switch count
 *             (getrusage RUSAGE_THREAD) after the caller woke it, just before its timed call, and again after
 *             it, so a round says how many wakers were preempted inside their timed call; prints that share and
 *             the median round of each kind. idle-waiters: the waiters run SCHED_IDLE, so a woken waiter never
 *             preempts a (SCHED_OTHER) waker on its CPU. values: also prints every round's value (ns) in
 *             order, on one line. wake, all and requeue take values, wait-ran, reads, serial-start and stamp, as
 *             `0 OPTIONS` after IDLE_US (wake also fresh, exit, return and detail, below); the rest is for parallel
 *             only. wait-ran and reads
 * copy ctxbench's round end (not timed): wait-ran: each woken waiter counts itself, the last waking the caller, who
 * sleeps until all ran (ctxbench's wait_until_all_ran); reads: after each round the caller reads every thread's /proc
 * stat once (ctxbench's runner reads each task's CPU there after every sample, one round here). serial-start: thread
 * creation as ctxbench's (engine/os_task.cpp PartnerThread): the main thread waits until each new thread has pinned
 * itself and started before it creates the next. waiter-spin:NS: each woken waiter runs NS ns more (reading the
 * clock) before it sleeps again, to see how a waiter's run per round moves the wakers' preemptions
 * (results/futex/wake_parallel_lag.sh). stamp and shared-stop copy the rest of ctxbench's waiter: stamp: each woken
 * waiter stores a clock read in its own cache line (Slot::ran_at), read by the caller after the round; shared-stop: the
 * stop word shares its line with the wakers' done count, as in ctxbench's Shared
 * (results/futex/wake_parallel_steps.sh). wake also takes perf bench futex wake's thread life
 * (results/futex/wake8_perf.sh): fresh: the waiters are created each round, pinned at creation
 * (pthread_attr_setaffinity_np) as perf's, and end after the round (not timed); exit: as fresh, but each woken waiter
 * calls pthread_exit at once, inside the timed window, as perf's; return: as exit, but the waiter returns from its
 * function (glibc's thread end without pthread_exit's unwinding); detail (as above, for the one waker): the waker's
 * involuntary switches inside its timed loop (exit and return take no wait-ran or stamp: the woken waiters end before
 * they count themselves). parallel takes fresh, exit and return too, and perf bench futex
 * wake-parallel's wakers (results/futex/wakepar_perf.sh): fresh-wakers: the wakers are created each round after the
 * sleep (pinned as above, unpinned with WAKER_CPU -1, as perf's), meet the caller at a pthread barrier instead of
 * sleeping on a word, and each calls pthread_exit after its timed call. Prints the median and mean ns over ROUNDS
 * rounds, and for an unpinned waker the median of the rounds it started on a CPU that holds a waiter and of the others.
 * Waiters stay across rounds (as ctxbench's) unless fresh or exit. Every shared word and every waker's result sits on
 * its own cache line, as in ctxbench (probes/futex_contention.cpp); built with -DPEER_PACKED they share lines (the peer
 * before 2026-12-06). Usage: peer-futex-wake-once MODE WAITERS ROUNDS WAKER_CPU IDLE_US [WAKERS [OPTIONS]] */
#define _GNU_SOURCE
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "peer_thread.h"

enum { kMaxWaiters = 64 };
#ifdef PEER_PACKED
#define LINE
#else
#define LINE _Alignas(64)
#endif
static LINE _Atomic uint32_t gate;
static LINE _Atomic uint32_t target;
static LINE _Atomic uint32_t ready;
static LINE _Atomic uint32_t stop;
static LINE _Atomic uint32_t ran;           /* wait-ran: waiters of this round running again */
static _Atomic pid_t tids[2 * kMaxWaiters]; /* the waiters', then the parallel wakers' */
static LINE _Atomic uint32_t go;
static LINE _Atomic uint32_t wakers_ready;
/* The wakers' count of finished calls; `stop` shares its line with shared-stop (ctxbench's Shared layout). */
static LINE struct { _Atomic uint32_t done, stop; } wakers;
static _Atomic uint32_t* stop_word = &stop;
/* stamp: each woken waiter's clock read, on its own line as ctxbench's Slot::ran_at */
static LINE struct { LINE _Atomic uint64_t ran_at; } slots[kMaxWaiters];
static int n_waiters, n_wakers, per_waker, detail, idle_waiters, values, wait_ran, reads, serial_start, stamp;
static int fresh, exit_woken;          /* perf's thread life (fresh; exit_woken 1: exit, 2: return) */
static int fresh_wakers, kept_wakers;  /* parallel: wakers created each round; else kept_wakers = n_wakers */
static pthread_barrier_t wakers_start; /* fresh-wakers: where the round's wakers meet the caller */
static long waiter_spin_ns;            /* waiter-spin:NS: each woken waiter runs NS ns before it sleeps again */

static long involuntary_switches(void) {
  struct rusage u;
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_nivcsw;
}

static long futex(_Atomic uint32_t* w, int op, uint32_t val, uint32_t val2, _Atomic uint32_t* w2, uint32_t val3) {
  return syscall(SYS_futex, w, op, val, (void*)(uintptr_t)val2, w2, val3);
}

struct waiter_arg {
  int index, cpu;
};

static void* waiter(void* p) {
  const struct waiter_arg* a = p;
  pin(a->cpu);
  if (idle_waiters) {
    const struct sched_param none = {0};
    if (sched_setscheduler(0, SCHED_IDLE, &none) != 0) {
      perror("sched_setscheduler(SCHED_IDLE)");
      exit(2);
    }
  }
  atomic_store(&tids[a->index], gettid());
  for (;;) {
    const uint32_t g = atomic_load(&gate);
    if (atomic_load(stop_word)) return NULL;
    atomic_fetch_add(&ready, 1);
    while (atomic_load(&gate) == g && !atomic_load(stop_word)) futex(&gate, FUTEX_WAIT_PRIVATE, g, 0, NULL, 0);
    if (exit_woken == 1) pthread_exit(NULL);
    if (exit_woken == 2) return NULL;
    if (stamp) atomic_store(&slots[a->index].ran_at, now_ns());
    for (const uint64_t until = waiter_spin_ns > 0 ? now_ns() + (uint64_t)waiter_spin_ns : 0; now_ns() < until;) {
    }
    if (wait_ran && atomic_fetch_add(&ran, 1) + 1 == (uint32_t)n_waiters)
      futex(&ran, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0);
  }
}

struct waker_arg {
  LINE int index;
  int cpu;
  uint64_t start, end;
  long preempted; /* detail: involuntary switches inside the timed call */
};

/* One waker's timed call, with detail its involuntary switches inside it. */
static void timed_wake(struct waker_arg* a) {
  const long before = detail ? involuntary_switches() : 0;
  a->start = now_ns();
  futex(&gate, FUTEX_WAKE_PRIVATE, (uint32_t)per_waker, 0, NULL, 0);
  a->end = now_ns();
  if (detail) a->preempted = involuntary_switches() - before;
}

/* fresh-wakers: one round's waker, as perf's waking_workerfn (docs/METHODOLOGY.md, "Futex contention"). */
static void* fresh_waker(void* p) {
  pin(((struct waker_arg*)p)->cpu);
  pthread_barrier_wait(&wakers_start);
  timed_wake(p);
  pthread_exit(NULL);
}

static void* waker(void* p) {
  struct waker_arg* a = p;
  pin(a->cpu);
  atomic_store(&tids[kMaxWaiters + a->index], gettid());
  for (;;) {
    const uint32_t g = atomic_load(&go);
    if (atomic_load(stop_word)) return NULL;
    atomic_fetch_add(&wakers_ready, 1);
    while (atomic_load(&go) == g && !atomic_load(stop_word)) futex(&go, FUTEX_WAIT_PRIVATE, g, 0, NULL, 0);
    if (atomic_load(stop_word)) return NULL;
    timed_wake(a);
    if (atomic_fetch_add(&wakers.done, 1) + 1 == (uint32_t)n_wakers)
      futex(&wakers.done, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0);
  }
}

static int asleep(pid_t tid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
  FILE* f = fopen(path, "r");
  if (f == NULL) return 0;
  const size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  const char* close = strrchr(buf, ')');
  return close != NULL && close[1] == ' ' && close[2] == 'S';
}

/* Whether the threads tids[first .. first + count) have all started and sleep. */
static int all_asleep(int first, int count) {
  for (int i = first; i < first + count; ++i)
    if (atomic_load(&tids[i]) == 0 || !asleep(atomic_load(&tids[i]))) return 0;
  return 1;
}

/* fresh: creates one waiter pinned at creation, as perf bench futex wake does (tools/perf/bench/futex-wake.c in
 * Linux, summarized in docs/METHODOLOGY.md "Futex contention"); its tid and the ready count start from zero. */
static void start_pinned(pthread_t* t, struct waiter_arg* a) {
  pthread_attr_t attr;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(a->cpu, &set);
  pthread_attr_init(&attr);
  atomic_store(&tids[a->index], 0);
  if (pthread_attr_setaffinity_np(&attr, sizeof set, &set) != 0 || pthread_create(t, &attr, waiter, a) != 0) {
    fprintf(stderr, "cannot start a waiter on CPU %d\n", a->cpu);
    exit(2);
  }
  pthread_attr_destroy(&attr);
}

/* fresh: ends the round's waiters after the timed call (exit: they have ended already) and joins them. */
static void end_round_threads(pthread_t* threads, int n) {
  if (!exit_woken) {
    /* kept wakers read the stop word too: set it only once each sleeps again */
    while (atomic_load(&wakers_ready) != (uint32_t)kept_wakers || !all_asleep(kMaxWaiters, kept_wakers))
      nanosleep(&(struct timespec){0, 20000}, NULL);
    atomic_store(stop_word, 1);
    atomic_fetch_add(&gate, 1);
    futex(&gate, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0);
  }
  for (int i = 0; i < n; ++i) pthread_join(threads[i], NULL);
  atomic_store(stop_word, 0);
  atomic_store(&ready, 0);
}

static int by_value(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static double median(double* v, int n) {
  if (n == 0) return 0;
  qsort(v, (size_t)n, sizeof *v, by_value);
  return v[n / 2];
}

int main(int argc, char** argv) {
  const int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
  const int parallel = (argc == 7 || argc == 8) && strcmp(argv[1], "parallel") == 0;
  /* wake, all, requeue take OPTIONS too (after WAKERS 0): values only */
  const int other_opts = !parallel && argc == 8 && strcmp(argv[6], "0") == 0;
  if ((parallel && argc == 8) || other_opts) {
    char* opts = argv[7];
    for (char* o = strtok(opts, ","); o != NULL; o = strtok(NULL, ",")) {
      const int wake = strcmp(argv[1], "wake") == 0;
      if (strcmp(o, "values") == 0)
        values = 1;
      else if ((parallel || wake) && strcmp(o, "fresh") == 0)
        fresh = 1;
      else if ((parallel || wake) && strcmp(o, "exit") == 0)
        fresh = exit_woken = 1;
      else if ((parallel || wake) && strcmp(o, "return") == 0)
        fresh = 1, exit_woken = 2;
      else if ((parallel || wake) && strcmp(o, "detail") == 0)
        detail = 1;
      else if (strcmp(o, "wait-ran") == 0)
        wait_ran = 1;
      else if (strcmp(o, "reads") == 0)
        reads = 1;
      else if (strcmp(o, "serial-start") == 0)
        serial_start = 1;
      else if (strcmp(o, "stamp") == 0)
        stamp = 1;
      else if (other_opts) {
        fprintf(stderr,
                "%s: option '%s' is for parallel only (wake, all and requeue take values, wait-ran, reads, "
                "serial-start, stamp; wake also fresh, exit, return, detail)\n",
                argv[0], o);
        return 2;
      } else if (strcmp(o, "fresh-wakers") == 0)
        fresh_wakers = 1;
      else if (strcmp(o, "idle-waiters") == 0)
        idle_waiters = 1;
      else if (strcmp(o, "shared-stop") == 0)
        stop_word = &wakers.stop;
      else if (strncmp(o, "waiter-spin:", 12) == 0 && atol(o + 12) > 0)
        waiter_spin_ns = atol(o + 12);
      else {
        fprintf(stderr,
                "%s: unknown option '%s' (detail, idle-waiters, values, wait-ran, reads, serial-start, waiter-spin:NS, "
                "stamp, shared-stop, fresh, exit, return, fresh-wakers)\n",
                argv[0], o);
        return 2;
      }
    }
  }
  if (exit_woken && (wait_ran || stamp)) {
    fprintf(stderr, "%s: exit and return take no wait-ran or stamp (the woken waiters end before they count)\n",
            argv[0]);
    return 2;
  }
  if ((argc != 6 && !parallel && !other_opts) || atoi(argv[2]) < 1 || atoi(argv[2]) > kMaxWaiters ||
      atoi(argv[3]) < 1 || atoi(argv[4]) >= ncpu ||
      (strcmp(argv[1], "wake") && strcmp(argv[1], "all") && strcmp(argv[1], "requeue") && !parallel) ||
      (parallel && (atoi(argv[6]) < 1 || atoi(argv[2]) % atoi(argv[6]) != 0))) {
    fprintf(stderr,
            "usage: %s wake|all|requeue WAITERS(1-%d) ROUNDS WAKER_CPU(-1: unpinned) IDLE_US "
            "[0 values,wait-ran,reads,serial-start,stamp (wake also: fresh,exit,return,detail)]\n"
            "       %s parallel WAITERS ROUNDS WAKER_CPU IDLE_US WAKERS "
            "[detail,idle-waiters,values,wait-ran,reads,serial-start,waiter-spin:NS,stamp,shared-stop,fresh,exit,"
            "return,fresh-wakers] (WAKERS dividing WAITERS)\n",
            argv[0], kMaxWaiters, argv[0]);
    return 2;
  }
  const char* mode = argv[1];
  const int n = atoi(argv[2]), rounds = atoi(argv[3]), waker_cpu = atoi(argv[4]);
  const long idle_us = atol(argv[5]);
  n_waiters = n;
  if (waker_cpu >= 0) pin(waker_cpu);
  static struct waiter_arg args[kMaxWaiters];
  pthread_t threads[kMaxWaiters];
  int waiter_cpus = 0; /* bit mask of the CPUs holding a waiter */
  for (int i = 0; i < n; ++i) {
    args[i] = (struct waiter_arg){i, waker_cpu >= 0 ? (waker_cpu + 1 + i) % ncpu : i % ncpu};
    waiter_cpus |= 1 << args[i].cpu;
    if (!fresh) pthread_create(&threads[i], NULL, waiter, &args[i]);
    while (serial_start && atomic_load(&tids[i]) == 0) sched_yield();
  }
  n_wakers = parallel ? atoi(argv[6]) : 0;
  kept_wakers = fresh_wakers ? 0 : n_wakers;
  per_waker = parallel ? n / n_wakers : 0;
  static struct waker_arg wargs[kMaxWaiters];
  pthread_t wthreads[kMaxWaiters];
  for (int j = 0; j < n_wakers; ++j) {
    wargs[j] = (struct waker_arg){j, waker_cpu >= 0 ? (waker_cpu + 1 + n + j) % ncpu : -1, 0, 0, 0};
    if (!fresh_wakers) pthread_create(&wthreads[j], NULL, waker, &wargs[j]);
    while (!fresh_wakers && serial_start && atomic_load(&tids[kMaxWaiters + j]) == 0) sched_yield();
  }
  double* all = calloc((size_t)rounds, sizeof *all);
  double* on_waiter_cpu = calloc((size_t)rounds, sizeof *all);
  double* elsewhere = calloc((size_t)rounds, sizeof *all);
  double* calm = calloc((size_t)rounds, sizeof *all);      /* detail: rounds where no waker was preempted */
  double* preempted = calloc((size_t)rounds, sizeof *all); /* ... and where at least one was */
  int n_on = 0, n_else = 0, n_calm = 0, n_preempted = 0;
  long preemptions = 0;
  uint64_t stamped = 0; /* stamp: the caller reads every waiter's stamp after the round, as ctxbench's count_round */
  double sum = 0;
  for (int r = 0; r < rounds; ++r) {
    for (int i = 0; fresh && i < n; ++i) start_pinned(&threads[i], &args[i]);
    for (int sleeping = 0; !sleeping;) {
      sleeping = atomic_load(&ready) == (uint32_t)n && all_asleep(0, n) &&
                 atomic_load(&wakers_ready) == (uint32_t)kept_wakers && all_asleep(kMaxWaiters, kept_wakers);
      if (!sleeping) nanosleep(&(struct timespec){0, 20000}, NULL);
    }
    atomic_store(&ready, 0);
    atomic_store(&wakers_ready, 0);
    atomic_store(&wakers.done, 0);
    atomic_store(&ran, 0);
    if (idle_us > 0) usleep((useconds_t)idle_us);
    const int cpu = sched_getcpu();
    const long switches_before = detail && !parallel ? involuntary_switches() : 0;
    const uint64_t t0 = now_ns();
    double ns = 0;
    long p = 0; /* detail: involuntary switches of the waker(s) inside the timed call(s) */
    if (parallel) {
      atomic_fetch_add(&gate, 1);
      if (fresh_wakers) { /* as perf's wakeup_threads: created now, released by a barrier with the caller */
        pthread_barrier_init(&wakers_start, NULL, (unsigned)n_wakers + 1);
        for (int j = 0; j < n_wakers; ++j) pthread_create(&wthreads[j], NULL, fresh_waker, &wargs[j]);
        pthread_barrier_wait(&wakers_start);
        for (int j = 0; j < n_wakers; ++j) pthread_join(wthreads[j], NULL);
        pthread_barrier_destroy(&wakers_start);
      } else {
        atomic_fetch_add(&go, 1);
        futex(&go, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0);
        for (uint32_t d; (d = atomic_load(&wakers.done)) != (uint32_t)n_wakers;)
          futex(&wakers.done, FUTEX_WAIT_PRIVATE, d, 0, NULL, 0);
      }
      for (int j = 0; j < n_wakers; ++j) {
        ns += (double)(wargs[j].end - wargs[j].start) / n_wakers;
        p += wargs[j].preempted;
      }
    } else if (mode[0] == 'r') {
      futex(&gate, FUTEX_CMP_REQUEUE_PRIVATE, 0, INT_MAX, &target, atomic_load(&gate));
    } else {
      atomic_fetch_add(&gate, 1);
      if (mode[0] == 'w')
        for (int i = 0; i < n; ++i) futex(&gate, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0);
      else
        futex(&gate, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0);
    }
    if (!parallel) ns = (double)(now_ns() - t0);
    if (detail && !parallel) p = involuntary_switches() - switches_before;
    preemptions += p;
    if (p == 0)
      calm[n_calm++] = ns;
    else
      preempted[n_preempted++] = ns;
    if (mode[0] == 'r') {
      atomic_fetch_add(&gate, 1);
      futex(&target, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0);
    }
    /* The round end (not timed), every mode: ctxbench's wait_until_all_ran, count_round and runner reads. */
    for (uint32_t d; wait_ran && (d = atomic_load(&ran)) != (uint32_t)n;)
      futex(&ran, FUTEX_WAIT_PRIVATE, d, 0, NULL, 0);
    for (int i = 0; stamp && i < n; ++i) stamped += atomic_load(&slots[i].ran_at);
    for (int i = 0; reads && i < n; ++i) (void)asleep(atomic_load(&tids[i]));
    for (int j = 0; reads && j < n_wakers; ++j) (void)asleep(atomic_load(&tids[kMaxWaiters + j]));
    if (fresh) end_round_threads(threads, n);
    all[r] = ns;
    sum += ns;
    if (waiter_cpus & (1 << cpu))
      on_waiter_cpu[n_on++] = ns;
    else
      elsewhere[n_else++] = ns;
  }
  atomic_store(stop_word, 1);
  atomic_fetch_add(&gate, 1);
  atomic_fetch_add(&go, 1);
  futex(&gate, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0);
  futex(&go, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0);
  for (int i = 0; !fresh && i < n; ++i) pthread_join(threads[i], NULL);
  for (int j = 0; j < kept_wakers; ++j) pthread_join(wthreads[j], NULL);
  if (values) { /* in round order, before median() sorts them */
    printf("  values:");
    for (int r = 0; r < rounds; ++r) printf(" %.0f", all[r]);
    printf("\n");
  }
  printf(
      "futex %s once: %d waiters, %d wakers, waker cpu %d, idle %ld us: %d rounds, p50 %.0f ns, mean %.0f ns; "
      "waker on a waiter's cpu: %d rounds p50 %.0f ns, elsewhere: %d rounds p50 %.0f ns\n",
      mode, n, n_wakers, waker_cpu, idle_us, rounds, median(all, rounds), sum / rounds, n_on,
      median(on_waiter_cpu, n_on), n_else, median(elsewhere, n_else));
  if (detail)
    printf(
        "  detail: %s%d of %d rounds had a waker preempted inside its timed call (%.2f preemptions per round); "
        "p50 %.0f ns of those, %.0f ns of the other %d\n",
        idle_waiters ? "waiters SCHED_IDLE; " : "", n_preempted, rounds, (double)preemptions / rounds,
        median(preempted, n_preempted), median(calm, n_calm), n_calm);
  if (stamp && stamped == 0) printf("  stamp: no waiter stamped\n");
  free(calm);
  free(preempted);
  free(all);
  free(on_waiter_cpu);
  free(elsewhere);
  return 0;
}
