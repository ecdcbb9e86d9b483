// Literal-input tests of analysis/statistics, in the spirit of Google Benchmark's statistics_gtest.cc.
// Quantile expectations are numpy's default (type 7, linear) worked out by hand: h = q * (n - 1),
// x[floor(h)] + frac(h) * (x[floor(h) + 1] - x[floor(h)]).
#include "analysis/statistics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace ctxbench {
namespace {

using V = std::vector<double>;

void expect_all_finite(const Summary& s) {
  for (double v :
       {s.min, s.p50, s.p90, s.p99, s.p999, s.max, s.mean, s.stddev, s.mad, s.cv, s.median_ci.low, s.median_ci.high}) {
    EXPECT_TRUE(std::isfinite(v)) << v;
  }
}

TEST(Statistics, Mean) {
  EXPECT_DOUBLE_EQ(mean(V{42, 42, 42, 42}), 42.0);
  EXPECT_DOUBLE_EQ(mean(V{1, 2, 3, 4}), 2.5);
  EXPECT_DOUBLE_EQ(mean(V{1, 2, 5, 10, 10, 14}), 7.0);
}

TEST(Statistics, MedianOddAndEvenCounts) {
  EXPECT_DOUBLE_EQ(median(V{1, 2, 3}), 2.0);
  EXPECT_DOUBLE_EQ(median(V{1, 2, 3, 4}), 2.5);
  EXPECT_DOUBLE_EQ(median(V{42, 42, 42, 42}), 42.0);
  EXPECT_DOUBLE_EQ(median(V{9, 1, 5}), 5.0);  // unsorted
  EXPECT_DOUBLE_EQ(median(V{4, 1, 3, 2}), 2.5);
}

TEST(Statistics, StddevAndCv) {
  EXPECT_DOUBLE_EQ(stddev(V{101, 101, 101, 101}), 0.0);
  EXPECT_DOUBLE_EQ(stddev(V{1, 2, 3}), 1.0);
  EXPECT_NEAR(stddev(V{2.5, 2.4, 3.3, 4.2, 5.1}), 1.151086443322134, 1e-12);
  EXPECT_DOUBLE_EQ(summarize(V{1, 2, 3}).cv, 0.5);
  EXPECT_NEAR(summarize(V{2.5, 2.4, 3.3, 4.2, 5.1}).cv, 0.32888184094918121, 1e-12);
  EXPECT_DOUBLE_EQ(stddev(V{7}), 0.0);  // n < 2
}

TEST(Statistics, Mad) {
  // median 5.5; |x - 5.5| = .5 .5 1.5 1.5 2.5 2.5 3.5 3.5 4.5 4.5 -> 2.5
  EXPECT_DOUBLE_EQ(mad(V{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), 2.5);
  EXPECT_DOUBLE_EQ(mad(V{10, 10, 11, 10, 12, 10, 1000}), 0.0);
}

TEST(Statistics, Winsorized) {
  // median 4.5, MAD 2.5: reach 2 x 1.4826 x 2.5 = 7.413, so 100 becomes 11.913 and -50 becomes -2.913.
  const V w = winsorized(V{1, 2, 3, 4, 100, 5, 6, 7, 8, -50}, 2);
  ASSERT_EQ(w.size(), 10u);
  EXPECT_NEAR(w[4], 11.913, 1e-12);
  EXPECT_NEAR(w[9], -2.913, 1e-12);
  EXPECT_EQ((V{w[0], w[1], w[8]}), (V{1, 2, 8}));  // within reach: untouched, in their order
  // MAD 0 (over half the values equal): nothing to measure a reach by, nothing changes.
  EXPECT_EQ(winsorized(V{10, 10, 11, 10, 12, 10, 1000}, 3), (V{10, 10, 11, 10, 12, 10, 1000}));
}

TEST(Statistics, QuantilesMatchNumpyType7) {
  const V s{1, 1, 2, 3, 4, 5, 6, 9};  // sorted {3,1,4,1,5,9,2,6}
  EXPECT_DOUBLE_EQ(quantile_sorted(s, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(s, 0.1), 1.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(s, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(quantile_sorted(s, 0.5), 3.5);
  EXPECT_DOUBLE_EQ(quantile_sorted(s, 0.9), 6.9);
  EXPECT_DOUBLE_EQ(quantile_sorted(s, 0.99), 8.79);
  EXPECT_DOUBLE_EQ(quantile_sorted(s, 0.999), 8.979);
  EXPECT_DOUBLE_EQ(quantile_sorted(s, 1.0), 9.0);

  const V w{15, 20, 35, 40, 50};
  EXPECT_DOUBLE_EQ(quantile_sorted(w, 0.3), 23.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(w, 0.4), 29.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(w, 0.9), 46.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(V{}, 0.5), 0.0);
}

TEST(Statistics, SummaryOfUnsortedInput) {
  const Summary s = summarize(V{3, 1, 4, 1, 5, 9, 2, 6});
  EXPECT_EQ(s.n, 8u);
  EXPECT_DOUBLE_EQ(s.min, 1.0);
  EXPECT_DOUBLE_EQ(s.max, 9.0);
  EXPECT_DOUBLE_EQ(s.p50, 3.5);
  EXPECT_DOUBLE_EQ(s.p90, 6.9);
  EXPECT_DOUBLE_EQ(s.p99, 8.79);
  EXPECT_DOUBLE_EQ(s.p999, 8.979);
  EXPECT_DOUBLE_EQ(s.mean, 31.0 / 8);
  expect_all_finite(s);
}

TEST(Statistics, AllEqualSamples) {
  const Summary s = summarize(V{250, 250, 250, 250, 250, 250});
  EXPECT_EQ(s.n, 6u);
  EXPECT_DOUBLE_EQ(s.p50, 250.0);
  EXPECT_DOUBLE_EQ(s.p999, 250.0);
  EXPECT_DOUBLE_EQ(s.stddev, 0.0);
  EXPECT_DOUBLE_EQ(s.mad, 0.0);
  EXPECT_DOUBLE_EQ(s.cv, 0.0);
  EXPECT_EQ(s.outliers_low, 0u);
  EXPECT_EQ(s.outliers_high, 0u);
  EXPECT_DOUBLE_EQ(s.median_ci.low, 250.0);
  EXPECT_DOUBLE_EQ(s.median_ci.high, 250.0);
}

TEST(Statistics, OneSample) {
  const Summary s = summarize(V{42});
  EXPECT_EQ(s.n, 1u);
  for (double v : {s.min, s.p50, s.p90, s.p99, s.p999, s.max, s.mean, s.median_ci.low, s.median_ci.high}) {
    EXPECT_DOUBLE_EQ(v, 42.0);
  }
  EXPECT_DOUBLE_EQ(s.stddev, 0.0);
  EXPECT_DOUBLE_EQ(s.cv, 0.0);
  EXPECT_EQ(s.outliers_high, 0u);
}

TEST(Statistics, TwoSamples) {
  const Summary s = summarize(V{20, 10});
  EXPECT_DOUBLE_EQ(s.min, 10.0);
  EXPECT_DOUBLE_EQ(s.p50, 15.0);
  EXPECT_DOUBLE_EQ(s.p90, 19.0);
  EXPECT_DOUBLE_EQ(s.max, 20.0);
  EXPECT_DOUBLE_EQ(s.mean, 15.0);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(50.0));
  EXPECT_DOUBLE_EQ(s.mad, 5.0);
  EXPECT_DOUBLE_EQ(s.median_ci.low, 10.0);
  EXPECT_DOUBLE_EQ(s.median_ci.high, 20.0);
  expect_all_finite(s);
}

TEST(Statistics, EmptyInputGivesEmptySummary) {
  const Summary s = summarize(V{});
  EXPECT_EQ(s.n, 0u);
  expect_all_finite(s);
  EXPECT_TRUE(log_linear_histogram(V{}).empty());
  EXPECT_DOUBLE_EQ(mean(V{}), 0.0);
  EXPECT_DOUBLE_EQ(mad(V{}), 0.0);
}

TEST(Statistics, OutliersWhenMadIsZero) {
  // Over half the samples are 10, so MAD is 0; the mean-absolute-deviation scale still flags 1000.
  const Summary s = summarize(V{10, 10, 11, 10, 12, 10, 1000});
  EXPECT_DOUBLE_EQ(s.p50, 10.0);
  EXPECT_EQ(s.outliers_high, 1u);
  EXPECT_EQ(s.outliers_low, 0u);
}

TEST(Statistics, OutliersBothSides) {
  // median 100, MAD 1 -> scaled MAD 1.4826, fence +-4.45
  const Summary s = summarize(V{99, 100, 101, 100, 99, 101, 100, 100, 90, 120, 130});
  EXPECT_DOUBLE_EQ(s.mad, 1.0);
  EXPECT_EQ(s.outliers_low, 1u);
  EXPECT_EQ(s.outliers_high, 2u);
}

TEST(Statistics, MedianCiSmallSamplesIsMinMax) {
  const Interval ci = median_ci95(V{5, 3, 4, 1, 2});
  EXPECT_DOUBLE_EQ(ci.low, 1.0);
  EXPECT_DOUBLE_EQ(ci.high, 5.0);
}

TEST(Statistics, MedianCiExactBinomialRanks) {
  // n = 20: P(B <= 5) = 0.0207 <= 0.025 < P(B <= 6), so the interval is [x(6), x(15)].
  V v(20);
  std::iota(v.begin(), v.end(), 1.0);
  std::reverse(v.begin(), v.end());
  const Interval ci = median_ci95(v);
  EXPECT_DOUBLE_EQ(ci.low, 6.0);
  EXPECT_DOUBLE_EQ(ci.high, 15.0);
}

TEST(Statistics, MedianCiContainsMedianWithinMinMax) {
  for (std::size_t n : {6u, 7u, 50u, 999u, 1001u, 5000u}) {
    V v;
    for (std::size_t i = 0; i < n; ++i) v.push_back(static_cast<double>((i * 7919) % 1013) + 0.5);
    const Summary s = summarize(v);
    EXPECT_LE(s.min, s.median_ci.low) << n;
    EXPECT_LE(s.median_ci.low, s.p50) << n;
    EXPECT_LE(s.p50, s.median_ci.high) << n;
    EXPECT_LE(s.median_ci.high, s.max) << n;
    EXPECT_LT(s.median_ci.low, s.median_ci.high) << n;
  }
}

TEST(Statistics, HugeFiniteValuesStayFinite) {
  for (const V& v : {V{1e308, -1e308, 1e308}, V{1.7e308, 1.7e308, 1e-300}, V{-1e308, 1e308}}) {
    const Summary s = summarize(v);
    expect_all_finite(s);
    EXPECT_GE(s.stddev, 0.0);
  }
  EXPECT_DOUBLE_EQ(mean(V{1e308, 1e308}), 1e308);
}

TEST(Statistics, HistogramCoversAllSamples) {
  const V v{0.5, 1, 1.1, 1.3, 1.7, 3, 3, 100, 1000, 12345.6, 0, -2};
  for (int sub : {1, 8, 10}) {
    const auto buckets = log_linear_histogram(v, sub);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      total += buckets[i].count;
      EXPECT_GT(buckets[i].count, 0u);
      EXPECT_LT(buckets[i].low, buckets[i].high);
      if (i > 0) {
        EXPECT_LE(buckets[i - 1].high, buckets[i].low);
      }
    }
    EXPECT_EQ(total, v.size()) << sub;
    for (double x : v) {
      const auto n = std::count_if(buckets.begin(), buckets.end(),
                                   [x](const HistogramBucket& b) { return b.low <= x && x < b.high; });
      EXPECT_EQ(n, 1) << "value " << x << " sub " << sub;
    }
  }
}

TEST(Statistics, HistogramBucketBounds) {
  const auto b = log_linear_histogram(V{3, 3, 1}, 8);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_DOUBLE_EQ(b[0].low, 1.0);  // [1, 2) in eighths
  EXPECT_DOUBLE_EQ(b[0].high, 1.125);
  EXPECT_EQ(b[0].count, 1u);
  EXPECT_DOUBLE_EQ(b[1].low, 3.0);  // [2, 4) in quarters
  EXPECT_DOUBLE_EQ(b[1].high, 3.25);
  EXPECT_EQ(b[1].count, 2u);
}

TEST(Statistics, HistogramNonPositiveBucket) {
  const auto b = log_linear_histogram(V{0, 0, 4}, 8);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_DOUBLE_EQ(b[0].low, 0.0);
  EXPECT_DOUBLE_EQ(b[0].high, 4.0);
  EXPECT_EQ(b[0].count, 2u);
}

}  // namespace
}  // namespace ctxbench
