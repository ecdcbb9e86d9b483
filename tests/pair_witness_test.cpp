// The record's two CPUs' distance (engine/pair_witness.hpp; docs/contracts.md, `placement.pair_round_trip_ns`):
// the reading itself, which runs the runner takes it for, how rounds merge and how the JSON says it, and the
// real binary's records read by `compare` and `history add` with and without the field.
#include "engine/pair_witness.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/json_report.hpp"
#include "analysis/record.hpp"
#include "engine/os.hpp"
#include "engine/probe_util.hpp"
#include "engine/runner.hpp"
#include "src/interleave.hpp"
#include "tests/run_util.hpp"

namespace ctxbench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Physics, with a wide margin: a cache line crosses between two CPUs of one machine in tens to hundreds of ns
// (72-450 ns here, docs/METHODOLOGY.md); a millisecond would be no transfer at all.
void expect_round_trip(double ns, const std::string& what) {
  EXPECT_TRUE(std::isfinite(ns)) << what;
  EXPECT_GT(ns, 0) << what;
  EXPECT_LT(ns, 1e6) << what;
}

std::vector<int> two_cpus() {
  const std::vector<int> cpus = allowed_cpus();
  return cpus.size() >= 2 ? std::vector<int>{cpus[0], cpus[1]} : std::vector<int>{};
}

TEST(PairWitness, ReadsTheRoundTripBetweenTwoCpus) {
  const std::vector<int> cpus = two_cpus();
  if (cpus.empty()) GTEST_SKIP() << "one CPU in the affinity mask";
  const PairReading r = read_pair_round_trip(cpus[0], cpus[1]);
  expect_round_trip(r.ns, "read_pair_round_trip: " + r.why_not);
  EXPECT_TRUE(r.why_not.empty()) << r.why_not;
}

TEST(PairWitness, ACpuItCannotPinToGivesAReasonNotAnException) {
  const std::vector<int> cpus = allowed_cpus();
  const PairReading r = read_pair_round_trip(cpus[0], 1 << 20);
  EXPECT_TRUE(std::isnan(r.ns));
  EXPECT_NE(r.why_not.find("cannot pin"), std::string::npos) << r.why_not;
}

TEST(PairWitness, OnlyTwoPinnedCpusArePaired) {
  ProbeInfo info;
  EXPECT_TRUE(has_pinned_pair(info, {PlacementKind::CrossCpu, 0, 1}));
  EXPECT_FALSE(has_pinned_pair(info, {PlacementKind::CrossCpu, 0, -1}));
  EXPECT_FALSE(has_pinned_pair(info, {PlacementKind::CrossCpu, 1, 1}));
  EXPECT_FALSE(has_pinned_pair(info, {PlacementKind::SameCpu, 0, 0}));
  EXPECT_FALSE(has_pinned_pair(info, {PlacementKind::Unpinned, -1, -1}));
  EXPECT_FALSE(has_pinned_pair(info, {PlacementKind::None, 0, -1}));
  info.where.cross_cpu_or_shared = true;  // server.*, db.*: the partner side spreads over the mask
  EXPECT_FALSE(has_pinned_pair(info, {PlacementKind::CrossCpu, 0, 1}));
}

// A two-task probe of nothing: what the runner does around the repetitions is all that is looked at.
std::unique_ptr<Probe> idle_probe(bool shared) {
  ProbeInfo info;
  info.name = "test.idle_pair";
  info.family = "test";
  info.where.kinds = {PlacementKind::SameCpu, PlacementKind::CrossCpu};
  info.where.cross_cpu_or_shared = shared;
  return std::make_unique<SimpleProbe>(std::move(info), [](const Placement&) {
    return make_loop_session([] { asm volatile("" ::: "memory"); });
  });
}

