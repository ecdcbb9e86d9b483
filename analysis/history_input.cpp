#include "analysis/history_input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "analysis/sha256.hpp"

namespace ctxbench {

using nlohmann::json;

namespace {

// Google Benchmark's own context keys: everything else in `context` is a --context K=V of the user.
const std::set<std::string>& benchmark_context_keys() {
  static const std::set<std::string> keys = {"date",
                                             "host_name",
                                             "executable",
                                             "num_cpus",
                                             "mhz_per_cpu",
                                             "cpu_scaling_enabled",
                                             "caches",
                                             "load_avg",
                                             "library_build_type",
                                             "json_schema_version",
                                             "library_version"};
  return keys;
}

const json& member(const json& j, const char* key) {
  static const json null_value;
  return j.is_object() && j.contains(key) ? j[key] : null_value;
}

std::string text_or(const json& j, const char* key, const std::string& otherwise = "") {
  const json& v = member(j, key);
  return v.is_string() ? v.get<std::string>() : otherwise;
}

std::optional<double> number(const json& v) {
  if (!v.is_number()) return std::nullopt;
  const double d = v.get<double>();
  return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
}

// A warning as schema 2 writes it: an object with a string `text`; kind defaults to "unclassified".
json warning_object(const std::string& path, const std::string& where, const json& w) {
  if (!w.is_object() || !w.contains("text") || !w["text"].is_string())
    throw HistoryInputError(fmt::format("{}: a warning of {} is not an object with a text", path, where));
  json out = w;
  if (!out.contains("kind") || !out["kind"].is_string()) out["kind"] = "unclassified";
  return out;
}

json warning_list(const std::string& path, const std::string& where, const json& list) {
  json out = json::array();
  if (list.is_null()) return out;
  if (!list.is_array()) throw HistoryInputError(fmt::format("{}: warnings of {} is not an array", path, where));
  for (const json& w : list) out.push_back(warning_object(path, where, w));
  return out;
}

std::string virtualization(const json& m) {
  const std::string v = text_or(m, "virtualization");
  if (!v.empty()) return v;
  const json& flag = member(m, "hypervisor_flag");
  if (flag.is_boolean()) return flag.get<bool>() ? "hypervisor" : "none";
  return "";
}

MachineRow machine_row(const json& m) {
  MachineRow row;
  row.identity = json::object();
  for (const MachineField& f : machine_identity_fields()) {
    json v = std::string(f.name) == "virtualization" ? json(virtualization(m)) : member(m, f.name);
    if (v.is_string() && v.get<std::string>().empty()) v = nullptr;
    if (f.integer && !v.is_number_integer()) v = nullptr;
    row.identity[f.name] = v;
  }
  // An emulated run is another machine than the host it ran on, whose cpuinfo and kernel it shares: its
  // series never join the native ones. Native identities (and so every stored fingerprint) are unchanged.
  if (const Emulation e = emulation_of_machine(m); e.emulated)
    row.identity["emulated"] = {{"emulator", e.emulator}, {"binary_arch", e.binary_arch}};
  // A sched_ext scheduler moves hand-off figures by several times, so its runs are another series. Added only
  // when one runs: a key in every identity, null or not, would change every fingerprint stored so far
  // (docs/contracts.md, "The machine fingerprint"). The machines table has no column for it; `identity` keeps it.
  if (text_or(m, "scheduler") == "sched_ext") {
    row.identity["scheduler"] = "sched_ext";
    const std::string ops = text_or(m, "sched_ext_ops");
    row.identity["sched_ext_ops"] = ops.empty() ? json(nullptr) : json(ops);
  }
  row.fingerprint = sha256_hex(row.identity.dump()).substr(0, 16);
  return row;
}

// One PairReadings per entry of `reps` from placement.pair_round_trip_ns (docs/contracts.md): each round's
// [before, after] when the repetitions ran one per measuring process (`rounds`, one per repetition), else the
// record's one [before, after] for all of them (one measuring process ran them all). Empty when the record
// has no readings, or `rounds` does not have one pair per repetition: which round ran which repetition is
// then unknown, and no repetition is judged by a reading that may not be its own.
std::vector<PairReadings> pair_readings(const json& witness, const json& reps) {
  if (!witness.is_object() || !reps.is_array()) return {};
  const json& rounds = member(witness, "rounds");
  if (!rounds.is_null() && !(rounds.is_array() && rounds.size() == reps.size())) return {};
  std::vector<PairReadings> out;
  for (std::size_t i = 0; i < reps.size(); ++i) {
    if (rounds.is_null())
      out.push_back({number(member(witness, "before")), number(member(witness, "after"))});
    else if (rounds[i].is_array() && rounds[i].size() == 2)
      out.push_back({number(rounds[i][0]), number(rounds[i][1])});
    else
      out.push_back({});
  }
  return out;
}

RecordRow record_row(const std::string& path, const json& r) {
  RecordRow row;
  row.record_id = r["id"].get<std::string>();
  const std::string where = "result " + row.record_id;
  if (!r.contains("status") || !r["status"].is_string())
    throw HistoryInputError(fmt::format("{}: {} has no status", path, where));
  row.status = r["status"].get<std::string>();
  row.probe = text_or(r, "probe", row.record_id);
  row.family = text_or(r, "family");
  row.unit = text_or(r, "unit");
  const json& measure = member(r, "measure");
  if (measure.is_string()) row.measure = measure.get<std::string>();
  if (r.contains("reason") && r["reason"].is_string()) row.reason = r["reason"].get<std::string>();
  if (member(r, "params").is_object()) row.params = r["params"];
  const json& placement = member(r, "placement");
  row.placement_kind = text_or(placement, "kind", "none");
  if (member(placement, "cpus").is_array()) row.cpus = placement["cpus"];
  row.derived = member(r, "derived").is_boolean() && r["derived"].get<bool>();
  row.warnings = warning_list(path, where, member(r, "warnings"));
  const json& reps = member(r, "repetitions");
  const std::vector<PairReadings> pairs = pair_readings(member(placement, "pair_round_trip_ns"), reps);
  if (reps.is_array())
    for (std::size_t i = 0; i < reps.size(); ++i)
      if (auto m = number(member(reps[i], "median_ns"))) {
        row.repetition_medians.push_back(*m);
        if (!pairs.empty()) row.pair_round_trips.push_back(pairs[i]);
      }
  const json& stats = member(r, "statistics");
  row.p50 = number(member(stats, "p50"));
  row.p99 = number(member(stats, "p99"));
  if (!row.p50 && !row.repetition_medians.empty()) {
    std::vector<double> v = row.repetition_medians;
    std::sort(v.begin(), v.end());
    row.p50 = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  }
  if (row.status == "ok" && !row.p50)
    throw HistoryInputError(fmt::format("{}: {} is ok but has no statistics.p50 and no repetitions", path, where));
  const json& rerun = member(r, "rerun_ratio_95");
  if (rerun.is_array() && rerun.size() == 2) {
    row.rerun_low = number(rerun[0]);
    row.rerun_high = number(rerun[1]);
  }
  row.switches_per_op = number(member(member(r, "switches_per_op"), "measured"));
  return row;
}

}  // namespace

const std::vector<MachineField>& machine_identity_fields() {
  // Why each is here: docs/contracts.md, "The machine fingerprint".
  static const std::vector<MachineField> fields = {{"cpu_vendor", false},
                                                   {"cpu_model", false},
                                                   {"cpu_family", true},
                                                   {"cpu_model_number", true},
                                                   {"cpu_stepping", true},
                                                   {"microcode", false},
                                                   {"logical_cpus", true},
                                                   {"cores", true},
                                                   {"threads_per_core", true},
                                                   {"smt", false},
                                                   {"numa_nodes", true},
                                                   {"kernel_release", false},
                                                   {"kernel_version", false},
                                                   {"kernel_cmdline", false},
                                                   {"virtualization", false},
                                                   {"hypervisor_vendor", false},
                                                   {"cpuidle_driver", false},
                                                   {"cpuidle_governor", false},
                                                   {"governor", false},
                                                   {"scaling_driver", false},
                                                   {"boost", false},
                                                   {"clocksource", false},
                                                   {"thp", false},
                                                   {"cgroup_cpu_max", false},
                                                   {"kvm_halt_poll_ns", true},
                                                   {"guest_halt_poll", false},
                                                   {"mitigations", false}};
  return fields;
}

json adapt_schema_1(json doc) {
  auto to_objects = [](json& list) {
    if (!list.is_array()) return;
    for (json& w : list)
      if (w.is_string()) w = json{{"kind", "unclassified"}, {"text", w.get<std::string>()}};
  };
  if (doc["ctxbench"].contains("warnings")) to_objects(doc["ctxbench"]["warnings"]);
  if (doc.contains("results") && doc["results"].is_array())
    for (json& r : doc["results"]) {
      if (!r.is_object()) continue;
      if (r.contains("warnings")) to_objects(r["warnings"]);
      r["measure"] = nullptr;
    }
  doc["ctxbench"]["schema_version"] = 2;
  return doc;
}

RunInput read_run_file(const std::string& path, std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded())
    throw HistoryInputError(fmt::format("{}: not valid JSON (truncated or not a result file)", path));
  if (!doc.is_object() || !member(doc, "ctxbench").is_object() || !doc["ctxbench"].contains("schema_version"))
    throw HistoryInputError(fmt::format("{}: not a ctxbench result file (no ctxbench.schema_version)", path));
  const json& version = doc["ctxbench"]["schema_version"];
  if (!version.is_number_integer() || version.get<long long>() < kOldestReadableResultSchema ||
      version.get<long long>() > kNewestReadableResultSchema)
    throw HistoryInputError(fmt::format("{}: result schema version {} is not one this ctxbench reads ({} to {})", path,
                                        version.dump(), kOldestReadableResultSchema, kNewestReadableResultSchema));
  const int file_version = version.get<int>();
  if (file_version == 1) doc = adapt_schema_1(std::move(doc));
  if (!member(doc, "results").is_array()) throw HistoryInputError(fmt::format("{}: no results[] array", path));
  if (!member(doc, "machine").is_object()) throw HistoryInputError(fmt::format("{}: no machine block", path));
  const json& c = doc["ctxbench"];
  const json& m = doc["machine"];
  if (text_or(c, "start_time").empty())
    throw HistoryInputError(fmt::format("{}: no ctxbench.start_time (a run needs a time to take its place)", path));

