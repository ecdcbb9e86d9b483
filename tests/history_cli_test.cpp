// `ctxbench history` through the real binary: bad input (exit 2, the file, flag or store named, nothing
// written), two `history add` at once into one store, and an ingest killed inside its transaction, on
// SQLite and on a private PostgreSQL server (tests/history_util.hpp).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <string>
#include <vector>

#include "src/store/history_store.hpp"
#include "src/store/schema.hpp"
#include "tests/history_util.hpp"

namespace {

using namespace ctxbench_test;

std::vector<std::string> history(std::vector<std::string> args) {
  args.insert(args.begin(), "history");
  return ctxbench_test::ctxbench(args);
}

struct BadCase {
  std::vector<std::string> args;
  std::string expected;  // a piece of the message: the file, flag or store it is about
};

TEST(HistoryCli, BadInputExitsTwoNamesItAndWritesNothing) {
  const std::string dir = make_temp_dir("hbad");
  const std::string store = dir + "/h.sqlite";
  const std::string good = history_fixture("v2_run.json");
  const std::vector<BadCase> cases = {
      {{"add", "--store", store, history_fixture("truncated.json")}, "truncated.json: not valid JSON"},
      {{"add", "--store", store, history_fixture("foreign.json")}, "foreign.json: not a ctxbench result file"},
      {{"add", "--store", store, history_fixture("future_schema.json")}, "future_schema.json: result schema version 3"},
      {{"add", "--store", store, dir + "/missing.json"}, "missing.json: cannot read"},
      {{"add", "--store", store, good, history_fixture("truncated.json")}, "truncated.json"},
      {{"add", "--store", dir + "/no/such/dir.sqlite", good}, "no/such/dir.sqlite"},
      {{"add", "--store", dir, good}, "not a regular file"},
      {{"show", "--store", store}, "no such store"},
      {{"export", "--csv", "--store", store}, "no such store"},
      {{"check", "--store", store, good}, "no such store"},
      {{"add", "--store", "postgresql://ci:s3cret-pw@127.0.0.1:1/bench", good},
       "postgresql://ci:***@127.0.0.1:1/bench"},
      {{"show", "--store", "postgresql:///bench?host=" + dir + "/nosocket&password=s3cret-pw"}, "password=***"},
      {{"show", "--since", "last week", "--store", store}, "--since"},
      {{"frob"}, "'frob'"},
  };
  for (const BadCase& c : cases) {
    const Outcome o = run_with(history(c.args), {}, {}, 60);
    const std::string what = c.args[0] + " " + c.args.back();
    EXPECT_EQ(o.exit_code, 2) << what << ": " << o.err;
    EXPECT_NE(o.err.find(c.expected), std::string::npos) << what << ": " << o.err;
    EXPECT_EQ(o.err.find("s3cret-pw"), std::string::npos) << "password printed: " << o.err;
    EXPECT_EQ(o.out.find("s3cret-pw"), std::string::npos) << "password printed: " << o.out;
    EXPECT_TRUE(dir_entries(dir).empty()) << what << ": left a file behind";
  }
  // A store written by a newer ctxbench, and a file that is not a store: refused, left as they were.
  ASSERT_EQ(run_with(history({"add", "--store", store, good})).exit_code, 0);
  {
    auto c = ctxbench::store::open_store(store, false);
    c->execute("UPDATE schema_meta SET version = 7");
  }
  const std::string before = slurp(store);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"add", "--store", store, history_fixture("v1_run.json")},
        std::vector<std::string>{"show", "--store", store}}) {
    const Outcome o = run_with(history(args));
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_NE(o.err.find(store + ": store schema version 7 was written by a newer ctxbench"), std::string::npos)
        << o.err;
  }
  EXPECT_EQ(slurp(store), before);
  const Outcome not_store = run_with(history({"add", "--store", good, history_fixture("v1_run.json")}));
  EXPECT_EQ(not_store.exit_code, 2);
  EXPECT_NE(not_store.err.find(good), std::string::npos) << not_store.err;
  remove_tree(dir);
}

