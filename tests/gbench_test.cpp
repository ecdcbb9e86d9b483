// ctxbench-gbench: the registry's probes through the Google Benchmark library.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "engine/probe.hpp"
#include "tests/probe_table.hpp"

namespace {

std::string run_capture(const std::string& args, int* exit_code) {
  const std::string out = ::testing::TempDir() + "/ctxbench_gbench_" + std::to_string(::getpid());
  const int status =
      std::system((std::string("'") + CTXBENCH_GBENCH_BINARY + "' " + args + " >'" + out + "' 2>/dev/null").c_str());
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  std::remove(out.c_str());
  return ss.str();
}

TEST(Gbench, RegistersEveryProbeAndPlacement) {
  int code = -1;
  const std::string list = run_capture("--benchmark_list_tests=true", &code);
  EXPECT_EQ(code, 0);
  for (const char* id : {"baseline.clock", "baseline.syscall", "ipc.pipe.self", "ctxswitch.pipe.process/same-cpu",
                         "ctxswitch.pipe.thread/unpinned", "ctxswitch.futex.thread/same-cpu", "process.fork_exit",
                         "process.posix_spawn", "thread.create_join", "shm.pingpong/cross-cpu"})
    EXPECT_NE(list.find(id), std::string::npos) << id << "\n" << list;
}

TEST(Gbench, RunsAProbeWithManualTime) {
  int code = -1;
  const std::string out = run_capture(
      "--benchmark_filter='^(baseline.syscall|ctxswitch.pipe.thread/same-cpu)' --benchmark_min_time=0.02 "
      "--benchmark_format=json",
      &code);
  ASSERT_EQ(code, 0) << out;
  const auto doc = nlohmann::json::parse(out);
  ASSERT_EQ(doc["benchmarks"].size(), 2u) << out;
  double syscall = 0, pipe = 0;
  for (const auto& b : doc["benchmarks"]) {
    EXPECT_FALSE(b.contains("error_occurred") && b["error_occurred"].get<bool>()) << b.dump();
    const std::string name = b["name"].get<std::string>();
    EXPECT_NE(name.find("manual_time"), std::string::npos) << name;
    (name.rfind("baseline.syscall", 0) == 0 ? syscall : pipe) = b["real_time"].get<double>();
  }
  EXPECT_GT(syscall, 0);
#ifndef CTXBENCH_SANITIZED
  // Physics, wide margin: a pipe round trip between two threads includes two switches and four syscalls.
  EXPECT_GT(pipe, syscall);
#endif
}

// Google Benchmark aborts a run whose repetitions end on different iteration counts; a batch calibrated
// anew in each repetition did that (self-timed ipc one-way and batched pipe alike). Every repetition and
// its aggregates must come out.
TEST(Gbench, RepetitionsOfBatchedAndSelfTimedProbesComplete) {
  int code = -1;
  const std::string out = run_capture(
      "--benchmark_filter='^(ipc.pipe.process.one_way/size:64/same-cpu|ctxswitch.pipe.thread/same-cpu)/' "
      "--benchmark_min_time=0.01 --benchmark_repetitions=3 --benchmark_format=json",
      &code);
  ASSERT_EQ(code, 0) << out;
  const auto doc = nlohmann::json::parse(out);
  int runs = 0, medians = 0;
  for (const auto& b : doc["benchmarks"]) {
    EXPECT_FALSE(b.contains("error_occurred") && b["error_occurred"].get<bool>()) << b.dump();
    if (b.value("run_type", "") == "iteration") ++runs;
    if (b.value("aggregate_name", "") == "median") ++medians;
  }
  EXPECT_EQ(runs, 6) << out;
  EXPECT_EQ(medians, 2) << out;
}

// Same name, same op: ctxbench-gbench divides by inner_ops and uses a self-timed session's own values
// exactly where ctxbench's runner does. Physics-free: the counters it reports against the registry.
TEST(Gbench, OpsAreCtxbenchsOps) {
  int code = -1;
  const std::string out = run_capture(
      "--benchmark_filter='^(ctxswitch.ring/tasks:2/same-cpu|ipc.pipe.process.one_way/size:64/same-cpu|"
      "shm.c2c/cpu_a:0/cpu_b:1|ctxswitch.pipe.process/same-cpu)' --benchmark_min_time=0.02 --benchmark_format=json",
      &code);
  ASSERT_EQ(code, 0) << out;
  const auto doc = nlohmann::json::parse(out);
  int checked = 0;
  for (const auto& b : doc["benchmarks"]) {
    if (b.contains("error_occurred") && b["error_occurred"].get<bool>()) continue;  // e.g. one CPU: no c2c
    std::string name = b["name"].get<std::string>();
    name = name.substr(0, name.find("/manual_time"));
    const std::string probe_name = name.substr(0, name.rfind('/'));  // drop the placement
    const ctxbench::Probe* probe = nullptr;
    for (const auto& p : ctxbench::default_probe_table())
      if (p->info().name == probe_name) probe = p.get();
    ASSERT_NE(probe, nullptr) << name;
    EXPECT_EQ(b["inner_ops"].get<double>(), static_cast<double>(std::max<std::uint64_t>(probe->info().inner_ops, 1)))
        << name;
    // The one-way IPC probe times itself (sender's timestamp to receiver's clock); the others are batches.
    const bool self_timed = probe_name.find(".one_way") != std::string::npos;
    EXPECT_EQ(b.value("label", ""), self_timed ? "self-timed" : "batch-timed") << name;
    ++checked;
  }
  EXPECT_GE(checked, 3) << out;
}

}  // namespace
