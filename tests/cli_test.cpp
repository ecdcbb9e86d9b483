// Integration tests: the real ctxbench binary, run the way a user runs it. Assertions are what physics
// guarantees, with wide margins — never a tight absolute time (these machines are shared and noisy).
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/run_util.hpp"

namespace {

using nlohmann::json;

using ctxbench_test::ctxbench;
using ctxbench_test::exists;
using ctxbench_test::Outcome;
using ctxbench_test::processes_in_group;
using ctxbench_test::slurp;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/ctxbench_cli_" + std::to_string(::getpid()) + "_" + name;
}

// Runs argv (no shell) with stdout/stderr captured; a hang is killed after 15 minutes and fails.
Outcome run(const std::vector<std::string>& args) { return ctxbench_test::run_with(args, {}, {}, 900); }

// p50 of a result id ("probe/placement"), or NaN when absent or not ok.
double p50(const json& doc, const std::string& id) {
  for (const json& r : doc["results"])
    if (r["id"] == id && r["status"] == "ok") return r["statistics"]["p50"].get<double>();
  return std::nan("");
}

// Fastest sample of a result id, or NaN. Orderings compare these: on a loaded machine noise only ever
// adds time, so the fastest op is the one closest to the physics (a busy neighbour once made a median
// fork+exit slower than a median fork+exec here).
double fastest(const json& doc, const std::string& id) {
  for (const json& r : doc["results"])
    if (r["id"] == id && r["status"] == "ok") return r["statistics"]["min"].get<double>();
  return std::nan("");
}

// One quick run of every probe, shared by the tests that read its results (a sanitizer build leaves out
// the probes it runs too slowly, tests/run_util.hpp).
class QuickRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = temp_path("quick.json");
#ifdef CTXBENCH_SANITIZED
    outcome_ = run(
        ctxbench({"--quick", "--filter", "^" + ctxbench_test::too_slow_under_sanitizer_lookahead(), "--json", path_}));
#else
    outcome_ = run(ctxbench({"--quick", "--json", path_}));
#endif
    if (exists(path_)) doc_ = json::parse(slurp(path_));
  }
  static void TearDownTestSuite() { std::remove(path_.c_str()); }
  static std::string path_;
  static Outcome outcome_;
  static json doc_;
};
std::string QuickRun::path_;
Outcome QuickRun::outcome_;
json QuickRun::doc_;

TEST_F(QuickRun, ExitsZeroWithTableAndJson) {
  EXPECT_EQ(outcome_.exit_code, 0) << outcome_.err;
  EXPECT_NE(outcome_.out.find("p50"), std::string::npos);
  ASSERT_TRUE(doc_.is_object());
  for (const char* key : {"context", "benchmarks", "ctxbench", "machine", "results"})
    EXPECT_TRUE(doc_.contains(key)) << key;
  EXPECT_EQ(doc_["ctxbench"]["complete"], true);
  EXPECT_EQ(doc_["ctxbench"]["interrupted"], false);
}

TEST_F(QuickRun, EveryResultIsOkWithPositiveFiniteValuesOrSkippedWithReason) {
  ASSERT_TRUE(doc_.is_object());
  std::set<std::string> probes;
  for (const json& r : doc_["results"]) {
    probes.insert(r["probe"].get<std::string>());
    const std::string id = r["id"];
    ASSERT_TRUE(r["status"] == "ok" || r["status"] == "skipped") << id << ": " << r.value("reason", "");
    EXPECT_FALSE(r["op"].get<std::string>().empty()) << id;
    if (r["status"] == "skipped") {
      EXPECT_FALSE(r.value("reason", "").empty()) << id;
      continue;
    }
    const json& s = r["statistics"];
    for (const char* k : {"min", "p50", "p99", "max", "mean"}) {
      ASSERT_TRUE(s.contains(k)) << id << " " << k;
      const double v = s[k].get<double>();
      EXPECT_TRUE(std::isfinite(v)) << id << " " << k;
      // A derived value may legitimately dip to zero or below; a measured time never does.
      if (!r["derived"].get<bool>()) {
        EXPECT_GT(v, 0) << id << " " << k;
      }
    }
    EXPECT_FALSE(r["samples"].empty()) << id;
  }
  for (const char* name :
       {"baseline.clock", "baseline.syscall", "ipc.pipe.self", "ctxswitch.pipe.process", "ctxswitch.pipe.thread",
        "ctxswitch.futex.process", "ctxswitch.futex.thread", "process.fork_exit", "process.fork_exec.static",
        "process.fork_exec.bin_true", "process.posix_spawn", "process.posix_spawn.bin_true", "thread.create_join",
        "shm.pingpong", "ctxswitch.pipe.process.per_switch", "shm.pingpong.one_way"})
    EXPECT_TRUE(probes.count(name)) << name;
}

