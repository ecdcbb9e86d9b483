// Student's t (analysis/student_t.hpp) against closed forms and tabled quantiles: for integer degrees of
// freedom P(|T| < t) has a finite sum in sin and cos of atan(t / sqrt(df)) (Abramowitz & Stegun 26.7.3-4),
// which the expected values below were computed from; fractional df by integrating the density.
#include "analysis/student_t.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace ctxbench {
namespace {

TEST(StudentT, TwoSidedTailMatchesClosedForms) {
  EXPECT_NEAR(student_t_two_sided_p(1, 1), 0.5, 1e-14);                     // Cauchy: 1 - 2 atan(1) / pi
  EXPECT_NEAR(student_t_two_sided_p(2, 2), 1 - 2 / std::sqrt(6.0), 1e-14);  // 1 - t / sqrt(2 + t^2)
  EXPECT_NEAR(student_t_two_sided_p(3, 10), 0.013343655022569623, 1e-13);
  EXPECT_NEAR(student_t_two_sided_p(-3, 10), 0.013343655022569623, 1e-13);  // two-sided: symmetric
  EXPECT_NEAR(student_t_two_sided_p(0.5, 3.5), 0.6468504393225344, 1e-9);
  EXPECT_NEAR(student_t_two_sided_p(2.5, 7.3), 0.039650234665597854, 1e-9);
  EXPECT_DOUBLE_EQ(student_t_two_sided_p(0, 5), 1.0);
  EXPECT_DOUBLE_EQ(student_t_two_sided_p(INFINITY, 5), 0.0);
  EXPECT_DOUBLE_EQ(student_t_two_sided_p(2, 0), 1.0);  // no degrees of freedom: nothing to tell
}

TEST(StudentT, CriticalValuesMatchTables) {
  EXPECT_NEAR(student_t_critical(0.05, 9), 2.2621571627982044, 1e-9);
  EXPECT_NEAR(student_t_critical(0.001, 10), 4.586893858702698, 1e-9);
  EXPECT_NEAR(student_t_critical(0.001, 19), 3.883405852592026, 1e-9);
  EXPECT_NEAR(student_t_critical(0.001, 29), 3.6594050194663907, 1e-9);
  EXPECT_NEAR(student_t_critical(0.001, 1), 636.6192487686894, 1e-6);
  EXPECT_NEAR(student_t_critical(0.05, 1e7), 1.959964, 1e-5);  // the normal's, in the limit
  EXPECT_DOUBLE_EQ(student_t_critical(0, 5), 0.0);
  EXPECT_DOUBLE_EQ(student_t_critical(0.01, 0), 0.0);
}

TEST(StudentT, PooledTwoSampleTest) {
  // Means 2.5 and 4.5, variances 5/3 each: t = 2 / sqrt(5/3 (1/4 + 1/4)) = 2.19089 on 6 df.
  const std::vector<double> a = {1, 2, 3, 4}, b = {3, 4, 5, 6};
  const TTest t = student_t_test(a, b);
  EXPECT_NEAR(t.t, 2.1908902300206643, 1e-12);
  EXPECT_DOUBLE_EQ(t.df, 6.0);
  EXPECT_NEAR(t.p_value, 0.07098765432098775, 1e-12);
  EXPECT_NEAR(student_t_test(b, a).t, -2.1908902300206643, 1e-12);
  // Unequal spreads are pooled: variances 1 and 10 over 2 and 4 df give 7; t = 6 / sqrt(7 (1/3 + 1/5)).
  const std::vector<double> c = {1, 2, 3}, d = {4, 6, 8, 10, 12};
  const TTest pooled = student_t_test(c, d);
  EXPECT_NEAR(pooled.t, 3.105295017040594, 1e-12);
  EXPECT_NEAR(pooled.p_value, 0.02097430129143263, 1e-12);
  // An empty side, or two values in all: nothing to test.
  const std::vector<double> none, one = {5};
  EXPECT_DOUBLE_EQ(student_t_test(none, b).p_value, 1.0);
  EXPECT_DOUBLE_EQ(student_t_test(one, one).p_value, 1.0);
  // Two constant levels: apart when they differ, the same when they do not.
  const std::vector<double> low = {7, 7, 7}, high = {8, 8, 8};
  EXPECT_DOUBLE_EQ(student_t_test(low, high).p_value, 0.0);
  EXPECT_DOUBLE_EQ(student_t_test(low, low).p_value, 1.0);
}

}  // namespace
}  // namespace ctxbench
