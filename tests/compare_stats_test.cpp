// The statistics of `ctxbench compare` on literal data: the verdicts must follow from the numbers.
#include "analysis/compare_stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "analysis/compare.hpp"

namespace ctxbench {
namespace {

// Ten repetition medians and a set of raw samples with realistic spread (about +-5%).
const std::vector<double> kReps = {5010, 4980, 5120, 4950, 5060, 5200, 4990, 5030, 5080, 4970};
std::vector<double> samples_of(const std::vector<double>& reps) {
  std::vector<double> out;
  for (double r : reps)
    for (double d : {-0.04, -0.02, 0.0, 0.01, 0.03}) out.push_back(r * (1 + d));
  return out;
}
std::vector<double> scaled(const std::vector<double>& v, double f) {
  std::vector<double> out;
  for (double x : v) out.push_back(x * f);
  return out;
}

TEST(MannWhitney, IdenticalSamplesGivePOne) { EXPECT_DOUBLE_EQ(mann_whitney_p(kReps, kReps), 1.0); }

TEST(MannWhitney, SeparatedSamplesExactP) {
  // 3 vs 3 fully separated: only 2 of C(6,3) = 20 arrangements are as extreme -> p = 0.1 exactly.
  const std::vector<double> a = {1, 2, 3}, b = {4, 5, 6};
  EXPECT_NEAR(mann_whitney_p(a, b), 0.1, 1e-12);
  EXPECT_NEAR(mann_whitney_min_p(3, 3), 0.1, 1e-12);
  // 10 vs 10 separated: 2 / C(20,10) = 2 / 184756.
  EXPECT_NEAR(mann_whitney_p(kReps, scaled(kReps, 1.5)), 2.0 / 184756, 1e-12);
}

TEST(MannWhitney, AgreesWithScipy) {
  // scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='exact' / 'asymptotic').pvalue
  const std::vector<double> a = {1.1, 2.3, 3.7, 4.2, 5.9, 6.1, 7.7}, b = {2.0, 4.5, 6.6, 8.8, 9.1, 10.2};
  EXPECT_NEAR(mann_whitney_p(a, b), 0.13752913752913754, 1e-12);
  const std::vector<double> c = {1, 2, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12},
                            d = {3, 5, 7, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19};  // ties: asymptotic
  EXPECT_NEAR(mann_whitney_p(c, d), 0.00616707720805899, 1e-9);
}

TEST(MannWhitney, InterleavedSamplesAreNotSignificant) {
  const std::vector<double> a = {1, 3, 5, 7, 9, 11}, b = {2, 4, 6, 8, 10, 12};
  EXPECT_GT(mann_whitney_p(a, b), 0.5);
}

TEST(MannWhitney, TiesUseTheNormalApproximation) {
  const std::vector<double> a = {1, 1, 2, 2, 3, 3, 4, 4}, b = {5, 5, 6, 6, 7, 7, 8, 8};
  const double p = mann_whitney_p(a, b);
  EXPECT_GT(p, 0);
  EXPECT_LT(p, 0.01);
  const std::vector<double> same = {7, 7, 7, 7};
  EXPECT_DOUBLE_EQ(mann_whitney_p(same, same), 1.0);
}

TEST(BootstrapRatio, SameSeedSameInterval) {
  const auto s = samples_of(kReps), t = samples_of(scaled(kReps, 1.1));
  const RatioInterval a = bootstrap_ratio_ci(s, t, 7), b = bootstrap_ratio_ci(s, t, 7);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  EXPECT_NEAR(a.ratio, 1.1, 1e-9);
  EXPECT_LE(a.low, a.ratio);
  EXPECT_GE(a.high, a.ratio);
}

TEST(CompareSamples, IdenticalInputsNoChange) {
  const auto s = samples_of(kReps);
  const ComparisonStats c = compare_samples(kReps, kReps, s, s, {});
  EXPECT_EQ(c.verdict, Verdict::NoChange);
  EXPECT_FALSE(c.regression);
  EXPECT_DOUBLE_EQ(c.ratio.ratio, 1.0);
  EXPECT_LE(c.ratio.low, 1.0);
  EXPECT_GE(c.ratio.high, 1.0);
  EXPECT_EQ(c.ci_basis, "samples");
}

TEST(CompareSamples, ScaledByOneAndAHalfIsSlowerAndSignificant) {
  const auto reps = scaled(kReps, 1.5);
  const ComparisonStats c = compare_samples(kReps, reps, samples_of(kReps), samples_of(reps), {});
  EXPECT_EQ(c.verdict, Verdict::Slower);
  EXPECT_TRUE(c.regression);
  EXPECT_LT(c.p_value, 0.001);
  EXPECT_NEAR(c.ratio.ratio, 1.5, 1e-9);
  EXPECT_GT(c.ratio.low, 1.0);
}

TEST(CompareSamples, ScaledDownIsFasterNotARegression) {
  const auto reps = scaled(kReps, 0.5);
  const ComparisonStats c = compare_samples(kReps, reps, samples_of(kReps), samples_of(reps), {});
  EXPECT_EQ(c.verdict, Verdict::Faster);
  EXPECT_FALSE(c.regression);
}

TEST(CompareSamples, SlowerWithinThresholdIsNotARegression) {
  const auto reps = scaled(kReps, 1.05);
  CompareSettings settings;
  settings.threshold = 0.10;
  const ComparisonStats c = compare_samples(kReps, reps, samples_of(kReps), samples_of(reps), settings);
  EXPECT_EQ(c.verdict, Verdict::Slower);
  EXPECT_FALSE(c.regression);
}

TEST(CompareSamples, WithoutSamplesTheBootstrapUsesRepetitions) {
  const auto reps = scaled(kReps, 1.5);
  const ComparisonStats c = compare_samples(kReps, reps, {}, {}, {});
  EXPECT_EQ(c.ci_basis, "repetitions");
  EXPECT_EQ(c.verdict, Verdict::Slower);
}

TEST(CompareSamples, TooFewRepetitionsSaysSo) {
  // 3 vs 3 can never reach p < 0.05, however different the numbers: the verdict must say so.
  const std::vector<double> a = {100, 101, 102}, b = {150, 151, 153};
  const ComparisonStats c = compare_samples(a, b, {}, {}, {});
  EXPECT_EQ(c.verdict, Verdict::TooFew);
  EXPECT_FALSE(c.regression);
  EXPECT_NE(c.note.find("3 vs 3"), std::string::npos) << c.note;
  const std::vector<double> one = {100};
  const ComparisonStats d = compare_samples(one, one, {}, {}, {});
  EXPECT_EQ(d.verdict, Verdict::TooFew);
  EXPECT_NE(d.note.find("too few"), std::string::npos) << d.note;
}

TEST(CompareFiles, SchemaAndListsOfProbesInOneFile) {
  EXPECT_THROW(load_result_file("x.json", "{not json"), CompareInputError);
  EXPECT_THROW(load_result_file("x.json", R"({"benchmarks": []})"), CompareInputError);
  EXPECT_THROW(load_result_file("x.json", R"({"ctxbench": {"schema_version": 99}, "results": []})"), CompareInputError);
  // A schema-1 file is refused (docs/contracts.md, "Schema 2: what changed"), naming the file and how to get
  // a schema-2 one.
  try {
    load_result_file("old.json", R"({"ctxbench": {"schema_version": 1}, "results": []})");
    FAIL();
  } catch (const CompareInputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("old.json"), std::string::npos) << what;
    EXPECT_NE(what.find("schema version 1"), std::string::npos) << what;
    EXPECT_NE(what.find("ctxbench --json"), std::string::npos) << what;
  }
  try {
    load_result_file("named.json", "[]");
    FAIL();
  } catch (const CompareInputError& e) {
    EXPECT_NE(std::string(e.what()).find("named.json"), std::string::npos);
  }
  const std::string a = R"({"ctxbench": {"schema_version": 2}, "machine": {"label": "A", "cpu_model": "X"},
    "results": [{"id": "p/same-cpu", "status": "ok", "repetitions": [{"median_ns": 1}, {"median_ns": 2}]},
                {"id": "only.a", "status": "ok", "repetitions": [{"median_ns": 1}]}]})";
  const std::string b = R"({"ctxbench": {"schema_version": 2}, "machine": {"label": "B", "cpu_model": "Y"},
    "results": [{"id": "p/same-cpu", "status": "ok", "repetitions": [{"median_ns": 1}, {"median_ns": 2}]},
                {"id": "only.b", "status": "ok", "samples": [3, 4]}]})";
  const std::vector<ResultFile> files = {load_result_file("a.json", a), load_result_file("b.json", b)};
  const Comparison c = compare_files(files[0], files[1], {});
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.only_in_base, std::vector<std::string>{"only.a"});
  EXPECT_EQ(c.only_in_other, std::vector<std::string>{"only.b"});
  const auto diffs = machine_differences(files);
  ASSERT_FALSE(diffs.empty());
  EXPECT_EQ(diffs[0].field, "cpu_model");
  const std::string text = format_comparisons(files, {c}, {});
  EXPECT_NE(text.find("only.a"), std::string::npos) << text;
  EXPECT_NE(text.find("only.b"), std::string::npos) << text;
  EXPECT_NE(text.find("cpu_model"), std::string::npos) << text;
}

