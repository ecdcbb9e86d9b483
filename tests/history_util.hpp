// Shared by the history tests: result files made from the hand-written fixtures (tests/fixtures/history/),
// stores on both backends, and a private PostgreSQL server for a suite (probes/db/instance.hpp: initdb into
// a temporary directory, unix socket only, run as `nobody` when the tests run as root).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/os.hpp"
#include "engine/probe.hpp"
#include "probes/db/instance.hpp"
#include "src/store/store.hpp"
#include "tests/run_util.hpp"

namespace ctxbench_test {

inline std::string history_fixture(const std::string& name) {
  return std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/history/" + name;
}

// The schema-2 fixture as run `i` of a series: its start time moves by i hours and every p50 and
// repetition median is multiplied by `scale` and by a fixed jitter of up to +-`jitter` (different per run
// and record, the same on every call). Written to dir/run_<tag>_<i>.json; returns the path.
inline std::string write_run(const std::string& dir, int i, double scale = 1.0, const std::string& tag = "r",
                             double jitter = 0.0) {
  nlohmann::json doc = nlohmann::json::parse(slurp(history_fixture("v2_run.json")));
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "2026-12-%02dT%02d:00:00Z", 3 + i / 24, i % 24);
  doc["ctxbench"]["start_time"] = stamp;
  int k = 0;
  for (nlohmann::json& r : doc["results"]) {
    const double f = scale * (1 + jitter * std::sin(i * 7.3 + ++k * 1.9));
    r["statistics"]["p50"] = r["statistics"]["p50"].get<double>() * f;
    for (nlohmann::json& rep : r["repetitions"]) rep["median_ns"] = rep["median_ns"].get<double>() * f;
  }
  const std::string path = dir + "/run_" + tag + "_" + std::to_string(i) + ".json";
  std::ofstream(path) << doc.dump();
  return path;
}

inline long long count_rows(ctxbench::store::Connection& c, const std::string& table) {
  long long n = -1;
  c.query("SELECT COUNT(*) FROM " + table, {}, [&](const ctxbench::store::Row& r) { n = r.integer(0); });
  return n;
}

// One PostgreSQL server for a whole suite (started in SetUpTestSuite, stopped in TearDownTestSuite); each
// test gets a fresh database on it. Skipped, with the reason, where PostgreSQL is not installed.
class PostgresServer {
 public:
  static void start() {
    try {
      server() =
          std::make_unique<ctxbench::db::Instance>(ctxbench::db::Server::PostgresDirect, 16, ctxbench::allowed_cpus());
    } catch (const ctxbench::ProbeSkip& e) {
      skip_reason() = e.what();
    }
  }
  static void stop() { server().reset(); }
  static bool running() { return server() != nullptr; }
  static const std::string& why_not() { return skip_reason(); }
  // A URL for `database` on the server's unix socket, with `userinfo` (e.g. "ctxbench:pw") as the user.
  static std::string url(const std::string& database, const std::string& userinfo = "") {
    return "postgresql://" + (userinfo.empty() ? server()->user() : userinfo) + "@/" + database +
           "?host=" + server()->directory() + "&port=5432";
  }
  static std::string new_database() {
    static int n = 0;
    const std::string name = "history_" + std::to_string(::getpid()) + "_" + std::to_string(++n);
    auto admin = ctxbench::store::open_postgres(url("postgres"));
    admin->execute("CREATE DATABASE " + name);
    return url(name);
  }

 private:
  static std::unique_ptr<ctxbench::db::Instance>& server() {
    static std::unique_ptr<ctxbench::db::Instance> s;
    return s;
  }
  static std::string& skip_reason() {
    static std::string s;
    return s;
  }
};

}  // namespace ctxbench_test
