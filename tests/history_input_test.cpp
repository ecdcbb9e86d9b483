// The pure half of the results store: SHA-256, reading result files of both schema versions into rows,
// the machine fingerprint, password masking. No store, no files but the fixtures.
#include "analysis/history_input.hpp"

#include <gtest/gtest.h>

#include <string>

#include "analysis/sha256.hpp"
#include "src/history_options.hpp"
#include "src/options.hpp"
#include "src/store/store.hpp"
#include "tests/history_util.hpp"

namespace {

using namespace ctxbench;
using ctxbench_test::history_fixture;
using ctxbench_test::slurp;

TEST(HistoryInput, Sha256KnownVectors) {
  // FIPS 180-4 examples: empty, one block, two blocks (56 bytes: the length no longer fits the first).
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(HistoryInput, SchemaTwoIsReadAsWritten) {
  const RunInput in = read_run_file("v2_run.json", slurp(history_fixture("v2_run.json")));
  EXPECT_EQ(in.run.schema_version, 2);
  EXPECT_EQ(in.run.run_id, sha256_hex(slurp(history_fixture("v2_run.json"))));
  EXPECT_EQ(in.run.start_time, "2026-12-02T10:00:00Z");
  EXPECT_EQ(in.run.options["suite"], "default");
  ASSERT_EQ(in.run.warnings.size(), 1u);
  EXPECT_EQ(in.run.warnings[0]["kind"], "unstable_machine");
  ASSERT_EQ(in.records.size(), 3u);
  EXPECT_EQ(in.records[1].measure.value_or("-"), "round_trip");
  EXPECT_EQ(in.records[1].warnings[0]["remedy"], "run with --repetitions 20");
  EXPECT_DOUBLE_EQ(*in.records[1].p50, 3050.0);
  EXPECT_DOUBLE_EQ(*in.records[1].rerun_high, 1.25);
  EXPECT_EQ(in.records[1].repetition_medians.size(), 3u);
  // A bandwidth record keeps ns per op as its figure (higher is slower, as for every record).
  EXPECT_DOUBLE_EQ(*in.records[2].p50, 16000.0);
  EXPECT_EQ(in.records[2].params["size"], 65536);
  EXPECT_DOUBLE_EQ(*in.run.steal_fraction, 0.002);
}

// placement.pair_round_trip_ns (docs/contracts.md): one reading pair per repetition, from `rounds` when it has
// one per repetition, else the record's one [before, after] for each; a missing reading stays missing.
TEST(HistoryInput, PairReadingsAreReadOnePerRepetition) {
  nlohmann::json doc = nlohmann::json::parse(slurp(history_fixture("v2_run.json")));
  nlohmann::json& bw = doc["results"][2];
  bw["placement"]["pair_round_trip_ns"] = {
      {"before", 400.5}, {"after", 101.0}, {"rounds", {{400.5, 410.0}, {nullptr, 99.0}, {98.0, 101.0}}}};
  const RunInput in = read_run_file("pairs.json", doc.dump());
  const std::vector<PairReadings>& pairs = in.records[2].pair_round_trips;
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_DOUBLE_EQ(*pairs[0].before, 400.5);
  EXPECT_FALSE(pairs[1].before);
  EXPECT_DOUBLE_EQ(*pairs[1].after, 99.0);
  EXPECT_DOUBLE_EQ(*pairs[2].before, 98.0);
  EXPECT_TRUE(in.records[1].pair_round_trips.empty()) << "a same-CPU record has none";
  // One measuring process for every repetition (no rounds): its one pair for each.
  bw["placement"]["pair_round_trip_ns"] = {{"before", 400.5}, {"after", 101.0}};
  const RunInput one = read_run_file("pairs.json", doc.dump());
  ASSERT_EQ(one.records[2].pair_round_trips.size(), 3u);
  EXPECT_DOUBLE_EQ(*one.records[2].pair_round_trips[2].before, 400.5);
  EXPECT_DOUBLE_EQ(*one.records[2].pair_round_trips[2].after, 101.0);
  // Rounds that are not one per repetition: which reading is whose is unknown, none is taken.
  bw["placement"]["pair_round_trip_ns"] = {{"before", 400.5}, {"after", 101.0}, {"rounds", {{400.5, 101.0}}}};
  EXPECT_TRUE(read_run_file("pairs.json", doc.dump()).records[2].pair_round_trips.empty());
}

TEST(HistoryInput, EveryResultFixtureOfTheWriterIsRead) {
  // The files ctxbench itself writes (tests/fixtures/results/, schema 2): every one goes in, with a measure
  // on every record and warnings as objects.
  int read = 0;
  for (const char* name : {"aa_run1.json", "bandwidth.json", "default_suite.json", "explain_quick.json",
                           "full_suite.json", "kvm2_a.json", "synthetic_sweeps_c2c.json"}) {
    const std::string path = std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/results/" + name;
    const RunInput in = read_run_file(name, slurp(path));
    EXPECT_EQ(in.run.schema_version, 2) << name;
    EXPECT_FALSE(in.records.empty()) << name;
    for (const RecordRow& r : in.records) {
      EXPECT_TRUE(r.measure) << name << " " << r.record_id;
      if (r.status == "ok") {
        EXPECT_TRUE(r.p50) << name << " " << r.record_id;
      }
    }
    ++read;
  }
  EXPECT_EQ(read, 7);
}

TEST(HistoryInput, SchemaOneGoesThroughTheAdapter) {
  const RunInput in = read_run_file("v1_run.json", slurp(history_fixture("v1_run.json")));
  EXPECT_EQ(in.run.schema_version, 1);
  ASSERT_EQ(in.run.warnings.size(), 1u);
  EXPECT_EQ(in.run.warnings[0]["kind"], "unclassified");
  EXPECT_EQ(in.run.warnings[0]["text"].get<std::string>().rfind("too few repetitions", 0), 0u);
  for (const RecordRow& r : in.records) EXPECT_FALSE(r.measure) << r.record_id;
  EXPECT_EQ(in.records[1].warnings[0]["kind"], "unclassified");
  EXPECT_EQ(in.records[2].status, "skipped");
  EXPECT_FALSE(in.records[2].p50);
  // --context kernel=6.1 (in Google Benchmark's context block) is the run's context; GB's keys are not.
  EXPECT_EQ(in.run.context, nlohmann::json({{"kernel", "6.1"}}));
}

TEST(HistoryInput, FingerprintIgnoresHostnameLabelAndLoadButNotWhatMovesFigures) {
  const RunInput v1 = read_run_file("a", slurp(history_fixture("v1_run.json")));
  const RunInput v2 = read_run_file("b", slurp(history_fixture("v2_run.json")));
  // Same machine fields, different hostname, label, load, steal, cpu_mhz: one machine.
  EXPECT_NE(v1.run.hostname, v2.run.hostname);
  EXPECT_EQ(v1.machine.fingerprint, v2.machine.fingerprint);
  EXPECT_EQ(v1.machine.fingerprint.size(), 16u);
  nlohmann::json doc = nlohmann::json::parse(slurp(history_fixture("v2_run.json")));
  for (const char* field : {"governor", "kernel_release", "microcode", "kernel_cmdline", "cpuidle_driver"}) {
    nlohmann::json changed = doc;
    changed["machine"][field] = "something else";
    EXPECT_NE(read_run_file("c", changed.dump()).machine.fingerprint, v2.machine.fingerprint) << field;
  }
  nlohmann::json more_cpus = doc;
  more_cpus["machine"]["logical_cpus"] = 4;
  EXPECT_NE(read_run_file("d", more_cpus.dump()).machine.fingerprint, v2.machine.fingerprint);
  nlohmann::json mitigations = doc;
  mitigations["machine"]["mitigations"]["meltdown"] = "Vulnerable";
  EXPECT_NE(read_run_file("e", mitigations.dump()).machine.fingerprint, v2.machine.fingerprint);
}

TEST(HistoryInput, FingerprintTakesTheSchedulerOnlyWhenSchedExtRuns) {
  nlohmann::json doc = nlohmann::json::parse(slurp(history_fixture("v2_run.json")));
  const std::string before = read_run_file("a", doc.dump()).machine.fingerprint;
  // The fields issue 24 added, at a machine's usual values: stores written before them keep their series.
  doc["machine"]["scheduler"] = "eevdf";
  doc["machine"]["sched_autogroup_enabled"] = true;
  doc["machine"]["pcid"] = true;
  doc["machine"]["sched_ext_state"] = "disabled";
  EXPECT_EQ(read_run_file("b", doc.dump()).machine.fingerprint, before);
  doc["machine"]["scheduler"] = "sched_ext";
  doc["machine"]["sched_ext_state"] = "enabled";
  doc["machine"]["sched_ext_ops"] = "lavd";
  const RunInput lavd = read_run_file("c", doc.dump());
  EXPECT_NE(lavd.machine.fingerprint, before);
  EXPECT_EQ(lavd.machine.identity["sched_ext_ops"], "lavd");
  doc["machine"]["sched_ext_ops"] = "rusty";
  EXPECT_NE(read_run_file("d", doc.dump()).machine.fingerprint, lavd.machine.fingerprint);
}

TEST(HistoryInput, BadFilesNameTheFile) {
  struct Case {
    const char* file;
    const char* expected;
  };
  for (const Case& c : {Case{"truncated.json", "not valid JSON"}, Case{"foreign.json", "not a ctxbench result file"},
                        Case{"future_schema.json", "result schema version 3"}}) {
    try {
      read_run_file(c.file, slurp(history_fixture(c.file)));
      ADD_FAILURE() << c.file << " was accepted";
    } catch (const HistoryInputError& e) {
      EXPECT_NE(std::string(e.what()).find(c.file), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
    }
  }
  nlohmann::json doc = nlohmann::json::parse(slurp(history_fixture("v2_run.json")));
  doc["results"][1]["warnings"] = {42};
  EXPECT_THROW(read_run_file("w", doc.dump()), HistoryInputError);
  doc = nlohmann::json::parse(slurp(history_fixture("v2_run.json")));
  doc["results"][1]["id"] = doc["results"][0]["id"];
  EXPECT_THROW(read_run_file("dup", doc.dump()), HistoryInputError);
  doc = nlohmann::json::parse(slurp(history_fixture("v2_run.json")));
  doc["results"][1]["statistics"].erase("p50");
  doc["results"][1]["repetitions"] = nlohmann::json::array();
  EXPECT_THROW(read_run_file("nop50", doc.dump()), HistoryInputError);
}

TEST(HistoryInput, PasswordsAreMasked) {
  using store::hide_password;
  using store::mask_password;
  EXPECT_EQ(mask_password("postgresql://ci:s3cret@db.example:5432/bench"), "postgresql://ci:***@db.example:5432/bench");
  EXPECT_EQ(mask_password("postgres://ci:p@ss@db/bench?sslmode=require"), "postgres://ci:***@db/bench?sslmode=require");
  EXPECT_EQ(mask_password("postgresql:///bench?host=/run/pg&password=s3cret&user=ci"),
            "postgresql:///bench?host=/run/pg&password=***&user=ci");
  EXPECT_EQ(mask_password("postgresql://db.example:5432/bench"), "postgresql://db.example:5432/bench");
  EXPECT_EQ(mask_password("postgresql://ci@db/bench"), "postgresql://ci@db/bench");
  EXPECT_EQ(hide_password("invalid percent-encoded token: \"s3%zz\"", "postgresql://ci:s3%zz@db/bench"),
            "invalid percent-encoded token: \"***\"");
}

TEST(HistoryInput, OptionsRefuseBadUsageNamingTheFlag) {
  struct Case {
    std::vector<std::string> args;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {{}, "needs a command"},
      {{"frob"}, "'frob'"},
      {{"add"}, "at least one result file"},
      {{"check"}, "needs a result file"},
      {{"check", "a.json", "--confirm", "0"}, "--confirm"},
      {{"check", "a.json", "--confirm", "two"}, "--confirm"},
      {{"show", "--confirm", "2"}, "only history check"},
      {{"check", "a.json", "--threshold", "abc"}, "--threshold"},
      {{"check", "a.json", "--threshold", "-5%"}, "--threshold"},
      {{"check", "a.json", "--min-history", "1"}, "--min-history"},
      {{"check", "a.json", "--min-history", "6.5"}, "--min-history"},
      {{"show", "--min-history", "10"}, "only history check"},
      {{"show", "--since", "2026/12/01"}, "--since"},
      {{"show", "--since", "yesterday"}, "--since"},
      {{"show", "--filter", "("}, "--filter"},
      {{"show", "--machine", ""}, "--machine"},
      {{"show", "--csv"}, "--csv"},
      {{"show", "extra"}, "'extra'"},
      {{"show", "--json=yes"}, "--json"},
      {{"add", "a.json", "--machine", "m"}, "--machine"},
      {{"export"}, "--csv or --json"},
      {{"export", "--csv", "--json"}, "--csv or --json"},
      {{"export", "--csv", "--out", ""}, "--out"},
      {{"show", "--store"}, "--store"},
      {{"show", "--store", ""}, "--store"},
      {{"show", "--bogus"}, "'--bogus'"},
      {{"show", "--window", "5"}, "--window"},
      {{"show", "--window", "7.5"}, "--window"},
      {{"show", "--max-p", "1"}, "--max-p"},
      {{"show", "--max-p", "p"}, "--max-p"},
      {{"show", "--min-change", "x%"}, "--min-change"},
      {{"show", "--fdr", "1"}, "--fdr"},
      {{"show", "--fdr", "-0.1"}, "--fdr"},
      {{"show", "--fdr", "q"}, "--fdr"},
      {{"add", "a.json", "--fdr", "0.05"}, "only history show, check and export"},
      {{"add", "f.json", "--window", "30"}, "--window"},
  };
  for (const Case& c : cases) {
    try {
      parse_history_args(c.args);
      ADD_FAILURE() << "accepted: " << (c.args.empty() ? "" : c.args[0]);
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
    }
  }
  const HistoryArgs a = parse_history_args({"check", "n.json", "--threshold", "7.5%", "--store=x.sqlite"});
  EXPECT_DOUBLE_EQ(a.threshold, 0.075);
  EXPECT_FALSE(a.min_history);
  EXPECT_EQ(*parse_history_args({"check", "n.json", "--min-history", "10"}).min_history, 10u);
  EXPECT_EQ(*parse_history_args({"check", "n.json", "r.json", "--confirm", "3"}).confirm, 3u);
  EXPECT_EQ(parse_history_args({"check", "n.json", "r.json"}).files.size(), 2u);
  EXPECT_EQ(a.store, "x.sqlite");
  EXPECT_EQ(*parse_history_args({"show", "--since", "2026-12-01"}).since, "2026-12-01T00:00:00Z");
  const HistoryArgs c = parse_history_args({"show", "--window", "50", "--max-p", "0.01", "--min-change", "2%"});
  EXPECT_EQ(*c.window, 50u);
  EXPECT_DOUBLE_EQ(*c.max_p_value, 0.01);
  EXPECT_DOUBLE_EQ(*c.min_change, 0.02);
  EXPECT_DOUBLE_EQ(*parse_history_args({"export", "--json", "--fdr", "0"}).false_discovery_rate, 0.0);
  EXPECT_DOUBLE_EQ(*parse_history_args({"check", "n.json", "--fdr", "0.05"}).false_discovery_rate, 0.05);
  EXPECT_EQ(*parse_history_args({"show", "--since", "2026-12-01T10:30Z"}).since, "2026-12-01T10:30:00Z");
}

}  // namespace
