// `ctxbench compare` as a CI gate: exit 0 / 1 / 2 on the fixture files of tests/fixtures/results/, and
// Google Benchmark's compare.py driving the ctxbench binary directly.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

struct Outcome {
  int exit_code = -1;
  std::string out;
};

std::string fixture(const std::string& name) {
  return std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/results/" + name;
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/ctxbench_compare_" + std::to_string(::getpid()) + "_" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command line with stdout+stderr captured; the paths involved contain no quotes.
Outcome sh(const std::string& command) {
  const std::string out = temp_path("out");
  const int status = std::system((command + " >'" + out + "' 2>&1").c_str());
  Outcome o;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.out = slurp(out);
  std::remove(out.c_str());
  return o;
}

Outcome compare(const std::string& args) { return sh(std::string("'") + CTXBENCH_BINARY + "' compare " + args); }

TEST(CompareCli, SameFileIsExitZeroWithNoSignificantChange) {
  const Outcome o = compare(fixture("kvm2_a.json") + " " + fixture("kvm2_a.json"));
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_NE(o.out.find("ctxswitch.pipe.process/same-cpu"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("no significant change"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("REGRESSION"), std::string::npos) << o.out;
}

TEST(CompareCli, OneAndAHalfTimesSlowerIsExitOne) {
  const std::string json_out = temp_path("cmp.json");
  const Outcome o = compare(fixture("kvm2_a.json") + " " + fixture("kvm2_slower.json") + " --json " + json_out);
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_NE(o.out.find("REGRESSION"), std::string::npos) << o.out;
  const auto doc = nlohmann::json::parse(slurp(json_out));
  std::remove(json_out.c_str());
  EXPECT_GT(doc["regressions"].get<int>(), 0);
  // The same files the other way round: everything is faster, no regression.
  EXPECT_EQ(compare(fixture("kvm2_slower.json") + " " + fixture("kvm2_a.json")).exit_code, 0);
  // A threshold above the slowdown lets it pass.
  EXPECT_EQ(compare(fixture("kvm2_a.json") + " " + fixture("kvm2_slower.json") + " --threshold 60").exit_code, 0);
}

TEST(CompareCli, DifferentMachineSetupIsShownAndOneSidedProbesListed) {
  const Outcome o = compare(fixture("kvm2_a.json") + " " + fixture("kvm2_b.json"));
  EXPECT_LE(o.exit_code, 1) << o.out;
  EXPECT_NE(o.out.find("affinity"), std::string::npos) << o.out;  // taskset -c 0 vs both CPUs
  EXPECT_NE(o.out.find("only in base"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("shm.pingpong/cross-cpu"), std::string::npos) << o.out;
}

// A/A: two real back-to-back default runs of one build on the development VM (tests/fixtures/results/
// aa_run1.json, aa_run2.json: validation runs of docs/METHODOLOGY.md, "How far a rerun moves", samples
// stripped). Run-to-run drift is no regression; the same second run 1.5x slower everywhere is.
TEST(CompareCli, BackToBackRunsOfOneBuildAreNoRegression) {
  const Outcome o = compare(fixture("aa_run1.json") + " " + fixture("aa_run2.json"));
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_EQ(o.out.find("REGRESSION"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("rerun"), std::string::npos) << o.out;

  nlohmann::json slower = nlohmann::json::parse(slurp(fixture("aa_run2.json")));
  for (auto& r : slower["results"]) {
    if (r["status"] != "ok") continue;
    for (auto& rep : r["repetitions"]) rep["median_ns"] = rep["median_ns"].get<double>() * 1.5;
    r["statistics"]["p50"] = r["statistics"]["p50"].get<double>() * 1.5;
    r.erase("rerun_ratio_95");  // recomputed from the scaled repetitions: the same width
  }
  const std::string path = temp_path("aa_slower.json");
  std::ofstream(path) << slower.dump();
  const Outcome s = compare(fixture("aa_run1.json") + " " + path);
  std::remove(path.c_str());
  EXPECT_EQ(s.exit_code, 1) << s.out;
  EXPECT_NE(s.out.find("REGRESSION"), std::string::npos) << s.out;
}

TEST(CompareCli, MoreThanTwoFilesGiveAMatrix) {
  const Outcome o = compare(fixture("kvm2_a.json") + " " + fixture("kvm2_b.json") + " " + fixture("kvm2_slower.json"));
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_NE(o.out.find("[3]/[1]"), std::string::npos) << o.out;
}

TEST(CompareCli, BadInputIsExitTwoNamingTheFile) {
  const std::string base = fixture("kvm2_a.json");
  for (const char* name : {"missing.json", "not_json.json", "bad_schema.json", "no_common.json"}) {
    const Outcome o = compare(base + " " + fixture(name));
    EXPECT_EQ(o.exit_code, 2) << name << ": " << o.out;
    EXPECT_NE(o.out.find(name), std::string::npos) << o.out;
  }
  EXPECT_EQ(compare(base).exit_code, 2);
  EXPECT_EQ(compare(base + " " + base + " --alpha 2").exit_code, 2);
  EXPECT_EQ(compare(base + " " + base + " --bogus").exit_code, 2);
  // A bad --json path fails before anything is written.
  const Outcome o = compare(base + " " + base + " --json /nonexistent-dir/x.json");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.out.find("/nonexistent-dir"), std::string::npos) << o.out;
}

TEST(CompareCli, OutputIsReproducible) {
  const std::string args = fixture("kvm2_a.json") + " " + fixture("kvm2_b.json");
  EXPECT_EQ(compare(args).out, compare(args).out);
}

#ifndef CTXBENCH_SANITIZED
// compare.py treats an ELF file as a benchmark binary: it runs it with --benchmark_out=TMP and the other
// --benchmark_* flags, then reads TMP. The aliases make that work with ctxbench itself.
TEST(CompareCli, GoogleBenchmarkComparePyRunsTheBinary) {
  if (::access("/usr/share/benchmark/compare.py", R_OK) != 0) GTEST_SKIP() << "libbenchmark-tools not installed";
  const std::string bin = CTXBENCH_BINARY;
  const Outcome o = sh("/usr/bin/python3 /usr/share/benchmark/compare.py benchmarks '" + bin + "' '" + bin +
                       "' --benchmark_filter=baseline.syscall --benchmark_repetitions=3 --quick");
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_NE(o.out.find("baseline.syscall/real_time"), std::string::npos) << o.out;
}
#endif

}  // namespace
