// Analysis of the catalogue's records: parametrised derivations (working-set per-switch), the fitted
// ns per MiB of fork, and B/s records: ns per op in the record, the rate derived by every reporter.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/console_report.hpp"
#include "analysis/derived.hpp"
#include "analysis/json_report.hpp"
#include "analysis/record.hpp"

namespace ctxbench {
namespace {

ProbeInfo info_named(const std::string& name, PlacementKind kind) {
  ProbeInfo info;
  info.name = name;
  info.family = "fake";
  info.op = "one fake operation";
  info.where.kinds = {kind};
  return info;
}

ProbeRun run_of(PlacementKind kind, std::vector<std::vector<double>> reps) {
  ProbeRun run;
  run.placement = {kind, kind == PlacementKind::SameCpu ? 0 : -1, kind == PlacementKind::SameCpu ? 0 : -1};
  for (auto& samples : reps) {
    RepetitionRun r;
    r.ops_per_sample = 10;
    r.ops = 10 * samples.size();
    r.ns_per_op = std::move(samples);
    run.repetitions.push_back(std::move(r));
  }
  return run;
}

const Record* find(const std::vector<Record>& rs, const std::string& probe) {
  for (const Record& r : rs)
    if (r.probe == probe) return &r;
  return nullptr;
}

TEST(DerivedCatalogue, WorkingSetPerSwitchKeepsItsParameter) {
  std::vector<Record> measured;
  for (const char* ws : {"0", "65536"}) {
    const std::string suffix = std::string("/ws:") + ws;
    const double work = std::string(ws) == "0" ? 1000 : 3000;
    Record self = make_record(info_named("ctxswitch.ws.self" + suffix, PlacementKind::None),
                              run_of(PlacementKind::None, {{work, work, work}}), "");
    self.params = {{"ws", ws}};
    measured.push_back(self);
    Record rt = make_record(info_named("ctxswitch.ws.process" + suffix, PlacementKind::SameCpu),
                            run_of(PlacementKind::SameCpu, {{2 * work + 8000, 2 * work + 8000}}), "same");
    rt.params = {{"ws", ws}};
    measured.push_back(rt);
  }
  const std::vector<Record> all = with_derived(measured);
  for (const char* ws : {"0", "65536"}) {
    const Record* d = find(all, std::string("ctxswitch.ws.process.per_switch/ws:") + ws);
    ASSERT_NE(d, nullptr) << ws;
    EXPECT_TRUE(d->derived);
    // (2w + 8000 - 2w) / 2: the same-parameter SELF is subtracted, never another step's.
    EXPECT_DOUBLE_EQ(d->stats.p50, 4000.0) << ws;
    ASSERT_EQ(d->params.size(), 1u);
    EXPECT_EQ(d->params[0].second, ws);
  }
  // Each derived record follows the round trip it comes from.
  for (std::size_t i = 0; i + 1 < all.size(); ++i) {
    if (all[i + 1].derived && all[i + 1].probe.rfind("ctxswitch.ws.process.per_switch", 0) == 0) {
      EXPECT_EQ(all[i].probe, all[i + 1].derived_from);
    }
  }
}

// An interleaved run files a probe's skipped placement at once and its measured one after the last
// round, so its records are apart: the derived record still comes once, after the last of them, whole.
TEST(DerivedCatalogue, ASourceWhoseRecordsAreApartDerivesOnce) {
  std::vector<Record> measured;
  const ProbeInfo rt = info_named("shm.pingpong", PlacementKind::CrossCpu);
  measured.push_back(make_skipped_record(rt, {PlacementKind::SameCpu, 0, 0}, "spinner on one CPU"));
  measured.push_back(
      make_record(info_named("baseline.clock", PlacementKind::None), run_of(PlacementKind::None, {{20, 21, 22}}), ""));
  measured.push_back(make_record(rt, run_of(PlacementKind::CrossCpu, {{100, 102, 98}}), "other-llc"));
  const std::vector<Record> all = with_derived(measured);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[3].probe, "shm.pingpong.one_way");
  EXPECT_EQ(all[3].derived_from, "shm.pingpong");
  for (const Record& r : all) EXPECT_FALSE(r.probe.empty()) << "a record moved out twice";
}

TEST(DerivedCatalogue, ForkRssFitIsTheSlopePerRepetition) {
  std::vector<Record> measured;
  // Repetition k costs 200000 + slope_k * MiB with slopes 50 and 70 ns/MiB.
  for (int mib : {0, 64, 256, 1024}) {
    const double a = 200000 + 50.0 * mib, b = 200000 + 70.0 * mib;
    measured.push_back(make_record(info_named("process.fork_rss/rss_mib:" + std::to_string(mib), PlacementKind::None),
                                   run_of(PlacementKind::None, {{a, a, a}, {b, b, b}}), ""));
  }
  const std::vector<Record> all = with_derived(measured);
  const Record* fit = find(all, "process.fork_rss.ns_per_mib");
  ASSERT_NE(fit, nullptr);
  EXPECT_TRUE(fit->derived);
  EXPECT_EQ(fit->unit, "ns/MiB");
  ASSERT_EQ(fit->samples.size(), 2u);
  EXPECT_NEAR(fit->samples[0], 50.0, 1e-6);
  EXPECT_NEAR(fit->samples[1], 70.0, 1e-6);
  EXPECT_EQ(all.back().probe, "process.fork_rss.ns_per_mib");  // after the largest step
  // One step is no fit.
  EXPECT_EQ(find(with_derived({measured[0]}), "process.fork_rss.ns_per_mib"), nullptr);
}

TEST(DerivedCatalogue, BytesPerSecondIsDerivedFromTimePerOpInEveryReporter) {
  ProbeInfo info = info_named("bw.fake/size:4096", PlacementKind::SameCpu);
  info.unit = "B/s";
  info.bytes_per_op = 4096;
  // 4096 bytes in 1000 ns = 4.096e9 B/s; in 2000 ns = 2.048e9 B/s.
  const Record r = make_record(info, run_of(PlacementKind::SameCpu, {{1000, 1000, 1000}, {2000, 2000, 2000}}), "same");
  EXPECT_EQ(r.unit, "B/s");
  EXPECT_DOUBLE_EQ(r.bytes_per_op, 4096.0);
  // The record keeps time per op, like every other record.
  EXPECT_DOUBLE_EQ(r.stats.min, 1000.0);
  EXPECT_DOUBLE_EQ(r.stats.max, 2000.0);
  EXPECT_DOUBLE_EQ(r.stats.p50, 1500.0);
  ASSERT_EQ(r.repetitions.size(), 2u);
  EXPECT_DOUBLE_EQ(r.repetitions[0].median_ns, 1000.0);
  EXPECT_DOUBLE_EQ(r.repetitions[1].median_ns, 2000.0);
  EXPECT_DOUBLE_EQ(r.samples.front(), 1000.0);
  EXPECT_DOUBLE_EQ(bytes_per_second(r, 1000.0), 4.096e9);
  EXPECT_DOUBLE_EQ(bytes_per_second(r, 2000.0), 2.048e9);
  EXPECT_TRUE(std::isnan(bytes_per_second(r, 0.0)));

  const nlohmann::json rows = benchmark_rows(r, 0);
  ASSERT_FALSE(rows.empty());
  for (const auto& row : rows) {
    EXPECT_EQ(row["time_unit"], "ns");
    if (row["run_type"] == "iteration") {
      const double t = row["real_time"];
      EXPECT_TRUE(t == 1000.0 || t == 2000.0) << t;  // time per op, not a rate
      EXPECT_DOUBLE_EQ(row["bytes_per_second"].get<double>() * t * 1e-9, 4096.0);
      EXPECT_TRUE(row.contains("mean_ns"));
    }
    if (row.value("aggregate_name", "") == "median") {
      EXPECT_DOUBLE_EQ(row["real_time"].get<double>(), 1500.0);
      EXPECT_DOUBLE_EQ(row["p50_ns"].get<double>(), 1500.0);
      EXPECT_DOUBLE_EQ(row["bytes_per_second"].get<double>(), 4096 * 1e9 / 1500.0);
    }
  }
  const nlohmann::json j = record_to_json(r);
  EXPECT_EQ(j["unit"], "B/s");
  EXPECT_DOUBLE_EQ(j["bytes_per_op"].get<double>(), 4096.0);
  // The headline and the rate block are bandwidth; statistics, repetitions and samples are ns per op.
  EXPECT_DOUBLE_EQ(j["value"].get<double>(), 4096 * 1e9 / 1500.0);
  EXPECT_DOUBLE_EQ(j["bytes_per_second"]["p50"].get<double>(), 4096 * 1e9 / 1500.0);
  EXPECT_DOUBLE_EQ(j["bytes_per_second"]["min"].get<double>(), 2.048e9);
  EXPECT_DOUBLE_EQ(j["bytes_per_second"]["max"].get<double>(), 4.096e9);
  EXPECT_DOUBLE_EQ(j["statistics"]["p50"].get<double>(), 1500.0);
  EXPECT_DOUBLE_EQ(j["repetitions"][0]["median_ns"].get<double>(), 1000.0);
  EXPECT_FALSE(j["repetitions"][0].contains("median"));
  EXPECT_DOUBLE_EQ(j["samples"][0].get<double>(), 1000.0);

  // The console table shows the rate: p50 4.096e9 x 1000 / 1500 = 2.73 GB/s, the slowest op 2.05 GB/s.
  const std::string table = format_table({r});
  EXPECT_NE(table.find("2.73 GB/s"), std::string::npos) << table;
  EXPECT_NE(table.find("2.05 GB/s"), std::string::npos) << table;
}

TEST(DerivedCatalogue, EveryRecordNamesItsRepetitionMedianTheSameWay) {
  std::vector<Record> measured;
  for (int mib : {0, 64}) {
    const double a = 200000 + 50.0 * mib;
    measured.push_back(make_record(info_named("process.fork_rss/rss_mib:" + std::to_string(mib), PlacementKind::None),
                                   run_of(PlacementKind::None, {{a, a, a}}), ""));
  }
  for (const Record& r : with_derived(measured)) {
    const nlohmann::json j = record_to_json(r);
    ASSERT_FALSE(j["repetitions"].empty()) << r.probe;
    EXPECT_TRUE(j["repetitions"][0].contains("median_ns")) << r.probe;
    EXPECT_FALSE(j["repetitions"][0].contains("median")) << r.probe;
    EXPECT_FALSE(j.contains("bytes_per_op")) << r.probe;
  }
}

}  // namespace
}  // namespace ctxbench
