#include "analysis/student_t.hpp"

#include <cmath>
#include <limits>

#include "analysis/statistics.hpp"

namespace ctxbench {
namespace {

// Continued fraction of the regularized incomplete beta function (the even and odd terms of its expansion,
// evaluated by the modified Lentz method); converges fast for x < (a + 1) / (a + b + 2).
double beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEpsilon = 1e-15;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double f = d;
  for (int m = 1; m <= 500; ++m) {
    const double dm = m;
    const double even = dm * (b - dm) * x / ((a + 2 * dm - 1) * (a + 2 * dm));
    d = 1 + even * d;
    c = 1 + even / c;
    if (std::fabs(d) < kTiny) d = kTiny;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    f *= c * d;
    const double odd = -(a + dm) * (a + b + dm) * x / ((a + 2 * dm) * (a + 2 * dm + 1));
    d = 1 + odd * d;
    c = 1 + odd / c;
    if (std::fabs(d) < kTiny) d = kTiny;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double step = c * d;
    f *= step;
    if (std::fabs(step - 1) < kEpsilon) break;
  }
  return f;
}

// I_x(a, b), the regularized incomplete beta function, for a, b > 0 and x in [0, 1].
double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front = a * std::log(x) + b * std::log1p(-x) + std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b);
  const double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
  return 1 - front * beta_fraction(b, a, 1 - x) / b;  // the symmetry I_x(a, b) = 1 - I_{1-x}(b, a)
}

double squared_deviations(std::span<const double> v, double centre) {
  double sum = 0;
  for (double x : v) sum += (x - centre) * (x - centre);
  return sum;
}

}  // namespace

double student_t_two_sided_p(double t, double df) {
  if (!(df > 0) || std::isnan(t)) return 1;
  if (std::isinf(t)) return 0;
  // P(|T| >= t) = I_{df / (df + t^2)}(df / 2, 1 / 2)
  return incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

double student_t_critical(double p, double df) {
  if (!(p > 0 && p < 1 && df > 0)) return 0;
  double low = 0, high = 1;
  while (student_t_two_sided_p(high, df) > p && high < 1e300) high *= 2;
  // Bisection: the tail probability falls strictly as t grows, and 200 halvings reach a double's precision.
  for (int i = 0; i < 200 && high - low > 1e-13 * high; ++i) {
    const double mid = (low + high) / 2;
    (student_t_two_sided_p(mid, df) > p ? low : high) = mid;
  }
  return (low + high) / 2;
}

TTest student_t_test(std::span<const double> a, std::span<const double> b) {
  TTest out;
  if (a.empty() || b.empty() || a.size() + b.size() < 3) return out;
  const double ma = mean(a), mb = mean(b);
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  out.df = na + nb - 2;
  const double pooled = (squared_deviations(a, ma) + squared_deviations(b, mb)) / out.df;
  const double se = std::sqrt(pooled * (1 / na + 1 / nb));
  if (!(se > 0)) {
    // Two constant levels: either the same (nothing to tell) or told apart by any difference.
    out.t = ma == mb ? 0 : std::copysign(std::numeric_limits<double>::infinity(), mb - ma);
    out.p_value = ma == mb ? 1 : 0;
    return out;
  }
  out.t = (mb - ma) / se;
  out.p_value = student_t_two_sided_p(out.t, out.df);
  return out;
}

}  // namespace ctxbench
