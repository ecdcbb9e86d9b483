// show's and check's judgement over literal histories: where a change point is reported and by which
// judgement, the current segment, and the gate's verdicts. The change-point math itself is tested in
// tests/change_points_test.cpp; these test the wiring of series, runs and machines around it.
#include "analysis/history_analysis.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "analysis/derived.hpp"
#include "analysis/history_confirm.hpp"
#include "analysis/history_report.hpp"
#include "analysis/pair_distance.hpp"

namespace {

using namespace ctxbench;

// A deterministic jitter in [-1, 1], without structure over runs (a hash, not a slow sine), different per
// (run, series).
double jitter(std::size_t run, std::size_t series) {
  const double x = std::sin(static_cast<double>(run) * 12.9898 + static_cast<double>(series) * 78.233) * 43758.5453;
  return 2 * (x - std::floor(x)) - 1;
}

// A point of run `run` reading `v` (no pair readings: p50_all_ns is v too).
HistoryPoint point(std::size_t run, double v) {
  HistoryPoint p;
  p.run = run;
  p.p50_ns = p.p50_all_ns = v;
  return p;
}

// One machine, `runs` runs, `series` records; every record moves by `noise` around its level, every
// run's figures share a speed factor of up to +-`shared`; record `stepped` steps by `step` from run
// `step_at` on.
History make_history(std::size_t runs, std::size_t series, double noise, double shared, std::size_t stepped = 0,
                     double step = 1.0, std::size_t step_at = 0) {
  History h;
  h.machines.push_back({"feedfacecafe0001", nlohmann::json::object()});
  for (std::size_t r = 0; r < runs; ++r) {
    HistoryRun run;
    run.run_id = "run" + std::to_string(r);
    run.fingerprint = "feedfacecafe0001";
    run.git_revision = "rev" + std::to_string(r);
    run.start_time = fmt::format("2026-12-{:02}T{:02}:00:00Z", 1 + r / 24, r % 24);
    h.runs.push_back(run);
  }
  for (std::size_t s = 0; s < series; ++s) {
    HistorySeries hs;
    hs.fingerprint = "feedfacecafe0001";
    hs.record_id = "rec" + std::to_string(s) + "/same-cpu";
    for (std::size_t r = 0; r < runs; ++r) {
      const double speed = 1 + shared * jitter(r, 1000);
      double v = 1000.0 * (1 + static_cast<double>(s)) * speed * (1 + noise * jitter(r, s));
      if (s == stepped && r >= step_at) v *= step;
      hs.points.push_back(point(r, v));
    }
    h.series.push_back(hs);
  }
  return h;
}

TEST(HistoryAnalysis, AStepIsReportedAtItsRunAndTheCurrentSegmentStartsThere) {
  const History h = make_history(40, 12, 0.01, 0.0, 3, 1.3, 20);
  // A change must be 5% or more: at p <= 0.001 over 12 series of 40 points, a shift of under 1% in +-1%
  // noise can pass the test alone (seen: x1.008 at p 0.0009); this test is about where a step is reported.
  ChangePointOptions options;
  options.min_magnitude = 0.05;
  const HistoryAnalysis a = analyse_history(h, options);
  ASSERT_EQ(a.series.size(), 12u);
  for (std::size_t s = 0; s < a.series.size(); ++s) {
    if (s != 3) {
      EXPECT_TRUE(a.series[s].changes.empty()) << h.series[s].record_id << ": " << format_history(h, a);
      continue;
    }
    ASSERT_EQ(a.series[s].changes.size(), 1u);
    const SeriesChange& c = a.series[s].changes[0];
    EXPECT_EQ(c.index, 20u);
    EXPECT_NEAR(c.ratio, 1.3, 0.03);
    EXPECT_EQ(a.series[s].current_points, 20u);
    EXPECT_NEAR(a.series[s].current_median_ns, 4000.0 * 1.3, 4000.0 * 1.3 * 0.02);
  }
  const std::string text = format_history(h, a);
  EXPECT_NE(text.find("change at point 21 (2026-12-01T20:00:00Z, run run20, rev rev20)"), std::string::npos) << text;
  const nlohmann::json doc = history_to_json(h, a);
  EXPECT_EQ(doc["series"][3]["change_points"][0]["run_id"], "run20");
  EXPECT_EQ(doc["series"][3]["points"]["p50_ns"].size(), 40u);
  EXPECT_EQ(doc["runs"].size(), 40u);
}

TEST(HistoryAnalysis, AChangeWithFewerThanSixRunsBeforeItIsNotConfirmed) {
  // A x1.3 step of one record after 3 runs and after 6: found both times, confirmed only with
  // kConfirmedPoints points on the old level, and never provisional (30 runs stand on the new one).
  ChangePointOptions options;
  options.min_magnitude = 0.05;
  for (const std::size_t before : {std::size_t{3}, kConfirmedPoints}) {
    const History h = make_history(30 + before, 12, 0.01, 0.0, 3, 1.3, before);
    const HistoryAnalysis a = analyse_history(h, options);
    ASSERT_EQ(a.series[3].changes.size(), 1u) << before << " before: " << format_history(h, a);
    const SeriesChange& c = a.series[3].changes[0];
    EXPECT_EQ(c.index, before);
    EXPECT_EQ(c.points_before, before);
    EXPECT_FALSE(c.provisional());
    EXPECT_EQ(c.old_level_short(), before < kConfirmedPoints);
    EXPECT_EQ(a.own_confirmed_count(), before < kConfirmedPoints ? 0u : 1u);
    const nlohmann::json doc = history_to_json(h, a);
    EXPECT_EQ(doc["series"][3]["change_points"][0]["old_level_short"], before < kConfirmedPoints);
    EXPECT_EQ(doc["series"][3]["change_points"][0]["confirmed"], before >= kConfirmedPoints);
    EXPECT_EQ(doc["change_point_counts"]["series_own_confirmed"], before < kConfirmedPoints ? 0u : 1u);
    const std::string text = format_history(h, a);
    EXPECT_EQ(text.find("not confirmed: 3 runs on the old level, under 6") != std::string::npos,
              before < kConfirmedPoints)
        << text;
  }
}

TEST(HistoryAnalysis, EachChangeCountsThePointsOfItsOwnSegmentsOnly) {
  // Two x1.3 steps of one record, at runs 10 and 25 of 40: the first change's new level ends where the
  // second starts (15 points, not the 30 to the series' end), and the second's old level starts at the first.
  ChangePointOptions options;
  options.min_magnitude = 0.05;
  History h = make_history(40, 12, 0.01, 0.0, 3, 1.3, 10);
  for (std::size_t r = 25; r < 40; ++r) h.series[3].points[r].p50_ns *= 1.3;
  const HistoryAnalysis a = analyse_history(h, options);
  const std::vector<SeriesChange>& changes = a.series[3].changes;
  ASSERT_EQ(changes.size(), 2u) << format_history(h, a);
  EXPECT_EQ(changes[0].points_before, 10u);
  EXPECT_EQ(changes[0].points_after, 15u);
  EXPECT_EQ(changes[1].points_before, 15u);
  EXPECT_EQ(changes[1].points_after, 15u);
  EXPECT_TRUE(std::all_of(changes.begin(), changes.end(), [](const SeriesChange& c) { return c.confirmed(); }));
}

TEST(HistoryAnalysis, AChangeWithFewerThanSixRunsAfterItIsProvisional) {
  // The same x1.3 step of one record, seen 3 runs after it and then 6: found both times, provisional only
  // while fewer than kConfirmedPoints points stand on the new level, and counted apart from the confirmed.
  ChangePointOptions options;
  options.min_magnitude = 0.05;
  for (const std::size_t after : {std::size_t{3}, kConfirmedPoints}) {
    const History h = make_history(30 + after, 12, 0.01, 0.0, 3, 1.3, 30);
    const HistoryAnalysis a = analyse_history(h, options);
    ASSERT_EQ(a.series[3].changes.size(), 1u) << after << " after: " << format_history(h, a);
    const SeriesChange& c = a.series[3].changes[0];
    EXPECT_EQ(c.index, 30u);
    EXPECT_EQ(c.points_after, after);
    EXPECT_EQ(c.provisional(), after < kConfirmedPoints);
    EXPECT_EQ(a.own_confirmed_count(), after < kConfirmedPoints ? 0u : 1u);
    const nlohmann::json doc = history_to_json(h, a);
    EXPECT_EQ(doc["series"][3]["change_points"][0]["provisional"], after < kConfirmedPoints);
    EXPECT_EQ(doc["change_point_counts"]["series_own"], 1u);
    EXPECT_EQ(doc["change_point_counts"]["series_own_confirmed"], after < kConfirmedPoints ? 0u : 1u);
    const std::string text = format_history(h, a);
    EXPECT_EQ(text.find("provisional: 3 runs on the new level, 6 confirm it") != std::string::npos,
              after < kConfirmedPoints)
        << text;
  }
}

TEST(HistoryAnalysis, WhatTheRunSharesIsTakenOutAndSaidWhichJudgementFired) {
  // Every run moves by up to +-20% as a whole, each record by 1% of its own: raw series are noisy, the
  // run-corrected ones quiet. A 10% step in one record is found by the corrected judgement.
  const History h = make_history(40, 20, 0.01, 0.2, 5, 1.1, 20);
  const HistoryAnalysis a = analyse_history(h);
  ASSERT_EQ(a.machines.size(), 1u);
  EXPECT_TRUE(a.machines[0].corrected);
  EXPECT_GT(a.machines[0].shared_variance, 0.5);
  ASSERT_FALSE(a.series[5].changes.empty());
  EXPECT_NE(a.series[5].changes[0].fired, Fired::Raw);
  EXPECT_NEAR(static_cast<double>(a.series[5].changes[0].index), 20.0, 1.0);
}

TEST(HistoryAnalysis, AMoveOfTheWholeMachineIsTheMachinesNotEverySeriesChangePoint) {
  // Every record is 30% slower from run 20 on (the host's speed level, or a kernel that slows everything):
  // each raw series steps, but no record moved against its run, so no series reports it; the machine does.
  History h = make_history(40, 20, 0.01, 0.0);
  for (HistorySeries& s : h.series)
    for (HistoryPoint& p : s.points)
      if (p.run >= 20) p.p50_ns *= 1.3;
  ChangePointOptions options;  // 5%: see the first test (sub-1% shifts in +-1% noise can pass alone)
  options.min_magnitude = 0.05;
  const HistoryAnalysis a = analyse_history(h, options);
  for (std::size_t s = 0; s < a.series.size(); ++s)
    EXPECT_TRUE(a.series[s].changes.empty()) << h.series[s].record_id << ": " << format_history(h, a);
  ASSERT_EQ(a.machines[0].change_points.size(), 1u);
  EXPECT_EQ(a.machines[0].change_points[0].index, 20u);
  EXPECT_NEAR(a.machines[0].change_points[0].ratio(), 1.3, 0.01);
  const nlohmann::json doc = history_to_json(h, a);
  EXPECT_EQ(doc["machines"][0]["change_points"][0]["run"], 20);
}

TEST(HistoryAnalysis, AMachineMoveWithRecordFactorsIsAttributedAndARealChangeIsNot) {
  // Every record slower from run 15 on, each by its own factor (x1.05 .. x2.9: a change of the host that
  // hits records unequally), then 6 of the 20 records x1.3 from run 30 on (a kernel change under some
  // records). The first is the machine's: its series' change points are reported but said to be with it;
  // the second is the series' own.
  History h = make_history(45, 20, 0.01, 0.0);
  for (std::size_t s = 0; s < h.series.size(); ++s)
    for (HistoryPoint& p : h.series[s].points) {
      if (p.run >= 15) p.p50_ns *= 1.05 + 0.1 * static_cast<double>(s);
      if (p.run >= 30 && s % 3 == 0 && s < 18) p.p50_ns *= 1.3;
    }
  ChangePointOptions options;  // 5%: see the first test
  options.min_magnitude = 0.05;
  const HistoryAnalysis a = analyse_history(h, options);
  ASSERT_EQ(a.machines[0].change_points.size(), 1u) << format_history(h, a);
  EXPECT_EQ(a.machines[0].change_points[0].index, 15u);
  std::size_t own = 0, with_machine = 0;
  for (std::size_t s = 0; s < a.series.size(); ++s) {
    bool own_at_30 = false;
    for (const SeriesChange& c : a.series[s].changes) {
      const bool near_15 = c.index + kMachineMoveReach >= 15 && c.index <= 15 + kMachineMoveReach;
      EXPECT_EQ(c.with_machine_change, near_15) << h.series[s].record_id << " at " << c.index;
      own += c.with_machine_change ? 0 : 1;
      with_machine += c.with_machine_change ? 1 : 0;
      own_at_30 = own_at_30 || (!c.with_machine_change && c.index == 30);
    }
    EXPECT_EQ(own_at_30, s % 3 == 0 && s < 18) << h.series[s].record_id << ": " << format_history(h, a);
  }
  EXPECT_EQ(own, 6u);
  EXPECT_GT(with_machine, 10u);  // most records' own factor differs from the machine's median one
  EXPECT_EQ(a.change_count(), own + with_machine);
  EXPECT_EQ(a.machine_change_count(), with_machine);
  const nlohmann::json doc = history_to_json(h, a);
  EXPECT_EQ(doc["change_point_counts"]["series_own"], 6);
  EXPECT_EQ(doc["change_point_counts"]["with_machine_change"], with_machine);
  EXPECT_EQ(doc["series"][0]["change_points"].back()["coincides_with_machine_change"], false);
  const std::string text = format_history(h, a);
  EXPECT_NE(text.find(fmt::format("{} of them where the whole machine moved", with_machine)), std::string::npos)
      << text;
}

// 20 records of 40 runs moving +-1% on their own (make_history), except the `weak` ones: they move +-13%
// and step by x1.06 at run 20, a change whose t-test p lies between what a lone change needs at a false
// discovery rate of 0.05 over the machine's judgements and the ceiling of 0.01 set here. Record 3 steps
// x1.3 (p far below any cutoff). Changes under 5% are left out (min_magnitude), as in the first test.
// at_run: each weak record's step run (default 20).
History weak_steps(const std::vector<std::size_t>& weak, const std::vector<std::size_t>& at_run = {}) {
  History h = make_history(40, 20, 0.01, 0.0, 3, 1.3, 20);
  for (std::size_t k = 0; k < weak.size(); ++k) {
    const std::size_t s = weak[k], at = k < at_run.size() ? at_run[k] : 20;
    for (HistoryPoint& p : h.series[s].points)
      p.p50_ns = 1000.0 * (1 + static_cast<double>(s)) * (1 + 0.13 * jitter(p.run, s + 100)) * (p.run >= at ? 1.06 : 1);
  }
  return h;
}

ChangePointOptions weak_step_options(double false_discovery_rate) {
  ChangePointOptions o;
  o.max_p_value = 0.01;
  o.min_magnitude = 0.05;
  o.false_discovery_rate = false_discovery_rate;
  return o;
}

bool changed_at_20(const SeriesAnalysis& s) {
  return std::any_of(s.changes.begin(), s.changes.end(),
                     [](const SeriesChange& c) { return c.index + 1 >= 20 && c.index <= 21; });
}

TEST(HistoryAnalysis, AFalseDiscoveryRateDropsALoneWeakChangeAndKeepsItAmongOthers) {
  // Alone: record 7's weak step passes p <= 0.01 judged by itself (p 0.0056, raw and run-corrected), but
  // with the strong record 3 the only other discovery, the cutoff is 0.05 x 2 / 40 judgements = 0.0025.
  const History lone = weak_steps({7});
  const HistoryAnalysis a = analyse_history(lone, weak_step_options(0));
  ASSERT_TRUE(changed_at_20(a.series[7])) << format_history(lone, a);
  ASSERT_TRUE(changed_at_20(a.series[3])) << format_history(lone, a);
  const HistoryAnalysis b = analyse_history(lone, weak_step_options(0.05));
  EXPECT_FALSE(changed_at_20(b.series[7])) << format_history(lone, b);
  EXPECT_TRUE(changed_at_20(b.series[3])) << format_history(lone, b);
  EXPECT_EQ(a.machines[0].series_max_p, 0.01);
  EXPECT_EQ(a.machines[0].series_tests, 0u);
  EXPECT_GE(b.machines[0].series_tests, 20u);
  EXPECT_LT(b.machines[0].series_max_p, 0.01);
  ASSERT_EQ(b.machines[0].series_max_p_by_run.size(), 40u);
  for (const SeriesAnalysis& s : b.series)
    for (const SeriesChange& c : s.changes) EXPECT_LE(c.p_value, b.machines[0].series_max_p_by_run[c.index]);
  // Among eight such steps at one run the cutoff at that run rises (changes at other runs do not count
  // towards it), and one at least is kept (the first pass's p of a weak step is of segments cut at the
  // noisy series' other candidates; judged again without them, most weak steps need more than 0.0075).
  const std::vector<std::size_t> eight = {7, 10, 11, 12, 13, 14, 15, 16};
  const History together = weak_steps(eight);
  const HistoryAnalysis c = analyse_history(together, weak_step_options(0.05));
  std::size_t kept = 0;
  for (std::size_t s : eight) kept += changed_at_20(c.series[s]) ? 1 : 0;
  EXPECT_GE(kept, 1u) << format_history(together, c);
  EXPECT_GT(c.machines[0].series_max_p_by_run[20], b.machines[0].series_max_p_by_run[20]);
  EXPECT_GT(c.machines[0].series_max_p_by_run[20], c.machines[0].series_max_p);
  const nlohmann::json doc = history_to_json(together, c);
  EXPECT_EQ(doc["ctxbench_history"]["change_points"]["false_discovery_rate"], 0.05);
  EXPECT_EQ(doc["machines"][0]["series_judgements"], c.machines[0].series_tests);
  EXPECT_NE(format_history(together, c).find("false discovery rate 0.05 over"), std::string::npos);
  EXPECT_EQ(doc["machines"][0]["series_max_p_value_by_run"].size(), 40u);
}

RunInput new_run_like(const History& h, std::size_t series_scale_index, double scale);

TEST(HistoryAnalysis, ChangesAtDifferentRunsDoNotLiftEachOthersCutoff) {
  // The eight weak steps of the test above, each at a run of its own (10, 13, ..., 31): judged alone at
  // p <= 0.01 several are found (4 of 8), but no other series' change shares its run, so each needs what a
  // change at its run alone needs, and fewer are kept than alone. At one run (above) they lift each other.
  const std::vector<std::size_t> weak = {7, 10, 11, 12, 13, 14, 15, 16};
  const History scattered = weak_steps(weak, {10, 13, 16, 19, 22, 25, 28, 31});
  const HistoryAnalysis alone = analyse_history(scattered, weak_step_options(0));
  std::size_t found_alone = 0, kept = 0;
  for (std::size_t s : weak) found_alone += alone.series[s].changes.empty() ? 0 : 1;
  ASSERT_GE(found_alone, 3u) << format_history(scattered, alone);
  const HistoryAnalysis a = analyse_history(scattered, weak_step_options(0.05));
  for (std::size_t s : weak) kept += a.series[s].changes.empty() ? 0 : 1;
  EXPECT_LT(kept, found_alone) << format_history(scattered, a);
  EXPECT_TRUE(changed_at_20(a.series[3])) << format_history(scattered, a);
  const HistoryAnalysis t = analyse_history(weak_steps(weak), weak_step_options(0.05));
  for (std::size_t r : {10, 13, 16, 19, 22, 25, 28, 31})
    EXPECT_LT(a.machines[0].series_max_p_by_run[r], t.machines[0].series_max_p_by_run[20]) << r;
  for (const SeriesAnalysis& s : a.series)
    for (const SeriesChange& c : s.changes) EXPECT_LE(c.p_value, a.machines[0].series_max_p_by_run[c.index]);
  // The gate's segments end where show's change points do: no weak record's segment is cut.
  const HistoryCheck check =
      check_against_history(scattered, new_run_like(scattered, 99, 1.0), HistoryGateOptions{}, weak_step_options(0.05));
  EXPECT_EQ(check.segment_max_p, a.machines[0].series_max_p);
}

TEST(HistoryAnalysis, ADerivedRecordsBaseIsTheRecordItIsComputedFrom) {
  const std::vector<std::string> ids = {"process.fork_rss/rss_mib:0/same-cpu", "process.fork_rss/rss_mib:256/same-cpu",
                                        "process.fork_rss/rss_mib:64/same-cpu", "process.fork_rss/rss_mib:256/unpinned",
                                        "process.fork_rss/rss_mib:0/unpinned"};
  EXPECT_EQ(derived_base_id("ctxswitch.pipe.thread.per_switch/same-cpu", ids), "ctxswitch.pipe.thread/same-cpu");
  EXPECT_EQ(derived_base_id("ctxswitch.pipe.process.per_switch/cross-cpu/keep-awake", ids),
            "ctxswitch.pipe.process/cross-cpu/keep-awake");
  EXPECT_EQ(derived_base_id("ctxswitch.ws.process.per_switch/ws:1048576/same-cpu", ids),
            "ctxswitch.ws.process/ws:1048576/same-cpu");
  EXPECT_EQ(derived_base_id("shm.pingpong.one_way/cross-cpu", ids), "shm.pingpong/cross-cpu");
  // The slope's largest step of the same placement, by its MiB (not by its order or its text).
  EXPECT_EQ(derived_base_id("process.fork_rss.ns_per_mib/same-cpu", ids), "process.fork_rss/rss_mib:256/same-cpu");
  EXPECT_EQ(derived_base_id("process.fork_rss.ns_per_mib/unpinned", ids), "process.fork_rss/rss_mib:256/unpinned");
  EXPECT_EQ(derived_base_id("process.fork_rss.ns_per_mib/cross-cpu", ids), "");
  // Measured records, and names that only begin like a derived one, are their own.
  for (const char* id : {"ctxswitch.pipe.thread/same-cpu", "ipc.pipe.self", "process.fork_rss/rss_mib:0/same-cpu",
                         "ctxswitch.pipe.thread.per_switchy/same-cpu", "baseline.clock"})
    EXPECT_EQ(derived_base_id(id, ids), "") << id;
}

// 8 records of 40 runs (fewer than 10: no run correction, one raw judgement each), 6 moving +-1%; record 2
// (ctxswitch.pipe.thread/same-cpu) moves +-13% and steps x1.06 at run 20, and record 6, `second_id`, is a
// third of record 2 at every run: the same change, p for p.
History pair_history(const std::string& second_id) {
  History h = make_history(40, 8, 0.01, 0.0);
  const std::vector<std::string> ids = {
      "baseline.clock", "baseline.syscall",           "ctxswitch.pipe.thread/same-cpu",
      "wakeup.timer",   "shm.pingpong/cross-cpu",     "ipc.signal.process/same-cpu",
      second_id,        "thread.create_join/same-cpu"};
  for (std::size_t s = 0; s < ids.size(); ++s) h.series[s].record_id = ids[s];
  for (std::size_t i = 0; i < h.series[2].points.size(); ++i) {
    const std::size_t run = h.series[2].points[i].run;
    const double v = 1000.0 * (1 + 0.13 * jitter(run, 107)) * (run >= 20 ? 1.06 : 1);
    h.series[2].points[i].p50_ns = 3 * v;
    h.series[6].points[i].p50_ns = v;
  }
  return h;
}

TEST(HistoryAnalysis, ADerivedRecordAndItsBaseMovingTogetherDoNotLiftTheirOwnCutoff) {
  // A derived record moves with the record it is computed from by construction (analysis/derived.hpp): the
  // two are one hypothesis of the false discovery rate, not two that find each other at one run.
  const History derived = pair_history("ctxswitch.pipe.thread.per_switch/same-cpu");
  const HistoryAnalysis alone = analyse_history(derived, weak_step_options(0));
  ASSERT_TRUE(changed_at_20(alone.series[2])) << format_history(derived, alone);
  ASSERT_TRUE(changed_at_20(alone.series[6])) << format_history(derived, alone);
  const double p = alone.series[2].changes.back().p_value;
  EXPECT_NEAR(alone.series[6].changes.back().p_value, p, p * 1e-9);
  // q = 5 p: a lone hypothesis needs q / m below p; two at one run 2 q / m above it (and under the 0.01 ceiling).
  ASSERT_LT(p, 0.008);
  const ChangePointOptions fdr = weak_step_options(5 * p);
  const HistoryAnalysis a = analyse_history(derived, fdr);
  ASSERT_FALSE(a.machines[0].corrected);
  EXPECT_EQ(a.machines[0].series_tests, 7u);  // 8 records, one pair
  EXPECT_DOUBLE_EQ(a.machines[0].series_max_p_by_run[20], a.machines[0].series_max_p);
  EXPECT_FALSE(changed_at_20(a.series[2])) << format_history(derived, a);
  EXPECT_FALSE(changed_at_20(a.series[6])) << format_history(derived, a);
  // The same figures under an unrelated record's id: two hypotheses changing at one run lift each other's
  // cutoff (2 q / 8) and both are kept.
  const History two = pair_history("ctxswitch.futex.thread/same-cpu");
  const HistoryAnalysis b = analyse_history(two, fdr);
  EXPECT_EQ(b.machines[0].series_tests, 8u);
  EXPECT_GT(b.machines[0].series_max_p_by_run[20], b.machines[0].series_max_p);
  EXPECT_TRUE(changed_at_20(b.series[2])) << format_history(two, b);
  EXPECT_TRUE(changed_at_20(b.series[6])) << format_history(two, b);
}

TEST(HistoryAnalysis, ADerivedRecordChangesOnlyWhereItsBaseMovesToo) {
  // Record 6 steps x1.3 at run 20 and its base (record 2) does not: named as a derived record of that base,
  // the step is the subtraction's noise and no change point is reported; named as an unrelated record, it is.
  auto history = [](const std::string& second_id, double base_step) {
    History h = pair_history(second_id);
    for (std::size_t i = 0; i < h.series[2].points.size(); ++i) {
      const std::size_t run = h.series[2].points[i].run;
      h.series[2].points[i].p50_ns = 3000.0 * (1 + 0.01 * jitter(run, 107)) * (run >= 20 ? base_step : 1);
      h.series[6].points[i].p50_ns = 1000.0 * (1 + 0.01 * jitter(run, 106)) * (run >= 20 ? 1.3 : 1);
    }
    return h;
  };
  const ChangePointOptions o = weak_step_options(0);
  const History apart = history("ctxswitch.futex.thread/same-cpu", 1.0);
  const HistoryAnalysis a = analyse_history(apart, o);
  EXPECT_TRUE(changed_at_20(a.series[6])) << format_history(apart, a);
  EXPECT_TRUE(a.series[2].changes.empty()) << format_history(apart, a);
  const History alone = history("ctxswitch.pipe.thread.per_switch/same-cpu", 1.0);
  const HistoryAnalysis b = analyse_history(alone, o);
  EXPECT_TRUE(b.series[6].changes.empty()) << format_history(alone, b);
  // With the false discovery rate too: the dropped change takes no part in the ranking either.
  EXPECT_TRUE(analyse_history(alone, weak_step_options(0.05)).series[6].changes.empty());
  // The base steps x1.1 at the same run: the derived record's change is kept.
  const History both = history("ctxswitch.pipe.thread.per_switch/same-cpu", 1.1);
  const HistoryAnalysis c = analyse_history(both, o);
  EXPECT_TRUE(changed_at_20(c.series[2])) << format_history(both, c);
  EXPECT_TRUE(changed_at_20(c.series[6])) << format_history(both, c);
  // The base steps the other way (x0.9): not the same move, dropped.
  const History opposite = history("ctxswitch.pipe.thread.per_switch/same-cpu", 0.9);
  const HistoryAnalysis d = analyse_history(opposite, o);
  EXPECT_TRUE(changed_at_20(d.series[2])) << format_history(opposite, d);
  EXPECT_TRUE(d.series[6].changes.empty()) << format_history(opposite, d);
}

RunInput new_run_like(const History& h, std::size_t series_scale_index, double scale) {
  RunInput in;
  in.machine.fingerprint = h.machines[0].fingerprint;
  in.run.run_id = "new";
  in.run.source = "new.json";
  for (std::size_t s = 0; s < h.series.size(); ++s) {
    RecordRow r;
    r.record_id = h.series[s].record_id;
    r.status = "ok";
    const double level = 1000.0 * (1 + static_cast<double>(s)) * (s == series_scale_index ? scale : 1.0);
    r.p50 = level;
    for (int k = 0; k < 5; ++k)
      r.repetition_medians.push_back(level * (1 + 0.005 * std::sin(k * 2.1 + static_cast<double>(s))));
    in.records.push_back(r);
  }
  return in;
}

TEST(HistoryAnalysis, CheckFindsARegressionAndNothingElse) {
  const History h = make_history(30, 12, 0.01, 0.0);
  HistoryGateOptions options;
  options.threshold = 0.05;
  const HistoryCheck check = check_against_history(h, new_run_like(h, 2, 1.3), options);
  ASSERT_EQ(check.records.size(), 12u);
  EXPECT_EQ(check.regressions(), 1);
  EXPECT_EQ(check.records[2].verdict.kind, HistoryVerdictKind::Regression);
  for (std::size_t s = 0; s < check.records.size(); ++s)
    if (s != 2) {
      EXPECT_EQ(check.records[s].verdict.kind, HistoryVerdictKind::NoChange) << check.records[s].record_id;
    }
  const std::string text = format_history_check(new_run_like(h, 2, 1.3), check, options);
  EXPECT_NE(text.find("REGRESSION"), std::string::npos) << text;
  EXPECT_NE(text.find("1 regression,"), std::string::npos) << text;
  const nlohmann::json doc = history_check_to_json(new_run_like(h, 2, 1.3), check, options);
  EXPECT_EQ(doc["regressions"], 1);
  EXPECT_EQ(doc["counts"]["no_change"], 11);
  EXPECT_EQ(doc["records"][2]["verdict"], "regression");
  EXPECT_EQ(doc["records"][2]["raw"]["verdict"], "regression");
  EXPECT_EQ(doc["records"][0]["verdict"], "no_change");
  EXPECT_NEAR(doc["records"][2]["ratio"].get<double>(), 1.3, 0.01);
}

// Where run-corrected figures are judged they decide: one record 30% slower is a regression; every record
// 50% slower moves each record's basket as far, so the raw figures alone call it and the verdict is
// inconclusive, said as a field (docs/METHODOLOGY.md, "The gate").
TEST(HistoryAnalysis, CheckLeavesAMoveItsBasketSharesInconclusive) {
  const History h = make_history(40, 20, 0.01, 0.2);
  const HistoryGateOptions options;
  const HistoryCheck one = check_against_history(h, new_run_like(h, 5, 1.3), options);
  ASSERT_TRUE(one.corrected);
  EXPECT_EQ(one.regressions(), 1);
  EXPECT_EQ(one.records[5].verdict.kind, HistoryVerdictKind::Regression);
  EXPECT_NE(one.records[5].fired, "raw");
  RunInput all = new_run_like(h, 0, 1.0);
  for (RecordRow& r : all.records) {
    *r.p50 *= 1.5;
    for (double& v : r.repetition_medians) v *= 1.5;
  }
  const HistoryCheck shared = check_against_history(h, all, options);
  // No record's verdict: the move is the whole run's, judged apart (the test below).
  EXPECT_EQ(std::count_if(shared.records.begin(), shared.records.end(),
                          [](const RecordCheck& r) { return r.verdict.kind == HistoryVerdictKind::Regression; }),
            0);
  std::size_t raw_only = 0;
  for (const RecordCheck& r : shared.records)
    if (r.moved_with_basket) {
      ++raw_only;
      EXPECT_EQ(r.fired, "raw");
      EXPECT_EQ(r.raw.kind, HistoryVerdictKind::Regression);
      EXPECT_EQ(r.verdict.kind, HistoryVerdictKind::Inconclusive);
    }
  EXPECT_GT(raw_only, 10u);
  EXPECT_EQ(history_check_to_json(all, shared, options)["records"][0]["moved_with_basket"],
            shared.records[0].moved_with_basket);
}

TEST(HistoryAnalysis, CheckTakesTheFalseDiscoveryCutoffOverTheRunsRecords) {
  const History h = make_history(30, 12, 0.01, 0.0);
  HistoryGateOptions alone;
  alone.threshold = 0.01;
  alone.max_p_value = 0.01;
  alone.false_discovery_rate = 0;
  HistoryGateOptions together = alone;
  together.false_discovery_rate = 0.05;
  // The smallest step of record 2 that passes p <= 0.01 judged alone: weaker than a lone discovery among
  // the run's judgements may be (0.05 / judgements).
  double scale = 0, p = 1;
  for (double s = 1.005; s < 1.2 && scale == 0; s += 0.0025) {
    const HistoryCheck c = check_against_history(h, new_run_like(h, 2, s), alone);
    if (c.records[2].verdict.kind == HistoryVerdictKind::Regression) {
      scale = s;
      p = c.records[2].verdict.p_value;
    }
  }
  ASSERT_GT(scale, 0);
  const HistoryCheck a = check_against_history(h, new_run_like(h, 2, scale), alone);
  const HistoryCheck b = check_against_history(h, new_run_like(h, 2, scale), together);
  EXPECT_EQ(a.gate_max_p, 0.01);
  ASSERT_GE(b.judgements, 12u);
  ASSERT_GT(p, 0.05 / static_cast<double>(b.judgements)) << "the step found passes the lone cutoff too: " << scale;
  EXPECT_EQ(a.regressions(), 1);
  EXPECT_EQ(b.regressions(), 0);
  EXPECT_NEAR(b.gate_max_p, 0.05 / static_cast<double>(b.judgements), 1e-12);
  // Its detectable change is the step it would have needed at that cutoff: larger than judged alone.
  EXPECT_GT(b.records[2].verdict.detectable_change, a.records[2].verdict.detectable_change);
  // A strong step passes both.
  EXPECT_EQ(check_against_history(h, new_run_like(h, 2, 1.3), together).regressions(), 1);
  // The segments end at the change points `history show` reports for this history.
  ChangePointOptions show;
  show.false_discovery_rate = 0.05;
  EXPECT_EQ(check_against_history(h, new_run_like(h, 2, 1.3), together, show).segment_max_p,
            analyse_history(h, show).machines[0].series_max_p);
  const nlohmann::json doc = history_check_to_json(new_run_like(h, 2, scale), b, together);
  EXPECT_EQ(doc["ctxbench_history_check"]["gate"]["false_discovery_rate"], 0.05);
  EXPECT_EQ(doc["judgements"], b.judgements);
  EXPECT_DOUBLE_EQ(doc["verdict_max_p_value"].get<double>(), b.gate_max_p);
  EXPECT_NE(format_history_check(new_run_like(h, 2, scale), b, together).find("false discovery rate 0.05"),
            std::string::npos);
}

TEST(HistoryAnalysis, CheckCountsADerivedRecordWithItsBaseOnce) {
  // The gate's hypotheses are families too: a derived record and its base moving together at the new run
  // are one, at the smaller p of the two. Records 2 and 5 step alike in the new run.
  auto check_pair = [](const std::string& second_id, double scale, double q) {
    History h = make_history(30, 12, 0.01, 0.0);
    h.series[2].record_id = "ctxswitch.pipe.thread/same-cpu";
    h.series[5].record_id = second_id;
    RunInput in = new_run_like(h, 2, scale);
    for (double& v : in.records[5].repetition_medians) v *= scale;
    *in.records[5].p50 *= scale;
    HistoryGateOptions o;
    o.threshold = 0.01;
    o.max_p_value = 0.01;
    o.false_discovery_rate = q;
    return check_against_history(h, in, o);
  };
  const HistoryCheck pair = check_pair("ctxswitch.pipe.thread.per_switch/same-cpu", 1.0, 0.05);
  const HistoryCheck apart = check_pair("ctxswitch.futex.thread/same-cpu", 1.0, 0.05);
  const std::size_t kinds = apart.corrected ? 2 : 1;
  EXPECT_EQ(apart.judgements, 12 * kinds);
  EXPECT_EQ(pair.judgements, 11 * kinds);
  // The smallest step both records make that two unrelated records pass together: as one family they
  // lift the run's cutoff less (one hypothesis per judgement, not two).
  for (double s = 1.005; s < 1.2; s += 0.0025) {
    const HistoryCheck together = check_pair("ctxswitch.futex.thread/same-cpu", s, 0.05);
    if (together.regressions() < 2) continue;
    const HistoryCheck one = check_pair("ctxswitch.pipe.thread.per_switch/same-cpu", s, 0.05);
    EXPECT_LT(one.gate_max_p, together.gate_max_p) << s;
    return;
  }
  ADD_FAILURE() << "no step found that two unrelated records pass together";
}

TEST(HistoryAnalysis, CheckCallsADerivedRecordsMoveARegressionOnlyWhenItsBaseMovesToo) {
  // Record 5 reads x1.3 in the new run; its base, record 2, x1.0 (no move) or x1.1 (the same direction).
  auto check = [](const std::string& second_id, double base_scale) {
    History h = make_history(30, 12, 0.01, 0.0);
    h.series[2].record_id = "ctxswitch.pipe.thread/same-cpu";
    h.series[5].record_id = second_id;
    RunInput in = new_run_like(h, 2, base_scale);
    for (double& v : in.records[5].repetition_medians) v *= 1.3;
    *in.records[5].p50 *= 1.3;
    HistoryGateOptions o;
    o.false_discovery_rate = 0;
    return check_against_history(h, in, o);
  };
  const HistoryCheck apart = check("ctxswitch.futex.thread/same-cpu", 1.0);
  EXPECT_EQ(apart.records[5].verdict.kind, HistoryVerdictKind::Regression);
  EXPECT_EQ(apart.regressions(), 1);
  const HistoryCheck alone = check("ctxswitch.pipe.thread.per_switch/same-cpu", 1.0);
  EXPECT_EQ(alone.records[5].verdict.kind, HistoryVerdictKind::Inconclusive);
  EXPECT_NE(alone.records[5].verdict.reason.find("did not move with it"), std::string::npos)
      << alone.records[5].verdict.reason;
  EXPECT_EQ(alone.regressions(), 0);
  const HistoryCheck both = check("ctxswitch.pipe.thread.per_switch/same-cpu", 1.1);
  EXPECT_EQ(both.records[2].verdict.kind, HistoryVerdictKind::Regression);
  EXPECT_EQ(both.records[5].verdict.kind, HistoryVerdictKind::Regression);
  EXPECT_EQ(both.regressions(), 2);
  const HistoryCheck opposite = check("ctxswitch.pipe.thread.per_switch/same-cpu", 0.9);
  EXPECT_EQ(opposite.records[2].verdict.kind, HistoryVerdictKind::Improvement);
  EXPECT_EQ(opposite.records[5].verdict.kind, HistoryVerdictKind::Inconclusive);
}

const PairReadings kFarPair{400.0, 410.0}, kNearPair{90.0, 120.0};

// Series 0 as a cross-CPU record with pair readings (analysis/pair_distance.hpp): five repetitions per point,
// each at the point's p50 and far (400 and 410 ns around it).
History with_far_readings(History h) {
  for (HistoryPoint& p : h.series[0].points) {
    p.repetition_medians.assign(5, p.p50_ns);
    p.pair_round_trips.assign(5, kFarPair);
  }
  return h;
}

// A point with some repetitions near is judged on the rest; one with all of them near leaves its series.
TEST(HistoryAnalysis, APointWhoseEveryRepetitionRanNearIsLeftOutOfItsSeries) {
  History h = with_far_readings(make_history(12, 3, 0.01, 0.0));
  HistoryPoint& half = h.series[0].points[4];
  half.repetition_medians = {1000, 700, 1000, 700, 700};
  half.pair_round_trips = {kFarPair, kNearPair, kFarPair, kNearPair, kNearPair};
  half.p50_ns = half.p50_all_ns = 700;
  h.series[0].points[7].pair_round_trips.assign(5, kNearPair);
  const History judged = on_usual_pair_distance(h);
  const HistorySeries& s = judged.series[0];
  ASSERT_TRUE(s.usual_pair_round_trip_ns);
  EXPECT_NEAR(*s.usual_pair_round_trip_ns, 405, 5.1);
  EXPECT_EQ(s.points_left_out, 1u);
  ASSERT_EQ(s.points.size(), 11u);
  EXPECT_EQ(s.points[6].run, 6u);
  EXPECT_EQ(s.points[7].run, 8u) << "run 7's point is gone";
  EXPECT_EQ(s.points[4].repetitions_nearer, 3u);
  EXPECT_DOUBLE_EQ(s.points[4].p50_ns, 700.0 * 1000 / 700) << "p50 x median(kept) / median(all)";
  EXPECT_DOUBLE_EQ(s.points[4].p50_all_ns, 700.0);
  // The records without readings are as stored.
  EXPECT_FALSE(judged.series[1].usual_pair_round_trip_ns);
  EXPECT_EQ(judged.series[1].points.size(), 12u);
  const std::string text = format_history(judged, analyse_history(judged));
  EXPECT_NE(text.find("1 cross-CPU point judged without 3 repetitions"), std::string::npos) << text;
  EXPECT_NE(text.find("1 point left out"), std::string::npos) << text;
  const nlohmann::json doc = history_to_json(judged, analyse_history(judged));
  EXPECT_EQ(doc["series"][0]["points_left_out"], 1);
  EXPECT_EQ(doc["series"][0]["points"]["repetitions_nearer"][4], 3);
  EXPECT_TRUE(doc["series"][1]["usual_pair_round_trip_ns"].is_null());
}

// A cross-CPU record with pair readings (analysis/pair_distance.hpp), far in every repetition of its history.
// In the new run three of five repetitions ran near and read x0.7: judged on all five the record is 30%
// faster, an improvement; judged on its two far repetitions it did not change, and the check says what it
// left out.
TEST(HistoryAnalysis, CheckJudgesACrossCpuRecordOnItsRepetitionsAtTheUsualDistance) {
  const History h = on_usual_pair_distance(with_far_readings(make_history(20, 12, 0.01, 0.0)));
  auto new_run = [&](const std::vector<double>& medians, const std::vector<PairReadings>& pairs) {
    RunInput in = new_run_like(h, 0, 1.0);
    in.records[0].repetition_medians = medians;
    in.records[0].pair_round_trips = pairs;
    in.records[0].p50 = 700;
    return in;
  };
  const std::vector<double> medians = {700, 1000, 700, 1000, 700};
  HistoryGateOptions options;
  options.false_discovery_rate = 0;
  const HistoryCheck unread = check_against_history(h, new_run(medians, {}), options);
  EXPECT_EQ(unread.records[0].verdict.kind, HistoryVerdictKind::Improvement) << "the near state moves the figure";
  EXPECT_FALSE(unread.records[0].left_out);

  const RunInput in = new_run(medians, {kNearPair, kFarPair, kNearPair, kFarPair, kNearPair});
  const HistoryCheck check = check_against_history(h, in, options);
  const RecordCheck& r = check.records[0];
  EXPECT_EQ(r.verdict.kind, HistoryVerdictKind::NoChange) << r.verdict.reason;
  EXPECT_NEAR(r.verdict.ratio, 1.0, 0.03);
  ASSERT_TRUE(r.left_out);
  EXPECT_EQ(r.left_out->nearer, 3u);
  EXPECT_EQ(r.left_out->farther, 0u);
  EXPECT_EQ(r.left_out->of, 5u);
  EXPECT_DOUBLE_EQ(r.left_out->usual_pair_round_trip_ns, 405);
  EXPECT_FALSE(check.records[1].left_out) << "a record without readings";
  const std::string text = format_history_check(in, check, options);
  EXPECT_NE(text.find("[3 of 5 repetitions left out: CPUs nearer than usual]"), std::string::npos) << text;
  const nlohmann::json doc = history_check_to_json(in, check, options);
  EXPECT_EQ(doc["records"][0]["repetitions_left_out"]["nearer"], 3);
  EXPECT_TRUE(doc["records"][1]["repetitions_left_out"].is_null());

  // Every repetition near: nothing left to judge, run again.
  const HistoryCheck all_near =
      check_against_history(h, new_run(std::vector<double>(5, 700), std::vector<PairReadings>(5, kNearPair)), options);
  EXPECT_EQ(all_near.records[0].verdict.kind, HistoryVerdictKind::Inconclusive);
  EXPECT_NE(all_near.records[0].verdict.reason.find("another distance"), std::string::npos);
  EXPECT_EQ(all_near.regressions(), 0);
}

TEST(HistoryAnalysis, CheckWithTooShortAHistoryIsInconclusive) {
  const History h = make_history(3, 12, 0.01, 0.0);
  const HistoryCheck check = check_against_history(h, new_run_like(h, 2, 1.5), HistoryGateOptions{});
  EXPECT_EQ(check.regressions(), 0);
  for (const RecordCheck& r : check.records) EXPECT_EQ(r.verdict.kind, HistoryVerdictKind::Inconclusive) << r.record_id;
}

// Every record of the run `scale` times slower: a change that moves all of them alike.
RunInput all_scaled(const History& h, const std::string& id, double scale) {
  RunInput in = new_run_like(h, 0, 1.0);
  in.run.run_id = id;
  in.run.source = id + ".json";
  for (RecordRow& r : in.records) {
    *r.p50 *= scale;
    for (double& v : r.repetition_medians) v *= scale;
  }
  return in;
}

// The run-corrected records cannot see a move of every record alike; the whole run's factor, judged against
// the machine's earlier run factors, can: a verdict of its own that counts as a regression, confirmed by a
// rerun like any other, and inconclusive where the machine's runs move as far together.
TEST(HistoryWholeRun, AMoveOfEveryRecordIsTheWholeRunsVerdict) {
  const History quiet = make_history(30, 20, 0.01, 0.01);
  const HistoryGateOptions options;
  const HistoryCheck slow = check_against_history(quiet, all_scaled(quiet, "slow", 1.1), options);
  ASSERT_TRUE(slow.whole_run);
  EXPECT_EQ(slow.whole_run->verdict.kind, HistoryVerdictKind::Regression);
  EXPECT_NEAR(slow.whole_run->verdict.ratio, 1.1, 0.02);
  EXPECT_EQ(slow.whole_run->verdict.history_points, 30u);
  EXPECT_EQ(slow.regressions(), 1);
  EXPECT_NE(format_history_check(all_scaled(quiet, "slow", 1.1), slow, options).find("the whole run against 30"),
            std::string::npos);
  const nlohmann::json doc = history_check_to_json(all_scaled(quiet, "slow", 1.1), slow, options);
  EXPECT_EQ(doc["whole_run"]["verdict"], "regression");
  EXPECT_EQ(doc["regressions"], 1);

  const HistoryCheck same = check_against_history(quiet, all_scaled(quiet, "same", 1.0), options);
  ASSERT_TRUE(same.whole_run);
  EXPECT_EQ(same.whole_run->verdict.kind, HistoryVerdictKind::NoChange);
  EXPECT_EQ(same.regressions(), 0);
  const HistoryCheck faster = check_against_history(quiet, all_scaled(quiet, "fast", 0.9), options);
  EXPECT_EQ(faster.whole_run->verdict.kind, HistoryVerdictKind::Improvement);
  EXPECT_EQ(faster.regressions(), 0);

  // Runs that move +-30% together: a 10% move of the whole run cannot be told apart, and says so.
  const History noisy = make_history(30, 20, 0.01, 0.3);
  const HistoryCheck unsure = check_against_history(noisy, all_scaled(noisy, "slow", 1.1), options);
  ASSERT_TRUE(unsure.whole_run);
  EXPECT_EQ(unsure.whole_run->verdict.kind, HistoryVerdictKind::Inconclusive);
  EXPECT_GT(unsure.whole_run->verdict.detectable_change, 0.1);
  EXPECT_EQ(unsure.regressions(), 0);

  // A run of fewer records than a factor needs has no whole-run verdict.
  RunInput few = all_scaled(quiet, "few", 1.1);
  few.records.resize(kWholeRunMinRecords - 1);
  const HistoryCheck partial = check_against_history(quiet, few, options);
  EXPECT_FALSE(partial.whole_run);
  EXPECT_TRUE(history_check_to_json(few, partial, options)["whole_run"].is_null());
}

TEST(HistoryWholeRun, ARerunMustConfirmTheWholeRunsRegression) {
  const History h = make_history(30, 20, 0.01, 0.01);
  const HistoryGateOptions options;
  const RunInput a = all_scaled(h, "a", 1.1), b = all_scaled(h, "b", 1.1), same = all_scaled(h, "same", 1.0);
  const HistoryCheck alone = check_runs_against_history(h, {a}, options, {}, 2);
  ASSERT_TRUE(alone.whole_run);
  EXPECT_EQ(alone.whole_run->verdict.kind, HistoryVerdictKind::Inconclusive);
  EXPECT_EQ(alone.whole_run->unconfirmed, HistoryVerdictKind::Regression);
  EXPECT_EQ(alone.regressions(), 0);
  EXPECT_EQ(alone.unconfirmed_regressions(), 1);
  const HistoryCheck both = check_runs_against_history(h, {a, b}, options, {}, 2);
  EXPECT_EQ(both.whole_run->verdict.kind, HistoryVerdictKind::Regression);
  EXPECT_EQ(both.whole_run->runs_agreeing, 2u);
  EXPECT_EQ(both.regressions(), 1);
  const HistoryCheck split = check_runs_against_history(h, {a, same}, options, {}, 2);
  EXPECT_EQ(split.whole_run->verdict.kind, HistoryVerdictKind::Inconclusive);
  EXPECT_EQ(split.whole_run->runs_judged, 2u);
  EXPECT_EQ(split.regressions(), 0);
}

RunInput rerun(const History& h, const std::string& id, double scale) {
  RunInput in = new_run_like(h, 2, scale);
  in.run.run_id = id;
  in.run.source = id + ".json";
  return in;
}

// Pinpoint's rerun (analysis/history_confirm.hpp): one run's regression is a suspicion, "run again"; every
// run of the build calling it, at least --confirm of them, is the verdict.
TEST(HistoryConfirm, ARegressionCountsOnlyWhenEveryRunCallsItAndThereAreEnough) {
  const History h = make_history(30, 12, 0.01, 0.0);
  HistoryGateOptions options;
  const RunInput slow_a = rerun(h, "slowA", 1.3), slow_b = rerun(h, "slowB", 1.3), same = rerun(h, "same", 1.0);

  const HistoryCheck alone = check_runs_against_history(h, {slow_a}, options, {}, 2);
  EXPECT_EQ(alone.regressions(), 0);
  EXPECT_EQ(alone.unconfirmed_regressions(), 1);
  EXPECT_EQ(alone.records[2].verdict.kind, HistoryVerdictKind::Inconclusive);
  EXPECT_EQ(alone.records[2].unconfirmed, HistoryVerdictKind::Regression);
  EXPECT_NE(format_history_check(slow_a, alone, options).find("not confirmed by 2 runs"), std::string::npos);

  const HistoryCheck both = check_runs_against_history(h, {slow_a, slow_b}, options, {}, 2);
  EXPECT_EQ(both.regressions(), 1);
  EXPECT_EQ(both.records[2].runs_agreeing, 2u);
  EXPECT_EQ(both.records[0].verdict.kind, HistoryVerdictKind::NoChange);
  const nlohmann::json doc = history_check_to_json(slow_b, both, options);
  EXPECT_EQ(doc["runs_checked"].size(), 2u);
  EXPECT_EQ(doc["records"][2]["verdict"], "regression");
  EXPECT_TRUE(doc["records"][2]["unconfirmed"].is_null());

  for (const auto& runs : {std::vector<RunInput>{slow_a, same}, std::vector<RunInput>{same, slow_a}}) {
    const HistoryCheck split = check_runs_against_history(h, runs, options, {}, 2);
    EXPECT_EQ(split.regressions(), 0) << runs.back().run.run_id;
    EXPECT_EQ(split.records[2].verdict.kind, HistoryVerdictKind::Inconclusive) << runs.back().run.run_id;
    EXPECT_EQ(split.records[2].runs_agreeing, 1u);
    EXPECT_EQ(split.records[2].runs_judged, 2u);
  }
  // --confirm 1: one run decides, as before confirmation.
  EXPECT_EQ(check_runs_against_history(h, {slow_a}, options, {}, 1).regressions(), 1);
}

// A record whose own run questions its figure (extra context switches where its op implies none) is not
// called on one run's word, even at --confirm 1; two runs calling it are a verdict; where the series carries
// the same warning on most of its points, it is the series' usual state and one run decides as before.
TEST(HistoryConfirm, AFigureItsRunQuestionsNeedsTwoRunsUnlessItsSeriesIsQuestionedToo) {
  const nlohmann::json denominator = nlohmann::json::array({{{"kind", "denominator"}, {"text", "t"}}});
  const auto flagged = [&](RunInput in) {
    in.records[2].warnings = denominator;
    return in;
  };
  const History h = make_history(30, 12, 0.01, 0.0);
  HistoryGateOptions options;
  const RunInput slow_a = flagged(rerun(h, "slowA", 1.3)), slow_b = flagged(rerun(h, "slowB", 1.3));

  const HistoryCheck alone = check_runs_against_history(h, {slow_a}, options, {}, 1);
  EXPECT_EQ(alone.regressions(), 0);
  EXPECT_EQ(alone.unconfirmed_regressions(), 1);
  EXPECT_EQ(alone.records[2].unusual_warnings, std::vector<std::string>{"denominator"});
  EXPECT_EQ(alone.records[2].unconfirmed, HistoryVerdictKind::Regression);
  EXPECT_TRUE(alone.records[0].unusual_warnings.empty());
  const std::string table = format_history_check(slow_a, alone, options);
  EXPECT_NE(table.find("[its run questions the figure: denominator]"), std::string::npos) << table;
  EXPECT_NE(table.find("1 regression not confirmed by 2 runs"), std::string::npos) << table;
  const nlohmann::json doc = history_check_to_json(slow_a, alone, options);
  EXPECT_EQ(doc["records"][2]["unusual_warnings"], nlohmann::json::array({"denominator"}));
  EXPECT_EQ(doc["records"][2]["verdict"], "inconclusive");
  EXPECT_EQ(doc["records"][0]["unusual_warnings"], nlohmann::json::array());

  EXPECT_EQ(check_runs_against_history(h, {slow_a, slow_b}, options, {}, 1).regressions(), 1);

  History questioned = h;
  for (std::size_t i = 0; i < questioned.series[2].points.size(); i += 3)
    for (std::size_t k = i; k < i + 2 && k < questioned.series[2].points.size(); ++k)
      questioned.series[2].points[k].figure_warnings = {"denominator"};
  const HistoryCheck usual = check_runs_against_history(questioned, {slow_a}, options, {}, 1);
  EXPECT_TRUE(usual.records[2].unusual_warnings.empty());
  EXPECT_EQ(usual.regressions(), 1);
}

// A rerun already added to the store is not the history of the runs checked with it.
TEST(HistoryConfirm, TheRunsCheckedTogetherAreLeftOutOfTheirHistory) {
  History h = make_history(30, 12, 0.01, 0.0);
  const RunInput slow_a = rerun(h, "slowA", 1.3), slow_b = rerun(h, "slowB", 1.3);
  HistoryRun added = h.runs.back();
  added.run_id = "slowB";
  added.start_time = "2026-12-31T00:00:00Z";
  h.runs.push_back(added);
  for (std::size_t s = 0; s < h.series.size(); ++s)
    h.series[s].points.push_back(point(h.runs.size() - 1, *slow_b.records[s].p50));
  // slowB is stored; slowA, the newest, is judged against the 30 runs before them both.
  const HistoryCheck both = check_runs_against_history(h, {slow_b, slow_a}, HistoryGateOptions{}, {}, 2);
  EXPECT_EQ(both.history_runs, 30u);
  EXPECT_EQ(both.regressions(), 1);
}

}  // namespace
