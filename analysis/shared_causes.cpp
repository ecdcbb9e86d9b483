#include "analysis/shared_causes.hpp"

#include <algorithm>

namespace ctxbench {
namespace {

// A cause on at least this share of the measured records (and on 3 or more) is said once per run: a
// disturbance that hit that many probes at different times is the machine's.
constexpr double kSharedShare = 0.05;

bool unstable_for(const Record& r, RerunCause cause) {
  return r.rerun && !is_stable(*r.rerun) && r.rerun->cause_kind == cause;
}

}  // namespace

SharedCauses find_shared_causes(const std::vector<Record>& measured) {
  std::size_t ok = 0, bimodal = 0, unpinned = 0, slow = 0;
  for (const Record& r : measured) {
    if (r.status != RunStatus::Ok) continue;
    ++ok;
    unpinned += r.placement.kind == PlacementKind::Unpinned ? 1 : 0;
    bimodal += r.bimodal ? 1 : 0;
    slow += unstable_for(r, RerunCause::SlowRepetitions) ? 1 : 0;
  }
  SharedCauses out;
  const double limit = kSharedShare * static_cast<double>(ok);
  if (bimodal >= 3 && static_cast<double>(bimodal) >= limit) {
    out.bimodal = true;
    out.run_warnings.push_back(bimodal_shared_warning_of(bimodal, unpinned));
  }
  if (slow >= 3 && static_cast<double>(slow) >= limit) {
    out.slow_repetitions = true;
    out.run_warnings.push_back(slow_repetitions_shared_warning_of(slow, ok));
  }
  return out;
}

void drop_shared_warnings(std::vector<Record>& records, const SharedCauses& shared) {
  for (Record& r : records) {
    std::vector<Warning>& w = r.warnings;
    const bool drop_unstable = (shared.bimodal && unstable_for(r, RerunCause::BimodalPlacement)) ||
                               (shared.slow_repetitions && unstable_for(r, RerunCause::SlowRepetitions));
    w.erase(std::remove_if(w.begin(), w.end(),
                           [&](const Warning& x) {
                             return (shared.bimodal && x.kind == WarningKind::Bimodal) ||
                                    (drop_unstable && x.kind == WarningKind::UnstableEstimate);
                           }),
            w.end());
  }
}

}  // namespace ctxbench
