// A result record: one probe in one placement, summarized. Reporters (console, JSON) read only this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/explain.hpp"
#include "analysis/rerun_model.hpp"
#include "analysis/statistics.hpp"
#include "analysis/truth.hpp"
#include "analysis/warning.hpp"
#include "engine/probe.hpp"
#include "engine/run_result.hpp"

namespace ctxbench {

struct RepetitionSummary {
  double median_ns = 0;  // the repetition's headline value (median of its samples)
  double mean_ns = 0;
  std::size_t samples = 0;
  std::uint64_t ops = 0;
  std::uint64_t ops_per_sample = 0;
};

struct PlacementInfo {
  PlacementKind kind = PlacementKind::None;  // printed by placement_kind_name()
  int cpu_a = -1, cpu_b = -1;
  std::string relation;  // "same", "smt-sibling", "same-llc", ... ; empty for one-task/unpinned
  // The pair's cache-line round trip before and after each measuring process's repetitions (ProbeRun's
  // pair_witness): ok records of a pinned pair only; JSON `pair_round_trip_ns` (docs/contracts.md).
  std::vector<PairWitness> pair_round_trips;
};

// A run of consecutive samples seen on one CPU: how sample_cpus is kept once the record is made.
struct CpuRun {
  int cpu = -1;
  std::uint64_t samples = 0;
};

struct Record {
  std::string probe, family, op, unit;
  Measure measure = Measure::SingleOp;  // what one value is: the probe's, or the derivation's; measure_name()
  // The probe's parameters (("size", "64")); also part of `probe`, as "/size:64".
  std::vector<std::pair<std::string, std::string>> params;
  PlacementInfo placement;
  RunStatus status = RunStatus::Ok;  // printed by status_name()
  std::string reason;
  std::string estimator = "median";
  // Derived records are computed from other records, never measured directly; `formula` says how.
  bool derived = false;
  std::string formula;
  std::string derived_from;  // the probe a derived record transforms (kept next to it in reports)
  // unit "B/s": bytes one op moves. Samples, statistics and repetition medians stay ns per op, as in every
  // record; reporters show the rate with bytes_per_second() below.
  double bytes_per_op = 0;
  Summary stats;  // over every timed sample of every repetition
  std::vector<RepetitionSummary> repetitions;
  std::vector<double> samples;  // raw ns per op, repetition after repetition
  std::vector<HistogramBucket> histogram;
  std::optional<double> switches_per_op, voluntary_switches_per_op, involuntary_switches_per_op;
  std::optional<double> expected_switches_per_op;
  // expected_switches_per_op counts sleeps (voluntary switches), not every switch (ProbeInfo's field of the name).
  bool expected_switches_are_sleeps = false;
  std::vector<Warning> warnings;  // analysis/warning.hpp
  // How far a rerun's p50 is expected to move (analysis/rerun_model.hpp); empty when it cannot be said.
  std::optional<RerunInterval> rerun;
  double timer_overhead_ns = 0;
  double wall_seconds = 0;
  // Where the tasks really ran (analysis/truth.hpp): per task, and for unpinned two-task runs the
  // co-located and split groups of samples. sample_cpu_runs[task] covers samples[] in order: run-length
  // encoded, since a pinned task shows one CPU for every sample.
  std::vector<ObservedTask> observed_cpus;
  std::vector<std::vector<CpuRun>> sample_cpu_runs;
  bool pinned_task_seen_elsewhere = false;
  std::vector<PlacementGroup> placement_groups;
  bool bimodal = false;
  // Figures from the session's own counters (analysis/session_metrics.hpp), e.g. requests_per_second.
  std::vector<std::pair<std::string, double>> metrics;
  // --keep-awake: a SCHED_IDLE spinner sat on each of these CPUs while the probe ran.
  bool keep_awake = false;
  std::vector<int> keep_awake_cpus;
  // The measuring process this record ran in (engine/probe_host.hpp): resident set before the probe and
  // peak over its life, KiB (0: not known). Creation probes (process.*, thread.*) also state what a
  // fork() copied: the creating process's resident set when the timed samples began, largest over the
  // repetitions.
  std::uint64_t host_start_rss_kib = 0, host_peak_rss_kib = 0;
  std::optional<std::uint64_t> parent_rss_kib;
  std::string ran_in_owner_because;  // non-empty: no measuring process could be started (ProbeRun)
  // --explain: where the time of one op went, from a separate traced pass (analysis/explain.hpp).
  std::optional<Explanation> explain;

  // "ctxswitch.pipe.process/same-cpu" or "baseline.clock" for one-task probes; "/keep-awake" appended
  // when spinners were on.
  std::string id() const;
};

// A bandwidth record: its unit is "B/s" and each op moves bytes_per_op bytes.
bool is_rate(const Record& r);
// The one conversion of a B/s record's time per op into bandwidth: bytes_per_op x 1e9 / ns_per_op. NaN when
// the record is not a rate or the time is not positive (a reporter then writes nothing).
double bytes_per_second(const Record& r, double ns_per_op);

// "ok", "skipped", "failed": how reporters print a status.
std::string status_name(RunStatus status);

std::string placement_kind_name(PlacementKind kind);
// "round_trip", "one_way", "single_op", "lateness", "per_request", "bandwidth", "per_switch", "per_mib".
std::string measure_name(Measure measure);

// The id --filter, the plan and the record share: "probe", "probe/placement", + "/keep-awake" when on.
std::string run_id(const std::string& probe, PlacementKind kind, bool keep_awake);

// Run-length encoding of one task's CPU per sample.
std::vector<CpuRun> cpu_runs(const std::vector<int>& cpus);

// Builds the record of a finished run; `relation` is the CPU relation of cpu_a/cpu_b (may be empty).
Record make_record(const ProbeInfo& info, const ProbeRun& run, const std::string& relation);
// A skipped record without running anything (placement impossible here, or excluded by the probe).
Record make_skipped_record(const ProbeInfo& info, const Placement& placement, const std::string& reason);
// Fills stats, repetitions and histogram from per-repetition samples.
void summarize_into(Record& record, const std::vector<std::vector<double>>& samples_per_repetition,
                    const std::vector<RepetitionRun>* runs);
// The rerun interval from the repetition medians, and the unstable-estimate warning when it is wider
// than +-5%. `bimodal`: the placement groups the figure comes from (a derived record passes its source's).
void assess_rerun(Record& record, bool bimodal);

}  // namespace ctxbench
