// analysis/truth.hpp on literal data: co-located vs split groups, the denominator check, steal time;
// the stat-line parser the runner uses for observed CPUs; and idle/steal fields of a fixture tree.
#include "analysis/truth.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "analysis/machine.hpp"
#include "analysis/record.hpp"
#include "engine/machine_files.hpp"
#include "engine/task_cpu.hpp"

namespace ctxbench {
namespace {

TEST(Bimodal, TwoClustersGiveTwoGroupsAndAWarning) {
  // 6 samples with both tasks on CPU 0 (~5 us), 4 with them on CPUs 0 and 1 (~40 us).
  const std::vector<double> samples = {5000, 5100, 40000, 4900, 41000, 5050, 39000, 5200, 40500, 4950};
  const std::vector<int> a = {0, 0, 0, 0, 1, 0, 0, 1, 0, 1};
  const std::vector<int> b = {0, 0, 1, 0, 0, 0, 1, 1, 1, 1};
  // co-located: indices 0,1,3,5,7,9 -> 5000 5100 4900 5050 5200 4950; split: 2,4,6,8.
  const PlacementSplit s = split_by_colocation(samples, a, b);
  ASSERT_EQ(s.groups.size(), 2u);
  EXPECT_EQ(s.groups[0].name, "co-located");
  EXPECT_EQ(s.groups[0].samples, 6u);
  EXPECT_DOUBLE_EQ(s.groups[0].share, 0.6);
  EXPECT_DOUBLE_EQ(s.groups[0].median_ns, 5025);
  EXPECT_EQ(s.groups[1].name, "split");
  EXPECT_EQ(s.groups[1].samples, 4u);
  EXPECT_DOUBLE_EQ(s.groups[1].share, 0.4);
  EXPECT_DOUBLE_EQ(s.groups[1].median_ns, 40250);
  EXPECT_TRUE(s.bimodal);
  ASSERT_TRUE(s.warning);
  EXPECT_EQ(s.warning->kind, WarningKind::Bimodal);
  EXPECT_DOUBLE_EQ(*s.warning->figure, 0.6);
  EXPECT_NE(s.warning->text.find("60%"), std::string::npos);
}

TEST(Bimodal, OneClusterGivesNoGroupsAndNoWarning) {
  const std::vector<double> samples = {5000, 5100, 4900, 5050};
  const PlacementSplit together = split_by_colocation(samples, {1, 1, 0, 0}, {1, 1, 0, 0});
  EXPECT_TRUE(together.groups.empty());
  EXPECT_FALSE(together.bimodal);
  EXPECT_FALSE(together.warning);
  const PlacementSplit apart = split_by_colocation(samples, {0, 0, 0, 0}, {1, 1, 1, 1});
  EXPECT_TRUE(apart.groups.empty());
  EXPECT_FALSE(apart.bimodal);
}

TEST(Bimodal, SimilarMediansOrATinyGroupAreNotBimodal) {
  // Both placements present but equally fast: groups reported, no warning.
  const PlacementSplit same =
      split_by_colocation(std::vector<double>{5000, 5100, 5050, 4950}, {0, 0, 0, 0}, {0, 1, 0, 1});
  EXPECT_EQ(same.groups.size(), 2u);
  EXPECT_FALSE(same.bimodal);
  // One split sample in 40 (2.5% < 5%): not a second mode.
  std::vector<double> samples(40, 5000.0);
  std::vector<int> a(40, 0), b(40, 0);
  samples[7] = 40000;
  b[7] = 1;
  const PlacementSplit tiny = split_by_colocation(samples, a, b);
  EXPECT_EQ(tiny.groups.size(), 2u);
  EXPECT_FALSE(tiny.bimodal);
}

TEST(Bimodal, UnknownCpusAreLeftOut) {
  const PlacementSplit s = split_by_colocation(std::vector<double>{5000, 40000, 7000}, {0, 0, -1}, {0, 1, 0});
  ASSERT_EQ(s.groups.size(), 2u);
  EXPECT_EQ(s.groups[0].samples + s.groups[1].samples, 2u);
}

TEST(Observed, CountsCpusAndFlagsAPinnedTaskSeenElsewhere) {
  const std::vector<std::vector<int>> cpus = {{0, 0, 0}, {1, 0, 1}};
  const std::vector<ObservedTask> t = observe_tasks(cpus, {0, 1});
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].task, "A");
  EXPECT_FALSE(t[0].seen_elsewhere);
  ASSERT_EQ(t[0].cpus.size(), 1u);
  EXPECT_EQ(t[0].cpus[0].cpu, 0);
  EXPECT_EQ(t[0].cpus[0].samples, 3u);
  EXPECT_EQ(t[1].task, "B");
  EXPECT_TRUE(t[1].seen_elsewhere);
  ASSERT_EQ(t[1].cpus.size(), 2u);
  EXPECT_EQ(t[1].cpus[1].samples, 2u);
  // Unpinned: never "elsewhere"; an unreadable reading (-1) is no evidence either.
  EXPECT_FALSE(observe_tasks(cpus, {})[1].seen_elsewhere);
  EXPECT_FALSE(observe_tasks({{0, -1}}, {0})[0].seen_elsewhere);
}

