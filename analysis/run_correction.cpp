#include "analysis/run_correction.hpp"

#include <algorithm>
#include <cmath>

#include "analysis/statistics.hpp"

namespace ctxbench {
namespace {

using Table = std::vector<std::vector<std::optional<double>>>;

// Rounds of median polish at most; the fit settles well before (a change under 1e-12 ends it).
constexpr int kPolishRounds = 20;

// A value the correction can use: present, finite and positive (a ratio of a figure at or below zero
// means nothing).
std::optional<double> usable(const Table& values, std::size_t run, std::size_t series) {
  if (series >= values[run].size()) return std::nullopt;  // a short row lacks the series at its end
  const std::optional<double>& v = values[run][series];
  if (!v || !std::isfinite(*v) || !(*v > 0)) return std::nullopt;
  return v;
}

std::size_t series_count(const Table& values) {
  std::size_t n = 0;
  for (const auto& row : values) n = std::max(n, row.size());
  return n;
}

double variance(const std::vector<double>& v) {
  const double s = stddev(v);
  return s * s;
}

}  // namespace

std::vector<double> run_factors(const Table& values, std::size_t min_records) {
  const std::size_t series = series_count(values);
  // In logs: ln value = ln factor(run) + ln level(series) + noise, fitted by Tukey's median polish. The first
  // round is the definition (each series' median, then each run's median ratio); later rounds take each
  // series' median again over corrected values, which matters when records are missing and the runs split
  // between two speed levels (a series' median can then fall on either level).
  std::vector<double> log_factor(values.size(), 0.0);
  std::vector<std::optional<double>> log_level(series);
  for (int round = 0; round < kPolishRounds; ++round) {
    for (std::size_t s = 0; s < series; ++s) {
      std::vector<double> column;
      for (std::size_t r = 0; r < values.size(); ++r)
        if (const auto v = usable(values, r, s)) column.push_back(std::log(*v) - log_factor[r]);
      // A series seen in one run only says nothing about that run against the others: it takes no part.
      log_level[s] = column.size() >= 2 ? std::optional<double>(median(column)) : std::nullopt;
    }
    double moved = 0;
    for (std::size_t r = 0; r < values.size(); ++r) {
      std::vector<double> ratios;
      for (std::size_t s = 0; s < series; ++s)
        if (const auto v = usable(values, r, s); v && log_level[s]) ratios.push_back(std::log(*v) - *log_level[s]);
      const double next = !ratios.empty() && ratios.size() >= min_records ? median(ratios) : 0.0;
      moved = std::max(moved, std::fabs(next - log_factor[r]));
      log_factor[r] = next;
    }
    if (moved < 1e-12) break;
  }
  std::vector<double> factors;
  for (double f : log_factor) factors.push_back(std::exp(f));
  return factors;
}

double shared_variance_fraction(const Table& values, const std::vector<double>& factors, std::size_t min_runs) {
  const std::size_t series = series_count(values);
  std::vector<double> fractions;
  for (std::size_t s = 0; s < series; ++s) {
    std::vector<double> raw, corrected;
    for (std::size_t r = 0; r < values.size() && r < factors.size(); ++r)
      if (const auto v = usable(values, r, s); v && factors[r] > 0) {
        raw.push_back(std::log(*v));
        corrected.push_back(std::log(*v / factors[r]));
      }
    if (raw.size() < std::max<std::size_t>(min_runs, 2)) continue;
    const double before = variance(raw);
    if (before > 0) fractions.push_back(1 - variance(corrected) / before);
  }
  return fractions.empty() ? 0.0 : median(fractions);
}

}  // namespace ctxbench
