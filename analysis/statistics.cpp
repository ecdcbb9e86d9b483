#include "analysis/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <utility>

namespace ctxbench {
namespace {

constexpr double kMax = std::numeric_limits<double>::max();

double clamp_finite(double v) { return std::isnan(v) ? 0.0 : std::clamp(v, -kMax, kMax); }

std::vector<double> sorted_copy(std::span<const double> xs) {
  std::vector<double> v(xs.begin(), xs.end());
  std::sort(v.begin(), v.end());
  return v;
}

// Squares and differences of values beyond ~2^400 overflow; dividing by an exact power of two first keeps
// every intermediate finite without changing ordinary inputs at all (exponent 0 below the threshold).
struct Scaled {
  std::vector<double> v;
  int exp = 0;
};
Scaled rescale(std::span<const double> xs) {
  double big = 0;
  for (double x : xs) big = std::max(big, std::fabs(x));
  Scaled s{std::vector<double>(xs.begin(), xs.end()), 0};
  if (big > 0x1p400) {
    s.exp = std::ilogb(big);
    for (double& x : s.v) x = std::ldexp(x, -s.exp);
  }
  return s;
}
double unscale(double v, int exp) { return clamp_finite(std::ldexp(v, exp)); }

double mean_raw(std::span<const double> xs) {
  double sum = 0;
  for (double x : xs) sum += x;
  return sum / static_cast<double>(xs.size());
}

double stddev_raw(std::span<const double> xs) {
  if (xs.size() < 2) return 0;
  const double m = mean_raw(xs);
  double ss = 0;
  for (double x : xs) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(xs.size() - 1));
}

double mad_raw(std::span<const double> xs) {
  const std::vector<double> s = sorted_copy(xs);
  const double med = quantile_sorted(s, 0.5);
  std::vector<double> dev;
  dev.reserve(s.size());
  for (double x : s) dev.push_back(std::fabs(x - med));
  std::sort(dev.begin(), dev.end());
  return quantile_sorted(dev, 0.5);
}

// Order-statistic ranks (1-based, symmetric: [j, n+1-j]) of a >= 95% interval for the median.
std::size_t median_ci_rank(std::size_t n) {
  if (n > 1000) {  // normal approximation; the exact sum below would underflow 0.5^n
    const double nd = static_cast<double>(n);
    return static_cast<std::size_t>(std::floor((nd - 1.96 * std::sqrt(nd)) / 2));
  }
  // Largest j with P(Binomial(n, 1/2) <= j-1) <= 0.025.
  double pmf = std::pow(0.5, static_cast<double>(n));
  double cdf = 0;
  std::size_t j = 0;
  for (std::size_t i = 0; i < n; ++i) {
    cdf += pmf;
    if (cdf > 0.025) break;
    j = i + 1;
    pmf = pmf * static_cast<double>(n - i) / static_cast<double>(i + 1);
  }
  return j;
}

double bucket_low(int k, int i, int sub) {
  const double base = std::ldexp(1.0, k);
  return base + i * (base / sub);
}

}  // namespace

double quantile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return 0;
  if (!(q > 0)) return sorted.front();  // also catches NaN q
  if (q >= 1) return sorted.back();
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  // std::lerp never overflows for opposite-signed ends and returns a exactly when a == b.
  return std::lerp(sorted[lo], sorted[lo + 1], h - static_cast<double>(lo));
}

double median(std::span<const double> samples) { return quantile_sorted(sorted_copy(samples), 0.5); }

double mean(std::span<const double> samples) {
  if (samples.empty()) return 0;
  const Scaled s = rescale(samples);
  return unscale(mean_raw(s.v), s.exp);
}

double stddev(std::span<const double> samples) {
  if (samples.size() < 2) return 0;
  const Scaled s = rescale(samples);
  return unscale(stddev_raw(s.v), s.exp);
}

double mad(std::span<const double> samples) {
  if (samples.empty()) return 0;
  const Scaled s = rescale(samples);
  return unscale(mad_raw(s.v), s.exp);
}

