// Basket correction (analysis/basket_correction.hpp): each series is corrected by the records that move with
// it. Synthetic tables with two groups of records, each group sharing its own run-to-run speed (as cross-cpu
// and same-cpu records do), on top of a run-wide speed: the basket takes out what the group shares, which
// the run-wide factor cannot, so a small step in one record becomes visible; a step of the whole group is
// taken out (the run-wide and raw judgements are there for it); a lone outlier in one member barely moves it.
#include "analysis/basket_correction.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "analysis/change_points.hpp"
#include "analysis/run_correction.hpp"
#include "analysis/statistics.hpp"
#include "tests/synthetic_series.hpp"

namespace ctxbench {
namespace {

using Table = std::vector<std::vector<std::optional<double>>>;
using testing::SeededNoise;

constexpr std::size_t kRuns = 30, kPerGroup = 10;

// Series 0..9 in group A, 10..19 in group B. Value = level x run-wide speed (+-10%) x the group's speed
// (+-25%) x own noise (+-2%); `step` multiplies the series in `stepped` (or the whole of group A when it
// holds kWholeGroupA) from run `at` on.
constexpr std::size_t kWholeGroupA = 1000;

// Steps of 5% or more: at p <= 0.001 a shift of 1-2% in +-2% noise can pass the test alone (as in
// tests/history_analysis_test.cpp); these tests are about steps of 10% and more.
ChangePointOptions five_percent() {
  ChangePointOptions o;
  o.min_magnitude = 0.05;
  return o;
}
Table grouped(std::uint64_t seed, std::vector<std::size_t> stepped = {}, double step = 1.0, std::size_t at = kRuns) {
  SeededNoise noise(seed);
  Table t;
  for (std::size_t r = 0; r < kRuns; ++r) {
    const double run = noise.factor(0.10), group_a = noise.factor(0.25), group_b = noise.factor(0.25);
    std::vector<std::optional<double>> row;
    for (std::size_t s = 0; s < 2 * kPerGroup; ++s) {
      double v = (500 + 50.0 * static_cast<double>(s)) * run * (s < kPerGroup ? group_a : group_b) * noise.factor(0.02);
      const bool in = std::find(stepped.begin(), stepped.end(), s) != stepped.end();
      if (r >= at && (in || (stepped == std::vector<std::size_t>{kWholeGroupA} && s < kPerGroup))) v *= step;
      row.push_back(v);
    }
    t.push_back(row);
  }
  return t;
}

std::vector<double> corrected_column(const Table& t, const std::vector<std::vector<double>>& f, std::size_t s) {
  std::vector<double> out;
  for (std::size_t r = 0; r < t.size(); ++r) out.push_back(*t[r][s] / f[r][s]);
  return out;
}

std::vector<double> log_sd_per_series(const Table& t, const std::vector<std::vector<double>>& f) {
  std::vector<double> sds;
  for (std::size_t s = 0; s < t[0].size(); ++s) {
    std::vector<double> logs;
    for (double v : corrected_column(t, f, s)) logs.push_back(std::log(v));
    sds.push_back(stddev(logs));
  }
  return sds;
}

std::vector<std::vector<double>> run_wide_as_table(const std::vector<double>& factors, std::size_t series) {
  std::vector<std::vector<double>> out;
  for (double f : factors) out.push_back(std::vector<double>(series, f));
  return out;
}

TEST(BasketCorrection, TakesOutWhatTheGroupSharesWhichTheRunWideFactorCannot) {
  const Table t = grouped(7);
  const std::vector<double> run = run_factors(t);
  const auto basket = basket_factors(t, run);
  const std::vector<double> by_run = log_sd_per_series(t, run_wide_as_table(run, 20));
  const std::vector<double> by_basket = log_sd_per_series(t, basket);
  // Own noise is +-2% (sd ~0.01 in logs); the group's +-25% (sd ~0.11) stays in under the run-wide factor.
  EXPECT_GT(median(by_run), 0.07);
  EXPECT_LT(median(by_basket), 0.025);
  for (double sd : by_basket) EXPECT_LT(sd, 0.035);
}

TEST(BasketCorrection, ATenPercentStepInOneRecordIsFoundOnlyAfterTheBasketCorrection) {
  const Table t = grouped(11, {3}, 1.10, 18);
  const std::vector<double> run = run_factors(t);
  const auto basket = basket_factors(t, run);
  std::vector<double> raw;
  for (const auto& row : t) raw.push_back(*row[3]);
  EXPECT_TRUE(find_change_points(raw, {}).empty());
  const std::vector<ChangePoint> found = find_change_points(corrected_column(t, basket, 3), five_percent());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 18u);
  EXPECT_NEAR(found[0].ratio(), 1.10, 0.03);
  // The other records of its group stay quiet: the stepped one is one basket member of four, the median.
  for (std::size_t s = 0; s < 2 * kPerGroup; ++s)
    if (s != 3) {
      EXPECT_TRUE(find_change_points(corrected_column(t, basket, s), five_percent()).empty()) << "series " << s;
    }
}

TEST(BasketCorrection, AStepOfTheWholeGroupIsTakenOutOfTheBasketButStaysRaw) {
  const Table t = grouped(13, {kWholeGroupA}, 1.3, 15);
  const auto basket = basket_factors(t, run_factors(t));
  EXPECT_TRUE(find_change_points(corrected_column(t, basket, 2), {}).empty());
  std::vector<double> raw;
  for (const auto& row : t) raw.push_back(*row[2]);
  const std::vector<ChangePoint> in_raw = find_change_points(raw, {});
  ASSERT_FALSE(in_raw.empty());
  EXPECT_NEAR(static_cast<double>(in_raw[0].index), 15.0, 1.0);
}

TEST(BasketCorrection, TheSecondPassKeepsStepsOfSeveralMembersFromLeakingIntoTheOthers) {
  // Three records of group A step by 10%: one pass gives many of the other seven a stepped basket member
  // or two, which the second pass (members centred on their own segments) no longer passes on.
  const std::vector<std::size_t> stepped = {1, 4, 7};
  const Table t = grouped(23, stepped, 1.10, 15);
  const std::vector<double> run = run_factors(t);
  const auto two = two_pass_basket_factors(t, run, {}, five_percent());
  for (std::size_t s = 0; s < 2 * kPerGroup; ++s) {
    const std::vector<ChangePoint> found = find_change_points(corrected_column(t, two, s), five_percent());
    if (std::find(stepped.begin(), stepped.end(), s) != stepped.end()) {
      ASSERT_EQ(found.size(), 1u) << "series " << s;
      EXPECT_EQ(found[0].index, 15u) << "series " << s;
    } else {
      EXPECT_TRUE(found.empty()) << "series " << s << ": " << found.size() << " change points";
    }
  }
}

TEST(BasketCorrection, ASeriesOfTheSameGroupNeverServesInItsBasket) {
  // Series 0 and 1 are one record and its derived twin (the same values x2): in one group the twin cannot
  // correct a step they share, so the step stays (without groups the twin, correlated 1.0, heads the basket).
  Table t = grouped(29);
  for (std::size_t r = 0; r < kRuns; ++r) {
    if (r >= 15) *t[r][0] *= 1.10;
    t[r][1] = *t[r][0] * 2;
  }
  const std::vector<double> run = run_factors(t);
  std::vector<std::size_t> groups(2 * kPerGroup);
  for (std::size_t s = 0; s < groups.size(); ++s) groups[s] = s;
  groups[1] = 0;
  const std::vector<ChangePoint> found =
      find_change_points(corrected_column(t, basket_factors(t, run, {}, groups), 0), {});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NEAR(found[0].ratio(), 1.10, 0.03);
}

TEST(BasketCorrection, OneWildRunInOneMemberBarelyMovesTheOthers) {
  Table t = grouped(17);
  const auto before = basket_factors(t, run_factors(t));
  *t[9][4] *= 5;  // one disturbed run of one record
  const auto after = basket_factors(t, run_factors(t));
  for (std::size_t s = 0; s < 2 * kPerGroup; ++s)
    if (s != 4) {
      EXPECT_NEAR(after[9][s] / before[9][s], 1.0, 0.03) << "series " << s;
    }
}

TEST(BasketCorrection, FallsBackToTheRunFactorWhereNoBasketCanBeTold) {
  Table t = grouped(19);
  for (std::size_t r = 0; r < 25; ++r) t[r][0].reset();  // five values: under min_runs
  t[3][5].reset();
  const std::vector<double> run = run_factors(t);
  const auto basket = basket_factors(t, run);
  for (std::size_t r = 0; r < kRuns; ++r) EXPECT_DOUBLE_EQ(basket[r][0], run[r]);
  EXPECT_NE(basket[10][5], run[10]);  // series 5 has its basket in every other run
  BasketOptions none;
  none.basket = 0;
  const auto off = basket_factors(t, run, none);
  for (std::size_t r = 0; r < kRuns; ++r)
    for (std::size_t s = 0; s < 2 * kPerGroup; ++s) EXPECT_DOUBLE_EQ(off[r][s], run[r]);
  EXPECT_TRUE(basket_factors({}, {}).empty());
}

}  // namespace
}  // namespace ctxbench
