// Run correction (analysis/run_correction.hpp): a factor multiplied into every record of a run is found
// again, missing values do not disturb it, and dividing it out makes a small step visible.
#include "analysis/run_correction.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "analysis/change_points.hpp"
#include "tests/synthetic_series.hpp"

namespace ctxbench {
namespace {

using Table = std::vector<std::vector<std::optional<double>>>;
using testing::SeededNoise;

// runs x series: level of series s (100 ... 5000 ns) x the run's factor x +-own noise.
Table table_of(const std::vector<double>& factors, std::size_t series, double own, std::uint64_t seed) {
  SeededNoise noise(seed);
  Table t;
  for (double f : factors) {
    std::vector<std::optional<double>> row;
    for (std::size_t s = 0; s < series; ++s)
      row.push_back((100 + 100.0 * static_cast<double>(s)) * f * noise.factor(own));
    t.push_back(row);
  }
  return t;
}

TEST(RunCorrection, LiteralTableGivesExactFactors) {
  // Series medians 100, 200, 50; run 2 is 10% slower in every record, run 3 10% faster.
  const Table t = {{100, 200, 50}, {110, 220, 55}, {90, 180, 45}};
  const std::vector<double> f = run_factors(t, 3);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_NEAR(f[0], 1.0, 1e-12);
  EXPECT_NEAR(f[1], 1.1, 1e-12);
  EXPECT_NEAR(f[2], 0.9, 1e-12);
  // With fewer usable records than min_records a run keeps 1.0.
  EXPECT_EQ(run_factors(t, 4), (std::vector<double>{1.0, 1.0, 1.0}));
}

TEST(RunCorrection, MissingAndBadValuesAreSkipped) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Run 1 lacks series 0, has a NaN and a zero; its one usable value (series 1, 220 against a median of
  // 200) gives 1.1 with min_records 1. Series 3 has one usable value (run 0's 7): no median, no part.
  const Table t = {{100, 200, 50, 7}, {std::nullopt, 220, nan, 0.0}, {100, 200, 50}};
  const std::vector<double> f = run_factors(t, 1);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_NEAR(f[0], 1.0, 1e-12);
  EXPECT_NEAR(f[1], 1.1, 1e-12);
  EXPECT_NEAR(f[2], 1.0, 1e-12);
  // Had series 3 taken part, run 0's ratios would be 1, 1, 1, 1 still; give it a second value far off and
  // it still cannot move a median of three other ratios at 1.
  EXPECT_NEAR(run_factors({{100, 200, 50, 7}, {std::nullopt, 220, nan, 70}, {100, 200, 50}}, 1)[0], 1.0, 1e-12);
  EXPECT_EQ(run_factors({}, 1), std::vector<double>{});
}

TEST(RunCorrection, RecoversAKnownPerRunFactor) {
  // 31 runs whose factors have median 1 (two speed levels and a drift), 60 series with +-5% noise of their
  // own: each run's factor comes back within 2% (the median of 60 noises of sd 0.026 has sd ~0.004).
  std::vector<double> known;
  for (int r = 0; r < 31; ++r) known.push_back((r % 3 == 0 ? 1.35 : 1.0) * (0.9 + 0.2 * r / 30.0));
  const Table t = table_of(known, 60, 0.05, 5);
  const std::vector<double> f = run_factors(t);
  ASSERT_EQ(f.size(), known.size());
  // The factors are relative to the series' medians, i.e. to the median run: compare their ratios.
  std::vector<double> ratio;
  for (std::size_t r = 0; r < f.size(); ++r) ratio.push_back(f[r] / known[r]);
  for (std::size_t r = 0; r < f.size(); ++r) EXPECT_NEAR(ratio[r] / ratio[0], 1.0, 0.02) << "run " << r;
  // Most of each series' run-to-run variance was the run's: sd of ln(known) ~0.16 against 0.026 own.
  const double shared = shared_variance_fraction(t, f);
  EXPECT_GT(shared, 0.9);
  EXPECT_LE(shared, 1.0);
}

TEST(RunCorrection, RobustToMissingRecords) {
  std::vector<double> known;
  for (int r = 0; r < 31; ++r) known.push_back(r % 2 == 0 ? 1.3 : 1.0);
  Table t = table_of(known, 60, 0.05, 6);
  SeededNoise drop(8);
  for (auto& row : t)
    for (auto& v : row)
      if (drop.uniform() < 0.3) v.reset();  // 30% of the records missing, at random
  const std::vector<double> f = run_factors(t);
  for (std::size_t r = 0; r < f.size(); ++r)
    EXPECT_NEAR(f[r] / f[1], known[r], 0.03) << "run " << r;  // run 1 has factor 1.0
}

TEST(RunCorrection, NothingSharedNothingTakenOut) {
  // Every run at factor 1: what remains is each series' own noise, and the correction removes none of it.
  const Table t = table_of(std::vector<double>(30, 1.0), 60, 0.10, 9);
  const std::vector<double> f = run_factors(t);
  for (double x : f) EXPECT_NEAR(x, 1.0, 0.02);
  EXPECT_NEAR(shared_variance_fraction(t, f), 0.0, 0.1);
  // Factors of 1 exactly: corrected and raw are the same, the fraction is 0 exactly.
  EXPECT_DOUBLE_EQ(shared_variance_fraction(t, std::vector<double>(30, 1.0)), 0.0);
  // No series with min_runs values: 0.
  EXPECT_DOUBLE_EQ(shared_variance_fraction(t, f, 31), 0.0);
}

TEST(RunCorrection, MakesATenPercentStepVisibleUnderSharedNoise) {
  // 60 runs, 40 series; every run moves by a shared factor of +-30% (the host's speed), each value +-3%
  // of its own. Series 0 becomes 10% slower from run 30 on. Raw, the shared noise hides the step; divided
  // by the run factors, the series is quiet enough to show it at the right run.
  SeededNoise shared(12);
  std::vector<double> known;
  for (int r = 0; r < 60; ++r) known.push_back(shared.factor(0.30));
  Table t = table_of(known, 40, 0.03, 13);
  for (std::size_t r = 30; r < t.size(); ++r) *t[r][0] *= 1.10;
  std::vector<double> raw, corrected;
  const std::vector<double> f = run_factors(t);
  for (std::size_t r = 0; r < t.size(); ++r) {
    raw.push_back(*t[r][0]);
    corrected.push_back(*t[r][0] / f[r]);
  }
  EXPECT_TRUE(find_change_points(raw, {}).empty());
  const std::vector<ChangePoint> cps = find_change_points(corrected, {});
  ASSERT_EQ(cps.size(), 1u);
  EXPECT_EQ(cps[0].index, 30u);
  EXPECT_NEAR(cps[0].ratio(), 1.10, 0.03);
}

}  // namespace
}  // namespace ctxbench
