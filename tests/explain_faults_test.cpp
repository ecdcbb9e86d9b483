// Page faults in --explain (analysis/explain_faults.hpp, and their phase in analysis/explain.cpp) on
// hand-written kernel event sequences: where a fault ends, that its time is taken out of the phase it
// interrupted (user space or a system call) so the op still adds up, and the counts per op. No kernel needed.
#include "analysis/explain_faults.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "analysis/explain.hpp"
#include "tests/op_sums.hpp"
#include "tests/trace_events.hpp"

namespace ctxbench {
namespace {

using namespace trace_events;

constexpr int A = kTaskA, B = kTaskB;

void insert_sorted(std::vector<ctxbench_trace_event>& events, std::initializer_list<ctxbench_trace_event> more) {
  events.insert(events.end(), more);
  std::stable_sort(events.begin(), events.end(),
                   [](const ctxbench_trace_event& a, const ctxbench_trace_event& b) { return a.ts_ns < b.ts_ns; });
}

TEST(ExplainFaults, AFaultEndsAtItsLastMarkBeforeTheTasksNextEvent) {
  // A copy-on-write fault changes two RSS counters: it ends at the second. B's mark is B's, not A's.
  const auto f = fault_intervals({fault(100, A), mapped(130, A), mapped(150, A), mapped(160, B), enter(400, A, kRead),
                                  mapped(450, A), leave(500, A)});
  ASSERT_EQ(f.count(A), 1u);
  ASSERT_EQ(f.at(A).size(), 1u);  // the mark inside the system call opens no fault
  EXPECT_EQ(f.at(A)[0].start, 100u);
  EXPECT_EQ(f.at(A)[0].end, 150u);
  EXPECT_FALSE(f.at(A)[0].kernel);
  EXPECT_EQ(f.count(B), 0u);
}

TEST(ExplainFaults, AFaultWithoutAMarkIsCountedNotTimed) {
  // The second fault closes the first (no mark: 0 ns); an interrupt inside the second does not end it; the
  // fexit's mark (FAULT_DONE) ends a fault as the RSS mark does.
  const auto f = fault_intervals({fault(100, A, true), fault(200, A), ev(210, CTXBENCH_EV_IRQ_ENTRY, A, 0, 5),
                                  ev(220, CTXBENCH_EV_IRQ_EXIT, A, 0, 5), ev(260, CTXBENCH_EV_FAULT_DONE, A),
                                  switches(300, A, B, 1)});
  ASSERT_EQ(f.at(A).size(), 2u);
  EXPECT_TRUE(f.at(A)[0].kernel);
  EXPECT_EQ(f.at(A)[0].end, f.at(A)[0].start);
  EXPECT_EQ(f.at(A)[1].end, 260u);
}

TEST(ExplainFaults, UserSpaceShrinksByTheFaultsAndTheOpStillAddsUp) {
  std::vector<ctxbench_trace_event> e = same_cpu_round_trip(1000);
  const OpBreakdown before = break_down_op(e, A, 1000, 2700);
  // A faults twice in user space before its write (timed 30 and 20 ns), B once in its user space (30 ns).
  insert_sorted(e, {fault(1010, A), mapped(1040, A), fault(1050, A), mapped(1070, A), fault(1820, B), mapped(1850, B)});
  const OpBreakdown after = break_down_op(e, A, 1000, 2700);
  EXPECT_TRUE(after.followed);
  EXPECT_EQ(total(after), 1700u);
  const auto b = by_key(before), a = by_key(after);
  EXPECT_EQ(b.count("page_faults_user"), 0u);
  EXPECT_EQ(a.at("page_faults_user"), 80u);
  EXPECT_EQ(a.at("user_space"), b.at("user_space") - 80);
}

TEST(ExplainFaults, AKernelFaultIsTakenOutOfTheSystemCallItHappenedIn) {
  std::vector<ctxbench_trace_event> e = same_cpu_round_trip(1000);
  // A's write [1100, 1300) wakes B at 1300; a fault in it at 1150, mapped at 1190.
  insert_sorted(e, {fault(1150, A, true), mapped(1190, A)});
  const OpBreakdown b = break_down_op(e, A, 1000, 2700);
  EXPECT_EQ(total(b), 1700u);
  const auto m = by_key(b);
  EXPECT_EQ(m.at("page_faults_kernel"), 40u);
  EXPECT_EQ(m.at(syscall_name(kWrite) + "_until_wake"), 400u - 40u);
}

TEST(ExplainFaults, CountsPerOpAreEveryTracedTasksFaultsInsideTheWindows) {
  std::vector<ctxbench_trace_event> e = same_cpu_round_trip(1000);
  // Two ops of the same events, shifted; a fault between the windows is no op's.
  std::vector<ctxbench_trace_event> second = same_cpu_round_trip(3000);
  e.insert(e.end(), second.begin(), second.end());
  insert_sorted(
      e, {fault(1010, A), mapped(1040, A), fault(1850, B), fault(2800, A), fault(3010, A, true), mapped(3020, A)});
  const Explanation x = explain_pass(e, 0, {1000, 2700, 3000, 4700}, A, 2);  // 2 reported ops per window
  EXPECT_EQ(x.faults, 3u);
  EXPECT_EQ(x.faults_timed, 2u);
  EXPECT_DOUBLE_EQ(x.user_faults_per_op, (2.0 / 2 + 0.0) / 2);
  EXPECT_DOUBLE_EQ(x.kernel_faults_per_op, (0.0 + 1.0 / 2) / 2);
  // The fault phase's share: 30 ns in the first window, 0 in the second, per reported op.
  const auto p =
      std::find_if(x.phases.begin(), x.phases.end(), [](const PhaseSummary& s) { return s.key == "page_faults_user"; });
  ASSERT_NE(p, x.phases.end());
  EXPECT_DOUBLE_EQ(p->mean_ns, (30.0 / 2 + 0) / 2);
  EXPECT_DOUBLE_EQ(p->present, 0.5);
}

}  // namespace
}  // namespace ctxbench
