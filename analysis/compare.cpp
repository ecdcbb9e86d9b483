#include "analysis/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "analysis/console_report.hpp"
#include "analysis/json_report.hpp"

namespace ctxbench {

using nlohmann::json;

namespace {

std::vector<double> numbers(const json& arr, const char* key = nullptr) {
  std::vector<double> out;
  if (!arr.is_array()) return out;
  for (const json& v : arr) {
    const json& x = key ? (v.is_object() && v.contains(key) ? v[key] : json()) : v;
    if (x.is_number()) out.push_back(x.get<double>());
  }
  return out;
}

std::string json_text(const json& m, const char* key) {
  if (!m.is_object() || !m.contains(key) || m[key].is_null()) return "-";
  const json& v = m[key];
  if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
  return v.dump();
}

std::string virtualization_text(const json& m) {
  const std::string v = json_text(m, "virtualization");
  if (v != "-") return v;
  if (m.is_object() && m.contains("hypervisor_flag") && m["hypervisor_flag"].is_boolean())
    return m["hypervisor_flag"].get<bool>() ? "hypervisor (vendor unknown)" : "none (bare metal)";
  return "-";
}

std::optional<RerunInterval> stated_rerun(const json& r, const std::vector<double>& repetition_medians) {
  const std::vector<double> stated = numbers(r.value("rerun_ratio_95", json::array()));
  if (stated.size() == 2 && stated[0] > 0 && stated[0] <= 1 && stated[1] >= 1 && std::isfinite(stated[1])) {
    RerunInterval out;
    out.low = stated[0];
    out.high = stated[1];
    out.half_width = std::log(stated[1] / stated[0]) / 2;
    return out;
  }
  RerunInputs in;
  in.p50 = r.contains("statistics") && r["statistics"].is_object() && r["statistics"].contains("p50") &&
                   r["statistics"]["p50"].is_number()
               ? r["statistics"]["p50"].get<double>()
               : median(repetition_medians);
  in.repetition_medians = repetition_medians;
  in.bimodal = r.value("bimodal", json(false)).is_boolean() && r.value("bimodal", false);
  const json placement = r.value("placement", json::object());
  in.unpinned = placement.is_object() && json_text(placement, "kind") == "unpinned";
  return rerun_interval(in);
}

std::string ratio_text(double r) { return std::isfinite(r) && r > 0 ? fmt::format("{:.3f}", r) : "-"; }

std::string pad(const std::string& s, std::size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }
std::string rpad(const std::string& s, std::size_t w) { return s.size() >= w ? s : std::string(w - s.size(), ' ') + s; }

std::string file_line(const ResultFile& f) {
  return f.label == f.path ? f.path : fmt::format("{}  ({})", f.path, f.label);
}

std::string machine_block(const std::vector<ResultFile>& files) {
  const std::vector<MachineDifference> diffs = machine_differences(files);
  if (diffs.empty()) return "machines: same CPU model, kernel, virtualization, governor, SMT, CPUs and clocksource\n";
  std::string out = "machines differ in:\n";
  std::size_t w = 14;
  for (const MachineDifference& d : diffs) w = std::max(w, d.field.size() + 2);
  for (const MachineDifference& d : diffs) {
    out += "  " + pad(d.field, w);
    for (std::size_t i = 0; i < d.values.size(); ++i) out += (i ? "  |  " : "") + d.values[i];
    out += "\n";
  }
  return out;
}

char verdict_mark(const ComparisonStats& s) {
  if (s.regression) return '!';
  switch (s.verdict) {
    case Verdict::Slower:
      return '+';
    case Verdict::Faster:
      return '-';
    case Verdict::TooFew:
      return '?';
    case Verdict::NoChange:
      break;
  }
  return '=';
}

std::string notes_block(const std::vector<Comparison>& comparisons) {
  std::set<std::string> notes;
  for (const Comparison& c : comparisons)
    for (const ComparedProbe& p : c.rows)
      if (!p.stats.note.empty()) notes.insert(p.stats.note);
  std::string out;
  for (const std::string& n : notes) out += "note: " + n + "\n";
  return out;
}

// The records whose rerun spread is wider than --threshold: there the gate can only see changes beyond
// the spread, and a threshold below it promises more than these machines can resolve.
std::string resolution_block(const std::vector<Comparison>& comparisons, const CompareSettings& settings) {
  std::vector<std::string> ids;
  double widest = 1;
  for (const Comparison& c : comparisons)
    for (const ComparedProbe& p : c.rows)
      if (p.stats.threshold_below_rerun && std::find(ids.begin(), ids.end(), p.id) == ids.end()) {
        ids.push_back(p.id);
        widest = std::max(widest, p.stats.rerun->high);
      }
  if (ids.empty()) return "";
  std::string out = fmt::format(
      "note: --threshold {:.0f}% is below what these runs can resolve for {} record{} (their rerun interval "
      "reaches up to x{:.2f}); a slowdown there counts only beyond its interval:",
      settings.threshold * 100, ids.size(), ids.size() == 1 ? "" : "s", widest);
  for (const std::string& id : ids) out += " " + id;
  return out + "\n";
}

std::string list_line(const std::string& title, const std::vector<std::string>& ids) {
  if (ids.empty()) return "";
  std::string out = title + " (" + std::to_string(ids.size()) + "):";
  for (const std::string& id : ids) out += " " + id;
  return out + "\n";
}

std::string two_file_table(const Comparison& c, const CompareSettings& settings) {
  std::size_t w = 16;
  for (const ComparedProbe& p : c.rows) w = std::max(w, p.id.size() + 2);
  std::string out = pad("probe/placement", w) + rpad("base p50", 10) + rpad("new p50", 11) + rpad("new/base", 10) +
                    "  " + pad("95% CI", 16) + pad("CI over", 13) + rpad("p (U)", 7) + rpad("rerun", 13) +
                    "  verdict\n";
  for (const ComparedProbe& p : c.rows) {
    const ComparisonStats& s = p.stats;
    std::string verdict = verdict_name(s.verdict);
    if (s.verdict == Verdict::Slower || s.verdict == Verdict::Faster)  // the size of a significant change
      verdict += fmt::format(" by {:.1f}%", std::fabs(s.ratio.ratio - 1) * 100);
    if (s.regression)
      verdict += fmt::format(" (REGRESSION: over {:.0f}%)", settings.threshold * 100);
    else if (s.verdict == Verdict::Slower)
      verdict += fmt::format(" (within {:.0f}%)", settings.threshold * 100);
    if (s.within_rerun) verdict += fmt::format(" (x{:.3f}: inside the rerun interval)", s.ratio.ratio);
    out += pad(p.id, w) + rpad(format_duration_ns(s.base_median), 10) + rpad(format_duration_ns(s.new_median), 11) +
           rpad(ratio_text(s.ratio.ratio), 10) + "  " +
           pad(fmt::format("[{}, {}]", ratio_text(s.ratio.low), ratio_text(s.ratio.high)), 16) + pad(s.ci_basis, 13) +
           rpad(s.p_value < 0.001 ? "<0.001" : fmt::format("{:.3f}", s.p_value), 7) + rpad(rerun_cell(s.rerun), 13) +
           "  " + verdict + "\n";
  }
  return out;
}

std::string matrix_table(const std::vector<ResultFile>& files, const std::vector<Comparison>& comparisons) {
  // Rows: every id of the base that at least one comparison has.
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const ProbeSeries& s : files[0].series)
    for (const Comparison& c : comparisons)
      for (const ComparedProbe& p : c.rows)
        if (p.id == s.id && seen.insert(s.id).second) ids.push_back(s.id);
  std::size_t w = 16;
  for (const std::string& id : ids) w = std::max(w, id.size() + 2);
  std::string out = pad("probe/placement", w) + rpad("[1] p50", 10);
  for (std::size_t i = 0; i < comparisons.size(); ++i) out += rpad(fmt::format("[{}]/[1]", i + 2), 12);
  out += "\n";
  for (const std::string& id : ids) {
    std::string line;
    double base = NAN;
    for (const Comparison& c : comparisons) {
      auto it = std::find_if(c.rows.begin(), c.rows.end(), [&](const ComparedProbe& p) { return p.id == id; });
      if (it != c.rows.end()) {
        base = it->stats.base_median;
        line += rpad(ratio_text(it->stats.ratio.ratio) + " " + verdict_mark(it->stats), 12);
      } else {
        line += rpad("-  ", 12);
      }
    }
    out += pad(id, w) + rpad(format_duration_ns(base), 10) + line + "\n";
  }
  out +=
      "marks: = no significant change, + slower, ! slower beyond the threshold (regression), - faster, "
      "? too few repetitions\n";
  return out;
}

}  // namespace

