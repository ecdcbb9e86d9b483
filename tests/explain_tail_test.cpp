// The tail of --explain (analysis/explain_tail.hpp) on hand-written kernel event sequences: a traced task
// preempted by another process, hit by an interrupt, by a softirq, taking a page fault, woken on an idle
// CPU; who ran instead classed as ours, kernel thread or other process; and the tail's excess over the
// median ops split into causes whose shares add up. No kernel, no privilege needed.
#include "analysis/explain_tail.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>

#include "analysis/explain.hpp"
#include "tests/trace_events.hpp"

namespace ctxbench {
namespace {

using namespace trace_events;

constexpr int A = kTaskA, B = kTaskB, X = 900, K = 950, T = 960;

// A pipe round trip on one CPU, as in tests/explain_test.cpp: the op is [t0, t0 + 1700].
std::vector<ctxbench_trace_event> round_trip(std::uint64_t t0) { return same_cpu_round_trip(t0); }

TraceNames names() {
  TraceNames n;
  n.tasks[A] = {"ctxbench-probe", A, false};
  n.tasks[B] = {"ctxbench-probe", B, false};
  n.tasks[X] = {"stress-ng-cpu", X, false};
  n.tasks[K] = {"kworker/0:1", K, true};
  n.tasks[T] = {"ctxbench-probe", A, false};  // a thread of A's process that the tracer did not follow
  n.irqs[11] = "eth0";
  return n;
}

// The causes of one op, keyed "kind name".
std::map<std::string, TailCause> causes_of(const std::vector<ctxbench_trace_event>& e, std::uint64_t start,
                                           std::uint64_t end) {
  const TraceNames n = names();
  const auto per_op = causes_per_op(e, n, {start, end}, 1).named;
  EXPECT_EQ(per_op.size(), 1u);
  std::map<std::string, TailCause> m;
  for (const TailCause& c : per_op.at(0)) m[c.kind + " " + c.name] = c;
  return m;
}

// Many pairs (docs/METHODOLOGY.md, "Many pairs, explained"): with the measured tasks named, only their lost
// time counts. Load task L preempts A on CPU 0 (counted); load task L2 waits on CPU 1 while load L3 runs (not
// the op's: counted only when every traced task counts).
TEST(ExplainTail, WithMeasuredTasksOnlyTheirLostTimeCounts) {
  constexpr int L = 410, L2 = 420, L3 = 430;
  std::vector<ctxbench_trace_event> e = {enter(1000, L, kWrite, 0),
                                         leave(1010, L, 0),
                                         enter(1020, L2, kRead, 1),
                                         switches(1025, L2, L3, 1, 1),
                                         enter(1030, L3, kWrite, 1),
                                         switches(1050, A, L, CTXBENCH_SWITCH_PREEMPTED, 0),
                                         wakes(1100, L, L2, 0),
                                         switches(1350, L, A, CTXBENCH_SWITCH_PREEMPTED, 0),
                                         switches(1500, L3, L2, CTXBENCH_SWITCH_PREEMPTED, 1)};
  for (const auto& r : round_trip(1400)) e.push_back(r);
  std::sort(e.begin(), e.end(), [](const auto& a, const auto& b) { return a.ts_ns < b.ts_ns; });
  auto by_pid = [&](const std::vector<int>& measured) {
    std::map<int, double> m;
    const TraceNames n = names();
    const auto per_op = causes_per_op(e, n, {1000, 3100}, 1, measured).named;
    for (const TailCause& c : per_op.at(0))
      if (c.kind == "task") m[c.pid] += c.ns;
    return m;
  };
  const auto pair0 = by_pid({A, B});
  EXPECT_DOUBLE_EQ(pair0.at(L), 300);
  EXPECT_EQ(pair0.count(L3), 0u);
  // Every traced task counting, L3's [1100, 1500] overlaps L's [1050, 1350]: the 250 ns both claim are
  // shared out (L 50 + 125, L3 125 + 150; each was counted in full, 300 and 400, before causes were disjoint).
  const auto every = by_pid({});
  EXPECT_DOUBLE_EQ(every.at(L), 175);
  EXPECT_DOUBLE_EQ(every.at(L3), 275);
}

TEST(ExplainTail, APreemptingTaskIsNamedWithItsPidAndClass) {
  // A, in user space, is preempted by stress-ng for 300 ns before its round trip.
  std::vector<ctxbench_trace_event> e = {switches(1050, A, X, CTXBENCH_SWITCH_PREEMPTED),
                                         switches(1350, X, A, CTXBENCH_SWITCH_PREEMPTED)};
  for (const auto& r : round_trip(1400)) e.push_back(r);
  const auto m = causes_of(e, 1000, 3100);
  ASSERT_TRUE(m.count("task stress-ng-cpu")) << m.size();
  const TailCause& c = m.at("task stress-ng-cpu");
  EXPECT_EQ(c.pid, X);
  EXPECT_EQ(c.klass, "other_process");
  EXPECT_DOUBLE_EQ(c.ns, 300);
  EXPECT_EQ(c.count, 1u);
  // The round trip's own hand-offs: B waits while A runs, A while B runs (ours, in every op alike).
  EXPECT_EQ(m.at("task ctxbench-probe").klass, "ours");
  // Not stress-ng's own waits: it is not traced, so its time off the CPU is nobody's cause.
  EXPECT_EQ(m.count("wakeup_wait CPU idle, waking up"), 0u);
}

TEST(ExplainTail, KernelThreadsAndUntracedThreadsOfOurProcessAreClassed) {
  std::vector<ctxbench_trace_event> e = {switches(1050, A, K, CTXBENCH_SWITCH_PREEMPTED), switches(1150, K, T, 1),
                                         switches(1250, T, A, 1)};
  for (const auto& r : round_trip(1300)) e.push_back(r);
  const auto m = causes_of(e, 1000, 3000);
  EXPECT_EQ(m.at("task kworker/0:1").klass, "kernel_thread");
  EXPECT_DOUBLE_EQ(m.at("task kworker/0:1").ns, 100);
  // T is not traced, but its process is A's: ours.
  bool found = false;
  for (const auto& [k, c] : m)
    if (c.pid == T) {
      found = true;
      EXPECT_EQ(c.klass, "ours");
      EXPECT_DOUBLE_EQ(c.ns, 100);
    }
  EXPECT_TRUE(found);
}

TEST(ExplainTail, AnInterruptOnTheRunningTracedTaskIsNamedByItsHandler) {
  std::vector<ctxbench_trace_event> e = round_trip(1000);
  e.insert(e.begin(), {ev(1020, CTXBENCH_EV_IRQ_ENTRY, A, 0, 11), ev(1070, CTXBENCH_EV_IRQ_EXIT, A, 0, 11),
                       // on another CPU, interrupting its idle task while no traced task waits there: not ours
                       ev(1030, CTXBENCH_EV_IRQ_ENTRY, 0, 0, 11, 1), ev(1090, CTXBENCH_EV_IRQ_EXIT, 0, 0, 11, 1)});
  std::stable_sort(e.begin(), e.end(), [](const auto& a, const auto& b) { return a.ts_ns < b.ts_ns; });
  const auto m = causes_of(e, 1000, 2700);
  ASSERT_TRUE(m.count("irq eth0"));
  EXPECT_DOUBLE_EQ(m.at("irq eth0").ns, 50);
  EXPECT_EQ(m.at("irq eth0").count, 1u);
}

TEST(ExplainTail, ASoftirqIsNamedByItsVector) {
  std::vector<ctxbench_trace_event> e = round_trip(1000);
  e.insert(e.begin() + 3, {ev(1410, CTXBENCH_EV_SOFTIRQ_ENTRY, A, 0, 3), ev(1450, CTXBENCH_EV_SOFTIRQ_EXIT, A, 0, 3)});
  const auto m = causes_of(e, 1000, 2700);
  ASSERT_TRUE(m.count("softirq NET_RX"));
  EXPECT_DOUBLE_EQ(m.at("softirq NET_RX").ns, 40);
  EXPECT_EQ(softirq_name(1), "TIMER");
  EXPECT_EQ(softirq_name(42), "vector 42");
}

TEST(ExplainTail, AnInterruptOnAWaitingTasksCpuIsTakenOutOfWhoRanInstead) {
  // A is preempted by stress-ng for 300 ns; 40 of them went to a timer tick.
  std::vector<ctxbench_trace_event> e = {
      switches(1050, A, X, CTXBENCH_SWITCH_PREEMPTED), ev(1100, CTXBENCH_EV_IRQ_ENTRY, X, 0, -1),
      ev(1140, CTXBENCH_EV_IRQ_EXIT, X, 0, -1), switches(1350, X, A, CTXBENCH_SWITCH_PREEMPTED)};
  for (const auto& r : round_trip(1400)) e.push_back(r);
  const auto m = causes_of(e, 1000, 3100);
  EXPECT_DOUBLE_EQ(m.at("irq local_timer").ns, 40);
  EXPECT_DOUBLE_EQ(m.at("task stress-ng-cpu").ns, 260);
}

TEST(ExplainTail, APageFaultIsTimedToItsEndAndCounted) {
  std::vector<ctxbench_trace_event> e = round_trip(1000);
  e.insert(e.begin(), {ev(1020, CTXBENCH_EV_FAULT, A, 0, 0), ev(1080, CTXBENCH_EV_FAULT_DONE, A)});
  e.push_back(ev(2650, CTXBENCH_EV_FAULT, A, 0, 1));  // no end seen: counted, not timed
  const auto m = causes_of(e, 1000, 2700);
  EXPECT_DOUBLE_EQ(m.at("page_fault user").ns, 60);
  EXPECT_EQ(m.at("page_fault user").pid, 0);  // by mode: a creation probe faults in a new child every op
  EXPECT_EQ(m.at("page_fault kernel").count, 1u);
  EXPECT_DOUBLE_EQ(m.at("page_fault kernel").ns, 0);
}

TEST(ExplainTail, AWakeUpOnAnIdleCpuWaitsForIt) {
  // B on CPU 1, idle since it blocked; A wakes it at 1300, CPU 1 switches it in at 1800.
  std::vector<ctxbench_trace_event> e = {enter(1100, A, kWrite, 0),
                                         switches(1150, B, 0, 1, 1),
                                         wakes(1300, A, B, 0),
                                         leave(1400, A, 0),
                                         switches(1800, 0, B, 0, 1),
                                         leave(1900, B, 1),
                                         ev(1950, CTXBENCH_EV_MIGRATE, B, A, 0, 1)};
  const auto m = causes_of(e, 1000, 2000);
  EXPECT_DOUBLE_EQ(m.at("wakeup_wait CPU idle, waking up").ns, 500);
  EXPECT_EQ(m.at("migration to cpu 0").count, 1u);
}

// Causes on two CPUs at once (docs/METHODOLOGY.md, "The tail, explained"): stress-ng runs on CPU 0 while A
// waits for it over [1100, 1500], a kworker on CPU 1 while B waits over [1300, 1700]. The 200 ns both claim
// are shared out, 100 each: 300 + 300, the 600 ns of the op they cover (counted in full, 400 + 400).
TEST(ExplainTail, TwoCausesOnTwoCpusAtOnceAreNotCountedTwice) {
  const std::vector<ctxbench_trace_event> e = {enter(1010, A, kWrite, 0),
                                               enter(1020, B, kWrite, 1),
                                               switches(1100, A, X, CTXBENCH_SWITCH_PREEMPTED, 0),
                                               switches(1300, B, K, CTXBENCH_SWITCH_PREEMPTED, 1),
                                               switches(1500, X, A, CTXBENCH_SWITCH_PREEMPTED, 0),
                                               switches(1700, K, B, CTXBENCH_SWITCH_PREEMPTED, 1),
                                               leave(1800, A, 0),
                                               leave(1850, B, 1)};
  const auto m = causes_of(e, 1000, 2000);
  EXPECT_DOUBLE_EQ(m.at("task stress-ng-cpu").ns, 300);
  EXPECT_DOUBLE_EQ(m.at("task kworker/0:1").ns, 300);
  EXPECT_EQ(m.at("task stress-ng-cpu").count, 1u);
}

// One cause on two CPUs at once counts its time once: the tick interrupts A on CPU 0 over [1100, 1200] and B
// on CPU 1 over [1150, 1250]: 150 ns of the op (counted in full, 200).
TEST(ExplainTail, OneCauseOnTwoCpusAtOnceCountsOnce) {
  const std::vector<ctxbench_trace_event> e = {enter(1010, A, kWrite, 0),
                                               enter(1020, B, kWrite, 1),
                                               ev(1100, CTXBENCH_EV_IRQ_ENTRY, A, 0, -1, 0),
                                               ev(1150, CTXBENCH_EV_IRQ_ENTRY, B, 0, -1, 1),
                                               ev(1200, CTXBENCH_EV_IRQ_EXIT, A, 0, -1, 0),
                                               ev(1250, CTXBENCH_EV_IRQ_EXIT, B, 0, -1, 1),
                                               leave(1800, A, 0),
                                               leave(1850, B, 1)};
  const auto m = causes_of(e, 1000, 2000);
  EXPECT_DOUBLE_EQ(m.at("irq local_timer").ns, 150);
  EXPECT_EQ(m.at("irq local_timer").count, 2u);
}

// An op's named time never exceeds it: a kworker holds CPU 1 from B for the whole op [1000, 2000] while on
// CPU 0 stress-ng holds it from A over [1100, 1500], a tick inside that at [1200, 1240]. Shared out: the
// kworker 100 + 50 + 20 + 130 + 500 = 800, stress-ng 50 + 130 = 180, the tick 20: 1000 ns, the op's length
// (counted in full: 1000 + 360 + 40 = 1400).
TEST(ExplainTail, AnOpsNamedTimeIsAtMostItsDuration) {
  const std::vector<ctxbench_trace_event> e = {enter(990, B, kWrite, 1),
                                               switches(1000, B, K, CTXBENCH_SWITCH_PREEMPTED, 1),
                                               enter(1010, A, kWrite, 0),
                                               switches(1100, A, X, CTXBENCH_SWITCH_PREEMPTED, 0),
                                               ev(1200, CTXBENCH_EV_IRQ_ENTRY, X, 0, -1, 0),
                                               ev(1240, CTXBENCH_EV_IRQ_EXIT, X, 0, -1, 0),
                                               switches(1500, X, A, CTXBENCH_SWITCH_PREEMPTED, 0),
                                               switches(2000, K, B, CTXBENCH_SWITCH_PREEMPTED, 1)};
  const auto m = causes_of(e, 1000, 2000);
  EXPECT_DOUBLE_EQ(m.at("task kworker/0:1").ns, 800);
  EXPECT_DOUBLE_EQ(m.at("task stress-ng-cpu").ns, 180);
  EXPECT_DOUBLE_EQ(m.at("irq local_timer").ns, 20);
  double named = 0;
  for (const auto& [key, c] : m) named += c.ns;
  EXPECT_LE(named, 1000.0);
}

// A tail op's silent stretch while a cause ran on the other CPU: stress-ng claims [1000, 2500] of op 2, a
// silent stretch [2000, 3000] (the median ops have none); the 500 ns both claim go 250 to each, so the named
// time is the op's 2000 ns excess, not 2500.
TEST(ExplainTail, ASilentStretchBesideACauseIsSharedOut) {
  const std::vector<double> op_ns = {1000, 1000, 3000, 1000, 1000};
  std::vector<std::vector<TailCause>> causes(5);
  causes[2].push_back({"task", "stress-ng-cpu", X, "other_process", 1500, 0, 1, {Span{1000, 2500}}});
  std::vector<std::vector<SilentStretch>> silent(5);
  silent[2] = {SilentStretch{2000, 3000}};
  const TailExplanation t = explain_tail(op_ns, {}, causes, 0.2, silent, 1);
  std::map<std::string, double> ns;
  for (const TailCause& c : t.causes) ns[c.kind] = c.ns;
  EXPECT_DOUBLE_EQ(ns.at("task"), 1250);
  EXPECT_DOUBLE_EQ(ns.at("silent"), 750);
  EXPECT_NEAR(ns.at("unnamed"), 0, 1e-9);
}

TEST(ExplainTail, TheExcessIsSplitIntoCausesWhoseSharesAddUp) {
  // Four ops of 1000 ns and one of 3000: the slowest 20% is that one, 2000 ns above the median ones.
  const std::vector<double> op_ns = {1000, 1000, 3000, 1000, 1000};
  const std::vector<PhasePerOp> phases = {{"user_space", "user space", {400, 400, 400, 400, 400}},
                                          {"runnable_preempted", "runnable", {0, 0, 2000, 0, 0}},
                                          {"read_until_switch", "read", {600, 600, 600, 600, 600}}};
  std::vector<std::vector<TailCause>> causes(5);
  for (auto& c : causes) c.push_back({"task", "ctxbench-probe", B, "ours", 300, 0, 1});
  causes[2].push_back({"task", "stress-ng-cpu", X, "other_process", 1500, 0, 1});
  causes[2].push_back({"irq", "local_timer", 0, "", 200, 0, 1});
  const TailExplanation t = explain_tail(op_ns, phases, causes, 0.2);
  EXPECT_EQ(t.ops_in_tail, 1u);
  EXPECT_DOUBLE_EQ(t.median_op_ns, 1000);
  EXPECT_DOUBLE_EQ(t.tail_op_ns, 3000);
  EXPECT_DOUBLE_EQ(t.excess_ns, 2000);
  ASSERT_FALSE(t.phases.empty());
  EXPECT_EQ(t.phases.front().key, "runnable_preempted");
  EXPECT_DOUBLE_EQ(t.phases.front().excess_ns, 2000);
  ASSERT_EQ(t.causes.size(), 4u);  // stress-ng, the tick, ours (no more than usual), the unnamed rest
  EXPECT_EQ(t.causes[0].name, "stress-ng-cpu");
  EXPECT_DOUBLE_EQ(t.causes[0].share, 0.75);
  EXPECT_DOUBLE_EQ(t.causes[1].share, 0.1);
  EXPECT_EQ(t.causes.back().kind, "unnamed");
  EXPECT_DOUBLE_EQ(t.causes.back().ns, 300);
  double shares = 0;
  for (const TailCause& c : t.causes) shares += c.share;
  EXPECT_NEAR(shares, 1.0, 1e-12);
}

TEST(ExplainTail, TheQuantileChoosesHowManyOpsAreTheTail) {
  std::vector<double> op_ns(1000);
  std::iota(op_ns.begin(), op_ns.end(), 1.0);
  const std::vector<std::vector<TailCause>> none(op_ns.size());
  EXPECT_EQ(explain_tail(op_ns, {}, none, 0.01).ops_in_tail, 10u);
  EXPECT_EQ(explain_tail(op_ns, {}, none, 0.001).ops_in_tail, 1u);
  EXPECT_EQ(explain_tail(op_ns, {}, none, 0.0001).ops_in_tail, 1u);  // at least one op
  EXPECT_DOUBLE_EQ(explain_tail(op_ns, {}, none, 0.01).tail_op_ns, 995.5);
}

// A silent stretch (docs/METHODOLOGY.md, "The tail, explained"): between two events of a CPU while a traced
// task ran there; not inside an interrupt, while another task ran, or while a traced task waited for the CPU.
TEST(ExplainTail, ASilentStretchIsTimeNoEventExplains) {
  std::vector<ctxbench_trace_event> e = {switches(1000, X, A, CTXBENCH_SWITCH_PREEMPTED),  // A runs from here
                                         enter(1100, A, kWrite),
                                         ev(1200, CTXBENCH_EV_IRQ_ENTRY, A, 0, -1),
                                         ev(1300, CTXBENCH_EV_IRQ_EXIT, A, 0, -1),  // the tick, named
                                         leave(1500, A),
                                         switches(1600, A, X, CTXBENCH_SWITCH_PREEMPTED),
                                         switches(2600, X, A, CTXBENCH_SWITCH_PREEMPTED)};  // X ran, A waited
  e.push_back(enter(2700, A, kRead));
  std::vector<std::uint64_t> spans;
  const auto per_op = causes_per_op(e, names(), {1000, 2700}, 1).silent;  // kept alive: the loop reads a row
  for (const SilentStretch& st : per_op.at(0)) {
    spans.push_back(st.start);
    spans.push_back(st.end);
  }
  EXPECT_EQ(spans, (std::vector<std::uint64_t>{1000, 1100, 1100, 1200, 1300, 1500, 1500, 1600, 2600, 2700}));
}

// End to end: 99 round trips and one where B, switched in, took 20 us more to return to user space with no
// event at all: named "silent", beyond the median ops' longest silent stretch (200 ns here). (A's user space
// after it woke B is not silent: B waited meanwhile, so A is named as the task that ran instead.)
TEST(ExplainTail, AnOpLongerWithNoEventIsNamedSilent) {
  std::vector<ctxbench_trace_event> e;
  std::vector<std::uint64_t> windows;
  for (std::uint64_t k = 0; k < 100; ++k) {
    const std::uint64_t t0 = 100000 * (k + 1);
    for (auto r : round_trip(t0)) {
      if (k == 37 && r.ts_ns > t0 + 600) r.ts_ns += 20000;
      e.push_back(r);
    }
    windows.push_back(t0);
    windows.push_back(t0 + 1700 + (k == 37 ? 20000 : 0));
  }
  const Explanation x = explain_pass(e, 0, windows, A, 1, names(), 0.01);
  ASSERT_TRUE(x.tail.has_value());
  const TailExplanation& t = *x.tail;
  EXPECT_DOUBLE_EQ(t.excess_ns, 20000);
  EXPECT_DOUBLE_EQ(t.silent_threshold_ns, 200);
  ASSERT_FALSE(t.causes.empty());
  EXPECT_EQ(t.causes.front().kind, "silent");
  EXPECT_DOUBLE_EQ(t.causes.front().ns, 20200 - 200);
  EXPECT_EQ(t.causes.front().count, 1u);
  EXPECT_EQ(t.causes.back().kind, "unnamed");
  EXPECT_NEAR(t.causes.back().ns, 0, 1e-9);
}

// End to end through explain_pass: 99 round trips and one where stress-ng preempted A for 5 us.
TEST(ExplainTail, ThePassNamesThePreemptingTaskOfItsSlowestOp) {
  std::vector<ctxbench_trace_event> e;
  std::vector<std::uint64_t> windows;
  for (std::uint64_t k = 0; k < 100; ++k) {
    const std::uint64_t t0 = 100000 * (k + 1);
    std::uint64_t shift = 0;
    if (k == 37) {
      e.push_back(switches(t0 + 50, A, X, CTXBENCH_SWITCH_PREEMPTED));
      e.push_back(switches(t0 + 5050, X, A, CTXBENCH_SWITCH_PREEMPTED));
      shift = 5000;
    }
    for (const auto& r : round_trip(t0 + shift)) e.push_back(r);
    windows.push_back(t0);
    windows.push_back(t0 + shift + 1700);
  }
  const Explanation x = explain_pass(e, 0, windows, A, 1, names(), 0.01);
  ASSERT_TRUE(x.tail.has_value());
  const TailExplanation& t = *x.tail;
  EXPECT_EQ(t.ops_in_tail, 1u);
  EXPECT_DOUBLE_EQ(t.excess_ns, 5000);
  EXPECT_EQ(t.phases.front().key, "runnable_preempted");
  EXPECT_DOUBLE_EQ(t.phases.front().excess_ns, 5000);
  EXPECT_EQ(t.causes.front().name, "stress-ng-cpu");
  EXPECT_EQ(t.causes.front().pid, X);
  EXPECT_DOUBLE_EQ(t.causes.front().share, 1.0);
  // Lost events: no breakdown, so no tail either.
  EXPECT_FALSE(explain_pass(e, 3, windows, A, 1, names(), 0.01).tail.has_value());
}

}  // namespace
}  // namespace ctxbench
