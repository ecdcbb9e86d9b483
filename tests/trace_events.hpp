// Hand-written kernel events for the --explain tests (tests/explain_test.cpp, tests/explain_tail_test.cpp):
// the records engine/explain/explain.bpf.c writes, built one line each.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/explain/trace_event.h"

namespace ctxbench::trace_events {

constexpr int kTaskA = 100, kTaskB = 200;
// The numbers of this build's architecture (the traced kernel reports those; analysis/syscall_names.cpp);
// the names the tests check are looked up, not assumed.
#if defined(__aarch64__)
constexpr long kRead = 63, kWrite = 64;
constexpr long kYield = 124, kClone = 220, kWait4 = 260, kExitGroup = 94;
#else
constexpr long kRead = 0, kWrite = 1;
constexpr long kYield = 24, kClone = 56, kWait4 = 61, kExitGroup = 231;
#endif

inline ctxbench_trace_event ev(std::uint64_t ts, ctxbench_trace_kind kind, int tid, int other = 0, long long arg = 0,
                               unsigned cpu = 0) {
  return ctxbench_trace_event{ts, static_cast<unsigned>(kind), cpu, tid, other, arg};
}
inline ctxbench_trace_event enter(std::uint64_t ts, int tid, long nr, unsigned cpu = 0) {
  return ev(ts, CTXBENCH_EV_SYS_ENTER, tid, 0, nr, cpu);
}
inline ctxbench_trace_event leave(std::uint64_t ts, int tid, unsigned cpu = 0) {
  return ev(ts, CTXBENCH_EV_SYS_EXIT, tid, 0, 0, cpu);
}
inline ctxbench_trace_event wakes(std::uint64_t ts, int waker, int woken, unsigned cpu = 0) {
  return ev(ts, CTXBENCH_EV_WAKING, waker, woken, 0, cpu);
}
inline ctxbench_trace_event switches(std::uint64_t ts, int prev, int next, long long prev_state, unsigned cpu = 0) {
  return ev(ts, CTXBENCH_EV_SWITCH, prev, next, prev_state, cpu);
}
// A page fault of `tid` (exceptions:page_fault_user, or _kernel), and its page counted in (kmem:rss_stat).
inline ctxbench_trace_event fault(std::uint64_t ts, int tid, bool kernel = false, unsigned cpu = 0) {
  return ev(ts, CTXBENCH_EV_FAULT, tid, 0, kernel ? 1 : 0, cpu);
}
inline ctxbench_trace_event mapped(std::uint64_t ts, int tid, unsigned cpu = 0) {
  return ev(ts, CTXBENCH_EV_FAULT_MAPPED, tid, 0, 0, cpu);
}

// A pipe round trip on one CPU, the op [t0, t0 + 1700]: A writes (waking B), blocks in read; B reads,
// writes back, blocks.
inline std::vector<ctxbench_trace_event> same_cpu_round_trip(std::uint64_t t0) {
  const int A = kTaskA, B = kTaskB;
  return {enter(t0 + 100, A, kWrite), wakes(t0 + 300, A, B),        leave(t0 + 400, A),
          enter(t0 + 500, A, kRead),  switches(t0 + 600, A, B, 1),  leave(t0 + 800, B),
          enter(t0 + 900, B, kWrite), wakes(t0 + 1100, B, A),       leave(t0 + 1200, B),
          enter(t0 + 1300, B, kRead), switches(t0 + 1400, B, A, 1), leave(t0 + 1600, A)};
}

}  // namespace ctxbench::trace_events
