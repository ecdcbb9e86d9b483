// The Benjamini-Hochberg cutoff (analysis/false_discovery.hpp) on literal p-values whose answer is worked
// out by hand in each test's comment.
#include "analysis/false_discovery.hpp"

#include <gtest/gtest.h>

namespace {

using ctxbench::benjamini_hochberg_cutoff;

TEST(FalseDiscovery, ALoneChangeNeedsQOverM) {
  // m = 100, q = 0.05: the lone p must be <= 0.0005. 0.0004 is kept (cutoff 0.0005), 0.0006 is not
  // (cutoff stays q / m, below it).
  EXPECT_DOUBLE_EQ(benjamini_hochberg_cutoff({0.0004}, 100, 0.05), 0.0005);
  const double cutoff = benjamini_hochberg_cutoff({0.0006}, 100, 0.05);
  EXPECT_DOUBLE_EQ(cutoff, 0.0005);
  EXPECT_GT(0.0006, cutoff);
}

TEST(FalseDiscovery, ChangesTogetherAreKeptAtALooserCutoff) {
  // m = 100, q = 0.05; ten p-values of 0.004: p_(10) = 0.004 <= 0.05 * 10 / 100 = 0.005, so all ten are
  // kept and the cutoff is 0.005 (each alone would need 0.0005).
  const std::vector<double> ten(10, 0.004);
  EXPECT_DOUBLE_EQ(benjamini_hochberg_cutoff(ten, 100, 0.05), 0.005);
}

TEST(FalseDiscovery, TheLargestQualifyingRankDecidesEvenAboveAFailingOne) {
  // m = 10, q = 0.1, so rank k needs p <= 0.01 k. Sorted 0.005, 0.03, 0.031: ranks 2 and 3 fail, the cutoff
  // is rank 1's 0.01. Sorted 0.005, 0.029, 0.0295: rank 2 fails (0.029 > 0.02) but rank 3 qualifies
  // (0.0295 <= 0.03) and carries rank 2 with it: the cutoff is 0.03.
  EXPECT_DOUBLE_EQ(benjamini_hochberg_cutoff({0.031, 0.005, 0.03}, 10, 0.1), 0.01);
  EXPECT_DOUBLE_EQ(benjamini_hochberg_cutoff({0.029, 0.005, 0.0295}, 10, 0.1), 0.03);
}

TEST(FalseDiscovery, NothingJudgedOrTooFewTestsStillGivesACutoff) {
  // No candidate at all: the cutoff a lone change would need. tests below the p-values given count as the
  // p-values given (every candidate is a test).
  EXPECT_DOUBLE_EQ(benjamini_hochberg_cutoff({}, 50, 0.05), 0.001);
  EXPECT_DOUBLE_EQ(benjamini_hochberg_cutoff({}, 0, 0.05), 0.05);
  EXPECT_DOUBLE_EQ(benjamini_hochberg_cutoff({0.01, 0.02}, 1, 0.05), 0.05);
}

}  // namespace
