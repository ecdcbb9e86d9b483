// The epoll and io_uring hand-offs (probes/ctxswitch_epoll.cpp, probes/ctxswitch_uring.cpp): physics only.
// Every op is a completed round trip, a cross-cpu or same-cpu round trip costs about 2 context switches
// whatever the way of waiting, a killed partner fails the run instead of hanging it, and a machine without
// io_uring gets a skip that names the cause. No absolute times: the machine is shared.
#include <errno.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cctype>
#include <string>
#include <tuple>
#include <vector>

#include "engine/os.hpp"
#include "engine/probe.hpp"
#include "probes/uring_support.hpp"
#include "tests/probe_table.hpp"

namespace ctxbench {
namespace {

std::vector<std::string> handoff_names(bool processes_only) {
  std::vector<std::string> keys = {"eventfd", "eventfd_epoll", "pipe_epoll"};
#ifdef CTXBENCH_HAS_LIBURING
  for (const char* k : {"eventfd_uring", "pipe_uring", "msg_ring"}) keys.push_back(k);
#endif
  std::vector<std::string> names;
  for (const std::string& k : keys) {
    names.push_back("ctxswitch." + k + ".process");
    if (!processes_only) names.push_back("ctxswitch." + k + ".thread");
  }
  return names;
}

const Probe* find(const std::string& name) {
  for (const auto& p : default_probe_table())
    if (p->info().name == name) return p.get();
  return nullptr;
}

std::uint64_t switches(const std::vector<TaskId>& tasks) {
  std::uint64_t sum = 0;
  for (const TaskId& t : tasks) {
    const SwitchCounts c = read_switch_counts(t.pid, t.tid);
    sum += c.voluntary + c.involuntary;
  }
  return sum;
}

TEST(Handoffs, AreRegisteredAsRoundTripsWithTwoSwitches) {
  for (const std::string& name : handoff_names(false)) {
    const Probe* p = find(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->info().family, "ctxswitch") << name;
    EXPECT_EQ(p->info().measure, Measure::RoundTrip) << name;
    EXPECT_EQ(p->info().expected_switches_per_op, 2) << name;
    EXPECT_EQ(p->info().where.kinds.size(), 3u) << name;
    // --explain splits them as it splits the pipe and futex ping-pongs (they were left out once: 36 records of
    // the full suite with no explain and no reason, results/explain_full/README.md).
    EXPECT_TRUE(p->info().explainable) << name;
  }
}

// Blocking hand-offs on one CPU or across two: each side sleeps once per round trip, so the kernel counts
// about 2 switches per op (wide margins: an unrelated task may preempt one now and then).
class HandoffSwitches : public ::testing::TestWithParam<std::tuple<std::string, PlacementKind>> {};

TEST_P(HandoffSwitches, AboutTwoPerRoundTrip) {
  const auto& [name, kind] = GetParam();
  const std::vector<int> cpus = allowed_cpus();
  if (kind == PlacementKind::CrossCpu && cpus.size() < 2) GTEST_SKIP() << "cross-cpu needs two CPUs";
  const Probe* p = find(name);
  ASSERT_NE(p, nullptr);
  Placement where{kind, cpus.front(), kind == PlacementKind::CrossCpu ? cpus.back() : cpus.front()};
  pin_to_cpu(where.cpu_a);
  {
    std::unique_ptr<Session> s;
    try {
      s = p->start(where);
    } catch (const ProbeSkip& e) {
      unpin();
      GTEST_SKIP() << e.what();
    }
    s->run_ops(200);  // warm
    const std::uint64_t before = switches(s->tasks());
    constexpr std::uint64_t kOps = 2000;
    s->run_ops(kOps);  // returns only when every round trip came back
    const double per_op = static_cast<double>(switches(s->tasks()) - before) / kOps;
    EXPECT_GE(per_op, 1.5) << name;
    EXPECT_LE(per_op, 3.0) << name;
  }
  unpin();
}

INSTANTIATE_TEST_SUITE_P(Placements, HandoffSwitches,
                         ::testing::Combine(::testing::ValuesIn(handoff_names(false)),
                                            ::testing::Values(PlacementKind::SameCpu, PlacementKind::CrossCpu)),
                         [](const auto& i) {
                           std::string s = std::get<0>(i.param) +
                                           (std::get<1>(i.param) == PlacementKind::SameCpu ? "_same" : "_cross");
                           for (char& c : s)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

// A side that waits in epoll_wait or on a ring wakes every 100 ms to check its partner: a killed partner
// fails the run. (The blocking eventfd read cannot: like ipc.eventfd, only a stop ends it.)
class HandoffPartnerKilled : public ::testing::TestWithParam<std::string> {};

TEST_P(HandoffPartnerKilled, RunOpsThrowsProbeError) {
  const Probe* p = find(GetParam());
  ASSERT_NE(p, nullptr);
  std::unique_ptr<Session> s;
  try {
    s = p->start(Placement{PlacementKind::Unpinned, -1, -1});
  } catch (const ProbeSkip& e) {
    GTEST_SKIP() << e.what();
  }
  s->run_ops(100);
  const pid_t partner = s->tasks().at(1).pid;
  ASSERT_NE(partner, getpid());
  ASSERT_EQ(kill(partner, SIGKILL), 0);
  EXPECT_THROW(s->run_ops(1'000'000), ProbeError);
  EXPECT_THROW(s->run_ops(1), ProbeError);
}

std::vector<std::string> timed_process_names() {
  std::vector<std::string> out;
  for (const std::string& n : handoff_names(true))
    if (n != "ctxswitch.eventfd.process") out.push_back(n);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Processes, HandoffPartnerKilled, ::testing::ValuesIn(timed_process_names()),
                         [](const auto& i) {
                           std::string s = i.param;
                           for (char& c : s)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

// The skip verdict, on the facts of machines this one is not.
TEST(UringSkipReason, NamesEachCause) {
  UringFacts ok;
  ok.disabled = "0\n";
  ok.msg_ring = ok.cqe_skip = true;
  EXPECT_EQ(uring_skip_reason(ok, true), "");

  UringFacts disabled = ok;
  disabled.disabled = "2\n";
  disabled.setup_errno = EPERM;
  EXPECT_NE(uring_skip_reason(disabled, false).find("io_uring_disabled = 2"), std::string::npos);

  UringFacts group = ok;
  group.disabled = "1\n";
  group.setup_errno = EPERM;
  EXPECT_NE(uring_skip_reason(group, false).find("io_uring_disabled = 1"), std::string::npos);

  UringFacts seccomp = ok;
  seccomp.setup_errno = EPERM;
  EXPECT_NE(uring_skip_reason(seccomp, false).find("seccomp"), std::string::npos);

  UringFacts old_kernel;  // before 6.6 there is no io_uring_disabled file
  old_kernel.setup_errno = ENOSYS;
  EXPECT_NE(uring_skip_reason(old_kernel, false).find("ENOSYS"), std::string::npos);

  UringFacts no_msg_ring = ok;
  no_msg_ring.msg_ring = false;
  EXPECT_EQ(uring_skip_reason(no_msg_ring, false), "");  // the read hand-offs do not need it
  EXPECT_NE(uring_skip_reason(no_msg_ring, true).find("IORING_OP_MSG_RING"), std::string::npos);

  UringFacts no_skip = ok;
  no_skip.cqe_skip = false;
  EXPECT_NE(uring_skip_reason(no_skip, true).find("CQE_SKIP"), std::string::npos);
}

}  // namespace
}  // namespace ctxbench
