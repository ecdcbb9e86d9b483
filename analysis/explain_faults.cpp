#include "analysis/explain_faults.hpp"

#include <algorithm>

namespace ctxbench {

std::unordered_map<int, std::vector<FaultInterval>> fault_intervals(const std::vector<ctxbench_trace_event>& events) {
  std::unordered_map<int, std::vector<FaultInterval>> out;
  std::unordered_map<int, FaultInterval> open;  // tid -> its fault with no other event of the task since
  auto close = [&](int tid) {
    auto it = open.find(tid);
    if (it == open.end()) return;
    out[tid].push_back(it->second);
    open.erase(it);
  };
  for (const ctxbench_trace_event& e : events) {
    switch (e.kind) {
      case CTXBENCH_EV_FAULT:
        close(e.tid);
        open[e.tid] = FaultInterval{e.ts_ns, e.ts_ns, e.arg != 0, e.tid};
        break;
      case CTXBENCH_EV_FAULT_DONE:
      case CTXBENCH_EV_FAULT_MAPPED: {
        // Outside a fault (a system call mapping pages, get_user_pages' own handle_mm_fault): not a fault's end.
        auto it = open.find(e.tid);
        if (it != open.end()) it->second.end = e.ts_ns;
        break;
      }
      case CTXBENCH_EV_SWITCH:
        close(e.tid);  // the task switched out: whatever it did after its last end mark is not known as fault
        break;
      case CTXBENCH_EV_SYS_ENTER:
      case CTXBENCH_EV_SYS_EXIT:
      case CTXBENCH_EV_WAKING:
      case CTXBENCH_EV_WAKEUP_NEW:
      case CTXBENCH_EV_EXEC:
      case CTXBENCH_EV_EXIT:
      case CTXBENCH_EV_FORK:
        close(e.tid);  // events the task itself causes: it is past its fault
        break;
      default:
        break;  // events of other CPUs or tasks (interrupts interrupt the fault, they do not end it)
    }
  }
  for (auto& [tid, f] : open) out[tid].push_back(f);
  return out;
}

FaultCounts fault_counts(const std::unordered_map<int, std::vector<FaultInterval>>& faults,
                         const std::vector<std::uint64_t>& op_windows, std::uint64_t inner_ops) {
  FaultCounts c;
  const std::size_t ops = op_windows.size() / 2;
  c.user.assign(ops, 0.0);
  c.kernel.assign(ops, 0.0);
  const double per = 1.0 / static_cast<double>(std::max<std::uint64_t>(inner_ops, 1));
  for (const auto& [tid, list] : faults) {
    for (const FaultInterval& f : list) {
      // The window starting last at or before the fault (windows are disjoint, in time order).
      std::size_t lo = 0, hi = ops;
      while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (op_windows[2 * mid] <= f.start)
          lo = mid + 1;
        else
          hi = mid;
      }
      if (lo == 0 || f.start >= op_windows[2 * (lo - 1) + 1]) continue;  // between ops
      const std::size_t op = lo - 1;
      (f.kernel ? c.kernel : c.user)[op] += per;
      ++c.faults;
      if (f.end > f.start) ++c.timed;
    }
  }
  return c;
}

}  // namespace ctxbench
