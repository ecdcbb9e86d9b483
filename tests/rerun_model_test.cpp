// The rerun interval (analysis/rerun_model.hpp), its verdicts in compare, and the merge of interleaved
// rounds (src/interleave.hpp), on literal data: every expected figure is worked out by hand here.
#include "analysis/rerun_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "analysis/compare_stats.hpp"
#include "analysis/record.hpp"
#include "analysis/shared_causes.hpp"
#include "src/interleave.hpp"

namespace ctxbench {
namespace {

using V = std::vector<double>;

RerunInputs inputs(const V& reps, double p50, bool unpinned = false, bool bimodal = false) {
  RerunInputs in;
  in.p50 = p50;
  in.repetition_medians = reps;
  in.unpinned = unpinned;
  in.bimodal = bimodal;
  return in;
}

TEST(RerunModel, NothingToSayWithoutTwoPositiveRepetitions) {
  const V one = {100}, with_zero = {100, 0, 101}, negative = {-5, -6};
  EXPECT_FALSE(rerun_interval(inputs(one, 100)));
  EXPECT_FALSE(rerun_interval(inputs(with_zero, 100)));
  EXPECT_FALSE(rerun_interval(inputs(negative, -5.5)));
  const V fine = {100, 101};
  EXPECT_FALSE(rerun_interval(inputs(fine, 0)));  // a derived figure at zero has no ratio
  EXPECT_TRUE(rerun_interval(inputs(fine, 100.5)));
}

TEST(RerunModel, TightPinnedRepetitionsAreStable) {
  // Ten medians at 100 e^-0.01 and 100 e^+0.01: sd of the logs 0.01 sqrt(10/9) = 0.010541;
  // se = 1.9 x 0.010541 / sqrt(10) = 0.006333; t(9) sqrt(2) = 2.262 x 1.41421 = 3.19895;
  // h = 3.19895 x sqrt(0.006333^2 + 0.01^2) = 0.037866, inside the cap 0.01 + 3.19895 x 0.01.
  V reps;
  for (int i = 0; i < 5; ++i) {
    reps.push_back(100 * std::exp(-0.01));
    reps.push_back(100 * std::exp(0.01));
  }
  const auto i = rerun_interval(inputs(reps, 100));
  ASSERT_TRUE(i);
  EXPECT_NEAR(i->high, std::exp(0.037866), 1e-4);
  EXPECT_NEAR(i->low, std::exp(-0.037866), 1e-4);
  EXPECT_NEAR(i->half_width, 0.037866, 1e-4);
  EXPECT_TRUE(is_stable(*i));
  EXPECT_TRUE(i->cause.empty());
  EXPECT_FALSE(unstable_warning(*i));
}

TEST(RerunModel, EachSideIsCappedByTheRepetitionsOwnRange) {
  // Three medians at 100 e^-0.1, 100, 100 e^0.1: h = 6.0854 x sqrt((1.9 x 0.1 / sqrt 3)^2 + 0.01^2) = 0.670,
  // but no rerun's pooled median is expected beyond the slowest repetition plus the floor:
  // 0.1 + t(2) sqrt(2) x 0.01 = 0.1 + 4.303 x 1.41421 x 0.01 = 0.160854.
  const V reps = {100 * std::exp(-0.1), 100, 100 * std::exp(0.1)};
  const auto i = rerun_interval(inputs(reps, 100));
  ASSERT_TRUE(i);
  EXPECT_NEAR(i->high, std::exp(0.160854), 1e-4);
  EXPECT_NEAR(i->low, std::exp(-0.160854), 1e-4);
}

TEST(RerunModel, WiderSpreadFewerRepetitionsAndUnpinnedWiden) {
  const V tight = {100, 101, 99, 100, 102, 98, 100, 101, 99, 100};
  const V loose = {100, 110, 90, 100, 120, 85, 100, 108, 93, 100};
  const V few = {100, 101, 99};
  const auto t = rerun_interval(inputs(tight, 100)), l = rerun_interval(inputs(loose, 100)),
             f = rerun_interval(inputs(few, 100)), u = rerun_interval(inputs(tight, 100, true));
  ASSERT_TRUE(t && l && f && u);
  EXPECT_GT(l->half_width, t->half_width);
  EXPECT_GT(f->half_width, t->half_width);
  EXPECT_GT(u->half_width, t->half_width);
  for (const auto& i : {t, l, f, u}) {
    EXPECT_LE(i->low, 1.0);
    EXPECT_GE(i->high, 1.0);
  }
}

TEST(RerunModel, CausesAreNamedFromTheData) {
  const V two_slow = {100, 101, 99, 100, 160, 100, 101, 99, 165, 100};
  const auto slow = rerun_interval(inputs(two_slow, 100));
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->cause_kind, RerunCause::SlowRepetitions);
  EXPECT_NE(slow->cause.find("2 of 10 repetitions were slow"), std::string::npos) << slow->cause;
  ASSERT_TRUE(unstable_warning(*slow));
  EXPECT_EQ(unstable_warning(*slow)->kind, WarningKind::UnstableEstimate);
  EXPECT_DOUBLE_EQ(*unstable_warning(*slow)->figure, std::exp(slow->half_width) - 1);

