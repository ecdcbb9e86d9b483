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

// A db.* pass is recorded from a marker system call right before its first request (ProbeInfo::
// explain_from_first_op): only the marker's return is seen, no entry, and no task has an event from before. The
// first request is split as if the whole history were there.
TEST(ExplainServer, ARecordingFromTheMarkerSplitsTheFirstRequestWhole) {
  std::vector<ctxbench_trace_event> e = {leave(900, kClient, 0)};  // the marker's return, its entry unrecorded
  for (const ctxbench_trace_event& x : cross_cpu_request()) e.push_back(x);
  const OpBreakdown marked = break_down_op(e, kClient, 1000, 7300, {}, "server");
  const OpBreakdown whole = break_down_op(cross_cpu_request(), kClient, 1000, 7300, {}, "server");
  EXPECT_TRUE(marked.followed);
  EXPECT_EQ(total(marked), 6300u);
  EXPECT_EQ(by_key(marked), by_key(whole));
}

// PgBouncer: the client's query wakes the proxy, which forwards it to a backend and the backend's answer back;
// both are the server (labelled), on one server CPU, each blocked while the other runs. Every stretch of the
// two hops is named once and the request adds up.
TEST(ExplainServer, AProxyAndItsBackendAreBothTheServer) {
  constexpr int kProxy = 300, kBackend = 400;
  const std::vector<ctxbench_trace_event> e = {
      enter(1100, kClient, kWrite, 0), wakes(1200, kClient, kProxy, 0),  leave(1300, kClient, 0),
      enter(1400, kClient, kRead, 0),  switches(1500, kClient, 0, 1, 0), switches(1600, 0, kProxy, 0, 1),
      leave(1700, kProxy, 1),          enter(2000, kProxy, kWrite, 1),   wakes(2100, kProxy, kBackend, 1),
      leave(2200, kProxy, 1),          enter(2300, kProxy, kRead, 1),    switches(2400, kProxy, kBackend, 1, 1),
      leave(2500, kBackend, 1),        enter(4500, kBackend, kWrite, 1), wakes(4600, kBackend, kProxy, 1),
      leave(4700, kBackend, 1),        enter(4800, kBackend, kRead, 1),  switches(4900, kBackend, kProxy, 1, 1),
      leave(5000, kProxy, 1),          enter(5200, kProxy, kWrite, 1),   wakes(5300, kProxy, kClient, 1),
      leave(5400, kProxy, 1),          switches(5500, 0, kClient, 0, 0), leave(5600, kClient, 0)};
  const OpBreakdown b = break_down_op(e, kClient, 1000, 5700, {}, "server");
  EXPECT_TRUE(b.followed);
  EXPECT_EQ(total(b), 4700u);
  const std::map<std::string, std::uint64_t> want = {
      // The client: before its send and after the reply, its send until it wakes the proxy, its wait for its
      // idle CPU and its way back from the switch.
      {"user_space", 200},
      {key_of(kWrite) + "_until_wake", 100},
      {"woken_idle_cpu_no_ipi", 200},
      {"switched_in_until_return", 100},
      // The proxy's wait for its idle CPU; then both hops: three sends until the wake-up (proxy, backend,
      // proxy), the backend's 2 us of work and the proxy's forwarding in user space, two blocking reads until
      // the switch to the other, three switch-ins, two returns after a wake-up.
      {"server_woken_idle_cpu_no_ipi", 400},
      {"server_" + key_of(kWrite) + "_until_wake", 300},
      {"server_user_space", 300 + 100 + 2000 + 100 + 200},
      {"server_" + key_of(kRead) + "_until_switch", 200},
      {"server_switched_in_until_return", 300},
      {"server_" + key_of(kWrite) + "_after_wakeup_until_return", 200}};
  EXPECT_EQ(by_key(b), want);
}

}  // namespace
}  // namespace ctxbench
