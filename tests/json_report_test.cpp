// The JSON contract against a golden file: a fake probe with fixed samples, a fixed machine and run
// metadata. Regenerate after a deliberate contract change with CTXBENCH_UPDATE_GOLDEN=1 and review the diff.
#include "analysis/json_report.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "analysis/derived.hpp"
#include "src/result_file.hpp"

namespace ctxbench {
namespace {

const std::string kGolden = std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/report_golden.json";

ProbeInfo fake_info(const std::string& name, std::vector<PlacementKind> placements, double expected) {
  ProbeInfo info;
  info.name = name;
  info.family = "fake";
  info.op = "one fake operation";
  info.where.kinds = std::move(placements);
  info.expected_switches_per_op = expected;
  return info;
}

ProbeRun fake_run(PlacementKind kind, std::vector<std::vector<double>> reps) {
  ProbeRun run;
  run.placement = {kind, kind == PlacementKind::SameCpu ? 0 : -1, kind == PlacementKind::SameCpu ? 0 : -1};
  for (auto& samples : reps) {
    RepetitionRun r;
    r.ops_per_sample = 100;
    r.ops = 100 * samples.size();
    r.voluntary_switches = 2 * r.ops;         // 2 per op
    r.involuntary_switches = samples.size();  // 0.01 per op
    r.ns_per_op = std::move(samples);
    run.repetitions.push_back(std::move(r));
  }
  run.timer_overhead_ns = 40;
  run.wall_seconds = 0.5;
  return run;
}

std::vector<Record> fake_records() {
  ProbeInfo rt = fake_info("ctxswitch.pipe.process", {PlacementKind::SameCpu}, 2);
  rt.measure = Measure::RoundTrip;
  const ProbeInfo self = fake_info("ipc.pipe.self", {PlacementKind::None}, -1);
  std::vector<Record> records;
  records.push_back(make_record(self, fake_run(PlacementKind::None, {{1000, 1010, 990}, {1005, 995, 1000}}), ""));
  records.push_back(
      make_record(rt, fake_run(PlacementKind::SameCpu, {{5000, 5100, 4900, 5050}, {5200, 5000, 4950, 5020}}), "same"));
  records.push_back(make_skipped_record(rt, {PlacementKind::CrossCpu, 0, -1}, "only one CPU"));
  records[1].warnings.push_back(denominator_warning_of(1.5, 2, kDenominatorTolerance));  // a row warning's shape
  return with_derived(records);
}

MachineInfo fake_machine() {
  MachineInfo m;
  m.cpu_model = "Fake CPU";
  m.logical_cpus = 2;
  m.affinity = {0, 1};
  m.kernel_release = "6.1.0-fake";
  m.hostname = "fakehost";
  m.clocksource = "tsc";
  m.cpu_mhz = 2000.0;
  m.loadavg_1m = 0.5;
  return m;
}

RunMeta fake_meta() {
  RunMeta meta;
  meta.argv = {"ctxbench", "--json", "out.json"};
  meta.executable = "ctxbench";
  meta.start_time = "2026-01-01T00:00:00Z";
  meta.end_time = "2026-01-01T00:01:00Z";
  meta.label = "golden";
  meta.repetitions = 2;
  meta.placements = {"same-cpu", "cross-cpu", "unpinned"};
  meta.timer_overhead_ns = 40;
  meta.complete = true;
  meta.warnings = {too_few_repetitions_warning_of(2, 3)};
  return meta;
}

nlohmann::json golden_document() {
  nlohmann::json doc = build_report(fake_meta(), fake_machine(), fake_records());
  // Version and revision change with every commit; the shape does not.
  doc["ctxbench"]["tool_version"] = "X";
  doc["ctxbench"]["git_revision"] = "X";
  return doc;
}

TEST(JsonReport, MatchesGoldenFile) {
  const nlohmann::json doc = golden_document();
  if (std::getenv("CTXBENCH_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(kGolden) << doc.dump(1) << "\n";
    GTEST_SKIP() << "golden file rewritten: " << kGolden;
  }
  std::ifstream in(kGolden);
  ASSERT_TRUE(in) << "missing " << kGolden << " (run with CTXBENCH_UPDATE_GOLDEN=1)";
  const nlohmann::json golden = nlohmann::json::parse(in);
  EXPECT_EQ(doc, golden) << "diff:\n" << nlohmann::json::diff(golden, doc).dump(1);
}

TEST(JsonReport, GoogleBenchmarkRowsPerRepetitionAndAggregates) {
  const nlohmann::json doc = golden_document();
  EXPECT_EQ(doc["context"]["json_schema_version"], 1);
  int iterations = 0, aggregates = 0;
  for (const auto& row : doc["benchmarks"]) {
    const std::string name = row["name"];
    EXPECT_NE(name.find("/real_time"), std::string::npos) << name;
    EXPECT_EQ(row["time_unit"], "ns");
    EXPECT_TRUE(row.contains("real_time") && row.contains("cpu_time"));
    if (row["run_type"] == "iteration") ++iterations;
    if (row["run_type"] == "aggregate") ++aggregates;
  }
  // Three ok records (self, round trip, derived per-switch) x 2 repetitions, 4 aggregates each.
  EXPECT_EQ(iterations, 6);
  EXPECT_EQ(aggregates, 12);
}

TEST(JsonReport, DerivedPerSwitchSubtractsTwiceTheOneTaskOverheadAndHalves) {
  const std::vector<Record> records = fake_records();
  const Record* derived = nullptr;
  for (const Record& r : records)
    if (r.probe == "ctxswitch.pipe.process.per_switch") derived = &r;
  ASSERT_NE(derived, nullptr);
  EXPECT_TRUE(derived->derived);
  // Round trip median 5010 ns (8 samples: 5000,5020 in the middle), self median 1000 ns.
  EXPECT_DOUBLE_EQ(derived->stats.p50, (5010.0 - 2 * 1000.0) / 2);
  EXPECT_NE(derived->op.find("DERIVED"), std::string::npos);
}

TEST(JsonReport, NonFiniteValuesAreOmittedNotNull) {
  std::vector<Record> records = fake_records();
  records[0].timer_overhead_ns = std::numeric_limits<double>::quiet_NaN();
  records[0].samples.push_back(std::numeric_limits<double>::infinity());
  const std::string text = build_report(fake_meta(), fake_machine(), records).dump();
  EXPECT_EQ(text.find("null"), std::string::npos);
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("Infinity"), std::string::npos);
}

TEST(JsonReport, AtomicWriteReplacesAndRefusesBadPaths) {
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "/ctxbench_atomic_test.json";
  write_json_atomically(path, nlohmann::json{{"a", 1}});
  write_json_atomically(path, nlohmann::json{{"a", 2}});
  std::ifstream in(path);
  EXPECT_EQ(nlohmann::json::parse(in)["a"], 2);
  std::remove(path.c_str());
  EXPECT_THROW(check_output_path(dir), std::runtime_error);                        // a directory
  EXPECT_THROW(check_output_path("/nonexistent-dir/x.json"), std::runtime_error);  // no parent
  EXPECT_NO_THROW(check_output_path(path));
}

}  // namespace
}  // namespace ctxbench
