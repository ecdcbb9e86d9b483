// Which probe runs in which placement on which CPUs: the options applied to the registry.
#pragma once

#include <string>
#include <vector>

#include "analysis/options.hpp"
#include "probes/probe.hpp"

namespace ctxbench {

struct PlannedRun {
  const Probe* probe = nullptr;
  Placement placement;
  std::string skip_reason;  // non-empty: record as skipped without running
  std::string id;           // "probe/placement" as --filter sees it ("/keep-awake" appended when on)
  bool keep_awake = false;  // run with one SCHED_IDLE spinner per CPU the probe uses
};

// Throws UsageError when --cpus names CPUs outside `allowed` or when --filter matches nothing.
std::vector<PlannedRun> make_plan(const Options& options, const std::vector<int>& allowed);

}  // namespace ctxbench
