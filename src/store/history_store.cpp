#include "src/store/history_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "analysis/figure_warnings.hpp"

namespace ctxbench::store {

using nlohmann::json;

namespace {

// Rows per multi-row INSERT of records: one statement per chunk instead of one per record (a round trip
// each on PostgreSQL), well under both databases' parameter limits (21 columns x 50 rows).
constexpr std::size_t kRecordsPerInsert = 50;
constexpr std::size_t kRecordColumns = 21;

Value opt(const std::optional<double>& v) { return v ? Value(*v) : Value(); }
Value opt(const std::optional<std::string>& v) { return v ? Value(*v) : Value(); }
Value text_or_null(const std::string& s) { return s.empty() ? Value() : Value(s); }

json reading_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// The pair_round_trips column: [[before, after], ...] (ns, null where missing), or NULL without readings.
Value pair_round_trips_value(const std::vector<PairReadings>& pairs) {
  if (pairs.empty()) return {};
  json out = json::array();
  for (const PairReadings& p : pairs) out.push_back({reading_json(p.before), reading_json(p.after)});
  return Value(out.dump());
}

std::vector<PairReadings> pair_round_trips_of(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  std::vector<PairReadings> out;
  if (!j.is_array()) return out;
  auto reading = [](const json& v) { return v.is_number() ? std::optional(v.get<double>()) : std::nullopt; };
  for (const json& p : j)
    out.push_back(p.is_array() && p.size() == 2 ? PairReadings{reading(p[0]), reading(p[1])} : PairReadings{});
  return out;
}

std::vector<double> numbers_of(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  std::vector<double> out;
  if (j.is_array())
    for (const json& v : j)
      if (v.is_number()) out.push_back(v.get<double>());
  return out;
}

// The warnings column (objects {kind, ...}) as the kinds that question the figure; most records have none.
std::vector<std::string> figure_warnings_of(const std::string& text) {
  if (text.size() <= 2) return {};  // "[]"
  return figure_warning_kinds(json::parse(text, nullptr, false));
}

Value identity_value(const json& v) {
  if (v.is_null()) return {};
  if (v.is_number_integer()) return Value(v.get<std::int64_t>());
  if (v.is_string()) return Value(v.get<std::string>());
  return Value(v.dump());
}

std::string placeholders(std::size_t first, std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) out.append(i ? ", $" : "$").append(std::to_string(first + i));
  return out + ")";
}

void insert_machine(Connection& c, const MachineRow& m) {
  std::string columns = "fingerprint";
  std::vector<Value> values = {m.fingerprint};
  for (const MachineField& f : machine_identity_fields()) {
    columns += std::string(", ") + f.name;
    values.push_back(identity_value(m.identity[f.name]));
  }
  columns += ", identity";
  values.push_back(m.identity.dump());
  c.execute("INSERT INTO machines (" + columns + ") VALUES " + placeholders(1, values.size()) +
                " ON CONFLICT (fingerprint) DO NOTHING",
            values);
}

bool insert_run(Connection& c, const RunRow& r, const std::string& added_at) {
  const std::vector<Value> values = {r.run_id,
                                     r.fingerprint,
                                     r.source,
                                     text_or_null(r.label),
                                     text_or_null(r.hostname),
                                     r.context.dump(),
                                     text_or_null(r.kernel_release),
                                     text_or_null(r.tool_version),
                                     text_or_null(r.git_revision),
                                     r.options.dump(),
                                     r.start_time,
                                     text_or_null(r.end_time),
                                     opt(r.steal_fraction),
                                     opt(r.load_start),
                                     opt(r.load_end),
                                     std::int64_t{r.complete},
                                     std::int64_t{r.interrupted},
                                     r.warnings.dump(),
                                     std::int64_t{r.schema_version},
                                     added_at};
  return c.execute(
             "INSERT INTO runs (run_id, fingerprint, source, label, hostname, context, kernel_release, tool_version, "
             "git_revision, options, start_time, end_time, steal_fraction, load_start, load_end, complete, "
             "interrupted, warnings, file_schema, added_at) VALUES " +
                 placeholders(1, values.size()) + " ON CONFLICT (run_id) DO NOTHING",
             values) == 1;
}

void append_record(std::vector<Value>& values, const std::string& run_id, const RecordRow& r) {
  const std::vector<Value> row = {run_id,
                                  r.record_id,
                                  r.probe,
                                  text_or_null(r.family),
                                  r.params.dump(),
                                  r.placement_kind,
                                  r.cpus.dump(),
                                  opt(r.measure),
                                  text_or_null(r.unit),
                                  opt(r.p50),
                                  opt(r.p99),
                                  opt(r.rerun_low),
                                  opt(r.rerun_high),
                                  static_cast<std::int64_t>(r.repetition_medians.size()),
                                  json(r.repetition_medians).dump(),
                                  opt(r.switches_per_op),
                                  r.status,
                                  opt(r.reason),
                                  std::int64_t{r.derived},
                                  r.warnings.dump(),
                                  pair_round_trips_value(r.pair_round_trips)};
  values.insert(values.end(), row.begin(), row.end());
}

void insert_records(Connection& c, const std::string& run_id, const std::vector<RecordRow>& records) {
  for (std::size_t first = 0; first < records.size(); first += kRecordsPerInsert) {
    const std::size_t n = std::min(kRecordsPerInsert, records.size() - first);
    std::string sql =
        "INSERT INTO records (run_id, record_id, probe, family, params, placement, cpus, measure, unit, p50_ns, "
        "p99_ns, rerun_low, rerun_high, repetitions, repetition_medians, switches_per_op, status, reason, derived, "
        "warnings, pair_round_trips) VALUES ";
    std::vector<Value> values;
    values.reserve(n * kRecordColumns);
    for (std::size_t i = 0; i < n; ++i) {
      sql.append(i ? ", " : "").append(placeholders(i * kRecordColumns + 1, kRecordColumns));
      append_record(values, run_id, records[first + i]);
    }
    c.execute(sql + " ON CONFLICT (run_id, record_id) DO NOTHING", values);
  }
}

std::optional<double> opt_real(const Row& r, int c) { return r.null(c) ? std::nullopt : std::optional(r.real(c)); }

}  // namespace

