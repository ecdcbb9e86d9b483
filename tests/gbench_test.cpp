// ctxbench-gbench: the registry's probes through the Google Benchmark library.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

std::string run_capture(const std::string& args, int* exit_code) {
  const std::string out = ::testing::TempDir() + "/ctxbench_gbench_" + std::to_string(::getpid());
  const int status = std::system((std::string("'") + CTXBENCH_GBENCH_BINARY + "' " + args + " >'" + out + "' 2>/dev/null").c_str());
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

}  // namespace
