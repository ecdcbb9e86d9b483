// What `ctxbench history show|check|export [--json]` print: the table, the gate's verdicts, and their
// machine-readable documents (docs/contracts.md, "The history document"). Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "analysis/history.hpp"
#include "analysis/history_analysis.hpp"
#include "analysis/history_input.hpp"

namespace ctxbench {

inline constexpr int kHistoryDocumentVersion = 1;

std::string format_history(const History& h, const HistoryAnalysis& a);
nlohmann::json history_to_json(const History& h, const HistoryAnalysis& a);

std::string format_history_check(const RunInput& new_run, const HistoryCheck& check, const HistoryGateOptions& options);
// `history check --json` (docs/contracts.md, "The gate's document"): the same verdicts as fields.
nlohmann::json history_check_to_json(const RunInput& new_run, const HistoryCheck& check,
                                     const HistoryGateOptions& options);

}  // namespace ctxbench
