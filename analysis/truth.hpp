// What really happened during a measurement, beside what was asked for (docs/METHODOLOGY.md, "Observed placement"):
// where each task ran, whether an unpinned result is two results in one (co-located vs split samples), whether the
// kernel's switch count matches the op's denominator, and how much CPU time the hypervisor stole during the run. Pure
// functions over plain data; no syscalls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/warning.hpp"

namespace ctxbench {

// ---------------------------------------------------------------- observed placement
struct CpuCount {
  int cpu = -1;
  std::size_t samples = 0;
};

struct ObservedTask {
  std::string task;             // "A" (the caller, times the ops), "B" (the partner), "C"...
  int pinned_to = -1;           // the CPU the placement pinned it to, -1 when unpinned
  std::vector<CpuCount> cpus;   // every CPU the task was seen on, ascending; cpu -1 = unreadable
  bool seen_elsewhere = false;  // pinned, yet seen on another CPU
};

// task_cpus[task][sample] as the runner recorded it. pinned[task] is the CPU the placement pinned that
// task to, or -1.
std::vector<ObservedTask> observe_tasks(const std::vector<std::vector<int>>& task_cpus, const std::vector<int>& pinned);

// How many distinct CPUs the tasks were seen on, all tasks together (unreadable readings left out).
std::size_t tasks_seen_on_cpus(const std::vector<ObservedTask>& tasks);

// ---------------------------------------------------------------- co-located vs split samples
struct PlacementGroup {
  std::string name;  // "co-located" (A and B seen on one CPU) or "split" (on two CPUs)
  std::size_t samples = 0;
  double share = 0;  // of the samples whose placement is known
  double median_ns = 0;
};

struct PlacementSplit {
  std::vector<PlacementGroup> groups;  // both groups when both are non-empty, else empty
  bool bimodal = false;
  std::optional<Warning> warning;  // when bimodal
};

// A group must hold at least this share of the samples, and the slower group's median must be at least
// this many times the faster's, for the result to be called bimodal.
inline constexpr double kBimodalMinShare = 0.05;
inline constexpr double kBimodalMinRatio = 1.5;

// Splits `samples` (ns per op) by whether the two tasks were seen on one CPU after each sample.
// cpus_a/cpus_b are aligned with samples; samples with an unknown CPU (-1) are left out.
PlacementSplit split_by_colocation(std::span<const double> samples, const std::vector<int>& cpus_a,
                                   const std::vector<int>& cpus_b);

// ---------------------------------------------------------------- denominators
// Allowed difference between kernel-counted and expected switches per op: 10% of the expected count
// (of 1 when 0 are expected, i.e. 0.1 switch per op).
inline constexpr double kDenominatorTolerance = 0.10;

// A warning when the kernel counted a different number of context switches per op than the op implies.
// `on_two_cpus`: the op's tasks ran on two CPUs (cross-cpu, unpinned). A two-task op implies a switch per
// hand-off only when both share one CPU; on two CPUs a task may find its partner's answer before it
// sleeps, so fewer switches are what the op is there (the switches column shows how many) and only more
// than implied warns. `sleeps`: both counts are of sleeps (voluntary switches; ProbeInfo's
// expected_switches_are_sleeps), and the warning says so.
std::optional<Warning> denominator_warning(double measured_per_op, double expected_per_op, bool on_two_cpus = false,
                                           bool sleeps = false);

// ---------------------------------------------------------------- steal time
// The aggregate "cpu" line of /proc/stat, in USER_HZ ticks.
struct CpuTimes {
  std::uint64_t total = 0;  // user + nice + system + idle + iowait + irq + softirq + steal
  std::uint64_t idle = 0;   // idle + iowait
  std::uint64_t steal = 0;
};
std::optional<CpuTimes> parse_proc_stat_cpu(const std::string& proc_stat_text);

struct StealOverRun {
  std::uint64_t steal_ticks = 0, total_ticks = 0;
  double fraction = 0;  // steal / total over the run
};
// nullopt when either snapshot is missing or the counters went backwards.
std::optional<StealOverRun> steal_between(const std::optional<CpuTimes>& before, const std::optional<CpuTimes>& after);

// Steal above this share of all CPU time during the run makes every figure suspect.
inline constexpr double kStealWarnFraction = 0.02;
std::optional<Warning> steal_warning(const StealOverRun& steal);

}  // namespace ctxbench
