// --explain end to end where this machine allows it (root, a kernel with BTF, a build with libbpf): one
// probe's traced pass gives a breakdown that adds up, beside the untraced figure; elsewhere the test is
// skipped with the tracer's own reason. The phase arithmetic itself is tested on literal events in
// tests/explain_test.cpp; the unprivileged skip in tests/reliability_test.cpp (user nobody).
#include <nlohmann/json.hpp>

#include "engine/explain/kernel_tracer.hpp"
#include "tests/run_util.hpp"

namespace {

using json = nlohmann::json;
using namespace ctxbench_test;

const json* find_result(const json& doc, const std::string& id) {
  for (const json& r : doc["results"])
    if (r["id"] == id) return &r;
  return nullptr;
}

// `ctxbench --quick --explain --suite SUITE --filter FILTER`: its JSON document, {} (and a failure) when the
// run did not exit 0.
json quick_explain_run(const std::string& suite, const std::string& filter) {
  const std::string dir = make_temp_dir("explain_" + suite);
  const std::string path = dir + "/out.json";
  const Outcome o =
      run_with(ctxbench_test::ctxbench({"--quick", "--explain", "--suite", suite, "--filter", filter, "--json", path}));
  EXPECT_EQ(o.exit_code, 0) << o.err;
  json doc = o.exit_code == 0 ? json::parse(slurp(path)) : json::object();
  remove_tree(dir);
  return doc;
}

// The record's explain when it has a breakdown (status ok or incomplete, no event lost) whose shares add up;
// nullptr (and a failure) otherwise.
const json* breakdown_of(const json* record) {
  if (record == nullptr || !record->contains("explain")) {
    ADD_FAILURE() << "no record, or no explain: " << (record ? record->dump() : "");
    return nullptr;
  }
  const json& x = (*record)["explain"];
  if (!(x["status"] == "ok" || x["status"] == "incomplete") || x["lost_events"] != 0) {
    ADD_FAILURE() << "no breakdown: " << x.dump();
    return nullptr;
  }
  double shares = 0;
  for (const json& p : x["phases"]) shares += p["share"].get<double>();
  EXPECT_NEAR(shares, 1.0, 0.02);  // means of parts are parts of the mean
  return &x;
}

// A phase's field by key, 0 when the phase is absent.
double phase_field(const json& x, const std::string& key, const char* field) {
  for (const json& p : x["phases"])
    if (p["key"] == key) return p[field].get<double>();
  return 0;
}

TEST(ExplainCli, TracedPassBreaksARoundTripIntoPhasesThatAddUp) {
  std::string why;
  if (!ctxbench::KernelTracer::open(why)) GTEST_SKIP() << why;
  const std::string dir = make_temp_dir("explain");
  const std::string path = dir + "/out.json";
  const Outcome o =
      run_with(ctxbench_test::ctxbench({"--quick", "--explain", "--filter",
                                        "^ctxswitch\\.pipe\\.process/same-cpu$|^baseline\\.clock$", "--json", path}));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json doc = json::parse(slurp(path));
  remove_tree(dir);
  const json* pipe = find_result(doc, "ctxswitch.pipe.process/same-cpu");
  ASSERT_NE(pipe, nullptr);
  ASSERT_TRUE(pipe->contains("explain")) << pipe->dump();
  const json& x = (*pipe)["explain"];
  std::printf("explain: %s\n", x.dump().c_str());
  ASSERT_TRUE(x["status"] == "ok" || x["status"] == "incomplete") << x.dump();
  EXPECT_EQ(x["traced_ops"], 300);
  EXPECT_EQ(x["lost_events"], 0);
  EXPECT_GT(x["events"].get<double>(), 300 * 4.0);  // at least the four system calls of each round trip
  // The medians of the phases add up to roughly the median op (wide: medians of parts are not parts of a
  // median), and the traced op is the same kind of thing as the untraced one (same order of magnitude).
  EXPECT_GT(x["explained_fraction"].get<double>(), 0.5);
  EXPECT_LT(x["explained_fraction"].get<double>(), 1.5);
  const double traced = x["traced_median_ns"].get<double>(), untraced = x["untraced_median_ns"].get<double>();
  EXPECT_GT(traced, untraced / 10);
  EXPECT_LT(traced, untraced * 10);
  double shares = 0;
  for (const json& p : x["phases"]) shares += p["share"].get<double>();
  EXPECT_NEAR(shares, 1.0, 0.02);  // means of parts are parts of the mean
  // The tail (docs/METHODOLOGY.md, "The tail, explained"): 3 of 300 ops, slower than the median ones, its
  // causes' shares adding up to 1 with the unnamed rest last.
  ASSERT_TRUE(x.contains("tail")) << x.dump();
  const json& t = x["tail"];
  EXPECT_EQ(t["ops_in_tail"], 3);
  EXPECT_GT(t["tail_op_ns"].get<double>(), t["median_op_ns"].get<double>());
  double excess = 0;
  for (const json& p : t["phases"]) excess += p["excess_ns"].get<double>();
  EXPECT_NEAR(excess, t["excess_ns"].get<double>(), 1e-6 * t["excess_ns"].get<double>() + 1);
  double cause_shares = 0;
  for (const json& c : t["causes"]) cause_shares += c["share"].get<double>();
  EXPECT_NEAR(cause_shares, 1.0, 1e-9);
  EXPECT_EQ(t["causes"].back()["kind"], "unnamed");
  EXPECT_NE(o.out.find("the slowest 1%"), std::string::npos) << o.out;
  // A one-task probe has no hand-off to explain.
  const json* clock = find_result(doc, "baseline.clock");
  ASSERT_NE(clock, nullptr);
  EXPECT_FALSE(clock->contains("explain"));
  EXPECT_NE(o.out.find("where the time went"), std::string::npos) << o.out;
}

// Many pairs (docs/METHODOLOGY.md, "Many pairs, explained"): 4 pinned pairs share the CPUs (2 per CPU on 2,
// 4 on 1), so pair 0's round trip waits behind another pair's tasks in some of its ops; its phases still add
// up. A contention record says why it has no breakdown.
TEST(ExplainCli, PairsNameTheWaitBehindTheOtherPairs) {
  std::string why;
  if (!ctxbench::KernelTracer::open(why)) GTEST_SKIP() << why;
  const json doc = quick_explain_run(
      "ctxswitch", "^ctxswitch\\.pairs/pairs:4/same-cpu$|^ctxswitch\\.futex_wake/waiters:1/same-cpu$");
  ASSERT_TRUE(doc.contains("results"));
  const json* x = breakdown_of(find_result(doc, "ctxswitch.pairs/pairs:4/same-cpu"));
  ASSERT_NE(x, nullptr);
  EXPECT_GT(phase_field(*x, "runnable_behind_load", "present"), 0) << x->dump();
  const json* wake = find_result(doc, "ctxswitch.futex_wake/waiters:1/same-cpu");
  ASSERT_NE(wake, nullptr);
  ASSERT_TRUE(wake->contains("explain")) << wake->dump();
  EXPECT_EQ((*wake)["explain"]["status"], "skipped");
  EXPECT_NE((*wake)["explain"].value("reason", "").find("waker's time"), std::string::npos);
}

// The record of `doc` whose id holds "/connections:N/", or nullptr.
const json* record_with_connections(const json& doc, int n) {
  const std::string key = "/connections:" + std::to_string(n) + "/";
  for (const json& r : doc["results"])
    if (r["id"].get<std::string>().find(key) != std::string::npos) return &r;
  return nullptr;
}

// A request of server.* (docs/METHODOLOGY.md, "A request, explained"): with one connection the traced
// requests' phases add up, the server's stretches labelled, its 50 us of work in server_user_space; with 4 the
// record says why it is not explained.
TEST(ExplainCli, AServerRequestNamesTheServersWork) {
  std::string why;
  if (!ctxbench::KernelTracer::open(why)) GTEST_SKIP() << why;
  const json doc =
      quick_explain_run("server", "^server\\.process_per_connection\\.persistent/connections:(1|4)/work_ns:50000/");
  ASSERT_TRUE(doc.contains("results"));
  const json* one = record_with_connections(doc, 1);
  const json* four = record_with_connections(doc, 4);
  const json* x = breakdown_of(one);
  ASSERT_NE(x, nullptr);
  const double work = phase_field(*x, "server_user_space", "median_ns");
  EXPECT_GT(work, 0.8 * 50000) << x->dump();
  EXPECT_LT(work, (*x)["traced_median_ns"].get<double>());
  ASSERT_NE(four, nullptr);
  ASSERT_TRUE(four->contains("explain")) << four->dump();
  EXPECT_EQ((*four)["explain"]["status"], "skipped");
  EXPECT_NE((*four)["explain"].value("reason", "").find("overlap"), std::string::npos);
}

}  // namespace

