// Which probe runs in which placement on which CPUs: the options applied to the registry.
#pragma once

#include <string>
#include <vector>

#include "engine/probe.hpp"
#include "probes/registry.hpp"
#include "src/options.hpp"

namespace ctxbench {

struct PlannedRun {
  const Probe* probe = nullptr;
  Placement placement;
  std::string skip_reason;  // non-empty: record as skipped without running
  std::string id;           // "probe/placement" as --filter sees it ("/keep-awake" appended when on)
  bool keep_awake = false;  // run with one SCHED_IDLE spinner per CPU the probe uses
};

// Throws UsageError when --cpus names CPUs outside `allowed` or when --filter matches nothing.
// The probe table the options ask for: their server.* sweep points, and the test.* probes when
// `test_probes` (main reads it from CTXBENCH_TEST_PROBES=1, once).
ProbeTableConfig probe_table_config(const Options& options, bool test_probes);

// The runs are pointers into `table`, which must outlive them.
std::vector<PlannedRun> make_plan(const Options& options, const ProbeTable& table, const std::vector<int>& allowed);

}  // namespace ctxbench
