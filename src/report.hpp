// What a run ends with: --list's listing, and the exit code of a run (its output went through
// src/result_sink.hpp).
#pragma once

#include <string>
#include <vector>

#include "src/plan.hpp"
#include "src/run.hpp"

namespace ctxbench {

// --list: the planned probes with their placements, on stdout. Returns the exit code (0).
int list_probes(const std::vector<PlannedRun>& plan);

// 128 + signal when interrupted, 3 when --json FILE could not be written whole, 1 when a probe failed,
// else 0 (docs/inputs.md).
int exit_code(const RunOutcome& outcome);

}  // namespace ctxbench
