#include "analysis/json_report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <stdexcept>

#ifndef CTXBENCH_VERSION
#define CTXBENCH_VERSION "0.0.0"
#endif
#ifndef CTXBENCH_GIT_REVISION
#define CTXBENCH_GIT_REVISION "unknown"
#endif

namespace ctxbench {

using nlohmann::json;

std::string tool_version() { return CTXBENCH_VERSION; }
std::string git_revision() { return CTXBENCH_GIT_REVISION; }

namespace {

// Sets obj[key] only for finite values: the contract forbids NaN/Infinity, and a missing key is the
// honest way to say "not known".
void put(json& obj, const char* key, double value) {
  if (std::isfinite(value)) obj[key] = value;
}
void put(json& obj, const char* key, const std::optional<double>& value) {
  if (value) put(obj, key, *value);
}

// Raw samples keep nanosecond resolution to three decimals: more digits would only be timer noise and
// would triple the file size.
double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

json statistics_to_json(const Summary& s) {
  json j;
  j["n"] = s.n;
  put(j, "min", s.min);
  put(j, "p50", s.p50);
  put(j, "p90", s.p90);
  put(j, "p99", s.p99);
  put(j, "p99_9", s.p999);
  put(j, "max", s.max);
  put(j, "mean", s.mean);
  put(j, "stddev", s.stddev);
  put(j, "mad", s.mad);
  put(j, "cv", s.cv);
  json ci;
  put(ci, "low", s.median_ci.low);
  put(ci, "high", s.median_ci.high);
  ci["level"] = 0.95;
  j["median_ci"] = ci;
  j["outliers_low"] = s.outliers_low;
  j["outliers_high"] = s.outliers_high;
  return j;
}

std::string benchmark_name(const Record& r) { return r.id() + "/real_time"; }

json iteration_row(const Record& r, int family_index, std::size_t rep_index) {
  const RepetitionSummary& rep = r.repetitions[rep_index];
  json row;
  row["name"] = benchmark_name(r);
  row["family_index"] = family_index;
  row["per_family_instance_index"] = 0;
  row["run_name"] = benchmark_name(r);
  row["run_type"] = "iteration";
  row["repetitions"] = r.repetitions.size();
  row["repetition_index"] = rep_index;
  row["threads"] = 1;
  row["iterations"] = rep.ops;
  // Google Benchmark reports a mean per iteration; ctxbench's headline estimator is the median of the
  // repetition's samples, and cpu_time carries the same value because ctxbench measures wall time only.
  // A bandwidth record also carries its rate as Google Benchmark's bytes_per_second counter.
  put(row, "real_time", rep.median_ns);
  put(row, "cpu_time", rep.median_ns);
  row["time_unit"] = "ns";
  put(row, "mean_ns", rep.mean_ns);
  if (is_rate(r)) put(row, "bytes_per_second", bytes_per_second(r, rep.median_ns));
  row["samples"] = rep.samples;
  row["ops_per_sample"] = rep.ops_per_sample;
  return row;
}

json aggregate_row(const Record& r, int family_index, const std::string& name, double value, bool percentage) {
  json row;
  row["name"] = benchmark_name(r) + "_" + name;
  row["family_index"] = family_index;
  row["per_family_instance_index"] = 0;
  row["run_name"] = benchmark_name(r);
  row["run_type"] = "aggregate";
  row["repetitions"] = r.repetitions.size();
  row["threads"] = 1;
  row["aggregate_name"] = name;
  row["aggregate_unit"] = percentage ? "percentage" : "time";
  row["iterations"] = r.repetitions.size();
  put(row, "real_time", value);
  put(row, "cpu_time", value);
  row["time_unit"] = "ns";
  if (name == "median") {
    put(row, "p50_ns", r.stats.p50);
    put(row, "p90_ns", r.stats.p90);
    put(row, "p99_ns", r.stats.p99);
    put(row, "min_ns", r.stats.min);
    put(row, "max_ns", r.stats.max);
    put(row, "switches_per_op", r.switches_per_op);
    if (is_rate(r)) put(row, "bytes_per_second", bytes_per_second(r, r.stats.p50));
  }
  return row;
}

json context_block(const RunMeta& meta, const MachineInfo& m) {
  json c;
  c["date"] = meta.start_time;
  c["host_name"] = m.hostname;
  c["executable"] = meta.executable;
  c["num_cpus"] = m.logical_cpus;
  if (m.cpu_mhz) c["mhz_per_cpu"] = static_cast<long long>(std::llround(*m.cpu_mhz));
  c["cpu_scaling_enabled"] = !m.governor.empty() && m.governor != "performance";
  json caches = json::array();
  for (const CacheInfo& ci : m.caches) {
    int sharing = 0;
    try {
      sharing = static_cast<int>(parse_cpu_list(ci.shared_cpu_list).size());
    } catch (const std::invalid_argument&) {
      // Unknown sharing stays 0, as Google Benchmark writes it when it cannot tell.
    }
    caches.push_back({{"type", ci.type}, {"level", ci.level}, {"size", ci.size_bytes}, {"num_sharing", sharing}});
  }
  c["caches"] = caches;
  json load = json::array();
  for (const auto& v : {m.loadavg_1m, m.loadavg_5m, m.loadavg_15m})
    if (v && std::isfinite(*v)) load.push_back(*v);
  c["load_avg"] = load;
  c["library_build_type"] = "release";
  c["json_schema_version"] = 1;
  for (const auto& [k, v] : meta.context) c[k] = v;
  return c;
}

json ctxbench_block(const RunMeta& meta) {
  json b;
  b["schema_version"] = kSchemaVersion;
  b["tool_version"] = tool_version();
  b["git_revision"] = git_revision();
  b["argv"] = meta.argv;
  json opts;
  opts["quick"] = meta.quick;
  opts["repetitions"] = meta.repetitions;
  if (!meta.filter.empty()) opts["filter"] = meta.filter;
  opts["placements"] = meta.placements;
  if (meta.cpus) opts["cpus"] = {meta.cpus->first, meta.cpus->second};
  b["options"] = opts;
  b["start_time"] = meta.start_time;
  if (!meta.end_time.empty()) b["end_time"] = meta.end_time;
  put(b, "timer_overhead_ns", meta.timer_overhead_ns);
  b["complete"] = meta.complete;
  b["interrupted"] = meta.interrupted;
  if (meta.interrupted) b["interrupted_by"] = meta.interrupted_by;
  b["warnings"] = meta.warnings;
  if (meta.pm_qos_requested) {
    json q = {{"requested_us", 0}, {"held", meta.pm_qos_held}, {"file", "/dev/cpu_dma_latency"}};
    if (!meta.pm_qos_reason.empty()) q["skipped_because"] = meta.pm_qos_reason;
    b["pm_qos"] = q;
  }
  if (meta.peak_rss_kib > 0) b["peak_rss_kib"] = meta.peak_rss_kib;
  return b;
}

// Where the tasks really ran (analysis/truth.hpp); absent for records without readings (derived ones).
void add_truth_json(json& j, const Record& r) {
  if (r.observed_cpus.empty()) return;
  json tasks = json::array();
  for (const ObservedTask& t : r.observed_cpus) {
    json jt;
    jt["task"] = t.task;
    if (t.pinned_to >= 0) jt["pinned_to"] = t.pinned_to;
    json cpus = json::array();
    for (const CpuCount& c : t.cpus) cpus.push_back({{"cpu", c.cpu}, {"samples", c.samples}});
    jt["cpus"] = cpus;
    jt["seen_elsewhere"] = t.seen_elsewhere;
    tasks.push_back(jt);
  }
  j["observed_cpus"] = tasks;
  j["pinned_task_seen_elsewhere"] = r.pinned_task_seen_elsewhere;
  j["observed_cpus_source"] =
      "once per timed sample: sched_getcpu() for task A, /proc/<pid>/task/<tid>/stat field 39 for the others";
  if (!r.placement_groups.empty()) {
    json groups = json::array();
    for (const PlacementGroup& g : r.placement_groups) {
      json jg{{"group", g.name}, {"samples", g.samples}};
      put(jg, "share", g.share);
      put(jg, "median_ns", g.median_ns);
      groups.push_back(jg);
    }
    j["placement_groups"] = groups;
    j["bimodal"] = r.bimodal;
  }
}

// The record without its bulk arrays (samples, sample_cpu_runs), which append_record_json adds as text.
json explain_json(const Explanation& x);

json record_head_json(const Record& r) {
  json j;
  j["probe"] = r.probe;
  j["id"] = r.id();
  j["family"] = r.family;
  j["op"] = r.op;
  j["unit"] = r.unit;
  if (!r.params.empty()) {
    // Whole numbers as numbers (a size in bytes, a CPU), anything else as text.
    json params = json::object();
    for (const auto& [k, v] : r.params) {
      char* end = nullptr;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (!v.empty() && end != nullptr && *end == '\0')
        params[k] = n;
      else
        params[k] = v;
    }
    j["params"] = params;
  }
  json p;
  p["kind"] = placement_kind_name(r.placement.kind);
  json cpus = json::array();
  if (r.placement.cpu_a >= 0) cpus.push_back(r.placement.cpu_a);
  if (r.placement.cpu_b >= 0) cpus.push_back(r.placement.cpu_b);
  p["cpus"] = cpus;
  if (!r.placement.relation.empty()) p["relation"] = r.placement.relation;
  j["placement"] = p;
  j["status"] = status_name(r.status);
  if (!r.reason.empty()) j["reason"] = r.reason;
  j["derived"] = r.derived;
  if (r.derived) j["formula"] = r.formula;
  j["warnings"] = r.warnings;
  if (r.keep_awake) {
    j["keep_awake"] = true;
    j["keep_awake_cpus"] = r.keep_awake_cpus;
  }
  if (r.status != RunStatus::Ok) return j;

  j["estimator"] = r.estimator;
  if (r.rerun) {
    // [low, high]: a rerun's p50 over this p50, 95% (analysis/rerun_model.hpp).
    j["rerun_ratio_95"] = json::array({r.rerun->low, r.rerun->high});
    if (!r.rerun->cause.empty()) j["rerun_cause"] = r.rerun->cause;
  }
  if (!r.metrics.empty()) {
    json m = json::object();
    for (const auto& [name, value] : r.metrics)
      if (std::isfinite(value)) m[name] = value;
    j["metrics"] = m;
  }
  // `value` is the headline in the record's unit; statistics, repetitions and samples are ns per op in
  // every record (ns per MiB for the derived fork slope), and a B/s record adds its rate beside them.
  if (is_rate(r)) {
    put(j, "value", bytes_per_second(r, r.stats.p50));
    j["bytes_per_op"] = r.bytes_per_op;
    json rate;
    put(rate, "p50", bytes_per_second(r, r.stats.p50));
    put(rate, "min", bytes_per_second(r, r.stats.max));  // the slowest op is the lowest rate
    put(rate, "max", bytes_per_second(r, r.stats.min));
    rate["from"] = "bytes_per_op x 1e9 / statistics (ns per op)";
    j["bytes_per_second"] = rate;
  } else {
    put(j, "value", r.stats.p50);
  }
  j["statistics"] = statistics_to_json(r.stats);
  if (r.switches_per_op || r.expected_switches_per_op) {
    json s;
    put(s, "measured", r.switches_per_op);
    put(s, "voluntary", r.voluntary_switches_per_op);
    put(s, "involuntary", r.involuntary_switches_per_op);
    put(s, "expected", r.expected_switches_per_op);
    s["source"] = "kernel: /proc/<pid>/task/<tid>/status of every task (+ getrusage RUSAGE_CHILDREN)";
    j["switches_per_op"] = s;
  }
  add_truth_json(j, r);
  json reps = json::array();
  for (const RepetitionSummary& rep : r.repetitions) {
    json jr;
    put(jr, "median_ns", rep.median_ns);
    put(jr, "mean_ns", rep.mean_ns);
    jr["samples"] = rep.samples;
    jr["ops"] = rep.ops;
    jr["ops_per_sample"] = rep.ops_per_sample;
    reps.push_back(jr);
  }
  j["repetitions"] = reps;
  json hist = json::array();
  for (const HistogramBucket& b : r.histogram) hist.push_back({{"low", b.low}, {"high", b.high}, {"count", b.count}});
  j["histogram"] = hist;
  put(j, "timer_overhead_ns", r.timer_overhead_ns);
  put(j, "wall_seconds", r.wall_seconds);
  if (r.parent_rss_kib) j["parent_rss_kib"] = *r.parent_rss_kib;
  json host;
  if (!r.ran_in_owner_because.empty()) {
    host["ran_in"] = "ctxbench";
    host["because"] = r.ran_in_owner_because;
  } else {
    host["ran_in"] = "ctxbench-probe";
  }
  if (r.host_start_rss_kib > 0) host["start_rss_kib"] = r.host_start_rss_kib;
  if (r.host_peak_rss_kib > 0) host["peak_rss_kib"] = r.host_peak_rss_kib;
  if (!r.derived) j["measuring_process"] = host;
  if (r.explain) j["explain"] = explain_json(*r.explain);
  return j;
}

// docs/contracts.md, "explain": the --explain breakdown of one record.
json explain_json(const Explanation& x) {
  json j;
  j["status"] = explain_status_name(x.status);
  if (!x.reason.empty()) j["reason"] = x.reason;
  if (x.status == ExplainStatus::Skipped || x.status == ExplainStatus::Failed) return j;
  j["traced_ops"] = x.ops;
  j["followed_ops"] = x.followed;
  j["events"] = x.events;
  j["lost_events"] = x.lost_events;
  put(j, "traced_median_ns", x.traced_median_ns);
  put(j, "untraced_median_ns", x.untraced_median_ns);
  put(j, "observer_effect_ns", x.traced_median_ns - x.untraced_median_ns);
  if (x.status == ExplainStatus::LostEvents || x.status == ExplainStatus::NoOps) return j;
  put(j, "explained_fraction", x.explained_fraction);
  json phases = json::array();
  for (const PhaseSummary& p : x.phases) {
    json jp;
    jp["phase"] = p.phase;
    put(jp, "median_ns", p.median_ns);
    put(jp, "p99_ns", p.p99_ns);
    put(jp, "mean_ns", p.mean_ns);
    put(jp, "share", p.share);
    put(jp, "present", p.present);
    phases.push_back(jp);
  }
  j["phases"] = phases;
  j["wake_to_run"] = {{"hand_offs", x.hand_offs}};
  put(j["wake_to_run"], "median_ns", x.wake_to_run_median_ns);
  put(j["wake_to_run"], "mean_ns", x.wake_to_run_mean_ns);
  j["queued_to_run"] = json::object();
  put(j["queued_to_run"], "median_ns", x.queued_to_run_median_ns);
  put(j["queued_to_run"], "mean_ns", x.queued_to_run_mean_ns);
  return j;
}

// Raw samples in the shortest text that keeps them to a thousandth of a ns: a value the clock gave as
// whole nanoseconds (one op per sample, self-timed values) prints as an integer.
void append_samples(std::string& out, const std::vector<double>& samples) {
  out += "[";
  bool first = true;
  for (double v : samples) {
    if (!std::isfinite(v)) continue;
    if (!first) out += ',';
    first = false;
    fmt::format_to(std::back_inserter(out), "{}", round3(v));
  }
  out += "]";
}

void append_cpu_runs(std::string& out, const std::vector<std::vector<CpuRun>>& tasks) {
  out += "[";
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    if (t > 0) out += ',';
    out += "[";
    for (std::size_t i = 0; i < tasks[t].size(); ++i)
      fmt::format_to(std::back_inserter(out), "{}{},{}", i > 0 ? "," : "", tasks[t][i].cpu, tasks[t][i].samples);
    out += "]";
  }
  out += "]";
}

}  // namespace

