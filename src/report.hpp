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

// Replaces `path` with the report of `records` (atomically; stop signals wait until the rename), after
// setting meta.peak_rss_kib to ctxbench's peak resident set so far.
void write_result_file(const std::string& path, RunMeta& meta, const MachineInfo& machine,
                       const std::vector<const Record*>& records);

// Prints the table and warnings, writes the JSON, and returns the exit code: 128 + signal when
// interrupted, 1 when a probe failed, else 0.
int report(const Options& options, RunOutcome& outcome);

}  // namespace ctxbench
