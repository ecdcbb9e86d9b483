#include "analysis/history_verdict.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/statistics.hpp"
#include "analysis/student_t.hpp"

namespace ctxbench {
namespace {

// The detectable change of a history so noisy that it is meaningless (a two-point history at p 0.001) is
// stated as this (x101) rather than as an overflow.
constexpr double kMaxDetectable = 100;
// A past value farther than this many robust standard deviations from the history's median counts as if it
// were at that distance: a run 3x slower does not make every later verdict inconclusive. Wider than the 3 of
// analysis/change_points.cpp: the new point is not clipped, so the history's own tails must stay in its
// spread (docs/METHODOLOGY.md, "The gate": at 3, two A/A stores' 30 trials gave 4 false regressions, at 6 two).
constexpr double kOutlierReach = 6;

std::vector<double> usable(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v)
    if (std::isfinite(x) && x > 0) out.push_back(x);
  return out;
}

std::string percent(double relative) { return fmt::format("{:+.1f}%", relative * 100); }

HistoryVerdict inconclusive(HistoryVerdict v, std::string reason) {
  v.kind = HistoryVerdictKind::Inconclusive;
  v.reason = std::move(reason);
  return v;
}

}  // namespace

const char* history_verdict_key(HistoryVerdictKind kind) {
  switch (kind) {
    case HistoryVerdictKind::Regression:
      return "regression";
    case HistoryVerdictKind::Improvement:
      return "improvement";
    case HistoryVerdictKind::NoChange:
      return "no_change";
    case HistoryVerdictKind::Inconclusive:
      break;
  }
  return "inconclusive";
}

HistoryVerdict judge_against_history(const std::vector<double>& history, const std::vector<double>& new_values,
                                     const HistoryGateOptions& options) {
  HistoryVerdict v;
  std::vector<double> past = usable(history);
  if (options.window > 0 && past.size() > options.window)
    past.erase(past.begin(), past.end() - static_cast<std::ptrdiff_t>(options.window));
  const std::vector<double> now = usable(new_values);
  v.history_points = past.size();
  if (now.empty()) return inconclusive(v, "the new run has no usable value of this record");
  if (past.empty()) return inconclusive(v, "no history for this record: run again once the series has runs");
  // The new run is one point, whatever its repetitions: they share its machine state (docs/METHODOLOGY.md,
  // "How far a rerun moves"), so they say nothing of how far the next run moves.
  const double fresh = median(now);
  v.ratio = fresh / median(past);

  const std::size_t n = past.size();
  double distance = 0;  // ln(new) - mean of the history's logs
  if (n >= 2) {
    std::vector<double> raw_logs;
    for (double x : past) raw_logs.push_back(std::log(x));
    // One disturbed run in the history counts as a run at 3 robust sd, not as noise that hides every step.
    const std::vector<double> logs = winsorized(raw_logs, kOutlierReach);
    const double centre = mean(logs);
    const double df = static_cast<double>(n - 1);
    // Prediction interval of one new point from n past points: its spread is the history's, sqrt(1 + 1/n).
    const double scale = stddev(logs) * std::sqrt(1 + 1 / static_cast<double>(n));
    const double edge = student_t_critical(options.max_p_value, df) * scale;
    v.detectable_change = std::min(std::expm1(edge), kMaxDetectable);
    distance = std::log(fresh) - centre;
    if (scale > 0)
      v.p_value = student_t_two_sided_p(distance / scale, df);
    else
      v.p_value = distance == 0 ? 1 : 0;
  }
  if (n < std::max<std::size_t>(options.min_history, 2))
    return inconclusive(v, fmt::format("{} points in the current segment, fewer than {}: run again once the series "
                                       "is longer",
                                       n, std::max<std::size_t>(options.min_history, 2)));

  const bool significant = v.p_value <= options.max_p_value;
  const bool beyond_up = distance > 0 && v.ratio >= 1 + options.threshold;
  const bool beyond_down = distance < 0 && v.ratio <= 1 / (1 + options.threshold);
  const std::string moved = fmt::format("{} against the segment's median (p {:.2g})", percent(v.ratio - 1), v.p_value);
  if (significant && (beyond_up || beyond_down)) {
    v.kind = beyond_up ? HistoryVerdictKind::Regression : HistoryVerdictKind::Improvement;
    v.reason = fmt::format("{}, beyond the threshold {}", moved, percent(options.threshold));
  } else if (significant) {
    v.kind = HistoryVerdictKind::NoChange;
    v.reason = fmt::format("{}: significant, but within the threshold {}", moved, percent(options.threshold));
  } else if (v.detectable_change <= options.threshold) {
    v.kind = HistoryVerdictKind::NoChange;
    v.reason = fmt::format("{}: no step; one of {} or more would have shown", moved, percent(v.detectable_change));
  } else {
    v = inconclusive(v, fmt::format("{}: this series tells only a step of {} or more from its noise, wider than "
                                    "the threshold {}: run again",
                                    moved, percent(v.detectable_change), percent(options.threshold)));
  }
  return v;
}

}  // namespace ctxbench