void append_record_json(std::string& out, const Record& r) {
  const json head = record_head_json(r);
  std::string text = head.dump(-1, ' ', false, json::error_handler_t::replace);
  if (r.status == RunStatus::Ok) {
    text.pop_back();  // the closing brace: the bulk arrays go before it
    text += ",\"samples\":";
    append_samples(text, r.samples);
    if (!r.sample_cpu_runs.empty()) {
      text += ",\"sample_cpu_runs\":";
      append_cpu_runs(text, r.sample_cpu_runs);
    }
    text += "}";
  }
  out += text;
}

json record_to_json(const Record& r) {
  std::string text;
  append_record_json(text, r);
  return json::parse(text);
}

json benchmark_rows(const Record& r, int family_index) {
  json rows = json::array();
  if (r.status != RunStatus::Ok || r.repetitions.empty()) return rows;
  std::vector<double> values;
  for (std::size_t i = 0; i < r.repetitions.size(); ++i) {
    rows.push_back(iteration_row(r, family_index, i));
    values.push_back(r.repetitions[i].median_ns);
  }
  const double m = mean(values);
  const double sd = stddev(values);
  rows.push_back(aggregate_row(r, family_index, "mean", m, false));
  rows.push_back(aggregate_row(r, family_index, "median", median(values), false));
  rows.push_back(aggregate_row(r, family_index, "stddev", sd, false));
  rows.push_back(aggregate_row(r, family_index, "cv", m != 0 ? sd / m : 0.0, true));
  return rows;
}

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

std::string dump_compact(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

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