TEST(HistoryCli, AddShowsWhatItDidAndExportWritesAtomically) {
  const std::string dir = make_temp_dir("hadd");
  const std::string store = dir + "/h.sqlite";
  const Outcome o = run_with(history({"add", "--store", store, history_fixture("v1_run.json"),
                                      history_fixture("v2_run.json"), history_fixture("v2_run.json")}));
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("2 of 3 files added to " + store), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("already stored"), std::string::npos) << o.out;
  const Outcome e =
      run_with(history({"export", "--csv", "--store", store, "--filter", "ctxswitch", "--out", dir + "/h.csv"}));
  EXPECT_EQ(e.exit_code, 0) << e.err;
  const std::string csv = slurp(dir + "/h.csv");
  EXPECT_EQ(csv.rfind("time,run_id,machine,", 0), 0u) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;
  // $CTXBENCH_STORE is the default store.
  const Outcome env = run_with(history({"export", "--csv"}), {}, {"CTXBENCH_STORE=" + store});
  EXPECT_EQ(env.exit_code, 0) << env.err;
  EXPECT_EQ(std::count(env.out.begin(), env.out.end(), '\n'), 7) << env.out;
  remove_tree(dir);
}

// The gate through the binary: exit 1 only on a regression beyond --threshold that --confirm's runs all
// call (--confirm 1 here: one run decides); one slow run under the default --confirm 2 is "run again", exit
// 3, and a second slow run confirms it; an improvement, no change or a machine without history exit 0; show
// and export --json describe the same store.
TEST(HistoryCli, CheckExitsOneOnlyOnARegression) {
  const std::string dir = make_temp_dir("hcheck");
  const std::string store = dir + "/h.sqlite";
  std::vector<std::string> add = {"add", "--store", store};
  for (int i = 0; i < 12; ++i) add.push_back(write_run(dir, i, 1.0, "h", 0.01));
  ASSERT_EQ(run_with(history(add)).exit_code, 0);
  struct Case {
    std::string file;
    int exit_code;
    std::string expected;
  };
  nlohmann::json other = nlohmann::json::parse(slurp(history_fixture("v2_run.json")));
  other["machine"]["kernel_release"] = "6.12.0-other";
  std::ofstream(dir + "/other_machine.json") << other.dump();
  const std::vector<Case> cases = {
      {write_run(dir, 12, 1.0, "same", 0.01), 0, "0 regressions"},
      {write_run(dir, 12, 1.5, "slow", 0.01), 1, "REGRESSION (over 5%)"},
      {write_run(dir, 12, 0.6, "fast", 0.01), 0, "improvement"},
      {dir + "/other_machine.json", 0, "inconclusive"},
  };
  for (const Case& c : cases) {
    const Outcome o = run_with(history({"check", "--store", store, c.file, "--threshold", "5%", "--confirm", "1"}));
    EXPECT_EQ(o.exit_code, c.exit_code) << c.file << ": " << o.out << o.err;
    EXPECT_NE(o.out.find(c.expected), std::string::npos) << c.file << ": " << o.out;
  }
  // --json: the same verdict and exit status as fields.
  const Outcome unconfirmed = run_with(history({"check", "--store", store, cases[1].file}));
  EXPECT_EQ(unconfirmed.exit_code, 3) << unconfirmed.out << unconfirmed.err;
  EXPECT_NE(unconfirmed.out.find("not confirmed by 2 runs"), std::string::npos) << unconfirmed.out;
  const std::string slow_again = write_run(dir, 13, 1.5, "slow_again", 0.01);
  const Outcome confirmed = run_with(history({"check", "--store", store, cases[1].file, slow_again}));
  EXPECT_EQ(confirmed.exit_code, 1) << confirmed.out << confirmed.err;
  EXPECT_NE(confirmed.out.find("REGRESSION (over 5%)"), std::string::npos) << confirmed.out;
  const Outcome disagree = run_with(history({"check", "--store", store, cases[0].file, cases[1].file}));
  EXPECT_EQ(disagree.exit_code, 3) << disagree.out << disagree.err;
  EXPECT_NE(disagree.out.find("they disagree"), std::string::npos) << disagree.out;
  const Outcome twice = run_with(history({"check", "--store", store, cases[1].file, cases[1].file}));
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("the same run as"), std::string::npos) << twice.err;
  const Outcome other_machine = run_with(history({"check", "--store", store, cases[1].file, cases[3].file}));
  EXPECT_EQ(other_machine.exit_code, 2);
  EXPECT_NE(other_machine.err.find("must be one machine's"), std::string::npos) << other_machine.err;
  const Outcome as_json =
      run_with(history({"check", "--store", store, cases[1].file, "--threshold", "5%", "--json", "--confirm", "1"}));
  EXPECT_EQ(as_json.exit_code, 1) << as_json.err;
  const nlohmann::json verdicts = nlohmann::json::parse(as_json.out);
  EXPECT_DOUBLE_EQ(verdicts["ctxbench_history_check"]["gate"]["threshold"].get<double>(), 0.05);
  EXPECT_EQ(verdicts["history_runs"], 12);
  ASSERT_EQ(verdicts["records"].size(), 3u);  // the slow run is 1.5x in every record
  for (const auto& r : verdicts["records"]) {
    EXPECT_EQ(r["verdict"], "regression") << r.dump();
    EXPECT_GT(r["ratio"].get<double>(), 1.3) << r.dump();
  }
  EXPECT_EQ(verdicts["regressions"], 3);
  EXPECT_EQ(verdicts["counts"]["regression"], 3);
  EXPECT_EQ(verdicts["counts"]["no_change"], 0);
  // A regression of 50% does not fail a gate whose threshold is 60%.
  EXPECT_EQ(
      run_with(history({"check", "--store", store, cases[1].file, "--threshold", "60", "--confirm", "1"})).exit_code,
      0);
  const Outcome show = run_with(history({"show", "--store", store}));
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("ctxswitch.pipe.process/same-cpu"), std::string::npos) << show.out;
  const Outcome json = run_with(history({"show", "--store", store, "--json", "--filter", "ctxswitch"}));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["runs"].size(), 12u);
  ASSERT_EQ(doc["series"].size(), 1u);
  EXPECT_EQ(doc["series"][0]["points"]["run"].size(), 12u);
  EXPECT_EQ(doc["series"][0]["family"], "ctxswitch");
  const Outcome exported = run_with(history({"export", "--json", "--store", store, "--out", dir + "/h.json"}));
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(dir + "/h.json"))["series"].size(), 3u);
  remove_tree(dir);
}

