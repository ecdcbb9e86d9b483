#include "src/plan.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <regex>
#include <system_error>
#include <thread>

#include "analysis/record.hpp"
#include "engine/os.hpp"
#include "probes/registry.hpp"

namespace ctxbench {

namespace {

struct CpuChoice {
  int a = -1, b = -1;  // b == -1: only one CPU available
};

CpuChoice choose_cpus(const Options& options, const std::vector<int>& allowed) {
  auto is_allowed = [&](int c) { return std::find(allowed.begin(), allowed.end(), c) != allowed.end(); };
  if (options.cpus) {
    for (int c : {options.cpus->first, options.cpus->second})
      if (!is_allowed(c))
        throw UsageError(fmt::format("--cpus: CPU {} is not in this process's affinity mask (allowed: {})", c,
                                     cpu_list_text(allowed)));
    return {options.cpus->first, options.cpus->second};
  }
  CpuChoice choice;
  if (!allowed.empty()) choice.a = allowed[0];
  if (allowed.size() >= 2) choice.b = allowed[1];
  return choice;
}

// std::regex backtracks: a filter like '.*.*.*.*.*.*.*.*.*.*.*.*x' takes exponential time even on the
// short probe ids and cannot be interrupted. Matching gets 5 s of wall time; past that a watchdog thread
// reports the bad --filter and exits 2 (bad usage) instead of hanging a CI job. A thread, not SIGALRM:
// TSan defers signal handlers until the interrupted code makes a call, which pure matching never does.
class FilterMatchDeadline {
 public:
  FilterMatchDeadline() {
    try {
      thread_ = std::thread([this] {
        std::unique_lock<std::mutex> lock(mutex_);
        if (done_cv_.wait_for(lock, std::chrono::seconds(5), [this] { return done_; })) return;
        static const char msg[] =
            "ctxbench: --filter: the regular expression takes too long to match (catastrophic "
            "backtracking); simplify it\n";
        ssize_t r = ::write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)r;
        _exit(2);
      });
    } catch (const std::system_error&) {
      // No thread to spare (a low RLIMIT_NPROC): match without the deadline rather than refuse to run.
    }
  }
  ~FilterMatchDeadline() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  FilterMatchDeadline(const FilterMatchDeadline&) = delete;
  FilterMatchDeadline& operator=(const FilterMatchDeadline&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;
};

std::string skipped_reason(const ProbeInfo& info, PlacementKind kind) {
  for (const auto& [k, reason] : info.where.skipped)
    if (k == kind) return reason;
  return "";
}

}  // namespace

ProbeTableConfig probe_table_config(const Options& options, bool test_probes) {
  ProbeTableConfig config;
  if (options.quick) config.sweep = quick_server_sweep();
  if (!options.server_work_ns.empty()) config.sweep.work_ns = options.server_work_ns;
  if (!options.server_connections.empty()) {
    config.sweep.connections = options.server_connections;
    config.sweep.user_connections = true;
  }
  config.test_probes = test_probes;
  return config;
}

std::vector<PlannedRun> make_plan(const Options& options, const ProbeTable& table, const std::vector<int>& allowed) {
  const CpuChoice cpus = choose_cpus(options, allowed);
  std::optional<std::regex> filter;
  if (options.filter) filter.emplace(*options.filter, std::regex::ECMAScript);

  // A run takes the default suite unless told otherwise; --list shows everything unless told otherwise.
  const std::string suite = options.suite.value_or(options.list ? "full" : "default");
  std::vector<std::string> known = {"full"};
  for (const auto& probe : table)
    for (const std::string& s : probe->info().suites)
      if (std::find(known.begin(), known.end(), s) == known.end()) known.push_back(s);
  if (std::find(known.begin(), known.end(), suite) == known.end()) {
    std::string names;
    for (const std::string& k : known) names += (names.empty() ? "" : ", ") + k;
    throw UsageError(fmt::format("--suite: '{}' is not a suite (known: {})", suite, names));
  }

  std::vector<PlannedRun> plan;
  std::optional<FilterMatchDeadline> deadline;
  if (filter) deadline.emplace();
  for (const auto& probe : table) {
    const ProbeInfo& info = probe->info();
    if (suite != "full" && std::find(info.suites.begin(), info.suites.end(), suite) == info.suites.end()) continue;
    std::vector<PlacementKind> kinds;
    const bool one_task = info.where.kinds.size() == 1 && info.where.kinds[0] == PlacementKind::None;
    if (one_task) {
      kinds.push_back(PlacementKind::None);
    } else if (info.where.cross_cpu_or_shared) {
      kinds.push_back(cpus.b >= 0 ? PlacementKind::CrossCpu : PlacementKind::SameCpu);
    } else {
      // Asked-for placements in the user's order, if the probe has them or explains why it skips them.
      for (PlacementKind k : options.placements) {
        const bool listed = std::find(info.where.kinds.begin(), info.where.kinds.end(), k) != info.where.kinds.end();
        if (listed || !skipped_reason(info, k).empty()) kinds.push_back(k);
      }
    }
    for (PlacementKind kind : kinds) {
      PlannedRun run;
      run.probe = probe.get();
      run.placement.kind = kind;
      run.skip_reason = skipped_reason(info, kind);
      if (kind == PlacementKind::SameCpu) {
        run.placement.cpu_a = run.placement.cpu_b = cpus.a;
      } else if (kind == PlacementKind::CrossCpu && info.where.fixed_cpu_a >= 0) {
        // A probe about one CPU pair (shm.c2c) runs on its own pair, whatever --cpus says.
        run.placement.cpu_a = info.where.fixed_cpu_a;
        run.placement.cpu_b = info.where.fixed_cpu_b;
      } else if (kind == PlacementKind::CrossCpu) {
        run.placement.cpu_a = cpus.a;
        run.placement.cpu_b = cpus.b;
        if (cpus.b < 0 && run.skip_reason.empty())
          run.skip_reason = fmt::format("cross-cpu needs two CPUs; the affinity mask holds only CPU {}", cpus.a);
      }
      run.keep_awake = options.keep_awake;
      run.id = run_id(info.name, kind, run.keep_awake);
      if (!filter || std::regex_search(run.id, *filter)) plan.push_back(run);
      // The headline cross-cpu ping-pongs also run with spinners, right after, so the table can show
      // how much of the figure is the idle-state exit of the woken CPU.
      if (!options.keep_awake && kind == PlacementKind::CrossCpu && run.skip_reason.empty() &&
          info.where.keep_awake_twin) {
        run.keep_awake = true;
        run.id = run_id(info.name, kind, true);
        if (!filter || std::regex_search(run.id, *filter)) plan.push_back(run);
      }
    }
  }
  if (plan.empty())
    throw UsageError(options.filter ? fmt::format("--filter '{}' matches no probe of suite '{}' (see --list; "
                                                  "--suite full holds every probe)",
                                                  *options.filter, suite)
                                    : std::string("no probe selected (see --list and --placement)"));
  return plan;
}

}  // namespace ctxbench
