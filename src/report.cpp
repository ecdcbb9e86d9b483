#include "src/report.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>

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

int report(const Options& o, RunOutcome& outcome) {
  const bool json_to_stdout = o.json_path && *o.json_path == "-";
  const bool json_to_file = o.json_path && !json_to_stdout;
  std::FILE* table_out = json_to_stdout ? stderr : stdout;
  const std::vector<Record>& records = outcome.records;
  std::vector<const Record*> all;
  for (const Record& r : records) all.push_back(&r);
  // Machine-level problems first, once, with their remedies; then the table with each row's own warnings.
  for (const Warning& w : outcome.meta.warnings) std::fprintf(table_out, "warning: %s\n", console_text(w).c_str());
  std::fputs(format_table(records).c_str(), table_out);
  if (json_to_stdout)
    write_report([](const std::string& chunk) { std::fwrite(chunk.data(), 1, chunk.size(), stdout); }, outcome.meta,
                 outcome.machine, all);
  // The table first, whole: the closing message must never land inside one of its lines.
  std::fflush(table_out);
  if (json_to_file) std::fprintf(stderr, "ctxbench: results written to %s\n", o.json_path->c_str());

  if (outcome.meta.interrupted) return 128 + stop_signal();
  for (const Record& r : records)
    if (r.status == RunStatus::Failed) return 1;
  return 0;
}

}  // namespace ctxbench
