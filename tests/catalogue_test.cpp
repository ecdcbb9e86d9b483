// Integration tests of the full probe catalogue (--suite full): every probe runs in --quick mode and is
// ok with positive finite figures or skipped with a reason; suites, params, the c2c matrix's shape and
// the B/s unit reach the JSON; and the orderings physics guarantees hold, with wide margins.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/run_util.hpp"

namespace {

using nlohmann::json;

using ctxbench_test::Outcome;
using ctxbench_test::slurp;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/ctxbench_catalogue_" + std::to_string(::getpid()) + "_" + name;
}

// The ctxbench binary with args, output captured; a hang is killed after 15 minutes and fails.
Outcome run(const std::vector<std::string>& args) {
  return ctxbench_test::run_with(ctxbench_test::ctxbench(args), {}, {}, 900);
}

double p50(const json& doc, const std::string& id) {
  for (const json& r : doc["results"])
    if (r["id"] == id && r["status"] == "ok") return r["statistics"]["p50"].get<double>();
  return std::nan("");
}

// The checks below read one quick run of the whole catalogue (one repetition; same-cpu and cross-cpu).
// ctest runs every TEST in its own process, so they are one TEST (FullQuickRun.Catalogue) calling
// them in turn: the catalogue runs once, not once per check.
void check_EveryProbeOkPositiveFiniteOrSkippedWithReason(const json& doc_) {
  std::set<std::string> ok_probes;
  for (const json& r : doc_["results"]) {
    const std::string id = r["id"];
    ASSERT_TRUE(r["status"] == "ok" || r["status"] == "skipped") << id << ": " << r.value("reason", "");
    EXPECT_FALSE(r["op"].get<std::string>().empty()) << id;
    if (r["status"] == "skipped") {
      EXPECT_FALSE(r.value("reason", "").empty()) << id;
      continue;
    }
    ok_probes.insert(r["probe"].get<std::string>());
    for (const char* k : {"min", "p50", "p99", "max", "mean"}) {
      ASSERT_TRUE(r["statistics"].contains(k)) << id << " " << k;
      const double v = r["statistics"][k].get<double>();
      EXPECT_TRUE(std::isfinite(v)) << id << " " << k;
      if (!r["derived"].get<bool>()) {
        EXPECT_GT(v, 0) << id << " " << k;
      }
    }
  }
  // One representative of every new family must have run (not merely been skipped) on any Linux box.
  for (const char* name : {"ipc.pipe.process/size:64",
                           "ipc.pipe.thread.one_way/size:1",
                           "ipc.unix_stream.thread/size:4096",
                           "ipc.unix_dgram.process/size:64",
                           "ipc.eventfd.thread",
                           "ipc.futex.process.one_way",
                           "ipc.tcp.process/size:64",
                           "ipc.udp.thread/size:64",
                           "ipc.signal.process",
                           "ipc.sysv_sem.thread",
                           "ipc.posix_mq.process/size:64",
                           "ipc.sysv_msg.thread.one_way/size:4096",
                           "shm.ring.futex",
                           "ctxswitch.ws.process/ws:65536",
                           "ctxswitch.ws.process.per_switch/ws:65536",
                           "ctxswitch.ring/tasks:2",
                           "ctxswitch.ring/tasks:64",
                           "ctxswitch.yield.thread",
                           "ctxswitch.yield.process",
                           "process.vfork_exec.static",
                           "process.clone_vm_vfork_exec.static",
                           "process.fork_exec.dynamic",
                           "process.sh_c",
                           "process.fork_rss/rss_mib:0",
                           "process.fork_rss.ns_per_mib",
                           "thread.create_join/stack:16384",
                           "thread.create_join/stack:8388608",
                           "thread.std_thread",
                           "thread.first_instruction",
                           "wakeup.timer",
                           "bw.pipe/size:4096",
                           "bw.unix_stream/size:1048576",
                           "bw.shm_ring/size:65536"})
    EXPECT_TRUE(ok_probes.count(name)) << name;
}

void check_SwitchingProbesCountSwitches(const json& doc_) {
  int checked = 0;
  for (const json& r : doc_["results"]) {
    if (r["status"] != "ok" || r["derived"].get<bool>() || !r.contains("switches_per_op")) continue;
    const json& s = r["switches_per_op"];
    if (!s.contains("expected") || s["expected"].get<double>() < 1) continue;
    // A blocking hand-off cannot complete without the kernel switching at least about once per
    // implied switch; wide margin for wake-ups that find the partner already running (cross-cpu).
    EXPECT_GT(s["measured"].get<double>(), 0.3 * s["expected"].get<double>()) << r["id"];
    ++checked;
  }
  EXPECT_GE(checked, 50);
}