ResultFile load_result_file(const std::string& path, const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) throw CompareInputError(fmt::format("{}: not valid JSON", path));
  if (!doc.is_object() || !doc.contains("ctxbench") || !doc["ctxbench"].is_object() ||
      !doc["ctxbench"].contains("schema_version"))
    throw CompareInputError(fmt::format("{}: not a ctxbench result file (no ctxbench.schema_version)", path));
  const json& version = doc["ctxbench"]["schema_version"];
  // A schema-1 file is refused, not adapted (docs/contracts.md, "Schema 2: what changed"): its warnings are
  // sentences and its values carry no measure.
  if (version.is_number_integer() && version.get<long long>() < kSchemaVersion)
    throw CompareInputError(fmt::format(
        "{}: schema version {} was written by an older ctxbench; compare reads schema {} only. Run the benchmark "
        "again with this ctxbench (ctxbench --json FILE) to get a schema-{} file",
        path, version.dump(), kSchemaVersion, kSchemaVersion));
  if (!version.is_number_integer() || version.get<long long>() != kSchemaVersion)
    throw CompareInputError(
        fmt::format("{}: schema version {} is not the supported version {}", path, version.dump(), kSchemaVersion));
  if (!doc.contains("results") || !doc["results"].is_array())
    throw CompareInputError(fmt::format("{}: no results[] array", path));

  ResultFile f;
  f.path = path;
  f.machine = doc.contains("machine") && doc["machine"].is_object() ? doc["machine"] : json::object();
  const std::string label = json_text(f.machine, "label");
  const std::string host = json_text(f.machine, "hostname");
  f.label = label != "-" ? label : host != "-" ? host : path;
  std::set<std::string> ids;
  for (const json& r : doc["results"]) {
    if (!r.is_object() || !r.contains("id") || !r["id"].is_string())
      throw CompareInputError(fmt::format("{}: a results[] entry has no id", path));
    const std::string id = r["id"].get<std::string>();
    if (!ids.insert(id).second) throw CompareInputError(fmt::format("{}: result {} appears twice", path, id));
    if (json_text(r, "status") != "ok") {
      f.not_ok.push_back(id);
      continue;
    }
    ProbeSeries s;
    s.id = id;
    s.probe = json_text(r, "probe");
    s.unit = json_text(r, "unit");
    s.repetition_medians = numbers(r.value("repetitions", json::array()), "median_ns");
    s.samples = numbers(r.value("samples", json::array()));
    s.rerun = stated_rerun(r, s.repetition_medians);
    if (s.repetition_medians.empty() && s.samples.empty())
      throw CompareInputError(fmt::format("{}: result {} is ok but has neither repetitions nor samples", path, id));
    f.series.push_back(std::move(s));
  }
  return f;
}

