// Causes shared by many records are the machine's, not the records' (docs/METHODOLOGY.md, "Warnings"):
// when at least 5% of a run's measured records (and 3 or more) are bimodal, or unstable because a few of
// their repetitions were slow, the run says so once at the top and those rows drop the warning. The data stays in
// each record (`bimodal`, `placement_groups`, `rerun_ratio_95`, `rerun_cause`). Pure.
#pragma once

#include <string>
#include <vector>

#include "analysis/record.hpp"

namespace ctxbench {

struct SharedCauses {
  bool bimodal = false, slow_repetitions = false;
  std::vector<Warning> run_warnings;  // one per shared cause, with its remedy
};

// Decides from the measured records (derived ones follow their sources).
SharedCauses find_shared_causes(const std::vector<Record>& measured);
// Removes the row warnings of the shared causes from `records` (measured or derived), by kind.
void drop_shared_warnings(std::vector<Record>& records, const SharedCauses& shared);

}  // namespace ctxbench
