/* The kernel side of --explain (docs/METHODOLOGY.md, "Where the time went"): records the scheduler,
 * system-call and IPI events, and the interrupts, softirqs, page faults and migrations that the tail's causes
 * are named from (docs/METHODOLOGY.md, "The tail, explained"), of the traced pass's own tasks into a ring buffer,
 * untouched; the phase arithmetic happens in user space (analysis/explain.cpp) where it can be tested on literal
 * events.
 *
 * CO-RE without a generated vmlinux.h: the two task_struct fields read here are declared with
 * preserve_access_index, and libbpf relocates their offsets against the running kernel's BTF at load.
 * Every program is a BTF-typed tracepoint (tp_btf): no tracefs mount is needed. */
/* linux/bpf.h defines the types the libbpf headers use, so it stays first (not sorted). */
/* clang-format off */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
/* clang-format on */

#include "engine/explain/trace_event.h"

struct task_struct {
  unsigned int flags;
  int pid;
  int tgid;
  char comm[16];
} __attribute__((preserve_access_index));
struct irqaction {
  const char* name;
} __attribute__((preserve_access_index));
struct timerqueue_node {
  long long expires;
} __attribute__((preserve_access_index));
struct hrtimer {
  struct timerqueue_node node;
  long long _softexpires;
} __attribute__((preserve_access_index));
struct hrtimer_sleeper {
  struct hrtimer timer;
  struct task_struct* task;
} __attribute__((preserve_access_index));
#define PF_KTHREAD 0x00200000
struct pt_regs;
struct linux_binprm;
struct mm_struct;

char LICENSE[] SEC("license") = "GPL";

/* tid -> 1: traced (its events are recorded and the tasks it creates are traced);
 *        2: only the tasks it creates are traced (ctxbench itself, which starts the measuring process). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1 << 17);
  __type(key, __u32);
  __type(value, __u8);
} tracked SEC(".maps");

/* 32 MiB: ~1M events of 32 bytes, a whole traced pass (src/explain_pass.cpp sizes passes to fit). */
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 25);
} events SEC(".maps");

/* Written by the loader: IPI events are kept only while a pass is armed (.bss, mapped) and only for the
 * CPUs the pass's tasks may use (cpu -> 1). `armed`: events are recorded; `following`: the tasks the traced
 * ones create are traced. A pass that records from its first op (ProbeInfo::explain_from_first_op: a db.*
 * server's start-up would fill the ring buffer) is following and not armed until a traced task makes the
 * marker system call CTXBENCH_OPS_MARK_SYSCALL (src/explain_pass.cpp, engine/runner.cpp). */
__u32 armed = 0;
__u32 following = 0;
/* Idle entries and exits are recorded only when set: a timer wake-up's pass (docs/METHODOLOGY.md, "A timer
 * wake-up, explained"); the ping-pong passes, whose CPUs go idle every op, are not charged for them. */
__u32 idle_states = 0;
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4096);
  __type(key, __u32);
  __type(value, __u8);
} watched_cpus SEC(".maps");
/* Events the ring buffer had no room for: any loss makes the pass's breakdown unusable (the loader says so). */
__u64 lost = 0;

static __always_inline __u32 current_tid(void) { return (__u32)bpf_get_current_pid_tgid(); }

/* `armed` first: one load of a global, before any map lookup (docs/METHODOLOGY.md, "What the tracer costs"). */
static __always_inline int traced(__u32 tid) {
  if (!armed) return 0;
  __u8* v = bpf_map_lookup_elem(&tracked, &tid);
  return v && *v == 1;
}

static __always_inline int cpu_watched(__u32 cpu) {
  if (!armed) return 0;
  __u8* w = bpf_map_lookup_elem(&watched_cpus, &cpu); /* an array map: the lookup checks the bound */
  return w && *w;
}

