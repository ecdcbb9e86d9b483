// The db.* probes (docs/METHODOLOGY.md, "The db.* probes") through the real binary in --quick mode, at 4
// connections: every real server answers every query in both scenarios, records carry the kernel's
// counts, nothing of the servers outlives the run, a SIGKILLed run's directory is removed by the next
// run, and the orderings physics guarantees by wide margins: a backend forked per query costs more CPU
// per query than a persistent backend, and more than a pooled one. A machine without the packages gets
// skipped records naming them, and these tests skip with that reason.
#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/db_util.hpp"
#include "tests/run_util.hpp"

namespace {

using namespace ctxbench_test;
using nlohmann::json;

class DbQuick : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    dir_ = make_temp_dir("db");
    const std::string path = dir_ + "/db.json";
    const pid_t pid =
        start(ctxbench({"--quick", "--suite", "db", "--filter", "^db\\..*/connections:4/", "--json", path}),
              dir_ + "/stdout", dir_ + "/stderr");
    exit_code_ = wait_bounded(pid, 600);
    if (exists(path)) doc_ = json::parse(slurp(path));
    left_ = db_processes_after(pid, 5);
    dirs_left_ = db_dirs(pid);
    for (int i = 0; i < 200 && !live_in_group(pid).empty(); ++i) {
      reap_all();
      ::usleep(10000);
    }
    group_left_ = live_in_group(pid).size();
    for (const json& r : doc_.value("results", json::array())) by_id_[r["probe"].get<std::string>()] = r;
  }
  static void TearDownTestSuite() { remove_tree(dir_); }
  // The record of db.<server>.<scenario>/connections:4, or a skip when this machine cannot run it.
  static const json* point(const std::string& server, const std::string& scenario) {
    const auto it = by_id_.find("db." + server + "." + scenario + "/connections:4");
    return it == by_id_.end() ? nullptr : &it->second;
  }
  static std::string dir_;
  static int exit_code_;
  static json doc_;
  static std::vector<pid_t> left_;
  static std::size_t group_left_;
  static std::set<std::string> dirs_left_;
  static std::map<std::string, json> by_id_;
};
std::string DbQuick::dir_;
int DbQuick::exit_code_ = -1;
json DbQuick::doc_;
std::vector<pid_t> DbQuick::left_;
std::size_t DbQuick::group_left_ = 0;
std::set<std::string> DbQuick::dirs_left_;
std::map<std::string, json> DbQuick::by_id_;

TEST_F(DbQuick, EveryServerAnswersInBothScenariosWithKernelCounts) {
  EXPECT_EQ(exit_code_, 0) << slurp(dir_ + "/stderr");
  ASSERT_TRUE(doc_.is_object());
  EXPECT_EQ(doc_["results"].size(), 8u);
  int ok = 0;
  for (const json& r : doc_["results"]) {
    const std::string id = r["id"];
    ASSERT_EQ(r["family"], "db") << id;
    if (r["status"] == "skipped") {
      // Only the machine may stop a point: a missing package or a refused counter, named.
      const std::string why = r.value("reason", "");
      EXPECT_TRUE(why.find("not installed") != std::string::npos || why.find("perf_event_open") != std::string::npos)
          << id << ": " << why;
      continue;
    }
    ASSERT_EQ(r["status"], "ok") << id << ": " << r.value("reason", "");
    ++ok;
    if (::geteuid() == 0) {
      EXPECT_EQ(r["params"]["server_user"], "nobody") << id;
    }
    EXPECT_GT(metric(r, "requests"), 10) << id;
    // The server's divisor is every query between its snapshots: the window's, plus the first round and
    // the drain around it.
    EXPECT_GE(metric(r, "server_requests"), metric(r, "requests")) << id;
    EXPECT_GT(metric(r, "server_cpu_ns_per_request"), 0) << id;
    EXPECT_GT(metric(r, "server_switches_all_per_request"), 0) << id;
    EXPECT_GT(metric(r, "pss_bytes_per_connection"), 0) << id;
    EXPECT_GT(r["statistics"]["p99"].get<double>(), 0) << id;
    // The live tasks' split is a subset of every task's switches (perf), never more.
    const double split =
        metric(r, "server_voluntary_switches_per_request") + metric(r, "server_involuntary_switches_per_request");
    EXPECT_LE(split, metric(r, "server_switches_all_per_request") * 1.05 + 0.05) << id;
  }
  if (ok == 0) GTEST_SKIP() << "no db.* point could run here (see the records' reasons)";
}

TEST_F(DbQuick, NoServerProcessOrDirectoryOutlivesTheRun) {
  EXPECT_TRUE(left_.empty()) << left_.size() << " processes still work in a /tmp/ctxbench-db.* directory";
  EXPECT_EQ(group_left_, 0u);
  for (const std::string& d : dirs_left_) ADD_FAILURE() << "left behind: " << d;
}

