#include "src/report.hpp"

#include <algorithm>
#include <cstdio>

#include "analysis/console_report.hpp"
#include "engine/os.hpp"
#include "engine/watchdog.hpp"

namespace ctxbench {

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

int exit_code(const RunOutcome& outcome) {
  if (outcome.meta.interrupted) return 128 + stop_signal();
  if (outcome.file_incomplete) return 3;
  if (outcome.spool_failed) return 4;
  for (const Record& r : outcome.records)
    if (r.status == RunStatus::Failed) return 1;
  return 0;
}

}  // namespace ctxbench
