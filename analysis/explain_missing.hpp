// Switches the kernel's own events prove but never delivered (docs/METHODOLOGY.md, "Which records the phases did
// not add up on, and why"): this VM's kernel runs no tracepoint callback whose current task is one of its agent's
// threads (measured with perf and ftrace too: results/explain_switches/kernel_side_output.txt), so a switch out of
// one (sched_switch runs in its context) reaches no consumer, yet the task switched in marks the switch's end
// (sched_exit_tp, in that task's context). Pure: tests/explain_test.cpp feeds it literal events.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/explain/trace_event.h"

namespace ctxbench {

// For each switch end (SWITCH_DONE) of a task that the CPU's last recorded switch did not switch in, inserts the
// switch it proves: from the task that last switch put on the CPU, to this one, at the switch end's time (so the
// switch itself gets no time, and the task before holds the CPU until then: an upper bound on its time). A CPU
// with no recorded switch before gets none: who held it is not known. `events` in time order, and stays so.
// Returns how many it inserted (Explanation::inferred_switches).
std::uint64_t infer_missing_switches(std::vector<ctxbench_trace_event>& events);

}  // namespace ctxbench