static __always_inline void emit(__u32 kind, __s32 tid, __s32 other, __s64 arg) {
  struct ctxbench_trace_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    __sync_fetch_and_add(&lost, 1);
    return;
  }
  e->ts_ns = bpf_ktime_get_ns();
  e->kind = kind;
  e->cpu = bpf_get_smp_processor_id();
  e->tid = tid;
  e->other = other;
  e->arg = arg;
  /* No wake-up of a reader: ctxbench drains the buffer after the pass, so nothing runs beside the ops. */
  bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/* A SWITCH with the task switched in named, or an IRQ_ENTRY with its handler's name: the longer record. */
static __always_inline void emit_named(__u32 kind, __s32 tid, __s32 other, __s64 arg, struct task_struct* next,
                                       const char* irq_name) {
  struct ctxbench_trace_named* n = bpf_ringbuf_reserve(&events, sizeof(*n), 0);
  if (!n) {
    __sync_fetch_and_add(&lost, 1);
    return;
  }
  n->e.ts_ns = bpf_ktime_get_ns();
  n->e.kind = kind;
  n->e.cpu = bpf_get_smp_processor_id();
  n->e.tid = tid;
  n->e.other = other;
  n->e.arg = arg;
  n->tgid = 0;
  n->flags = 0;
  __builtin_memset(n->name, 0, sizeof(n->name));
  if (next) {
    /* Direct loads from the BTF-typed pointer (no helper call); the name in one fixed-size copy. */
    n->tgid = next->tgid;
    n->flags = (next->flags & PF_KTHREAD) ? CTXBENCH_TASK_KTHREAD : 0;
    bpf_probe_read_kernel(n->name, sizeof(n->name), next->comm);
  } else if (irq_name) {
    bpf_probe_read_kernel_str(n->name, sizeof(n->name), irq_name);
  }
  bpf_ringbuf_submit(n, BPF_RB_NO_WAKEUP);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs* regs, long id) {
  __u32 tid = current_tid();
  if (!armed) {
    /* Following, not yet recording: the marker from a traced task starts the recording. It is not recorded
     * itself (its exit is: the caller's return to user space before its first op). */
    if (following && id == CTXBENCH_OPS_MARK_SYSCALL) {
      __u8* v = bpf_map_lookup_elem(&tracked, &tid);
      if (v && *v == 1) armed = 1;
    }
    return 0;
  }
  if (traced(tid)) emit(CTXBENCH_EV_SYS_ENTER, tid, 0, id);
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs* regs, long ret) {
  __u32 tid = current_tid();
  if (traced(tid)) emit(CTXBENCH_EV_SYS_EXIT, tid, 0, ret);
  return 0;
}

/* A wake-up of a traced task, recorded in the waker's context (the current task). */
static __always_inline void woken(__u32 kind, struct task_struct* p) {
  if (!armed) return;
  __u32 target = p->pid;
  if (traced(target)) emit(kind, current_tid(), target, 0);
}

