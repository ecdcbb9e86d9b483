#include "src/interleave.hpp"

#include <algorithm>
#include <utility>

namespace ctxbench {
namespace {

double timed_ops(const ProbeRun& run) {
  double ops = 0;
  for (const RepetitionRun& rep : run.repetitions) ops += static_cast<double>(rep.ops);
  return ops;
}

}  // namespace

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
    total.switches.reset();
    return;
  }
  const double before = timed_ops(total), added = timed_ops(round);
  if (total.switches && round.switches && before + added > 0) {
    auto weigh = [&](double a, double b) { return (a * before + b * added) / (before + added); };
    total.switches->voluntary_per_op = weigh(total.switches->voluntary_per_op, round.switches->voluntary_per_op);
    total.switches->involuntary_per_op = weigh(total.switches->involuntary_per_op, round.switches->involuntary_per_op);
  } else if (!round.switches) {
    total.switches.reset();  // a tally that misses a round is not a tally of the record
  }
  for (RepetitionRun& rep : round.repetitions) total.repetitions.push_back(std::move(rep));
}

}  // namespace ctxbench
