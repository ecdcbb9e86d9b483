// ctxswitch.pairs[.futex]/pairs:N (probes/ctxswitch_pairs.cpp): physics only, wide margins. Every pair makes
// progress, the switches per round trip are about the two the op implies, the idle share is a share, and
// pinned pairs sit on the CPUs the rule names (docs/METHODOLOGY.md, "Many pairs at once").
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <string>

#include "analysis/session_metrics.hpp"
#include "engine/os.hpp"
#include "tests/probe_table.hpp"

namespace ctxbench {
namespace {

std::vector<const Probe*> pairs_probes() {
  std::vector<const Probe*> out;
  for (const auto& p : default_probe_table())
    if (p->info().name.rfind("ctxswitch.pairs", 0) == 0) out.push_back(p.get());
  return out;
}

std::size_t pairs_of(const ProbeInfo& info) { return std::stoul(info.params.at(0).second); }

double total(const SessionCounters& c, const std::string& name) {
  for (const auto& [k, v] : c.totals)
    if (k == name) return v;
  ADD_FAILURE() << "no counter " << name;
  return 0;
}

// CPU -> how many threads of this process are pinned to it alone (Cpus_allowed_list of one CPU).
std::map<int, int> pinned_threads() {
  std::map<int, int> out;
  DIR* d = ::opendir("/proc/self/task");
  if (!d) return out;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string status = read_small_file(std::string("/proc/self/task/") + e->d_name + "/status");
    const auto at = status.find("Cpus_allowed_list:");
    if (at == std::string::npos) continue;
    const std::string list = status.substr(at + 18, status.find('\n', at) - at - 18);
    const std::string trimmed = list.substr(list.find_first_not_of(" \t"));
    if (trimmed.find_first_of(",-") == std::string::npos) ++out[std::stoi(trimmed)];
  }
  ::closedir(d);
  return out;
}

TEST(Pairs, CountsRunFromOneToFourTimesTheCpus) {
  const std::size_t most = 4 * allowed_cpus().size();
  std::vector<std::size_t> pipe_counts;
  for (const Probe* p : pairs_probes())
    if (p->info().name.rfind("ctxswitch.pairs/", 0) == 0) pipe_counts.push_back(pairs_of(p->info()));
  ASSERT_FALSE(pipe_counts.empty());
  EXPECT_EQ(pipe_counts.front(), 1u);
  EXPECT_EQ(pipe_counts.back(), most);
  EXPECT_EQ(pairs_probes().size(), 2 * pipe_counts.size());  // the futex twin of each
}

// --explain follows pair 0 (docs/METHODOLOGY.md, "Many pairs, explained"): the measured tasks are the
// caller and its partner, every other pair is load the walk never follows.
TEST(Pairs, ExplainFollowsPairZeroAndTreatsTheOtherPairsAsLoad) {
  for (const Probe* p : pairs_probes()) {
    EXPECT_TRUE(p->info().explainable) << p->info().name;
    EXPECT_TRUE(p->info().explain_measured_tasks_only) << p->info().name;
    EXPECT_TRUE(p->info().explain_why_not.empty()) << p->info().name;
  }
  for (const Probe* p : pairs_probes()) {
    if (pairs_of(p->info()) < 2) continue;
    const auto session = p->start(Placement{PlacementKind::Unpinned, -1, -1});
    const std::vector<TaskId> measured = session->tasks();
    ASSERT_EQ(measured.size(), 2u) << p->info().name;
    EXPECT_EQ(measured[0].tid, gettid_now());
    EXPECT_NE(measured[1].tid, measured[0].tid);
    break;
  }
}

class PairsPhysics : public ::testing::TestWithParam<PlacementKind> {};

TEST_P(PairsPhysics, EveryPairRunsAndSwitchesAboutTwicePerRoundTrip) {
  const std::vector<int> cpus = allowed_cpus();
  constexpr std::uint64_t kOps = 2000;
  for (const Probe* probe : pairs_probes()) {
    const std::size_t n = pairs_of(probe->info());
    SCOPED_TRACE(probe->info().name);
    Placement where{GetParam(), -1, -1};
    if (GetParam() == PlacementKind::SameCpu) {
      where.cpu_a = where.cpu_b = cpus.front();
      pin_to_cpu(cpus.front());
    }
    {
      std::unique_ptr<Session> s = probe->start(where);
      s->run_ops(100);  // every thread has started
      if (GetParam() == PlacementKind::SameCpu) {
        // Pair k's two threads on the k-th CPU of the mask: per CPU, twice the pairs that land there.
        std::map<int, int> expected;
        for (std::size_t k = 0; k < n; ++k) expected[cpus[k % cpus.size()]] += 2;
        EXPECT_EQ(pinned_threads(), expected);
      }
      const SessionCounters before = *s->counters(false);
      s->run_ops(kOps);
      const SessionCounters after = *s->counters(true);
      const double trips = total(after, "pairs_round_trips") - total(before, "pairs_round_trips");
      // Pair 0 did kOps; each other pair at least one in the same window.
      EXPECT_GE(trips, static_cast<double>(kOps + n - 1));
      const double per_trip = (total(after, "pairs_switches") - total(before, "pairs_switches")) / trips;
      // Two implied. A pinned pair shares one CPU, so each hand-off is a switch; unpinned, a task may find
      // its partner's answer before it sleeps (on two CPUs), so only the upper bound holds there.
      if (GetParam() == PlacementKind::SameCpu) {
        EXPECT_GT(per_trip, 1.0);
      }
      EXPECT_GT(per_trip, 0.0);
      EXPECT_LT(per_trip, 6.0);
      const double ticks = total(after, "cpu_ticks") - total(before, "cpu_ticks");
      const double idle = total(after, "cpu_idle_ticks") - total(before, "cpu_idle_ticks");
      EXPECT_GE(idle, 0);
      EXPECT_LE(idle, ticks);
      EXPECT_GT(total(after, "wall_ns"), total(before, "wall_ns"));
    }
    unpin();
  }
}

INSTANTIATE_TEST_SUITE_P(Placements, PairsPhysics, ::testing::Values(PlacementKind::SameCpu, PlacementKind::Unpinned),
                         [](const ::testing::TestParamInfo<PlacementKind>& i) {
                           return i.param == PlacementKind::SameCpu ? std::string("Pinned") : std::string("Unpinned");
                         });

TEST(Pairs, MetricsFromTheCounters) {
  Record r;
  r.params = {{"pairs", "4"}};
  ProbeRun run;
  RepetitionRun rep;
  rep.counter_deltas = {{"wall_ns", 1e9},
                        {"pairs_round_trips", 1000},
                        {"pairs_switches", 2000},
                        {"cpu_ticks", 200},
                        {"cpu_idle_ticks", 50}};
  run.repetitions = {rep, rep};
  add_session_metrics(r, run);
  std::map<std::string, double> m(r.metrics.begin(), r.metrics.end());
  EXPECT_DOUBLE_EQ(m.at("handoffs_per_second"), 2000);     // 2 x 2000 round trips over 2 s
  EXPECT_DOUBLE_EQ(m.at("round_trip_ns_all_pairs"), 4e6);  // 4 pairs x 2 s / 2000
  EXPECT_DOUBLE_EQ(m.at("switches_per_round_trip_all_pairs"), 2);
  EXPECT_DOUBLE_EQ(m.at("cpu_idle_share"), 0.25);
  EXPECT_EQ(m.count("requests_per_second"), 0u);  // not a server record
}

}  // namespace
}  // namespace ctxbench