TEST_F(DbQuick, AForkPerQueryCostsMoreServerCpuThanAPersistentOrPooledBackend) {
#ifdef CTXBENCH_SANITIZED
  GTEST_SKIP() << "CPU orderings are physics of the Release build";
#endif
  const json* per_request = point("postgresql.direct", "per_request");
  const json* persistent = point("postgresql.direct", "persistent");
  const json* pooled = point("postgresql.pgbouncer", "per_request");
  if (per_request == nullptr || persistent == nullptr || pooled == nullptr || (*per_request)["status"] != "ok" ||
      (*persistent)["status"] != "ok" || (*pooled)["status"] != "ok")
    GTEST_SKIP() << "the PostgreSQL points did not run here";
  // Measured here: ~4 ms vs ~40-75 us per query; 2x is a margin no noise closes.
  const double forked = metric(*per_request, "server_cpu_ns_per_request");
  EXPECT_GT(forked, 2 * metric(*persistent, "server_cpu_ns_per_request"));
  EXPECT_GT(forked, 2 * metric(*pooled, "server_cpu_ns_per_request"));
}

// A run that never reached its server (packages missing): stopped, its output returned for the skip message.
std::string abandon(pid_t pid, const std::string& dir) {
  ::kill(-pid, SIGKILL);
  wait_bounded(pid, 10);
  const std::string err = slurp(dir + "/stderr") + slurp(dir + "/stdout");
  remove_tree(dir);
  return err.substr(0, 400);
}

// Waits up to `seconds` until a private directory of the run `pgid` has at least `processes` processes of
// that run working in it.
std::string wait_for_server(pid_t pgid, std::size_t processes, int seconds) {
  for (int i = 0; i < seconds * 100; ++i) {
    for (const std::string& d : db_dirs(pgid))
      if (db_processes(pgid).size() >= processes) return d;
    ::usleep(10000);
  }
  return "";
}

// A test judges only the run it started: a directory names its run by process group
// (probes/db/instance.hpp), so another ctxbench's directories, or an older build's, are not its own.
TEST(DbDirs, ADirectoryBelongsToTheRunItsGroupNames) {
  EXPECT_TRUE(of_run("ctxbench-db.123.g456.AbC123", 456));
  EXPECT_TRUE(of_run("/tmp/ctxbench-db.123.g456.AbC123", 456));
  EXPECT_TRUE(of_run("/tmp/ctxbench-db.123.g456.AbC123/data (deleted)", 456));  // a server's cwd
  EXPECT_FALSE(of_run("ctxbench-db.123.g4567.AbC123", 456));                    // another run
  EXPECT_FALSE(of_run("ctxbench-db.456.g123.AbC123", 456));                     // a pid is not a group
  EXPECT_FALSE(of_run("ctxbench-db.123.AbC123", 123));                          // an older build's
  EXPECT_FALSE(of_run("/tmp/other.123.g456.x", 456));
}

TEST(DbInterrupt, SigintWhileTheLoadRunsStopsAndDeletesEverything) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  const std::string dir = make_temp_dir("dbint");
  const std::string json_path = dir + "/out.json";
  const pid_t pid =
      start(ctxbench({"--suite", "db", "--filter", "^db\\.postgresql\\.direct\\.persistent/connections:16/",
                      "--repetitions", "1000", "--json", json_path}),
            dir + "/stdout", dir + "/stderr");
  // 16 backends beside the postmaster and its helpers: the clients are connected and loading it.
  const std::string made = wait_for_server(pid, 20, 30);
  if (made.empty()) GTEST_SKIP() << "no PostgreSQL server with its backends appeared here: " << abandon(pid, dir);
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  EXPECT_EQ(wait_bounded(pid, 30), 130) << slurp(dir + "/stderr");
  EXPECT_TRUE(db_processes_after(pid, 5).empty());
  EXPECT_EQ(db_dirs(pid).count(made), 0u) << made << " left after SIGINT";
  ASSERT_TRUE(exists(json_path));
  EXPECT_EQ(json::parse(slurp(json_path))["ctxbench"]["interrupted"], true);
  reap_all();
  remove_tree(dir);
}

TEST(DbStale, ASigkilledRunLeavesNoServerAndTheNextRunRemovesItsDirectory) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  const std::string dir = make_temp_dir("dbkill");
  const pid_t pid = start(ctxbench({"--suite", "db", "--filter",
                                    "^db\\.postgresql\\.direct\\.persistent/connections:4/", "--repetitions", "1000"}),
                          dir + "/stdout", dir + "/stderr");
  std::string made;
  for (int i = 0; i < 3000 && made.empty(); ++i) {  // up to 30 s for the private directory to appear
    for (const std::string& d : db_dirs(pid)) made = d;
    ::usleep(10000);
  }
  if (made.empty()) GTEST_SKIP() << "the db probe never made its directory here: " << abandon(pid, dir);
  ::usleep(300000);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);  // ctxbench alone: its measuring process and servers die by PDEATHSIG
  EXPECT_EQ(wait_bounded(pid, 30), 128 + SIGKILL);
  const std::vector<pid_t> left = db_processes_after(pid, 5);
  EXPECT_TRUE(left.empty()) << left.size() << " server processes outlived a SIGKILLed ctxbench";
  for (pid_t p : left) ::kill(p, SIGKILL);
  reap_all();
  // The next db run removes the stale directory before it makes its own.
  const Outcome next = run_with(
      ctxbench({"--quick", "--suite", "db", "--filter", "^db\\.postgresql\\.direct\\.persistent/connections:4/"}));
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_FALSE(exists(made)) << made << " survived the next run";
  remove_tree(dir);
}

}  // namespace