  const auto bimodal = rerun_interval(inputs(two_slow, 100, true, true));
  ASSERT_TRUE(bimodal);
  EXPECT_EQ(bimodal->cause_kind, RerunCause::BimodalPlacement);
  EXPECT_NE(unstable_warning(*bimodal)->text.find("--placement"), std::string::npos);

  const V few = {100, 130, 80};
  const auto f = rerun_interval(inputs(few, 100));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->cause_kind, RerunCause::FewRepetitions);
  EXPECT_FALSE(unstable_warning(*f));  // said once per run, not per row

  // Two speed levels, half the repetitions each: nothing of the record's own, the machine moved.
  const V levels = {100, 150, 100, 150, 100, 150, 100, 150, 100, 150};
  const auto m = rerun_interval(inputs(levels, 125));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->cause_kind, RerunCause::MachineSpread);
  EXPECT_FALSE(unstable_warning(*m));

  const std::vector<Warning> run = run_wide_rerun_warnings({*slow, *f, *m, *m}, 3);
  ASSERT_EQ(run.size(), 2u);
  EXPECT_EQ(run[0].kind, WarningKind::TooFewRepetitions);
  EXPECT_DOUBLE_EQ(*run[0].figure, 1);
  EXPECT_NE(run[0].text.find("1 of 4 records"), std::string::npos) << run[0].text;
  EXPECT_EQ(run[1].kind, WarningKind::UnstableMachine);
  EXPECT_NE(run[1].text.find("2 of 4 records"), std::string::npos) << run[1].text;
  EXPECT_FALSE(run[1].remedy.empty());
  // Ten repetitions asked for: a record with fewer capped them itself; more would not help.
  EXPECT_EQ(run_wide_rerun_warnings({*slow, *f, *m, *m}, 10).size(), 1u);
  EXPECT_TRUE(run_wide_rerun_warnings({*slow}, 10).empty());
}

TEST(RerunModel, CombineTakesTheWiderSideOfEach) {
  RerunInterval a, b;
  a.low = 0.9, a.high = 1.2, a.half_width = std::log(1.2 / 0.9) / 2;
  b.low = 0.8, b.high = 1.1, b.half_width = std::log(1.1 / 0.8) / 2;
  const RerunInterval c = combine(a, b);
  EXPECT_DOUBLE_EQ(c.low, 0.8);
  EXPECT_DOUBLE_EQ(c.high, 1.2);
  EXPECT_EQ(rerun_cell(c), "x0.80-1.20");
  EXPECT_EQ(rerun_cell(std::nullopt), "-");
}

ComparisonStats slower_by(double ratio) {
  ComparisonStats s;
  s.verdict = Verdict::Slower;
  s.ratio.ratio = ratio;
  s.ratio.low = ratio * 0.98;
  s.ratio.high = ratio * 1.02;
  return s;
}

TEST(RerunModel, CompareCallsAChangeInsideTheIntervalNoChange) {
  RerunInterval wide;
  wide.low = 0.75, wide.high = 1.3;
  const CompareSettings settings;  // threshold 10%
  ComparisonStats inside = slower_by(1.25);
  apply_rerun_interval(inside, wide, settings);
  EXPECT_EQ(inside.verdict, Verdict::NoChange);
  EXPECT_TRUE(inside.within_rerun);
  EXPECT_FALSE(inside.regression);
  EXPECT_TRUE(inside.threshold_below_rerun);  // 1.10 < 1.3: the gate cannot see 10% here

  ComparisonStats beyond = slower_by(1.4);
  apply_rerun_interval(beyond, wide, settings);
  EXPECT_EQ(beyond.verdict, Verdict::Slower);
  EXPECT_TRUE(beyond.regression);

  RerunInterval narrow;
  narrow.low = 0.97, narrow.high = 1.03;
  ComparisonStats small = slower_by(1.05);
  apply_rerun_interval(small, narrow, settings);
  EXPECT_EQ(small.verdict, Verdict::Slower);  // real, but within the threshold
  EXPECT_FALSE(small.regression);
  EXPECT_FALSE(small.threshold_below_rerun);
}

