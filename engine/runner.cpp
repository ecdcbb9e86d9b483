#include "engine/runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <optional>
#include <vector>

#include "engine/explain/trace_event.h"
#include "engine/keep_awake.hpp"
#include "engine/os.hpp"
#include "engine/pair_witness.hpp"
#include "engine/task_cpu.hpp"
#include "engine/watchdog.hpp"

namespace ctxbench {

RunnerSettings RunnerSettings::quick() {
  RunnerSettings s;
  s.repetitions = 3;
  s.sample_budget_ns = 20'000'000;
  s.warmup_budget_ns = 2'000'000;
  s.min_samples = 5;
  return s;
}

double measure_timer_overhead_ns() {
  std::vector<double> pairs;
  pairs.reserve(2001);
  for (int i = 0; i < 2001; ++i) {
    const std::uint64_t a = now_ns();
    const std::uint64_t b = now_ns();
    pairs.push_back(static_cast<double>(b - a));
  }
  std::nth_element(pairs.begin(), pairs.begin() + 1000, pairs.end());
  return pairs[1000];
}

namespace {

std::uint64_t time_batch(Session& session, std::uint64_t n) {
  throw_if_stopped();
  const std::uint64_t start = now_ns();
  session.run_ops(n);
  const std::uint64_t end = now_ns();
  return std::max<std::uint64_t>(end - start, 1);
}

}  // namespace

std::uint64_t calibrate_batch(Session& session, std::uint64_t target_ns) {
  std::uint64_t n = 1;
  for (;;) {
    const std::uint64_t t = time_batch(session, n);
    if (t >= target_ns || n >= (1ULL << 32)) return n;
    // Aim 20% past the target so the next try usually lands; never grow more than 16x from one reading
    // (the first batches are the coldest and the slowest).
    const double wanted = static_cast<double>(n) * 1.2 * static_cast<double>(target_ns) / static_cast<double>(t);
    n = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::ceil(wanted)), n + 1, n * 16);
  }
}

std::uint64_t target_batch_ns(const RunnerSettings& settings, double timer_overhead_ns) {
  return std::max<std::uint64_t>(settings.min_batch_ns, static_cast<std::uint64_t>(100.0 * timer_overhead_ns));
}

