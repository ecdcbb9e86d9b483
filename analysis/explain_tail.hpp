// The tail of --explain (docs/METHODOLOGY.md, "The tail, explained"): the slowest ops of a traced pass
// against its median ops, phase by phase, and the named causes inside the difference: the task that ran
// instead, interrupts, softirqs, page faults, migrations, a wake-up left waiting. Pure functions over
// literal data: tests/explain_tail_test.cpp feeds them hand-written event sequences.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/explain/trace_event.h"
#include "engine/explain/trace_names.hpp"

namespace ctxbench {

// A stretch of time [start, end), ns on the trace's clock.
struct Span {
  std::uint64_t start = 0, end = 0;
};

// One named cause, in one op or averaged over a set of ops.
struct TailCause {
  std::string kind;         // "task", "irq", "softirq", "page_fault", "migration", "wakeup_wait", "silent", "unnamed"
  std::string name;         // comm, irq handler, softirq vector ("TIMER", "NET_RX"), "user"/"kernel" for a fault
  int pid = 0;              // the task's tid (task, page_fault, migration); 0 when none
  std::string klass;        // task: "ours", "kernel_thread", "other_process"; others: "" (JSON omits it)
  double ns = 0;            // time, per reported op
  double share = 0;         // ns / the tail's excess (summary only)
  std::uint64_t count = 0;  // occurrences (summary: in all the tail's ops together)
  // In one op (causes_per_op): the op window's time this cause claims, before the overlaps are shared out. `ns`
  // is this cause's part of it: a moment claimed by m causes at once (two CPUs, a fault interrupted) gives 1/m
  // to each, so the causes of an op are disjoint in time. Empty for a summary, or a cause given as ns alone.
  std::vector<Span> spans = {};
};

// The silent stretches of an op window: on each CPU, the time between two consecutive recorded events inside
// the window while a traced task ran there, outside any interrupt, softirq or page fault. Nothing the tracer
// sees happened in such a stretch; when one is far longer than any in the median ops, the guest did not do
// the extra work it shows (docs/METHODOLOGY.md, "The tail, explained": on a VM, the hypothesis is the host;
// results/tail/host_gaps.txt measures the host's silent gaps).
using SilentStretch = Span;

// Per op window, from one index of the pass: `named`, the causes inside it, and `silent`, its silent stretches.
struct OpCauses {
  std::vector<std::vector<TailCause>> named;
  std::vector<std::vector<SilentStretch>> silent;
};

// Each cause's own time in one op (docs/METHODOLOGY.md, "The tail, explained"): the time its spans claim, cut at
// every span's ends; a piece claimed by m causes at once gives 1/m to each, a piece one cause claims twice (two
// CPUs, two faulting tasks) counts once. So the causes' ns add up to at most the union of their spans. A cause
// without spans keeps the ns it came with (given as ns alone). `inner`: reported ops per op window.
void share_overlaps(std::vector<TailCause>& causes, double inner);

// The causes inside each op window [start, end] of `op_windows` (flattened [start0, end0, ...]), ns per
// reported op (`inner_ops` per window), disjoint in time (TailCause::spans). `events` in time order. Only time a traced
// task lost counts: an interrupt or softirq while a traced task ran or waited to run on that CPU, another task on the
// CPU while a traced task waited for it, a traced task's page faults. `measured` non-empty: only those tasks' lost time
// counts (the probe's other tasks are load; analysis/explain.hpp, break_down_op).
OpCauses causes_per_op(const std::vector<ctxbench_trace_event>& events, const TraceNames& names,
                       const std::vector<std::uint64_t>& op_windows, std::uint64_t inner_ops,
                       const std::vector<int>& measured = {});

// One phase's time in each op (0 where the op does not have it), the input of the phase-by-phase excess.
struct PhasePerOp {
  std::string key, phase;
  std::vector<double> ns;  // per op, per reported op
};

struct TailPhase {
  std::string key, phase;
  double median_ns = 0, tail_ns = 0, excess_ns = 0;  // means over the median ops and over the tail ops
};

struct TailExplanation {
  double quantile = 0.01;         // the slowest fraction of the traced ops
  std::uint64_t ops_in_tail = 0;  // ceil(quantile * ops), at least 1
  std::uint64_t median_ops = 0;   // ops between the 45th and 55th percentile (at least 1)
  double median_op_ns = 0;        // their mean
  double tail_op_ns = 0;          // the tail's mean
  double excess_ns = 0;           // tail_op_ns - median_op_ns
  std::vector<TailPhase> phases;  // largest excess first
  std::vector<TailCause> causes;  // largest first; the last, "unnamed", makes the shares add up to 1
  // The longest silent stretch of the median ops (per reported op); a tail op's silent stretches count as
  // the "silent" cause beyond it. 0 when no stretches were given.
  double silent_threshold_ns = 0;
};

// The slowest `quantile` of the ops against the median ones. `op_ns`: each op's duration per reported op;
// `phases` and `causes` per op, as above. `silent` (per op, may be empty): each tail op's silent stretches
// beyond the median ops' longest make the cause "silent": in each tail op, the silent stretches and the op's
// causes with spans share out the time they claim together, as in causes_per_op, divided by `inner_ops`.
TailExplanation explain_tail(const std::vector<double>& op_ns, const std::vector<PhasePerOp>& phases,
                             const std::vector<std::vector<TailCause>>& causes, double quantile,
                             const std::vector<std::vector<SilentStretch>>& silent = {}, std::uint64_t inner_ops = 1);

// "HI", "TIMER", "NET_RX", ... (the kernel's softirq_to_name); "vector N" beyond them.
std::string softirq_name(long long vec);

}  // namespace ctxbench