TEST(PairWitness, TheRunnerReadsThePairAroundTheRepetitionsOfACrossCpuRunOnly) {
  const std::vector<int> cpus = two_cpus();
  if (cpus.empty()) GTEST_SKIP() << "one CPU in the affinity mask";
  const Placement cross{PlacementKind::CrossCpu, cpus[0], cpus[1]};
  // Two repetitions of ~1 ms each: what the runner does around them is what is looked at.
  RunnerSettings tiny = RunnerSettings::quick();
  tiny.repetitions = 2;
  tiny.sample_budget_ns = tiny.warmup_budget_ns = 1'000'000;
  const ProbeRun run = run_probe(*idle_probe(false), cross, tiny, 20);
  ASSERT_EQ(run.status, RunStatus::Ok) << run.reason;
  ASSERT_EQ(run.pair_witness.size(), 1u);
  expect_round_trip(run.pair_witness[0].before_ns, "before: " + run.pair_witness[0].why_not);
  expect_round_trip(run.pair_witness[0].after_ns, "after: " + run.pair_witness[0].why_not);

  EXPECT_TRUE(run_probe(*idle_probe(false), {PlacementKind::SameCpu, cpus[0], cpus[0]}, tiny, 20).pair_witness.empty());
  EXPECT_TRUE(run_probe(*idle_probe(true), cross, tiny, 20).pair_witness.empty());
  RunnerSettings traced = tiny;
  traced.traced_ops = 10;  // --explain's pass: its figures are not the record's
  EXPECT_TRUE(run_probe(*idle_probe(false), cross, traced, 20).pair_witness.empty());
}

ProbeRun round_with(double before, double after, std::string why_not = "") {
  ProbeRun run;
  run.placement = {PlacementKind::CrossCpu, 0, 1};
  RepetitionRun rep;
  rep.ops_per_sample = 10;
  rep.ops = 30;
  rep.ns_per_op = {400, 410, 420};
  rep.task_cpus = {{0, 0, 0}, {1, 1, 1}};
  run.repetitions.push_back(rep);
  run.pair_witness.push_back({before, after, std::move(why_not)});
  return run;
}

ProbeInfo cross_info() {
  ProbeInfo info;
  info.name = "test.pair";
  info.family = "test";
  info.where.kinds = {PlacementKind::CrossCpu};
  return info;
}

TEST(PairWitnessJson, OneProcessGivesBeforeAndAfter) {
  const Record r = make_record(cross_info(), round_with(412.5, 405.25), "");
  const nlohmann::json p = record_to_json(r)["placement"];
  ASSERT_TRUE(p.contains("pair_round_trip_ns")) << p;
  EXPECT_DOUBLE_EQ(p["pair_round_trip_ns"]["before"].get<double>(), 412.5);
  EXPECT_DOUBLE_EQ(p["pair_round_trip_ns"]["after"].get<double>(), 405.25);
  EXPECT_FALSE(p["pair_round_trip_ns"].contains("rounds"));
  EXPECT_FALSE(p["pair_round_trip_ns"].contains("reason"));
}

TEST(PairWitnessJson, RoundsAppendAndAMissingReadingIsNullWithItsReason) {
  ProbeRun total;
  add_round(total, round_with(400, 90), true);
  add_round(total, round_with(kNaN, 95, "the second CPU did not answer within 100 ms"), false);
  add_round(total, round_with(80, 420), false);
  ASSERT_EQ(total.pair_witness.size(), 3u);
  const nlohmann::json w = record_to_json(make_record(cross_info(), total, ""))["placement"]["pair_round_trip_ns"];
  EXPECT_DOUBLE_EQ(w["before"].get<double>(), 400);  // before the first timed repetition
  EXPECT_DOUBLE_EQ(w["after"].get<double>(), 420);   // after the last
  ASSERT_EQ(w["rounds"].size(), 3u) << w;
  EXPECT_TRUE(w["rounds"][1][0].is_null()) << w;
  EXPECT_DOUBLE_EQ(w["rounds"][1][1].get<double>(), 95);
  EXPECT_DOUBLE_EQ(w["rounds"][2][0].get<double>(), 80);
  EXPECT_EQ(w["reason"], "the second CPU did not answer within 100 ms");
  // Never NaN in the text: the document parses back.
  const std::string text = record_to_json(make_record(cross_info(), total, "")).dump();
  EXPECT_EQ(text.find("NaN"), std::string::npos) << text;
  EXPECT_TRUE(nlohmann::json::accept(text)) << text;

  // A round that failed takes the readings with the repetitions: no field on a failed record.
  ProbeRun failed;
  failed.status = RunStatus::Failed;
  failed.reason = "timed out";
  add_round(total, std::move(failed), false);
  EXPECT_TRUE(total.pair_witness.empty());
  EXPECT_FALSE(record_to_json(make_record(cross_info(), total, ""))["placement"].contains("pair_round_trip_ns"));
}