namespace {

struct SwitchSnapshot {
  std::uint64_t voluntary = 0, involuntary = 0;
};

SwitchSnapshot snapshot_switches(const Session& session, bool with_reaped_children) {
  SwitchSnapshot s;
  for (const TaskId& t : session.tasks()) {
    const SwitchCounts c = read_switch_counts(t.pid, t.tid);
    s.voluntary += c.voluntary;
    s.involuntary += c.involuntary;
  }
  if (with_reaped_children) {
    const SwitchCounts c = reaped_children_switch_counts();
    s.voluntary += c.voluntary;
    s.involuntary += c.involuntary;
  }
  return s;
}

// The traced pass's timed part: n single ops, each window kept so that the kernel's events can be cut
// into the same ops the user-space clock timed.
void trace_single_ops(Session& session, const ProbeInfo& info, std::uint64_t n, RepetitionRun& rep) {
  const double inner = static_cast<double>(std::max<std::uint64_t>(info.inner_ops, 1));
  rep.initiator_tid = gettid_now();
  for (const TaskId& t : session.tasks()) rep.measured_tids.push_back(static_cast<int>(t.tid));
  rep.ops_per_sample = 1;
  rep.op_windows.reserve(2 * n);
  rep.ns_per_op.reserve(n);
  std::vector<double>* own = session.own_samples();
  if (own != nullptr) own->clear();
  // The tracer starts recording here (a number no kernel has: ENOSYS, nothing done; ProbeInfo).
  if (info.explain_from_first_op) (void)::syscall(CTXBENCH_OPS_MARK_SYSCALL);
  for (std::uint64_t i = 0; i < n; ++i) {
    throw_if_stopped();
    const std::uint64_t start = now_ns();
    session.run_ops(1);
    const std::uint64_t end = now_ns();
    rep.op_windows.push_back(start);
    rep.op_windows.push_back(end);
    rep.ns_per_op.push_back(static_cast<double>(end - start) / inner);
  }
  rep.ops = n * static_cast<std::uint64_t>(inner);
  if (own == nullptr) return;
  // A session that times its own windows (a request from its send to its reply) is explained on those: the
  // run_ops(1) window of a closed loop ends after the next request's send, not at this one's reply.
  std::vector<std::uint64_t> windows = session.own_windows();
  if (!windows.empty() && windows.size() == 2 * own->size()) {
    rep.op_windows = std::move(windows);
    rep.ns_per_op.assign(own->begin(), own->end());
    rep.ops = own->size();
  }
  own->clear();
}

RepetitionRun run_repetition(const Probe& probe, const Placement& placement, const RunnerSettings& settings,
                             std::uint64_t target_batch_ns) {
  // Fresh partner tasks per repetition: a repetition measures set-up luck (where the scheduler put a
  // task, which memory it got) as well, which is what repetitions are for.
  std::unique_ptr<Session> session = probe.start(placement);
  RepetitionRun rep;
  rep.ops_per_sample = calibrate_batch(*session, target_batch_ns);

  const std::uint64_t warmup_end = now_ns() + settings.warmup_budget_ns;
  do {
    time_batch(*session, rep.ops_per_sample);
  } while (now_ns() < warmup_end);

  const bool with_children = probe.info().counts_reaped_children;
  // Self-timed sessions hand over one value per op; the warm-up and calibration values are dropped.
  std::vector<double>* own = session->own_samples();
  if (own != nullptr) own->clear();
  const SwitchSnapshot before = snapshot_switches(*session, with_children);
  const std::optional<SessionCounters> counters_before = session->counters(false);
  rep.host_rss_kib = resident_kib();
  // Where the tasks ran: one reading per task per sample, after the sample's clock read.
  const TaskCpuReader where(session->tasks());
  rep.task_cpus.assign(where.size(), {});
  rep.task_pins = session->task_pins();
  if (settings.traced_ops > 0) {
    trace_single_ops(*session, probe.info(), settings.traced_ops, rep);
    for (std::size_t i = 0; i < where.size(); ++i) rep.task_cpus[i].assign(rep.ns_per_op.size(), where.cpu(i));
    return rep;
  }
  const std::uint64_t sample_end = now_ns() + settings.sample_budget_ns;
  const int max_samples = probe.info().budget.max_samples > 0 ? probe.info().budget.max_samples : settings.max_samples;
  while (static_cast<int>(rep.ns_per_op.size()) < max_samples &&
         (static_cast<int>(rep.ns_per_op.size()) < settings.min_samples || now_ns() < sample_end)) {
    const std::uint64_t t = time_batch(*session, rep.ops_per_sample);
    // Observed CPUs stay aligned with ns_per_op: one reading per value this sample added.
    std::size_t values = 1;
    if (own != nullptr) {
      // Each self-timed value is one op (one message, one wake-up): switches_per_op is per value.
      values = own->size();
      rep.ns_per_op.insert(rep.ns_per_op.end(), own->begin(), own->end());
      rep.ops += own->size();
      own->clear();
    } else {
      const std::uint64_t inner = std::max<std::uint64_t>(probe.info().inner_ops, 1);
      rep.ns_per_op.push_back(static_cast<double>(t) / static_cast<double>(rep.ops_per_sample * inner));
      rep.ops += rep.ops_per_sample * inner;
    }
    for (std::size_t i = 0; i < where.size(); ++i)
      rep.task_cpus[i].insert(rep.task_cpus[i].end(), values, where.cpu(i));
  }
  if (counters_before) {
    const std::optional<SessionCounters> counters_after = session->counters(true);
    if (counters_after) {
      for (const auto& [name, value] : counters_after->totals)
        for (const auto& [before_name, before_value] : counters_before->totals)
          if (name == before_name) rep.counter_deltas.emplace_back(name, value - before_value);
      rep.counter_levels = counters_after->levels;
    }
    // A session may finish its window inside counters(true) (the server probes wait for the requests
    // the window started): those values belong to this repetition too.
    if (own != nullptr && !own->empty()) {
      rep.ns_per_op.insert(rep.ns_per_op.end(), own->begin(), own->end());
      rep.ops += own->size();
      for (std::size_t i = 0; i < where.size(); ++i)
        rep.task_cpus[i].insert(rep.task_cpus[i].end(), own->size(), where.cpu(i));
      own->clear();
    }
  }
  const SwitchSnapshot after = snapshot_switches(*session, with_children);
  // A partner that exited between the snapshots reads as zero; never let that go negative.
  if (after.voluntary >= before.voluntary) rep.voluntary_switches = after.voluntary - before.voluntary;
  if (after.involuntary >= before.involuntary) rep.involuntary_switches = after.involuntary - before.involuntary;
  return rep;
}

// The CPUs a probe uses: its pinned CPUs, or every CPU of the mask when the scheduler chooses.
std::vector<int> keep_awake_cpus(const Placement& p) {
  if (p.kind == PlacementKind::SameCpu) return {p.cpu_a};
  if (p.kind == PlacementKind::CrossCpu) return {p.cpu_a, p.cpu_b};
  if (p.kind == PlacementKind::None && p.cpu_a >= 0) return {p.cpu_a};
  return allowed_cpus();
}

// One reading of the placement's pair; a reason for a missing one is kept (the first, when both are missing).
double read_pair(const Placement& p, std::string& why_not) {
  PairReading r = read_pair_round_trip(p.cpu_a, p.cpu_b);
  if (why_not.empty()) why_not = std::move(r.why_not);
  return r.ns;
}

}  // namespace

