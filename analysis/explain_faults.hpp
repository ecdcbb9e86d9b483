// The page faults of an --explain pass (docs/METHODOLOGY.md, "Page faults"): each traced task's faults as
// intervals, from the fault's tracepoint (exceptions:page_fault_user / page_fault_kernel, at the fault's entry)
// to the last end mark the kernel gave before the task's next event of any other kind. Pure: tested on literal
// event sequences (tests/explain_faults_test.cpp); the op walk (analysis/explain.cpp) and the tail's causes
// (analysis/explain_tail.cpp) both read faults from here.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "engine/explain/trace_event.h"

namespace ctxbench {

struct FaultInterval {
  std::uint64_t start = 0;
  std::uint64_t end = 0;  // == start: no end mark came (counted, not timed)
  bool kernel = false;    // taken in the kernel (page_fault_kernel), not in user space
  int tid = 0;
};

// Every fault of `events` (in time order), per task in time order. An end mark is CTXBENCH_EV_FAULT_DONE
// (handle_mm_fault's return, where an fexit loads) or CTXBENCH_EV_FAULT_MAPPED (the fault's page counted into
// the task's RSS, kmem:rss_stat): the latest one before the task's next other event ends the fault, so a
// retried fault (two handle_mm_fault calls) or a copy-on-write (two RSS counters) ends at its last mark.
std::unordered_map<int, std::vector<FaultInterval>> fault_intervals(const std::vector<ctxbench_trace_event>& events);

// The faults of every traced task inside each op window (flattened [start0, end0, ...], in time order), per
// reported op (`inner_ops` per window): what `perf stat -e exceptions:page_fault_user` counts over the same ops.
struct FaultCounts {
  std::vector<double> user, kernel;  // per op
  std::uint64_t faults = 0;          // inside the windows, both modes
  std::uint64_t timed = 0;           // of those, with an end mark
};
FaultCounts fault_counts(const std::unordered_map<int, std::vector<FaultInterval>>& faults,
                         const std::vector<std::uint64_t>& op_windows, std::uint64_t inner_ops);

}  // namespace ctxbench
