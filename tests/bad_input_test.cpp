// Bad input through the real binary (docs/inputs.md): every case gives a message naming the flag or
// file, exit status 2, no crash, and no output file (nor temp file) left behind. The parser-level cases
// live in options_test.cpp; these exercise main() end to end, including the file checks.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/run_util.hpp"

namespace {

using namespace ctxbench_test;

struct BadCase {
  std::vector<std::string> args;
  std::string expected;  // a piece of the message: the flag or file it is about
};

TEST(BadInput, EveryCaseExitsTwoNamesTheProblemAndWritesNothing) {
  const std::string long_regex(1025, 'a');
  const std::string slow_regex = ".*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*x$";
  const std::string not_a_dir = "/etc/hostname/out.json";  // parent is a regular file
  const std::vector<BadCase> cases = {
      {{"--timeout", "-1"}, "--timeout"},
      {{"--timeout", "abc"}, "--timeout"},
      {{"--timeout", "86401"}, "--timeout"},
      {{"--timeout=1.5"}, "--timeout"},
      {{"--timeout"}, "--timeout"},
      {{"--repetitions", "1001"}, "--repetitions"},
      {{"--repetitions", ""}, "--repetitions"},
      {{"--repetitions", " 3"}, "--repetitions"},
      {{"--repetitions", "0x10"}, "--repetitions"},
      {{"--benchmark_repetitions=0"}, "--benchmark_repetitions"},
      {{"--cpus", "0,1,2"}, "--cpus"},
      {{"--cpus", "99999999999,0"}, "--cpus"},
      {{"--cpus", ",1"}, "--cpus"},
      {{"--cpus", "1,"}, "--cpus"},
      {{"--placement", "same,"}, "--placement"},
      {{"--placement", "SAME"}, "--placement"},
      {{"--placement", "same,,cross"}, "--placement"},
      {{"--filter", "*"}, "--filter"},
      {{"--filter", "(?<=a)b"}, "--filter"},
      {{"--filter", "a{2,1}"}, "--filter"},
      {{"--filter", long_regex}, "at most 1024"},
      {{"--filter", slow_regex}, "takes too long"},
      {{"--benchmark_filter=["}, "--benchmark_filter"},
      {{"--benchmark_out_format=csv"}, "--benchmark_out_format"},
      {{"--benchmark_out="}, "--benchmark_out"},
      {{"--benchmark_min_time=1"}, "--benchmark_min_time"},
      {{"run"}, "'run'"},
      {{"-"}, "'-'"},
      {{"--"}, "'--'"},
      {{"--list=yes"}, "--list"},
      {{"--version=2"}, "--version"},
      {{"--help=me"}, "--help"},
      {{"--label"}, "--label"},
      {{"--context"}, "--context"},
      {{"--context", ""}, "--context"},
      {{"--server-work", "50 us"}, "--server-work"},
      {{"--server-connections", "many"}, "--server-connections"},
      {{"--explain", "--explain-tail", "2"}, "--explain-tail"},
      {{"--explain-tail", "1%"}, "--explain-tail"},
      {{"--filter", "^baseline", "--placement", "cross", "--filter", "^nothing-matches"}, "--filter"},
  };
  int passed = 0;
  for (const BadCase& c : cases) {
    const std::string dir = make_temp_dir("bad");
    std::vector<std::string> args = c.args;
    // --json last so a flag missing its value above does not swallow it; a case about the value of
    // --label/--context/--timeout with no value keeps that flag last instead.
    const bool flag_last =
        args.size() == 1 && args[0].rfind("--", 0) == 0 && args[0].find('=') == std::string::npos && args[0] != "--";
    if (!flag_last)
      args.insert(args.end(), {"--quick", "--json", dir + "/out.json"});
    else
      args.insert(args.begin(), {"--quick", "--json", dir + "/out.json"});
    const Outcome o = run_with(ctxbench(args), {}, {}, 60);
    std::string what = c.args[0];
    if (c.args.size() > 1) what.append(" ").append(c.args[1], 0, 40);
    EXPECT_EQ(o.exit_code, 2) << what << ": " << o.err;
    EXPECT_NE(o.err.find(c.expected), std::string::npos) << what << ": " << o.err;
    EXPECT_TRUE(dir_entries(dir).empty()) << what << ": left a file behind";
    if (o.exit_code == 2 && o.err.find(c.expected) != std::string::npos && dir_entries(dir).empty()) ++passed;
    remove_tree(dir);
  }
  // Output paths that cannot work: each is refused before anything runs, naming the path.
  const std::string dir = make_temp_dir("badpath");
  const std::vector<BadCase> paths = {
      {{dir}, "is a directory"},
      {{dir + "/missing/out.json"}, "does not exist"},
      {{not_a_dir}, "does not exist"},
      {{"/dev/null"}, "not a regular file"},
  };
  for (const BadCase& c : paths) {
    const Outcome o = run_with(ctxbench({"--quick", "--filter", "^baseline.clock", "--json", c.args[0]}), {}, {}, 60);
    EXPECT_EQ(o.exit_code, 2) << c.args[0] << ": " << o.err;
    EXPECT_NE(o.err.find(c.expected), std::string::npos) << c.args[0] << ": " << o.err;
    EXPECT_NE(o.err.find(c.args[0]), std::string::npos) << "the message names the path: " << o.err;
    if (o.exit_code == 2 && o.err.find(c.expected) != std::string::npos) ++passed;
  }
  EXPECT_TRUE(dir_entries(dir).empty());
  remove_tree(dir);
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null must still be the device";
  std::printf("bad input through the binary: %d of %zu cases exit 2 with the flag/file named and nothing written\n",
              passed, cases.size() + paths.size());
}

// Regression (found while writing the table): an --label that is not UTF-8 made the JSON dump throw
// after the whole run, losing the file. Now the run succeeds and the label is stored with U+FFFD.
TEST(BadInput, InvalidUtf8LabelStillGivesValidJson) {
  const std::string dir = make_temp_dir("utf8");
  const std::string path = dir + "/out.json";
  const Outcome o =
      run_with(ctxbench({"--quick", "--filter", "^baseline.clock", "--label", "\xff\xfe bad", "--json", path}));
  EXPECT_EQ(o.exit_code, 0) << o.err;
  ASSERT_TRUE(exists(path));
  const nlohmann::json doc = nlohmann::json::parse(slurp(path));
  EXPECT_NE(doc.dump().find("bad"), std::string::npos);
  remove_tree(dir);
}

}  // namespace
