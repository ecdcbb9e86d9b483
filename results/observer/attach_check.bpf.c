/* What this kernel lets a BPF program attach to at the context switch and at a fault's end (docs/METHODOLOGY.md,
 * "The switch itself"): one trivial program per candidate; results/observer/attach_check.c loads each alone and
 * prints the errno of a refusal. Measurement-only, not part of ctxbench. */
/* clang-format off */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
/* clang-format on */

char LICENSE[] SEC("license") = "GPL";
__u64 hits = 0;

/* One candidate: a program in section SEC named NAME that counts its hits (the arguments are not read). */
#define CANDIDATE(sec, name)        \
  SEC(sec)                          \
  int name(void* ctx) {             \
    __sync_fetch_and_add(&hits, 1); \
    return 0;                       \
  }

CANDIDATE("fentry/__schedule", fentry___schedule)
CANDIDATE("fexit/__schedule", fexit___schedule)
CANDIDATE("fentry/finish_task_switch", fentry_finish_task_switch)
CANDIDATE("fexit/finish_task_switch", fexit_finish_task_switch)
CANDIDATE("fentry/__switch_to", fentry___switch_to)
CANDIDATE("fentry/switch_mm_irqs_off", fentry_switch_mm_irqs_off)
CANDIDATE("fentry/schedule_tail", fentry_schedule_tail)
CANDIDATE("fexit/handle_mm_fault", fexit_handle_mm_fault)
CANDIDATE("kprobe/finish_task_switch", kprobe_finish_task_switch)
CANDIDATE("tp_btf/sched_entry_tp", tp_btf_sched_entry_tp)
CANDIDATE("tp_btf/sched_exit_tp", tp_btf_sched_exit_tp)
CANDIDATE("tp_btf/sched_switch", tp_btf_sched_switch)
