#include "analysis/change_points.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <span>

#include "analysis/statistics.hpp"
#include "analysis/student_t.hpp"

namespace ctxbench {
namespace {

// The E-Divisive statistic q^ (energy distance with exponent 1, docs/METHODOLOGY.md "History") over one
// window z[0, n): within_[a * (n + 1) + b] holds the sum of |z_i - z_j| over a <= i < j < b, so every q^ of
// any pair of adjacent slices is a few look-ups, and the table costs O(n^2) to fill.
class EnergyWindow {
 public:
  explicit EnergyWindow(std::span<const double> z) : n_(z.size()), within_((n_ + 1) * (n_ + 1), 0.0) {
    for (std::size_t b = 1; b <= n_; ++b) {
      const std::size_t last = b - 1;  // the point slice [a, b) adds to slice [a, b - 1)
      double to_last = 0;              // sum of |z_i - z_last| over a <= i < last
      for (std::size_t a = last + 1; a-- > 0;) {
        if (a < last) to_last += std::fabs(z[a] - z[last]);
        at(a, b) = at(a, last) + to_last;
      }
    }
  }

  // q^ of X = z[s, tau) against Y = z[tau, kappa): m k / (m + k) times (twice the mean distance across
  // minus the mean distance within X and within Y).
  double q(std::size_t s, std::size_t tau, std::size_t kappa) const {
    const double m = static_cast<double>(tau - s), k = static_cast<double>(kappa - tau);
    const double across = at(s, kappa) - at(s, tau) - at(tau, kappa);
    const double in_x = m > 1 ? at(s, tau) / (m * (m - 1) / 2) : 0;
    const double in_y = k > 1 ? at(tau, kappa) / (k * (k - 1) / 2) : 0;
    return m * k / (m + k) * (2 * across / (m * k) - in_x - in_y);
  }

  struct Split {
    std::size_t tau = 0;
    double q = -std::numeric_limits<double>::infinity();
  };
  // The most separating split of [s, e): the tau (and any end kappa <= e of the second slice, which
  // keeps a later level from blurring it) with the largest q^, each slice at least min_segment long.
  std::optional<Split> best_split(std::size_t s, std::size_t e, std::size_t min_segment) const {
    if (e - s < 2 * min_segment) return std::nullopt;
    Split best;
    for (std::size_t tau = s + min_segment; tau + min_segment <= e; ++tau)
      for (std::size_t kappa = tau + min_segment; kappa <= e; ++kappa) {
        const double value = q(s, tau, kappa);
        if (value > best.q) best = {tau, value};  // strict: the earliest of equal splits, deterministic
      }
    return best;
  }

