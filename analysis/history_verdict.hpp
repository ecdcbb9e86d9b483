// The CI gate over history (`ctxbench history check NEW.json`): one verdict per record of the new run,
// against that record's series on the same machine. Chromium Pinpoint's three outcomes plus "no change":
// a figure that cannot be told apart is "inconclusive, run again", never a pass or a fail. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ctxbench {

enum class HistoryVerdictKind { Regression, Improvement, NoChange, Inconclusive };
const char* history_verdict_key(HistoryVerdictKind kind);  // "regression", "improvement", "no_change", "inconclusive"

struct HistoryGateOptions {
  double threshold = 0.05;      // a regression must be at least this much slower (0.05 = +5%)
  double max_p_value = 0.001;   // as ChangePointOptions
  std::size_t min_history = 6;  // fewer points in the current segment: inconclusive
  std::size_t window = 30;      // only the last `window` points of the current segment are compared
  // Across the new run's records (check_against_history): a regression or improvement needs p at most the
  // Benjamini-Hochberg cutoff of this false discovery rate over all the run's judgements, never above
  // max_p_value (analysis/false_discovery.hpp). 0: each record judged alone at max_p_value.
  double false_discovery_rate = 0.02;
};

struct HistoryVerdict {
  HistoryVerdictKind kind = HistoryVerdictKind::Inconclusive;
  double ratio = 0.0;  // new / median of the current segment (> 1: slower)
  double p_value = 1.0;
  double detectable_change = 0.0;  // the smallest relative step this history could have told apart (0.12 = 12%)
  std::size_t history_points = 0;  // points of the current segment used
  std::string reason;              // why inconclusive / which test fired ("raw" or "run-corrected": the caller)
};

// history: the record's figures (p50 ns; higher is slower) in run order, last point most recent; the
// caller passes the current segment (after the last change point). new_values: the new run's repetition
// medians of that record (one or more), already run-corrected when the caller judges corrected figures.
// Values that are not finite or not positive are left out.
//
// The rule (docs/METHODOLOGY.md, "History: change points and the gate"), in logs, over the last `window`
// usable points x_1..x_n of the history (winsorized at 6 robust sd: one disturbed past run is not noise)
// with mean m and standard deviation s, and y = ln(median(new_values)) (the new run is one point: its
// repetitions share its machine state):
//   t = (y - m) / (s sqrt(1 + 1/n)), p = two-sided Student's t with n - 1 degrees of freedom;
//   detectable_change = exp(t_{1 - max_p/2, n-1} s sqrt(1 + 1/n)) - 1 (the step a new point must make to
//   reach p <= max_p; at most 100);  ratio = median(new_values) / median(history).
//   n < max(min_history, 2)                              -> inconclusive (too short; run again later)
//   p <= max_p and ratio >= 1 + threshold (slower)       -> regression
//   p <= max_p and ratio <= 1 / (1 + threshold) (faster) -> improvement
//   p <= max_p otherwise                                 -> no_change (significant but within the threshold)
//   p > max_p and detectable_change <= threshold         -> no_change (a threshold step would have shown)
//   p > max_p and detectable_change > threshold          -> inconclusive (too noisy to tell; run again)
// `reason` explains the verdict in a sentence; the caller says which figures (raw or run-corrected) it judged.
HistoryVerdict judge_against_history(const std::vector<double>& history, const std::vector<double>& new_values,
                                     const HistoryGateOptions& options);

}  // namespace ctxbench
