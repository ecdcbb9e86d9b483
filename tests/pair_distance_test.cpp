// Judging a cross-CPU record on its repetitions at the usual CPU distance (analysis/pair_distance.hpp): the
// split of one record's repetitions and the series' points (the near state of docs/METHODOLOGY.md, "The two
// CPUs' distance, per record": its repetitions read x0.62-0.89 of the others). A series' points and `history
// check`'s verdict: tests/history_analysis_test.cpp.
#include "analysis/pair_distance.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace ctxbench;

const PairReadings kFar{400.0, 410.0};
const PairReadings kNear{90.0, 120.0};

TEST(PairDistance, ARepetitionIsAtAnotherDistanceOnlyWhenBothReadingsAre) {
  EXPECT_EQ(classify_pair(kFar, 405), PairDistance::Usual);
  EXPECT_EQ(classify_pair(kNear, 405), PairDistance::Nearer);
  EXPECT_EQ(classify_pair({700.0, 650.0}, 405), PairDistance::Farther);
  // The state changed during the repetition, or one reading is missing: it cannot be told, it is kept.
  EXPECT_EQ(classify_pair({400.0, 100.0}, 405), PairDistance::Unknown);
  EXPECT_EQ(classify_pair({std::nullopt, 100.0}, 405), PairDistance::Unknown);
  EXPECT_EQ(classify_pair({100.0, 90.0}, 0), PairDistance::Unknown);
  // A little off is the usual state's own spread (x1.3 here: 359-515 ns around ~410).
  EXPECT_EQ(classify_pair({300.0, 520.0}, 405), PairDistance::Usual);
}

TEST(PairDistance, TheUsualReadingIsTheMedianOfEveryReading) {
  const std::vector<PairReadings> a = {kFar, kFar, kNear}, b = {{std::nullopt, 500.0}};
  EXPECT_DOUBLE_EQ(*usual_pair_round_trip({&a, &b}), 400.0);  // 90 120 400 [400] 410 410 500
  const std::vector<PairReadings> none = {{std::nullopt, std::nullopt}};
  EXPECT_FALSE(usual_pair_round_trip({&none}));
  EXPECT_FALSE(usual_pair_round_trip({}));
}

TEST(PairDistance, NearRepetitionsAreLeftOutAndTheP50ScaledToTheRest) {
  const std::vector<double> medians = {1000, 700, 1010, 690, 990};
  const std::vector<PairReadings> pairs = {kFar, kNear, kFar, kNear, kFar};
  const UsualRepetitions u = usual_repetitions(medians, pairs, 405.0);
  EXPECT_EQ(u.of, 5u);
  EXPECT_EQ(u.nearer, 2u);
  EXPECT_EQ(u.farther, 0u);
  EXPECT_EQ(u.medians, (std::vector<double>{1000, 1010, 990}));
  // p50 x median(kept) / median(all) = 980 x 1000 / 990.
  EXPECT_NEAR(*usual_distance_p50(980, medians, u), 980.0 * 1000 / 990, 1e-9);
  // Nothing left out: the stored p50 exactly.
  const UsualRepetitions all_far = usual_repetitions(medians, std::vector<PairReadings>(5, kFar), 405.0);
  EXPECT_EQ(all_far.left_out(), 0u);
  EXPECT_EQ(*usual_distance_p50(980, medians, all_far), 980.0);
  // Every repetition near: nothing to judge.
  EXPECT_FALSE(
      usual_distance_p50(980, medians, usual_repetitions(medians, std::vector<PairReadings>(5, kNear), 405.0)));
  // Readings that do not align with the repetitions, or no usual reading: everything kept.
  EXPECT_EQ(usual_repetitions(medians, {kNear}, 405.0).medians.size(), 5u);
  EXPECT_EQ(usual_repetitions(medians, pairs, std::nullopt).left_out(), 0u);
}

}  // namespace
