#include "src/options.hpp"

#include <gtest/gtest.h>

namespace ctxbench {
namespace {

Options parse(std::vector<std::string> args) { return parse_options(args); }

std::string error_of(std::vector<std::string> args) {
  try {
    parse_options(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(Options, DefaultsRunAllPlacements) {
  const Options o = parse({});
  EXPECT_FALSE(o.json_path);
  EXPECT_FALSE(o.quick);
  EXPECT_EQ(o.placements.size(), 3u);
  EXPECT_FALSE(o.repetitions);
}

TEST(Options, SpaceAndEqualsFormsAgree) {
  const Options a = parse({"--json", "x.json", "--filter", "pipe", "--repetitions", "4", "--cpus", "0,1"});
  const Options b = parse({"--json=x.json", "--filter=pipe", "--repetitions=4", "--cpus=0,1"});
  for (const Options* o : {&a, &b}) {
    EXPECT_EQ(*o->json_path, "x.json");
    EXPECT_EQ(*o->filter, "pipe");
    EXPECT_EQ(*o->repetitions, 4);
    EXPECT_EQ(o->cpus->first, 0);
    EXPECT_EQ(o->cpus->second, 1);
  }
}

TEST(Options, GoogleBenchmarkAliases) {
  const Options o = parse({"--benchmark_out=r.json", "--benchmark_out_format=json", "--benchmark_filter=fork",
                           "--benchmark_repetitions=3"});
  EXPECT_EQ(*o.json_path, "r.json");
  EXPECT_EQ(*o.filter, "fork");
  EXPECT_EQ(*o.repetitions, 3);
  EXPECT_NE(error_of({"--benchmark_out_format=csv"}).find("--benchmark_out_format"), std::string::npos);
}

TEST(Options, PlacementListKeepsOrderAndDropsDuplicates) {
  const Options o = parse({"--placement", "cross,same,cross"});
  ASSERT_EQ(o.placements.size(), 2u);
  EXPECT_EQ(o.placements[0], PlacementKind::CrossCpu);
  EXPECT_EQ(o.placements[1], PlacementKind::SameCpu);
}

TEST(Options, ContextPairsAndLabel) {
  const Options o = parse({"--label", "laptop", "--context", "kernel=6.1", "--context", "note=a=b"});
  EXPECT_EQ(o.label, "laptop");
  ASSERT_EQ(o.context.size(), 2u);
  EXPECT_EQ(o.context[1].first, "note");
  EXPECT_EQ(o.context[1].second, "a=b");
}

// Every bad input names the flag it is about.
TEST(Options, BadInputNamesTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--bogus"}, "--bogus"},
      {{"-x"}, "-x"},
      {{"--json"}, "--json"},
      {{"--json="}, "--json"},
      {{"--repetitions", "0"}, "--repetitions"},
      {{"--repetitions", "-3"}, "--repetitions"},
      {{"--repetitions", "ten"}, "--repetitions"},
      {{"--repetitions", "99999999999"}, "--repetitions"},
      {{"--repetitions", "5x"}, "--repetitions"},
      {{"--cpus", "0"}, "--cpus"},
      {{"--cpus", "a,b"}, "--cpus"},
      {{"--cpus", "1,1"}, "--cpus"},
      {{"--cpus", "0,-1"}, "--cpus"},
      {{"--cpus", ""}, "--cpus"},
      {{"--placement", "sideways"}, "--placement"},
      {{"--placement", ""}, "--placement"},
      {{"--filter", "(unclosed"}, "--filter"},
      {{"--context", "novalue"}, "--context"},
      {{"--context", "=v"}, "--context"},
      {{"--quick=yes"}, "--quick"},
      {{"--server-work", "fast"}, "--server-work"},
      {{"--server-work", "1us,"}, "--server-work"},
      {{"--server-work", "1s"}, "--server-work"},
      {{"--server-work", "200ms"}, "--server-work"},
      {{"--server-work", "1us,1000"}, "--server-work"},
      {{"--server-connections", "0"}, "--server-connections"},
      {{"--server-connections", "1,,4"}, "--server-connections"},
      {{"--server-connections", "65537"}, "--server-connections"},
      {{"--server-connections", "4,4"}, "--server-connections"},
      {{"--explain", "--explain-tail", "1"}, "--explain-tail"},
      {{"--explain", "--explain-tail", "0%"}, "--explain-tail"},
      {{"--explain", "--explain-tail", "-1%"}, "--explain-tail"},
      {{"--explain", "--explain-tail", "51%"}, "--explain-tail"},
      {{"--explain", "--explain-tail", "%"}, "--explain-tail"},
      {{"--explain", "--explain-tail", "1x%"}, "--explain-tail"},
      {{"--explain", "--explain-tail", "nan%"}, "--explain-tail"},
      {{"--explain", "--explain-tail"}, "--explain-tail"},
      {{"--explain-tail", "1%"}, "--explain-tail needs --explain"},
  };
  for (const auto& [args, flag] : cases) {
    const std::string message = error_of(args);
    EXPECT_NE(message.find(flag), std::string::npos) << "args[0]=" << args[0] << " message=" << message;
  }
}

}  // namespace
}  // namespace ctxbench

namespace ctxbench {
namespace {

TEST(Options, ExplainTailIsAPercentage) {
  EXPECT_DOUBLE_EQ(parse_options({"--explain"}).explain_tail, 0.01);
  EXPECT_DOUBLE_EQ(parse_options({"--explain", "--explain-tail", "0.1%"}).explain_tail, 0.001);
  EXPECT_DOUBLE_EQ(parse_options({"--explain", "--explain-tail=50%"}).explain_tail, 0.5);
}

TEST(Options, ServerSweepListsParseWithUnits) {
  const Options o = parse_options({"--server-work", "1us,500ns,2ms,7", "--server-connections=1,8,2048"});
  EXPECT_EQ(o.server_work_ns, (std::vector<std::uint64_t>{1000, 500, 2'000'000, 7}));
  EXPECT_EQ(o.server_connections, (std::vector<int>{1, 8, 2048}));
  EXPECT_TRUE(parse_options({}).server_work_ns.empty());
  EXPECT_TRUE(parse_options({}).server_connections.empty());
}

TEST(Options, TimeoutParsesAndRejectsBadValues) {
  EXPECT_EQ(*parse_options({"--timeout", "5"}).timeout_s, 5);
  EXPECT_EQ(*parse_options({"--timeout=0"}).timeout_s, 0);  // 0: no watchdog
  EXPECT_FALSE(parse_options({}).timeout_s);
  for (const char* bad : {"-1", "x", "1e3", "86401", ""}) {
    try {
      parse_options({"--timeout", bad});
      ADD_FAILURE() << bad << " accepted";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--timeout"), std::string::npos) << e.what();
    }
  }
}

// Regression: a 100 000-character pattern overflowed the stack inside libstdc++'s regex compiler
// (SIGSEGV); patterns are now capped before compiling.
TEST(Options, HugeRegexIsRefusedNotCompiled) {
  try {
    parse_options({"--filter", std::string(100000, 'a')});
    ADD_FAILURE() << "accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("at most 1024"), std::string::npos) << e.what();
  }
  try {
    parse_options({"--filter", std::string(30000, '(') + std::string(30000, ')')});
    ADD_FAILURE() << "accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--filter"), std::string::npos);
  }
  EXPECT_NO_THROW(parse_options({"--filter", std::string(1024, 'a')}));
}

}  // namespace
}  // namespace ctxbench

namespace ctxbench {
namespace {

// Regression, found by fuzz/options_fuzz.cpp (UBSan: signed overflow in libstdc++'s
// _Compiler::_M_cur_int_value): a back-reference with a huge number.
TEST(Options, HugeNumberInRegexIsRefused) {
  for (const std::string& re : {std::string("a\\") + std::string(80, '6'), std::string("a{99999999999}")}) {
    try {
      parse_options({"--filter", re});
      ADD_FAILURE() << re << " accepted";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--filter"), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(parse_options({"--filter", "a{1,3}"}));
}

}  // namespace
}  // namespace ctxbench
