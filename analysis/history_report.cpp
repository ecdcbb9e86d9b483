#include "analysis/history_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "analysis/console_report.hpp"
#include "analysis/history_confirm.hpp"
#include "analysis/json_parts.hpp"
#include "analysis/json_report.hpp"

namespace ctxbench {

using nlohmann::json;

namespace {

std::string pad(const std::string& s, std::size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }
std::string rpad(const std::string& s, std::size_t w) { return s.size() >= w ? s : std::string(w - s.size(), ' ') + s; }

std::string identity_text(const json& identity, const char* key) {
  if (!identity.is_object() || !identity.contains(key) || identity[key].is_null()) return "-";
  return identity[key].is_string() ? identity[key].get<std::string>() : identity[key].dump();
}

std::string machine_line(const History& h, const HistoryMachine& m, const MachineAnalysis& ma,
                         double false_discovery_rate) {
  std::string first, last;
  for (const HistoryRun& r : h.runs)
    if (r.fingerprint == m.fingerprint) {
      if (first.empty()) first = r.start_time;
      last = r.start_time;
    }
  std::string out =
      fmt::format("machine {}: {}, {} CPUs, {}, kernel {}\n", m.fingerprint, identity_text(m.identity, "cpu_model"),
                  identity_text(m.identity, "logical_cpus"), identity_text(m.identity, "virtualization"),
                  identity_text(m.identity, "kernel_release"));
  out += fmt::format("  {} runs, {} .. {}; run-to-run variance shared by the whole run: {}", ma.runs, first, last,
                     std::isfinite(ma.shared_variance) ? fmt::format("{:.0f}%", ma.shared_variance * 100) : "-");
  out += ma.corrected ? " (run-corrected figures judged too)\n" : " (raw figures only)\n";
  if (ma.series_tests > 0) {
    const auto most = std::max_element(ma.series_max_p_by_run.begin(), ma.series_max_p_by_run.end());
    out += fmt::format("  a series' change point needed p <= {:.2g} alone at its run", ma.series_max_p);
    if (most != ma.series_max_p_by_run.end() && *most > ma.series_max_p)
      out += fmt::format(", up to p <= {:.2g} where several changed at one run (run index {})", *most,
                         most - ma.series_max_p_by_run.begin());
    out += fmt::format(": false discovery rate {} over {} judgements\n", false_discovery_rate, ma.series_tests);
  }
  // Moves of the whole machine: every record alike, so no record's change (docs/METHODOLOGY.md, "History").
  std::vector<const HistoryRun*> own;
  for (const HistoryRun& r : h.runs)
    if (r.fingerprint == m.fingerprint) own.push_back(&r);
  for (const ChangePoint& c : ma.change_points)
    if (c.index < own.size())
      out += fmt::format("  the whole machine moved at run {} ({}, rev {}): x{:.3f} (p {})\n",
                         own[c.index]->run_id.substr(0, 12), own[c.index]->start_time,
                         own[c.index]->git_revision.empty() ? "-" : own[c.index]->git_revision, c.ratio(),
                         c.p_value < 0.0001 ? "<0.0001" : fmt::format("{:.4f}", c.p_value));
  return out;
}

std::string change_line(const History& h, const HistorySeries& s, const SeriesChange& c) {
  const HistoryRun& run = h.runs[s.points[c.index].run];
  return fmt::format(
      "    change at point {} ({}, run {}, rev {}): {} -> {} (x{:.3f}, p {}), found by {}{}{}{}\n", c.index + 1,
      run.start_time, run.run_id.substr(0, 12), run.git_revision.empty() ? "-" : run.git_revision,
      format_duration_ns(c.before_ns), format_duration_ns(c.after_ns), c.ratio,
      c.p_value < 0.0001 ? "<0.0001" : fmt::format("{:.4f}", c.p_value),
      c.fired == Fired::Both  ? "raw and run-corrected"
      : c.fired == Fired::Raw ? "raw"
                              : "run-corrected",
      c.with_machine_change ? "; with the whole machine's move there" : "",
      c.provisional() ? fmt::format("; provisional: {} run{} on the new level, {} confirm it", c.points_after,
                                    c.points_after == 1 ? "" : "s", kConfirmedPoints)
                      : "",
      c.old_level_short() ? fmt::format("; not confirmed: {} run{} on the old level, under {}", c.points_before,
                                        c.points_before == 1 ? "" : "s", kConfirmedPoints)
                          : "");
}

// The smallest step the series could have revealed; "-" when none could (too short: the gate caps it at
// x100, analysis/history_verdict.hpp).
// What the pair readings took out of the series (analysis/pair_distance.hpp); empty when nothing.
std::string pair_distance_line(const History& h) {
  std::size_t points = 0, repetitions = 0, dropped = 0;
  for (const HistorySeries& s : h.series) {
    dropped += s.points_left_out;
    for (const HistoryPoint& p : s.points) {
      const std::size_t n = p.repetitions_nearer + p.repetitions_farther;
      points += n > 0 ? 1 : 0;
      repetitions += n;
    }
  }
  if (points + dropped == 0) return "";
  return fmt::format(
      "{} cross-CPU point{} judged without {} repetition{} whose two CPUs ran at another distance than their "
      "series' usual one; {} point{} left out (every repetition so)\n",
      points, points == 1 ? "" : "s", repetitions, repetitions == 1 ? "" : "s", dropped, dropped == 1 ? "" : "s");
}

std::string detectable_text(double d) { return d > 0 && d < 10 ? fmt::format("{:.1f}%", d * 100) : "-"; }

}  // namespace

std::string format_history(const History& h, const HistoryAnalysis& a) {
  const std::size_t changes = a.change_count(), with_machine = a.machine_change_count();
  std::string out = fmt::format(
      "{} machine{}, {} runs, {} series, {} change point{} (window {}, p <= {}{}, min change {:.0f}%)\n",
      h.machines.size(), h.machines.size() == 1 ? "" : "s", h.runs.size(), h.series.size(), changes,
      changes == 1 ? "" : "s", a.options.window, a.options.max_p_value,
      a.options.false_discovery_rate > 0 ? fmt::format(" and false discovery rate {}", a.options.false_discovery_rate)
                                         : "",
      a.options.min_magnitude * 100);
  // A move of the whole machine shows in most series at once, each by its own factor: said apart, not hidden.
  if (with_machine > 0)
    out += fmt::format("{} of them where the whole machine moved (within {} run of it), {} the series' own\n",
                       with_machine, kMachineMoveReach, changes - with_machine);
  if (const std::size_t unconfirmed = changes - with_machine - a.own_confirmed_count(); unconfirmed > 0)
    out += fmt::format(
        "{} of the series' own are not confirmed: fewer than {} runs on the new level (provisional) "
        "or on the old one\n",
        unconfirmed, kConfirmedPoints);
  out += pair_distance_line(h);
  std::size_t w = 24;
  for (const HistorySeries& s : h.series) w = std::max(w, s.record_id.size() + 2);
  for (std::size_t mi = 0; mi < h.machines.size(); ++mi) {
    const HistoryMachine& m = h.machines[mi];
    out += '\n';
    out += machine_line(h, m, a.machines[mi], a.options.false_discovery_rate);
    out += "  " + pad("record", w) + rpad("runs", 6) + rpad("latest", 12) + rpad("current median", 16) + "  changes\n";
    for (std::size_t si = 0; si < h.series.size(); ++si) {
      const HistorySeries& s = h.series[si];
      if (s.fingerprint != m.fingerprint) continue;
      const SeriesAnalysis& sa = a.series[si];
      out += "  " + pad(s.record_id, w) + rpad(std::to_string(s.points.size()), 6) +
             rpad(format_duration_ns(sa.latest_ns), 12) +
             rpad(fmt::format("{} ({})", format_duration_ns(sa.current_median_ns), sa.current_points), 16) + "  " +
             (sa.changes.empty() ? "none" : std::to_string(sa.changes.size())) + "\n";
      for (const SeriesChange& c : sa.changes) out += change_line(h, s, c);
    }
  }
  return out;
}

json history_to_json(const History& h, const HistoryAnalysis& a) {
  json doc;
  doc["ctxbench_history"] = {{"document_version", kHistoryDocumentVersion},
                             {"tool_version", tool_version()},
                             {"git_revision", git_revision()},
                             {"change_points",
                              {{"window", a.options.window},
                               {"max_p_value", a.options.max_p_value},
                               {"false_discovery_rate", a.options.false_discovery_rate},
                               {"min_magnitude", a.options.min_magnitude},
                               {"min_segment", a.options.min_segment}}}};
  json machines = json::array();
  for (std::size_t i = 0; i < h.machines.size(); ++i) {
    json m = {{"fingerprint", h.machines[i].fingerprint},
              {"identity", h.machines[i].identity},
              {"runs", a.machines[i].runs},
              {"run_corrected", a.machines[i].corrected},
              {"series_max_p_value", a.machines[i].series_max_p},
              {"series_max_p_value_by_run", a.machines[i].series_max_p_by_run},
              {"series_judgements", a.machines[i].series_tests}};
    put(m, "shared_variance", a.machines[i].shared_variance);
    // The machine's own change points, of its run factors: `run` indexes runs[] as a series' change point does.
    std::vector<std::size_t> own_runs;
    for (std::size_t r = 0; r < h.runs.size(); ++r)
      if (h.runs[r].fingerprint == h.machines[i].fingerprint) own_runs.push_back(r);
    json moves = json::array();
    for (const ChangePoint& c : a.machines[i].change_points) {
      json cp = {{"run", c.index < own_runs.size() ? json(own_runs[c.index]) : json()}};
      put(cp, "ratio", c.ratio());
      put(cp, "p_value", c.p_value);
      moves.push_back(cp);
    }
    m["change_points"] = moves;
    machines.push_back(m);
  }
  doc["machines"] = machines;
  json runs = json::array();
  for (std::size_t i = 0; i < h.runs.size(); ++i) {
    const HistoryRun& r = h.runs[i];
    json j = {{"run_id", r.run_id},
              {"machine", r.fingerprint},
              {"label", r.label},
              {"hostname", r.hostname},
              {"git_revision", r.git_revision},
              {"tool_version", r.tool_version},
              {"kernel_release", r.kernel_release},
              {"start_time", r.start_time},
              {"source", r.source}};
    put(j, "steal_fraction", r.steal_fraction);
    put(j, "load_start", r.load_start);
    put(j, "run_factor", a.run_factors[i]);
    runs.push_back(j);
  }
  doc["runs"] = runs;
  json series = json::array();
  for (std::size_t si = 0; si < h.series.size(); ++si) {
    const HistorySeries& s = h.series[si];
    const SeriesAnalysis& sa = a.series[si];
    json j = {{"machine", s.fingerprint},
              {"record_id", s.record_id},
              {"probe", s.probe},
              {"placement", s.placement},
              {"unit", s.unit},
              {"measure", s.measure ? json(*s.measure) : json()},
              {"family", s.family.empty() ? json() : json(s.family)},
              {"current_points", sa.current_points}};
    put(j, "latest_ns", sa.latest_ns);
    put(j, "current_median_ns", sa.current_median_ns);
    // Parallel arrays, not one object per point: a store of 1000 runs x 800 records is 800 000 points.
    json run_of = json::array(), p50 = json::array(), p99 = json::array(), low = json::array(), high = json::array(),
         corrected = json::array();
    auto value = [](const std::optional<double>& v) { return v && std::isfinite(*v) ? json(*v) : json(); };
    for (std::size_t pi = 0; pi < s.points.size(); ++pi) {
      const HistoryPoint& p = s.points[pi];
      run_of.push_back(p.run);
      p50.push_back(p.p50_ns);
      p99.push_back(value(p.p99_ns));
      low.push_back(value(p.rerun_low));
      high.push_back(value(p.rerun_high));
      corrected.push_back(pi < sa.corrected_ns.size() ? value(sa.corrected_ns[pi]) : json());
    }
    json points = {{"run", run_of},    {"p50_ns", p50},      {"p99_ns", p99},
                   {"rerun_low", low}, {"rerun_high", high}, {"corrected_ns", corrected}};
    // A series with pair readings: p50_ns is each point's figure on its repetitions at the usual CPU distance
    // (analysis/pair_distance.hpp); the stored p50 and the repetitions left out beside it.
    j["usual_pair_round_trip_ns"] = s.usual_pair_round_trip_ns ? json(*s.usual_pair_round_trip_ns) : json();
    if (s.usual_pair_round_trip_ns) {
      json all = json::array(), nearer = json::array(), farther = json::array();
      for (const HistoryPoint& p : s.points) {
        all.push_back(p.p50_all_ns);
        nearer.push_back(p.repetitions_nearer);
        farther.push_back(p.repetitions_farther);
      }
      points["p50_all_repetitions_ns"] = all;
      points["repetitions_nearer"] = nearer;
      points["repetitions_farther"] = farther;
      j["points_left_out"] = s.points_left_out;
    }
    j["points"] = points;
    json changes = json::array();
    for (const SeriesChange& c : sa.changes) {
      const HistoryRun& run = h.runs[s.points[c.index].run];
      json jc = {{"point", c.index},
                 {"run", s.points[c.index].run},
                 {"run_id", run.run_id},
                 {"start_time", run.start_time},
                 {"git_revision", run.git_revision},
                 {"fired", fired_key(c.fired)},
                 {"coincides_with_machine_change", c.with_machine_change},
                 {"points_after", c.points_after},
                 {"points_before", c.points_before},
                 {"provisional", c.provisional()},
                 {"old_level_short", c.old_level_short()},
                 {"confirmed", c.confirmed()}};
      put(jc, "before_ns", c.before_ns);
      put(jc, "after_ns", c.after_ns);
      put(jc, "ratio", c.ratio);
      put(jc, "p_value", c.p_value);
      changes.push_back(jc);
    }
    j["change_points"] = changes;
    series.push_back(j);
  }
  doc["series"] = series;
  // The A/A count of docs/METHODOLOGY.md ("History") is `series_own`: changes no machine move explains.
  doc["change_point_counts"] = {{"total", a.change_count()},
                                {"with_machine_change", a.machine_change_count()},
                                {"series_own", a.change_count() - a.machine_change_count()},
                                {"series_own_confirmed", a.own_confirmed_count()}};
  return doc;
}

namespace {

std::string verdict_text(const RecordCheck& r, const HistoryGateOptions& options) {
  switch (r.verdict.kind) {
    case HistoryVerdictKind::Regression:
      return fmt::format("REGRESSION (over {:.0f}%)", options.threshold * 100);
    case HistoryVerdictKind::Improvement:
      return "improvement";
    case HistoryVerdictKind::NoChange:
      return "no change";
    case HistoryVerdictKind::Inconclusive:
      break;
  }
  return r.moved_with_basket ? "inconclusive - moved with its basket" : "inconclusive - run again";
}

// The whole run's verdict, a move of every record alike (analysis/history_analysis.hpp, `whole_run`).
std::string whole_run_line(const RecordCheck& whole, const HistoryGateOptions& options) {
  std::string verdict = verdict_text(whole, options);
  if (!whole.verdict.reason.empty() && whole.verdict.kind == HistoryVerdictKind::Inconclusive)
    verdict += fmt::format(" ({})", whole.verdict.reason);
  return fmt::format("the whole run against {} earlier run factors of this machine: x{:.3f}, detectable {}: {}\n",
                     whole.verdict.history_points, whole.verdict.ratio,
                     detectable_text(whole.verdict.detectable_change), verdict);
}

}  // namespace

std::string format_history_check(const RunInput& new_run, const HistoryCheck& check,
                                 const HistoryGateOptions& options) {
  std::string out = fmt::format("{} (run {}) against {} earlier run{} of machine {}\n", new_run.run.source,
                                new_run.run.run_id.substr(0, 12), check.history_runs,
                                check.history_runs == 1 ? "" : "s", check.fingerprint);
  out += fmt::format("this run's speed against its history: x{:.3f} (shared run-to-run variance {}; {})\n",
                     check.run_factor,
                     std::isfinite(check.shared_variance) ? fmt::format("{:.0f}%", check.shared_variance * 100) : "-",
                     check.corrected ? "run-corrected figures judged too" : "raw figures only");
  if (check.whole_run) out += whole_run_line(*check.whole_run, options);
  out += fmt::format(
      "{} run{} of the build checked; a regression or improvement counts when every run calls it "
      "and there are at least {} (--confirm)\n",
      check.checked_runs.size(), check.checked_runs.size() == 1 ? "" : "s", check.confirm);
  if (options.false_discovery_rate > 0)
    out += fmt::format(
        "a verdict needed p <= {:.2g} (false discovery rate {} over {} judgements); segments end at "
        "change points with p <= {:.2g} (alone at their run)\n",
        check.gate_max_p, options.false_discovery_rate, check.judgements, check.segment_max_p);
  std::size_t w = 24;
  for (const RecordCheck& r : check.records) w = std::max(w, r.record_id.size() + 2);
  out += pad("record", w) + rpad("new/hist", 10) + rpad("points", 8) + rpad("detectable", 12) + "  verdict\n";
  int counts[4] = {0, 0, 0, 0};
  for (const RecordCheck& r : check.records) {
    ++counts[static_cast<int>(r.verdict.kind)];
    std::string verdict = verdict_text(r, options);
    if (!r.fired.empty()) verdict += r.fired == "both" ? ", raw and run-corrected" : ", " + r.fired;
    if (!r.verdict.reason.empty() && r.verdict.kind == HistoryVerdictKind::Inconclusive)
      verdict += " (" + r.verdict.reason + ")";
    if (r.left_out && r.left_out->nearer + r.left_out->farther > 0)
      verdict += fmt::format(" [{} of {} repetitions left out: CPUs {} than usual]",
                             r.left_out->nearer + r.left_out->farther, r.left_out->of,
                             r.left_out->farther == 0  ? "nearer"
                             : r.left_out->nearer == 0 ? "farther"
                                                       : "nearer or farther");
    if (!r.unusual_warnings.empty())
      verdict += fmt::format(" [its run questions the figure: {}]", fmt::join(r.unusual_warnings, ", "));
    out += pad(r.record_id, w) + rpad(r.verdict.ratio > 0 ? fmt::format("{:.3f}", r.verdict.ratio) : "-", 10) +
           rpad(std::to_string(r.verdict.history_points), 8) + rpad(detectable_text(r.verdict.detectable_change), 12) +
           "  " + verdict + "\n";
  }
  out += fmt::format("{} regression{}, {} improvement{}, {} no change, {} inconclusive\n", counts[0],
                     counts[0] == 1 ? "" : "s", counts[1], counts[1] == 1 ? "" : "s", counts[2], counts[3]);
  const auto with_basket = std::count_if(check.records.begin(), check.records.end(),
                                         [](const RecordCheck& r) { return r.moved_with_basket; });
  if (with_basket > 0)
    out += fmt::format(
        "{} record{} moved in the raw figures only, as far as the records they move with: not a "
        "verdict (the run-corrected figures decide)\n",
        with_basket, with_basket == 1 ? "" : "s");
  if (const int suspected = check.unconfirmed_regressions(); suspected > 0) {
    std::size_t needed = check.confirm;
    for (const RecordCheck& r : check.records)
      if (r.unconfirmed == HistoryVerdictKind::Regression) needed = std::max(needed, runs_needed(r, check.confirm));
    out += fmt::format(
        "{} regression{} not confirmed by {} runs: run the build again and check every run's file "
        "together\n",
        suspected, suspected == 1 ? "" : "s", needed);
  }
  return out;
}

namespace {

json verdict_json(const HistoryVerdict& v) {
  json j = {{"verdict", history_verdict_key(v.kind)}, {"history_points", v.history_points}};
  put(j, "ratio", v.ratio);
  put(j, "p_value", v.p_value);
  put(j, "detectable_change", v.detectable_change);
  if (!v.reason.empty()) j["reason"] = v.reason;
  return j;
}

// How many of the runs checked together judged the verdict and reached it (analysis/history_confirm.hpp).
void put_confirmation(json& j, const RecordCheck& r) {
  j["runs_judged"] = r.runs_judged;
  j["runs_agreeing"] = r.runs_agreeing;
  j["unconfirmed"] = r.unconfirmed ? json(history_verdict_key(*r.unconfirmed)) : json();
}

}  // namespace

json history_check_to_json(const RunInput& new_run, const HistoryCheck& check, const HistoryGateOptions& options) {
  json records = json::array();
  json counts = {{"regression", 0}, {"improvement", 0}, {"no_change", 0}, {"inconclusive", 0}};
  for (const RecordCheck& r : check.records) {
    json j = verdict_json(r.verdict);
    j["record_id"] = r.record_id;
    j["fired"] = r.fired.empty() ? json() : json(r.fired);
    j["raw"] = verdict_json(r.raw);
    j["run_corrected"] = r.corrected ? verdict_json(*r.corrected) : json();
    j["moved_with_basket"] = r.moved_with_basket;
    json left_out;  // null: no pair readings in the record or its series
    if (r.left_out) {
      left_out = {{"nearer", r.left_out->nearer}, {"farther", r.left_out->farther}, {"of", r.left_out->of}};
      put(left_out, "usual_pair_round_trip_ns", r.left_out->usual_pair_round_trip_ns);
    }
    j["repetitions_left_out"] = left_out;
    j["unusual_warnings"] = r.unusual_warnings;
    put_confirmation(j, r);
    counts[history_verdict_key(r.verdict.kind)] = counts[history_verdict_key(r.verdict.kind)].get<int>() + 1;
    records.push_back(std::move(j));
  }
  json gate = {{"threshold", options.threshold},
               {"max_p_value", options.max_p_value},
               {"false_discovery_rate", options.false_discovery_rate},
               {"min_history", options.min_history},
               {"window", options.window},
               {"confirm", check.confirm}};
  json checked = json::array();
  for (const CheckedRun& r : check.checked_runs) checked.push_back({{"source", r.source}, {"run_id", r.run_id}});
  json doc = {{"ctxbench_history_check",
               {{"document_version", kHistoryDocumentVersion}, {"tool_version", tool_version()}, {"gate", gate}}},
              {"run", {{"source", new_run.run.source}, {"run_id", new_run.run.run_id}}},
              {"machine", check.fingerprint},
              {"history_runs", check.history_runs},
              {"run_corrected", check.corrected},
              {"counts", counts},
              {"judgements", check.judgements},
              {"regressions", check.regressions()},
              {"unconfirmed_regressions", check.unconfirmed_regressions()},
              {"runs_checked", checked},
              {"records", records}};
  put(doc, "run_factor", check.run_factor);
  json whole_run;  // null: the run has too few records for a factor of its own
  if (check.whole_run) {
    whole_run = verdict_json(check.whole_run->verdict);
    put_confirmation(whole_run, *check.whole_run);
  }
  doc["whole_run"] = whole_run;
  put(doc, "shared_variance", check.shared_variance);
  put(doc, "verdict_max_p_value", check.gate_max_p);
  put(doc, "segment_max_p_value", check.segment_max_p);
  return doc;
}

}  // namespace ctxbench