std::vector<MachineDifference> machine_differences(const std::vector<ResultFile>& files) {
  struct Field {
    const char* name;
    std::string (*get)(const json&);
    // Fields newer files have and older ones lack: a file without one says nothing, not "differs".
    bool only_when_all_know = false;
  };
  static const Field fields[] = {
      {"cpu_model", [](const json& m) { return json_text(m, "cpu_model"); }},
      {"kernel_release", [](const json& m) { return json_text(m, "kernel_release"); }},
      {"virtualization", [](const json& m) { return virtualization_text(m); }},
      {"governor", [](const json& m) { return json_text(m, "governor"); }},
      {"smt", [](const json& m) { return json_text(m, "smt"); }},
      {"logical_cpus", [](const json& m) { return json_text(m, "logical_cpus"); }},
      {"clocksource", [](const json& m) { return json_text(m, "clocksource"); }},
      {"boost", [](const json& m) { return json_text(m, "boost"); }},
      {"affinity", [](const json& m) { return json_text(m, "affinity"); }},
      {"scheduler", [](const json& m) { return json_text(m, "scheduler"); }, true},
      {"sched_ext_ops", [](const json& m) { return json_text(m, "sched_ext_ops"); }, true},
      {"sched_autogroup_enabled", [](const json& m) { return json_text(m, "sched_autogroup_enabled"); }, true},
      {"microcode", [](const json& m) { return json_text(m, "microcode"); }, true},
      {"pcid", [](const json& m) { return json_text(m, "pcid"); }, true},
      {"invpcid", [](const json& m) { return json_text(m, "invpcid"); }, true},
  };
  std::vector<MachineDifference> out;
  for (const Field& field : fields) {
    MachineDifference d{field.name, {}};
    for (const ResultFile& f : files) d.values.push_back(field.get(f.machine));
    if (field.only_when_all_know && std::count(d.values.begin(), d.values.end(), "-") > 0) continue;
    if (std::adjacent_find(d.values.begin(), d.values.end(), std::not_equal_to<>()) != d.values.end())
      out.push_back(std::move(d));
  }
  return out;
}