bool machine_matches(const std::string& m, const std::string& fingerprint, const std::string& hostname,
                     const std::string& label) {
  return fingerprint.rfind(m, 0) == 0 || hostname == m || label == m;
}

bool add_run(Connection& c, const RunInput& in, const std::string& added_at,
             const std::function<void()>& before_commit) {
  c.begin_write();
  try {
    insert_machine(c, in.machine);
    if (!insert_run(c, in.run, added_at)) {
      c.rollback();
      return false;
    }
    insert_records(c, in.run.run_id, in.records);
    if (before_commit) before_commit();
    c.commit();
    return true;
  } catch (...) {
    c.rollback();
    throw;
  }
}

History load_history(Connection& c, const HistoryQuery& q, const std::function<bool(const std::string&)>& keep_record) {
  History h;
  std::map<std::string, std::size_t> run_index;
  std::vector<Value> since;
  std::string where;
  if (q.since) {
    where = " WHERE start_time >= $1";
    since.push_back(*q.since);
  }
  c.query(
      "SELECT run_id, fingerprint, label, hostname, git_revision, tool_version, kernel_release, start_time, source, "
      "steal_fraction, load_start FROM runs" +
          where + " ORDER BY start_time, run_id",
      since, [&](const Row& r) {
        HistoryRun run{r.text(0), r.text(1), r.text(2), r.text(3),      r.text(4),      r.text(5),
                       r.text(6), r.text(7), r.text(8), opt_real(r, 9), opt_real(r, 10)};
        if (q.machine && !machine_matches(*q.machine, run.fingerprint, run.hostname, run.label)) return;
        run_index[run.run_id] = h.runs.size();
        h.runs.push_back(std::move(run));
      });
  std::map<std::string, bool> used_machines;
  for (const HistoryRun& r : h.runs) used_machines[r.fingerprint] = true;
  c.query("SELECT fingerprint, identity FROM machines ORDER BY fingerprint", {}, [&](const Row& r) {
    if (!used_machines.count(r.text(0))) return;
    json identity = json::parse(r.text(1), nullptr, false);
    h.machines.push_back({r.text(0), identity.is_discarded() ? json::object() : identity});
  });
  // Every ok record, grouped into series by (fingerprint, record id); points follow the runs' order. The
  // repetition medians are read only beside pair readings (all the pair distance needs them for).
  std::map<std::pair<std::string, std::string>, std::size_t> series_index;
  std::map<std::string, bool> kept;
  c.query(
      "SELECT x.run_id, x.record_id, x.probe, x.placement, x.unit, x.measure, x.p50_ns, x.p99_ns, x.rerun_low, "
      "x.rerun_high, x.family, x.pair_round_trips, "
      "CASE WHEN x.pair_round_trips IS NULL THEN NULL ELSE x.repetition_medians END, x.warnings "
      "FROM records x WHERE x.status = 'ok' AND x.p50_ns IS NOT NULL",
      {}, [&](const Row& r) {
        const auto run = run_index.find(r.text(0));
        if (run == run_index.end()) return;
        const std::string id = r.text(1);
        auto k = kept.find(id);
        if (k == kept.end()) k = kept.emplace(id, !keep_record || keep_record(id)).first;
        if (!k->second) return;
        const std::string& fp = h.runs[run->second].fingerprint;
        auto [it, fresh] = series_index.emplace(std::make_pair(fp, id), h.series.size());
        if (fresh) {
          HistorySeries s;
          s.fingerprint = fp;
          s.record_id = id;
          s.probe = r.text(2);
          s.placement = r.text(3);
          s.unit = r.text(4);
          s.family = r.null(10) ? "" : r.text(10);
          if (!r.null(5)) s.measure = r.text(5);
          h.series.push_back(std::move(s));
        }
        HistoryPoint point;
        point.run = run->second;
        point.p50_ns = point.p50_all_ns = r.real(6);
        point.p99_ns = opt_real(r, 7);
        point.rerun_low = opt_real(r, 8);
        point.rerun_high = opt_real(r, 9);
        if (!r.null(11) && !r.null(12)) {
          point.pair_round_trips = pair_round_trips_of(r.text(11));
          point.repetition_medians = numbers_of(r.text(12));
        }
        if (!r.null(13)) point.figure_warnings = figure_warnings_of(r.text(13));
        h.series[it->second].points.push_back(std::move(point));
      });
  for (HistorySeries& s : h.series)
    std::sort(s.points.begin(), s.points.end(),
              [](const HistoryPoint& a, const HistoryPoint& b) { return a.run < b.run; });
  std::vector<HistorySeries> ordered;
  ordered.reserve(h.series.size());
  for (const auto& [key, index] : series_index) ordered.push_back(std::move(h.series[index]));
  h.series = std::move(ordered);
  return h;
}

