#include "analysis/history_analysis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "analysis/basket_correction.hpp"
#include "analysis/derived.hpp"
#include "analysis/false_discovery.hpp"
#include "analysis/figure_warnings.hpp"
#include "analysis/pair_distance.hpp"
#include "analysis/run_correction.hpp"
#include "analysis/statistics.hpp"

namespace ctxbench {

namespace {

// A run-corrected change this close (in points) to a raw one is the same change, found both ways.
constexpr std::size_t kSameChange = 1;

std::vector<SeriesChange> merge_changes(const std::vector<ChangePoint>& raw,
                                        const std::vector<ChangePoint>& corrected) {
  std::vector<SeriesChange> out;
  for (const ChangePoint& c : raw)
    out.push_back({c.index, c.mean_before, c.mean_after, c.ratio(), c.p_value, Fired::Raw});
  for (const ChangePoint& c : corrected) {
    auto same = std::find_if(out.begin(), out.end(), [&](const SeriesChange& s) {
      return s.fired == Fired::Raw && (s.index > c.index ? s.index - c.index : c.index - s.index) <= kSameChange;
    });
    if (same != out.end())
      same->fired = Fired::Both;
    else
      out.push_back({c.index, c.mean_before, c.mean_after, c.ratio(), c.p_value, Fired::RunCorrected});
  }
  std::sort(out.begin(), out.end(), [](const SeriesChange& a, const SeriesChange& b) { return a.index < b.index; });
  return out;
}

// Values of one machine as run_correction.hpp takes them: one row per run, one column per series.
struct MachineMatrix {
  std::vector<std::size_t> runs;    // History::runs indices, in order
  std::vector<std::size_t> series;  // History::series indices
  std::vector<std::vector<std::optional<double>>> values;
};

MachineMatrix machine_matrix(const History& h, const std::string& fingerprint, const std::string& skip_run = "") {
  MachineMatrix m;
  std::map<std::size_t, std::size_t> row_of;
  for (std::size_t r = 0; r < h.runs.size(); ++r)
    if (h.runs[r].fingerprint == fingerprint && h.runs[r].run_id != skip_run) {
      row_of[r] = m.runs.size();
      m.runs.push_back(r);
    }
  for (std::size_t s = 0; s < h.series.size(); ++s)
    if (h.series[s].fingerprint == fingerprint) m.series.push_back(s);
  m.values.assign(m.runs.size(), std::vector<std::optional<double>>(m.series.size()));
  for (std::size_t col = 0; col < m.series.size(); ++col)
    for (const HistoryPoint& p : h.series[m.series[col]].points) {
      auto row = row_of.find(p.run);
      if (row != row_of.end()) m.values[row->second][col] = p.p50_ns;
    }
  return m;
}

// A raw change point is the series' own only when the series moved against its run too: with the run's
// factor divided out (analysis/run_correction.hpp) a change point must remain within kSameChange points.
// A move of the whole machine (the host's speed level, or a kernel that slows every record alike) is no
// change of one record: MachineAnalysis::change_points reports it, once per machine.
std::vector<ChangePoint> not_the_whole_machine(const std::vector<ChangePoint>& raw,
                                               const std::vector<ChangePoint>& run_wide) {
  std::vector<ChangePoint> out;
  for (const ChangePoint& c : raw)
    if (std::any_of(run_wide.begin(), run_wide.end(), [&](const ChangePoint& w) {
          return (w.index > c.index ? w.index - c.index : c.index - w.index) <= kSameChange;
        }))
      out.push_back(c);
  return out;
}

// The mechanism a series measures, for the baskets (basket_correction.hpp): its probe's first two names
// ("ctxswitch.pipe" of ctxswitch.pipe.thread and of its derived .per_switch records).
std::vector<std::size_t> mechanism_groups(const History& h, const MachineMatrix& m) {
  std::map<std::string, std::size_t> id_of;
  std::vector<std::size_t> groups;
  for (std::size_t s : m.series) {
    const std::string& probe = h.series[s].probe.empty() ? h.series[s].record_id : h.series[s].probe;
    const std::size_t first = probe.find('.');
    const std::size_t second = first == std::string::npos ? first : probe.find('.', first + 1);
    const std::string key = probe.substr(0, std::min(second, probe.find('/')));
    groups.push_back(id_of.emplace(key, id_of.size()).first->second);
  }
  return groups;
}

// Marks the changes that sit at a move of the whole machine. rows: the machine's run row of each point of
// the series; machine: the change points of that machine's run factors (indices are rows).
void mark_machine_moves(std::vector<SeriesChange>& changes, const std::vector<std::size_t>& rows,
                        const std::vector<ChangePoint>& machine) {
  for (SeriesChange& c : changes) {
    if (c.index >= rows.size()) continue;
    const std::size_t row = rows[c.index];
    c.with_machine_change = std::any_of(machine.begin(), machine.end(), [&](const ChangePoint& m) {
      return (m.index > row ? m.index - row : row - m.index) <= kMachineMoveReach;
    });
  }
}

// A series' change points at `options`: raw, and run-corrected when `corrected` is given (its machine's
// corrected figures are judged); a raw one then counts only where the run-wide figures step too.
struct SeriesJudgements {
  std::vector<ChangePoint> raw, corrected;
  bool corrected_judged = false;
};

SeriesJudgements judge_series(const std::vector<double>& raw, const std::vector<double>& corrected,
                              const std::vector<double>& run_wide, const ChangePointOptions& options) {
  SeriesJudgements j;
  j.raw = find_change_points(raw, options);
  if (!corrected.empty()) {
    j.corrected_judged = true;
    j.corrected = find_change_points(corrected, options);
    j.raw = not_the_whole_machine(j.raw, find_change_points(run_wide, options));
  }
  return j;
}

// Each run's cutoff (analysis/false_discovery.hpp): the hypotheses are the family of the procedure (tests
// of them made), and a hypothesis's p at run r is that of its strongest change point within kSameChange runs
// of r. A real
// change of the code or kernel moves several records at the same run; changes at other runs (one series'
// noise, a host state that came and went) then do not lift the cutoff of a change at r.
// A hypothesis is a family (a record and the records derived from it, hypothesis_families) judged one way: its
// change points are its members' (a derived record moves with its base by construction, so the pair counts
// once and its strongest change point speaks for it).
using Hypothesis = std::pair<std::string, bool>;  // (family, run-corrected)
std::vector<double> run_cutoffs(const std::map<Hypothesis, std::vector<std::pair<std::size_t, double>>>& found,
                                std::size_t runs, std::size_t tests, const ChangePointOptions& options) {
  std::vector<double> out(runs);
  for (std::size_t r = 0; r < runs; ++r) {
    std::vector<double> p_values;
    for (const auto& [hypothesis, judgement] : found) {
      double best = 2;
      for (const auto& [row, p] : judgement)
        if ((row > r ? row - r : r - row) <= kSameChange) best = std::min(best, p);
      if (best <= 1) p_values.push_back(best);
    }
    out[r] = std::min(options.max_p_value, benjamini_hochberg_cutoff(p_values, tests, options.false_discovery_rate));
  }
  return out;
}

// Judges a series' change points at its runs' cutoffs (rows: each point's run row); none given: max_p_value.
void limit_by_run(ChangePointOptions& o, const std::vector<double>& by_run, const std::vector<std::size_t>& rows) {
  if (by_run.empty()) return;
  o.max_p_at = [&by_run, &rows](std::size_t i) {
    return i < rows.size() && rows[i] < by_run.size() ? by_run[rows[i]] : 1.0;
  };
}

// Each record's family for the false discovery rate: the record a derived record is computed from
// (analysis/derived.hpp, derived_base_id), else the record itself.
std::vector<std::string> hypothesis_families(const std::vector<std::string>& record_ids) {
  std::vector<std::string> out;
  for (const std::string& id : record_ids) {
    const std::string base = derived_base_id(id, record_ids);
    out.push_back(base.empty() ? id : base);
  }
  return out;
}

// For each record, the position in record_ids of the record it is derived from (its hypothesis family, when
// that is another record present), else record_ids.size().
std::vector<std::size_t> base_positions(const std::vector<std::string>& record_ids) {
  const std::vector<std::string> families = hypothesis_families(record_ids);
  std::vector<std::size_t> out(record_ids.size(), record_ids.size());
  for (std::size_t i = 0; i < record_ids.size(); ++i) {
    if (families[i] == record_ids[i]) continue;
    out[i] =
        static_cast<std::size_t>(std::find(record_ids.begin(), record_ids.end(), families[i]) - record_ids.begin());
  }
  return out;
}

// A derived record's change points that its base shares (analysis/derived.hpp, derived_base_id): a change
// point of the derived series is kept only where its base's series, judged the same way (raw or
// run-corrected) at max_p_value, has one within kSameChange runs in the same direction. A per-switch figure
// is its base less twice a SELF record's median, so a move of the derived record alone is the subtraction
// amplifying two small moves (the base's and SELF's, docs/METHODOLOGY.md, "History"); a change of the mechanism
// moves the base too, and a change of SELF shows in SELF's own series. rows / base_rows: each point's run row.
std::vector<ChangePoint> shared_with_base(const std::vector<ChangePoint>& derived, const std::vector<std::size_t>& rows,
                                          const std::vector<ChangePoint>& base,
                                          const std::vector<std::size_t>& base_rows) {
  std::vector<ChangePoint> out;
  for (const ChangePoint& c : derived) {
    if (c.index >= rows.size()) continue;
    const bool shared = std::any_of(base.begin(), base.end(), [&](const ChangePoint& b) {
      if (b.index >= base_rows.size()) return false;
      const std::size_t r = rows[c.index], br = base_rows[b.index];
      return (r > br ? r - br : br - r) <= kSameChange && (c.ratio() - 1) * (b.ratio() - 1) > 0;
    });
    if (shared) out.push_back(c);
  }
  return out;
}

bool worth_correcting(double shared) { return std::isfinite(shared) && shared > 0; }

std::vector<double> current_segment(const std::vector<double>& series, const ChangePointOptions& options) {
  const std::vector<ChangePoint> cps = find_change_points(series, options);
  const std::size_t from = cps.empty() ? 0 : cps.back().index;
  return {series.begin() + static_cast<std::ptrdiff_t>(from), series.end()};
}

}  // namespace

const char* fired_key(Fired f) {
  switch (f) {
    case Fired::Raw:
      return "raw";
    case Fired::RunCorrected:
      return "run_corrected";
    case Fired::Both:
      return "both";
  }
  return "raw";
}

namespace {

// analyse_history; with cutoffs_only, the machines and their false-discovery cutoffs only (what `history
// check` needs of the history before its run): the series' change points are not judged again at them.
HistoryAnalysis analyse(const History& h, const ChangePointOptions& options, bool cutoffs_only) {
  HistoryAnalysis a;
  a.options = options;
  a.run_factors.assign(h.runs.size(), 1.0);
  a.series.resize(h.series.size());
  std::vector<std::vector<double>> run_wide(h.series.size());  // p50 / the run's factor, one per point
  std::map<std::string, bool> corrected_machine;
  std::map<std::string, std::size_t> machine_of;                // fingerprint -> a.machines index
  std::vector<std::vector<std::size_t>> rows(h.series.size());  // each point's run row in its machine
  std::vector<std::string> family(h.series.size());             // hypothesis_families
  // The series of each derived record's base on its machine (h.series.size(): not derived, or no base series).
  std::vector<std::size_t> base_of(h.series.size(), h.series.size());
  for (const HistoryMachine& machine : h.machines) {
    const MachineMatrix m = machine_matrix(h, machine.fingerprint);
    const std::vector<double> factors = run_factors(m.values);
    const std::vector<std::vector<double>> basket =
        two_pass_basket_factors(m.values, factors, mechanism_groups(h, m), options);
    std::vector<std::string> ids;
    for (std::size_t s : m.series) ids.push_back(h.series[s].record_id);
    const std::vector<std::string> families = hypothesis_families(ids);
    const std::vector<std::size_t> bases = base_positions(ids);
    for (std::size_t col = 0; col < m.series.size(); ++col) {
      family[m.series[col]] = families[col];
      if (bases[col] < ids.size()) base_of[m.series[col]] = m.series[bases[col]];
    }
    std::map<std::size_t, std::size_t> row_of;
    for (std::size_t row = 0; row < m.runs.size() && row < factors.size(); ++row) {
      a.run_factors[m.runs[row]] = factors[row];
      row_of[m.runs[row]] = row;
    }
    for (std::size_t col = 0; col < m.series.size(); ++col)
      for (const HistoryPoint& p : h.series[m.series[col]].points) {
        const std::size_t row = row_of.at(p.run);
        rows[m.series[col]].push_back(row);
        a.series[m.series[col]].corrected_ns.push_back(p.p50_ns / basket[row][col]);
        run_wide[m.series[col]].push_back(p.p50_ns / factors[row]);
      }
    MachineAnalysis ma;
    ma.fingerprint = machine.fingerprint;
    ma.runs = m.runs.size();
    ma.shared_variance = shared_variance_fraction(m.values, factors);
    ma.corrected = worth_correcting(ma.shared_variance);
    ma.change_points = find_change_points(factors, options);
    ma.series_max_p = options.max_p_value;
    corrected_machine[machine.fingerprint] = ma.corrected;
    machine_of[machine.fingerprint] = a.machines.size();
    a.machines.push_back(ma);
  }
  // Each series judged alone at max_p_value; with a false discovery rate, each machine's cutoff is then
  // taken over all its series (analysis/false_discovery.hpp) and every series judged again at it.
  auto judge_alone = [&](std::size_t s, const ChangePointOptions& o) {
    std::vector<double> raw;
    for (const HistoryPoint& p : h.series[s].points) raw.push_back(p.p50_ns);
    const bool corrected = corrected_machine[h.series[s].fingerprint] && a.series[s].corrected_ns.size() == raw.size();
    return judge_series(raw, corrected ? a.series[s].corrected_ns : std::vector<double>{}, run_wide[s], o);
  };
  // A base's judgement at max_p_value (no cutoff by run): what a derived record's change points need beside them.
  std::map<std::size_t, SeriesJudgements> base_judged;
  auto judge = [&](std::size_t s, const ChangePointOptions& o) {
    SeriesJudgements j = judge_alone(s, o);
    const std::size_t b = base_of[s];
    if (b == h.series.size()) return j;
    auto it = base_judged.find(b);
    if (it == base_judged.end()) it = base_judged.emplace(b, judge_alone(b, options)).first;
    j.raw = shared_with_base(j.raw, rows[s], it->second.raw, rows[b]);
    j.corrected = shared_with_base(j.corrected, rows[s], it->second.corrected, rows[b]);
    return j;
  };
  if (options.false_discovery_rate > 0) {
    // per fingerprint: each hypothesis's change points as (machine run row, p), and the hypotheses judged
    std::map<std::string, std::map<Hypothesis, std::vector<std::pair<std::size_t, double>>>> found;
    std::map<std::string, std::set<Hypothesis>> tests;
    const std::size_t judged = 2 * std::max<std::size_t>(options.min_segment, 2);
    for (std::size_t s = 0; s < h.series.size(); ++s) {
      if (h.series[s].points.size() < judged) continue;
      const std::string& fingerprint = h.series[s].fingerprint;
      const SeriesJudgements j = judge(s, options);
      for (const bool corrected : {false, true}) {
        if (corrected && !j.corrected_judged) continue;
        const Hypothesis hypothesis{family[s], corrected};
        tests[fingerprint].insert(hypothesis);
        for (const ChangePoint& c : corrected ? j.corrected : j.raw)
          found[fingerprint][hypothesis].emplace_back(rows[s][c.index], c.p_value);
      }
    }
    for (MachineAnalysis& ma : a.machines) {
      ma.series_tests = tests[ma.fingerprint].size();
      ma.series_max_p =
          std::min(options.max_p_value, benjamini_hochberg_cutoff({}, ma.series_tests, options.false_discovery_rate));
      ma.series_max_p_by_run = run_cutoffs(found[ma.fingerprint], ma.runs, ma.series_tests, options);
    }
  }
  if (cutoffs_only) return a;
  for (std::size_t s = 0; s < h.series.size(); ++s) {
    const HistorySeries& series = h.series[s];
    SeriesAnalysis& out = a.series[s];
    if (series.points.empty()) continue;
    ChangePointOptions o = options;
    auto mi = machine_of.find(series.fingerprint);
    if (mi != machine_of.end()) limit_by_run(o, a.machines[mi->second].series_max_p_by_run, rows[s]);
    const SeriesJudgements j = judge(s, o);
    out.changes = merge_changes(j.raw, j.corrected);
    if (mi != machine_of.end()) mark_machine_moves(out.changes, rows[s], a.machines[mi->second].change_points);
    for (std::size_t k = 0; k < out.changes.size(); ++k) {
      const std::size_t next = k + 1 < out.changes.size() ? out.changes[k + 1].index : series.points.size();
      out.changes[k].points_after = next - out.changes[k].index;
      out.changes[k].points_before = out.changes[k].index - (k > 0 ? out.changes[k - 1].index : 0);
    }
    out.latest_ns = series.points.back().p50_ns;
    const std::size_t from = out.changes.empty() ? 0 : out.changes.back().index;
    std::vector<double> current;
    for (std::size_t i = from; i < series.points.size(); ++i) current.push_back(series.points[i].p50_ns);
    out.current_median_ns = median(current);
    out.current_points = current.size();
  }
  return a;
}

}  // namespace

HistoryAnalysis analyse_history(const History& h, const ChangePointOptions& options) {
  return analyse(h, options, false);
}

std::size_t HistoryAnalysis::change_count() const {
  std::size_t n = 0;
  for (const SeriesAnalysis& s : series) n += s.changes.size();
  return n;
}

bool SeriesChange::provisional() const { return points_after < kConfirmedPoints; }
bool SeriesChange::old_level_short() const { return points_before < kConfirmedPoints; }

std::size_t HistoryAnalysis::own_confirmed_count() const {
  std::size_t n = 0;
  for (const SeriesAnalysis& s : series)
    n += static_cast<std::size_t>(std::count_if(s.changes.begin(), s.changes.end(), [](const SeriesChange& c) {
      return !c.with_machine_change && c.confirmed();
    }));
  return n;
}

std::size_t HistoryAnalysis::machine_change_count() const {
  std::size_t n = 0;
  for (const SeriesAnalysis& s : series)
    n += static_cast<std::size_t>(
        std::count_if(s.changes.begin(), s.changes.end(), [](const SeriesChange& c) { return c.with_machine_change; }));
  return n;
}

int HistoryCheck::regressions() const {
  int n = whole_run && whole_run->verdict.kind == HistoryVerdictKind::Regression ? 1 : 0;
  for (const RecordCheck& r : records) n += r.verdict.kind == HistoryVerdictKind::Regression ? 1 : 0;
  return n;
}

int HistoryCheck::unconfirmed_regressions() const {
  int n = whole_run && whole_run->unconfirmed == HistoryVerdictKind::Regression ? 1 : 0;
  for (const RecordCheck& r : records) n += r.unconfirmed == HistoryVerdictKind::Regression ? 1 : 0;
  return n;
}

// The history as it was before `run_id`: that run and its points left out (a run `history add`ed before it
// is checked must not be its own history).
History without_run(const History& h, const std::string& run_id) {
  History out;
  out.machines = h.machines;
  std::vector<std::optional<std::size_t>> index_of(h.runs.size());
  for (std::size_t r = 0; r < h.runs.size(); ++r)
    if (h.runs[r].run_id != run_id) {
      index_of[r] = out.runs.size();
      out.runs.push_back(h.runs[r]);
    }
  for (const HistorySeries& s : h.series) {
    HistorySeries kept = s;
    kept.points.clear();
    for (const HistoryPoint& p : s.points)
      if (p.run < index_of.size() && index_of[p.run]) {
        kept.points.push_back(p);
        kept.points.back().run = *index_of[p.run];
      }
    out.series.push_back(std::move(kept));
  }
  return out;
}

namespace {

// The largest p a series' change point may have on this machine, as `history show` judges it: alone at its
// run, and at each of the machine's runs (empty without a false discovery rate).
std::pair<double, std::vector<double>> series_cutoff(const History& past, const std::string& fingerprint,
                                                     const ChangePointOptions& options) {
  if (options.false_discovery_rate <= 0) return {options.max_p_value, {}};
  const HistoryAnalysis a = analyse(past, options, true);
  for (const MachineAnalysis& m : a.machines)
    if (m.fingerprint == fingerprint) return {m.series_max_p, m.series_max_p_by_run};
  return {options.max_p_value, {}};
}

// The run's hypotheses (a family of records, hypothesis_families, judged raw or run-corrected) that a
// judgement was made of (a history long enough to judge): counted in `judgements`, each with the smallest p
// of its members' judgements in the result.
std::vector<double> family_p_values(const std::vector<RecordCheck>& records, std::size_t min_history,
                                    std::size_t& judgements) {
  std::vector<std::string> ids;
  for (const RecordCheck& rc : records) ids.push_back(rc.record_id);
  const std::vector<std::string> families = hypothesis_families(ids);
  std::map<Hypothesis, double> best;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const RecordCheck& rc = records[i];
    for (const HistoryVerdict* v : {&rc.raw, rc.corrected ? &*rc.corrected : nullptr}) {
      if (v == nullptr || v->history_points < std::max<std::size_t>(min_history, 2) || v->ratio <= 0) continue;
      const Hypothesis hypothesis{families[i], v != &rc.raw};
      auto [it, fresh] = best.emplace(hypothesis, v->p_value);
      if (!fresh) it->second = std::min(it->second, v->p_value);
    }
  }
  std::vector<double> out;
  for (const auto& [hypothesis, p] : best) out.push_back(p);
  judgements = out.size();
  return out;
}

// The gate's rule for a derived record (analysis/derived.hpp), as shared_with_base is show's: its regression
// or improvement stands only where its base's verdict, judged the same way (raw or run-corrected), moved in
// the same direction at p <= max_p (the per-record level, before the false discovery cutoff); else it is
// inconclusive (the subtraction amplifying small moves of the base and of SELF, docs/METHODOLOGY.md, "History").
void keep_derived_moves_their_base_shares(std::vector<RecordCheck>& records, double max_p) {
  std::vector<std::string> ids;
  for (const RecordCheck& rc : records) ids.push_back(rc.record_id);
  const std::vector<std::size_t> bases = base_positions(ids);
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (bases[i] == ids.size()) continue;
    const RecordCheck& b = records[bases[i]];
    auto limit = [&](HistoryVerdict& v, const HistoryVerdict* base_verdict) {
      if (v.kind != HistoryVerdictKind::Regression && v.kind != HistoryVerdictKind::Improvement) return;
      if (base_verdict != nullptr && base_verdict->p_value <= max_p && base_verdict->ratio > 0 &&
          (v.ratio - 1) * (base_verdict->ratio - 1) > 0)
        return;
      v.kind = HistoryVerdictKind::Inconclusive;
      v.reason = fmt::format(
          "{:+.1f}% (p {:.2g}), but its base {} did not move with it ({:+.1f}%, p {:.2g}): "
          "the subtraction's noise, not a change; run again",
          (v.ratio - 1) * 100, v.p_value, ids[bases[i]],
          base_verdict != nullptr ? (base_verdict->ratio - 1) * 100 : 0.0,
          base_verdict != nullptr ? base_verdict->p_value : 1.0);
    };
    limit(records[i].raw, &b.raw);
    if (records[i].corrected) limit(*records[i].corrected, b.corrected ? &*b.corrected : nullptr);
  }
}

