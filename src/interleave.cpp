#include "src/interleave.hpp"

#include <algorithm>
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
    return;
  }
  // Each repetition carries its own switch counts: appending them is the whole merge.
  for (RepetitionRun& rep : round.repetitions) total.repetitions.push_back(std::move(rep));
}

RoundScheduler::RoundScheduler(const std::vector<PlannedRun>& plan, const RunnerSettings& settings, bool interleave)
    : plan_(plan),
      repetitions_(settings.repetitions),
      interleaved_(interleave && settings.repetitions > 1),
      per_round_(settings),
      runs_(plan.size()),
      rounds_done_(plan.size(), 0),
      taken_(plan.size(), false) {
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
  add_round(*runs_[i], std::move(run), first);
  ++rounds_done_[i];
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
  return run;
}

}  // namespace ctxbench