PlacementGuard::PlacementGuard(const Placement& p) {
  if (p.kind == PlacementKind::SameCpu || p.kind == PlacementKind::CrossCpu)
    pin_to_cpu(p.cpu_a);
  else
    unpin();
}

PlacementGuard::~PlacementGuard() {
  try {
    unpin();  // the next probe starts from the full affinity mask
  } catch (...) {
  }
}

ProbeRun run_probe(const Probe& probe, const Placement& placement, const RunnerSettings& settings,
                   double timer_overhead_ns, const RepetitionSink& on_repetition) {
  ProbeRun run;
  run.placement = placement;
  run.timer_overhead_ns = timer_overhead_ns;
  const std::uint64_t started = now_ns();
  const ProbeInfo& info = probe.info();
  const std::uint64_t target_batch = std::max(target_batch_ns(settings, timer_overhead_ns), info.budget.min_batch_ns);
  // A probe may cap the budget (one pair of a CPU matrix, a fork of a 1 GiB parent).
  RunnerSettings capped = settings;
  if (info.budget.max_repetitions > 0) capped.repetitions = std::min(capped.repetitions, info.budget.max_repetitions);
  if (settings.traced_ops > 0) capped.repetitions = 1;
  if (info.budget.max_sample_budget_ns > 0) {
    capped.sample_budget_ns = std::min(capped.sample_budget_ns, info.budget.max_sample_budget_ns);
    capped.warmup_budget_ns = std::min(capped.warmup_budget_ns, info.budget.max_sample_budget_ns / 4);
  }
  // The pair's distance around the repetitions (engine/pair_witness.hpp): never in the traced pass, whose
  // figures are not the record's.
  const bool witness = settings.traced_ops == 0 && has_pinned_pair(info, placement);
  PairWitness pair;
  try {
    ProbeWatchdog watchdog(settings.timeout_ns);  // destroyed last: after every task is reaped
    if (witness) pair.before_ns = read_pair(placement, pair.why_not);
    {
      // No spinner, no session and no pinned caller during a reading.
      std::optional<KeepAwake> awake;
      if (settings.keep_awake) {
        awake.emplace(keep_awake_cpus(placement));
        run.keep_awake = true;
        run.keep_awake_cpus = awake->cpus();
      }
      PlacementGuard guard(placement);
      for (int r = 0; r < capped.repetitions; ++r) {
        RepetitionRun rep = run_repetition(probe, placement, capped, target_batch);
        if (on_repetition)
          on_repetition(std::move(rep));
        else
          run.repetitions.push_back(std::move(rep));
      }
    }
    if (witness) pair.after_ns = read_pair(placement, pair.why_not);
  } catch (const Interrupted&) {
    throw;
  } catch (const ProbeSkip& e) {
    run.status = RunStatus::Skipped;
    run.reason = e.what();
  } catch (const std::exception& e) {
    run.status = RunStatus::Failed;
    run.reason = e.what();
  }
  if (run.status != RunStatus::Ok) run.repetitions.clear();
  if (run.status == RunStatus::Ok && witness) run.pair_witness.push_back(std::move(pair));
  run.wall_seconds = static_cast<double>(now_ns() - started) / 1e9;
  return run;
}

}  // namespace ctxbench
