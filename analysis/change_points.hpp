// Change points in one series of run figures (one series = machine x record id, in run order), the way
// Hunter / Apache Otava find them: E-Divisive means proposes the split that most separates the two sides,
// a two-sample t-test on the sides keeps it when p <= max_p_value, recursively, inside a sliding window.
// Method and defaults: docs/METHODOLOGY.md, "History". Pure: no syscalls, no clock, no files.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace ctxbench {

struct ChangePointOptions {
  std::size_t window = 30;      // points per analysis window (Otava: 50); the window slides by half
  double max_p_value = 0.001;   // keep a split only when the t-test's two-sided p is at most this
  double min_magnitude = 0.0;   // and |mean after / mean before - 1| is at least this (0.05 = 5%)
  std::size_t min_segment = 3;  // points on each side of a change point, at least
  // Across one machine's series (analyse_history, analysis/false_discovery.hpp): keep a series' change only
  // at the Benjamini-Hochberg cutoff of false discovery rate q over all the machine's series, never above
  // max_p_value. 0: each series judged alone at max_p_value. find_change_points itself ignores it.
  double false_discovery_rate = 0.02;  // docs/METHODOLOGY.md, "History": chosen on this machine's A/A runs
  // When set: a change point whose new segment starts at point i is kept only at p <= max_p_at(i) too (the
  // false discovery cutoff of the run that point belongs to, analyse_history). Unset: max_p_value alone.
  std::function<double(std::size_t)> max_p_at;
};

struct ChangePoint {
  std::size_t index = 0;     // first point of the new segment (0-based into the series)
  double p_value = 1.0;      // of the t-test that kept it (Student's, over the neighbouring segments)
  double mean_before = 0.0;  // of the segment before / after, bounded by the neighbouring change points
  double mean_after = 0.0;
  double ratio() const { return mean_before > 0 ? mean_after / mean_before : 0.0; }
};

// Change points of `series`, in index order. Series shorter than 2 * min_segment have none, and so does a
// series holding a value that is not finite. The tests run on ln(value) when every value is positive (the
// host's noise multiplies), on the values otherwise. Two passes, as Hunter does it:
//  - split: in each window (sliding by half a window, or to the last change point it found), the slice with
//    the largest E-Divisive q^ over its splits is cut where q^ peaks when Student's t-test of its two sides
//    gives p <= 10 x max_p_value (a relaxed first pass), else closed; until no slice is left open;
//  - merge: each candidate is tested again over its neighbouring segments in the whole series; the weakest
//    (a side shorter than min_segment, then the largest p above max_p_value, then the smallest magnitude
//    below min_magnitude) is dropped and its neighbours tested again, until every one passes.
// Each test sees its slice winsorized at 3 robust standard deviations (1.4826 x MAD) from the slice's median,
// so one disturbed run is no segment of its own; the means reported are of the values as given.
// min_segment below 2 counts as 2 (a one-point side has no spread to test). Deterministic; O(window^2)
// arithmetic per window and slice level, so a 1000-point series takes milliseconds.
std::vector<ChangePoint> find_change_points(const std::vector<double>& series, const ChangePointOptions& options);

}  // namespace ctxbench