SEC("tp_btf/sched_waking")
int BPF_PROG(on_sched_waking, struct task_struct* p) {
  woken(CTXBENCH_EV_WAKING, p);
  return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_sched_wakeup, struct task_struct* p) {
  woken(CTXBENCH_EV_WAKEUP, p);
  return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(on_sched_wakeup_new, struct task_struct* p) {
  woken(CTXBENCH_EV_WAKEUP_NEW, p);
  return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_sched_switch, _Bool preempt, struct task_struct* prev, struct task_struct* next,
             unsigned int prev_state) {
  if (!armed) return 0;
  __u32 prev_tid = prev->pid;
  __u32 next_tid = next->pid;
  /* A preempted task is still runnable whatever its state word says: state 0, and the preempted bit. */
  /* Every switch on the pass's CPUs while armed, not only our tasks': who held a CPU a traced task waited
   * for is known from switch to switch (the tail's causes). The CPU's flag first: on a pinned pass's CPUs it
   * decides alone, without the two hash lookups. */
  if (cpu_watched(bpf_get_smp_processor_id()) || traced(prev_tid) || traced(next_tid))
    emit_named(CTXBENCH_EV_SWITCH, prev_tid, next_tid, preempt ? CTXBENCH_SWITCH_PREEMPTED : prev_state, next, 0);
  return 0;
}

/* The end of the switch (docs/METHODOLOGY.md, "The switch itself"): the scheduler returns in the task switched in,
 * after the address space and registers are switched and the previous task is finished with (finish_task_switch).
 * A bare tracepoint (6.16 and later); a kernel without it loads the rest and the switch stays unsplit. */
SEC("tp_btf/sched_exit_tp")
int BPF_PROG(on_sched_exit_tp, _Bool is_switch) {
  __u32 tid = current_tid();
  if (is_switch && traced(tid)) emit(CTXBENCH_EV_SWITCH_DONE, tid, 0, 0);
  return 0;
}

/* The tail's causes. Interrupts and softirqs on the pass's CPUs while armed, whoever they interrupt (the
 * analysis keeps those that hit a traced task or a CPU a traced task waits for). */
SEC("tp_btf/irq_handler_entry")
int BPF_PROG(on_irq_handler_entry, int irq, struct irqaction* action) {
  if (cpu_watched(bpf_get_smp_processor_id()))
    emit_named(CTXBENCH_EV_IRQ_ENTRY, current_tid(), 0, irq, 0, BPF_CORE_READ(action, name));
  return 0;
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(on_irq_handler_exit, int irq, struct irqaction* action, int ret) {
  if (cpu_watched(bpf_get_smp_processor_id())) emit(CTXBENCH_EV_IRQ_EXIT, current_tid(), 0, irq);
  return 0;
}

/* The scheduler tick (x86's local APIC timer has no irq_handler_* events of its own). */
SEC("tp_btf/local_timer_entry")
int BPF_PROG(on_local_timer_entry, int vector) {
  if (cpu_watched(bpf_get_smp_processor_id()))
    emit_named(CTXBENCH_EV_IRQ_ENTRY, current_tid(), 0, -1, 0, "local_timer");
  return 0;
}

SEC("tp_btf/local_timer_exit")
int BPF_PROG(on_local_timer_exit, int vector) {
  if (cpu_watched(bpf_get_smp_processor_id())) emit(CTXBENCH_EV_IRQ_EXIT, current_tid(), 0, -1);
  return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(on_softirq_entry, unsigned int vec) {
  if (cpu_watched(bpf_get_smp_processor_id())) emit(CTXBENCH_EV_SOFTIRQ_ENTRY, current_tid(), 0, vec);
  return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(on_softirq_exit, unsigned int vec) {
  if (cpu_watched(bpf_get_smp_processor_id())) emit(CTXBENCH_EV_SOFTIRQ_EXIT, current_tid(), 0, vec);
  return 0;
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(on_page_fault_user, unsigned long address, struct pt_regs* regs, unsigned long error_code) {
  __u32 tid = current_tid();
  if (traced(tid)) emit(CTXBENCH_EV_FAULT, tid, 0, 0);
  return 0;
}

SEC("tp_btf/page_fault_kernel")
int BPF_PROG(on_page_fault_kernel, unsigned long address, struct pt_regs* regs, unsigned long error_code) {
  __u32 tid = current_tid();
  if (traced(tid)) emit(CTXBENCH_EV_FAULT, tid, 0, 1);
  return 0;
}

/* The fault tracepoints have no exit. The end of a fault is handle_mm_fault's return where an fexit loads
 * (ftrace trampolines: some kernels refuse it with EPERM), and otherwise the last RSS counter change
 * inside it (kmem:rss_stat, below: the page is being mapped, the fault's last step); docs/METHODOLOGY.md,
 * "Page faults". */
SEC("fexit/handle_mm_fault")
int BPF_PROG(on_handle_mm_fault_exit, void* vma, unsigned long address, unsigned int flags, struct pt_regs* regs,
             unsigned int ret) {
  __u32 tid = current_tid();
  if (traced(tid)) emit(CTXBENCH_EV_FAULT_DONE, tid, 0, 0);
  return 0;
}

/* Every RSS change of a traced task; analysis/explain_faults.cpp keeps those inside a fault. */
SEC("tp_btf/rss_stat")
int BPF_PROG(on_rss_stat, struct mm_struct* mm, int member) {
  __u32 tid = current_tid();
  if (traced(tid)) emit(CTXBENCH_EV_FAULT_MAPPED, tid, 0, member);
  return 0;
}

SEC("tp_btf/sched_migrate_task")
int BPF_PROG(on_sched_migrate_task, struct task_struct* p, int dest_cpu) {
  __u32 tid = p->pid;
  if (traced(tid)) emit(CTXBENCH_EV_MIGRATE, current_tid(), tid, dest_cpu);
  return 0;
}

/* A timer wake-up's expiry: the hrtimer of a sleeping traced task (clock_nanosleep, an hrtimer_sleeper) starts
 * its callback. Every expiring hrtimer passes here; only a sleeper's task pointer names a traced task, any
 * other timer's bytes at that offset read as no task or an untraced one (the reads are fault-safe). */
SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(on_hrtimer_expire_entry, struct hrtimer* timer, long long* now) {
  if (!armed) return 0;
  struct hrtimer_sleeper* sleeper = (struct hrtimer_sleeper*)timer;
  struct task_struct* task = BPF_CORE_READ(sleeper, task);
  if (!task) return 0;
  __u32 tid = BPF_CORE_READ(task, pid);
  if (!traced(tid)) return 0;
  long long soft = BPF_CORE_READ(timer, _softexpires);
  long long slack = BPF_CORE_READ(timer, node.expires) - soft;
  if (slack < 0) slack = 0;
  if (slack > 0x7fffffff) slack = 0x7fffffff;
  emit(CTXBENCH_EV_TIMER_EXPIRE, tid, (__s32)slack, soft);
  return 0;
}

/* A CPU enters an idle state, or leaves idle (state (u32)-1, PWR_EVENT_EXIT): whether the CPU a timer is due on
 * was halted until its interrupt came (analysis/explain_timer.cpp). */
SEC("tp_btf/cpu_idle")
int BPF_PROG(on_cpu_idle, unsigned int state, unsigned int cpu_id) {
  if (idle_states && cpu_watched(cpu_id)) emit(CTXBENCH_EV_IDLE, current_tid(), 0, (__s32)state);
  return 0;
}

SEC("tp_btf/ipi_send_cpu")
int BPF_PROG(on_ipi_send_cpu, unsigned int cpu, unsigned long callsite, void* callback) {
  if (cpu_watched(cpu)) emit(CTXBENCH_EV_IPI_SEND, current_tid(), 0, cpu);
  return 0;
}

SEC("tp_btf/reschedule_entry")
int BPF_PROG(on_reschedule_entry, int vector) {
  if (cpu_watched(bpf_get_smp_processor_id())) emit(CTXBENCH_EV_IPI_ENTRY, current_tid(), 0, vector);
  return 0;
}

SEC("tp_btf/call_function_single_entry")
int BPF_PROG(on_call_function_single_entry, int vector) {
  if (cpu_watched(bpf_get_smp_processor_id())) emit(CTXBENCH_EV_IPI_ENTRY, current_tid(), 0, vector);
  return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_sched_process_fork, struct task_struct* parent, struct task_struct* child) {
  if (!following) return 0;
  __u32 parent_tid = parent->pid;
  __u8* v = bpf_map_lookup_elem(&tracked, &parent_tid);
  if (!v) return 0;
  __u32 child_tid = child->pid;
  __u8 one = 1;
  bpf_map_update_elem(&tracked, &child_tid, &one, BPF_ANY);
  if (*v == 1 && armed) emit(CTXBENCH_EV_FORK, parent_tid, child_tid, 0);
  return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_sched_process_exec, struct task_struct* p, int old_pid, struct linux_binprm* bprm) {
  __u32 tid = p->pid;
  if (traced(tid)) emit(CTXBENCH_EV_EXEC, tid, old_pid, 0);
  return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_sched_process_exit, struct task_struct* p) {
  __u32 tid = p->pid;
  if (traced(tid)) emit(CTXBENCH_EV_EXIT, tid, 0, 0);
  return 0;
}
