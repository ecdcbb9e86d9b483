// The rerun interval (docs/METHODOLOGY.md, "How far a rerun moves"): from one run's repetition medians,
// the range of ratios p50(rerun) / p50(this run) that 95% of reruns on this machine land in. The model's
// constants were calibrated on back-to-back default runs of the development VM and validated on others
// (scripts/rerun_coverage.py repeats the check on any files). Pure: no I/O, no clock.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/warning.hpp"

namespace ctxbench {

struct RerunInputs {
  double p50 = 0;                              // the record's headline, over all samples
  std::span<const double> repetition_medians;  // ns per op (or any positive figure), one per repetition
  bool bimodal = false;                        // unpinned: co-located and split samples differ (truth.hpp)
  bool unpinned = false;
};

// What makes an interval wider than +-5%, as the data shows it. MachineSpread is said once per run.
enum class RerunCause { None, FewRepetitions, BimodalPlacement, SlowRepetitions, MachineSpread };

struct RerunInterval {
  double low = 1, high = 1;  // ratios: a rerun's p50 over this run's p50
  double half_width = 0;     // in natural log units: (ln(high) - ln(low)) / 2
  // Why the interval is wider than kStableHalfWidth, as the data shows it; empty when it is not.
  std::string cause;
  RerunCause cause_kind = RerunCause::None;
};

// An interval reaching beyond this ratio on either side (+-5%) makes an estimate "unstable".
inline constexpr double kStableRatio = 1.05;
bool is_stable(const RerunInterval& interval);

// The interval, or nothing when it cannot be stated: fewer than 2 repetition medians, or p50 or one of
// them not positive (a derived figure around zero has no ratio). Each side is at most as far as this run's
// own slowest (fastest) repetition plus the floor: a rerun's pooled median lies among its repetitions.
std::optional<RerunInterval> rerun_interval(const RerunInputs& in);

// The combined interval of two runs of one record (ctxbench compare): a ratio new/base inside it is what
// a rerun of the same code gives on these machines. The wider of the two on each side.
RerunInterval combine(const RerunInterval& base, const RerunInterval& other);

// The unstable_estimate warning with its cause, or nothing when the interval is within ±5% or its cause is
// the run's (said once per run).
std::optional<Warning> unstable_warning(const RerunInterval& interval);

// Once per run, at the top: how many records are wider than +-5% for a run-wide reason (the machine's
// speed moved; fewer than 5 repetitions asked for), with the remedies. Empty when none is. A probe that caps
// its own repetitions (process.fork_rss) is no reason to ask for more: `requested_repetitions` decides.
std::vector<Warning> run_wide_rerun_warnings(const std::vector<RerunInterval>& intervals, int requested_repetitions);

// "x0.93-1.08" for the console column; "-" when there is no interval.
std::string rerun_cell(const std::optional<RerunInterval>& interval);

}  // namespace ctxbench
