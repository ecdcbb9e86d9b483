// A request of the server.* and db.* probes, explained (docs/METHODOLOGY.md, "A request, explained"): the walk
// of analysis/explain.hpp with the server's tasks labelled (ProbeInfo::explain_other_side), on hand-written
// kernel events. The label renames the server's stretches and nothing else: the spans still add up to the
// request's window, and the client's phases keep their names.
#include <gtest/gtest.h>

#include <map>

#include "analysis/explain.hpp"
#include "tests/op_sums.hpp"
#include "tests/trace_events.hpp"

namespace ctxbench {
namespace {

using namespace trace_events;

constexpr int kClient = kTaskA, kServer = kTaskB;

std::string key_of(long nr) {
  std::string k = syscall_name(nr);
  for (char& c : k)
    if (c == ' ') c = '_';
  return k;
}

// One request, cross-cpu, the window [1000, 7300]: the client (CPU 0) sends it, waking the server's
// connection task asleep in read on idle CPU 1 (IPI), and sleeps; the server works 3 us in user space and
// writes the reply, waking the client on its idle CPU (IPI); the client returns and reads the clock.
std::vector<ctxbench_trace_event> cross_cpu_request() {
  return {enter(1100, kClient, kWrite, 0),
          wakes(1300, kClient, kServer, 0),
          ev(1350, CTXBENCH_EV_IPI_SEND, kClient, 0, 1, 0),
          leave(1400, kClient, 0),
          enter(1500, kClient, kRead, 0),
          switches(1600, kClient, 0, 1, 0),
          ev(2000, CTXBENCH_EV_IPI_ENTRY, 0, 0, 253, 1),
          switches(2500, 0, kServer, 0, 1),
          leave(2700, kServer, 1),
          enter(5700, kServer, kWrite, 1),
          wakes(5900, kServer, kClient, 1),
          ev(5950, CTXBENCH_EV_IPI_SEND, kServer, 0, 0, 1),
          ev(6800, CTXBENCH_EV_IPI_ENTRY, 0, 0, 253, 0),
          switches(7000, 0, kClient, 0, 0),
          leave(7200, kClient, 0)};
}

TEST(ExplainServer, TheServersStretchesCarryItsLabelAndAddUpToTheRequest) {
  const OpBreakdown b = break_down_op(cross_cpu_request(), kClient, 1000, 7300, {}, "server");
  EXPECT_TRUE(b.followed);
  EXPECT_EQ(total(b), 6300u);
  // The client: its user space before the send and after the reply, its send until the wake-up, its own
  // wait for its idle CPU after the server's wake-up. The server: waiting to run on its idle CPU, switching
  // in, working, waking the client. Nothing else.
  const std::map<std::string, std::uint64_t> want = {{"user_space", 200},
                                                     {key_of(kWrite) + "_until_wake", 200},
                                                     {"woken_until_ipi_sent", 50},
                                                     {"idle_cpu_ipi_sent_until_handled", 850},
                                                     {"idle_cpu_ipi_handled_until_switch_in", 200},
                                                     {"switched_in_until_return", 200},
                                                     {"server_woken_until_ipi_sent", 50},
                                                     {"server_idle_cpu_ipi_sent_until_handled", 650},
                                                     {"server_idle_cpu_ipi_handled_until_switch_in", 500},
                                                     {"server_switched_in_until_return", 200},
                                                     {"server_user_space", 3000},
                                                     {"server_" + key_of(kWrite) + "_until_wake", 200}};
  EXPECT_EQ(by_key(b), want);
  // Words beside keys, one text per key.
  for (const PhaseSpan& s : b.spans) {
    if (s.key.rfind("server_", 0) == 0) {
      EXPECT_EQ(s.phase.rfind("server: ", 0), 0u) << s.key << " / " << s.phase;
    }
  }
  EXPECT_EQ(b.wake_to_run_ns, (std::vector<std::uint64_t>{1200, 1100}));
}

TEST(ExplainServer, TheLabelRenamesNothingButTheServersStretches) {
  const OpBreakdown plain = break_down_op(cross_cpu_request(), kClient, 1000, 7300);
  const OpBreakdown labelled = break_down_op(cross_cpu_request(), kClient, 1000, 7300, {}, "server");
  ASSERT_EQ(plain.spans.size(), labelled.spans.size());
  for (std::size_t i = 0; i < plain.spans.size(); ++i) {
    EXPECT_EQ(plain.spans[i].ns, labelled.spans[i].ns) << i;
    const std::string& k = labelled.spans[i].key;
    EXPECT_TRUE(k == plain.spans[i].key || k == "server_" + plain.spans[i].key) << k;
  }
  // Without a label the client's and the server's user space are one phase.
  EXPECT_EQ(by_key(plain).at("user_space"), 3200u);
}

// Missing events are the walk's, not the server's: a server task switched in with no wake-up recorded is
// "unattributed", one key whichever side it is in, and the op is not followed.
TEST(ExplainServer, UnattributedStaysOneKey) {
  std::vector<ctxbench_trace_event> e;
  for (const ctxbench_trace_event& x : cross_cpu_request())
    if (!(x.kind == CTXBENCH_EV_WAKING && x.other == kServer)) e.push_back(x);
  const OpBreakdown b = break_down_op(e, kClient, 1000, 7300, {}, "server");
  EXPECT_FALSE(b.followed);
  EXPECT_EQ(total(b), 6300u);
  const auto m = by_key(b);
  EXPECT_EQ(m.count("server_unattributed"), 0u);
  EXPECT_GT(m.at(kUnattributedKey), 0u);
}

// Process-per-connection, connect-per-request: the server's main task accepts and forks the connection's
// task (sched_wakeup_new), which answers; the fork's part is the server's and named as such.
TEST(ExplainServer, AForkPerConnectionIsTheServersCreation) {
  constexpr int kMain = 300;
  const std::vector<ctxbench_trace_event> e = {enter(1100, kClient, kWrite, 0),
                                               wakes(1200, kClient, kMain, 0),
                                               leave(1300, kClient, 0),
                                               enter(1400, kClient, kRead, 0),
                                               switches(1500, kClient, kMain, 1, 0),
                                               leave(1600, kMain, 0),
                                               enter(1700, kMain, kClone, 0),
                                               ev(2700, CTXBENCH_EV_WAKEUP_NEW, kMain, kServer, 0, 0),
                                               leave(2800, kMain, 0),
                                               enter(2900, kMain, kRead, 0),
                                               switches(3000, kMain, kServer, 1, 0),
                                               leave(3100, kServer, 0),
                                               enter(4100, kServer, kWrite, 0),
                                               wakes(4200, kServer, kClient, 0),
                                               leave(4300, kServer, 0),
                                               enter(4400, kServer, kRead, 0),
                                               switches(4500, kServer, kClient, 1, 0),
                                               leave(4600, kClient, 0)};
  const Explanation x = explain_pass(e, 0, {1000, 4700}, kClient, 1, {}, 0.01, {}, "server");
  ASSERT_EQ(x.status, ExplainStatus::Ok) << x.reason;
  std::map<std::string, double> median;
  double sum = 0;
  for (const PhaseSummary& p : x.phases) {
    median[p.key] = p.median_ns;
    sum += p.median_ns;
  }
  EXPECT_DOUBLE_EQ(sum, 3700);
  EXPECT_DOUBLE_EQ(median.at("server_" + key_of(kClone) + "_until_runnable"), 1000);
  // The child's work and its way back to read; the main task's way from its wake-up to the fork, and from the
  // fork to its read.
  EXPECT_DOUBLE_EQ(median.at("server_user_space"), 1000 + 100 + 2 * 100);
  EXPECT_DOUBLE_EQ(median.at("server_" + key_of(kWrite) + "_until_wake"), 100);
  EXPECT_DOUBLE_EQ(median.at("user_space"), 3 * 100);  // the client's
}

}  // namespace
}  // namespace ctxbench
