#include "analysis/shared_causes.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ctxbench {
namespace {

// A cause on at least this share of the measured records (and on 3 or more) is said once per run: a
// disturbance that hit that many probes at different times is the machine's.
constexpr double kSharedShare = 0.05;

bool is_bimodal_warning(const std::string& w) { return w.rfind("bimodal:", 0) == 0; }

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
    out.run_warnings.push_back(fmt::format(
        "bimodal placement: {} of {} unpinned records split into samples with both tasks on one CPU and samples on "
        "two, with different medians (their `placement_groups`, and the groups on their \"ran on\" line); their "
        "median describes neither and moves as the share moves. Read the same-cpu and cross-cpu records, or "
        "compare unpinned ones only against a threshold above their rerun interval",
        bimodal, unpinned));
  }
  if (slow >= 3 && static_cast<double>(slow) >= limit) {
    out.slow_repetitions = true;
    out.run_warnings.push_back(fmt::format(
        "slow repetitions everywhere: in {} of {} records a few repetitions were much slower than the rest; spread "
        "over the whole run, that is the machine changing speed for seconds at a time (another task, the host), not "
        "the records. Their rerun column covers it. Remedies: stop other load, set the performance governor, on a "
        "VM ask for dedicated host CPUs",
        slow, ok));
  }
  return out;
}

void drop_shared_warnings(std::vector<Record>& records, const SharedCauses& shared) {
  for (Record& r : records) {
    std::vector<std::string>& w = r.warnings;
    const bool drop_unstable = (shared.bimodal && unstable_for(r, RerunCause::BimodalPlacement)) ||
                               (shared.slow_repetitions && unstable_for(r, RerunCause::SlowRepetitions));
    w.erase(std::remove_if(w.begin(), w.end(),
                           [&](const std::string& text) {
                             return (shared.bimodal && is_bimodal_warning(text)) ||
                                    (drop_unstable && text.rfind("unstable estimate:", 0) == 0);
                           }),
            w.end());
  }
}

}  // namespace ctxbench
