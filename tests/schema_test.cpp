// Schema 2 (docs/contracts.md, "Schema 2: what changed"): warnings as objects with a stable kind, the
// `measure` of every record from the probe's info or the derivation table, the run's options as fields.
#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "analysis/derived.hpp"
#include "analysis/json_report.hpp"
#include "analysis/record.hpp"
#include "analysis/warning.hpp"
#include "tests/probe_table.hpp"

namespace ctxbench {
namespace {

bool snake_case(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  return true;
}

TEST(Schema, WarningKindsHaveDistinctSnakeCaseKeys) {
  std::set<std::string> keys;
  for (WarningKind k : all_warning_kinds()) {
    const std::string key = warning_kind_key(k);
    EXPECT_TRUE(snake_case(key)) << key;
    EXPECT_TRUE(keys.insert(key).second) << "two kinds share " << key;
  }
  EXPECT_EQ(keys.size(), 14u);
  EXPECT_EQ(keys.count("unknown"), 0u);
}

TEST(Schema, AWarningIsAnObjectWithKindTextFigureAndRemedy) {
  Record r;
  r.probe = "fake";
  r.status = RunStatus::Skipped;
  r.warnings = {steal_warning_of(0.15, 150, 1000), in_process_warning_of("RLIMIT_NPROC reached")};
  const nlohmann::json j = record_to_json(r);
  ASSERT_EQ(j["warnings"].size(), 2u);
  const nlohmann::json& steal = j["warnings"][0];
  EXPECT_EQ(steal["kind"], "steal");
  EXPECT_DOUBLE_EQ(steal["figure"].get<double>(), 0.15);
  EXPECT_NE(steal["text"].get<std::string>().find("15.0%"), std::string::npos);
  EXPECT_NE(steal["remedy"].get<std::string>().find("quieter host"), std::string::npos);
  const nlohmann::json& in_process = j["warnings"][1];
  EXPECT_EQ(in_process["kind"], "in_process");
  EXPECT_FALSE(in_process.contains("figure"));  // a warning without a figure has none, not null
  // The console prints the text with its remedy.
  EXPECT_EQ(console_text(r.warnings[0]), r.warnings[0].text + ". " + r.warnings[0].remedy);
}

TEST(Schema, RunWarningsAndOptionsAreFields) {
  RunMeta meta;
  meta.suite = "full";
  meta.quick = true;
  meta.repetitions = 3;
  meta.placements = {"cross-cpu"};
  meta.cpus = std::pair{0, 1};
  meta.keep_awake = true;
  meta.pm_qos_requested = true;
  meta.explain = true;
  meta.interleave = false;
  meta.timeout_s = 60;
  meta.label = "lab";
  meta.context = {{"commit", "abc"}};
  meta.warnings = {pm_qos_skipped_warning_of("no permission")};
  const nlohmann::json doc = build_report(meta, MachineInfo{}, {});
  const nlohmann::json& b = doc["ctxbench"];
  EXPECT_EQ(b["schema_version"], 2);
  EXPECT_EQ(doc["context"]["json_schema_version"], 1);  // Google Benchmark's own, unchanged
  const nlohmann::json& o = b["options"];
  EXPECT_EQ(o["suite"], "full");
  EXPECT_EQ(o["quick"], true);
  EXPECT_EQ(o["repetitions"], 3);
  EXPECT_EQ(o["placements"], nlohmann::json::array({"cross-cpu"}));
  EXPECT_EQ(o["cpus"], nlohmann::json::array({0, 1}));
  EXPECT_EQ(o["keep_awake"], true);
  EXPECT_EQ(o["pm_qos"], true);
  EXPECT_EQ(o["explain"], true);
  EXPECT_EQ(o["interleave"], false);
  EXPECT_EQ(o["timeout_s"], 60);
  EXPECT_EQ(o["label"], "lab");
  EXPECT_EQ(o["context"]["commit"], "abc");
  ASSERT_EQ(b["warnings"].size(), 1u);
  EXPECT_EQ(b["warnings"][0]["kind"], "pm_qos_skipped");
  EXPECT_EQ(b["warnings"][0]["remedy"], "Run as root to hold it at 0");
}

// Every probe of the catalogue states what one value is, true to what it measures: checked here against
// the facts the measure must agree with (the unit, the family, one task or two, the name's own words).
TEST(Schema, EveryProbeStatesAMeasureTrueToIt) {
  for (const auto& probe : default_probe_table()) {
    const ProbeInfo& info = probe->info();
    const std::string m = measure_name(info.measure);
    SCOPED_TRACE(info.name + ": " + m);
    EXPECT_EQ(info.unit == "B/s", info.measure == Measure::Bandwidth);
    if (info.name.find(".one_way") != std::string::npos || info.name.rfind("shm.c2c", 0) == 0) {
      EXPECT_EQ(info.measure, Measure::OneWay);
    }
    if (info.family == "server" || info.family == "db") {
      EXPECT_EQ(info.measure, Measure::PerRequest);
    }
    if (info.family == "wakeup") {
      EXPECT_EQ(info.measure, Measure::Lateness);
    }
    if (info.family == "process" || info.family == "thread" || info.family == "baseline") {
      EXPECT_EQ(info.measure, Measure::SingleOp);
    }
    const bool one_task = info.where.kinds.size() == 1 && info.where.kinds[0] == PlacementKind::None;
    if (one_task) {
      EXPECT_NE(info.measure, Measure::RoundTrip);
    }
    if (info.op.rfind("one round trip", 0) == 0) {
      EXPECT_EQ(info.measure, Measure::RoundTrip);
    }
    EXPECT_NE(info.measure, Measure::PerSwitch);  // derived only
    EXPECT_NE(info.measure, Measure::PerMib);
  }
}

TEST(Schema, DerivedRecordsTakeTheirMeasureFromTheDerivationTable) {
  for (const Derivation& d : derivation_registry()) {
    SCOPED_TRACE(d.name);
    EXPECT_TRUE(d.measure == Measure::PerSwitch || d.measure == Measure::OneWay);
  }
  ProbeInfo rt;
  rt.name = "shm.pingpong";
  rt.family = "shm";
  rt.measure = Measure::RoundTrip;
  rt.where.kinds = {PlacementKind::CrossCpu};
  ProbeRun run;
  run.placement = {PlacementKind::CrossCpu, 0, 1};
  RepetitionRun rep;
  rep.ns_per_op = {100, 110, 120};
  rep.ops = rep.ops_per_sample = 1;
  run.repetitions = {rep, rep};
  const std::vector<Record> all = with_derived({make_record(rt, run, "other-llc")});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(measure_name(all[0].measure), "round_trip");
  EXPECT_EQ(all[1].probe, "shm.pingpong.one_way");
  EXPECT_EQ(record_to_json(all[1])["measure"], "one_way");
}

}  // namespace
}  // namespace ctxbench
