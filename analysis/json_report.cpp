// The streamed document (README.md, "What the JSON holds"): Google Benchmark's head, the `ctxbench` block
// (schema version, options, run-level warnings), `machine`, then one record per line.
#include "analysis/json_report.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "analysis/json_parts.hpp"
#include "git_revision.h"  // generated at build time (cmake/git_revision.cmake)

#ifndef CTXBENCH_VERSION
#define CTXBENCH_VERSION "0.0.0"
#endif

namespace ctxbench {

using nlohmann::json;

std::string tool_version() { return CTXBENCH_VERSION; }
std::string git_revision() { return CTXBENCH_GIT_REVISION; }

void put(json& obj, const char* key, double value) {
  if (std::isfinite(value)) obj[key] = value;
}
void put(json& obj, const char* key, const std::optional<double>& value) {
  if (value) put(obj, key, *value);
}

std::string dump_compact(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

namespace {

json ctxbench_block(const RunMeta& meta) {
  json b;
  b["schema_version"] = kSchemaVersion;
  b["tool_version"] = tool_version();
  b["git_revision"] = git_revision();
  b["argv"] = meta.argv;
  json opts;
  opts["suite"] = meta.suite;
  opts["quick"] = meta.quick;
  opts["repetitions"] = meta.repetitions;
  if (!meta.filter.empty()) opts["filter"] = meta.filter;
  opts["placements"] = meta.placements;
  if (meta.cpus) opts["cpus"] = {meta.cpus->first, meta.cpus->second};
  opts["keep_awake"] = meta.keep_awake;
  opts["pm_qos"] = meta.pm_qos_requested;
  opts["explain"] = meta.explain;
  opts["interleave"] = meta.interleave;
  opts["timeout_s"] = meta.timeout_s;
  if (!meta.server_work_ns.empty()) opts["server_work_ns"] = meta.server_work_ns;
  if (!meta.server_connections.empty()) opts["server_connections"] = meta.server_connections;
  if (!meta.label.empty()) opts["label"] = meta.label;
  if (!meta.context.empty()) {
    json c = json::object();
    for (const auto& [k, v] : meta.context) c[k] = v;
    opts["context"] = c;
  }
  b["options"] = opts;
  b["start_time"] = meta.start_time;
  if (!meta.end_time.empty()) b["end_time"] = meta.end_time;
  put(b, "timer_overhead_ns", meta.timer_overhead_ns);
  b["complete"] = meta.complete;
  b["interrupted"] = meta.interrupted;
  if (meta.interrupted) b["interrupted_by"] = meta.interrupted_by;
  b["warnings"] = warnings_json(meta.warnings);
  if (meta.pm_qos_requested) {
    json q = {{"requested_us", 0}, {"held", meta.pm_qos_held}, {"file", "/dev/cpu_dma_latency"}};
    if (!meta.pm_qos_reason.empty()) q["skipped_because"] = meta.pm_qos_reason;
    b["pm_qos"] = q;
  }
  if (meta.peak_rss_kib > 0) b["peak_rss_kib"] = meta.peak_rss_kib;
  return b;
}

}  // namespace

void ReportIndex::add(const Record& r) {
  const json rows = benchmark_rows(r, family_index);
  if (!rows.empty()) ++family_index;
  for (const json& row : rows) {
    benchmark_rows_text += benchmark_rows_text.empty() ? "\n  " : ",\n  ";
    benchmark_rows_text += row.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  if (r.host_start_rss_kib == 0) return;
  host_start_min = host_start_min == 0 ? r.host_start_rss_kib : std::min(host_start_min, r.host_start_rss_kib);
  host_start_max = std::max(host_start_max, r.host_start_rss_kib);
  if (r.host_peak_rss_kib > host_peak) {
    host_peak = r.host_peak_rss_kib;
    host_peak_id = r.id();
  }
}

namespace {

// Run-level facts about the measuring processes, from the records that ran in one.
json probe_host_block(const ReportIndex& index) {
  json b;
  b["executable"] = "ctxbench-probe";
  b["one_per"] = "probe and placement: a fresh process started by exec, holding no results";
  if (index.host_start_max == 0) return b;
  b["start_rss_kib"] = {{"min", index.host_start_min}, {"max", index.host_start_max}};
  b["max_rss_kib"] = index.host_peak;
  b["max_rss_record"] = index.host_peak_id;
  return b;
}

}  // namespace

std::string report_head(const RunMeta& meta, const MachineInfo& machine, const ReportIndex& index) {
  std::string head = "{\n \"context\": " + dump_compact(context_block(meta, machine)) + ",\n \"benchmarks\": [";
  head += index.benchmark_rows_text;
  head += "\n ],\n \"ctxbench\": ";
  json ctx = ctxbench_block(meta);
  ctx["probe_host"] = probe_host_block(index);
  head += dump_compact(ctx);
  json m = machine_to_json(machine);
  m["findings"] = meta.machine_findings;
  if (!meta.label.empty()) m["label"] = meta.label;
  if (meta.loadavg_end) m["loadavg_end"] = *meta.loadavg_end;
  head += ",\n \"machine\": " + dump_compact(m) + ",\n \"results\": [";
  return head;
}

std::string record_line(const Record& r, bool first) {
  std::string line = first ? "\n  " : ",\n  ";
  append_record_json(line, r);
  return line;
}

void write_report(const std::function<void(const std::string&)>& write, const RunMeta& meta, const MachineInfo& machine,
                  const std::vector<const Record*>& records) {
  ReportIndex index;
  for (const Record* r : records) index.add(*r);
  write(report_head(meta, machine, index));
  // One record per line: a full-catalogue file holds millions of samples, written record by record.
  for (std::size_t i = 0; i < records.size(); ++i) write(record_line(*records[i], i == 0));
  write(kReportTail);
}

json build_report(const RunMeta& meta, const MachineInfo& machine, const std::vector<Record>& records) {
  std::vector<const Record*> pointers;
  for (const Record& r : records) pointers.push_back(&r);
  std::string text;
  write_report([&](const std::string& chunk) { text += chunk; }, meta, machine, pointers);
  return json::parse(text);
}

}  // namespace ctxbench
