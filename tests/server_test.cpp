// The connection-model experiment (docs/METHODOLOGY.md) through the real binary in --quick mode: every model
// answers every request correctly in both scenarios (the client checks each reply against its
// checksum and fails the probe otherwise), records carry every figure, no server task outlives the run,
// a point beyond the file-descriptor limit is skipped with the reason, and the one ordering physics
// guarantees: a fork per connection costs more per request than handing connections to a worker pool.
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/run_util.hpp"

namespace {

using namespace ctxbench_test;
using nlohmann::json;

// One quick sweep shared by the tests: all five models, both scenarios, 1 and 16 connections.
class ServerQuick : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Orphans would come to us instead of init, so the test below can see any that survived.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    dir_ = make_temp_dir("server");
    const std::string path = dir_ + "/server.json";
    pid_ = start(
        ctxbench({"--quick", "--suite", "server", "--filter", "/connections:(1|16)/work_ns:1000/", "--json", path}),
        dir_ + "/stdout", dir_ + "/stderr");
    exit_code_ = wait_bounded(pid_, 600);
    if (exists(path)) doc_ = json::parse(slurp(path));
    for (int i = 0; i < 200; ++i) {  // give killed orphans up to 2 s to be re-parented and die
      reap_all();
      left_ = live_in_group(pid_);
      if (left_.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (pid_t p : left_) ::kill(p, SIGKILL);
    reap_all();
  }
  static void TearDownTestSuite() { remove_tree(dir_); }
  static std::string dir_;
  static pid_t pid_;
  static int exit_code_;
  static json doc_;
  static std::vector<pid_t> left_;
};
std::string ServerQuick::dir_;
pid_t ServerQuick::pid_ = 0;
int ServerQuick::exit_code_ = -1;
json ServerQuick::doc_;
std::vector<pid_t> ServerQuick::left_;

TEST_F(ServerQuick, EveryModelAnswersEveryRequestInBothScenarios) {
  EXPECT_EQ(exit_code_, 0) << slurp(dir_ + "/stderr");
  ASSERT_TRUE(doc_.is_object());
  std::set<std::string> seen;
  for (const json& r : doc_["results"]) {
    ASSERT_EQ(r["family"], "server");
    const std::string id = r["id"];
    ASSERT_EQ(r["status"], "ok") << id << ": " << r.value("reason", "");
    const json& p = r["params"];
    seen.insert(p["model"].get<std::string>() + " " + p["scenario"].get<std::string>());
    // Replies are checked one by one by the client. The server counts each request before its reply
    // leaves and is snapshotted with no request outstanding, so its count is exactly the replies the
    // client received between the two snapshots; those include the window's and also the first round
    // and the drain, which can be many per connection when one connection waits behind the others.
    EXPECT_GT(metric(r, "requests"), 0) << id;
    EXPECT_GT(metric(r, "server_requests"), 0) << id;
    EXPECT_EQ(metric(r, "server_requests"), metric(r, "client_requests_between_snapshots")) << id;
    EXPECT_GE(metric(r, "server_requests"), metric(r, "requests")) << id;
  }
  for (const char* model :
       {"process-per-connection", "process-pool", "thread-per-connection", "worker-pool", "event-loop"})
    for (const char* scenario : {"persistent", "connect-per-request"})
      EXPECT_TRUE(seen.count(std::string(model) + " " + scenario)) << model << " " << scenario;
}

TEST_F(ServerQuick, RecordsCarryThroughputLatencySwitchesCpuAndMemory) {
  ASSERT_TRUE(doc_.is_object());
  for (const json& r : doc_["results"]) {
    const std::string id = r["id"];
    if (r["status"] != "ok") continue;
    for (const char* k : {"model", "scenario", "connections", "work_ns", "ws_bytes"})
      EXPECT_TRUE(r["params"].contains(k)) << id << " " << k;
    for (const char* k : {"p50", "p99", "p99_9"}) EXPECT_GT(r["statistics"].value(k, 0.0), 0) << id << " " << k;
    for (const char* k : {"requests_per_second", "server_cpu_ns_per_request", "client_cpu_ns_per_request",
                          "server_rss_bytes", "server_pss_bytes", "rss_bytes_per_connection",
                          "pss_bytes_per_connection", "server_tasks", "server_cpu_count"})
      EXPECT_GT(metric(r, k), 0) << id << " " << k;
    for (const char* k :
         {"server_switches_per_request", "server_voluntary_switches_per_request",
          "server_involuntary_switches_per_request", "server_user_ns_per_request", "server_sys_ns_per_request"})
      EXPECT_GE(metric(r, k), 0) << id << " " << k;
    // One server task per connection in the per-connection models with persistent connections.
    if (r["params"]["scenario"] == "persistent" && r["params"]["model"] == "process-per-connection") {
      EXPECT_GE(metric(r, "server_tasks"), r["params"]["connections"].get<double>()) << id;
    }
    // Pinned apart when the mask allows: the client on cpu_a, the server elsewhere.
    const std::string kind = r["placement"]["kind"];
    EXPECT_TRUE(kind == "cross-cpu" || kind == "same-cpu") << id;
  }
}

TEST_F(ServerQuick, NoServerTaskOutlivesTheRun) {
  EXPECT_TRUE(left_.empty()) << left_.size() << " processes of the run were still alive after it exited";
}

TEST_F(ServerQuick, ForkPerConnectionCostsMoreServerCpuPerRequestThanAWorkerPool) {
#ifdef CTXBENCH_SANITIZED
  GTEST_SKIP() << "orderings are physics of the uninstrumented binary (Release pass)";
#endif
  ASSERT_TRUE(doc_.is_object());
  // 16 connections only: at one connection a --quick run makes so few requests that the server's fixed CPU
  // (its start in each interleaved round) dominates the per-request figure; the worker pool's came out
  // anywhere from 133 to 2034 us per request over four runs on the 2-vCPU development VM, so no ordering
  // holds there. At 16 connections fork 243-349 us against pool 31-210 us in the same runs.
  const std::string suffix = ".per_request/connections:16/work_ns:1000";
  double fork_cpu = NAN, pool_cpu = NAN;
  for (const json& r : doc_["results"]) {
    if (r["probe"] == "server.process_per_connection" + suffix) fork_cpu = metric(r, "server_cpu_ns_per_request");
    if (r["probe"] == "server.worker_pool" + suffix) pool_cpu = metric(r, "server_cpu_ns_per_request");
  }
  std::printf("connect-per-request, 16 connections: server CPU per request %.1f us (fork) vs %.1f us (pool)\n",
              fork_cpu / 1e3, pool_cpu / 1e3);
  // A fork + exit + reap per connection (~100 us here) against an accept + epoll registration.
  EXPECT_GT(fork_cpu, 1.3 * pool_cpu);
}

TEST(ServerSweep, WorkAndConnectionsComeFromTheCommandLine) {
  const std::string dir = make_temp_dir("sweep");
  const std::string path = dir + "/out.json";
  const Outcome o = run_with(ctxbench({"--quick", "--suite", "server", "--server-work", "2us", "--server-connections",
                                       "2,3", "--filter", "^server\\.event_loop\\.persistent/", "--json", path}));
  EXPECT_EQ(o.exit_code, 0) << o.err;
  ASSERT_TRUE(exists(path)) << o.err;
  const json doc = json::parse(slurp(path));
  remove_tree(dir);
  std::set<std::string> ids;
  for (const json& r : doc["results"]) {
    ids.insert(r["probe"].get<std::string>());
    EXPECT_EQ(r["status"], "ok") << r.value("reason", "");
    EXPECT_EQ(r["params"]["work_ns"], 2000);
  }
  EXPECT_EQ(ids, (std::set<std::string>{"server.event_loop.persistent/connections:2/work_ns:2000",
                                        "server.event_loop.persistent/connections:3/work_ns:2000"}));
}

// The client's reply check is what makes "every request answered correctly" a fact: a server that
// corrupts one reply in 3 must fail the point, naming the wrong reply. (One in 50 let a slow sanitizer
// build pass: with interleaved rounds each round's fresh servers could answer fewer than 50 per connection.)
TEST(ServerSweep, AWrongReplyFailsThePoint) {
  const std::string dir = make_temp_dir("corrupt");
  const std::string path = dir + "/out.json";
  const Outcome o =
      run_with(ctxbench({"--quick", "--suite", "server", "--filter",
                         "^server\\.(event_loop|process_per_connection)\\.persistent/connections:4/work_ns:1000/",
                         "--json", path}),
               {}, {"CTXBENCH_SERVER_CORRUPT_EVERY=3"});
  EXPECT_EQ(o.exit_code, 1) << o.err;  // a failed probe
  ASSERT_TRUE(exists(path)) << o.err;
  const json doc = json::parse(slurp(path));
  remove_tree(dir);
  ASSERT_EQ(doc["results"].size(), 2u);
  for (const json& r : doc["results"]) {
    EXPECT_EQ(r["status"], "failed") << r["id"];
    EXPECT_NE(r.value("reason", "").find("wrong reply"), std::string::npos) << r.value("reason", "");
  }
}

TEST(ServerLimits, PointBeyondTheFileDescriptorLimitIsSkippedWithTheReason) {
  const std::string dir = make_temp_dir("nofile");
  const std::string path = dir + "/out.json";
  const Outcome o = run_with(ctxbench({"--quick", "--suite", "server", "--server-connections", "1024", "--filter",
                                       "event_loop.persistent/connections:1024/work_ns:1000/", "--json", path}),
                             [] {
                               const rlimit low{256, 256};
                               return ::setrlimit(RLIMIT_NOFILE, &low) == 0;
                             });
  EXPECT_EQ(o.exit_code, 0) << o.err;
  ASSERT_TRUE(exists(path)) << o.err;
  const json doc = json::parse(slurp(path));
  remove_tree(dir);
  ASSERT_EQ(doc["results"].size(), 1u);
  const json& r = doc["results"][0];
  EXPECT_EQ(r["status"], "skipped");
  EXPECT_NE(r.value("reason", "").find("RLIMIT_NOFILE"), std::string::npos) << r.value("reason", "");
  std::printf("skipped with: %s\n", r.value("reason", "").c_str());
}

}  // namespace