void check_ParamsAreDataAndIdsAreUnique(const json& doc_) {
  std::set<std::string> ids;
  for (const json& r : doc_["results"]) {
    EXPECT_TRUE(ids.insert(r["id"].get<std::string>()).second) << "duplicate id " << r["id"];
    const std::string probe = r["probe"];
    if (probe.find("/size:") != std::string::npos) {
      ASSERT_TRUE(r.contains("params")) << probe;
      const auto at = probe.find("/size:") + 6;
      const auto end = probe.find('/', at);
      EXPECT_EQ(r["params"]["size"].get<long long>(), std::stoll(probe.substr(at, end - at))) << probe;
    }
  }
}

void check_C2cMatrixCoversEveryPairOnceWithoutDiagonal(const json& doc_) {
  const std::vector<int> cpus = doc_["machine"]["affinity"].get<std::vector<int>>();
  std::map<std::pair<int, int>, int> seen;
  for (const json& r : doc_["results"]) {
    if (r["probe"].get<std::string>().rfind("shm.c2c/", 0) != 0) continue;
    const int a = r["params"]["cpu_a"], b = r["params"]["cpu_b"];
    EXPECT_NE(a, b) << "diagonal entry " << r["probe"];
    EXPECT_EQ(r["placement"]["cpus"], json::array({a, b})) << r["probe"];
    if (r["status"] == "ok") {
      EXPECT_FALSE(r["placement"].value("relation", "").empty()) << r["probe"];
    }
    ++seen[{std::min(a, b), std::max(a, b)}];
  }
  // Symmetric in shape: each unordered pair exactly once (a round trip crosses both ways).
  EXPECT_EQ(seen.size(), cpus.size() * (cpus.size() - 1) / 2);
  for (const auto& [pair, count] : seen) EXPECT_EQ(count, 1) << pair.first << "," << pair.second;
}

void check_BandwidthIsBytesPerSecondAndGoogleBenchmarkRowsStayTime(const json& doc_) {
  const json* bw = nullptr;
  for (const json& r : doc_["results"])
    if (r["id"] == "bw.pipe/size:65536/same-cpu") bw = &r;
  ASSERT_NE(bw, nullptr);
  ASSERT_EQ((*bw)["status"], "ok");
  EXPECT_EQ((*bw)["unit"], "B/s");
  EXPECT_EQ((*bw)["bytes_per_op"], 65536.0);
  const double rate = (*bw)["value"];
  // Physics, very wide: a 64 KiB pipe transfer moves more than 1 MB/s and less than 1 TB/s.
  EXPECT_GT(rate, 1e6);
  EXPECT_LT(rate, 1e12);
  // The statistics are time per op, like every record's: time x rate = the message size.
  EXPECT_NEAR((*bw)["statistics"]["p50"].get<double>() * 1e-9 * rate, 65536.0, 1.0);
  EXPECT_EQ((*bw)["bytes_per_second"]["p50"], rate);
  int rows = 0;
  for (const json& row : doc_["benchmarks"]) {
    if (row["run_name"] != "bw.pipe/size:65536/same-cpu/real_time") continue;
    EXPECT_EQ(row["time_unit"], "ns");
    const std::string aggregate = row.value("aggregate_name", "");
    if (aggregate == "cv" || aggregate == "stddev") continue;  // a spread may be 0
    ++rows;
    EXPECT_GT(row["real_time"].get<double>(), 0) << row["name"];
    if (row["run_type"] == "iteration" || row.value("aggregate_name", "") == "median") {
      ASSERT_TRUE(row.contains("bytes_per_second")) << row["name"];
      // time per op x rate = the message size, within rounding of the median of a few repetitions.
      const double bytes = row["real_time"].get<double>() * 1e-9 * row["bytes_per_second"].get<double>();
      EXPECT_NEAR(bytes, 65536.0, 65536.0 * 0.5) << row["name"];
    }
  }
  EXPECT_GE(rows, 2);
}

[[maybe_unused]] void check_OrderingsPhysicsGuarantees(const json& doc_) {
  // A reader that spins sees the message after a cache-line transfer; one that sleeps needs a wake-up.
  const double spin = p50(doc_, "shm.ring.spin/cross-cpu"), futex = p50(doc_, "shm.ring.futex/cross-cpu");
  if (!std::isnan(spin) && !std::isnan(futex)) {
    EXPECT_LT(spin, futex);
  }
  // fork copies the page tables of the resident set: the largest step costs more than none.
  double none = p50(doc_, "process.fork_rss/rss_mib:0/same-cpu"), largest = std::nan("");
  int largest_mib = 0;
  for (const json& r : doc_["results"]) {
    const std::string probe = r["probe"];
    if (probe.rfind("process.fork_rss/rss_mib:", 0) != 0 || r["status"] != "ok" || r["placement"]["kind"] != "same-cpu")
      continue;
    const int mib = std::stoi(probe.substr(25));
    if (mib > largest_mib) {
      largest_mib = mib;
      largest = r["statistics"]["p50"];
    }
  }
  ASSERT_GE(largest_mib, 64);
  EXPECT_GT(largest, 1.5 * none) << largest_mib << " MiB";
  // More tasks in the ring never make a hop cheaper (margin: 0.7x for noise).
  EXPECT_GE(p50(doc_, "ctxswitch.ring/tasks:64/same-cpu"), 0.7 * p50(doc_, "ctxswitch.ring/tasks:2/same-cpu"));
  // A bigger working set to refill never makes a switch cheaper.
  EXPECT_GT(p50(doc_, "ctxswitch.ws.process/ws:16777216/same-cpu"), p50(doc_, "ctxswitch.ws.process/ws:0/same-cpu"));
  // One way is part of a round trip.
  EXPECT_LT(p50(doc_, "ipc.pipe.process.one_way/size:64/same-cpu"), p50(doc_, "ipc.pipe.process/size:64/same-cpu"));
}