TEST(Observed, RecordOfAPinnedRunSeenElsewhereCarriesAWarning) {
  ProbeInfo info;
  info.name = "ctxswitch.fake";
  info.op = "fake";
  info.expected_switches_per_op = 2;
  ProbeRun run;
  run.placement = {PlacementKind::CrossCpu, 0, 1};
  RepetitionRun rep;
  rep.ns_per_op = {100, 110, 120};
  rep.task_cpus = {{0, 0, 0}, {1, 1, 0}};
  rep.ops = 3;
  rep.voluntary_switches = 6;  // 2 per op
  run.repetitions.push_back(rep);
  const Record r = make_record(info, run, "");
  EXPECT_TRUE(r.pinned_task_seen_elsewhere);
  bool warned = false;
  for (const Warning& w : r.warnings) warned = warned || w.kind == WarningKind::PinnedElsewhere;
  EXPECT_TRUE(warned);
}

// A probe that pins its tasks otherwise than A on cpu_a and B on cpu_b declares where (Session::task_pins): a
// same-cpu futex contention record has B on the next CPU on purpose. The check compares with the declared CPUs,
// so it fires only for a task seen somewhere it was not pinned to.
TEST(Observed, DeclaredPinsReplaceThePlacementsPair) {
  ProbeInfo info;
  info.name = "ctxswitch.futex_wake/waiters:2";
  info.op = "fake";
  ProbeRun run;
  run.placement = {PlacementKind::SameCpu, 0, 0};
  RepetitionRun rep;
  rep.ns_per_op = {100, 110, 120};
  rep.task_cpus = {{0, 0, 0}, {1, 1, 1}, {0, 0, 0}};  // caller, waiter 0, waiter 1
  rep.task_pins = {0, 1, 0};                          // the spread: waiter 0 on the next CPU
  rep.ops = 3;
  run.repetitions.push_back(rep);
  auto pinned_elsewhere = [](const Record& r) {
    std::vector<std::string> texts;
    for (const Warning& w : r.warnings)
      if (w.kind == WarningKind::PinnedElsewhere) texts.push_back(w.text);
    return texts;
  };
  const Record r = make_record(info, run, "same");
  EXPECT_FALSE(r.pinned_task_seen_elsewhere);
  EXPECT_TRUE(pinned_elsewhere(r).empty());
  ASSERT_EQ(r.observed_cpus.size(), 3u);
  EXPECT_EQ(r.observed_cpus[1].pinned_to, 1);
  EXPECT_EQ(r.observed_cpus[2].pinned_to, 0);

  // Waiter 1 (task C) seen on CPU 1, where it was not pinned: that warns, and names C and its CPU.
  run.repetitions[0].task_cpus[2] = {0, 1, 0};
  const Record moved = make_record(info, run, "same");
  EXPECT_TRUE(moved.pinned_task_seen_elsewhere);
  const std::vector<std::string> texts = pinned_elsewhere(moved);
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_NE(texts[0].find("task C was pinned to CPU 0"), std::string::npos) << texts[0];

  // Without a declaration the placement's pair holds: B pinned to cpu_b (0) and seen on 1 warns.
  run.repetitions[0].task_pins.clear();
  run.repetitions[0].task_cpus[2] = {0, 0, 0};
  const std::vector<std::string> undeclared = pinned_elsewhere(make_record(info, run, "same"));
  ASSERT_EQ(undeclared.size(), 1u);
  EXPECT_NE(undeclared[0].find("task B was pinned to CPU 0"), std::string::npos) << undeclared[0];
}

TEST(Denominator, WithinTenPercentIsQuiet) {
  EXPECT_FALSE(denominator_warning(2.0, 2.0));
  EXPECT_FALSE(denominator_warning(2.19, 2.0));
  EXPECT_FALSE(denominator_warning(1.81, 2.0));
  EXPECT_FALSE(denominator_warning(0.05, 0.0));
}