int Comparison::regressions() const {
  int n = 0;
  for (const ComparedProbe& p : rows) n += p.stats.regression ? 1 : 0;
  return n;
}

Comparison compare_files(const ResultFile& base, const ResultFile& other, const CompareSettings& settings) {
  Comparison c;
  c.base = &base;
  c.other = &other;
  for (const ProbeSeries& b : base.series) {
    auto it =
        std::find_if(other.series.begin(), other.series.end(), [&](const ProbeSeries& s) { return s.id == b.id; });
    if (it == other.series.end()) {
      c.only_in_base.push_back(b.id);
      continue;
    }
    // Samples are compared only when both files have them; otherwise both sides use repetition medians.
    const bool raw = !b.samples.empty() && !it->samples.empty();
    const std::vector<double> none;
    ComparisonStats stats = compare_samples(b.repetition_medians, it->repetition_medians, raw ? b.samples : none,
                                            raw ? it->samples : none, settings);
    if (b.rerun && it->rerun && stats.verdict != Verdict::TooFew)
      apply_rerun_interval(stats, combine(*b.rerun, *it->rerun), settings);
    c.rows.push_back({b.id, std::move(stats)});
  }
  for (const ProbeSeries& s : other.series) {
    const bool in_base =
        std::any_of(base.series.begin(), base.series.end(), [&](const ProbeSeries& b) { return b.id == s.id; });
    if (!in_base) c.only_in_other.push_back(s.id);
  }
  return c;
}

void require_common_probes(const std::vector<Comparison>& comparisons) {
  for (const Comparison& c : comparisons)
    if (c.rows.empty())
      throw CompareInputError(
          fmt::format("{} and {}: no probe+placement with status ok in both files", c.base->path, c.other->path));
}

