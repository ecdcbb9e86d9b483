// The results store on both backends: SQLite (a file in a temporary directory) and PostgreSQL (a private
// server this suite starts and stops: tests/history_util.hpp). Each check runs on both; the PostgreSQL
// suite is one ctest test (CMakeLists.txt, CTXBENCH_SHARED_RUN_SUITES) so its server starts once.
#include "src/store/history_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <string>
#include <vector>

#include "analysis/history_input.hpp"
#include "src/store/schema.hpp"
#include "src/store/store.hpp"
#include "tests/history_util.hpp"

namespace {

using namespace ctxbench;
using namespace ctxbench_test;

RunInput fixture(const char* name) { return read_run_file(name, slurp(history_fixture(name))); }

std::unique_ptr<store::Connection> opened(const std::string& spec) {
  auto c = store::open_store(spec, true);
  store::prepare_schema(*c, true);
  return c;
}

std::string export_csv(store::Connection& c, const store::HistoryQuery& q = {}) {
  std::string out;
  auto line = [&](const std::vector<std::string>& v) {
    for (std::size_t i = 0; i < v.size(); ++i) out.append(i ? "," : "").append(v[i]);
    out += "\n";
  };
  store::export_rows(c, q, {}, line, line);
  return out;
}

void adding_twice_stores_once(const std::string& spec) {
  auto c = opened(spec);
  EXPECT_TRUE(store::add_run(*c, fixture("v1_run.json"), "t"));
  EXPECT_TRUE(store::add_run(*c, fixture("v2_run.json"), "t"));
  EXPECT_FALSE(store::add_run(*c, fixture("v2_run.json"), "t")) << "the same file is the same run";
  EXPECT_EQ(count_rows(*c, "runs"), 2);
  EXPECT_EQ(count_rows(*c, "records"), 6);
  EXPECT_EQ(count_rows(*c, "machines"), 1) << "v1 and v2 fixtures differ in hostname only: one machine";
  // v1's warnings went through the adapter: stored as objects, and its records have no measure.
  std::string warnings;
  long long no_measure = 0;
  c->query("SELECT warnings FROM runs WHERE file_schema = 1", {}, [&](const store::Row& r) { warnings = r.text(0); });
  EXPECT_NE(warnings.find("\"kind\":\"unclassified\""), std::string::npos) << warnings;
  c->query("SELECT COUNT(*) FROM records WHERE measure IS NULL", {},
           [&](const store::Row& r) { no_measure = r.integer(0); });
  EXPECT_EQ(no_measure, 3);
}

void history_reads_series_in_time_order(const std::string& spec) {
  auto c = opened(spec);
  const std::string dir = make_temp_dir("series");
  // Added out of time order; read back in start-time order.
  for (int i : {3, 0, 2, 1})
    ASSERT_TRUE(store::add_run(*c, read_run_file("r", slurp(write_run(dir, i, 1 + i * 0.1))), "t"));
  ASSERT_TRUE(store::add_run(*c, fixture("v1_run.json"), "t"));
  const History h =
      store::load_history(*c, {}, [](const std::string& id) { return id.find("ctxswitch") != std::string::npos; });
  ASSERT_EQ(h.series.size(), 1u);
  const HistorySeries& s = h.series[0];
  EXPECT_EQ(s.record_id, "ctxswitch.pipe.process/same-cpu");
  ASSERT_EQ(s.points.size(), 5u);
  EXPECT_EQ(h.runs[s.points[0].run].start_time, "2026-12-01T10:00:00Z");  // v1, the oldest
  for (int i = 0; i < 4; ++i)
    EXPECT_DOUBLE_EQ(s.points[static_cast<std::size_t>(i + 1)].p50_ns, 3050.0 * (1 + i * 0.1));
  store::HistoryQuery since;
  since.since = "2026-12-03T02:00:00Z";
  EXPECT_EQ(store::load_history(*c, since, {}).runs.size(), 2u);
  store::HistoryQuery by_host;
  by_host.machine = "runner-a";
  EXPECT_EQ(store::load_history(*c, by_host, {}).runs.size(), 1u);
  store::HistoryQuery by_fingerprint;
  by_fingerprint.machine = h.runs[0].fingerprint.substr(0, 6);
  EXPECT_EQ(store::load_history(*c, by_fingerprint, {}).runs.size(), 5u);
  remove_tree(dir);
}

void newer_store_is_refused_older_migrated(const std::string& spec) {
  {
    // A store as version 1 made it: its tables, version 1, one run.
    auto c = store::open_store(spec, true);
    c->begin_write();
    for (const std::string& sql : store::migration(1, c->backend())) c->execute(sql);
    c->execute("INSERT INTO schema_meta (id, version) VALUES (1, 1)");
    // One run of three records, in version 1's columns (add_run writes the newest version's).
    c->execute("INSERT INTO machines (fingerprint, identity) VALUES ('m1', '{}')");
    c->execute("INSERT INTO runs (run_id, fingerprint, start_time) VALUES ('r1', 'm1', '2026-12-01T10:00:00Z')");
    for (const char* id : {"a/same-cpu", "b/cross-cpu", "c/none"})
      c->execute(
          "INSERT INTO records (run_id, record_id, status, p50_ns, repetition_medians) VALUES ('r1', $1, 'ok', 100, "
          "'[99, 100, 101]')",
          {id});
    c->commit();
  }
  {
    auto c = store::open_store(spec, false);
    EXPECT_EQ(store::prepare_schema(*c, false), store::kStoreSchemaVersion);
    EXPECT_EQ(count_rows(*c, "history_long"), 3) << "version 2's view over version 1's rows";
    EXPECT_EQ(count_rows(*c, "runs"), 1);
    EXPECT_EQ(count_rows(*c, "records WHERE pair_round_trips IS NULL"), 3) << "version 3's column, empty";
    const History h = store::load_history(*c, {}, {});
    ASSERT_EQ(h.series.size(), 3u);
    EXPECT_TRUE(h.series[1].points[0].pair_round_trips.empty());
    EXPECT_TRUE(store::add_run(*c, fixture("v2_run.json"), "t")) << "and a run goes in after the migration";
    c->execute("UPDATE schema_meta SET version = 99");
  }
  auto c = store::open_store(spec, false);
  try {
    store::prepare_schema(*c, true);
    ADD_FAILURE() << "a newer store was accepted";
  } catch (const store::StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer ctxbench"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(c->name()), std::string::npos) << e.what();
  }
}

// Each repetition's pair readings go into the store and come back beside the repetition medians; a record
// without them has neither loaded.
void pair_readings_round_trip(const std::string& spec) {
  auto c = opened(spec);
  nlohmann::json doc = nlohmann::json::parse(slurp(history_fixture("v2_run.json")));
  doc["results"][2]["placement"]["pair_round_trip_ns"] = {
      {"before", 400.5}, {"after", 101.0}, {"rounds", {{400.5, 410.0}, {nullptr, 99.0}, {98.0, 101.0}}}};
  ASSERT_TRUE(store::add_run(*c, read_run_file("pairs.json", doc.dump()), "t"));
  const History h = store::load_history(*c, {}, {});
  ASSERT_EQ(h.series.size(), 3u);
  const HistoryPoint& bw = h.series[1].points[0];  // by record id: baseline, bw, ctxswitch
  ASSERT_EQ(h.series[1].record_id, "bw.pipe/size:65536/cross-cpu");
  ASSERT_EQ(bw.pair_round_trips.size(), 3u);
  EXPECT_DOUBLE_EQ(*bw.pair_round_trips[0].after, 410.0);
  EXPECT_FALSE(bw.pair_round_trips[1].before);
  EXPECT_DOUBLE_EQ(*bw.pair_round_trips[2].before, 98.0);
  EXPECT_EQ(bw.repetition_medians, (std::vector<double>{15800.0, 16000.0, 16300.0}));
  EXPECT_DOUBLE_EQ(bw.p50_all_ns, 16000.0);
  EXPECT_TRUE(h.series[2].points[0].repetition_medians.empty()) << "read only beside pair readings";
}

// The kinds of warning that question a figure come back with its point; the other kinds do not.
void figure_warnings_round_trip(const std::string& spec) {
  auto c = opened(spec);
  nlohmann::json doc = nlohmann::json::parse(slurp(history_fixture("v2_run.json")));
  doc["results"][2]["warnings"] = {{{"kind", "unstable_estimate"}, {"text", "wide"}},
                                   {{"kind", "denominator"}, {"text", "0.35 switches per op"}, {"figure", 0.35}}};
  ASSERT_TRUE(store::add_run(*c, read_run_file("warned.json", doc.dump()), "t"));
  const History h = store::load_history(*c, {}, {});
  ASSERT_EQ(h.series.size(), 3u);
  ASSERT_EQ(h.series[1].record_id, "bw.pipe/size:65536/cross-cpu");
  EXPECT_EQ(h.series[1].points[0].figure_warnings, std::vector<std::string>{"denominator"});
  EXPECT_TRUE(h.series[2].points[0].figure_warnings.empty());
}

void a_failed_ingest_leaves_the_store_as_it_was(const std::string& spec) {
  auto c = opened(spec);
  ASSERT_TRUE(store::add_run(*c, fixture("v1_run.json"), "t"));
  EXPECT_THROW(store::add_run(*c, fixture("v2_run.json"), "t", [] { throw std::runtime_error("killed"); }),
               std::runtime_error);
  EXPECT_EQ(count_rows(*c, "runs"), 1);
  EXPECT_EQ(count_rows(*c, "records"), 3);
  EXPECT_TRUE(store::add_run(*c, fixture("v2_run.json"), "t")) << "and the run can be added afterwards";
}

TEST(HistorySqlite, AddingTwiceStoresOnce) {
  const std::string dir = make_temp_dir("store");
  adding_twice_stores_once(dir + "/h.sqlite");
  remove_tree(dir);
}
TEST(HistorySqlite, SeriesInTimeOrder) {
  const std::string dir = make_temp_dir("store");
  history_reads_series_in_time_order(dir + "/h.sqlite");
  remove_tree(dir);
}
TEST(HistorySqlite, NewerRefusedOlderMigrated) {
  const std::string dir = make_temp_dir("store");
  newer_store_is_refused_older_migrated(dir + "/h.sqlite");
  remove_tree(dir);
}
TEST(HistorySqlite, FailedIngestLeavesStoreAsItWas) {
  const std::string dir = make_temp_dir("store");
  a_failed_ingest_leaves_the_store_as_it_was(dir + "/h.sqlite");
  remove_tree(dir);
}
TEST(HistorySqlite, PairReadingsRoundTrip) {
  const std::string dir = make_temp_dir("store");
  pair_readings_round_trip(dir + "/h.sqlite");
  remove_tree(dir);
}
TEST(HistorySqlite, FigureWarningsRoundTrip) {
  const std::string dir = make_temp_dir("store");
  figure_warnings_round_trip(dir + "/h.sqlite");
  remove_tree(dir);
}
TEST(HistorySqlite, ReadCommandsDoNotCreateAStore) {
  const std::string dir = make_temp_dir("store");
  EXPECT_THROW(store::open_store(dir + "/none.sqlite", false), store::StoreError);
  EXPECT_TRUE(dir_entries(dir).empty());
  std::ofstream(dir + "/not_a_store.sqlite") << slurp(history_fixture("v2_run.json"));
  auto c = store::open_store(dir + "/not_a_store.sqlite", true);
  EXPECT_THROW(store::prepare_schema(*c, true), store::StoreError);
  EXPECT_EQ(slurp(dir + "/not_a_store.sqlite"), slurp(history_fixture("v2_run.json"))) << "left as it was";
  remove_tree(dir);
}

class HistoryPostgres : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { PostgresServer::start(); }
  static void TearDownTestSuite() { PostgresServer::stop(); }
  void SetUp() override {
    if (!PostgresServer::running()) GTEST_SKIP() << PostgresServer::why_not();
  }
};

