// Google Benchmark's part of the file (README.md, "What the JSON holds"): its `context` block and, per
// record, one `iteration` row per repetition and the mean/median/stddev/cv aggregate rows, so compare.py,
// github-action-benchmark, Bencher and conbench read the file unchanged.
#include <cmath>
#include <stdexcept>

#include "analysis/json_parts.hpp"
#include "analysis/statistics.hpp"

namespace ctxbench {

using nlohmann::json;

namespace {

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

}  // namespace

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
  c["json_schema_version"] = 1;  // Google Benchmark's own version of its format, not ctxbench's
  for (const auto& [k, v] : meta.context) c[k] = v;
  return c;
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

}  // namespace ctxbench
