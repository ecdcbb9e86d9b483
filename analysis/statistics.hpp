// Descriptive statistics (docs/METHODOLOGY.md, "Estimator") as free functions over samples (ns per op).
// Pure: no I/O, no syscalls. Every function accepts any order of input and never returns NaN/Inf for a
// non-empty input of finite values; callers check `n` before using a Summary of an empty input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ctxbench {

// Linear-interpolated quantile (type 7, as numpy's default) of already sorted data, q in [0, 1].
double quantile_sorted(std::span<const double> sorted, double q);
double median(std::span<const double> samples);
double mean(std::span<const double> samples);
// Sample standard deviation (n-1 denominator); 0 for n < 2.
double stddev(std::span<const double> samples);
// Median absolute deviation, unscaled (median of |x - median|).
double mad(std::span<const double> samples);
// The samples with every value farther than `robust_sds` scaled MADs (1.4826 * MAD) from the median pulled
// in to that distance (winsorized), in their order; unchanged when MAD is 0.
std::vector<double> winsorized(std::span<const double> samples, double robust_sds);

struct Interval {
  double low = 0;
  double high = 0;
};
// Distribution-free 95% confidence interval of the median from order statistics (binomial, normal
// approximation for large n; for n < 6 the interval is [min, max]).
Interval median_ci95(std::span<const double> samples);

struct Summary {
  std::size_t n = 0;
  double min = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  double mean = 0, stddev = 0, mad = 0;
  double cv = 0;  // stddev / |mean|, 0 when mean == 0
  Interval median_ci;
  // Samples farther than 3 scaled MADs (1.4826 * MAD) from the median. When MAD == 0 (over half the
  // samples equal) the scale is 1.2533 * mean absolute deviation instead; 0 when all samples are equal.
  std::size_t outliers_low = 0, outliers_high = 0;
};
Summary summarize(std::span<const double> samples);

// Log-linear histogram (HdrHistogram-like): each power-of-two range [2^k, 2^(k+1)) split into
// `sub_buckets` equal-width buckets. Only non-empty buckets are returned, ascending. Values <= 0 fall
// into a single bucket [0, smallest positive lower bound).
struct HistogramBucket {
  double low = 0;   // inclusive
  double high = 0;  // exclusive
  std::uint64_t count = 0;
};
std::vector<HistogramBucket> log_linear_histogram(std::span<const double> samples, int sub_buckets = 8);

}  // namespace ctxbench
