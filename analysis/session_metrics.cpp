#include "analysis/session_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>

namespace ctxbench {

namespace {

double param_number(const Record& r, const std::string& key) {
  for (const auto& [k, v] : r.params)
    if (k == key) return std::strtod(v.c_str(), nullptr);
  return 0;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// ctxswitch.pairs: every pair's round trips over the window (probes/ctxswitch_pairs.cpp, docs/METHODOLOGY.md,
// "Many pairs at once").
void add_pairs_metrics(Record& r, std::map<std::string, double>& sum) {
  auto put = [&r](const std::string& name, double value) { r.metrics.emplace_back(name, value); };
  const double wall = sum["wall_ns"], trips = sum["pairs_round_trips"], pairs = param_number(r, "pairs");
  if (wall <= 0 || trips <= 0) return;
  put("pairs", pairs);
  put("round_trips", trips);
  put("round_trips_per_second", trips / wall * 1e9);
  put("handoffs_per_second", 2 * trips / wall * 1e9);
  // Every pair's round trips pooled: the mean time one pair took per round trip.
  put("round_trip_ns_all_pairs", pairs * wall / trips);
  put("switches_per_round_trip_all_pairs", sum["pairs_switches"] / trips);
  if (sum["cpu_ticks"] > 0) put("cpu_idle_share", sum["cpu_idle_ticks"] / sum["cpu_ticks"]);
}

// ctxswitch.futex_{wake,wake_all,wake_parallel,requeue}: sums over every round (probes/futex_contention.cpp,
// docs/METHODOLOGY.md, "Futex contention").
void add_wake_metrics(Record& r, std::map<std::string, double>& sum) {
  auto put = [&r](const std::string& name, double value) { r.metrics.emplace_back(name, value); };
  const double rounds = sum["wake_rounds"], woken = sum["waiters_woken"];
  if (rounds <= 0 || woken <= 0) return;
  put("waiters", param_number(r, "waiters"));
  if (param_number(r, "wakers") > 0) put("wakers", param_number(r, "wakers"));
  put("rounds", rounds);
  put("waker_ns_per_round", sum["waker_ns"] / rounds);
  put("wake_latency_ns_per_waiter", sum["wake_latency_ns"] / woken);
  put("last_waiter_latency_ns", sum["last_waiter_latency_ns"] / rounds);
  // Waiters running again per second of rounds (from each round's first wake call to its last waiter running).
  if (sum["wake_round_ns"] > 0) put("wakeups_per_second", woken / sum["wake_round_ns"] * 1e9);
}

// ctxswitch.futex_lock_pi: every thread's acquisitions of the PI lock over the window.
void add_lock_metrics(Record& r, std::map<std::string, double>& sum) {
  auto put = [&r](const std::string& name, double value) { r.metrics.emplace_back(name, value); };
  const double wall = sum["wall_ns"], acquisitions = sum["lock_acquisitions"];
  if (wall <= 0 || acquisitions <= 0) return;
  put("waiters", param_number(r, "waiters"));
  put("acquisitions", acquisitions);
  put("acquisitions_per_second", acquisitions / wall * 1e9);
  put("switches_per_acquisition", sum["lock_switches"] / acquisitions);
  // The caller's part of them: 1/(N + 1) when the lock goes round fairly (docs/METHODOLOGY.md, "Futex contention").
  if (sum.count("lock_caller_acquisitions") != 0)
    put("caller_acquisition_share", sum["lock_caller_acquisitions"] / acquisitions);
  // Acquisitions whose previous holder was another thread, and ran on another CPU (docs/METHODOLOGY.md,
  // "Futex contention", "lock_pi hand-offs, measured").
  if (sum.count("lock_handoffs") != 0) put("handoff_share", sum["lock_handoffs"] / acquisitions);
  if (sum.count("lock_cross_cpu_handoffs") != 0)
    put("cross_cpu_handoff_share", sum["lock_cross_cpu_handoffs"] / acquisitions);
}

}  // namespace

void add_session_metrics(Record& r, const ProbeRun& run) {
  // Totals are summed over repetitions before dividing: a ratio of sums weighs each request equally.
  std::map<std::string, double> sum;
  std::map<std::string, std::vector<double>> levels;
  for (const RepetitionRun& rep : run.repetitions) {
    for (const auto& [name, delta] : rep.counter_deltas) sum[name] += delta;
    for (const auto& [name, value] : rep.counter_levels) levels[name].push_back(value);
  }
  if (sum.empty()) return;
  if (sum.count("pairs_round_trips") != 0) return add_pairs_metrics(r, sum);
  if (sum.count("wake_rounds") != 0) return add_wake_metrics(r, sum);
  if (sum.count("lock_acquisitions") != 0) return add_lock_metrics(r, sum);
  auto put = [&r](const std::string& name, double value) { r.metrics.emplace_back(name, value); };
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };

  const double wall = sum["wall_ns"], completions = sum["completions"], served = sum["server_requests"];
  const double cpu = sum["server_cpu_ns"], user = sum["server_user_ns"], sys = sum["server_sys_ns"];
  const double vol = sum["server_voluntary_switches"], invol = sum["server_involuntary_switches"];
  put("requests_per_second", ratio(completions, wall) * 1e9);
  put("requests", completions);
  put("server_requests", served);
  // The client's own count of the replies between the server's two snapshots: what server_requests
  // must equal when the server counts for itself (server.*; db.* uses this count as server_requests).
  if (sum.count("client_requests_between_snapshots") != 0)
    put("client_requests_between_snapshots", sum["client_requests_between_snapshots"]);
  put("server_cpu_ns_per_request", ratio(cpu, served));
  // The db.* probes count CPU with a perf task clock, which has no user/system split: absent, not 0.
  if (sum.count("server_user_ns") != 0) {
    put("server_user_ns_per_request", ratio(user, served));
    put("server_sys_ns_per_request", ratio(sys, served));
  }
  put("server_switches_per_request", ratio(vol + invol, served));
  put("server_voluntary_switches_per_request", ratio(vol, served));
  put("server_involuntary_switches_per_request", ratio(invol, served));
  // db.*: every switch of every server task, exited ones included (perf); the split above is the live tasks'.
  if (sum.count("server_switches_all") != 0)
    put("server_switches_all_per_request", ratio(sum["server_switches_all"], served));
  // The server's snapshots bracket the client's window with a warm-up round and a drain, so its busy
  // share is its CPU per request at the client's request rate.
  put("server_busy_cpus", ratio(cpu, served) * ratio(completions, wall));
  put("client_cpu_ns_per_request", ratio(sum["client_cpu_ns"], completions));
  const double client_busy = ratio(sum["client_cpu_ns"], wall);
  put("client_busy_fraction", client_busy);

  const double connections = param_number(r, "connections");
  for (const char* name :
       {"server_rss_bytes", "server_pss_bytes", "server_tasks", "server_processes", "server_cpu_count"}) {
    if (levels.count(name) == 0) continue;
    const double v = median_of(levels[name]);
    put(name, v);
    if (connections > 0 && std::string(name) == "server_rss_bytes") put("rss_bytes_per_connection", v / connections);
    if (connections > 0 && std::string(name) == "server_pss_bytes") put("pss_bytes_per_connection", v / connections);
  }
  if (client_busy > 0.9) r.warnings.push_back(load_generator_warning_of(client_busy));
}

}  // namespace ctxbench