// The middle of a record's repetition medians: the p50 a file writes beside them (an odd count here).
double middle(std::vector<double> medians) {
  std::sort(medians.begin(), medians.end());
  return medians[medians.size() / 2];
}

// Gives the file's cross-CPU record (bw.pipe) a pair reading per repetition (placement.pair_round_trip_ns
// `rounds`, docs/contracts.md): far (~405 ns) except the repetitions `near`, which read 100 ns and whose
// medians are scaled by `near_scale`, as the near state moves them. The record's p50 follows its medians.
void with_pair_readings(const std::string& path, const std::vector<int>& near, double near_scale) {
  nlohmann::json doc = nlohmann::json::parse(slurp(path));
  for (nlohmann::json& r : doc["results"]) {
    if (r["placement"]["kind"] != "cross-cpu") continue;
    nlohmann::json rounds = nlohmann::json::array();
    std::vector<double> medians;
    for (std::size_t i = 0; i < r["repetitions"].size(); ++i) {
      const bool is_near = std::find(near.begin(), near.end(), static_cast<int>(i)) != near.end();
      rounds.push_back(is_near ? nlohmann::json{100.0, 101.0} : nlohmann::json{400.0, 410.0});
      nlohmann::json& m = r["repetitions"][i]["median_ns"];
      if (is_near) m = m.get<double>() * near_scale;
      medians.push_back(m.get<double>());
    }
    r["statistics"]["p50"] = middle(medians);
    r["placement"]["pair_round_trip_ns"] = {
        {"before", rounds.front()[0]}, {"after", rounds.back()[1]}, {"rounds", rounds}};
  }
  std::ofstream(path) << doc.dump();
}

