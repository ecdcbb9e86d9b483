#include "analysis/record.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/session_metrics.hpp"

namespace ctxbench {

std::string run_id(const std::string& probe, PlacementKind kind, bool keep_awake) {
  const std::string awake = keep_awake ? "/keep-awake" : "";
  if (kind == PlacementKind::None) return probe + awake;
  return probe + "/" + placement_kind_name(kind) + awake;
}

std::string Record::id() const { return run_id(probe, placement.kind, keep_awake); }

bool is_rate(const Record& r) { return r.unit == "B/s" && r.bytes_per_op > 0; }

double bytes_per_second(const Record& r, double ns_per_op) {
  if (!is_rate(r) || !(ns_per_op > 0) || !std::isfinite(ns_per_op)) return std::numeric_limits<double>::quiet_NaN();
  return r.bytes_per_op * 1e9 / ns_per_op;
}

std::string status_name(RunStatus status) {
  switch (status) {
    case RunStatus::Ok:
      return "ok";
    case RunStatus::Skipped:
      return "skipped";
    case RunStatus::Failed:
      return "failed";
  }
  return "failed";
}

std::string placement_kind_name(PlacementKind kind) {
  switch (kind) {
    case PlacementKind::None:
      return "none";
    case PlacementKind::SameCpu:
      return "same-cpu";
    case PlacementKind::CrossCpu:
      return "cross-cpu";
    case PlacementKind::Unpinned:
      return "unpinned";
  }
  return "none";
}

std::string measure_name(Measure measure) {
  switch (measure) {
    case Measure::RoundTrip:
      return "round_trip";
    case Measure::OneWay:
      return "one_way";
    case Measure::SingleOp:
      return "single_op";
    case Measure::Lateness:
      return "lateness";
    case Measure::PerRequest:
      return "per_request";
    case Measure::Bandwidth:
      return "bandwidth";
    case Measure::PerSwitch:
      return "per_switch";
    case Measure::PerMib:
      return "per_mib";
  }
  return "single_op";
}

namespace {

Record base_record(const ProbeInfo& info, const Placement& placement) {
  Record r;
  r.probe = info.name;
  r.family = info.family;
  r.op = info.op;
  r.unit = info.unit;
  r.measure = info.measure;
  r.params = info.params;
  if (info.unit == "B/s") r.bytes_per_op = info.bytes_per_op;
  r.placement.kind = placement.kind;
  r.placement.cpu_a = placement.cpu_a;
  r.placement.cpu_b = placement.cpu_b;
  if (info.expected_switches_per_op >= 0) {
    r.expected_switches_per_op = info.expected_switches_per_op;
    r.expected_switches_are_sleeps = info.expected_switches_are_sleeps;
  }
  return r;
}

// Observed placement, co-located/split groups and the denominator check (analysis/truth.hpp).
void add_truth(Record& r, const ProbeRun& run) {
  std::vector<std::vector<int>> sample_cpus;
  for (const RepetitionRun& rep : run.repetitions) {
    if (sample_cpus.size() < rep.task_cpus.size()) sample_cpus.resize(rep.task_cpus.size());
    for (std::size_t t = 0; t < sample_cpus.size(); ++t) {
      // Keep the tasks aligned with the samples even if a repetition had fewer readings.
      const std::vector<int>* cpus = t < rep.task_cpus.size() ? &rep.task_cpus[t] : nullptr;
      for (std::size_t i = 0; i < rep.ns_per_op.size(); ++i)
        sample_cpus[t].push_back(cpus != nullptr && i < cpus->size() ? (*cpus)[i] : -1);
    }
  }
  for (const std::vector<int>& cpus : sample_cpus) r.sample_cpu_runs.push_back(cpu_runs(cpus));
  const bool pinned = run.placement.kind == PlacementKind::SameCpu || run.placement.kind == PlacementKind::CrossCpu ||
                      (run.placement.kind == PlacementKind::None && run.placement.cpu_a >= 0);
  // Where each task was meant to run: what the probe declared (Session::task_pins), else the placement's
  // A on cpu_a and B on cpu_b.
  std::vector<int> pins = pinned ? std::vector<int>{run.placement.cpu_a, run.placement.cpu_b} : std::vector<int>{};
  for (const RepetitionRun& rep : run.repetitions) {
    if (rep.task_pins.empty()) continue;
    pins = rep.task_pins;
    break;
  }
  r.observed_cpus = observe_tasks(sample_cpus, pins);
  for (const ObservedTask& t : r.observed_cpus) {
    if (!t.seen_elsewhere) continue;
    r.pinned_task_seen_elsewhere = true;
    r.warnings.push_back(pinned_elsewhere_warning_of(t.task, t.pinned_to));
  }
  if (run.placement.kind == PlacementKind::Unpinned && sample_cpus.size() >= 2) {
    const PlacementSplit split = split_by_colocation(r.samples, sample_cpus[0], sample_cpus[1]);
    r.placement_groups = split.groups;
    r.bimodal = split.bimodal;
    if (split.warning) r.warnings.push_back(*split.warning);
  }
  // Sleeps are compared when the op implies sleeps (and the kernel's split was read), else every switch.
  const std::optional<double> counted =
      r.expected_switches_are_sleeps ? r.voluntary_switches_per_op : r.switches_per_op;
  if (counted && r.expected_switches_per_op) {
    // On two CPUs by placement, or because the tasks of a many-task probe spread over them (its same-cpu
    // records start at cpu_a and go round-robin): the samples saw them on more than one CPU.
    const bool on_two_cpus = run.placement.kind == PlacementKind::CrossCpu ||
                             run.placement.kind == PlacementKind::Unpinned || tasks_seen_on_cpus(r.observed_cpus) > 1;
    if (auto w =
            denominator_warning(*counted, *r.expected_switches_per_op, on_two_cpus, r.expected_switches_are_sleeps))
      r.warnings.push_back(*w);
  }
}

}  // namespace

std::vector<CpuRun> cpu_runs(const std::vector<int>& cpus) {
  std::vector<CpuRun> runs;
  for (int c : cpus) {
    if (runs.empty() || runs.back().cpu != c) runs.push_back({c, 0});
    ++runs.back().samples;
  }
  return runs;
}

void summarize_into(Record& record, const std::vector<std::vector<double>>& samples_per_repetition,
                    const std::vector<RepetitionRun>* runs) {
  record.samples.clear();
  record.repetitions.clear();
  for (std::size_t i = 0; i < samples_per_repetition.size(); ++i) {
    const auto& s = samples_per_repetition[i];
    record.samples.insert(record.samples.end(), s.begin(), s.end());
    RepetitionSummary rep;
    rep.median_ns = median(s);
    rep.mean_ns = mean(s);
    rep.samples = s.size();
    if (runs != nullptr && i < runs->size()) {
      rep.ops = (*runs)[i].ops;
      rep.ops_per_sample = (*runs)[i].ops_per_sample;
    }
    record.repetitions.push_back(rep);
  }
  record.stats = summarize(record.samples);
  record.histogram = log_linear_histogram(record.samples);
}

void assess_rerun(Record& record, bool bimodal) {
  std::vector<double> medians;
  for (const RepetitionSummary& rep : record.repetitions) medians.push_back(rep.median_ns);
  RerunInputs in;
  in.p50 = record.stats.p50;
  in.repetition_medians = medians;
  in.bimodal = bimodal;
  in.unpinned = record.placement.kind == PlacementKind::Unpinned;
  record.rerun = rerun_interval(in);
  if (record.rerun)
    if (auto w = unstable_warning(*record.rerun)) record.warnings.push_back(*w);
}

Record make_record(const ProbeInfo& info, const ProbeRun& run, const std::string& relation) {
  Record r = base_record(info, run.placement);
  r.placement.relation = relation;
  r.timer_overhead_ns = run.timer_overhead_ns;
  r.wall_seconds = run.wall_seconds;
  r.status = run.status;
  r.reason = run.reason;
  r.keep_awake = run.keep_awake;
  r.keep_awake_cpus = run.keep_awake_cpus;
  r.host_start_rss_kib = run.host_start_rss_kib;
  r.host_peak_rss_kib = run.host_peak_rss_kib;
  r.ran_in_owner_because = run.ran_in_owner_because;
  if (!r.ran_in_owner_because.empty()) r.warnings.push_back(in_process_warning_of(r.ran_in_owner_because));
  if (run.status != RunStatus::Ok) return r;
  r.placement.pair_round_trips = run.pair_witness;
  if (info.family == "process" || info.family == "thread") {
    std::uint64_t rss = 0;
    for (const RepetitionRun& rep : run.repetitions) rss = std::max(rss, rep.host_rss_kib);
    if (rss > 0) r.parent_rss_kib = rss;
  }

  std::vector<std::vector<double>> per_rep;
  for (const RepetitionRun& rep : run.repetitions) per_rep.push_back(rep.ns_per_op);
  summarize_into(r, per_rep, &run.repetitions);
  // The one division of the switch counts: every repetition's counts over every repetition's ops.
  std::uint64_t ops = 0, voluntary = 0, involuntary = 0;
  for (const RepetitionRun& rep : run.repetitions) {
    ops += rep.ops;
    voluntary += rep.voluntary_switches;
    involuntary += rep.involuntary_switches;
  }
  if (ops > 0) {
    r.voluntary_switches_per_op = static_cast<double>(voluntary) / static_cast<double>(ops);
    r.involuntary_switches_per_op = static_cast<double>(involuntary) / static_cast<double>(ops);
    r.switches_per_op = static_cast<double>(voluntary + involuntary) / static_cast<double>(ops);
  }
  add_truth(r, run);
  add_session_metrics(r, run);
  assess_rerun(r, r.bimodal);
  return r;
}

Record make_skipped_record(const ProbeInfo& info, const Placement& placement, const std::string& reason) {
  Record r = base_record(info, placement);
  r.status = RunStatus::Skipped;
  r.reason = reason;
  return r;
}

}  // namespace ctxbench
