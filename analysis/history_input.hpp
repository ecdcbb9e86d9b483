// A result file as rows of the results store (docs/contracts.md, "The results store"): the machine it ran
// on (with its fingerprint), the run, and one row per record. Reads result files of schema 2 natively and
// of schema 1 through one adapter (adapt_schema_1). Pure: the caller reads the file.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/emulation.hpp"
#include "analysis/history.hpp"

namespace ctxbench {

// A file the store cannot take: what() names the file and the problem. Exit 2.
class HistoryInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr int kOldestReadableResultSchema = 1;
inline constexpr int kNewestReadableResultSchema = 2;

// The machine fields that move the figures, in the order of the machines table's columns; their values
// (null when the file lacks one) are what the fingerprint hashes. Integers are stored as numbers, objects
// (mitigations, guest_halt_poll) as JSON text.
struct MachineField {
  const char* name;
  bool integer;
};
const std::vector<MachineField>& machine_identity_fields();

struct MachineRow {
  std::string fingerprint;  // first 16 hex digits of SHA-256 over identity.dump()
  // object: every machine_identity_fields() name -> value or null; plus `scheduler` and `sched_ext_ops` only
  // when a sched_ext scheduler ran (machine_row)
  nlohmann::json identity;
};

struct RunRow {
  std::string run_id;  // SHA-256 of the file's bytes: the same file is the same run
  std::string fingerprint, source, label, hostname, kernel_release, tool_version, git_revision;
  std::string start_time, end_time;  // ISO 8601 UTC as written (sorts as text)
  nlohmann::json context = nlohmann::json::object(), options = nlohmann::json::object();
  nlohmann::json warnings = nlohmann::json::array();  // run-level, as objects {kind, text, ...}
  std::optional<double> steal_fraction, load_start, load_end;
  bool complete = false, interrupted = false;
  int schema_version = 0;  // of the file
};

struct RecordRow {
  std::string record_id, probe, family, placement_kind, status, unit;
  std::optional<std::string> measure, reason;
  nlohmann::json params = nlohmann::json::object(), cpus = nlohmann::json::array();
  nlohmann::json warnings = nlohmann::json::array();  // objects {kind, text, figure?, remedy?}
  std::optional<double> p50, p99, rerun_low, rerun_high, switches_per_op;
  std::vector<double> repetition_medians;
  // placement.pair_round_trip_ns, one per repetition_medians entry; empty when the record has none.
  std::vector<PairReadings> pair_round_trips;
  bool derived = false;
};

struct RunInput {
  MachineRow machine;
  RunRow run;
  Emulation emulation;             // machine.emulated; a file without it is a native run
  std::vector<RecordRow> records;  // file order
};

// Validates and converts one result file. Throws HistoryInputError naming `path` for text that is not
// JSON, not a ctxbench result file, of a schema version outside [1, 2], or with malformed records.
RunInput read_run_file(const std::string& path, std::string_view text);

// Schema 1 -> schema 2 (the one place that knows schema 1): run and record warnings, which were strings,
// become {kind: "unclassified", text}; every record gets "measure": null (schema 1 did not say what a
// figure measures). Everything else of schema 1 is read as schema 2 reads it.
nlohmann::json adapt_schema_1(nlohmann::json doc);

}  // namespace ctxbench
