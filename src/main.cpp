// ctxbench: parse options -> select probes -> run -> report -> exit code. Everything else lives in
// probes/ (measurement) and analysis/ (statistics, records, reporters).
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "analysis/console_report.hpp"
#include "analysis/derived.hpp"
#include "analysis/json_report.hpp"
#include "analysis/machine.hpp"
#include "analysis/options.hpp"
#include "analysis/record.hpp"
#include "analysis/truth.hpp"
#include "probes/machine_files.hpp"
#include "probes/os.hpp"
#include "probes/probe_host.hpp"
#include "probes/registry.hpp"
#include "probes/runner.hpp"
#include "probes/watchdog.hpp"
#include "src/compare_main.hpp"
#include "src/plan.hpp"

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
  return meta;
}

int list_probes(const std::vector<PlannedRun>& plan) {
  std::vector<ListedProbe> listed;
  for (const PlannedRun& run : plan) {
    if (listed.empty() || listed.back().info != &run.probe->info()) listed.push_back({&run.probe->info(), {}});
    if (run.placement.kind != PlacementKind::None) {
      // A keep-awake twin is the same placement run again with spinners: list it once.
      std::vector<std::string>& kinds = listed.back().placements;
      const std::string kind = placement_kind_name(run.placement.kind);
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
    }
  }
  std::fputs(format_list(listed).c_str(), stdout);
  return 0;
}

// Runs the plan, rewriting the JSON after every probe so an interrupted or crashed run keeps what it did.
int run(const Options& o, const std::vector<std::string>& argv, const std::vector<PlannedRun>& plan,
        const ServerSweep& sweep) {
  RunnerSettings settings = o.quick ? RunnerSettings::quick() : RunnerSettings{};
  if (o.repetitions) settings.repetitions = *o.repetitions;
  // Default watchdog: 60 s, or 2 s per repetition for long runs (one repetition takes ~0.1 s).
  const int timeout_s = o.timeout_s ? *o.timeout_s : std::max(60, 2 * settings.repetitions);
  settings.timeout_ns = static_cast<std::uint64_t>(timeout_s) * 1'000'000'000ULL;
  // Before anything slow: a Ctrl-C during start-up still ends in an "interrupted" JSON and exit 130.
  install_stop_handlers();
  const bool json_to_stdout = o.json_path && *o.json_path == "-";
  const bool json_to_file = o.json_path && !json_to_stdout;
  std::FILE* table_out = json_to_stdout ? stderr : stdout;

  RunMeta meta = make_meta(o, argv, settings);
  MachineInfo machine = parse_machine(read_machine_files("/"));
  meta.timer_overhead_ns = measure_timer_overhead_ns();

  std::vector<Record> measured;
  auto write_file = [&](const std::vector<const Record*>& records) {
    // Signals wait until the file is renamed: the second-signal exit must not leave a temp file behind.
    const StopSignalsBlocked quiet;
    meta.peak_rss_kib = peak_resident_kib();
    write_file_atomically(*o.json_path, [&](const std::function<void(const std::string&)>& write) {
      write_report(write, meta, machine, records);
    });
  };
  auto save = [&] {
    if (!json_to_file) return;
    const std::vector<Record> derived = derive_records(measured);
    write_file(interleave_derived(measured, derived));
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
  int index = 0;
  try {
    for (const PlannedRun& planned : plan) {
      ++index;
      const ProbeInfo& info = planned.probe->info();
      Record record;
      if (!planned.skip_reason.empty()) {
        record = make_skipped_record(info, planned.placement, planned.skip_reason);
      } else {
        HostRequest request;
        request.probe = info.name;
        request.placement = planned.placement;
        request.settings = settings;
        request.settings.keep_awake = planned.keep_awake;
        request.timer_overhead_ns = meta.timer_overhead_ns;
        request.sweep = sweep;
        const ProbeRun result = run_in_measuring_process(request);
        const std::string relation = planned.placement.kind == PlacementKind::SameCpu ||
                                             planned.placement.kind == PlacementKind::CrossCpu
                                         ? cpu_relation(machine, planned.placement.cpu_a, planned.placement.cpu_b)
                                         : "";
        record = make_record(info, result, relation);
      }
      if (planned.keep_awake && !record.keep_awake) {  // skipped before running: still say it was asked
        record.keep_awake = true;
      }
      std::fputs(format_progress(record, index, static_cast<int>(plan.size())).c_str(), stderr);
      measured.push_back(std::move(record));
      save_if_cheap();
    }
    meta.complete = true;
  } catch (const Interrupted&) {
    meta.interrupted = true;
    meta.interrupted_by = stop_signal() == SIGTERM ? "SIGTERM" : "SIGINT";
    std::fputs("ctxbench: interrupted; partner tasks stopped and reaped\n", stderr);
  }

  meta.end_time = utc_now_iso();
  meta.loadavg_end = std::vector<double>{};
  const MachineInfo at_end = parse_machine(read_machine_files("/"));
  for (const auto& v : {at_end.loadavg_1m, at_end.loadavg_5m, at_end.loadavg_15m})
    if (v) meta.loadavg_end->push_back(*v);
  // Steal over the run: /proc/stat at start (machine) and at end.
  machine.steal_over_run = steal_between(machine.cpu_times, at_end.cpu_times);
  if (machine.steal_over_run)
    if (auto w = steal_warning(*machine.steal_over_run)) meta.warnings.push_back(*w);
  const std::vector<Record> records = with_derived(std::move(measured));
  std::vector<const Record*> all;
  for (const Record& r : records) all.push_back(&r);
  if (json_to_file) write_file(all);
  std::fputs(format_table(records).c_str(), table_out);
  for (const std::string& w : meta.warnings) std::fprintf(table_out, "warning: %s\n", w.c_str());
  if (json_to_stdout)
    write_report([](const std::string& chunk) { std::fwrite(chunk.data(), 1, chunk.size(), stdout); }, meta, machine,
                 all);
  // The table first, whole: the closing message must never land inside one of its lines.
  std::fflush(table_out);
  if (json_to_file) std::fprintf(stderr, "ctxbench: results written to %s\n", o.json_path->c_str());

  if (meta.interrupted) return 128 + stop_signal();
  for (const Record& r : records)
    if (r.status == RunStatus::Failed) return 1;
  return 0;
}

}  // namespace
}  // namespace ctxbench

int main(int argc, char** argv) {
  using namespace ctxbench;
  // Captured before anything pins a thread, so unpinned runs get the whole mask back.
  const std::vector<int> allowed = allowed_cpus();
  const std::vector<std::string> args(argv, argv + argc);
  if (args.size() > 1 && args[1] == "compare") return compare_main({args.begin() + 2, args.end()});
  try {
    const Options o = parse_options({args.begin() + 1, args.end()});
    if (o.help) {
      std::fputs(usage_text().c_str(), stdout);
      return 0;
    }
    if (o.version) {
      std::printf("ctxbench %s (%s)\n", tool_version().c_str(), git_revision().c_str());
      return 0;
    }
    ServerSweep sweep;
    if (!o.server_work_ns.empty()) sweep.work_ns = o.server_work_ns;
    if (!o.server_connections.empty()) {
      sweep.connections = o.server_connections;
      sweep.user_connections = true;
    }
    configure_server_sweep(sweep);
    const std::vector<PlannedRun> plan = make_plan(o, allowed);
    if (o.list) return list_probes(plan);
    if (o.json_path && *o.json_path != "-") check_output_path(*o.json_path);
    return run(o, args, plan, sweep);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "ctxbench: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ctxbench: %s\n", e.what());
    return 2;
  }
}
