// --keep-awake spinners (owned, SCHED_IDLE, pinned, gone with their owner) and the runner's observed
// CPUs, on the real OS.
#include "engine/keep_awake.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <string>

#include "engine/runner.hpp"
#include "engine/task_cpu.hpp"
#include "tests/probe_table.hpp"

namespace ctxbench {
namespace {

const Probe& probe_named(const std::string& name) {
  for (const auto& p : default_probe_table())
    if (p->info().name == name) return *p;
  throw std::runtime_error("no probe " + name);
}

RunnerSettings tiny() {
  RunnerSettings s = RunnerSettings::quick();
  s.repetitions = 2;
  s.sample_budget_ns = 5'000'000;
  s.warmup_budget_ns = 1'000'000;
  return s;
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

TEST(KeepAwake, OneIdleSpinnerPerCpuAndNoneLeftAfterwards) {
  const std::vector<int> cpus = allowed_cpus();
  std::vector<pid_t> pids;
  {
    KeepAwake awake(cpus);
    pids = awake.pids();
    ASSERT_EQ(pids.size(), cpus.size());
    for (std::size_t i = 0; i < pids.size(); ++i) {
      EXPECT_EQ(::sched_getscheduler(pids[i]), SCHED_IDLE) << "spinner " << pids[i];
      cpu_set_t set;
      CPU_ZERO(&set);
      ASSERT_EQ(::sched_getaffinity(pids[i], sizeof set, &set), 0);
      EXPECT_EQ(CPU_COUNT(&set), 1);
      EXPECT_TRUE(CPU_ISSET(cpus[i], &set));
    }
  }
  // The destructor SIGKILLed and reaped them: the pids no longer exist (not even as zombies).
  for (pid_t pid : pids) EXPECT_FALSE(alive(pid)) << "spinner " << pid << " outlived its owner";
}

TEST(KeepAwake, RunnerRecordsItAndReapsTheSpinners) {
  const std::vector<int> cpus = allowed_cpus();
  if (cpus.size() < 2) GTEST_SKIP() << "needs two CPUs";
  RunnerSettings s = tiny();
  s.keep_awake = true;
  const ProbeRun run =
      run_probe(probe_named("ctxswitch.pipe.process"), {PlacementKind::CrossCpu, cpus[0], cpus[1]}, s, 40);
  ASSERT_EQ(run.status, RunStatus::Ok) << run.reason;
  EXPECT_TRUE(run.keep_awake);
  EXPECT_EQ(run.keep_awake_cpus, (std::vector<int>{cpus[0], cpus[1]}));
  // No child of ours is left: every spinner and partner was reaped (waitpid finds nothing).
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(ObservedCpus, PinnedPartnerIsSeenOnItsCpu) {
  const std::vector<int> cpus = allowed_cpus();
  if (cpus.size() < 2) GTEST_SKIP() << "needs two CPUs";
  const RunnerSettings s = tiny();
  const ProbeRun run =
      run_probe(probe_named("ctxswitch.pipe.thread"), {PlacementKind::CrossCpu, cpus[0], cpus[1]}, s, 40);
  ASSERT_EQ(run.status, RunStatus::Ok) << run.reason;
  for (const RepetitionRun& rep : run.repetitions) {
    ASSERT_EQ(rep.task_cpus.size(), 2u);
    for (int c : rep.task_cpus[0]) EXPECT_EQ(c, cpus[0]);
    for (int c : rep.task_cpus[1]) EXPECT_EQ(c, cpus[1]);
  }
}

TEST(ObservedCpus, UnpinnedRunRecordsBothTasksForEverySample) {
  const ProbeRun run = run_probe(probe_named("ctxswitch.pipe.process"), {PlacementKind::Unpinned, -1, -1}, tiny(), 40);
  ASSERT_EQ(run.status, RunStatus::Ok) << run.reason;
  const std::vector<int> cpus = allowed_cpus();
  for (const RepetitionRun& rep : run.repetitions) {
    ASSERT_EQ(rep.task_cpus.size(), 2u);
    for (const std::vector<int>& task : rep.task_cpus) {
      ASSERT_EQ(task.size(), rep.ns_per_op.size());
      for (int c : task) EXPECT_NE(std::find(cpus.begin(), cpus.end(), c), cpus.end()) << c;
    }
  }
}

TEST(ObservedCpus, ReaderSaysMinusOneForAGoneTask) {
  const TaskCpuReader r({TaskId{0x7ffffff0, 0x7ffffff0}});
  EXPECT_EQ(r.cpu(0), -1);
  EXPECT_EQ(r.cpu(5), -1);
}

}  // namespace
}  // namespace ctxbench