std::string format_comparisons(const std::vector<ResultFile>& files, const std::vector<Comparison>& comparisons,
                               const CompareSettings& settings) {
  std::string out = "ctxbench compare\n";
  if (files.size() == 2) {
    out += "  base: " + file_line(files[0]) + "\n  new:  " + file_line(files[1]) + "\n";
  } else {
    for (std::size_t i = 0; i < files.size(); ++i)
      out += fmt::format("  [{}] {}{}\n", i + 1, file_line(files[i]), i == 0 ? "  (base)" : "");
  }
  out += machine_block(files) + "\n";
  out += files.size() == 2 ? two_file_table(comparisons[0], settings) : matrix_table(files, comparisons);
  out += "\n";
  for (const Comparison& c : comparisons) {
    const std::string who = files.size() == 2 ? "new" : c.other->path;
    out += list_line("only in base, not ok or absent in " + who, c.only_in_base);
    out += list_line("only in " + who + ", not ok or absent in base", c.only_in_other);
  }
  out += notes_block(comparisons);
  out += resolution_block(comparisons, settings);
  int regressions = 0;
  for (const Comparison& c : comparisons) regressions += c.regressions();
  out += fmt::format(
      "medians over raw samples; ratio interval: 95% percentile bootstrap (1000 resamples, fixed seed); "
      "p: two-sided Mann-Whitney U over repetition medians; significant = p < {} and the interval excludes 1; "
      "rerun: the wider of both files' rerun intervals (95%), inside which a change is no change.\n",
      settings.alpha);
  if (regressions == 0)
    out += fmt::format("result: no regression beyond {:.0f}%\n", settings.threshold * 100);
  else
    out += fmt::format("result: {} regression{} (significantly slower by more than {:.0f}%)\n", regressions,
                       regressions == 1 ? "" : "s", settings.threshold * 100);
  return out;
}

json comparisons_to_json(const std::vector<ResultFile>& files, const std::vector<Comparison>& comparisons,
                         const CompareSettings& settings) {
  json doc;
  doc["tool"] = "ctxbench compare";
  doc["schema_version"] = kSchemaVersion;
  doc["settings"] = {{"threshold", settings.threshold},
                     {"alpha", settings.alpha},
                     {"seed", settings.seed},
                     {"bootstrap_resamples", 1000}};
  json jf = json::array();
  for (const ResultFile& f : files) jf.push_back({{"path", f.path}, {"label", f.label}});
  doc["files"] = jf;
  json diffs = json::array();
  for (const MachineDifference& d : machine_differences(files))
    diffs.push_back({{"field", d.field}, {"values", d.values}});
  doc["machine_differences"] = diffs;
  json jc = json::array();
  int regressions = 0;
  auto finite = [](double v) { return std::isfinite(v) ? json(v) : json(); };
  for (const Comparison& c : comparisons) {
    json rows = json::array();
    for (const ComparedProbe& p : c.rows) {
      const ComparisonStats& s = p.stats;
      json row = {{"id", p.id},
                  {"base_median_ns", finite(s.base_median)},
                  {"new_median_ns", finite(s.new_median)},
                  {"ratio", finite(s.ratio.ratio)},
                  {"ratio_ci95", {finite(s.ratio.low), finite(s.ratio.high)}},
                  {"ci_basis", s.ci_basis},
                  {"p_value", finite(s.p_value)},
                  {"base_repetitions", s.base_reps},
                  {"new_repetitions", s.new_reps},
                  {"verdict", verdict_name(s.verdict)},
                  {"regression", s.regression}};
      if (!s.note.empty()) row["note"] = s.note;
      if (s.rerun) {
        row["rerun_ratio_95"] = {s.rerun->low, s.rerun->high};
        row["within_rerun"] = s.within_rerun;
        row["threshold_below_rerun"] = s.threshold_below_rerun;
      }
      rows.push_back(row);
    }
    regressions += c.regressions();
    jc.push_back({{"base", c.base->path},
                  {"new", c.other->path},
                  {"rows", rows},
                  {"only_in_base", c.only_in_base},
                  {"only_in_new", c.only_in_other},
                  {"regressions", c.regressions()}});
  }
  doc["comparisons"] = jc;
  doc["regressions"] = regressions;
  return doc;
}

}  // namespace ctxbench
