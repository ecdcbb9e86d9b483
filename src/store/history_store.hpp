// The history commands' reads and writes of the results store, the same SQL for both backends
// (docs/contracts.md, "The results store").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/history.hpp"
#include "analysis/history_input.hpp"
#include "src/store/store.hpp"

namespace ctxbench::store {

// Ingests one run in one transaction: its machine (once per fingerprint), the run (once per run id) and
// its records. Returns false, writing nothing, when the run is already stored. `before_commit` (tests)
// runs inside the transaction after the last record.
bool add_run(Connection& c, const RunInput& in, const std::string& added_at,
             const std::function<void()>& before_commit = {});

struct HistoryQuery {
  std::optional<std::string> machine;  // fingerprint prefix, hostname or label
  std::optional<std::string> since;    // runs that started at or after this ISO 8601 time
};
// Every ok record of the runs the query selects, as series. `keep_record(id)` filters record ids.
History load_history(Connection& c, const HistoryQuery& q, const std::function<bool(const std::string&)>& keep_record);

// The long-form rows (the history_long view: one per run x record, machine columns included) in time
// order; `each` gets the column names once (first call, values empty) and then every row's values as text
// (empty for NULL).
void export_rows(Connection& c, const HistoryQuery& q, const std::function<bool(const std::string&)>& keep_record,
                 const std::function<void(const std::vector<std::string>&)>& header,
                 const std::function<void(const std::vector<std::string>&)>& each);

// The kinds of runs the store holds, as origins for emulation_mix_error (analysis/emulation.hpp): one named
// "STORE (N emulated machines)" when it holds emulated runs, one "STORE (N native machines)" when native.
std::vector<EmulationOrigin> stored_emulation(Connection& c);

// Whether a machine (fingerprint, hostname, label) matches --machine M.
bool machine_matches(const std::string& m, const std::string& fingerprint, const std::string& hostname,
                     const std::string& label);

}  // namespace ctxbench::store
