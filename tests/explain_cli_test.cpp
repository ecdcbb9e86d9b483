// --explain end to end where this machine allows it (root, a kernel with BTF, a build with libbpf): one
// probe's traced pass gives a breakdown that adds up, beside the untraced figure; elsewhere the test is
// skipped with the tracer's own reason. The phase arithmetic itself is tested on literal events in
// tests/explain_test.cpp; the unprivileged skip in tests/reliability_test.cpp (user nobody).
#include <nlohmann/json.hpp>

#include "engine/explain/kernel_tracer.hpp"
#include "tests/run_util.hpp"

namespace {

using json = nlohmann::json;
using namespace ctxbench_test;

const json* find_result(const json& doc, const std::string& id) {
  for (const json& r : doc["results"])
    if (r["id"] == id) return &r;
  return nullptr;
}

TEST(ExplainCli, TracedPassBreaksARoundTripIntoPhasesThatAddUp) {
  std::string why;
  if (!ctxbench::KernelTracer::open(why)) GTEST_SKIP() << why;
  const std::string dir = make_temp_dir("explain");
  const std::string path = dir + "/out.json";
  const Outcome o =
      run_with(ctxbench_test::ctxbench({"--quick", "--explain", "--filter",
                                        "^ctxswitch\\.pipe\\.process/same-cpu$|^baseline\\.clock$", "--json", path}));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json doc = json::parse(slurp(path));
  remove_tree(dir);
  const json* pipe = find_result(doc, "ctxswitch.pipe.process/same-cpu");
  ASSERT_NE(pipe, nullptr);
  ASSERT_TRUE(pipe->contains("explain")) << pipe->dump();
  const json& x = (*pipe)["explain"];
  std::printf("explain: %s\n", x.dump().c_str());
  ASSERT_TRUE(x["status"] == "ok" || x["status"] == "incomplete") << x.dump();
  EXPECT_EQ(x["traced_ops"], 300);
  EXPECT_EQ(x["lost_events"], 0);
  EXPECT_GT(x["events"].get<double>(), 300 * 4.0);  // at least the four system calls of each round trip
  // The medians of the phases add up to roughly the median op (wide: medians of parts are not parts of a
  // median), and the traced op is the same kind of thing as the untraced one (same order of magnitude).
  EXPECT_GT(x["explained_fraction"].get<double>(), 0.5);
  EXPECT_LT(x["explained_fraction"].get<double>(), 1.5);
  const double traced = x["traced_median_ns"].get<double>(), untraced = x["untraced_median_ns"].get<double>();
  EXPECT_GT(traced, untraced / 10);
  EXPECT_LT(traced, untraced * 10);
  double shares = 0;
  for (const json& p : x["phases"]) shares += p["share"].get<double>();
  EXPECT_NEAR(shares, 1.0, 0.02);  // means of parts are parts of the mean
  // The tail (docs/METHODOLOGY.md, "The tail, explained"): 3 of 300 ops, slower than the median ones, its
  // causes' shares adding up to 1 with the unnamed rest last.
  ASSERT_TRUE(x.contains("tail")) << x.dump();
  const json& t = x["tail"];
  EXPECT_EQ(t["ops_in_tail"], 3);
  EXPECT_GT(t["tail_op_ns"].get<double>(), t["median_op_ns"].get<double>());
  double excess = 0;
  for (const json& p : t["phases"]) excess += p["excess_ns"].get<double>();
  EXPECT_NEAR(excess, t["excess_ns"].get<double>(), 1e-6 * t["excess_ns"].get<double>() + 1);
  double cause_shares = 0;
  for (const json& c : t["causes"]) cause_shares += c["share"].get<double>();
  EXPECT_NEAR(cause_shares, 1.0, 1e-9);
  EXPECT_EQ(t["causes"].back()["kind"], "unnamed");
  EXPECT_NE(o.out.find("the slowest 1%"), std::string::npos) << o.out;
  // A one-task probe has no hand-off to explain.
  const json* clock = find_result(doc, "baseline.clock");
  ASSERT_NE(clock, nullptr);
  EXPECT_FALSE(clock->contains("explain"));
  EXPECT_NE(o.out.find("where the time went"), std::string::npos) << o.out;
}

// Many pairs (docs/METHODOLOGY.md, "Many pairs, explained"): 4 pinned pairs share the CPUs (2 per CPU on 2,
// 4 on 1), so pair 0's round trip waits behind another pair's tasks in some of its ops; its phases still add
// up. A contention record says why it has no breakdown.
TEST(ExplainCli, PairsNameTheWaitBehindTheOtherPairs) {
  std::string why;
  if (!ctxbench::KernelTracer::open(why)) GTEST_SKIP() << why;
  const std::string dir = make_temp_dir("explain_pairs");
  const std::string path = dir + "/out.json";
  const Outcome o = run_with(ctxbench_test::ctxbench(
      {"--quick", "--explain", "--suite", "ctxswitch", "--filter",
       "^ctxswitch\\.pairs/pairs:4/same-cpu$|^ctxswitch\\.futex_wake/waiters:1/same-cpu$", "--json", path}));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json doc = json::parse(slurp(path));
  remove_tree(dir);
  const json* pairs = find_result(doc, "ctxswitch.pairs/pairs:4/same-cpu");
  ASSERT_NE(pairs, nullptr);
  ASSERT_TRUE(pairs->contains("explain")) << pairs->dump();
  const json& x = (*pairs)["explain"];
  ASSERT_TRUE(x["status"] == "ok" || x["status"] == "incomplete") << x.dump();
  EXPECT_EQ(x["lost_events"], 0);
  double shares = 0, behind = 0;
  for (const json& p : x["phases"]) {
    shares += p["share"].get<double>();
    if (p["key"] == "runnable_behind_load") behind = p["present"].get<double>();
  }
  EXPECT_NEAR(shares, 1.0, 0.02);
  EXPECT_GT(behind, 0) << x.dump();
  const json* wake = find_result(doc, "ctxswitch.futex_wake/waiters:1/same-cpu");
  ASSERT_NE(wake, nullptr);
  ASSERT_TRUE(wake->contains("explain")) << wake->dump();
  EXPECT_EQ((*wake)["explain"]["status"], "skipped");
  EXPECT_NE((*wake)["explain"].value("reason", "").find("waker's time"), std::string::npos);
}

}  // namespace
