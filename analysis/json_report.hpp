// The JSON contract (README.md, "What the JSON holds"): Google Benchmark's `context` + `benchmarks[]` (so compare.py,
// github-action-benchmark, Bencher and conbench read it unchanged), plus `ctxbench`, `machine` and the
// rich `results[]`. Never NaN or Infinity: a value that is not finite is left out.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/machine.hpp"
#include "analysis/record.hpp"
#include "analysis/warning.hpp"

namespace ctxbench {

// 2: warnings as objects, `measure` per record, every option as a field, explain phase keys
// (docs/contracts.md, "Schema 2: what changed").
inline constexpr int kSchemaVersion = 2;

struct RunMeta {
  std::vector<std::string> argv;
  std::string executable;
  std::string start_time, end_time;  // ISO 8601, UTC; end empty while the run goes on
  std::string label;
  std::vector<std::pair<std::string, std::string>> context;
  // The options of the run as fields (`ctxbench.options`), so no reader parses argv.
  std::string suite = "default";
  bool quick = false;
  int repetitions = 0;
  std::string filter;
  std::vector<std::string> placements;
  std::optional<std::pair<int, int>> cpus;
  bool keep_awake = false, explain = false, interleave = true;
  int timeout_s = 0;  // the watchdog's limit per probe and placement; 0: off
  std::vector<std::uint64_t> server_work_ns;
  std::vector<int> server_connections;
  double timer_overhead_ns = 0;
  bool complete = false;     // every selected probe ran
  bool interrupted = false;  // a signal stopped the run
  std::string interrupted_by;
  std::vector<Warning> warnings;  // the run's (analysis/warning.hpp)
  // --pm-qos: asked for, and whether /dev/cpu_dma_latency was held at 0 (else why not).
  bool pm_qos_requested = false, pm_qos_held = false;
  std::string pm_qos_reason;
  // ctxbench doctor's findings on this machine (analysis/doctor.hpp), written into the machine block.
  nlohmann::json machine_findings = nlohmann::json::array();
  std::optional<std::vector<double>> loadavg_end;  // 1, 5, 15 min at the end of the run
  // ctxbench's own peak resident set (KiB) when the file was last written: the orchestrator only, never
  // a measuring process.
  std::uint64_t peak_rss_kib = 0;
};

std::string tool_version();
std::string git_revision();

// What the document's head needs from the records (Google Benchmark rows, the measuring processes'
// sizes), gathered one record at a time so a writer need not keep the records.
struct ReportIndex {
  std::string benchmark_rows_text;  // the rows so far, each on its own line
  int family_index = 0;
  std::uint64_t host_start_min = 0, host_start_max = 0, host_peak = 0;
  std::string host_peak_id;
  void add(const Record& record);
};
// The document is report_head + record_line(r, first) per record + kReportTail.
std::string report_head(const RunMeta& meta, const MachineInfo& machine, const ReportIndex& index);
std::string record_line(const Record& record, bool first);
inline constexpr const char* kReportTail = "\n ]\n}\n";

// The whole document, streamed: `write` takes it chunk by chunk (the header, then one record per line),
// so no document of all samples is ever built. The layout is compact (one benchmark row or result per
// line); readers parse it, never depend on it.
void write_report(const std::function<void(const std::string&)>& write, const RunMeta& meta, const MachineInfo& machine,
                  const std::vector<const Record*>& records);
// The same document as a DOM (tests, small runs).
nlohmann::json build_report(const RunMeta& meta, const MachineInfo& machine, const std::vector<Record>& records);
// One result record as compact JSON text appended to `out` (what write_report writes per line).
void append_record_json(std::string& out, const Record& record);
// Google Benchmark rows of one record: one `iteration` row per repetition, then mean/median/stddev/cv.
nlohmann::json benchmark_rows(const Record& record, int family_index);
nlohmann::json record_to_json(const Record& record);

}  // namespace ctxbench
