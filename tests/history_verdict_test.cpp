// The history gate (analysis/history_verdict.hpp): each of the four verdicts from literal histories, with
// the p-values and detectable changes worked out from Student's t (closed forms for integer degrees of
// freedom, Abramowitz & Stegun 26.7.4).
#include "analysis/history_verdict.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace ctxbench {
namespace {

using V = std::vector<double>;

// n points alternating 100 e^-w and 100 e^+w: logs with mean ln 100 and sd w sqrt(n / (n - 1)); median
// 100 cosh(w).
V alternating(std::size_t n, double w) {
  V out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(100 * std::exp(i % 2 ? w : -w));
  return out;
}

// Quiet history: 20 points at +-1%. Prediction scale 0.01 sqrt(20/19) sqrt(1.05) = 0.0105131; t(0.001, 19)
// = 3.883406; a new point must be exp(3.883406 x 0.0105131) - 1 = 4.167% away to be significant.
const V kQuiet = alternating(20, 0.01);
constexpr double kQuietDetectable = 0.041671700430395246;
const double kQuietMedian = 100 * std::cosh(0.01);

TEST(HistoryVerdict, Keys) {
  EXPECT_STREQ(history_verdict_key(HistoryVerdictKind::Regression), "regression");
  EXPECT_STREQ(history_verdict_key(HistoryVerdictKind::Improvement), "improvement");
  EXPECT_STREQ(history_verdict_key(HistoryVerdictKind::NoChange), "no_change");
  EXPECT_STREQ(history_verdict_key(HistoryVerdictKind::Inconclusive), "inconclusive");
}

TEST(HistoryVerdict, Regression) {
  const HistoryVerdict v = judge_against_history(kQuiet, {119, 120, 121}, {});
  EXPECT_EQ(v.kind, HistoryVerdictKind::Regression);
  EXPECT_DOUBLE_EQ(v.ratio, 120 / kQuietMedian);  // the new run's median repetition, one point
  EXPECT_NEAR(v.p_value, 4.18e-13, 0.01e-13);     // t = ln(1.2) / 0.0105131 = 17.34 on 19 df
  EXPECT_NEAR(v.detectable_change, kQuietDetectable, 1e-9);
  EXPECT_EQ(v.history_points, 20u);
  // Just beyond the 5% threshold and significant (t = 4.73, p = 0.000145).
  const HistoryVerdict edge = judge_against_history(kQuiet, {105.1}, {});
  EXPECT_EQ(edge.kind, HistoryVerdictKind::Regression);
  EXPECT_NEAR(edge.p_value, 0.0001452548868803305, 1e-10);
}

TEST(HistoryVerdict, Improvement) {
  const HistoryVerdict v = judge_against_history(kQuiet, {80}, {});
  EXPECT_EQ(v.kind, HistoryVerdictKind::Improvement);
  EXPECT_NEAR(v.ratio, 0.8, 1e-4);
  EXPECT_LT(v.p_value, 1e-12);
}

TEST(HistoryVerdict, NoChange) {
  // +1%: t = 0.946, p = 0.356; the history could have shown a 4.2% step, below the 5% threshold.
  const HistoryVerdict v = judge_against_history(kQuiet, {101}, {});
  EXPECT_EQ(v.kind, HistoryVerdictKind::NoChange);
  EXPECT_NEAR(v.p_value, 0.35579393196461095, 1e-10);
  EXPECT_NEAR(v.detectable_change, kQuietDetectable, 1e-9);
  // +4.5%: significant (t = 4.19, p = 0.0005) but inside the threshold: no change, not a regression.
  const HistoryVerdict small = judge_against_history(kQuiet, {104.5}, {});
  EXPECT_EQ(small.kind, HistoryVerdictKind::NoChange);
  EXPECT_NEAR(small.p_value, 0.0005001076113773095, 1e-10);
  // A stricter threshold makes the same run a regression.
  HistoryGateOptions three;
  three.threshold = 0.03;
  EXPECT_EQ(judge_against_history(kQuiet, {104.5}, three).kind, HistoryVerdictKind::Regression);
}

TEST(HistoryVerdict, DetectableChangeIsTheSignificanceEdge) {
  // A new point exactly detectable_change above the history's geometric mean sits at p = max_p.
  const double at_edge = 100 * (1 + kQuietDetectable);
  EXPECT_NEAR(judge_against_history(kQuiet, {at_edge}, {}).p_value, 0.001, 1e-9);
}

TEST(HistoryVerdict, InconclusiveWhenTooShort) {
  const V five(kQuiet.begin(), kQuiet.begin() + 5);
  const HistoryVerdict v = judge_against_history(five, {150}, {});
  EXPECT_EQ(v.kind, HistoryVerdictKind::Inconclusive);
  EXPECT_EQ(v.history_points, 5u);
  EXPECT_NE(v.reason.find("fewer than 6"), std::string::npos) << v.reason;
  EXPECT_EQ(judge_against_history({}, {100}, {}).kind, HistoryVerdictKind::Inconclusive);
  EXPECT_EQ(judge_against_history(kQuiet, {}, {}).kind, HistoryVerdictKind::Inconclusive);
  EXPECT_EQ(judge_against_history(kQuiet, {0.0, NAN}, {}).kind, HistoryVerdictKind::Inconclusive);
  // min_history 5 makes the same five points enough: +50% against +-1% is a regression.
  HistoryGateOptions five_enough;
  five_enough.min_history = 5;
  EXPECT_EQ(judge_against_history(five, {150}, five_enough).kind, HistoryVerdictKind::Regression);
}

TEST(HistoryVerdict, InconclusiveWhenTooNoisy) {
  // 20 points at +-15%: scale 0.15 sqrt(20/19) sqrt(1.05) = 0.15770; a step must be
  // exp(3.883406 x 0.15770) - 1 = 84.6% to show. +3% and +50% cannot be told from this noise.
  const V noisy = alternating(20, 0.15);
  const HistoryVerdict v = judge_against_history(noisy, {103}, {});
  EXPECT_EQ(v.kind, HistoryVerdictKind::Inconclusive);
  EXPECT_NEAR(v.detectable_change, std::expm1(3.883405852592026 * 0.15 * std::sqrt(20.0 / 19 * 1.05)), 1e-8);
  EXPECT_NE(v.reason.find("run again"), std::string::npos) << v.reason;
  EXPECT_EQ(judge_against_history(noisy, {150}, {}).kind, HistoryVerdictKind::Inconclusive);
  // x3 is beyond even that noise (t = 6.97).
  EXPECT_EQ(judge_against_history(noisy, {300}, {}).kind, HistoryVerdictKind::Regression);
}

TEST(HistoryVerdict, OnlyTheLastWindowCounts) {
  // 20 noisy points, then the quiet 20: a window of 20 sees only the quiet ones.
  V history = alternating(20, 0.15);
  history.insert(history.end(), kQuiet.begin(), kQuiet.end());
  HistoryGateOptions twenty;
  twenty.window = 20;
  const HistoryVerdict v = judge_against_history(history, {101}, twenty);
  EXPECT_EQ(v.history_points, 20u);
  EXPECT_NEAR(v.detectable_change, kQuietDetectable, 1e-9);
  EXPECT_EQ(v.kind, HistoryVerdictKind::NoChange);
  HistoryGateOptions all;
  all.window = 40;
  EXPECT_EQ(judge_against_history(history, {101}, all).kind, HistoryVerdictKind::Inconclusive);
}

TEST(HistoryVerdict, OneDisturbedPastRunDoesNotHideSteps) {
  // The quiet history with one run 3x slower: taken as is, its spread (sd of the logs ~0.25) would make
  // every verdict inconclusive. Winsorized at 6 robust sd (6 x 1.4826 x 0.01 = 0.088956 above the median
  // of the logs) it is one run at +9.3%: mean of the logs 0.0039478 above ln 100, sd 0.022363, and the
  // history tells a step of exp(3.883406 x 0.022363 x sqrt(1.05)) - 1 = 9.31% apart.
  V history = kQuiet;
  history[7] *= 3;
  HistoryGateOptions ten;
  ten.threshold = 0.10;
  const HistoryVerdict v = judge_against_history(history, {112}, ten);
  EXPECT_EQ(v.kind, HistoryVerdictKind::Regression) << v.reason;
  EXPECT_NEAR(v.detectable_change, 0.0931, 0.001);
  EXPECT_EQ(judge_against_history(history, {101}, ten).kind, HistoryVerdictKind::NoChange);
}

TEST(HistoryVerdict, SpreadFreeHistory) {
  // Every past run at 100: any other value is told apart (p = 0), so the threshold alone decides.
  const V flat(10, 100.0);
  EXPECT_EQ(judge_against_history(flat, {100}, {}).kind, HistoryVerdictKind::NoChange);
  EXPECT_EQ(judge_against_history(flat, {103}, {}).kind, HistoryVerdictKind::NoChange);
  EXPECT_EQ(judge_against_history(flat, {106}, {}).kind, HistoryVerdictKind::Regression);
  EXPECT_LT(judge_against_history(flat, {100}, {}).detectable_change, 1e-12);  // 0 but for rounding
}

}  // namespace
}  // namespace ctxbench