void export_rows(Connection& c, const HistoryQuery& q, const std::function<bool(const std::string&)>& keep_record,
                 const std::function<void(const std::vector<std::string>&)>& header,
                 const std::function<void(const std::vector<std::string>&)>& each) {
  // Numbers are formatted here (shortest text that reads back exactly), not by the database: SQLite and
  // PostgreSQL print doubles differently, and the same store should give the same CSV on both.
  enum Kind { Text, Integer, Real };
  static const std::vector<std::pair<std::string, Kind>> spec = {{"start_time", Text},
                                                                 {"run_id", Text},
                                                                 {"machine", Text},
                                                                 {"label", Text},
                                                                 {"hostname", Text},
                                                                 {"git_revision", Text},
                                                                 {"tool_version", Text},
                                                                 {"kernel_release", Text},
                                                                 {"cpu_model", Text},
                                                                 {"logical_cpus", Integer},
                                                                 {"smt", Text},
                                                                 {"virtualization", Text},
                                                                 {"governor", Text},
                                                                 {"cpuidle_driver", Text},
                                                                 {"clocksource", Text},
                                                                 {"steal_fraction", Real},
                                                                 {"load_start", Real},
                                                                 {"record_id", Text},
                                                                 {"probe", Text},
                                                                 {"placement", Text},
                                                                 {"measure", Text},
                                                                 {"unit", Text},
                                                                 {"p50_ns", Real},
                                                                 {"p99_ns", Real},
                                                                 {"rerun_low", Real},
                                                                 {"rerun_high", Real},
                                                                 {"repetitions", Integer},
                                                                 {"switches_per_op", Real},
                                                                 {"status", Text}};
  std::vector<std::string> columns;
  for (const auto& [name, kind] : spec) columns.push_back(name);
  // start_time (the file's ISO 8601 text) rather than the view's time, which PostgreSQL gives in its own
  // format: the same store gives the same CSV on both backends. The header calls it time.
  std::vector<std::string> names = columns;
  names[0] = "time";
  header(names);
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < columns.size(); ++i) sql.append(i ? ", " : "").append(columns[i]);
  sql += " FROM history_long";
  std::vector<Value> params;
  if (q.since) {
    sql += " WHERE run_id IN (SELECT run_id FROM runs WHERE start_time >= $1)";
    params.push_back(*q.since);
  }
  sql += " ORDER BY start_time, run_id, record_id";
  std::vector<std::string> values(columns.size());
  c.query(sql, params, [&](const Row& r) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const int at = static_cast<int>(i);
      if (r.null(at))
        values[i].clear();
      else if (spec[i].second == Integer)
        values[i] = std::to_string(r.integer(at));
      else if (spec[i].second == Real)
        values[i] = fmt::format("{}", r.real(at));
      else
        values[i] = r.text(at);
    }
    if (q.machine && !machine_matches(*q.machine, values[2], values[4], values[3])) return;
    if (keep_record && !keep_record(values[17])) return;
    each(values);
  });
}

std::vector<EmulationOrigin> stored_emulation(Connection& c) {
  // Only an emulated machine's identity has "emulated" (analysis/history_input.cpp, machine_row).
  int emulated = 0, native = 0;
  Emulation sample;
  c.query("SELECT identity FROM machines", {}, [&](const Row& r) {
    const json identity = json::parse(r.text(0), nullptr, false);
    if (identity.is_object() && identity.contains("emulated") && identity["emulated"].is_object()) {
      ++emulated;
      sample.emulated = true;
      const json& e = identity["emulated"];
      sample.emulator = e.value("emulator", "unknown");
      sample.binary_arch = e.value("binary_arch", "");
    } else {
      ++native;
    }
  });
  std::vector<EmulationOrigin> out;
  if (emulated > 0) out.push_back({fmt::format("{} ({} emulated machines stored)", c.name(), emulated), sample});
  if (native > 0) out.push_back({fmt::format("{} ({} native machines stored)", c.name(), native), Emulation{}});
  return out;
}

}  // namespace ctxbench::store
