// What the results store holds, read back as series (one series = machine fingerprint x record id, its
// points in run start-time order). Filled by src/store/history_store.cpp; read by the history reports.
// Pure data.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ctxbench {

struct HistoryMachine {
  std::string fingerprint;
  nlohmann::json identity;  // the machines row: every fingerprint field (analysis/history_input.hpp)
};

struct HistoryRun {
  std::string run_id, fingerprint, label, hostname, git_revision, tool_version, kernel_release, start_time, source;
  std::optional<double> steal_fraction, load_start;
};

struct HistoryPoint {
  std::size_t run = 0;  // index into History::runs
  double p50_ns = 0;    // higher is slower, for every record
  std::optional<double> p99_ns, rerun_low, rerun_high;
};

struct HistorySeries {
  std::string fingerprint, record_id, probe, placement, unit;
  std::optional<std::string> measure;
  std::string family;                // the record's `family` field ("" when its file had none)
  std::vector<HistoryPoint> points;  // status ok only, run start-time order
};

struct History {
  std::vector<HistoryMachine> machines;
  std::vector<HistoryRun> runs;       // start-time order
  std::vector<HistorySeries> series;  // by fingerprint, then record id
};

}  // namespace ctxbench