std::size_t usable_values(const std::vector<std::optional<double>>& row) {
  return static_cast<std::size_t>(std::count_if(
      row.begin(), row.end(), [](const std::optional<double>& v) { return v && std::isfinite(*v) && *v > 0; }));
}

// The new run (the last row) as one point of its machine's series of run factors: judged against the
// current segment of that series (the machine's change points cut it, as `history show` reports them), so a
// move of every record alike gets a verdict of its own. Runs with too few records have no factor.
std::optional<RecordCheck> judge_whole_run(const std::vector<std::vector<std::optional<double>>>& values,
                                           const std::vector<double>& factors, const HistoryGateOptions& options,
                                           const ChangePointOptions& change_options) {
  if (values.empty() || factors.size() != values.size() || usable_values(values.back()) < kWholeRunMinRecords)
    return std::nullopt;
  std::vector<double> past;
  for (std::size_t row = 0; row + 1 < values.size(); ++row)
    if (usable_values(values[row]) >= kWholeRunMinRecords) past.push_back(factors[row]);
  RecordCheck whole;
  whole.raw = judge_against_history(current_segment(past, change_options), {factors.back()}, options);
  whole.verdict = whole.raw;
  if (whole.raw.kind == HistoryVerdictKind::Regression || whole.raw.kind == HistoryVerdictKind::Improvement)
    whole.fired = "raw";
  return whole;
}

}  // namespace

