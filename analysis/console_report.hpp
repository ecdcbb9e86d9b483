// Human output: the results table (stdout), progress lines (stderr) and --list. Text only, no I/O.
#pragma once

#include <string>
#include <vector>

#include "analysis/record.hpp"
#include "engine/probe.hpp"

namespace ctxbench {

// "5.12 us", "812 ns", "1.03 ms": three significant digits, unit chosen by magnitude.
std::string format_duration_ns(double ns);

// One block per probe: its op sentence, then a row per placement with p50, p99, CV, switches/op and
// status (the reason when skipped or failed), then the record's warnings.
std::string format_table(const std::vector<Record>& records);

// One line per finished record for stderr, e.g. "[ 3/27] ctxswitch.pipe.process/same-cpu  p50 5.1 us".
std::string format_progress(const Record& record, int index, int total);

struct ListedProbe {
  const ProbeInfo* info;
  std::vector<std::string> placements;  // placement names that would run
};
std::string format_list(const std::vector<ListedProbe>& probes);

}  // namespace ctxbench
