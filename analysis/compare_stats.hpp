// The statistics behind `ctxbench compare`: a Mann-Whitney U test over repetition medians and a seeded
// bootstrap confidence interval of the ratio of medians. Pure functions over numbers: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "analysis/rerun_model.hpp"

namespace ctxbench {

// Two-sided p-value of the Mann-Whitney U test (H0: neither sample tends to be larger). Exact (counting
// every arrangement) when there are no ties and both samples have at most 50 values; otherwise the normal
// approximation with tie and continuity correction, as scipy.stats.mannwhitneyu does. 1 for empty input.
double mann_whitney_p(std::span<const double> a, std::span<const double> b);

// The smallest two-sided p-value any data could give with samples of these sizes: 2 / C(na+nb, na).
// When it is above alpha no result can be significant, whatever the numbers (3 vs 3 gives 0.1).
double mann_whitney_min_p(std::size_t na, std::size_t nb);

struct RatioInterval {
  double ratio = 0;  // median(b) / median(a)
  double low = 0, high = 0;
};

// 95% percentile-bootstrap interval of median(b)/median(a): `resamples` times, both samples are resampled
// with replacement and the ratio of medians taken. A fixed `seed` makes the interval reproducible.
// Large samples are resampled to at most `max_draw` values per draw (a sub-sample bootstrap), which keeps
// compare fast on files with thousands of samples per record. median(a) must be positive.
RatioInterval bootstrap_ratio_ci(std::span<const double> a, std::span<const double> b, std::uint64_t seed,
                                 int resamples = 1000, std::size_t max_draw = 2000);

enum class Verdict { NoChange, Faster, Slower, TooFew };

struct ComparisonStats {
  double base_median = 0, new_median = 0;
  RatioInterval ratio;
  std::string ci_basis;  // "samples" or "repetitions": what the bootstrap resampled
  double p_value = 1;    // Mann-Whitney U over repetition medians
  std::size_t base_reps = 0, new_reps = 0;
  Verdict verdict = Verdict::NoChange;
  bool regression = false;  // significantly slower by more than the threshold
  std::string note;         // why TooFew, empty otherwise
  // The combined rerun interval of both files (analysis/rerun_model.hpp): a ratio inside it is what a
  // rerun of the same code gives, so it is no change. Empty when a file cannot state one.
  std::optional<RerunInterval> rerun;
  bool within_rerun = false;           // significant by the tests, but inside the rerun interval
  bool threshold_below_rerun = false;  // --threshold is below this record's rerun spread
};

struct CompareSettings {
  double threshold = 0.10;  // a slowdown counts as a regression above ratio 1 + threshold
  double alpha = 0.05;
  std::uint64_t seed = 0x5eed;
};

// One probe+placement: base and new repetition medians, and their raw samples (either may be empty, then
// the bootstrap resamples the repetition medians). Significant = p < alpha AND the ratio's interval
// excludes 1; then the verdict is Faster or Slower by the ratio's side of 1. TooFew when either side has
// fewer than 2 repetitions or when no p-value could reach alpha with these counts.
ComparisonStats compare_samples(std::span<const double> base_reps, std::span<const double> new_reps,
                                std::span<const double> base_samples, std::span<const double> new_samples,
                                const CompareSettings& settings);

// Applies the rerun interval to a verdict: a change inside it is no change (within_rerun), a regression
// must also lie beyond it, and threshold_below_rerun says when 1 + threshold is inside it.
void apply_rerun_interval(ComparisonStats& s, const RerunInterval& combined, const CompareSettings& settings);

std::string verdict_name(Verdict v);

}  // namespace ctxbench
