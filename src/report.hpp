// Reporting a run: the console table, warnings, the JSON (to --json FILE or stdout) and the exit code.
#pragma once

#include <string>
#include <vector>

#include "analysis/json_report.hpp"
#include "analysis/machine.hpp"
#include "analysis/record.hpp"
#include "src/options.hpp"
#include "src/plan.hpp"
#include "src/run.hpp"

namespace ctxbench {

// --list: the planned probes with their placements, on stdout. Returns the exit code (0).
int list_probes(const std::vector<PlannedRun>& plan);

// Prints the table and warnings and the JSON for --json - (run_plan has written --json FILE), and
// returns the exit code: 128 + signal when interrupted, 1 when a probe failed, else 0.
int report(const Options& options, RunOutcome& outcome);

}  // namespace ctxbench