TEST(Denominator, BeyondTenPercentWarns) {
  const auto low = denominator_warning(1.2, 2.0);
  ASSERT_TRUE(low);
  EXPECT_EQ(low->kind, WarningKind::Denominator);
  EXPECT_DOUBLE_EQ(*low->figure, 1.2);
  EXPECT_NE(low->text.find("1.20"), std::string::npos);
  EXPECT_NE(low->text.find("before it went to sleep"), std::string::npos);
  EXPECT_TRUE(denominator_warning(2.3, 2.0));
  EXPECT_TRUE(denominator_warning(0.5, 0.0));
  EXPECT_FALSE(denominator_warning(5.0, -1.0));  // no expectation stated
}

// On two CPUs a hand-off need not be a switch (the partner answered before the task slept): fewer
// switches than a two-task op implies are data there, not a warning; more still warn.
TEST(Denominator, OnTwoCpusOnlyExtraSwitchesWarn) {
  EXPECT_FALSE(denominator_warning(1.2, 2.0, true));
  EXPECT_TRUE(denominator_warning(1.2, 2.0, false));
  const auto extra = denominator_warning(3.1, 2.0, true);
  ASSERT_TRUE(extra);
  EXPECT_NE(extra->text.find("extra switches"), std::string::npos);
}

TEST(Denominator, RecordCarriesTheWarning) {
  ProbeInfo info;
  info.name = "ctxswitch.fake";
  info.op = "fake";
  info.expected_switches_per_op = 2;
  ProbeRun run;
  run.placement = {PlacementKind::SameCpu, 0, 0};
  RepetitionRun rep;
  rep.ns_per_op = {100, 110, 120};
  rep.ops = 3;
  rep.voluntary_switches = 3;  // 1 per op, 2 expected
  run.repetitions.push_back(rep);
  const Record r = make_record(info, run, "same");
  bool warned = false;
  for (const Warning& w : r.warnings) warned = warned || w.kind == WarningKind::Denominator;
  EXPECT_TRUE(warned);
}

// An op that implies sleeps (the futex contention family): the voluntary switches are compared, the wake-up
// preemptions among its own tasks (involuntary) are reported but not counted. Literal figures of the quiet run of
// 2026-12-05 14:36 UTC (results/futex/contention_round1.json, futex_wake_parallel/waiters:8/wakers:8/same-cpu):
// 17.61 voluntary + 2.52 involuntary per round against N + W + 1 = 17 sleeps.
TEST(Denominator, SleepsCompareTheVoluntarySwitches) {
  ProbeInfo info;
  info.name = "ctxswitch.fake_wake";
  info.op = "fake";
  info.expected_switches_per_op = 17;
  info.expected_switches_are_sleeps = true;
  ProbeRun run;
  run.placement = {PlacementKind::SameCpu, 0, 0};
  RepetitionRun rep;
  rep.ns_per_op = {100, 110, 120};
  rep.task_cpus = {{0, 0, 0}, {1, 1, 1}, {0, 0, 0}};  // spread round-robin from cpu_a
  rep.ops = 100;
  rep.voluntary_switches = 1761;
  rep.involuntary_switches = 252;
  run.repetitions.push_back(rep);
  auto denominator = [](const Record& r) {
    for (const Warning& w : r.warnings)
      if (w.kind == WarningKind::Denominator) return std::optional<Warning>(w);
    return std::optional<Warning>();
  };
  const Record quiet = make_record(info, run, "same");
  EXPECT_TRUE(quiet.expected_switches_are_sleeps);
  EXPECT_NEAR(*quiet.switches_per_op, 20.13, 1e-9);  // 18% over 17 counted as every switch
  EXPECT_FALSE(denominator(quiet));
  // The same record with every switch implied warns, as the quiet run did.
  info.expected_switches_are_sleeps = false;
  EXPECT_TRUE(denominator(make_record(info, run, "same")));
  info.expected_switches_are_sleeps = true;
  // Extra sleeps still warn, and say they are sleeps.
  run.repetitions[0].voluntary_switches = 1900;
  const auto extra = denominator(make_record(info, run, "same"));
  ASSERT_TRUE(extra);
  EXPECT_NE(extra->text.find("19.00 sleeps"), std::string::npos);
  EXPECT_NE(extra->text.find("implies 17"), std::string::npos);
  // Fewer sleeps on a same-cpu record whose tasks spread over two CPUs do not warn (the caller found the last
  // waiter running before it slept); all on one CPU, they do.
  run.repetitions[0].voluntary_switches = 1500;
  EXPECT_FALSE(denominator(make_record(info, run, "same")));
  run.repetitions[0].task_cpus = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  EXPECT_TRUE(denominator(make_record(info, run, "same")));
}