TEST_F(QuickRun, SwitchingProbesReportKernelCountedSwitchesBesideExpected) {
  ASSERT_TRUE(doc_.is_object());
  int checked = 0;
  for (const json& r : doc_["results"]) {
    if (r["family"] != "ctxswitch" || r["status"] != "ok" || r["derived"].get<bool>()) continue;
    // The pipe and futex ping-pongs (the ring, yield and working-set probes state their own counts).
    const std::string probe = r["probe"];
    if (probe.rfind("ctxswitch.pipe.", 0) != 0 && probe.rfind("ctxswitch.futex.", 0) != 0) continue;
    ASSERT_TRUE(r.contains("switches_per_op")) << r["id"];
    EXPECT_EQ(r["switches_per_op"]["expected"], 2) << r["id"];
    // A blocking ping-pong cannot complete a round trip without the kernel switching at least once.
    EXPECT_GT(r["switches_per_op"]["measured"].get<double>(), 0.5) << r["id"];
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

TEST_F(QuickRun, OrderingsPhysicsGuarantees) {
  ASSERT_TRUE(doc_.is_object());
#ifdef CTXBENCH_SANITIZED
  GTEST_SKIP()
      << "sanitizer build: its runtime distorts timings (TSan makes fork cost ms); the Release pass checks these";
#endif
  // Creation probes in each of their placements: the orderings hold on one CPU and unpinned alike.
  for (const std::string where : {"/same-cpu", "/unpinned"}) {
    const double thread_create = fastest(doc_, "thread.create_join" + where);
    const double fork_exit = fastest(doc_, "process.fork_exit" + where);
    const double fork_exec = fastest(doc_, "process.fork_exec.static" + where);
    EXPECT_LT(thread_create, fork_exit) << where;
    EXPECT_LT(fork_exit, fork_exec) << where;
    EXPECT_LT(fork_exit, fastest(doc_, "process.fork_exec.bin_true" + where)) << where;
  }
  EXPECT_LT(fastest(doc_, "baseline.syscall"), fastest(doc_, "ctxswitch.pipe.process/same-cpu"));
  const double shm = fastest(doc_, "shm.pingpong/cross-cpu");
  const double pipe_cross = fastest(doc_, "ctxswitch.pipe.process/cross-cpu");
  if (std::isnan(shm) || std::isnan(pipe_cross)) GTEST_SKIP() << "cross-cpu not available on this machine";
  EXPECT_LT(shm, pipe_cross);
}

// Observed placement (docs/METHODOLOGY.md): every two-task record says where BOTH tasks ran; unpinned ones split into
// groups when both placements occurred; a default run pairs the cross-cpu ping-pongs with a keep-awake twin.
TEST_F(QuickRun, UnpinnedRunRecordsObservedCpusOfBothTasks) {
  ASSERT_TRUE(doc_.is_object());
  int checked = 0;
  for (const json& r : doc_["results"]) {
    if (r["status"] != "ok" || r["derived"].get<bool>() || r["placement"]["kind"] != "unpinned") continue;
    // Creation probes have one long-lived task; what they create lives within one op.
    if (r["family"] == "process" || r["family"] == "thread") continue;
    ASSERT_TRUE(r.contains("observed_cpus")) << r["id"];
    ASSERT_GE(r["observed_cpus"].size(), 2u) << r["id"];  // every task: two for ping-pongs, N for a ring
    for (const json& task : r["observed_cpus"]) {
      std::size_t n = 0;
      for (const json& c : task["cpus"]) {
        EXPECT_GE(c["cpu"].get<int>(), 0) << r["id"];
        n += c["samples"].get<std::size_t>();
      }
      EXPECT_EQ(n, r["samples"].size()) << r["id"] << ": one reading per sample";
    }
    if (r.contains("placement_groups")) {
      double share = 0;
      for (const json& g : r["placement_groups"]) share += g["share"].get<double>();
      EXPECT_NEAR(share, 1.0, 1e-9) << r["id"];
    }
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

TEST_F(QuickRun, CrossCpuPingPongsHaveAKeepAwakeTwinAndMachineSaysIdleAndSteal) {
  ASSERT_TRUE(doc_.is_object());
  const json& m = doc_["machine"];
  EXPECT_TRUE(m.contains("steal_over_run"));
  if (std::isnan(p50(doc_, "ctxswitch.pipe.process/cross-cpu"))) GTEST_SKIP() << "cross-cpu not available";
  for (const char* probe : {"ctxswitch.pipe.process", "ctxswitch.futex.thread"}) {
    bool twin = false;
    for (const json& r : doc_["results"])
      if (r["id"] == std::string(probe) + "/cross-cpu/keep-awake" && r["status"] == "ok") {
        twin = true;
        EXPECT_EQ(r["keep_awake"], true);
        EXPECT_EQ(r["keep_awake_cpus"].size(), 2u);
      }
    EXPECT_TRUE(twin) << probe;
  }
  EXPECT_NE(outcome_.out.find("keep-awake: p50"), std::string::npos) << outcome_.out;
}

TEST_F(QuickRun, GoogleBenchmarkComparePyReadsTheFile) {
  ASSERT_TRUE(exists(path_));
  const std::string other = temp_path("quick_b.json");
  const Outcome second = run(ctxbench({"--quick", "--filter", "baseline|fork_exit", "--json", other}));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const Outcome cmp = run({"/usr/bin/python3", "/usr/share/benchmark/compare.py", "benchmarks", path_, other});
  std::remove(other.c_str());
  EXPECT_EQ(cmp.exit_code, 0) << cmp.err;
  EXPECT_NE(cmp.out.find("baseline.syscall/real_time"), std::string::npos) << cmp.out << cmp.err;
  EXPECT_NE(cmp.out.find("process.fork_exit/same-cpu/real_time"), std::string::npos) << cmp.out;
}

TEST(Cli, HelpVersionAndList) {
  EXPECT_EQ(run(ctxbench({"--help"})).exit_code, 0);
  const Outcome v = run(ctxbench({"--version"}));
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("ctxbench"), std::string::npos);
  const Outcome l = run(ctxbench({"--list"}));
  EXPECT_EQ(l.exit_code, 0);
  for (const char* name : {"baseline.syscall", "ctxswitch.pipe.thread", "process.posix_spawn", "shm.pingpong"})
    EXPECT_NE(l.out.find(name), std::string::npos) << name;
}

// The revision a run file names is the commit the binary was built from, not the one of the last cmake
// configure (cmake/git_revision.cmake): a history store labels change points with it.
TEST(Cli, VersionNamesTheCommitItWasBuiltFrom) {
  const Outcome head = run({"/usr/bin/git", "-C", CTXBENCH_SOURCE_DIR, "rev-parse", "--short=12", "HEAD"});
  if (head.exit_code != 0 || head.out.empty()) GTEST_SKIP() << "no git checkout to compare with: " << head.err;
  const std::string commit = head.out.substr(0, head.out.find('\n'));
  const Outcome v = run(ctxbench({"--version"}));
  ASSERT_EQ(v.exit_code, 0) << v.err;
  // "ctxbench 0.1.0 (<describe>)", where <describe> is "<hash>", "<tag>-<n>-g<hash>", either with "-dirty".
  const std::size_t open = v.out.find('('), close = v.out.find(')');
  ASSERT_TRUE(open != std::string::npos && close != std::string::npos && close > open) << v.out;
  std::string described = v.out.substr(open + 1, close - open - 1);
  if (const std::size_t dirty = described.rfind("-dirty"); dirty != std::string::npos) described.resize(dirty);
  if (const std::size_t g = described.rfind("-g"); g != std::string::npos) described = described.substr(g + 2);
  EXPECT_EQ(described, commit) << "the binary is older than HEAD: rebuild it (" << v.out << ")";
}

// Bad input: a message naming the problem, exit 2, and no output file left behind.
TEST(Cli, BadInputExitsTwoAndWritesNothing) {
  const std::string json_path = temp_path("bad.json");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--no-such-flag"}, "--no-such-flag"}, {{"--cpus", "0;1"}, "--cpus"},
      {{"--cpus", "0,100000"}, "--cpus"},     {{"--filter", "no-probe-is-called-this"}, "--filter"},
      {{"--filter", "[z-a]"}, "--filter"},    {{"--repetitions", "0"}, "--repetitions"},
  };
  for (auto [args, expected] : cases) {
    args.insert(args.end(), {"--quick", "--json", json_path});
    const Outcome o = run(ctxbench(args));
    EXPECT_EQ(o.exit_code, 2) << args[0];
    EXPECT_NE(o.err.find(expected), std::string::npos) << args[0] << ": " << o.err;
    EXPECT_FALSE(exists(json_path)) << args[0];
  }
  for (const std::string& path : {std::string("/nonexistent-dir/out.json"), ::testing::TempDir()}) {
    const Outcome o = run(ctxbench({"--quick", "--filter", "baseline.clock", "--json", path}));
    EXPECT_EQ(o.exit_code, 2) << path;
    EXPECT_NE(o.err.find(path), std::string::npos) << o.err;
  }
}

int allowed_cpu_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return CPU_COUNT(&set);
}

// Ctrl-C in the middle of process, thread and creation probes: exit 130, nothing left running, and the
// JSON holds what finished and says it was interrupted.
TEST(Cli, CtrlCLeavesNoProcessBehind) {
  for (const std::string filter :
       {"ctxswitch.pipe.process", "ctxswitch.futex.thread", "process.fork", "shm", "pipe.thread/.*keep-awake"}) {
    const std::string json_path = temp_path("sigint.json");
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);  // its own group, as a terminal would make it, so the test can find every task
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(CTXBENCH_BINARY, CTXBENCH_BINARY, "--filter", filter.c_str(), "--repetitions", "1000", "--json",
              json_path.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::setpgid(pid, pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ASSERT_EQ(::kill(-pid, SIGINT), 0);  // the whole group, like a terminal's Ctrl-C
    int status = 0;
    // A hung ctxbench must fail the test, not hang it: poll for 20 s, then kill.
    bool exited = false;
    for (int i = 0; i < 200 && !exited; ++i) {
      exited = ::waitpid(pid, &status, WNOHANG) == pid;
      if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!exited) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
    ASSERT_TRUE(exited) << filter << ": ctxbench did not exit within 20 s of SIGINT";
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << filter << " status " << status;
    // Reaped children vanish at once; orphans would be re-parented but keep the group id.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_TRUE(processes_in_group(pid).empty()) << filter << ": a task outlived ctxbench";
    ASSERT_TRUE(exists(json_path)) << filter;
    const json doc = json::parse(slurp(json_path));
    EXPECT_EQ(doc["ctxbench"]["interrupted"], true) << filter;
    EXPECT_EQ(doc["ctxbench"]["complete"], false) << filter;
    std::remove(json_path.c_str());
  }
}

// --quick --keep-awake: every record says the spinners were on, and no spinner outlives ctxbench.
TEST(Cli, KeepAwakeIsRecordedAndLeavesNoSpinner) {
  const std::string json_path = temp_path("awake.json");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group: spinners are forked by ctxbench and would keep the group id
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(CTXBENCH_BINARY, CTXBENCH_BINARY, "--quick", "--keep-awake", "--filter", "pipe.process|baseline.clock",
            "--json", json_path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(processes_in_group(pid).empty()) << "a keep-awake spinner outlived ctxbench";
  ASSERT_TRUE(exists(json_path));
  const json doc = json::parse(slurp(json_path));
  std::remove(json_path.c_str());
  int cross = 0;
  for (const json& r : doc["results"]) {
    EXPECT_EQ(r.value("keep_awake", false), true) << r["id"];
    EXPECT_NE(r["id"].get<std::string>().find("/keep-awake"), std::string::npos) << r["id"];
    if (r["placement"]["kind"] == "cross-cpu" && r["status"] == "ok") {
      ++cross;
      EXPECT_EQ(r["keep_awake_cpus"], r["placement"]["cpus"]) << r["id"];
    }
  }
  if (allowed_cpu_count() >= 2) {
    EXPECT_GE(cross, 1);
  }
}

}  // namespace