// The store keeps each repetition's pair readings, and `history check` judges a cross-CPU record on its
// repetitions at the series' usual CPU distance: the near ones read x0.6 and would call an improvement.
TEST(HistoryCli, CheckLeavesOutRepetitionsWhoseCpusRanNearerThanUsual) {
  const std::string dir = make_temp_dir("hpair");
  const std::string store = dir + "/h.sqlite";
  std::vector<std::string> add = {"add", "--store", store};
  for (int i = 0; i < 12; ++i) {
    add.push_back(write_run(dir, i, 1.0, "p", 0.01));
    with_pair_readings(add.back(), {}, 1.0);
  }
  ASSERT_EQ(run_with(history(add)).exit_code, 0);
  {
    auto c = ctxbench::store::open_store(store, false);
    std::string stored;
    c->query("SELECT pair_round_trips FROM records WHERE record_id LIKE 'bw.pipe%' LIMIT 1", {},
             [&](const ctxbench::store::Row& r) { stored = r.text(0); });
    EXPECT_EQ(stored, "[[400.0,410.0],[400.0,410.0],[400.0,410.0]]");
    EXPECT_EQ(count_rows(*c, "records WHERE pair_round_trips IS NULL"), 24) << "the same-CPU and one-task records";
  }
  const std::string near = write_run(dir, 12, 1.0, "near", 0.01);
  with_pair_readings(near, {0, 1}, 0.6);
  const std::string unread = write_run(dir, 12, 1.0, "unread", 0.01);
  {  // the same move without readings
    nlohmann::json doc = nlohmann::json::parse(slurp(unread));
    doc["results"][2]["repetitions"][0]["median_ns"] =
        doc["results"][2]["repetitions"][0]["median_ns"].get<double>() * 0.6;
    doc["results"][2]["repetitions"][1]["median_ns"] =
        doc["results"][2]["repetitions"][1]["median_ns"].get<double>() * 0.6;
    doc["results"][2]["statistics"]["p50"] = doc["results"][2]["repetitions"][1]["median_ns"];
    std::ofstream(unread) << doc.dump();
  }
  auto bw_verdict = [&](const std::string& file) {
    const Outcome o = run_with(history({"check", "--store", store, file, "--json", "--confirm", "1"}));
    EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
    const nlohmann::json doc = nlohmann::json::parse(o.out);
    for (const auto& r : doc["records"])
      if (r["record_id"] == "bw.pipe/size:65536/cross-cpu") return r;
    return nlohmann::json();
  };
  const nlohmann::json moved = bw_verdict(unread);
  EXPECT_EQ(moved["verdict"], "improvement") << moved.dump();
  EXPECT_TRUE(moved["repetitions_left_out"].is_null()) << moved.dump();
  const nlohmann::json judged = bw_verdict(near);
  EXPECT_EQ(judged["verdict"], "no_change") << judged.dump();
  EXPECT_EQ(judged["repetitions_left_out"]["nearer"], 2) << judged.dump();
  EXPECT_EQ(judged["repetitions_left_out"]["of"], 3) << judged.dump();
  const Outcome text = run_with(history({"check", "--store", store, near, "--confirm", "1"}));
  EXPECT_NE(text.out.find("[2 of 3 repetitions left out: CPUs nearer than usual]"), std::string::npos) << text.out;
  // Stored, the near run's point is judged the same way in `history show`.
  ASSERT_EQ(run_with(history({"add", "--store", store, near})).exit_code, 0);
  const Outcome show = run_with(history({"show", "--store", store, "--json", "--filter", "bw.pipe"}));
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const nlohmann::json series = nlohmann::json::parse(show.out)["series"][0];
  EXPECT_NEAR(series["usual_pair_round_trip_ns"].get<double>(), 405, 5.1);
  EXPECT_EQ(series["points"]["repetitions_nearer"][12], 2);
  EXPECT_GT(series["points"]["p50_ns"][12].get<double>(), series["points"]["p50_all_repetitions_ns"][12].get<double>());
  remove_tree(dir);
}