 private:
  double& at(std::size_t a, std::size_t b) { return within_[a * (n_ + 1) + b]; }
  double at(std::size_t a, std::size_t b) const { return within_[a * (n_ + 1) + b]; }
  std::size_t n_;
  std::vector<double> within_;
};

// Farther than this many robust standard deviations from the slice's median, a value is tested as if it
// were at that distance: one disturbed run cannot make a three-point segment of its own.
constexpr double kOutlierReach = 3;

// p of the t-test of z[lo, mid) against z[mid, hi), on the slice winsorized as a whole.
double t_test_p(std::span<const double> z, std::size_t lo, std::size_t mid, std::size_t hi) {
  const std::vector<double> w = winsorized(z.subspan(lo, hi - lo), kOutlierReach);
  const std::span<const double> all(w);
  return student_t_test(all.first(mid - lo), all.subspan(mid - lo)).p_value;
}

// Recursive bisection inside one window z[start, end): the open slice with the best q^ is split when the
// t-test on its two sides gives p <= max_p, else that slice is closed; until every slice is closed.
// Returns the last change point found in the window, if any.
std::optional<std::size_t> split_window(std::span<const double> z, std::size_t start, std::size_t end,
                                        std::size_t min_segment, double max_p, std::set<std::size_t>& found) {
  const std::span<const double> w = z.subspan(start, end - start);
  const EnergyWindow energy(w);
  struct Slice {
    std::size_t s, e;
    std::optional<EnergyWindow::Split> best;
  };
  std::vector<Slice> open;
  std::optional<std::size_t> last;
  open.push_back({0, w.size(), energy.best_split(0, w.size(), min_segment)});
  for (;;) {
    auto pick = open.end();
    for (auto it = open.begin(); it != open.end(); ++it)
      if (it->best && (pick == open.end() || it->best->q > pick->best->q)) pick = it;
    if (pick == open.end()) return last;
    const Slice slice = *pick;
    const std::size_t tau = slice.best->tau;
    if (t_test_p(w, slice.s, tau, slice.e) > max_p) {
      pick->best.reset();
      continue;
    }
    found.insert(start + tau);
    last = std::max(last.value_or(0), start + tau);
    *pick = {slice.s, tau, energy.best_split(slice.s, tau, min_segment)};
    open.push_back({tau, slice.e, energy.best_split(tau, slice.e, min_segment)});
  }
}

struct Candidate {
  std::size_t index = 0;
  std::size_t lo = 0, hi = 0;  // the neighbouring segment boundaries: [lo, index) and [index, hi)
  double p_value = 1;
};

// Candidate i's segments run from the candidate before it (or the series' start) to the one after it (or
// the end); its t-test is over those two segments.
void retest(std::span<const double> z, std::vector<Candidate>& cs, std::size_t i) {
  Candidate& c = cs[i];
  c.lo = i > 0 ? cs[i - 1].index : 0;
  c.hi = i + 1 < cs.size() ? cs[i + 1].index : z.size();
  c.p_value = t_test_p(z, c.lo, c.index, c.hi);
}

double segment_mean(std::span<const double> x, std::size_t lo, std::size_t hi) { return mean(x.subspan(lo, hi - lo)); }

double magnitude(std::span<const double> x, const Candidate& c) {
  const double before = segment_mean(x, c.lo, c.index), after = segment_mean(x, c.index, c.hi);
  return before != 0 ? std::fabs(after / before - 1) : std::numeric_limits<double>::infinity();
}

// The weakest candidate to drop, if any: first one whose segment on either side is shorter than
// min_segment (two windows may propose neighbours), then the one with the largest p above max_p, then the
// one with the smallest magnitude below min_magnitude.
std::optional<std::size_t> weakest(std::span<const double> x, const std::vector<Candidate>& cs,
                                   const ChangePointOptions& options, std::size_t min_segment) {
  std::optional<std::size_t> pick;
  for (std::size_t i = 0; i < cs.size(); ++i)
    if ((cs[i].index - cs[i].lo < min_segment || cs[i].hi - cs[i].index < min_segment) &&
        (!pick || cs[i].p_value > cs[*pick].p_value))
      pick = i;
  if (pick) return pick;
  auto limit = [&](std::size_t index) {
    return options.max_p_at ? std::min(options.max_p_value, options.max_p_at(index)) : options.max_p_value;
  };
  for (std::size_t i = 0; i < cs.size(); ++i)
    if (cs[i].p_value > limit(cs[i].index) && (!pick || cs[i].p_value > cs[*pick].p_value)) pick = i;
  if (pick) return pick;
  double smallest = options.min_magnitude;
  for (std::size_t i = 0; i < cs.size(); ++i)
    if (const double m = magnitude(x, cs[i]); m < smallest) {
      smallest = m;
      pick = i;
    }
  return pick;
}

}  // namespace

std::vector<ChangePoint> find_change_points(const std::vector<double>& series, const ChangePointOptions& options) {
  const std::size_t n = series.size();
  const std::size_t min_segment = std::max<std::size_t>(options.min_segment, 2);
  if (n < 2 * min_segment) return {};
  if (!std::all_of(series.begin(), series.end(), [](double v) { return std::isfinite(v); })) return {};
  // Logs when every value is positive: the host's noise multiplies (a slow state is x1.3, not +300 ns).
  std::vector<double> z(series);
  if (std::all_of(series.begin(), series.end(), [](double v) { return v > 0; }))
    for (double& v : z) v = std::log(v);

  // Split: candidates ("weak" change points) from each window at a relaxed threshold, ten times max_p, so
  // a point that a window sees only weakly still reaches the merge, which judges it on longer segments.
  const double weak_p = options.max_p_value < 0.05 ? options.max_p_value * 10 : options.max_p_value;
  const std::size_t window = std::max(options.window, 2 * min_segment);
  const std::size_t step = std::max<std::size_t>(window / 2, 1);
  std::set<std::size_t> points;
  for (std::size_t start = 0;;) {
    const std::size_t end = std::min(start + window, n);
    const std::optional<std::size_t> last = split_window(z, start, end, min_segment, weak_p, points);
    if (end == n) break;
    // The next window starts half a window on, or at the last change point this window found.
    start = std::max(start + step, last.value_or(0));
  }

  // Merge: drop the weakest candidate and test its two neighbours again over their widened segments, until
  // every candidate passes max_p_value and min_magnitude.
  std::vector<Candidate> cs;
  for (std::size_t index : points) cs.push_back({index});
  for (std::size_t i = 0; i < cs.size(); ++i) retest(z, cs, i);
  while (const std::optional<std::size_t> drop = weakest(series, cs, options, min_segment)) {
    cs.erase(cs.begin() + static_cast<std::ptrdiff_t>(*drop));
    if (*drop > 0) retest(z, cs, *drop - 1);
    if (*drop < cs.size()) retest(z, cs, *drop);
  }
  std::vector<ChangePoint> out;
  for (const Candidate& c : cs)
    out.push_back({c.index, c.p_value, segment_mean(series, c.lo, c.index), segment_mean(series, c.index, c.hi)});
  return out;
}

}  // namespace ctxbench