HistoryCheck check_against_history(const History& h, const RunInput& new_run, const HistoryGateOptions& options,
                                   const ChangePointOptions& change_options) {
  HistoryCheck check;
  check.fingerprint = new_run.machine.fingerprint;
  check.checked_runs = {{new_run.run.source, new_run.run.run_id}};
  MachineMatrix m = machine_matrix(h, check.fingerprint, new_run.run.run_id);
  check.history_runs = m.runs.size();
  // The segments are those `history show` reports for the history before this run: a change point too weak
  // for the machine's false-discovery cutoff does not cut the segment short (a short segment cut at a false
  // change point has a spread chosen to be small, and the new point then looks significant).
  const auto [lone_cutoff, run_cutoff] =
      series_cutoff(without_run(h, new_run.run.run_id), check.fingerprint, change_options);
  check.segment_max_p = lone_cutoff;
  // The new run is the last row: its factor says how fast the whole run was against the series' medians.
  std::map<std::string, std::size_t> column_of;
  for (std::size_t col = 0; col < m.series.size(); ++col) column_of[h.series[m.series[col]].record_id] = col;
  // Each ok record's figures on its repetitions at its series' usual CPU distance (pair_distance.hpp):
  // the p50 the run factor reads, and the repetition medians judged; no p50 when every repetition was left out.
  struct NewFigures {
    std::optional<double> p50;
    std::vector<double> repetitions;
    std::optional<RecordCheck::LeftOut> left_out;
  };
  std::map<std::string, NewFigures> figures;
  for (const RecordRow& r : new_run.records) {
    if (r.status != "ok" || !r.p50) continue;
    NewFigures f;
    f.p50 = r.p50;
    f.repetitions = r.repetition_medians.empty() ? std::vector<double>{*r.p50} : r.repetition_medians;
    auto col = column_of.find(r.record_id);
    const std::optional<double> usual =
        col == column_of.end() ? std::nullopt : h.series[m.series[col->second]].usual_pair_round_trip_ns;
    if (usual && !r.pair_round_trips.empty()) {
      const UsualRepetitions u = usual_repetitions(r.repetition_medians, r.pair_round_trips, usual);
      f.left_out = RecordCheck::LeftOut{u.nearer, u.farther, u.of, *usual};
      f.p50 = usual_distance_p50(*r.p50, r.repetition_medians, u);
      if (u.left_out() > 0) f.repetitions = u.medians;
    }
    figures[r.record_id] = std::move(f);
  }
  std::vector<std::optional<double>> new_row(m.series.size());
  for (const auto& [id, f] : figures) {
    auto col = column_of.find(id);
    if (col != column_of.end()) new_row[col->second] = f.p50;
  }
  m.values.push_back(new_row);
  const std::vector<double> factors = run_factors(m.values, kWholeRunMinRecords);
  check.run_factor = factors.empty() ? 1.0 : factors.back();
  check.whole_run = judge_whole_run(m.values, factors, options, change_options);
  check.shared_variance = shared_variance_fraction(m.values, factors);
  check.corrected = worth_correcting(check.shared_variance);
  const std::vector<std::vector<double>> basket =
      two_pass_basket_factors(m.values, factors, mechanism_groups(h, m), change_options);
  std::map<std::size_t, std::size_t> row_of;
  for (std::size_t row = 0; row < m.runs.size(); ++row) row_of[m.runs[row]] = row;

  // Each record's current segments, raw and run-corrected, and its new values, judged below.
  struct Judged {
    std::string record_id;
    std::vector<double> raw, corrected, new_values, new_corrected;
    std::optional<RecordCheck::LeftOut> left_out;
    std::vector<std::string> unusual_warnings;
  };
  std::vector<Judged> judged;
  for (const RecordRow& r : new_run.records) {
    if (r.status != "ok" || !r.p50) continue;
    Judged j;
    j.record_id = r.record_id;
    const NewFigures& f = figures.at(r.record_id);
    j.left_out = f.left_out;
    if (f.p50) j.new_values = f.repetitions;
    std::vector<double> raw, corrected;
    std::vector<std::size_t> point_rows;
    std::vector<std::vector<std::string>> point_warnings;
    auto col = column_of.find(r.record_id);
    if (col != column_of.end())
      for (const HistoryPoint& p : h.series[m.series[col->second]].points) {
        auto row = row_of.find(p.run);
        if (row == row_of.end()) continue;
        raw.push_back(p.p50_ns);
        corrected.push_back(p.p50_ns / basket[row->second][col->second]);
        point_rows.push_back(row->second);
        point_warnings.push_back(p.figure_warnings);
      }
    ChangePointOptions segment_options = change_options;
    limit_by_run(segment_options, run_cutoff, point_rows);
    j.raw = current_segment(raw, segment_options);
    // current_segment is the series' tail: its points' warnings are the last ones.
    point_warnings.erase(point_warnings.begin(), point_warnings.end() - static_cast<std::ptrdiff_t>(j.raw.size()));
    j.unusual_warnings = unusual_figure_warnings(figure_warning_kinds(r.warnings), point_warnings);
    if (check.corrected) {
      j.corrected = current_segment(corrected, segment_options);
      j.new_corrected = j.new_values;
      const double factor = col != column_of.end() ? basket.back()[col->second] : check.run_factor;
      for (double& v : j.new_corrected) v /= factor;
    }
    judged.push_back(std::move(j));
  }
  auto judge_all = [&](const HistoryGateOptions& o) {
    std::vector<RecordCheck> out;
    for (const Judged& j : judged) {
      RecordCheck rc;
      rc.record_id = j.record_id;
      rc.left_out = j.left_out;
      rc.unusual_warnings = j.unusual_warnings;
      rc.raw = judge_against_history(j.raw, j.new_values, o);
      if (check.corrected) rc.corrected = judge_against_history(j.corrected, j.new_corrected, o);
      if (j.new_values.empty()) {
        // Every repetition ran at another CPU distance than its series' usual one: nothing to judge.
        rc.raw = HistoryVerdict{};
        rc.raw.history_points = j.raw.size();
        rc.raw.reason = "every repetition ran with its two CPUs at another distance than usual; run again";
        if (rc.corrected) rc.corrected = rc.raw;
      }
      out.push_back(std::move(rc));
    }
    return out;
  };
  // Every record judged at max_p_value; with a false discovery rate, the cutoff over all the run's
  // judgements is taken (analysis/false_discovery.hpp) and every record judged again at it, so its
  // detectable change is the one at the p it had to reach.
  HistoryGateOptions gate = options;
  check.records = judge_all(gate);
  const std::vector<double> p_values = family_p_values(check.records, options.min_history, check.judgements);
  if (options.false_discovery_rate > 0 && check.judgements > 0) {
    gate.max_p_value = std::min(options.max_p_value,
                                benjamini_hochberg_cutoff(p_values, check.judgements, options.false_discovery_rate));
    if (gate.max_p_value < options.max_p_value) check.records = judge_all(gate);
  }
  check.gate_max_p = gate.max_p_value;
  keep_derived_moves_their_base_shares(check.records, options.max_p_value);

  for (RecordCheck& rc : check.records) {
    const auto changed = [](const HistoryVerdict& v) {
      return v.kind == HistoryVerdictKind::Regression || v.kind == HistoryVerdictKind::Improvement;
    };
    if (rc.corrected && changed(*rc.corrected)) {
      // Where the run-corrected figures are judged, they decide (docs/METHODOLOGY.md, "The gate").
      rc.fired = rc.raw.kind == rc.corrected->kind ? "both" : "run_corrected";
      rc.verdict = *rc.corrected;
    } else if (changed(rc.raw) && rc.corrected) {
      // The records this one moves with moved as far: the host's speed for a few runs, or a change to all of
      // them. One run cannot tell which; raw change points over the store can (docs/METHODOLOGY.md, "The
      // gate": on two A/A sets these made most false regressions, and persisted into the next run).
      rc.fired = "raw";
      rc.moved_with_basket = true;
      rc.verdict = rc.raw;
      rc.verdict.kind = HistoryVerdictKind::Inconclusive;
      rc.verdict.reason = fmt::format(
          "{} in the raw figure only ({}); the run-corrected one did not move: the "
          "records it moves with moved too. `history show` tells a lasting change "
          "after 6 runs",
          history_verdict_key(rc.raw.kind), rc.raw.reason);
    } else if (changed(rc.raw)) {
      rc.fired = "raw";
      rc.verdict = rc.raw;
    } else {
      rc.fired.clear();
      // No change when either judgement could tell; else inconclusive. The finer judgement speaks.
      rc.verdict = rc.raw;
      if (rc.corrected && (rc.raw.kind == HistoryVerdictKind::Inconclusive ||
                           (rc.corrected->kind == HistoryVerdictKind::NoChange &&
                            rc.corrected->detectable_change < rc.raw.detectable_change)))
        rc.verdict = *rc.corrected;
    }
    // The smallest change either judgement could have told apart (0: that one could not say).
    if (rc.corrected && rc.corrected->detectable_change > 0 &&
        (rc.raw.detectable_change <= 0 || rc.corrected->detectable_change < rc.raw.detectable_change))
      rc.verdict.detectable_change = rc.corrected->detectable_change;
  }
  return check;
}

}  // namespace ctxbench
