// The names the --explain tail's causes are given (docs/METHODOLOGY.md, "The tail, explained"): the tasks
// switched in beside the traced ones and the interrupt handlers, as the tracer read them from the kernel
// (engine/explain/trace_event.h, ctxbench_trace_named). Plain data, shared by the tracer and the analysis.
#pragma once

#include <string>
#include <unordered_map>

namespace ctxbench {

struct TaskName {
  std::string comm;
  int tgid = 0;                // its process
  bool kernel_thread = false;  // PF_KTHREAD
};

struct TraceNames {
  std::unordered_map<int, TaskName> tasks;          // tid -> the latest name it was switched in with
  std::unordered_map<long long, std::string> irqs;  // irq number (-1: the local timer) -> handler name
};

}  // namespace ctxbench
