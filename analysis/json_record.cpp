// One result record as JSON (README.md, "What the JSON holds"; docs/contracts.md): the record without its
// bulk arrays as a DOM, then the samples and CPU runs appended as text, so a record of a million samples
// is never a DOM of a million nodes.
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <iterator>

#include "analysis/json_parts.hpp"

namespace ctxbench {

using nlohmann::json;

json warning_json(const Warning& w) {
  json j{{"kind", warning_kind_key(w.kind)}, {"text", w.text}};
  if (w.figure) put(j, "figure", *w.figure);
  if (!w.remedy.empty()) j["remedy"] = w.remedy;
  return j;
}

json warnings_json(const std::vector<Warning>& warnings) {
  json out = json::array();
  for (const Warning& w : warnings) out.push_back(warning_json(w));
  return out;
}

namespace {

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

// placement.pair_round_trip_ns (docs/contracts.md): the first reading before and the last after, each
// measuring process's pair when there were several, and why a reading is missing (null in `rounds`).
json pair_round_trip_json(const std::vector<PairWitness>& readings) {
  json j = json::object();
  put(j, "before", round3(readings.front().before_ns));
  put(j, "after", round3(readings.back().after_ns));
  auto value = [](double ns) { return std::isfinite(ns) ? json(round3(ns)) : json(nullptr); };
  if (readings.size() > 1) {
    json rounds = json::array();
    for (const PairWitness& w : readings) rounds.push_back({value(w.before_ns), value(w.after_ns)});
    j["rounds"] = rounds;
  }
  for (const PairWitness& w : readings)
    if (!w.why_not.empty() && !(std::isfinite(w.before_ns) && std::isfinite(w.after_ns))) {
      j["reason"] = w.why_not;
      break;
    }
  return j;
}

// The record without its bulk arrays (samples, sample_cpu_runs), which append_record_json adds as text.
json record_head_json(const Record& r) {
  json j;
  j["probe"] = r.probe;
  j["id"] = r.id();
  j["family"] = r.family;
  j["op"] = r.op;
  j["unit"] = r.unit;
  j["measure"] = measure_name(r.measure);
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
  if (!r.placement.pair_round_trips.empty())
    p["pair_round_trip_ns"] = pair_round_trip_json(r.placement.pair_round_trips);
  j["placement"] = p;
  j["status"] = status_name(r.status);
  if (!r.reason.empty()) j["reason"] = r.reason;
  j["derived"] = r.derived;
  if (r.derived) j["formula"] = r.formula;
  j["warnings"] = warnings_json(r.warnings);
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
    // What `expected` counts, when it is not every switch (docs/contracts.md).
    if (r.expected_switches_per_op && r.expected_switches_are_sleeps) s["expected_counts"] = "voluntary";
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

}  // namespace ctxbench