  RunInput in;
  in.machine = machine_row(m);
  in.emulation = emulation_of_machine(m);
  RunRow& run = in.run;
  run.run_id = sha256_hex(text);
  run.fingerprint = in.machine.fingerprint;
  run.source = path;
  run.schema_version = file_version;
  run.label = text_or(m, "label");
  run.hostname = text_or(m, "hostname");
  run.kernel_release = text_or(m, "kernel_release");
  run.tool_version = text_or(c, "tool_version");
  run.git_revision = text_or(c, "git_revision");
  run.start_time = text_or(c, "start_time");
  run.end_time = text_or(c, "end_time");
  if (member(c, "options").is_object()) run.options = c["options"];
  if (member(c, "context").is_object()) run.context = c["context"];
  const json& gb_context = member(doc, "context");
  if (gb_context.is_object())
    for (const auto& [k, v] : gb_context.items())
      if (!benchmark_context_keys().count(k) && !run.context.contains(k)) run.context[k] = v;
  run.warnings = warning_list(path, "the run", member(c, "warnings"));
  run.complete = member(c, "complete").is_boolean() && c["complete"].get<bool>();
  run.interrupted = member(c, "interrupted").is_boolean() && c["interrupted"].get<bool>();
  run.steal_fraction = number(member(member(m, "steal_over_run"), "fraction"));
  run.load_start = number(member(m, "loadavg_1m"));
  const json& load_end = member(m, "loadavg_end");
  if (load_end.is_array() && !load_end.empty()) run.load_end = number(load_end[0]);

  std::set<std::string> ids;
  for (const json& r : doc["results"]) {
    if (!r.is_object() || !member(r, "id").is_string())
      throw HistoryInputError(fmt::format("{}: a results[] entry has no id", path));
    if (!ids.insert(r["id"].get<std::string>()).second)
      throw HistoryInputError(fmt::format("{}: result {} appears twice", path, r["id"].get<std::string>()));
    in.records.push_back(record_row(path, r));
  }
  return in;
}

}  // namespace ctxbench
