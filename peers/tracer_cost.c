/* Measurement-only harness for the observer effect of --explain (docs/METHODOLOGY.md, "What the tracer
 * costs"): the pipe ping-pong of ctxswitch.pipe.process (two processes, one byte each way) timed one round
 * trip at a time, as the traced pass times it, under ctxbench's own BPF program (engine/explain/explain.bpf.c,
 * the same skeleton) with chosen event groups left unattached. Prints the median and mean round trip and the
 * events recorded per round trip by kind, so each group's cost is "all" minus "-GROUP" per round trip.
 * Usage: peer-tracer-cost MODE same|cross OPS
 *   MODE: off (nothing loaded) | idle (every program attached, nothing tracked: the filters alone)
 *         | all (as ctxbench arms a pass) | -GROUP (all but GROUP: sys switch switchend wake ipi irq fault other)
 * Needs root (or CAP_BPF + CAP_PERFMON). Pinning: the parent on CPU 0; the child on 0 (same) or 1 (cross). */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/explain/trace_event.h"
#include "explain.skel.h"
#include "peers/peer_clock.h"

/* Each program of explain.bpf.c by group. sched_process_fork is in none: it puts the child in the traced set. */
static const char* const kGroups[][7] = {
    {"sys", "on_sys_enter", "on_sys_exit", NULL},
    {"switch", "on_sched_switch", NULL},
    {"switchend", "on_sched_exit_tp", NULL}, /* the switch's end (none in main's fc978db) */
    {"wake", "on_sched_waking", "on_sched_wakeup", "on_sched_wakeup_new", NULL},
    {"ipi", "on_ipi_send_cpu", "on_reschedule_entry", "on_call_function_single_entry", NULL},
    {"irq", "on_irq_handler_entry", "on_irq_handler_exit", "on_local_timer_entry", "on_local_timer_exit",
     "on_softirq_entry", "on_softirq_exit"},
    {"fault", "on_page_fault_user", "on_page_fault_kernel", "on_handle_mm_fault_exit", "on_rss_stat", NULL},
    {"other", "on_sched_migrate_task", "on_hrtimer_expire_entry", "on_sched_process_exec", "on_sched_process_exit",
     NULL},
};
#define NGROUPS (sizeof kGroups / sizeof kGroups[0])
#define NKINDS 32
/* engine/explain/trace_event.h's kinds, by number. */
static const char* const kKindNames[NKINDS] = {
    "?",     "sys_enter",  "sys_exit", "waking",       "wakeup_new", "switch",     "ipi_send",      "ipi_entry",
    "exec",  "exit",       "fork",     "wakeup",       "irq_entry",  "irq_exit",   "softirq_entry", "softirq_exit",
    "fault", "fault_done", "migrate",  "timer_expire", "rss_stat",   "switch_done"};

static int in_group(const char* group, const char* prog) {
  for (size_t g = 0; g < NGROUPS; ++g) {
    if (strcmp(kGroups[g][0], group) != 0) continue;
    for (size_t i = 1; i < 7 && kGroups[g][i] != NULL; ++i)
      if (strcmp(kGroups[g][i], prog) == 0) return 1;
  }
  return 0;
}

static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    perror("sched_setaffinity");
    exit(2);
  }
}

struct counts {
  long long from, to;
  unsigned long long kind[NKINDS];
  unsigned long long total;
};

static int count_event(void* ctx, void* data, size_t size) {
  struct counts* c = ctx;
  if (size < sizeof(struct ctxbench_trace_event)) return 0;
  const struct ctxbench_trace_event* e = data;
  if ((long long)e->ts_ns < c->from || (long long)e->ts_ns > c->to) return 0;
  c->kind[e->kind < NKINDS ? e->kind : 0]++;
  c->total++;
  return 0;
}

/* Opens and loads the program with `skip` (a group, or "" for none) unattached; as the loader does
 * (engine/explain/kernel_tracer.cpp), a program whose tracepoint this kernel lacks is left out, and the
 * fault-end fexit is dropped when the kernel refuses it. */
static struct explain* load(const char* skip, int with_fexit) {
  struct explain* skel = explain__open();
  if (skel == NULL) return NULL;
  struct bpf_program* p;
  bpf_object__for_each_program(p, skel->obj) {
    const char* section = bpf_program__section_name(p);
    const char* tp = section == NULL ? NULL : strchr(section, '/');
    if (in_group(skip, bpf_program__name(p)) ||
        (tp != NULL && libbpf_find_vmlinux_btf_id(tp + 1, bpf_program__expected_attach_type(p)) < 0))
      bpf_program__set_autoload(p, false);
  }
  if (!with_fexit) bpf_program__set_autoload(skel->progs.on_handle_mm_fault_exit, false);
  if (explain__load(skel) != 0 || explain__attach(skel) != 0) {
    explain__destroy(skel);
    return with_fexit ? load(skip, 0) : NULL;
  }
  return skel;
}