Record bimodal_record() {
  Record r;
  r.placement.kind = PlacementKind::Unpinned;
  r.bimodal = true;
  RerunInterval i;
  i.low = 0.1, i.high = 1.6, i.cause_kind = RerunCause::BimodalPlacement, i.cause = "bimodal placement";
  r.rerun = i;
  // Texts that start like no kind's text: the rows drop warnings by kind, never by their words.
  r.warnings = {bimodal_warning_of(0.5, 1000, 0.5, 3000), unstable_estimate_warning_of(0.1, 1.6, 1.2, "x"),
                denominator_warning_of(1, 2, 0.1)};
  for (Warning& w : r.warnings) w.text = "reworded";
  return r;
}

TEST(SharedCauses, ACauseOnManyRecordsIsSaidOnceAndLeavesTheRows) {
  std::vector<Record> records(20);  // 20 quiet ok records
  for (int i = 0; i < 3; ++i) records[static_cast<std::size_t>(i)] = bimodal_record();
  const SharedCauses shared = find_shared_causes(records);  // 3 of 20 = 15%
  ASSERT_TRUE(shared.bimodal);
  EXPECT_FALSE(shared.slow_repetitions);
  ASSERT_EQ(shared.run_warnings.size(), 1u);
  EXPECT_EQ(shared.run_warnings[0].kind, WarningKind::BimodalShared);
  EXPECT_NE(shared.run_warnings[0].text.find("3 of 3 unpinned records"), std::string::npos)
      << shared.run_warnings[0].text;
  drop_shared_warnings(records, shared);
  ASSERT_EQ(records[0].warnings.size(), 1u);  // other causes stay
  EXPECT_EQ(records[0].warnings[0].kind, WarningKind::Denominator);
  EXPECT_TRUE(records[0].bimodal);  // so does the data

  std::vector<Record> few(80);  // 2 of 80: their own, said on their rows
  few[0] = bimodal_record();
  few[1] = bimodal_record();
  const SharedCauses none = find_shared_causes(few);
  EXPECT_FALSE(none.bimodal);
  EXPECT_TRUE(none.run_warnings.empty());
  drop_shared_warnings(few, none);
  EXPECT_EQ(few[0].warnings.size(), 3u);
}

ProbeRun round_of(std::uint64_t ops, std::uint64_t voluntary, double seconds) {
  ProbeRun r;
  RepetitionRun rep;
  rep.ops = ops;
  rep.voluntary_switches = voluntary;
  rep.ns_per_op = {1.0};
  r.repetitions.push_back(rep);
  r.wall_seconds = seconds;
  return r;
}

// Rounds only append repetitions, each with its counts; the record divides the sums once.
TEST(Interleave, RoundsAddRepetitionsAndTheRecordDividesTheSummedCounts) {
  ProbeRun total;
  add_round(total, round_of(100, 200, 0.1), true);
  add_round(total, round_of(300, 300, 0.2), false);
  EXPECT_EQ(total.repetitions.size(), 2u);
  EXPECT_EQ(total.repetitions[1].voluntary_switches, 300u);
  EXPECT_NEAR(total.wall_seconds, 0.3, 1e-12);
  ProbeInfo info;
  info.name = "ctxswitch.fake";
  const Record r = make_record(info, total, "");
  ASSERT_TRUE(r.switches_per_op);
  EXPECT_DOUBLE_EQ(*r.switches_per_op, (200.0 + 300.0) / 400);
  EXPECT_DOUBLE_EQ(*r.voluntary_switches_per_op, (200.0 + 300.0) / 400);

  ProbeRun failed;
  failed.status = RunStatus::Failed;
  failed.reason = "timed out";
  add_round(total, std::move(failed), false);
  EXPECT_EQ(total.status, RunStatus::Failed);
  EXPECT_EQ(total.reason, "timed out");
  EXPECT_TRUE(total.repetitions.empty());
}

}  // namespace
}  // namespace ctxbench
