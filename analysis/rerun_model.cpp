#include "analysis/rerun_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "analysis/statistics.hpp"

namespace ctxbench {
namespace {

// Calibration (docs/METHODOLOGY.md, "How far a rerun moves"). In log units, a rerun's p50 differs from
// this run's by about sqrt(2) x (the standard error of the repetition medians' centre, times kSpreadScale,
// plus a floor the repetitions of one run cannot show), with Student's t for the repetitions' count.
// kSpreadScale: over the 6 ordered pairs of three back-to-back interleaved default runs of the development
// VM, 1.75 covered 90.2% of the rerun ratios (at the target's edge), 1.9 93.2%, 2.0 96.2%; it assumes
// interleaved repetitions (back to back, the same model covered 73.7%).
constexpr double kFloor = 0.01;          // machine-wide: what moves even a record whose repetitions agree
constexpr double kSpreadScale = 1.9;     // one run's repetitions share more than two runs do
constexpr double kUnpinnedFloor = 0.05;  // unpinned: the scheduler's placement mix moves between runs

// Two-sided 97.5% quantile of Student's t with df degrees of freedom.
double t975(std::size_t df) {
  static const double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                 2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0) return table[0];
  if (df <= std::size(table)) return table[df - 1];
  return 1.96 + 2.4 / static_cast<double>(df);  // within 0.005 of the exact quantile beyond 30
}

std::string percent_up(double log_ratio) { return fmt::format("{:.0f}%", (std::exp(log_ratio) - 1) * 100); }

void set_cause(RerunInterval& out, RerunCause kind, std::string text) {
  out.cause_kind = kind;
  out.cause = std::move(text);
}

// The cause the data shows, in the order a user can act on it.
void find_cause(RerunInterval& out, const RerunInputs& in, const std::vector<double>& logs, double spread) {
  const std::size_t n = logs.size();
  if (n < 5)
    return set_cause(out, RerunCause::FewRepetitions,
                     fmt::format("only {} repetitions, too few to pin the estimate down; run with --repetitions 10 "
                                 "or more",
                                 n));
  if (in.bimodal)
    return set_cause(out, RerunCause::BimodalPlacement,
                     "bimodal placement: the share of samples with both tasks on one CPU changes from run to run; "
                     "pin them with --placement same or cross for a stable figure");
  const double centre = median(logs);
  std::vector<double> dev;
  for (double x : logs) dev.push_back(std::fabs(x - centre));
  const double robust = 1.4826 * median(dev);
  std::size_t slow = 0;
  double slow_sum = 0;
  for (double x : logs)
    if (x > centre + std::max(3 * robust, 0.05)) {
      ++slow;
      slow_sum += x - centre;
    }
  if (slow > 0 && slow <= n / 4)
    return set_cause(
        out, RerunCause::SlowRepetitions,
        fmt::format("{} of {} repetitions {} slow ({} above the median repetition): a disturbance "
                    "while they ran (another task, interrupts, the host); rerun on a quiet machine",
                    slow, n, slow == 1 ? "was" : "were", percent_up(slow_sum / static_cast<double>(slow))));
  set_cause(out, RerunCause::MachineSpread,
            fmt::format("the repetitions, spread over the whole run, disagree by {} (sd){}: the machine's speed moved "
                        "while the run went on",
                        percent_up(spread), in.unpinned ? " and the scheduler placed the tasks differently" : ""));
}

}  // namespace

bool is_stable(const RerunInterval& interval) {
  return interval.high <= kStableRatio && interval.low >= 1 / kStableRatio;
}

std::optional<RerunInterval> rerun_interval(const RerunInputs& in) {
  if (!(in.p50 > 0) || !std::isfinite(in.p50)) return std::nullopt;
  std::vector<double> logs;
  for (double m : in.repetition_medians) {
    if (!(m > 0) || !std::isfinite(m)) return std::nullopt;
    logs.push_back(std::log(m));
  }
  if (logs.size() < 2) return std::nullopt;
  const double n = static_cast<double>(logs.size());
  const double spread = stddev(logs);
  const double floor = in.unpinned ? kUnpinnedFloor : kFloor;
  const double se = kSpreadScale * spread / std::sqrt(n);
  const double t = t975(logs.size() - 1) * std::sqrt(2.0);
  const double h = t * std::sqrt(se * se + floor * floor);
  const auto [lowest, highest] = std::minmax_element(logs.begin(), logs.end());
  const double centre = std::log(in.p50);
  RerunInterval out;
  out.low = std::exp(std::max(-h, *lowest - centre - t * floor));
  out.high = std::exp(std::min(h, *highest - centre + t * floor));
  // A p50 outside its repetitions' range (possible when they hold very different sample counts) still
  // gets an interval that contains 1.
  out.low = std::min(out.low, 1.0);
  out.high = std::max(out.high, 1.0);
  out.half_width = std::log(out.high / out.low) / 2;
  if (!is_stable(out)) find_cause(out, in, logs, spread);
  return out;
}

RerunInterval combine(const RerunInterval& base, const RerunInterval& other) {
  RerunInterval out = base.half_width >= other.half_width ? base : other;
  out.low = std::min(base.low, other.low);
  out.high = std::max(base.high, other.high);
  return out;
}

std::optional<Warning> unstable_warning(const RerunInterval& interval) {
  // The machine-wide cause is said once per run (run_wide_rerun_warnings), not on every row.
  if (is_stable(interval) || interval.cause_kind == RerunCause::MachineSpread ||
      interval.cause_kind == RerunCause::FewRepetitions)
    return std::nullopt;
  return unstable_estimate_warning_of(interval.low, interval.high, std::exp(interval.half_width) - 1, interval.cause);
}

std::vector<Warning> run_wide_rerun_warnings(const std::vector<RerunInterval>& intervals, int requested_repetitions) {
  std::vector<double> widths;
  std::size_t machine = 0, few = 0;
  for (const RerunInterval& i : intervals) {
    widths.push_back(std::exp(i.half_width));
    if (is_stable(i)) continue;
    if (i.cause_kind == RerunCause::MachineSpread) ++machine;
    if (i.cause_kind == RerunCause::FewRepetitions) ++few;
  }
  std::vector<Warning> out;
  if (few > 0 && requested_repetitions < 5) out.push_back(too_few_repetitions_warning_of(few, intervals.size()));
  if (machine > 0) out.push_back(unstable_machine_warning_of(machine, intervals.size(), median(widths) - 1));
  return out;
}

std::string rerun_cell(const std::optional<RerunInterval>& interval) {
  if (!interval) return "-";
  if (interval->high >= 10) return fmt::format("x{:.2f}-{:.0f}", interval->low, interval->high);
  return fmt::format("x{:.2f}-{:.2f}", interval->low, interval->high);
}

}  // namespace ctxbench