TEST(Compare, SchedulerDiffersOnlyWhenBothFilesSayIt) {
  const auto file = [](const std::string& name, const std::string& machine) {
    return load_result_file(name, R"({"ctxbench": {"schema_version": 2}, "machine": )" + machine +
                                      R"(, "results": [{"id": "p", "status": "ok", "samples": [1, 2]}]})");
  };
  const auto fields = [](const std::vector<ResultFile>& files) {
    std::vector<std::string> out;
    for (const MachineDifference& d : machine_differences(files)) out.push_back(d.field);
    return out;
  };
  const ResultFile old_file = file("old.json", R"({"cpu_model": "X"})");
  const ResultFile eevdf = file("a.json", R"({"cpu_model": "X", "scheduler": "eevdf"})");
  const ResultFile lavd = file("b.json", R"({"cpu_model": "X", "scheduler": "sched_ext", "sched_ext_ops": "lavd",
                         "sched_autogroup_enabled": false})");
  EXPECT_EQ(fields({old_file, eevdf}), std::vector<std::string>{});  // the old file does not say
  EXPECT_EQ(fields({eevdf, lavd}), std::vector<std::string>{"scheduler"});
  // Microcode and PCID/INVPCID (issue 24's machine record): named when both files say them and they differ.
  const ResultFile mc1 = file("c.json", R"({"cpu_model": "X", "microcode": "0xb4", "pcid": true, "invpcid": true})");
  const ResultFile mc2 = file("d.json", R"({"cpu_model": "X", "microcode": "0xb6", "pcid": true, "invpcid": false})");
  EXPECT_EQ(fields({mc1, mc2}), (std::vector<std::string>{"microcode", "invpcid"}));
  EXPECT_EQ(fields({old_file, mc2}), std::vector<std::string>{});
}

}  // namespace
}  // namespace ctxbench