// Not the server.* sweep (up to 4096 connections a point) nor the real databases of db.* (a server started
// per point): tests/server_test.cpp and tests/db_test.cpp cover them. A sanitizer build leaves out the probes
// it runs too slowly (tests/run_util.hpp); the physics checks that need them run in the Release pass only.
std::string catalogue_filter() {
  std::string filter = "^(?!server\\.|db\\.)";
#ifdef CTXBENCH_SANITIZED
  filter += ctxbench_test::too_slow_under_sanitizer_lookahead();
#endif
  return filter;
}

TEST(FullQuickRun, Catalogue) {
  const std::string path = temp_path("full.json");
  const Outcome outcome = run({"--quick", "--suite", "full", "--filter", catalogue_filter(), "--repetitions", "1",
                               "--placement", "same,cross", "--json", path});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err.substr(0, 4000);
  const json doc = json::parse(slurp(path));
  std::remove(path.c_str());
  ASSERT_TRUE(doc.is_object());
  {
    SCOPED_TRACE("every probe ok with positive finite figures, or skipped with a reason");
    check_EveryProbeOkPositiveFiniteOrSkippedWithReason(doc);
  }
  {
    SCOPED_TRACE("switching probes count switches");
    check_SwitchingProbesCountSwitches(doc);
  }
  {
    SCOPED_TRACE("params are data, ids unique");
    check_ParamsAreDataAndIdsAreUnique(doc);
  }
  {
    SCOPED_TRACE("c2c matrix shape");
    check_C2cMatrixCoversEveryPairOnceWithoutDiagonal(doc);
  }
  {
    SCOPED_TRACE("bandwidth unit and Google Benchmark rows");
    check_BandwidthIsBytesPerSecondAndGoogleBenchmarkRowsStayTime(doc);
  }
#ifndef CTXBENCH_SANITIZED  // a sanitizer runtime distorts timings; the Release pass checks these
  {
    SCOPED_TRACE("orderings physics guarantees");
    check_OrderingsPhysicsGuarantees(doc);
  }
#endif
}

// ---------------------------------------------------------------- suites and --list

TEST(Suites, ListShowsFamilyOpAndSuites) {
  const Outcome all = run({"--list"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  // Without --suite, --list shows the whole catalogue, with each probe's suites.
  EXPECT_NE(all.out.find("ipc.udp.thread.one_way/size:64"), std::string::npos);
  EXPECT_NE(all.out.find("suites: default,full"), std::string::npos);
  EXPECT_NE(all.out.find("suites: ipc,full"), std::string::npos);
  const Outcome def = run({"--list", "--suite", "default"});
  ASSERT_EQ(def.exit_code, 0) << def.err;
  EXPECT_EQ(def.out.find("ipc.udp.thread.one_way"), std::string::npos);
  EXPECT_NE(def.out.find("ctxswitch.pipe.process"), std::string::npos);
}

TEST(Suites, SuiteAndFilterCompose) {
  const Outcome in_full = run({"--list", "--suite", "full", "--filter", "ipc.udp.thread.one_way"});
  EXPECT_EQ(in_full.exit_code, 0) << in_full.err;
  const Outcome in_default = run({"--list", "--suite", "default", "--filter", "ipc.udp.thread.one_way"});
  EXPECT_EQ(in_default.exit_code, 2);
  EXPECT_NE(in_default.err.find("suite 'default'"), std::string::npos) << in_default.err;
  const Outcome named = run({"--list", "--suite", "ipc", "--filter", "^ctxswitch"});
  EXPECT_EQ(named.exit_code, 2) << named.out;
}

TEST(Suites, UnknownSuiteExitsTwoAndWritesNothing) {
  const std::string path = temp_path("nosuite.json");
  const Outcome o = run({"--suite", "nosuch", "--quick", "--json", path});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("--suite"), std::string::npos) << o.err;
  std::ifstream in(path);
  EXPECT_FALSE(in.good());
  EXPECT_EQ(run({"--suite"}).exit_code, 2);
}

}  // namespace