TEST(PairWitnessJson, RecordsWithoutReadingsHaveNoField) {
  ProbeRun same = round_with(0, 0);
  same.pair_witness.clear();
  same.placement = {PlacementKind::SameCpu, 0, 0};
  EXPECT_FALSE(record_to_json(make_record(cross_info(), same, ""))["placement"].contains("pair_round_trip_ns"));
  const Record skipped = make_skipped_record(cross_info(), {PlacementKind::CrossCpu, 0, -1}, "one CPU");
  EXPECT_FALSE(record_to_json(skipped)["placement"].contains("pair_round_trip_ns"));
}

// The real binary, a quick interleaved run (3 rounds): the cross-cpu records carry both readings and one pair
// per round, the others none; `compare` and `history add` read the file beside one written before the field.
TEST(PairWitnessCli, CrossCpuRecordsCarryTheReadingsAndReadersTakeFilesWithAndWithout) {
  using namespace ctxbench_test;
  if (two_cpus().empty()) GTEST_SKIP() << "one CPU in the affinity mask";
  const std::string dir = make_temp_dir("pairw");
  const std::string path = dir + "/new.json";
  const Outcome o = run_with(
      ctxbench_test::ctxbench({"--quick", "--filter", "^(shm\\.pingpong|ctxswitch\\.pipe\\.thread)/", "--json", path}));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const nlohmann::json doc = nlohmann::json::parse(slurp(path));
  int cross = 0, others = 0;
  for (const nlohmann::json& r : doc["results"]) {
    const nlohmann::json& p = r["placement"];
    const bool pair = r["status"] == "ok" && p["kind"] == "cross-cpu";
    if (!pair) {
      EXPECT_FALSE(p.contains("pair_round_trip_ns")) << r["id"];
      ++others;
      continue;
    }
    ++cross;
    ASSERT_TRUE(p.contains("pair_round_trip_ns")) << r["id"];
    const nlohmann::json& w = p["pair_round_trip_ns"];
    ASSERT_TRUE(w.contains("before") && w.contains("after")) << r["id"] << " " << w;
    expect_round_trip(w["before"].get<double>(), r["id"].get<std::string>() + " before");
    expect_round_trip(w["after"].get<double>(), r["id"].get<std::string>() + " after");
    ASSERT_EQ(w["rounds"].size(), 3u) << r["id"] << " " << w;
  }
  EXPECT_GE(cross, 3);   // shm.pingpong, ctxswitch.pipe.thread, its keep-awake twin (+ derived ones)
  EXPECT_GE(others, 2);  // same-cpu and unpinned
  const std::string old_file = std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/results/aa_run1.json";
  const Outcome same = run_with(ctxbench_test::ctxbench({"compare", path, path}));
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  const Outcome mixed = run_with(ctxbench_test::ctxbench({"compare", old_file, path}));
  EXPECT_TRUE(mixed.exit_code == 0 || mixed.exit_code == 1) << mixed.out << mixed.err;  // 2: refused as bad input
  const Outcome added =
      run_with(ctxbench_test::ctxbench({"history", "add", "--store", dir + "/h.sqlite", old_file, path}));
  EXPECT_EQ(added.exit_code, 0) << added.out << added.err;
  remove_tree(dir);
}

}  // namespace
}  // namespace ctxbench
