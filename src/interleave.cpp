#include "src/interleave.hpp"

#include <algorithm>
#include <exception>
#include <utility>

namespace ctxbench {
void add_round(ProbeRun& total, ProbeRun&& round, bool first) {
  if (first) {
    total = std::move(round);
    return;
  }
  total.wall_seconds += round.wall_seconds;
  total.host_peak_rss_kib = std::max(total.host_peak_rss_kib, round.host_peak_rss_kib);
  if (round.status != RunStatus::Ok) {
    // Repetitions of earlier rounds are kept only by an ok run (the runner's rule for a whole probe).
    total.status = round.status;
    total.reason = std::move(round.reason);
    total.repetitions.clear();
    total.pair_witness.clear();
    return;
  }
  // Each repetition carries its own switch counts: appending them is the whole merge. Each round's pair
  // readings follow the earlier rounds' (docs/contracts.md, `placement.pair_round_trip_ns.rounds`).
  for (RepetitionRun& rep : round.repetitions) total.repetitions.push_back(std::move(rep));
  for (PairWitness& w : round.pair_witness) total.pair_witness.push_back(std::move(w));
}

RoundScheduler::RoundScheduler(const std::vector<PlannedRun>& plan, const RunnerSettings& settings, bool interleave)
    : plan_(plan),
      repetitions_(settings.repetitions),
      interleaved_(interleave && settings.repetitions > 1),
      per_round_(settings),
      runs_(plan.size()),
      rounds_done_(plan.size(), 0),
      taken_(plan.size(), false) {
  spooled_.resize(plan.size());
  if (interleaved_) per_round_.repetitions = 1;
  for (std::size_t i = 0; i < plan.size(); ++i) total_rounds_ = std::max(total_rounds_, rounds_of(i));
}

// Rounds plan[i] takes: one per repetition when interleaving (capped like the runner caps a probe's
// repetitions), else one round of every repetition.
int RoundScheduler::rounds_of(std::size_t i) const {
  if (!interleaved_) return 1;
  const int cap = plan_[i].probe->info().budget.max_repetitions;
  return cap > 0 ? std::min(repetitions_, cap) : repetitions_;
}

bool RoundScheduler::due(std::size_t i, int round) const { return !taken_[i] && round < rounds_of(i); }

void RoundScheduler::add(std::size_t i, ProbeRun&& run) {
  const bool first = !runs_[i].has_value();
  if (first) runs_[i].emplace();
  const std::size_t from = runs_[i]->repetitions.size();
  add_round(*runs_[i], std::move(run), first);
  ++rounds_done_[i];
  // A failed round drops the repetitions before it (add_round), spooled or not.
  if (runs_[i]->status != RunStatus::Ok) spooled_[i].clear();
  // The last round's samples go straight into the record.
  else if (rounds_done_[i] < rounds_of(i))
    spool_repetitions(i, from);
}

void RoundScheduler::spool_repetitions(std::size_t i, std::size_t from) {
  if (spool_ == nullptr) return;
  std::vector<RepetitionRun>& reps = runs_[i]->repetitions;
  for (std::size_t r = from; r < reps.size(); ++r) {
    Spooled s;
    s.index = r;
    std::optional<SampleSpool::Span> span = spool_->put(reps[r].ns_per_op);
    if (!span) return;  // kept in memory (the spool said why, once)
    s.ns_per_op = *span;
    for (const std::vector<int>& cpus : reps[r].task_cpus) {
      span = spool_->put(cpus);
      if (!span) return;
      s.task_cpus.push_back(*span);
    }
    std::vector<double>().swap(reps[r].ns_per_op);
    for (std::vector<int>& cpus : reps[r].task_cpus) std::vector<int>().swap(cpus);
    spooled_[i].push_back(std::move(s));
  }
}

bool RoundScheduler::finished(std::size_t i, bool force) const {
  if (taken_[i]) return false;
  if (!plan_[i].skip_reason.empty()) return true;
  if (!runs_[i]) return false;
  return force || runs_[i]->status != RunStatus::Ok || rounds_done_[i] >= rounds_of(i);
}

std::optional<ProbeRun> RoundScheduler::take(std::size_t i) {
  taken_[i] = true;
  std::optional<ProbeRun> run = std::move(runs_[i]);
  runs_[i].reset();
  std::vector<Spooled> spooled;
  spooled.swap(spooled_[i]);
  if (!run) return run;
  try {
    for (const Spooled& s : spooled) {
      RepetitionRun& rep = run->repetitions[s.index];
      rep.ns_per_op = spool_->get_vector<double>(s.ns_per_op);
      for (std::size_t t = 0; t < s.task_cpus.size(); ++t) rep.task_cpus[t] = spool_->get_vector<int>(s.task_cpus[t]);
    }
  } catch (const std::exception& e) {
    // What was measured cannot be had back: the probe is failed, saying why (nothing is made up).
    run->status = RunStatus::Failed;
    run->reason = e.what();
    run->repetitions.clear();
  }
  return run;
}

}  // namespace ctxbench
