#include "src/run_context.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <ctime>

#include "analysis/doctor.hpp"
#include "analysis/rerun_model.hpp"
#include "analysis/truth.hpp"
#include "engine/os.hpp"
#include "engine/watchdog.hpp"

namespace ctxbench {
namespace {

std::string utc_now_iso() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

RunnerSettings runner_settings(const Options& o) {
  RunnerSettings settings = o.quick ? RunnerSettings::quick() : RunnerSettings{};
  if (o.repetitions) settings.repetitions = *o.repetitions;
  // Default watchdog: 60 s, or 2 s per repetition for long runs (one repetition takes ~0.1 s).
  const int timeout_s = o.timeout_s ? *o.timeout_s : std::max(60, 2 * settings.repetitions);
  settings.timeout_ns = static_cast<std::uint64_t>(timeout_s) * 1'000'000'000ULL;
  return settings;
}

RunMeta make_meta(const Options& o, const std::vector<std::string>& argv, const RunnerSettings& settings) {
  RunMeta meta;
  meta.argv = argv;
  meta.executable = argv.empty() ? "ctxbench" : argv[0];
  meta.start_time = utc_now_iso();
  meta.label = o.label;
  meta.context = o.context;
  meta.quick = o.quick;
  meta.repetitions = settings.repetitions;
  meta.filter = o.filter.value_or("");
  for (PlacementKind k : o.placements) meta.placements.push_back(placement_kind_name(k));
  meta.cpus = o.cpus;
  meta.suite = o.suite.value_or("default");
  meta.keep_awake = o.keep_awake;
  meta.explain = o.explain;
  meta.interleave = o.interleave;
  meta.pm_qos_requested = o.pm_qos;
  meta.timeout_s = static_cast<int>(settings.timeout_ns / 1'000'000'000ULL);
  meta.server_work_ns = o.server_work_ns;
  meta.server_connections = o.server_connections;
  return meta;
}

}  // namespace

RunContext::RunContext(const Options& o, const std::vector<std::string>& argv, const ProbeTableConfig& table)
    : settings_(runner_settings(o)), table_(table), meta_(make_meta(o, argv, settings_)) {
  machine_files_ = read_machine_files("/");
  machine_ = parse_machine(machine_files_);
  meta_.timer_overhead_ns = measure_timer_overhead_ns();
  if (o.explain) {
    explain_.emplace(o.quick, o.explain_tail);
    if (!explain_->unavailable().empty())
      meta_.warnings.push_back(explain_unavailable_warning_of(explain_->unavailable()));
  }
  // --pm-qos: held from here to the end of the run; without permission the run goes on and says why.
  if (o.pm_qos) {
    pm_qos_.emplace();
    meta_.pm_qos_held = pm_qos_->held();
    meta_.pm_qos_reason = pm_qos_->reason();
    if (!pm_qos_->held()) meta_.warnings.push_back(pm_qos_skipped_warning_of(pm_qos_->reason()));
  }
  meta_.machine_findings =
      findings_to_json(machine_findings(machine_, machine_files_, std::nullopt, meta_.pm_qos_held));
}

HostRequest RunContext::request_of(const PlannedRun& planned, const RunnerSettings& settings) const {
  HostRequest request;
  request.probe = planned.probe->info().name;
  request.placement = planned.placement;
  request.settings = settings;
  request.settings.keep_awake = planned.keep_awake;
  request.timer_overhead_ns = meta_.timer_overhead_ns;
  request.table = encode_table_config(table_);
  return request;
}

Record RunContext::record_of(const PlannedRun& planned, const ProbeRun* run) const {
  const ProbeInfo& info = planned.probe->info();
  Record record;
  if (run == nullptr) {
    record = make_skipped_record(info, planned.placement, planned.skip_reason);
  } else {
    const std::string relation =
        planned.placement.kind == PlacementKind::SameCpu || planned.placement.kind == PlacementKind::CrossCpu
            ? cpu_relation(machine_, planned.placement.cpu_a, planned.placement.cpu_b)
            : "";
    record = make_record(info, *run, relation);
  }
  if (planned.keep_awake && !record.keep_awake) {  // skipped before running: still say it was asked
    record.keep_awake = true;
  }
  return record;
}

void RunContext::explain(const PlannedRun& planned, Record& record) {
  if (explain_) explain_->explain(request_of(planned, settings_), planned.probe->info(), record);
}

void RunContext::interrupted() {
  meta_.interrupted = true;
  meta_.interrupted_by = stop_signal() == SIGTERM ? "SIGTERM" : "SIGINT";
  std::fputs("ctxbench: interrupted; partner tasks stopped and reaped\n", stderr);
}

void RunContext::close(const std::vector<Record>& measured, const SharedCauses& shared) {
  meta_.end_time = utc_now_iso();
  meta_.loadavg_end = std::vector<double>{};
  const MachineInfo at_end = parse_machine(read_machine_files("/"));
  for (const auto& v : {at_end.loadavg_1m, at_end.loadavg_5m, at_end.loadavg_15m})
    if (v) meta_.loadavg_end->push_back(*v);
  // Steal over the run: /proc/stat at start (machine) and at end.
  machine_.steal_over_run = steal_between(machine_.cpu_times, at_end.cpu_times);
  if (machine_.steal_over_run)
    if (auto w = steal_warning(*machine_.steal_over_run)) meta_.warnings.push_back(*w);
  meta_.machine_findings = findings_to_json(machine_findings(
      machine_, machine_files_,
      machine_.steal_over_run ? std::optional<double>(machine_.steal_over_run->fraction) : std::nullopt,
      meta_.pm_qos_held));
  // Machine-level instability, once per run (analysis/rerun_model.hpp), from the measured records.
  std::vector<RerunInterval> intervals;
  for (const Record& r : measured)
    if (r.rerun) intervals.push_back(*r.rerun);
  for (Warning& w : run_wide_rerun_warnings(intervals, settings_.repetitions)) meta_.warnings.push_back(std::move(w));
  for (const Warning& w : shared.run_warnings) meta_.warnings.push_back(w);
}

}  // namespace ctxbench