// Scales the file's record `index` (its repetitions and p50) by `scale`; with `warn`, its run flagged it with a
// `denominator` warning (more context switches than its op implies).
void with_record_moved(const std::string& path, std::size_t index, double scale, bool warn) {
  nlohmann::json doc = nlohmann::json::parse(slurp(path));
  nlohmann::json& r = doc["results"][index];
  std::vector<double> medians;
  for (nlohmann::json& rep : r["repetitions"]) {
    rep["median_ns"] = rep["median_ns"].get<double>() * scale;
    medians.push_back(rep["median_ns"].get<double>());
  }
  r["statistics"]["p50"] = middle(medians);
  if (warn) r["warnings"].push_back({{"kind", "denominator"}, {"figure", 0.35}, {"text", "denominator: 0.35 per op"}});
  std::ofstream(path) << doc.dump();
}

// A figure its own run questions, in a series that is not questioned, is not a regression on one run's word
// even at --confirm 1 (exit 3, run again); in a series its run flags every time, it is judged as any other.
TEST(HistoryCli, CheckAsksASecondRunForAFigureItsRunQuestions) {
  const std::string dir = make_temp_dir("hflag");
  const std::string store = dir + "/h.sqlite";
  std::vector<std::string> add = {"add", "--store", store};
  for (int i = 0; i < 12; ++i) {
    add.push_back(write_run(dir, i, 1.0, "h", 0.01));
    with_record_moved(add.back(), 1, 1.0, true);  // ctxswitch.pipe.process: flagged in every run
  }
  ASSERT_EQ(run_with(history(add)).exit_code, 0);
  const auto check = [&](const std::string& name, std::size_t index, bool warn) {
    const std::string file = write_run(dir, 12, 1.0, name, 0.01);
    with_record_moved(file, 1, 1.0, true);
    with_record_moved(file, index, 1.5, warn);
    return run_with(history({"check", "--store", store, file, "--confirm", "1"}));
  };
  const Outcome plain = check("bw_slow", 2, false);
  EXPECT_EQ(plain.exit_code, 1) << plain.out << plain.err;
  const Outcome questioned = check("bw_slow_flagged", 2, true);
  EXPECT_EQ(questioned.exit_code, 3) << questioned.out << questioned.err;
  EXPECT_NE(questioned.out.find("[its run questions the figure: denominator]"), std::string::npos) << questioned.out;
  const Outcome usual = check("pipe_slow_flagged", 1, false);
  EXPECT_EQ(usual.exit_code, 1) << usual.out << usual.err;
  EXPECT_EQ(usual.out.find("its run questions"), std::string::npos) << usual.out;
  remove_tree(dir);
}

// Two `history add` at once, overlapping files: every run and record once.
void concurrent_adds_keep_every_row_once(const std::string& spec, const std::string& dir) {
  std::vector<std::string> first, second;
  for (int i = 0; i < 24; ++i) {
    const std::string path = write_run(dir, i, 1.0 + 0.01 * i, "c");
    if (i < 16) first.push_back(path);
    if (i >= 8) second.push_back(path);
  }
  std::vector<std::string> a = {"add", "--store", spec}, b = a;
  a.insert(a.end(), first.begin(), first.end());
  b.insert(b.end(), second.begin(), second.end());
  const pid_t pa = start(history(a), dir + "/a.out", dir + "/a.err");
  const pid_t pb = start(history(b), dir + "/b.out", dir + "/b.err");
  EXPECT_EQ(wait_bounded(pa, 120), 0) << slurp(dir + "/a.err");
  EXPECT_EQ(wait_bounded(pb, 120), 0) << slurp(dir + "/b.err");
  auto c = ctxbench::store::open_store(spec, false);
  EXPECT_EQ(count_rows(*c, "runs"), 24);
  EXPECT_EQ(count_rows(*c, "records"), 72);
  EXPECT_EQ(count_rows(*c, "machines"), 1);
  // Each file was added by exactly one of the two.
  const std::string out = slurp(dir + "/a.out") + slurp(dir + "/b.out");
  std::size_t added = 0;
  for (std::size_t p = out.find("\nadded "); p != std::string::npos; p = out.find("\nadded ", p + 1)) ++added;
  if (out.rfind("added ", 0) == 0) ++added;
  EXPECT_EQ(added, 24u) << out;
}