TEST_F(HistoryPostgres, AddingTwiceStoresOnce) { adding_twice_stores_once(PostgresServer::new_database()); }
TEST_F(HistoryPostgres, SeriesInTimeOrder) { history_reads_series_in_time_order(PostgresServer::new_database()); }
TEST_F(HistoryPostgres, NewerRefusedOlderMigrated) {
  newer_store_is_refused_older_migrated(PostgresServer::new_database());
}
TEST_F(HistoryPostgres, FailedIngestLeavesStoreAsItWas) {
  a_failed_ingest_leaves_the_store_as_it_was(PostgresServer::new_database());
}

TEST_F(HistoryPostgres, PairReadingsRoundTrip) { pair_readings_round_trip(PostgresServer::new_database()); }
TEST_F(HistoryPostgres, FigureWarningsRoundTrip) { figure_warnings_round_trip(PostgresServer::new_database()); }

TEST_F(HistoryPostgres, ExportIsTheSameAsFromSqlite) {
  const std::string dir = make_temp_dir("store");
  auto lite = opened(dir + "/h.sqlite");
  auto pg = opened(PostgresServer::new_database());
  for (store::Connection* c : {lite.get(), pg.get()}) {
    ASSERT_TRUE(store::add_run(*c, fixture("v1_run.json"), "t"));
    ASSERT_TRUE(store::add_run(*c, fixture("v2_run.json"), "t"));
  }
  const std::string csv = export_csv(*lite);
  EXPECT_EQ(csv, export_csv(*pg));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7) << csv;
  EXPECT_NE(csv.find("2026-12-02T10:00:00Z,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",3050,"), std::string::npos) << csv;
  remove_tree(dir);
}

TEST_F(HistoryPostgres, RefusingServerNamesTheUrlWithoutItsPassword) {
  try {
    store::open_postgres(PostgresServer::url("no_such_database", "ctxbench:pw-SECRET-1"));
    ADD_FAILURE() << "connected to a database that does not exist";
  } catch (const store::StoreError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("no_such_database"), std::string::npos) << what;
    EXPECT_NE(what.find("ctxbench:***@"), std::string::npos) << what;
    EXPECT_EQ(what.find("pw-SECRET-1"), std::string::npos) << what;
  }
}

}  // namespace
