/* Peer for ctxswitch.pairs/pairs:N (will-it-scale context_switch1's method): N pairs of threads, each pair
 * handing one byte back and forth over two pipes for SECONDS; prints the hand-offs per second of all pairs.
 * With "pinned", pair k's two threads share CPU k mod (CPUs in the affinity mask), ctxbench's rule.
 * Usage: peer-pipe-pairs N [SECONDS] [pinned]  (default 2 s, unpinned). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct side {
  int in, out, cpu;
  atomic_long* count;
};

static atomic_int stop;

static void* run(void* arg) {
  struct side* s = arg;
  if (s->cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(s->cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  }
  char c = 0;
  if (s->count != NULL && write(s->out, &c, 1) != 1) exit(1); /* the initiator starts the first round trip */
  while (!atomic_load(&stop)) {
    if (read(s->in, &c, 1) != 1) break;
    if (s->count != NULL) atomic_fetch_add(s->count, 1);
    if (write(s->out, &c, 1) != 1) break;
  }
  return NULL;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1;
  double seconds = argc > 2 ? atof(argv[2]) : 2.0;
  int pinned = argc > 3 && strcmp(argv[3], "pinned") == 0;
  cpu_set_t mask;
  sched_getaffinity(0, sizeof mask, &mask);
  int cpus[CPU_SETSIZE], ncpu = 0;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &mask)) cpus[ncpu++] = c;
  atomic_long round_trips = 0;
  struct side* sides = calloc((size_t)n * 2, sizeof *sides);
  pthread_t* threads = calloc((size_t)n * 2, sizeof *threads);
  for (int k = 0; k < n; ++k) {
    int ab[2], ba[2];
    if (pipe(ab) != 0 || pipe(ba) != 0) return 1;
    int cpu = pinned ? cpus[k % ncpu] : -1;
    sides[2 * k] = (struct side){ba[0], ab[1], cpu, &round_trips};
    sides[2 * k + 1] = (struct side){ab[0], ba[1], cpu, NULL};
  }
  for (int i = 0; i < 2 * n; ++i) pthread_create(&threads[i], NULL, run, &sides[i]);
  struct timespec t = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  usleep(200000); /* every pair running before the window opens */
  long before = atomic_load(&round_trips);
  nanosleep(&t, NULL);
  long after = atomic_load(&round_trips);
  printf("%d pairs%s: %.0f hand-offs/s\n", n, pinned ? " pinned" : "", 2.0 * (double)(after - before) / seconds);
  fflush(stdout);
  _exit(0); /* the threads are blocked in pipe reads: the process's exit ends them */
}