int main(int argc, char** argv) {
  if (argc != 4 || (strcmp(argv[2], "same") != 0 && strcmp(argv[2], "cross") != 0) || atoll(argv[3]) < 1) {
    fprintf(stderr, "usage: peer-tracer-cost off|idle|all|-GROUP same|cross OPS\n");
    return 2;
  }
  const char* mode = argv[1];
  const int child_cpu = strcmp(argv[2], "cross") == 0 ? 1 : 0;
  const long long ops = atoll(argv[3]);
  int valid = strcmp(mode, "off") == 0 || strcmp(mode, "idle") == 0 || strcmp(mode, "all") == 0;
  for (size_t g = 0; g < NGROUPS; ++g)
    if (mode[0] == '-' && strcmp(mode + 1, kGroups[g][0]) == 0) valid = 1;
  if (!valid) {
    fprintf(stderr,
            "peer-tracer-cost: unknown MODE '%s' (off, idle, all, -sys, -switch, -switchend, -wake, -ipi, -irq, "
            "-fault, -other)\n",
            mode);
    return 2;
  }
  libbpf_set_print(NULL);
  struct explain* skel = NULL;
  if (strcmp(mode, "off") != 0) {
    skel = load(mode[0] == '-' ? mode + 1 : "", 1);
    if (skel == NULL) {
      fprintf(stderr, "peer-tracer-cost: loading engine/explain/explain.bpf.c failed: %s\n", strerror(errno));
      return 1;
    }
  }
  pin(0);
  if (skel != NULL && strcmp(mode, "idle") != 0) {
    for (unsigned c = 0; c < 2; ++c) {
      const unsigned char on = 1;
      bpf_map_update_elem(bpf_map__fd(skel->maps.watched_cpus), &c, &on, BPF_ANY);
    }
    /* Both sides traced, as the measuring process and its partner are in a pass (1: traced, and its children). */
    const unsigned self = (unsigned)gettid();
    const unsigned char traced = 1;
    bpf_map_update_elem(bpf_map__fd(skel->maps.tracked), &self, &traced, BPF_ANY);
    skel->bss->following = 1;
    skel->bss->armed = 1;
  }
  int ab[2], ba[2];
  if (pipe(ab) != 0 || pipe(ba) != 0) return 1;
  const pid_t child = fork();
  if (child == 0) {
    close(ab[1]); /* the parent's close of its write end is the child's end of input */
    close(ba[0]);
    pin(child_cpu);
    char c;
    while (read(ab[0], &c, 1) == 1)
      if (write(ba[1], &c, 1) != 1) break;
    _exit(0);
  }
  long long* t = calloc((size_t)ops, sizeof *t);
  char c = 0;
  for (int i = 0; i < 2000; ++i) /* warm-up: the child is pinned and both sides are hot */
    if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1) return 1;
  const long long from = now_ns();
  for (long long i = 0; i < ops; ++i) {
    const long long a = now_ns();
    if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1) return 1;
    t[i] = now_ns() - a;
  }
  const long long to = now_ns();
  if (skel != NULL) skel->bss->armed = skel->bss->following = 0;
  close(ab[1]);
  waitpid(child, NULL, 0);
  double mean = 0;
  for (long long i = 0; i < ops; ++i) mean += (double)t[i];
  mean /= (double)ops;
  qsort(t, (size_t)ops, sizeof *t, cmp);
  printf("mode=%s placement=%s ops=%lld median_ns=%lld mean_ns=%.0f", mode, argv[2], ops, t[ops / 2], mean);
  if (skel != NULL) {
    struct counts n = {.from = from, .to = to};
    struct ring_buffer* rb = ring_buffer__new(bpf_map__fd(skel->maps.events), count_event, &n, NULL);
    if (rb != NULL) ring_buffer__consume(rb);
    printf(" events_per_op=%.2f lost=%llu", (double)n.total / (double)ops, (unsigned long long)skel->bss->lost);
    for (int k = 0; k < NKINDS; ++k)
      if (n.kind[k] > 0) printf(" %s=%.2f", kKindNames[k] ? kKindNames[k] : "?", (double)n.kind[k] / (double)ops);
    ring_buffer__free(rb);
    explain__destroy(skel);
  }
  printf("\n");
  free(t);
  return 0;
}
