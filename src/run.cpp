#include "src/run.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <optional>

#include "analysis/console_report.hpp"
#include "analysis/derived.hpp"
#include "analysis/doctor.hpp"
#include "analysis/shared_causes.hpp"
#include "analysis/truth.hpp"
#include "engine/machine_files.hpp"
#include "engine/os.hpp"
#include "engine/pm_qos.hpp"
#include "engine/probe_host.hpp"
#include "engine/runner.hpp"
#include "engine/watchdog.hpp"
#include "src/explain_pass.hpp"
#include "src/interleave.hpp"
#include "src/report.hpp"
#include "src/result_file.hpp"

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

RunnerSettings runner_settings(const Options& o) {
  RunnerSettings settings = o.quick ? RunnerSettings::quick() : RunnerSettings{};
  if (o.repetitions) settings.repetitions = *o.repetitions;
  // Default watchdog: 60 s, or 2 s per repetition for long runs (one repetition takes ~0.1 s).
  const int timeout_s = o.timeout_s ? *o.timeout_s : std::max(60, 2 * settings.repetitions);
  settings.timeout_ns = static_cast<std::uint64_t>(timeout_s) * 1'000'000'000ULL;
  return settings;
}

// What a measuring process is asked to run for one planned run.
HostRequest request_of(const PlannedRun& planned, const RunnerSettings& settings, double timer_overhead_ns,
                       const ProbeTableConfig& table) {
  HostRequest request;
  request.probe = planned.probe->info().name;
  request.placement = planned.placement;
  request.settings = settings;
  request.settings.keep_awake = planned.keep_awake;
  request.timer_overhead_ns = timer_overhead_ns;
  request.sweep = table.sweep;
  request.test_probes = table.test_probes;
  return request;
}

// One round of one planned run: `repetitions` repetitions in a fresh measuring process.
ProbeRun measure_one(const PlannedRun& planned, const RunnerSettings& settings, double timer_overhead_ns,
                     const ProbeTableConfig& table) {
  return run_in_measuring_process(request_of(planned, settings, timer_overhead_ns, table));
}

Record record_of(const PlannedRun& planned, const ProbeRun* run, const MachineInfo& machine) {
  const ProbeInfo& info = planned.probe->info();
  Record record;
  if (run == nullptr) {
    record = make_skipped_record(info, planned.placement, planned.skip_reason);
  } else {
    const std::string relation =
        planned.placement.kind == PlacementKind::SameCpu || planned.placement.kind == PlacementKind::CrossCpu
            ? cpu_relation(machine, planned.placement.cpu_a, planned.placement.cpu_b)
            : "";
    record = make_record(info, *run, relation);
  }
  if (planned.keep_awake && !record.keep_awake) {  // skipped before running: still say it was asked
    record.keep_awake = true;
  }
  return record;
}

// Rounds a planned run takes: one per repetition when interleaving (capped like the runner caps a
// probe's repetitions), else one round of every repetition.
int rounds_of(const PlannedRun& planned, const RunnerSettings& settings, bool interleave) {
  if (!interleave) return 1;
  const int cap = planned.probe->info().max_repetitions;
  return cap > 0 ? std::min(settings.repetitions, cap) : settings.repetitions;
}

}  // namespace