std::vector<double> winsorized(std::span<const double> samples, double robust_sds) {
  std::vector<double> out(samples.begin(), samples.end());
  const double reach = robust_sds * 1.4826 * mad(samples);
  if (!(reach > 0)) return out;
  const double centre = median(samples);
  for (double& x : out) x = std::clamp(x, centre - reach, centre + reach);
  return out;
}

Interval median_ci95(std::span<const double> samples) {
  if (samples.empty()) return {};
  const std::vector<double> s = sorted_copy(samples);
  const std::size_t n = s.size();
  const std::size_t j = std::clamp<std::size_t>(median_ci_rank(n), 1, (n + 1) / 2);
  return {s[j - 1], s[n - j]};
}

Summary summarize(std::span<const double> samples) {
  Summary r;
  if (samples.empty()) return r;
  const std::vector<double> s = sorted_copy(samples);
  r.n = s.size();
  r.min = s.front();
  r.max = s.back();
  r.p50 = quantile_sorted(s, 0.5);
  r.p90 = quantile_sorted(s, 0.9);
  r.p99 = quantile_sorted(s, 0.99);
  r.p999 = quantile_sorted(s, 0.999);
  r.mean = mean(s);
  r.stddev = stddev(s);
  r.mad = mad(s);
  r.cv = r.mean == 0 ? 0 : clamp_finite(r.stddev / std::fabs(r.mean));
  r.median_ci = median_ci95(s);

  // Modified z-score (Iglewicz & Hoaglin). Timings are often quantised so that over half the samples are
  // equal and MAD is 0; then 1.2533 * mean absolute deviation is the standard stand-in, so a lone
  // 1000 among 10s still counts as an outlier.
  double scale = 1.4826 * r.mad;
  if (scale == 0) {
    double sum = 0;
    for (double x : s) sum += std::fabs(x - r.p50) / static_cast<double>(r.n);
    scale = 1.2533 * sum;
  }
  if (scale > 0 && std::isfinite(scale)) {
    for (double x : s) {
      if (x < r.p50 - 3 * scale) ++r.outliers_low;
      if (x > r.p50 + 3 * scale) ++r.outliers_high;
    }
  }
  return r;
}

std::vector<HistogramBucket> log_linear_histogram(std::span<const double> samples, int sub_buckets) {
  const int sub = std::max(sub_buckets, 1);
  std::map<std::pair<int, int>, std::uint64_t> positive;  // (power of two, sub-bucket) -> count
  std::uint64_t nonpositive = 0;
  double lowest = 0;
  for (double v : samples) {
    if (!std::isfinite(v)) continue;  // no bucket can hold it
    if (v <= 0) {
      ++nonpositive;
      lowest = std::min(lowest, v);
      continue;
    }
    const int k = std::ilogb(v);
    int i = std::clamp(static_cast<int>((v / std::ldexp(1.0, k) - 1) * sub), 0, sub - 1);
    // Rounding can put v one bucket off when sub is not a power of two; settle it against the bounds
    // that are reported, so every sample lies in [low, high) of its bucket.
    while (i > 0 && v < bucket_low(k, i, sub)) --i;
    while (i < sub - 1 && v >= bucket_low(k, i + 1, sub)) ++i;
    ++positive[{k, i}];
  }

  std::vector<HistogramBucket> out;
  if (nonpositive > 0) {
    double high = std::numeric_limits<double>::denorm_min();  // just above 0 when nothing is positive
    if (!positive.empty()) {
      const auto [k, i] = positive.begin()->first;
      high = bucket_low(k, i, sub);
    }
    out.push_back({lowest, high, nonpositive});
  }
  for (const auto& [key, count] : positive) {
    const auto [k, i] = key;
    const double high = i == sub - 1 ? std::ldexp(1.0, k + 1) : bucket_low(k, i + 1, sub);
    out.push_back({bucket_low(k, i, sub), std::min(high, kMax), count});
  }
  return out;
}

}  // namespace ctxbench