TEST(Denominator, TasksSeenOnCpusCountsDistinctKnownCpus) {
  EXPECT_EQ(tasks_seen_on_cpus(observe_tasks({{0, 0}, {1, -1}, {0, 1}}, {})), 2u);
  EXPECT_EQ(tasks_seen_on_cpus(observe_tasks({{3, 3}, {-1, 3}}, {})), 1u);
  EXPECT_EQ(tasks_seen_on_cpus({}), 0u);
}

TEST(StatLine, ProcessorIsField39CountedFromTheLastParenthesis) {
  // A real /proc/<pid>/task/<tid>/stat line (processor = 1), with a command name holding ") 7 (".
  std::string line =
      "4242 (we) 7 (ird) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 500 1000 200 "
      "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
  EXPECT_EQ(parse_stat_processor(line), 1);
  EXPECT_EQ(parse_stat_processor("garbage"), -1);
  EXPECT_EQ(parse_stat_processor("1 (x) S 1 2"), -1);
}

TEST(Steal, ParsesTheCpuLineAndTheDifference) {
  const auto before = parse_proc_stat_cpu("cpu  100 0 50 800 20 0 5 25 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->total, 1000u);
  EXPECT_EQ(before->idle, 820u);
  EXPECT_EQ(before->steal, 25u);
  const auto after = parse_proc_stat_cpu("cpu  200 0 100 1500 20 0 5 175 0 0\n");
  const auto s = steal_between(before, after);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->steal_ticks, 150u);
  EXPECT_EQ(s->total_ticks, 1000u);
  EXPECT_DOUBLE_EQ(s->fraction, 0.15);
  ASSERT_TRUE(steal_warning(*s));
  EXPECT_EQ(steal_warning(*s)->kind, WarningKind::Steal);
  EXPECT_NE(steal_warning(*s)->text.find("15.0%"), std::string::npos);
  EXPECT_FALSE(steal_warning(*s)->remedy.empty());
  EXPECT_FALSE(steal_warning(StealOverRun{1, 1000, 0.001}));
  EXPECT_FALSE(steal_between(after, before));  // counters never go backwards
  EXPECT_FALSE(parse_proc_stat_cpu("intr 1 2 3\n"));
  EXPECT_FALSE(parse_proc_stat_cpu("cpu  1 2 3\n"));
}

TEST(Steal, IdleAndHaltPollFromTheFixtureTree) {
  const MachineInfo m =
      parse_machine(read_machine_files(std::string(CTXBENCH_SOURCE_DIR) + "/tests/fixtures/machine/kvm2"));
  EXPECT_EQ(m.cpuidle_driver, "haltpoll");
  EXPECT_EQ(m.cpuidle_governor, "haltpoll");
  ASSERT_TRUE(m.kvm_halt_poll_ns);
  EXPECT_EQ(*m.kvm_halt_poll_ns, 200000);
  ASSERT_TRUE(m.guest_halt_poll.count("guest_halt_poll_ns"));
  EXPECT_EQ(m.guest_halt_poll.at("guest_halt_poll_ns"), "0");
  EXPECT_EQ(m.hypervisor_vendor, "KVMKVMKVM");
  // kvm2/proc/stat: "cpu  6597 0 2716 86370 979 0 53 30 0 0"
  ASSERT_TRUE(m.cpu_times);
  EXPECT_EQ(m.cpu_times->steal, 30u);
  EXPECT_EQ(m.cpu_times->total, 6597u + 2716 + 86370 + 979 + 53 + 30);
  MachineInfo with_steal = m;
  with_steal.steal_over_run =
      steal_between(m.cpu_times, parse_proc_stat_cpu("cpu  6697 0 2716 86370 979 0 53 130 0 0"));
  const nlohmann::json j = machine_to_json(with_steal);
  EXPECT_EQ(j["steal_over_run"]["steal_ticks"], 100);
  EXPECT_EQ(j["steal_over_run"]["total_ticks"], 200);
  EXPECT_EQ(j["kvm_halt_poll_ns"], 200000);
  EXPECT_EQ(j["guest_halt_poll"]["guest_halt_poll_ns"], "0");
  EXPECT_EQ(j["cpuidle_driver"], "haltpoll");
}

}  // namespace
}  // namespace ctxbench
