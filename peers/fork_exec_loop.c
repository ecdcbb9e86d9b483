/* Peer for process.fork_exec.static's page faults (docs/METHODOLOGY.md, "Page faults"): the smallest process
 * that forks and execs. fork(), the child execve()s PROGRAM (ctxbench-true-static), the parent waitpid()s.
 * Counted from outside with perf stat (results/faults/measure.sh): two runs of different lengths, so what
 * the peer's own start-up costs cancels out. Prints the median op time.
 * Usage: peer-fork-exec-loop PROGRAM [ITERATIONS]  (default 2000; under `taskset -c 0` for same-cpu). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "peer_clock.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: peer-fork-exec-loop PROGRAM [ITERATIONS]\n");
    return 2;
  }
  int n = argc > 2 ? atoi(argv[2]) : 2000;
  if (n < 1) n = 1;
  long long* t = malloc(sizeof *t * (size_t)n);
  if (t == NULL) return 1;
  char* child_argv[] = {argv[1], NULL};
  char* child_env[] = {NULL};
  for (int i = 0; i < n; ++i) {
    long long start = now_ns();
    pid_t pid = fork();
    if (pid == 0) {
      execve(argv[1], child_argv, child_env);
      _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "peer-fork-exec-loop: %s did not run and exit 0\n", argv[1]);
      return 1;
    }
    t[i] = now_ns() - start;
  }
  qsort(t, (size_t)n, sizeof *t, cmp);
  printf("fork+execve+waitpid: n=%d p50=%.1f us\n", n, t[n / 2] / 1e3);
  return 0;
}