// A request of db.* (docs/METHODOLOGY.md, "A request, explained"): PostgreSQL's backend, forked by the
// postmaster the probe started, is followed as the server; with one connection the query's phases add up and
// the backend's stretches are labelled, with 4 the record is skipped with the key of its reason. Where the
// packages, the user to run them as or the kernel counters are missing the record is skipped, and so is this
// test, with the record's reason.
TEST(ExplainCli, ADbRequestNamesTheServersWork) {
  std::string why;
  if (!ctxbench::KernelTracer::open(why)) GTEST_SKIP() << why;
  const std::string dir = make_temp_dir("explain_db");
  const std::string path = dir + "/out.json";
  // Not --quick: its db sweep has 4 connections only. The db budget holds a record to 3 repetitions anyway.
  const Outcome o = run_with(
      ctxbench_test::ctxbench({"--explain", "--suite", "db", "--placement", "cross", "--repetitions", "2", "--filter",
                               "^db\\.postgresql\\.direct\\.persistent/connections:(1|4)/", "--json", path}));
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json doc = json::parse(slurp(path));
  remove_tree(dir);
  const json* one = record_with_connections(doc, 1);
  const json* four = record_with_connections(doc, 4);
  ASSERT_NE(one, nullptr) << doc.dump();
  if ((*one)["status"] == "skipped") GTEST_SKIP() << (*one).value("reason", "skipped");
  const json* x = breakdown_of(one);
  ASSERT_NE(x, nullptr);
  // The phases' medians over the op's median: they add up, within what a noisy host allows. Not the 0.9-1.1
  // target a quiet measurement is held to (docs/METHODOLOGY.md): a heavy-tailed phase pulls its median
  // below its share of the median op (CI, 2026-12-06: 0.73, an IPI wait of median 8 us and mean 36 us).
  EXPECT_GT((*x)["explained_fraction"].get<double>(), 0.5) << x->dump();
  EXPECT_LT((*x)["explained_fraction"].get<double>(), 1.5) << x->dump();
  // The backend parses, plans and runs the select: its user space is on the path, labelled.
  EXPECT_GT(phase_field(*x, "server_user_space", "median_ns"), 0) << x->dump();
  EXPECT_EQ((*x)["lost_events"], 0);
  ASSERT_NE(four, nullptr);
  ASSERT_TRUE(four->contains("explain")) << four->dump();
  EXPECT_EQ((*four)["explain"]["status"], "skipped");
  EXPECT_EQ((*four)["explain"].value("reason_key", ""), "overlapping_requests");
}