// `history add` killed inside its transaction (after the last record, before the commit): the store is as
// it was, and the same file goes in afterwards.
void killed_ingest_leaves_the_store_as_it_was(const std::string& spec, const std::string& dir) {
  ASSERT_EQ(run_with(history({"add", "--store", spec, history_fixture("v1_run.json")})).exit_code, 0);
#ifndef CTXBENCH_TEST_PROBES_BUILD
  GTEST_SKIP() << "needs the test hook of a CTXBENCH_TEST_PROBES build";
#endif
  const pid_t p = start(history({"add", "--store", spec, history_fixture("v2_run.json")}), dir + "/k.out",
                        dir + "/k.err", {}, {"CTXBENCH_TEST_STALL_INGEST=1"});
  bool stalled = false;
  for (int i = 0; i < 1000 && !stalled; ++i) {
    stalled = slurp(dir + "/k.err").find("stalled before commit") != std::string::npos;
    if (!stalled) ::usleep(10000);
  }
  EXPECT_TRUE(stalled) << slurp(dir + "/k.err");
  ::kill(-p, SIGKILL);
  EXPECT_EQ(wait_bounded(p, 30), 128 + SIGKILL);
  {
    auto c = ctxbench::store::open_store(spec, false);
    EXPECT_EQ(count_rows(*c, "runs"), 1);
    EXPECT_EQ(count_rows(*c, "records"), 3);
  }
  const Outcome again = run_with(history({"add", "--store", spec, history_fixture("v2_run.json")}));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("1 of 1 files added"), std::string::npos) << again.out;
}

TEST(HistoryCli, ConcurrentAddsIntoOneSqliteFile) {
  const std::string dir = make_temp_dir("hcon");
  concurrent_adds_keep_every_row_once(dir + "/h.sqlite", dir);
  remove_tree(dir);
}

TEST(HistoryCli, KilledIngestLeavesSqliteStoreAsItWas) {
  const std::string dir = make_temp_dir("hkill");
  killed_ingest_leaves_the_store_as_it_was(dir + "/h.sqlite", dir);
  remove_tree(dir);
}

class HistoryPostgresCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { PostgresServer::start(); }
  static void TearDownTestSuite() { PostgresServer::stop(); }
  void SetUp() override {
    if (!PostgresServer::running()) GTEST_SKIP() << PostgresServer::why_not();
  }
};

TEST_F(HistoryPostgresCli, ConcurrentAddsIntoOneDatabase) {
  const std::string dir = make_temp_dir("hpcon");
  concurrent_adds_keep_every_row_once(PostgresServer::new_database(), dir);
  remove_tree(dir);
}

TEST_F(HistoryPostgresCli, KilledIngestLeavesDatabaseAsItWas) {
  const std::string dir = make_temp_dir("hpkill");
  killed_ingest_leaves_the_store_as_it_was(PostgresServer::new_database(), dir);
  remove_tree(dir);
}

TEST_F(HistoryPostgresCli, NoPasswordIsPrintedOrStored) {
  // Trust authentication ignores the password; the URL still carries it, as a CI secret would.
  const std::string url = PostgresServer::new_database();
  const std::string database = url.substr(url.find("@/") + 2, url.find('?') - url.find("@/") - 2);
  const std::string with_password = PostgresServer::url(database, "ctxbench:pw-SECRET-42");
  const Outcome add = run_with(history({"add", "--store", with_password, history_fixture("v2_run.json")}));
  EXPECT_EQ(add.exit_code, 0) << add.err;
  EXPECT_NE(add.out.find("ctxbench:***@"), std::string::npos) << add.out;
  const Outcome csv = run_with(history({"export", "--csv", "--store", with_password}));
  EXPECT_EQ(csv.exit_code, 0) << csv.err;
  std::string everything = add.out + add.err + csv.out + csv.err;
  auto c = ctxbench::store::open_store(url, false);
  for (const char* table : {"runs", "records", "machines", "schema_meta"})
    c->query(std::string("SELECT * FROM ") + table, {}, [&](const ctxbench::store::Row& r) {
      for (int i = 0; i < 8; ++i) everything += r.null(i) ? "" : r.text(i);
    });
  EXPECT_EQ(everything.find("pw-SECRET-42"), std::string::npos);
}

}  // namespace
