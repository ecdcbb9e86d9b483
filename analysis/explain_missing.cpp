#include "analysis/explain_missing.hpp"

#include <unordered_map>
#include <utility>

namespace ctxbench {

std::uint64_t infer_missing_switches(std::vector<ctxbench_trace_event>& events) {
  std::unordered_map<unsigned, int> running;  // per CPU: the task its last recorded switch put in
  std::vector<std::pair<std::size_t, ctxbench_trace_event>> proven;  // (insert before index, the switch)
  for (std::size_t i = 0; i < events.size(); ++i) {
    const ctxbench_trace_event& e = events[i];
    if (e.kind == CTXBENCH_EV_SWITCH) running[e.cpu] = e.other;
    if (e.kind != CTXBENCH_EV_SWITCH_DONE || e.tid <= 0) continue;
    auto it = running.find(e.cpu);
    if (it == running.end() || it->second == e.tid) continue;
    // Switched out: the task the CPU's last recorded switch put in; its state is not known (0, as if runnable).
    proven.emplace_back(i, ctxbench_trace_event{e.ts_ns, CTXBENCH_EV_SWITCH, e.cpu, it->second, e.tid, 0});
    it->second = e.tid;
  }
  if (proven.empty()) return 0;
  std::vector<ctxbench_trace_event> out;
  out.reserve(events.size() + proven.size());
  std::size_t next = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    for (; next < proven.size() && proven[next].first == i; ++next) out.push_back(proven[next].second);
    out.push_back(events[i]);
  }
  events = std::move(out);
  return proven.size();
}

}  // namespace ctxbench
