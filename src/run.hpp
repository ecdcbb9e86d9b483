// Running the plan: every planned probe in a fresh measuring process, one record each, the result file
// rewritten as the run goes so an interrupted or crashed run keeps what it did. The loop is a round
// scheduler (src/interleave.hpp), a run context built once (src/run_context.hpp) and one result sink
// (src/result_sink.hpp).
#pragma once

#include <string>
#include <vector>

#include "analysis/json_report.hpp"
#include "analysis/machine.hpp"
#include "analysis/record.hpp"
#include "probes/registry.hpp"
#include "src/options.hpp"
#include "src/plan.hpp"

namespace ctxbench {

struct RunOutcome {
  RunMeta meta;  // complete, or interrupted with the signal
  MachineInfo machine;
  std::vector<Record> records;   // measured and derived, in report order
  bool file_incomplete = false;  // --json FILE could not be written at some point (exit status 3)
  bool spool_failed = false;     // the sample spool could not be written: samples stayed in memory (4)
};

// Installs the stop handlers first: a Ctrl-C during start-up still ends in an "interrupted" outcome.
// `table` is the configuration the plan's probe table was built from: each measuring process builds the
// same table. Writes --json FILE (when given) as it goes, and the final one before returning; then prints
// the warnings, the table and the JSON for --json -.
RunOutcome run_plan(const Options& options, const std::vector<std::string>& argv, const std::vector<PlannedRun>& plan,
                    const ProbeTableConfig& table);

}  // namespace ctxbench
