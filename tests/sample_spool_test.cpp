// The sample spool (src/sample_spool.hpp) keeps the samples of interleaved runs out of ctxbench's heap
// until a record is filed. What it must never change: the records. The same rounds give the same merged
// runs with and without it, and the result sink files the same records, statistics and samples, whether
// it holds them in the spool (interleaved) or files each at once (--no-interleave); a spool that cannot
// be written keeps the samples in memory and says so once.
#include "src/sample_spool.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/derived.hpp"
#include "src/interleave.hpp"
#include "src/result_sink.hpp"
#include "tests/probe_table.hpp"
#include "tests/run_util.hpp"

namespace ctxbench {
namespace {

using namespace ctxbench_test;

const Probe& probe_named(const std::string& name) {
  for (const auto& p : default_probe_table())
    if (p->info().name == name) return *p;
  throw std::runtime_error("no probe " + name);
}

// A writer that takes `limit` bytes, then fails as a full disk does.
SampleSpool::Writer full_after(std::uint64_t limit) {
  return [limit](int fd, const void* data, std::size_t n, off_t offset) {
    if (static_cast<std::uint64_t>(offset) + n > limit) return ENOSPC;
    return ::pwrite(fd, data, n, offset) == static_cast<ssize_t>(n) ? 0 : EIO;
  };
}

TEST(SampleSpool, GivesBackWhatItTookAndSaysTheFirstFailureOnce) {
  const std::string dir = make_temp_dir("spool");
  std::vector<std::string> said;
  SampleSpool spool(
      dir, [&](const std::string& why) { said.push_back(why); }, full_after(64));
  const std::vector<double> a = {1.5, -2.25, 3e9, 0.0};
  const std::vector<int> b = {0, 1, -1, 7};
  const auto sa = spool.put(a), sb = spool.put(b);
  ASSERT_TRUE(sa && sb);
  EXPECT_EQ(spool.get_vector<double>(*sa), a);
  EXPECT_EQ(spool.get_vector<int>(*sb), b);
  EXPECT_FALSE(spool.failed());
  // 48 bytes in: 32 more do not fit.
  EXPECT_FALSE(spool.put(a).has_value());
  EXPECT_FALSE(spool.put(b).has_value());  // not tried again
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(said[0], "cannot spool samples in " + dir + " (No space left on device)");
  EXPECT_TRUE(spool.failed());
  EXPECT_EQ(spool.get_vector<double>(*sa), a);  // what it took is still there
  // Nothing is left in the directory: the file has no name.
  ::rmdir(dir.c_str());
  EXPECT_FALSE(exists(dir)) << "the spool left a file in " << dir;
  remove_tree(dir);
}

TEST(SampleSpool, RefusesADirectoryItCannotWriteBeforeAnythingRuns) {
  try {
    SampleSpool spool("/nonexistent-ctxbench-dir", {});
    FAIL() << "created a spool in a missing directory";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot create the sample spool in /nonexistent-ctxbench-dir (No such file or directory)");
  }
}

// Round r of plan[i]: one repetition of 700 samples and two tasks' CPUs, different for every (i, r).
ProbeRun round_of(std::size_t i, int r) {
  ProbeRun run;
  run.wall_seconds = 0.25;
  run.host_start_rss_kib = 1000;
  run.host_peak_rss_kib = 2000 + static_cast<std::uint64_t>(r);
  RepetitionRun rep;
  rep.ops_per_sample = 4;
  rep.ops = 700 * 4;
  rep.voluntary_switches = 1400 + static_cast<std::uint64_t>(i);
  rep.task_cpus.resize(2);
  for (int s = 0; s < 700; ++s) {
    rep.ns_per_op.push_back(1000.0 + 10.0 * static_cast<double>(i) + static_cast<double>((s * 37 + r * 11) % 97) +
                            (s % 50 == 0 ? 900.0 : 0.0));
    rep.task_cpus[0].push_back(0);
    rep.task_cpus[1].push_back((s / 100 + r) % 2);
  }
  run.repetitions.push_back(std::move(rep));
  return run;
}

std::vector<PlannedRun> small_plan() {
  std::vector<PlannedRun> plan;
  // A derived record is computed from ctxswitch.pipe.process's samples (kept in memory) and ipc.pipe.self's
  // statistics (its samples spooled, as are the baselines').
  for (const char* name : {"ctxswitch.pipe.process", "ipc.pipe.self", "baseline.syscall", "baseline.clock"}) {
    PlannedRun p;
    p.probe = &probe_named(name);
    p.id = name;
    plan.push_back(p);
  }
  return plan;
}

void expect_same_run(const ProbeRun& a, const ProbeRun& b) {
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.wall_seconds, b.wall_seconds);
  EXPECT_EQ(a.host_peak_rss_kib, b.host_peak_rss_kib);
  ASSERT_EQ(a.repetitions.size(), b.repetitions.size());
  for (std::size_t r = 0; r < a.repetitions.size(); ++r) {
    EXPECT_EQ(a.repetitions[r].ns_per_op, b.repetitions[r].ns_per_op) << r;
    EXPECT_EQ(a.repetitions[r].task_cpus, b.repetitions[r].task_cpus) << r;
    EXPECT_EQ(a.repetitions[r].ops, b.repetitions[r].ops) << r;
    EXPECT_EQ(a.repetitions[r].voluntary_switches, b.repetitions[r].voluntary_switches) << r;
  }
}

nlohmann::json results_of(const std::string& path) {
  std::ifstream in(path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  return doc.at("results");
}

// The rounds of `plan`, merged by a scheduler that spools into `spool` (none: in memory), made into
// records as the run loop makes them (after each probe's last round).
std::vector<Record> records_of_rounds(const std::vector<PlannedRun>& plan, SampleSpool* spool,
                                      std::vector<ProbeRun>* runs) {
  RunnerSettings settings;
  settings.repetitions = 5;
  RoundScheduler rounds(plan, settings, true);
  EXPECT_TRUE(rounds.interleaved());
  rounds.spool_into(spool);
  std::vector<Record> records;
  for (int round = 0; round < rounds.rounds(); ++round) {
    for (std::size_t i = 0; i < plan.size(); ++i) {
      if (!rounds.due(i, round)) continue;
      rounds.add(i, round_of(i, round));
      if (!rounds.finished(i, false)) continue;
      const std::optional<ProbeRun> run = rounds.take(i);
      EXPECT_TRUE(run.has_value());
      runs->push_back(*run);
      records.push_back(make_record(plan[i].probe->info(), *run, ""));
    }
  }
  return records;
}

TEST(SampleSpool, RoundsGiveTheSameRunsWithTheSpoolAsInMemory) {
  const std::string dir = make_temp_dir("spool");
  const std::vector<PlannedRun> plan = small_plan();
  std::vector<ProbeRun> in_memory, spooled, short_spool;
  records_of_rounds(plan, nullptr, &in_memory);
  SampleSpool spool(dir, {});
  records_of_rounds(plan, &spool, &spooled);
  // A spool that fills in the second round, inside a repetition (its samples in, its CPUs not): what it
  // could not take stays in memory, nothing is lost. A probe's round spools 700 doubles and 2 x 700 ints.
  int said = 0;
  const std::uint64_t per_round = 700 * 8 + 2 * 700 * 4;
  SampleSpool full(
      dir, [&](const std::string&) { ++said; }, full_after(per_round * 5 + 700 * 8 + 100));
  records_of_rounds(plan, &full, &short_spool);
  EXPECT_EQ(said, 1);
  ASSERT_EQ(in_memory.size(), plan.size());
  ASSERT_EQ(spooled.size(), plan.size());
  ASSERT_EQ(short_spool.size(), plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i) {
    EXPECT_EQ(in_memory[i].repetitions.size(), 5u);
    expect_same_run(in_memory[i], spooled[i]);
    expect_same_run(in_memory[i], short_spool[i]);
  }
  remove_tree(dir);
}

// The sink, fed the same records interleaved (held, samples in the spool) and not (filed at once),
// writes the same results: every statistic, every sample, the derived record.
TEST(SampleSpool, SinkFilesTheSameRecordsHeldInTheSpoolAsFiledAtOnce) {
  const std::string dir = make_temp_dir("spool");
  const std::vector<PlannedRun> plan = small_plan();
  std::vector<ProbeRun> runs;
  const std::vector<Record> records = records_of_rounds(plan, nullptr, &runs);
  const MachineInfo machine{};
  struct Way {
    std::string file;
    bool hold;
    SampleSpool::Writer writer;
  };
  const std::vector<Way> ways = {{dir + "/held.json", true, {}},
                                 {dir + "/filed.json", false, {}},
                                 // ipc.pipe.self's 3500 samples fit, baseline.syscall's do not.
                                 {dir + "/held_full.json", true, full_after(8 * 3500 + 1)}};
  for (const Way& way : ways) {
    RunMeta meta;
    ResultSink sink(way.file, way.hold, static_cast<int>(records.size()), meta, machine, way.writer);
    ::testing::internal::CaptureStderr();
    for (const Record& r : records) sink.add(r);
    const std::string err = ::testing::internal::GetCapturedStderr();
    if (way.hold && !way.writer) {
      // Held out of memory, except the samples a derivation needs.
      ASSERT_EQ(sink.measured().size(), records.size());
      for (const Record& r : sink.measured())
        EXPECT_EQ(r.samples.empty(), !feeds_derivation(r)) << r.probe << ": " << r.samples.size();
      EXPECT_FALSE(sink.spool_failed());
    }
    if (way.writer) {
      // Said once, at once (before finish).
      EXPECT_TRUE(sink.spool_failed());
      EXPECT_NE(err.find("ctxbench: cannot spool samples in " + dir +
                         " (No space left on device); the samples it could not take stay in memory "
                         "(nothing measured is lost), the run goes on; it ends with exit status 4"),
                std::string::npos)
          << err;
    }
    const std::vector<Record> out = sink.finish({});
    EXPECT_FALSE(sink.file_incomplete());
    EXPECT_EQ(out.size(), records.size() + 1);  // + ctxswitch.pipe.process.per_switch
  }
  const nlohmann::json held = results_of(dir + "/held.json"), filed = results_of(dir + "/filed.json"),
                       held_full = results_of(dir + "/held_full.json");
  ASSERT_EQ(filed.size(), records.size() + 1);
  EXPECT_EQ(filed[0]["samples"].size(), 3500u);
  EXPECT_EQ(held, filed) << nlohmann::json::diff(filed, held).dump(1);
  EXPECT_EQ(held_full, filed) << nlohmann::json::diff(filed, held_full).dump(1);
  remove_tree(dir);
}

}  // namespace
}  // namespace ctxbench