RunOutcome run_plan(const Options& o, const std::vector<std::string>& argv, const std::vector<PlannedRun>& plan,
                    const ProbeTableConfig& table) {
  const RunnerSettings settings = runner_settings(o);
  // Before anything slow: a Ctrl-C during start-up still ends in an "interrupted" JSON and exit 130.
  install_stop_handlers();
  const bool json_to_file = o.json_path && *o.json_path != "-";

  RunOutcome out;
  RunMeta& meta = out.meta;
  meta = make_meta(o, argv, settings);
  const FileSnapshot machine_files = read_machine_files("/");
  out.machine = parse_machine(machine_files);
  meta.timer_overhead_ns = measure_timer_overhead_ns();

  std::optional<ExplainPass> explain;
  if (o.explain) {
    explain.emplace(o.quick);
    if (!explain->unavailable().empty())
      meta.warnings.push_back(explain_unavailable_warning_of(explain->unavailable()));
  }
  // --pm-qos: held from here to the end of the run; without permission the run goes on and says why.
  std::optional<PmQosHold> pm_qos;
  if (o.pm_qos) {
    pm_qos.emplace();
    meta.pm_qos_held = pm_qos->held();
    meta.pm_qos_reason = pm_qos->reason();
    if (!pm_qos->held()) meta.warnings.push_back(pm_qos_skipped_warning_of(pm_qos->reason()));
  }
  meta.machine_findings =
      findings_to_json(machine_findings(out.machine, machine_files, std::nullopt, meta.pm_qos_held));
  std::vector<Record> measured;
  SharedCauses shared;  // decided once every record is in (interleaved runs)
  std::optional<SpooledResultFile> file;
  if (json_to_file) file.emplace(*o.json_path);
  auto save = [&] {
    if (!file) return;
    // Signals wait until the file is renamed: the second-signal exit must not leave a temp file behind.
    const StopSignalsBlocked quiet;
    meta.peak_rss_kib = peak_resident_kib();
    std::vector<Record> derived = derive_records(measured);
    drop_shared_warnings(derived, shared);
    file->write(meta, out.machine, derived);
  };
  // The file is rewritten after a probe unless the last rewrite cost more than a tenth of the time since:
  // a full-catalogue file grows to tens of MB, and rewriting it after each of ~500 records made the run
  // quadratic (868 s, mostly JSON). A crash then loses at most ~10x one rewrite of work.
  using Clock = std::chrono::steady_clock;
  Clock::duration last_save_cost{};
  Clock::time_point last_save_end = Clock::now();
  auto save_if_cheap = [&] {
    const Clock::time_point start = Clock::now();
    if (start - last_save_end < 10 * last_save_cost) return;
    save();
    last_save_end = Clock::now();
    last_save_cost = last_save_end - start;
  };
  // Interleaving (src/interleave.hpp): round k runs repetition k of every probe. A record is made once
  // its last round is in, so the file and the progress lines follow the rounds.
  const bool interleave = o.interleave && settings.repetitions > 1;
  RunnerSettings per_round = settings;
  if (interleave) per_round.repetitions = 1;
  int total_rounds = 1;
  for (const PlannedRun& planned : plan)
    total_rounds = std::max(total_rounds, rounds_of(planned, settings, interleave));
  std::vector<std::optional<ProbeRun>> runs(plan.size());
  std::vector<bool> recorded(plan.size(), false);
  std::vector<int> rounds_done(plan.size(), 0);
  int index = 0;
  auto record_done = [&](std::size_t i, bool force) {
    if (recorded[i]) return;
    const PlannedRun& planned = plan[i];
    const bool skipped = !planned.skip_reason.empty();
    const bool finished =
        skipped ||
        (runs[i] && (runs[i]->status != RunStatus::Ok || rounds_done[i] >= rounds_of(planned, settings, interleave)));
    if (!finished && !(force && runs[i])) return;
    recorded[i] = true;
    Record record = record_of(planned, skipped ? nullptr : &*runs[i], out.machine);
    runs[i].reset();
    // --explain: the traced pass follows the record's last timed round (never on an interrupted run).
    if (explain && !skipped && !force)
      explain->explain(request_of(planned, settings, meta.timer_overhead_ns, table), planned.probe->info(), record);
    std::fputs(format_progress(record, ++index, static_cast<int>(plan.size())).c_str(), stderr);
    if (interleave) {
      // Filed once every record is in: warnings whose cause many records share move to the top first.
      measured.push_back(std::move(record));
      return;
    }
    if (file) {
      file->add(record);
      // The file holds the samples now; the table and the derived records need only the statistics,
      // except where a derivation transforms them sample by sample. A full-catalogue run then keeps
      // megabytes, not every sample as 8-byte doubles.
      if (!feeds_derivation(record)) std::vector<double>().swap(record.samples);
    }
    measured.push_back(std::move(record));
    save_if_cheap();
  };
  try {
    for (int round = 0; round < total_rounds; ++round) {
      for (std::size_t i = 0; i < plan.size(); ++i) {
        const PlannedRun& planned = plan[i];
        if (recorded[i] || round >= rounds_of(planned, settings, interleave)) continue;
        if (planned.skip_reason.empty()) {
          ProbeRun r = measure_one(planned, interleave ? per_round : settings, meta.timer_overhead_ns, table);
          if (!runs[i]) runs[i].emplace();
          add_round(*runs[i], std::move(r), round == 0);
          ++rounds_done[i];
        }
        record_done(i, false);
      }
      if (interleave && round + 1 < total_rounds)
        std::fprintf(stderr, "round %d/%d of interleaved repetitions done\n", round + 1, total_rounds);
    }
    meta.complete = true;
  } catch (const Interrupted&) {
    meta.interrupted = true;
    meta.interrupted_by = stop_signal() == SIGTERM ? "SIGTERM" : "SIGINT";
    std::fputs("ctxbench: interrupted; partner tasks stopped and reaped\n", stderr);
    // Records of the rounds that finished: fewer repetitions than asked, which their statistics show.
    for (std::size_t i = 0; i < plan.size(); ++i) record_done(i, true);
  }
  if (interleave) {
    shared = find_shared_causes(measured);
    drop_shared_warnings(measured, shared);
    for (Record& record : measured) {
      if (!file) continue;
      file->add(record);
      if (!feeds_derivation(record)) std::vector<double>().swap(record.samples);  // as above
    }
  }

  meta.end_time = utc_now_iso();
  meta.loadavg_end = std::vector<double>{};
  const MachineInfo at_end = parse_machine(read_machine_files("/"));
  for (const auto& v : {at_end.loadavg_1m, at_end.loadavg_5m, at_end.loadavg_15m})
    if (v) meta.loadavg_end->push_back(*v);
  // Steal over the run: /proc/stat at start (machine) and at end.
  out.machine.steal_over_run = steal_between(out.machine.cpu_times, at_end.cpu_times);
  if (out.machine.steal_over_run)
    if (auto w = steal_warning(*out.machine.steal_over_run)) meta.warnings.push_back(*w);
  meta.machine_findings = findings_to_json(machine_findings(
      out.machine, machine_files,
      out.machine.steal_over_run ? std::optional<double>(out.machine.steal_over_run->fraction) : std::nullopt,
      meta.pm_qos_held));
  // Machine-level instability, once per run (analysis/rerun_model.hpp), from the measured records.
  std::vector<RerunInterval> intervals;
  for (const Record& r : measured)
    if (r.rerun) intervals.push_back(*r.rerun);
  for (Warning& w : run_wide_rerun_warnings(intervals, settings.repetitions)) meta.warnings.push_back(std::move(w));
  for (const Warning& w : shared.run_warnings) meta.warnings.push_back(w);
  save();  // the final file: complete or interrupted, with the end-of-run facts
  out.records = with_derived(std::move(measured));
  drop_shared_warnings(out.records, shared);
  return out;
}

}  // namespace ctxbench
