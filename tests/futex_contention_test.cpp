// The futex2 ping-pong (ctxswitch.futex_waitv.*, probes/ctxswitch_futex.cpp) and the futex contention family
// (ctxswitch.futex_{wake,wake_all,requeue,lock_pi}/waiters:N and futex_wake_parallel/waiters:N/wakers:W,
// probes/futex_contention.cpp): the per-waiter
// latency arithmetic on literal stamps, the metrics from literal counters, physics with wide margins, and a
// --quick run through the binary where every record is ok or skipped with a reason. No absolute times.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "analysis/session_metrics.hpp"
#include "engine/os.hpp"
#include "probes/spread.hpp"
#include "probes/wake_latency.hpp"
#include "tests/probe_table.hpp"
#include "tests/run_util.hpp"

namespace ctxbench {
namespace {

const Probe* find(const std::string& name) {
  for (const auto& p : default_probe_table())
    if (p->info().name == name) return p.get();
  return nullptr;
}

std::vector<const Probe*> contention_probes(const std::string& waiters) {
  std::vector<const Probe*> out;
  for (const char* key : {"futex_wake", "futex_wake_all", "futex_requeue", "futex_lock_pi"})
    if (const Probe* p = find(std::string("ctxswitch.") + key + "/waiters:" + waiters)) out.push_back(p);
  for (const char* wakers : {"2", "4"})
    if (const Probe* p = find("ctxswitch.futex_wake_parallel/waiters:" + waiters + "/wakers:" + wakers))
      out.push_back(p);
  return out;
}

double total(const SessionCounters& c, const std::string& name) {
  for (const auto& [k, v] : c.totals)
    if (k == name) return v;
  return -1;
}

TEST(WaiterLatencies, PairsTheKthToRunWithTheKthRelease) {
  // One call of all at t=100: every waiter's latency is from 100, the last ran at 160.
  const WakeRoundLatency all = waiter_latencies({100, 100, 100}, {160, 130, 110});
  EXPECT_DOUBLE_EQ(all.sum_ns, 10 + 30 + 60);
  EXPECT_DOUBLE_EQ(all.max_ns, 60);
  // One call each at 100, 200, 300; the waiters ran in another order than their stamps are listed.
  const WakeRoundLatency one = waiter_latencies({100, 200, 300}, {330, 120, 250});
  EXPECT_DOUBLE_EQ(one.sum_ns, 20 + 50 + 30);
  EXPECT_DOUBLE_EQ(one.max_ns, 50);
  // A waiter the calls did not count (it found the round over) is paired with the last release.
  const WakeRoundLatency short_of = waiter_latencies({100}, {150, 140});
  EXPECT_DOUBLE_EQ(short_of.sum_ns, 40 + 50);
  // Never negative, and nothing without a release.
  EXPECT_DOUBLE_EQ(waiter_latencies({100, 200}, {90, 150}).sum_ns, 0 + 0);
  EXPECT_DOUBLE_EQ(waiter_latencies({}, {150}).sum_ns, 0);
}

TEST(ParallelWakes, ReleasesAndTheRoundsValueFromLiteralCalls) {
  // Two wakers: one called at 200 and released 2 waiters in 30 ns, the other at 100, 1 waiter in 50 ns.
  const std::vector<WakerCall> calls = {{200, 230, 2}, {100, 150, 1}};
  EXPECT_EQ(parallel_releases(calls), (std::vector<std::uint64_t>{100, 200, 200}));
  EXPECT_DOUBLE_EQ(mean_waker_call_ns(calls), (30 + 50) / 2.0);
  EXPECT_EQ(first_call_ns(calls), 100u);
  // The releases feed waiter_latencies: the waiters ran at 260, 120, 240.
  const WakeRoundLatency lat = waiter_latencies(parallel_releases(calls), {260, 120, 240});
  EXPECT_DOUBLE_EQ(lat.sum_ns, 20 + 40 + 60);
  EXPECT_DOUBLE_EQ(lat.max_ns, 60);
  // No call: nothing released, value 0; a call whose clock went backwards counts 0, not a huge number.
  EXPECT_TRUE(parallel_releases({}).empty());
  EXPECT_DOUBLE_EQ(mean_waker_call_ns({}), 0);
  EXPECT_EQ(first_call_ns({}), 0u);
  EXPECT_DOUBLE_EQ(mean_waker_call_ns({{300, 200, 1}, {100, 140, 1}}), 20);
}

TEST(ParallelWakes, WakerCountsDivideTheWaiters) {
  EXPECT_TRUE(parallel_waker_counts(1).empty());
  EXPECT_EQ(parallel_waker_counts(2), (std::vector<std::size_t>{2}));
  EXPECT_EQ(parallel_waker_counts(8), (std::vector<std::size_t>{2, 4, 8}));
  EXPECT_EQ(parallel_waker_counts(12), (std::vector<std::size_t>{2, 4}));
  EXPECT_TRUE(parallel_waker_counts(3).empty());
}

TEST(ContentionMetrics, WakeRoundsFromTheCounters) {
  Record r;
  r.params = {{"waiters", "4"}};
  ProbeRun run;
  RepetitionRun rep;
  rep.counter_deltas = {{"wall_ns", 1e9},         {"wake_rounds", 10},         {"waiters_woken", 40},
                        {"waker_ns", 20000},      {"wake_latency_ns", 400000}, {"last_waiter_latency_ns", 200000},
                        {"wake_round_ns", 400000}};
  run.repetitions = {rep, rep};
  add_session_metrics(r, run);
  std::map<std::string, double> m(r.metrics.begin(), r.metrics.end());
  EXPECT_DOUBLE_EQ(m.at("waiters"), 4);
  EXPECT_DOUBLE_EQ(m.at("rounds"), 20);
  EXPECT_DOUBLE_EQ(m.at("waker_ns_per_round"), 2000);
  EXPECT_DOUBLE_EQ(m.at("wake_latency_ns_per_waiter"), 10000);  // 800000 over 80 waiters
  EXPECT_DOUBLE_EQ(m.at("last_waiter_latency_ns"), 20000);
  EXPECT_DOUBLE_EQ(m.at("wakeups_per_second"), 80 / 800000e-9);
  EXPECT_EQ(m.count("requests_per_second"), 0u);
  EXPECT_EQ(m.count("wakers"), 0u);
  // A parallel-wake record says how many wakers shared the wakes.
  r.params.emplace_back("wakers", "2");
  r.metrics.clear();
  add_session_metrics(r, run);
  std::map<std::string, double> mp(r.metrics.begin(), r.metrics.end());
  EXPECT_DOUBLE_EQ(mp.at("wakers"), 2);
  EXPECT_DOUBLE_EQ(mp.at("waker_ns_per_round"), 2000);
}

TEST(ContentionMetrics, LockAcquisitionsFromTheCounters) {
  Record r;
  r.params = {{"waiters", "2"}};
  ProbeRun run;
  RepetitionRun rep;
  rep.counter_deltas = {
      {"wall_ns", 5e8}, {"lock_acquisitions", 1000}, {"lock_caller_acquisitions", 250}, {"lock_switches", 1500}};
  run.repetitions = {rep, rep};
  add_session_metrics(r, run);
  std::map<std::string, double> m(r.metrics.begin(), r.metrics.end());
  EXPECT_DOUBLE_EQ(m.at("acquisitions"), 2000);
  EXPECT_DOUBLE_EQ(m.at("acquisitions_per_second"), 2000);
  EXPECT_DOUBLE_EQ(m.at("switches_per_acquisition"), 1.5);
  EXPECT_DOUBLE_EQ(m.at("caller_acquisition_share"), 0.25);
}

TEST(FutexFamilies, AreRegisteredOutsideTheDefaultSuite) {
  for (const char* name : {"ctxswitch.futex_waitv.process", "ctxswitch.futex_waitv.thread"}) {
    const Probe* p = find(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->info().measure, Measure::RoundTrip);
    EXPECT_EQ(p->info().expected_switches_per_op, 2);
    EXPECT_EQ(p->info().where.kinds.size(), 3u);
    EXPECT_EQ(p->info().suites, std::vector<std::string>{"ctxswitch"});
    EXPECT_NE(p->info().op.find("futex_waitv"), std::string::npos);
  }
  const std::size_t most = 4 * allowed_cpus().size();
  std::set<std::size_t> counts;
  for (const auto& p : default_probe_table()) {
    if (p->info().name.rfind("ctxswitch.futex_", 0) != 0 || p->info().params.empty()) continue;
    EXPECT_EQ(p->info().suites, std::vector<std::string>{"ctxswitch"}) << p->info().name;
    counts.insert(std::stoul(p->info().params.at(0).second));
  }
  EXPECT_EQ(*counts.begin(), 1u);
  EXPECT_EQ(*counts.rbegin(), most);
  EXPECT_EQ(contention_probes("1").size(), 4u);
  // Parallel wakes from 2 waiters on, N/W waiters per waker, N + W + 1 sleeps per round (the wake-up
  // preemptions among the threads are not implied: results/futex/denominator.txt); a PI lock implies none.
  const Probe* par = find("ctxswitch.futex_wake_parallel/waiters:2/wakers:2");
  ASSERT_NE(par, nullptr);
  EXPECT_EQ(par->info().expected_switches_per_op, 2 + 2 + 1);
  EXPECT_TRUE(par->info().expected_switches_are_sleeps);
  for (const char* name :
       {"ctxswitch.futex_wake/waiters:4", "ctxswitch.futex_wake_all/waiters:4", "ctxswitch.futex_requeue/waiters:4"}) {
    ASSERT_NE(find(name), nullptr) << name;
    EXPECT_EQ(find(name)->info().expected_switches_per_op, 4 + 1) << name;
    EXPECT_TRUE(find(name)->info().expected_switches_are_sleeps) << name;
  }
  ASSERT_NE(find("ctxswitch.futex_lock_pi/waiters:4"), nullptr);
  EXPECT_LT(find("ctxswitch.futex_lock_pi/waiters:4")->info().expected_switches_per_op, 0);
  EXPECT_FALSE(find("ctxswitch.futex_lock_pi/waiters:4")->info().expected_switches_are_sleeps);
  // Its samples are long enough that the runner's per-sample reads come after 100+ contended lock+unlocks.
  EXPECT_GE(find("ctxswitch.futex_lock_pi/waiters:4")->info().budget.min_batch_ns, 2'500'000u);
  EXPECT_EQ(par->info().budget.min_batch_ns, 0u);
  EXPECT_NE(par->info().op.find("wake-parallel -t 2 -w 2"), std::string::npos) << par->info().op;
  EXPECT_NE(par->info().op.find("FUTEX_WAKE_PRIVATE of 1 "), std::string::npos) << par->info().op;
  EXPECT_EQ(find("ctxswitch.futex_wake_parallel/waiters:1/wakers:1"), nullptr);
}

// No critical-path split of a contention record: each says why (its explain is `skipped` with that reason).
TEST(FutexFamilies, ContentionRecordsSayWhyTheyAreNotExplained) {
  int seen = 0;
  for (const auto& p : default_probe_table()) {
    const ProbeInfo& info = p->info();
    if (info.name.rfind("ctxswitch.futex_", 0) != 0 || info.params.empty()) continue;
    ++seen;
    EXPECT_FALSE(info.explainable) << info.name;
    const bool lock = info.name.rfind("ctxswitch.futex_lock_pi", 0) == 0;
    EXPECT_NE(info.explain_why_not.find(lock ? "PI lock" : "waker's time"), std::string::npos) << info.name;
  }
  EXPECT_GT(seen, 0);
}

// Every round releases every waiter exactly once; latencies are non-negative and the last waiter's is at
// least the mean; a PI lock is taken by the caller and, with a contender, by others too.
class ContentionPhysics : public ::testing::TestWithParam<PlacementKind> {};

TEST_P(ContentionPhysics, EveryWaiterWakesOncePerRound) {
  const std::vector<int> cpus = allowed_cpus();
  for (const std::string waiters : {"1", "4"}) {
    for (const Probe* probe : contention_probes(waiters)) {
      SCOPED_TRACE(probe->info().name);
      const double n = std::stod(waiters);
      Placement where{GetParam(), -1, -1};
      if (GetParam() == PlacementKind::SameCpu) {
        where.cpu_a = where.cpu_b = cpus.front();
        pin_to_cpu(cpus.front());
      }
      {
        std::unique_ptr<Session> s = probe->start(where);
        // Where the session says it pinned each task: same-cpu spreads them from cpu_a on, unpinned pins none.
        const std::vector<int> pins = s->task_pins();
        ASSERT_EQ(pins.size(), s->tasks().size());
        for (std::size_t k = 0; k < pins.size(); ++k)
          EXPECT_EQ(pins[k], GetParam() == PlacementKind::SameCpu ? cpus[k % cpus.size()] : -1) << k;
        s->run_ops(5);
        const SessionCounters before = *s->counters(false);
        constexpr std::uint64_t kOps = 50;
        s->run_ops(kOps);
        const SessionCounters after = *s->counters(true);
        if (probe->info().name.find("lock_pi") != std::string::npos) {
          EXPECT_EQ(s->own_samples(), nullptr);
          const double acquisitions = total(after, "lock_acquisitions") - total(before, "lock_acquisitions");
          EXPECT_GE(acquisitions, kOps);
          // Hand-offs (previous holder another thread) and cross-CPU ones are some of the acquisitions. Four
          // pinned contenders loop on the lock, so the caller's turns see hand-offs, across CPUs when spread on
          // two or more, none on one (docs/METHODOLOGY.md, "lock_pi hand-offs, measured"); one unpinned
          // contender can leave the caller all 55 turns in a row (seen: 0 hand-offs).
          const double handoffs = total(after, "lock_handoffs") - total(before, "lock_handoffs");
          const double cross = total(after, "lock_cross_cpu_handoffs") - total(before, "lock_cross_cpu_handoffs");
          EXPECT_LE(handoffs, acquisitions);
          EXPECT_LE(cross, acquisitions);
          if (GetParam() == PlacementKind::SameCpu && cpus.size() == 1) {
            EXPECT_EQ(cross, 0);
          }
          if (GetParam() == PlacementKind::SameCpu && n > 1) {
            EXPECT_GT(handoffs, 0);
            if (cpus.size() > 1) {
              EXPECT_GT(cross, 0);
            }
          }
        } else {
          ASSERT_NE(s->own_samples(), nullptr);
          EXPECT_EQ(s->own_samples()->size(), kOps + 5);
          for (double v : *s->own_samples()) EXPECT_GT(v, 0);
          const double rounds = total(after, "wake_rounds") - total(before, "wake_rounds");
          EXPECT_EQ(rounds, kOps);
          EXPECT_EQ(total(after, "waiters_woken") - total(before, "waiters_woken"), kOps * n);
          const double mean = (total(after, "wake_latency_ns") - total(before, "wake_latency_ns")) / (kOps * n);
          const double last = (total(after, "last_waiter_latency_ns") - total(before, "last_waiter_latency_ns")) / kOps;
          EXPECT_GT(mean, 0);
          EXPECT_GE(last, mean);
          // A waiter's wake-up is below a second on any machine that runs this test.
          EXPECT_LT(last, 1e9);
        }
      }
      unpin();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Placements, ContentionPhysics,
                         ::testing::Values(PlacementKind::SameCpu, PlacementKind::Unpinned),
                         [](const ::testing::TestParamInfo<PlacementKind>& i) {
                           return i.param == PlacementKind::SameCpu ? std::string("Pinned") : std::string("Unpinned");
                         });

// The futex2 ping-pong beside the futex one: 2 switches per round trip on one CPU, at most about that across
// two (wide margins).
TEST(FutexWaitv, AboutTwoSwitchesPerRoundTrip) {
  const std::vector<int> cpus = allowed_cpus();
  for (const char* name : {"ctxswitch.futex_waitv.process", "ctxswitch.futex_waitv.thread", "ctxswitch.futex.process",
                           "ctxswitch.futex.thread"}) {
    for (PlacementKind kind : {PlacementKind::SameCpu, PlacementKind::CrossCpu}) {
      if (kind == PlacementKind::CrossCpu && cpus.size() < 2) continue;
      SCOPED_TRACE(std::string(name) + (kind == PlacementKind::SameCpu ? " same" : " cross"));
      Placement where{kind, cpus.front(), kind == PlacementKind::CrossCpu ? cpus.back() : cpus.front()};
      pin_to_cpu(where.cpu_a);
      {
        std::unique_ptr<Session> s;
        try {
          s = find(name)->start(where);
        } catch (const ProbeSkip& e) {
          unpin();
          EXPECT_NE(std::string(e.what()).find("futex_waitv"), std::string::npos);
          GTEST_SKIP() << e.what();
        }
        s->run_ops(200);
        std::uint64_t before = 0, after = 0;
        for (const TaskId& t : s->tasks()) {
          const SwitchCounts c = read_switch_counts(t.pid, t.tid);
          before += c.voluntary + c.involuntary;
        }
        constexpr std::uint64_t kOps = 2000;
        s->run_ops(kOps);
        for (const TaskId& t : s->tasks()) {
          const SwitchCounts c = read_switch_counts(t.pid, t.tid);
          after += c.voluntary + c.involuntary;
        }
        const double per_op = static_cast<double>(after - before) / kOps;
        // On one CPU each hand-off is a switch. Across two, a side may find its partner's answer before it
        // sleeps (the futex ping-pong does too), so only the bounds hold there.
        if (kind == PlacementKind::SameCpu) {
          EXPECT_GE(per_op, 1.5);
        }
        EXPECT_GT(per_op, 0.0);
        EXPECT_LE(per_op, 3.0);
      }
      unpin();
    }
  }
}

// Through the binary: every record of the new probes is ok, or skipped with its reason.
TEST(FutexFamilies, QuickRunIsOkOrSkippedWithReason) {
  using ctxbench_test::metric;
  using ctxbench_test::Outcome;
  using ctxbench_test::run_with;
  using ctxbench_test::slurp;
  const std::string dir = ctxbench_test::make_temp_dir("futex");
  const std::string path = dir + "/futex.json";
  const Outcome o =
      run_with(ctxbench_test::ctxbench({"--quick", "--suite", "ctxswitch", "--filter",
                                        "futex_waitv|futex_(wake|wake_all|requeue|lock_pi)/waiters:(1|4)/|"
                                        "futex_wake_parallel/waiters:4/wakers:(2|4)/",
                                        "--json", path}));
  EXPECT_EQ(o.exit_code, 0) << o.err;
  const nlohmann::json doc = nlohmann::json::parse(slurp(path));
  std::set<std::string> probes;
  for (const nlohmann::json& r : doc["results"]) {
    const std::string id = r["id"];
    probes.insert(r["probe"].get<std::string>());
    if (r["status"] == "skipped") {
      EXPECT_FALSE(r.value("reason", "").empty()) << id;
      continue;
    }
    ASSERT_EQ(r["status"], "ok") << id << ": " << r.value("reason", "");
    // The contention family pins its threads over the CPUs on purpose (Session::task_pins): a thread seen
    // where it was pinned raises no placement warning.
    for (const nlohmann::json& w : r["warnings"]) EXPECT_NE(w["kind"], "pinned_elsewhere") << id << ": " << w;
    if (id.find("futex_waitv") != std::string::npos) continue;
    const char* per = id.find("lock_pi") != std::string::npos ? "acquisitions_per_second" : "wakeups_per_second";
    EXPECT_GT(metric(r, per), 0) << id;
    if (id.find("lock_pi") != std::string::npos) {
      EXPECT_GT(metric(r, "handoff_share"), 0) << id;
      EXPECT_LE(metric(r, "handoff_share"), 1) << id;
      EXPECT_LE(metric(r, "cross_cpu_handoff_share"), 1) << id;
    }
  }
  EXPECT_EQ(probes.size(), 2u + 4 * 2 + 2);
  ctxbench_test::remove_tree(dir);
}

}  // namespace
}  // namespace ctxbench
