/* One kernel event of the --explain pass, as the BPF program (explain.bpf.c) writes it into its ring
 * buffer and as analysis/explain.cpp reads it. Plain C, fixed-width fields: the same bytes on both sides.
 * docs/METHODOLOGY.md, "Where the time went (--explain)", defines what each kind is used for. */
#ifndef CTXBENCH_TRACE_EVENT_H
#define CTXBENCH_TRACE_EVENT_H

enum ctxbench_trace_kind {
  CTXBENCH_EV_SYS_ENTER = 1,  /* tid entered system call `arg` */
  CTXBENCH_EV_SYS_EXIT = 2,   /* tid returns to user space from a system call */
  CTXBENCH_EV_WAKING = 3,     /* tid (the waker, or 0 from an interrupt) wakes `other` */
  CTXBENCH_EV_WAKEUP_NEW = 4, /* tid (the creator) makes the new task `other` runnable */
  CTXBENCH_EV_SWITCH = 5,     /* on cpu: tid is switched out, `other` in; `arg`: tid's state (0: still
                                 runnable, i.e. it yielded) or CTXBENCH_SWITCH_PREEMPTED */
  CTXBENCH_EV_IPI_SEND = 6,   /* from cpu, an IPI to cpu `arg` */
  CTXBENCH_EV_IPI_ENTRY = 7,  /* on cpu: a reschedule / function-call IPI is handled */
  CTXBENCH_EV_EXEC = 8,       /* tid replaced its program */
  CTXBENCH_EV_EXIT = 9,       /* tid exits */
  CTXBENCH_EV_FORK = 10,      /* tid created `other` */
  CTXBENCH_EV_WAKEUP = 11,    /* on cpu: the woken task `other` is on a run queue (sched_wakeup) */
  /* The tail's causes (docs/METHODOLOGY.md, "The tail, explained"), on the pass's CPUs while armed: */
  CTXBENCH_EV_IRQ_ENTRY = 12,     /* on cpu, interrupting tid: handler of irq `arg` (-1: the local timer, the
                                     tick) starts; a ctxbench_trace_named record carrying the handler's name */
  CTXBENCH_EV_IRQ_EXIT = 13,      /* on cpu: that handler returns */
  CTXBENCH_EV_SOFTIRQ_ENTRY = 14, /* on cpu, interrupting tid: softirq vector `arg` starts */
  CTXBENCH_EV_SOFTIRQ_EXIT = 15,  /* on cpu: softirq vector `arg` ends */
  CTXBENCH_EV_FAULT = 16,         /* traced tid takes a page fault; `arg`: 0 in user mode, 1 in the kernel */
  CTXBENCH_EV_FAULT_DONE = 17,    /* traced tid's fault is handled (handle_mm_fault returns) */
  CTXBENCH_EV_MIGRATE = 18,       /* traced task `other` is moved to cpu `arg` */
  /* The timer wake-up (docs/METHODOLOGY.md, "A timer wake-up, explained"): */
  CTXBENCH_EV_TIMER_EXPIRE = 19, /* on cpu: the sleep timer of traced tid expires (hrtimer_expire_entry);
                                    `arg`: the time it was set for (_softexpires, CLOCK_MONOTONIC ns);
                                    `other`: its slack (hard expiry - arg, ns, capped at INT_MAX) */
  CTXBENCH_EV_FAULT_MAPPED = 20, /* traced tid's RSS counter changes (kmem:rss_stat): inside a fault, its page is
                                    mapped, the fault's last step before it returns; docs/METHODOLOGY.md,
                                    "Page faults" */
  CTXBENCH_EV_SWITCH_DONE = 21,  /* on cpu: traced tid, switched in, returns from the scheduler (sched_exit_tp,
                                    after finish_task_switch): the end of the context switch; docs/METHODOLOGY.md,
                                    "The switch itself" */
  CTXBENCH_EV_IDLE = 22,         /* on cpu (a timer wake-up's pass only): the CPU enters idle state `arg`, or
                                    leaves idle (`arg` -1, the kernel's PWR_EVENT_EXIT); power:cpu_idle;
                                    docs/METHODOLOGY.md, "A timer wake-up, explained" */
};

/* The marker a traced task makes right before its first traced op when the pass records from there
 * (ProbeInfo::explain_from_first_op): a system call number no kernel has (it fails with ENOSYS and does
 * nothing), seen by the sys_enter tracepoint, which runs before the kernel checks the number. */
#define CTXBENCH_OPS_MARK_SYSCALL 31867

/* SWITCH's arg when the task was preempted (runnable, the CPU taken from it). */
#define CTXBENCH_SWITCH_PREEMPTED (1LL << 32)

struct ctxbench_trace_event {
  unsigned long long ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC, the clock the op windows use */
  unsigned int kind;
  unsigned int cpu;
  int tid;
  int other;
  long long arg;
};

/* SWITCH and IRQ_ENTRY records are this longer form: for a switch, the task switched in (`other`) by name,
 * its process and whether it is a kernel thread; for an interrupt, the handler's name. */
#define CTXBENCH_TASK_KTHREAD 1u
struct ctxbench_trace_named {
  struct ctxbench_trace_event e;
  int tgid;           /* SWITCH: the process of the task switched in */
  unsigned int flags; /* SWITCH: CTXBENCH_TASK_KTHREAD */
  char name[16];      /* SWITCH: its comm; IRQ_ENTRY: the handler's name (truncated) */
};

#endif
