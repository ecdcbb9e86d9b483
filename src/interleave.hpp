// Interleaved repetitions (docs/METHODOLOGY.md, "Interleaving"): the run goes round the plan once per
// repetition, each probe taking one repetition per round in a fresh measuring process, so a host state
// that lasts seconds hits every probe alike instead of all repetitions of one probe. This file schedules
// the rounds and merges one round's ProbeRun into the probe's total; it formats nothing and reads no clock.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "engine/run_result.hpp"
#include "engine/runner.hpp"
#include "src/plan.hpp"
#include "src/sample_spool.hpp"

namespace ctxbench {

// Appends `round`'s repetitions (each with its own ops and switch counts) to `total`.
// A round that did not end ok (skipped, failed) replaces the status and reason: the probe stops there.
// Wall time adds up; resident sets keep the first start and the largest peak; pair readings append.
void add_round(ProbeRun& total, ProbeRun&& round, bool first);

// Which planned run takes which round, and what each has gathered so far. Without interleaving (asked
// off, or one repetition) there is one round of every repetition.
class RoundScheduler {
 public:
  RoundScheduler(const std::vector<PlannedRun>& plan, const RunnerSettings& settings, bool interleave);
  bool interleaved() const { return interleaved_; }
  int rounds() const { return total_rounds_; }
  // The settings one round runs with: one repetition when interleaved, else all of them.
  const RunnerSettings& per_round() const { return per_round_; }
  // plan[i] runs in `round`: not yet taken and its rounds reach that far.
  bool due(std::size_t i, int round) const;
  // From here on, the per-sample data of a round that is not plan[i]'s last (each repetition's ns_per_op
  // and task_cpus) goes to `spool` and is read back by take(); what the spool cannot take stays in memory.
  void spool_into(SampleSpool* spool) { spool_ = spool; }
  // Merges the measuring process's answer for plan[i]'s next round.
  void add(std::size_t i, ProbeRun&& run);
  // plan[i] is ready for its record: skipped, stopped early (not ok) or every round in; with `force`
  // (the run was interrupted) also when some rounds are in.
  bool finished(std::size_t i, bool force) const;
  // The merged run of a finished plan[i], taken once (nullopt: skipped before running), its spooled
  // samples read back (a spool that cannot be read makes it failed, with the reason).
  std::optional<ProbeRun> take(std::size_t i);

 private:
  // A repetition whose per-sample vectors are in the spool: total.repetitions[index].
  struct Spooled {
    std::size_t index = 0;
    SampleSpool::Span ns_per_op;
    std::vector<SampleSpool::Span> task_cpus;
  };
  int rounds_of(std::size_t i) const;
  void spool_repetitions(std::size_t i, std::size_t from);

  SampleSpool* spool_ = nullptr;
  std::vector<std::vector<Spooled>> spooled_;

  const std::vector<PlannedRun>& plan_;
  const int repetitions_;
  const bool interleaved_;
  RunnerSettings per_round_;
  int total_rounds_ = 1;
  std::vector<std::optional<ProbeRun>> runs_;
  std::vector<int> rounds_done_;
  std::vector<bool> taken_;
};

}  // namespace ctxbench
