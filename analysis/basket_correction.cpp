#include "analysis/basket_correction.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "analysis/statistics.hpp"

namespace ctxbench {
namespace {

using Table = std::vector<std::vector<std::optional<double>>>;
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
constexpr double kReach = 3;  // robust sds at which a run-to-run move is winsorized

// ln(value) per [series][run], NaN where the value is missing, not finite or not positive.
std::vector<std::vector<double>> log_columns(const Table& values, std::size_t series) {
  std::vector<std::vector<double>> logs(series, std::vector<double>(values.size(), kMissing));
  for (std::size_t r = 0; r < values.size(); ++r)
    for (std::size_t s = 0; s < values[r].size(); ++s)
      if (const auto& v = values[r][s]; v && std::isfinite(*v) && *v > 0) logs[s][r] = std::log(*v);
  return logs;
}

// Run-to-run moves of one series over the last `recent` runs, winsorized; NaN where either run lacks it.
std::vector<double> moves(const std::vector<double>& log, std::size_t recent) {
  const std::size_t n = log.size(), from = n > recent + 1 ? n - recent - 1 : 0;
  std::vector<double> d, present;
  for (std::size_t r = from; r + 1 < n; ++r) {
    const double m = log[r + 1] - log[r];
    d.push_back(m);
    if (std::isfinite(m)) present.push_back(m);
  }
  if (present.size() < 3) return d;
  const std::vector<double> w = winsorized(present, kReach);
  for (std::size_t i = 0, j = 0; i < d.size(); ++i)
    if (std::isfinite(d[i])) d[i] = w[j++];
  return d;
}

// Pearson correlation over the moves both series have; NaN below `min_pairs`.
double correlation(const std::vector<double>& a, const std::vector<double>& b, std::size_t min_pairs) {
  double n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (std::isfinite(a[i]) && std::isfinite(b[i])) {
      n += 1;
      sa += a[i];
      sb += b[i];
      saa += a[i] * a[i];
      sbb += b[i] * b[i];
      sab += a[i] * b[i];
    }
  if (n < static_cast<double>(min_pairs)) return kMissing;
  const double va = saa - sa * sa / n, vb = sbb - sb * sb / n;
  return va > 0 && vb > 0 ? (sab - sa * sb / n) / std::sqrt(va * vb) : kMissing;
}

// Per row, ln(value) minus the median of the segment of its series that row falls in; NaN where missing.
std::vector<double> deviations(const std::vector<double>& log, const std::vector<std::size_t>& starts) {
  std::vector<std::size_t> cuts{0};
  for (std::size_t c : starts)
    if (c > cuts.back() && c < log.size()) cuts.push_back(c);
  cuts.push_back(log.size());
  std::vector<double> out(log.size(), kMissing);
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    std::vector<double> present;
    for (std::size_t r = cuts[i]; r < cuts[i + 1]; ++r)
      if (std::isfinite(log[r])) present.push_back(log[r]);
    if (present.empty()) continue;
    const double centre = median(present);
    for (std::size_t r = cuts[i]; r < cuts[i + 1]; ++r)
      if (std::isfinite(log[r])) out[r] = log[r] - centre;
  }
  return out;
}

}  // namespace

std::vector<std::vector<double>> basket_factors(const Table& values, const std::vector<double>& run_factor,
                                                const BasketOptions& options, const std::vector<std::size_t>& groups,
                                                const std::vector<std::vector<std::size_t>>& segment_starts) {
  const std::size_t runs = values.size();
  std::size_t series = 0;
  for (const auto& row : values) series = std::max(series, row.size());
  std::vector<std::vector<double>> out(runs, std::vector<double>(series, 1.0));
  for (std::size_t r = 0; r < runs; ++r)
    for (std::size_t s = 0; s < series; ++s) out[r][s] = r < run_factor.size() ? run_factor[r] : 1.0;
  if (options.basket == 0) return out;

  const std::vector<std::vector<double>> logs = log_columns(values, series);
  std::vector<std::vector<double>> d(series);
  std::vector<std::vector<double>> dev(series);
  std::vector<std::size_t> count(series, 0);
  for (std::size_t s = 0; s < series; ++s) {
    count[s] = static_cast<std::size_t>(
        std::count_if(logs[s].begin(), logs[s].end(), [](double v) { return std::isfinite(v); }));
    dev[s] = deviations(logs[s], s < segment_starts.size() ? segment_starts[s] : std::vector<std::size_t>{});
    d[s] = moves(logs[s], options.recent_runs);
  }
  auto same_group = [&](std::size_t a, std::size_t b) {
    return a < groups.size() && b < groups.size() && groups[a] == groups[b];
  };
  const std::size_t min_pairs = std::max<std::size_t>(options.min_runs, 3) - 1;
  for (std::size_t s = 0; s < series; ++s) {
    if (count[s] < options.min_runs) continue;
    std::vector<std::pair<double, std::size_t>> ranked;  // (-correlation, member): the best first, ties by index
    for (std::size_t b = 0; b < series; ++b)
      if (b != s && !same_group(b, s) && count[b] >= options.min_runs)
        if (const double c = correlation(d[s], d[b], min_pairs); std::isfinite(c) && c > 0) ranked.push_back({-c, b});
    if (ranked.size() < options.basket) continue;
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(options.basket), ranked.end());
    for (std::size_t r = 0; r < runs; ++r) {
      std::vector<double> shared;
      for (std::size_t i = 0; i < options.basket; ++i)
        if (const double v = dev[ranked[i].second][r]; std::isfinite(v)) shared.push_back(v);
      if (2 * shared.size() >= options.basket) out[r][s] = std::exp(median(shared));
    }
  }
  return out;
}

std::vector<std::vector<double>> two_pass_basket_factors(const Table& values, const std::vector<double>& run_factor,
                                                         const std::vector<std::size_t>& groups,
                                                         const ChangePointOptions& change_options,
                                                         const BasketOptions& options) {
  std::vector<std::vector<double>> factors = basket_factors(values, run_factor, options, groups);
  const std::size_t series = factors.empty() ? 0 : factors[0].size();
  std::vector<std::vector<std::size_t>> starts(series);
  for (std::size_t s = 0; s < series; ++s) {
    std::vector<double> corrected;
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < values.size(); ++r)
      if (s < values[r].size() && values[r][s] && std::isfinite(*values[r][s]) && *values[r][s] > 0) {
        corrected.push_back(*values[r][s] / factors[r][s]);
        rows.push_back(r);
      }
    for (const ChangePoint& c : find_change_points(corrected, change_options)) starts[s].push_back(rows[c.index]);
  }
  return basket_factors(values, run_factor, options, groups, starts);
}

}  // namespace ctxbench
