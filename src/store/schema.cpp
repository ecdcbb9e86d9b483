#include "src/store/schema.hpp"

#include "analysis/history_input.hpp"

namespace ctxbench::store {
namespace {

std::string machines_table() {
  std::string sql = "CREATE TABLE IF NOT EXISTS machines (fingerprint TEXT PRIMARY KEY";
  for (const MachineField& f : machine_identity_fields())
    sql += std::string(", ") + f.name + (f.integer ? " BIGINT" : " TEXT");
  return sql + ", identity TEXT NOT NULL)";
}

// Version 1: the tables. Times are ISO 8601 UTC text (sorts in time order in both databases); JSON is
// text (portable; PostgreSQL users cast it: params::jsonb).
std::vector<std::string> version_1() {
  return {
      "CREATE TABLE IF NOT EXISTS schema_meta (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
      machines_table(),
      "CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, "
      "fingerprint TEXT NOT NULL REFERENCES machines (fingerprint), source TEXT, label TEXT, hostname TEXT, "
      "context TEXT, kernel_release TEXT, tool_version TEXT, git_revision TEXT, options TEXT, "
      "start_time TEXT NOT NULL, end_time TEXT, steal_fraction DOUBLE PRECISION, load_start DOUBLE PRECISION, "
      "load_end DOUBLE PRECISION, complete INTEGER, interrupted INTEGER, warnings TEXT, file_schema INTEGER, "
      "added_at TEXT)",
      "CREATE TABLE IF NOT EXISTS records (run_id TEXT NOT NULL REFERENCES runs (run_id), "
      "record_id TEXT NOT NULL, probe TEXT, family TEXT, params TEXT, placement TEXT, cpus TEXT, measure TEXT, "
      "unit TEXT, p50_ns DOUBLE PRECISION, p99_ns DOUBLE PRECISION, rerun_low DOUBLE PRECISION, "
      "rerun_high DOUBLE PRECISION, repetitions INTEGER, repetition_medians TEXT, "
      "switches_per_op DOUBLE PRECISION, status TEXT NOT NULL, reason TEXT, derived INTEGER, warnings TEXT, "
      "PRIMARY KEY (run_id, record_id))",
      "CREATE INDEX IF NOT EXISTS runs_by_machine ON runs (fingerprint, start_time)",
  };
}

// Version 2: the long-form view (one row per run x record with the machine's columns) that `history
// export --csv` writes and a Grafana PostgreSQL panel queries, and records by id for one series' query.
std::vector<std::string> version_2(Backend backend) {
  const std::string time = backend == Backend::Postgres ? "CAST(r.start_time AS TIMESTAMPTZ)" : "r.start_time";
  return {
      "CREATE INDEX IF NOT EXISTS records_by_id ON records (record_id)",
      "CREATE VIEW history_long AS SELECT " + time +
          " AS time, r.start_time, r.run_id, r.fingerprint AS machine, r.label, r.hostname, r.git_revision, "
          "r.tool_version, "
          "r.kernel_release, m.cpu_model, m.logical_cpus, m.smt, m.virtualization, m.governor, m.cpuidle_driver, "
          "m.clocksource, r.steal_fraction, r.load_start, x.record_id, x.probe, x.placement, x.measure, x.unit, "
          "x.p50_ns, x.p99_ns, x.rerun_low, x.rerun_high, x.repetitions, x.switches_per_op, x.status "
          "FROM records x JOIN runs r ON r.run_id = x.run_id JOIN machines m ON m.fingerprint = r.fingerprint",
  };
}

// Version 3: each record's pair readings (placement.pair_round_trip_ns), one [before, after] per entry of
// repetition_medians, so history judges a cross-CPU record on its repetitions at the usual CPU distance
// (analysis/pair_distance.hpp). NULL for records without readings and for rows stored before version 3.
std::vector<std::string> version_3() { return {"ALTER TABLE records ADD COLUMN pair_round_trips TEXT"}; }

int read_version(Connection& c) {
  bool has_table = false;
  const std::string probe = c.backend() == Backend::Sqlite
                                ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_meta'"
                                : "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
                                  "AND table_name = 'schema_meta'";
  c.query(probe, {}, [&](const Row&) { has_table = true; });
  if (!has_table) return 0;
  int version = 0;
  c.query("SELECT version FROM schema_meta WHERE id = 1", {},
          [&](const Row& r) { version = static_cast<int>(r.integer(0)); });
  return version;
}

void refuse_newer(const Connection& c, int version) {
  if (version > kStoreSchemaVersion)
    throw StoreError(c.name() + ": store schema version " + std::to_string(version) +
                     " was written by a newer ctxbench; this one reads up to version " +
                     std::to_string(kStoreSchemaVersion) + " (upgrade ctxbench, or use another --store)");
}

}  // namespace

std::vector<std::string> migration(int to, Backend backend) {
  if (to == 1) return version_1();
  if (to == 2) return version_2(backend);
  if (to == 3) return version_3();
  return {};
}

int prepare_schema(Connection& c, bool create) {
  int version = read_version(c);
  refuse_newer(c, version);
  if (version == kStoreSchemaVersion) return version;
  if (version == 0 && !create)
    throw StoreError(c.name() + ": not a ctxbench results store (no schema_meta table; history add makes one)");
  // One writer migrates; another that waited finds the work done. PostgreSQL: an advisory lock, because
  // two concurrent CREATE TABLE IF NOT EXISTS can still collide in its catalogue.
  c.begin_write();
  try {
    if (c.backend() == Backend::Postgres) c.execute("SELECT pg_advisory_xact_lock(7262012022)");
    version = read_version(c);
    refuse_newer(c, version);
    for (int to = version + 1; to <= kStoreSchemaVersion; ++to)
      for (const std::string& sql : migration(to, c.backend())) c.execute(sql);
    if (version == 0)
      c.execute("INSERT INTO schema_meta (id, version) VALUES (1, $1)", {std::int64_t{kStoreSchemaVersion}});
    else
      c.execute("UPDATE schema_meta SET version = $1 WHERE id = 1", {std::int64_t{kStoreSchemaVersion}});
    c.commit();
  } catch (...) {
    c.rollback();
    throw;
  }
  return kStoreSchemaVersion;
}

}  // namespace ctxbench::store
