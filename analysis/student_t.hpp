// Student's t distribution and the two-sample t-test that the history's change points and gate use
// (docs/METHODOLOGY.md, "History: change points and the gate"). Pure: numbers in, numbers out.
#pragma once

#include <span>

namespace ctxbench {

// Two-sided tail probability P(|T| >= |t|) of Student's t with `df` > 0 degrees of freedom (df need not be
// an integer; the tests here give whole ones). 1 for t = 0 or df <= 0; 0 for an infinite t.
double student_t_two_sided_p(double t, double df);

// The t with student_t_two_sided_p(t, df) == p, for 0 < p < 1 and df > 0 (t_{1-p/2, df}); 0 otherwise.
double student_t_critical(double p, double df);

struct TTest {
  double t = 0;        // (mean(b) - mean(a)) / standard error; positive when b is larger
  double df = 0;       // degrees of freedom: |a| + |b| - 2
  double p_value = 1;  // two-sided
};

// Student's two-sample t-test of a against b, with the variance pooled over both sides (equal variances
// assumed). Pooled rather than Welch's unequal-variance test on purpose: a change point's candidate split
// is chosen as the most separating one, so one side is often a few similar points; Welch's test would
// take their small spread at its word and call a chance cluster significant (docs/METHODOLOGY.md,
// "History: change points and the gate"). Fewer than 3 values in all or an empty side: p = 1. Both sides
// without spread: p = 0 when their means differ (two constant levels), 1 when they do not.
TTest student_t_test(std::span<const double> a, std::span<const double> b);

}  // namespace ctxbench
