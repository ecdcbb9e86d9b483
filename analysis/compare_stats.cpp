#include "analysis/compare_stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "analysis/statistics.hpp"

namespace ctxbench {
namespace {

// Average ranks (1-based) of a ++ b; also the tie correction term sum(t^3 - t) over tied groups.
struct Ranked {
  double rank_sum_a = 0;
  double tie_term = 0;
  bool ties = false;
};
Ranked rank_a(std::span<const double> a, std::span<const double> b) {
  std::vector<std::pair<double, bool>> all;  // value, belongs to a
  all.reserve(a.size() + b.size());
  for (double x : a) all.emplace_back(x, true);
  for (double x : b) all.emplace_back(x, false);
  std::sort(all.begin(), all.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
  Ranked out;
  std::size_t i = 0;
  while (i < all.size()) {
    std::size_t j = i;
    while (j + 1 < all.size() && all[j + 1].first == all[i].first) ++j;
    const double avg = (static_cast<double>(i + 1) + static_cast<double>(j + 1)) / 2;
    const double t = static_cast<double>(j - i + 1);
    if (t > 1) {
      out.ties = true;
      out.tie_term += t * t * t - t;
    }
    for (std::size_t k = i; k <= j; ++k)
      if (all[k].second) out.rank_sum_a += avg;
    i = j + 1;
  }
  return out;
}

// Number of arrangements giving each U = 0..m*n: the coefficients of the Gaussian binomial
// [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i). Doubles: C(100,50) ~ 1e29 fits.
std::vector<double> u_distribution(std::size_t m, std::size_t n) {
  std::vector<double> poly(m * n + 1, 0.0);
  poly[0] = 1;
  std::size_t degree = 0;
  for (std::size_t i = 1; i <= m; ++i) {
    // multiply by (1 - q^(n+i))
    const std::size_t shift = n + i;
    degree += shift;
    std::vector<double> next(poly.size(), 0.0);
    for (std::size_t k = 0; k < poly.size(); ++k) {
      next[k] += poly[k];
      if (k + shift < next.size()) next[k + shift] -= poly[k];
    }
    // divide by (1 - q^i): r[k] = p[k] + r[k - i]
    for (std::size_t k = i; k < next.size(); ++k) next[k] += next[k - i];
    degree -= i;
    poly.swap(next);
  }
  poly.resize(degree + 1);
  return poly;
}

double median_in_place(std::vector<double>& v) {
  const std::size_t n = v.size();
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (n % 2 == 1) return *mid;
  const double upper = *mid;
  const double lower = *std::max_element(v.begin(), mid);
  return (lower + upper) / 2;
}

void resample(std::span<const double> from, std::vector<double>& into, std::mt19937_64& rng) {
  // Modulo rather than std::uniform_int_distribution: the latter's algorithm is implementation-defined,
  // and the same seed must give the same interval with any standard library. The bias is < n / 2^64.
  for (double& x : into) x = from[rng() % from.size()];
}

}  // namespace

double mann_whitney_p(std::span<const double> a, std::span<const double> b) {
  if (a.empty() || b.empty()) return 1;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const Ranked r = rank_a(a, b);
  const double u = r.rank_sum_a - na * (na + 1) / 2;
  if (!r.ties && a.size() <= 50 && b.size() <= 50) {
    const std::vector<double> dist = u_distribution(a.size(), b.size());
    double total = 0, below = 0, above = 0;
    const auto ui = static_cast<std::size_t>(std::llround(u));
    for (std::size_t k = 0; k < dist.size(); ++k) {
      total += dist[k];
      if (k <= ui) below += dist[k];
      if (k >= ui) above += dist[k];
    }
    return std::min(1.0, 2 * std::min(below, above) / total);
  }
  const double n = na + nb;
  const double mu = na * nb / 2;
  const double var = na * nb / 12 * ((n + 1) - r.tie_term / (n * (n - 1)));
  if (!(var > 0)) return 1;  // every value equal
  const double z = std::max(0.0, std::fabs(u - mu) - 0.5) / std::sqrt(var);
  return std::min(1.0, std::erfc(z / std::sqrt(2.0)));
}

double mann_whitney_min_p(std::size_t na, std::size_t nb) {
  if (na == 0 || nb == 0) return 1;
  // log C(na+nb, na) via lgamma: exact enough, and no overflow for large counts.
  const double log_c = std::lgamma(static_cast<double>(na + nb + 1)) - std::lgamma(static_cast<double>(na + 1)) -
                       std::lgamma(static_cast<double>(nb + 1));
  return std::min(1.0, 2 * std::exp(-log_c));
}

RatioInterval bootstrap_ratio_ci(std::span<const double> a, std::span<const double> b, std::uint64_t seed,
                                 int resamples, std::size_t max_draw) {
  RatioInterval out;
  if (a.empty() || b.empty()) return out;
  const double ma = median(a);
  out.ratio = ma != 0 ? median(b) / ma : 0;
  out.low = out.high = out.ratio;
  if (resamples < 2) return out;
  std::mt19937_64 rng(seed);
  std::vector<double> da(std::min(a.size(), max_draw)), db(std::min(b.size(), max_draw));
  std::vector<double> ratios;
  ratios.reserve(static_cast<std::size_t>(resamples));
  for (int i = 0; i < resamples; ++i) {
    resample(a, da, rng);
    resample(b, db, rng);
    const double mda = median_in_place(da);
    if (mda > 0) ratios.push_back(median_in_place(db) / mda);
  }
  if (ratios.empty()) return out;
  std::sort(ratios.begin(), ratios.end());
  out.low = quantile_sorted(ratios, 0.025);
  out.high = quantile_sorted(ratios, 0.975);
  return out;
}

ComparisonStats compare_samples(std::span<const double> base_reps, std::span<const double> new_reps,
                                std::span<const double> base_samples, std::span<const double> new_samples,
                                const CompareSettings& settings) {
  ComparisonStats s;
  s.base_reps = base_reps.size();
  s.new_reps = new_reps.size();
  const bool raw = !base_samples.empty() && !new_samples.empty();
  const std::span<const double> a = raw ? base_samples : base_reps;
  const std::span<const double> b = raw ? new_samples : new_reps;
  s.ci_basis = raw ? "samples" : "repetitions";
  s.base_median = median(a);
  s.new_median = median(b);
  s.ratio = bootstrap_ratio_ci(a, b, settings.seed);
  s.p_value = mann_whitney_p(base_reps, new_reps);

  if (s.base_reps < 2 || s.new_reps < 2) {
    s.verdict = Verdict::TooFew;
    s.note = fmt::format("{} vs {} repetitions: too few for a test", s.base_reps, s.new_reps);
    return s;
  }
  const double min_p = mann_whitney_min_p(s.base_reps, s.new_reps);
  if (min_p >= settings.alpha) {
    s.verdict = Verdict::TooFew;
    s.note = fmt::format(
        "{} vs {} repetitions: the smallest possible p is {:.3f}, not below alpha {}; "
        "use --repetitions 10",
        s.base_reps, s.new_reps, min_p, settings.alpha);
    return s;
  }
  const bool significant = s.p_value < settings.alpha && (s.ratio.low > 1 || s.ratio.high < 1);
  if (significant) s.verdict = s.ratio.ratio > 1 ? Verdict::Slower : Verdict::Faster;
  s.regression = s.verdict == Verdict::Slower && s.ratio.ratio > 1 + settings.threshold;
  return s;
}

void apply_rerun_interval(ComparisonStats& s, const RerunInterval& combined, const CompareSettings& settings) {
  s.rerun = combined;
  s.threshold_below_rerun = 1 + settings.threshold < combined.high;
  const bool inside = s.ratio.ratio >= combined.low && s.ratio.ratio <= combined.high;
  if (inside && (s.verdict == Verdict::Slower || s.verdict == Verdict::Faster)) {
    s.verdict = Verdict::NoChange;
    s.within_rerun = true;
  }
  s.regression = s.verdict == Verdict::Slower && s.ratio.ratio > 1 + settings.threshold;
}

std::string verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Faster:
      return "faster";
    case Verdict::Slower:
      return "slower";
    case Verdict::TooFew:
      return "too few repetitions";
    case Verdict::NoChange:
      break;
  }
  return "no significant change";
}

}  // namespace ctxbench
